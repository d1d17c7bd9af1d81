/**
 * A mixed cluster on a real control plane: two Nano (jetpack4) and two Orin (jetpack6) kwok
 * nodes labelled as the bootstrapper labels them, plus an x86 node. The mixed variant's
 * per-profile DaemonSets must put each profile's pods on that profile's nodes only, and
 * the one `triton` Service must select all of them.
 */
import { parseClusterConfig } from '../../lib/config';
import { PROFILE_NODE_LABEL, synthYaml } from '../../lib';
import { describeWith } from '../support/prereq';
import { VARIANTS } from '../support/variants';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';
import { manifestObjects, nfsVolume, podsOf } from './cluster-fixtures';

jest.setTimeout(240_000);

const NANOS = ['jm-node-1', 'jm-node-2'];
const ORINS = ['orin-1', 'orin-2'];
const X86 = 'x86-worker-1';

/** A kwok node: arm64 Jetsons carry the Jetson and profile labels; the x86 node neither. */
function node(name: string, profile?: 'jetpack4' | 'jetpack6'): object {
  const arch = profile ? 'arm64' : 'amd64';
  const labels: Record<string, string> = {
    'kubernetes.io/arch': arch, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': name,
    'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux',
  };
  if (profile) {
    labels['triton-jetson.dev/jetson'] = 'true';
    labels[PROFILE_NODE_LABEL] = profile;
  }
  const memory = profile === 'jetpack4' ? '4045880Ki' : '16Gi';
  const resources = { cpu: profile === 'jetpack4' ? '4' : '8', memory, pods: '110', 'ephemeral-storage': '28Gi' };
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels }, spec: {}, status: { capacity: resources, allocatable: resources } };
}

describeWith(kubeClusterPrerequisites())('a mixed Nano + Orin cluster on a real control plane', () => {
  let cluster: KubeCluster;

  beforeAll(async () => {
    cluster = await KubeCluster.start();
    const nodes = [...NANOS.map((n) => node(n, 'jetpack4')), ...ORINS.map((n) => node(n, 'jetpack6')), node(X86)];
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: nodes }));
    await cluster.waitFor('5 Ready nodes (kwok)', async () => {
      const list = await cluster.getJson<{ items: any[] }>(['nodes']); // eslint-disable-line @typescript-eslint/no-explicit-any
      return list.items.filter((n) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === 5 ? true : undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
    });
    // What K3s registers on containerd nodes (the Orin profile runs under it).
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' }, handler: 'nvidia',
    }));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('each profile\'s pods land on its own nodes only; one Service selects them all', async () => {
    const namespace = 'profiles-mixed';
    const yamlText = synthYaml(parseClusterConfig({ ...VARIANTS['mixed Nano and Orin'], namespace }, 'mixed variant'));
    const objects = manifestObjects(yamlText);
    expect(objects.filter((o) => o.kind === 'DaemonSet').map((o) => o.metadata.name)).toEqual(['triton-jetpack4', 'triton-jetpack6']);
    await cluster.kubectlOk(['create', 'namespace', namespace]);
    await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], yamlText);
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], yamlText);
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nfsVolume(`${namespace}-models`, 'nfs-client', { namespace, name: 'models-pvc' })));

    const pods = await cluster.waitFor('4 running Triton pods (2 per profile)', async () => {
      const found = await podsOf(cluster, namespace, 'app=triton');
      return found.length === 4 && found.every((p) => p.status?.phase === 'Running') ? found : undefined;
    }, 180_000);
    const placement = (profile: string) => pods
      .filter((p) => p.metadata.labels[PROFILE_NODE_LABEL] === profile)
      .map((p) => p.spec.nodeName)
      .sort();
    expect(placement('jetpack4')).toEqual(NANOS);
    expect(placement('jetpack6')).toEqual(ORINS);
    for (const pod of pods) {
      const owner = pod.metadata.ownerReferences[0].name;
      expect(owner).toBe(`triton-${pod.metadata.labels[PROFILE_NODE_LABEL]}`);
      const container = pod.spec.containers[0];
      if (owner === 'triton-jetpack6') {
        expect(pod.spec.runtimeClassName).toBe('nvidia');
        expect(container.image).toMatch(/-py3-igpu$/);
      } else {
        expect(pod.spec.runtimeClassName).toBeUndefined();
        expect(container.image).toBe('janakiramm/triton-jetson');
      }
    }
    // Each DaemonSet counts only its own pods (selectors do not overlap).
    for (const name of ['triton-jetpack4', 'triton-jetpack6']) {
      const ds = await cluster.getJson(['daemonset', name, '-n', namespace]);
      expect(ds.status.desiredNumberScheduled).toBe(2);
    }
    // The one Service selects the pods of both profiles.
    const service = await cluster.getJson(['service', 'triton', '-n', namespace]);
    expect(service.spec.selector).toEqual({ app: 'triton' });
    const selected = await podsOf(cluster, namespace, Object.entries(service.spec.selector).map(([k, v]) => `${k}=${v}`).join(','));
    expect(selected.map((p) => p.spec.nodeName).sort()).toEqual([...NANOS, ...ORINS].sort());

    await cluster.kubectlOk(['delete', '--wait=true', '-f', '-'], yamlText);
    await cluster.kubectlOk(['delete', 'namespace', namespace, '--wait=false']);
  });

  test('no profile named: the tutorial\'s one DaemonSet runs on the Nanos, not on the Orins the bootstrapper labelled jetpack6', async () => {
    const namespace = 'profiles-tutorial';
    const yamlText = synthYaml(parseClusterConfig({ namespace }, 'tutorial'));
    await cluster.kubectlOk(['create', 'namespace', namespace]);
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], yamlText);
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nfsVolume(`${namespace}-models`, 'nfs-client', { namespace, name: 'models-pvc' })));
    const pods = await cluster.waitFor('2 running Triton pods (the Nanos)', async () => {
      const found = await podsOf(cluster, namespace, 'app=triton');
      return found.length === 2 && found.every((p) => p.status?.phase === 'Running') ? found : undefined;
    }, 180_000);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(NANOS);
    const ds = await cluster.getJson(['daemonset', 'triton', '-n', namespace]);
    expect(ds.status.desiredNumberScheduled).toBe(2);
    await cluster.kubectlOk(['delete', '--wait=true', '-f', '-'], yamlText);
    await cluster.kubectlOk(['delete', 'namespace', namespace, '--wait=false']);
  });
});
