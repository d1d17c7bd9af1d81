/**
 * Props of the constructs, validated with the same pieces as the cluster description (see
 * parseConstructProps): a construct used directly from another cdk8s app accepts exactly
 * what cluster.yaml accepts. Every field is optional, as in the props interfaces; the
 * defaults their `@default` lines name are filled in here, so a construct reads them from
 * the parsed props instead of repeating `?? TUTORIAL_DEFAULTS.x`. A namespace left out is the
 * Chart's (resolved by the construct, lib/namespace.ts). References to other constructs
 * (`modelStore`, `seedJob`, `triton`, `service`) are checked by the construct itself.
 */
import { Duration } from 'cdk8s';
import { z } from 'zod';
import { checkPodOptions, podOptionsFields, RESERVED_POD_FIELDS } from './pod-schema';
import { readinessModelSchema } from './triton-image-schema';
import {
  checkDistinctPorts, checkScrapeTimeout, minReadySeconds, nfsSchema, prometheusDuration, provisionerFields, tritonFlag,
  tritonResourcesSchema,
} from './stack-schema';
import { dnsLabel, dnsSubdomain, imageRef, labelKey, labelValue, nodePort, positiveQuantity, tcpPort, volumeSubPath } from './validators';
import { TUTORIAL_DEFAULTS } from '../tutorial-defaults';

const D = TUTORIAL_DEFAULTS;

/** The http/grpc/metrics trio, each a valid port of `port`'s kind. */
function portTrio(port: typeof tcpPort | typeof nodePort) {
  return z.object({ http: port, grpc: port, metrics: port }).strict();
}

/** Props of NfsProvisioner. */
export const nfsProvisionerPropsSchema = z
  .object({
    nfsServer: nfsSchema.shape.server,
    nfsPath: nfsSchema.shape.path,
    namespace: dnsLabel.optional(),
    ...provisionerFields,
    ...podOptionsFields,
  })
  .strict()
  .superRefine(checkPodOptions(RESERVED_POD_FIELDS.provisioner));

/** Props of ModelStore. */
export const modelStorePropsSchema = z
  .object({
    claimName: dnsSubdomain.default(D.claimName),
    namespace: dnsLabel.optional(),
    storageClassName: dnsSubdomain.optional(),
    size: positiveQuantity.default(D.storageSize),
  })
  .strict();

/** Props of TritonService. */
export const tritonServicePropsSchema = z
  .object({
    name: dnsLabel.default(D.tritonName),
    namespace: dnsLabel.optional(),
    selector: z.record(labelKey, labelValue).optional(),
    targetPorts: portTrio(tcpPort).optional(),
    nodePorts: portTrio(nodePort).default(D.nodePorts),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).default(D.externalTrafficPolicy),
  })
  .strict()
  .superRefine((props, ctx) => {
    if (props.targetPorts) checkDistinctPorts(props.targetPorts, ['targetPorts'], ctx);
    checkDistinctPorts(props.nodePorts, ['nodePorts'], ctx);
  });

/** Triton's container ports as construct props (any valid, distinct TCP ports). */
export const tritonPortsPropsSchema = portTrio(tcpPort).superRefine((ports, ctx) => checkDistinctPorts(ports, [], ctx));

/** The props of TritonDaemonSet (lib/triton-daemon-set.ts), with cluster.yaml's rules for each field. */
export const tritonDaemonSetPropsSchema = z
  .object({
    name: dnsLabel.default(D.tritonName),
    namespace: dnsLabel.optional(),
    image: imageRef.default(D.tritonImage),
    imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default(D.imagePullPolicy),
    claimName: dnsSubdomain.optional(),
    modelRepositorySubPath: z.union([z.literal(''), volumeSubPath]).optional(),
    // tritonserver parses --repository-poll-secs as an int; a day is longer than any sensible poll.
    repositoryPollSeconds: z.number().int('must be a whole number of seconds').min(1, 'must be at least 1 second').max(86400, 'must be at most 86400 seconds (a day)').optional(),
    extraArgs: z.array(tritonFlag).optional(),
    runtimeClassName: dnsSubdomain.optional(),
    nodeSelector: z.record(labelKey, labelValue).optional(),
    avoidNodeLabels: z.record(labelKey, z.array(labelValue).min(1)).optional(),
    ports: tritonPortsPropsSchema.default(D.tritonPorts),
    resources: tritonResourcesSchema.prefault({}),
    minReadySeconds: minReadySeconds.default(D.tritonMinReadySeconds),
    // Becomes the startup probe's failureThreshold (an int32): a day bounds it far below that.
    startupTimeout: z.custom<Duration>((v) => v instanceof Duration, 'must be a cdk8s Duration, e.g. Duration.minutes(10)')
      .refine((d) => d.toSeconds() >= 10 && d.toSeconds() <= 86400, 'must be between 10 seconds and 24 hours, e.g. Duration.minutes(10)')
      .default(() => Duration.minutes(10)),
    seccompProfile: z.enum(['RuntimeDefault', 'Unconfined']).default('RuntimeDefault'),
    appLabel: labelValue.optional(),
    selectorLabels: z.record(labelKey, labelValue).optional(),
    command: z.array(z.string().min(1)).min(1).optional(),
    argsPrefix: z.array(z.string().min(1)).optional(),
    readinessModel: readinessModelSchema,
    leadingArgs: z.array(tritonFlag).optional(),
    ...podOptionsFields,
  })
  .strict()
  .superRefine(checkPodOptions(RESERVED_POD_FIELDS.triton));

/** Pods of one workload, as NetworkPolicy props: a non-empty set of valid labels. */
const policyTargetFields = {
  podSelector: z.record(labelKey, labelValue).refine((labels) => Object.keys(labels).length > 0, 'select the workload by at least one label (an empty selector would confine every pod of the namespace)'),
};

/** The props of TritonNetworkPolicy (lib/network-policy.ts). */
export const tritonNetworkPolicyPropsSchema = z
  .object({
    namespace: dnsLabel.optional(),
    name: dnsLabel.default('triton-jetson'),
    triton: z.object({ ...policyTargetFields, ports: tritonPortsPropsSchema.optional() }).strict(),
    provisioner: z.object(policyTargetFields).strict().optional(),
    modelSeed: z.object({ ...policyTargetFields, egressPorts: z.array(tcpPort).min(1).optional() }).strict().optional(),
    apiServerPorts: z.array(tcpPort).min(1).optional(),
  })
  .strict();

/** The props of TritonServiceMonitor (lib/triton-service-monitor.ts). */
export const tritonServiceMonitorPropsSchema = z
  .object({
    serviceName: dnsLabel.optional(),
    namespace: dnsLabel.optional(),
    interval: prometheusDuration.default('30s'),
    scrapeTimeout: prometheusDuration.optional(),
    labels: z.record(labelKey, labelValue).default({}),
  })
  .strict()
  .superRefine(checkScrapeTimeout);
