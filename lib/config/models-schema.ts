/**
 * The `models:` and `seeding:` sections of the cluster description.
 *
 * `models:` lists models seeded IN ADDITION to the built-in `inception_graphdef`; an
 * entry with a built-in model's name replaces it, and `seeding.builtinModels: false`
 * drops the built-in ones. See docs/seeding.md.
 */
import { z } from 'zod';
import { MODEL_ARCHIVE_TYPES, ModelCatalogError, ModelDefinition, validateModel } from '../model-catalog';
import { TRITON_DATA_TYPES, TRITON_INSTANCE_KINDS, TRITON_TENSOR_FORMATS } from '../model-config';
import {
  DEFAULT_DOWNLOAD_TIMEOUT_SECONDS, DEFAULT_SEED_DEADLINE_SECONDS, DEFAULT_SEED_IMAGE, DEFAULT_SEED_RUN_AS_USER,
} from '../seed/seed-defaults';
import { httpUrl, imageRef, sha256 } from './validators';

const dims = z.array(z.number().int()).min(1, 'list at least one dimension');

const modelInputSchema = z
  .object({
    name: z.string().min(1),
    dataType: z.enum(TRITON_DATA_TYPES),
    format: z.enum(TRITON_TENSOR_FORMATS).optional(),
    dims,
    reshape: dims.optional(),
  })
  .strict();

const modelOutputSchema = z
  .object({
    name: z.string().min(1),
    dataType: z.enum(TRITON_DATA_TYPES),
    dims,
    reshape: dims.optional(),
    labelFilename: z.string().min(1).optional(),
  })
  .strict();

const versionPolicySchema = z.union([
  z.object({ latest: z.object({ numVersions: z.number().int().min(1) }).strict() }).strict(),
  z.object({ all: z.object({}).strict() }).strict(),
  z.object({ specific: z.object({ versions: z.array(z.number().int().min(1)).min(1) }).strict() }).strict(),
]);

/** config.pbtxt as YAML: model_config.proto fields in camelCase (see lib/model-config.ts). */
export const modelConfigSchema = z
  .object({
    platform: z.string().min(1).optional(),
    backend: z.string().min(1).optional(),
    maxBatchSize: z.number().int().min(0).optional(),
    input: z.array(modelInputSchema).min(1),
    output: z.array(modelOutputSchema).min(1),
    instanceGroup: z
      .array(
        z
          .object({
            kind: z.enum(TRITON_INSTANCE_KINDS).optional(),
            count: z.number().int().min(1).optional(),
            gpus: z.array(z.number().int().min(0)).optional(),
          })
          .strict(),
      )
      .optional(),
    dynamicBatching: z
      .object({
        preferredBatchSize: z.array(z.number().int().min(1)).optional(),
        maxQueueDelayMicroseconds: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    versionPolicy: versionPolicySchema.optional(),
    parameters: z.record(z.string(), z.string()).optional(),
  })
  .strict();

export const modelDownloadSchema = z
  .object({
    /** Where the file is downloaded from (with `seeding.mirror`, only its file name is kept). */
    url: httpUrl,
    /** Expected sha256 (64 hex digits); verified before anything is published. */
    sha256: sha256.optional(),
    archive: z.enum(MODEL_ARCHIVE_TYPES).default('tar.gz'),
    files: z
      .array(z.object({ from: z.string().min(1).optional(), to: z.string().min(1) }).strict())
      .min(1, 'list at least one file to take from the download'),
  })
  .strict();

export const modelSchema = z
  .object({
    /** Model name: folder in the repository and Triton's model name. */
    name: z.string().min(1),
    downloads: z.array(modelDownloadSchema).min(1, 'list at least one download'),
    config: modelConfigSchema,
  })
  .strict()
  .superRefine((model, ctx) => {
    try {
      validateModel(model);
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      ctx.addIssue({ code: 'custom', message: err instanceof ModelCatalogError ? err.message : `model "${model.name}": ${err.message}` });
    }
  });

/** Extra models (added to the built-in inception_graphdef; same name = replace it). */
export const modelsSchema = z
  .array(modelSchema)
  .default([])
  .superRefine((models, ctx) => {
    const seen = new Set<string>();
    models.forEach((model, index) => {
      if (seen.has(model.name)) {
        ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `"${model.name}" is listed twice; keep one entry per model name` });
      }
      seen.add(model.name);
    });
  });

export const seedingSchema = z
  .object({
    /** Deploy the seeding Job; turn off to manage the repository by hand. */
    enabled: z.boolean().default(true),
    /** Seed the built-in models (inception_graphdef) besides those under `models:`. */
    builtinModels: z.boolean().default(true),
    /**
     * Base URL of a LAN mirror for air-gapped sites: each download is fetched from
     * `<mirror>/<file name of its url>`.
     */
    mirror: httpUrl.optional(),
    /** Image of the Job: needs sh, wget or curl (TLS), tar, gzip, sha256sum, timeout. */
    image: imageRef.default(DEFAULT_SEED_IMAGE),
    /** One download may take this long before the attempt fails (and is retried). */
    downloadTimeoutSeconds: z.number().int().min(10).default(DEFAULT_DOWNLOAD_TIMEOUT_SECONDS),
    /** The Job, all retries included, fails after this long. */
    activeDeadlineSeconds: z.number().int().min(60).default(DEFAULT_SEED_DEADLINE_SECONDS),
    /** User the Job runs as (see docs/seeding.md on NFS root_squash). */
    runAsUser: z.number().int().min(0).default(DEFAULT_SEED_RUN_AS_USER),
  })
  .strict();

/** A model as validated from the cluster description. */
export type ModelEntry = z.output<typeof modelSchema>;
// The description's models are catalog entries as they are.
const _modelsAreDefinitions: (entry: ModelEntry) => ModelDefinition = (entry) => entry;
void _modelsAreDefinitions;
