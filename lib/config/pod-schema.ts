/**
 * Pod customization (lib/types/pod.ts) for cluster.yaml's `triton`, `provisioner` and
 * `seeding` sections and the props of TritonDaemonSet, NfsProvisioner and ModelSeedJob: one
 * set of rules, Kubernetes' own (apimachinery validation of tolerations, env names, labels
 * and annotations), so a mistake is refused here with the field named rather than by the
 * API server. What a construct sets itself (its env, its selector labels, Triton's
 * prometheus.io annotations) cannot be redefined.
 */
import { z } from 'zod';
import { dnsSubdomain, labelKey, labelValue } from './validators';

// Kubernetes 1.27 IsEnvVarName: "a valid environment variable name must consist of
// alphabetic characters, digits, '_', '-', or '.', and must not start with a digit".
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

const keySelector = z.object({ name: dnsSubdomain, key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'must be a key such as "password" (letters, digits, "-", "_" and ".")'), optional: z.boolean().optional() }).strict();

// Kubernetes 1.27 validEnvDownwardAPIFieldPathExpressions (pkg/apis/core/validation/validation.go),
// plus metadata.labels['<key>'] and metadata.annotations['<key>'] (validateObjectFieldSelector).
// status.hostIPs is left out: it came with 1.28.
const ENV_FIELD_PATHS = [
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.podIP', 'status.podIPs',
];
const SUBSCRIPTED_FIELD_PATH = /^metadata\.(labels|annotations)\['(.+)'\]$/;
const fieldPath = z.string().refine((path) => {
  const subscripted = SUBSCRIPTED_FIELD_PATH.exec(path);
  if (!subscripted) return ENV_FIELD_PATHS.includes(path);
  return labelKey.safeParse(subscripted[1] === 'annotations' ? subscripted[2].toLowerCase() : subscripted[2]).success;
}, `must be one of ${ENV_FIELD_PATHS.join(', ')}, metadata.labels['<key>'] or metadata.annotations['<key>']`);

const envVarSource = z
  .object({
    secretKeyRef: keySelector.optional(),
    configMapKeyRef: keySelector.optional(),
    fieldRef: z.object({ fieldPath }).strict().optional(),
  })
  .strict()
  .refine((s) => [s.secretKeyRef, s.configMapKeyRef, s.fieldRef].filter((x) => x !== undefined).length === 1,
    'give exactly one of secretKeyRef, configMapKeyRef or fieldRef');

const envVar = z
  .object({
    name: z.string().regex(ENV_NAME, 'must be an environment variable name such as "HTTPS_PROXY" (letters, digits, "_", "-" and ".", not starting with a digit)'),
    value: z.string().optional(),
    valueFrom: envVarSource.optional(),
  })
  .strict()
  .refine((v) => (v.value === undefined) !== (v.valueFrom === undefined), 'give either "value" or "valueFrom", not both and not neither');

const toleration = z
  .object({
    key: labelKey.optional(),
    operator: z.enum(['Equal', 'Exists']).optional(),
    value: labelValue.optional(),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
    tolerationSeconds: z.number().int('must be a whole number of seconds').optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    // Kubernetes' ValidateTolerations, worded as a fix.
    if (t.key === undefined && t.operator !== 'Exists') {
      ctx.addIssue({ code: 'custom', path: ['operator'], message: 'must be "Exists" when no key is given (a toleration of every taint); or give a key' });
    }
    if (t.operator === 'Exists' && t.value !== undefined && t.value !== '') {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'must be left out with operator "Exists" (it matches any value)' });
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      ctx.addIssue({ code: 'custom', path: ['tolerationSeconds'], message: 'only applies to effect "NoExecute"; set effect: NoExecute or leave it out' });
    }
  });

/** The fields of lib/types/pod.ts PodOptions, to spread into a section's or construct's z.object. */
export const podOptionsFields = {
  imagePullSecrets: z.array(dnsSubdomain).optional(),
  tolerations: z.array(toleration).optional(),
  priorityClassName: dnsSubdomain.optional(),
  env: z.array(envVar).optional(),
  podAnnotations: z.record(labelKey, z.string()).optional(),
  podLabels: z.record(labelKey, labelValue).optional(),
};

/** What a workload sets itself, which its pod options may not redefine. */
export interface ReservedPodFields {
  /** Environment variable names (or, ending in "*", prefixes). */
  readonly env?: readonly string[];
  /** Pod annotation keys (or prefixes ending in "*"). */
  readonly annotations?: readonly string[];
}

/** Pod label keys no workload may redefine: its selector and the recommended labels. */
const RESERVED_LABELS = ['app', 'app.kubernetes.io/*', 'triton-jetson.dev/*'];

function isReserved(name: string, reserved: readonly string[]): boolean {
  return reserved.some((r) => (r.endsWith('*') ? name.startsWith(r.slice(0, -1)) : name === r));
}

/** Refinement of a section or props object holding {@link podOptionsFields}. */
export function checkPodOptions(reserved: ReservedPodFields) {
  return (value: { env?: readonly { name: string }[]; podLabels?: Record<string, string>; podAnnotations?: Record<string, string> }, ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    (value.env ?? []).forEach((e, i) => {
      if (isReserved(e.name, reserved.env ?? [])) {
        ctx.addIssue({ code: 'custom', path: ['env', i, 'name'], message: `"${e.name}" is set by the workload itself (${(reserved.env ?? []).join(', ')}); use the setting that controls it` });
      } else if (seen.has(e.name)) {
        ctx.addIssue({ code: 'custom', path: ['env', i, 'name'], message: `"${e.name}" is listed twice; keep one entry` });
      }
      seen.add(e.name);
    });
    for (const key of Object.keys(value.podLabels ?? {})) {
      if (isReserved(key, RESERVED_LABELS)) {
        ctx.addIssue({ code: 'custom', path: ['podLabels', key], message: `is a label the stack sets (${RESERVED_LABELS.join(', ')}); choose another key` });
      }
    }
    for (const key of Object.keys(value.podAnnotations ?? {})) {
      if (isReserved(key, reserved.annotations ?? [])) {
        ctx.addIssue({ code: 'custom', path: ['podAnnotations', key], message: `is an annotation the workload sets (${(reserved.annotations ?? []).join(', ')}); choose another key` });
      }
    }
  };
}

/** What each workload sets itself. */
export const RESERVED_POD_FIELDS = {
  // NVIDIA_*: how the NVIDIA container runtime gives the pod its GPU (lib/nvidia-env.ts).
  triton: { annotations: ['prometheus.io/*'], env: ['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES'] },
  provisioner: { env: ['PROVISIONER_NAME', 'NFS_SERVER', 'NFS_PATH'] },
  seeding: { env: ['SEED_*'] },
} as const satisfies Record<string, ReservedPodFields>;
