/**
 * Image preprocessing as image_client.py does it: decode, convert to RGB (or grey for
 * 1-channel models), bilinear resize to the model's size, FP32, scaling, NHWC or NCHW.
 *
 * Decoding and resizing use sharp (libvips). Its bilinear kernel for downscaling is the
 * same triangle filter as PIL's Image.BILINEAR (support widened by the scale factor) except
 * at the borders, where libvips repeats edge pixels instead of renormalising the weights,
 * and for big reductions (more than 2x) libvips box-averages first. Upscaling differs
 * more (libvips samples half an output pixel up-left of PIL). See docs/client.md.
 */
import sharp from 'sharp';
import { LocalFileError, readRequiredFile } from '../lib/local-file';
import { ImageReadError } from './errors';
import { TensorLayout } from './image-model';

import { Scaling } from './scaling';

export { SCALINGS } from './scaling';
export type { Scaling } from './scaling';

export interface PreprocessSpec {
  readonly channels: 1 | 3;
  readonly height: number;
  readonly width: number;
  readonly layout: TensorLayout;
  readonly scaling: Scaling;
}

/** Decodes and resizes to `width`×`height`; returns 8-bit interleaved pixels (HWC). */
export async function decodeAndResize(
  image: string | Buffer,
  spec: Pick<PreprocessSpec, 'channels' | 'height' | 'width'>,
): Promise<Uint8Array> {
  const name = typeof image === 'string' ? image : '(buffer)';
  let bytes: Buffer;
  try {
    // Read here, bounded and regular files only (lib/local-file.ts): never a FIFO or /dev/zero.
    bytes = typeof image === 'string' ? readRequiredFile(image, 'image') : image;
  } catch (err) {
    if (!(err instanceof LocalFileError)) throw err;
    throw new ImageReadError(name, err.problem.replace(/^is /, '').split(';')[0]);
  }
  let rgb: Buffer;
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      // PIL's convert("RGB") drops alpha without compositing; EXIF orientation is not applied by either.
      .removeAlpha()
      .toColourspace('srgb')
      .resize(spec.width, spec.height, { fit: 'fill', kernel: 'linear', fastShrinkOnLoad: false })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== spec.width || info.height !== spec.height) {
      throw new Error(`decoder produced ${info.width}x${info.height}x${info.channels}`);
    }
    rgb = data;
  } catch (err) {
    throw new ImageReadError(name, err instanceof Error ? err.message : String(err));
  }
  return spec.channels === 3 ? rgb : lumaOf(rgb);
}

/** PIL's convert("L"): ITU-R 601-2 luma, L = R*299/1000 + G*587/1000 + B*114/1000 (fixed point). */
function lumaOf(rgb: Buffer): Uint8Array {
  const grey = new Uint8Array(rgb.length / 3);
  for (let i = 0, j = 0; i < grey.length; i++, j += 3) {
    grey[i] = (rgb[j] * 19595 + rgb[j + 1] * 38470 + rgb[j + 2] * 7471 + 0x8000) >> 16;
  }
  return grey;
}

/**
 * One lookup table per channel: pixel value -> scaled FP32 value, computed as numpy does
 * it in float32 ((x / 127.5) - 1 for INCEPTION; x - mean for VGG).
 */
function scalingTables(scaling: Scaling, channels: 1 | 3): Float32Array[] {
  const vggMeans = channels === 1 ? [128] : [123, 117, 104];
  return Array.from({ length: channels }, (_, c) => {
    const table = new Float32Array(256);
    for (let x = 0; x < 256; x++) {
      if (scaling === 'INCEPTION') table[x] = Math.fround(Math.fround(x / 127.5) - 1);
      else if (scaling === 'VGG') table[x] = x - vggMeans[c];
      else table[x] = x;
    }
    return table;
  });
}

/** Scales 8-bit HWC pixels into an FP32 tensor in the model's layout (no batch dimension). */
export function pixelsToTensor(pixels: Uint8Array, spec: PreprocessSpec): Float32Array {
  const { channels, height, width } = spec;
  const plane = height * width;
  if (pixels.length !== plane * channels) {
    throw new Error(`expected ${plane * channels} pixel values for ${width}x${height}x${channels}, got ${pixels.length}`);
  }
  const tables = scalingTables(spec.scaling, channels);
  const tensor = new Float32Array(pixels.length);
  if (spec.layout === 'NHWC') {
    for (let i = 0; i < pixels.length; i += channels) {
      for (let c = 0; c < channels; c++) tensor[i + c] = tables[c][pixels[i + c]];
    }
  } else {
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < channels; c++) tensor[c * plane + p] = tables[c][pixels[p * channels + c]];
    }
  }
  return tensor;
}

export async function preprocessImage(image: string | Buffer, spec: PreprocessSpec): Promise<Float32Array> {
  return pixelsToTensor(await decodeAndResize(image, spec), spec);
}
