import { Chart, Testing } from 'cdk8s';
import { ClusterConfigError, TritonJetsonStack, parseClusterConfig, stackPropsFromClusterConfig } from '../../lib';
import { findManifest, podSpec } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';
import { testApp } from './helpers';

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

  test('no profile named: the tutorial\'s DaemonSet stays off boards the bootstrapper labels jetpack5/jetpack6 (issue 22.11)', () => {
    const terms = (cluster?: object) => podSpec(findManifest(synthManifests(cluster), 'DaemonSet', 'triton')).affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms()).toEqual([{ matchExpressions: [
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
      { key: 'triton-jetson.dev/profile', operator: 'NotIn', values: ['jetpack5', 'jetpack6'] },
    ] }]);
    // With profiles, each DaemonSet requires its own label instead.
    const jetpack6 = findManifest(synthManifests({ nodes: { server: { name: 'orin-1', profile: 'jetpack6' } }, seeding: { builtinModels: false } }), 'DaemonSet', 'triton-jetpack6');
    expect(JSON.stringify(podSpec(jetpack6).affinity)).not.toContain('NotIn');
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
    const chart = new Chart(testApp(), 'test');
    expect(() => new TritonJetsonStack(chart, 'stack', { service: { nodePorts: { http: 80 } } })).toThrow(ClusterConfigError);
    expect(chart.node.children.length).toBe(0);
  });
});

describe('the stack\'s own props', () => {
  // Every variant (profiles, runtimes, ports...) through the one mapping from cluster.yaml
  // gives what a cdk8s app gets by passing the same settings to the construct itself.
  test.each(Object.entries(VARIANTS))('%s: stackPropsFromClusterConfig is the whole mapping', (_name, cluster) => {
    const chart = new Chart(testApp(), 'triton-jetson', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'stack', stackPropsFromClusterConfig(parseClusterConfig(cluster)));
    expect(Testing.synth(chart)).toEqual(synthManifests(cluster));
  });

  test('a board profile comes from the fleet, not from SSH inventory', () => {
    const chart = new Chart(testApp(), 'test', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'stack', { fleet: { nodes: [{ name: 'orin-1', profile: 'jetpack6', memory: '8Gi' }] }, seeding: { builtinModels: false } });
    const names = Testing.synth(chart).filter((m) => m.kind === 'DaemonSet').map((m) => m.metadata.name);
    expect(names).toEqual(['triton-jetpack6']);
  });
});

describe('object names', () => {
  test('do not depend on where the stack sits in the construct tree', () => {
    const names = (chartId: string, stackId: string) => {
      const chart = new Chart(testApp(), chartId);
      new TritonJetsonStack(chart, stackId);
      return Testing.synth(chart).map((m) => `${m.kind}/${m.metadata.name}`);
    };
    expect(names('somewhere-else', 'renamed')).toEqual(names('triton-jetson', 'stack'));
  });
});

describe('model seeding in the stack', () => {
  test('the seeding Job mounts the shared claim and Triton reads the repository folder of it', () => {
    const manifests = synthManifests();
    const job = manifests.find((m) => m.kind === 'Job')!;
    const claimVolumes = podSpec(job).volumes.filter((v: { persistentVolumeClaim?: unknown }) => v.persistentVolumeClaim);
    expect(claimVolumes.map((v: { persistentVolumeClaim: { claimName: string } }) => v.persistentVolumeClaim.claimName)).toEqual(['models-pvc']);
    const tritonMount = podSpec(findManifest(manifests, 'DaemonSet', 'triton')).containers[0].volumeMounts
      .find((m: { name: string }) => m.name === 'models');
    expect(tritonMount).toEqual({ name: 'models', mountPath: '/opt/triton/models', subPath: 'repository', readOnly: true });
  });

  test('a second model reaches the seeding ConfigMap, through the mirror', () => {
    const manifests = synthManifests(VARIANTS['a second model']);
    const data = findManifest(manifests, 'ConfigMap', 'model-seed').data;
    expect(Object.keys(data)).toEqual(expect.arrayContaining(['densenet_onnx.config.pbtxt', 'inception_graphdef.config.pbtxt']));
    expect(data['models.list']).toContain('http://mirror.lan:8080/');
    expect(data['densenet_onnx.config.pbtxt']).toContain('platform: "onnxruntime_onnx"');
  });

  test('seeding off: no Job, no ConfigMap', () => {
    const manifests = synthManifests({ seeding: { enabled: false } });
    expect(manifests.filter((m) => m.kind === 'Job' || m.kind === 'ConfigMap')).toEqual([]);
  });
});
