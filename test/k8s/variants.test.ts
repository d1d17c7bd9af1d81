/**
 * Configurations other than the default, synthesized through the library (synthYaml) and
 * applied to a real control plane with simulated Jetson nodes: strict server-side dry run,
 * real apply, a check of what the variant changes, then delete (freeing NodePorts and the
 * cluster-scoped objects for the next variant). Each variant lives in its own namespace.
 */
import { parseClusterConfig } from '../../lib/config';
import type { ClusterConfigInput } from '../../lib';
import { synthYaml } from '../../lib';
import { describeWith } from '../support/prereq';
import { VARIANTS as CONFIGS } from '../support/variants';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';
import { addSimulatedNodes, JETSON_NODES, ManifestObject, manifestObjects, nfsVolume, podsOf } from './cluster-fixtures';

jest.setTimeout(180_000);

interface Variant {
  /** Short name; the namespace is variant-<name>. */
  readonly name: string;
  /** Cluster description, one of test/support/variants.ts (its namespace is replaced). */
  readonly config: ClusterConfigInput;
  /** What this variant must change, checked after the real apply. */
  readonly check: (cluster: KubeCluster, namespace: string, objects: ManifestObject[]) => Promise<void>;
}

const VARIANTS: Variant[] = [
  {
    name: 'no-provisioner',
    config: CONFIGS['provisioner off'],
    check: async (cluster, namespace, objects) => {
      expect(objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StorageClass')).toEqual([]);
      const claim = await cluster.getJson(['pvc', 'models-pvc', '-n', namespace]);
      expect(claim.spec.storageClassName).toBe('existing-nfs');
      await cluster.getJson(['daemonset', 'triton', '-n', namespace]);
    },
  },
  {
    name: 'containerd',
    config: CONFIGS['containerd runtime class'],
    check: async (cluster, namespace) => {
      const ds = await cluster.getJson(['daemonset', 'triton', '-n', namespace]);
      expect(ds.spec.template.spec.runtimeClassName).toBe('nvidia');
      // Pods pass RuntimeClass admission (it rejects an unknown class) and land on the Jetsons.
      await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nfsVolume(`${namespace}-models`, 'nfs-client', { namespace, name: 'models-pvc' })));
      const pods = await cluster.waitFor('4 running Triton pods under RuntimeClass nvidia', async () => {
        const found = await podsOf(cluster, namespace, 'app=triton');
        return found.length === 4 && found.every((p) => p.status?.phase === 'Running') ? found : undefined;
      }, 120_000);
      expect(pods.map((p) => p.spec.nodeName).sort()).toEqual([...JETSON_NODES]);
      for (const pod of pods) expect(pod.spec.runtimeClassName).toBe('nvidia');
    },
  },
  {
    name: 'custom-nodeports',
    config: CONFIGS['custom ports and namespace'],
    check: async (cluster, namespace) => {
      const service = await cluster.getJson(['service', 'triton', '-n', namespace]);
      const nodePorts = Object.fromEntries(service.spec.ports.map((p: any) => [p.name, p.nodePort])); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(nodePorts).toEqual({ http: 31000, grpc: 31001, metrics: 31002 });
    },
  },
  {
    name: 'second-model',
    config: CONFIGS['a second model'],
    check: async (cluster, namespace, objects) => {
      expect(objects.filter((o) => o.kind === 'Job')).toHaveLength(1);
      // Both models reach the cluster (the seeding Job's ConfigMaps), as stored by the server.
      const stored = JSON.stringify(await cluster.getJson(['configmaps', '-n', namespace]));
      expect(stored).toContain('inception_graphdef');
      expect(stored).toContain('densenet_onnx');
      expect(stored).toContain('onnxruntime_onnx');
    },
  },
  {
    name: 'network-policies',
    config: CONFIGS['network policies'],
    check: async (cluster, namespace) => {
      // The server stored one policy per workload, ports as written (docs/hardening.md).
      const stored = await cluster.getJson(['networkpolicies', '-n', namespace]);
      const byName = Object.fromEntries(stored.items.map((p: any) => [p.metadata.name, p.spec])); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(Object.keys(byName).sort()).toEqual(['triton-jetson-model-seed', 'triton-jetson-nfs-provisioner', 'triton-jetson-triton']);
      expect(byName['triton-jetson-triton'].policyTypes).toEqual(['Ingress', 'Egress']);
      expect(byName['triton-jetson-model-seed'].egress[1].ports.map((p: { port: number }) => p.port)).toEqual([80, 443, 8080]);
    },
  },
  {
    // Its own Namespace (rendered first), a private registry, a tainted GPU pool, a priority
    // class, extra env, pod annotations and labels, a Job kept after it finishes.
    name: 'pod-customization',
    config: CONFIGS['pod customization and GitOps'],
    check: async (cluster, namespace) => {
      expect((await cluster.getJson(['namespace', namespace])).metadata.labels['app.kubernetes.io/part-of']).toBe('triton-jetson');
      const workloads = [['daemonset', 'triton'], ['deployment', 'nfs-subdir-external-provisioner']];
      for (const [kind, name] of workloads) {
        const pod = (await cluster.getJson([kind, name, '-n', namespace])).spec.template;
        expect(pod.spec.imagePullSecrets).toEqual([{ name: 'registry-cred' }]);
        expect(pod.spec.priorityClassName).toBe('jetson-critical');
        expect(pod.spec.tolerations).toHaveLength(1);
        expect(pod.metadata.labels.team).toBe('ml');
      }
      const ds = await cluster.getJson(['daemonset', 'triton', '-n', namespace]);
      expect(ds.spec.selector.matchLabels).toEqual({ app: 'triton' });
      expect(ds.spec.template.spec.containers[0].env).toEqual([
        { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }, { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'all' }, { name: 'TZ', value: 'UTC' }, { name: 'NODE_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
      ]);
      const [job] = (await cluster.getJson(['jobs', '-n', namespace])).items;
      expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
      expect(job.metadata.annotations['kustomize.toolkit.fluxcd.io/ssa']).toBe('IfNotPresent');
      expect(job.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoExecute', tolerationSeconds: 600 }]);
    },
  },
  {
    name: 'three-generations',
    config: CONFIGS['Nano, Xavier and Orin'],
    check: async (cluster, namespace) => {
      // As the server stored them: one DaemonSet per generation, each asking the NVIDIA runtime for
      // the GPU, keeping Triton up when a model fails, ready on the seeded model; NGC's entrypoint kept.
      const stored = await cluster.getJson(['daemonsets', '-n', namespace]);
      const containers = Object.fromEntries(stored.items.map((d: any) => [d.metadata.name, d.spec.template.spec.containers[0]])); // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(Object.keys(containers).sort()).toEqual(['triton-jetpack4', 'triton-jetpack5', 'triton-jetpack6']);
      for (const c of Object.values(containers) as any[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
        expect(c.env).toEqual([{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }, { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'all' }]);
        expect(c.args).toEqual(expect.arrayContaining(['--exit-on-error=false', '--strict-readiness=false']));
        expect(c.readinessProbe.httpGet.path).toBe('/v2/models/densenet_onnx/ready');
        expect(c.command).toBeUndefined();
      }
      expect(containers['triton-jetpack6'].args[0]).toBe('tritonserver');
      expect(containers['triton-jetpack5'].image).toBe('registry.lan:5000/edge/triton-jetson:2.35.0-jetpack5.1.2');
    },
  },
];

describeWith(kubeClusterPrerequisites())('configuration variants on a real control plane', () => {
  let cluster: KubeCluster;

  beforeAll(async () => {
    cluster = await KubeCluster.start();
    await addSimulatedNodes(cluster);
    // K3s on containerd: the nvidia container runtime is registered as RuntimeClass "nvidia".
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'nvidia' }, handler: 'nvidia',
    }));
    // The priority class the pod-customization variant names (admission refuses an unknown one).
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'jetson-critical' }, value: 100000,
    }));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test.each(VARIANTS.map((v) => [v.name, v] as const))('%s: strict dry run, apply, check, delete', async (name, variant) => {
    const namespace = `variant-${name}`;
    const config = parseClusterConfig({ ...variant.config, namespace }, `variant ${name}`);
    const yamlText = synthYaml(config);
    const objects = manifestObjects(yamlText);
    expect(objects.length).toBeGreaterThan(0);
    // A dry run stores nothing, so the namespace exists first even when the manifests hold it
    // (createNamespace: the Namespace object, first, is then "configured").
    await cluster.kubectlOk(['create', 'namespace', namespace]);

    const dryRun = await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], yamlText);
    expect(dryRun.trim().split('\n')).toHaveLength(objects.length);
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], yamlText);
    await variant.check(cluster, namespace, objects);

    await cluster.kubectlOk(['delete', '--wait=true', '-f', '-'], yamlText);
    if (!config.createNamespace) await cluster.kubectlOk(['delete', 'namespace', namespace, '--wait=false']);
  });
});
