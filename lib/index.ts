/**
 * The public API of cdk8s-triton-jetson: the constructs and their props, the loader of the
 * cluster description, and the few helpers a cdk8s app needs. Everything else in lib/ is
 * internal and may change in any release; `api/cdk8s-triton-jetson.api.md` records this
 * surface and a test fails when it changes without the report being updated.
 *
 * Every type here is a hand-written interface (lib/types/): the typings never reach zod or
 * any other dependency of the CLI, so they type-check in a stock cdk8s app (no
 * esModuleInterop, no skipLibCheck). test/lib/public-types.test.ts checks at compile time that
 * they are exactly the input and output types of the one validator (lib/config).
 *
 * @packageDocumentation
 */

// The constructs, one per file, each with readonly props documented with their defaults.
export { TritonJetsonStack, type TritonJetsonStackProps } from './triton-jetson-stack';
export { NfsProvisioner, type NfsProvisionerProps } from './nfs-provisioner';
export { ModelStore, type ModelStoreProps } from './model-store';
export { ModelSeedJob, type ModelSeedJobProps, type ModelSeedResources } from './model-seed-job';
export { TritonDaemonSet, type TritonDaemonSetProps } from './triton-daemon-set';
export { tritonArgs, type TritonArgsOptions, type TritonPorts } from './triton-args';
export { TritonService, type TritonNodePorts, type TritonServiceProps } from './triton-service';
export { TritonNetworkPolicy, type PolicyTarget, type TritonNetworkPolicyProps } from './network-policy';
export { TritonServiceMonitor, type TritonServiceMonitorProps } from './triton-service-monitor';
export { K3sUpgradePlans, type K3sUpgradeDrain, type K3sUpgradePlansProps } from './k3s-upgrade-plans';
/** Folder of a ModelStore's claim that is Triton's model repository (what ModelSeedJob publishes, TritonDaemonSet mounts). */
export { MODEL_REPOSITORY_SUBPATH } from './seed/seed-defaults';

// The sections of the stack's props and of cluster.yaml, as written and as validated.
export type { EnvVar, EnvVarSource, KeySelector, PodOptions, Toleration } from './types/pod';
export type {
  ContainerRuntime, FleetNode, FleetOptions, FleetSettings, MetricsOptions, MetricsSettings, NetworkPolicyOptions,
  NetworkPolicySettings, NfsOptions, NfsSettings, NodePortOptions, ProvisionerOptions, ProvisionerSettings, ServiceMonitorOptions,
  ServiceMonitorSettings, ServiceOptions, ServiceSettings, StorageOptions, StorageSettings,
} from './types/stack-sections';
export type {
  TritonImageOptions, TritonVersionOptions, TritonOptions, TritonPortOptions, TritonResources, TritonResourceSettings, TritonSettings,
} from './types/triton';
export type { OptionalCatalogModelName, SeedingOptions, SeedingSettings } from './types/seeding';
export type { HostOptions, HostSettings, NodesOptions, NodesSettings, SshOptions, SshSettings } from './types/inventory';
export type {
  HostPrepOptions, HostPrepSettings, K3sOptions, K3sSettings, KubeconfigOptions, KubeconfigSettings, NfsServerOptions, NfsServerSettings,
} from './types/k3s';
export type { ClusterConfig, ClusterConfigInput, StackSectionSettings, StackSettings } from './types/cluster';
export type { PowerMode, ProfilePowerModes } from './types/power-mode';
export type {
  K3sUpgradeDrainSettings, SystemUpgradeControllerOptions, SystemUpgradeControllerSettings, UpgradesOptions, UpgradesSettings,
} from './types/upgrades';

// The cluster description: one loader and one schema for every command and construct.
export { ClusterConfigError } from './config/config-error';
export {
  loadClusterConfig, parseClusterConfig, parseClusterConfigYaml, resolveClusterConfigPath, type ClusterConfigLocation,
} from './config/cluster-config';

// Models: the catalog the seeding Job publishes and Triton's config.pbtxt.
export {
  modelCatalog, BUILTIN_MODELS, OPTIONAL_MODELS, type ModelCatalogOptions,
} from './model-catalog';
export type { ModelArchiveType, ModelDefinition, ModelDownload, ModelFileMapping, ModelInlineFile } from './model-types';
export {
  renderModelConfig,
  type ModelConfig, type ModelInput, type ModelOutput, type ModelInstanceGroup, type ModelDynamicBatching,
  type ModelVersionPolicy, type TritonDataType, type TritonTensorFormat, type TritonInstanceKind,
} from './model-config';

// Jetson generations.
export {
  BOARD_PROFILES, BOARD_PROFILE_NAMES, PROFILE_NODE_LABEL,
  type BoardProfile, type BoardProfileName, type RuntimeMode, type TritonBackend,
} from './board-profiles';

// The app: the whole stack as manifests.
export { buildApp, synthYaml, synthToDirectory, type OutputDirOptions } from './app';
export { stackPropsFromClusterConfig } from './stack-from-cluster';
