/**
 * Preprocessing against values computed here, independently of sharp: a separable
 * triangle (bilinear) filter whose support widens with the reduction factor, edge pixels
 * repeated, each pass rounded to 8 bits; then image_client.py's scalings in float32.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ImageReadError } from '../../client/errors';
import { decodeAndResize, pixelsToTensor, preprocessImage } from '../../client/preprocess';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();

/** Taps of the bilinear filter for one output coordinate: [input index, weight][]. */
function bilinearTaps(inSize: number, outSize: number): [number, number][][] {
  const scale = inSize / outSize;
  const support = Math.max(scale, 1);
  return Array.from({ length: outSize }, (_, x) => {
    const centre = (x + 0.5) * scale;
    const taps: [number, number][] = [];
    for (let i = Math.floor(centre - support + 0.5); i < Math.floor(centre + support + 0.5); i++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - centre) / support));
      taps.push([Math.min(Math.max(i, 0), inSize - 1), w]);
    }
    const total = taps.reduce((s, [, w]) => s + w, 0);
    return taps.map(([i, w]) => [i, w / total] as [number, number]);
  });
}

function referenceResize(px: Uint8Array, w: number, h: number, c: number, ow: number, oh: number): Uint8Array {
  const tx = bilinearTaps(w, ow);
  const ty = bilinearTaps(h, oh);
  const clamp8 = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  const mid = new Uint8Array(w * oh * c);
  for (let y = 0; y < oh; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    mid[(y * w + x) * c + k] = clamp8(ty[y].reduce((s, [i, wt]) => s + wt * px[(i * w + x) * c + k], 0));
  }
  const out = new Uint8Array(ow * oh * c);
  for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) for (let k = 0; k < c; k++) {
    out[(y * ow + x) * c + k] = clamp8(tx[x].reduce((s, [i, wt]) => s + wt * mid[(y * w + i) * c + k], 0));
  }
  return out;
}

/** A deterministic but irregular test pattern. */
function pattern(w: number, h: number, c: number): Uint8Array {
  return Uint8Array.from({ length: w * h * c }, (_, i) => (i * 73 + 11) % 256);
}

async function png(px: Uint8Array, w: number, h: number, channels: 1 | 3 | 4): Promise<Buffer> {
  return sharp(Buffer.from(px), { raw: { width: w, height: h, channels } }).png().toBuffer();
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('bilinear resize', () => {
  test('a 12x10 RGB image reduced to 5x4 matches the reference filter within one level', async () => {
    const px = pattern(12, 10, 3);
    const got = await decodeAndResize(await png(px, 12, 10, 3), { channels: 3, width: 5, height: 4 });
    expect(got.length).toBe(5 * 4 * 3);
    expect(maxAbsDiff(got, referenceResize(px, 12, 10, 3, 5, 4))).toBeLessThanOrEqual(1);
    // The pattern is irregular enough that nearest-neighbour sampling would be far off.
    const nearest = Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => {
      const p = Math.floor(i / 3);
      const [x, y] = [Math.floor(((p % 5) + 0.5) * 12 / 5), Math.floor((Math.floor(p / 5) + 0.5) * 10 / 4)];
      return px[(y * 12 + x) * 3 + (i % 3)];
    });
    expect(maxAbsDiff(got, nearest)).toBeGreaterThan(20);
  });

  test('an impulse reduced 3x spreads with triangle weights computed by hand', async () => {
    // 12x1, one bright pixel at x=5. Output x=1 is centred at 4.5 with taps 2..6 weighing
    // 1,2,3,2,1 (/9): 240*2/9 = 53.3; x=2 centred at 7.5 gives x=5 weight 1/9: 26.7.
    const px = new Uint8Array(12 * 3);
    px.fill(0);
    for (let k = 0; k < 3; k++) px[5 * 3 + k] = 240;
    const got = await decodeAndResize(await png(px, 12, 1, 3), { channels: 3, width: 4, height: 1 });
    expect(Array.from(got.filter((_, i) => i % 3 === 0))).toEqual([0, 53, 27, 0]);
  });

  test('same size keeps every pixel', async () => {
    const px = pattern(7, 5, 3);
    const got = await decodeAndResize(await png(px, 7, 5, 3), { channels: 3, width: 7, height: 5 });
    expect(Array.from(got)).toEqual(Array.from(px));
  });

  test('alpha is dropped, not composited (PIL convert("RGB"))', async () => {
    const rgba = Uint8Array.from([10, 20, 30, 0, 200, 100, 50, 128]);
    const got = await decodeAndResize(await png(rgba, 2, 1, 4), { channels: 3, width: 2, height: 1 });
    expect(Array.from(got)).toEqual([10, 20, 30, 200, 100, 50]);
  });

  test('grey images become RGB for 3-channel models, RGB becomes luma for 1-channel models', async () => {
    const grey = Uint8Array.from([0, 77, 255]);
    expect(Array.from(await decodeAndResize(await png(grey, 3, 1, 1), { channels: 3, width: 3, height: 1 })))
      .toEqual([0, 0, 0, 77, 77, 77, 255, 255, 255]);
    const rgb = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 100, 150, 200]);
    // ITU-R 601-2: L = 0.299 R + 0.587 G + 0.114 B, rounded.
    const luma = [0.299 * 255, 0.587 * 255, 0.114 * 255, 0.299 * 100 + 0.587 * 150 + 0.114 * 200].map(Math.round);
    expect(Array.from(await decodeAndResize(await png(rgb, 4, 1, 3), { channels: 1, width: 4, height: 1 }))).toEqual(luma);
  });
});

describe('scaling and layout', () => {
  // 2x1 pixels: (0, 127, 255) and (123, 117, 104)
  const pixels = Uint8Array.from([0, 127, 255, 123, 117, 104]);

  test('INCEPTION: x / 127.5 - 1 in float32, NHWC keeps pixel order', () => {
    const t = pixelsToTensor(pixels, { channels: 3, height: 1, width: 2, layout: 'NHWC', scaling: 'INCEPTION' });
    const expected = Array.from(pixels, (x) => Math.fround(Math.fround(x / 127.5) - 1));
    expect(Array.from(t)).toEqual(expected);
    expect(t[0]).toBe(-1);
    expect(t[2]).toBe(1);
  });

  test('VGG subtracts the per-channel means 123, 117, 104; NCHW puts each channel in its own plane', () => {
    const t = pixelsToTensor(pixels, { channels: 3, height: 1, width: 2, layout: 'NCHW', scaling: 'VGG' });
    expect(Array.from(t)).toEqual([0 - 123, 123 - 123, 127 - 117, 117 - 117, 255 - 104, 104 - 104]);
  });

  test('NONE keeps the 0..255 values; 1-channel VGG subtracts 128', () => {
    expect(Array.from(pixelsToTensor(pixels, { channels: 3, height: 1, width: 2, layout: 'NHWC', scaling: 'NONE' }))).toEqual(Array.from(pixels));
    expect(Array.from(pixelsToTensor(Uint8Array.from([0, 200]), { channels: 1, height: 1, width: 2, layout: 'NHWC', scaling: 'VGG' }))).toEqual([-128, 72]);
  });

  test('whole pipeline on a small PNG: resize 9x6 -> 4x3, INCEPTION, NCHW', async () => {
    const px = pattern(9, 6, 3);
    const tensor = await preprocessImage(await png(px, 9, 6, 3), { channels: 3, width: 4, height: 3, layout: 'NCHW', scaling: 'INCEPTION' });
    const resized = referenceResize(px, 9, 6, 3, 4, 3);
    const expected = new Float32Array(4 * 3 * 3);
    for (let p = 0; p < 12; p++) for (let c = 0; c < 3; c++) expected[c * 12 + p] = resized[p * 3 + c] / 127.5 - 1;
    expect(maxAbsDiff(tensor, expected)).toBeLessThanOrEqual(1 / 127.5 + 1e-6);
  });
});

describe('unreadable images', () => {
  const dir = scratch('preprocess-');

  test('a file that is not an image names the file', async () => {
    const file = join(dir, 'notes.jpg');
    writeFileSync(file, 'this is not a JPEG');
    await expect(preprocessImage(file, { channels: 3, width: 4, height: 4, layout: 'NHWC', scaling: 'NONE' }))
      .rejects.toThrow(ImageReadError);
    await expect(preprocessImage(file, { channels: 3, width: 4, height: 4, layout: 'NHWC', scaling: 'NONE' }))
      .rejects.toThrow(`cannot read image '${file}'`);
  });

  test('a truncated JPEG is an error, not a half-grey image', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const file = join(dir, 'truncated.jpg');
    writeFileSync(file, jpeg.subarray(0, jpeg.length / 2));
    await expect(preprocessImage(file, { channels: 3, width: 4, height: 4, layout: 'NHWC', scaling: 'NONE' })).rejects.toThrow(ImageReadError);
  });
});
