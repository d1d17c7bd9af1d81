import { parseClusterConfig } from '../../lib/config/cluster-config';
import { DEFAULT_K3S_VERSION, clusterNodes } from '../../lib/config/inventory-schema';

describe('inventory schema', () => {
  test('defaults: the tutorial\'s runtime and disabled components, a pinned K3s ≤ 1.34', () => {
    const config = parseClusterConfig({ nodes: { server: { name: 'jm-node-1' } } });
    expect(config.k3s).toMatchObject({ runtime: 'docker', version: DEFAULT_K3S_VERSION, disable: ['servicelb', 'traefik'], labelJetsonNodes: true });
    expect(DEFAULT_K3S_VERSION).toMatch(/^v1\.(3[0-4]|[12]\d)\.\d+\+k3s\d+$/);
    expect(config.kubeconfig).toEqual({ context: 'triton-jetson', setCurrentContext: true });
    expect(config.ssh).toMatchObject({ configFile: '~/.ssh/config', knownHostsFile: '~/.ssh/known_hosts' });
    expect(config.hostPrep.installNfsCommon).toBe(true);
  });

  test.each([
    [{ k3s: { version: 'v1.35.0+k3s1' } }, /k3s.version: must be v1.34 or older/],
    [{ k3s: { version: '1.34.1' } }, /k3s.version: must be a K3s release/],
    [{ k3s: { extraArgs: ['--a b; rm -rf /'] } }, /k3s\.extraArgs\[0\]: must be a K3s flag/],
    [{ nodes: { server: { name: 'a' }, agents: [{ name: 'a' }] } }, /nodes\.agents\[0\]\.name: duplicate node name "a"/],
    [{ nodes: { server: { name: 'a', bastion: 'bad host!' } } }, /nodes.server.bastion: must be a jump host/],
    [{ ssh: { proxy: 'x' } }, /ssh.proxy: unknown key/],
  ])('rejects %j', (input, message) => {
    expect(() => parseClusterConfig(input)).toThrow(message);
  });

  test('clusterNodes stays stable: server first, address defaults to the name', () => {
    const config = parseClusterConfig({ nodes: { server: { name: 'jm-node-1', address: '10.0.0.11' }, agents: [{ name: 'jm-node-2' }] } });
    expect(clusterNodes(config)).toEqual([
      { name: 'jm-node-1', address: '10.0.0.11', role: 'server' },
      { name: 'jm-node-2', address: 'jm-node-2', role: 'agent' },
    ]);
  });
});
