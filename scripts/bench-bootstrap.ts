/**
 * Bootstrap wall time for 1, 4 and 16 fake Jetson hosts (test/support/jetson-hosts.ts: real
 * sshd per host) with a fixed simulated K3s installer delay, and SSH handshakes per host
 * (counted by the client and by each sshd's "Accepted publickey" log lines).
 * Target: 16 hosts ≤ 1.5 × the 1-host time; 1 handshake per host.
 *
 *   npm run bench:bootstrap [-- --delay-ms 3000 --sizes 1,4,16]
 *
 * Needs root and the fake-host prerequisites (bash scripts/test-deps/20-ssh.sh).
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { runBootstrap } from '../bootstrap/executor/bootstrap';
import { parseClusterConfig } from '../lib/config/cluster-config';
import { startJetsonHosts } from '../test/support/jetson-hosts';
import { clusterFor, makeWorkspace } from '../test/bootstrap/harness';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const delayMs = Number(arg('delay-ms', '3000'));
const sizes = arg('sizes', '1,4,16').split(',').map(Number);

interface Row {
  n: number;
  firstS: number;
  rerunS: number;
  /** CPU seconds the whole machine was busy during the first run (all cores). */
  machineCpuS: number;
  /** CPU seconds of this process (the bootstrapper itself) during the first run. */
  ownCpuS: number;
  clientHandshakes: number[];
  serverHandshakes: number[];
}

/** Busy CPU time of the whole machine so far, in seconds (from /proc/stat, USER_HZ = 100). */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf-8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + (steal ?? 0)) / 100;
}

function acceptedLogins(hostDir: string): number {
  try {
    return readFileSync(join(hostDir, 'sshd.log'), 'utf-8').split('\n').filter((l) => l.includes('Accepted publickey')).length;
  } catch {
    return 0;
  }
}

async function measure(n: number): Promise<Row> {
  const fixture = await startJetsonHosts({ count: n, installerDelayMs: delayMs });
  const ws = makeWorkspace(fixture);
  try {
    const run = async () => {
      const started = process.hrtime.bigint();
      const summary = await runBootstrap({
        config: parseClusterConfig(clusterFor(fixture)),
        configPath: ws.configPath,
        homeDir: ws.home,
        env: {},
        kubeconfigPath: ws.kubeconfigPath,
        knownHostsFile: ws.knownHostsPath,
        readyTimeoutSeconds: 60,
        pollIntervalMs: 200,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (!summary.ok) throw new Error(`bootstrap of ${n} hosts failed: ${summary.hosts.map((h) => h.error).filter(Boolean).join('; ')}`);
      return { seconds, summary };
    };
    const before = fixture.hosts.map((h) => acceptedLogins(h.dir));
    const cpuBefore = machineBusySeconds();
    const ownBefore = process.cpuUsage();
    const first = await run();
    const machineCpuS = machineBusySeconds() - cpuBefore;
    const own = process.cpuUsage(ownBefore);
    const ownCpuS = (own.user + own.system) / 1e6;
    const serverHandshakes = fixture.hosts.map((h, i) => acceptedLogins(h.dir) - before[i]);
    const rerun = await run();
    return {
      n,
      firstS: first.seconds,
      rerunS: rerun.seconds,
      machineCpuS,
      ownCpuS,
      clientHandshakes: first.summary.hosts.map((h) => h.sshHandshakes),
      serverHandshakes,
    };
  } finally {
    await fixture.stop();
    ws.remove();
  }
}

async function main(): Promise<void> {
  console.log(`bootstrap benchmark: fake Jetson hosts, installer delay ${delayMs} ms, sizes ${sizes.join(', ')}`);
  const rows: Row[] = [];
  for (const n of sizes) {
    const row = await measure(n);
    rows.push(row);
    console.log(`  N=${n}: done in ${row.firstS.toFixed(2)} s`);
  }
  const base = rows[0].firstS;
  const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}-${Math.max(...xs)}`);
  console.log('');
  const cores = os.cpus().length;
  console.log(`hosts  first run (s)  × 1-host  serial est. (s)  machine CPU busy (s, ${cores} cores)  bootstrapper CPU (s)  rerun (s)  handshakes/host client  sshd log`);
  for (const r of rows) {
    console.log(
      `${String(r.n).padStart(5)}  ${r.firstS.toFixed(2).padStart(13)}  ${(r.firstS / base).toFixed(2).padStart(8)}  ${(r.n * base).toFixed(1).padStart(15)}  ${r.machineCpuS.toFixed(1).padStart(30)}  ${r.ownCpuS.toFixed(2).padStart(20)}  ${r.rerunS.toFixed(2).padStart(9)}  ${range(r.clientHandshakes).padStart(22)}  ${range(r.serverHandshakes).padStart(8)}`,
    );
  }
  console.log(`(machine CPU busy near ${cores} × wall time means the fake hosts' stubs, not waiting, bound the run)`);
  const largest = rows[rows.length - 1];
  const ratio = largest.firstS / base;
  console.log('');
  console.log(`target: ${largest.n} hosts ≤ 1.5 × 1 host → ${ratio.toFixed(2)} × (${ratio <= 1.5 ? 'met' : 'NOT met'}); handshakes per host: ${rows.every((r) => r.serverHandshakes.every((h) => h === 1)) ? '1 (met)' : 'NOT 1'}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
