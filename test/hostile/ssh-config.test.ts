/**
 * ~/.ssh/config (issue 20.12): what bootstrap takes from it is checked as strictly as the
 * cluster description (it reaches the plan, --tls-san and the kubeconfig URL); ProxyCommand,
 * which bootstrap would silently skip (connecting directly), is refused; Include is followed
 * as ssh follows it at the top level of a file (relative to ~/.ssh, wildcards in the file
 * name, first value wins), with limits, and refused inside a Host or Match block. Two nodes
 * that reach one board are refused.
 */
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadSshConfig, targetResolver } from '../../bootstrap/executor/ssh-config-file';
import { TargetResolver } from '../../bootstrap/plan/targets';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { runCli } from '../client/cli-runner';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();
const ONE_NODE: ClusterConfigInput = { nodes: { server: { name: 'jm-node-1' } } };

function resolve(sshConfigText: string, cluster: ClusterConfigInput = ONE_NODE) {
  return new TargetResolver(parseClusterConfig(cluster), { sshConfigText, homeDir: '/home/me', localUser: 'me' }).nodes();
}

/** [what ~/.ssh/config says for jm-node-1, the one line]. */
const REFUSED: readonly (readonly [string, string, RegExp])[] = [
  ['Port 99999', 'Port 99999', /^~\/\.ssh\/config: Port "99999" for "jm-node-1" must be a TCP port between 1 and 65535; fix it there or set the node's port in the cluster description$/],
  ['Port 0', 'Port 0', /Port "0" for "jm-node-1" must be a TCP port between 1 and 65535/],
  ['Port 22abc', 'Port 22abc', /Port "22abc" for "jm-node-1" must be/],
  ['User -oProxyCommand=…', 'User -oProxyCommand=touch/tmp/pwned', /User "-oProxyCommand=touch\/tmp\/pwned" for "jm-node-1" must be a login name such as "ubuntu"/],
  ['User with a ";"', 'User root;id', /User "root;id" for "jm-node-1" must be a login name/],
  ['HostName with $(...)', 'HostName $(touch${IFS}x)', /HostName "\$\(touch\$\{IFS\}x\)" for "jm-node-1" must be an IPv4 address .* or a hostname .*; fix it there or set the node's address/],
  ['HostName with a space (quoted)', 'HostName "evil.example --tls-san=x"', /HostName "evil.example --tls-san=x" for "jm-node-1" must be an IPv4 address/],
  ['HostName 10.0.0.256', 'HostName 10.0.0.256', /HostName "10\.0\.0\.256" for "jm-node-1" must be an IPv4 address/],
  ['HostName with a %-token', 'HostName %d.lan', /HostName "%d\.lan" for "jm-node-1" must be/],
  ['ProxyCommand', 'ProxyCommand nc %h %p', /^~\/\.ssh\/config: ProxyCommand for "jm-node-1" is not supported \(triton-jetson connects directly or through ProxyJump, and would otherwise bypass it\); use ProxyJump/],
  ['ProxyJump with a ";"', 'ProxyJump gw;touch', /ProxyJump "gw;touch" for "jm-node-1" must be a jump host such as "pi@bastion\.local:22"/],
  ['ProxyJump with a space (quoted)', 'ProxyJump "gw -oProxyCommand=x"', /ProxyJump "gw -oProxyCommand=x" for "jm-node-1" must be a jump host/],
  ['a jump host whose Port is bad', 'ProxyJump gw\nHost gw\n  Port 70000', /Port "70000" for "gw" must be a TCP port/],
  ['IdentityFile with a %-token', 'IdentityFile ~/.ssh/id_%h', /IdentityFile "~\/\.ssh\/id_%h" for "jm-node-1" uses an OpenSSH %-token/],
  // ssh expands ${VAR} in these when connecting (ssh_config(5), ENVIRONMENT VARIABLES); taken literally, the key was not found.
  ['IdentityFile with ${HOME}', 'IdentityFile ${HOME}/.ssh/id_lab', /IdentityFile "\$\{HOME\}\/\.ssh\/id_lab" for "jm-node-1" uses an environment variable \(\$\{\.\.\.\}\), which triton-jetson does not expand; write the path out/],
];

describe('values from ~/.ssh/config are validated like the cluster description\'s', () => {
  test.each(REFUSED)('%s', (_what, lines, message) => {
    expect(() => resolve(`Host jm-node-1\n  ${lines}\n`)).toThrow(message);
  });

  test('accepted: ProxyCommand none, %h in HostName, a ProxyJump chain a,b (b reached through a)', () => {
    const [server] = resolve('Host jm-node-1\n  HostName %h.lan\n  ProxyCommand none\n  ProxyJump pi@gw:2222,inner\nHost inner\n  HostName 10.1.0.1\n  ProxyJump ignored-for-a-chain\n');
    expect(server.ssh.host).toBe('jm-node-1.lan');
    expect(server.ssh.jump).toMatchObject({ alias: 'inner', host: '10.1.0.1', jump: { alias: 'gw', user: 'pi', port: 2222, jump: undefined } });
  });

  test('UserKnownHostsFile with ${XDG_CONFIG_HOME} (ssh expands it) is refused, not taken literally', () => {
    const resolver = new TargetResolver(parseClusterConfig(ONE_NODE), { sshConfigText: 'Host jm-node-1\n  UserKnownHostsFile ${XDG_CONFIG_HOME}/ssh/known_hosts\n', homeDir: '/home/me', localUser: 'me' });
    expect(() => resolver.knownHostsFile('jm-node-1')).toThrow(/^~\/\.ssh\/config: UserKnownHostsFile "\$\{XDG_CONFIG_HOME\}\/ssh\/known_hosts" for "jm-node-1" uses an environment variable/);
  });

  test('a value the node overrides is not used, so not judged', () => {
    const [server] = resolve('Host jm-node-1\n  User -oProxyCommand=x\n  Port 99999\n', { nodes: { server: { name: 'jm-node-1', user: 'ubuntu', port: 2222 } } });
    expect(server.ssh).toMatchObject({ user: 'ubuntu', port: 2222 });
  });

  test('two nodes that reach the same board (through ~/.ssh/config) are refused, naming both', () => {
    const cluster = { nodes: { server: { name: 'jm-node-1' }, agents: [{ name: 'nano-a' }] } };
    expect(() => resolve('Host jm-node-1 nano-a\n  HostName 10.0.0.31\n', cluster))
      .toThrow(/^nodes\.server "jm-node-1" and nodes\.agents\[0\] "nano-a" both reach 10\.0\.0\.31:22 \(through ~\/\.ssh\/config\); one board would get both installs: list each board once$/);
    // Same address, other ports: two boards behind one NAT.
    expect(resolve('Host jm-node-1\n  HostName 10.0.0.31\n  Port 2201\nHost nano-a\n  HostName 10.0.0.31\n  Port 2202\n', cluster)).toHaveLength(2);
  });
});

/**
 * Match criteria triton-jetson cannot evaluate as ssh does (`exec` runs a command, which it
 * never does; a negated criterion; `canonical`, `localnetwork`, `tagged`): counting such a
 * block as "no match" reached a board at another address, port or user than `ssh` (checked
 * against `ssh -G`). Refused when the answer would change what is taken for the node.
 */
const UNDECIDABLE_MATCH: readonly (readonly [string, string, RegExp])[] = [
  ['Match exec setting HostName', 'Match exec "true"\n  HostName 10.0.0.77\n', /^~\/\.ssh\/config: "Match exec true" may set HostName for "jm-node-1", and triton-jetson does not evaluate exec, a negated criterion, canonical, localnetwork or tagged as ssh does; /],
  ['Match with a negated criterion setting Port', 'Match !host other\n  Port 2222\n', /"Match !host other" may set Port for "jm-node-1"/],
  ['Match canonical setting User', 'Match canonical\n  User zed\n', /"Match canonical" may set User for "jm-node-1"/],
  ['Match localnetwork setting ProxyJump', 'Match localnetwork 10.0.0.0/8\n  ProxyJump gw\n', /"Match localnetwork 10\.0\.0\.0\/8" may set ProxyJump for "jm-node-1"/],
  ['Match tagged adding an IdentityFile', 'Match tagged lab\n  IdentityFile ~/.ssh/lab\n', /"Match tagged lab" may set IdentityFile for "jm-node-1"/],
  ['Match host and exec, the host matching', 'Match host jm-node-1 exec "on-lab"\n  HostName 10.0.0.77\n', /"Match host jm-node-1 exec on-lab" may set HostName/],
  ['Match exec setting ProxyCommand', 'Match exec "true"\n  ProxyCommand nc %h %p\n', /may set ProxyCommand for "jm-node-1"/],
];

describe('CanonicalizeHostname, which triton-jetson does not do as ssh does', () => {
  // ssh would reach jm-node-1.lan and apply "Host *.lan" blocks; the tools reached jm-node-1.
  test.each([
    ['set at the top of the file', 'CanonicalizeHostname yes\nCanonicalDomains lan\nHost *.lan\n  User pi\n'],
    ['set for the node (always)', 'Host jm-node-1\n  CanonicalizeHostname always\n  CanonicalDomains lan example.org\n'],
  ])('refused when %s', (_what, text) => {
    expect(() => resolve(text)).toThrow(/^~\/\.ssh\/config: CanonicalizeHostname (yes|always) with CanonicalDomains for "jm-node-1": ssh would look the name up in those domains and apply the Host blocks of the full name, which triton-jetson does not; set the node's address to the full name, or "CanonicalizeHostname no" for this host$/);
  });

  test.each([
    ['without CanonicalDomains', 'CanonicalizeHostname yes\n'],
    ['set to no for the node', 'Host jm-node-1\n  CanonicalizeHostname no\nHost *\n  CanonicalizeHostname yes\n  CanonicalDomains lan\n'],
  ])('accepted %s', (_what, text) => {
    expect(resolve(text)[0].ssh.host).toBe('jm-node-1');
  });

  test('an IPv4 address is not canonicalized (as in ssh)', () => {
    expect(resolve('CanonicalizeHostname yes\nCanonicalDomains lan\n', { nodes: { server: { name: 'jm-node-1', address: '10.0.0.31' } } })[0].ssh.host).toBe('10.0.0.31');
  });
});

describe('Match blocks that triton-jetson cannot evaluate as ssh does', () => {
  test.each(UNDECIDABLE_MATCH)('refused: %s', (_what, text, message) => {
    expect(() => resolve(text)).toThrow(message);
  });

  test.each([
    ['its other criteria exclude the node', 'Match host other exec "true"\n  HostName 10.0.0.77\n'],
    ['it sets nothing triton-jetson takes', 'Match exec "true"\n  ForwardAgent yes\n  ServerAliveInterval 30\n'],
    ['the node sets what it would set', 'Match exec "true"\n  User zed\n  Port 2222\n'],
  ])('accepted when %s', (_what, text) => {
    expect(resolve(text, { nodes: { server: { name: 'jm-node-1', user: 'ubuntu', port: 22 } } })[0].ssh).toMatchObject({ host: 'jm-node-1', user: 'ubuntu', port: 22 });
  });

  test('Match user sees the node\'s user, as `ssh -l <user>` does', () => {
    const text = 'Match user ubuntu\n  HostName 10.0.0.77\n  Port 2222\n';
    expect(resolve(text, { nodes: { server: { name: 'jm-node-1', user: 'ubuntu' } } })[0].ssh).toMatchObject({ host: '10.0.0.77', port: 2222, user: 'ubuntu' });
    expect(resolve(text, { nodes: { server: { name: 'jm-node-1', user: 'pi' } } })[0].ssh).toMatchObject({ host: 'jm-node-1', port: 22, user: 'pi' });
  });
});

/** A HOME with ~/.ssh/config and the files given (relative to ~/.ssh), modes as ssh wants them. */
function home(files: Record<string, string>): string {
  const dir = scratch('ssh-include-');
  for (const [name, text] of Object.entries(files)) {
    const file = join(dir, '.ssh', name);
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return dir;
}

function resolveIn(dir: string, cluster: ClusterConfigInput = ONE_NODE) {
  return targetResolver(parseClusterConfig(cluster), dir, 'me').nodes();
}

describe('Include, as ssh follows it', () => {
  test('relative to ~/.ssh, wildcards in lexical order, hidden files skipped; the first value wins; later top-level lines stay global', () => {
    const dir = home({
      config: 'Include config.d/*\nUser everyone\nHost jm-node-1\n  User later\n  Port 2222\n',
      'config.d/10-jetsons': 'Host jm-node-1\n  HostName 10.0.0.31\n  User first\n',
      'config.d/20-more': 'Host jm-node-1\n  HostName 10.9.9.9\n',
      'config.d/.hidden': 'Host jm-node-1\n  HostName 10.6.6.6\n',
    });
    const [server] = resolveIn(dir);
    expect(server.ssh).toMatchObject({ host: '10.0.0.31', user: 'first', port: 2222 });
    expect(resolveIn(dir, { nodes: { server: { name: 'other-node' } } })[0].ssh.user).toBe('everyone');
    expect(loadSshConfig(join(dir, '.ssh', 'config'), dir)!.files.map((f) => f.slice(dir.length))).toEqual(['/.ssh/config', '/.ssh/config.d/10-jetsons', '/.ssh/config.d/20-more']);
  });

  test('~ and absolute paths; a missing file is skipped, as ssh does', () => {
    const dir = home({ config: 'Include ~/.ssh/nodes /nonexistent/ssh-config\n', nodes: 'Host jm-node-1\n  HostName 10.0.0.32\n' });
    expect(resolveIn(dir)[0].ssh.host).toBe('10.0.0.32');
  });

  test.each([
    ['inside a Host block', { config: 'Host jm-node-1\n  Include nodes\n', nodes: 'HostName 10.0.0.1\n' },
      /config: "Include nodes" inside the "Host jm-node-1" block is a conditional include, which triton-jetson does not follow; move the Include to the top of the file/],
    ['inside a Match block', { config: 'Match user me\n  Include nodes\n', nodes: '' }, /inside the "Match user me" block is a conditional include/],
    ['a file that includes itself', { config: 'Include config\n' }, /Include nested more than 16 levels deep \(a file that includes itself\?\)/],
    ['a wildcard in a folder name', { config: 'Include */nodes\n' }, /has a wildcard in a folder name; triton-jetson follows wildcards in the file name only/],
    // ssh reads ~alice/… as alice's home; taken as a path under ~/.ssh it was missing, so skipped.
    ['another user\'s home (~alice/…)', { config: 'Include ~alice/.ssh/nodes\n' }, /config: Include "~alice\/\.ssh\/nodes" names another user's home folder, which triton-jetson does not follow; write the path out/],
    ['more than 64 files', { config: 'Include many/*\n', ...Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`many/${i}`, '# empty\n'])) }, /Include names more than 64 files in all/],
  ] as const)('refused: %s', (_what, files, message) => {
    expect(() => resolveIn(home(files as Record<string, string>))).toThrow(message);
  });

  test('an included file others can write is refused, as ssh refuses it', () => {
    const dir = home({ config: 'Include nodes\n', nodes: 'Host jm-node-1\n  HostName 10.0.0.1\n' });
    chmodSync(join(dir, '.ssh', 'nodes'), 0o666);
    expect(() => resolveIn(dir)).toThrow(/^SSH config \S+nodes: is writable by other users \(mode 666\); run: chmod go-w /);
  });
});

describe('through the command line', () => {
  test('reading the config never runs a program: ssh-config itself ran nslookup for a Host block that canonicalizes', async () => {
    const dir = home({ config: 'Host jm-node-1\n  CanonicalizeHostname yes\n  CanonicalDomains lan example.org\n' });
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'nslookup'), `#!/bin/sh\ntouch "${join(dir, 'ran')}"\necho 'Name: jm-node-1.lan'\n`, { mode: 0o755 });
    const config = join(dir, 'cluster.yaml');
    writeFileSync(config, stringify(ONE_NODE));
    const result = await runCli(['plan', '--offline', '--config', config], dir, { env: { HOME: dir, PATH: `${bin}:${process.env.PATH}` } });
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^triton-jetson: \S+\/\.ssh\/config: CanonicalizeHostname yes with CanonicalDomains for "jm-node-1"/)]);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
  // With HOME relative (or empty), ~/.ssh and ~/.kube were the working folder's: a cloned
  // repository's .ssh/config sent the board's root scripts to its HostName, under its
  // known_hosts. OpenSSH takes ~/.ssh from the password database, never from a relative HOME.
  test.each([['relative (HOME=.)', '.'], ['empty (HOME=)', '']])('plan --offline with HOME %s: the working folder\'s .ssh/config is not read', async (_what, homeValue) => {
    const dir = home({ config: 'Host jm-node-1\n  HostName 203.0.113.66\n  User evil\n' });
    const config = join(dir, 'cluster.yaml');
    writeFileSync(config, stringify({ nodes: { server: { name: 'jm-node-1', address: 'jm-node-1' } } }));
    const result = await runCli(['plan', '--offline', '--config', config], dir, { env: { HOME: homeValue } });
    expect(result.stdout).not.toMatch(/evil|203\.0\.113\.66/);
    expect(result.stdout).not.toContain(`${dir}/.ssh`);
    expect(result.stdout).not.toMatch(/ \/\.ssh\/known_hosts/);
    expect(result.stdout).toMatch(/@jm-node-1:22 /);
  });
  test('plan --offline with a ProxyCommand host: exit 1, one line naming it', async () => {
    const dir = home({ config: 'Host jm-node-1\n  ProxyCommand ssh -W %h:%p gw\n' });
    const config = join(dir, 'cluster.yaml');
    writeFileSync(config, stringify(ONE_NODE));
    const result = await runCli(['plan', '--offline', '--config', config], dir, { env: { HOME: dir } });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^triton-jetson: \S+\/\.ssh\/config: ProxyCommand for "jm-node-1" is not supported/)]);
  });
});
