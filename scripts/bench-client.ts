/**
 * Client benchmark.
 *
 * 1. Preprocessing plus request encoding of a 1920x1080 JPEG for inception_graphdef
 *    (299x299x3 FP32, NHWC, INCEPTION scaling), the request size with binary versus JSON
 *    tensors, and how far sharp's bilinear resize is from PIL's on that image. The
 *    baseline is decoding the same JPEG alone, in the same run.
 * 2. The load generator of `triton-jetson bench` (client/bench-load.ts) against a loopback
 *    KServe v2 server that answers at once (scripts/bench-kserve-server.js, a child
 *    process, so this process's core drives the load alone): requests/s and GB/s of the
 *    tutorial's binary request, beside the raw loopback throughput measured in the same
 *    run (a bare node:http POST loop of the same bytes to a handler that discards them;
 *    raw and bench alternate in short rounds), as a ratio; then one long bench run with
 *    the client's CPU use and RSS at its start, every quarter and end (no growth).
 *
 *   npm run bench:client [-- --runs 15] [--duration 20] [--rounds 4] [--round-duration 2] [--concurrency 4] [--no-preprocess] [--no-load]
 *   npm run bench:client -- --no-preprocess --duration 60     (a 60 s load run)
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { runBench } from '../client/bench';
import { encodeInferRequest } from '../client/infer-codec';
import { decodeAndResize, pixelsToTensor, PreprocessSpec } from '../client/preprocess';

const WIDTH = 1920;
const HEIGHT = 1080;
const spec: PreprocessSpec = { channels: 3, height: 299, width: 299, layout: 'NHWC', scaling: 'INCEPTION' };

/** A photo-like test image: smooth gradients, circles and some fine texture. */
async function makeJpeg(file: string): Promise<void> {
  const px = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      const ring = Math.sin(Math.hypot(x - 900, y - 500) / 25) * 60;
      const texture = ((x * 7 + y * 13) % 17) * 3;
      px[i] = clamp(80 + (x / WIDTH) * 140 + ring);
      px[i + 1] = clamp(60 + (y / HEIGHT) * 150 - ring / 2 + texture);
      px[i + 2] = clamp(200 - (x / WIDTH) * 120 + texture);
    }
  }
  await sharp(px, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } }).jpeg({ quality: 90 }).toFile(file);
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

async function timeMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm-up (libvips caches, JIT)
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** PIL's Image.BILINEAR resize (triangle filter, support widened when reducing, weights renormalised at edges). */
function pilBilinear(px: Uint8Array, w: number, h: number, ow: number, oh: number): Uint8Array {
  const taps = (inSize: number, outSize: number) => {
    const scale = inSize / outSize;
    const support = Math.max(scale, 1);
    return Array.from({ length: outSize }, (_, x) => {
      const centre = (x + 0.5) * scale;
      const list: [number, number][] = [];
      for (let i = Math.max(0, Math.floor(centre - support + 0.5)); i < Math.min(inSize, Math.floor(centre + support + 0.5)); i++) {
        list.push([i, Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support))]);
      }
      const total = list.reduce((s, [, v]) => s + v, 0);
      return list.map(([i, v]) => [i, v / total] as [number, number]);
    });
  };
  const round8 = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
  const tx = taps(w, ow);
  const ty = taps(h, oh);
  const mid = new Uint8Array(ow * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < ow; x++) for (let c = 0; c < 3; c++) {
    mid[(y * ow + x) * 3 + c] = round8(tx[x].reduce((s, [i, v]) => s + v * px[(y * w + i) * 3 + c], 0));
  }
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let c = 0; c < 3; c++) {
    out[(y * ow + x) * 3 + c] = round8(ty[y].reduce((s, [i, v]) => s + v * mid[(i * ow + x) * 3 + c], 0));
  }
  return out;
}

function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number, got ${process.argv[i + 1]}`);
  return v;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-preprocess')) await preprocessBench(numberArg('--runs', 15));
  if (!process.argv.includes('--no-load')) {
    await loadBench(numberArg('--duration', 20), numberArg('--rounds', 4), numberArg('--round-duration', 2), numberArg('--concurrency', 4));
  }
}

/** Starts scripts/bench-kserve-server.js; resolves with its port once it listens. */
function startServer(): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'bench-kserve-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve({ child, port: (JSON.parse(line) as { port: number }).port });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before listening`)));
  });
}

/** The raw loopback figure: POST `body` to /raw with `concurrency` requests in flight, node:http and a keep-alive Agent, nothing else. */
function rawLoop(port: number, body: Buffer, concurrency: number, durationMs: number): Promise<{ requests: number; seconds: number }> {
  // The same Agent options as client/bench-load.ts's NodeDriver.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
  const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) };
  const start = performance.now();
  let requests = 0;
  let running = concurrency;
  return new Promise((resolve, reject) => {
    const next = () => {
      if (performance.now() - start >= durationMs) {
        if (--running === 0) {
          agent.destroy();
          resolve({ requests, seconds: (performance.now() - start) / 1000 });
        }
        return;
      }
      const req = httpRequest({ agent, host: '127.0.0.1', port, method: 'POST', path: '/raw', headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`raw POST answered ${res.statusCode}`));
          requests++;
          next();
        });
      });
      req.on('error', reject);
      req.end(body);
    };
    for (let i = 0; i < concurrency; i++) next();
  });
}

async function loadBench(durationS: number, rounds: number, roundS: number, concurrency: number): Promise<void> {
  const { child, port } = await startServer();
  try {
    const node = { name: 'loopback', baseUrl: `http://127.0.0.1:${port}` };
    const benchOnce = (ms: number) => runBench({
      nodes: [node], model: 'inception_graphdef', inputData: 'random', steps: [{ kind: 'concurrency', value: concurrency }],
      // One window of exactly `ms`: this measures the load generator, not a node's stability.
      measurementIntervalMs: ms, timeoutMs: 30_000, maxTrials: 1,
    });
    // Warm-up of both paths (JIT, sockets).
    const warm = await benchOnce(1000);
    const bodyBytes = warm.requestBytes;
    const body = Buffer.alloc(bodyBytes, 1);
    await rawLoop(port, body, concurrency, 1000);

    // The ratio: raw and bench alternate in short rounds, so both see the same machine
    // (it may be shared: other jobs come and go); totals over all rounds.
    let rawRequests = 0;
    let rawSeconds = 0;
    let benchRequests = 0;
    let benchSeconds = 0;
    const perRound: string[] = [];
    for (let r = 0; r < rounds; r++) {
      const raw = await rawLoop(port, body, concurrency, roundS * 1000);
      const bench = (await benchOnce(roundS * 1000)).steps[0].total;
      rawRequests += raw.requests;
      rawSeconds += raw.seconds;
      benchRequests += bench.successes;
      benchSeconds += bench.elapsedMs / 1000;
      perRound.push((bench.successes / (bench.elapsedMs / 1000) / (raw.requests / raw.seconds)).toFixed(2));
    }
    const rawRps = rawRequests / rawSeconds;
    const roundRps = benchRequests / benchSeconds;

    // The long run: throughput, CPU and memory over `durationS`. The JS heap is also read
    // right after a full GC (4 times in the run): what the client really keeps.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapAfterGc = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const heapStart = heapAfterGc();
    const heapSamples: number[] = [];
    const rssStart = process.memoryUsage().rss;
    let rssMax = rssStart;
    const rssSamples: number[] = [];
    const sampler = setInterval(() => { rssMax = Math.max(rssMax, process.memoryUsage().rss); }, 500);
    const quarter = setInterval(() => {
      rssSamples.push(process.memoryUsage().rss);
      heapSamples.push(heapAfterGc());
    }, (durationS * 1000) / 4);
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    const report = await benchOnce(durationS * 1000);
    const cpu = process.cpuUsage(cpuStart);
    const wall = (performance.now() - wallStart) / 1000;
    clearInterval(sampler);
    clearInterval(quarter);
    const rssEnd = process.memoryUsage().rss;
    rssMax = Math.max(rssMax, rssEnd);
    const step = report.steps[0].total;
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    const gbs = (rps: number) => `${(rps * bodyBytes / 1e9).toFixed(2)} GB/s`;
    const stats = await new Promise<string>((resolve) => {
      httpRequest({ host: '127.0.0.1', port, path: '/stats' }, (res) => {
        let t = '';
        res.on('data', (c: Buffer) => { t += c.toString(); });
        res.on('end', () => resolve(t));
      }).end();
    });
    console.log(`bench load generator vs raw loopback: ${bodyBytes}-byte binary request (tensor 1x299x299x3 FP32 = 1072812 bytes + JSON header), concurrency ${concurrency}, server in a child process`);
    console.log(`  raw loopback POST (node:http, discard):  ${rawRps.toFixed(0)} req/s, ${gbs(rawRps)}  (${rounds} rounds of ${roundS} s, alternating with the bench)`);
    console.log(`  triton-jetson bench, same rounds:         ${roundRps.toFixed(0)} req/s, ${gbs(roundRps)}`);
    console.log(`  ratio bench / raw: ${(roundRps / rawRps).toFixed(2)} (goal >= 0.5; per round: ${perRound.join(', ')})`);
    console.log(`  triton-jetson bench, ${durationS} s run:          ${step.inferPerSec.toFixed(0)} req/s, ${gbs(step.inferPerSec)}; ${step.requests} requests, ${step.errors} errors; p50 ${(step.latencyUs.p50 / 1000).toFixed(2)} ms, p99 ${(step.latencyUs.p99 / 1000).toFixed(2)} ms`);
    console.log(`  client CPU during the ${durationS} s run: ${((cpu.user + cpu.system) / 1e6 / wall).toFixed(2)} cores (user ${(cpu.user / 1e6).toFixed(1)} s, system ${(cpu.system / 1e6).toFixed(1)} s over ${wall.toFixed(1)} s)`);
    console.log(`  client RSS: start ${mb(rssStart)}, end ${mb(rssEnd)}, max ${mb(rssMax)} (growth ${mb(rssEnd - rssStart)}); every ${(durationS / 4).toFixed(0)} s: ${rssSamples.map(mb).join(', ')}`);
    console.log(`  client JS heap after a full GC: start ${mb(heapStart)}; every ${(durationS / 4).toFixed(0)} s: ${heapSamples.map(mb).join(', ')}`);
    console.log(`  server counted: ${stats}`);
  } finally {
    child.kill('SIGTERM');
  }
}

async function preprocessBench(runs: number): Promise<void> {
  // libvips caches operations; every run must decode and resize for real.
  sharp.cache(false);
  const dir = mkdtempSync(join(tmpdir(), 'bench-client-'));
  try {
    const file = join(dir, 'photo-1920x1080.jpg');
    await makeJpeg(file);
    const jpeg = readFileSync(file);

    const decodeOnly = await timeMs(runs, () => sharp(file).raw().toBuffer());
    const preprocess = await timeMs(runs, async () => pixelsToTensor(await decodeAndResize(file, spec), spec));
    const tensor = pixelsToTensor(await decodeAndResize(file, spec), spec);
    const request = (encoding: 'binary' | 'json') => encodeInferRequest({
      id: '1',
      inputs: [{ name: 'input', shape: [1, 299, 299, 3], data: tensor }],
      outputs: [{ name: 'InceptionV3/Predictions/Softmax', classCount: 3 }],
      encoding,
    });
    const encodeBinary = await timeMs(runs, async () => request('binary'));
    const encodeJson = await timeMs(runs, async () => request('json'));
    const endToEnd = await timeMs(runs, async () => encodeInferRequest({
      id: '1',
      inputs: [{ name: 'input', shape: [1, 299, 299, 3], data: pixelsToTensor(await decodeAndResize(file, spec), spec) }],
      outputs: [{ name: 'InceptionV3/Predictions/Softmax', classCount: 3 }],
      encoding: 'binary',
    }));
    const binaryBytes = request('binary').body.length;
    const jsonBytes = request('json').body.length;

    const { data: rgb } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    const ours = await decodeAndResize(file, spec);
    const pil = pilBilinear(rgb, WIDTH, HEIGHT, 299, 299);
    let maxDiff = 0;
    let sumDiff = 0;
    let interiorMax = 0;
    for (let i = 0; i < pil.length; i++) {
      const d = Math.abs(pil[i] - ours[i]);
      maxDiff = Math.max(maxDiff, d);
      sumDiff += d;
      const p = Math.floor(i / 3);
      const [x, y] = [p % 299, Math.floor(p / 299)];
      if (x > 0 && y > 0 && x < 298 && y < 298) interiorMax = Math.max(interiorMax, d);
    }

    const f = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(`client benchmark: ${WIDTH}x${HEIGHT} JPEG (${(jpeg.length / 1024).toFixed(0)} KiB) -> 1x299x299x3 FP32, median of ${runs} runs, Node ${process.version}, sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`);
    console.log(`  baseline: JPEG decode only            ${f(decodeOnly)}`);
    console.log(`  preprocess (decode+resize+scale)       ${f(preprocess)}  (${(preprocess / decodeOnly).toFixed(2)}x decode)`);
    console.log(`  encode request, binary tensors         ${f(encodeBinary)}`);
    console.log(`  encode request, JSON tensors           ${f(encodeJson)}  (${(encodeJson / encodeBinary).toFixed(0)}x binary)`);
    console.log(`  preprocess + binary request            ${f(endToEnd)}  (${(endToEnd / decodeOnly).toFixed(2)}x decode)`);
    console.log(`  request size, binary: ${binaryBytes} bytes; JSON: ${jsonBytes} bytes; JSON/binary = ${(jsonBytes / binaryBytes).toFixed(2)}`);
    console.log(`  sharp vs PIL-style bilinear on this image (0-255 levels): max ${maxDiff}, mean ${(sumDiff / pil.length).toFixed(3)}, max away from the border ${interiorMax}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
