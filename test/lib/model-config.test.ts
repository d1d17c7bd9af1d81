import { renderModelConfig, ModelConfigError, labelFilenames } from '../../lib/model-config';
import { INCEPTION_GRAPHDEF } from '../../lib/model-catalog';

// Triton's docs/examples/model_repository/inception_graphdef/config.pbtxt, the file the
// tutorial copies into the repository.
const TRITON_EXAMPLE = `name: "inception_graphdef"
platform: "tensorflow_graphdef"
max_batch_size: 128
input [
  {
    name: "input"
    data_type: TYPE_FP32
    format: FORMAT_NHWC
    dims: [ 299, 299, 3 ]
  }
]
output [
  {
    name: "InceptionV3/Predictions/Softmax"
    data_type: TYPE_FP32
    dims: [ 1001 ]
    label_filename: "inception_labels.txt"
  }
]
`;

describe('renderModelConfig', () => {
  it('renders the built-in model exactly as Triton\'s example config.pbtxt', () => {
    expect(renderModelConfig('inception_graphdef', INCEPTION_GRAPHDEF.config)).toBe(TRITON_EXAMPLE);
  });

  it('renders the optional fields in protobuf text format', () => {
    const text = renderModelConfig('densenet_onnx', {
      backend: 'onnxruntime',
      input: [
        { name: 'data_0', dataType: 'TYPE_FP32', format: 'FORMAT_NCHW', dims: [3, 224, 224], reshape: [1, 3, 224, 224] },
        { name: 'mask', dataType: 'TYPE_BOOL', dims: [-1] },
      ],
      output: [{ name: 'fc6_1', dataType: 'TYPE_FP32', dims: [1000], reshape: [1, 1000, 1, 1], labelFilename: 'densenet_labels.txt' }],
      instanceGroup: [{ kind: 'KIND_GPU', count: 2, gpus: [0] }, { kind: 'KIND_CPU' }],
      dynamicBatching: { preferredBatchSize: [4, 8], maxQueueDelayMicroseconds: 100 },
      versionPolicy: { latest: { numVersions: 2 } },
      parameters: { z_last: 'b', a_first: 'say "hi"\n' },
    });
    expect(text).toBe(`name: "densenet_onnx"
backend: "onnxruntime"
max_batch_size: 0
version_policy: { latest: { num_versions: 2 } }
input [
  {
    name: "data_0"
    data_type: TYPE_FP32
    format: FORMAT_NCHW
    dims: [ 3, 224, 224 ]
    reshape: { shape: [ 1, 3, 224, 224 ] }
  },
  {
    name: "mask"
    data_type: TYPE_BOOL
    dims: [ -1 ]
  }
]
output [
  {
    name: "fc6_1"
    data_type: TYPE_FP32
    dims: [ 1000 ]
    reshape: { shape: [ 1, 1000, 1, 1 ] }
    label_filename: "densenet_labels.txt"
  }
]
instance_group [
  {
    count: 2
    kind: KIND_GPU
    gpus: [ 0 ]
  },
  {
    kind: KIND_CPU
  }
]
dynamic_batching {
  preferred_batch_size: [ 4, 8 ]
  max_queue_delay_microseconds: 100
}
parameters {
  key: "a_first"
  value: { string_value: "say \\"hi\\"\\n" }
}
parameters {
  key: "z_last"
  value: { string_value: "b" }
}
`);
  });

  it('renders the other version policies and an empty dynamic batching block', () => {
    const base = { platform: 'tensorrt_plan', input: [{ name: 'i', dataType: 'TYPE_INT8' as const, dims: [1] }], output: [{ name: 'o', dataType: 'TYPE_INT8' as const, dims: [1] }] };
    expect(renderModelConfig('m', { ...base, versionPolicy: { all: {} }, dynamicBatching: {} })).toContain('version_policy: { all: { } }\n');
    expect(renderModelConfig('m', { ...base, dynamicBatching: {} })).toContain('\ndynamic_batching { }\n');
    expect(renderModelConfig('m', { ...base, versionPolicy: { specific: { versions: [1, 3] } } })).toContain('version_policy: { specific: { versions: [ 1, 3 ] } }\n');
  });

  it('names the field and the fix for a config Triton would refuse', () => {
    const io = { input: [{ name: 'i', dataType: 'TYPE_FP32' as const, dims: [1] }], output: [{ name: 'o', dataType: 'TYPE_FP32' as const, dims: [1] }] };
    expect(() => renderModelConfig('m', io)).toThrow(new ModelConfigError('model "m" config: set "platform" (e.g. "tensorflow_graphdef") or "backend" (e.g. "onnxruntime")'));
    expect(() => renderModelConfig('m', { ...io, backend: 'python', maxBatchSize: -1 })).toThrow(/maxBatchSize: must be a whole number/);
    expect(() => renderModelConfig('m', { ...io, backend: 'python', input: [] })).toThrow(/config.input: list at least one input tensor/);
    expect(() => renderModelConfig('m', { ...io, backend: 'python', output: [{ name: 'o', dataType: 'TYPE_FP32', dims: [0] }] })).toThrow(/config.output\[0\].dims: list positive sizes or -1/);
  });

  it('writes every control character of a string as an escape: protobuf refuses a raw NUL or newline (issue 20.17)', () => {
    const base = { backend: 'python', input: [{ name: 'i', dataType: 'TYPE_FP32' as const, dims: [1] }], output: [{ name: 'o', dataType: 'TYPE_FP32' as const, dims: [1] }] };
    const text = renderModelConfig('m', { ...base, parameters: { k: 'a\u0000b\u0001c\nd\te\u001bf\u007fg"h\\i' } });
    expect(text).toContain('value: { string_value: "a\\000b\\001c\\nd\\te\\033f\\177g\\"h\\\\i" }');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  });

  it('lists the label files a config refers to', () => {
    expect(labelFilenames(INCEPTION_GRAPHDEF.config)).toEqual(['inception_labels.txt']);
  });
});
