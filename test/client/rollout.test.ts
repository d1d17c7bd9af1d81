/**
 * `verify --wait`'s judgement of a DaemonSet rollout (client/rollout.ts): the same as
 * `kubectl rollout status daemonset` (kubernetes/kubectl pkg/polymorphichelpers/rollout_status.go),
 * with the pods telling which node is behind and why. The status logic against a real API
 * server and DaemonSet controller: test/k8s/rollout-wait.test.ts.
 */
import { KubeApiError } from '../../client/kube-api';
import { describePod, DaemonSetObject, RolloutError, rolloutStatus, waitForRollout } from '../../client/rollout';
import { daemonSetObject, podObject } from '../support/fake-kube-api';

const ds = (status: Parameters<typeof daemonSetObject>[2], image = 'triton:v2') => daemonSetObject('triton', image, status) as DaemonSetObject;

describe('rolloutStatus (kubectl rollout status for a DaemonSet)', () => {
  const cases: [string, Parameters<typeof daemonSetObject>[2], boolean, string][] = [
    ['spec not observed yet', { generation: 3, observed: 2, desired: 4, updated: 4, available: 4 }, false, 'Waiting for daemon set spec update to be observed...'],
    ['pods not all updated', { generation: 3, desired: 4, updated: 1, available: 3 }, false, 'Waiting for daemon set "triton" rollout to finish: 1 out of 4 new pods have been updated...'],
    ['updated, not all available', { generation: 3, desired: 4, updated: 4, available: 3 }, false, 'Waiting for daemon set "triton" rollout to finish: 3 of 4 updated pods are available...'],
    ['done', { generation: 3, desired: 4, updated: 4, available: 4 }, true, 'daemon set "triton" successfully rolled out'],
    ['zero counts omitted by the API server', { generation: 2, desired: 2, updated: 0, available: 0 }, false, 'Waiting for daemon set "triton" rollout to finish: 0 out of 2 new pods have been updated...'],
    ['no node to run on', { desired: 0, updated: 0, available: 0 }, true, 'daemon set "triton" successfully rolled out'],
  ];
  test.each(cases)('%s', (_what, status, done, message) => {
    expect(rolloutStatus(ds(status))).toEqual({ done, message });
  });

  test('OnDelete has no rollout to wait for', () => {
    const onDelete = { ...ds({ desired: 1, updated: 1, available: 1 }) };
    onDelete.spec = { ...onDelete.spec, updateStrategy: { type: 'OnDelete' } };
    expect(() => rolloutStatus(onDelete)).toThrow(/updateStrategy "OnDelete": rollout status is only available for the RollingUpdate strategy/);
  });
});

describe('describePod', () => {
  test('names the node, pod, image and why it is not ready; settled only when updated and Ready', () => {
    const p = (image: string, state: Parameters<typeof podObject>[3]) => describePod(podObject('triton-abc', 'jm-node-2', image, state) as never, 'triton-jetson', 'triton:v2');
    expect(p('triton:v2', { ready: true })).toEqual({ line: 'jm-node-2: pod triton-abc runs triton:v2, ready', settled: true });
    expect(p('triton:v1', { ready: true })).toEqual({ line: 'jm-node-2: pod triton-abc runs triton:v1 (old image), ready', settled: false });
    expect(p('triton:v2', { ready: false, waiting: 'ErrImagePull', restarts: 0 })).toEqual({ line: 'jm-node-2: pod triton-abc runs triton:v2, not ready (ErrImagePull)', settled: false });
    expect(p('triton:v2', { ready: false, waiting: 'CrashLoopBackOff', restarts: 3 }).line).toBe('jm-node-2: pod triton-abc runs triton:v2, not ready (CrashLoopBackOff), 3 restarts');
    const loading = podObject('triton-abc', 'jm-node-2', 'triton:v2', { ready: false }) as { status: { phase: string } };
    loading.status.phase = 'Running';
    expect(describePod(loading as never, 'triton-jetson', 'triton:v2').line).toBe('jm-node-2: pod triton-abc runs triton:v2, running, not ready yet');
    expect(p('triton:v2', { ready: true, terminating: true })).toEqual({ line: 'jm-node-2: pod triton-abc runs triton:v2, terminating', settled: false });
    // Text from the API server cannot break the line.
    const hostile = describePod(podObject('a\nb', 'node\u001b[2J', 'img', { ready: false, waiting: 'x\ny' }) as never, 'triton-jetson', 'img');
    expect(hostile.line).not.toMatch(/[\n\u001b]/);
  });
});

/** A getter answering from a script: one entry per poll, for the DaemonSet and its pods. */
function scripted(polls: { ds?: object | Error; pods?: object[] }[]) {
  let poll = -1;
  const paths: string[] = [];
  return {
    paths,
    async getJson(path: string): Promise<unknown> {
      paths.push(path);
      if (path.includes('/daemonsets/')) poll = Math.min(poll + 1, polls.length - 1);
      const step = polls[poll];
      if (path.includes('/daemonsets/')) {
        if (step.ds instanceof Error) throw step.ds;
        return step.ds;
      }
      return { kind: 'PodList', items: step.pods ?? [] };
    },
  };
}

const options = (lines: string[], timeoutMs = 5000) => ({
  namespace: 'default', daemonSets: ['triton'], timeoutMs, pollMs: 10, log: (l: string) => lines.push(l), where: 'context "test"',
});

describe('waitForRollout', () => {
  test('polls until done, printing what it waits for (once per change) and which node is behind', async () => {
    const lines: string[] = [];
    const api = scripted([
      { ds: ds({ generation: 2, observed: 1, desired: 2, updated: 2, available: 2 }), pods: [] },
      { ds: ds({ generation: 2, desired: 2, updated: 1, available: 1 }), pods: [podObject('t-new', 'n1', 'triton:v2', { ready: false, waiting: 'ContainerCreating' }), podObject('t-old', 'n2', 'triton:v1', { ready: true })] },
      { ds: ds({ generation: 2, desired: 2, updated: 1, available: 1 }), pods: [podObject('t-new', 'n1', 'triton:v2', { ready: false, waiting: 'ContainerCreating' }), podObject('t-old', 'n2', 'triton:v1', { ready: true })] },
      { ds: ds({ generation: 2, desired: 2, updated: 2, available: 1 }), pods: [podObject('t-new', 'n1', 'triton:v2', { ready: true }), podObject('t-new2', 'n2', 'triton:v2', { ready: true })] },
      { ds: ds({ generation: 2, desired: 2, updated: 2, available: 2 }) },
    ]);
    const outcome = await waitForRollout(api, options(lines));
    expect(outcome).toEqual({ daemonSets: [{ name: 'triton', image: 'triton:v2', nodes: 2 }] });
    expect(lines).toEqual([
      'rollout: Waiting for daemon set spec update to be observed...',
      'rollout: Waiting for daemon set "triton" rollout to finish: 1 out of 2 new pods have been updated...',
      'rollout:   n1: pod t-new runs triton:v2, not ready (ContainerCreating)',
      'rollout:   n2: pod t-old runs triton:v1 (old image), ready',
      // Ready, but not yet for minReadySeconds: the DaemonSet does not count it available yet.
      'rollout: Waiting for daemon set "triton" rollout to finish: 1 of 2 updated pods are available...',
      'rollout: daemon set "triton" successfully rolled out: 2 node(s) run triton:v2, available',
    ]);
    expect(api.paths[0]).toBe('/apis/apps/v1/namespaces/default/daemonsets/triton');
    expect(api.paths).toContain('/api/v1/namespaces/default/pods?labelSelector=app%3Dtriton');
  });

  test('gives up at the deadline, naming the nodes that hold the rollout and why', async () => {
    const lines: string[] = [];
    const api = scripted([{ ds: ds({ generation: 2, desired: 1, updated: 1, available: 0 }), pods: [podObject('t-new', 'jm-node-1', 'triton:v2', { ready: false, waiting: 'ErrImageNeverPull' })] }]);
    await expect(waitForRollout(api, options(lines, 100))).rejects.toThrow(
      /^the Triton rollout did not finish within 0\.1 s: Waiting for daemon set "triton" rollout to finish: 0 of 1 updated pods are available\.\.\.; jm-node-1: pod t-new runs triton:v2, not ready \(ErrImageNeverPull\)\. Raise --wait-timeout/,
    );
  });

  test('a missing DaemonSet, a lasting error or a malformed answer stops the wait at once', async () => {
    const notFound = scripted([{ ds: new KubeApiError('daemon set: not found (404)', false, 404) }]);
    await expect(waitForRollout(notFound, options([]))).rejects.toThrow(/daemon set "triton" in namespace "default" does not exist \(context "test"\): apply the manifests first/);
    const forbidden = scripted([{ ds: new KubeApiError('forbidden (403)', false, 403) }]);
    await expect(waitForRollout(forbidden, options([]))).rejects.toThrow(RolloutError);
    const malformed = scripted([{ ds: { metadata: { name: 'triton' }, spec: {}, status: { desiredNumberScheduled: 'four' } } }]);
    await expect(waitForRollout(malformed, options([]))).rejects.toThrow(/is not a DaemonSet \(status\.desiredNumberScheduled/);
    // Unreachable from the start: a wrong kubeconfig, not a restart to wait out.
    const down = scripted([{ ds: new KubeApiError('cannot reach the API server: connection refused', true) }]);
    await expect(waitForRollout(down, options([]))).rejects.toThrow(/connection refused/);
  });

  test('an API server that goes away after answering (K3s restarting) is waited for', async () => {
    const lines: string[] = [];
    const api = scripted([
      { ds: ds({ generation: 2, desired: 1, updated: 0, available: 1 }), pods: [] },
      { ds: new KubeApiError('cannot reach the API server: connection refused (ECONNREFUSED)', true) },
      { ds: ds({ generation: 2, desired: 1, updated: 1, available: 1 }) },
    ]);
    await waitForRollout(api, options(lines));
    expect(lines).toContain('rollout: cannot reach the API server: connection refused (ECONNREFUSED); retrying');
    expect(lines[lines.length - 1]).toMatch(/successfully rolled out/);
  });
});
