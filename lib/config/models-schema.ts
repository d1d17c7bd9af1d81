/**
 * The `models:` and `seeding:` sections of the cluster description.
 *
 * `models:` lists models seeded IN ADDITION to the built-in `inception_graphdef`; an
 * entry with a built-in model's name replaces it, and `seeding.builtinModels: false`
 * drops the built-in ones. See docs/seeding.md.
 */
import { z } from 'zod';
import type { ModelDefinition } from '../model-types';
import {
  labelFilenames, ModelConfigError, renderModelConfig, TRITON_DATA_TYPES, TRITON_INSTANCE_KINDS, TRITON_TENSOR_FORMATS,
} from '../model-config';
import { httpUrl, sha256 } from './validators';

// The one set of rules for models and seeding settings: the cluster description and the
// constructs (ModelSeedJob, modelCatalog) both validate with the schemas of this file.

/** Models of the catalog that are off unless `seeding.catalogModels` lists them (lib/model-catalog.ts). */
export const OPTIONAL_CATALOG_MODEL_NAMES = ['densenet_onnx'] as const;

/** Archive formats the seeding script can unpack. */
export const MODEL_ARCHIVE_TYPES = ['tar.gz', 'file'] as const;

// Model names double as ConfigMap keys and shell words: a safe subset of Triton's names.
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/;
// Path segments: no spaces or newlines (the seed list is space- and line-separated), no
// shell or glob characters, not starting with "." ("..", hidden files) or "-" (a member
// name such as "--to-command=sh" would be an option of tar).
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.+=@,-]*$/;

/** True for a relative path of plain segments ("1/model.graphdef"). */
export function isSafeRelativePath(value: string): boolean {
  return value.split('/').every((segment) => SEGMENT.test(segment));
}

/** Last path segment of a URL (the file name a mirror serves it under); "" when none. */
export function urlBaseName(url: string): string {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return '';
  }
  return pathname.slice(pathname.lastIndexOf('/') + 1);
}

const PATH_RULE = 'letters, digits, "_", ".", "+", "=", "@", "," or "-" in "/"-separated segments that do not start with "." or "-" (no spaces, no "..", not absolute)';

/** A model name. */
export const modelName = z
  .string()
  .regex(MODEL_NAME, 'must be letters, digits, "_", "." or "-" (not starting with "." or "-", at most 100), e.g. "densenet_onnx"')
  .refine((name) => name !== 'config.pbtxt', 'must not be "config.pbtxt"');

/** A path inside the model folder. */
export const modelFilePath = z
  .string()
  .refine(isSafeRelativePath, `must be a relative path inside the model folder: ${PATH_RULE}, e.g. "1/model.onnx"`)
  .refine((to) => to !== 'config.pbtxt', 'must not be config.pbtxt (rendered from "config"); pick another path');

/** A member of a tar.gz download. */
export const archiveMember = z
  .string()
  .refine(isSafeRelativePath, `must name the archive member as a relative path: ${PATH_RULE}, e.g. "densenet/model.onnx"`);

const PRINTABLE = /^[\x21-\x7e]+$/;

/** An http(s) URL of printable ASCII: the cluster description's rule, then ours; one message per problem. */
function url(extra?: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const base = httpUrl.safeParse(value);
    const message = !base.success
      ? base.error.issues[0].message
      : !PRINTABLE.test(value)
        ? 'must be printable ASCII (percent-encode anything else)'
        : extra?.(value);
    if (message !== undefined) ctx.addIssue({ code: 'custom', message });
  });
}

/** A download URL: http(s), printable ASCII, ending in a file name (the name a mirror serves it under). */
export const downloadUrl = url((value) => urlBaseName(value) === ''
  ? 'must end in a file name (a mirror serves the download under it), e.g. "https://example.org/models/model.onnx"'
  : undefined);

/** Base URL of a LAN mirror. */
export const mirrorUrl = url();

/** The content of an inline file: small text shipped in the ConfigMap (1 MiB for all of it). */
const INLINE_MAX_BYTES = 256 * 1024;

const dims = z.array(z.number().int()).min(1, 'list at least one dimension');

// Triton reads config.pbtxt with protobuf's text parser: a number beyond its field's type
// (triton-inference-server/common protobuf/model_config.proto: max_batch_size, count, gpus and
// preferred_batch_size are int32, num_versions uint32) fails the whole model's load.
const int32 = z.number().int('must be a whole number').max(2147483647, "must be at most 2147483647 (an int32 in Triton's model_config.proto)");
const uint32 = z.number().int('must be a whole number').max(4294967295, "must be at most 4294967295 (a uint32 in Triton's model_config.proto)");

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Text protobuf can carry: UTF-8 (no lone surrogate, which would be replaced by U+FFFD). */
const configText = z.string().refine((v) => !LONE_SURROGATE.test(v), 'must be valid Unicode (no lone surrogate)');
/**
 * A name in config.pbtxt (tensor, platform, backend, label file, parameter key): no control
 * characters, which no model's tensor names hold and which protobuf's tokenizer refuses raw
 * (a NUL or a newline ends the string with an error).
 */
const configName = configText.refine((v) => v.length > 0, 'must not be empty')
  .refine((v) => !CONTROL.test(v), 'must not contain control characters (newlines, tabs, NUL, escapes)');

const modelInputSchema = z
  .object({
    name: configName,
    dataType: z.enum(TRITON_DATA_TYPES),
    format: z.enum(TRITON_TENSOR_FORMATS).optional(),
    dims,
    reshape: dims.optional(),
  })
  .strict();

const modelOutputSchema = z
  .object({
    name: configName,
    dataType: z.enum(TRITON_DATA_TYPES),
    dims,
    reshape: dims.optional(),
    labelFilename: configName.optional(),
  })
  .strict();

const versionPolicySchema = z.union([
  z.object({ latest: z.object({ numVersions: uint32.min(1) }).strict() }).strict(),
  z.object({ all: z.object({}).strict() }).strict(),
  z.object({ specific: z.object({ versions: z.array(z.number().int().min(1)).min(1) }).strict() }).strict(),
]);

/** config.pbtxt as YAML: model_config.proto fields in camelCase (see lib/model-config.ts). */
export const modelConfigSchema = z
  .object({
    platform: configName.optional(),
    backend: configName.optional(),
    maxBatchSize: int32.min(0).optional(),
    input: z.array(modelInputSchema).min(1),
    output: z.array(modelOutputSchema).min(1),
    instanceGroup: z
      .array(
        z
          .object({
            kind: z.enum(TRITON_INSTANCE_KINDS).optional(),
            count: int32.min(1).optional(),
            gpus: z.array(int32.min(0)).optional(),
          })
          .strict(),
      )
      .optional(),
    dynamicBatching: z
      .object({
        preferredBatchSize: z.array(int32.min(1)).optional(),
        maxQueueDelayMicroseconds: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    versionPolicy: versionPolicySchema.optional(),
    parameters: z.record(configName, configText).optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Triton's own rule (server core, src/model_config_utils.cc, ValidateModelConfig).
    if (ctx.issues.length > 0) return;
    const max = config.maxBatchSize ?? 0;
    (config.dynamicBatching?.preferredBatchSize ?? []).forEach((size, i) => {
      if (size > max) {
        ctx.addIssue({ code: 'custom', path: ['dynamicBatching', 'preferredBatchSize', i], message: `${size} is above maxBatchSize ${max}; Triton refuses a preferred batch size larger than the largest batch, lower it or raise maxBatchSize` });
      }
    });
  });

export const modelFileSchema = z
  .object({
    /** Member of the archive (tar.gz downloads only). */
    from: archiveMember.optional(),
    /** Path inside the model folder. */
    to: modelFilePath,
  })
  .strict();

export const modelDownloadSchema = z
  .object({
    /** Where the file is downloaded from (with `seeding.mirror`, only its file name is kept). */
    url: downloadUrl,
    /** Expected sha256 (64 hex digits); verified before anything is published. */
    sha256: sha256.optional(),
    /** How the download is unpacked (undefined: tar.gz, as ModelDownload documents). */
    archive: z.enum(MODEL_ARCHIVE_TYPES).optional(),
    files: z.array(modelFileSchema).min(1, 'list at least one file to take from the download'),
  })
  .strict()
  .superRefine((download, ctx) => {
    if (download.archive === 'file') {
      if (download.files.length !== 1 || download.files[0].from !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['files'], message: 'a plain "file" download gives exactly one file, with "to" only' });
      }
      return;
    }
    const members = new Set<string>();
    download.files.forEach((file, f) => {
      if (file.from === undefined) {
        ctx.addIssue({ code: 'custom', path: ['files', f, 'from'], message: 'name the archive member to take, e.g. "model.onnx" (or set archive: file)' });
      } else if (members.has(file.from)) {
        ctx.addIssue({ code: 'custom', path: ['files', f, 'from'], message: `"${file.from}" is taken twice from the same archive; list it once` });
      } else members.add(file.from);
    });
  });

export const inlineFileSchema = z
  .object({
    /** Path inside the model folder. */
    to: modelFilePath,
    /** The file's content (text), shipped in the seeding ConfigMap: no download. */
    content: z.string().refine((c) => Buffer.byteLength(c) <= INLINE_MAX_BYTES, `must be at most ${INLINE_MAX_BYTES / 1024} KiB (the ConfigMap holds at most 1 MiB); download larger files`),
  })
  .strict();

export const modelSchema = z
  .object({
    /** Model name: folder in the repository and Triton's model name. */
    name: modelName,
    downloads: z.array(modelDownloadSchema).min(1, 'list at least one download'),
    /** Small files shipped in the ConfigMap (e.g. a label file). */
    inlineFiles: z.array(inlineFileSchema).optional(),
    config: modelConfigSchema,
  })
  .strict()
  .superRefine((model, ctx) => {
    // Rules across fields only once every field is valid: one problem, one message.
    if (ctx.issues.length > 0) return;
    const targets: string[] = [];
    const claim = (to: string, path: (string | number)[]) => {
      if (targets.some((t) => t === to || t.startsWith(`${to}/`) || to.startsWith(`${t}/`))) {
        ctx.addIssue({ code: 'custom', path, message: `"${to}" collides with another file of the model; give each file its own path` });
      }
      targets.push(to);
    };
    model.downloads.forEach((download, d) => download.files.forEach((file, f) => claim(file.to, ['downloads', d, 'files', f, 'to'])));
    (model.inlineFiles ?? []).forEach((file, f) => claim(file.to, ['inlineFiles', f, 'to']));
    if (!targets.some((t) => /^[1-9][0-9]*\//.test(t))) {
      ctx.addIssue({ code: 'custom', path: ['downloads'], message: 'no file goes into a version folder; put the model file under a number, e.g. "1/model.onnx"' });
    }
    for (const label of labelFilenames(model.config)) {
      if (!targets.includes(label)) {
        ctx.addIssue({ code: 'custom', path: ['config'], message: `label file "${label}" is not among the model's files; add it to a download's "files" or to "inlineFiles"` });
      }
    }
    try {
      renderModelConfig(model.name, model.config);
    } catch (err) {
      if (!(err instanceof ModelConfigError)) throw err;
      ctx.addIssue({ code: 'custom', path: ['config'], message: err.message });
    }
  });

/**
 * Refinements of a list of models: one entry per name, and no two downloads that a mirror
 * (which keeps only the file name of a URL) could not tell apart.
 */
export function checkModelList(models: readonly ModelDefinition[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  const baseNames = new Map<string, string>();
  models.forEach((model, index) => {
    if (seen.has(model.name)) {
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${model.name}" is listed twice; keep one entry per model name` });
    }
    seen.add(model.name);
    model.downloads.forEach((download, d) => {
      const base = urlBaseName(download.url);
      const other = baseNames.get(base);
      if (other !== undefined && other !== download.url) {
        ctx.addIssue({ code: 'custom', path: [index, 'downloads', d, 'url'], message: `${other} and ${download.url} share the file name "${base}", which a mirror could not tell apart; rename one` });
      }
      baseNames.set(base, download.url);
    });
  });
}

/** Extra models (added to the built-in inception_graphdef; same name = replace it). */
export const modelsSchema = z.array(modelSchema).default([]).superRefine(checkModelList);

/** A whole catalog, as the seeding Job receives it. */
export const modelListSchema = z.array(modelSchema).superRefine(checkModelList);

/** A model as validated from the cluster description. */
export type ModelEntry = z.output<typeof modelSchema>;
// The description's models are catalog entries as they are.
const _modelsAreDefinitions: (entry: ModelEntry) => ModelDefinition = (entry) => entry;
void _modelsAreDefinitions;
