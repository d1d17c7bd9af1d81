/**
 * The JSON documents of the KServe v2 HTTP/REST protocol as Triton returns them, checked
 * with zod so a malformed answer names the field that is wrong. Unknown fields are kept
 * (Triton's model config has dozens the client does not need).
 */
import { z } from 'zod';

/** int64 values may come as JSON numbers or, from protobuf JSON, as decimal strings. */
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

/** Largest dimension accepted (Triton's dims are int64; no real tensor comes near 2^31). */
export const MAX_DIM = 2 ** 31 - 1;

/**
 * One dimension of a shape: a whole number from 1 to MAX_DIM, or -1 (variable) where
 * `variable`, or 0 where `empty` (a response may hold an empty tensor). Checked here so
 * that a hostile or broken server cannot hand the client NaN, negative or astronomic
 * dimensions to multiply into an allocation size.
 */
function dimension(options: { readonly variable: boolean; readonly empty?: boolean }) {
  const allowed = [options.variable ? '-1 (variable)' : '', options.empty ? '0' : '', `1..${MAX_DIM}`].filter((a) => a !== '').join(' or ');
  return z.unknown().transform((value, ctx): number => {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    const ok = Number.isSafeInteger(n) && ((n >= 1 && n <= MAX_DIM) || (options.variable && n === -1) || (options.empty === true && n === 0));
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: `dimension ${JSON.stringify(value) ?? String(value)} is not a whole number ${allowed}` });
      return z.NEVER;
    }
    return n;
  });
}

/** Shapes of model metadata and config: -1 marks a variable dimension (the batch one, or a free size). */
export const modelDims = z.array(dimension({ variable: true }));
/** Shapes of tensors in an inference response: concrete sizes, 0 allowed. */
export const responseDims = z.array(dimension({ variable: false, empty: true }));

export const tensorMetadataSchema = z.looseObject({
  name: z.string(),
  datatype: z.string(),
  shape: modelDims,
});

/** GET /v2/models/{model}[/versions/{version}] */
export const modelMetadataSchema = z.looseObject({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string().optional(),
  inputs: z.array(tensorMetadataSchema).default([]),
  outputs: z.array(tensorMetadataSchema).default([]),
});

/** GET /v2/models/{model}[/versions/{version}]/config (Triton's model configuration as JSON). */
export const modelConfigSchema = z.looseObject({
  name: z.string().optional(),
  platform: z.string().optional(),
  backend: z.string().optional(),
  max_batch_size: int64.pipe(z.number().min(0, 'max_batch_size must be 0 (no batching) or more').max(MAX_DIM)).default(0),
  input: z
    .array(
      z.looseObject({
        name: z.string(),
        data_type: z.string().optional(),
        format: z.string().default('FORMAT_NONE'),
        dims: modelDims.default([]),
      }),
    )
    .default([]),
  output: z
    .array(
      z.looseObject({
        name: z.string(),
        data_type: z.string().optional(),
        dims: modelDims.default([]),
        label_filename: z.string().optional(),
      }),
    )
    .default([]),
});

/** POST /v2/repository/index (Triton's model repository extension). */
export const repositoryIndexSchema = z.array(
  z.looseObject({
    name: z.string(),
    version: z.string().optional(),
    state: z.string().optional(),
    reason: z.string().optional(),
  }),
);

export const inferResponseOutputSchema = z.looseObject({
  name: z.string(),
  datatype: z.string(),
  shape: responseDims,
  parameters: z.looseObject({ binary_data_size: int64.pipe(z.number().min(0).max(Number.MAX_SAFE_INTEGER)).optional() }).optional(),
  data: z.array(z.unknown()).optional(),
});

/** The JSON part of an inference response. */
export const inferResponseHeaderSchema = z.looseObject({
  id: z.string().optional(),
  model_name: z.string(),
  model_version: z.string().optional(),
  outputs: z.array(inferResponseOutputSchema).default([]),
});

/** Triton's error body. */
export const errorBodySchema = z.looseObject({ error: z.string() });

export type TensorMetadata = z.output<typeof tensorMetadataSchema>;
export type ModelMetadata = z.output<typeof modelMetadataSchema>;
export type ModelConfig = z.output<typeof modelConfigSchema>;
export type RepositoryIndexEntry = z.output<typeof repositoryIndexSchema>[number];
export type InferResponseHeader = z.output<typeof inferResponseHeaderSchema>;
