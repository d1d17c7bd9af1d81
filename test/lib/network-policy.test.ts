import { Chart, Testing } from 'cdk8s';
import {
  ModelSeedJob, ModelStore, NfsProvisioner, TritonDaemonSet, TritonJetsonStack, TritonNetworkPolicy,
} from '../../lib';
import { urlPort } from '../../lib/network-policy';
import { invariantViolations } from '../support/invariants';
import { Manifest, podSpec } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { synthConstruct, testApp, testChart } from './helpers';

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: 'TCP', port }));
/** The checks a manifest tells kube-score to skip (its `kube-score/ignore` annotation). */
const kubeScoreIgnores = (m: Manifest): string[] => ((m.metadata as { annotations?: Record<string, string> }).annotations?.['kube-score/ignore'] ?? '').split(',').filter((c) => c !== '');
const policies = (manifests: Manifest[]) => manifests.filter((m) => m.kind === 'NetworkPolicy');

/** True when a policy's podSelector selects the pods of `workload` (same namespace). */
function selects(policy: Manifest, workload: Manifest): boolean {
  const labels: Record<string, string> = workload.spec.template.metadata.labels ?? {};
  return policy.metadata.namespace === workload.metadata.namespace
    && Object.entries(policy.spec.podSelector.matchLabels as Record<string, string>).every(([k, v]) => labels[k] === v);
}

describe('TritonNetworkPolicy', () => {
  test('alone: only Triton, ingress to its three ports, no egress', () => {
    const [policy, ...rest] = synthConstruct((scope) => new TritonNetworkPolicy(scope, 'np', { triton: { podSelector: { app: 'triton' } } }));
    expect(rest).toEqual([]);
    expect(policy).toMatchObject({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'triton-jetson-triton', namespace: 'default' },
      spec: {
        podSelector: { matchLabels: { app: 'triton' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ports: tcp(8000, 8001, 8002) }],
        egress: [],
      },
    });
    expect(policy.spec.ingress[0].from).toBeUndefined();
  });

  test('urlPort: the explicit port, else the scheme\'s', () => {
    expect(urlPort('http://mirror.lan:8080/models')).toBe(8080);
    expect(urlPort('http://mirror.lan/')).toBe(80);
    expect(urlPort('https://mirror.lan/')).toBe(443);
  });
});

describe('networkPolicy in the stack', () => {
  test('is off by default: no policies, and kube-score is told so on each workload', () => {
    const manifests = synthManifests();
    expect(policies(manifests)).toEqual([]);
    for (const kind of ['DaemonSet', 'Deployment', 'Job']) {
      const workload = manifests.find((m) => m.kind === kind)!;
      expect(kubeScoreIgnores(workload)).toContain('pod-networkpolicy');
    }
  });

  test('enabled: one policy per workload that selects its pods and only them', () => {
    const manifests = synthManifests({ networkPolicy: { enabled: true }, namespace: 'edge' });
    expect(invariantViolations(manifests)).toEqual([]);
    const found = policies(manifests);
    expect(found.map((p) => p.metadata.name)).toEqual(['triton-jetson-triton', 'triton-jetson-nfs-provisioner', 'triton-jetson-model-seed']);
    const workloads = manifests.filter((m) => ['DaemonSet', 'Deployment', 'Job'].includes(m.kind));
    for (const policy of found) {
      expect(policy.metadata.namespace).toBe('edge');
      expect(workloads.filter((w) => selects(policy, w)).map((w) => w.kind)).toHaveLength(1);
    }
    for (const workload of workloads) {
      expect(kubeScoreIgnores(workload)).not.toContain('pod-networkpolicy');
      expect(podSpec(workload).hostNetwork ?? false).toBe(false); // a policy would not apply to host-network pods
    }
    const byName = Object.fromEntries(found.map((p) => [p.metadata.name, p.spec]));
    expect(byName['triton-jetson-nfs-provisioner']).toMatchObject({ ingress: [], egress: [{ ports: tcp(443, 6443) }] });
    expect(byName['triton-jetson-model-seed']).toMatchObject({
      ingress: [],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }, { ports: tcp(80, 443) }],
    });
  });

  test('follows Triton\'s ports, the mirror\'s port, the API server ports and what is turned off', () => {
    const manifests = synthManifests({
      networkPolicy: { enabled: true, apiServerPorts: [6443] },
      triton: { ports: { http: 9000, grpc: 9001, metrics: 9002 } },
      seeding: { mirror: 'http://mirror.lan:8080' },
    });
    const byName = Object.fromEntries(policies(manifests).map((p) => [p.metadata.name, p.spec]));
    expect(byName['triton-jetson-triton'].ingress).toEqual([{ ports: tcp(9000, 9001, 9002) }]);
    expect(byName['triton-jetson-nfs-provisioner'].egress).toEqual([{ ports: tcp(6443) }]);
    expect(byName['triton-jetson-model-seed'].egress[1]).toEqual({ ports: tcp(80, 443, 8080) });

    const minimal = synthManifests({ networkPolicy: { enabled: true }, provisioner: { enabled: false }, seeding: { enabled: false } });
    expect(policies(minimal).map((p) => p.metadata.name)).toEqual(['triton-jetson-triton']);
  });

  test('the seeding Job may reach the port of each model\'s download (no mirror)', () => {
    const model = {
      name: 'lan_model',
      downloads: [{ url: 'http://models.lan:8080/lan_model.onnx', archive: 'file', files: [{ to: '1/model.onnx' }] }],
      config: { platform: 'onnxruntime_onnx', maxBatchSize: 0, input: [{ name: 'x', dataType: 'TYPE_FP32', dims: [3] }], output: [{ name: 'y', dataType: 'TYPE_FP32', dims: [3] }] },
    } as const;
    const manifests = synthManifests({ networkPolicy: { enabled: true }, models: [model] });
    const seed = policies(manifests).find((p) => p.metadata.name === 'triton-jetson-model-seed')!;
    expect(seed.spec.egress[1]).toEqual({ ports: tcp(80, 443, 8080) });
  });

  test('takes the constructs themselves: each policy selects its workload\'s pods, in their namespace', () => {
    const chart = new Chart(testApp(), 'app', { namespace: 'ml', disableResourceNameHashes: true });
    const provisioner = new NfsProvisioner(chart, 'nfs');
    const modelStore = new ModelStore(chart, 'models', { provisioner });
    const seedJob = new ModelSeedJob(chart, 'seed', { modelStore, mirror: 'http://mirror.lan:8081' });
    const triton = new TritonDaemonSet(chart, 'triton', { seedJob, ports: { http: 9000, grpc: 9001, metrics: 9002 } });
    new TritonNetworkPolicy(chart, 'np', { triton, provisioner, modelSeed: seedJob });
    const manifests = Testing.synth(chart) as Manifest[];
    const found = policies(manifests);
    expect(found.map((p) => p.metadata.name)).toEqual(['triton-jetson-triton', 'triton-jetson-nfs-provisioner', 'triton-jetson-model-seed']);
    for (const [policy, kind] of [[found[0], 'DaemonSet'], [found[1], 'Deployment'], [found[2], 'Job']] as const) {
      expect(selects(policy, manifests.find((m) => m.kind === kind)!)).toBe(true);
    }
    expect(found[0].spec.ingress).toEqual([{ ports: tcp(9000, 9001, 9002) }]);
    expect(found[2].spec.egress[1]).toEqual({ ports: tcp(80, 443, 8081) });
  });

  test('the stack exposes the construct when enabled', () => {
    const on = new TritonJetsonStack(testChart(), 'stack', { networkPolicy: { enabled: true } });
    const off = new TritonJetsonStack(testChart(), 'stack', {});
    expect(on.networkPolicy?.policies).toHaveLength(3);
    expect(off.networkPolicy).toBeUndefined();
  });
});
