/**
 * Client benchmark: preprocessing plus request encoding of a 1920x1080 JPEG for
 * inception_graphdef (299x299x3 FP32, NHWC, INCEPTION scaling), the request size with
 * binary versus JSON tensors, and how far sharp's bilinear resize is from PIL's on that
 * image. Prints figures; the baseline is decoding the same JPEG alone, in the same run.
 *
 *   npm run bench:client [-- --runs 15]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
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

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
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
