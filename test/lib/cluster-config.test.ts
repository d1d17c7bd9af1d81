import { readFileSync } from 'node:fs';
import { ClusterConfigError, parseClusterConfig, parseClusterConfigYaml, resolveClusterConfigPath } from '../../lib';
import { compareQuantities, kubeletAcceptsLabel, parseQuantity } from '../../lib/config/validators';

function issuesOf(yaml: string): string[] {
  try {
    parseClusterConfigYaml(yaml, 'cluster.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterConfigError);
    return [...(err as ClusterConfigError).issues];
  }
  throw new Error('expected the cluster description to be rejected');
}

describe('cluster description', () => {
  test('an empty description is the tutorial cluster', () => {
    const config = parseClusterConfig({});
    expect(config.nfs).toEqual({ server: '10.0.0.30', path: '/var/nfs/general' });
    expect(config.storage).toMatchObject({ claimName: 'models-pvc', size: '10Gi' });
    expect(config.provisioner).toMatchObject({ enabled: true, storageClassName: 'nfs-client' });
    expect(config.triton).toMatchObject({ name: 'triton', image: 'janakiramm/triton-jetson', ports: { http: 8000, grpc: 8001, metrics: 8002 } });
    expect(config.service).toMatchObject({ name: 'triton', nodePorts: { http: 30800, grpc: 30801, metrics: 30802 }, externalTrafficPolicy: 'Cluster' });
    expect(parseClusterConfigYaml('')).toEqual(config);
  });

  test('keeps given values and fills the rest', () => {
    const config = parseClusterConfigYaml('nfs:\n  server: nas.lan\nservice:\n  nodePorts:\n    http: 31000\n');
    expect(config.nfs).toEqual({ server: 'nas.lan', path: '/var/nfs/general' });
    expect(config.service.nodePorts).toEqual({ http: 31000, grpc: 30801, metrics: 30802 });
  });

  test.each([
    ['a bad IP address', 'nfs:\n  server: 10.0.0.300\n', 'nfs.server: must be an IPv4 address'],
    ['a bad hostname', 'nfs:\n  server: nas_server!\n', 'nfs.server: must be an IPv4 address (e.g. "10.0.0.30") or a hostname'],
    ['a relative NFS path', 'nfs:\n  path: var/nfs\n', 'nfs.path: must be an absolute path'],
    ['a NodePort below the range', 'service:\n  nodePorts:\n    http: 8000\n', 'service.nodePorts.http: must be within the NodePort range 30000-32767'],
    ['a NodePort above the range', 'service:\n  nodePorts:\n    grpc: 40000\n', 'service.nodePorts.grpc: must be within the NodePort range 30000-32767'],
    ['a duplicated NodePort', 'service:\n  nodePorts:\n    grpc: 30800\n', 'service.nodePorts.grpc: duplicates http (30800)'],
    ['a duplicated container port', 'triton:\n  ports:\n    metrics: 8000\n', 'triton.ports.metrics: duplicates http (8000)'],
    ['a name that is not DNS-1123', 'storage:\n  claimName: Models_PVC\n', 'storage.claimName: must be a DNS-1123 subdomain'],
    ['a Service name that is not a DNS label', 'service:\n  name: triton.svc\n', 'service.name: must be a DNS-1123 label'],
    ['a malformed quantity', 'storage:\n  size: ten gigs\n', 'storage.size: must be a Kubernetes quantity such as "10Gi"'],
    ['a malformed memory request', 'triton:\n  resources:\n    memoryLimit: 3GB\n', 'triton.resources.memoryLimit: must be a Kubernetes quantity'],
    ['an unknown top-level key', 'tritn:\n  image: x\n', 'tritn: unknown key; remove it or fix its spelling'],
    ['an unknown nested key', 'service:\n  nodeport: 30800\n', 'service.nodeport: unknown key'],
    ['a wrong type', 'provisioner:\n  enabled: "yes"\n', 'provisioner.enabled: expected boolean'],
    ['a bad traffic policy', 'service:\n  externalTrafficPolicy: Nearest\n', 'service.externalTrafficPolicy:'],
    ['a duplicated YAML key', 'nfs:\n  server: 10.0.0.30\n  server: 10.0.0.31\n', 'YAML Map keys must be unique'],
  ])('rejects %s, naming the field and the fix', (_what, yaml, expected) => {
    const issues = issuesOf(yaml);
    expect(issues.join('\n')).toContain(expected);
  });

  test('reports every problem at once', () => {
    const issues = issuesOf('nfs:\n  server: 300.1.1.1\nstorage:\n  size: lots\nservice:\n  nodePorts:\n    http: 1\n');
    expect(issues).toHaveLength(3);
  });

  test('the error message names the file: one line for one problem, a list for several', () => {
    expect(() => parseClusterConfigYaml('nfs:\n  path: x\n', 'site/cluster.yaml')).toThrow(/^invalid cluster description site\/cluster\.yaml: nfs\.path: must be an absolute path[^\n]*$/);
    expect(() => parseClusterConfigYaml('nfs:\n  path: x\n  server: 300.1.1.1\n', 'site/cluster.yaml')).toThrow(/invalid cluster description site\/cluster\.yaml:\n {2}- nfs\.server/);
  });
});

describe('node labels the kubelet accepts at registration', () => {
  test.each(['node.kubernetes.io/instance-type', 'gpu.node.kubernetes.io/model', 'kubelet.kubernetes.io/x', 'topology.kubernetes.io/zone', 'example.com/zone', 'zone'])('%s is accepted', (key) => {
    expect(kubeletAcceptsLabel(key)).toBe(true);
    expect(parseClusterConfig({ nodes: { server: { name: 'jm-node-1', labels: { [key]: 'a' } } } }).nodes!.server.labels).toEqual({ [key]: 'a' });
  });
  test.each(['kubernetes.io/role', 'node-role.kubernetes.io/worker', 'k8s.io/x', 'feature.k8s.io/gpu', 'node-restriction.kubernetes.io/pool'])('%s is refused', (key) => {
    expect(kubeletAcceptsLabel(key)).toBe(false);
  });
});

describe('cluster.example.yaml', () => {
  const example = parseClusterConfigYaml(readFileSync(`${__dirname}/../../cluster.example.yaml`, 'utf-8'), 'cluster.example.yaml');

  test('is valid and shows the defaults it claims to show', () => {
    const { nodes, ...rest } = example;
    expect(nodes?.agents.map((a) => a.name)).toEqual(['jm-node-2', 'jm-node-3', 'jm-node-4']);
    const { nodes: _none, ...defaults } = parseClusterConfig({});
    expect(rest).toEqual(defaults);
  });

  test('every key it shows commented out is accepted too: uncommented, the file still parses', () => {
    const lines = readFileSync(`${__dirname}/../../cluster.example.yaml`, 'utf-8').split('\n');
    // "  # key: value" and "  #   - item" under a key; prose comments ("# Pod customization: ...") have no "key:" first.
    const commented = /^\s+# ( *)([a-zA-Z][\w.]*:(\s|$)|- )/;
    expect(lines.filter((l) => commented.test(l)).length).toBeGreaterThan(30);
    const all = parseClusterConfigYaml(lines.map((l) => (commented.test(l) ? l.replace('# ', '') : l)).join('\n'), 'cluster.example.yaml, uncommented');
    expect(all.seeding.catalogModels).toEqual(['densenet_onnx']);
    expect(all.triton.tolerations).toHaveLength(1);
    expect(all.triton.env?.map((e) => e.name)).toEqual(['TZ', 'HTTPS_PROXY']);
    expect(all.ssh.bastion).toBe('pi@gateway.lan');
    expect(all.k3s.tokenFile).toBeDefined();
    expect(all.nodes?.agents.map((a) => a.name)).toContain('orin-1');
    expect(all.nfsServer.exportOptions).toBe('rw,sync,no_subtree_check,no_root_squash');
  });
});

describe('resolveClusterConfigPath: how every command finds the description', () => {
  test.each([
    ['--config wins', 'site.yaml', { TRITON_JETSON_CONFIG: 'env.yaml' }, { file: 'site.yaml', required: true, origin: '--config' }],
    ['then $TRITON_JETSON_CONFIG', undefined, { TRITON_JETSON_CONFIG: 'env.yaml' }, { file: 'env.yaml', required: true, origin: '$TRITON_JETSON_CONFIG' }],
    ['an empty variable counts as unset', undefined, { TRITON_JETSON_CONFIG: '' }, { file: 'cluster.yaml', required: false, origin: 'default' }],
    ['then ./cluster.yaml, optional', undefined, {}, { file: 'cluster.yaml', required: false, origin: 'default' }],
  ] as [string, string | undefined, NodeJS.ProcessEnv, object][])('%s', (_what, flag, env, expected) => {
    expect(resolveClusterConfigPath(flag, env)).toEqual(expected);
  });

  test('an empty --config is an error naming the flag', () => {
    expect(() => resolveClusterConfigPath('', {})).toThrow(/^--config: is empty; give the cluster description file/);
  });
});

describe('Kubernetes quantities are compared exactly', () => {
  test.each([
    ['1Gi', '1024Mi', 0], ['3073Mi', '3Gi', 1], ['0.5', '500m', 0], ['1e3', '1k', 0], ['1.5Gi', '1536Mi', 0],
    ['1k', '1Ki', -1], ['100m', '0.1', 0], ['.5', '0.5', 0], ['1E', '1e18', 0], ['999m', '1', -1],
  ] as [string, string, number][])('%s vs %s', (a, b, expected) => {
    expect(compareQuantities(a, b)).toBe(expected);
  });

  test.each(['', '1.5.5', 'Gi', '10 Gi', '1e31', '1e-31', '1Gb', '-1', '1.5e3Mi', `${'9'.repeat(65)}`])('rejects %j', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
