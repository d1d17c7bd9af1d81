/** Properties every synthesized stack must have, whatever its configuration. */
import { Manifest, podSpec } from './manifests';

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'Pod']);
// cdk8s appends an 8-hex-digit hash of the construct path to generated names.
const HASHED_NAME = /-[0-9a-f]{8}$/;
// Except: a Job's pod template is immutable, so the seeding Job is named after a hash of
// its content (a changed catalog re-seeds on `kubectl apply`); stable for equal content.
const CONTENT_ADDRESSED_KINDS = new Set(['Job']);

/** Returns every violated invariant as a sentence; empty when all hold. */
export function invariantViolations(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const m of manifests) {
    const id = `${m.kind}/${m.metadata.name}`;
    if (seen.has(`${m.metadata.namespace}/${id}`)) problems.push(`${id} is defined twice`);
    seen.add(`${m.metadata.namespace}/${id}`);
    if (HASHED_NAME.test(m.metadata.name) && !CONTENT_ADDRESSED_KINDS.has(m.kind)) problems.push(`${id} has a hashed name`);
    if (JSON.stringify(m).includes('cdk8s.io/metadata.addr')) problems.push(`${id} carries cdk8s' path-hash label`);
    if (!WORKLOAD_KINDS.has(m.kind)) continue;
    const spec = podSpec(m);
    const volumes = new Set<string>((spec.volumes ?? []).map((v: { name: string }) => v.name));
    const mounted = new Set<string>();
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const mount of c.volumeMounts ?? []) {
        mounted.add(mount.name);
        if (!volumes.has(mount.name)) problems.push(`${id} container ${c.name} mounts undeclared volume ${mount.name}`);
      }
    }
    for (const v of volumes) if (!mounted.has(v)) problems.push(`${id} declares volume ${v} that nothing mounts`);
    if (m.kind !== 'Pod' && m.spec.selector) {
      const podLabels = m.spec.template.metadata?.labels ?? {};
      for (const [k, v] of Object.entries(m.spec.selector.matchLabels ?? {})) {
        if (podLabels[k] !== v) problems.push(`${id} selector ${k}=${v} does not match its pod template labels`);
      }
    }
  }
  for (const svc of manifests.filter((m) => m.kind === 'Service')) {
    const selector: Record<string, string> = svc.spec.selector ?? {};
    const matches = manifests.filter((m) => WORKLOAD_KINDS.has(m.kind) && m.kind !== 'Job').filter((m) => {
      const labels = m.spec.template.metadata?.labels ?? {};
      return Object.entries(selector).every(([k, v]) => labels[k] === v);
    });
    if (matches.length === 0) problems.push(`Service/${svc.metadata.name} selects no workload's pods`);
  }
  problems.push(...labelAndOrderViolations(manifests));
  return problems;
}

/** Kinds the stack renders that are cluster-scoped. */
export const CLUSTER_SCOPED_KINDS = new Set(['Namespace', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding']);
/** The recommended labels every object carries (lib/labels.ts). */
const RECOMMENDED_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];
/** Labels that change with a release or an installation: never in a selector. */
const UNSTABLE_LABELS = ['app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by'];

/**
 * GitOps-readiness: every object carries the recommended labels, no selector uses one that
 * changes with a release or an installation, cluster-scoped objects carry no namespace, and
 * the Namespace comes first, then the other cluster-scoped objects, then the namespaced ones
 * (the order `kubectl apply -f` creates them in).
 */
export function labelAndOrderViolations(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  let namespacedSeen = false;
  manifests.forEach((m, index) => {
    const id = `${m.kind}/${m.metadata.name}`;
    const labels = m.metadata.labels ?? {};
    for (const label of RECOMMENDED_LABELS) if (!(label in labels)) problems.push(`${id} lacks the ${label} label`);
    const selectors = [m.spec?.selector?.matchLabels, m.kind === 'Service' ? m.spec?.selector : undefined, m.spec?.podSelector?.matchLabels];
    for (const selector of selectors) {
      for (const key of Object.keys(selector ?? {})) if (UNSTABLE_LABELS.includes(key)) problems.push(`${id} selects on ${key}`);
    }
    const podLabels = WORKLOAD_KINDS.has(m.kind) && m.kind !== 'Pod' ? m.spec.template.metadata?.labels ?? {} : {};
    if ('app.kubernetes.io/version' in podLabels) problems.push(`${id} puts the version label on its pods (a release would restart them)`);
    if (CLUSTER_SCOPED_KINDS.has(m.kind)) {
      if (m.metadata.namespace !== undefined) problems.push(`${id} is cluster-scoped but names namespace ${m.metadata.namespace}`);
      if (namespacedSeen) problems.push(`${id} is cluster-scoped but comes after a namespaced object`);
      if (m.kind === 'Namespace' && index !== 0) problems.push(`${id} is not the first object`);
    } else {
      namespacedSeen = true;
    }
  });
  return problems;
}
