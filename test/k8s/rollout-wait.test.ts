/**
 * A Triton image change rolling through four kwok Jetson nodes on a real Kubernetes 1.34
 * control plane (kube-apiserver, DaemonSet controller, scheduler), and `verify --wait`
 * following it through the real API with the cluster's kubeconfig: the DaemonSet as
 * synthesized replaces one board at a time (never two boards without an available Triton),
 * each next board only after the previous new pod was Ready for minReadySeconds, and the wait
 * returns only when every board runs the new image and is available. The checks after the
 * rollout go to a KServe v2 test server (kwok runs no containers). docs/operations.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApi } from '../../client/kube-api';
import { loadKubeconfig } from '../../client/kubeconfig';
import { waitForRollout } from '../../client/rollout';
import { synthYaml } from '../../lib';
import { runCli } from '../client/cli-runner';
import { startKServeTestServer } from '../support/kserve-test-server';
import { describeWith } from '../support/prereq';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';
import { scratchDirs } from '../support/scratch';
import { addSimulatedNodes, JETSON_NODES, nfsVolume } from './cluster-fixtures';

jest.setTimeout(300_000);

const NAMESPACE = 'rollout';
const MIN_READY = 5;
const scratch = scratchDirs();

/* eslint-disable @typescript-eslint/no-explicit-any */
interface Sample { readonly at: number; readonly pods: any[] }

function description(image: string): object {
  return { namespace: NAMESPACE, triton: { image, minReadySeconds: MIN_READY }, seeding: { enabled: false } };
}

describeWith(kubeClusterPrerequisites())('a Triton image change rolling through four Jetson nodes', () => {
  let cluster: KubeCluster;

  beforeAll(async () => {
    cluster = await KubeCluster.start();
    await addSimulatedNodes(cluster);
    await cluster.kubectlOk(['create', 'namespace', NAMESPACE]);
    await cluster.kubectlOk(['apply', '-f', '-'], JSON.stringify(nfsVolume(`${NAMESPACE}-models`, 'nfs-client', { namespace: NAMESPACE, name: 'models-pvc' })));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  const tritonPods = async () => (await cluster.getJson<{ items: any[] }>(['pods', '-n', NAMESPACE, '-l', 'app=triton'])).items;
  const readySince = (pod: any): number | undefined => {
    const ready = pod.status?.conditions?.find((c: any) => c.type === 'Ready' && c.status === 'True');
    return ready ? Date.parse(ready.lastTransitionTime) : undefined;
  };

  test('first rollout: the status logic waits for four available pods', async () => {
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], synthYaml(description('registry.lan/triton-jetson:1')));
    const lines: string[] = [];
    const api = new KubeApi(loadKubeconfig(cluster.kubeconfig), { timeoutMs: 10_000 });
    try {
      const outcome = await waitForRollout(api, { namespace: NAMESPACE, daemonSets: ['triton'], timeoutMs: 120_000, pollMs: 500, log: (l) => lines.push(l), where: 'test' });
      expect(outcome).toEqual({ daemonSets: [{ name: 'triton', image: 'registry.lan/triton-jetson:1', nodes: 4 }] });
    } finally {
      api.close();
    }
    const pods = await tritonPods();
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual([...JETSON_NODES]);
    // Available means Ready for minReadySeconds: the wait did not return before that.
    const now = Date.now();
    for (const pod of pods) expect(now - readySince(pod)!).toBeGreaterThanOrEqual((MIN_READY - 1) * 1000);
  });

  test('an image change: one board at a time, paced by minReadySeconds; verify --wait returns when all run it', async () => {
    const work = scratch('rollout wait ');
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, readFileSync(cluster.kubeconfig, 'utf-8'));
    const clusterYaml = join(work, 'cluster.yaml');
    writeFileSync(clusterYaml, `namespace: ${NAMESPACE}\ntriton: { image: registry.lan/triton-jetson:2, minReadySeconds: ${MIN_READY} }\nseeding: { enabled: false }\n`);
    const triton = await startKServeTestServer({ models: [] });
    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push({ at: Date.now(), pods: await tritonPods() });
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    try {
      await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], synthYaml(description('registry.lan/triton-jetson:2')));
      const result = await runCli(['verify', '--wait', '-c', clusterYaml, '--kubeconfig', kubeconfig, '-u', triton.address, '--no-metrics', '--wait-timeout', '240']);
      const returned = Date.now();
      sampling = false;
      await sampler;
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^rollout: Waiting for daemon set "triton" rollout to finish: \d out of 4 new pods have been updated\.\.\.$/m);
      expect(result.stdout).toMatch(/^rollout: {3}jm-node-\d: pod triton-\S+ runs registry\.lan\/triton-jetson:1 \(old image\), ready$/m);
      expect(result.stdout).toMatch(/^rollout: daemon set "triton" successfully rolled out: 4 node\(s\) run registry\.lan\/triton-jetson:2, available$/m);
      expect(result.stdout).toMatch(/^All 2 checks passed on 1 node\(s\)\.$/m);

      // When verify returned, every board ran the new image and had been Ready for minReadySeconds.
      const final = await tritonPods();
      expect(final.map((p) => [p.spec.nodeName, p.spec.containers[0].image]).sort()).toEqual(JETSON_NODES.map((n) => [n, 'registry.lan/triton-jetson:2']));
      const lastReady = Math.max(...final.map((p) => readySince(p)!));
      expect(returned - lastReady).toBeGreaterThanOrEqual((MIN_READY - 1) * 1000);

      // Never two boards without a Ready Triton at once (maxUnavailable: 1).
      const unavailable = samples.map((s) => JETSON_NODES.filter((node) => !s.pods.some((p) => p.spec.nodeName === node && !p.metadata.deletionTimestamp && readySince(p) !== undefined)).length);
      expect(Math.max(...unavailable)).toBeLessThanOrEqual(1);
      // One board after the other: each new pod was created only after the previous one had been Ready for minReadySeconds.
      const created = final.map((p) => ({ created: Date.parse(p.metadata.creationTimestamp), ready: readySince(p)! })).sort((a, b) => a.created - b.created);
      for (let i = 1; i < created.length; i++) {
        // Timestamps have 1 s resolution.
        expect(created[i].created - created[i - 1].ready).toBeGreaterThanOrEqual((MIN_READY - 1) * 1000);
      }
    } finally {
      sampling = false;
      await sampler;
      await triton.close();
    }
  });
});

