/**
 * Fleet scale: bootstrap wall time on 1 to 32 fake Jetson hosts (test/support/jetson-hosts.ts:
 * a real sshd per host, the K3s installer stub with a fixed simulated delay) at the default
 * --parallel (10) or the one given, with the ratio to one board, the most boards seen
 * installing at the same time (from the hosts' own records) and the SSH handshakes per host.
 * Boards beyond --parallel wait for a slot, so wall time grows in steps of about one
 * install per `parallel` boards instead of all boards hitting the server at once.
 *
 *   npm run bench:fleet [-- --delay-ms 3000 --sizes 1,2,4,8,16,32 --parallel 10]
 *
 * Needs root and the fake-host prerequisites (bash scripts/test-deps/20-ssh.sh).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBootstrap } from '../bootstrap/executor/bootstrap';
import { DEFAULT_PARALLEL } from '../lib/parallel';
import { parseClusterConfig } from '../lib/config/cluster-config';
import { startJetsonHosts, type JetsonHosts } from '../test/support/jetson-hosts';
import { clusterFor, makeWorkspace } from '../test/bootstrap/harness';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const delayMs = Number(arg('delay-ms', '3000'));
const sizes = arg('sizes', '1,2,4,8,16,32').split(',').map(Number);
const parallel = Number(arg('parallel', String(DEFAULT_PARALLEL)));

interface Row {
  readonly n: number;
  readonly seconds: number;
  /** Most installers running at once, from the hosts' calls.log (start) and service start (end). */
  readonly concurrentInstalls: number;
  readonly handshakes: readonly number[];
}

function acceptedLogins(hostDir: string): number {
  try {
    return readFileSync(join(hostDir, 'sshd.log'), 'utf-8').split('\n').filter((l) => l.includes('Accepted publickey')).length;
  } catch {
    return 0;
  }
}

/** Installer runs as intervals [k3s-install call, K3s service started or failed], then the most that overlap. */
async function mostConcurrentInstalls(fixture: JetsonHosts, since: number): Promise<number> {
  const edges: { t: number; d: number }[] = [];
  for (const host of fixture.hosts) {
    const calls = (await host.calls()).filter((c) => c.t >= since);
    const start = calls.find((c) => c.program === 'k3s-install');
    const end = calls.find((c) => c.program === 'service' && c.argv[1] !== 'stopped');
    if (start && end) edges.push({ t: start.t, d: 1 }, { t: end.t, d: -1 });
  }
  edges.sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) {
    now += e.d;
    most = Math.max(most, now);
  }
  return most;
}

async function measure(n: number): Promise<Row> {
  const fixture = await startJetsonHosts({ count: n, installerDelayMs: delayMs, startTimeoutMs: 60000 });
  const ws = makeWorkspace(fixture);
  try {
    const before = fixture.hosts.map((h) => acceptedLogins(h.dir));
    const since = Date.now();
    const started = process.hrtime.bigint();
    const summary = await runBootstrap({
      config: parseClusterConfig(clusterFor(fixture)),
      configPath: ws.configPath, homeDir: ws.home, env: {}, kubeconfigPath: ws.kubeconfigPath, knownHostsFile: ws.knownHostsPath,
      readyTimeoutSeconds: 300, pollIntervalMs: 500, parallel,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (!summary.ok) throw new Error(`bootstrap of ${n} hosts failed: ${summary.hosts.map((h) => h.error).filter(Boolean).join('; ')}`);
    return {
      n, seconds,
      concurrentInstalls: await mostConcurrentInstalls(fixture, since),
      handshakes: fixture.hosts.map((h, i) => acceptedLogins(h.dir) - before[i]),
    };
  } finally {
    await fixture.stop();
    ws.remove();
  }
}

async function main(): Promise<void> {
  console.log(`fleet benchmark: bootstrap of fake Jetson hosts, --parallel ${parallel}, installer delay ${delayMs} ms, sizes ${sizes.join(', ')}`);
  const rows: Row[] = [];
  for (const n of sizes) {
    const row = await measure(n);
    rows.push(row);
    console.log(`  N=${n}: ${row.seconds.toFixed(2)} s`);
  }
  const base = rows[0].seconds;
  const range = (xs: readonly number[]) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}-${Math.max(...xs)}`);
  console.log('');
  console.log('boards  wall time (s)  × 1 board  slots (⌈N/parallel⌉)  most installs at once  SSH handshakes/host');
  for (const r of rows) {
    console.log(`${String(r.n).padStart(6)}  ${r.seconds.toFixed(2).padStart(13)}  ${(r.seconds / base).toFixed(2).padStart(9)}  ${String(Math.ceil(r.n / parallel)).padStart(19)}  ${String(r.concurrentInstalls).padStart(21)}  ${range(r.handshakes).padStart(19)}`);
  }
  const largest = rows[rows.length - 1];
  console.log('');
  console.log(`${largest.n} boards took ${(largest.seconds / base).toFixed(2)} × the 1-board time; at most ${Math.max(...rows.map((r) => r.concurrentInstalls))} installs ran at once (limit ${parallel}); one SSH handshake per host: ${rows.every((r) => r.handshakes.every((h) => h === 1)) ? 'yes' : 'NO'}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
