/**
 * The manifest sections of cluster.yaml and of TritonJetsonStackProps, as written (every
 * field optional: `…Options`) and as validated with every default filled in (`…Settings`).
 * lib/config validates them (one set of rules); test/lib/public-types.test.ts checks at
 * compile time that these interfaces and the schemas' input and output types are the same.
 */
import type { PodOptions } from './pod';

/** The NFS export holding the model repository (cluster.yaml `nfs`). */
export interface NfsOptions {
  /**
   * NFS server address: an IPv4 address or a hostname.
   * @default "10.0.0.30"
   */
  readonly server?: string;
  /**
   * Exported folder on the server (absolute; no whitespace, quotes, backslashes or "..").
   * @default "/var/nfs/general"
   */
  readonly path?: string;
}

/** {@link NfsOptions} with every default filled in. */
export interface NfsSettings {
  /** NFS server address. */
  server: string;
  /** Exported folder on the server. */
  path: string;
}

/** The NFS dynamic provisioner and its StorageClass (cluster.yaml `provisioner`). */
export interface ProvisionerOptions extends PodOptions {
  /**
   * Base name of its objects (ServiceAccount, Deployment, `<name>-runner`, ...) and its pods' `app` label.
   * @default "nfs-subdir-external-provisioner" (with a stack's `instance`: "<instance>-nfs-subdir-external-provisioner")
   */
  readonly name?: string;
  /**
   * Deploy the provisioner; turn off when the cluster already has the StorageClass.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Provisioner image (multi-arch, including linux/arm64).
   * @default "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2"
   */
  readonly image?: string;
  /**
   * Name of the StorageClass it serves.
   * @default "nfs-client"
   */
  readonly storageClassName?: string;
  /**
   * Provisioner name written into the StorageClass.
   * @default "k8s-sigs.io/nfs-subdir-external-provisioner"
   */
  readonly provisionerName?: string;
  /**
   * Keep a deleted claim's data in an "archived-" folder.
   * @default true
   */
  readonly archiveOnDelete?: boolean;
  /**
   * Reclaim policy of provisioned volumes.
   * @default "Delete"
   */
  readonly reclaimPolicy?: 'Delete' | 'Retain';
}

/** {@link ProvisionerOptions} with every default filled in. */
export interface ProvisionerSettings extends PodOptions {
  /**
   * Base name of its objects.
   * @default "nfs-subdir-external-provisioner"
   */
  name?: string;
  /** Whether the provisioner is deployed. */
  enabled: boolean;
  /** Provisioner image. */
  image: string;
  /** Name of the StorageClass. */
  storageClassName: string;
  /** Provisioner name in the StorageClass. */
  provisionerName: string;
  /** Keep a deleted claim's data. */
  archiveOnDelete: boolean;
  /** Reclaim policy of provisioned volumes. */
  reclaimPolicy: 'Delete' | 'Retain';
}

/** The shared claim holding the model repository (cluster.yaml `storage`). */
export interface StorageOptions {
  /**
   * Name of the PersistentVolumeClaim.
   * @default "models-pvc"
   */
  readonly claimName?: string;
  /**
   * StorageClass of the claim; it must offer ReadWriteMany.
   * @default - the provisioner's StorageClass
   */
  readonly storageClassName?: string;
  /**
   * Requested size, a Kubernetes quantity.
   * @default "10Gi"
   */
  readonly size?: string;
}

/** {@link StorageOptions} with every default filled in. */
export interface StorageSettings {
  /** Name of the claim. */
  claimName: string;
  /**
   * StorageClass of the claim.
   * @default - the provisioner's StorageClass
   */
  storageClassName?: string;
  /** Requested size. */
  size: string;
}

/** NodePorts of the Service, each within 30000-32767 (cluster.yaml `service.nodePorts`). */
export interface NodePortOptions {
  /**
   * NodePort of the HTTP/REST endpoint.
   * @default 30800
   */
  readonly http?: number;
  /**
   * NodePort of the gRPC endpoint.
   * @default 30801
   */
  readonly grpc?: number;
  /**
   * NodePort of the metrics endpoint.
   * @default 30802
   */
  readonly metrics?: number;
}

/** The NodePort Service in front of every Triton (cluster.yaml `service`). */
export interface ServiceOptions {
  /**
   * Name of the Service.
   * @default "triton"
   */
  readonly name?: string;
  /**
   * NodePorts of the three endpoints.
   * @default { http: 30800, grpc: 30801, metrics: 30802 }
   */
  readonly nodePorts?: NodePortOptions;
  /**
   * "Local" keeps a request on the node it arrived at; "Cluster" spreads requests over every Triton.
   * @default "Cluster"
   */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
}

/** {@link ServiceOptions} with every default filled in. */
export interface ServiceSettings {
  /** Name of the Service. */
  name: string;
  /** NodePorts of the three endpoints. */
  nodePorts: { readonly http: number; readonly grpc: number; readonly metrics: number };
  /** External traffic policy. */
  externalTrafficPolicy: 'Cluster' | 'Local';
}

/** NetworkPolicies of the workloads (cluster.yaml `networkPolicy`, docs/hardening.md). */
export interface NetworkPolicyOptions {
  /**
   * Render one NetworkPolicy per workload (off: a policy wrong for a site cuts Triton off).
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * TCP ports of the API server the provisioner may reach.
   * @default [443, 6443]
   */
  readonly apiServerPorts?: number[];
}

/** {@link NetworkPolicyOptions} with every default filled in. */
export interface NetworkPolicySettings {
  /** Whether the policies are rendered. */
  enabled: boolean;
  /** TCP ports of the API server. */
  apiServerPorts: number[];
}

/** A Prometheus Operator ServiceMonitor (cluster.yaml `metrics.serviceMonitor`, docs/metrics.md). */
export interface ServiceMonitorOptions {
  /**
   * Render it (only where the Prometheus Operator's CRD is installed).
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Scrape interval, a Prometheus duration such as "30s".
   * @default "30s"
   */
  readonly interval?: string;
  /**
   * Scrape timeout, a Prometheus duration.
   * @default - Prometheus' global scrape timeout
   */
  readonly scrapeTimeout?: string;
  /**
   * Labels the Prometheus resource's serviceMonitorSelector looks for, e.g. release: kube-prometheus-stack.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** {@link ServiceMonitorOptions} with every default filled in. */
export interface ServiceMonitorSettings {
  /** Whether it is rendered. */
  enabled: boolean;
  /** Scrape interval. */
  interval: string;
  /**
   * Scrape timeout.
   * @default - Prometheus' global scrape timeout
   */
  scrapeTimeout?: string;
  /** Extra labels. */
  labels: Readonly<Record<string, string>>;
}

/** Metrics for Prometheus users (cluster.yaml `metrics`). */
export interface MetricsOptions {
  /**
   * The optional ServiceMonitor.
   * @default - none (the pods' prometheus.io annotations stay)
   */
  readonly serviceMonitor?: ServiceMonitorOptions;
}

/** {@link MetricsOptions} with every default filled in. */
export interface MetricsSettings {
  /** The optional ServiceMonitor. */
  serviceMonitor: ServiceMonitorSettings;
}

/** K3s' container runtime: Docker with "nvidia" as default runtime (the tutorial), or K3s' containerd. */
export type ContainerRuntime = 'docker' | 'containerd';

/** One board, as far as the manifests care. */
export interface FleetNode {
  /** Node name. */
  readonly name: string;
  /**
   * Board generation ("jetpack4", "jetpack5" or "jetpack6"): one Triton DaemonSet per profile.
   * @default - none (the tutorial's single DaemonSet)
   */
  readonly profile?: 'jetpack4' | 'jetpack5' | 'jetpack6';
  /**
   * Board memory, e.g. "8Gi" (sizes Triton on its profile's boards).
   * @default - the profile's smallest board
   */
  readonly memory?: string;
}

/** The fleet facts the manifests depend on (from cluster.yaml's `k3s` and `nodes`). */
export interface FleetOptions {
  /**
   * K3s' container runtime: containerd gives Triton the "nvidia" RuntimeClass.
   * @default "docker"
   */
  readonly runtime?: ContainerRuntime;
  /**
   * The boards; a profile per board gives one Triton DaemonSet per profile.
   * @default []
   */
  readonly nodes?: FleetNode[];
}

/** {@link FleetOptions} with every default filled in. */
export interface FleetSettings {
  /** K3s' container runtime. */
  runtime: ContainerRuntime;
  /** The boards. */
  nodes: FleetNode[];
}
