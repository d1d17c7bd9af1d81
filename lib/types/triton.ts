/**
 * Triton's section of cluster.yaml and TritonJetsonStackProps (`triton`), as written and as
 * validated (see stack-sections.ts for the conventions).
 */
import type { TritonPorts } from '../triton-args';
import type { PodOptions } from './pod';

/** Resource requests and limits of the Triton container (a 4 GB Jetson Nano by default). */

/** The Triton release (e.g. "2.19.0", not NGC's "22.02") in each profile's image. */
export interface TritonVersionOptions {
  /**
   * Release in the jetpack4 image.
   * @default - told by its tag
   */
  jetpack4?: string;
  /**
   * Release in the jetpack5 image.
   * @default - told by its tag
   */
  jetpack5?: string;
  /**
   * Release in the jetpack6 image.
   * @default - told by its tag
   */
  jetpack6?: string;
}

/** Requests and limits of the Triton container; each quantity left out keeps its default. */
export interface TritonResources {
  /**
   * CPU request; no CPU limit is set, so Triton may use idle cores.
   * @default "1"
   */
  readonly cpuRequest?: string;
  /**
   * Memory request.
   * @default "1536Mi"
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit (the Nano's 4 GB are shared between CPU and GPU).
   * @default "3Gi"
   */
  readonly memoryLimit?: string;
  /**
   * Ephemeral-storage request (container layer: Triton's /tmp and caches; logs).
   * @default "256Mi"
   */
  readonly ephemeralStorageRequest?: string;
  /**
   * Ephemeral-storage limit; past it the kubelet evicts the pod, so it is generous.
   * @default "2Gi"
   */
  readonly ephemeralStorageLimit?: string;
}

/** {@link TritonResources} with every default filled in. */
export interface TritonResourceSettings {
  /** CPU request. */
  cpuRequest: string;
  /** Memory request. */
  memoryRequest: string;
  /** Memory limit. */
  memoryLimit: string;
  /** Ephemeral-storage request. */
  ephemeralStorageRequest: string;
  /** Ephemeral-storage limit. */
  ephemeralStorageLimit: string;
}

/** Triton's container ports (cluster.yaml `triton.ports`); flags are passed for those that differ from Triton's own. */
export interface TritonPortOptions {
  /**
   * KServe v2 HTTP/REST.
   * @default 8000
   */
  readonly http?: number;
  /**
   * KServe v2 gRPC.
   * @default 8001
   */
  readonly grpc?: number;
  /**
   * Prometheus metrics.
   * @default 8002
   */
  readonly metrics?: number;
}

/** Triton image per board profile, replacing the profile's default (jetpack4 uses `triton.image`). */
export interface TritonImageOptions {
  /**
   * Image for jetpack5 boards.
   * @default - our recipe's 5.1.2 build (docs/profiles.md)
   */
  readonly jetpack5?: string;
  /**
   * Image for jetpack6 boards.
   * @default "nvcr.io/nvidia/tritonserver:25.03-py3-igpu"
   */
  readonly jetpack6?: string;
}

/** Triton: image, args, ports, resources, node selection, board profiles (cluster.yaml `triton`). */
export interface TritonOptions extends PodOptions {
  /**
   * Name of the DaemonSet and value of the pods' `app` label (`<name>-<profile>` per profile).
   * @default "triton"
   */
  readonly name?: string;
  /**
   * Triton image for Jetson (linux/arm64), for the tutorial's boards (and jetpack4).
   * @default "janakiramm/triton-jetson"
   */
  readonly image?: string;
  /**
   * Image pull policy (IfNotPresent: air-gapped nodes may have the image loaded by hand).
   * @default "IfNotPresent"
   */
  readonly imagePullPolicy?: 'IfNotPresent' | 'Always' | 'Never';
  /**
   * Extra tritonserver flags, e.g. "--log-verbose=1".
   * @default []
   */
  readonly extraArgs?: string[];
  /**
   * RuntimeClass of the pods.
   * @default - "nvidia" with K3s on containerd, none with Docker's default runtime
   */
  readonly runtimeClassName?: string;
  /**
   * Node labels Triton pods require besides kubernetes.io/arch=arm64, e.g. triton-jetson.dev/jetson: "true".
   * @default {}
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Container ports.
   * @default { http: 8000, grpc: 8001, metrics: 8002 }
   */
  readonly ports?: TritonPortOptions;
  /**
   * Requests and limits of the Triton container.
   * @default - sized for a 4 GB Jetson Nano (per profile: by the boards' memory)
   */
  readonly resources?: TritonResources;
  /**
   * Seconds a new Triton pod must stay Ready before a rolling update moves to the next board
   * (0-3600; docs/operations.md, "Triton rollout").
   * @default 60
   */
  readonly minReadySeconds?: number;
  /**
   * Triton release of each profile's image (e.g. `{ jetpack5: "2.35.0" }`), for an image whose
   * reference does not say it; decides which backends the image has (docs/profiles.md).
   * @default - told by the image's tag (the tutorial's image, this project's recipe, NGC `-py3-igpu`)
   */
  readonly tritonVersions?: TritonVersionOptions;
  /**
   * Model whose readiness is the pod's readiness (`/v2/models/<model>/ready`); must be one the stack seeds.
   * @default - the first seeded model; with seeding off, Triton's `/v2/health/ready`
   */
  readonly readinessModel?: string;
  /**
   * Board profiles that get a Triton DaemonSet each (with the profiles of the nodes), docs/profiles.md.
   * @default - the nodes' profiles; none: the tutorial's single DaemonSet
   */
  readonly profiles?: ('jetpack4' | 'jetpack5' | 'jetpack6')[];
  /**
   * Image per profile.
   * @default - each profile's image
   */
  readonly images?: TritonImageOptions;
}

/** {@link TritonOptions} with every default filled in. */
export interface TritonSettings extends PodOptions {
  /** Name of the DaemonSet. */
  name: string;
  /** Triton image. */
  image: string;
  /** Image pull policy. */
  imagePullPolicy: 'IfNotPresent' | 'Always' | 'Never';
  /** Extra tritonserver flags. */
  extraArgs: string[];
  /**
   * RuntimeClass of the pods.
   * @default - "nvidia" with K3s on containerd
   */
  runtimeClassName?: string;
  /** Extra node labels the pods require. */
  nodeSelector: Readonly<Record<string, string>>;
  /** Container ports. */
  ports: TritonPorts;
  /** Requests and limits. */
  resources: TritonResourceSettings;
  /** Seconds a new pod stays Ready before the rollout moves on. */
  minReadySeconds: number;
  /** Triton release of each profile's image, where declared. */
  tritonVersions: TritonVersionOptions;
  /**
   * Model whose readiness is the pod's.
   * @default - the first seeded model
   */
  readinessModel?: string;
  /**
   * Board profiles listed explicitly.
   * @default - the nodes' profiles
   */
  profiles?: ('jetpack4' | 'jetpack5' | 'jetpack6')[];
  /** Image per profile. */
  images: TritonImageOptions;
}
