import { parseClusterConfig } from '../../lib/config/cluster-config';
import { TargetResolver, parseJumpSpec } from '../../bootstrap/plan/targets';

const SSH_CONFIG = `
Host jm-node-1
  HostName 10.0.0.11
  Port 2200
Host jm-*
  User ubuntu
  IdentityFile ~/.ssh/jetson_ed25519
  ProxyJump pi@gw.local:2222
  UserKnownHostsFile ~/.ssh/known_hosts_jetson
Host gw.local
  IdentityFile ~/.ssh/gw_key
`;

const context = { sshConfigText: SSH_CONFIG, homeDir: '/home/me', localUser: 'me' };

describe('SSH targets', () => {
  test('aliases, users, ports, keys and ProxyJump come from ~/.ssh/config', () => {
    const config = parseClusterConfig({ nodes: { server: { name: 'jm-node-1' }, agents: [{ name: 'jm-node-2' }] } });
    const [server, agent] = new TargetResolver(config, context).nodes();
    expect(server.ssh).toEqual({
      alias: 'jm-node-1', host: '10.0.0.11', port: 2200, user: 'ubuntu', identityFiles: ['/home/me/.ssh/jetson_ed25519'],
      jump: { alias: 'gw.local', host: 'gw.local', port: 2222, user: 'pi', identityFiles: ['/home/me/.ssh/gw_key'], jump: undefined },
    });
    expect(agent.ssh).toMatchObject({ host: 'jm-node-2', port: 22, user: 'ubuntu' });
    expect(agent.role).toBe('agent');
  });

  test('the node\'s own fields win over ~/.ssh/config, which wins over the ssh defaults', () => {
    const config = parseClusterConfig({
      ssh: { user: 'fallback', port: 2022, identityFile: '~/.ssh/default' },
      nodes: {
        server: { name: 'jm-node-1', user: 'root', port: 22, identityFile: '/keys/a', bastion: 'none-needed@10.0.0.1' },
        agents: [{ name: 'other', address: '10.0.0.99' }],
      },
    });
    const [server, other] = new TargetResolver(config, context).nodes();
    expect(server.ssh).toMatchObject({ host: '10.0.0.11', port: 22, user: 'root' });
    expect(server.ssh.identityFiles[0]).toBe('/keys/a');
    expect(server.ssh.jump).toMatchObject({ host: '10.0.0.1', user: 'none-needed', port: 2022 });
    expect(other.ssh).toEqual({ alias: '10.0.0.99', host: '10.0.0.99', port: 2022, user: 'fallback', identityFiles: ['/home/me/.ssh/default'], jump: undefined });
  });

  test('ssh.bastion is every node\'s jump host, not its own (cluster.example.yaml\'s bastion: pi@gateway.lan)', () => {
    const config = parseClusterConfig({
      ssh: { bastion: 'pi@gateway.lan' },
      nodes: { server: { name: 'a', address: '10.0.0.31' }, agents: [{ name: 'b', address: '10.0.0.32', bastion: 'ops@jump2.lan' }] },
    });
    const [server, agent] = new TargetResolver(config, { homeDir: '/home/me', localUser: 'me' }).nodes();
    expect(server.ssh.jump).toEqual({ alias: 'gateway.lan', host: 'gateway.lan', port: 22, user: 'pi', identityFiles: [], jump: undefined });
    expect(agent.ssh.jump).toEqual({ alias: 'jump2.lan', host: 'jump2.lan', port: 22, user: 'ops', identityFiles: [], jump: undefined });
  });

  test('without ~/.ssh/config: the current user, port 22, the default keys', () => {
    const config = parseClusterConfig({ nodes: { server: { name: 'jm-node-1', address: '127.0.0.2' } } });
    const [server] = new TargetResolver(config, { homeDir: '/home/me', localUser: 'me' }).nodes();
    expect(server.ssh).toEqual({ alias: '127.0.0.2', host: '127.0.0.2', port: 22, user: 'me', identityFiles: [], jump: undefined });
  });

  test('known_hosts: UserKnownHostsFile from ~/.ssh/config unless the inventory names one', () => {
    const plain = parseClusterConfig({ nodes: { server: { name: 'jm-node-1' } } });
    expect(new TargetResolver(plain, context).knownHostsFile('jm-node-1')).toBe('/home/me/.ssh/known_hosts_jetson');
    const explicit = parseClusterConfig({ nodes: { server: { name: 'jm-node-1' } }, ssh: { knownHostsFile: '/etc/ssh/ssh_known_hosts' } });
    expect(new TargetResolver(explicit, context).knownHostsFile('jm-node-1')).toBe('/etc/ssh/ssh_known_hosts');
  });

  test('jump specs', () => {
    expect(parseJumpSpec('pi@gw:2222')).toEqual({ user: 'pi', host: 'gw', port: 2222 });
    expect(parseJumpSpec('gw')).toEqual({ user: undefined, host: 'gw' });
  });

  test('no nodes: a clear error', () => {
    expect(() => new TargetResolver(parseClusterConfig({}), context).nodes()).toThrow(/nodes: missing/);
  });
});
