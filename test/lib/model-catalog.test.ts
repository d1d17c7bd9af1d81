import {
  BUILTIN_MODELS, INCEPTION_GRAPHDEF, INCEPTION_V3_URL, isSafeRelativePath, ModelCatalogError, modelCatalog, ModelDefinition,
  urlBaseName, validateModel,
} from '../../lib/model-catalog';
import { parseClusterConfig, parseClusterConfigYaml } from '../../lib/config';
import { effectiveUrl, modelFilesKey, modelSeedKey, renderModelList } from '../../lib/seed/seed-plan';

const onnx: ModelDefinition = {
  name: 'densenet_onnx',
  downloads: [
    { url: 'https://example.org/densenet/model.onnx', sha256: 'a'.repeat(64), archive: 'file', files: [{ to: '1/model.onnx' }] },
    { url: 'https://example.org/densenet/densenet_labels.txt', archive: 'file', files: [{ to: 'densenet_labels.txt' }] },
  ],
  config: {
    backend: 'onnxruntime',
    input: [{ name: 'data_0', dataType: 'TYPE_FP32', dims: [3, 224, 224] }],
    output: [{ name: 'fc6_1', dataType: 'TYPE_FP32', dims: [1000], labelFilename: 'densenet_labels.txt' }],
  },
};

describe('model catalog', () => {
  it('has the tutorial model built in: tarball members to Triton\'s layout', () => {
    expect(BUILTIN_MODELS).toEqual([INCEPTION_GRAPHDEF]);
    expect(INCEPTION_GRAPHDEF.downloads).toEqual([{
      url: 'https://storage.googleapis.com/download.tensorflow.org/models/inception_v3_2016_08_28_frozen.pb.tar.gz',
      archive: 'tar.gz',
      files: [
        { from: 'inception_v3_2016_08_28_frozen.pb', to: '1/model.graphdef' },
        { from: 'imagenet_slim_labels.txt', to: 'inception_labels.txt' },
      ],
    }]);
    expect(modelCatalog()).toEqual([INCEPTION_GRAPHDEF]);
  });

  it('adds extra models after the built-in ones, replaces a built-in by name, and can drop them', () => {
    expect(modelCatalog([onnx]).map((m) => m.name)).toEqual(['inception_graphdef', 'densenet_onnx']);
    const pinned = { ...INCEPTION_GRAPHDEF, downloads: [{ ...INCEPTION_GRAPHDEF.downloads[0], sha256: 'b'.repeat(64) }] };
    expect(modelCatalog([onnx, pinned])).toEqual([onnx, pinned]);
    expect(modelCatalog([onnx], { builtin: false })).toEqual([onnx]);
    expect(modelCatalog([], { builtin: false })).toEqual([]);
    expect(() => modelCatalog([onnx, onnx])).toThrow('model "densenet_onnx" is listed twice under models; keep one entry per name');
  });

  it.each([
    [{ ...onnx, name: '.hidden' }, /name must be letters, digits/],
    [{ ...onnx, name: 'has space' }, /name must be letters, digits/],
    [{ ...onnx, downloads: [] }, /downloads: list at least one download/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], url: 'ftp://x/y' }, onnx.downloads[1]] }, /url: must be http:\/\/ or https:\/\//],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], url: 'not a url' }, onnx.downloads[1]] }, /url: not a URL/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], url: 'https://example.org/' }, onnx.downloads[1]] }, /must end in a file name/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], sha256: 'ABC' }, onnx.downloads[1]] }, /sha256: must be 64 lower-case hex digits/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], files: [{ from: 'x', to: '1/model.onnx' }] }, onnx.downloads[1]] }, /plain "file" download gives exactly one file/],
    [{ ...onnx, downloads: [{ url: 'https://e.org/a.tgz', files: [{ to: '1/m' }] }, onnx.downloads[1]] }, /files\[0\].from: name the archive member/],
    [{ ...onnx, downloads: [{ url: 'https://e.org/a.tgz', files: [{ from: '../etc/passwd', to: '1/m' }] }, onnx.downloads[1]] }, /files\[0\].from/],
    [{ ...onnx, downloads: [{ url: 'https://e.org/a.tgz', files: [{ from: 'a', to: '1/m' }, { from: 'a', to: '1/n' }] }, onnx.downloads[1]] }, /taken twice/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], files: [{ to: '/abs/model.onnx' }] }, onnx.downloads[1]] }, /to: must be a relative path/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], files: [{ to: 'config.pbtxt' }] }, onnx.downloads[1]] }, /other than config.pbtxt/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], files: [{ to: '1/../../x' }] }, onnx.downloads[1]] }, /to: must be a relative path/],
    [{ ...onnx, downloads: [onnx.downloads[0], { ...onnx.downloads[1], files: [{ to: '1/model.onnx' }] }] }, /collides with another file/],
    [{ ...onnx, downloads: [{ ...onnx.downloads[0], files: [{ to: 'model.onnx' }] }, onnx.downloads[1]] }, /no file goes into a version folder/],
    [{ ...onnx, downloads: [onnx.downloads[0]] }, /label file "densenet_labels.txt" is not among the downloaded files/],
    [{ ...onnx, config: { ...onnx.config, backend: undefined } }, /set "platform"/],
  ])('rejects an invalid model with a message naming the field (%#)', (model, message) => {
    expect(() => validateModel(model as ModelDefinition)).toThrow(ModelCatalogError);
    expect(() => validateModel(model as ModelDefinition)).toThrow(message);
  });

  it('refuses two downloads a mirror could not tell apart', () => {
    const clash: ModelDefinition = { ...onnx, name: 'other', downloads: [{ url: 'https://elsewhere.org/model.onnx', archive: 'file', files: [{ to: '1/model.onnx' }] }], config: { ...onnx.config, output: [{ name: 'o', dataType: 'TYPE_FP32', dims: [1] }] } };
    expect(() => modelCatalog([onnx, clash])).toThrow(/share the file name "model.onnx"/);
  });

  it('checks paths and names the mirror uses', () => {
    expect(isSafeRelativePath('1/model.graphdef')).toBe(true);
    expect(isSafeRelativePath('a//b')).toBe(false);
    expect(isSafeRelativePath('./a')).toBe(false);
    expect(urlBaseName(INCEPTION_V3_URL)).toBe('inception_v3_2016_08_28_frozen.pb.tar.gz');
    expect(effectiveUrl(INCEPTION_V3_URL)).toBe(INCEPTION_V3_URL);
    expect(effectiveUrl(INCEPTION_V3_URL, 'http://10.0.0.30:8080/models/')).toBe('http://10.0.0.30:8080/models/inception_v3_2016_08_28_frozen.pb.tar.gz');
  });
});

describe('seed keys and the model list', () => {
  it('keys a model by its content, not by where it is fetched from', () => {
    const key = modelSeedKey(INCEPTION_GRAPHDEF);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(modelSeedKey({ ...INCEPTION_GRAPHDEF })).toBe(key);
    expect(modelSeedKey({ ...INCEPTION_GRAPHDEF, config: { ...INCEPTION_GRAPHDEF.config, maxBatchSize: 8 } })).not.toBe(key);
    expect(modelSeedKey({ ...INCEPTION_GRAPHDEF, downloads: [{ ...INCEPTION_GRAPHDEF.downloads[0], sha256: 'c'.repeat(64) }] })).not.toBe(key);
    expect(renderModelList([INCEPTION_GRAPHDEF], 'http://mirror.lan/m')).toContain(`model inception_graphdef ${key} ${modelFilesKey(INCEPTION_GRAPHDEF)}\n`);
  });

  it('keys the files apart from the config, so a config change reuses them', () => {
    const files = modelFilesKey(INCEPTION_GRAPHDEF);
    expect(modelFilesKey({ ...INCEPTION_GRAPHDEF, config: { ...INCEPTION_GRAPHDEF.config, maxBatchSize: 8 } })).toBe(files);
    expect(modelFilesKey({ ...INCEPTION_GRAPHDEF, downloads: [{ ...INCEPTION_GRAPHDEF.downloads[0], sha256: 'c'.repeat(64) }] })).not.toBe(files);
    expect(modelFilesKey({ ...INCEPTION_GRAPHDEF, name: 'copy' })).not.toBe(files);
  });

  it('renders one line per model, download and file', () => {
    expect(renderModelList([onnx], 'http://10.0.0.30:8080')).toBe([
      '# model <name> <key> <files key> | download <name> <index> <archive> <sha256|-> <url> | file <name> <index> <member|-> <to>',
      `model densenet_onnx ${modelSeedKey(onnx)} ${modelFilesKey(onnx)}`,
      `download densenet_onnx 0 file ${'a'.repeat(64)} http://10.0.0.30:8080/model.onnx`,
      'file densenet_onnx 0 - 1/model.onnx',
      'download densenet_onnx 1 file - http://10.0.0.30:8080/densenet_labels.txt',
      'file densenet_onnx 1 - densenet_labels.txt',
      '',
    ].join('\n'));
  });
});

describe('models: and seeding: in the cluster description', () => {
  it('defaults to the built-in model, seeding on, the Alpine image', () => {
    const config = parseClusterConfig({});
    expect(config.models).toEqual([]);
    expect(config.seeding).toEqual({
      enabled: true, builtinModels: true, image: 'alpine:3.22', downloadTimeoutSeconds: 900, activeDeadlineSeconds: 3600, runAsUser: 65534,
    });
  });

  it('reads extra models from YAML, with archive defaulting to tar.gz', () => {
    const config = parseClusterConfigYaml(`
seeding:
  mirror: http://10.0.0.30:8080/models
  builtinModels: false
models:
  - name: resnet50
    downloads:
      - url: https://example.org/resnet50.tar.gz
        sha256: ${'d'.repeat(64)}
        files:
          - { from: resnet50/model.onnx, to: 1/model.onnx }
    config:
      backend: onnxruntime
      maxBatchSize: 8
      input: [{ name: x, dataType: TYPE_FP32, format: FORMAT_NCHW, dims: [3, 224, 224] }]
      output: [{ name: y, dataType: TYPE_FP32, dims: [1000] }]
`);
    expect(config.models[0].downloads[0].archive).toBe('tar.gz');
    expect(config.models[0].name).toBe('resnet50');
    expect(config.seeding.mirror).toBe('http://10.0.0.30:8080/models');
  });

  it('reports invalid entries with the field path and the fix', () => {
    expect(() => parseClusterConfig({ models: [{ name: 'x', downloads: [{ url: 'https://e.org/m.onnx', archive: 'file', files: [{ to: 'model.onnx' }] }], config: { backend: 'onnxruntime', input: [{ name: 'a', dataType: 'TYPE_FP32', dims: [1] }], output: [{ name: 'b', dataType: 'TYPE_FP32', dims: [1] }] } }] }))
      .toThrow(/models\.0: model "x".downloads: no file goes into a version folder/);
    expect(() => parseClusterConfig({ models: [{ name: 'x' }] })).toThrow(/models\.0\.downloads/);
    expect(() => parseClusterConfig({ seeding: { mirror: 'ftp://x' } })).toThrow(/seeding\.mirror: must be an http:\/\/ or https:\/\/ URL/);
    expect(() => parseClusterConfig({ seeding: { mirrors: 'x' } })).toThrow(/seeding\.mirrors: unknown key/);
    const twice = { name: 'inception_graphdef', downloads: INCEPTION_GRAPHDEF.downloads, config: INCEPTION_GRAPHDEF.config };
    expect(() => parseClusterConfig({ models: [twice, twice] })).toThrow(/models\.1\.name: "inception_graphdef" is listed twice/);
  });
});
