import { createHash } from 'node:crypto';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { JobSpec, KubeConfigMap, KubeJob } from '../imports/k8s';
import { parseConstructProps } from './config/parse-props';
import { modelSeedJobPropsSchema } from './config/seeding-schema';
import { checkConstructRef, propsError } from './construct-refs';
import { checkUniqueObjects, namespaceOf } from './k8s-scope';
import { componentLabels, podLabels, selectorLabels } from './labels';
import { modelCatalog } from './model-catalog';
import { ModelStore } from './model-store';
import type { ModelDefinition } from './model-types';
import { containerEnv, containerResources, podMetadata, podOptionsSpec } from './pod-spec';
import {
  MODEL_REPOSITORY_SUBPATH, SEED_SPEC_MOUNT_PATH, SEED_STAGING_SUBPATH, SEED_VOLUME_MOUNT_PATH,
} from './seed/seed-defaults';
import { SEED_SCRIPT_KEY, seedConfigMapData } from './seed/seed-plan';
import { KUBE_SCORE_IGNORE_ANNOTATION } from './kube-score-ignores';
import type { PodOptions } from './types/pod';

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
export interface ModelSeedJobProps extends PodOptions {
  /**
   * The model store to seed: the Job mounts its claim, in its namespace, and publishes into
   * its `repositorySubPath`, which is what a TritonDaemonSet given the same store serves.
   * @default - the claim named by `claimName`
   */
  readonly modelStore?: ModelStore;
  /**
   * Claim holding the model repository (mounted whole: repository + staging), when no
   * `modelStore` is given; the models are published into its "repository" folder.
   * @default - the modelStore's claim (one of the two is required)
   */
  readonly claimName?: string;
  /**
   * Namespace of the Job and its ConfigMap (the claim's namespace).
   * @default - the modelStore's namespace, else the Chart's, else "default"
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
   * Seconds a finished Job (and its pods' logs) is kept before Kubernetes deletes it; null
   * keeps it until it is deleted (for Argo CD and Flux, docs/gitops.md).
   * @default 86400
   */
  readonly ttlSecondsAfterFinished?: number | null;
  /**
   * Annotations on the Job object (e.g. Flux's kustomize.toolkit.fluxcd.io/ssa: IfNotPresent).
   * @default {}
   */
  readonly jobAnnotations?: Readonly<Record<string, string>>;
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
  /** The Job object (an L1 `batch/v1` Job). */
  public readonly job: ApiObject;
  /** The ConfigMap object (an L1 `v1` ConfigMap). */
  public readonly configMap: ApiObject;
  /** Name of the Job (`model-seed-<hash8>`). */
  public readonly jobName: string;
  /** Name of the ConfigMap. */
  public readonly configMapName: string;
  /** Namespace of the Job, its ConfigMap and the claim. */
  public readonly namespace: string;
  /** Claim it seeds. */
  public readonly claimName: string;
  /** The model store it seeds, when it was given one. */
  public readonly modelStore?: ModelStore;
  /** Folder of the claim the models are published into: what Triton must serve. */
  public readonly repositorySubPath: string;
  /** Labels that select its pods (stable across releases), e.g. for a NetworkPolicy. */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The models it seeds. */
  public readonly models: readonly ModelDefinition[];
  /** Where its pod downloads from: the mirror, else each model's download URLs (a NetworkPolicy opens their ports). */
  public readonly downloadUrls: readonly string[];

  constructor(scope: Construct, id: string, props: ModelSeedJobProps) {
    const { modelStore, ...rest } = props ?? {};
    checkConstructRef('ModelSeedJob', 'modelStore', modelStore, ModelStore);
    const settings = parseConstructProps('ModelSeedJob', modelSeedJobPropsSchema, rest);
    if (modelStore && settings.claimName !== undefined && settings.claimName !== modelStore.claimName) {
      throw propsError('ModelSeedJob', `claimName: "${settings.claimName}" is not the modelStore's claim "${modelStore.claimName}"; give one of the two`);
    }
    if (modelStore && settings.namespace !== undefined && settings.namespace !== modelStore.namespace) {
      throw propsError('ModelSeedJob', `namespace: "${settings.namespace}" is not the modelStore's namespace "${modelStore.namespace}" (a pod mounts claims of its own namespace only)`);
    }
    const claimName = settings.claimName ?? modelStore?.claimName;
    if (claimName === undefined) throw propsError('ModelSeedJob', 'modelStore: give the ModelStore to seed (or its claimName)');
    super(scope, id);
    checkUniqueObjects(this);
    const { name: baseName, activeDeadlineSeconds: deadline, runAsUser: user, resources } = settings;
    const namespace = settings.namespace ?? modelStore?.namespace ?? namespaceOf(this, undefined);
    this.namespace = namespace;
    this.claimName = claimName;
    this.modelStore = modelStore;
    this.repositorySubPath = modelStore?.repositorySubPath ?? MODEL_REPOSITORY_SUBPATH;
    const stagingSubPath = modelStore?.stagingSubPath ?? SEED_STAGING_SUBPATH;
    // The models as given (validated above): their JSON is part of the Job's content hash.
    this.models = props.models ?? modelCatalog();
    this.downloadUrls = settings.mirror ? [settings.mirror] : [...new Set(this.models.flatMap((m) => m.downloads.map((d) => d.url)))];
    this.configMapName = baseName;
    const labels = componentLabels(this, 'model-seed');
    this.podSelector = selectorLabels('model-seed');
    const data = seedConfigMapData(this.models, settings.mirror);

    this.configMap = new KubeConfigMap(this, 'config-map', {
      metadata: { name: this.configMapName, namespace, labels },
      data,
    });

    const spec: JobSpec = {
      backoffLimit: settings.backoffLimit,
      activeDeadlineSeconds: deadline,
      ...(settings.ttlSecondsAfterFinished !== null ? { ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished } : {}),
      template: {
        metadata: podMetadata(podLabels(this, 'model-seed'), {}, settings),
        spec: {
          restartPolicy: 'Never',
          ...podOptionsSpec(settings),
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
              env: containerEnv([
                { name: 'SEED_ROOT', value: SEED_VOLUME_MOUNT_PATH },
                { name: 'SEED_SPEC', value: SEED_SPEC_MOUNT_PATH },
                { name: 'SEED_REPOSITORY_SUBPATH', value: this.repositorySubPath },
                { name: 'SEED_STAGING_SUBPATH', value: stagingSubPath },
                { name: 'SEED_DOWNLOAD_TIMEOUT', value: String(settings.downloadTimeoutSeconds) },
                { name: 'SEED_MAX_DOWNLOAD_BYTES', value: String(settings.maxDownloadBytes) },
                { name: 'SEED_MAX_EXTRACT_BYTES', value: String(settings.maxExtractBytes) },
                // A staging run older than the Job's deadline belongs to a pod that is gone.
                { name: 'SEED_STALE_SECONDS', value: String(deadline) },
              ], settings),
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
            { name: 'models', persistentVolumeClaim: { claimName } },
            { name: 'spec', configMap: { name: this.configMapName, defaultMode: 0o444 } },
          ],
        },
      },
    };

    // The Job's own annotations count too: a changed GitOps annotation makes a new Job.
    const annotations = { ...settings.jobAnnotations, [KUBE_SCORE_IGNORE_ANNOTATION]: 'container-image-pull-policy' };
    const hashed = Object.keys(settings.jobAnnotations).length > 0 ? { data, spec, annotations: settings.jobAnnotations } : { data, spec };
    this.jobName = `${baseName}-${contentHash(hashed)}`;
    this.job = new KubeJob(this, 'job', {
      // IfNotPresent on purpose (air-gapped nodes); reason in docs/hardening.md.
      metadata: { name: this.jobName, namespace, labels, annotations },
      spec,
    });
  }
}

/** First 8 hex digits of the sha256 of a JSON value (key order as built: deterministic). */
function contentHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 8);
}
