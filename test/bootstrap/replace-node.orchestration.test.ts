/**
 * `bootstrap --node NAME [--replace]` on in-memory operators: a re-flashed board whose old
 * registration the server still holds is refused by K3s ("Node password rejected"); bootstrap
 * says how to fix it; the fix removes the stale node and secret only with --replace or a yes,
 * touches only the server and that board, and leaves the server's own settings alone.
 */
import { join } from 'node:path';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import type { RunOptions } from '../../bootstrap/executor/options';
import { JETPACK_DAEMON_JSON } from '../../bootstrap/plan/fresh-board';
import { PROBE_SCRIPT } from '../../bootstrap/plan/preflight';
import { scratchDirs } from '../support/scratch';
import { clusterOps } from './memory-cluster-ops';
import { MemoryHosts, jetsonBoard, type Cluster } from './memory-operator';

const scratch = scratchDirs();
const NAMES = ['nano-0', 'nano-1', 'nano-2'];
const ADDRESSES = ['10.0.2.10', '10.0.2.11', '10.0.2.12'];
const SECRET = 'secret kube-system/nano-2.node-password.k3s';

function description(extraServerArgs: string[] = []): ClusterConfigInput {
  return {
    nodes: { server: { name: NAMES[0], address: ADDRESSES[0] }, agents: NAMES.slice(1).map((name, i) => ({ name, address: ADDRESSES[i + 1] })) },
    ssh: { user: 'root' },
    k3s: { serverArgs: extraServerArgs },
  };
}

async function lab() {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  const boards = NAMES.map((name, i) => jetsonBoard(hosts.host(ADDRESSES[i]), name, cluster));
  const { records } = clusterOps(new Map(NAMES.map((name, i) => [name, hosts.host(ADDRESSES[i])])), cluster);
  const dir = scratch('replace-node-');
  const run = async (options: Partial<RunOptions> = {}, cluster = description()) => {
    const log: string[] = [];
    const first = hosts.calls.length;
    const summary = await runBootstrap({
      config: parseClusterConfig(cluster), configPath: join(dir, 'cluster.yaml'), homeDir: dir, env: {},
      kubeconfigPath: join(dir, 'kube', 'config'), operators: hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
      log: (host, message) => log.push(`[${host}] ${message}`), ...options,
    });
    const calls = hosts.calls.slice(first);
    return { summary, log, calls, host: (name: string) => summary.hosts.find((h) => h.name === name)! };
  };
  expect((await run()).summary.ok).toBe(true);
  /** nano-2 is flashed again: a fresh board; the server still holds its registration (the secret). */
  const reflash = () => {
    Object.assign(boards[2], { nfsCommon: false, daemonJson: JETPACK_DAEMON_JSON, daemonJsonBackup: undefined, dockerRuntime: 'runc', k3s: undefined, labels: {} });
    records.get('nano-2')!.boardPassword = false;
  };
  return { hosts, boards, records, run, reflash };
}

describe('re-adding a re-flashed board (in-memory operators)', () => {
  test('plain bootstrap fails the board with K3s\' refusal and names the fix', async () => {
    const l = await lab();
    l.reflash();
    const r = await l.run();
    expect(r.summary.ok).toBe(false);
    // The agent's start does not block (K3s' unit never times out its start): the node never
    // turns Ready, and the Ready wait's failure gets K3s' reason and the fix.
    expect(r.host('nano-2').error).toBe('node nano-2 not Ready within 1s; on the node: journalctl -u k3s-agent; '
      + 'K3s refused the node password ("Node password rejected"): nano-0 still holds the registration of the board that had this name before (re-flashed?): '
      + 'run `triton-jetson bootstrap --node nano-2 --replace` to remove node/nano-2 and secret kube-system/nano-2.node-password.k3s');
    expect(r.host('nano-1').error).toBeUndefined();
  });

  test('--node without --replace and without a terminal refuses in one line and removes nothing', async () => {
    const l = await lab();
    l.reflash();
    const r = await l.run({ nodes: ['nano-2'] });
    expect(r.summary.ok).toBe(false);
    expect(r.host('nano-2').error).toBe(`nano-2 was re-flashed (no node password on the board) but nano-0 still holds its old registration (${SECRET}), `
      + 'so K3s would refuse it ("Node password rejected"); rerun with --node nano-2 --replace to remove that node object and its password secret (nothing else), or answer yes on a terminal');
    expect(l.records.get('nano-2')!.secret).toBe(true);
    expect(r.summary.hosts.map((h) => h.name)).toEqual(['nano-0', 'nano-2']);
    expect(r.calls.some((c) => c.host.startsWith(ADDRESSES[1]))).toBe(false);
    expect(r.calls.filter((c) => c.kind === 'root' && / kubectl delete /.test(c.text))).toEqual([]);
  });

  test('the prompt: no keeps the registration, yes removes it and the board joins', async () => {
    const l = await lab();
    l.reflash();
    const questions: string[] = [];
    const no = await l.run({ nodes: ['nano-2'], confirm: async (q) => (questions.push(q), false) });
    expect(no.host('nano-2').status).toBe('failed');
    expect(questions).toEqual([`nano-2 was re-flashed (no node password on the board) but nano-0 still holds its old registration (${SECRET}), `
      + 'so K3s would refuse it ("Node password rejected"). Remove node/nano-2 and secret kube-system/nano-2.node-password.k3s on nano-0 so the board can join?']);
    const yes = await l.run({ nodes: ['nano-2'], confirm: async () => true });
    expect(yes.summary.ok).toBe(true);
    expect(yes.host('nano-2').changed[0]).toBe('removed the stale registration of nano-2 (node/nano-2 and secret kube-system/nano-2.node-password.k3s on nano-0); the board joins anew');
    expect(l.boards[2].k3s?.active).toBe(true);
  });

  test('--replace removes the stale registration first, joins the board, and leaves the server\'s own changes for a full bootstrap', async () => {
    const l = await lab();
    l.reflash();
    const r = await l.run({ nodes: ['nano-2'], replaceNodes: true }, description(['--kubelet-arg=max-pods=60']));
    expect(r.summary.ok).toBe(true);
    const server = r.calls.filter((c) => c.host.startsWith(ADDRESSES[0]) && c.kind === 'root').map((c) => c.text);
    expect(server.filter((s) => / kubectl delete /.test(s))).toHaveLength(1);
    expect(server.some((s) => s.includes('triton-jetson.fingerprint <<'))).toBe(false);
    expect(r.host('nano-0').warnings).toEqual([expect.stringMatching(/^not applied with --node \(run `triton-jetson bootstrap` without --node\): K3s v1\.34\.12\+k3s1 → v1\.34\.12\+k3s1 \(server, settings updated\)$/)]);
    const deleteAt = r.calls.findIndex((c) => / kubectl delete /.test(c.text));
    const installAt = r.calls.findIndex((c) => c.host.startsWith(ADDRESSES[2]) && c.text.includes('triton-jetson.fingerprint <<'));
    expect(deleteAt).toBeGreaterThan(-1);
    expect(installAt).toBeGreaterThan(deleteAt);
    expect(r.summary.nodes).toEqual({ ready: ['nano-0', 'nano-2'], notReady: [] });
    // A second run finds the board registered and Ready: nothing to remove.
    const again = await l.run({ nodes: ['nano-2'], replaceNodes: true });
    expect(again.calls.filter((c) => / kubectl delete /.test(c.text))).toEqual([]);
    expect(again.host('nano-2').unchanged).toContain('nano-2 is the board registered on nano-0 (its node password is in place, k3s-agent runs)');
  });

  test('a dry run with --replace says what it would remove and removes nothing', async () => {
    const l = await lab();
    l.reflash();
    const r = await l.run({ nodes: ['nano-2'], replaceNodes: true, dryRun: true });
    expect(r.host('nano-2').warnings).toContain(`would remove node/nano-2 and ${SECRET} on nano-0 (--replace): nano-2 was re-flashed (no node password on the board) `
      + `but nano-0 still holds its old registration (${SECRET}), so K3s would refuse it ("Node password rejected")`);
    expect(l.records.get('nano-2')!.secret).toBe(true);
    expect(r.calls.filter((c) => c.kind === 'root' && c.text !== PROBE_SCRIPT && !/password=|node=|get nodes/.test(c.text))).toEqual([]);
  });

  test.each([
    [['nano-9'], '--node "nano-9": no such node in nodes.agents of the cluster description (agents: nano-1, nano-2)'],
    [['nano-0'], '--node nano-0 is the server: a re-flashed server starts a new cluster (its datastore is gone); see docs/operations.md, "A board never comes back"'],
  ])('--node %j is refused before connecting', async (nodes, message) => {
    const l = await lab();
    const before = l.hosts.calls.length;
    await expect(l.run({ nodes })).rejects.toThrow(message);
    expect(l.hosts.calls.length).toBe(before);
  });
});
