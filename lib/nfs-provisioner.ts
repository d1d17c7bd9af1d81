import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  KubeClusterRole, KubeClusterRoleBinding, KubeDeployment, KubeRole, KubeRoleBinding, KubeServiceAccount, KubeStorageClass,
} from '../imports/k8s';
import { nfsProvisionerPropsSchema } from './config/construct-props-schema';
import { parseConstructProps } from './config/parse-props';
import { checkUniqueObjects, clusterScoped, namespaceOf } from './k8s-scope';
import { ignoreKubeScoreChecks } from './kube-score-ignores';
import { componentLabels, podLabels } from './labels';
import {
  containerEnv, containerResources, podMetadata, podOptionsSpec, rootPodSecurityContext, STABLE_POD_FIELDS,
} from './pod-spec';
import type { PodOptions } from './types/pod';

/** Properties of {@link NfsProvisioner}. */
export interface NfsProvisionerProps extends PodOptions {
  /**
   * Base name of its objects: ServiceAccount and Deployment `<name>`, ClusterRole
   * `<name>-runner`, ClusterRoleBinding `run-<name>`, Role and RoleBinding `leader-locking-<name>`;
   * also the pods' `app` label.
   * @default "nfs-subdir-external-provisioner"
   */
  readonly name?: string;
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
   * @default - the Chart's namespace, else "default"
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
   * Provisioner name written into the StorageClass and the provisioner's environment; the
   * provisioner serves every StorageClass naming it, so two NfsProvisioners of one app need
   * two names (synth fails otherwise).
   * @default - "k8s-sigs.io/<name>" when `name` is given, else "k8s-sigs.io/nfs-subdir-external-provisioner"
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
  /** Provisioner name: its StorageClass names it, and it provisions every claim of a class that does. */
  public readonly provisionerName: string;
  /** Namespace of its namespaced objects. */
  public readonly namespace: string;
  /** Labels of its pods (the Deployment's selector), e.g. for a NetworkPolicy. */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The provisioner Deployment (an L1 `apps/v1` Deployment). */
  public readonly deployment: ApiObject;
  /** The StorageClass (an L1 `storage.k8s.io/v1` StorageClass, cluster-scoped). */
  public readonly storageClass: ApiObject;

  constructor(scope: Construct, id: string, props: NfsProvisionerProps = {}) {
    const settings = parseConstructProps('NfsProvisioner', nfsProvisionerPropsSchema, props);
    super(scope, id);
    checkUniqueObjects(this);
    const name = settings.name ?? NFS_PROVISIONER_NAME;
    const namespace = namespaceOf(this, settings.namespace);
    const { nfsServer, nfsPath } = settings;
    // A provisioner of its own name answers only its own StorageClass (see checkDistinctProvisionerNames).
    const provisionerName = props.provisionerName === undefined && props.name !== undefined ? `k8s-sigs.io/${name}` : settings.provisionerName;
    this.namespace = namespace;
    this.storageClassName = settings.storageClassName;
    this.provisionerName = provisionerName;
    checkDistinctProvisionerNames(this);
    const labels = componentLabels(this, name);
    const selector = { app: name };
    this.podSelector = selector;
    const rootVolume = `${name}-root`;

    // Cluster-scoped objects first, so that `kubectl apply -f` of the output creates them
    // before the namespaced ones that refer to them.
    this.storageClass = clusterScoped(new KubeStorageClass(this, 'storage-class', {
      metadata: { name: this.storageClassName, labels },
      provisioner: provisionerName,
      allowVolumeExpansion: true,
      reclaimPolicy: settings.reclaimPolicy,
      volumeBindingMode: 'Immediate',
      parameters: { archiveOnDelete: String(settings.archiveOnDelete) },
    }));

    const runner = clusterScoped(new KubeClusterRole(this, 'runner-role', {
      metadata: { name: `${name}-runner`, labels },
      rules: [
        { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'update'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'update', 'patch'] },
      ],
    }));
    clusterScoped(new KubeClusterRoleBinding(this, 'runner-binding', {
      metadata: { name: `run-${name}`, labels },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
      roleRef: { kind: 'ClusterRole', name: runner.name, apiGroup: 'rbac.authorization.k8s.io' },
    }));

    new KubeServiceAccount(this, 'service-account', {
      metadata: { name, namespace, labels },
    });

    // The provisioner elects a leader through an Endpoints lock in its namespace.
    const leaderLocking = new KubeRole(this, 'leader-locking-role', {
      metadata: { name: `leader-locking-${name}`, namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'] },
      ],
    });
    new KubeRoleBinding(this, 'leader-locking-binding', {
      metadata: { name: `leader-locking-${name}`, namespace, labels },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
      roleRef: { kind: 'Role', name: leaderLocking.name, apiGroup: 'rbac.authorization.k8s.io' },
    });

    const deployment = new KubeDeployment(this, 'deployment', {
      metadata: { name, namespace, labels },
      spec: {
        minReadySeconds: 0,
        progressDeadlineSeconds: 600,
        replicas: 1,
        // Two provisioners must never run at once against the same export.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: selector },
        template: {
          metadata: podMetadata({ ...selector, ...podLabels(this, name) }, {}, settings),
          spec: {
            ...STABLE_POD_FIELDS,
            ...podOptionsSpec(settings),
            serviceAccountName: name,
            // It talks to the API server.
            automountServiceAccountToken: true,
            // The upstream image runs as root (uid 0) to create folders on the export.
            securityContext: rootPodSecurityContext(),
            containers: [{
              name: NFS_PROVISIONER_NAME,
              image: settings.image,
              imagePullPolicy: 'IfNotPresent',
              env: containerEnv([
                { name: 'PROVISIONER_NAME', value: provisionerName },
                { name: 'NFS_SERVER', value: nfsServer },
                { name: 'NFS_PATH', value: nfsPath },
              ], settings),
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
    ignoreKubeScoreChecks(deployment, NFS_PROVISIONER_KUBE_SCORE_IGNORES);
    this.deployment = deployment;
  }
}

const PROVISIONERS = Symbol.for('cdk8s-triton-jetson.nfs-provisioners');

/**
 * Makes synth fail when two NfsProvisioners of one app share a provisioner name: each would
 * provision the claims of the other's StorageClass too, on its own NFS export (the provisioner
 * serves every class naming it, and takes its leader lock by that name).
 */
function checkDistinctProvisionerNames(provisioner: NfsProvisioner): void {
  const root = provisioner.node.root as IConstruct & { [PROVISIONERS]?: NfsProvisioner[] };
  const known = root[PROVISIONERS];
  if (known) {
    known.push(provisioner);
    return;
  }
  const all = [provisioner];
  Object.defineProperty(root, PROVISIONERS, { value: all });
  root.node.addValidation({
    validate: () => {
      const first = new Map<string, NfsProvisioner>();
      const problems: string[] = [];
      for (const p of all) {
        const other = first.get(p.provisionerName);
        if (!other) first.set(p.provisionerName, p);
        else {
          problems.push(`NfsProvisioner at ${p.node.path} has the provisionerName "${p.provisionerName}" of the one at ${other.node.path}: `
            + 'each would provision the other\'s claims on its own NFS export; give one its own provisionerName (or its TritonJetsonStack its own `instance`)');
        }
      }
      return problems;
    },
  });
}
