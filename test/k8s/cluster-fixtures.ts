/**
 * Shared pieces of the test/k8s suites: the simulated Jetson cluster's nodes (kwok fakes
 * shaped like the bootstrapper's K3s nodes), a pre-provisioned NFS volume, and small
 * readers over `kubectl get -o json`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KubeCluster } from '../support/kube-cluster';

export const JETSON_NODES = ['jm-node-1', 'jm-node-2', 'jm-node-3', 'jm-node-4'] as const;
/** A node that must never get Triton: amd64, no Jetson label. */
export const OTHER_NODE = 'x86-worker-1';

/** The manifests folder written by `npm run synth`. */
export const DIST_DIR = join(__dirname, '..', '..', 'dist');

/** dist/'s YAML files, or a clear error when synth has not been run. */
export function distFiles(): string[] {
  if (!existsSync(DIST_DIR)) throw new Error(`${DIST_DIR} is missing: run npm run synth`);
  const files = readdirSync(DIST_DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(DIST_DIR, f));
  if (files.length === 0) throw new Error(`${DIST_DIR} has no YAML files: run npm run synth`);
  return files;
}

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Every object of a multi-document YAML text. */
export function manifestObjects(yamlText: string): ManifestObject[] {
  return parseAllDocuments(yamlText)
    .map((doc) => doc.toJS() as ManifestObject | null)
    .filter((o): o is ManifestObject => o !== null);
}

/**
 * A node as K3s registers a Jetson Nano (4 cores, 4 GB) or an x86 worker, with the labels
 * the bootstrapper sets. kwok (--manage-all-nodes) keeps it Ready and "runs" its pods.
 */
function nodeManifest(name: string, jetson: boolean): object {
  const arch = jetson ? 'arm64' : 'amd64';
  const labels: Record<string, string> = {
    'kubernetes.io/arch': arch,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/hostname': name,
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
  };
  if (jetson) labels['triton-jetson.dev/jetson'] = 'true';
  const resources = { cpu: '4', memory: jetson ? '4045880Ki' : '16Gi', pods: '110', 'ephemeral-storage': '28Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: {},
    status: { capacity: resources, allocatable: resources },
  };
}

/** Registers the four Jetson nodes and the non-Jetson node and waits until all are Ready. */
export async function addSimulatedNodes(cluster: KubeCluster): Promise<void> {
  const nodes = [...JETSON_NODES.map((n) => nodeManifest(n, true)), nodeManifest(OTHER_NODE, false)];
  await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }));
  await cluster.waitFor('5 Ready nodes (kwok)', async () => {
    const list = await cluster.getJson<{ items: any[] }>(['nodes']); // eslint-disable-line @typescript-eslint/no-explicit-any
    const ready = list.items.filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')); // eslint-disable-line @typescript-eslint/no-explicit-any
    return ready.length === 5 ? true : undefined;
  });
}

/**
 * A PersistentVolume for the models claim, standing in for what the NFS provisioner would
 * create (its container cannot run here). With `claim` it is pre-bound to exactly that
 * claim; the NFS address is only data, nothing mounts it.
 */
export function nfsVolume(name: string, storageClassName: string, claim?: { namespace: string; name: string }): object {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name },
    spec: {
      capacity: { storage: '10Gi' },
      accessModes: ['ReadWriteMany'],
      storageClassName,
      persistentVolumeReclaimPolicy: 'Retain',
      nfs: { server: '127.0.0.1', path: `/exports/${name}` },
      ...(claim ? { claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...claim } } : {}),
    },
  };
}

/** Pods matching a label selector in a namespace. */
export async function podsOf(cluster: KubeCluster, namespace: string, selector: string): Promise<any[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return (await cluster.getJson<{ items: any[] }>(['pods', '-n', namespace, '-l', selector])).items; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Label selector text of a workload's spec.selector.matchLabels. */
export function selectorOf(workload: ManifestObject): string {
  const labels = workload.spec?.selector?.matchLabels as Record<string, string> | undefined;
  if (!labels || Object.keys(labels).length === 0) throw new Error(`${workload.kind} ${workload.metadata.name} has no selector.matchLabels`);
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}
