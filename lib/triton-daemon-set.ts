import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Container, IntOrString, KubeDaemonSet } from '../imports/k8s';
import { tritonDaemonSetPropsSchema } from './config/construct-props-schema';
import { parseConstructProps } from './config/parse-props';
import { checkConstructRef, propsError } from './construct-refs';
import { checkUniqueObjects, namespaceOf, podsIn } from './k8s-scope';
import { ignoreKubeScoreChecks } from './kube-score-ignores';
import { componentLabels, podLabels } from './labels';
import { ModelSeedJob } from './model-seed-job';
import { ModelStore } from './model-store';
import {
  containerEnv, containerResources, httpGetProbe, podMetadata, podOptionsSpec, requiredNodeLabels, rootPodSecurityContext,
  STABLE_POD_FIELDS,
} from './pod-spec';
import { MODEL_REPOSITORY_SUBPATH } from './seed/seed-defaults';
import { NVIDIA_RUNTIME_ENV } from './nvidia-env';
import { TRITON_MODEL_REPOSITORY_PATH, tritonArgs, tritonReadinessPath, type TritonPorts } from './triton-args';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';
import type { PodOptions } from './types/pod';
import type { TritonResources } from './types/triton';

// tritonserver's arguments and the facts they rest on live in triton-args.ts.
export { TRITON_DEFAULT_PORTS, TRITON_MODEL_REPOSITORY_PATH, tritonArgs, type TritonArgsOptions, type TritonPorts } from './triton-args';

/** The tutorial's Triton image for Jetson (see images/triton-jetson for the recipe). */
export const DEFAULT_TRITON_IMAGE = TUTORIAL_DEFAULTS.tritonImage;
/** Where the Jetson image keeps Triton's backends (the image's ENTRYPOINT passes it). */
export const TRITON_BACKEND_DIRECTORY = '/opt/triton/backends';
/** Container name, as in the tutorial. */
export const TRITON_CONTAINER_NAME = 'triton-jetson';
export type { TritonResources } from './types/triton';

/**
 * kube-score checks the Triton DaemonSet always fails on purpose, each with its reason in
 * docs/hardening.md: root for the GPU device nodes, a writable root filesystem and no CPU
 * limit. (IfNotPresent pulls and the tutorial's untagged image are ignored only when used.)
 */
export const TRITON_KUBE_SCORE_IGNORES = [
  'container-security-context-user-group-id',
  'container-security-context-readonlyrootfilesystem',
  'container-resources',
] as const;

/** Properties of {@link TritonDaemonSet}. */
export interface TritonDaemonSetProps extends PodOptions {
  /**
   * Name of the DaemonSet; also the value of the pods' `app` label.
   * @default "triton"
   */
  readonly name?: string;
  /**
   * Namespace (the claim's).
   * @default - the modelStore's (or seedJob's) namespace, else the Chart's, else "default"
   */
  readonly namespace?: string;
  /**
   * Triton image for Jetson (linux/arm64).
   * @default "janakiramm/triton-jetson"
   */
  readonly image?: string;
  /**
   * Image pull policy (IfNotPresent: air-gapped nodes may have the image loaded by hand).
   * @default "IfNotPresent"
   */
  readonly imagePullPolicy?: 'IfNotPresent' | 'Always' | 'Never';
  /**
   * The model store to serve: Triton mounts its claim's `repositorySubPath` folder.
   * @default - the seedJob's store, else the claim named by `claimName`
   */
  readonly modelStore?: ModelStore;
  /**
   * The Job that seeds the repository: Triton serves exactly the folder it publishes into,
   * on its claim.
   * @default - none
   */
  readonly seedJob?: ModelSeedJob;
  /**
   * Claim holding the model repository, when neither modelStore nor seedJob is given.
   * @default "models-pvc"
   */
  readonly claimName?: string;
  /**
   * Folder of the claim that holds the repository ("" mounts the claim's root).
   * @default - where the seedJob publishes (the store's "repository" folder)
   */
  readonly modelRepositorySubPath?: string;
  /**
   * Seconds between Triton's polls of the model repository for new or changed models (1-86400).
   * @default 15
   */
  readonly repositoryPollSeconds?: number;
  /**
   * Extra tritonserver flags, appended after the built-in ones.
   * @default []
   */
  readonly extraArgs?: readonly string[];
  /**
   * RuntimeClass to run under, e.g. "nvidia" for K3s on containerd.
   * @default - the node's default runtime (Docker with nvidia as default runtime)
   */
  readonly runtimeClassName?: string;
  /**
   * Node labels Triton pods require besides `kubernetes.io/arch: arm64`.
   * @default {}
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * Node label values Triton pods stay off (operator NotIn; a node without the label is fine),
   * e.g. `{ "triton-jetson.dev/profile": ["jetpack5", "jetpack6"] }`.
   * @default {}
   */
  readonly avoidNodeLabels?: Readonly<Record<string, readonly string[]>>;
  /**
   * Container ports.
   * @default { http: 8000, grpc: 8001, metrics: 8002 }
   */
  readonly ports?: TritonPorts;
  /**
   * Resource requests and limits, sized for a 4 GB Jetson Nano.
   * @default { cpuRequest: "1", memoryRequest: "1536Mi", memoryLimit: "3Gi" }
   */
  readonly resources?: TritonResources;
  /**
   * Seconds a new pod must stay Ready before it counts as available, so that a rolling update
   * (one board at a time) moves on only after the updated Triton proved itself for that long.
   * @default 60
   */
  readonly minReadySeconds?: number;
  /**
   * How long the startup probe waits for Triton to load its models before restarting it (10 s to 24 h).
   * @default Duration.minutes(10)
   */
  readonly startupTimeout?: Duration;
  /**
   * Seccomp profile of the pod. RuntimeDefault is the filter `docker run` applies too;
   * Unconfined is the escape hatch should a backend need a syscall it blocks.
   * @default "RuntimeDefault"
   */
  readonly seccompProfile?: 'RuntimeDefault' | 'Unconfined';
  /**
   * Value of the pods' `app` label, shared by every Triton DaemonSet behind one Service.
   * @default - the DaemonSet's name
   */
  readonly appLabel?: string;
  /**
   * Extra pod labels that are part of the DaemonSet's selector, e.g. the board profile
   * (`triton-jetson.dev/profile: jetpack6`) that tells apart the pods of per-profile
   * DaemonSets sharing one `app` label.
   * @default {}
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
  /**
   * Container command, replacing the image's ENTRYPOINT (rarely right: NGC images need theirs).
   * @default - the image's ENTRYPOINT
   */
  readonly command?: readonly string[];
  /**
   * Arguments before tritonserver's flags, for images whose ENTRYPOINT runs its arguments
   * (NGC's /opt/nvidia/nvidia_entrypoint.sh): `["tritonserver"]`.
   * @default [] (the image's ENTRYPOINT is tritonserver itself)
   */
  readonly argsPrefix?: readonly string[];
  /**
   * Model whose readiness is the pod's: the readiness probe asks /v2/models/<model>/ready, so a
   * Triton whose other models failed to load still serves this one behind the Service.
   * @default - /v2/health/ready (ready once Triton answers: --strict-readiness=false)
   */
  readonly readinessModel?: string;
  /**
   * tritonserver's first flags (GPU, repository, backends), replacing the tutorial's three.
   * @default - see tritonArgs
   */
  readonly leadingArgs?: readonly string[];
}


/**
 * Triton Inference Server on every Jetson node: a DaemonSet because only one Triton
 * may own a node's GPU. The tutorial's container, args, ports and volumes, plus what a
 * production cluster needs: probes, requests for a 4 GB Nano, Prometheus annotations,
 * arm64-only scheduling and a one-node-at-a-time rolling update.
 */
export class TritonDaemonSet extends Construct {
  /** The DaemonSet (an L1 `apps/v1` DaemonSet). */
  public readonly daemonSet: ApiObject;
  /** Labels of this DaemonSet's pods (its selector). */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The `app` label alone: what the Service selects, across per-profile DaemonSets. */
  public readonly appSelector: Readonly<Record<string, string>>;
  /** Container ports. */
  public readonly ports: TritonPorts;
  /** Namespace of the DaemonSet and its pods. */
  public readonly namespace: string;
  /** Claim Triton reads its models from. */
  public readonly claimName: string;
  /** Folder of the claim mounted as Triton's model repository ("" for the claim's root). */
  public readonly modelRepositorySubPath: string;
  /**
   * Triton's pods (every DaemonSet sharing its `app` label, in its namespace) as a cdk8s-plus
   * selection: a NetworkPolicy peer or selector, a `kplus.Service` selector. Renders nothing.
   */
  public readonly pods: kplus.Pods;

  constructor(scope: Construct, id: string, props: TritonDaemonSetProps = {}) {
    const { modelStore: givenStore, seedJob, ...rest } = props;
    checkConstructRef('TritonDaemonSet', 'modelStore', givenStore, ModelStore);
    checkConstructRef('TritonDaemonSet', 'seedJob', seedJob, ModelSeedJob);
    const settings = parseConstructProps('TritonDaemonSet', tritonDaemonSetPropsSchema, rest);
    const source = resolveModelSource(settings, givenStore, seedJob);
    super(scope, id);
    checkUniqueObjects(this);
    const { name, ports, image, imagePullPolicy } = settings;
    this.ports = ports;
    this.namespace = source.namespace ?? namespaceOf(this, undefined);
    this.claimName = source.claimName;
    this.modelRepositorySubPath = source.subPath;
    const app = settings.appLabel ?? name;
    this.appSelector = { app };
    this.podSelector = { app, ...(settings.selectorLabels ?? {}) };
    this.pods = podsIn(this, this.appSelector, this.namespace);
    const labels = componentLabels(this, app);
    const startupSeconds = settings.startupTimeout.toSeconds();

    const container: Container = {
      name: TRITON_CONTAINER_NAME,
      image,
      imagePullPolicy,
      ...(settings.command ? { command: [...settings.command] } : {}),
      args: [
        ...(settings.argsPrefix ?? []),
        ...tritonArgs({ ports, repositoryPollSeconds: settings.repositoryPollSeconds, extraArgs: settings.extraArgs, leadingArgs: settings.leadingArgs }),
      ],
      // The NVIDIA runtime gives the container the GPU only when it asks for it (lib/nvidia-env.ts);
      // the user's extra env comes after (it may not redefine these: RESERVED_POD_FIELDS).
      env: containerEnv(NVIDIA_RUNTIME_ENV.map((e) => ({ ...e })), settings),
      ports: [
        { name: 'http', containerPort: ports.http },
        { name: 'grpc', containerPort: ports.grpc },
        { name: 'metrics', containerPort: ports.metrics },
      ],
      volumeMounts: [
        { name: 'dshm', mountPath: '/dev/shm' },
        { name: 'models', mountPath: TRITON_MODEL_REPOSITORY_PATH, subPath: this.modelRepositorySubPath || undefined, readOnly: true },
      ],
      // Triton serves its HTTP endpoints only after the initial model load, which takes
      // minutes on a Nano: the startup probe gives it that long before liveness applies.
      startupProbe: httpGetProbe('/v2/health/live', ports.http, { periodSeconds: 10, failureThreshold: Math.max(1, Math.ceil(startupSeconds / 10)), timeoutSeconds: 5 }),
      livenessProbe: httpGetProbe('/v2/health/live', ports.http, { periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 5 }),
      // Ready when the stack's model is (a broken extra model leaves the board in the Service).
      readinessProbe: httpGetProbe(tritonReadinessPath(settings.readinessModel), ports.http, { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 }),
      // No CPU limit: it would throttle preprocessing on a Nano's four cores.
      resources: containerResources(settings.resources),
      securityContext: {
        // Root for the GPU device nodes the nvidia runtime injects; Triton writes to /tmp and
        // its backends' caches.
        runAsNonRoot: false,
        readOnlyRootFilesystem: false,
        privileged: false,
        allowPrivilegeEscalation: false,
      },
    };

    const daemonSet = new KubeDaemonSet(this, 'daemon-set', {
      metadata: { name, namespace: this.namespace, labels },
      spec: {
        // One board at a time, old pod first: two Tritons do not fit one Nano's GPU and 4 GB
        // (no maxSurge); the next board waits until the new pod has been Ready this long.
        minReadySeconds: settings.minReadySeconds,
        selector: { matchLabels: { ...this.podSelector } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: IntOrString.fromNumber(1) } },
        template: {
          metadata: podMetadata({ ...this.podSelector, ...podLabels(this, app) }, {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(ports.metrics),
            'prometheus.io/path': '/metrics',
          }, settings),
          spec: {
            ...STABLE_POD_FIELDS,
            ...podOptionsSpec(settings),
            affinity: requiredNodeLabels({ 'kubernetes.io/arch': 'arm64', ...(settings.nodeSelector ?? {}) }, settings.avoidNodeLabels),
            // Triton needs no API access.
            automountServiceAccountToken: false,
            runtimeClassName: settings.runtimeClassName,
            // The runtime's default seccomp profile is what `docker run` of the tutorial applies too.
            securityContext: rootPodSecurityContext(settings.seccompProfile),
            containers: [container],
            volumes: [
              { name: 'dshm', emptyDir: { medium: 'Memory' } },
              // Read-only at the container mount only: a read-only claim would be mounted read-only
              // on the node too, and the kubelet could not create a missing subPath folder in it.
              { name: 'models', persistentVolumeClaim: { claimName: this.claimName, readOnly: false } },
            ],
          },
        },
      },
    });

    ignoreKubeScoreChecks(daemonSet, TRITON_KUBE_SCORE_IGNORES);
    // IfNotPresent on purpose: nodes may be air-gapped with the image loaded by hand.
    if (imagePullPolicy !== 'Always') ignoreKubeScoreChecks(daemonSet, ['container-image-pull-policy']);
    // The tutorial's image is published only untagged (so `latest`); a user's own build
    // (triton.image) carries the tag they chose, and kube-score checks that one.
    if (image === DEFAULT_TRITON_IMAGE) ignoreKubeScoreChecks(daemonSet, ['container-image-tag']);
    this.daemonSet = daemonSet;
  }
}

interface ModelSource {
  readonly claimName: string;
  readonly subPath: string;
  readonly namespace?: string;
}

/**
 * Where Triton reads its models: the seedJob's claim and publishing folder, else the
 * modelStore's, else `claimName`; `modelRepositorySubPath` and `namespace` may only repeat
 * what a given store or Job says, so a hand-wired stack cannot serve an empty folder.
 */
function resolveModelSource(
  settings: { claimName?: string; modelRepositorySubPath?: string; namespace?: string },
  givenStore: ModelStore | undefined,
  seedJob: ModelSeedJob | undefined,
): ModelSource {
  if (givenStore && seedJob?.modelStore && seedJob.modelStore !== givenStore) {
    throw propsError('TritonDaemonSet', `seedJob: it seeds the ModelStore at ${seedJob.modelStore.node.path}, not the modelStore given (${givenStore.node.path})`);
  }
  const store = givenStore ?? seedJob?.modelStore;
  const claimName = seedJob?.claimName ?? store?.claimName;
  const namespace = seedJob?.namespace ?? store?.namespace;
  const subPath = seedJob?.repositorySubPath ?? store?.repositorySubPath;
  if (claimName !== undefined && settings.claimName !== undefined && settings.claimName !== claimName) {
    throw propsError('TritonDaemonSet', `claimName: "${settings.claimName}" is not the claim "${claimName}" of the ${seedJob ? 'seedJob' : 'modelStore'}; leave it out`);
  }
  if (subPath !== undefined && settings.modelRepositorySubPath !== undefined && settings.modelRepositorySubPath !== subPath) {
    throw propsError('TritonDaemonSet', `modelRepositorySubPath: "${settings.modelRepositorySubPath}" is not "${subPath}", where the ${seedJob ? 'seedJob publishes' : 'modelStore keeps the repository'}; leave it out`);
  }
  if (namespace !== undefined && settings.namespace !== undefined && settings.namespace !== namespace) {
    throw propsError('TritonDaemonSet', `namespace: "${settings.namespace}" is not the claim's namespace "${namespace}" (a pod mounts claims of its own namespace only)`);
  }
  return {
    claimName: claimName ?? settings.claimName ?? TUTORIAL_DEFAULTS.claimName,
    subPath: subPath ?? settings.modelRepositorySubPath ?? MODEL_REPOSITORY_SUBPATH,
    namespace: namespace ?? settings.namespace,
  };
}
