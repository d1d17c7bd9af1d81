/**
 * The model catalog: which models the seeding Job puts in Triton's repository, where
 * their files come from, and their configuration. `inception_graphdef` (the tutorial's
 * model) is built in; the cluster description adds more.
 */
import { z } from 'zod';
import { describeIssues } from './config/issues';
import {
  isSafeRelativePath as safeRelativePath, MODEL_ARCHIVE_TYPES as ARCHIVE_TYPES, modelListSchema, modelSchema, urlBaseName as baseName,
} from './config/models-schema';
import type { ModelArchiveType, ModelDefinition } from './model-types';
import { INCEPTION_LABELS } from './seed/inception-labels';

// Re-declared with explicit types, so the published typings of this file do not reach zod.
/** True for a relative path of plain segments ("1/model.graphdef"), as the catalog's schema allows. */
export const isSafeRelativePath: (value: string) => boolean = safeRelativePath;
/** Last path segment of a URL (the file name a mirror serves it under); "" when none. */
export const urlBaseName: (url: string) => string = baseName;
/** Archive formats the seeding script can unpack. */
export const MODEL_ARCHIVE_TYPES: readonly ModelArchiveType[] = ARCHIVE_TYPES;
export type {
  ModelArchiveType, ModelDefinition, ModelDownload, ModelFileMapping, ModelInlineFile,
} from './model-types';

/** The tutorial's tarball: the frozen Inception v3 graph and its 1001 ImageNet labels. */
export const INCEPTION_V3_URL =
  'https://storage.googleapis.com/download.tensorflow.org/models/inception_v3_2016_08_28_frozen.pb.tar.gz';

/**
 * The tutorial's model, laid out as Triton's example repository has it: the graph from the
 * TensorFlow tarball, and Triton's own inception_labels.txt (upper case, e.g. "COFFEE MUG";
 * the tarball's imagenet_slim_labels.txt has the same order but other text), shipped in the
 * ConfigMap from lib/seed/inception_labels.txt (see docs/seeding.md).
 */
export const INCEPTION_GRAPHDEF: ModelDefinition = {
  name: 'inception_graphdef',
  downloads: [
    {
      url: INCEPTION_V3_URL,
      archive: 'tar.gz',
      files: [{ from: 'inception_v3_2016_08_28_frozen.pb', to: '1/model.graphdef' }],
    },
  ],
  inlineFiles: [{ to: 'inception_labels.txt', content: INCEPTION_LABELS }],
  config: {
    platform: 'tensorflow_graphdef',
    maxBatchSize: 128,
    input: [{ name: 'input', dataType: 'TYPE_FP32', format: 'FORMAT_NHWC', dims: [299, 299, 3] }],
    output: [
      { name: 'InceptionV3/Predictions/Softmax', dataType: 'TYPE_FP32', dims: [1001], labelFilename: 'inception_labels.txt' },
    ],
  },
};

/** Models seeded unless turned off (`seeding.builtinModels: false`). */
export const BUILTIN_MODELS: readonly ModelDefinition[] = [INCEPTION_GRAPHDEF];

/**
 * Triton's densenet_onnx example (ONNX Runtime: every board profile loads it, unlike the
 * TensorFlow inception_graphdef; docs/profiles.md). The model URL is the one Triton's
 * docs/examples/fetch_models.sh downloads (since v2.56.0); its sha256 is not pinned (no
 * download was possible where this was written: pin it with `models:` and a `sha256`).
 * The labels and config.pbtxt are Triton's docs/examples/model_repository/densenet_onnx/ at v2.56.0.
 */
export const DENSENET_ONNX: ModelDefinition = {
  name: 'densenet_onnx',
  downloads: [
    {
      url: 'https://github.com/onnx/models/raw/main/validated/vision/classification/densenet-121/model/densenet-7.onnx',
      archive: 'file',
      files: [{ to: '1/model.onnx' }],
    },
    {
      url: 'https://raw.githubusercontent.com/triton-inference-server/server/v2.56.0/docs/examples/model_repository/densenet_onnx/densenet_labels.txt',
      sha256: '9c89e59490666e2976a0dded535a755b9878a71e14400804df8d356131d2fc04',
      archive: 'file',
      files: [{ to: 'densenet_labels.txt' }],
    },
  ],
  config: {
    platform: 'onnxruntime_onnx',
    maxBatchSize: 0,
    input: [{ name: 'data_0', dataType: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224], reshape: [1, 3, 224, 224] }],
    output: [{ name: 'fc6_1', dataType: 'TYPE_FP32', dims: [1000], reshape: [1, 1000, 1, 1], labelFilename: 'densenet_labels.txt' }],
  },
};

/** Models of the catalog seeded only when `seeding.catalogModels` lists them. */
export const OPTIONAL_MODELS: Readonly<Record<string, ModelDefinition>> = { densenet_onnx: DENSENET_ONNX };

/** Invalid catalog entry; the message names the model and field, and the fix. */
export class ModelCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelCatalogError';
  }
}

/**
 * Checks one model with the cluster description's rules (lib/config/models-schema.ts);
 * throws {@link ModelCatalogError} listing every problem as `model "<name>".<field>: <fix>`.
 */
export function validateModel(model: ModelDefinition): void {
  throwIfInvalid(modelSchema, model, `model "${String((model as { name?: unknown }).name)}"`);
}

function throwIfInvalid(schema: z.ZodType, value: unknown, where: string): void {
  const result = schema.safeParse(value);
  if (!result.success) throw new ModelCatalogError(describeIssues(where, result.error.issues).join('\n'));
}

/** Options of {@link modelCatalog}. */
export interface ModelCatalogOptions {
  /**
   * Include the built-in models.
   * @default true
   */
  readonly builtin?: boolean;
  /**
   * Optional catalog models to include, by name (e.g. "densenet_onnx"), after the built-in ones.
   * @default []
   */
  readonly optional?: readonly string[];
}

/**
 * The models to seed: the built-in ones, then `extra` in order. An extra model with a
 * built-in model's name replaces it (e.g. to pin its sha256); two extra models with one
 * name are an error.
 */
export function modelCatalog(extra: readonly ModelDefinition[] = [], options: ModelCatalogOptions = {}): ModelDefinition[] {
  const seen = new Set<string>();
  for (const model of extra) {
    if (seen.has(model.name)) {
      throw new ModelCatalogError(`model "${model.name}" is listed twice under models; keep one entry per name`);
    }
    seen.add(model.name);
  }
  const builtin = options.builtin ?? true ? BUILTIN_MODELS.filter((m) => !seen.has(m.name)) : [];
  const optional = (options.optional ?? []).map((name) => {
    const model = Object.prototype.hasOwnProperty.call(OPTIONAL_MODELS, name) ? OPTIONAL_MODELS[name] : undefined;
    if (!model) throw new ModelCatalogError(`"${name}" is not an optional catalog model; choose one of ${Object.keys(OPTIONAL_MODELS).join(', ')}`);
    return model;
  }).filter((m) => !seen.has(m.name));
  const models = [...builtin, ...optional, ...extra];
  const result = modelListSchema.safeParse(models);
  if (!result.success) {
    // Named by model rather than by index: the built-in models come first.
    const lines = result.error.issues.map((issue) => {
      const [index, ...rest] = issue.path;
      const name = typeof index === 'number' ? models[index]?.name : undefined;
      return describeIssues(name === undefined ? 'models' : `model "${name}"`, [{ ...issue, path: name === undefined ? issue.path : rest }]);
    });
    throw new ModelCatalogError(lines.flat().join('\n'));
  }
  return models;
}
