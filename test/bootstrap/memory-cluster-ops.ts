/**
 * The day-two side of the in-memory board model (memory-operator.ts): what the server's
 * `k3s kubectl` answers to cordon, drain, uncordon, annotate, the node list (with each
 * kubelet's version, cordons and annotations), a node's Triton pods, and a re-flashed
 * board's registration (node object, node-password secret); what an agent does on a
 * non-blocking restart; and the node-password probes on the boards. Rules are added on top
 * of jetsonBoard's (later rules win).
 */
import { GET_NODES_SCRIPT, START_AGENT_SCRIPT } from '../../bootstrap/plan/k3s-install';
import {
  NODE_IDENTITY_PROBE, NODE_PASSWORD_REJECTED_PROBE, UPGRADE_CORDON_ANNOTATION,
} from '../../bootstrap/plan/node-ops';
import type { Cluster, MemoryHost } from './memory-operator';

/** What the API knows of one node beyond the board model. */
export interface NodeRecord {
  unschedulable: boolean;
  annotations: Record<string, string>;
  /** Its Triton pod: undefined = none runs there. Ready only while the node's K3s runs. */
  triton?: { ready: boolean };
  /** The server holds its node-password secret. */
  secret: boolean;
  /** The board holds /etc/rancher/node/password. */
  boardPassword: boolean;
  /** K3s refused the board's password at its last start. */
  rejected: boolean;
}

/** `kubectl <verb> <node>` calls, in order, as the server received them. */
export type NodeOp = { readonly verb: 'cordon' | 'uncordon' | 'drain'; readonly node: string; readonly args: string };

export interface ClusterOps {
  readonly records: Map<string, NodeRecord>;
  readonly ops: NodeOp[];
}

const word = (s: string) => s.replace(/^'|'$/g, '');

/** Adds the rules; `hosts` maps node names to their hosts (the first is the server). */
export function clusterOps(hosts: ReadonlyMap<string, MemoryHost>, cluster: Cluster): ClusterOps {
  const records = new Map<string, NodeRecord>();
  const record = (name: string): NodeRecord => {
    let r = records.get(name);
    if (!r) {
      r = { unschedulable: false, annotations: {}, secret: false, boardPassword: false, rejected: false };
      records.set(name, r);
    }
    return r;
  };
  for (const name of hosts.keys()) record(name);
  const ops: NodeOp[] = [];
  const [server] = hosts.values();
  const kubectl = (verb: string) => new RegExp(`/usr/local/bin/k3s kubectl ${verb} ('?[^' \\n]+'?)(.*)`);

  server
    .on(GET_NODES_SCRIPT, () => ({ stdout: JSON.stringify({ items: [...cluster].filter(([, b]) => b.k3s).map(([name, b]) => ({
      metadata: { name, labels: b.labels, annotations: record(name).annotations },
      spec: record(name).unschedulable ? { unschedulable: true } : {},
      status: { conditions: [{ type: 'Ready', status: b.k3s!.active ? 'True' : 'Unknown' }], nodeInfo: { kubeletVersion: b.k3s!.version } },
    })) }) }))
    .on(/ kubectl cordon /, (s) => {
      const [, node] = kubectl('cordon').exec(s)!;
      ops.push({ verb: 'cordon', node: word(node), args: '' });
      record(word(node)).unschedulable = true;
      if (s.includes(`${UPGRADE_CORDON_ANNOTATION}=`)) record(word(node)).annotations[UPGRADE_CORDON_ANNOTATION] = 'upgrade';
      return {};
    })
    .on(/ kubectl uncordon /, (s) => {
      const [, node] = kubectl('uncordon').exec(s)!;
      ops.push({ verb: 'uncordon', node: word(node), args: '' });
      record(word(node)).unschedulable = false;
      delete record(word(node)).annotations[UPGRADE_CORDON_ANNOTATION];
      return {};
    })
    .on(/ kubectl drain /, (s) => {
      const [, node, args] = kubectl('drain').exec(s)!;
      ops.push({ verb: 'drain', node: word(node), args: args.trim() });
      return {};
    })
    .on(/ kubectl get pods /, (s) => {
      const node = /spec\.nodeName=([^' ]+)/.exec(s)![1];
      const triton = record(node).triton;
      const running = cluster.get(node)?.k3s?.active === true;
      const items = triton ? [{ metadata: { name: `triton-${node}` }, spec: { nodeName: node }, status: { conditions: [{ type: 'Ready', status: triton.ready && running ? 'True' : 'False' }] } }] : [];
      return { stdout: JSON.stringify({ items }) };
    })
    .on(/ kubectl get node /, (s) => {
      const node = word(/get node ('?[^' ]+'?)/.exec(s)![1]);
      const secret = word(/get secret -n kube-system ('?[^' ]+'?)/.exec(s)![1]);
      return { stdout: `node=${cluster.get(node)?.k3s ? `node/${node}` : ''}\nsecret=${record(node).secret ? `secret/${secret}` : ''}\n` };
    })
    .on(/ kubectl delete node /, (s) => {
      const node = word(/delete node ('?[^' ]+'?)/.exec(s)![1]);
      record(node).secret = false;
      record(node).rejected = false;
      const board = cluster.get(node);
      if (board?.k3s && hosts.get(node) !== server) board.labels = {};
      return {};
    });

  for (const [name, host] of hosts) {
    if (host === server) continue;
    host
      // Joining: K3s refuses a board whose password the server's secret does not match. The
      // restart does not wait (--no-block): the agent keeps retrying and never turns Ready.
      .on(START_AGENT_SCRIPT, () => {
        const r = record(name);
        if (r.secret && !r.boardPassword) {
          r.rejected = true;
          return {};
        }
        Object.assign(r, { secret: true, boardPassword: true, rejected: false });
        cluster.get(name)!.k3s!.active = true;
        return {};
      })
      .on(NODE_IDENTITY_PROBE, () => ({ stdout: `password=${record(name).boardPassword ? 'yes' : 'no'}\n` }))
      .on(NODE_PASSWORD_REJECTED_PROBE, () => ({ stdout: record(name).rejected ? 'rejected\n' : 'ok\n' }));
  }
  return { records, ops };
}
