/**
 * The seeding Job's section of cluster.yaml and TritonJetsonStackProps (`seeding`), as
 * written and as validated (see stack-sections.ts for the conventions; docs/seeding.md).
 */
import type { PodOptions } from './pod';

/** Models of the catalog that are seeded only when `seeding.catalogModels` lists them. */
export type OptionalCatalogModelName = 'densenet_onnx';

/** The Job that seeds the model repository (cluster.yaml `seeding`). */
export interface SeedingOptions extends PodOptions {
  /**
   * Deploy the seeding Job; turn off to manage the repository by hand.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Seed the built-in models (inception_graphdef) besides those under `models`.
   * @default true
   */
  readonly builtinModels?: boolean;
  /**
   * Catalog models seeded only when listed: "densenet_onnx", which every board profile loads.
   * @default []
   */
  readonly catalogModels?: OptionalCatalogModelName[];
  /**
   * Base URL of a LAN mirror: each download is fetched from `<mirror>/<file name of its url>`.
   * @default - each download's own URL
   */
  readonly mirror?: string;
  /**
   * Image of the Job: needs sh, wget or curl (TLS), tar, gzip, sha256sum and timeout, for arm64.
   * @default "alpine:3.22"
   */
  readonly image?: string;
  /**
   * Seconds one download may take before the attempt fails (and is retried).
   * @default 900
   */
  readonly downloadTimeoutSeconds?: number;
  /**
   * Seconds after which the Job, all retries included, fails.
   * @default 3600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * User (and group) the Job runs as; see docs/seeding.md on NFS root_squash.
   * @default 65534
   */
  readonly runAsUser?: number;
  /**
   * Largest download accepted, in bytes.
   * @default 4294967296 (4 GiB)
   */
  readonly maxDownloadBytes?: number;
  /**
   * Largest tar stream a tar.gz download may unpack to, in bytes (bounds gzip bombs).
   * @default 4294967296 (4 GiB)
   */
  readonly maxExtractBytes?: number;
  /**
   * Seconds a finished Job is kept before Kubernetes deletes it; null keeps it (GitOps:
   * Argo CD and Flux would otherwise re-create and re-run it, docs/gitops.md).
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number | null;
  /**
   * Annotations on the Job object, e.g. Flux's `kustomize.toolkit.fluxcd.io/ssa: IfNotPresent`
   * (docs/gitops.md); part of the Job's content hash.
   * @default {}
   */
  readonly jobAnnotations?: Readonly<Record<string, string>>;
}

/** {@link SeedingOptions} with every default filled in. */
export interface SeedingSettings extends PodOptions {
  /** Whether the Job is deployed. */
  enabled: boolean;
  /** Whether the built-in models are seeded. */
  builtinModels: boolean;
  /** Optional catalog models seeded. */
  catalogModels: OptionalCatalogModelName[];
  /**
   * Base URL of a LAN mirror.
   * @default - each download's own URL
   */
  mirror?: string;
  /** Image of the Job. */
  image: string;
  /** Seconds one download may take. */
  downloadTimeoutSeconds: number;
  /** Seconds after which the Job fails. */
  activeDeadlineSeconds: number;
  /** User the Job runs as. */
  runAsUser: number;
  /** Largest download accepted, in bytes. */
  maxDownloadBytes: number;
  /** Largest unpacked tar stream, in bytes. */
  maxExtractBytes: number;
  /** Seconds a finished Job is kept; null: kept until deleted. */
  ttlSecondsAfterFinished: number | null;
  /** Annotations on the Job object. */
  jobAnnotations: Readonly<Record<string, string>>;
}
