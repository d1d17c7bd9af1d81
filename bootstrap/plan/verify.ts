/** Cluster verification: which nodes `k3s kubectl get nodes -o json` reports Ready. */

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
