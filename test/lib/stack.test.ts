import { Chart, Testing } from 'cdk8s';
import { ClusterConfigError, TritonJetsonStack } from '../../lib';
import { findManifest, podSpec } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';

describe('TritonJetsonStack variants', () => {
  test.each(Object.entries(VARIANTS))('%s matches its snapshot', (_name, cluster) => {
    expect(synthManifests(cluster)).toMatchSnapshot();
  });

  test('provisioner off: no provisioner objects, the claim uses the existing class', () => {
    const manifests = synthManifests(VARIANTS['provisioner off']);
    expect(manifests.filter((m) => m.metadata.name.includes('nfs-subdir-external-provisioner'))).toEqual([]);
    expect(manifests.filter((m) => m.kind === 'StorageClass')).toEqual([]);
    expect(findManifest(manifests, 'PersistentVolumeClaim', 'models-pvc').spec.storageClassName).toBe('existing-nfs');
  });

  test('containerd: Triton runs under the nvidia RuntimeClass', () => {
    const ds = findManifest(synthManifests(VARIANTS['containerd runtime class']), 'DaemonSet', 'triton');
    expect(podSpec(ds).runtimeClassName).toBe('nvidia');
    expect(podSpec(findManifest(synthManifests(), 'DaemonSet', 'triton')).runtimeClassName).toBeUndefined();
  });

  test('custom ports: Service, container, probes and namespace follow', () => {
    const manifests = synthManifests(VARIANTS['custom ports and namespace']);
    for (const m of manifests.filter((x) => !['ClusterRole', 'ClusterRoleBinding', 'StorageClass'].includes(x.kind))) {
      expect(m.metadata.namespace).toBe('inference');
    }
    const svc = findManifest(manifests, 'Service', 'triton');
    expect(svc.spec.ports.map((p: { port: number; nodePort: number }) => [p.port, p.nodePort])).toEqual([[9000, 31000], [9001, 31001], [9002, 31002]]);
    expect(svc.spec.externalTrafficPolicy).toBe('Local');
    expect(findManifest(manifests, 'ClusterRoleBinding').subjects[0].namespace).toBe('inference');
  });

  test('an invalid description fails before any object is created', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new TritonJetsonStack(chart, 'stack', { cluster: { service: { nodePorts: { http: 80 } } } })).toThrow(ClusterConfigError);
    expect(chart.node.children.length).toBe(0);
  });
});
