/**
 * Orchestration of `bootstrap` and `reset` on in-memory operators: phase order, failure
 * isolation, idempotency and dry runs, without SSH, root or fake hosts.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import type { RunOptions, RunSummary } from '../../bootstrap/executor/options';
import { runReset } from '../../bootstrap/executor/reset';
import { formatSummary } from '../../bootstrap/summary-text';
import { PROBE_SCRIPT } from '../../bootstrap/plan/preflight';
import { scratchDirs } from '../support/scratch';
import { MemoryHosts, jetsonBoard, type BoardState, type Cluster } from './memory-operator';

const scratch = scratchDirs();
const NAMES = ['nano-0', 'nano-1', 'nano-2'];
const ADDRESSES = ['10.0.0.10', '10.0.0.11', '10.0.0.12'];
const key = (i: number) => `${ADDRESSES[i]}:22`;

const CLUSTER: ClusterConfigInput = {
  nodes: {
    server: { name: NAMES[0], address: ADDRESSES[0] },
    agents: [{ name: NAMES[1], address: ADDRESSES[1], labels: { zone: 'rack-a' } }, { name: NAMES[2], address: ADDRESSES[2] }],
  },
  ssh: { user: 'root' },
};

interface Lab {
  readonly hosts: MemoryHosts;
  readonly boards: BoardState[];
  readonly cluster: Cluster;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly tokenFile: string;
}

function lab(): Lab {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  const boards = NAMES.map((name, i) => jetsonBoard(hosts.host(ADDRESSES[i]), name, cluster));
  const dir = scratch('orchestration-');
  return { hosts, boards, cluster, dir, kubeconfig: join(dir, 'kube', 'config'), tokenFile: join(dir, '.triton-jetson', 'triton-jetson', 'token') };
}

async function run(l: Lab, verb: typeof runBootstrap, options: Partial<RunOptions> = {}, cluster: ClusterConfigInput = CLUSTER) {
  const log: string[] = [];
  const first = l.hosts.calls.length;
  const summary: RunSummary = await verb({
    config: parseClusterConfig(cluster), configPath: join(l.dir, 'cluster.yaml'), homeDir: l.dir, env: {},
    kubeconfigPath: l.kubeconfig, operators: l.hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
    log: (host, message) => log.push(`[${host}] ${message}`),
    ...options,
  });
  const calls = l.hosts.calls.slice(first);
  const steps = (i: number) => calls.filter((c) => c.host === key(i) && c.kind === 'root').map((c) => stepName(c.text));
  return { summary, log, calls, steps, host: (i: number) => summary.hosts[i] };
}

/** A recognisable name for each root script. */
function stepName(script: string): string {
  if (script === PROBE_SCRIPT) return 'probe';
  const names: [RegExp, string][] = [
    [/nfs-common/, 'nfs-common'], [/cat > "\$tmp"/, 'daemon-json'], [/triton-jetson\.fingerprint <</, 'k3s-install'],
    [/restart --no-block k3s-agent/, 'agent-start'], [/k3s\.yaml/, 'kubeconfig'], [/get nodes/, 'nodes'], [/label node/, 'label'],
    [/server\/token/, 'token'], [/uninstalled:/, 'uninstall'], [/no-backup/, 'restore'],
  ];
  return names.find(([re]) => re.test(script))?.[1] ?? script;
}

describe('bootstrap orchestration (in-memory operators)', () => {
  test('phases run in order; agents install after the server is prepared and start after its install', async () => {
    const l = lab();
    const r = await run(l, runBootstrap);
    expect(r.summary.ok).toBe(true);
    expect(r.steps(0)).toEqual(['probe', 'nfs-common', 'daemon-json', 'k3s-install', 'kubeconfig', 'nodes']);
    for (const agent of [1, 2]) expect(r.steps(agent)).toEqual(['probe', 'nfs-common', 'daemon-json', 'k3s-install', 'agent-start']);
    const at = (i: number, step: string) => r.calls.findIndex((c) => c.host === key(i) && c.kind === 'root' && stepName(c.text) === step);
    for (const agent of [1, 2]) {
      expect(at(agent, 'k3s-install')).toBeGreaterThan(at(0, 'daemon-json'));
      expect(at(agent, 'agent-start')).toBeGreaterThan(at(0, 'k3s-install'));
      expect(at(0, 'kubeconfig')).toBeGreaterThan(at(agent, 'agent-start'));
    }
    expect(r.calls.filter((c) => c.kind === 'connect')).toHaveLength(3);
    expect(r.calls.filter((c) => c.kind === 'close')).toHaveLength(3);
    expect(r.summary.nodes).toEqual({ ready: NAMES, notReady: [] });
    // Every board is labelled with its detected profile, profiles declared or not (issue 22.11).
    expect(l.boards[1].labels).toEqual({ zone: 'rack-a', 'triton-jetson.dev/jetson': 'true', 'triton-jetson.dev/profile': 'jetpack4' });
    expect(r.log[0]).toBe(`[${NAMES[0]}] connecting to root@${ADDRESSES[0]}:22`);
    expect(r.log).toContain(`[local] generated a cluster token in ${l.tokenFile} (mode 0600)`);
    const token = readFileSync(l.tokenFile, 'utf-8').trim();
    expect(r.log.join('\n')).not.toContain(token);
    expect(readFileSync(l.kubeconfig, 'utf-8')).toContain('server: https://10.0.0.10:6443');
  });

  test('a second run changes nothing and sends only read-only scripts', async () => {
    const l = lab();
    await run(l, runBootstrap);
    const before = JSON.stringify([...l.cluster]);
    const kubeconfig = readFileSync(l.kubeconfig, 'utf-8');
    const r = await run(l, runBootstrap);
    expect(r.summary.ok).toBe(true);
    expect(r.summary.hosts.map((h) => h.changed)).toEqual([[], [], []]);
    expect(r.summary.kubeconfig?.changed).toBe(false);
    expect(r.steps(0)).toEqual(['probe', 'kubeconfig', 'nodes']);
    for (const agent of [1, 2]) expect(r.steps(agent)).toEqual(['probe']);
    expect(JSON.stringify([...l.cluster])).toBe(before);
    expect(readFileSync(l.kubeconfig, 'utf-8')).toBe(kubeconfig);
    expect(r.host(1).unchanged).toContain('node labels already set (zone, triton-jetson.dev/profile, triton-jetson.dev/jetson)');
  });

  test('a label K3s did not apply is set through the server, once', async () => {
    const l = lab();
    await run(l, runBootstrap);
    delete l.boards[2].labels['triton-jetson.dev/jetson'];
    const r = await run(l, runBootstrap);
    expect(r.steps(0)).toEqual(['probe', 'kubeconfig', 'nodes', 'label']);
    expect(r.summary.hosts.map((h) => h.changed)).toEqual([[], [], ['node labels set: triton-jetson.dev/jetson=true']]);
    expect(r.log).toContain(`[${NAMES[2]}] node labels set: triton-jetson.dev/jetson=true`);
    expect((await run(l, runBootstrap)).steps(0)).toEqual(['probe', 'kubeconfig', 'nodes']);
  });

  test('a dry run probes, prints the plan and changes nothing, here or on the hosts', async () => {
    const l = lab();
    const r = await run(l, runBootstrap, { dryRun: true });
    expect(r.summary.ok).toBe(true);
    for (const i of [0, 1, 2]) expect(r.steps(i)).toEqual(['probe']);
    expect(l.boards.every((b) => !b.k3s && !b.nfsCommon && b.daemonJsonBackup === undefined)).toBe(true);
    expect(existsSync(l.tokenFile)).toBe(false);
    expect(existsSync(l.kubeconfig)).toBe(false);
    expect(r.host(1).plannedSteps?.map((s) => s.title)).toEqual([
      'install nfs-common', expect.stringMatching(/^make nvidia Docker's default runtime: daemon.json default-runtime \(unset\) → nvidia/), expect.stringMatching(/^install K3s .* \(agent\)$/),
      expect.stringMatching(/^start k3s-agent/),
    ]);
    expect(r.host(0).plannedSteps?.find((s) => s.title.startsWith('install K3s'))?.script).toContain('K3S_TOKEN=<redacted>');
    expect(r.log).toContain(`[${NAMES[2]}] will: install nfs-common`);
    // The text names each host's steps and shows each distinct script once, with its hosts.
    const text = formatSummary(r.summary);
    expect(text).toContain(`\n${NAMES[1]} (agent, `);
    expect(text).toMatch(new RegExp(`\\n {2}will run: {2}\\[(\\d+)\\] install K3s v[\\d.]+\\+k3s\\d \\(agent\\)\\n`));
    expect(text).toContain(`\n[1] install nfs-common — ${NAMES.join(', ')}\n`);
    expect(text).toMatch(new RegExp(`\\n\\[\\d+\\] start k3s-agent \\(join https://10\\.0\\.0\\.10:6443\\) — ${NAMES[1]}, ${NAMES[2]}\\n`));
    expect(text.match(/apt-get install -y --no-install-recommends nfs-common >\/dev\/null \|\|/g)).toHaveLength(1);
    // nano-1 has a label of its own: its install is a script of its own.
    expect(text.match(/sh "\$d\/install\.sh" agent/g)).toHaveLength(2);
    expect(text).toContain('--node-label=zone=rack-a');
    expect(text).not.toMatch(/\bwould\b/);
  });

  test('a dry run against a running server reads its token but writes no token file', async () => {
    const l = lab();
    await run(l, runBootstrap);
    rmSync(l.tokenFile);
    const r = await run(l, runBootstrap, { dryRun: true });
    expect(r.summary.ok).toBe(true);
    expect(r.steps(0)).toEqual(['probe', 'token']);
    expect(existsSync(l.tokenFile)).toBe(false);
    expect(r.summary.hosts.map((h) => h.plannedSteps)).toEqual([[], [], []]);
  });

  test('a lost token file is recovered from the running server, never printed', async () => {
    const l = lab();
    await run(l, runBootstrap);
    const token = readFileSync(l.tokenFile, 'utf-8');
    rmSync(l.tokenFile);
    const r = await run(l, runBootstrap);
    expect(r.steps(0)).toEqual(['probe', 'token', 'kubeconfig', 'nodes']);
    expect(r.log).toContain(`[local] recovered the cluster token from ${NAMES[0]} into ${l.tokenFile} (mode 0600)`);
    expect(readFileSync(l.tokenFile, 'utf-8')).toBe(token);
    expect(r.summary.hosts.map((h) => h.changed)).toEqual([[], [], []]);
    expect(r.log.join('\n')).not.toContain(token.trim());
  });
});

describe('failure isolation (in-memory operators)', () => {
  test('an unreachable agent fails alone; the others form the cluster', async () => {
    const l = lab();
    l.hosts.host(ADDRESSES[1]).connectError = `root@${ADDRESSES[1]}:22: cannot connect (ECONNREFUSED)`;
    const r = await run(l, runBootstrap);
    expect(r.summary.ok).toBe(false);
    expect(r.summary.hosts.map((h) => h.status)).toEqual(['ok', 'failed', 'ok']);
    expect(r.host(1).error).toBe(`root@${ADDRESSES[1]}:22: cannot connect (ECONNREFUSED)`);
    expect(r.steps(1)).toEqual([]);
    expect(r.steps(2)).toEqual(['probe', 'nfs-common', 'daemon-json', 'k3s-install', 'agent-start']);
    expect(r.summary.nodes).toEqual({ ready: [NAMES[0], NAMES[2]], notReady: [] });
  });

  test('a failing agent step stops that agent only', async () => {
    const l = lab();
    l.hosts.host(ADDRESSES[2]).on(/cat > "\$tmp"/, { code: 1, stderr: 'disk full' });
    const r = await run(l, runBootstrap);
    expect(r.summary.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'failed']);
    expect(r.host(2).error).toBe('daemon-json failed (exit 1): disk full');
    expect(r.steps(2)).toEqual(['probe', 'nfs-common', 'daemon-json']);
    expect(r.log).toContain(`[${NAMES[2]}] FAILED: daemon-json failed (exit 1): disk full`);
    expect(r.summary.nodes).toEqual({ ready: [NAMES[0], NAMES[1]], notReady: [] });
  });

  test('a failing server install stops the agents before they start, after their own install', async () => {
    const l = lab();
    l.hosts.host(ADDRESSES[0]).on(/triton-jetson\.fingerprint <</, { code: 1, stderr: 'Download failed' });
    const r = await run(l, runBootstrap);
    expect(r.summary.ok).toBe(false);
    expect(r.summary.hosts.map((h) => h.status)).toEqual(['failed', 'failed', 'failed']);
    expect(r.host(1).error).toBe(`K3s agent not started: the server ${NAMES[0]} failed (k3s-install failed (exit 1): Download failed)`);
    for (const agent of [1, 2]) expect(r.steps(agent)).toEqual(['probe', 'nfs-common', 'daemon-json', 'k3s-install']);
    expect(r.steps(0)).toEqual(['probe', 'nfs-common', 'daemon-json', 'k3s-install']);
    expect(r.summary.kubeconfig).toBeUndefined();
    expect(r.summary.nodes).toBeUndefined();
  });

  test('a host that needs a sudo password, with none available, fails alone', async () => {
    const l = lab();
    l.hosts.host(ADDRESSES[2]).privilege = 'sudo-password';
    const r = await run(l, runBootstrap);
    expect(r.summary.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'failed']);
    expect(r.host(2).error).toMatch(/sudo needs a password/);
    expect(r.steps(2)).toEqual([]);
  });
});

describe('sudo with a password (in-memory operators)', () => {
  test('asked once for every host that needs it; a host that refuses it fails alone', async () => {
    const l = lab();
    for (const i of [1, 2]) Object.assign(l.hosts.host(ADDRESSES[i]), { privilege: 'sudo-password', sudoPassword: 'pw' });
    l.hosts.host(ADDRESSES[2]).sudoPassword = 'other';
    let asked = 0;
    const r = await run(l, runBootstrap, { sudoPassword: async () => ((asked += 1), 'pw') });
    expect(asked).toBe(1);
    expect(r.summary.hosts.map((h) => h.status)).toEqual(['ok', 'ok', 'failed']);
    expect(r.host(1).checks.find((c) => c.name === 'root')?.detail).toBe('sudo with password');
    expect(r.host(2).error).toBe(`root@${ADDRESSES[2]}:22: sudo refused the password (or the user may not use sudo); check it, or allow passwordless sudo for this user`);
    expect(r.steps(2)).toEqual([]);
  });
});

describe('managed NFS server (in-memory operators)', () => {
  const NFS = '10.0.0.20';
  const withNfs = (server: string): ClusterConfigInput => ({ ...CLUSTER, nfs: { server, path: '/var/nfs/general' }, nfsServer: { managed: true } });

  test('prepared alongside the nodes; its failure stops none of them', async () => {
    const l = lab();
    l.hosts.host(NFS).on(/nfs-kernel-server/, { code: 1, stderr: 'E: Unable to locate package nfs-kernel-server' });
    const r = await run(l, runBootstrap, {}, withNfs(NFS));
    expect(r.summary.hosts.map((h) => `${h.name} ${h.status}`)).toEqual([...NAMES.map((n) => `${n} ok`), 'nfs-server failed']);
    expect(r.summary.hosts[3].error).toBe('NFS server preparation failed (exit 1): E: Unable to locate package nfs-kernel-server');
    expect(r.summary.nodes).toEqual({ ready: NAMES, notReady: [] });
    // Sent once the nodes are planned, before any node's first change.
    const nfsAt = r.calls.findIndex((c) => c.host === `${NFS}:22` && c.kind === 'root');
    expect(nfsAt).toBeLessThan(r.calls.findIndex((c) => c.kind === 'root' && stepName(c.text) === 'nfs-common'));
  });

  test('on a node, it shares that node\'s operator; a dry run only shows it', async () => {
    const l = lab();
    const dry = await run(l, runBootstrap, { dryRun: true }, withNfs(ADDRESSES[0]));
    expect(dry.summary.hosts[3].plannedSteps?.map((s) => s.title)).toEqual([`export /var/nfs/general to ${ADDRESSES.join(', ')} (nfs-kernel-server)`]);
    expect(dry.steps(0)).toEqual(['probe']);
    l.hosts.host(ADDRESSES[0]).on(/nfs-kernel-server/, { stdout: 'changed: exported\n' });
    const r = await run(l, runBootstrap, {}, withNfs(ADDRESSES[0]));
    expect(r.summary.ok).toBe(true);
    expect(r.calls.filter((c) => c.kind === 'connect')).toHaveLength(3);
    expect(r.summary.hosts[3]).toMatchObject({ status: 'ok', warnings: [`shares the SSH connection of ${NAMES[0]}`], changed: ['exported it in /etc/exports and reloaded (exportfs -ra)'] });
  });
});

describe('reset orchestration (in-memory operators)', () => {
  test('reset undoes bootstrap; a second reset changes nothing; a dry run sends nothing', async () => {
    const l = lab();
    await run(l, runBootstrap);
    const dry = await run(l, runReset, { dryRun: true });
    expect(dry.calls.filter((c) => c.kind === 'root')).toEqual([]);
    expect(dry.host(0).plannedSteps?.map((s) => s.title)).toHaveLength(2);

    const r = await run(l, runReset);
    expect(r.summary.ok).toBe(true);
    for (const i of [0, 1, 2]) expect(r.steps(i)).toEqual(['uninstall', 'restore']);
    expect(r.host(0).changed).toEqual(['K3s uninstalled (k3s-uninstall.sh)', 'daemon.json restored from backup; Docker restarted']);
    expect(l.boards.every((b) => !b.k3s && b.dockerRuntime === 'runc')).toBe(true);
    expect(r.summary.kubeconfig).toMatchObject({ path: l.kubeconfig, changed: true });

    const again = await run(l, runReset);
    expect(again.summary.hosts.map((h) => h.changed)).toEqual([[], [], []]);
    expect(again.summary.kubeconfig?.changed).toBe(false);
    expect(again.log).toContain(`[${NAMES[1]}] nothing to reset`);
  });
});
