import { ClusterConfigError, parseClusterConfig } from '../../lib/config';
import { INCEPTION_GRAPHDEF, modelCatalog } from '../../lib/model-catalog';
import {
  MODEL_REPOSITORY_SUBPATH, ModelSeedJob, ModelSeedJobProps,
} from '../../lib/model-seed-job';
import { modelSeedJobPropsFromConfig } from '../../lib/model-seed-props';
import { SEED_MODELS_SCRIPT } from '../../lib/seed/seed-models-script';
import { MAX_CONFIG_MAP_DATA_BYTES, seedConfigMapData } from '../../lib/seed/seed-plan';
import { objectLabels, synthConstruct } from './helpers';

function synth(props: ModelSeedJobProps): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  return synthConstruct((chart) => new ModelSeedJob(chart, 'seed', props));
}

function jobOf(objects: any[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  return objects.find((o) => o.kind === 'Job');
}

describe('ModelSeedJob', () => {
  const objects = synth({ claimName: 'models-pvc' });
  const job = jobOf(objects);
  const configMap = objects.find((o) => o.kind === 'ConfigMap');
  const pod = job.spec.template.spec;
  const container = pod.containers[0];

  it('ships script, model list and config.pbtxt in a ConfigMap named "model-seed"', () => {
    expect(configMap.metadata).toEqual({
      name: 'model-seed',
      namespace: 'default',
      labels: objectLabels('model-seed'),
    });
    expect(Object.keys(configMap.data)).toEqual(['inception_graphdef.config.pbtxt', 'inception_graphdef.inline.0', 'models.list', 'seed-models.sh']);
    expect(configMap.data['seed-models.sh']).toBe(SEED_MODELS_SCRIPT);
    expect(pod.volumes).toEqual([
      { name: 'models', persistentVolumeClaim: { claimName: 'models-pvc' } },
      { name: 'spec', configMap: { name: 'model-seed', defaultMode: 0o444 } },
    ]);
  });

  it('is a well-behaved Job: bounded retries and time, cleaned up, requests and limits, non-root', () => {
    expect(job.metadata.name).toMatch(/^model-seed-[0-9a-f]{8}$/);
    expect(job.spec).toMatchObject({ backoffLimit: 6, activeDeadlineSeconds: 3600, ttlSecondsAfterFinished: 86400 });
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toEqual({ runAsUser: 65534, runAsGroup: 65534, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.image).toBe('alpine:3.22');
    expect(container.command).toEqual(['/bin/sh', '/etc/model-seed/seed-models.sh']);
    expect(container.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '64Mi', 'ephemeral-storage': '32Mi' },
      limits: { 'cpu': '1', 'memory': '256Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.volumeMounts).toEqual([
      { name: 'models', mountPath: '/models' },
      { name: 'spec', mountPath: '/etc/model-seed', readOnly: true },
    ]);
    expect(Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]))).toEqual({
      SEED_ROOT: '/models',
      SEED_SPEC: '/etc/model-seed',
      SEED_REPOSITORY_SUBPATH: MODEL_REPOSITORY_SUBPATH,
      SEED_STAGING_SUBPATH: '.staging',
      SEED_DOWNLOAD_TIMEOUT: '900',
      SEED_MAX_DOWNLOAD_BYTES: '4294967296',
      SEED_MAX_EXTRACT_BYTES: '4294967296',
      SEED_STALE_SECONDS: '3600',
    });
  });

  it('keeps the Job name for the same content and changes it with the content', () => {
    expect(jobOf(synth({ claimName: 'models-pvc' })).metadata.name).toBe(job.metadata.name);
    const changed = [
      synth({ claimName: 'models-pvc', mirror: 'http://10.0.0.30:8080' }),
      synth({ claimName: 'models-pvc', image: 'alpine:3.21' }),
      synth({ claimName: 'other-pvc' }),
      synth({ claimName: 'models-pvc', models: [{ ...INCEPTION_GRAPHDEF, config: { ...INCEPTION_GRAPHDEF.config, maxBatchSize: 4 } }] }),
    ].map((o) => jobOf(o).metadata.name);
    expect(new Set([job.metadata.name, ...changed]).size).toBe(5);
    // The ConfigMap keeps its name: an older Job that retries reads the newest content.
    expect(synth({ claimName: 'models-pvc', image: 'alpine:3.21' }).find((o) => o.kind === 'ConfigMap').metadata.name).toBe('model-seed');
  });

  it('synthesizes the same YAML twice', () => {
    expect(JSON.stringify(synth({ claimName: 'models-pvc' }))).toBe(JSON.stringify(objects));
  });
});

describe('modelSeedJobPropsFromConfig', () => {
  it('maps the cluster description to the Job props', () => {
    const config = parseClusterConfig({
      namespace: 'ai',
      storage: { claimName: 'repo-pvc' },
      seeding: { mirror: 'http://10.0.0.30:8080/', image: 'registry.lan/alpine:3.22', downloadTimeoutSeconds: 60, activeDeadlineSeconds: 600, runAsUser: 1000 },
    });
    expect(modelSeedJobPropsFromConfig(config)).toEqual({
      claimName: 'repo-pvc',
      namespace: 'ai',
      models: modelCatalog(),
      image: 'registry.lan/alpine:3.22',
      mirror: 'http://10.0.0.30:8080/',
      downloadTimeoutSeconds: 60,
      activeDeadlineSeconds: 600,
      runAsUser: 1000,
      maxDownloadBytes: 4 * 1024 ** 3,
      maxExtractBytes: 4 * 1024 ** 3,
      ttlSecondsAfterFinished: 86400,
      jobAnnotations: {},
    });
  });

  it('passes the size caps to the Job', () => {
    const props = modelSeedJobPropsFromConfig(parseClusterConfig({ seeding: { maxDownloadBytes: 2 ** 30, maxExtractBytes: 3 * 2 ** 30 } }));
    const env = jobOf(synth(props as ModelSeedJobProps)).spec.template.spec.containers[0].env;
    expect(env).toEqual(expect.arrayContaining([
      { name: 'SEED_MAX_DOWNLOAD_BYTES', value: '1073741824' },
      { name: 'SEED_MAX_EXTRACT_BYTES', value: '3221225472' },
    ]));
  });

  it('gives no Job when seeding is off, and no built-in model when those are off', () => {
    expect(modelSeedJobPropsFromConfig(parseClusterConfig({ seeding: { enabled: false } }))).toBeUndefined();
    expect(modelSeedJobPropsFromConfig(parseClusterConfig({ seeding: { builtinModels: false } }))?.models).toEqual([]);
  });

  it('drops runAsNonRoot when told to run as root', () => {
    const props = modelSeedJobPropsFromConfig(parseClusterConfig({ seeding: { runAsUser: 0 } }));
    expect(jobOf(synth(props as ModelSeedJobProps)).spec.template.spec.securityContext).toEqual({ runAsUser: 0, runAsGroup: 0, seccompProfile: { type: 'RuntimeDefault' } });
  });
});

/** The message of what `fn` throws. */
function thrown(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('did not throw');
}

describe('one validation, whoever calls (issue 10.4)', () => {
  const escaping = {
    ...INCEPTION_GRAPHDEF,
    downloads: [{ ...INCEPTION_GRAPHDEF.downloads[0], files: [{ from: 'inception_v3_2016_08_28_frozen.pb', to: '../../../x' }] }],
  };

  it('refuses a file target outside the model folder when the construct is used directly', () => {
    const message = thrown(() => synth({ claimName: 'models-pvc', models: [escaping] }));
    expect(message).toContain('ModelSeedJob.props.models[0].downloads[0].files[0].to: must be a relative path inside the model folder');
    expect(() => synth({ claimName: 'models-pvc', models: [escaping] })).toThrow(ClusterConfigError);
  });

  it('gives one bad sha256 the same wording from cluster.yaml, modelCatalog and the construct', () => {
    const bad = { ...INCEPTION_GRAPHDEF, downloads: [{ ...INCEPTION_GRAPHDEF.downloads[0], sha256: 'ABC' }] };
    const wording = 'must be 64 lower-case hex digits, as printed by sha256sum';
    const fromYaml = thrown(() => parseClusterConfig({ models: [bad] }));
    const fromCatalog = thrown(() => modelCatalog([bad]));
    const fromConstruct = thrown(() => synth({ claimName: 'models-pvc', models: [bad] }));
    expect(fromYaml).toContain(`models[0].downloads[0].sha256: ${wording}`);
    expect(fromCatalog).toBe(`model "inception_graphdef".downloads[0].sha256: ${wording}`);
    expect(fromConstruct).toBe(`invalid ModelSeedJob props: ModelSeedJob.props.models[0].downloads[0].sha256: ${wording}`);
    for (const message of [fromYaml, fromCatalog, fromConstruct]) expect(message.split(wording)).toHaveLength(2);
  });

  it.each([
    [{ claimName: 'Models PVC' }, 'ModelSeedJob.props.claimName: must be a DNS-1123 subdomain'],
    [{ namespace: 'AI' }, 'ModelSeedJob.props.namespace: must be a DNS-1123 label'],
    [{ name: 'x'.repeat(60) }, 'ModelSeedJob.props.name: must be at most 54 characters'],
    [{ image: 'Alpine Linux' }, 'ModelSeedJob.props.image: must be an image reference'],
    [{ mirror: 'ftp://mirror' }, 'ModelSeedJob.props.mirror: must be an http:// or https:// URL'],
    [{ downloadTimeoutSeconds: 1 }, 'ModelSeedJob.props.downloadTimeoutSeconds: must be at least 10 seconds'],
    [{ activeDeadlineSeconds: 1.5 }, 'ModelSeedJob.props.activeDeadlineSeconds: must be a whole number of seconds'],
    [{ backoffLimit: -1 }, 'ModelSeedJob.props.backoffLimit: must be ≥ 0 retries'],
    [{ runAsUser: -1 }, 'ModelSeedJob.props.runAsUser: must be a uid ≥ 0'],
    [{ maxDownloadBytes: 10 }, 'ModelSeedJob.props.maxDownloadBytes: must be at least 1048576 (1 MiB)'],
    [{ maxExtractBytes: 2 ** 60 }, 'ModelSeedJob.props.maxExtractBytes: must be at most 2^52 bytes'],
    [{ resources: { memoryLimit: 'lots' } }, 'ModelSeedJob.props.resources.memoryLimit: must be a Kubernetes quantity'],
    [{ models: [INCEPTION_GRAPHDEF, INCEPTION_GRAPHDEF] }, 'ModelSeedJob.props.models[1].name: "inception_graphdef" is listed twice'],
  ])('names the prop and the fix (%#)', (patch, message) => {
    expect(thrown(() => synth({ claimName: 'models-pvc', ...patch } as ModelSeedJobProps))).toContain(message);
  });

  it('accepts what cluster.yaml accepts', () => {
    const props = modelSeedJobPropsFromConfig(parseClusterConfig({ seeding: { mirror: 'http://10.0.0.30:8080/models' } }));
    expect(() => synth(props as ModelSeedJobProps)).not.toThrow();
  });
});

describe('the seeding ConfigMap stays within what the API server accepts (issue 20.10)', () => {
  /** A model whose inline label file holds `bytes` bytes. */
  const withInline = (name: string, bytes: number) => ({
    name,
    downloads: [{ url: `https://models.example.org/${name}.onnx`, archive: 'file' as const, files: [{ to: '1/model.onnx' }] }],
    inlineFiles: [{ to: 'labels.txt', content: 'x'.repeat(bytes) }],
    config: { backend: 'onnxruntime', input: [{ name: 'x', dataType: 'TYPE_FP32' as const, dims: [1] }], output: [{ name: 'y', dataType: 'TYPE_FP32' as const, dims: [1] }] },
  });
  /** Models whose ConfigMap values add up to exactly `total` bytes. */
  const modelsTotalling = (total: number) => {
    const base = [withInline('a', 200 * 1024), withInline('b', 200 * 1024), withInline('c', 200 * 1024), withInline('d', 200 * 1024), withInline('e', 0)];
    const size = (models: typeof base) => Object.values(seedConfigMapData(models)).reduce((n, v) => n + Buffer.byteLength(v), 0);
    const missing = total - size(base);
    base[4] = withInline('e', missing);
    expect(size(base)).toBe(total);
    return base;
  };

  it('accepts values adding up to exactly 1 MiB (the API server\'s MaxSecretSize)', () => {
    expect(MAX_CONFIG_MAP_DATA_BYTES).toBe(1024 * 1024);
    expect(() => synth({ claimName: 'models-pvc', models: modelsTotalling(MAX_CONFIG_MAP_DATA_BYTES) })).not.toThrow();
  });

  it('refuses one byte more, naming the heaviest models, before the construct joins the tree', () => {
    expect(() => synth({ claimName: 'models-pvc', models: modelsTotalling(MAX_CONFIG_MAP_DATA_BYTES + 1) }))
      .toThrow(/^invalid ModelSeedJob props: ModelSeedJob\.props\.models: the seeding ConfigMap would hold 1\.0 MiB \(1048577 bytes\), over the API server's limit of 1 MiB \(1048576 bytes\); heaviest: e \d+\.\d KiB, a 200\.\d KiB, b 200\.\d KiB; move large inlineFiles to downloads$/);
  });
});

describe('Job fields the API server holds as int32 (issue 20.17, thought further)', () => {
  it.each([
    ['backoffLimit', { backoffLimit: 2 ** 31 }],
    ['ttlSecondsAfterFinished', { ttlSecondsAfterFinished: 2 ** 40 }],
    ['runAsUser', { runAsUser: 2 ** 32 }],
  ])('refuses %s beyond 2147483647', (field, extra) => {
    expect(() => synth({ claimName: 'models-pvc', ...extra })).toThrow(new RegExp(`ModelSeedJob\\.props\\.${field}: must be at most 2147483647`));
  });

  it('accepts 2147483647', () => {
    expect(() => synth({ claimName: 'models-pvc', backoffLimit: 2147483647, ttlSecondsAfterFinished: 2147483647, runAsUser: 2147483647 })).not.toThrow();
  });
});
