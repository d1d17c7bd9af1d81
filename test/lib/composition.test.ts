/**
 * The building blocks composed by hand, as another cdk8s app would: constructs take each
 * other (not names), follow cdk8s' namespace conventions, never declare one object twice in
 * an app, and hand cdk8s-plus what its constructs accept.
 */
import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  ClusterConfigError, ModelSeedJob, ModelStore, MODEL_REPOSITORY_SUBPATH, NfsProvisioner, parseClusterConfig,
  stackPropsFromClusterConfig, TritonDaemonSet, TritonJetsonStack, TritonService, TritonServiceMonitor,
} from '../../lib';
import { ManifestValidator, schemaAvailable } from '../support/k8s-schema';
import { CLUSTER_SCOPED_KINDS, invariantViolations } from '../support/invariants';
import { findManifest, Manifest, podSpec } from '../support/manifests';
import { testApp } from './helpers';

const synth = (chart: Chart) => Testing.synth(chart) as Manifest[];

/** The folder of the claim a workload's container sees at `mountPath`, as "<claim>/<subPath>". */
function claimFolder(workload: Manifest, mountPath: string): string {
  const spec = podSpec(workload);
  const mounts: Array<{ name: string; mountPath: string; subPath?: string }> = spec.containers[0].volumeMounts;
  const mount = mounts.filter((m) => mountPath === m.mountPath || mountPath.startsWith(`${m.mountPath}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volume = spec.volumes.find((v: { name: string }) => v.name === mount.name);
  const inside = mountPath.slice(mount.mountPath.length).replace(/^\//, '');
  return [volume.persistentVolumeClaim.claimName, mount.subPath, inside].filter((p) => p).join('/');
}

describe('hand composition: constructs take each other', () => {
  test('ModelStore + ModelSeedJob + TritonDaemonSet with the fewest arguments: the published folder is the served folder', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    const modelStore = new ModelStore(chart, 'store');
    const seedJob = new ModelSeedJob(chart, 'seed', { modelStore });
    new TritonDaemonSet(chart, 'triton', { modelStore, seedJob });
    const manifests = synth(chart);
    const job = findManifest(manifests, 'Job');
    const env = Object.fromEntries(podSpec(job).containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    // Where the seeding script publishes: $SEED_ROOT/$SEED_REPOSITORY_SUBPATH (lib/seed/seed-models.sh).
    const published = claimFolder(job, `${env.SEED_ROOT}/${env.SEED_REPOSITORY_SUBPATH}`);
    const ds = findManifest(manifests, 'DaemonSet');
    const served = claimFolder(ds, '/opt/triton/models');
    expect(published).toBe(`models-pvc/${MODEL_REPOSITORY_SUBPATH}`);
    expect(served).toBe(published);
    // Triton reads the folder given to --model-repository.
    expect(podSpec(ds).containers[0].args).toContain('--model-repository=/opt/triton/models');
    expect(invariantViolations(manifests)).toEqual([]);
  });

  test('the seeding Job alone is enough: Triton follows its store, claim and namespace', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    const modelStore = new ModelStore(chart, 'store', { claimName: 'lab-models', namespace: 'lab' });
    const seedJob = new ModelSeedJob(chart, 'seed', { modelStore });
    const triton = new TritonDaemonSet(chart, 'triton', { seedJob });
    expect([triton.claimName, triton.modelRepositorySubPath, triton.namespace]).toEqual(['lab-models', 'repository', 'lab']);
    expect([seedJob.claimName, seedJob.namespace]).toEqual(['lab-models', 'lab']);
    const ds = findManifest(synth(chart), 'DaemonSet');
    expect(ds.metadata.namespace).toBe('lab');
    expect(claimFolder(ds, '/opt/triton/models')).toBe('lab-models/repository');
  });

  test('the Service and the ServiceMonitor follow the DaemonSet they are given', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    const triton = new TritonDaemonSet(chart, 'triton', { name: 'edge', namespace: 'ml', ports: { http: 9000, grpc: 9001, metrics: 9002 } });
    const service = new TritonService(chart, 'svc', { triton, name: 'edge' });
    new TritonServiceMonitor(chart, 'monitor', { service });
    const manifests = synth(chart);
    const svc = findManifest(manifests, 'Service');
    expect(svc.metadata.namespace).toBe('ml');
    expect(svc.spec.selector).toEqual({ app: 'edge' });
    expect(svc.spec.ports.map((p: { port: number }) => p.port)).toEqual([9000, 9001, 9002]);
    const monitor = findManifest(manifests, 'ServiceMonitor');
    expect(monitor.metadata).toMatchObject({ name: 'edge', namespace: 'ml' });
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['ml'] });
  });

  test('a ModelStore takes the provisioner\'s StorageClass', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    const provisioner = new NfsProvisioner(chart, 'nfs', { storageClassName: 'lab-nfs', nfsServer: 'nas.lan', nfsPath: '/export/models' });
    new ModelStore(chart, 'store', { provisioner });
    expect(findManifest(synth(chart), 'PersistentVolumeClaim').spec.storageClassName).toBe('lab-nfs');
  });

  test.each([
    ['another subPath than the Job publishes into', (s: ModelStore, j: ModelSeedJob) => ({ modelStore: s, seedJob: j, modelRepositorySubPath: 'models' }), /TritonDaemonSet\.props\.modelRepositorySubPath: "models" is not "repository", where the seedJob publishes/],
    ['another claim than the store\'s', (s: ModelStore) => ({ modelStore: s, claimName: 'other' }), /TritonDaemonSet\.props\.claimName: "other" is not the claim "models-pvc"/],
    ['another namespace than the claim\'s', (s: ModelStore) => ({ modelStore: s, namespace: 'elsewhere' }), /TritonDaemonSet\.props\.namespace: "elsewhere" is not the claim's namespace "default"/],
    ['a Job of another store', (_s: ModelStore, j: ModelSeedJob, chart: Chart) => ({ modelStore: new ModelStore(chart, 'other', { claimName: 'other' }), seedJob: j }), /TritonDaemonSet\.props\.seedJob: it seeds the ModelStore at/],
    ['a name where a ModelStore belongs', () => ({ modelStore: 'models-pvc' as unknown as ModelStore }), /TritonDaemonSet\.props\.modelStore: must be a ModelStore of this library \(got string\)/],
  ])('refuses %s, in one line, before joining the tree', (_what, props, message) => {
    const chart = new Chart(testApp(), 'app');
    const modelStore = new ModelStore(chart, 'store');
    const seedJob = new ModelSeedJob(chart, 'seed', { modelStore });
    const before = chart.node.children.length;
    let error: unknown;
    try {
      new TritonDaemonSet(chart, 'triton', props(modelStore, seedJob, chart));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message.split('\n')).toHaveLength(1);
    expect(chart.node.children.length).toBeLessThanOrEqual(before + 1); // at most the "other" store of that case
    expect(chart.node.tryFindChild('triton')).toBeUndefined();
  });

  test('a ModelSeedJob needs a store or a claim, and only agreeing ones', () => {
    const chart = new Chart(testApp(), 'app');
    expect(() => new ModelSeedJob(chart, 'a', {})).toThrow(/ModelSeedJob\.props\.modelStore: give the ModelStore to seed \(or its claimName\)/);
    const modelStore = new ModelStore(chart, 'store', { namespace: 'ml' });
    expect(() => new ModelSeedJob(chart, 'b', { modelStore, claimName: 'x' })).toThrow(/claimName: "x" is not the modelStore's claim "models-pvc"/);
    expect(() => new ModelSeedJob(chart, 'c', { modelStore, namespace: 'default' })).toThrow(/namespace: "default" is not the modelStore's namespace "ml"/);
    expect(new ModelSeedJob(chart, 'd', { claimName: 'by-name' }).claimName).toBe('by-name');
  });
});

describe('cdk8s conventions: namespaces', () => {
  test('namespaced objects take the Chart\'s namespace; cluster-scoped objects carry none', () => {
    const chart = new Chart(testApp(), 'app', { namespace: 'storage', disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'stack', { networkPolicy: { enabled: true }, metrics: { serviceMonitor: { enabled: true } } });
    const manifests = synth(chart);
    for (const m of manifests) {
      expect([m.kind, m.metadata.namespace]).toEqual([m.kind, CLUSTER_SCOPED_KINDS.has(m.kind) ? undefined : 'storage']);
    }
    expect(findManifest(manifests, 'ClusterRoleBinding').subjects[0].namespace).toBe('storage');
    expect(findManifest(manifests, 'ServiceMonitor').spec.namespaceSelector.matchNames).toEqual(['storage']);
  });

  test('a namespace prop wins over the Chart\'s, for the stack and for each building block', () => {
    const chart = new Chart(testApp(), 'app', { namespace: 'storage', disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'stack', { namespace: 'inference' });
    new NfsProvisioner(chart, 'other-nfs', { namespace: 'nfs', name: 'nfs-two', storageClassName: 'nfs-two', provisionerName: 'example.com/nfs-two' });
    const namespaces = new Set(synth(chart).filter((m) => !CLUSTER_SCOPED_KINDS.has(m.kind)).map((m) => `${m.metadata.name}=${m.metadata.namespace}`));
    expect(namespaces.has('triton=inference')).toBe(true);
    expect(namespaces.has('nfs-two=nfs')).toBe(true);
    expect([...namespaces].filter((n) => n.endsWith('=storage'))).toEqual([]);
  });

  test('the cluster.yaml path keeps "default" even in a Chart with a namespace', () => {
    const chart = new Chart(testApp(), 'app', { namespace: 'storage', disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'stack', stackPropsFromClusterConfig(parseClusterConfig({})));
    expect(new Set(synth(chart).filter((m) => !CLUSTER_SCOPED_KINDS.has(m.kind)).map((m) => m.metadata.namespace))).toEqual(new Set(['default']));
  });

  test('createNamespace renders the Namespace first, and is refused for Kubernetes\' own namespaces', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'stack', { namespace: 'edge-ai', createNamespace: true });
    const manifests = synth(chart);
    expect(manifests[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'edge-ai' } });
    expect(manifests[0].metadata.namespace).toBeUndefined();
    expect(invariantViolations(manifests)).toEqual([]);
    expect(() => parseClusterConfig({ createNamespace: true })).toThrow(/createNamespace: "default" is created by Kubernetes itself/);
    expect(() => new TritonJetsonStack(new Chart(testApp(), 'x'), 's', { namespace: 'kube-system', createNamespace: true })).toThrow(/TritonJetsonStack\.props\.createNamespace/);
  });
});

describe('two stacks in one app', () => {
  test('without an instance: synth fails with one line naming the kind and name they share, never silent duplicates', () => {
    const app = new App({ outdir: 'never-written' });
    const chart = new Chart(app, 'app', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'lab', { namespace: 'lab' });
    new TritonJetsonStack(chart, 'prod', { namespace: 'prod', service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } } });
    let message = '';
    try {
      app.synthYaml();
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n').map((l) => l.trim());
    expect(lines[0]).toBe('Validation failed with the following errors:');
    expect(lines).toContain('[] StorageClass "nfs-client" (cluster-wide) is declared twice, at app/lab/nfs-provisioner/storage-class and app/prod/nfs-provisioner/storage-class: give one TritonJetsonStack its own `instance` (every name it derives then starts with it) or its own names');
    expect(lines.some((l) => l.startsWith('[] ClusterRole "nfs-subdir-external-provisioner-runner" (cluster-wide) is declared twice'))).toBe(true);
    // Namespaced objects in different namespaces are different objects.
    expect(lines.some((l) => l.includes('"models-pvc"'))).toBe(false);
  });

  test('two stacks creating one Namespace: the line says to let one create it (an instance would not rename it)', () => {
    const app = new App({ outdir: 'never-written' });
    const chart = new Chart(app, 'app', { namespace: 'ml', disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'lab', { instance: 'lab', createNamespace: true });
    new TritonJetsonStack(chart, 'prod', { instance: 'prod', createNamespace: true, service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } } });
    expect(() => app.synthYaml()).toThrow('[] Namespace "ml" (cluster-wide) is declared twice, at app/lab/namespace and app/prod/namespace: '
      + 'create it once (createNamespace on one stack only)');
  });

  test('the same NodePort in two Services is refused (NodePorts are cluster-wide)', () => {
    const app = new App({ outdir: 'never-written' });
    const chart = new Chart(app, 'app', { disableResourceNameHashes: true });
    new TritonService(chart, 'a', { name: 'a' });
    new TritonService(chart, 'b', { name: 'b' });
    expect(() => app.synthYaml()).toThrow(/NodePort 30800 is claimed twice, by the Services at app\/a\/service and app\/b\/service/);
  });

  test('with an instance each: every object gets its own name, cluster-scoped ones included; the labels say which', () => {
    const app = new App({ outdir: 'never-written' });
    const chart = new Chart(app, 'app', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'lab', { instance: 'lab', namespace: 'ml', networkPolicy: { enabled: true } });
    new TritonJetsonStack(chart, 'prod', {
      instance: 'prod', namespace: 'ml', networkPolicy: { enabled: true }, service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } },
    });
    const manifests = synth(chart);
    const names = manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    for (const instance of ['lab', 'prod']) {
      const own = manifests.filter((m) => m.metadata.labels?.['app.kubernetes.io/instance'] === instance);
      expect(own.length).toBeGreaterThan(10);
      for (const m of own) expect(m.metadata.name.startsWith(`${instance}-`) || m.metadata.name.startsWith(`run-${instance}-`) || m.metadata.name.startsWith(`leader-locking-${instance}-`)).toBe(true);
    }
    expect(names).toEqual(expect.arrayContaining(['StorageClass/lab-nfs-client', 'StorageClass/prod-nfs-client', 'ClusterRole/lab-nfs-subdir-external-provisioner-runner', 'DaemonSet/prod-triton', 'PersistentVolumeClaim/prod-models-pvc']));
    // Each stack's Service, claim and provisioner are its own.
    expect(findManifest(manifests, 'Service', 'prod-triton').spec.selector).toEqual({ app: 'prod-triton' });
    expect(findManifest(manifests, 'PersistentVolumeClaim', 'lab-models-pvc').spec.storageClassName).toBe('lab-nfs-client');
    expect(podSpec(findManifest(manifests, 'DaemonSet', 'lab-triton')).volumes[1].persistentVolumeClaim.claimName).toBe('lab-models-pvc');
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('with an instance each: each provisioner answers only its own StorageClass (distinct provisioner names)', () => {
    // nfs-subdir-external-provisioner provisions every claim whose StorageClass names its
    // PROVISIONER_NAME (and takes its leader lock by that name): two provisioners sharing one
    // would put one stack's volumes on the other's NFS export.
    const app = new App({ outdir: 'never-written' });
    const chart = new Chart(app, 'app', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'lab', { instance: 'lab', nfs: { server: '10.0.0.1' } });
    new TritonJetsonStack(chart, 'prod', { instance: 'prod', nfs: { server: '10.0.0.2' }, service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } } });
    const manifests = synth(chart);
    for (const instance of ['lab', 'prod']) {
      const provisionerName = `k8s-sigs.io/${instance}-nfs-subdir-external-provisioner`;
      expect(findManifest(manifests, 'StorageClass', `${instance}-nfs-client`).provisioner).toBe(provisionerName);
      const env = podSpec(findManifest(manifests, 'Deployment', `${instance}-nfs-subdir-external-provisioner`)).containers[0].env;
      expect(env).toContainEqual({ name: 'PROVISIONER_NAME', value: provisionerName });
    }
    // An explicit provisionerName is kept.
    const kept = new Chart(testApp(), 'kept');
    new TritonJetsonStack(kept, 'lab', { instance: 'lab', provisioner: { provisionerName: 'example.com/nfs' } });
    expect(findManifest(synth(kept), 'StorageClass').provisioner).toBe('example.com/nfs');
  });

  test('with an instance and the provisioner off: the claim uses the existing StorageClass, unprefixed (the stack creates none)', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'lab', { instance: 'lab', provisioner: { enabled: false } });
    const manifests = synth(chart);
    expect(manifests.filter((m) => m.kind === 'StorageClass')).toEqual([]);
    expect(findManifest(manifests, 'PersistentVolumeClaim', 'lab-models-pvc').spec.storageClassName).toBe('nfs-client');
    const named = new Chart(testApp(), 'named', { disableResourceNameHashes: true });
    new TritonJetsonStack(named, 'lab', { instance: 'lab', provisioner: { enabled: false, storageClassName: 'longhorn-rwx' } });
    expect(findManifest(synth(named), 'PersistentVolumeClaim').spec.storageClassName).toBe('longhorn-rwx');
  });

  test('two NfsProvisioners with their own names get their own provisioner names, beside a stack', () => {
    const app = new App({ outdir: 'never-written' });
    new TritonJetsonStack(new Chart(app, 'edge', { namespace: 'inference', disableResourceNameHashes: true }), 'triton');
    const lab = new Chart(app, 'lab', { namespace: 'lab', disableResourceNameHashes: true });
    const provisioner = new NfsProvisioner(lab, 'nfs', { name: 'lab-nfs', storageClassName: 'lab-nfs', nfsServer: 'nas.lan' });
    expect(provisioner.provisionerName).toBe('k8s-sigs.io/lab-nfs');
    expect(() => app.synthYaml()).not.toThrow();
    const manifests = synth(lab);
    expect(findManifest(manifests, 'StorageClass', 'lab-nfs').provisioner).toBe('k8s-sigs.io/lab-nfs');
    expect(podSpec(findManifest(manifests, 'Deployment', 'lab-nfs')).containers[0].env).toContainEqual({ name: 'PROVISIONER_NAME', value: 'k8s-sigs.io/lab-nfs' });
    // Without a name: the upstream chart's provisioner name.
    expect(new NfsProvisioner(new Chart(testApp(), 'plain'), 'nfs').provisionerName).toBe('k8s-sigs.io/nfs-subdir-external-provisioner');
  });

  test('two provisioners with one provisioner name: synth fails in one line naming both and the fix', () => {
    const app = new App({ outdir: 'never-written' });
    const chart = new Chart(app, 'app', { disableResourceNameHashes: true });
    new NfsProvisioner(chart, 'a', { nfsServer: '10.0.0.1' });
    new NfsProvisioner(new Chart(app, 'other', { namespace: 'other' }), 'b', {
      name: 'nfs-b', storageClassName: 'nfs-b', provisionerName: 'k8s-sigs.io/nfs-subdir-external-provisioner', nfsServer: '10.0.0.2',
    });
    let message = '';
    try {
      app.synthYaml();
    } catch (err) {
      message = (err as Error).message;
    }
    const lines = message.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('[]'));
    expect(lines).toEqual(['[] NfsProvisioner at other/b has the provisionerName "k8s-sigs.io/nfs-subdir-external-provisioner" of the one at app/a: '
      + 'each would provision the other\'s claims on its own NFS export; give one its own provisionerName (or its TritonJetsonStack its own `instance`)']);
    // Negative control: distinct provisioner names synthesize.
    const fine = new App({ outdir: 'never-written' });
    new NfsProvisioner(new Chart(fine, 'app'), 'a');
    new NfsProvisioner(new Chart(fine, 'other', { namespace: 'other' }), 'b', { name: 'nfs-b', storageClassName: 'nfs-b', provisionerName: 'example.com/nfs-b' });
    expect(() => fine.synthYaml()).not.toThrow();
  });

  test('an instance that cannot start object names is refused in one line naming instance', () => {
    for (const instance of ['Lab_1', 'a.b', '1lab', 'x'.repeat(27)]) {
      const chart = new Chart(testApp(), 'app');
      let message = '';
      try {
        new TritonJetsonStack(chart, 'lab', { instance });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^invalid TritonJetsonStack props: TritonJetsonStack\.props\.instance: /);
      expect(message.split('\n')).toHaveLength(1);
    }
    const longest = new Chart(testApp(), 'app');
    new TritonJetsonStack(longest, 'lab', { instance: `a${'b'.repeat(25)}` });
    expect(() => Testing.synth(longest)).not.toThrow();
  });

  test('one stack: the tutorial\'s names, whatever its construct id', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    new TritonJetsonStack(chart, 'anything');
    const names = synth(chart).map((m) => m.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['nfs-client', 'nfs-subdir-external-provisioner-runner', 'models-pvc', 'triton', 'model-seed']));
  });
});

describe('cdk8s-plus constructs accept what TritonService offers', () => {
  test('an Ingress backend from plusService routes to the Service, which stays the only one', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    const stack = new TritonJetsonStack(chart, 'stack');
    const before = synth(chart).length;
    const ingress = new kplus.Ingress(chart, 'ingress', { metadata: { name: 'triton', namespace: 'default' } });
    ingress.addRule('/v2', kplus.IngressBackend.fromService(stack.service.plusService, { port: 8000 }), kplus.HttpIngressPathType.PREFIX);
    const manifests = synth(chart);
    expect(manifests).toHaveLength(before + 1);
    expect(manifests.filter((m) => m.kind === 'Service').map((m) => m.metadata.name)).toEqual(['triton']);
    const rule = findManifest(manifests, 'Ingress').spec.rules[0].http.paths[0];
    expect(rule).toEqual({ path: '/v2', pathType: 'Prefix', backend: { service: { name: 'triton', port: { number: 8000 } } } });
    // The port it names is the Service's http port.
    expect(findManifest(manifests, 'Service', 'triton').spec.ports[0]).toMatchObject({ name: 'http', port: 8000 });
    if (schemaAvailable()) expect(new ManifestValidator().validate(findManifest(manifests, 'Ingress'))).toEqual([]);
  });

  test('a NetworkPolicy peer from pods selects Triton\'s pods', () => {
    const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
    const stack = new TritonJetsonStack(chart, 'stack');
    const clients = kplus.Pods.select(chart, 'clients', { labels: { role: 'inference-client' } });
    const policy = new kplus.NetworkPolicy(chart, 'clients-to-triton', { metadata: { name: 'clients-to-triton' }, selector: clients });
    policy.addEgressRule(stack.service.pods, [kplus.NetworkPolicyPort.tcp(8000)]);
    const spec = findManifest(synth(chart), 'NetworkPolicy', 'clients-to-triton').spec;
    expect(spec.egress).toEqual([{
      to: [{ podSelector: { matchLabels: { app: 'triton' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } } }],
      ports: [{ port: 8000, protocol: 'TCP' }],
    }]);
    // The same selection is the DaemonSet's, and it is what the Service selects.
    expect(stack.triton.pods.toPodSelectorConfig().labelSelector._toKube().matchLabels).toEqual({ app: 'triton' });
    expect(findManifest(synth(chart), 'Service', 'triton').spec.selector).toEqual({ app: 'triton' });
  });

  test('the pods are those of Triton\'s namespace, also for a policy or a client in another namespace', () => {
    const app = testApp();
    const stack = new TritonJetsonStack(new Chart(app, 'inference', { namespace: 'inference', disableResourceNameHashes: true }), 'stack');
    const apps = new Chart(app, 'apps', { namespace: 'apps', disableResourceNameHashes: true });
    const client = new kplus.Deployment(apps, 'client', { metadata: { name: 'client' }, containers: [{ image: 'busybox:1.36' }] });
    // cdk8s-plus writes both sides: the client's egress and, in the peer's namespace, Triton's ingress.
    client.connections.allowTo(stack.service.pods, { ports: [kplus.NetworkPolicyPort.tcp(8000)] });
    // A policy whose selector is Triton's pods lands in Triton's namespace.
    new kplus.NetworkPolicy(apps, 'only-clients', { selector: stack.triton.pods, ingress: { rules: [{ peer: client }] } });
    const policies = synth(apps).filter((m) => m.kind === 'NetworkPolicy');
    const tritonSide = policies.filter((p) => p.spec.podSelector.matchLabels?.app === 'triton');
    expect(tritonSide).toHaveLength(2);
    for (const policy of tritonSide) expect(policy.metadata.namespace).toBe('inference');
    const egress = policies.find((p) => p.spec.policyTypes.includes('Egress'))!;
    expect(egress.metadata.namespace).toBe('apps');
    expect(egress.spec.egress[0].to).toEqual([{
      podSelector: { matchLabels: { app: 'triton' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'inference' } },
    }]);
  });
});
