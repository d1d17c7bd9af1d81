/** The upgrade's pure decisions: refusals (one line, naming boards and versions) and the order. */
import { describeUpgradeOrder, planUpgrade, printable, type UpgradeBoard } from '../../bootstrap/plan/upgrade';
import { cordonScript, drainScript, nodePasswordSecret, nodePodsScript, removeNodeScript, uncordonScript } from '../../bootstrap/plan/node-ops';
import { judgeNodeIdentity } from '../../bootstrap/plan/replace-node';
import { parseNodeList, parsePodList } from '../../bootstrap/plan/verify';

const TARGET = 'v1.34.12+k3s1';
const OLD = 'v1.33.5+k3s1';

function board(name: string, role: 'server' | 'agent', installed: string | undefined = OLD, extra: Partial<UpgradeBoard> = {}): UpgradeBoard {
  return {
    name, role, installed, active: true,
    node: { ready: true, kubeletVersion: installed, unschedulable: false, cordonedByUpgrade: false },
    ...extra,
  };
}

const cluster = (versions: readonly (string | undefined)[]) => versions.map((v, i) => board(`jm-node-${i + 1}`, i === 0 ? 'server' : 'agent', v));

describe('planUpgrade', () => {
  test('server first, then the agents in order; boards on the target are skipped', () => {
    const verdict = planUpgrade(TARGET, cluster([OLD, TARGET, OLD, 'v1.34.1+k3s1']));
    expect(verdict).toEqual({
      kind: 'ok',
      steps: [
        { name: 'jm-node-1', role: 'server', from: OLD, action: 'upgrade', keepCordoned: false },
        { name: 'jm-node-2', role: 'agent', from: TARGET, action: 'skip', keepCordoned: false },
        { name: 'jm-node-3', role: 'agent', from: OLD, action: 'upgrade', keepCordoned: false },
        { name: 'jm-node-4', role: 'agent', from: 'v1.34.1+k3s1', action: 'upgrade', keepCordoned: false },
      ],
    });
  });

  test('a board whose binary is new but whose kubelet still reports the old version is upgraded (restarted)', () => {
    const b = board('jm-node-1', 'server', TARGET, { node: { ready: true, kubeletVersion: OLD, unschedulable: false, cordonedByUpgrade: false } });
    expect(planUpgrade(TARGET, [b])).toMatchObject({ kind: 'ok', steps: [{ action: 'upgrade' }] });
  });

  test('a downgrade is refused in one line naming the boards and versions', () => {
    const verdict = planUpgrade('v1.34.1+k3s1', cluster(['v1.34.12+k3s1', 'v1.34.1+k3s1', 'v1.34.12+k3s2']));
    expect(verdict.kind).toBe('refused');
    const reason = (verdict as { reason: string }).reason;
    expect(reason.split('\n')).toHaveLength(1);
    expect(reason).toBe('upgrade to v1.34.1+k3s1 refused, nothing was changed: K3s does not support downgrades (a rollback needs a datastore snapshot, '
      + 'docs.k3s.io/upgrades/roll-back): jm-node-1 runs v1.34.12+k3s1, jm-node-3 runs v1.34.12+k3s2, newer than k3s.version v1.34.1+k3s1; '
      + 'set k3s.version to the version the cluster runs, or newer');
  });

  test('a skipped minor version is refused, naming the boards and the release to go to first', () => {
    const verdict = planUpgrade(TARGET, cluster(['v1.32.3+k3s1', 'v1.33.1+k3s1', 'v1.32.3+k3s1']));
    expect(verdict).toEqual({
      kind: 'refused',
      reason: 'upgrade to v1.34.12+k3s1 refused, nothing was changed: v1.32 → v1.34 skips a minor version, which Kubernetes\' version skew policy does not support '
        + '(docs.k3s.io/upgrades/manual: one minor version at a time): jm-node-1 runs v1.32.3+k3s1, jm-node-3 runs v1.32.3+k3s1; set k3s.version to a v1.33 release first, upgrade, then go on',
    });
  });

  test('a downgrade and a skipped minor together: both named in the one line', () => {
    const verdict = planUpgrade('v1.34.1+k3s1', cluster(['v1.34.5+k3s1', 'v1.32.3+k3s1', 'v1.34.1+k3s1']));
    expect(verdict.kind).toBe('refused');
    const reason = (verdict as { reason: string }).reason;
    expect(reason.split('\n')).toHaveLength(1);
    expect(reason).toMatch(/^upgrade to v1\.34\.1\+k3s1 refused, nothing was changed: K3s does not support downgrades .*jm-node-1 runs v1\.34\.5\+k3s1, newer than k3s\.version v1\.34\.1\+k3s1; .*; v1\.32 → v1\.34 skips a minor version, .*jm-node-2 runs v1\.32\.3\+k3s1; set k3s\.version to a v1\.33 release first, upgrade, then go on$/);
  });

  test('release candidates order before their release: an rc board goes to the release, a newer rc refuses an older target', () => {
    // K3s tags candidates "v1.33.0-rc1+k3s1" and kubelets report them so (k3s --version, kubectl get nodes).
    expect(planUpgrade('v1.33.0+k3s1', cluster(['v1.33.0-rc2+k3s1', 'v1.32.9-rc1+k3s1']))).toMatchObject({ kind: 'ok', steps: [{ action: 'upgrade' }, { action: 'upgrade' }] });
    expect(planUpgrade('v1.33.1+k3s1', cluster(['v1.33.1-rc1+k3s2']))).toMatchObject({ kind: 'ok' });
    expect(planUpgrade('v1.33.0+k3s1', cluster(['v1.33.1-rc1+k3s1', 'v1.33.0+k3s1']))).toEqual({
      kind: 'refused',
      reason: 'upgrade to v1.33.0+k3s1 refused, nothing was changed: K3s does not support downgrades (a rollback needs a datastore snapshot, '
        + 'docs.k3s.io/upgrades/roll-back): jm-node-1 runs v1.33.1-rc1+k3s1, newer than k3s.version v1.33.0+k3s1; set k3s.version to the version the cluster runs, or newer',
    });
    expect(planUpgrade('v1.34.1+k3s1', cluster(['v1.32.9-rc1+k3s1']))).toMatchObject({ kind: 'refused', reason: expect.stringContaining('v1.32 → v1.34 skips a minor version') });
  });

  test.each([
    ['an unreachable board', [board('s', 'server'), board('a', 'agent', OLD, { problem: 'root@10.0.0.2:22: cannot connect (ECONNREFUSED)' })], 'a: root@10.0.0.2:22: cannot connect (ECONNREFUSED)'],
    ['a board without K3s', [board('s', 'server'), board('a', 'agent', OLD, { installed: undefined })], 'K3s is not installed on a: join it with `triton-jetson bootstrap` first'],
    ['a NotReady board', [board('s', 'server'), board('a', 'agent', OLD, { node: { ready: false, kubeletVersion: OLD, unschedulable: false, cordonedByUpgrade: false } })], 'a is NotReady'],
    ['a stopped service', [board('s', 'server'), board('a', 'agent', OLD, { active: false })], "a's K3s service is not running"],
    ['a board the API does not list', [board('s', 'server'), board('a', 'agent', OLD, { node: undefined })], 'a is not a node of the cluster'],
    ['an unrecognised version (control characters printed safely)', [board('s', 'server', 'v1.x\u001b[31m')], 's reports an unrecognised K3s version "v1.x [31m"'],
  ])('%s refuses the whole upgrade', (_what, boards, fragment) => {
    const verdict = planUpgrade(TARGET, boards);
    expect(verdict.kind).toBe('refused');
    expect((verdict as { reason: string }).reason).toContain(fragment);
    expect((verdict as { reason: string }).reason).toMatch(/^upgrade to v1\.34\.12\+k3s1 refused, nothing was changed: /);
  });

  test('an API that does not answer refuses it', () => {
    expect(planUpgrade(TARGET, cluster([OLD]), 'The connection to the server 127.0.0.1:6443 was refused')).toMatchObject({
      kind: 'refused', reason: expect.stringContaining('the API on jm-node-1 did not answer (The connection to the server 127.0.0.1:6443 was refused)'),
    });
  });

  test('a node cordoned by someone else stays cordoned; one left cordoned by an earlier upgrade is uncordoned', () => {
    const mine = board('a', 'agent', OLD, { node: { ready: true, kubeletVersion: OLD, unschedulable: true, cordonedByUpgrade: true } });
    const theirs = board('b', 'agent', OLD, { node: { ready: true, kubeletVersion: OLD, unschedulable: true, cordonedByUpgrade: false } });
    const verdict = planUpgrade(TARGET, [board('s', 'server'), mine, theirs]);
    expect(verdict.kind === 'ok' && verdict.steps.map((s) => s.keepCordoned)).toEqual([false, false, true]);
  });

  test('a board on the target that an earlier run left cordoned is only uncordoned', () => {
    const left = board('a', 'agent', TARGET, { node: { ready: true, kubeletVersion: TARGET, unschedulable: true, cordonedByUpgrade: true } });
    const verdict = planUpgrade(TARGET, [board('s', 'server', TARGET), left]);
    expect(verdict.kind === 'ok' && verdict.steps.map((s) => s.action)).toEqual(['skip', 'finish']);
    if (verdict.kind !== 'ok') throw new Error('refused');
    expect(describeUpgradeOrder(verdict.steps, TARGET, { maxUnavailable: 1, drainTimeoutSeconds: 300 })[2]).toBe(`  1. a (agent) already runs ${TARGET}, left cordoned by an earlier run: uncordon`);
  });

  test('describeUpgradeOrder numbers the boards to upgrade', () => {
    const verdict = planUpgrade(TARGET, cluster([OLD, TARGET, OLD]));
    if (verdict.kind !== 'ok') throw new Error('refused');
    expect(describeUpgradeOrder(verdict.steps, TARGET, { maxUnavailable: 2, drainTimeoutSeconds: 300 })).toEqual([
      'order: the server first, then the agents, at most 2 at a time; 2 of 3 board(s) to upgrade to v1.34.12+k3s1',
      `  1. jm-node-1 (server) ${OLD} → ${TARGET}: cordon, install, wait Ready on ${TARGET}, uncordon, wait for its Triton pod`,
      `  -  jm-node-2 (agent) already runs ${TARGET}: skipped`,
      `  2. jm-node-3 (agent) ${OLD} → ${TARGET}: cordon, drain (--ignore-daemonsets --delete-emptydir-data, 300s at most), install, wait Ready on ${TARGET}, uncordon, wait for its Triton pod`,
    ]);
  });

  test('printable bounds and cleans values from boards', () => {
    expect(printable('a\nb\u0007c\u001b[2J')).toBe('a b c [2J');
    expect(printable('x'.repeat(200))).toHaveLength(80);
  });
});

describe('server-side scripts', () => {
  test('kubectl calls through k3s, every value one word', () => {
    expect(cordonScript('jm-node-2')).toBe("set -eu\n/usr/local/bin/k3s kubectl cordon jm-node-2\n/usr/local/bin/k3s kubectl annotate node jm-node-2 --overwrite triton-jetson.dev/cordoned-by=upgrade");
    expect(uncordonScript('jm-node-2')).toBe('set -eu\n/usr/local/bin/k3s kubectl uncordon jm-node-2\n/usr/local/bin/k3s kubectl annotate node jm-node-2 triton-jetson.dev/cordoned-by-');
    expect(drainScript('jm-node-2', 300)).toBe('/usr/local/bin/k3s kubectl drain jm-node-2 --ignore-daemonsets --delete-emptydir-data --timeout=300s');
    expect(nodePodsScript('inference', 'triton', 'jm-node-2')).toBe('/usr/local/bin/k3s kubectl get pods -n inference -l app=triton --field-selector spec.nodeName=jm-node-2 -o json');
    expect(nodePasswordSecret('Jm-Node-2')).toBe('jm-node-2.node-password.k3s');
    expect(removeNodeScript('jm-node-2')).toBe([
      'set -eu',
      '/usr/local/bin/k3s kubectl delete node jm-node-2 --ignore-not-found',
      '/usr/local/bin/k3s kubectl delete secret -n kube-system jm-node-2.node-password.k3s --ignore-not-found',
    ].join('\n'));
  });
});

describe('kubectl JSON from the server is checked, not trusted', () => {
  test.each([
    ['null', 'null'], ['a number', '42'], ['items not a list', '{"items":{"a":1}}'], ['items of the wrong shape', '{"items":[1,"x",null,{"metadata":"x","status":[]}]}'],
  ])('nodes: %s', (_what, json) => {
    let nodes: ReturnType<typeof parseNodeList> = [];
    try {
      nodes = parseNodeList(json);
    } catch (err) {
      expect((err as Error).message).toMatch(/^"k3s kubectl get nodes -o json" printed no list of items$/);
      return;
    }
    for (const n of nodes) expect(n).toEqual({ name: '', ready: false, labels: {}, kubeletVersion: undefined, unschedulable: false, annotations: {} });
  });

  test('pods: Ready condition, node, and non-string fields dropped', () => {
    const json = JSON.stringify({ items: [
      { metadata: { name: 'triton-a' }, spec: { nodeName: 'jm-node-2' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      { metadata: { name: 7 }, spec: { nodeName: ['x'] }, status: { conditions: 'Ready' } },
    ] });
    expect(parsePodList(json)).toEqual([{ name: 'triton-a', node: 'jm-node-2', ready: true }, { name: '', node: '', ready: false }]);
    expect(() => parsePodList('No resources found')).toThrow(/printed no JSON/);
  });
});

describe('judgeNodeIdentity (a re-flashed board)', () => {
  const id = { boardHasPassword: false, boardAgentActive: false, serverHasNode: true, serverHasSecret: true };
  test.each([
    ['a new name', { ...id, serverHasNode: false, serverHasSecret: false }, 'keep'],
    ['a re-flashed board the server still knows', id, 'stale'],
    ['a re-flashed board whose node object is gone but whose secret stays', { ...id, serverHasNode: false }, 'stale'],
    ['the same board, running', { ...id, boardHasPassword: true, boardAgentActive: true }, 'keep'],
    ['a board with a password whose agent is down', { ...id, boardHasPassword: true }, 'unsure'],
  ] as const)('%s: %s', (_what, facts, kind) => {
    expect(judgeNodeIdentity('jm-node-3', 'jm-node-1', facts).kind).toBe(kind);
  });

  test('the stale verdict names the records and K3s\' refusal', () => {
    expect(judgeNodeIdentity('jm-node-3', 'jm-node-1', id).note).toBe('jm-node-3 was re-flashed (no node password on the board) but jm-node-1 still holds its old registration '
      + '(node/jm-node-3 and secret kube-system/jm-node-3.node-password.k3s), so K3s would refuse it ("Node password rejected")');
  });
});
