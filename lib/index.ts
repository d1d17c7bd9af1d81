/**
 * The public API of cdk8s-triton-jetson: the constructs and their props, the loader of the
 * cluster description, and the few helpers a cdk8s app needs. Everything else in lib/ is
 * internal and may change in any release; `api/cdk8s-triton-jetson.api.md` records this
 * surface and a test fails when it changes without the report being updated.
 */

// The constructs, one per file, each with readonly props documented with their defaults.
export { TritonJetsonStack, type TritonJetsonStackProps } from './triton-jetson-stack';
export { NfsProvisioner, type NfsProvisionerProps } from './nfs-provisioner';
export { ModelStore, type ModelStoreProps } from './model-store';
export { ModelSeedJob, type ModelSeedJobProps, type ModelSeedResources } from './model-seed-job';
export {
  TritonDaemonSet, type TritonDaemonSetProps, type TritonResources,
} from './triton-daemon-set';
export { tritonArgs, type TritonArgsOptions, type TritonPorts } from './triton-args';
export { TritonService, type TritonNodePorts, type TritonServiceProps } from './triton-service';
export { TritonNetworkPolicy, type PolicyTarget, type TritonNetworkPolicyProps } from './network-policy';
export { TritonServiceMonitor, type TritonServiceMonitorProps } from './triton-service-monitor';
export { K3sUpgradePlans, type K3sUpgradeDrain, type K3sUpgradePlansProps } from './k3s-upgrade-plans';

// The cluster description: one loader and one schema for every command and construct.
export {
  ClusterConfigError, loadClusterConfig, parseClusterConfig, parseClusterConfigYaml, resolveClusterConfigPath,
  type ClusterConfig, type ClusterConfigInput, type ClusterConfigLocation, type StackSettings, type StackSettingsInput,
} from './config';

// Models: the catalog the seeding Job publishes and Triton's config.pbtxt.
export {
  modelCatalog, BUILTIN_MODELS, OPTIONAL_MODELS,
  type ModelCatalogOptions, type ModelDefinition, type ModelDownload, type ModelFileMapping, type ModelInlineFile,
  type ModelArchiveType,
} from './model-catalog';
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
export { buildApp, synthYaml, synthToDirectory } from './app';
export { stackPropsFromClusterConfig } from './stack-from-cluster';
