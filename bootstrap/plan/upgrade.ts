/**
 * The rolling K3s upgrade, decided from what the preflight learnt of every board (pure):
 * whether it may start at all, and in which order the boards go.
 *
 * - Order: "When upgrading, upgrade server nodes first one at a time, then any agent nodes"
 *   (docs.k3s.io/upgrades/manual).
 * - No skipped minor version: "the Kubernetes version skew policy applies. Ensure that your
 *   plan does not skip intermediate minor versions when upgrading" (same page); the policy
 *   (kubernetes.io/releases/version-skew-policy) also says a kubelet must never be newer than
 *   kube-apiserver, hence the server first.
 * - No downgrade: K3s' own upgrade image refuses them (k3s-io/k3s#7537); going back needs a
 *   datastore snapshot taken on the older version (docs.k3s.io/upgrades/roll-back).
 *
 * Nothing is touched unless every board is reachable, runs K3s and is Ready: a refusal names
 * every board in the way, on one line.
 */
import { printable as printableText } from '../../lib/terminal-text';
import { k3sVersionKey } from './preflight';

/** One board, as the preflight saw it. */
export interface UpgradeBoard {
  readonly name: string;
  readonly role: 'server' | 'agent';
  /** Why the board could not be checked (unreachable, probe or preflight failed). */
  readonly problem?: string;
  /** `k3s --version` on the board; undefined when K3s is not installed. */
  readonly installed?: string;
  /** The board's K3s service (k3s or k3s-agent) is active. */
  readonly active: boolean;
  /** The node as the API reports it; undefined when the API does not list it. */
  readonly node?: UpgradeNode;
}

export interface UpgradeNode {
  readonly ready: boolean;
  readonly kubeletVersion?: string;
  /** Cordoned now. */
  readonly unschedulable: boolean;
  /** Cordoned by an earlier `upgrade` run that stopped (the annotation is ours). */
  readonly cordonedByUpgrade: boolean;
}

export interface UpgradeStep {
  readonly name: string;
  readonly role: 'server' | 'agent';
  /** Version before the run. */
  readonly from: string;
  /** `finish`: already on the target but left cordoned by an earlier run that stopped: only uncordon. */
  readonly action: 'upgrade' | 'skip' | 'finish';
  /** Cordoned by someone else before the run: cordon/drain as usual, but left cordoned afterwards. */
  readonly keepCordoned: boolean;
}

export type UpgradeVerdict =
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'ok'; readonly steps: readonly UpgradeStep[] };

/** A value from a board, safe to print on one line (no control characters), at most 80 characters. */
export function printable(value: string): string {
  return printableText(value, 80);
}

const minorOf = (key: readonly number[]) => `v${key[0]}.${key[1]}`;

/**
 * `target` is k3s.version; `apiProblem` is set when the server's API did not answer the
 * node list. Boards come server first.
 */
export function planUpgrade(target: string, boards: readonly UpgradeBoard[], apiProblem?: string): UpgradeVerdict {
  const refuse = (reasons: readonly string[]): UpgradeVerdict => ({
    kind: 'refused',
    reason: `upgrade to ${target} refused, nothing was changed: ${reasons.join('; ')}`,
  });
  const want = k3sVersionKey(target);
  if (!want) return refuse([`k3s.version ${printable(target)} is not a K3s release such as v1.34.1+k3s1`]);

  const problems = boards.filter((b) => b.problem).map((b) => `${b.name}: ${b.problem}`);
  if (problems.length > 0) return refuse(problems);
  if (apiProblem) return refuse([`the API on ${boards[0]?.name ?? 'the server'} did not answer (${printable(apiProblem)}); check \`systemctl status k3s\` there`]);

  const notInstalled = boards.filter((b) => b.installed === undefined).map((b) => b.name);
  const unrecognised = boards.filter((b) => b.installed !== undefined && !k3sVersionKey(b.installed));
  const reasons: string[] = [];
  if (notInstalled.length > 0) reasons.push(`K3s is not installed on ${notInstalled.join(', ')}: join it with \`triton-jetson bootstrap\` first`);
  for (const b of unrecognised) reasons.push(`${b.name} reports an unrecognised K3s version "${printable(b.installed!)}"`);
  if (reasons.length > 0) return refuse(reasons);

  const versioned = boards.map((b) => ({ board: b, key: k3sVersionKey(b.installed!)! }));
  // Both problems in the one line: fixing one should not reveal the other on the next try.
  const versionProblems: string[] = [];
  const newer = versioned.filter((v) => compareKeys(v.key, want) > 0);
  if (newer.length > 0) {
    versionProblems.push(`K3s does not support downgrades (a rollback needs a datastore snapshot, docs.k3s.io/upgrades/roll-back): ${
      newer.map((v) => `${v.board.name} runs ${v.board.installed}`).join(', ')}, newer than k3s.version ${target}; set k3s.version to the version the cluster runs, or newer`);
  }
  const skipping = versioned.filter((v) => compareKeys(v.key, want) <= 0 && (v.key[0] !== want[0] || want[1] - v.key[1] > 1));
  if (skipping.length > 0) {
    const from = [...new Set(skipping.map((v) => minorOf(v.key)))].join('/');
    const next = `v${want[0]}.${Math.min(...skipping.map((v) => v.key[1])) + 1}`;
    versionProblems.push(`${from} → ${minorOf(want)} skips a minor version, which Kubernetes' version skew policy does not support (docs.k3s.io/upgrades/manual: one minor version at a time): ${
      skipping.map((v) => `${v.board.name} runs ${v.board.installed}`).join(', ')}; set k3s.version to a ${next} release first, upgrade, then go on`);
  }
  if (versionProblems.length > 0) return refuse(versionProblems);

  const unhealthy = boards.map((b) => {
    if (!b.node) return `${b.name} is not a node of the cluster (the API does not list it)`;
    if (!b.active) return `${b.name}'s K3s service is not running`;
    if (!b.node.ready) return `${b.name} is NotReady`;
    return undefined;
  }).filter((r): r is string => r !== undefined);
  if (unhealthy.length > 0) {
    return refuse([...unhealthy, 'an upgrade starts from a healthy cluster: fix or remove those boards first (docs/operations.md, "A board never comes back")']);
  }

  return {
    kind: 'ok',
    steps: boards.map((b) => {
      const onTarget = b.installed === target && b.node!.kubeletVersion === target && b.active && b.node!.ready;
      return {
        name: b.name,
        role: b.role,
        from: b.installed!,
        action: !onTarget ? 'upgrade' : b.node!.cordonedByUpgrade ? 'finish' : 'skip',
        keepCordoned: b.node!.unschedulable && !b.node!.cordonedByUpgrade,
      };
    }),
  };
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  }
  return 0;
}

/** One line per board for a dry run or a log: what happens to it, in order. */
export function describeUpgradeOrder(steps: readonly UpgradeStep[], target: string, options: { maxUnavailable: number; drainTimeoutSeconds: number }): string[] {
  const upgrading = steps.filter((s) => s.action !== 'skip');
  const lines = [`order: the server first, then the agents, at most ${options.maxUnavailable} at a time; ${upgrading.length} of ${steps.length} board(s) to upgrade to ${target}`];
  let position = 0;
  for (const step of steps) {
    if (step.action === 'skip') {
      lines.push(`  -  ${step.name} (${step.role}) already runs ${target}: skipped`);
      continue;
    }
    position += 1;
    if (step.action === 'finish') {
      lines.push(`  ${position}. ${step.name} (${step.role}) already runs ${target}, left cordoned by an earlier run: uncordon`);
      continue;
    }
    const drain = step.role === 'agent' ? `, drain (--ignore-daemonsets --delete-emptydir-data, ${options.drainTimeoutSeconds}s at most)` : '';
    const after = step.keepCordoned ? 'left cordoned (it was before)' : 'uncordon';
    lines.push(`  ${position}. ${step.name} (${step.role}) ${step.from} → ${target}: cordon${drain}, install, wait Ready on ${target}, ${after}, wait for its Triton pod`);
  }
  return lines;
}
