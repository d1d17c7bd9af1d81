import { Construct } from 'constructs';
import {
  KubeClusterRole, KubeClusterRoleBinding, KubeDeployment, KubeRole, KubeRoleBinding, KubeServiceAccount, KubeStorageClass,
} from '../imports/k8s';
import { nfsProvisionerPropsSchema, parseConstructProps } from './config';
import { ignoreKubeScoreChecks } from './kube-score-ignores';
import { componentLabels } from './labels';
import { containerResources, rootPodSecurityContext, STABLE_POD_FIELDS } from './pod-spec';

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
  public readonly deployment: KubeDeployment;

  constructor(scope: Construct, id: string, props: NfsProvisionerProps = {}) {
    const settings = parseConstructProps('NfsProvisioner', nfsProvisionerPropsSchema, props);
    super(scope, id);
    const { namespace, provisionerName, nfsServer, nfsPath } = settings;
    this.storageClassName = settings.storageClassName;
    const labels = componentLabels(NFS_PROVISIONER_NAME);
    const podLabels = { app: NFS_PROVISIONER_NAME };
    const rootVolume = `${NFS_PROVISIONER_NAME}-root`;

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

    this.deployment = new KubeDeployment(this, 'deployment', {
      metadata: { name: NFS_PROVISIONER_NAME, namespace, labels },
      spec: {
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: 1,
        // Two provisioners must never run at once against the same export.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: podLabels },
        template: {
          metadata: { labels: { ...podLabels, ...labels } },
          spec: {
            ...STABLE_POD_FIELDS,
            serviceAccountName: NFS_PROVISIONER_NAME,
            // It talks to the API server.
            automountServiceAccountToken: true,
            // The upstream image runs as root (uid 0) to create folders on the export.
            securityContext: rootPodSecurityContext(),
            containers: [{
              name: NFS_PROVISIONER_NAME,
              image: settings.image,
              imagePullPolicy: 'IfNotPresent',
              env: [
                { name: 'PROVISIONER_NAME', value: provisionerName },
                { name: 'NFS_SERVER', value: nfsServer },
                { name: 'NFS_PATH', value: nfsPath },
              ],
              volumeMounts: [{ name: rootVolume, mountPath: '/persistentvolumes' }],
              securityContext: {
                runAsNonRoot: false,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                // Root, but without any capability: folder creation, chmod of its own folders,
                // renames and deletions on NFS are checked by the server, not by the client's capabilities.
                capabilities: { drop: ['ALL'] },
              },
              // Ephemeral storage is for its logs: nothing is written to its read-only root filesystem.
              resources: containerResources({
                cpuRequest: '10m', cpuLimit: '250m',
                memoryRequest: '32Mi', memoryLimit: '128Mi',
                ephemeralStorageRequest: '32Mi', ephemeralStorageLimit: '256Mi',
              }),
            }],
            volumes: [{ name: rootVolume, nfs: { server: nfsServer, path: nfsPath } }],
          },
        },
      },
    });
    ignoreKubeScoreChecks(this.deployment, NFS_PROVISIONER_KUBE_SCORE_IGNORES);

    new KubeStorageClass(this, 'storage-class', {
      metadata: { name: this.storageClassName, labels },
      provisioner: provisionerName,
      allowVolumeExpansion: true,
      reclaimPolicy: settings.reclaimPolicy,
      volumeBindingMode: 'Immediate',
      parameters: { archiveOnDelete: String(settings.archiveOnDelete) },
    });
  }
}

