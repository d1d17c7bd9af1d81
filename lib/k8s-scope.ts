/**
 * cdk8s conventions every construct of this library follows:
 *
 * - a namespaced object takes its `namespace` prop, else its Chart's namespace, else
 *   "default" (written out: RBAC subjects and ServiceMonitor selectors must name it);
 * - a cluster-scoped object carries no namespace, even in a Chart that has one (cdk8s gives
 *   every ApiObject its Chart's namespace; clusterScoped undoes that before rendering);
 * - no two objects of an app are the same Kubernetes object (kind, namespace, name), and no
 *   two Services claim one NodePort: synth fails with one line naming the pair instead of
 *   writing duplicates that `kubectl apply` would silently merge (checkUniqueObjects).
 */
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';

/** The namespace of a namespaced object created in `scope`. */
export function namespaceOf(scope: Construct, given: string | undefined): string {
  if (given !== undefined) return given;
  let chart: Chart | undefined;
  try {
    chart = Chart.of(scope);
  } catch {
    chart = undefined;
  }
  return chart?.namespace ?? 'default';
}

/**
 * Pods with `labels` in `namespace`, as a cdk8s-plus selection (renders nothing). Naming the
 * namespace, as cdk8s-plus' own workloads do, keeps a NetworkPolicy peer right from another
 * namespace and puts a policy selecting these pods in theirs.
 */
export function podsIn(scope: Construct, labels: Readonly<Record<string, string>>, namespace: string): kplus.Pods {
  return kplus.Pods.select(scope, 'pods', { labels: { ...labels }, namespaces: kplus.Namespaces.select(scope, 'pods-namespace', { names: [namespace] }) });
}

/** Removes the Chart's namespace from a cluster-scoped object (a StorageClass, ClusterRole, Namespace...). */
export function clusterScoped<T extends ApiObject>(object: T): T {
  // ApiObjectMetadataDefinition.namespace is read when the object renders; it is not patched output.
  (object.metadata as { namespace?: string }).namespace = undefined;
  return object;
}

/** Kinds that are cluster-scoped: two of them with one name clash whatever namespace cdk8s gave them. */
const CLUSTER_SCOPED_KINDS = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'CSIDriver', 'ClusterRole', 'ClusterRoleBinding',
  'CustomResourceDefinition', 'PriorityClass', 'RuntimeClass', 'IngressClass', 'APIService',
  'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

const CHECKED = Symbol.for('cdk8s-triton-jetson.unique-objects');

/** Problems that would make the app's manifests declare one object (or one NodePort) twice. */
export function duplicateObjects(root: IConstruct): string[] {
  const objects = root.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c));
  const seen = new Map<string, ApiObject>();
  const nodePorts = new Map<number, string>();
  const problems: string[] = [];
  for (const object of objects) {
    const clusterWide = CLUSTER_SCOPED_KINDS.has(object.kind);
    const namespace = clusterWide ? undefined : object.metadata.namespace ?? 'default';
    const key = `${object.apiGroup}/${object.kind}/${namespace ?? ''}/${object.name}`;
    const where = clusterWide ? 'cluster-wide' : `namespace "${namespace}"`;
    const other = seen.get(key);
    if (other) {
      const fix = object.kind === 'Namespace' ? 'create it once (createNamespace on one stack only)'
        : 'give one TritonJetsonStack its own `instance` (every name it derives then starts with it) or its own names';
      problems.push(`${object.kind} "${object.name}" (${where}) is declared twice, at ${other.node.path} and ${object.node.path}: ${fix}`);
    } else seen.set(key, object);
    if (object.kind === 'Service' && object.apiGroup === 'core') {
      let ports: Array<{ nodePort?: number }> = [];
      try {
        ports = object.toJson().spec?.ports ?? [];
      } catch {
        // An object that cannot render fails synth on its own, with its own error.
      }
      for (const port of ports) {
        if (port.nodePort === undefined) continue;
        const owner = nodePorts.get(port.nodePort);
        if (owner !== undefined && owner !== object.node.path) {
          problems.push(`NodePort ${port.nodePort} is claimed twice, by the Services at ${owner} and ${object.node.path}: NodePorts are cluster-wide; give each Service its own (service.nodePorts)`);
        }
        nodePorts.set(port.nodePort, object.node.path);
      }
    }
  }
  return problems;
}

/** Makes synth of the app `scope` belongs to fail on duplicate objects (registered once per app). */
export function checkUniqueObjects(scope: Construct): void {
  const root = scope.node.root as IConstruct & { [CHECKED]?: true };
  if (root[CHECKED]) return;
  Object.defineProperty(root, CHECKED, { value: true });
  root.node.addValidation({ validate: () => duplicateObjects(root) });
}
