import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  KubeClusterRole, KubeClusterRoleBinding, KubeRole, KubeRoleBinding, KubeServiceAccount, KubeStorageClass, Quantity,
} from '../imports/k8s';
import { nfsProvisionerPropsSchema, parseConstructProps } from './config';
import { componentLabels } from './labels';
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';
import { ignoreKubeScoreChecks, removeConstructPathLabel } from './workload-hygiene';

/** Properties of {@link NfsProvisioner}. */
export interface NfsProvisionerProps {
  /**
   * NFS server address.
   * @default "10.0.0.30"
   */
  readonly nfsServer?: string;
  /**
   * Exported folder on the NFS server; each claim gets a sub-folder.
   * @default "/var/nfs/general"
   */
  readonly nfsPath?: string;
  /**
   * Namespace of the provisioner's namespaced objects.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Provisioner image (multi-arch, including linux/arm64).
   * @default "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2"
   */
  readonly image?: string;
  /**
   * Name of the StorageClass to create.
   * @default "nfs-client"
   */
  readonly storageClassName?: string;
  /**
   * Provisioner name written into the StorageClass and the provisioner's environment.
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

/**
 * kube-score checks the provisioner Deployment fails on purpose (reasons in docs/hardening.md):
 * it runs as root like the upstream chart (it must own the folders it creates on any export),
 * pulls IfNotPresent (air-gapped nodes), and is one replica with no PDB or anti-affinity
 * (two provisioners must never run at once).
 */
export const NFS_PROVISIONER_KUBE_SCORE_IGNORES = [
  'container-security-context-user-group-id',
  'container-image-pull-policy',
] as const;

/** Object name used by the upstream Helm chart for every provisioner object. */
export const NFS_PROVISIONER_NAME = 'nfs-subdir-external-provisioner';

/**
 * The NFS dynamic provisioner, as the `nfs-subdir-external-provisioner` Helm chart
 * renders it with the tutorial's values, without Helm: ServiceAccount, RBAC,
 * leader-election Role, Deployment and the `nfs-client` StorageClass.
 */
export class NfsProvisioner extends Construct {
  /** The StorageClass that claims name to get NFS-backed volumes. */
  public readonly storageClassName: string;
  /** The provisioner Deployment. */
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: NfsProvisionerProps = {}) {
    // Validated as cluster.yaml's nfs and provisioner sections are, before joining the construct tree.
    parseConstructProps('NfsProvisioner', nfsProvisionerPropsSchema, props);
    super(scope, id);
    const namespace = props.namespace ?? TUTORIAL_DEFAULTS.namespace;
    const provisionerName = props.provisionerName ?? TUTORIAL_DEFAULTS.provisionerName;
    const nfsServer = props.nfsServer ?? TUTORIAL_DEFAULTS.nfsServer;
    const nfsPath = props.nfsPath ?? TUTORIAL_DEFAULTS.nfsPath;
    this.storageClassName = props.storageClassName ?? TUTORIAL_DEFAULTS.storageClassName;
    const labels = componentLabels(NFS_PROVISIONER_NAME);
    const podLabels = { app: NFS_PROVISIONER_NAME };

    new KubeServiceAccount(this, 'service-account', {
      metadata: { name: NFS_PROVISIONER_NAME, namespace, labels },
    });

    const runner = new KubeClusterRole(this, 'runner-role', {
      metadata: { name: `${NFS_PROVISIONER_NAME}-runner`, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'update'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
      ],
    });
    new KubeClusterRoleBinding(this, 'runner-binding', {
      metadata: { name: `run-${NFS_PROVISIONER_NAME}`, labels },
      subjects: [{ kind: 'ServiceAccount', name: NFS_PROVISIONER_NAME, namespace }],
      roleRef: { kind: 'ClusterRole', name: runner.name, apiGroup: 'rbac.authorization.k8s.io' },
    });

    // The provisioner elects a leader through an Endpoints lock in its namespace.
    const leaderLocking = new KubeRole(this, 'leader-locking-role', {
      metadata: { name: `leader-locking-${NFS_PROVISIONER_NAME}`, namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
      ],
    });
    new KubeRoleBinding(this, 'leader-locking-binding', {
      metadata: { name: `leader-locking-${NFS_PROVISIONER_NAME}`, namespace, labels },
      subjects: [{ kind: 'ServiceAccount', name: NFS_PROVISIONER_NAME, namespace }],
      roleRef: { kind: 'Role', name: leaderLocking.name, apiGroup: 'rbac.authorization.k8s.io' },
    });

    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: NFS_PROVISIONER_NAME, namespace, labels },
      replicas: 1,
      // Two provisioners must never run at once against the same export.
      strategy: kplus.DeploymentStrategy.recreate(),
      select: false,
      podMetadata: { labels: { ...podLabels, ...labels } },
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'service-account-ref', NFS_PROVISIONER_NAME),
      // It talks to the API server (cdk8s-plus turns the token off by default).
      automountServiceAccountToken: true,
      // The upstream image runs as root (uid 0) to create folders on the export.
      securityContext: { ensureNonRoot: false },
      volumes: [],
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: podLabels }));
    removeConstructPathLabel(this.deployment);

    const root = kplus.Volume.fromNfs(this, 'nfs-root', `${NFS_PROVISIONER_NAME}-root`, { server: nfsServer, path: nfsPath });
    this.deployment.addContainer({
      name: NFS_PROVISIONER_NAME,
      image: props.image ?? TUTORIAL_DEFAULTS.provisionerImage,
      imagePullPolicy: kplus.ImagePullPolicy.IF_NOT_PRESENT,
      envVariables: {
        PROVISIONER_NAME: kplus.EnvValue.fromValue(provisionerName),
        NFS_SERVER: kplus.EnvValue.fromValue(nfsServer),
        NFS_PATH: kplus.EnvValue.fromValue(nfsPath),
      },
      volumeMounts: [{ path: '/persistentvolumes', volume: root }],
      securityContext: {
        ensureNonRoot: false,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(10), limit: kplus.Cpu.millis(250) },
        memory: { request: Size.mebibytes(32), limit: Size.mebibytes(128) },
      },
    });
    const object = ApiObject.of(this.deployment);
    // Nothing is written to its (read-only) root filesystem: this is for its logs. (cdk8s-plus
    // would render ephemeral storage in whole Gi.)
    object.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/requests/ephemeral-storage', Quantity.fromString('32Mi')));
    object.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/resources/limits/ephemeral-storage', Quantity.fromString('256Mi')));
    // Root, but without any capability: folder creation, chmod of its own folders, renames and
    // deletions on NFS are checked by the server, not by the client's capabilities.
    object.addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/securityContext/capabilities', { drop: ['ALL'] }));
    object.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
    ignoreKubeScoreChecks(object, NFS_PROVISIONER_KUBE_SCORE_IGNORES);

    new KubeStorageClass(this, 'storage-class', {
      metadata: { name: this.storageClassName, labels },
      provisioner: provisionerName,
      allowVolumeExpansion: true,
      reclaimPolicy: props.reclaimPolicy ?? 'Delete',
      volumeBindingMode: 'Immediate',
      parameters: { archiveOnDelete: String(props.archiveOnDelete ?? true) },
    });

  }
}

