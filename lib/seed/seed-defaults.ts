/**
 * Defaults and on-volume layout of model seeding, shared by the cluster description's
 * schema, the seeding Job and the Triton DaemonSet (no imports, so no import cycles).
 */

/**
 * Folder of the claim that is Triton's model repository. Triton mounts only this folder
 * (subPath), so the staging folder next to it is invisible to Triton's repository polls.
 */
export const MODEL_REPOSITORY_SUBPATH = 'repository';
/** Folder of the claim where the Job builds models before renaming them into the repository. */
export const SEED_STAGING_SUBPATH = '.staging';
/** Where the Job mounts the whole claim. */
export const SEED_VOLUME_MOUNT_PATH = '/models';
/** Where the Job mounts its ConfigMap (script, model list, config.pbtxt files). */
export const SEED_SPEC_MOUNT_PATH = '/etc/model-seed';
/** Marker written inside each published model folder: its seed key and files. */
export const SEED_MANIFEST_FILE = '.seed-manifest';

/**
 * Alpine: ~3.5 MB, published for linux/arm64, and its busybox has everything the script
 * uses (sh, wget with TLS through ssl_client + ca-certificates, tar -z, sha256sum,
 * timeout). 3.22 is supported until May 2027; pin a digest through `seeding.image`.
 */
export const DEFAULT_SEED_IMAGE = 'alpine:3.22';
/** A whole download (not a read) may take this long before the attempt fails and is retried. */
export const DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 900;
/** The Job as a whole (all retries) fails after this long. */
export const DEFAULT_SEED_DEADLINE_SECONDS = 3600;
/**
 * The Job's user: 65534 ("nobody") is what NFS root_squash maps root to, so files look
 * the same whether the export squashes root or not, and whoever edits the share as a
 * squashed root can still manage them.
 */
export const DEFAULT_SEED_RUN_AS_USER = 65534;
/**
 * Largest download the Job accepts (4 GiB): a server answering with more (hostile, or a
 * wrong URL) fails the download instead of filling the volume.
 */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;
/**
 * Largest tar stream a tar.gz download may unpack to (4 GiB): a gzip bomb fails instead of
 * filling the volume. Inception v3 unpacks to about 100 MB.
 */
export const DEFAULT_MAX_EXTRACT_BYTES = 4 * 1024 ** 3;
/** Seconds a finished Job (and its pods' logs) is kept before Kubernetes deletes it. */
export const DEFAULT_SEED_TTL_SECONDS = 86400;
/** Failed pods before the Job gives up. */
export const DEFAULT_SEED_BACKOFF_LIMIT = 6;
/**
 * The seeding container's requests and limits: busybox streams, so memory stays small (the
 * page cache of NFS writes is what grows); gunzip is the only CPU-heavy step; the root
 * filesystem is read-only, so ephemeral storage is for its logs.
 */
export const DEFAULT_SEED_RESOURCES = {
  cpuRequest: '100m', cpuLimit: '1',
  memoryRequest: '64Mi', memoryLimit: '256Mi',
  ephemeralStorageRequest: '32Mi', ephemeralStorageLimit: '256Mi',
} as const;
