/**
 * `upgrade` on in-memory operators: order (server first, agents at most --max-unavailable at
 * a time, each cordoned and drained before its K3s restarts and uncordoned after), refusals
 * that touch nothing, the first failure stopping the run, reruns, dry runs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import type { RunSummary } from '../../bootstrap/executor/options';
import { runUpgrade, type UpgradeOptions } from '../../bootstrap/executor/upgrade';
import { formatUpgradeSummary } from '../../bootstrap/executor/upgrade-report';
import { PROBE_SCRIPT } from '../../bootstrap/plan/preflight';
import { scratchDirs } from '../support/scratch';
import { clusterOps, type ClusterOps } from './memory-cluster-ops';
import { MEMORY_STAGING_DIR, MemoryHosts, jetsonBoard, type BoardState, type Cluster, type MemoryHost } from './memory-operator';

const scratch = scratchDirs();
const OLD = 'v1.33.5+k3s1';
const TARGET = 'v1.34.12+k3s1';
const NAMES = ['nano-0', 'nano-1', 'nano-2', 'nano-3'];
const ADDRESSES = NAMES.map((_, i) => `10.0.0.${10 + i}`);

function description(version: string, agents = NAMES.length - 1): ClusterConfigInput {
  return {
    nodes: {
      server: { name: NAMES[0], address: ADDRESSES[0] },
      agents: NAMES.slice(1, 1 + agents).map((name, i) => ({ name, address: ADDRESSES[i + 1] })),
    },
    ssh: { user: 'root' },
    k3s: { version },
    namespace: 'inference',
  };
}

interface Lab {
  readonly hosts: MemoryHosts;
  readonly boards: BoardState[];
  readonly cluster: Cluster;
  readonly ops: ClusterOps;
  readonly dir: string;
  readonly host: (i: number) => MemoryHost;
}

/** Four boards bootstrapped on `from` (OLD), Triton Ready on each. */
async function lab(from = OLD): Promise<Lab> {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  const boards = NAMES.map((name, i) => jetsonBoard(hosts.host(ADDRESSES[i]), name, cluster));
  const ops = clusterOps(new Map(NAMES.map((name, i) => [name, hosts.host(ADDRESSES[i])])), cluster);
  const dir = scratch('upgrade-');
  const l = { hosts, boards, cluster, ops, dir, host: (i: number) => hosts.host(ADDRESSES[i]) };
  const first = await runBootstrap({ ...common(l), config: parseClusterConfig(description(from)) });
  expect(first.ok).toBe(true);
  for (const name of NAMES) ops.records.get(name)!.triton = { ready: true };
  return l;
}

function common(l: Pick<Lab, 'dir' | 'hosts'>) {
  return {
    configPath: join(l.dir, 'cluster.yaml'), homeDir: l.dir, env: {}, kubeconfigPath: join(l.dir, 'kube', 'config'),
    operators: l.hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
  };
}

async function upgrade(l: Lab, options: Partial<UpgradeOptions> = {}, version = TARGET) {
  const log: string[] = [];
  const first = l.hosts.calls.length;
  const opsBefore = l.ops.ops.length;
  const summary: RunSummary = await runUpgrade({
    ...common(l), tritonTimeoutSeconds: 1,
    log: (host, message) => log.push(`[${host}] ${message}`),
    ...options,
    config: options.config ?? parseClusterConfig(description(version)),
  });
  const calls = l.hosts.calls.slice(first);
  /** Root scripts in the order sent, named, with the host's index. */
  const sequence = calls.filter((c) => c.kind === 'root').map((c) => `${ADDRESSES.indexOf(c.host.split(':')[0])}:${stepName(c.text)}`);
  return { summary, log, calls, sequence, ops: l.ops.ops.slice(opsBefore), report: summary.upgrade! };
}

function stepName(script: string): string {
  if (script === PROBE_SCRIPT) return 'probe';
  const names: [RegExp, string][] = [
    [/kubectl cordon (\S+)/, 'cordon $1'], [/kubectl uncordon (\S+)/, 'uncordon $1'], [/kubectl drain (\S+)/, 'drain $1'],
    [/get pods .*spec\.nodeName=(\S+)/, 'pods $1'], [/triton-jetson\.fingerprint <</, 'install'], [/restart --no-block k3s-agent/, 'restart'],
    [/get nodes/, 'nodes'], [/server\/token/, 'token'],
  ];
  for (const [re, name] of names) {
    const m = re.exec(script);
    if (m) return name.replace('$1', m[1] ?? '');
  }
  return script.split('\n')[0];
}

const versions = (l: Lab) => l.boards.map((b) => b.k3s?.version);

describe('upgrade (in-memory operators)', () => {
  test('server first and back on the target before any agent is touched; agents one at a time, drained before and uncordoned after', async () => {
    const l = await lab();
    const r = await upgrade(l);
    expect(r.summary.ok).toBe(true);
    expect(versions(l)).toEqual(NAMES.map(() => TARGET));
    expect(r.report.boards.map((b) => `${b.name} ${b.from} → ${b.now} ${b.result}`)).toEqual(NAMES.map((n) => `${n} ${OLD} → ${TARGET} upgraded`));

    const mutations = r.sequence.filter((s) => !/:(probe|nodes|pods .*|token)$/.test(s));
    expect(mutations).toEqual([
      '0:cordon nano-0', '0:install', '0:uncordon nano-0',
      ...[1, 2, 3].flatMap((i) => [`0:cordon nano-${i}`, `0:drain nano-${i}`, `${i}:install`, `${i}:restart`, `0:uncordon nano-${i}`]),
    ]);
    // The server is seen Ready on the target before the first agent is cordoned.
    const firstAgentCordon = r.sequence.indexOf('0:cordon nano-1');
    expect(r.sequence.slice(r.sequence.indexOf('0:install'), firstAgentCordon)).toContain('0:nodes');
    expect(r.ops.filter((o) => o.verb === 'drain').map((o) => o.args)).toEqual([1, 2, 3].map(() => '--ignore-daemonsets --delete-emptydir-data --timeout=300s'));
    // Each board's Triton pod was looked up before and waited for after.
    for (const name of NAMES) expect(r.sequence.filter((s) => s === `0:pods ${name}`).length).toBeGreaterThanOrEqual(2);
    expect(r.summary.hosts[2].changed).toEqual([
      'cordoned', 'drained (--ignore-daemonsets --delete-emptydir-data, 300s at most)', `K3s ${OLD} → ${TARGET} installed (agent)`,
      'k3s-agent restarted on the new version', `Ready on ${TARGET}`, 'uncordoned', 'Triton pod triton-nano-2 Ready again',
    ]);
    expect(r.log).toContain('[nano-2] upgrade 3/4: uncordoned');
    expect(r.log).toContain('[upgrade] done: every board runs v1.34.12+k3s1');
    expect([...l.ops.records.values()].every((rec) => !rec.unschedulable && Object.keys(rec.annotations).length === 0)).toBe(true);
  });

  test.each([2, 3])('--max-unavailable %i: never more than that many agents cordoned at once, and that many are', async (n) => {
    const l = await lab();
    const r = await upgrade(l, { maxUnavailable: n });
    expect(r.summary.ok).toBe(true);
    let down = 0;
    let most = 0;
    for (const op of r.ops.filter((o) => o.node !== NAMES[0])) {
      if (op.verb === 'cordon') down += 1;
      if (op.verb === 'uncordon') down -= 1;
      most = Math.max(most, down);
    }
    expect(most).toBe(n);
    expect(down).toBe(0);
    // Each agent: cordon < drain < its install < its restart < uncordon.
    for (const i of [1, 2, 3]) {
      const at = (s: string) => r.sequence.indexOf(s);
      expect([at(`0:cordon nano-${i}`), at(`0:drain nano-${i}`), at(`${i}:install`), at(`${i}:restart`), at(`0:uncordon nano-${i}`)])
        .toEqual([...[at(`0:cordon nano-${i}`), at(`0:drain nano-${i}`), at(`${i}:install`), at(`${i}:restart`), at(`0:uncordon nano-${i}`)]].sort((a, b) => a - b));
      expect(at(`0:cordon nano-${i}`)).toBeGreaterThan(at('0:uncordon nano-0'));
    }
  });

  test('a rerun skips every board already on the target and sends only read-only scripts', async () => {
    const l = await lab();
    await upgrade(l);
    const r = await upgrade(l);
    expect(r.summary.ok).toBe(true);
    expect(r.report.boards.map((b) => b.result)).toEqual(NAMES.map(() => 'already on target'));
    expect(new Set(r.sequence.map((s) => s.replace(/^\d+:/, '')))).toEqual(new Set(['probe', 'nodes']));
  });

  test.each([
    ['a downgrade', OLD, 'v1.33.1+k3s1', /K3s does not support downgrades .*: nano-0 runs v1\.33\.5\+k3s1, nano-1 runs v1\.33\.5\+k3s1, nano-2 runs v1\.33\.5\+k3s1, nano-3 runs v1\.33\.5\+k3s1, newer than k3s\.version v1\.33\.1\+k3s1/],
    // Nanos (cgroup v1) stop at v1.34, so the skip is v1.32 → v1.34.
    ['a skipped minor version', 'v1.32.3+k3s1', TARGET, /v1\.32 → v1\.34 skips a minor version.*set k3s\.version to a v1\.33 release first/],
  ])('%s is refused in one line; nothing but the read-only probes is sent', async (_what, from, version, reason) => {
    const l = await lab(from);
    const before = JSON.stringify([...l.cluster]);
    const base = parseClusterConfig(description(from));
    const r = await upgrade(l, { config: { ...base, k3s: { ...base.k3s, version } } }, version);
    expect(r.summary.ok).toBe(false);
    expect(r.report.refused).toMatch(reason);
    expect(r.report.refused!.split('\n')).toHaveLength(1);
    expect(r.report.boards.map((b) => b.result)).toEqual(NAMES.map(() => 'refused'));
    expect(new Set(r.sequence.map((s) => s.replace(/^\d+:/, '')))).toEqual(new Set(['probe', 'nodes']));
    expect(JSON.stringify([...l.cluster])).toBe(before);
    expect(formatUpgradeSummary(r.summary)).toMatch(/^upgrade to v1\.3\d\.\d+\+k3s1 — REFUSED in/);
  });

  test('an unreachable agent refuses the upgrade before anything changes', async () => {
    const l = await lab();
    l.host(3).connectError = 'root@10.0.0.13:22: cannot connect (ECONNREFUSED)';
    const r = await upgrade(l);
    expect(r.report.refused).toBe(`upgrade to ${TARGET} refused, nothing was changed: nano-3: root@10.0.0.13:22: cannot connect (ECONNREFUSED)`);
    expect(r.sequence.filter((s) => !/:(probe|nodes)$/.test(s))).toEqual([]);
  });

  test('an agent whose download fails stops the run: it stays cordoned, later agents are untouched; a rerun finishes', async () => {
    const l = await lab();
    l.host(2).on(/triton-jetson\.fingerprint <</, { code: 1, stderr: '[ERROR]  Download failed' });
    const r = await upgrade(l);
    expect(r.summary.ok).toBe(false);
    expect(r.report.failed).toEqual({ board: 'nano-2', reason: expect.stringMatching(/^k3s-install failed \(exit 1\): \[ERROR\]  Download failed; it stays cordoned: rerun `triton-jetson upgrade` once fixed, or `kubectl uncordon nano-2`$/) });
    expect(r.report.boards.map((b) => `${b.name} ${b.now} ${b.result}`)).toEqual([`nano-0 ${TARGET} upgraded`, `nano-1 ${TARGET} upgraded`, `nano-2 ${OLD} failed`, `nano-3 ${OLD} not reached`]);
    expect(r.sequence.filter((s) => s.startsWith('3:') || s.endsWith('nano-3')).filter((s) => !/:(probe|pods nano-3)$/.test(s))).toEqual([]);
    expect(l.ops.records.get('nano-2')!.unschedulable).toBe(true);
    expect(r.log).toContain(`[upgrade] versions now: ${TARGET}: nano-0, nano-1; ${OLD}: nano-2, nano-3`);
    expect(formatUpgradeSummary(r.summary)).toContain('rerun `triton-jetson upgrade`: boards already on v1.34.12+k3s1 are skipped');

    // The download works again.
    l.host(2).on(/triton-jetson\.fingerprint <</, (s) => {
      const version = /INSTALL_K3S_VERSION='?([^'\n]+)/.exec(s)![1];
      Object.assign(l.boards[2].k3s!, { version, active: false });
      return {};
    });
    const again = await upgrade(l);
    expect(again.summary.ok).toBe(true);
    expect(again.report.boards.map((b) => b.result)).toEqual(['already on target', 'already on target', 'upgraded', 'upgraded']);
    expect(l.ops.records.get('nano-2')!.unschedulable).toBe(false);
    expect(versions(l)).toEqual(NAMES.map(() => TARGET));
  });

  test('a drain that fails uncordons the node again and stops the run; K3s is not touched', async () => {
    const l = await lab();
    l.host(0).on(/kubectl drain nano-1/, { code: 1, stderr: 'error: cannot delete Pods that declare no controller (use --force to override): default/debug' });
    const r = await upgrade(l);
    expect(r.report.failed?.reason).toMatch(/^drain nano-1 failed \(exit 1\): error: cannot delete Pods that declare no controller .*; K3s was not touched, the node was uncordoned again$/);
    expect(l.boards[1].k3s?.version).toBe(OLD);
    expect(l.ops.records.get('nano-1')!.unschedulable).toBe(false);
    expect(r.sequence).not.toContain('1:install');
  });

  test('a Triton pod that does not come back fails the board after the timeout', async () => {
    const l = await lab();
    l.host(1).on(/restart --no-block k3s-agent/, () => {
      l.boards[1].k3s!.active = true;
      l.ops.records.get('nano-1')!.triton = { ready: false };
      return {};
    });
    const r = await upgrade(l);
    expect(r.report.failed?.board).toBe('nano-1');
    expect(r.report.failed?.reason).toMatch(/^its Triton pod is not Ready again within 1s \(triton-nano-1 not Ready\); the node is upgraded and uncordoned: kubectl -n inference describe pods -l app=triton --field-selector spec.nodeName=nano-1$/);
    expect(r.report.boards.map((b) => b.result)).toEqual(['upgraded', 'failed', 'not reached', 'not reached']);
  });

  test('a node cordoned by someone else is upgraded and left cordoned', async () => {
    const l = await lab();
    l.ops.records.get('nano-3')!.unschedulable = true;
    const r = await upgrade(l);
    expect(r.summary.ok).toBe(true);
    expect(l.ops.records.get('nano-3')!.unschedulable).toBe(true);
    expect(r.summary.hosts[3].warnings).toContain('left cordoned: it was cordoned before the upgrade, by someone else');
  });

  test('a dry run (= plan --upgrade) prints the order and the scripts, token redacted, and changes nothing', async () => {
    const l = await lab();
    const before = JSON.stringify([...l.cluster]);
    const r = await upgrade(l, { dryRun: true });
    expect(r.summary.ok).toBe(true);
    expect(r.report.boards.map((b) => b.result)).toEqual(NAMES.map(() => 'will upgrade'));
    expect(new Set(r.sequence.map((s) => s.replace(/^\d+:/, '')))).toEqual(new Set(['probe', 'nodes']));
    expect(JSON.stringify([...l.cluster])).toBe(before);
    expect(r.summary.hosts[1].plannedSteps!.map((s) => s.title)).toEqual([
      'cordon nano-1 (on nano-0)', 'drain nano-1 (on nano-0)', `install K3s ${OLD} → ${TARGET} (agent)`, 'restart k3s-agent on the new version',
      `wait until nano-1 is Ready on ${TARGET} (1s at most) (on nano-0)`, 'uncordon nano-1 (on nano-0)', "wait for nano-1's Triton pod if one was Ready (1s at most) (on nano-0)",
    ]);
    expect(r.summary.hosts[1].plannedSteps![2].script).toContain('K3S_TOKEN=<redacted>');
    expect(r.log).toContain('[upgrade] order: the server first, then the agents, at most 1 at a time; 4 of 4 board(s) to upgrade to v1.34.12+k3s1');
    expect(formatUpgradeSummary(r.summary)).toMatch(/^upgrade to v1\.34\.12\+k3s1 \(dry run: nothing was changed\) — OK/);
  });

  test('bootstrap with a newer k3s.version on running boards refuses (no longer reinstalls every agent at once) and points to upgrade', async () => {
    const l = await lab();
    const first = l.hosts.calls.length;
    const summary = await runBootstrap({ ...common(l), config: parseClusterConfig(description(TARGET)) });
    expect(summary.ok).toBe(false);
    for (const host of summary.hosts) {
      expect(host.error).toBe(`K3s ${OLD} runs here and k3s.version is ${TARGET}: a version change goes one board at a time (cordon, drain, restart, uncordon) `
        + `with \`triton-jetson upgrade\` (docs/operations.md), or set k3s.version back to ${OLD}`);
    }
    expect(l.hosts.calls.slice(first).filter((c) => c.kind === 'root' && c.text !== PROBE_SCRIPT)).toEqual([]);
    expect(versions(l)).toEqual(NAMES.map(() => OLD));
  });

  test('a board left cordoned by a stopped run that came up on the target later is uncordoned by the rerun, not reinstalled', async () => {
    const l = await lab();
    // nano-1 was slow: the run gave up waiting, leaving it cordoned; it is Ready on the target now.
    l.host(1).on(/restart --no-block k3s-agent/, () => ({}));
    const r = await upgrade(l);
    expect(r.report.failed?.board).toBe('nano-1');
    expect(r.report.failed?.reason).toMatch(/^not Ready on v1\.34\.12\+k3s1 within 1s \(last seen: NotReady on v1\.34\.12\+k3s1\); on the board: journalctl -u k3s-agent; it stays cordoned/);
    l.boards[1].k3s!.active = true;
    const again = await upgrade(l);
    expect(again.summary.ok).toBe(true);
    expect(again.report.boards.map((b) => b.result)).toEqual(['already on target', 'upgraded', 'upgraded', 'upgraded']);
    expect(again.sequence.filter((s) => s.startsWith('1:') && s !== '1:probe')).toEqual([]);
    expect(again.summary.hosts[1].changed).toEqual(['uncordoned (left cordoned by an earlier upgrade run)']);
    expect(l.ops.records.get('nano-1')!.unschedulable).toBe(false);
  });

  test('Triton pods that cannot be listed are not waited for, and the summary says so', async () => {
    const l = await lab();
    l.host(0).on(/ kubectl get pods /, { code: 1, stderr: 'error: You must be logged in to the server (Unauthorized)' });
    const r = await upgrade(l);
    expect(r.summary.ok).toBe(true);
    expect(r.summary.hosts[1].warnings).toEqual([expect.stringMatching(/^its Triton pods could not be listed before the upgrade \(listing nano-1's Triton pods failed \(exit 1\): error: You must be logged in to the server \(Unauthorized\)\): not waited for$/)]);
  });

  test('air gap: each board gets the release files over its connection and installs without downloading', async () => {
    const l = await lab();
    const folder = join(l.dir, 'k3s-airgap');
    mkdirSync(folder);
    for (const file of ['install.sh', 'k3s-arm64', 'k3s-airgap-images-arm64.tar.zst']) writeFileSync(join(folder, file), `${file} ${TARGET}\n`);
    const base = parseClusterConfig(description(TARGET));
    const r = await upgrade(l, { config: { ...base, k3s: { ...base.k3s, airGapDir: folder } } });
    expect(r.summary.ok).toBe(true);
    const uploads = r.calls.filter((c) => c.kind === 'upload');
    expect(uploads).toHaveLength(NAMES.length * 3);
    expect(uploads.filter((c) => c.host === `${ADDRESSES[2]}:22`).map((c) => c.text)).toEqual([
      `${folder}/install.sh -> ${MEMORY_STAGING_DIR}/install.sh`, `${folder}/k3s-arm64 -> ${MEMORY_STAGING_DIR}/k3s`,
      `${folder}/k3s-airgap-images-arm64.tar.zst -> ${MEMORY_STAGING_DIR}/k3s-airgap-images-arm64.tar.zst`,
    ]);
    const installs = r.calls.filter((c) => c.kind === 'root' && c.text.includes('triton-jetson.fingerprint <<'));
    // Root installs only from its own checked copies of what was uploaded into that private folder.
    expect(installs.every((c) => c.text.includes(`staging=${MEMORY_STAGING_DIR}\n`))).toBe(true);
    expect(installs.every((c) => c.text.includes("export INSTALL_K3S_SKIP_DOWNLOAD=true") && !c.text.includes('curl'))).toBe(true);
    // Uploads come after the board is drained, before its install.
    const at = (pred: (c: (typeof r.calls)[number]) => boolean) => r.calls.findIndex(pred);
    expect(at((c) => c.kind === 'upload' && c.host === `${ADDRESSES[2]}:22`)).toBeGreaterThan(at((c) => / kubectl drain nano-2/.test(c.text)));
  });
});
