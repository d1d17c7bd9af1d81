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
      files: [{ from: 'inception_v3_2016_08_28_frozen.pb', to: '1/model.graphdef' }],
    }]);
    // Triton's own label file ships in the ConfigMap (test/seed/inception-labels.test.ts).
    expect(INCEPTION_GRAPHDEF.inlineFiles?.map((f) => f.to)).toEqual(['inception_labels.txt']);
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

  const dl0 = (patch: object) => ({ ...onnx, downloads: [{ ...onnx.downloads[0], ...patch }, onnx.downloads[1]] });
  const tgz = (files: object[]) => ({ ...onnx, downloads: [{ url: 'https://e.org/a.tgz', files }, onnx.downloads[1]] });
  it.each([
    [{ ...onnx, name: '.hidden' }, 'model ".hidden".name: must be letters, digits'],
    [{ ...onnx, name: 'has space' }, 'model "has space".name: must be letters, digits'],
    [{ ...onnx, name: 'config.pbtxt' }, 'model "config.pbtxt".name: must not be "config.pbtxt"'],
    [{ ...onnx, downloads: [] }, '.downloads: list at least one download'],
    [dl0({ url: 'ftp://x/y' }), '.downloads[0].url: must be an http:// or https:// URL without spaces'],
    [dl0({ url: 'not a url' }), '.downloads[0].url: must be an http:// or https:// URL without spaces'],
    [dl0({ url: 'https://example.org/' }), '.downloads[0].url: must end in a file name'],
    [dl0({ url: 'https://example.org/a\u0007.onnx' }), '.downloads[0].url: must be printable ASCII'],
    [dl0({ url: 'https://example.org/a.onnx\nfile densenet_onnx 0 - ../../x' }), '.downloads[0].url: must be an http:// or https:// URL without spaces'],
    [dl0({ sha256: 'ABC' }), '.downloads[0].sha256: must be 64 lower-case hex digits, as printed by sha256sum'],
    [dl0({ files: [{ from: 'x', to: '1/model.onnx' }] }), '.downloads[0].files: a plain "file" download gives exactly one file'],
    [tgz([{ to: '1/m' }]), '.downloads[0].files[0].from: name the archive member to take'],
    [tgz([{ from: '../etc/passwd', to: '1/m' }]), '.downloads[0].files[0].from: must name the archive member as a relative path'],
    [tgz([{ from: '/etc/passwd', to: '1/m' }]), '.downloads[0].files[0].from: must name the archive member as a relative path'],
    [tgz([{ from: '--to-command=sh', to: '1/m' }]), '.downloads[0].files[0].from: must name the archive member as a relative path'],
    [tgz([{ from: 'a', to: '1/m' }, { from: 'a', to: '1/n' }]), '.downloads[0].files[1].from: "a" is taken twice'],
    [dl0({ files: [{ to: '/abs/model.onnx' }] }), '.downloads[0].files[0].to: must be a relative path inside the model folder'],
    [dl0({ files: [{ to: 'config.pbtxt' }] }), '.downloads[0].files[0].to: must not be config.pbtxt'],
    [dl0({ files: [{ to: '1/../../x' }] }), '.downloads[0].files[0].to: must be a relative path inside the model folder'],
    [dl0({ files: [{ to: '1/model one.onnx' }] }), '.downloads[0].files[0].to: must be a relative path inside the model folder'],
    [dl0({ files: [{ to: '1/model\n.onnx' }] }), '.downloads[0].files[0].to: must be a relative path inside the model folder'],
    [dl0({ files: [{ to: '1/$(reboot)' }] }), '.downloads[0].files[0].to: must be a relative path inside the model folder'],
    [dl0({ files: [{ to: '.seed-manifest' }] }), '.downloads[0].files[0].to: must be a relative path inside the model folder'],
    [{ ...onnx, downloads: [onnx.downloads[0], { ...onnx.downloads[1], files: [{ to: '1/model.onnx' }] }], config: { ...onnx.config, output: [{ name: 'o', dataType: 'TYPE_FP32', dims: [1] }] } }, '.downloads[1].files[0].to: "1/model.onnx" collides with another file'],
    [{ ...onnx, inlineFiles: [{ to: '1/model.onnx', content: 'x' }] }, '.inlineFiles[0].to: "1/model.onnx" collides with another file'],
    [{ ...onnx, inlineFiles: [{ to: 'big.txt', content: 'x'.repeat(256 * 1024 + 1) }] }, '.inlineFiles[0].content: must be at most 256 KiB'],
    [dl0({ files: [{ to: 'model.onnx' }] }), '.downloads: no file goes into a version folder'],
    [{ ...onnx, downloads: [onnx.downloads[0]] }, '.config: label file "densenet_labels.txt" is not among the model\'s files'],
    [{ ...onnx, config: { ...onnx.config, backend: undefined } }, '.config: model "densenet_onnx" config: set "platform"'],
  ])('rejects an invalid model with one message naming the field and the fix (%#)', (model, message) => {
    expect(() => validateModel(model as ModelDefinition)).toThrow(ModelCatalogError);
    let text = '';
    try {
      validateModel(model as ModelDefinition);
    } catch (err) {
      text = (err as Error).message;
    }
    expect(text).toContain(message);
    expect(text.split('\n')).toHaveLength(1);
  });

  it('accepts the catalog\'s own models and inline files', () => {
    expect(() => validateModel(INCEPTION_GRAPHDEF)).not.toThrow();
    expect(() => validateModel({ ...onnx, downloads: [onnx.downloads[0]], inlineFiles: [{ to: 'densenet_labels.txt', content: 'a\nb\n' }] })).not.toThrow();
  });

  it('refuses two downloads a mirror could not tell apart', () => {
    const clash: ModelDefinition = { ...onnx, name: 'other', downloads: [{ url: 'https://elsewhere.org/model.onnx', archive: 'file', files: [{ to: '1/model.onnx' }] }], config: { ...onnx.config, output: [{ name: 'o', dataType: 'TYPE_FP32', dims: [1] }] } };
    expect(() => modelCatalog([onnx, clash])).toThrow('model "other".downloads[0].url: https://example.org/densenet/model.onnx and https://elsewhere.org/model.onnx share the file name "model.onnx", which a mirror could not tell apart; rename one');
  });

  it('checks paths and names the mirror uses', () => {
    expect(isSafeRelativePath('1/model.graphdef')).toBe(true);
    expect(isSafeRelativePath('a//b')).toBe(false);
    expect(isSafeRelativePath('./a')).toBe(false);
    expect(isSafeRelativePath('-a')).toBe(false);
    expect(isSafeRelativePath('a/-b')).toBe(false);
    expect(isSafeRelativePath('a b')).toBe(false);
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
    expect(modelFilesKey({ ...INCEPTION_GRAPHDEF, inlineFiles: [{ to: 'inception_labels.txt', content: 'other\n' }] })).not.toBe(files);
  });

  it('renders one line per model, download and file', () => {
    expect(renderModelList([onnx], 'http://10.0.0.30:8080')).toBe([
      '# model <name> <key> <files key> | download <name> <index> <archive> <sha256|-> <url> | file <name> <index> <member|-> <to> | inline <name> <index> <to>',
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
      enabled: true, builtinModels: true, catalogModels: [], image: 'alpine:3.22', downloadTimeoutSeconds: 900, activeDeadlineSeconds: 3600, runAsUser: 65534,
      maxDownloadBytes: 4 * 1024 ** 3, maxExtractBytes: 4 * 1024 ** 3, ttlSecondsAfterFinished: 86400, jobAnnotations: {},
    });
  });

  it('reads extra models from YAML; a download without archive is a tar.gz', () => {
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
    // Left as written (ModelDownload documents the default); the seeding list spells it out.
    expect(config.models[0].downloads[0].archive).toBeUndefined();
    expect(renderModelList(config.models)).toContain(`download resnet50 0 tar.gz ${'d'.repeat(64)} https://example.org/resnet50.tar.gz`);
    expect(config.models[0].name).toBe('resnet50');
    expect(config.seeding.mirror).toBe('http://10.0.0.30:8080/models');
  });

  it('reports invalid entries with the field path and the fix', () => {
    expect(() => parseClusterConfig({ models: [{ name: 'x', downloads: [{ url: 'https://e.org/m.onnx', archive: 'file', files: [{ to: 'model.onnx' }] }], config: { backend: 'onnxruntime', input: [{ name: 'a', dataType: 'TYPE_FP32', dims: [1] }], output: [{ name: 'b', dataType: 'TYPE_FP32', dims: [1] }] } }] }))
      .toThrow(/models\[0\]\.downloads: no file goes into a version folder/);
    expect(() => parseClusterConfig({ models: [{ name: 'x' }] })).toThrow(/models\[0\]\.downloads/);
    expect(() => parseClusterConfig({ seeding: { mirror: 'ftp://x' } })).toThrow(/seeding\.mirror: must be an http:\/\/ or https:\/\/ URL/);
    expect(() => parseClusterConfig({ seeding: { mirrors: 'x' } })).toThrow(/seeding\.mirrors: unknown key/);
    expect(() => parseClusterConfig({ seeding: { maxExtractBytes: 10 } })).toThrow('seeding.maxExtractBytes: must be at least 1048576 (1 MiB)');
    expect(() => parseClusterConfig({ seeding: { maxDownloadBytes: 1.5 * 2 ** 20 + 0.5 } })).toThrow('seeding.maxDownloadBytes: must be a whole number of bytes');
    expect(() => parseClusterConfig({ seeding: { mirror: 'http://mirror.lan/\u00e9' } })).toThrow('seeding.mirror: must be printable ASCII');
    expect(() => parseClusterConfig({ models: [{ ...onnx, downloads: [{ ...onnx.downloads[0], files: [{ to: '1/model onnx' }] }, onnx.downloads[1]] }] }))
      .toThrow('models[0].downloads[0].files[0].to: must be a relative path inside the model folder');
    const twice = { name: 'inception_graphdef', downloads: INCEPTION_GRAPHDEF.downloads, config: INCEPTION_GRAPHDEF.config };
    expect(() => parseClusterConfig({ models: [twice, twice] })).toThrow(/models\[1\]\.name: "inception_graphdef" is listed twice/);
  });
});
