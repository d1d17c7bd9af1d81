/**
 * `bootstrap --node NAME`: one board (re-)joins. The server is only the others' anchor (its
 * token, API and join endpoint): its own pending changes are not applied. A re-flashed board
 * whose old registration the server still holds has it removed (node object and
 * `<name>.node-password.k3s` secret) with --replace or a yes at the prompt, never silently.
 * Plain `bootstrap` explains a join K3s refused for that reason.
 */
import {
  NODE_IDENTITY_PROBE, NODE_PASSWORD_REJECTED_PROBE, nodePasswordSecret, nodeRecordsScript, parseKeyValues, removeNodeScript,
} from '../plan/node-ops';
import { judgeNodeIdentity, replaceRefusal } from '../plan/replace-node';
import type { Fleet, HostState } from './fleet';
import { HostError } from './transport';

/** With --node: the server keeps what it has; it must already run K3s for the board to join. */
export function keepServerAsIs(fleet: Fleet): void {
  const server = fleet.server;
  if (!fleet.options.nodes || server.summary.status !== 'ok' || !server.work) return;
  if (!server.facts?.k3sServerActive) {
    fleet.fail(server, new HostError('step', `--node needs a running K3s server on ${server.target.name}; run \`triton-jetson bootstrap\` without --node first`));
    return;
  }
  const pending = server.work.steps.map((s) => s.change);
  if (pending.length > 0) server.summary.warnings.push(`not applied with --node (run \`triton-jetson bootstrap\` without --node): ${pending.join('; ')}`);
  server.work = { ...server.work, steps: [] };
}

/** Before the named agents install: find stale registrations and remove them when allowed. */
export async function settleReplacedNodes(fleet: Fleet, dryRun: boolean): Promise<void> {
  const server = fleet.server;
  if (!fleet.options.nodes || server.summary.status !== 'ok') return;
  for (const state of fleet.live().filter((h) => h.target.role === 'agent')) {
    try {
      await settleOne(fleet, server, state, dryRun);
    } catch (err) {
      fleet.fail(state, err);
    }
  }
}

async function settleOne(fleet: Fleet, server: HostState, state: HostState, dryRun: boolean): Promise<void> {
  const name = state.target.name;
  const board = parseKeyValues(await fleet.root(state, NODE_IDENTITY_PROBE, 'node identity probe'));
  const records = parseKeyValues(await fleet.root(server, nodeRecordsScript(name), `looking up node ${name} on ${server.target.name}`));
  const verdict = judgeNodeIdentity(name, server.target.name, {
    boardHasPassword: board.get('password') === 'yes',
    boardAgentActive: state.facts?.k3sAgentActive === true,
    serverHasNode: (records.get('node') ?? '') !== '',
    serverHasSecret: (records.get('secret') ?? '') !== '',
  });
  fleet.say(name, verdict.note);
  if (verdict.kind === 'keep') {
    state.summary.unchanged.push(verdict.note);
    return;
  }
  const what = `node/${name} and secret kube-system/${nodePasswordSecret(name)} on ${server.target.name}`;
  const { replaceNodes, confirm } = fleet.options;
  if (dryRun) {
    const how = replaceNodes ? '(--replace)' : verdict.kind === 'stale' ? '(bootstrap asks first, or pass --replace)' : 'only with --replace or a yes at the prompt';
    state.summary.warnings.push(`would remove ${what} ${how}: ${verdict.note}`);
    fleet.say(name, `would remove ${what} ${how}`);
    return;
  }
  const allowed = replaceNodes || (confirm !== undefined && await confirm(`${verdict.note}. Remove ${what} so the board can join?`));
  if (!allowed && verdict.kind === 'unsure') {
    // Maybe the same board with its agent down: it may well join as it is.
    state.summary.warnings.push(verdict.note);
    return;
  }
  if (!allowed) throw new HostError('step', replaceRefusal(name, verdict.note));
  await fleet.root(server, removeNodeScript(name), `removing the stale registration of ${name}`);
  const change = `removed the stale registration of ${name} (${what}); the board joins anew`;
  state.summary.changed.push(change);
  fleet.say(name, change);
}

/**
 * After the installs: an agent that failed or stayed NotReady because K3s refused its node
 * password (the board was re-flashed) gets the fix in its error.
 */
export async function explainRejectedPasswords(fleet: Fleet): Promise<void> {
  for (const state of fleet.hosts) {
    if (state.target.role !== 'agent' || state.summary.status !== 'failed' || !state.operator) continue;
    // Only a failed join: the agent's start, or a node that never became Ready.
    const error = state.summary.error ?? '';
    if (!error.startsWith('k3s-agent-start failed') && !/^node \S+ not Ready within/.test(error)) continue;
    const result = await state.operator.runAsRoot(NODE_PASSWORD_REJECTED_PROBE).catch(() => undefined);
    if (result?.stdout.trim() !== 'rejected') continue;
    const name = state.target.name;
    state.summary.error = `${state.summary.error ?? 'join failed'}; K3s refused the node password ("Node password rejected"): ${fleet.server.target.name} still holds the registration of the board that had this name before (re-flashed?): run \`triton-jetson bootstrap --node ${name} --replace\` to remove node/${name} and secret kube-system/${nodePasswordSecret(name)}`;
    fleet.say(name, state.summary.error);
  }
}
