/**
 * Pod customization (lib/types/pod.ts) on the three workloads, from construct props and from
 * cluster.yaml: rendered where Kubernetes reads it, never in a selector, and refused in one
 * line per problem where Kubernetes (or the workload itself) would not take it.
 */
import { Chart, Testing } from 'cdk8s';
import {
  ClusterConfigError, ModelSeedJob, NfsProvisioner, parseClusterConfig, PodOptions, TritonDaemonSet,
} from '../../lib';
import { ManifestValidator, schemaAvailable } from '../support/k8s-schema';
import { findManifest, Manifest, podSpec } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';
import { testApp } from './helpers';

const OPTIONS: PodOptions = {
  imagePullSecrets: ['registry-cred'],
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  priorityClassName: 'jetson-critical',
  env: [{ name: 'TZ', value: 'UTC' }, { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'tokens', key: 'triton' } } }],
  podAnnotations: { 'example.com/owner': 'ml-team' },
  podLabels: { team: 'ml' },
};

function expectCustomized(workload: Manifest, ownEnv: string[]): void {
  const spec = podSpec(workload);
  expect(spec.imagePullSecrets).toEqual([{ name: 'registry-cred' }]);
  expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
  expect(spec.priorityClassName).toBe('jetson-critical');
  const env = spec.containers[0].env as Array<{ name: string }>;
  // The workload's own variables first, then the extra ones.
  expect(env.map((e) => e.name)).toEqual([...ownEnv, 'TZ', 'TOKEN']);
  expect(env[env.length - 1]).toEqual({ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'tokens', key: 'triton' } } });
  expect(workload.spec.template.metadata.annotations['example.com/owner']).toBe('ml-team');
  expect(workload.spec.template.metadata.labels.team).toBe('ml');
  // Labels for the pods, never for the selector (immutable on DaemonSets and Deployments).
  expect(JSON.stringify(workload.spec.selector ?? {})).not.toContain('team');
}

describe('pod customization of each workload, from its props', () => {
  const chart = new Chart(testApp(), 'app', { disableResourceNameHashes: true });
  new TritonDaemonSet(chart, 'triton', OPTIONS);
  new NfsProvisioner(chart, 'nfs', OPTIONS);
  new ModelSeedJob(chart, 'seed', { claimName: 'models-pvc', ...OPTIONS });
  const manifests = Testing.synth(chart) as Manifest[];

  test('the Triton DaemonSet', () => {
    const ds = findManifest(manifests, 'DaemonSet');
    expectCustomized(ds, ['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES']);
    // Its own scrape annotations stay.
    expect(ds.spec.template.metadata.annotations['prometheus.io/scrape']).toBe('true');
  });

  test('the NFS provisioner', () => expectCustomized(findManifest(manifests, 'Deployment'), ['PROVISIONER_NAME', 'NFS_SERVER', 'NFS_PATH']));

  test('the seeding Job', () => {
    expectCustomized(findManifest(manifests, 'Job'), [
      'SEED_ROOT', 'SEED_SPEC', 'SEED_REPOSITORY_SUBPATH', 'SEED_STAGING_SUBPATH', 'SEED_DOWNLOAD_TIMEOUT',
      'SEED_MAX_DOWNLOAD_BYTES', 'SEED_MAX_EXTRACT_BYTES', 'SEED_STALE_SECONDS',
    ]);
  });

  (schemaAvailable() ? test : test.skip)('each workload with every option is valid against the Kubernetes 1.27 schema (strict)', () => {
    const validator = new ManifestValidator();
    for (const [kind, name] of [['DaemonSet', 'triton'], ['Deployment', undefined], ['Job', undefined]] as const) {
      expect({ kind, problems: validator.validate(findManifest(manifests, kind, name)) }).toEqual({ kind, problems: [] });
    }
  });

  test('without options, no trace of them', () => {
    const plain = new Chart(testApp(), 'plain', { disableResourceNameHashes: true });
    new TritonDaemonSet(plain, 'triton');
    const spec = podSpec(findManifest(Testing.synth(plain) as Manifest[], 'DaemonSet'));
    for (const field of ['imagePullSecrets', 'tolerations', 'priorityClassName']) expect(spec[field]).toBeUndefined();
    // Only Triton's own variables: how the NVIDIA runtime gives it the GPU.
    expect(spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual(['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES']);
  });
});

describe('pod customization from cluster.yaml', () => {
  const manifests = synthManifests(VARIANTS['pod customization and GitOps']);

  test.each([['DaemonSet', 'triton'], ['Deployment', 'nfs-subdir-external-provisioner'], ['Job', undefined]])('reaches the %s', (kind, name) => {
    const spec = podSpec(findManifest(manifests, kind, name));
    expect(spec.imagePullSecrets).toEqual([{ name: 'registry-cred' }]);
    expect(spec.priorityClassName).toBe('jetson-critical');
    expect(spec.tolerations).toHaveLength(1);
  });

  test('each section keeps its own values', () => {
    expect(podSpec(findManifest(manifests, 'Job')).tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoExecute', tolerationSeconds: 600 }]);
    expect(podSpec(findManifest(manifests, 'Job')).containers[0].env.at(-1)).toEqual({ name: 'HTTPS_PROXY', valueFrom: { secretKeyRef: { name: 'proxy', key: 'url', optional: true } } });
    expect(podSpec(findManifest(manifests, 'DaemonSet')).containers[0].env).toEqual([
      { name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }, { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'all' }, { name: 'TZ', value: 'UTC' }, { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
    ]);
  });
});

describe('refused in one line per problem, naming the field', () => {
  test.each([
    ['a variable the seeding Job sets', { seeding: { env: [{ name: 'SEED_ROOT', value: '/x' }] } }, 'seeding.env[0].name: "SEED_ROOT" is set by the workload itself'],
    ['a variable the provisioner sets', { provisioner: { env: [{ name: 'NFS_SERVER', value: 'x' }] } }, 'provisioner.env[0].name: "NFS_SERVER" is set by the workload itself'],
    ['the GPU variable Triton sets', { triton: { env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'none' }] } }, 'triton.env[0].name: "NVIDIA_VISIBLE_DEVICES" is set by the workload itself'],
    ['a variable twice', { triton: { env: [{ name: 'A', value: '1' }, { name: 'A', value: '2' }] } }, 'triton.env[1].name: "A" is listed twice'],
    ['a bad variable name', { triton: { env: [{ name: '1A', value: '1' }] } }, 'triton.env[0].name: must be an environment variable name'],
    ['value and valueFrom', { triton: { env: [{ name: 'A', value: '1', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] } }, 'triton.env[0]: give either "value" or "valueFrom"'],
    ['two sources', { triton: { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' }, secretKeyRef: { name: 's', key: 'k' } } }] } }, 'triton.env[0].valueFrom: give exactly one of'],
    ['a pod field the API server does not offer', { triton: { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.foo' } } }] } }, 'triton.env[0].valueFrom.fieldRef.fieldPath: must be one of metadata.name,'],
    ['a label subscript that is no label key', { seeding: { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "metadata.labels['bad key']" } } }] } }, 'seeding.env[0].valueFrom.fieldRef.fieldPath: must be one of'],
    ['a subscript of another field', { provisioner: { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: "spec.nodeName['x']" } } }] } }, 'provisioner.env[0].valueFrom.fieldRef.fieldPath: must be one of'],
    ['a selector label', { triton: { podLabels: { app: 'other' } } }, 'triton.podLabels.app: is a label the stack sets'],
    ['a recommended label', { seeding: { podLabels: { 'app.kubernetes.io/name': 'x' } } }, 'seeding.podLabels.app.kubernetes.io/name: is a label the stack sets'],
    ['Triton\'s scrape annotation', { triton: { podAnnotations: { 'prometheus.io/port': '9000' } } }, 'triton.podAnnotations.prometheus.io/port: is an annotation the workload sets'],
    ['a toleration of every key that is not Exists', { triton: { tolerations: [{ effect: 'NoSchedule' }] } }, 'triton.tolerations[0].operator: must be "Exists" when no key is given'],
    ['a value with Exists', { triton: { tolerations: [{ key: 'a', operator: 'Exists', value: 'b' }] } }, 'triton.tolerations[0].value: must be left out with operator "Exists"'],
    ['tolerationSeconds without NoExecute', { triton: { tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] } }, 'triton.tolerations[0].tolerationSeconds: only applies to effect "NoExecute"'],
    ['a pull secret that is no name', { provisioner: { imagePullSecrets: ['Registry Cred'] } }, 'provisioner.imagePullSecrets[0]: must be a DNS-1123 subdomain'],
    ['a priority class that is no name', { seeding: { priorityClassName: 'High!' } }, 'seeding.priorityClassName: must be a DNS-1123 subdomain'],
  ])('%s', (_what, input, expected) => {
    let error: unknown;
    try {
      parseClusterConfig(input);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect((error as ClusterConfigError).issues.find((i) => i.startsWith(expected))).toBeDefined();
  });

  test('every pod field Kubernetes 1.27 offers an env variable is taken', () => {
    const fieldPaths = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.podIP',
      'status.podIPs', "metadata.labels['app.kubernetes.io/name']", "metadata.annotations['example.com/owner']"];
    const config = parseClusterConfig({ triton: { env: fieldPaths.map((fieldPath, i) => ({ name: `F${i}`, valueFrom: { fieldRef: { fieldPath } } })) } });
    expect(config.triton.env?.map((e) => e.valueFrom?.fieldRef?.fieldPath)).toEqual(fieldPaths);
  });

  test('the construct props name the construct', () => {
    const chart = new Chart(testApp(), 'app');
    expect(() => new TritonDaemonSet(chart, 't', { podLabels: { app: 'x' } })).toThrow(/TritonDaemonSet\.props\.podLabels\.app: is a label the stack sets/);
    expect(() => new ModelSeedJob(chart, 's', { claimName: 'c', env: [{ name: 'SEED_SPEC', value: 'x' }] })).toThrow(/ModelSeedJob\.props\.env\[0\]\.name: "SEED_SPEC" is set by the workload itself/);
    expect(() => new NfsProvisioner(chart, 'n', { tolerations: [{ key: 'a', operator: 'Exists', value: 'v' }] })).toThrow(/NfsProvisioner\.props\.tolerations\[0\]\.value/);
  });
});
