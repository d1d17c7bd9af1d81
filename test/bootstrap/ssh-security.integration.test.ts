/**
 * SSH trust: host keys are checked against known_hosts (unknown → refuse unless
 * --trust-new-hosts, which records the key; changed → always refuse), a key the node does
 * not accept fails with the fix, ~/.ssh/config aliases work, and ProxyJump goes through one
 * shared jump connection.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '../support/prereq';
import { startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

describeWith(FAKE_HOST_PREREQUISITES)('SSH host keys, client keys, aliases and jump hosts', () => {
  let fixture: JetsonHosts;
  const workspaces: Workspace[] = [];
  const workspace = (knownHosts?: string) => {
    const ws = makeWorkspace(fixture, knownHosts);
    workspaces.push(ws);
    return ws;
  };

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 2 });
  });
  afterAll(async () => {
    await fixture?.stop();
    for (const ws of workspaces) ws.remove();
  });

  test('unknown host: refused with the fix; nothing recorded', async () => {
    const ws = workspace('');
    const run = await bootstrap(ws, clusterFor(fixture), { dryRun: true });
    expect(run.summary.ok).toBe(false);
    for (const host of fixture.hosts) {
      // The hint names the known_hosts file in use (here the workspace's, not ~/.ssh/known_hosts).
      expect(hostSummary(run, host.name).error).toBe(
        `root@${host.address}:22: host key not in ${ws.knownHostsPath} (ssh-ed25519); check it, then rerun with --trust-new-hosts to record it, or add it with: ssh-keyscan -p 22 ${host.address} >> ${ws.knownHostsPath}`,
      );
    }
    expect(readFileSync(ws.knownHostsPath, 'utf-8')).toBe('');
  });

  test('--trust-new-hosts records the keys (not in a dry run) and later runs check them', async () => {
    const ws = workspace('');
    const dry = await bootstrap(ws, clusterFor(fixture), { dryRun: true, trustNewHosts: true });
    expect(dry.summary.ok).toBe(true);
    expect(readFileSync(ws.knownHostsPath, 'utf-8')).toBe('');
    const real = await bootstrap(ws, clusterFor(fixture, 'root', { hostPrep: { installNfsCommon: false } }), { trustNewHosts: true });
    expect(real.summary.hosts.every((h) => h.status === 'ok')).toBe(true);
    const recorded = readFileSync(ws.knownHostsPath, 'utf-8');
    for (const host of fixture.hosts) {
      expect(recorded).toContain(host.knownHostsLine.trim());
      // OpenSSH itself finds the recorded key.
      expect(execFileSync('ssh-keygen', ['-F', host.address, '-f', ws.knownHostsPath], { encoding: 'utf-8' })).toContain(host.hostPublicKey.split(' ')[1]);
    }
    const again = await bootstrap(ws, clusterFor(fixture), { dryRun: true });
    expect(again.summary.ok).toBe(true);
  });

  test('changed host key: refused even with --trust-new-hosts', async () => {
    const keyDir = workspace().home;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keyDir, 'other')]);
    const otherKey = readFileSync(join(keyDir, 'other.pub'), 'utf-8').split(' ').slice(0, 2).join(' ');
    const [server, agent] = fixture.hosts;
    const ws = workspace(`${server.address} ${otherKey}\n${agent.knownHostsLine}\n`);
    const run = await bootstrap(ws, clusterFor(fixture), { dryRun: true, trustNewHosts: true });
    expect(hostSummary(run, server.name).error).toBe(
      `root@${server.address}:22: HOST KEY CHANGED for ${server.address} in ${ws.knownHostsPath} — refusing to connect (possible man-in-the-middle). If the board was reflashed, remove the old key with: ssh-keygen -f ${ws.knownHostsPath} -R ${server.address}`,
    );
    expect(hostSummary(run, agent.name).status).toBe('ok');
    expect(readFileSync(ws.knownHostsPath, 'utf-8')).toBe(`${server.address} ${otherKey}\n${agent.knownHostsLine}\n`);
  });

  test('a key the node does not accept: authentication error with the fix', async () => {
    const ws = workspace();
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(ws.home, 'wrong_key')]);
    const cluster = clusterFor(fixture);
    cluster.ssh = { ...cluster.ssh, identityFile: join(ws.home, 'wrong_key') };
    const run = await bootstrap(ws, cluster, { dryRun: true });
    for (const host of fixture.hosts) {
      expect(hostSummary(run, host.name).error).toMatch(new RegExp(`^root@${host.address}:22: authentication failed \\(tried .*wrong_key\\); install your public key on the node \\(ssh-copy-id -p 22 root@${host.address}\\)`));
    }
    cluster.ssh = { ...cluster.ssh, identityFile: join(ws.home, 'missing_key') };
    const missing = await bootstrap(ws, cluster, { dryRun: true });
    expect(missing.summary.hosts[0].error).toMatch(/identity file .*missing_key does not exist/);
  });

  test('~/.ssh/config aliases (HostName, User, IdentityFile) and ProxyJump', async () => {
    const [server, agent] = fixture.hosts;
    // The agent's HostName "jm-node-2" resolves only on the fake hosts (their /etc/hosts),
    // not on this machine: connecting at all proves the jump host opened the connection.
    const ws = workspace(`${fixture.knownHosts}\njm-node-2 ${agent.hostPublicKey}\n`);
    mkdirSync(join(ws.home, '.ssh'), { recursive: true });
    writeFileSync(join(ws.home, '.ssh', 'config'), [
      'Host jm-node-*',
      '  User root',
      `  IdentityFile ${fixture.clientPrivateKeyPath}`,
      'Host jm-node-1',
      `  HostName ${server.address}`,
      'Host jm-node-2',
      '  HostName jm-node-2',
      '  ProxyJump jm-node-1',
      '',
    ].join('\n'));
    const run = await bootstrap(ws, {
      nodes: { server: { name: 'jm-node-1' }, agents: [{ name: 'jm-node-2' }] },
      ssh: { connectTimeoutSeconds: 5 },
    }, { dryRun: true });
    expect(run.summary.ok).toBe(true);
    expect(hostSummary(run, 'jm-node-1')).toMatchObject({ address: server.address, sshHandshakes: 1 });
    expect(hostSummary(run, 'jm-node-1').via).toBeUndefined();
    expect(hostSummary(run, 'jm-node-2')).toMatchObject({ address: 'jm-node-2', sshHandshakes: 1, via: `root@${server.address}:22` });
    expect(hostSummary(run, 'jm-node-2').checks.find((c) => c.name === 'arch')?.status).toBe('ok');
    expect(run.log).toContain('[jm-node-2] connecting to root@jm-node-2:22');
  });
});
