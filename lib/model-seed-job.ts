import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import { JobSpec, KubeConfigMap, KubeJob } from '../imports/k8s';
import { ClusterConfig, modelSeedJobPropsSchema, parseConstructProps } from './config';
import { componentLabels } from './labels';
import { ModelDefinition, modelCatalog } from './model-catalog';
import { containerResources } from './pod-spec';
import {
  MODEL_REPOSITORY_SUBPATH, SEED_SPEC_MOUNT_PATH, SEED_STAGING_SUBPATH, SEED_VOLUME_MOUNT_PATH,
} from './seed/seed-defaults';
import { SEED_SCRIPT_KEY, seedConfigMapData } from './seed/seed-plan';
import { KUBE_SCORE_IGNORE_ANNOTATION } from './kube-score-ignores';

export {
  MODEL_REPOSITORY_SUBPATH, SEED_STAGING_SUBPATH, DEFAULT_SEED_IMAGE, SEED_MANIFEST_FILE,
} from './seed/seed-defaults';

/** Resource requests and limits of the seeding container. */
export interface ModelSeedResources {
  /**
   * CPU request.
   * @default "100m"
   */
  readonly cpuRequest?: string;
  /**
   * CPU limit (gunzip of a large model is the only CPU-heavy step).
   * @default "1"
   */
  readonly cpuLimit?: string;
  /**
   * Memory request.
   * @default "64Mi"
   */
  readonly memoryRequest?: string;
  /**
   * Memory limit (busybox streams; the page cache of NFS writes is what grows).
   * @default "256Mi"
   */
  readonly memoryLimit?: string;
  /**
   * Ephemeral-storage request (its root filesystem is read-only: this is for its logs).
   * @default "32Mi"
   */
  readonly ephemeralStorageRequest?: string;
  /**
   * Ephemeral-storage limit.
   * @default "256Mi"
   */
  readonly ephemeralStorageLimit?: string;
}

/** Properties of {@link ModelSeedJob}. */
export interface ModelSeedJobProps {
  /** Claim holding the model repository (mounted whole: repository + staging). */
  readonly claimName: string;
  /**
   * Namespace of the Job and its ConfigMap (the claim's namespace).
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Base name of the objects: ConfigMap `<name>`, Job `<name>-<hash of its content>`.
   * @default "model-seed"
   */
  readonly name?: string;
  /**
   * Models to seed.
   * @default - the built-in catalog (inception_graphdef), see {@link modelCatalog}
   */
  readonly models?: readonly ModelDefinition[];
  /**
   * Image with sh, wget or curl (TLS), tar, sha256sum and timeout; must exist for arm64.
   * @default "alpine:3.22"
   */
  readonly image?: string;
  /**
   * Base URL of a LAN mirror: each download is fetched from `<mirror>/<file name>`.
   * @default - each download's own URL
   */
  readonly mirror?: string;
  /**
   * Seconds one download may take before the attempt fails (and the Job retries).
   * @default 900
   */
  readonly downloadTimeoutSeconds?: number;
  /**
   * Largest download accepted, in bytes (a larger answer fails the download).
   * @default 4294967296 (4 GiB)
   */
  readonly maxDownloadBytes?: number;
  /**
   * Largest tar stream a tar.gz download may unpack to, in bytes (bounds gzip bombs).
   * @default 4294967296 (4 GiB)
   */
  readonly maxExtractBytes?: number;
  /**
   * Seconds after which the whole Job, retries included, fails.
   * @default 3600
   */
  readonly activeDeadlineSeconds?: number;
  /**
   * Failed pods before the Job gives up.
   * @default 6
   */
  readonly backoffLimit?: number;
  /**
   * Seconds a finished Job (and its pods' logs) is kept before Kubernetes deletes it.
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number;
  /**
   * User (and group) the container runs as; see docs/seeding.md on NFS root_squash.
   * @default 65534
   */
  readonly runAsUser?: number;
  /**
   * Resource requests and limits.
   * @default { cpuRequest: "100m", cpuLimit: "1", memoryRequest: "64Mi", memoryLimit: "256Mi" }
   */
  readonly resources?: ModelSeedResources;
}

/**
 * Seeds Triton's model repository on the shared claim: a ConfigMap with the seeding
 * script, the model list and each rendered config.pbtxt, and a Job that runs it.
 *
 * The Job is named `<name>-<hash8>` after a hash of everything it runs, so a changed
 * catalog, script or setting creates a new Job (a Job's pod template is immutable) while
 * re-applying unchanged manifests leaves the existing Job alone. The script publishes
 * each model with one rename, so Triton (polling the repository) never sees half a model.
 */
export class ModelSeedJob extends Construct {
  /** The Job object. */
  public readonly job: KubeJob;
  /** The ConfigMap object. */
  public readonly configMap: KubeConfigMap;
  /** Name of the Job (`model-seed-<hash8>`). */
  public readonly jobName: string;
  /** Name of the ConfigMap. */
  public readonly configMapName: string;
  /** The models it seeds. */
  public readonly models: readonly ModelDefinition[];

  constructor(scope: Construct, id: string, props: ModelSeedJobProps) {
    const settings = parseConstructProps('ModelSeedJob', modelSeedJobPropsSchema, props);
    super(scope, id);
    const { namespace, name: baseName, activeDeadlineSeconds: deadline, runAsUser: user, resources } = settings;
    // The models as given (validated above): their JSON is part of the Job's content hash.
    this.models = props.models ?? modelCatalog();
    this.configMapName = baseName;
    const labels = componentLabels('model-seed');
    const data = seedConfigMapData(this.models, settings.mirror);

    this.configMap = new KubeConfigMap(this, 'config-map', {
      metadata: { name: this.configMapName, namespace, labels },
      data,
    });

    const spec: JobSpec = {
      backoffLimit: settings.backoffLimit,
      activeDeadlineSeconds: deadline,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          securityContext: {
            runAsUser: user,
            runAsGroup: user,
            runAsNonRoot: user !== 0 ? true : undefined,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'seed',
              image: settings.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['/bin/sh', `${SEED_SPEC_MOUNT_PATH}/${SEED_SCRIPT_KEY}`],
              env: [
                { name: 'SEED_ROOT', value: SEED_VOLUME_MOUNT_PATH },
                { name: 'SEED_SPEC', value: SEED_SPEC_MOUNT_PATH },
                { name: 'SEED_REPOSITORY_SUBPATH', value: MODEL_REPOSITORY_SUBPATH },
                { name: 'SEED_STAGING_SUBPATH', value: SEED_STAGING_SUBPATH },
                { name: 'SEED_DOWNLOAD_TIMEOUT', value: String(settings.downloadTimeoutSeconds) },
                { name: 'SEED_MAX_DOWNLOAD_BYTES', value: String(settings.maxDownloadBytes) },
                { name: 'SEED_MAX_EXTRACT_BYTES', value: String(settings.maxExtractBytes) },
                // A staging run older than the Job's deadline belongs to a pod that is gone.
                { name: 'SEED_STALE_SECONDS', value: String(deadline) },
              ],
              volumeMounts: [
                { name: 'models', mountPath: SEED_VOLUME_MOUNT_PATH },
                { name: 'spec', mountPath: SEED_SPEC_MOUNT_PATH, readOnly: true },
              ],
              resources: containerResources(resources),
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
          volumes: [
            { name: 'models', persistentVolumeClaim: { claimName: settings.claimName } },
            { name: 'spec', configMap: { name: this.configMapName, defaultMode: 0o444 } },
          ],
        },
      },
    };

    this.jobName = `${baseName}-${contentHash({ data, spec })}`;
    this.job = new KubeJob(this, 'job', {
      // IfNotPresent on purpose (air-gapped nodes); reason in docs/hardening.md.
      metadata: { name: this.jobName, namespace, labels, annotations: { [KUBE_SCORE_IGNORE_ANNOTATION]: 'container-image-pull-policy' } },
      spec,
    });
  }
}

/** First 8 hex digits of the sha256 of a JSON value (key order as built: deterministic). */
function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
}

/**
 * The seeding Job's properties from the cluster description, or `undefined` when
 * `seeding.enabled` is false.
 */
export function modelSeedJobPropsFromConfig(config: Pick<ClusterConfig, 'namespace' | 'storage' | 'models' | 'seeding'>): ModelSeedJobProps | undefined {
  const seeding = config.seeding;
  if (!seeding.enabled) return undefined;
  return {
    claimName: config.storage.claimName,
    namespace: config.namespace,
    models: modelCatalog(config.models, { builtin: seeding.builtinModels, optional: seeding.catalogModels }),
    image: seeding.image,
    mirror: seeding.mirror,
    downloadTimeoutSeconds: seeding.downloadTimeoutSeconds,
    activeDeadlineSeconds: seeding.activeDeadlineSeconds,
    runAsUser: seeding.runAsUser,
    maxDownloadBytes: seeding.maxDownloadBytes,
    maxExtractBytes: seeding.maxExtractBytes,
  };
}
