/**
 * Benchmark of the fake Jetson hosts (prints figures; asserts nothing):
 *   npx tsx test/bootstrap-fixture/bench-startup.ts [maxHosts=16]
 * For 1, 4 and maxHosts hosts: start-up and stop time (ratio vs 1 host in the same run),
 * then, on the largest fixture, one root SSH command per host and a whole K3s install
 * (server, then every agent in parallel) through node-ssh, as the bootstrapper does it.
 */
import { NodeSSH } from 'node-ssh';
import { startJetsonHosts } from '../support/jetson-hosts';

async function timed<T>(action: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await action();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

async function main(): Promise<void> {
  const maxHosts = Number(process.argv[2] ?? 16);
  const sizes = [...new Set([1, 4, maxHosts])];
  let baseline = 0;
  for (const count of sizes) {
    const [fixture, startMs] = await timed(() => startJetsonHosts({ count }));
    if (count === 1) baseline = startMs;
    let extra = '';
    if (count === maxHosts) {
      const sessions = await Promise.all(
        fixture.hosts.map(async (h) => {
          const ssh = new NodeSSH();
          await ssh.connect(fixture.sshConfig(h));
          return ssh;
        }),
      );
      const [, commandMs] = await timed(() => Promise.all(sessions.map((s) => s.execCommand('uname -m && docker info --format "{{.DefaultRuntime}}"'))));
      const [, serverMs] = await timed(() => sessions[0].execCommand('curl -sfL https://get.k3s.io | K3S_TOKEN=bench sh -s - --docker'));
      const [joins, agentsMs] = await timed(() =>
        Promise.all(
          sessions.slice(1).map((s) => s.execCommand(`curl -sfL https://get.k3s.io | K3S_URL=https://${fixture.hosts[0].name}:6443 K3S_TOKEN=bench sh -s - --docker`)),
        ),
      );
      const nodes = await fixture.clusterNodes(fixture.hosts[0].address);
      sessions.forEach((s) => s.dispose());
      const failed = joins.filter((j) => j.code !== 0).length;
      extra =
        `  one command on every host ${commandMs.toFixed(0)} ms` +
        `  server install ${serverMs.toFixed(0)} ms` +
        `  ${count - 1} agent installs in parallel ${agentsMs.toFixed(0)} ms (${failed} failed, ${nodes.length} nodes registered)`;
    }
    const [, stopMs] = await timed(() => fixture.stop());
    console.log(
      `${String(count).padStart(3)} hosts: start ${startMs.toFixed(0)} ms (x${(startMs / baseline).toFixed(2)} vs 1 host), stop ${stopMs.toFixed(0)} ms${extra}`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
