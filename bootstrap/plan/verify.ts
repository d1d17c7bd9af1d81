/** Cluster verification: which nodes `k3s kubectl get nodes -o json` reports Ready. */
import { shQuote } from './shell';

export interface NodeStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly kubeletVersion?: string;
  /** Cordoned (`spec.unschedulable`). */
  readonly unschedulable: boolean;
  readonly annotations: Readonly<Record<string, string>>;
}

/** A pod as `k3s kubectl get pods -o json` reports it. */
export interface PodStatus {
  readonly name: string;
  readonly node: string;
  readonly ready: boolean;
}

// What kubectl prints comes from the board: every field is checked, never trusted.
type Json = Record<string, unknown>;
const object = (value: unknown): Json => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const textRecord = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(object(value)).filter((e): e is [string, string] => typeof e[1] === 'string'));
const readyCondition = (status: Json): boolean =>
  (Array.isArray(status.conditions) ? status.conditions : []).some((c) => object(c).type === 'Ready' && object(c).status === 'True');

/** The `items` of a kubectl List printed as JSON by `command`. */
function listItems(json: string, command: string): Json[] {
  let list: unknown;
  try {
    list = JSON.parse(json);
  } catch (err) {
    throw new Error(`"${command}" printed no JSON (${(err as Error).message})`);
  }
  const items = object(list).items;
  if (items !== undefined && !Array.isArray(items)) throw new Error(`"${command}" printed no list of items`);
  return (items ?? []).map(object);
}

export function parseNodeList(json: string): NodeStatus[] {
  return listItems(json, 'k3s kubectl get nodes -o json').map((item) => {
    const metadata = object(item.metadata);
    const status = object(item.status);
    return {
      name: text(metadata.name) ?? '',
      ready: readyCondition(status),
      labels: textRecord(metadata.labels),
      kubeletVersion: text(object(status.nodeInfo).kubeletVersion),
      unschedulable: object(item.spec).unschedulable === true,
      annotations: textRecord(metadata.annotations),
    };
  });
}

/** Pods from `k3s kubectl get pods -o json`: name, node and the Ready condition. */
export function parsePodList(json: string): PodStatus[] {
  return listItems(json, 'k3s kubectl get pods -o json').map((item) => ({
    name: text(object(item.metadata).name) ?? '',
    node: text(object(item.spec).nodeName) ?? '',
    ready: readyCondition(object(item.status)),
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
