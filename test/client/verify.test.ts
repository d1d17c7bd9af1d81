/**
 * `triton-jetson verify` against KServe v2 test servers standing in for two nodes
 * (127.0.0.1 and 127.0.0.2, same NodePorts, as a NodePort Service gives every node).
 */
import { writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { modelSeedJobPropsFromConfig } from '../../lib/model-seed-props';
import {
  modelsToCheck, renderVerifyTable, targetsFromClusterConfig, targetsFromUrls, verifyTargets,
} from '../../client/verify';
import { inceptionGraphdef, KServeTestServer, KServeTestServerOptions, startKServeTestServer } from '../support/kserve-test-server';
import { flattenTable, runCli, unusedPort } from './cli-runner';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();

const work = scratch('verify-test-');

/** A custom model as a cluster description lists it under `models:`. */
const DENSENET = {
  name: 'densenet_onnx',
  downloads: [{ url: 'https://example.org/densenet/model.onnx', archive: 'file', files: [{ to: '1/model.onnx' }] }],
  config: {
    platform: 'onnxruntime_onnx',
    input: [{ name: 'data_0', dataType: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224] }],
    output: [{ name: 'fc6_1', dataType: 'TYPE_FP32', dims: [1000] }],
  },
};

/** Two "nodes" on the same ports, like a NodePort Service; retries if a random port is taken. */
async function startNodes(second: Partial<KServeTestServerOptions> = {}): Promise<{ nodes: KServeTestServer[]; http: number; metrics: number }> {
  for (let attempt = 0; ; attempt++) {
    const http = 30000 + Math.floor(Math.random() * 2700);
    const metrics = http + 2;
    const started: KServeTestServer[] = [];
    try {
      started.push(await startKServeTestServer({ host: '127.0.0.1', port: http, metricsPort: metrics }));
      started.push(await startKServeTestServer({ host: '127.0.0.2', port: http, metricsPort: metrics, ...second }));
      return { nodes: started, http, metrics };
    } catch (err) {
      await Promise.all(started.map((s) => s.close()));
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 20) throw err;
    }
  }
}

function clusterFile(name: string, http: number, metrics: number, extra: readonly string[] = []): string {
  const file = join(work, name);
  writeFileSync(file, [
    'nodes:',
    '  server: { name: jetson-1, address: 127.0.0.1 }',
    '  agents:',
    '    - { name: jetson-2, address: 127.0.0.2 }',
    'service:',
    `  nodePorts: { http: ${http}, grpc: ${http + 1}, metrics: ${metrics} }`,
    ...extra,
    '',
  ].join('\n'));
  return file;
}

describe('verify a healthy cluster', () => {
  let nodes: KServeTestServer[];
  let file: string;

  beforeAll(async () => {
    const started = await startNodes();
    nodes = started.nodes;
    file = clusterFile('healthy.yaml', started.http, started.metrics);
  });
  afterAll(() => Promise.all(nodes.map((n) => n.close())));

  test('every node: live, ready, inception_graphdef ready, metrics; exit 0', async () => {
    const result = await runCli(['verify', '-c', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('All 8 checks passed on 2 node(s).');
    for (const name of ['jetson-1', 'jetson-2']) expect(result.stdout).toContain(name);
    expect(result.stdout).not.toContain('FAIL');
    // Each node was really asked.
    for (const node of nodes) {
      expect(node.requests).toEqual(expect.arrayContaining(['GET /v2/health/live', 'GET /v2/health/ready', 'GET /v2/models/inception_graphdef/ready']));
    }
  });
});

describe('verify checks exactly the models the stack seeds', () => {
  let nodes: KServeTestServer[];
  let http: number;
  let metrics: number;

  beforeAll(async () => {
    // Both "nodes" serve densenet_onnx only (no inception_graphdef).
    const densenet = inceptionGraphdef({ name: 'densenet_onnx' });
    for (let attempt = 0; ; attempt++) {
      http = 30000 + Math.floor(Math.random() * 2700);
      metrics = http + 2;
      const started: KServeTestServer[] = [];
      try {
        for (const host of ['127.0.0.1', '127.0.0.2']) started.push(await startKServeTestServer({ host, port: http, metricsPort: metrics, models: [densenet] }));
        nodes = started;
        break;
      } catch (err) {
        await Promise.all(started.map((n) => n.close()));
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt > 20) throw err;
      }
    }
  });
  afterAll(() => Promise.all(nodes.map((n) => n.close())));
  beforeEach(() => nodes.forEach((n) => { n.requests.length = 0; }));

  test('builtinModels false + one custom model: that model only, not inception_graphdef', async () => {
    const file = clusterFile('custom-only.yaml', http, metrics, [`models: ${JSON.stringify([DENSENET])}`, 'seeding: { builtinModels: false }']);
    const result = await runCli(['verify', '-c', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('All 8 checks passed on 2 node(s).');
    for (const node of nodes) {
      expect(node.requests).toContain('GET /v2/models/densenet_onnx/ready');
      expect(node.requests.join(' ')).not.toContain('inception_graphdef');
    }
  });

  test('the default description checks inception_graphdef (which these nodes lack): exit 1', async () => {
    const file = clusterFile('default-models.yaml', http, metrics);
    const result = await runCli(['verify', '-c', file, '--no-metrics']);
    expect(result.code).toBe(1);
    expect(flattenTable(result.stdout)).toContain("model inception_graphdef FAIL model 'inception_graphdef' not found");
    for (const node of nodes) expect(node.requests.join(' ')).not.toContain('densenet_onnx');
  });

  test('seeding disabled: liveness, readiness and the models the repository index lists, and it says so', async () => {
    const file = clusterFile('no-seeding.yaml', http, metrics, [`models: ${JSON.stringify([DENSENET])}`, 'seeding: { enabled: false }']);
    const result = await runCli(['verify', '-c', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]).toBe(
      `Model seeding is disabled (seeding.enabled: false in ${file}): checking liveness, readiness and the models Triton's repository index lists; `
      + 'give -m <model> to require the models you put in the repository.',
    );
    expect(result.stdout).toContain('All 6 checks passed on 2 node(s).');
    expect(flattenTable(result.stdout)).toContain('model densenet_onnx OK ready (in the repository, not among the models checked)');
    for (const node of nodes) expect(node.requests.sort()).toEqual(['GET /v2/health/live', 'GET /v2/health/ready', 'POST /v2/repository/index']);
  });

  test('the description is found through $TRITON_JETSON_CONFIG, and --config wins over it', async () => {
    const custom = clusterFile('env-custom.yaml', http, metrics, [`models: ${JSON.stringify([DENSENET])}`, 'seeding: { builtinModels: false }']);
    const fromEnv = await runCli(['verify'], work, { env: { TRITON_JETSON_CONFIG: custom } });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('All 8 checks passed on 2 node(s).');
    const missing = await runCli(['verify'], work, { env: { TRITON_JETSON_CONFIG: join(work, 'absent.yaml') } });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`triton-jetson: invalid cluster description ${join(work, 'absent.yaml')} (from $TRITON_JETSON_CONFIG): file not found (create it from cluster.example.yaml)\n`);
    const flagWins = await runCli(['verify', '-c', custom], work, { env: { TRITON_JETSON_CONFIG: join(work, 'absent.yaml') } });
    expect(flagWins.code).toBe(0);
  });
});

describe('verify a cluster with problems', () => {
  let nodes: KServeTestServer[];
  let file: string;

  beforeAll(async () => {
    const started = await startNodes({
      models: [inceptionGraphdef(), inceptionGraphdef({ name: 'densenet_onnx', ready: false, reason: 'unable to load model: file not found' })],
    });
    nodes = started.nodes;
    file = clusterFile('one-not-ready.yaml', started.http, started.metrics);
  });
  afterAll(() => Promise.all(nodes.map((n) => n.close())));

  test('a model not ready on one node fails that row and the exit code', async () => {
    const result = await runCli(['verify', '-c', file, '-m', 'inception_graphdef', '-m', 'densenet_onnx']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/model densenet_onnx\s*│ FAIL/);
    expect(flattenTable(result.stdout)).toContain('state UNAVAILABLE: unable to load model: file not found');
    expect(result.stdout).toContain('checks failed.');

    const config = parseClusterConfig({
      nodes: { server: { name: 'jetson-1', address: '127.0.0.1' }, agents: [{ name: 'jetson-2', address: '127.0.0.2' }] },
      service: { nodePorts: { http: nodes[0].port, grpc: nodes[0].port + 1, metrics: nodes[0].metricsPort } },
    });
    const results = await verifyTargets(targetsFromClusterConfig(config), { models: ['inception_graphdef', 'densenet_onnx'], timeoutMs: 5000 });
    const failed = results.filter((r) => !r.ok).map((r) => `${r.target} ${r.check}`);
    // jetson-1 does not know densenet_onnx at all; jetson-2 has it but not loaded (and so is not ready).
    expect(failed).toEqual(['jetson-1 model densenet_onnx', 'jetson-2 ready', 'jetson-2 model densenet_onnx']);
    expect(results.find((r) => r.target === 'jetson-1' && r.check === 'model densenet_onnx')?.detail)
      .toContain("model 'densenet_onnx' not found");
  });

  test('the table names each node once and marks each check', () => {
    const table = renderVerifyTable([
      { target: 'jetson-1', check: 'live', ok: true, detail: 'fine' },
      { target: 'jetson-1', check: 'ready', ok: false, detail: 'not ready' },
    ]);
    expect(table.match(/jetson-1/g)).toHaveLength(1);
    expect(table).toMatch(/live\s*│ OK/);
    expect(table).toMatch(/ready\s*│ FAIL/);
  });
});

describe('one bad model among good ones (Triton with --exit-on-error=false --strict-readiness=false)', () => {
  const PYTORCH_REASON = "unable to find backend library for backend 'pytorch', try specifying runtime on the model configuration.";

  test('the node stays ready, the seeded model passes, the broken model fails its own row with Triton\'s reason', async () => {
    const node = await startKServeTestServer({
      strictReadiness: false,
      models: [inceptionGraphdef(), inceptionGraphdef({ name: 'resnet_pt', ready: false, reason: PYTORCH_REASON })],
    });
    try {
      const results = await verifyTargets(targetsFromUrls([node.address], node.metricsPort), { models: ['inception_graphdef'], timeoutMs: 5000 });
      expect(results.map((r) => [r.check, r.ok])).toEqual([
        ['live', true], ['ready', true], ['model inception_graphdef', true], ['model resnet_pt', false], ['metrics', true],
      ]);
      expect(results.find((r) => r.check === 'model resnet_pt')?.detail)
        .toBe(`state UNAVAILABLE: ${PYTORCH_REASON} (in the repository, not among the models checked; fix or remove its folder)`);
      // One index per node, whatever the number of models.
      expect(node.requests.filter((r) => r === 'POST /v2/repository/index')).toHaveLength(1);
      const cli = await runCli(['verify', '-u', node.address, '--metrics-port', String(node.metricsPort)]);
      expect(cli.code).toBe(1);
      expect(flattenTable(cli.stdout)).toContain(`model resnet_pt FAIL state UNAVAILABLE: ${PYTORCH_REASON}`);
      expect(cli.stdout).toContain('1 of 5 checks failed.');
    } finally {
      await node.close();
    }
  });

  test('a seeded model that failed names Triton\'s reason; the others of the repository are listed, at most 20, the rest counted', async () => {
    const extra = Array.from({ length: 25 }, (_, i) => inceptionGraphdef({ name: `extra_${String(i).padStart(2, '0')}`, ready: i % 2 === 0 }));
    const node = await startKServeTestServer({
      strictReadiness: false, metrics: false,
      models: [inceptionGraphdef({ ready: false, reason: 'failed to load model: out of memory' }), ...extra],
    });
    try {
      const results = await verifyTargets(targetsFromUrls([node.address], false), { models: ['inception_graphdef'], timeoutMs: 5000 });
      expect(results.find((r) => r.check === 'model inception_graphdef')).toMatchObject({ ok: false, detail: expect.stringContaining('state UNAVAILABLE: failed to load model: out of memory') });
      const others = results.filter((r) => r.check.startsWith('model extra_'));
      expect(others).toHaveLength(20);
      expect(others.map((r) => r.ok)).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 0));
      expect(results.at(-1)).toEqual({ target: node.address, check: 'other models', ok: false, detail: '5 more models in the repository not listed, 2 of them not ready' });
    } finally {
      await node.close();
    }
  });
});

describe('verify with -u', () => {
  test('unreachable server: every row fails with the reason, the hint is printed once, exit 1', async () => {
    const port = await unusedPort();
    const result = await runCli(['verify', '-u', `127.0.0.1:${port}`, '--no-metrics']);
    expect(result.code).toBe(1);
    expect(flattenTable(result.stdout)).toContain(`unreachable: http://127.0.0.1:${port}/v2/health/live: connection refused`);
    expect(flattenTable(result.stdout)).toContain(`skipped: http://127.0.0.1:${port} is unreachable`);
    expect(result.stdout.match(/kubectl get pods -l app=triton -o wide/g)).toHaveLength(1);
    expect(result.stdout).toContain('3 of 3 checks failed.');
  });

  test('metrics: Triton counters required; another exporter or no listener fails', async () => {
    const good = await startKServeTestServer();
    const other = await startKServeTestServer({ metrics: 'other' });
    const none = await startKServeTestServer({ metrics: false });
    try {
      const targets = [
        ...targetsFromUrls([good.address], good.metricsPort),
        ...targetsFromUrls([other.address], other.metricsPort),
        ...targetsFromUrls([none.address], await unusedPort()),
      ];
      const results = await verifyTargets(targets, { models: ['inception_graphdef'], timeoutMs: 5000 });
      const metrics = results.filter((r) => r.check === 'metrics');
      expect(metrics.map((r) => r.ok)).toEqual([true, false, false]);
      expect(metrics[1].detail).toContain('has no nv_inference_request_success');
      expect(metrics[2].detail).toContain('connection refused');
      expect(results.filter((r) => r.check !== 'metrics').every((r) => r.ok)).toBe(true);
    } finally {
      await Promise.all([good.close(), other.close(), none.close()]);
    }
  });

  test('a server that never answers is given up after --timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const started = Date.now();
      const result = await runCli(['verify', '-u', `127.0.0.1:${port}`, '--no-metrics', '--timeout', '0.5']);
      expect(result.code).toBe(1);
      expect(flattenTable(result.stdout)).toContain('no complete answer within 0.5 s');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });

  test('the metrics port of a -u URL defaults to its HTTP port + 2', () => {
    expect(targetsFromUrls(['10.0.0.30:30800'])).toEqual([
      { name: '10.0.0.30:30800', httpUrl: 'http://10.0.0.30:30800', metricsUrl: 'http://10.0.0.30:30802' },
    ]);
    expect(targetsFromUrls(['http://localhost:8000'], false)[0].metricsUrl).toBeUndefined();
  });
});

describe('what to verify from the cluster description', () => {
  test('nodes reached on the NodePorts, server first', () => {
    const config = parseClusterConfig({ nodes: { server: { name: 'nano-1', address: '10.0.0.30' }, agents: [{ name: 'nano-2' }] } });
    expect(targetsFromClusterConfig(config)).toEqual([
      { name: 'nano-1', httpUrl: 'http://10.0.0.30:30800', metricsUrl: 'http://10.0.0.30:30802' },
      { name: 'nano-2', httpUrl: 'http://nano-2:30800', metricsUrl: 'http://nano-2:30802' },
    ]);
  });

  // The models the stack seeds, asked of the same function the stack builds its Job from.
  test.each([
    ['default description: the built-in model', {}, ['inception_graphdef']],
    ['one custom model besides the built-in one', { models: [DENSENET] }, ['inception_graphdef', 'densenet_onnx']],
    ['builtinModels false + one custom model: only that one', { models: [DENSENET], seeding: { builtinModels: false } }, ['densenet_onnx']],
    ['seeding disabled: no model list', { models: [DENSENET], seeding: { enabled: false } }, undefined],
  ])('%s', (_name, description, expected) => {
    const config = parseClusterConfig(description);
    expect(modelsToCheck(config)).toEqual(expected);
    expect(modelsToCheck(config)).toEqual(modelSeedJobPropsFromConfig(config)?.models?.map((m) => m.name));
  });

  test('a description without nodes asks for nodes or -u', async () => {
    const file = join(work, 'no-nodes.yaml');
    writeFileSync(file, 'namespace: default\n');
    const result = await runCli(['verify', '-c', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no "nodes" section; describe the nodes there or give -u host:port');
    const absent = await runCli(['verify'], work);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('cluster.yaml not found; give -c <cluster description> (or set $TRITON_JETSON_CONFIG) or -u host:port');
  });
});

describe('verify against something that is not Triton (issue 23.5)', () => {
  /** An HTTP server on loopback answering every request with `status` (a web server, a proxy, another NodePort). */
  async function notTriton(status: number, headers: Record<string, string>, body: string): Promise<{ address: string; requests: string[]; close: () => Promise<void> }> {
    const { createServer: createHttpServer } = await import('node:http');
    const requests: string[] = [];
    const server = createHttpServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(status, { 'Content-Type': 'text/html', ...headers });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    return { address: `127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  test('a 404 with a Server header: says what answered, stops that node\'s checks there', async () => {
    const web = await notTriton(404, { Server: 'nginx/1.25.3' }, '<html><body>404 Not Found</body></html>');
    try {
      const results = await verifyTargets(targetsFromUrls([web.address]), { models: ['inception_graphdef'], timeoutMs: 2000 });
      expect(results).toEqual([{
        target: web.address, check: 'live', ok: false,
        detail: `404 from ${web.address} (server: nginx/1.25.3): not a Triton HTTP endpoint; check the address and port (Triton: HTTP 8000 in the pod, NodePort 30800)`,
      }]);
      // Nothing after the liveness request: no readiness, model, repository or metrics request.
      expect(web.requests).toEqual(['GET /v2/health/live']);
      const result = await runCli(['verify', '-u', web.address, '-m', 'inception_graphdef', '--no-metrics']);
      expect(result.code).toBe(1);
      expect(flattenTable(result.stdout)).toContain(`404 from ${web.address} (server: nginx/1.25.3): not a Triton HTTP endpoint`);
      expect(flattenTable(result.stdout)).not.toMatch(/\bready\b.*FAIL/);
    } finally {
      await web.close();
    }
  });

  test('a 503 without a Server header: still named for what it is; -o json carries it', async () => {
    const web = await notTriton(503, {}, 'Service Unavailable');
    try {
      const result = await runCli(['verify', '-u', web.address, '--no-metrics', '-o', 'json']);
      expect(result.code).toBe(1);
      const json = JSON.parse(result.stdout) as { ok: boolean; results: { check: string; detail: string }[] };
      expect(json.ok).toBe(false);
      expect(json.results).toEqual([expect.objectContaining({ check: 'live', detail: expect.stringMatching(new RegExp(`^503 from ${web.address} \\(no Server header\\): not a Triton HTTP endpoint`)) })]);
    } finally {
      await web.close();
    }
  });

  test('a 200 with an HTML page (a web server answering every path): not Triton, whose health answers have no body', async () => {
    const web = await notTriton(200, { Server: 'lighttpd/1.4' }, '<html><body>Welcome</body></html>');
    try {
      const results = await verifyTargets(targetsFromUrls([web.address]), { models: ['inception_graphdef'], timeoutMs: 2000 });
      expect(results).toEqual([{
        target: web.address, check: 'live', ok: false,
        detail: `200 from ${web.address} (server: lighttpd/1.4) with a 33-byte text/html body, where Triton's answer is empty: not a Triton HTTP endpoint; `
          + 'check the address and port (Triton: HTTP 8000 in the pod, NodePort 30800)',
      }]);
      expect(web.requests).toEqual(['GET /v2/health/live']);
    } finally {
      await web.close();
    }
  });

  test('a redirect (a login page, a proxy): says so, follows nothing, stops there', async () => {
    const web = await notTriton(302, { Location: 'http://127.0.0.1:1/login?token=s3cret' }, '');
    try {
      const results = await verifyTargets(targetsFromUrls([web.address]), { models: ['inception_graphdef'], timeoutMs: 2000 });
      expect(results).toEqual([expect.objectContaining({ check: 'live', ok: false, detail: expect.stringMatching(new RegExp(`^302 from ${web.address} \\(no Server header\\), a redirect \\(not followed\\): not a Triton HTTP endpoint`)) })]);
      // The redirect's target may carry a secret: never echoed.
      expect(results[0].detail).not.toContain('s3cret');
      expect(web.requests).toEqual(['GET /v2/health/live']);
    } finally {
      await web.close();
    }
  });

  test('Triton\'s own "not live" (400, empty body) is Triton: the other checks still run and say why', async () => {
    const web = await notTriton(400, {}, '');
    try {
      const results = await verifyTargets(targetsFromUrls([web.address], false), { models: [], timeoutMs: 2000 });
      expect(results[0]).toEqual({ target: web.address, check: 'live', ok: false, detail: 'GET /v2/health/live answered 400: Triton reports it is not live' });
      expect(results.map((r) => r.check)).toContain('ready');
    } finally {
      await web.close();
    }
  });
});

describe('verify --parallel: nodes checked at once', () => {
  /** N loopback "nodes" answering 404 after a pause long enough to overlap (not Triton: one request each); counts requests in flight across all. */
  async function slowNodes(count: number): Promise<{ urls: string[]; maxInFlight: () => number; close: () => Promise<void> }> {
    const { createServer: createHttpServer } = await import('node:http');
    let inFlight = 0;
    let max = 0;
    const servers = await Promise.all(Array.from({ length: count }, () => new Promise<import('node:http').Server>((resolve) => {
      const server = createHttpServer((_req, res) => {
        inFlight += 1;
        max = Math.max(max, inFlight);
        setTimeout(() => { inFlight -= 1; res.writeHead(404, { server: 'slow' }).end(); }, 600);
      });
      server.listen(0, '127.0.0.1', () => resolve(server));
    })));
    return {
      urls: servers.map((s) => `127.0.0.1:${(s.address() as import('node:net').AddressInfo).port}`),
      maxInFlight: () => max,
      close: () => Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
    };
  }

  test.each([['--parallel 2', 2, 2], ['the default (10)', undefined, 6]])('%s: at most %i nodes at once, every node reported in order', async (_what, parallel, expectedMax) => {
    const nodes = await slowNodes(6);
    try {
      const targets = targetsFromUrls(nodes.urls, false);
      const results = await verifyTargets(targets, { models: [], timeoutMs: 5000, parallel });
      expect(nodes.maxInFlight()).toBe(expectedMax);
      expect([...new Set(results.map((r) => r.target))]).toEqual(targets.map((t) => t.name));
      expect(results.every((r) => !r.ok && /404/.test(r.detail))).toBe(true);
    } finally {
      await nodes.close();
    }
  });

  test('progress: each node is reported as it finishes, with its passed checks and a count', async () => {
    const nodes = await slowNodes(3);
    try {
      const targets = targetsFromUrls(nodes.urls, false);
      const lines: string[] = [];
      await verifyTargets(targets, { models: [], timeoutMs: 5000, parallel: 2, progress: (line) => lines.push(line) });
      expect(lines).toHaveLength(3);
      lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1:\\d+\\] checked: 0 of 1 passed \\(${i + 1}/3\\)$`)));
      expect(new Set(lines.map((l) => l.split(']')[0].slice(1)))).toEqual(new Set(targets.map((t) => t.name)));
    } finally {
      await nodes.close();
    }
  });
});
