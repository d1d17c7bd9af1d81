/**
 * `triton-jetson verify --wait` as a user runs it: the rollout is read from a scripted API
 * server on loopback HTTPS (test/support/fake-kube-api.ts) with the kubeconfig's client
 * certificate or token, the checks go to a KServe v2 test server, and only after the rollout.
 * Against the real API server and DaemonSet controller: test/k8s/rollout-wait.test.ts; on a
 * real node with an image change: test/real-pods.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { tritonDaemonSetNames, waitThenVerify } from '../../client/verify-wait';
import { describeWith } from '../support/prereq';
import { daemonSetObject, FakeKubeApi, fakeKubeApiPrerequisites, podObject, sendJson, startFakeKubeApi } from '../support/fake-kube-api';
import { KServeTestServer, startKServeTestServer } from '../support/kserve-test-server';
import { scratchDirs } from '../support/scratch';
import { runCli, unusedPort } from './cli-runner';

const scratch = scratchDirs();
const MODEL = 'inception_graphdef';

/** Answers the DaemonSet `name` with the next status of `steps` on each poll (the last one repeats), and its pods. */
function rollout(name: string, steps: Parameters<typeof daemonSetObject>[2][], pods: (poll: number) => object[] = () => [], times: number[] = []) {
  let poll = -1;
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    if (url === `/apis/apps/v1/namespaces/default/daemonsets/${name}` || url === `/apis/apps/v1/namespaces/ml/daemonsets/${name}`) {
      poll = Math.min(poll + 1, steps.length - 1);
      times.push(Date.now());
      sendJson(res, 200, daemonSetObject(name, 'janakiramm/triton-jetson:v2', { generation: 2, ...steps[poll] }));
    } else if (url.startsWith('/api/v1/namespaces/default/pods?') || url.startsWith('/api/v1/namespaces/ml/pods?')) {
      sendJson(res, 200, { kind: 'PodList', items: pods(poll) });
    } else {
      sendJson(res, 404, { kind: 'Status', message: `${url} not found` });
    }
  };
}

describeWith(fakeKubeApiPrerequisites)('verify --wait', () => {
  let api: FakeKubeApi;
  let triton: KServeTestServer;
  const checkTimes: number[] = [];
  const work = scratch('verify wait ');

  beforeAll(async () => {
    api = await startFakeKubeApi((_req, res) => sendJson(res, 500, {}));
    triton = await startKServeTestServer({ intercept: () => { checkTimes.push(Date.now()); return false; } });
  });
  afterAll(async () => {
    await api?.close();
    await triton?.close();
  });

  test('waits for the rollout (client certificate), then checks: progress, then the table', async () => {
    const polls: number[] = [];
    api.handle(rollout('triton', [
      { observed: 1, desired: 2, updated: 2, available: 2 },
      { desired: 2, updated: 1, available: 1 },
      { desired: 2, updated: 2, available: 1 },
      { desired: 2, updated: 2, available: 2 },
    ], (poll) => (poll === 1 ? [
      podObject('triton-new', 'jm-node-1', 'janakiramm/triton-jetson:v2', { ready: false, waiting: 'ContainerCreating' }),
      podObject('triton-old', 'jm-node-2', 'janakiramm/triton-jetson:v1', { ready: true }),
    ] : []), polls));
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig());
    api.requests.length = 0;
    checkTimes.length = 0;
    const result = await runCli(['verify', '--wait', '--kubeconfig', kubeconfig, '-u', triton.address, '--metrics-port', String(triton.metricsPort), '-m', MODEL, '--wait-timeout', '60']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));
    const order = [
      /^rollout: waiting for daemon set\(s\) triton in namespace default \(kubeconfig .*kubeconfig, context fake\), at most 60 s$/,
      /^rollout: Waiting for daemon set spec update to be observed\.\.\.$/,
      /^rollout: Waiting for daemon set "triton" rollout to finish: 1 out of 2 new pods have been updated\.\.\.$/,
      /^rollout: {3}jm-node-1: pod triton-new runs janakiramm\/triton-jetson:v2, not ready \(ContainerCreating\)$/,
      /^rollout: {3}jm-node-2: pod triton-old runs janakiramm\/triton-jetson:v1 \(old image\), ready$/,
      /^rollout: Waiting for daemon set "triton" rollout to finish: 1 of 2 updated pods are available\.\.\.$/,
      /^rollout: daemon set "triton" successfully rolled out: 2 node\(s\) run janakiramm\/triton-jetson:v2, available$/,
      /^rollout: done after \d+ s; checking every node$/,
      /^All 4 checks passed on 1 node\(s\)\.$/,
    ].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // The client certificate authenticated; no token was sent; the checks started after the last poll.
    expect(api.requests.length).toBeGreaterThanOrEqual(4);
    expect(api.requests.every((r) => r.method === 'GET' && r.clientCertificate && r.authorization === undefined)).toBe(true);
    expect(Math.min(...checkTimes)).toBeGreaterThanOrEqual(Math.max(...polls));
  }, 60_000);

  test('the cluster description names the DaemonSet, its namespace, the kubeconfig and its context; a token file is sent, never shown', async () => {
    const dir = join(work, 'site with spaces');
    mkdirSync(join(dir, 'kube'), { recursive: true });
    const token = 'tok-0123456789abcdef0123456789abcdef';
    writeFileSync(join(dir, 'kube', 'token'), `${token}\n`);
    const config = JSON.parse(api.kubeconfig({ tokenFile: 'token' })) as { contexts: { name: string }[]; 'current-context': string };
    config.contexts.push({ ...config.contexts[0], name: 'edge' });
    config['current-context'] = 'fake';
    writeFileSync(join(dir, 'kube', 'config'), JSON.stringify(config));
    writeFileSync(join(dir, 'cluster.yaml'), 'namespace: ml\ntriton: { name: inference }\nkubeconfig: { path: kube/config, context: edge }\n');
    api.handle(rollout('inference', [{ desired: 1, updated: 1, available: 1 }]));
    api.requests.length = 0;
    const result = await runCli(['verify', '--wait', '-c', join(dir, 'cluster.yaml'), '-u', triton.address, '--no-metrics', '-m', MODEL]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/daemon set\(s\) inference in namespace ml \(kubeconfig .*site with spaces\/kube\/config, context edge\)/);
    expect(api.requests[0]).toMatchObject({ path: '/apis/apps/v1/namespaces/ml/daemonsets/inference', authorization: `Bearer ${token}` });
    expect(`${result.stdout}${result.stderr}`).not.toContain(token);
  }, 60_000);

  test('a rollout that does not finish: one line naming the node and why, and no checks', async () => {
    api.handle(rollout('triton', [{ desired: 1, updated: 1, available: 0 }], () => [
      podObject('triton-x1', 'jm-node-3', 'janakiramm/triton-jetson:v2', { ready: false, waiting: 'ErrImagePull' }),
    ]));
    const kubeconfig = join(work, 'kubeconfig-stuck');
    writeFileSync(kubeconfig, api.kubeconfig());
    checkTimes.length = 0;
    const result = await runCli(['verify', '--wait', '--kubeconfig', kubeconfig, '-u', triton.address, '--wait-timeout', '3']);
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      expect.stringMatching(/^triton-jetson: the Triton rollout did not finish within 3 s: Waiting for daemon set "triton" rollout to finish: 0 of 1 updated pods are available\.\.\.; jm-node-3: pod triton-x1 runs janakiramm\/triton-jetson:v2, not ready \(ErrImagePull\)\. Raise --wait-timeout/),
      '',
    ]);
    expect(result.stdout).toMatch(/rollout: {3}jm-node-3: pod triton-x1/);
    expect(checkTimes).toEqual([]);
  }, 60_000);

  test('--kubeconfig and --context need --wait', async () => {
    const result = await runCli(['verify', '--kubeconfig', '/nonexistent', '-u', `127.0.0.1:${await unusedPort()}`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('triton-jetson: --kubeconfig, --context and --wait-timeout are for --wait only; add --wait\n');
  });

  test('after the rollout, failing checks are repeated for a while (the NodePort may lag a moment)', async () => {
    api.handle(rollout('triton', [{ desired: 1, updated: 1, available: 1 }]));
    const kubeconfig = join(work, 'kubeconfig-settle');
    writeFileSync(kubeconfig, api.kubeconfig());
    const lines: string[] = [];
    let runs = 0;
    const results = await waitThenVerify({
      config: parseClusterConfig({}), configFile: join(work, 'cluster.yaml'), kubeconfig, waitTimeoutSeconds: 60, requestTimeoutSeconds: 5,
      pollMs: 10, log: (l) => lines.push(l),
      runChecks: async () => [{ target: 'n1', check: 'ready', ok: ++runs > 1, detail: '' }],
    });
    expect(results).toEqual([{ target: 'n1', check: 'ready', ok: true, detail: '' }]);
    expect(runs).toBe(2);
    expect(lines).toContain('checks: 1 of 1 failing right after the rollout; checking again in 5 s');
  }, 30_000);
});

test('the DaemonSets waited for are those the description synthesizes: one, or one per board profile', () => {
  expect(tritonDaemonSetNames(parseClusterConfig({}))).toEqual(['triton']);
  expect(tritonDaemonSetNames(parseClusterConfig({ triton: { name: 'inference' } }))).toEqual(['inference']);
  expect(tritonDaemonSetNames(parseClusterConfig({
    nodes: { server: { name: 'nano-1', profile: 'jetpack4' }, agents: [{ name: 'orin-1', profile: 'jetpack6' }] },
  }))).toEqual(['triton-jetpack4', 'triton-jetpack6']);
});
