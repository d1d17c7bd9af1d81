/**
 * `upgrade`: K3s to `k3s.version`, one board at a time (the order is the body of runUpgrade).
 *
 * 1. connect and probe every board (read-only), and list the nodes through the server's API;
 * 2. plan/upgrade.ts decides: refused (one line, nothing touched) or the order;
 * 3. dry run: print the order and the scripts, stop;
 * 4. the server (cordon, install, wait until it and the API are back and Ready on the target,
 *    uncordon, its Triton pod), then the agents, at most --max-unavailable at a time
 *    (upgrade-board.ts); the first failure stops the run, boards not yet reached are left
 *    alone, and the summary says where each board stands. A rerun skips boards on the target.
 */
import { profileModeOf } from '../plan/board-profile';
import { planHostWork } from '../plan/host-plan';
import { GET_NODES_SCRIPT, type InstallSource } from '../plan/k3s-install';
import { PROBE_SCRIPT, evaluatePreflight, parseProbe } from '../plan/preflight';
import { UPGRADE_CORDON_ANNOTATION, UPGRADE_CORDON_VALUE } from '../plan/node-ops';
import { describeUpgradeOrder, planUpgrade, printable, type UpgradeBoard, type UpgradeStep } from '../plan/upgrade';
import { parseNodeList, type NodeStatus } from '../plan/verify';
import { Fleet, type HostState } from './fleet';
import { readToken } from './local-files';
import { installSource, type RunOptions, type RunSummary, type UpgradeReport } from './options';
import { forEachLimited } from '../../lib/parallel';
import { HostError } from './transport';
import { recoverServerToken, tokenFilePath } from './token';
import { plannedUpgradeSteps, upgradeBoard, type UpgradeContext } from './upgrade-board';

export interface UpgradeOptions extends RunOptions {
  /** Agents upgraded (cordoned) at once. @default 1 */
  readonly maxUnavailable?: number;
  /** How long `kubectl drain` may take per agent. @default 300 */
  readonly drainTimeoutSeconds?: number;
  /** How long a board's Triton pod may take to be Ready again. @default 600 (the DaemonSet's startup probe allows 10 minutes) */
  readonly tritonTimeoutSeconds?: number;
}

export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 300;
export const DEFAULT_TRITON_TIMEOUT_SECONDS = 600;

export async function runUpgrade(options: UpgradeOptions): Promise<RunSummary> {
  const started = Date.now();
  const fleet = new Fleet(options);
  const dryRun = options.dryRun ?? false;
  const target = options.config.k3s.version;
  const maxUnavailable = options.maxUnavailable ?? 1;
  const report: UpgradeReport = {
    target, maxUnavailable,
    boards: fleet.hosts.map((h) => ({ name: h.target.name, role: h.target.role, result: 'not reached' })),
  };
  const summary: RunSummary = { command: 'upgrade', dryRun, ok: false, hosts: fleet.hosts.map((h) => h.summary), upgrade: report, durationMs: 0 };
  // Read before connecting: a broken air-gap folder or token file stops the run early.
  const source = installSource(options.config, options.configPath, fleet.home);
  const tokenFile = tokenFilePath(fleet);
  const localToken = readToken(tokenFile);
  try {
    await fleet.connect();
    await fleet.eachLive((state) => probe(fleet, state));
    const listed = await listNodes(fleet);
    const boards = fleet.hosts.map((h) => upgradeBoardOf(h, listed.nodes));
    boards.forEach((b, i) => Object.assign(report.boards[i], { from: b.installed ? printable(b.installed) : undefined }));
    const verdict = planUpgrade(target, boards, listed.problem);
    if (verdict.kind === 'refused') return refuse(fleet, summary, verdict.reason);
    const token = localToken ?? await recoverServerToken(fleet, fleet.server);
    if (token === undefined) return refuse(fleet, summary, `upgrade to ${target} refused, nothing was changed: no token file ${tokenFile} and the server's token could not be read; restore the token file (docs/bootstrap.md, "Security notes")`);
    fleet.secrets.push(token);
    const planned = planBoards(fleet, verdict.steps, token, source);
    if (typeof planned === 'string') return refuse(fleet, summary, planned);

    const context: UpgradeContext = {
      fleet, target, dryRun, token,
      server: fleet.server,
      drainTimeoutSeconds: options.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS,
      readyTimeoutSeconds: options.readyTimeoutSeconds ?? options.config.k3s.readyTimeoutSeconds,
      tritonTimeoutSeconds: options.tritonTimeoutSeconds ?? DEFAULT_TRITON_TIMEOUT_SECONDS,
      pollIntervalMs: options.pollIntervalMs ?? 2000,
      triton: { namespace: options.config.namespace ?? 'default', app: options.config.triton?.name ?? 'triton' },
    };
    for (const line of describeUpgradeOrder(verdict.steps, target, { maxUnavailable, drainTimeoutSeconds: context.drainTimeoutSeconds })) fleet.say('upgrade', line);
    const byName = new Map(fleet.hosts.map((h, i) => [h.target.name, { state: h, board: report.boards[i] }]));
    for (const step of verdict.steps) {
      const { state, board } = byName.get(step.name)!;
      if (step.action === 'skip') {
        board.result = dryRun ? 'will skip' : 'already on target';
        board.now = target;
        state.summary.unchanged.push(`K3s ${target} already runs here: skipped`);
      } else if (dryRun) {
        board.result = 'will upgrade';
        state.summary.plannedSteps = plannedUpgradeSteps(context, step, planned.get(step.name));
      }
    }
    if (dryRun) {
      summary.ok = true;
      return summary;
    }

    const queue = verdict.steps.filter((s) => s.action !== 'skip');
    const total = queue.length;
    let position = 0;
    let stopped = false;
    const runOne = async (step: UpgradeStep): Promise<void> => {
      if (stopped) return;
      position += 1;
      const { state, board } = byName.get(step.name)!;
      try {
        await upgradeBoard(context, state, step, planned.get(step.name), `${position}/${total}`);
        board.result = 'upgraded';
        board.now = target;
      } catch (err) {
        board.result = 'failed';
        fleet.fail(state, err);
        if (!stopped) report.failed = { board: step.name, reason: state.summary.error ?? String(err) };
        stopped = true;
      }
    };
    const [serverStep] = queue.filter((s) => s.role === 'server');
    if (serverStep) await runOne(serverStep);
    await forEachLimited(queue.filter((s) => s.role === 'agent'), maxUnavailable, runOne);
    if (report.failed) await recordVersions(fleet, report, target);
    fleet.say('upgrade', report.failed
      ? `stopped: ${report.failed.board} failed; boards not reached were left alone; rerun \`triton-jetson upgrade\` to continue (boards on ${target} are skipped)`
      : `done: every board runs ${target}`);
    summary.ok = report.failed === undefined;
    return summary;
  } finally {
    await fleet.close();
    summary.durationMs = Date.now() - started;
  }
}

function refuse(fleet: Fleet, summary: RunSummary, reason: string): RunSummary {
  const report = summary.upgrade!;
  report.refused = reason;
  for (const board of report.boards) board.result = 'refused';
  fleet.say('upgrade', reason);
  return summary;
}

/** The read-only probe and the preflight verdict (its own version check aside: planUpgrade words those). */
async function probe(fleet: Fleet, state: HostState): Promise<void> {
  const { config } = fleet.options;
  state.facts = parseProbe(await fleet.root(state, PROBE_SCRIPT, 'preflight probe'));
  const verdict = evaluatePreflight(state.facts, {
    runtime: config.k3s.runtime, installNfsCommon: config.hostPrep.installNfsCommon, k3sVersion: config.k3s.version,
    profileMode: profileModeOf(config), declaredProfile: state.target.config.profile, declaredMemory: state.target.config.memory, nodeName: state.target.name,
  });
  state.summary.checks = verdict.checks;
  const failed = verdict.checks.filter((c) => c.status === 'fail' && c.name !== 'k3s-version');
  if (failed.length > 0) throw new HostError('step', failed.map((c) => c.detail).join('; '));
  state.verdict = verdict;
  const version = state.facts.k3sVersion ? printable(state.facts.k3sVersion) : 'no K3s';
  fleet.say(state.target.name, `preflight: ${version}, ${state.facts.k3sServerActive || state.facts.k3sAgentActive ? 'running' : 'not running'}`);
}

/** The nodes as the server's API lists them (read-only), or why it could not. */
async function listNodes(fleet: Fleet): Promise<{ nodes: NodeStatus[]; problem?: string }> {
  const server = fleet.server;
  if (server.summary.status !== 'ok' || !server.operator) return { nodes: [] };
  const result = await server.operator.runAsRoot(GET_NODES_SCRIPT);
  if (result.code !== 0) return { nodes: [], problem: fleet.redact(result.stderr.trim().split('\n').pop() ?? `exit ${result.code}`) };
  try {
    return { nodes: parseNodeList(result.stdout) };
  } catch (err) {
    return { nodes: [], problem: (err as Error).message };
  }
}

function upgradeBoardOf(state: HostState, nodes: readonly NodeStatus[]): UpgradeBoard {
  const facts = state.facts;
  const node = nodes.find((n) => n.name === state.target.name);
  return {
    name: state.target.name,
    role: state.target.role,
    problem: state.summary.status === 'ok' ? undefined : state.summary.error ?? 'failed',
    installed: facts?.k3sVersion,
    active: state.target.role === 'server' ? facts?.k3sServerActive === true : facts?.k3sAgentActive === true,
    node: node && {
      ready: node.ready,
      kubeletVersion: node.kubeletVersion,
      unschedulable: node.unschedulable,
      cordonedByUpgrade: node.annotations[UPGRADE_CORDON_ANNOTATION] === UPGRADE_CORDON_VALUE,
    },
  };
}

/** Each board to upgrade gets its install plan (bootstrap's, at the new version); a board that cannot be planned refuses the run. */
function planBoards(fleet: Fleet, steps: readonly UpgradeStep[], token: string, source: InstallSource): Map<string, NonNullable<HostState['work']>> | string {
  const planned = new Map<string, NonNullable<HostState['work']>>();
  const problems: string[] = [];
  for (const step of steps.filter((s) => s.action === 'upgrade')) {
    const state = fleet.hosts.find((h) => h.target.name === step.name)!;
    const work = planHostWork({
      target: state.target, facts: state.facts!, preflight: state.verdict!, inventory: fleet.options.config,
      token, serverAddress: fleet.server.target.ssh.host, source,
    });
    if (work.error) {
      problems.push(`${step.name}: ${work.error}`);
      continue;
    }
    const pending = work.steps.filter((s) => s.phase === 'prepare').map((s) => s.change);
    if (pending.length > 0) state.summary.warnings.push(`not applied by upgrade (run \`triton-jetson bootstrap\`): ${pending.join('; ')}`);
    planned.set(step.name, work);
  }
  if (problems.length > 0) return `upgrade to ${fleet.options.config.k3s.version} refused, nothing was changed: ${problems.join('; ')}`;
  return planned;
}

/** After a failure: which version each node reports now (read-only, best effort). */
async function recordVersions(fleet: Fleet, report: UpgradeReport, target: string): Promise<void> {
  const { nodes } = await listNodes(fleet).catch(() => ({ nodes: [] as NodeStatus[] }));
  for (const board of report.boards) {
    const node = nodes.find((n) => n.name === board.name);
    if (node?.kubeletVersion) board.now = printable(node.kubeletVersion);
    else if (board.result === 'not reached') board.now = board.from;
  }
  const on = (version: string | undefined) => report.boards.filter((b) => b.now === version).map((b) => b.name);
  const versions = [...new Set(report.boards.map((b) => b.now))];
  fleet.say('upgrade', `versions now: ${versions.map((v) => `${v ?? 'unknown'}: ${on(v).join(', ')}`).join('; ')}${versions.includes(target) ? '' : ` (none on ${target})`}`);
}
