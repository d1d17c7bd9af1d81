/**
 * `triton-jetson infer`: classify images the way Triton's example image_client.py does,
 * and print what it prints ("Request <id>, batch size <n>", one line per class, "PASS").
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageReadError, UnsupportedModelError, UsageError } from './errors';
import { ImageModel, parseImageModel } from './image-model';
import { DecodedInferResponse, parseClassification, TensorEncoding } from './infer-codec';
import { KServeClient } from './kserve-client';
import { modelNotReadyError } from './model-readiness';
import { preprocessImage, Scaling } from './preprocess';

export interface ImageClientOptions {
  /** Base URL of Triton's HTTP endpoint (see baseUrlOf). */
  readonly baseUrl: string;
  readonly modelName: string;
  /** @default '' (the latest version) */
  readonly modelVersion?: string;
  /** @default 1 */
  readonly batchSize?: number;
  /** Number of classes to report per image. @default 1 */
  readonly classes?: number;
  /** @default 'NONE' */
  readonly scaling?: Scaling;
  /** @default 'binary' */
  readonly encoding?: TensorEncoding;
  /** An image file or a folder of images. */
  readonly image: string;
  /** Health/metadata request time limit in ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Inference request time limit in ms. @default 120000 */
  readonly inferTimeoutMs?: number;
}

/** Runs the whole client; `print` receives each output line. Throws on any failure. */
export async function runImageClient(options: ImageClientOptions, print: (line: string) => void): Promise<void> {
  const batchSize = options.batchSize ?? 1;
  const classes = options.classes ?? 1;
  const version = options.modelVersion ?? '';
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`-b/--batch-size must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(classes) || classes < 1) throw new UsageError(`-c/--classes must be a whole number >= 1, got ${classes}`);

  const client = new KServeClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, inferTimeoutMs: options.inferTimeoutMs });
  const model = await loadImageModel(client, options.modelName, version);

  const batching = model.maxBatchSize > 0;
  if (!batching && batchSize !== 1) throw new UsageError(`model '${model.name}' doesn't support batching (max_batch_size 0); use -b 1`);
  if (batching && batchSize > model.maxBatchSize) {
    throw new UsageError(`-b ${batchSize} exceeds the model's max_batch_size ${model.maxBatchSize}`);
  }

  const filenames = await imageFiles(options.image);
  const spec = { channels: model.channels, height: model.height, width: model.width, layout: model.layout, scaling: options.scaling ?? 'NONE' };
  const images: Float32Array[] = [];
  for (const file of filenames) images.push(await preprocessImage(file, spec));

  // Requests of batchSize images; when the count is not a multiple, wrap around to the
  // first images to fill the last batch (as image_client.py does).
  const imageSize = model.channels * model.height * model.width;
  const responses: DecodedInferResponse[] = [];
  let imageIndex = 0;
  let sentCount = 0;
  for (let last = false; !last; ) {
    const batch = new Float32Array(imageSize * batchSize);
    for (let b = 0; b < batchSize; b++) {
      batch.set(images[imageIndex], b * imageSize);
      imageIndex = (imageIndex + 1) % images.length;
      if (imageIndex === 0) last = true;
    }
    const imageShape = model.layout === 'NHWC' ? [model.height, model.width, model.channels] : [model.channels, model.height, model.width];
    // Ids count from 0, as in the output Triton's quick start documents for image_client
    // ("Request 0, batch size 1"); Triton echoes the id back.
    const id = String(sentCount);
    sentCount += 1;
    responses.push(
      await client.infer(model.name, version, {
        id,
        inputs: [{ name: model.inputName, shape: batching ? [batchSize, ...imageShape] : imageShape, data: batch }],
        outputs: [{ name: model.outputName, classCount: classes }],
        encoding: options.encoding ?? 'binary',
      }),
    );
  }

  for (const response of responses) {
    print(`Request ${response.id ?? ''}, batch size ${batchSize}`);
    for (const line of classificationLines(response, model, batchSize)) print(line);
  }
  print('PASS');
}

/** Readiness first, so a missing or unloaded model gets a precise message. */
async function loadImageModel(client: KServeClient, name: string, version: string): Promise<ImageModel> {
  if (!(await client.isModelReady(name, version))) {
    throw await modelNotReadyError(client, name, version);
  }
  const metadata = await client.modelMetadata(name, version);
  const config = await client.modelConfig(name, version);
  return parseImageModel(metadata, config);
}

async function imageFiles(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ImageReadError(path, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message);
  }
  if (!info.isDirectory()) return [path];
  const files: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    if (entry.isFile()) files.push(join(path, entry.name));
  }
  if (files.length === 0) throw new ImageReadError(path, 'the folder holds no files');
  return files.sort();
}

/** "    <score> (<index>) = <label>" for each class of each image, like image_client.py's postprocess(). */
function classificationLines(response: DecodedInferResponse, model: ImageModel, batchSize: number): string[] {
  const output = response.outputs.find((o) => o.name === model.outputName);
  if (!output) {
    throw new UnsupportedModelError(model.name, `the response has no output '${model.outputName}' (got ${response.outputs.map((o) => o.name).join(', ') || 'none'})`);
  }
  const batching = model.maxBatchSize > 0;
  const rows = batching ? output.shape[0] : 1;
  if (batching && rows !== batchSize) throw new UnsupportedModelError(model.name, `expected ${batchSize} results, got ${rows}`);
  const lines: string[] = [];
  for (const value of output.data) {
    const cls = parseClassification(String(value));
    lines.push(`    ${cls.score} (${cls.index}) = ${cls.label ?? ''}`);
  }
  return lines;
}
