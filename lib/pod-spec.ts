/**
 * Small typed helpers for the pod templates our constructs write as L1 `Kube*` objects
 * (the one construct style, docs/architecture.md): every field of the output is written
 * here or in the construct, none is patched in afterwards.
 */
import {
  Affinity, EnvVar, IntOrString, ObjectMeta, PodSecurityContext, PodSpec, Probe, Quantity, ResourceRequirements,
} from '../imports/k8s';
import type { PodOptions } from './types/pod';

/** Requests and limits of one container, as Kubernetes quantities; an absent one is not set. */
export type ContainerQuantities = {
  readonly [field in `${'cpu' | 'memory' | 'ephemeralStorage'}${'Request' | 'Limit'}`]?: string;
};

/** `resources` of a container: only the quantities given (e.g. no CPU limit for Triton). */
export function containerResources(q: ContainerQuantities): ResourceRequirements {
  const quantities = (cpu?: string, memory?: string, ephemeralStorage?: string): Record<string, Quantity> => {
    const out: Record<string, Quantity> = {};
    if (cpu !== undefined) out.cpu = Quantity.fromString(cpu);
    if (memory !== undefined) out.memory = Quantity.fromString(memory);
    if (ephemeralStorage !== undefined) out['ephemeral-storage'] = Quantity.fromString(ephemeralStorage);
    return out;
  };
  return {
    requests: quantities(q.cpuRequest, q.memoryRequest, q.ephemeralStorageRequest),
    limits: quantities(q.cpuLimit, q.memoryLimit, q.ephemeralStorageLimit),
  };
}

/** How often and how patiently a probe asks. */
export interface ProbeTiming {
  readonly periodSeconds: number;
  readonly failureThreshold: number;
  readonly timeoutSeconds: number;
}

/** A plain-HTTP GET probe of `path` on the container's `port`. */
export function httpGetProbe(path: string, port: number, timing: ProbeTiming): Probe {
  return { httpGet: { path, port: IntOrString.fromNumber(port), scheme: 'HTTP' }, ...timing };
}

/**
 * Node affinity that requires every label of `labels` and none of the values of `avoid`
 * (one term: all must match; NotIn also matches a node without the label).
 */
export function requiredNodeLabels(labels: Readonly<Record<string, string>>, avoid: Readonly<Record<string, readonly string[]>> = {}): Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{
          matchExpressions: [
            ...Object.entries(labels).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
            ...Object.entries(avoid).map(([key, values]) => ({ key, operator: 'NotIn', values: [...values] })),
          ],
        }],
      },
    },
  };
}

/**
 * Pod fields that earlier versions rendered (through cdk8s-plus) at their Kubernetes
 * defaults. They stay written out: left out, the stored pod template would change and
 * applying the new manifests would restart every Triton pod (minutes of model loading on a
 * Nano) for nothing.
 */
export const STABLE_POD_FIELDS = {
  dnsPolicy: 'ClusterFirst',
  hostNetwork: false,
  restartPolicy: 'Always',
  setHostnameAsFqdn: false,
  terminationGracePeriodSeconds: 30,
} as const satisfies Partial<PodSpec>;

/**
 * Security context of a pod whose container runs as root (GPU device nodes, or folders on
 * any NFS export): said explicitly, with the runtime's default seccomp filter unless
 * `seccompProfile` says otherwise. (`fsGroupChangePolicy: Always` is kept as rendered before.)
 */
export function rootPodSecurityContext(seccompProfile: 'RuntimeDefault' | 'Unconfined' = 'RuntimeDefault'): PodSecurityContext {
  return { fsGroupChangePolicy: 'Always', runAsNonRoot: false, seccompProfile: { type: seccompProfile } };
}

/**
 * The pod-level fields of {@link PodOptions}: pull secrets, tolerations, priority class; each
 * left out when not given, so a workload without pod options renders exactly as before.
 */
export function podOptionsSpec(options: PodOptions): Pick<PodSpec, 'imagePullSecrets' | 'tolerations' | 'priorityClassName'> {
  return {
    ...(options.imagePullSecrets?.length ? { imagePullSecrets: options.imagePullSecrets.map((name) => ({ name })) } : {}),
    ...(options.tolerations?.length ? { tolerations: options.tolerations.map((t) => ({ ...t })) } : {}),
    ...(options.priorityClassName !== undefined ? { priorityClassName: options.priorityClassName } : {}),
  };
}

/** A container's env: the workload's own variables, then the extra ones of {@link PodOptions}. */
export function containerEnv(own: readonly EnvVar[], options: PodOptions): EnvVar[] | undefined {
  const env = [...own, ...(options.env ?? []).map((e) => ({ ...e } as EnvVar))];
  return env.length > 0 ? env : undefined;
}

/** Pod template metadata: the workload's labels and annotations, then the extra ones of {@link PodOptions}. */
export function podMetadata(labels: Readonly<Record<string, string>>, annotations: Readonly<Record<string, string>>, options: PodOptions): ObjectMeta {
  const allAnnotations = { ...annotations, ...(options.podAnnotations ?? {}) };
  return {
    labels: { ...labels, ...(options.podLabels ?? {}) },
    ...(Object.keys(allAnnotations).length > 0 ? { annotations: allAnnotations } : {}),
  };
}
