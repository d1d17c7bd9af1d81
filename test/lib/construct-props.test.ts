/**
 * One validation, whoever calls: constructs used directly from another cdk8s app refuse
 * what cluster.yaml refuses, naming `<Construct>.props.<field>`, before joining the tree.
 */
import { Chart, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { testApp } from './helpers';
import {
  ClusterConfigError, K3sUpgradePlans, ModelStore, NfsProvisioner, TritonDaemonSet, TritonNetworkPolicy, TritonJetsonStack, TritonService, parseClusterConfig,
} from '../../lib';

type Build = (scope: Construct) => unknown;
const cases: [string, Build, string, Record<string, unknown>][] = [
  // [what, construct call, field named in the error, the same mistake in cluster.yaml form]
  ['a relative NFS path', (s) => new NfsProvisioner(s, 'p', { nfsPath: '../../x' }), 'NfsProvisioner.props.nfsPath', { nfs: { path: '../../x' } }],
  ['a bad NFS server', (s) => new NfsProvisioner(s, 'p', { nfsServer: '10.0.0.300' }), 'NfsProvisioner.props.nfsServer', { nfs: { server: '10.0.0.300' } }],
  ['a bad image', (s) => new NfsProvisioner(s, 'p', { image: 'Bad Image' }), 'NfsProvisioner.props.image', { provisioner: { image: 'Bad Image' } }],
  ['a bad provisioner name', (s) => new NfsProvisioner(s, 'p', { provisionerName: 'a b' }), 'NfsProvisioner.props.provisionerName', { provisioner: { provisionerName: 'a b' } }],
  ['a bad namespace', (s) => new NfsProvisioner(s, 'p', { namespace: 'Kube_System' }), 'NfsProvisioner.props.namespace', { namespace: 'Kube_System' }],
  ['a zero claim size', (s) => new ModelStore(s, 'm', { size: '0' }), 'ModelStore.props.size', { storage: { size: '0' } }],
  ['a malformed claim size', (s) => new ModelStore(s, 'm', { size: '10 GB' }), 'ModelStore.props.size', { storage: { size: '10 GB' } }],
  ['a bad claim name', (s) => new ModelStore(s, 'm', { claimName: '../x' }), 'ModelStore.props.claimName', { storage: { claimName: '../x' } }],
  ['a NodePort outside the range', (s) => new TritonService(s, 't', { nodePorts: { http: 80, grpc: 30801, metrics: 30802 } }), 'TritonService.props.nodePorts.http', { service: { nodePorts: { http: 80 } } }],
  ['duplicated NodePorts', (s) => new TritonService(s, 't', { nodePorts: { http: 30800, grpc: 30800, metrics: 30802 } }), 'TritonService.props.nodePorts.grpc', { service: { nodePorts: { grpc: 30800 } } }],
  ['a bad Service name', (s) => new TritonService(s, 't', { name: 'triton.svc' }), 'TritonService.props.name', { service: { name: 'triton.svc' } }],
  ['a bad traffic policy', (s) => new TritonService(s, 't', { externalTrafficPolicy: 'Nearest' as 'Local' }), 'TritonService.props.externalTrafficPolicy', { service: { externalTrafficPolicy: 'Nearest' } }],
  ['a memory request above the limit', (s) => new TritonJetsonStack(s, 'x', { triton: { resources: { memoryRequest: '4Gi', memoryLimit: '3Gi' } } }), 'TritonJetsonStack.props.triton.resources.memoryRequest', { triton: { resources: { memoryRequest: '4Gi', memoryLimit: '3Gi' } } }],
  ['a bad Triton image', (s) => new TritonDaemonSet(s, 't', { image: 'x; rm -rf /' }), 'TritonDaemonSet.props.image', { triton: { image: 'x; rm -rf /' } }],
  ['a Triton flag that is no flag', (s) => new TritonDaemonSet(s, 't', { extraArgs: ['$(reboot)'] }), 'TritonDaemonSet.props.extraArgs[0]', { triton: { extraArgs: ['$(reboot)'] } }],
  ['a bad node label', (s) => new TritonDaemonSet(s, 't', { nodeSelector: { 'bad key!': 'x' } }), 'TritonDaemonSet.props.nodeSelector.bad key!', { triton: { nodeSelector: { 'bad key!': 'x' } } }],
  ['clashing Triton ports', (s) => new TritonDaemonSet(s, 't', { ports: { http: 8000, grpc: 8000, metrics: 8002 } }), 'TritonDaemonSet.props.ports.grpc', { triton: { ports: { grpc: 8000, http: 8000 } } }],
  ['an ephemeral-storage request above the default limit', (s) => new TritonDaemonSet(s, 't', { resources: { ephemeralStorageRequest: '3Gi' } }), 'TritonDaemonSet.props.resources.ephemeralStorageRequest', { triton: { resources: { ephemeralStorageRequest: '3Gi' } } }],
  ['a bad RuntimeClass', (s) => new TritonDaemonSet(s, 't', { runtimeClassName: 'Nvidia GPU' }), 'TritonDaemonSet.props.runtimeClassName', { triton: { runtimeClassName: 'Nvidia GPU' } }],
  ['a NetworkPolicy port out of range', (s) => new TritonNetworkPolicy(s, 'n', { triton: { podSelector: { app: 'triton' } }, apiServerPorts: [70000] }), 'TritonNetworkPolicy.props.apiServerPorts[0]', { networkPolicy: { apiServerPorts: [70000] } }],
  ['a URL with a password', (s) => new TritonJetsonStack(s, 'x', { seeding: { mirror: 'https://u:p@mirror.lan/m' } }), 'TritonJetsonStack.props.seeding.mirror', { seeding: { mirror: 'https://u:p@mirror.lan/m' } }],
  ['a negative minReadySeconds', (s) => new TritonDaemonSet(s, 't', { minReadySeconds: -1 }), 'TritonDaemonSet.props.minReadySeconds', { triton: { minReadySeconds: -1 } }],
  ['a tagged k3s-upgrade image', (s) => new K3sUpgradePlans(s, 'u', { upgradeImage: 'rancher/k3s-upgrade:latest' }), 'K3sUpgradePlans.props.upgradeImage', { upgrades: { systemUpgradeController: { upgradeImage: 'rancher/k3s-upgrade:latest' } } }],
  ['a K3s version that is no release', (s) => new K3sUpgradePlans(s, 'u', { version: 'latest' }), 'K3sUpgradePlans.props.version', { k3s: { version: 'latest' } }],
];

describe('construct props are validated as cluster.yaml is', () => {
  test.each(cases)('%s', (_what, build, field, asClusterYaml) => {
    const chart = new Chart(testApp(), 'test');
    let error: unknown;
    try {
      build(chart);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ClusterConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toContain(`${field}: `);
    // Nothing half-built is left in the tree.
    expect(chart.node.children).toHaveLength(0);
    // And the description form of the same mistake is refused too.
    expect(() => parseClusterConfig(asClusterYaml)).toThrow(ClusterConfigError);
  });

  test('unknown props (a typo from JavaScript) are refused', () => {
    const chart = new Chart(testApp(), 'test');
    expect(() => new ModelStore(chart, 'm', { sise: '5Gi' } as never)).toThrow(/ModelStore\.props\.sise: unknown key/);
  });

  test('TritonNetworkPolicy: an empty pod selector (every pod of the namespace) is refused', () => {
    const chart = new Chart(testApp(), 'test');
    expect(() => new TritonNetworkPolicy(chart, 'n', { triton: { podSelector: {} } })).toThrow(/TritonNetworkPolicy\.props\.triton\.podSelector: select the workload by at least one label/);
    expect(() => new TritonNetworkPolicy(chart, 'm', { triton: { podSelector: { app: 'triton' } }, modelSeed: { podSelector: { 'bad key!': 'x' } } })).toThrow(/TritonNetworkPolicy\.props\.modelSeed\.podSelector\.bad key!: key must be a label key/);
    expect(chart.node.children).toHaveLength(0);
  });

  test('TritonDaemonSet: a subPath outside the claim and a startup timeout that is no Duration are refused', () => {
    const chart = new Chart(testApp(), 'test');
    expect(() => new TritonDaemonSet(chart, 'a', { modelRepositorySubPath: '../other-claim' })).toThrow(/TritonDaemonSet\.props\.modelRepositorySubPath: must be a relative path/);
    expect(() => new TritonDaemonSet(chart, 'b', { modelRepositorySubPath: '/etc' })).toThrow(/modelRepositorySubPath/);
    expect(() => new TritonDaemonSet(chart, 'c', { startupTimeout: 600 as never })).toThrow(/TritonDaemonSet\.props\.startupTimeout: must be a cdk8s Duration/);
    // Values the API server (an int32 failureThreshold) or tritonserver (an int poll interval) would refuse.
    expect(() => new TritonDaemonSet(chart, 'e', { startupTimeout: Duration.days(30000) })).toThrow(/TritonDaemonSet\.props\.startupTimeout: must be between 10 seconds and 24 hours/);
    expect(() => new TritonDaemonSet(chart, 'f', { repositoryPollSeconds: 2 ** 40 })).toThrow(/TritonDaemonSet\.props\.repositoryPollSeconds: must be at most 86400 seconds/);
    expect(chart.node.children).toHaveLength(0);
  });

  test('valid props still build', () => {
    const chart = new Chart(testApp(), 'test');
    new ModelStore(chart, 'm', { size: '1.5Gi', claimName: 'repo' });
    new TritonService(chart, 't', { nodePorts: { http: 31000, grpc: 31001, metrics: 31002 }, externalTrafficPolicy: 'Local' });
    new NfsProvisioner(chart, 'p', { nfsServer: 'nas.lan', nfsPath: '/srv/nfs' });
    new TritonDaemonSet(chart, 'd', { startupTimeout: Duration.minutes(20), modelRepositorySubPath: 'repository', resources: { ephemeralStorageLimit: '8Gi' } });
    expect(chart.node.children).toHaveLength(4);
  });
});
