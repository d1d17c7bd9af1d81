/**
 * Checks that a model is an image classifier this client can feed, as image_client.py's
 * parse_model() does, and extracts what preprocessing needs.
 */
import { UnsupportedModelError } from './errors';
import { ModelConfig, ModelMetadata } from './kserve-types';

export type TensorLayout = 'NHWC' | 'NCHW';

export interface ImageModel {
  readonly name: string;
  /** 0: the model takes no batch dimension. */
  readonly maxBatchSize: number;
  readonly inputName: string;
  readonly outputName: string;
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
  return {
    name,
    maxBatchSize: config.max_batch_size,
    inputName: input.name,
    outputName: output.name,
    channels: c as 1 | 3,
    height: h,
    width: w,
    layout,
    datatype: 'FP32',
  };
}
