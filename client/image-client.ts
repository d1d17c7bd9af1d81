/**
 * `triton-jetson infer`: classify images the way Triton's example image_client.py does,
 * and print what it prints ("Request <id>, batch size <n>", one line per class, "PASS").
 *
 * Reference: triton-inference-server/client, src/python/examples/image_client.py at
 * commit 41950796207bca82f1666f322db77da8215d8355 (2022-05-04, the version of the r22.05
 * to r22.12 branches): it does `sent_count += 1` before each request and sends
 * `request_id=str(sent_count)`, so the first request is "Request 1"; postprocess() prints
 * `"    {} ({}) = {}".format(cls[0], cls[1], cls[2])` with `cls = <string>.split(':')`.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatBytes, ImageReadError, UnsupportedModelError, UsageError } from './errors';
import { ImageModel, MAX_JSON_REQUEST_TENSOR_BYTES, MAX_REQUEST_TENSOR_BYTES, parseImageModel } from './image-model';
import { DecodedInferResponse, TensorEncoding } from './infer-codec';
import { KServeClient } from './kserve-client';
import { modelNotReadyError } from './model-readiness';
import { preprocessImage, Scaling } from './preprocess';
import { printable } from '../lib/terminal-text';

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
  /** `text`: image_client.py's lines; `json`: one JSON document (inferJson). @default 'text' */
  readonly output?: 'text' | 'json';
}

/** One classification of an image, as Triton's classification extension words it ("score:index:label"). */
export interface Classification {
  readonly score: number;
  readonly index: number;
  /** Empty when the model has no labels file. */
  readonly label: string;
}

/** Runs the whole client; `print` receives each output line. Throws on any failure. */
export async function runImageClient(options: ImageClientOptions, print: (line: string) => void): Promise<void> {
  const batchSize = options.batchSize ?? 1;
  const classes = options.classes ?? 1;
  const version = options.modelVersion ?? '';
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`-b/--batch-size must be a whole number >= 1, got ${batchSize}`);
  if (!Number.isInteger(classes) || classes < 1) throw new UsageError(`-c/--classes must be a whole number >= 1, got ${classes}`);

  // The images are checked before the server is contacted: a typo in the file name should
  // not wait for a network timeout.
  const filenames = await imageFiles(options.image);
  const encoding = options.encoding ?? 'binary';

  const client = new KServeClient({ baseUrl: options.baseUrl, timeoutMs: options.timeoutMs, inferTimeoutMs: options.inferTimeoutMs });
  const model = await loadImageModel(client, options.modelName, version);

  const batching = model.maxBatchSize > 0;
  if (!batching && batchSize !== 1) throw new UsageError(`model '${model.name}' doesn't support batching (max_batch_size 0); use -b 1`);
  if (batching && batchSize > model.maxBatchSize) {
    throw new UsageError(`-b ${batchSize} exceeds the model's max_batch_size ${model.maxBatchSize}`);
  }
  const imageSize = model.channels * model.height * model.width;
  const cap = encoding === 'json' ? MAX_JSON_REQUEST_TENSOR_BYTES : MAX_REQUEST_TENSOR_BYTES;
  if (batchSize * imageSize * 4 > cap) {
    throw new UsageError(
      `-b ${batchSize}: a batch of ${batchSize} images of ${model.width}x${model.height}x${model.channels} FP32 is ` +
        `${formatBytes(batchSize * imageSize * 4)}, more than this client's cap of ${formatBytes(cap)} per ${encoding === 'json' ? 'JSON ' : ''}request; ` +
        `lower -b${encoding === 'json' ? ' or use --tensor-encoding binary' : ''}`,
    );
  }
  // Every image stays preprocessed until the last batch is filled (as image_client.py does).
  if (filenames.length * imageSize * 4 > MAX_PREPROCESSED_BYTES) {
    throw new UsageError(
      `${options.image}: ${filenames.length} images of ${formatBytes(imageSize * 4)} each (FP32 for this model) would hold ` +
        `${formatBytes(filenames.length * imageSize * 4)}, more than this client's cap of ${formatBytes(MAX_PREPROCESSED_BYTES)}; classify the folder in parts`,
    );
  }

  const spec = { channels: model.channels, height: model.height, width: model.width, layout: model.layout, scaling: options.scaling ?? 'NONE' };
  const images: Float32Array[] = [];
  for (const file of filenames) images.push(await preprocessImage(file, spec));

  // Requests of batchSize images; when the count is not a multiple, wrap around to the
  // first images to fill the last batch (as image_client.py does).
  const responseCap = inferResponseCap(batching ? batchSize : 1, classes, model);
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
    // image_client.py counts before sending (`sent_count += 1`, `request_id=str(sent_count)`),
    // so ids start at 1: "Request 1, batch size 1". (Triton's C++ image_client starts at 0.)
    sentCount += 1;
    const id = String(sentCount);
    const response = await client.infer(
      model.name,
      version,
      {
        id,
        inputs: [{ name: model.inputName, shape: batching ? [batchSize, ...imageShape] : imageShape, data: batch }],
        outputs: [{ name: model.outputName, classCount: classes }],
        encoding,
      },
      responseCap,
    );
    // image_client.py prints the id of the response; Triton echoes the request's.
    responses.push(response.id === undefined ? { ...response, id } : response);
  }

  if (options.output === 'json') {
    print(inferJson(model, version, batchSize, responses));
    return;
  }
  for (const response of responses) {
    print(`Request ${printable(response.id ?? '', 200)}, batch size ${batchSize}`);
    for (const text of classificationTexts(response, model, batchSize)) print(imageClientLine(text));
  }
  print('PASS');
}

/**
 * `infer -o json`: `{ model, version, batchSize, requests: [{ id, images: [[{ score, index, label }, ...], ...] }] }`,
 * one array of classes per image of each request (the last request wraps around to the first images, as the text does).
 */
function inferJson(model: ImageModel, version: string, batchSize: number, responses: readonly DecodedInferResponse[]): string {
  const requests = responses.map((response) => {
    const texts = classificationTexts(response, model, batchSize);
    const rows = model.maxBatchSize > 0 ? batchSize : 1;
    const perImage = Math.max(1, Math.ceil(texts.length / rows));
    const images: Classification[][] = [];
    for (let i = 0; i < texts.length; i += perImage) images.push(texts.slice(i, i + perImage).map(classificationOf));
    return { id: printable(response.id ?? '', 200), images };
  });
  return JSON.stringify({ model: model.name, version: version || 'latest', batchSize, requests }, null, 2);
}

/**
 * "score:index:label" as numbers and a cleaned label, whole (a ':' in it stays, where the text
 * lines follow image_client.py's split); a field the server left out: null in JSON, the label empty.
 */
function classificationOf(text: string): Classification {
  const [score, index, ...label] = text.split(':');
  return { score: Number(score), index: Number(index), label: printable(label.join(':'), 1000) };
}

/** Cap on the preprocessed images of one run (every image of a folder is kept until sent). */
export const MAX_PREPROCESSED_BYTES = 1024 * 1024 * 1024;

/**
 * Largest inference answer accepted: the JSON header plus, per image, `classes` strings
 * "score:index:label" (a label line of a labels file is short; 4 KiB each is generous).
 */
export function inferResponseCap(rows: number, classes: number, model: Pick<ImageModel, 'outputClasses'>): number {
  const perImage = model.outputClasses > 0 ? Math.min(classes, model.outputClasses) : classes;
  return Math.min(256 * 1024 * 1024, 1024 * 1024 + rows * perImage * 4096);
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
  if (!info.isDirectory()) {
    checkImageFile(path, info);
    return [path];
  }
  const files: string[] = [];
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch (err) {
    throw new ImageReadError(path, `cannot list the folder (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  for (const entry of entries) {
    if (entry.isFile()) files.push(join(path, entry.name));
  }
  if (files.length === 0) throw new ImageReadError(path, 'the folder holds no files');
  files.sort();
  for (const file of files) checkImageFile(file, await stat(file));
  return files;
}

/** Largest image file read (a 50-megapixel JPEG is about 25 MiB). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

function checkImageFile(path: string, info: { isFile(): boolean; size: number }): void {
  if (!info.isFile()) throw new ImageReadError(path, 'not a regular file');
  if (info.size > MAX_IMAGE_FILE_BYTES) {
    throw new ImageReadError(path, `the file has ${formatBytes(info.size)}, more than this client's cap of ${formatBytes(MAX_IMAGE_FILE_BYTES)}`);
  }
}

/** The "score:index:label" texts of each class of each image, in the response's order. */
function classificationTexts(response: DecodedInferResponse, model: ImageModel, batchSize: number): string[] {
  const output = response.outputs.find((o) => o.name === model.outputName);
  if (!output) {
    throw new UnsupportedModelError(model.name, `the response has no output '${model.outputName}' (got ${response.outputs.map((o) => o.name).join(', ') || 'none'})`);
  }
  const batching = model.maxBatchSize > 0;
  const rows = batching ? output.shape[0] : 1;
  if (batching && rows !== batchSize) throw new UnsupportedModelError(model.name, `expected ${batchSize} results, got ${rows}`);
  return output.data.map((value) => String(value));
}

/**
 * image_client.py's line for one classification string: `cls = text.split(':')`, then
 * `"    {} ({}) = {}".format(cls[0], cls[1], cls[2])`. Like Python, a label holding ':'
 * shows only its part before the ':'. Where Python would stop with an IndexError (a model
 * without a labels file answers "score:index"), the missing fields print empty.
 */
export function imageClientLine(text: string): string {
  // The fields come from the server: printed through the client's one sanitiser.
  const cls = text.split(':').map((field) => printable(field, 1000));
  return `    ${cls[0]} (${cls[1] ?? ''}) = ${cls[2] ?? ''}`;
}
