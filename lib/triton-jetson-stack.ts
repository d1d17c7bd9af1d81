import { Construct } from 'constructs';
import { parseConstructProps, stackPropsSchema, type StackSettings, type StackSettingsInput } from './config';
import { componentLabels } from './labels';
import { MODEL_REPOSITORY_SUBPATH, ModelSeedJob, modelSeedJobPropsFromConfig } from './model-seed-job';
import { ModelStore } from './model-store';
import { TritonNetworkPolicy, urlPort, DEFAULT_SEED_EGRESS_PORTS } from './network-policy';
import { NFS_PROVISIONER_NAME, NfsProvisioner } from './nfs-provisioner';
import { profileDaemonSets } from './profile-plan';
import { PROFILE_NODE_LABEL, TUTORIAL_DAEMONSET_AVOIDS, TUTORIAL_PROFILE } from './board-profiles';
import { checkModelsServable, checkPullableImages, profileImage, readinessModelOf } from './triton-images';
import { TritonDaemonSet } from './triton-daemon-set';
import { TritonService } from './triton-service';
import { TritonServiceMonitor } from './triton-service-monitor';
import { ignoreKubeScoreChecks } from './kube-score-ignores';

/** Properties of {@link TritonJetsonStack}: each section as in cluster.yaml (cluster.example.yaml documents every key). */
export interface TritonJetsonStackProps {
  /**
   * Namespace of the namespaced objects.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * The NFS export holding the model repository.
   * @default - the tutorial's 10.0.0.30:/var/nfs/general
   */
  readonly nfs?: StackSettingsInput['nfs'];
  /**
   * The NFS dynamic provisioner and its StorageClass.
   * @default - enabled, nfs-client, the Helm chart's image
   */
  readonly provisioner?: StackSettingsInput['provisioner'];
  /**
   * The shared claim holding the model repository.
   * @default - models-pvc, 10Gi, ReadWriteMany
   */
  readonly storage?: StackSettingsInput['storage'];
  /**
   * Triton: image, args, ports, resources, node selection, board profiles.
   * @default - the tutorial's image and args, sized for a 4 GB Nano
   */
  readonly triton?: StackSettingsInput['triton'];
  /**
   * The NodePort Service.
   * @default - triton, NodePorts 30800-30802
   */
  readonly service?: StackSettingsInput['service'];
  /**
   * Models seeded besides the built-in ones.
   * @default []
   */
  readonly models?: StackSettingsInput['models'];
  /**
   * The seeding Job.
   * @default - enabled, inception_graphdef, alpine:3.22
   */
  readonly seeding?: StackSettingsInput['seeding'];
  /**
   * NetworkPolicies of the workloads.
   * @default - none
   */
  readonly networkPolicy?: StackSettingsInput['networkPolicy'];
  /**
   * A Prometheus Operator ServiceMonitor.
   * @default - none (the scrape annotations stay)
   */
  readonly metrics?: StackSettingsInput['metrics'];
  /**
   * The fleet facts the manifests depend on: K3s' runtime, each board's profile and memory
   * (`stackPropsFromClusterConfig` takes them from cluster.yaml's `k3s` and `nodes`).
   * @default - Docker, no profiles: one Triton DaemonSet for every arm64 node
   */
  readonly fleet?: StackSettingsInput['fleet'];
}
// The interface documents the schema's input; this line keeps the two in step.
const _propsMatchSchema: (props: TritonJetsonStackProps) => StackSettingsInput = (props) => props;
void _propsMatchSchema;

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
    const config = parseConstructProps('TritonJetsonStack', stackPropsSchema, props);
    const seedProps = modelSeedJobPropsFromConfig(config);
    const perProfile = profileDaemonSets(config);
    // Refused before joining the tree (lib/triton-images.ts): an image no registry serves, and models
    // some image's Triton release cannot load (every Triton loads the one shared repository).
    const images = (perProfile?.map((p) => p.profile.name) ?? [TUTORIAL_PROFILE]).map((p) => profileImage(config.triton, p));
    checkPullableImages(images, (p) => perProfile?.find((d) => d.profile.name === p)?.nodes ?? []);
    if (seedProps) checkModelsServable(config, seedProps.models ?? [], images);
    const readinessModel = readinessModelOf(config.triton, seedProps?.models);
    super(scope, id);
    this.settings = config;
    const { namespace } = config;

    if (config.provisioner.enabled) {
      this.provisioner = new NfsProvisioner(this, 'nfs-provisioner', {
        namespace,
        nfsServer: config.nfs.server,
        nfsPath: config.nfs.path,
        image: config.provisioner.image,
        storageClassName: config.provisioner.storageClassName,
        provisionerName: config.provisioner.provisionerName,
        archiveOnDelete: config.provisioner.archiveOnDelete,
        reclaimPolicy: config.provisioner.reclaimPolicy,
      });
    }

    this.modelStore = new ModelStore(this, 'model-store', {
      namespace,
      claimName: config.storage.claimName,
      storageClassName: config.storage.storageClassName ?? config.provisioner.storageClassName,
      size: config.storage.size,
    });

    if (seedProps) this.modelSeedJob = new ModelSeedJob(this, 'model-seed', seedProps);

    const common = {
      namespace,
      name: config.triton.name,
      image: config.triton.image,
      imagePullPolicy: config.triton.imagePullPolicy,
      claimName: this.modelStore.claimName,
      // The seeding Job stages next to this folder, outside what Triton polls.
      modelRepositorySubPath: MODEL_REPOSITORY_SUBPATH,
      extraArgs: config.triton.extraArgs,
      // K3s on containerd registers the NVIDIA runtime as the "nvidia" RuntimeClass.
      runtimeClassName: config.triton.runtimeClassName ?? (config.fleet.runtime === 'containerd' ? 'nvidia' : undefined),
      nodeSelector: config.triton.nodeSelector,
      ports: config.triton.ports,
      resources: config.triton.resources,
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
      namespace,
      name: config.service.name,
      // The `app` label only: one Service in front of every profile's pods.
      selector: this.triton.appSelector,
      targetPorts: this.triton.ports,
      nodePorts: config.service.nodePorts,
      externalTrafficPolicy: config.service.externalTrafficPolicy,
    });

    if (config.metrics.serviceMonitor.enabled) {
      const monitor = config.metrics.serviceMonitor;
      this.serviceMonitor = new TritonServiceMonitor(this, 'service-monitor', {
        namespace, serviceName: config.service.name, interval: monitor.interval, scrapeTimeout: monitor.scrapeTimeout, labels: monitor.labels,
      });
    }

    const workloads = [...this.tritons.map((t) => t.daemonSet), this.modelSeedJob?.job, this.provisioner?.deployment];
    if (config.networkPolicy.enabled) {
      this.networkPolicy = new TritonNetworkPolicy(this, 'network-policy', {
        namespace,
        triton: { podSelector: this.triton.appSelector, ports: this.triton.ports },
        provisioner: this.provisioner ? { podSelector: { app: NFS_PROVISIONER_NAME } } : undefined,
        modelSeed: this.modelSeedJob ? {
          podSelector: componentLabels('model-seed'),
          egressPorts: [...DEFAULT_SEED_EGRESS_PORTS, ...(config.seeding.mirror ? [urlPort(config.seeding.mirror)] : [])],
        } : undefined,
        apiServerPorts: config.networkPolicy.apiServerPorts,
      });
    } else {
      // NetworkPolicies are opt-in (docs/hardening.md): say so to kube-score.
      for (const workload of workloads) if (workload) ignoreKubeScoreChecks(workload, ['pod-networkpolicy']);
    }
  }
}
