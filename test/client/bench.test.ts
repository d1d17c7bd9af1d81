/**
 * `triton-jetson bench` against loopback KServe v2 servers: a fast node, a slow node
 * (injected latency), a node answering HTTP 500 and one closing connections. What the
 * bench reports must match what the servers recorded: request counts exactly, latencies
 * within the stated tolerances, and the failing nodes' errors, while the run goes on.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchNodesFromConfig, benchNodesFromUrls, runBench } from '../../client/bench';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import type { BenchReport } from '../../client/bench-report';
import { KServeTestServer, startKServeTestServer } from '../support/kserve-test-server';
import { execFile } from 'node:child_process';
import sharp from 'sharp';
import { preprocessImage } from '../../client/preprocess';
import { hasCommand, testWith } from '../support/prereq';
import { runCli, unusedPort } from './cli-runner';
import { NodeDriver, runStep } from '../../client/bench-load';

/** Injected latency of the slow node, ms. */
const SLOW_MS = 60;
/**
 * How far above the injected latency a measured latency may be: the test server decodes the
 * 1 MiB tensor and scores it (a few ms), on a shared 2-core machine with other test jobs.
 */
const TOLERANCE_MS = 400;

let fast: KServeTestServer;
let slow: KServeTestServer;
let failing: KServeTestServer;
let resetting: KServeTestServer;

beforeAll(async () => {
  [fast, slow, failing, resetting] = await Promise.all([
    startKServeTestServer({ recordTensors: false, metrics: false }),
    startKServeTestServer({ recordTensors: false, metrics: false, inferDelayMs: SLOW_MS }),
    startKServeTestServer({ recordTensors: false, metrics: false, failInfer: { status: 500, message: 'failed to allocate CUDA memory' } }),
    startKServeTestServer({ recordTensors: false, metrics: false, failInfer: 'reset' }),
  ]);
});

const afterAllCleanups: (() => void)[] = [];

afterAll(async () => {
  for (const cleanup of afterAllCleanups) cleanup();
  await Promise.all([fast, slow, failing, resetting].map((s) => s?.close()));
});

const inferCount = (s: KServeTestServer) => s.requests.filter((r) => r.startsWith('POST ') && r.endsWith('/infer')).length;
const node = (name: string, s: KServeTestServer) => ({ name, baseUrl: `http://${s.address}` });
const stepNode = (report: BenchReport, step: number, name: string) => report.steps[step].nodes.find((n) => n.node === name)!;

describe('bench against loopback servers', () => {
  test('count mode: every node gets exactly --measurement-request-count requests per window; counts, shares and errors match the servers', async () => {
    const before = [fast, slow, failing, resetting].map(inferCount);
    const validBefore = [fast.inferences.length, slow.inferences.length];
    const report = await runBench({
      nodes: [node('fast', fast), node('slow', slow), node('failing', failing), node('resetting', resetting)],
      model: 'inception_graphdef',
      steps: [{ kind: 'concurrency', value: 1 }, { kind: 'concurrency', value: 2 }],
      measurementRequestCount: 6,
      maxTrials: 1,
    });
    const after = [fast, slow, failing, resetting].map(inferCount);
    // The model's shape came from the first node; after that only inference requests.
    expect(after.map((a, i) => a - before[i])).toEqual([12, 12, 12, 12]);
    expect([fast.inferences.length - validBefore[0], slow.inferences.length - validBefore[1]]).toEqual([12, 12]);
    // The real input shape, binary tensors, the whole 1 MiB tensor.
    const last = fast.inferences.at(-1)!;
    expect(last).toMatchObject({ model: 'inception_graphdef', encoding: 'binary' });
    expect(last.inputs[0].shape).toEqual([1, 299, 299, 3]);
    expect(last.bodyBytes).toBe(report.requestBytes);
    expect(report.requestBytes).toBeGreaterThan(299 * 299 * 3 * 4);

    for (const step of [0, 1]) {
      expect(stepNode(report, step, 'fast')).toMatchObject({ requests: 6, successes: 6, errors: 0, share: 0.5 });
      expect(stepNode(report, step, 'slow')).toMatchObject({ requests: 6, successes: 6, errors: 0, share: 0.5 });
      expect(stepNode(report, step, 'failing')).toMatchObject({
        requests: 6, successes: 0, errors: 6, share: 0, errorMessages: [{ message: 'HTTP 500: failed to allocate CUDA memory', count: 6 }],
      });
      const reset = stepNode(report, step, 'resetting');
      expect(reset).toMatchObject({ requests: 6, successes: 0, errors: 6 });
      expect(reset.errorMessages.map((e) => e.message).join()).toMatch(/connection (reset|closed)/);
      expect(report.steps[step].total).toMatchObject({ requests: 24, successes: 12, errors: 12 });
    }
    // Latency: the slow node's injected delay is in every sample, within the tolerance.
    const slowLatency = stepNode(report, 0, 'slow').latencyUs;
    expect(slowLatency.count).toBe(6);
    expect(slowLatency.min).toBeGreaterThanOrEqual(SLOW_MS * 1000);
    expect(slowLatency.p50).toBeLessThan((SLOW_MS + TOLERANCE_MS) * 1000);
    expect(stepNode(report, 0, 'fast').latencyUs.p50).toBeLessThan(slowLatency.p50);
  });

  test('duration mode: a window lasts -p ms, counts equal the servers\' and throughput is successes / time', async () => {
    const before = [fast, slow, failing].map(inferCount);
    const report = await runBench({
      nodes: [node('fast', fast), node('slow', slow), node('failing', failing)],
      model: 'inception_graphdef',
      steps: [{ kind: 'concurrency', value: 1 }],
      measurementIntervalMs: 1200,
      maxTrials: 1,
    });
    const sent = [fast, slow, failing].map((s, i) => inferCount(s) - before[i]);
    const [f, s, x] = ['fast', 'slow', 'failing'].map((n) => stepNode(report, 0, n));
    expect([f.requests, s.requests, x.requests]).toEqual(sent);
    // Concurrency 1 against a 60 ms node: at most one request per 60 ms.
    expect(s.successes).toBeGreaterThanOrEqual(3);
    expect(s.successes).toBeLessThanOrEqual(Math.ceil(1200 / SLOW_MS) + 1);
    expect(s.inferPerSec).toBeCloseTo(s.successes / (s.elapsedMs / 1000), 6);
    expect(s.inferPerSec).toBeLessThanOrEqual(1000 / SLOW_MS + 0.5);
    expect(s.elapsedMs).toBeGreaterThanOrEqual(1200);
    expect(s.elapsedMs).toBeLessThan(1200 + SLOW_MS + TOLERANCE_MS);
    expect(f.share + s.share).toBeCloseTo(1, 9);
    expect(f.share).toBeCloseTo(f.successes / (f.successes + s.successes), 9);
    expect(x.errors).toBe(x.requests);
    expect(x.requests).toBeGreaterThan(0);
  });

  test('request-rate mode: requests are sent at the rate whatever the answers', async () => {
    // A node answering after 300 ms, asked 20 times at 20/s. Closed loop (waiting for each answer)
    // it would never have two requests at once; open loop it has several. Nothing here is timed
    // from above: a loaded machine only makes the run slower, never the counts different.
    let inFlight = 0;
    let mostInFlight = 0;
    const lagging = await startKServeTestServer({
      recordTensors: false, metrics: false,
      intercept: (request, res) => {
        if (!request.path.endsWith('/infer')) return false;
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        setTimeout(() => { inFlight--; res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"model_name":"inception_graphdef","outputs":[]}'); }, 300);
        return true;
      },
    });
    try {
      const started = performance.now();
      const report = await runBench({
        nodes: [node('fast', fast), node('lagging', lagging)],
        model: 'inception_graphdef',
        steps: [{ kind: 'request-rate', value: 20 }],
        measurementRequestCount: 20,
        maxTrials: 1,
      });
      const elapsed = performance.now() - started;
      expect(report.steps[0].mode).toBe('request-rate');
      for (const name of ['fast', 'lagging']) expect(stepNode(report, 0, name)).toMatchObject({ requests: 20, successes: 20, errors: 0, delayed: 0 });
      expect(lagging.requests.filter((r) => r.endsWith('/infer'))).toHaveLength(20);
      // Open loop: the lagging node had several requests in flight at once.
      expect(mostInFlight).toBeGreaterThanOrEqual(2);
      // On schedule, never ahead of it: request 20 is due 19 x 50 ms after the first.
      expect(elapsed).toBeGreaterThanOrEqual(19 * 50);
    } finally {
      await lagging.close();
    }
  });

  test('request-rate mode: a node that cannot keep the rate has its late requests counted as delayed', async () => {
    const report = await runBench({
      nodes: [node('slow', slow)],
      model: 'inception_graphdef',
      steps: [{ kind: 'request-rate', value: 40 }],
      measurementIntervalMs: 600,
      maxInFlightPerNode: 1,
      maxTrials: 1,
    });
    const n = stepNode(report, 0, 'slow');
    // One request in flight at a time, each at least 60 ms: at most ~11 in 0.6 s instead of 24.
    expect(n.requests).toBeLessThanOrEqual(Math.ceil(600 / SLOW_MS) + 1);
    expect(n.delayed).toBeGreaterThan(0);
    expect(n.delayed).toBeLessThanOrEqual(n.requests);
  });

  test('--input-data <image>: the image is preprocessed once as `infer` does and sent as the batch, every request the same bytes', async () => {
    const recording = await startKServeTestServer({ metrics: false });
    const dir = mkdtempSync(join(tmpdir(), 'bench-image-'));
    try {
      const file = join(dir, 'photo.png');
      const px = Buffer.alloc(64 * 48 * 3);
      for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
      await sharp(px, { raw: { width: 64, height: 48, channels: 3 } }).png().toFile(file);
      const report = await runBench({
        nodes: [node('recording', recording)], model: 'inception_graphdef', batchSize: 2, inputData: file, scaling: 'INCEPTION',
        steps: [{ kind: 'concurrency', value: 1 }], measurementRequestCount: 2, maxTrials: 1,
      });
      expect(report.inputShape).toEqual([2, 299, 299, 3]);
      const expected = await preprocessImage(file, { channels: 3, height: 299, width: 299, layout: 'NHWC', scaling: 'INCEPTION' });
      expect(recording.inferences).toHaveLength(2);
      for (const inference of recording.inferences) {
        const data = inference.inputs[0].data;
        expect(inference.inputs[0].shape).toEqual([2, 299, 299, 3]);
        expect(Buffer.from(data.buffer, data.byteOffset, data.byteLength / 2).equals(Buffer.from(expected.buffer))).toBe(true);
        expect(Buffer.from(data.buffer, data.byteOffset + data.byteLength / 2, data.byteLength / 2).equals(Buffer.from(expected.buffer))).toBe(true);
      }
      expect(stepNode(report, 0, 'recording').inferPerSec).toBeCloseTo((2 * 2) / (stepNode(report, 0, 'recording').elapsedMs / 1000), 6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await recording.close();
    }
  });

  test('a node that times out is reported and the others go on', async () => {
    const stuck = await startKServeTestServer({ recordTensors: false, metrics: false, inferDelayMs: 1500 });
    try {
      const report = await runBench({
        nodes: [node('fast', fast), node('stuck', stuck)],
        model: 'inception_graphdef',
        steps: [{ kind: 'concurrency', value: 1 }],
        measurementIntervalMs: 600,
        timeoutMs: 300,
        maxTrials: 1,
      });
      expect(stepNode(report, 0, 'stuck')).toMatchObject({ successes: 0, errorMessages: [{ message: 'no complete answer within 0.3 s' }] });
      expect(stepNode(report, 0, 'stuck').errors).toBeGreaterThanOrEqual(2);
      expect(stepNode(report, 0, 'fast').successes).toBeGreaterThan(0);
    } finally {
      await stuck.close();
      // Let the stuck server's pending answers (setTimeout) pass before jest looks for open handles.
      await new Promise((resolve) => setTimeout(resolve, 1600));
    }
  });

  test('no node answering the model metadata is one error naming every node', async () => {
    const port = await unusedPort();
    await expect(runBench({
      nodes: [{ name: 'gone', baseUrl: `http://127.0.0.1:${port}` }, node('failing-model', failing)],
      model: 'no_such_model',
      steps: [{ kind: 'concurrency', value: 1 }],
      measurementRequestCount: 1,
      metadataTimeoutMs: 2000,
    })).rejects.toThrow(/no node answered for model 'no_such_model' \(gone: .*; failing-model: .*no_such_model/);
  });
});

describe('measurement windows until stable, as perf_analyzer (--stability-percentage, --max-trials)', () => {
  test('a node whose latency drifts until it settles: measured until the last 3 windows agree, those 3 reported', async () => {
    // Windows of 3 requests at concurrency 1: 1000 ms answers, then 600 ms, then 200 ms for good.
    const drifting = await startKServeTestServer({ recordTensors: false, metrics: false, inferDelayMs: (n) => (n < 3 ? 1000 : n < 6 ? 600 : 200) });
    try {
      const report = await runBench({
        nodes: [node('drifting', drifting)], model: 'inception_graphdef', steps: [{ kind: 'concurrency', value: 1 }],
        measurementRequestCount: 3, stabilityPercentage: 50,
      });
      const [step] = report.steps;
      const n = step.nodes[0];
      expect(step.stable).toBe(true);
      expect(n.stable).toBe(true);
      // The two drifting windows and at least three settled ones; every request counted.
      expect(step.windowCount).toBeGreaterThanOrEqual(5);
      expect(step.windowCount).toBeLessThanOrEqual(10);
      expect(n.windows).toHaveLength(step.windowCount);
      expect(n.requests).toBe(3 * step.windowCount);
      expect(drifting.requests.filter((r) => r.endsWith('/infer'))).toHaveLength(3 * step.windowCount);
      expect(n.windows[0].inferPerSec).toBeLessThan(n.windows[1].inferPerSec);
      expect(n.windows[1].inferPerSec).toBeLessThan(Math.min(...n.windows.slice(2).map((w) => w.inferPerSec)));
      // The figures are the last three windows': no drifting answer among them.
      expect(n.latencyUs.count).toBe(9);
      expect(n.latencyUs.min).toBeGreaterThanOrEqual(200_000);
      expect(n.latencyUs.max).toBeLessThan(600_000);
      const last3 = n.windows.slice(-3);
      expect(n.inferPerSec).toBeCloseTo(9 / (last3.reduce((a, w) => a + w.elapsedMs, 0) / 1000), 6);
      expect(report).toMatchObject({ stabilityPercentage: 50, maxTrials: 10 });
    } finally {
      await drifting.close();
    }
  });

  test('a node that never settles: --max-trials windows, reported not stable in the table, JSON, CSV and HTML', async () => {
    // Each window's answers take twice as long as the last one's.
    const growing = await startKServeTestServer({ recordTensors: false, metrics: false, inferDelayMs: (n) => 40 * 2 ** Math.floor(n / 2) });
    const dir = mkdtempSync(join(tmpdir(), 'bench-unstable-'));
    try {
      const result = await runCli(['bench', '-u', growing.address, '-m', 'inception_graphdef', '--concurrency-range', '1', '--measurement-request-count', '2',
        '--max-trials', '4', '--stability-percentage', '10', '--no-progress', '--json', join(dir, 'r.json'), '--csv', join(dir, 'r.csv'), '--html', join(dir, 'r.html')]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(growing.requests.filter((r) => r.endsWith('/infer'))).toHaveLength(8);
      expect(result.stdout).toMatch(/│ Windows │ Stable │/);
      expect(result.stdout).toMatch(/│ 4\s+│ NO\s+│/);
      expect(result.stdout).toMatch(/^Not stable .*\n {2}concurrency 1, 127\.0\.0\.1:\d+: its last 3 of 4 windows differ by more than 10% \(.* infer\/s, avg latency .* ms\); lengthen -p, raise --max-trials or --stability-percentage$/m);
      const json = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf-8')) as BenchReport;
      expect(json).toMatchObject({ stabilityPercentage: 10, maxTrials: 4 });
      expect(json.steps[0]).toMatchObject({ stable: false, windowCount: 4 });
      expect(json.steps[0].nodes[0].windows).toHaveLength(4);
      const csv = readFileSync(join(dir, 'r.csv'), 'utf-8').split('\r\n');
      expect(csv[0]).toContain(',Windows,Stable,Errors');
      expect(csv[1]).toMatch(/,4,no,$/);
      expect(readFileSync(join(dir, 'r.html'), 'utf-8')).toMatch(/<td class="unstable">no<\/td>[\s\S]*<ul id="unstable">/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await growing.close();
    }
  });

  test('-p: each window lasts -p ms and the step stops once the last three agree (a steady node: three windows)', async () => {
    const steady = await startKServeTestServer({ recordTensors: false, metrics: false, inferDelayMs: 100 });
    try {
      const report = await runBench({
        nodes: [node('steady', steady)], model: 'inception_graphdef', steps: [{ kind: 'concurrency', value: 1 }],
        measurementIntervalMs: 500, stabilityPercentage: 60,
      });
      const n = report.steps[0].nodes[0];
      expect(n.stable).toBe(true);
      expect(report.steps[0].windowCount).toBeGreaterThanOrEqual(3);
      for (const w of n.windows) expect(w.elapsedMs).toBeGreaterThanOrEqual(500);
      expect(n.requests).toBe(steady.requests.filter((r) => r.endsWith('/infer')).length);
    } finally {
      await steady.close();
    }
  });

  test('a node that fails every request is "down": the step does not wait --max-trials windows for it', async () => {
    const report = await runBench({
      nodes: [node('fast', fast), node('failing', failing)], model: 'inception_graphdef', steps: [{ kind: 'concurrency', value: 1 }],
      measurementRequestCount: 2, stabilityPercentage: 1000,
    });
    expect(report.steps[0].windowCount).toBe(3);
    expect(stepNode(report, 0, 'fast').stable).toBe(true);
    expect(stepNode(report, 0, 'failing')).toMatchObject({ stable: false, requests: 6, errors: 6 });
    expect(report.steps[0].stable).toBe(false);
  });
});

describe('a step is bounded in time whatever the nodes do (issue 20.9)', () => {
  test('count mode against a node that never answers stops sending at the step\'s time bound', async () => {
    const silent = await startKServeTestServer({ recordTensors: false, metrics: false, intercept: (request) => request.path.endsWith('/infer') });
    const driver = new NodeDriver({ name: 'silent', baseUrl: `http://${silent.address}` }, { path: '/v2/models/m/infer', headers: {}, body: Buffer.alloc(16) });
    try {
      const started = Date.now();
      // 1000 requests of 200 ms each would take 200 s; the step is cut at 1 s.
      const [record] = await runStep([driver], { mode: { kind: 'concurrency', value: 1 }, requestCountPerNode: 1000, timeoutMs: 200, maxResponseBytes: 1024, maxStepMs: 1000 });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(record.requests).toBeGreaterThan(0);
      expect(record.requests).toBeLessThan(20);
      expect(record.errorMessages[0].message).toBe('no complete answer within 0.2 s');
    } finally {
      driver.close();
      await silent.close();
    }
  });
});

describe('which nodes', () => {
  test('every node of the cluster description, through the Service\'s HTTP NodePort', () => {
    const config = parseClusterConfig({
      service: { nodePorts: { http: 31800, grpc: 31801, metrics: 31802 } },
      nodes: { server: { name: 'jm-node-1', address: '10.0.0.31' }, agents: [{ name: 'jm-node-2', address: '10.0.0.32' }, { name: 'jm-node-3' }] },
    });
    expect(benchNodesFromConfig(config)).toEqual([
      { name: 'jm-node-1', baseUrl: 'http://10.0.0.31:31800' },
      { name: 'jm-node-2', baseUrl: 'http://10.0.0.32:31800' },
      { name: 'jm-node-3', baseUrl: 'http://jm-node-3:31800' },
    ]);
    expect(benchNodesFromConfig(parseClusterConfig({}))).toEqual([]);
    expect(benchNodesFromUrls(['10.0.0.31:30800'])).toEqual([{ name: '10.0.0.31:30800', baseUrl: 'http://10.0.0.31:30800' }]);
  });
});

describe('triton-jetson bench (the command)', () => {
  test('--json to stdout, --csv and --html to files, progress on stderr (one line per step when not a TTY), exit 1 on node errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
    afterAllCleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const before = inferCount(fast);
    const result = await runCli([
      'bench', '-u', fast.address, '-u', failing.address, '-m', 'inception_graphdef',
      '--concurrency-range', '1:2:1', '--measurement-request-count', '3', '--max-trials', '1', '--percentile', '95',
      '--json', '--csv', join(dir, 'r.csv'), '--html', join(dir, 'r.html'),
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as BenchReport;
    expect(report.steps.map((s) => [s.mode, s.value])).toEqual([['concurrency', 1], ['concurrency', 2]]);
    expect(report.steps.map((s) => s.nodes.map((n) => [n.node, n.successes, n.errors]))).toEqual([
      [[fast.address, 3, 0], [failing.address, 0, 3]],
      [[fast.address, 3, 0], [failing.address, 0, 3]],
    ]);
    expect(inferCount(fast) - before).toBe(6);
    expect(report.percentile).toBe(95);
    const stderrLines = result.stderr.trim().split('\n');
    expect(stderrLines).toHaveLength(2);
    expect(stderrLines[0]).toMatch(/^\[1\/2\] concurrency 1: .* 6 requests, .* 3 errors/);
    const csv = readFileSync(join(dir, 'r.csv'), 'utf-8').split('\r\n');
    expect(csv[0]).toMatch(/^Mode,Concurrency,Request Rate,Node,Inferences\/Second,/);
    expect(csv).toHaveLength(1 + 2 * 3 + 1);
    expect(readFileSync(join(dir, 'r.html'), 'utf-8')).toMatch(/^<!doctype html>/i);
  });

  test('the table names each node, the failing node\'s error and a closing line', async () => {
    const result = await runCli(['bench', '-u', fast.address, '-u', failing.address, '-m', 'inception_graphdef', '--concurrency-range', '1', '--measurement-request-count', '2', '--max-trials', '1', '--no-progress']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Infer/s');
    expect(result.stdout).toContain('all nodes');
    expect(result.stdout).toContain(`concurrency 1, ${failing.address}: 2 x HTTP 500: failed to allocate CUDA memory`);
    expect(result.stdout).toMatch(/^Best: .* infer\/s at concurrency 1 per node over 2 node\(s\); 2 error\(s\) in 4 request\(s\)\.$/m);
  });

  testWith([{ name: 'script', present: hasCommand('script'), hint: 'apt-get install util-linux' }])(
    'on a terminal the progress line is rewritten in place (\\r, erase line) and ends with a newline per step',
    async () => {
      const repo = join(__dirname, '..', '..');
      const argv = [process.execPath, '--require', require.resolve('tsx/cjs'), join(repo, 'cli', 'triton-jetson.ts'),
        'bench', '-u', slow.address, '-m', 'inception_graphdef', '--concurrency-range', '1', '-p', '800', '--max-trials', '1', '--json', join(tmpdir(), `bench-tty-${process.pid}.json`)];
      afterAllCleanups.push(() => rmSync(argv.at(-1)!, { force: true }));
      const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const out = await new Promise<string>((resolve, reject) => {
        execFile('script', ['-qec', quoted, '/dev/null'], { cwd: repo, timeout: 60_000, env: { ...process.env, TRITON_JETSON_CONFIG: '' } }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
      });
      // Several refreshes of the same line (every 250 ms over 0.8 s), the last one final.
      const refreshes = out.split('\r\x1b[2K[1/1] concurrency 1: ').length - 1;
      expect(refreshes).toBeGreaterThanOrEqual(2);
      expect(out).toMatch(/\r\x1b\[2K\[1\/1\] concurrency 1: [^\r]* 0 errors \| [^\r]*\r?\n/);
    },
  );

  test('usage errors are one line', async () => {
    const bad = await runCli(['bench', '-u', fast.address, '-m', 'inception_graphdef', '--concurrency-range', '4:2']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--concurrency-range "4:2": end 2 is below start 4/);
    const empty = mkdtempSync(join(tmpdir(), 'bench-empty-'));
    afterAllCleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const none = await runCli(['bench', '-m', 'inception_graphdef'], empty);
    expect(none.code).toBe(1);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/no nodes to benchmark: .*cluster\.yaml not found; give -c <cluster description> .* -u host:port \(e\.g\. -u 10\.0\.0\.31:30800\)/);
    writeFileSync(join(empty, 'cluster.yaml'), 'namespace: default\n');
    const noNodes = await runCli(['bench', '-m', 'inception_graphdef'], empty);
    expect(noNodes.code).toBe(1);
    expect(noNodes.stderr).toMatch(/no nodes to benchmark: .*cluster\.yaml has no "nodes" section; describe the nodes there or give -u host:port/);
  });
});
