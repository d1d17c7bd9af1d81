/**
 * The model catalog: which models the seeding Job puts in Triton's repository, where
 * their files come from, and their configuration. `inception_graphdef` (the tutorial's
 * model) is built in; the cluster description adds more.
 */
import { labelFilenames, ModelConfig, ModelConfigError, renderModelConfig } from './model-config';

/** Archive formats the seeding script can unpack. */
export const MODEL_ARCHIVE_TYPES = ['tar.gz', 'file'] as const;
export type ModelArchiveType = (typeof MODEL_ARCHIVE_TYPES)[number];

/** One file of a download, and where it goes in the model folder. */
export interface ModelFileMapping {
  /**
   * Member of the archive (path inside the tarball); leave out for a plain `file` download.
   * @default - the downloaded file itself (archive "file")
   */
  readonly from?: string;
  /** Path inside the model folder, e.g. "1/model.graphdef" or "labels.txt". */
  readonly to: string;
}

/** A file to download for a model. */
export interface ModelDownload {
  /** http(s) URL; with a mirror, only its last path segment is kept. */
  readonly url: string;
  /**
   * Expected sha256 of the downloaded file (64 hex digits), checked before anything is
   * published.
   * @default - not checked (TLS and the archive's own checksums only)
   */
  readonly sha256?: string;
  /**
   * "tar.gz": a gzip'd tarball whose members `files` pick; "file": the download is the file.
   * @default "tar.gz"
   */
  readonly archive?: ModelArchiveType;
  /** Which files to take from it and where they go. */
  readonly files: readonly ModelFileMapping[];
}

/** A model of the catalog. */
export interface ModelDefinition {
  /** Model name: the folder in the repository and Triton's model name. */
  readonly name: string;
  /** Downloads that, together, give every file of the model folder except config.pbtxt. */
  readonly downloads: readonly ModelDownload[];
  /** Rendered into config.pbtxt (never downloaded). */
  readonly config: ModelConfig;
}

/** The tutorial's tarball: the frozen Inception v3 graph and its 1001 ImageNet labels. */
export const INCEPTION_V3_URL =
  'https://storage.googleapis.com/download.tensorflow.org/models/inception_v3_2016_08_28_frozen.pb.tar.gz';

/** The tutorial's model, laid out as Triton's example repository has it. */
export const INCEPTION_GRAPHDEF: ModelDefinition = {
  name: 'inception_graphdef',
  downloads: [
    {
      url: INCEPTION_V3_URL,
      archive: 'tar.gz',
      files: [
        { from: 'inception_v3_2016_08_28_frozen.pb', to: '1/model.graphdef' },
        // Same 1001 lines (index 0 = background) as Triton's example inception_labels.txt.
        { from: 'imagenet_slim_labels.txt', to: 'inception_labels.txt' },
      ],
    },
  ],
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

/** Invalid catalog entry; the message names the model and field, and the fix. */
export class ModelCatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelCatalogError';
  }
}

// Model names double as ConfigMap keys and shell words: a safe subset of Triton's names.
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
// Relative paths of plain segments: no "..", no absolute paths, no spaces (the seed list is space-separated).
const SEGMENT = /^[A-Za-z0-9_+=@,-][A-Za-z0-9_.+=@,-]*$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** True for a relative path of plain segments ("1/model.graphdef"). */
export function isSafeRelativePath(value: string): boolean {
  const segments = value.split('/');
  return segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..');
}

/** Checks one model; throws {@link ModelCatalogError} naming the field. */
export function validateModel(model: ModelDefinition): void {
  const where = `model "${model.name}"`;
  if (!MODEL_NAME.test(model.name) || model.name === 'config.pbtxt') {
    throw new ModelCatalogError(`${where}: name must be letters, digits, "_", "." or "-" (not starting with "." or "-"), e.g. "densenet_onnx"`);
  }
  if (model.downloads.length === 0) throw new ModelCatalogError(`${where}.downloads: list at least one download`);
  const targets = new Set<string>();
  model.downloads.forEach((download, d) => {
    const field = `${where}.downloads[${d}]`;
    let url: URL;
    try {
      url = new URL(download.url);
    } catch {
      throw new ModelCatalogError(`${field}.url: not a URL ("${download.url}"); use http:// or https://`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ModelCatalogError(`${field}.url: must be http:// or https://, got "${download.url}"`);
    }
    if (/\s/.test(download.url) || urlBaseName(download.url) === '') {
      throw new ModelCatalogError(`${field}.url: must end in a file name and contain no spaces ("${download.url}")`);
    }
    if (download.sha256 !== undefined && !SHA256.test(download.sha256)) {
      throw new ModelCatalogError(`${field}.sha256: must be 64 lower-case hex digits (output of sha256sum)`);
    }
    const archive = download.archive ?? 'tar.gz';
    if (download.files.length === 0) throw new ModelCatalogError(`${field}.files: list at least one file`);
    if (archive === 'file' && (download.files.length !== 1 || download.files[0].from !== undefined)) {
      throw new ModelCatalogError(`${field}.files: a plain "file" download gives exactly one file, with "to" only`);
    }
    const members = new Set<string>();
    download.files.forEach((file, f) => {
      if (archive === 'tar.gz') {
        if (file.from === undefined || !isSafeRelativePath(file.from)) {
          throw new ModelCatalogError(`${field}.files[${f}].from: name the archive member as a relative path, e.g. "model.onnx"`);
        }
        if (members.has(file.from)) {
          throw new ModelCatalogError(`${field}.files[${f}].from: "${file.from}" is taken twice from the same archive; list it once`);
        }
        members.add(file.from);
      }
      if (!isSafeRelativePath(file.to) || file.to === 'config.pbtxt' || file.to.startsWith('.')) {
        throw new ModelCatalogError(`${field}.files[${f}].to: must be a relative path inside the model folder other than config.pbtxt, e.g. "1/model.onnx"`);
      }
      if ([...targets].some((t) => t === file.to || t.startsWith(`${file.to}/`) || file.to.startsWith(`${t}/`))) {
        throw new ModelCatalogError(`${field}.files[${f}].to: "${file.to}" collides with another file of the model`);
      }
      targets.add(file.to);
    });
  });
  if (![...targets].some((t) => /^[1-9][0-9]*\//.test(t))) {
    throw new ModelCatalogError(`${where}.downloads: no file goes into a version folder; put the model file under a number, e.g. "1/model.onnx"`);
  }
  for (const label of labelFilenames(model.config)) {
    if (!targets.has(label)) {
      throw new ModelCatalogError(`${where}.config: label file "${label}" is not among the downloaded files; add it to a download's "files"`);
    }
  }
  try {
    renderModelConfig(model.name, model.config);
  } catch (err) {
    throw err instanceof ModelConfigError ? new ModelCatalogError(err.message) : err;
  }
}

/** Options of {@link modelCatalog}. */
export interface ModelCatalogOptions {
  /**
   * Include the built-in models.
   * @default true
   */
  readonly builtin?: boolean;
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
  const models = [...builtin, ...extra];
  models.forEach(validateModel);
  const baseNames = new Map<string, string>();
  for (const model of models) {
    for (const download of model.downloads) {
      const base = urlBaseName(download.url);
      const other = baseNames.get(base);
      if (other !== undefined && other !== download.url) {
        throw new ModelCatalogError(`model "${model.name}": downloads ${other} and ${download.url} share the file name "${base}", which a mirror could not tell apart; rename one`);
      }
      baseNames.set(base, download.url);
    }
  }
  return models;
}

/** Last path segment of a URL (the file name a mirror serves it under). */
export function urlBaseName(url: string): string {
  const pathname = new URL(url).pathname;
  return pathname.slice(pathname.lastIndexOf('/') + 1);
}
