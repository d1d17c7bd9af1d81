/**
 * The JSON documents of the KServe v2 HTTP/REST protocol as Triton returns them, checked
 * with zod so a malformed answer names the field that is wrong. Unknown fields are kept
 * (Triton's model config has dozens the client does not need).
 */
import { z } from 'zod';

/** int64 values may come as JSON numbers or, from protobuf JSON, as decimal strings. */
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);

export const tensorMetadataSchema = z.looseObject({
  name: z.string(),
  datatype: z.string(),
  shape: z.array(int64),
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
  max_batch_size: int64.default(0),
  input: z
    .array(
      z.looseObject({
        name: z.string(),
        data_type: z.string().optional(),
        format: z.string().default('FORMAT_NONE'),
        dims: z.array(int64).default([]),
      }),
    )
    .default([]),
  output: z
    .array(
      z.looseObject({
        name: z.string(),
        data_type: z.string().optional(),
        dims: z.array(int64).default([]),
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
  shape: z.array(int64),
  parameters: z.looseObject({ binary_data_size: int64.optional() }).optional(),
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
