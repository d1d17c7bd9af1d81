import { App, Chart, Testing } from 'cdk8s';
import { parseClusterConfig } from '../../lib/config';
import { INCEPTION_GRAPHDEF, modelCatalog } from '../../lib/model-catalog';
import { MODEL_REPOSITORY_SUBPATH, ModelSeedJob, ModelSeedJobProps, modelSeedJobPropsFromConfig } from '../../lib/model-seed-job';
import { SEED_MODELS_SCRIPT } from '../../lib/seed/seed-models-script';

function synth(props: ModelSeedJobProps): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
  const app = new App();
  const chart = new Chart(app, 'test', { disableResourceNameHashes: true });
  new ModelSeedJob(chart, 'seed', props);
  return Testing.synth(chart);
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
      labels: { 'app.kubernetes.io/name': 'model-seed', 'app.kubernetes.io/part-of': 'triton-jetson' },
    });
    expect(Object.keys(configMap.data)).toEqual(['inception_graphdef.config.pbtxt', 'models.list', 'seed-models.sh']);
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
    });
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
