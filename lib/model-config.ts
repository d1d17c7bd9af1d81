/**
 * A typed subset of Triton's model configuration (model_config.proto) and its
 * rendering to `config.pbtxt` (protobuf text format). Field names are camelCase here and
 * snake_case in the rendered text, as protobuf's JSON/text mappings do.
 */

/** Triton tensor data types (model_config.proto `DataType`). */
export type TritonDataType =
  | 'TYPE_BOOL' | 'TYPE_UINT8' | 'TYPE_UINT16' | 'TYPE_UINT32' | 'TYPE_UINT64'
  | 'TYPE_INT8' | 'TYPE_INT16' | 'TYPE_INT32' | 'TYPE_INT64'
  | 'TYPE_FP16' | 'TYPE_FP32' | 'TYPE_FP64' | 'TYPE_STRING' | 'TYPE_BF16';
export const TRITON_DATA_TYPES = [
  'TYPE_BOOL', 'TYPE_UINT8', 'TYPE_UINT16', 'TYPE_UINT32', 'TYPE_UINT64',
  'TYPE_INT8', 'TYPE_INT16', 'TYPE_INT32', 'TYPE_INT64',
  'TYPE_FP16', 'TYPE_FP32', 'TYPE_FP64', 'TYPE_STRING', 'TYPE_BF16',
] as const satisfies readonly TritonDataType[];

/** Input tensor layouts (model_config.proto `ModelInput.Format`). */
export type TritonTensorFormat = 'FORMAT_NONE' | 'FORMAT_NHWC' | 'FORMAT_NCHW';
export const TRITON_TENSOR_FORMATS = ['FORMAT_NONE', 'FORMAT_NHWC', 'FORMAT_NCHW'] as const satisfies readonly TritonTensorFormat[];

/** Where instances of a model run (model_config.proto `ModelInstanceGroup.Kind`). */
export type TritonInstanceKind = 'KIND_AUTO' | 'KIND_GPU' | 'KIND_CPU';
export const TRITON_INSTANCE_KINDS = ['KIND_AUTO', 'KIND_GPU', 'KIND_CPU'] as const satisfies readonly TritonInstanceKind[];

/** One input tensor. */
export interface ModelInput {
  /** Tensor name, as in the model. */
  readonly name: string;
  /** Element type. */
  readonly dataType: TritonDataType;
  /**
   * Layout of image-like inputs.
   * @default - not rendered (Triton's FORMAT_NONE)
   */
  readonly format?: TritonTensorFormat;
  /** Shape without the batch dimension; -1 for a variable-size dimension. */
  readonly dims: readonly number[];
  /**
   * Shape the model actually expects, when it differs from `dims`.
   * @default - no reshape
   */
  readonly reshape?: readonly number[];
}

/** One output tensor. */
export interface ModelOutput {
  /** Tensor name, as in the model. */
  readonly name: string;
  /** Element type. */
  readonly dataType: TritonDataType;
  /** Shape without the batch dimension. */
  readonly dims: readonly number[];
  /**
   * Shape the model actually produces, when it differs from `dims`.
   * @default - no reshape
   */
  readonly reshape?: readonly number[];
  /**
   * Labels file in the model folder, one label per line, for the classification extension.
   * @default - no labels
   */
  readonly labelFilename?: string;
}

/** A group of model instances. */
export interface ModelInstanceGroup {
  /**
   * Device kind.
   * @default - not rendered (Triton's KIND_AUTO)
   */
  readonly kind?: TritonInstanceKind;
  /**
   * Instances per device.
   * @default - not rendered (Triton's 1)
   */
  readonly count?: number;
  /**
   * GPU indices (KIND_GPU only).
   * @default - not rendered (every GPU)
   */
  readonly gpus?: readonly number[];
}

/** Dynamic batching settings. */
export interface ModelDynamicBatching {
  /**
   * Batch sizes the batcher tries to form.
   * @default - not rendered
   */
  readonly preferredBatchSize?: readonly number[];
  /**
   * How long a request may wait for others to form a batch.
   * @default - not rendered (Triton's 0)
   */
  readonly maxQueueDelayMicroseconds?: number;
}

/** Which versions Triton serves (model_config.proto `ModelVersionPolicy`). */
export type ModelVersionPolicy =
  | { readonly latest: { readonly numVersions: number } }
  | { readonly all: Record<string, never> }
  | { readonly specific: { readonly versions: readonly number[] } };

/** The model configuration, minus `name` (always the model folder's name). */
export interface ModelConfig {
  /**
   * Platform such as "tensorflow_graphdef", "tensorflow_savedmodel", "onnxruntime_onnx",
   * "tensorrt_plan"; set this or `backend`.
   * @default - not rendered
   */
  readonly platform?: string;
  /**
   * Backend such as "tensorflow", "onnxruntime", "python"; set this or `platform`.
   * @default - not rendered
   */
  readonly backend?: string;
  /**
   * Largest batch Triton forms; 0 when the model has no batch dimension.
   * @default 0
   */
  readonly maxBatchSize?: number;
  /** Input tensors. */
  readonly input: readonly ModelInput[];
  /** Output tensors. */
  readonly output: readonly ModelOutput[];
  /**
   * Instance groups.
   * @default - not rendered (one instance per GPU, or on CPU)
   */
  readonly instanceGroup?: readonly ModelInstanceGroup[];
  /**
   * Dynamic batching; an empty object turns it on with Triton's defaults.
   * @default - off
   */
  readonly dynamicBatching?: ModelDynamicBatching;
  /**
   * Version policy.
   * @default - not rendered (Triton serves the latest version)
   */
  readonly versionPolicy?: ModelVersionPolicy;
  /**
   * Backend parameters (`parameters { key, value { string_value } }`).
   * @default {}
   */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** Thrown for a configuration Triton would refuse; the message names the field. */
export class ModelConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelConfigError';
  }
}

/**
 * Renders `config.pbtxt` for the model `name`. The layout follows Triton's own example
 * repository (docs/examples/model_repository), so the tutorial's model renders exactly
 * as the file the tutorial copies.
 */
export function renderModelConfig(name: string, config: ModelConfig): string {
  validateModelConfig(name, config);
  const lines: string[] = [`name: ${quote(name)}`];
  if (config.platform !== undefined) lines.push(`platform: ${quote(config.platform)}`);
  if (config.backend !== undefined) lines.push(`backend: ${quote(config.backend)}`);
  lines.push(`max_batch_size: ${config.maxBatchSize ?? 0}`);
  if (config.versionPolicy !== undefined) lines.push(...renderVersionPolicy(config.versionPolicy));
  lines.push(...renderList('input', config.input.map((input) => [
    `name: ${quote(input.name)}`,
    `data_type: ${input.dataType}`,
    ...(input.format !== undefined ? [`format: ${input.format}`] : []),
    `dims: ${dims(input.dims)}`,
    ...(input.reshape !== undefined ? [`reshape: { shape: ${dims(input.reshape)} }`] : []),
  ])));
  lines.push(...renderList('output', config.output.map((output) => [
    `name: ${quote(output.name)}`,
    `data_type: ${output.dataType}`,
    `dims: ${dims(output.dims)}`,
    ...(output.reshape !== undefined ? [`reshape: { shape: ${dims(output.reshape)} }`] : []),
    ...(output.labelFilename !== undefined ? [`label_filename: ${quote(output.labelFilename)}`] : []),
  ])));
  if (config.instanceGroup !== undefined && config.instanceGroup.length > 0) {
    lines.push(...renderList('instance_group', config.instanceGroup.map((group) => [
      ...(group.count !== undefined ? [`count: ${group.count}`] : []),
      ...(group.kind !== undefined ? [`kind: ${group.kind}`] : []),
      ...(group.gpus !== undefined ? [`gpus: ${dims(group.gpus)}`] : []),
    ])));
  }
  if (config.dynamicBatching !== undefined) {
    const batching = config.dynamicBatching;
    const body = [
      ...(batching.preferredBatchSize !== undefined ? [`preferred_batch_size: ${dims(batching.preferredBatchSize)}`] : []),
      ...(batching.maxQueueDelayMicroseconds !== undefined ? [`max_queue_delay_microseconds: ${batching.maxQueueDelayMicroseconds}`] : []),
    ];
    lines.push(body.length === 0 ? 'dynamic_batching { }' : `dynamic_batching {\n${body.map((l) => `  ${l}`).join('\n')}\n}`);
  }
  for (const key of Object.keys(config.parameters ?? {}).sort()) {
    const value = (config.parameters ?? {})[key];
    lines.push(`parameters {\n  key: ${quote(key)}\n  value: { string_value: ${quote(value)} }\n}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Label files the configuration refers to (they must be seeded next to config.pbtxt). */
export function labelFilenames(config: ModelConfig): string[] {
  return config.output.flatMap((o) => (o.labelFilename !== undefined ? [o.labelFilename] : []));
}

function validateModelConfig(name: string, config: ModelConfig): void {
  const where = `model "${name}" config`;
  if (config.platform === undefined && config.backend === undefined) {
    throw new ModelConfigError(`${where}: set "platform" (e.g. "tensorflow_graphdef") or "backend" (e.g. "onnxruntime")`);
  }
  const batch = config.maxBatchSize ?? 0;
  if (!Number.isInteger(batch) || batch < 0) {
    throw new ModelConfigError(`${where}.maxBatchSize: must be a whole number ≥ 0 (0 = no batch dimension), got ${batch}`);
  }
  if (config.input.length === 0) throw new ModelConfigError(`${where}.input: list at least one input tensor`);
  if (config.output.length === 0) throw new ModelConfigError(`${where}.output: list at least one output tensor`);
  const tensors: Array<[string, { name: string; dims: readonly number[] }]> = [
    ...config.input.map((t, i) => [`input[${i}]`, t] as [string, ModelInput]),
    ...config.output.map((t, i) => [`output[${i}]`, t] as [string, ModelOutput]),
  ];
  for (const [field, tensor] of tensors) {
    if (tensor.name.length === 0) throw new ModelConfigError(`${where}.${field}.name: must not be empty`);
    if (tensor.dims.length === 0 || tensor.dims.some((d) => !Number.isInteger(d) || d === 0 || d < -1)) {
      throw new ModelConfigError(`${where}.${field}.dims: list positive sizes or -1 for variable ones, got [${tensor.dims.join(', ')}]`);
    }
  }
}

function renderList(field: string, items: string[][]): string[] {
  const blocks = items.map((body) => `  {\n${body.map((l) => `    ${l}`).join('\n')}\n  }`);
  return [`${field} [\n${blocks.join(',\n')}\n]`];
}

function renderVersionPolicy(policy: ModelVersionPolicy): string[] {
  if ('latest' in policy) return [`version_policy: { latest: { num_versions: ${policy.latest.numVersions} } }`];
  if ('specific' in policy) return [`version_policy: { specific: { versions: ${dims(policy.specific.versions)} } }`];
  return ['version_policy: { all: { } }'];
}

function dims(values: readonly number[]): string {
  return `[ ${values.join(', ')} ]`;
}

/**
 * A protobuf text-format string literal (C-style escapes). Every other control character is
 * written as an octal escape: protobuf's tokenizer refuses a raw NUL or newline in a string.
 */
function quote(value: string): string {
  const named: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => named[c] ?? `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
  return `"${escaped}"`;
}
