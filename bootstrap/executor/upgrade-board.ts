/**
 * One board of a rolling upgrade: cordon (and drain an agent) through the server's API,
 * install the target version with bootstrap's install script (online or air gap), restart,
 * wait until the node is Ready on the target, uncordon, and wait for the node's Triton pod
 * when one was Ready before. Every failure throws a HostError saying where the board was left.
 */
import { k3sInstallStep, type HostWork, type RootStep } from '../plan/host-plan';
import { GET_NODES_SCRIPT, START_AGENT_SCRIPT } from '../plan/k3s-install';
import { cordonScript, drainScript, nodePodsScript, uncordonScript } from '../plan/node-ops';
import { printable, type UpgradeStep } from '../plan/upgrade';
import { parseNodeList, parsePodList, type PodStatus } from '../plan/verify';
import type { Fleet, HostState } from './fleet';
import { runStep } from './install';
import type { DryRunStep } from './options';
import { HostError } from './transport';

export interface UpgradeContext {
  readonly fleet: Fleet;
  /** The K3s server: every kubectl call runs there (`k3s kubectl`). */
  readonly server: HostState;
  readonly target: string;
  /** The cluster token (the install script needs it; never printed). */
  readonly token: string;
  readonly dryRun: boolean;
  readonly drainTimeoutSeconds: number;
  readonly readyTimeoutSeconds: number;
  readonly tritonTimeoutSeconds: number;
  readonly pollIntervalMs: number;
  /** Where the Triton pods are: namespace and `app` label. */
  readonly triton: { readonly namespace: string; readonly app: string };
}

/** The board's install at the target version, and (agents) the restart that applies it. */
function upgradeSteps(context: UpgradeContext, step: UpgradeStep, work: HostWork): RootStep[] {
  const install = work.install;
  const restart = step.role === 'server' ? ', restarted by the installer' : '';
  const steps: RootStep[] = [k3sInstallStep(install, context.token,
    `K3s ${step.from} → ${context.target} installed (${step.role}${restart})`, `install K3s ${step.from} → ${context.target} (${step.role}${restart})`)];
  if (step.role === 'agent') {
    steps.push({
      id: 'k3s-agent-start', phase: 'start', change: 'k3s-agent restarted on the new version', action: 'restart k3s-agent on the new version',
      script: START_AGENT_SCRIPT, shownScript: START_AGENT_SCRIPT, uploads: [],
    });
  }
  return steps;
}

/** Dry run: what the board would go through, scripts as sent (token redacted), in order; `work` is absent for `finish`. */
export function plannedUpgradeSteps(context: UpgradeContext, step: UpgradeStep, work: HostWork | undefined): DryRunStep[] {
  const server = context.server.target.name;
  const onServer = (title: string, script: string): DryRunStep => ({ title: `${title} (on ${server})`, script, uploads: [] });
  if (!work) return [onServer(`uncordon ${step.name} (left cordoned by an earlier upgrade run)`, uncordonScript(step.name))];
  const steps: DryRunStep[] = [onServer(`cordon ${step.name}`, cordonScript(step.name))];
  if (step.role === 'agent') steps.push(onServer(`drain ${step.name}`, drainScript(step.name, context.drainTimeoutSeconds)));
  for (const s of upgradeSteps(context, step, work)) steps.push({ title: s.action, script: context.fleet.redact(s.shownScript), uploads: s.uploads });
  steps.push(onServer(`wait until ${step.name} is Ready on ${context.target} (${context.readyTimeoutSeconds}s at most)`, GET_NODES_SCRIPT));
  if (!step.keepCordoned) steps.push(onServer(`uncordon ${step.name}`, uncordonScript(step.name)));
  steps.push(onServer(`wait for ${step.name}'s Triton pod if one was Ready (${context.tritonTimeoutSeconds}s at most)`,
    nodePodsScript(context.triton.namespace, context.triton.app, step.name)));
  return steps;
}

/** Upgrades one board (`work` absent: it only needs uncordoning); `position` is "2/4" for the progress lines. */
export async function upgradeBoard(context: UpgradeContext, state: HostState, step: UpgradeStep, work: HostWork | undefined, position: string): Promise<void> {
  const { fleet, server, target } = context;
  const name = step.name;
  const started = Date.now();
  const say = (message: string) => fleet.say(name, `upgrade ${position}: ${message}`);
  const done = (change: string) => {
    state.summary.changed.push(change);
    say(change);
  };
  if (!work) {
    await fleet.root(server, uncordonScript(name), `uncordon ${name}`);
    done('uncordoned (left cordoned by an earlier upgrade run)');
    return;
  }
  const stillCordoned = step.keepCordoned ? 'it stays cordoned (as it was before)' : `it stays cordoned: rerun \`triton-jetson upgrade\` once fixed, or \`kubectl uncordon ${name}\``;

  // Best effort: a board whose Triton pods cannot be listed is not waited for (and says so).
  const tritonBefore = await nodePods(context, name).catch((err: Error) => err);
  await fleet.root(server, cordonScript(name), `cordon ${name}`);
  done('cordoned');
  if (step.role === 'agent') {
    try {
      await fleet.root(server, drainScript(name, context.drainTimeoutSeconds), `drain ${name}`);
    } catch (err) {
      const back = step.keepCordoned ? 'left cordoned as it was' : await fleet.root(server, uncordonScript(name), `uncordon ${name}`).then(() => 'uncordoned again', () => 'still cordoned');
      throw new HostError('step', `${(err as Error).message}; K3s was not touched, the node was ${back}`);
    }
    done(`drained (--ignore-daemonsets --delete-emptydir-data, ${context.drainTimeoutSeconds}s at most)`);
  }
  try {
    for (const s of upgradeSteps(context, step, work)) await runStep(fleet, state, s);
    await waitReadyOn(context, step);
  } catch (err) {
    throw new HostError('step', `${(err as Error).message}; ${stillCordoned}`);
  }
  done(`Ready on ${target}`);
  if (step.keepCordoned) {
    state.summary.warnings.push('left cordoned: it was cordoned before the upgrade, by someone else');
  } else {
    await fleet.root(server, uncordonScript(name), `uncordon ${name}`);
    done('uncordoned');
  }
  if (tritonBefore instanceof Error) {
    state.summary.warnings.push(`its Triton pods could not be listed before the upgrade (${tritonBefore.message}): not waited for`);
  } else if (tritonBefore.some((p) => p.ready)) {
    const pod = await waitTritonReady(context, name);
    done(`Triton pod ${pod} Ready again`);
  } else {
    state.summary.unchanged.push(`no Ready Triton pod ran here before the upgrade (${context.triton.namespace}/app=${context.triton.app}): not waited for`);
  }
  say(`upgraded ${step.from} → ${target} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

async function nodePods(context: UpgradeContext, node: string): Promise<PodStatus[]> {
  const { namespace, app } = context.triton;
  const stdout = await context.fleet.root(context.server, nodePodsScript(namespace, app, node), `listing ${node}'s Triton pods`);
  return parsePodList(stdout).filter((p) => p.node === node);
}

/** Polls `check` every pollIntervalMs until it returns a value or the deadline passes; then throws `timeout(last)`. */
async function poll<T>(context: UpgradeContext, seconds: number, check: () => Promise<{ value?: T; last: string }>, timeout: (last: string) => string): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { value, last } = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new HostError('step', timeout(last));
    await new Promise((resolve) => setTimeout(resolve, context.pollIntervalMs));
  }
}

/** Until the node is Ready and its kubelet reports the target (the server's API may be down for a while after its own restart). */
async function waitReadyOn(context: UpgradeContext, step: UpgradeStep): Promise<void> {
  const { server, target, fleet } = context;
  await poll(context, context.readyTimeoutSeconds, async () => {
    const result = await server.operator!.runAsRoot(GET_NODES_SCRIPT);
    if (result.code !== 0) return { last: `the API did not answer: ${fleet.redact(printable(result.stderr.trim().split('\n').pop() ?? ''))}` };
    try {
      const node = parseNodeList(result.stdout).find((n) => n.name === step.name);
      if (node?.ready && node.kubeletVersion === target) return { value: true, last: '' };
      return { last: node ? `${node.ready ? 'Ready' : 'NotReady'} on ${printable(node.kubeletVersion ?? 'an unknown version')}` : 'not listed by the API' };
    } catch (err) {
      return { last: (err as Error).message };
    }
  }, (last) => `not Ready on ${target} within ${context.readyTimeoutSeconds}s (last seen: ${last}); on the board: journalctl -u ${step.role === 'server' ? 'k3s' : 'k3s-agent'}`);
}

async function waitTritonReady(context: UpgradeContext, node: string): Promise<string> {
  const { namespace, app } = context.triton;
  return poll(context, context.tritonTimeoutSeconds, async () => {
    try {
      const pods = await nodePods(context, node);
      const ready = pods.find((p) => p.ready);
      return ready ? { value: printable(ready.name), last: '' } : { last: pods.length ? `${pods.map((p) => printable(p.name)).join(', ')} not Ready` : 'no Triton pod on the node' };
    } catch (err) {
      return { last: (err as Error).message };
    }
  }, (last) => `its Triton pod is not Ready again within ${context.tritonTimeoutSeconds}s (${last}); the node is upgraded and uncordoned: kubectl -n ${namespace} describe pods -l app=${app} --field-selector spec.nodeName=${node}`);
}
