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
  return problems;
}
