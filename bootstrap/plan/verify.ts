/** Cluster verification: which nodes `k3s kubectl get nodes -o json` reports Ready. */
import { shQuote } from './shell';

export interface NodeStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly kubeletVersion?: string;
}

interface NodeListJson {
  items?: {
    metadata?: { name?: string; labels?: Record<string, string> };
    status?: { conditions?: { type?: string; status?: string }[]; nodeInfo?: { kubeletVersion?: string } };
  }[];
}

export function parseNodeList(json: string): NodeStatus[] {
  let list: NodeListJson;
  try {
    list = JSON.parse(json) as NodeListJson;
  } catch (err) {
    throw new Error(`"k3s kubectl get nodes -o json" printed no JSON (${(err as Error).message})`);
  }
  return (list.items ?? []).map((item) => ({
    name: item.metadata?.name ?? '',
    ready: (item.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    labels: item.metadata?.labels ?? {},
    kubeletVersion: item.status?.nodeInfo?.kubeletVersion,
  }));
}

/** Expected nodes that are not (yet) Ready. */
export function notReady(expected: readonly string[], nodes: readonly NodeStatus[]): string[] {
  const ready = new Set(nodes.filter((n) => n.ready).map((n) => n.name));
  return expected.filter((name) => !ready.has(name));
}

/** Labels of `wanted` that the node lacks or carries with another value. */
export function missingLabels(wanted: Readonly<Record<string, string>>, node: NodeStatus | undefined): Record<string, string> {
  const missing: Record<string, string> = {};
  for (const [key, value] of Object.entries(wanted)) {
    if (node?.labels[key] !== value) missing[key] = value;
  }
  return missing;
}

/**
 * Root script labelling a node. K3s applies --node-label only when a node registers, so
 * labels added to an existing node are set through the API.
 */
export function labelNodeScript(node: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.keys(labels).sort().map((k) => shQuote(`${k}=${labels[k]}`));
  return `/usr/local/bin/k3s kubectl label node ${shQuote(node)} --overwrite ${pairs.join(' ')}`;
}
