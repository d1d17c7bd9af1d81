import { Construct } from 'constructs';
import { KubeNamespace } from '../imports/k8s';
import { parseConstructProps } from './config/parse-props';
import { stackPropsSchema } from './config/stack-props-schema';
import { checkUniqueObjects, clusterScoped, namespaceOf } from './k8s-scope';
import { ignoreKubeScoreChecks } from './kube-score-ignores';
import { componentLabels, DEFAULT_INSTANCE, INSTANCE_CONTEXT } from './labels';
import { ModelSeedJob } from './model-seed-job';
import { modelSeedJobPropsFromConfig } from './model-seed-props';
import { ModelStore } from './model-store';
import type { ModelDefinition } from './model-types';
import { TritonNetworkPolicy } from './network-policy';
import { NFS_PROVISIONER_NAME, NfsProvisioner } from './nfs-provisioner';
import { profileDaemonSets } from './profile-plan';
import { PROFILE_NODE_LABEL, TUTORIAL_DAEMONSET_AVOIDS, TUTORIAL_PROFILE } from './board-profiles';
import { checkModelsServable, checkPullableImages, profileImage, readinessModelOf } from './triton-images';
import { TritonDaemonSet } from './triton-daemon-set';
import { TritonService } from './triton-service';
import { TritonServiceMonitor } from './triton-service-monitor';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';
import type { StackSettings } from './types/cluster';
import type { SeedingOptions } from './types/seeding';
import type {
  FleetOptions, MetricsOptions, NetworkPolicyOptions, NfsOptions, ProvisionerOptions, ServiceOptions, StorageOptions,
} from './types/stack-sections';
import type { TritonOptions } from './types/triton';

/**
 * Properties of {@link TritonJetsonStack}: the manifest sections of cluster.yaml
 * (cluster.example.yaml documents every key), plus `instance` and `fleet`.
 */
export interface TritonJetsonStackProps {
  /**
   * Namespace of the namespaced objects.
   * @default - the Chart's namespace, else "default"
   */
  readonly namespace?: string;
  /**
   * Also render the Namespace object (first in the output). Not for Kubernetes' own
   * namespaces ("default", "kube-system", ...).
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Name of this installation: the app.kubernetes.io/instance label of every object. When
   * set, every name the stack derives by default starts with `<instance>-` (StorageClass,
   * ClusterRole and the other cluster-scoped objects included; the provisioner name becomes
   * "k8s-sigs.io/<instance>-nfs-subdir-external-provisioner"), so several stacks can share one
   * app and one cluster; names given explicitly are kept as they are, and so is the
   * StorageClass of a disabled provisioner (the cluster's own). A lower-case DNS label
   * starting with a letter, at most 26 characters.
   * @default - label "triton-jetson", the tutorial's names
   */
  readonly instance?: string;
  /**
   * The NFS export holding the model repository.
   * @default - the tutorial's 10.0.0.30:/var/nfs/general
   */
  readonly nfs?: NfsOptions;
  /**
   * The NFS dynamic provisioner and its StorageClass.
   * @default - enabled, nfs-client, the Helm chart's image
   */
  readonly provisioner?: ProvisionerOptions;
  /**
   * The shared claim holding the model repository.
   * @default - models-pvc, 10Gi, ReadWriteMany
   */
  readonly storage?: StorageOptions;
  /**
   * Triton: image, args, ports, resources, node selection, board profiles, pod customization.
   * @default - the tutorial's image and args, sized for a 4 GB Nano
   */
  readonly triton?: TritonOptions;
  /**
   * The NodePort Service.
   * @default - triton, NodePorts 30800-30802
   */
  readonly service?: ServiceOptions;
  /**
   * Models seeded besides the built-in ones (same name: replaces it).
   * @default []
   */
  readonly models?: ModelDefinition[];
  /**
   * The seeding Job.
   * @default - enabled, inception_graphdef, alpine:3.22
   */
  readonly seeding?: SeedingOptions;
  /**
   * NetworkPolicies of the workloads.
   * @default - none
   */
  readonly networkPolicy?: NetworkPolicyOptions;
  /**
   * A Prometheus Operator ServiceMonitor.
   * @default - none (the scrape annotations stay)
   */
  readonly metrics?: MetricsOptions;
  /**
   * The fleet facts the manifests depend on: K3s' runtime, each board's profile and memory
   * (`stackPropsFromClusterConfig` takes them from cluster.yaml's `k3s` and `nodes`).
   * @default - Docker, no profiles: one Triton DaemonSet for every arm64 node
   */
  readonly fleet?: FleetOptions;
}

/**
 * The whole stack of the tutorial's steps 2, 3 and 5, plus model seeding: NFS
 * provisioner and `nfs-client` StorageClass, the shared `models-pvc`, the Job that
 * seeds it, the Triton DaemonSet and its NodePort Service.
 */
export class TritonJetsonStack extends Construct {
  /** The validated settings the stack was built from, every default filled in. */
  public readonly settings: StackSettings;
  /** The NFS provisioner, unless turned off. */
  public readonly provisioner?: NfsProvisioner;
  /** The shared model repository claim. */
  public readonly modelStore: ModelStore;
  /** The Job that seeds the model repository, unless seeding is turned off. */
  public readonly modelSeedJob?: ModelSeedJob;
  /** Triton on every Jetson node (with board profiles: the first profile's DaemonSet). */
  public readonly triton: TritonDaemonSet;
  /** Every Triton DaemonSet: the single `triton`, or one per board profile (docs/profiles.md). */
  public readonly tritons: readonly TritonDaemonSet[];
  /** Triton's NodePort Service. */
  public readonly service: TritonService;
  /** Present when metrics.serviceMonitor.enabled (Prometheus Operator clusters). */
  public readonly serviceMonitor?: TritonServiceMonitor;
  /** NetworkPolicies of the workloads, when `networkPolicy.enabled`. */
  public readonly networkPolicy?: TritonNetworkPolicy;

  constructor(scope: Construct, id: string, props: TritonJetsonStackProps = {}) {
    // Validate before joining the construct tree, so bad input leaves no partial stack.
    const parsed = parseConstructProps('TritonJetsonStack', stackPropsSchema, props);
    const config = withInstanceNames(parsed, props);
    const perProfile = profileDaemonSets(config);
    const seedProps = modelSeedJobPropsFromConfig(config);
    // Refused before joining the tree (lib/triton-images.ts): an image no registry serves, and models
    // some image's Triton release cannot load (every Triton loads the one shared repository).
    const images = (perProfile?.map((p) => p.profile.name) ?? [TUTORIAL_PROFILE]).map((p) => profileImage(config.triton, p));
    checkPullableImages(images, (p) => perProfile?.find((d) => d.profile.name === p)?.nodes ?? []);
    if (seedProps) checkModelsServable(config, seedProps.models ?? [], images);
    const readinessModel = readinessModelOf(config.triton, seedProps?.models);
    super(scope, id);
    // Before any child: the building blocks label their objects with the stack's instance.
    this.node.setContext(INSTANCE_CONTEXT, config.instance);
    checkUniqueObjects(this);
    const namespace = namespaceOf(this, config.namespace);
    this.settings = { ...config, namespace };
    const prefix = (name: string) => (props.instance !== undefined ? `${config.instance}-${name}` : name);

    if (config.createNamespace) {
      // Cluster-scoped and first: everything else lives in it.
      clusterScoped(new KubeNamespace(this, 'namespace', { metadata: { name: namespace, labels: componentLabels(this, 'namespace') } }));
    }

    if (config.provisioner.enabled) {
      const { enabled: _enabled, ...provisioner } = config.provisioner;
      this.provisioner = new NfsProvisioner(this, 'nfs-provisioner', {
        ...provisioner,
        name: provisioner.name ?? prefix(NFS_PROVISIONER_NAME),
        namespace,
        nfsServer: config.nfs.server,
        nfsPath: config.nfs.path,
      });
    }

    this.modelStore = new ModelStore(this, 'model-store', {
      namespace,
      claimName: config.storage.claimName,
      storageClassName: config.storage.storageClassName ?? config.provisioner.storageClassName,
      size: config.storage.size,
    });

    if (seedProps) {
      this.modelSeedJob = new ModelSeedJob(this, 'model-seed', {
        ...seedProps, claimName: undefined, namespace: undefined, modelStore: this.modelStore, name: prefix('model-seed'),
      });
    }

    const { name, image, imagePullPolicy, extraArgs, nodeSelector, ports, resources, runtimeClassName } = config.triton;
    const common = {
      name, image, imagePullPolicy, extraArgs, nodeSelector, ports, resources,
      imagePullSecrets: config.triton.imagePullSecrets,
      tolerations: config.triton.tolerations,
      priorityClassName: config.triton.priorityClassName,
      env: config.triton.env,
      podAnnotations: config.triton.podAnnotations,
      podLabels: config.triton.podLabels,
      // Triton serves what the Job publishes: the store's repository folder, outside the staging folder.
      modelStore: this.modelStore,
      seedJob: this.modelSeedJob,
      // K3s on containerd registers the NVIDIA runtime as the "nvidia" RuntimeClass.
      runtimeClassName: runtimeClassName ?? (config.fleet.runtime === 'containerd' ? 'nvidia' : undefined),
      minReadySeconds: config.triton.minReadySeconds,
      readinessModel,
    };
    this.tritons = perProfile
      ? perProfile.map((p) => new TritonDaemonSet(this, `triton-${p.profile.name}`, { ...common, ...p.props }))
      // No profile named: the tutorial's DaemonSet (JetPack 4.6 image) stays off the boards the
      // bootstrapper labels jetpack5/jetpack6, which it cannot run on (docs/profiles.md).
      : [new TritonDaemonSet(this, 'triton', { ...common, avoidNodeLabels: { [PROFILE_NODE_LABEL]: [...TUTORIAL_DAEMONSET_AVOIDS] } })];
    this.triton = this.tritons[0];

    this.service = new TritonService(this, 'service', {
      // The `app` label only (the DaemonSet's appSelector): one Service in front of every profile's pods.
      triton: this.triton,
      name: config.service.name,
      nodePorts: config.service.nodePorts,
      externalTrafficPolicy: config.service.externalTrafficPolicy,
    });

    if (config.metrics.serviceMonitor.enabled) {
      const monitor = config.metrics.serviceMonitor;
      this.serviceMonitor = new TritonServiceMonitor(this, 'service-monitor', {
        service: this.service, interval: monitor.interval, scrapeTimeout: monitor.scrapeTimeout, labels: monitor.labels,
      });
    }

    const workloads = [...this.tritons.map((t) => t.daemonSet), this.modelSeedJob?.job, this.provisioner?.deployment];
    if (config.networkPolicy.enabled) {
      this.networkPolicy = new TritonNetworkPolicy(this, 'network-policy', {
        namespace,
        name: props.instance ?? 'triton-jetson',
        triton: this.triton,
        provisioner: this.provisioner,
        modelSeed: this.modelSeedJob,
        apiServerPorts: config.networkPolicy.apiServerPorts,
      });
    } else {
      // NetworkPolicies are opt-in (docs/hardening.md): say so to kube-score.
      for (const workload of workloads) if (workload) ignoreKubeScoreChecks(workload, ['pod-networkpolicy']);
    }
  }
}

type ParsedStackProps = Omit<StackSettings, 'namespace'> & { readonly namespace?: string };

/**
 * The parsed props with every name the stack derives by default prefixed with `<instance>-`
 * when `instance` was given (explicit names are kept): two stacks of one app then share no
 * object. Without `instance`, the tutorial's names.
 */
function withInstanceNames(config: ParsedStackProps, props: TritonJetsonStackProps): ParsedStackProps {
  if (props.instance === undefined || config.instance === DEFAULT_INSTANCE) return config;
  const prefix = (name: string) => `${config.instance}-${name}`;
  const D = TUTORIAL_DEFAULTS;
  return {
    ...config,
    // With the provisioner off the StorageClass is the cluster's own: its name is kept.
    provisioner: !config.provisioner.enabled ? config.provisioner : {
      ...config.provisioner,
      storageClassName: props.provisioner?.storageClassName ?? prefix(D.storageClassName),
      // The provisioner answers every StorageClass that names it: each stack's needs its own.
      provisionerName: props.provisioner?.provisionerName ?? D.provisionerName.replace(/[^/]+$/, (last) => prefix(last)),
    },
    storage: { ...config.storage, claimName: props.storage?.claimName ?? prefix(D.claimName) },
    triton: { ...config.triton, name: props.triton?.name ?? prefix(D.tritonName) },
    service: { ...config.service, name: props.service?.name ?? prefix(D.tritonName) },
  };
}
