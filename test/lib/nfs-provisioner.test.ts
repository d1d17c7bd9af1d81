import { NfsProvisioner } from '../../lib';
import { NFS_PROVISIONER_KUBE_SCORE_IGNORES } from '../../lib/nfs-provisioner';
import { invariantViolations } from '../support/invariants';
import { findManifest, Manifest, podSpec } from '../support/manifests';
import { synthConstruct } from './helpers';

/** The checks a manifest tells kube-score to skip (its `kube-score/ignore` annotation). */
const kubeScoreIgnores = (m: Manifest): string[] => ((m.metadata as { annotations?: Record<string, string> }).annotations?.['kube-score/ignore'] ?? '').split(',').filter((c) => c !== '');

describe('NfsProvisioner', () => {
  const manifests = synthConstruct((scope) => new NfsProvisioner(scope, 'nfs'));

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('renders what the Helm chart renders, under the chart\'s names, cluster-scoped objects first', () => {
    expect(manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'StorageClass/nfs-client',
      'ClusterRole/nfs-subdir-external-provisioner-runner',
      'ClusterRoleBinding/run-nfs-subdir-external-provisioner',
      'ServiceAccount/nfs-subdir-external-provisioner',
      'Role/leader-locking-nfs-subdir-external-provisioner',
      'RoleBinding/leader-locking-nfs-subdir-external-provisioner',
      'Deployment/nfs-subdir-external-provisioner',
    ]);
    expect(invariantViolations(manifests)).toEqual([]);
  });

  test('grants exactly the chart\'s RBAC rules', () => {
    const rules = findManifest(manifests, 'ClusterRole').rules.map((r: { resources: string[]; verbs: string[] }) => [r.resources[0], r.verbs.join(',')]);
    expect(rules).toEqual([
      ['nodes', 'get,list,watch'],
      ['persistentvolumes', 'get,list,watch,create,delete'],
      ['persistentvolumeclaims', 'get,list,watch,update'],
      ['storageclasses', 'get,list,watch'],
      ['events', 'create,update,patch'],
    ]);
    expect(findManifest(manifests, 'Role').rules[0].resources).toEqual(['endpoints']);
    const binding = findManifest(manifests, 'ClusterRoleBinding');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'nfs-subdir-external-provisioner', namespace: 'default' }]);
    expect(binding.roleRef.name).toBe('nfs-subdir-external-provisioner-runner');
  });

  test('runs the provisioner with its service account, the NFS root mounted, and Recreate', () => {
    const deployment = findManifest(manifests, 'Deployment');
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const spec = podSpec(deployment);
    expect(spec.serviceAccountName).toBe('nfs-subdir-external-provisioner');
    expect(spec.automountServiceAccountToken).toBe(true);
    expect(spec.volumes).toEqual([{ name: 'nfs-subdir-external-provisioner-root', nfs: { server: '10.0.0.30', path: '/var/nfs/general' } }]);
    const container = spec.containers[0];
    expect(container.image).toBe('registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.volumeMounts).toEqual([{ name: 'nfs-subdir-external-provisioner-root', mountPath: '/persistentvolumes' }]);
    expect(deployment.spec.selector.matchLabels).toEqual({ app: 'nfs-subdir-external-provisioner' });
  });

  test('is hardened: no capabilities, no escalation, read-only root, RuntimeDefault seccomp, bounded resources', () => {
    const deployment = findManifest(manifests, 'Deployment');
    const spec = podSpec(deployment);
    const container = spec.containers[0];
    expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: false, capabilities: { drop: ['ALL'] },
    });
    expect(container.resources).toEqual({
      requests: { 'cpu': '10m', 'memory': '32Mi', 'ephemeral-storage': '32Mi' },
      limits: { 'cpu': '250m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' },
    });
    // Root like the upstream chart, IfNotPresent pulls: deliberate (docs/hardening.md).
    expect(kubeScoreIgnores(deployment)).toEqual([...NFS_PROVISIONER_KUBE_SCORE_IGNORES].sort());
  });

  test('takes the NFS server, path, names and policies from its props', () => {
    const custom = synthConstruct((scope) => new NfsProvisioner(scope, 'nfs', {
      nfsServer: 'nas.lan', nfsPath: '/export/models', namespace: 'edge', storageClassName: 'shared',
      provisionerName: 'example.com/nfs', archiveOnDelete: false, reclaimPolicy: 'Retain',
    }));
    const env = podSpec(findManifest(custom, 'Deployment')).containers[0].env;
    expect(env).toContainEqual({ name: 'NFS_SERVER', value: 'nas.lan' });
    expect(env).toContainEqual({ name: 'NFS_PATH', value: '/export/models' });
    expect(findManifest(custom, 'StorageClass')).toMatchObject({
      metadata: { name: 'shared' }, provisioner: 'example.com/nfs', reclaimPolicy: 'Retain', parameters: { archiveOnDelete: 'false' },
    });
    expect(findManifest(custom, 'ClusterRoleBinding').subjects[0].namespace).toBe('edge');
  });
});
