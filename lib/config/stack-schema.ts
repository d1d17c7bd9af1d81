/**
 * The Kubernetes side of the cluster description: NFS, provisioner, model store,
 * Triton and its Service. Every default is the tutorial's value.
 */
import { z } from 'zod';
import {
  compareQuantities, dnsLabel, dnsSubdomain, hostOrIp, imageRef, labelKey, labelValue, nfsExportPath, nodePort,
  parseQuantity, positiveQuantity, quantity, tcpPort,
} from './validators';
import { checkPodOptions, podOptionsFields, RESERVED_POD_FIELDS } from './pod-schema';
import { TUTORIAL_DEFAULTS } from '../tutorial-defaults';
import { BOARD_PROFILE_NAMES } from '../board-profiles';
import { readinessModelSchema, tritonVersionsSchema } from './triton-image-schema';

const D = TUTORIAL_DEFAULTS;

export const nfsSchema = z
  .object({
    /** NFS server address. */
    server: hostOrIp.default(D.nfsServer),
    /** Exported folder on the server (absolute; no whitespace, quotes, backslashes or ".."). */
    path: nfsExportPath.default(D.nfsPath),
  })
  .strict();

/** A StorageClass provisioner name such as "k8s-sigs.io/nfs-subdir-external-provisioner". */
export const provisionerNameValidator = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must look like "k8s-sigs.io/nfs-subdir-external-provisioner"');

/** The provisioner's settings: cluster.yaml's `provisioner` section and NfsProvisioner's props. */
export const provisionerFields = {
  /** Base name of the provisioner's objects (`<name>-root` is a volume name: at most 58 characters). */
  name: dnsLabel.max(58, 'must be at most 58 characters (its volume is named "<name>-root")').optional(),
  image: imageRef.default(D.provisionerImage),
  storageClassName: dnsSubdomain.default(D.storageClassName),
  provisionerName: provisionerNameValidator.default(D.provisionerName),
  /** Keep a PV's data in an "archived-" folder when its claim is deleted. */
  archiveOnDelete: z.boolean().default(true),
  reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete'),
};

export const provisionerSchema = z
  .object({
    /** Deploy the NFS dynamic provisioner; turn off when the cluster already has the StorageClass. */
    enabled: z.boolean().default(true),
    ...provisionerFields,
    ...podOptionsFields,
  })
  .strict()
  .superRefine(checkPodOptions(RESERVED_POD_FIELDS.provisioner));

export const storageSchema = z
  .object({
    claimName: dnsSubdomain.default(D.claimName),
    /** Defaults to the provisioner's StorageClass. */
    storageClassName: dnsSubdomain.optional(),
    size: positiveQuantity.default(D.storageSize),
  })
  .strict();

/**
 * Each request at most its limit, as the Triton container gets them (defaults filled in), so
 * a request above a default limit is refused here rather than by the API server.
 */
function checkRequestWithinLimit(
  resources: { memoryRequest: string; memoryLimit: string; ephemeralStorageRequest: string; ephemeralStorageLimit: string },
  ctx: z.RefinementCtx,
): void {
  const pairs = [
    ['memoryRequest', 'memoryLimit'],
    ['ephemeralStorageRequest', 'ephemeralStorageLimit'],
  ] as const;
  for (const [requestKey, limitKey] of pairs) {
    const request = resources[requestKey];
    const limit = resources[limitKey];
    if (parseQuantity(request) === undefined || parseQuantity(limit) === undefined) continue;
    if (compareQuantities(request, limit) > 0) {
      ctx.addIssue({
        code: 'custom',
        path: [requestKey],
        message: `${request} is above ${limitKey} ${limit}; lower the request or raise the limit`,
      });
    }
  }
}

/**
 * Triton's container resources (a 4 GB Jetson Nano by default), for cluster.yaml's
 * `triton.resources` and TritonDaemonSet's `resources` alike; no request may exceed its limit.
 */
export const tritonResourcesSchema = z
  .object({
    cpuRequest: quantity.default(D.tritonResources.cpuRequest),
    memoryRequest: quantity.default(D.tritonResources.memoryRequest),
    memoryLimit: positiveQuantity.default(D.tritonResources.memoryLimit),
    /** Ephemeral storage (container layer, logs) (docs/hardening.md). */
    ephemeralStorageRequest: quantity.default(D.tritonEphemeralStorage.request),
    ephemeralStorageLimit: positiveQuantity.default(D.tritonEphemeralStorage.limit),
  })
  .strict()
  .superRefine(checkRequestWithinLimit);

/**
 * Seconds a new Triton pod must be Ready, without a restart, before the DaemonSet counts it
 * available and its rolling update moves to the next board (docs/operations.md, "Triton rollout").
 */
export const minReadySeconds = z
  .number()
  .int('must be a whole number of seconds, e.g. 60')
  .min(0, 'must be 0 or more seconds (0: the next board as soon as the pod is Ready)')
  .max(3600, 'must be at most 3600 seconds: it is added to every board of a rollout (e.g. 60)');

/** A tritonserver flag of `triton.extraArgs` (and a profile's leading flags). */
export const tritonFlag = z.string().regex(/^--[a-z]/, 'must be a tritonserver flag such as "--log-verbose=1"');

export const tritonSchema = z
  .object({
    name: dnsLabel.default(D.tritonName),
    image: imageRef.default(D.tritonImage),
    imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default(D.imagePullPolicy),
    extraArgs: z.array(tritonFlag).default([]),
    /** RuntimeClass for K3s on containerd ("nvidia"); unset with Docker's default runtime. */
    runtimeClassName: dnsSubdomain.optional(),
    /** Extra node labels Triton pods require, on top of kubernetes.io/arch=arm64. */
    nodeSelector: z.record(labelKey, labelValue).default({}),
    ports: z
      .object({ http: tcpPort.default(D.tritonPorts.http), grpc: tcpPort.default(D.tritonPorts.grpc), metrics: tcpPort.default(D.tritonPorts.metrics) })
      .strict()
      .prefault({}),
    resources: tritonResourcesSchema.prefault({}),
    minReadySeconds: minReadySeconds.default(D.tritonMinReadySeconds),
    /**
     * Board profiles that get a Triton DaemonSet each (with the profiles of `nodes`); unset and no
     * node profile: the tutorial's single DaemonSet. docs/profiles.md.
     */
    profiles: z
      .array(z.enum(BOARD_PROFILE_NAMES))
      .min(1)
      .refine((list) => new Set(list).size === list.length, 'lists a profile twice; name each once')
      .optional(),
    /** Image per profile, replacing the profile's default (jetpack4 uses `image`). */
    images: z
      .object({ jetpack5: imageRef.optional(), jetpack6: imageRef.optional() })
      .strict()
      .prefault({}),
    ...podOptionsFields,
    /** Triton release of each profile's image, when its reference does not say it (docs/profiles.md). */
    tritonVersions: tritonVersionsSchema,
    /** Model whose readiness is the pod's; default: the first seeded model (docs/profiles.md). */
    readinessModel: readinessModelSchema,
  })
  .strict()
  .superRefine(checkPodOptions(RESERVED_POD_FIELDS.triton));

export const serviceSchema = z
  .object({
    name: dnsLabel.default(D.tritonName),
    nodePorts: z
      .object({ http: nodePort.default(D.nodePorts.http), grpc: nodePort.default(D.nodePorts.grpc), metrics: nodePort.default(D.nodePorts.metrics) })
      .strict()
      .prefault({}),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).default(D.externalTrafficPolicy),
  })
  .strict();

/** NetworkPolicies for Triton, the provisioner and the seeding Job (docs/hardening.md). */
export const networkPolicySchema = z
  .object({
    /** Off by default: a policy that is wrong for a site cuts Triton off from its clients. */
    enabled: z.boolean().default(false),
    /** TCP ports of the API server the provisioner may reach. */
    apiServerPorts: z.array(tcpPort).min(1).default([443, D.k3sApiPort]),
  })
  .strict();

/** Refinements across fields of the stack section (ports must not collide). */
export function checkDistinctPorts(
  ports: Record<string, number>,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = seen.get(port);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, name],
        message: `duplicates ${other} (${port}); give each port its own number`,
      });
    }
    seen.set(port, name);
  }
}

const PROMETHEUS_DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
/** Milliseconds per unit, as prometheus/common model.ParseDuration counts them (a year is 365 days). */
const DURATION_UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1].map(BigInt);

/** A Prometheus duration in milliseconds (exact), or undefined when it is not one. */
export function prometheusDurationMs(text: string): bigint | undefined {
  const m = PROMETHEUS_DURATION.exec(text);
  if (!m || text === '') return undefined;
  return [m[3], m[5], m[7], m[9], m[11], m[13], m[15]].reduce((sum, n, i) => sum + BigInt(n ?? 0) * DURATION_UNITS_MS[i], 0n);
}

/** Longest duration Prometheus holds: a Go time.Duration, 2^63 - 1 ns (about 292 years). */
const MAX_DURATION_MS = (2n ** 63n - 1n) / 1_000_000n;

/** A Prometheus duration ("30s", "1m30s", "500ms"), as the ServiceMonitor CRD's pattern has it. */
export const prometheusDuration = z
  .string()
  .regex(PROMETHEUS_DURATION, 'must be a Prometheus duration such as "30s" or "1m"')
  .refine((v) => v !== '', 'must be a Prometheus duration such as "30s" or "1m"')
  .refine((v) => (prometheusDurationMs(v) ?? 0n) <= MAX_DURATION_MS, 'must be at most 292y (what Prometheus can hold, a Go duration)');

/**
 * A scrape timeout no longer than the interval: the Prometheus Operator rejects such a
 * ServiceMonitor (prometheus-operator pkg/prometheus/resource_selector.go,
 * validateScrapeIntervalAndTimeout; Prometheus: "scrape timeout greater than scrape interval").
 */
export function checkScrapeTimeout(monitor: { readonly interval: string; readonly scrapeTimeout?: string }, ctx: z.RefinementCtx): void {
  if (monitor.scrapeTimeout === undefined) return;
  const interval = prometheusDurationMs(monitor.interval);
  const timeout = prometheusDurationMs(monitor.scrapeTimeout);
  if (interval !== undefined && timeout !== undefined && interval > 0n && timeout > interval) {
    ctx.addIssue({ code: 'custom', path: ['scrapeTimeout'], message: `${monitor.scrapeTimeout} is longer than interval ${monitor.interval}; the Prometheus Operator rejects that ServiceMonitor, give at most the interval` });
  }
}

/** Metrics for Prometheus users (lib/triton-service-monitor.ts, docs/metrics.md). */
export const metricsSchema = z
  .object({
    serviceMonitor: z
      .object({
        /** Off by default: the ServiceMonitor kind exists only where the Prometheus Operator is installed. */
        enabled: z.boolean().default(false),
        interval: prometheusDuration.default('30s'),
        scrapeTimeout: prometheusDuration.optional(),
        /** Labels the Prometheus resource's serviceMonitorSelector looks for, e.g. release: kube-prometheus-stack. */
        labels: z.record(labelKey, labelValue).default({}),
      })
      .strict()
      .superRefine(checkScrapeTimeout)
      .prefault({}),
  })
  .strict();
