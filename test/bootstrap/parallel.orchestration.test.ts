/**
 * --parallel on in-memory operators: every phase of bootstrap, reset and upgrade works on at
 * most N boards at once (connections, probes, installs), one connection per board for the
 * whole run, and progress is reported as boards finish.
 */
import { join } from 'node:path';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import type { Operator, OperatorFactory } from '../../bootstrap/executor/operator';
import type { RunOptions } from '../../bootstrap/executor/options';
import { DEFAULT_PARALLEL, forEachLimited, parseCount } from '../../lib/parallel';
import { runReset } from '../../bootstrap/executor/reset';
import { runUpgrade } from '../../bootstrap/executor/upgrade';
import { scratchDirs } from '../support/scratch';
import { clusterOps } from './memory-cluster-ops';
import { MemoryHosts, jetsonBoard, type Cluster } from './memory-operator';

const scratch = scratchDirs();
const COUNT = 14;
const NAMES = Array.from({ length: COUNT }, (_, i) => `nano-${i}`);
const ADDRESSES = NAMES.map((_, i) => `10.0.1.${10 + i}`);

function description(version = 'v1.34.12+k3s1'): ClusterConfigInput {
  return {
    nodes: { server: { name: NAMES[0], address: ADDRESSES[0] }, agents: NAMES.slice(1).map((name, i) => ({ name, address: ADDRESSES[i + 1] })) },
    ssh: { user: 'root' },
    k3s: { version },
  };
}

/** In-memory hosts whose operators take a little time per call and count what is in flight. */
function lab() {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  NAMES.forEach((name, i) => jetsonBoard(hosts.host(ADDRESSES[i]), name, cluster));
  clusterOps(new Map(NAMES.map((name, i) => [name, hosts.host(ADDRESSES[i])])), cluster);
  const flight = { now: 0, most: 0, connectsNow: 0, connectsMost: 0, opened: 0 };
  const slow = async <T>(call: () => Promise<T>, counter: 'now' | 'connectsNow'): Promise<T> => {
    flight[counter] += 1;
    if (counter === 'now') flight.most = Math.max(flight.most, flight.now);
    else flight.connectsMost = Math.max(flight.connectsMost, flight.connectsNow);
    try {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return await call();
    } finally {
      flight[counter] -= 1;
    }
  };
  const operators = (): OperatorFactory => {
    const inner = hosts.operators();
    return {
      open: (endpoint) => {
        flight.opened += 1;
        const op = inner.open(endpoint);
        const wrapped: Operator = Object.create(op) as Operator;
        return Object.assign(wrapped, {
          connect: () => slow(() => op.connect(), 'connectsNow'),
          runAsRoot: (script: string) => slow(() => op.runAsRoot(script), 'now'),
        });
      },
      close: inner.close,
    };
  };
  const dir = scratch('parallel-');
  const run = async <T>(verb: (o: RunOptions) => Promise<T>, options: Partial<RunOptions> = {}, version?: string) => {
    const log: string[] = [];
    Object.assign(flight, { most: 0, connectsMost: 0, opened: 0 });
    const summary = await verb({
      config: parseClusterConfig(description(version)), configPath: join(dir, 'cluster.yaml'), homeDir: dir, env: {},
      kubeconfigPath: join(dir, 'kube', 'config'), operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
      log: (host, message) => log.push(`[${host}] ${message}`), ...options,
    });
    return { summary, log, flight: { ...flight } };
  };
  return { hosts, cluster, run };
}

describe('--parallel (in-memory operators)', () => {
  test('bootstrap works on at most N boards at once, with one connection per board, and says as boards finish', async () => {
    const l = lab();
    const r = await l.run(runBootstrap, { parallel: 3 });
    expect(r.summary).toMatchObject({ ok: true });
    expect(r.flight.most).toBe(3);
    expect(r.flight.connectsMost).toBe(3);
    expect(r.flight.opened).toBe(COUNT);
    expect(l.hosts.calls.filter((c) => c.kind === 'connect')).toHaveLength(COUNT);
    const finished = r.log.filter((line) => / done \(\d+\/14\)$/.test(line));
    expect(finished).toHaveLength(COUNT);
    expect(finished.map((line) => Number(/\((\d+)\/14\)$/.exec(line)![1]))).toEqual(NAMES.map((_, i) => i + 1));
  });

  test(`the default is ${DEFAULT_PARALLEL}`, async () => {
    const l = lab();
    const r = await l.run(runBootstrap);
    expect(DEFAULT_PARALLEL).toBe(10);
    expect(r.flight.most).toBe(10);
    expect(r.flight.connectsMost).toBe(10);
  });

  test('--parallel 1 still bootstraps (the server is scheduled first, so waiting agents cannot starve it)', async () => {
    const l = lab();
    const r = await l.run(runBootstrap, { parallel: 1 });
    expect(r.summary).toMatchObject({ ok: true });
    expect(r.flight.most).toBe(1);
  });

  test('reset and upgrade keep the limit too', async () => {
    const l = lab();
    await l.run(runBootstrap, {}, 'v1.33.5+k3s1');
    const upgrade = await l.run(runUpgrade, { parallel: 4 });
    expect(upgrade.summary).toMatchObject({ ok: true });
    expect(upgrade.flight.connectsMost).toBe(4);
    expect(upgrade.flight.most).toBeLessThanOrEqual(4);
    const reset = await l.run(runReset, { parallel: 2 });
    expect(reset.summary).toMatchObject({ ok: true });
    expect(reset.flight.most).toBe(2);
  });
});

describe('forEachLimited and parseCount', () => {
  test('starts items in order and never runs more than the limit', async () => {
    const started: number[] = [];
    let now = 0;
    let most = 0;
    await forEachLimited([0, 1, 2, 3, 4, 5, 6], 3, async (item) => {
      started.push(item);
      now += 1;
      most = Math.max(most, now);
      await new Promise((resolve) => setTimeout(resolve, 1 + (item % 3)));
      now -= 1;
    });
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
    await forEachLimited([], 3, async () => undefined);
  });

  test.each(['0', '-1', '1.5', 'ten', '', '1e3'])('%j is refused', (text) => {
    expect(() => parseCount('--parallel', text)).toThrow(`--parallel must be a whole number ≥ 1 (got "${text}")`);
  });
});
