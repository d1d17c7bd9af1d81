import { Duration } from 'cdk8s';
import type { ClusterConfigInput } from '../../lib/config';
import { TritonDaemonSet, tritonArgs } from '../../lib';
import { TRITON_KUBE_SCORE_IGNORES, TRITON_MODEL_REPOSITORY_PATH } from '../../lib/triton-daemon-set';
import { invariantViolations } from '../support/invariants';
import { Manifest, podSpec } from '../support/manifests';
import { synthManifests } from '../support/synth';
import { synthConstruct } from './helpers';

/** The checks a manifest tells kube-score to skip (its `kube-score/ignore` annotation). */
const kubeScoreIgnores = (m: Manifest): string[] => ((m.metadata as { annotations?: Record<string, string> }).annotations?.['kube-score/ignore'] ?? '').split(',').filter((c) => c !== '');

function daemonSet(props: ConstructorParameters<typeof TritonDaemonSet>[2] = {}): Manifest {
  const manifests = synthConstruct((scope) => new TritonDaemonSet(scope, 'triton', props));
  expect(manifests).toHaveLength(1);
  return manifests[0];
}

describe('TritonDaemonSet', () => {
  const ds = daemonSet();
  const spec = podSpec(ds);
  const container = spec.containers[0];

  test('matches the snapshot', () => {
    expect(ds).toMatchSnapshot();
    expect(invariantViolations([ds])).toEqual([]);
  });

  test('selects pods by the stable app label only', () => {
    expect(ds.metadata.name).toBe('triton');
    expect(ds.spec.selector).toEqual({ matchLabels: { app: 'triton' } });
    expect(ds.spec.template.metadata.labels).toMatchObject({ app: 'triton' });
    expect(Object.keys(ds.spec.template.metadata.labels).some((k) => k.startsWith('cdk8s.io'))).toBe(false);
  });

  test('runs as root with Triton\'s own requests, pull policy and HTTP startup probe', () => {
    expect(container.securityContext).toMatchObject({ runAsNonRoot: false, readOnlyRootFilesystem: false });
    expect(spec.securityContext.runAsNonRoot).toBe(false);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(container.resources).toEqual({
      requests: { 'cpu': '1', 'memory': '1536Mi', 'ephemeral-storage': '256Mi' },
      limits: { 'memory': '3Gi', 'ephemeral-storage': '2Gi' },
    });
    expect(container.startupProbe.tcpSocket).toBeUndefined();
    expect(container.startupProbe.httpGet).toEqual({ path: '/v2/health/live', port: 8000, scheme: 'HTTP' });
  });

  test('is hardened where Triton allows it, and tells kube-score why not elsewhere', () => {
    expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(container.securityContext).toMatchObject({ privileged: false, allowPrivilegeEscalation: false });
    expect(kubeScoreIgnores(ds)).toEqual([
      'container-image-pull-policy', 'container-image-tag', 'container-resources',
      'container-security-context-readonlyrootfilesystem', 'container-security-context-user-group-id',
    ]);
    const sized = daemonSet({ resources: { ephemeralStorageRequest: '1Gi', ephemeralStorageLimit: '8Gi' }, imagePullPolicy: 'Always' });
    expect(podSpec(sized).containers[0].resources.requests['ephemeral-storage']).toBe('1Gi');
    expect(podSpec(sized).containers[0].resources.limits['ephemeral-storage']).toBe('8Gi');
    expect(podSpec(daemonSet({ seccompProfile: 'Unconfined' })).securityContext.seccompProfile).toEqual({ type: 'Unconfined' });
    // Always pulls: nothing to ignore about the pull policy.
    expect(kubeScoreIgnores(sized)).not.toContain('container-image-pull-policy');
  });

  test('probes Triton\'s health endpoints and tolerates minutes of model loading', () => {
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/v2/health/live');
    const startup = container.startupProbe;
    expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(600);
    const longer = podSpec(daemonSet({ startupTimeout: Duration.minutes(20) })).containers[0].startupProbe;
    expect(longer.periodSeconds * longer.failureThreshold).toBe(1200);
  });

  test('runs on arm64 nodes only, one node at a time on updates, with scrape annotations', () => {
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] }] },
    ]);
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    // The next board waits until the new pod has been Ready for a minute (docs/operations.md).
    expect(ds.spec.minReadySeconds).toBe(60);
    expect(daemonSet({ minReadySeconds: 0 }).spec.minReadySeconds).toBe(0);
    expect(daemonSet({ minReadySeconds: 300 }).spec.minReadySeconds).toBe(300);
    for (const bad of [-1, 1.5, 3601, Number.NaN]) {
      expect(() => daemonSet({ minReadySeconds: bad })).toThrow(/TritonDaemonSet\.props\.minReadySeconds/);
    }
    expect(ds.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '8002', 'prometheus.io/path': '/metrics',
    });
    expect(spec.runtimeClassName).toBeUndefined();
  });

  test('mounts the shared models read-only (the claim\'s repository folder, where the seeding Job publishes) and /dev/shm in memory', () => {
    expect(container.volumeMounts).toEqual([
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'models', mountPath: TRITON_MODEL_REPOSITORY_PATH, subPath: 'repository', readOnly: true },
    ]);
    // "" mounts the claim's root, for a repository laid out by hand.
    expect(podSpec(daemonSet({ modelRepositorySubPath: '' })).containers[0].volumeMounts[1].subPath).toBeUndefined();
  });

  test('takes runtime class, node labels, ports, resources and extra args from its props', () => {
    const custom = daemonSet({
      runtimeClassName: 'nvidia', nodeSelector: { 'triton-jetson.dev/jetson': 'true' },
      ports: { http: 9000, grpc: 9001, metrics: 9002 }, extraArgs: ['--log-verbose=1'],
      resources: { cpuRequest: '500m', memoryRequest: '1Gi', memoryLimit: '2Gi' }, image: 'registry.lan/triton-jetson:2.19.0',
      modelRepositorySubPath: 'repository', name: 'inference',
    });
    const customSpec = podSpec(custom);
    const c = customSpec.containers[0];
    expect(customSpec.runtimeClassName).toBe('nvidia');
    expect(customSpec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'kubernetes.io/arch', operator: 'In', values: ['arm64'] },
      { key: 'triton-jetson.dev/jetson', operator: 'In', values: ['true'] },
    ]);
    expect(c.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([9000, 9001, 9002]);
    expect(c.args).toEqual(expect.arrayContaining(['--http-port=9000', '--grpc-port=9001', '--metrics-port=9002']));
    expect(c.args[c.args.length - 1]).toBe('--log-verbose=1');
    expect(c.readinessProbe.httpGet.port).toBe(9000);
    expect(c.resources).toEqual({
      requests: { 'cpu': '500m', 'memory': '1Gi', 'ephemeral-storage': '256Mi' },
      limits: { 'memory': '2Gi', 'ephemeral-storage': '2Gi' },
    });
    // A user's own image: its tag is theirs, and kube-score checks it.
    expect(kubeScoreIgnores(custom)).toEqual([...TRITON_KUBE_SCORE_IGNORES, 'container-image-pull-policy'].sort());
    expect(c.volumeMounts[1].subPath).toBe('repository');
    expect(custom.spec.selector.matchLabels).toEqual({ app: 'inference' });
    expect(custom.spec.template.metadata.annotations['prometheus.io/port']).toBe('9002');
    // Alone, the construct knows no model: Triton's own readiness (--strict-readiness=false).
    expect(c.readinessProbe.httpGet.path).toBe('/v2/health/ready');
  });

  test('readinessModel: the readiness probe asks for that model; argsPrefix goes before the flags, the ENTRYPOINT stays', () => {
    const c = podSpec(daemonSet({ readinessModel: 'densenet_onnx', argsPrefix: ['tritonserver'] })).containers[0];
    expect(c.readinessProbe.httpGet.path).toBe('/v2/models/densenet_onnx/ready');
    expect(c.command).toBeUndefined();
    expect(c.args.slice(0, 2)).toEqual(['tritonserver', '--min-supported-compute-capability=5.3']);
    expect(c.env).toEqual([{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }, { name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'all' }]);
    expect(() => daemonSet({ readinessModel: '../x' })).toThrow(/TritonDaemonSet\.props\.readinessModel/);
  });
});

describe('tritonArgs', () => {
  test('are the tutorial\'s flags plus repository polling, and keep serving when a model fails', () => {
    expect(tritonArgs()).toEqual([
      '--min-supported-compute-capability=5.3',
      '--model-repository=/opt/triton/models',
      '--backend-config=tensorflow,version=2',
      '--model-control-mode=poll',
      '--repository-poll-secs=15',
      '--exit-on-error=false',
      '--strict-readiness=false',
    ]);
    expect(tritonArgs({ repositoryPollSeconds: 60 })).toContain('--repository-poll-secs=60');
  });
});

describe('TritonDaemonSet from cluster.yaml', () => {
  test('triton.minReadySeconds paces the rolling update of every Triton DaemonSet', () => {
    const daemonSets = (triton: object) => synthManifests({ triton } as ClusterConfigInput).filter((m) => m.kind === 'DaemonSet');
    expect(daemonSets({}).map((d) => d.spec.minReadySeconds)).toEqual([60]);
    expect(daemonSets({ minReadySeconds: 120 }).map((d) => d.spec.minReadySeconds)).toEqual([120]);
    // Per-profile DaemonSets (docs/profiles.md) take the same setting.
    expect(daemonSets({ minReadySeconds: 15, profiles: ['jetpack4', 'jetpack5'], images: { jetpack5: 'registry.lan/triton-jetson:2.35.0-jetpack5.1.2' } })
      .map((d) => [d.metadata.name, d.spec.minReadySeconds]))
      .toEqual([['triton-jetpack4', 15], ['triton-jetpack5', 15]]);
    expect(() => synthManifests({ triton: { minReadySeconds: -5 } })).toThrow(/triton\.minReadySeconds/);
    expect(() => synthManifests({ triton: { minReadySeconds: '60' } } as unknown as ClusterConfigInput)).toThrow(/triton\.minReadySeconds/);
  });

  test('triton.resources sizes Triton\'s ephemeral storage', () => {
    const ds = synthManifests({ triton: { resources: { ephemeralStorageRequest: '1Gi', ephemeralStorageLimit: '10Gi' } } })
      .find((m) => m.kind === 'DaemonSet')!;
    expect(podSpec(ds).containers[0].resources).toEqual({
      requests: { 'cpu': '1', 'memory': '1536Mi', 'ephemeral-storage': '1Gi' },
      limits: { 'memory': '3Gi', 'ephemeral-storage': '10Gi' },
    });
  });
});
