/**
 * The `seeding:` section of the cluster description and the props of ModelSeedJob: the
 * same field schemas for both, so the construct used from another cdk8s app accepts
 * exactly what cluster.yaml accepts.
 */
import { z } from 'zod';
import { mirrorUrl, modelListSchema, OPTIONAL_CATALOG_MODEL_NAMES } from './models-schema';
import { checkPodOptions, podOptionsFields, RESERVED_POD_FIELDS } from './pod-schema';
import { dnsLabel, dnsSubdomain, imageRef, labelKey, linuxId, quantity } from './validators';
import {
  DEFAULT_DOWNLOAD_TIMEOUT_SECONDS, DEFAULT_MAX_DOWNLOAD_BYTES, DEFAULT_MAX_EXTRACT_BYTES, DEFAULT_SEED_BACKOFF_LIMIT,
  DEFAULT_SEED_DEADLINE_SECONDS, DEFAULT_SEED_IMAGE, DEFAULT_SEED_RESOURCES, DEFAULT_SEED_RUN_AS_USER, DEFAULT_SEED_TTL_SECONDS,
} from '../seed/seed-defaults';
import { ModelCatalogError, modelCatalog } from '../model-catalog';
import type { ModelDefinition } from '../model-types';
import { seedConfigMapSizeProblem } from '../seed/seed-plan';

const downloadTimeoutSeconds = z.number().int('must be a whole number of seconds').min(10, 'must be at least 10 seconds');
const activeDeadlineSeconds = z.number().int('must be a whole number of seconds').min(60, 'must be at least 60 seconds');
const runAsUser = linuxId;
const byteCap = z
  .number()
  .int('must be a whole number of bytes')
  .min(1024 * 1024, 'must be at least 1048576 (1 MiB)')
  .max(2 ** 52, 'must be at most 2^52 bytes');

/** Seconds a finished Job is kept (Kubernetes' ttlSecondsAfterFinished), or null: kept until deleted. */
// An int32 in the Job's spec (k8s.io/api batch/v1): the API server refuses more.
const ttlSeconds = z.number().int('must be a whole number of seconds').min(0, 'must be ≥ 0 seconds (or null: keep the finished Job)')
  .max(2147483647, 'must be at most 2147483647 (an int32 in the Job\'s spec)').nullable();
/** Annotations of the Job object: qualified keys, any text. */
const jobAnnotations = z.record(labelKey, z.string());

export const seedingSchema = z
  .object({
    /** Deploy the seeding Job; turn off to manage the repository by hand. */
    enabled: z.boolean().default(true),
    /** Seed the built-in models (inception_graphdef) besides those under `models:`. */
    builtinModels: z.boolean().default(true),
    /**
     * Models of the catalog seeded only when listed (off by default): "densenet_onnx", Triton's
     * ONNX example, which every board profile can load (docs/profiles.md).
     */
    catalogModels: z.array(z.enum(OPTIONAL_CATALOG_MODEL_NAMES)).default([]),
    /**
     * Base URL of a LAN mirror for air-gapped sites: each download is fetched from
     * `<mirror>/<file name of its url>`.
     */
    mirror: mirrorUrl.optional(),
    /** Image of the Job: needs sh, wget or curl (TLS), tar, gzip, sha256sum, timeout. */
    image: imageRef.default(DEFAULT_SEED_IMAGE),
    /** One download may take this long before the attempt fails (and is retried). */
    downloadTimeoutSeconds: downloadTimeoutSeconds.default(DEFAULT_DOWNLOAD_TIMEOUT_SECONDS),
    /** The Job, all retries included, fails after this long. */
    activeDeadlineSeconds: activeDeadlineSeconds.default(DEFAULT_SEED_DEADLINE_SECONDS),
    /** User the Job runs as (see docs/seeding.md on NFS root_squash). */
    runAsUser: runAsUser.default(DEFAULT_SEED_RUN_AS_USER),
    /** Largest download accepted (bytes); a larger answer fails the download. */
    maxDownloadBytes: byteCap.default(DEFAULT_MAX_DOWNLOAD_BYTES),
    /** Largest tar stream a tar.gz download may unpack to (bytes): bounds gzip bombs. */
    maxExtractBytes: byteCap.default(DEFAULT_MAX_EXTRACT_BYTES),
    /** Seconds a finished Job is kept; null keeps it (GitOps, docs/gitops.md). */
    ttlSecondsAfterFinished: ttlSeconds.default(DEFAULT_SEED_TTL_SECONDS),
    /** Annotations on the Job object (e.g. for Argo CD or Flux, docs/gitops.md). */
    jobAnnotations: jobAnnotations.default({}),
    ...podOptionsFields,
  })
  .strict()
  .superRefine(checkPodOptions(RESERVED_POD_FIELDS.seeding));

/**
 * The seeding ConfigMap these settings make fits what the API server accepts (1 MiB of
 * values): inline files reused through YAML aliases made a 2 MB ConfigMap that synth wrote
 * and the API server then refused (issue 20.10). Checked once every field is valid.
 */
export function checkSeedConfigMapSize(
  settings: { readonly models: readonly ModelDefinition[]; readonly seeding: z.output<typeof seedingSchema> }, ctx: z.RefinementCtx,
): void {
  if (ctx.issues.length > 0 || !settings.seeding.enabled) return;
  let catalog: ModelDefinition[];
  try {
    catalog = modelCatalog(settings.models, { builtin: settings.seeding.builtinModels, optional: settings.seeding.catalogModels });
  } catch (err) {
    if (err instanceof ModelCatalogError) return; // worded by the models' own rules
    throw err;
  }
  const problem = seedConfigMapSizeProblem(catalog, settings.seeding.mirror);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['models'], message: problem });
}

/** Name of the ConfigMap and prefix of the Job (`<name>-<hash8>`, a DNS-1123 label). */
const seedBaseName = dnsLabel.max(54, 'must be at most 54 characters (the Job is named "<name>-<hash8>")');
// JobSpec.backoffLimit and ttlSecondsAfterFinished are int32 (k8s.io/api batch/v1): the API server refuses more.
const count = (what: string) => z.number().int(`must be a whole number of ${what}`).min(0, `must be ≥ 0 ${what}`)
  .max(2147483647, 'must be at most 2147483647 (an int32 in the Job\'s spec)');

const R = DEFAULT_SEED_RESOURCES;

/**
 * The rules of {@link ModelSeedJobProps}: the same field schemas as `models:` and
 * `seeding:` of the cluster description, so a construct used from another cdk8s app
 * accepts exactly what cluster.yaml accepts; unknown keys are refused. The defaults are
 * filled in here (the models' default, the built-in catalog, by the construct).
 */
export const modelSeedJobPropsSchema = z.object({
  claimName: dnsSubdomain.optional(),
  namespace: dnsLabel.optional(),
  name: seedBaseName.default('model-seed'),
  models: modelListSchema.optional(),
  image: imageRef.default(DEFAULT_SEED_IMAGE),
  mirror: mirrorUrl.optional(),
  downloadTimeoutSeconds: downloadTimeoutSeconds.default(DEFAULT_DOWNLOAD_TIMEOUT_SECONDS),
  activeDeadlineSeconds: activeDeadlineSeconds.default(DEFAULT_SEED_DEADLINE_SECONDS),
  backoffLimit: count('retries').default(DEFAULT_SEED_BACKOFF_LIMIT),
  ttlSecondsAfterFinished: ttlSeconds.default(DEFAULT_SEED_TTL_SECONDS),
  jobAnnotations: jobAnnotations.default({}),
  runAsUser: runAsUser.default(DEFAULT_SEED_RUN_AS_USER),
  maxDownloadBytes: byteCap.default(DEFAULT_MAX_DOWNLOAD_BYTES),
  maxExtractBytes: byteCap.default(DEFAULT_MAX_EXTRACT_BYTES),
  resources: z
    .object({
      cpuRequest: quantity.default(R.cpuRequest),
      cpuLimit: quantity.default(R.cpuLimit),
      memoryRequest: quantity.default(R.memoryRequest),
      memoryLimit: quantity.default(R.memoryLimit),
      ephemeralStorageRequest: quantity.default(R.ephemeralStorageRequest),
      ephemeralStorageLimit: quantity.default(R.ephemeralStorageLimit),
    })
    .strict()
    .prefault({}),
  ...podOptionsFields,
}).strict().superRefine((props, ctx) => {
  checkPodOptions(RESERVED_POD_FIELDS.seeding)(props, ctx);
  if (ctx.issues.length > 0) return;
  const problem = seedConfigMapSizeProblem(props.models ?? modelCatalog(), props.mirror);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['models'], message: problem });
});
