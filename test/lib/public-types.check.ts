/**
 * Compile-time proof that the public, hand-written types (lib/types/, the props interfaces)
 * are exactly the input and output types of the one validator (lib/config's zod schemas):
 * same keys, same optionality, same value types, in both directions. A field added to a
 * schema but not to its interface (or the other way round), a default added or dropped, a
 * changed enum: `tsc` fails on the line naming the pair. test/lib/public-types.test.ts runs
 * tsc on this file (jest itself only transpiles), with negative controls.
 *
 * When a check fails: change the interface in lib/types/ (or the props interface) together
 * with the schema, with a JSDoc sentence and its @default.
 */
import type { Duration } from 'cdk8s';
import type { z } from 'zod';
import type {
  BoardProfileName, ClusterConfig, ClusterConfigInput, FleetOptions, FleetSettings, MetricsOptions, MetricsSettings,
  ModelArchiveType, ModelDefinition, ModelSeedJobProps, ModelStoreProps, NetworkPolicyOptions, NetworkPolicySettings,
  NfsOptions, NfsProvisionerProps, NfsSettings, OptionalCatalogModelName, PodOptions, ProvisionerOptions,
  ProvisionerSettings, SeedingOptions, SeedingSettings, ServiceOptions, ServiceSettings, StackSettings, StorageOptions,
  StorageSettings, TritonDaemonSetProps, TritonDataType, TritonInstanceKind, TritonJetsonStackProps,
  TritonNetworkPolicyProps, TritonOptions, TritonServiceMonitorProps, TritonServiceProps, TritonSettings,
  TritonTensorFormat,
} from '../../lib';
import type { clusterConfigSchema } from '../../lib/config/cluster-schema';
import type {
  modelStorePropsSchema, nfsProvisionerPropsSchema, tritonDaemonSetPropsSchema, tritonNetworkPolicyPropsSchema,
  tritonServiceMonitorPropsSchema, tritonServicePropsSchema,
} from '../../lib/config/construct-props-schema';
import type { MODEL_ARCHIVE_TYPES, modelSchema, OPTIONAL_CATALOG_MODEL_NAMES } from '../../lib/config/models-schema';
import type { podOptionsFields } from '../../lib/config/pod-schema';
import type { modelSeedJobPropsSchema, seedingSchema } from '../../lib/config/seeding-schema';
import type {
  metricsSchema, networkPolicySchema, nfsSchema, provisionerSchema, serviceSchema, storageSchema, tritonSchema,
} from '../../lib/config/stack-schema';
import type { fleetSchema, stackPropsSchema } from '../../lib/config/stack-props-schema';
import type { BOARD_PROFILE_NAMES } from '../../lib/board-profiles';
import type { ModelSeedJob, NfsProvisioner, TritonDaemonSet } from '../../lib';
import type { TRITON_DATA_TYPES, TRITON_INSTANCE_KINDS, TRITON_TENSOR_FORMATS } from '../../lib/model-config';

/**
 * T with readonly modifiers removed and intersections flattened, deeply (readonly arrays
 * are arrays): what is compared is the shape, not how it is spelled.
 */
type Shape<T> = T extends Duration | ((...args: never[]) => unknown)
  ? T
  : T extends readonly (infer U)[]
    ? Shape<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: Shape<T[K]> }
      : T;

/** True when A and B have the same shape: same keys, same optionality, same value types. */
export type Same<A, B> = (<T>() => T extends Shape<A> ? 1 : 2) extends (<T>() => T extends Shape<B> ? 1 : 2) ? true : false;

type In<S extends z.ZodType> = z.input<S>;
type Out<S extends z.ZodType> = z.output<S>;

/** Every entry must be `true`; a `false` is a drift between the interface and its schema. */
export interface Checks {
  // cluster.yaml, whole and by section: as written, and as validated.
  clusterInput: Same<ClusterConfigInput, In<typeof clusterConfigSchema>>;
  clusterOutput: Same<ClusterConfig, Out<typeof clusterConfigSchema>>;
  nfsIn: Same<NfsOptions, In<typeof nfsSchema>>;
  nfsOut: Same<NfsSettings, Out<typeof nfsSchema>>;
  provisionerIn: Same<ProvisionerOptions, In<typeof provisionerSchema>>;
  provisionerOut: Same<ProvisionerSettings, Out<typeof provisionerSchema>>;
  storageIn: Same<StorageOptions, In<typeof storageSchema>>;
  storageOut: Same<StorageSettings, Out<typeof storageSchema>>;
  tritonIn: Same<TritonOptions, In<typeof tritonSchema>>;
  tritonOut: Same<TritonSettings, Out<typeof tritonSchema>>;
  serviceIn: Same<ServiceOptions, In<typeof serviceSchema>>;
  serviceOut: Same<ServiceSettings, Out<typeof serviceSchema>>;
  seedingIn: Same<SeedingOptions, In<typeof seedingSchema>>;
  seedingOut: Same<SeedingSettings, Out<typeof seedingSchema>>;
  networkPolicyIn: Same<NetworkPolicyOptions, In<typeof networkPolicySchema>>;
  networkPolicyOut: Same<NetworkPolicySettings, Out<typeof networkPolicySchema>>;
  metricsIn: Same<MetricsOptions, In<typeof metricsSchema>>;
  metricsOut: Same<MetricsSettings, Out<typeof metricsSchema>>;
  fleetIn: Same<FleetOptions, In<typeof fleetSchema>>;
  fleetOut: Same<FleetSettings, Out<typeof fleetSchema>>;
  modelIn: Same<ModelDefinition, In<typeof modelSchema>>;
  modelOut: Same<ModelDefinition, Out<typeof modelSchema>>;
  podOptions: Same<PodOptions, In<z.ZodObject<typeof podOptionsFields>>>;

  // The stack: its props as written; its settings as validated (the namespace is resolved from
  // the Chart after validation, so the schema leaves it optional).
  stackIn: Same<TritonJetsonStackProps, In<typeof stackPropsSchema>>;
  stackOut: Same<Omit<StackSettings, 'namespace'> & { namespace?: string }, Out<typeof stackPropsSchema>>;

  // The building blocks' props; references to other constructs are checked by the constructs.
  nfsProvisionerProps: Same<NfsProvisionerProps, In<typeof nfsProvisionerPropsSchema>>;
  modelStoreProps: Same<Omit<ModelStoreProps, 'provisioner'>, In<typeof modelStorePropsSchema>>;
  modelSeedJobProps: Same<Omit<ModelSeedJobProps, 'modelStore'>, In<typeof modelSeedJobPropsSchema>>;
  tritonDaemonSetProps: Same<Omit<TritonDaemonSetProps, 'modelStore' | 'seedJob'>, In<typeof tritonDaemonSetPropsSchema>>;
  tritonServiceProps: Same<Omit<TritonServiceProps, 'triton'>, In<typeof tritonServicePropsSchema>>;
  tritonServiceMonitorProps: Same<Omit<TritonServiceMonitorProps, 'service'>, In<typeof tritonServiceMonitorPropsSchema>>;
  // The targets as written (the constructs themselves are turned into them before parsing).
  tritonNetworkPolicyProps: Same<
    { [K in keyof TritonNetworkPolicyProps]: Exclude<TritonNetworkPolicyProps[K], TritonDaemonSet | NfsProvisioner | ModelSeedJob> },
    In<typeof tritonNetworkPolicyPropsSchema>>;

  // Enumerations written out by hand beside the constant lists the schemas use.
  archiveTypes: Same<ModelArchiveType, (typeof MODEL_ARCHIVE_TYPES)[number]>;
  catalogModels: Same<OptionalCatalogModelName, (typeof OPTIONAL_CATALOG_MODEL_NAMES)[number]>;
  boardProfiles: Same<BoardProfileName, (typeof BOARD_PROFILE_NAMES)[number]>;
  dataTypes: Same<TritonDataType, (typeof TRITON_DATA_TYPES)[number]>;
  tensorFormats: Same<TritonTensorFormat, (typeof TRITON_TENSOR_FORMATS)[number]>;
  instanceKinds: Same<TritonInstanceKind, (typeof TRITON_INSTANCE_KINDS)[number]>;
}

/** Fails to compile, naming the check, unless every check is true. */
export const CHECKS: { [K in keyof Checks]: Checks[K] extends true ? true : ['drift between the public type and its schema:', K] } = {
  clusterInput: true, clusterOutput: true, nfsIn: true, nfsOut: true, provisionerIn: true, provisionerOut: true,
  storageIn: true, storageOut: true, tritonIn: true, tritonOut: true, serviceIn: true, serviceOut: true, seedingIn: true,
  seedingOut: true, networkPolicyIn: true, networkPolicyOut: true, metricsIn: true, metricsOut: true, fleetIn: true,
  fleetOut: true, modelIn: true, modelOut: true, podOptions: true, stackIn: true, stackOut: true, nfsProvisionerProps: true,
  modelStoreProps: true, modelSeedJobProps: true, tritonDaemonSetProps: true, tritonServiceProps: true,
  tritonServiceMonitorProps: true, tritonNetworkPolicyProps: true, archiveTypes: true, catalogModels: true,
  boardProfiles: true, dataTypes: true, tensorFormats: true, instanceKinds: true,
};

// Negative controls: the comparison catches each kind of drift (an expected error that does
// not occur fails tsc, so these lines prove that the checks above can fail).
// @ts-expect-error a field the schema has but the interface lacks
export const missingField: Same<Omit<NfsOptions, 'path'>, In<typeof nfsSchema>> = true;
// @ts-expect-error an optional field the schema does not have
export const extraOptionalField: Same<NfsOptions & { readonly port?: number }, In<typeof nfsSchema>> = true;
// @ts-expect-error a default the interface does not reflect (required in the output)
export const optionalInOutput: Same<Partial<NfsSettings>, Out<typeof nfsSchema>> = true;
// @ts-expect-error a narrower value type
export const narrowerType: Same<Omit<ServiceOptions, 'externalTrafficPolicy'> & { readonly externalTrafficPolicy?: 'Local' }, In<typeof serviceSchema>> = true;
