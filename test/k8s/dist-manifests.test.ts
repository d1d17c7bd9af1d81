/**
 * dist/ (the default configuration, as `npm run synth` writes it) against a real
 * Kubernetes 1.34 control plane: strict server-side validation, a real apply, and a
 * simulated cluster of four Jetson nodes plus one x86 node that schedules it.
 */
import { readFileSync } from 'node:fs';
import { describeWith } from '../support/prereq';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';
import {
  addSimulatedNodes, distFiles, DIST_DIR, JETSON_NODES, ManifestObject, manifestObjects, nfsVolume, OTHER_NODE, podsOf, selectorOf,
} from './cluster-fixtures';

jest.setTimeout(180_000);

describeWith(kubeClusterPrerequisites())('dist/ on a real control plane with simulated Jetson nodes', () => {
  let cluster: KubeCluster;
  let objects: ManifestObject[];
  const find = (kind: string, name?: string) => objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

  beforeAll(async () => {
    objects = distFiles().flatMap((file) => manifestObjects(readFileSync(file, 'utf-8')));
    cluster = await KubeCluster.start();
    await addSimulatedNodes(cluster);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('server-side dry run with strict field validation accepts every object and stores none', async () => {
    const out = await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-f', DIST_DIR]);
    for (const o of objects) expect(out).toContain(`${o.metadata.name}`);
    expect(out).toMatch(/\(server dry run\)/);
    const ds = await cluster.kubectl(['get', 'daemonset', 'triton', '-n', 'default']);
    expect(ds.code).not.toBe(0);
    expect(ds.stderr).toMatch(/NotFound/);
  });

  test('the API server, given each YAML document as written, accepts it under strict validation', async () => {
    // kubectl converts YAML to JSON first, which would hide a repeated key (see negative-controls).
    const documents = distFiles()
      .flatMap((file) => readFileSync(file, 'utf-8').split(/^---[ \t]*$/m))
      .filter((doc) => doc.trim() !== '');
    expect(documents).toHaveLength(objects.length);
    for (const doc of documents) {
      const answer = await cluster.strictDryRunYaml(doc);
      expect({ status: answer.status, doc: doc.slice(0, 120) }).toEqual({ status: 201, doc: doc.slice(0, 120) });
    }
  });

  test('a real apply with strict field validation creates every object', async () => {
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', DIST_DIR]);
    for (const o of objects) {
      const args = [o.kind, o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : [])];
      const stored = await cluster.getJson(args);
      expect(stored.metadata.name).toBe(o.metadata.name);
    }
  });

  test('the Triton Service gets NodePorts 30800-30802 as requested', async () => {
    const service = await cluster.getJson(['service', 'triton', '-n', 'default']);
    expect(service.spec.type).toBe('NodePort');
    const byName = Object.fromEntries(service.spec.ports.map((p: any) => [p.name, [p.port, p.nodePort]])); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(byName).toEqual({ http: [8000, 30800], grpc: [8001, 30801], metrics: [8002, 30802] });
    expect(service.spec.selector).toEqual(expect.objectContaining({ app: 'triton' }));
  });

  test('models-pvc binds to an nfs-client volume', async () => {
    const claim = find('PersistentVolumeClaim', 'models-pvc')[0];
    expect(claim).toBeDefined();
    expect(claim.spec.storageClassName).toBe('nfs-client');
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nfsVolume('models-pv', 'nfs-client')));
    const bound = await cluster.waitFor('models-pvc Bound (PV controller)', async () => {
      const pvc = await cluster.getJson(['pvc', 'models-pvc', '-n', 'default']);
      return pvc.status?.phase === 'Bound' ? pvc : undefined;
    });
    expect(bound.spec.volumeName).toBe('models-pv');
    expect(bound.status.accessModes).toEqual(['ReadWriteMany']);
  });

  test('Triton runs exactly one pod on each Jetson node and none on the x86 node', async () => {
    const pods = await cluster.waitFor('4 running Triton pods', async () => {
      const found = await podsOf(cluster, 'default', 'app=triton');
      const running = found.filter((p) => p.spec.nodeName && p.status?.phase === 'Running');
      return running.length === 4 && found.length === 4 ? found : undefined;
    }, 120_000);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual([...JETSON_NODES]);
    expect(pods.map((p) => p.spec.nodeName)).not.toContain(OTHER_NODE);
    const ds = await cluster.getJson(['daemonset', 'triton', '-n', 'default']);
    expect(ds.status.desiredNumberScheduled).toBe(4);
    expect(ds.status.numberMisscheduled).toBe(0);
    // Nothing is left pending for the x86 node either: the DaemonSet does not target it at all.
    const all = await podsOf(cluster, 'default', 'app=triton');
    expect(all).toHaveLength(4);
  });

  test('control: the same DaemonSet without its node affinity would also land on the x86 node', async () => {
    // Proves the previous check can fail: placement comes from the manifest, not the simulation.
    const original = find('DaemonSet', 'triton')[0];
    const labels = { app: 'triton-control' };
    const podSpec = { ...original.spec.template.spec, affinity: undefined, nodeSelector: undefined };
    podSpec.containers = podSpec.containers.map((c: object) => ({ ...c, resources: {} }));
    const control = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'triton-control', namespace: 'default' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
    };
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], JSON.stringify(control));
    const pods = await cluster.waitFor('5 scheduled control pods', async () => {
      const found = await podsOf(cluster, 'default', 'app=triton-control');
      return found.length === 5 && found.every((p) => p.spec.nodeName) ? found : undefined;
    }, 90_000);
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual([...JETSON_NODES, OTHER_NODE].sort());
    await cluster.kubectlOk(['delete', 'daemonset', 'triton-control', '-n', 'default']);
  });

  test('the NFS provisioner Deployment gets its pods scheduled', async () => {
    const deployments = find('Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const ns = deployment.metadata.namespace ?? 'default';
      const pods = await cluster.waitFor(`pods of Deployment ${deployment.metadata.name}`, async () => {
        const found = await podsOf(cluster, ns, selectorOf(deployment));
        return found.length > 0 && found.every((p) => p.spec.nodeName) ? found : undefined;
      }, 90_000);
      expect(pods).toHaveLength(deployment.spec.replicas ?? 1);
    }
  });

  test('the model-seeding Job gets its pod scheduled and (kwok "running" it) completes', async () => {
    const jobs = find('Job');
    expect(jobs.map((j) => j.metadata.name)).not.toHaveLength(0);
    for (const job of jobs) {
      const ns = job.metadata.namespace ?? 'default';
      const pods = await cluster.waitFor(`a scheduled pod of Job ${job.metadata.name}`, async () => {
        const found = await podsOf(cluster, ns, `job-name=${job.metadata.name}`);
        return found.some((p) => p.spec.nodeName) ? found : undefined;
      }, 90_000);
      expect(pods.length).toBeGreaterThan(0);
      await cluster.waitFor(`Job ${job.metadata.name} Complete (job controller)`, async () => {
        const stored = await cluster.getJson(['job', job.metadata.name, '-n', ns]);
        return stored.status?.conditions?.some((c: { type: string; status: string }) => c.type === 'Complete' && c.status === 'True') ? true : undefined;
      }, 90_000);
    }
  });
});
