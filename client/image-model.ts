/**
 * Checks that a model is an image classifier this client can feed, as image_client.py's
 * parse_model() does, and extracts what preprocessing needs.
 */
import { formatBytes, UnsupportedModelError } from './errors';
import { ModelConfig, ModelMetadata } from './kserve-types';

/**
 * Largest FP32 input tensor of one inference request (binary encoding). The client holds
 * the batch, its little-endian copy in the request body and the decoded images, so a
 * request costs about three times this much memory; inception_graphdef takes 1 MiB per
 * image (299x299x3 FP32). A model declaring more is refused before anything is allocated.
 */
export const MAX_REQUEST_TENSOR_BYTES = 256 * 1024 * 1024;
/** JSON tensors cost about 20 bytes of text (and a JS number) per value: a lower cap. */
export const MAX_JSON_REQUEST_TENSOR_BYTES = 32 * 1024 * 1024;

export type TensorLayout = 'NHWC' | 'NCHW';

export interface ImageModel {
  readonly name: string;
  /** 0: the model takes no batch dimension. */
  readonly maxBatchSize: number;
  readonly inputName: string;
  readonly outputName: string;
  /** Elements of the output per image (classes), 0 when a dimension is variable. */
  readonly outputClasses: number;
  readonly channels: 1 | 3;
  readonly height: number;
  readonly width: number;
  readonly layout: TensorLayout;
  /** Input datatype; only FP32 is sent by this client. */
  readonly datatype: 'FP32';
}

export function parseImageModel(metadata: ModelMetadata, config: ModelConfig): ImageModel {
  const name = metadata.name;
  const fail = (problem: string): never => {
    throw new UnsupportedModelError(name, problem);
  };
  if (metadata.inputs.length !== 1) fail(`expecting 1 input, got ${metadata.inputs.length}`);
  if (metadata.outputs.length !== 1) fail(`expecting 1 output, got ${metadata.outputs.length}`);
  if (config.input.length !== 1) fail(`expecting 1 input in model configuration, got ${config.input.length}`);
  const input = metadata.inputs[0];
  const output = metadata.outputs[0];
  const inputConfig = config.input[0];

  if (output.datatype !== 'FP32') {
    fail(`expecting output datatype to be FP32, output '${output.name}' is ${output.datatype}`);
  }
  const batching = config.max_batch_size > 0;
  // The output must be a vector: every dimension but one is 1 (batch dimension excluded).
  const outputDims = batching ? output.shape.slice(1) : output.shape;
  if (outputDims.filter((d) => d > 1).length > 1) {
    fail(`expecting model output to be a vector, output '${output.name}' has shape [${output.shape.join(',')}]`);
  }
  const expectedRank = 3 + (batching ? 1 : 0);
  if (input.shape.length !== expectedRank) {
    fail(`expecting input to have ${expectedRank} dimensions, input '${input.name}' has ${input.shape.length} ([${input.shape.join(',')}])`);
  }
  if (input.datatype !== 'FP32') {
    fail(`expecting input datatype FP32, input '${input.name}' is ${input.datatype} (this client sends FP32 images like image_client.py's Inception/ResNet examples)`);
  }
  let layout: TensorLayout;
  if (inputConfig.format === 'FORMAT_NHWC') layout = 'NHWC';
  else if (inputConfig.format === 'FORMAT_NCHW') layout = 'NCHW';
  else {
    return fail(`unexpected input format ${inputConfig.format}, expecting FORMAT_NCHW or FORMAT_NHWC (set "format" on the input in config.pbtxt)`);
  }
  const dims = batching ? input.shape.slice(1) : input.shape;
  const [h, w, c] = layout === 'NHWC' ? [dims[0], dims[1], dims[2]] : [dims[1], dims[2], dims[0]];
  if (c !== 1 && c !== 3) fail(`expecting 1 or 3 channels, input '${input.name}' has ${c}`);
  if (!(h > 0 && w > 0)) fail(`input '${input.name}' has no fixed height and width ([${input.shape.join(',')}])`);
  const imageBytes = c * h * w * 4;
  if (imageBytes > MAX_REQUEST_TENSOR_BYTES) {
    fail(`input '${input.name}' of shape [${input.shape.join(',')}] needs ${formatBytes(imageBytes)} per image as FP32, ` +
      `more than this client's cap of ${formatBytes(MAX_REQUEST_TENSOR_BYTES)} per request; check the model's dims in config.pbtxt`);
  }
  return {
    name,
    maxBatchSize: config.max_batch_size,
    inputName: input.name,
    outputName: output.name,
    outputClasses: outputDims.some((d) => d < 1) ? 0 : outputDims.reduce((a, b) => a * b, 1),
    channels: c as 1 | 3,
    height: h,
    width: w,
    layout,
    datatype: 'FP32',
  };
}
