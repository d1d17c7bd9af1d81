/**
 * After the installs: poll the server's `kubectl get nodes` until every node that is still
 * ok is Ready (or k3s.readyTimeoutSeconds passes), then set the labels K3s did not apply.
 */
import { GET_NODES_SCRIPT } from '../plan/k3s-install';
import { labelNodeScript, missingLabels, notReady, parseNodeList, type NodeStatus } from '../plan/verify';
import type { Fleet, HostState } from './fleet';
import type { RunSummary } from './options';
import { HostError } from './transport';

export async function waitForNodes(fleet: Fleet, server: HostState): Promise<RunSummary['nodes']> {
  const expected = fleet.hosts.filter((h) => h.summary.status === 'ok').map((h) => h.target.name);
  const timeoutMs = (fleet.options.readyTimeoutSeconds ?? fleet.options.config.k3s.readyTimeoutSeconds) * 1000;
  const interval = fleet.options.pollIntervalMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  let nodes: NodeStatus[] = [];
  let missing = expected;
  let lastError = '';
  for (;;) {
    const result = await server.operator!.runAsRoot(GET_NODES_SCRIPT);
    if (result.code === 0) {
      try {
        nodes = parseNodeList(result.stdout);
        missing = notReady(expected, nodes);
        lastError = '';
      } catch (err) {
        lastError = (err as Error).message;
      }
    } else {
      lastError = result.stderr.trim().split('\n').pop() ?? '';
    }
    if (missing.length === 0 || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  const ready = expected.filter((n) => !missing.includes(n));
  await applyLabels(fleet, server, nodes.filter((n) => ready.includes(n.name)));
  fleet.say(server.target.name, missing.length === 0
    ? `all ${expected.length} node(s) Ready: ${ready.join(', ')}`
    : `not Ready after ${Math.round(timeoutMs / 1000)}s: ${missing.join(', ')}${lastError ? ` (${lastError})` : ''}`);
  for (const name of missing) {
    const state = fleet.hosts.find((h) => h.target.name === name)!;
    fleet.fail(state, new HostError('step', `node ${name} not Ready within ${Math.round(timeoutMs / 1000)}s; on the node: journalctl -u ${state.target.role === 'server' ? 'k3s' : 'k3s-agent'}`));
  }
  return { ready, notReady: missing };
}

/** Sets node labels K3s did not apply (it only applies --node-label when a node registers). */
async function applyLabels(fleet: Fleet, server: HostState, nodes: readonly NodeStatus[]): Promise<void> {
  for (const state of fleet.hosts) {
    if (state.summary.status !== 'ok' || !state.work) continue;
    const node = nodes.find((n) => n.name === state.target.name);
    if (!node) continue;
    const labels = missingLabels(state.work.install.labels, node);
    const keys = Object.keys(labels);
    if (keys.length === 0) {
      if (Object.keys(state.work.install.labels).length > 0) state.summary.unchanged.push(`node labels already set (${Object.keys(state.work.install.labels).join(', ')})`);
      continue;
    }
    try {
      await fleet.root(server, labelNodeScript(node.name, labels), `labelling node ${node.name}`);
      const change = `node labels set: ${keys.map((k) => `${k}=${labels[k]}`).join(', ')}`;
      state.summary.changed.push(change);
      fleet.say(state.target.name, change);
    } catch (err) {
      fleet.fail(state, err);
    }
  }
}
