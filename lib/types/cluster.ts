/**
 * The whole cluster description (cluster.yaml) as written and as validated, and the
 * validated settings a TritonJetsonStack renders from. cluster.example.yaml documents every
 * key with an example.
 */
import type { ModelDefinition } from '../model-types';
import type { NodesOptions, NodesSettings, SshOptions, SshSettings } from './inventory';
import type {
  HostPrepOptions, HostPrepSettings, K3sOptions, K3sSettings, KubeconfigOptions, KubeconfigSettings, NfsServerOptions,
  NfsServerSettings,
} from './k3s';
import type { SeedingOptions, SeedingSettings } from './seeding';
import type {
  FleetSettings, MetricsOptions, MetricsSettings, NetworkPolicyOptions, NetworkPolicySettings, NfsOptions, NfsSettings,
  ProvisionerOptions, ProvisionerSettings, ServiceOptions, ServiceSettings, StorageOptions, StorageSettings,
} from './stack-sections';
import type { TritonOptions, TritonSettings } from './triton';
import type { UpgradesOptions, UpgradesSettings } from './upgrades';

/**
 * The cluster description as a user writes it: every key optional, the tutorial's values by
 * default. A plain object: build it, change it, pass it to parseClusterConfig or synthYaml.
 */
export interface ClusterConfigInput {
  /**
   * Namespace of the namespaced objects.
   * @default "default"
   */
  namespace?: string;
  /**
   * Also render the Namespace object (not for Kubernetes' own namespaces such as "default").
   * @default false
   */
  createNamespace?: boolean;
  /**
   * The NFS export holding the model repository.
   * @default - 10.0.0.30:/var/nfs/general
   */
  nfs?: NfsOptions;
  /**
   * The NFS dynamic provisioner and its StorageClass.
   * @default - enabled, StorageClass nfs-client
   */
  provisioner?: ProvisionerOptions;
  /**
   * The shared claim holding the model repository.
   * @default - models-pvc, 10Gi
   */
  storage?: StorageOptions;
  /**
   * Triton: image, args, ports, resources, node selection, board profiles.
   * @default - the tutorial's image and args, sized for a 4 GB Nano
   */
  triton?: TritonOptions;
  /**
   * The NodePort Service.
   * @default - triton, NodePorts 30800-30802
   */
  service?: ServiceOptions;
  /**
   * Models seeded besides the built-in ones (same name: replaces it).
   * @default []
   */
  models?: ModelDefinition[];
  /**
   * The seeding Job.
   * @default - enabled, inception_graphdef, alpine:3.22
   */
  seeding?: SeedingOptions;
  /**
   * NetworkPolicies of the workloads.
   * @default - none
   */
  networkPolicy?: NetworkPolicyOptions;
  /**
   * A Prometheus Operator ServiceMonitor.
   * @default - none
   */
  metrics?: MetricsOptions;
  /**
   * The nodes the bootstrapper prepares.
   * @default - none described (synth needs none)
   */
  nodes?: NodesOptions;
  /**
   * SSH defaults.
   * @default - ~/.ssh/config and known_hosts
   */
  ssh?: SshOptions;
  /**
   * K3s: runtime, release, flags.
   * @default - Docker runtime, v1.34.12+k3s1
   */
  k3s?: K3sOptions;
  /**
   * Where the cluster's context is merged.
   * @default - ~/.kube/config, context triton-jetson
   */
  kubeconfig?: KubeconfigOptions;
  /**
   * Node preparation.
   * @default - nfs-common installed where missing
   */
  hostPrep?: HostPrepOptions;
  /**
   * The NFS server, when the bootstrapper prepares it.
   * @default - not managed
   */
  nfsServer?: NfsServerOptions;
  /**
   * Day-two upgrades: system-upgrade-controller Plans for `k3s.version`.
   * @default - none
   */
  upgrades?: UpgradesOptions;
}

/** The manifest sections with every default filled in, shared by {@link ClusterConfig} and {@link StackSettings}. */
export interface StackSectionSettings {
  /** Namespace of the namespaced objects. */
  namespace: string;
  /** Whether the Namespace object is rendered. */
  createNamespace: boolean;
  /** The NFS export. */
  nfs: NfsSettings;
  /** The NFS provisioner. */
  provisioner: ProvisionerSettings;
  /** The model repository claim. */
  storage: StorageSettings;
  /** Triton. */
  triton: TritonSettings;
  /** The NodePort Service. */
  service: ServiceSettings;
  /** Extra models. */
  models: ModelDefinition[];
  /** The seeding Job. */
  seeding: SeedingSettings;
  /** NetworkPolicies. */
  networkPolicy: NetworkPolicySettings;
  /** Metrics. */
  metrics: MetricsSettings;
}

/** The validated cluster description, every default filled in (what loadClusterConfig returns). */
export interface ClusterConfig extends StackSectionSettings {
  /**
   * The nodes.
   * @default - none described
   */
  nodes?: NodesSettings;
  /** SSH defaults. */
  ssh: SshSettings;
  /** K3s. */
  k3s: K3sSettings;
  /** The kubeconfig. */
  kubeconfig: KubeconfigSettings;
  /** Node preparation. */
  hostPrep: HostPrepSettings;
  /** The NFS server. */
  nfsServer: NfsServerSettings;
  /** Day-two upgrades. */
  upgrades: UpgradesSettings;
}

/** What a TritonJetsonStack renders from: its props validated, every default filled in. */
export interface StackSettings extends StackSectionSettings {
  /** Value of the app.kubernetes.io/instance label. */
  instance: string;
  /** The fleet facts. */
  fleet: FleetSettings;
}
