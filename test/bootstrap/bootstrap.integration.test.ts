/**
 * The whole of step 1 on four fake Jetson Nanos (real sshd, own /etc per host): dry run
 * touches nothing, bootstrap builds the cluster, a second run changes nothing, reset undoes it.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describeWith } from '../support/prereq';
import { JETPACK_DAEMON_JSON, startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, reset, type Workspace } from './harness';
import { DEFAULT_K3S_VERSION } from '../../lib/config/inventory-schema';

const OTHER_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: work
  cluster: { server: 'https://work.example:6443' }
users:
- name: work
  user: { token: abc }
contexts:
- name: work
  context: { cluster: work, user: work }
current-context: work
`;

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describeWith(FAKE_HOST_PREREQUISITES)('bootstrap of four fake Jetson Nanos', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  const names = ['jm-node-1', 'jm-node-2', 'jm-node-3', 'jm-node-4'];

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 4, installerDelayMs: 1500 });
    ws = makeWorkspace(fixture);
    mkdirSync(join(ws.home, '.kube'), { recursive: true });
    writeFileSync(ws.kubeconfigPath, OTHER_KUBECONFIG, { mode: 0o644 });
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  /** SSH logins each host's sshd accepted so far (its log), to count handshakes server-side. */
  const logins = () => fixture.hosts.map((h) => readFileSync(join(h.dir, 'sshd.log'), 'utf-8').split('\n').filter((l) => l.includes('Accepted publickey')).length);

  const changingCalls = async () => (await Promise.all(fixture.hosts.map((h) => h.calls())))
    .flat()
    .filter((c) => ['k3s-install', 'apt-get'].includes(c.program) || (c.program === 'systemctl' && /^(restart|start|stop|enable)$/.test(c.argv[0] ?? '')));

  test('dry run prints every step per host and touches nothing', async () => {
    const run = await bootstrap(ws, clusterFor(fixture), { dryRun: true });
    expect(run.summary.ok).toBe(true);
    for (const name of names) {
      const host = hostSummary(run, name);
      const titles = host.plannedSteps!.map((s) => s.title);
      expect(titles).toEqual(expect.arrayContaining([
        'install nfs-common',
        expect.stringMatching(/^make nvidia Docker's default runtime: daemon.json default-runtime \(unset\) → nvidia/),
        expect.stringMatching(/^install K3s v1.34.12\+k3s1/),
      ]));
      const install = host.plannedSteps!.find((s) => s.title.startsWith('install K3s'))!;
      expect(install.script).toContain('export K3S_TOKEN=<redacted>');
      expect(install.script).toContain(name === 'jm-node-1' ? 'server --docker --disable servicelb --disable traefik' : 'agent --docker');
    }
    expect(await changingCalls()).toEqual([]);
    for (const host of fixture.hosts) {
      expect(await host.readFile('/etc/docker/daemon.json')).toBe(JETPACK_DAEMON_JSON);
      expect(await host.exists('/etc/docker/daemon.json.triton-jetson.bak')).toBe(false);
    }
    expect(existsSync(join(ws.home, '.triton-jetson'))).toBe(false);
    expect(readFileSync(ws.kubeconfigPath, 'utf-8')).toBe(OTHER_KUBECONFIG);
  });

  test('bootstrap: daemon.json, nfs-common, K3s server + 3 agents, kubeconfig, all Ready', async () => {
    // Watch the machine's process list while it runs: all fake hosts share its PID namespace.
    const seenArgs = new Set<string>();
    const watcher = setInterval(() => {
      for (const line of execFileSync('ps', ['-eo', 'args'], { encoding: 'utf-8' }).split('\n')) seenArgs.add(line);
    }, 50);
    const loginsBefore = logins();
    const run = await bootstrap(ws, clusterFor(fixture)).finally(() => clearInterval(watcher));
    // One SSH connection per host for the whole run, as each sshd saw it.
    expect(logins().map((n, i) => n - loginsBefore[i])).toEqual([1, 1, 1, 1]);

    expect(run.summary.ok).toBe(true);
    expect(run.summary.nodes).toEqual({ ready: names, notReady: [] });
    const tokenFile = join(ws.home, '.triton-jetson', 'triton-jetson', 'token');
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf-8').trim();
    expect(token).toMatch(/^[0-9a-f]{64}$/);

    // The token is in no process argv, no log line and no summary.
    expect([...seenArgs].filter((a) => a.includes(token))).toEqual([]);
    expect([...seenArgs].some((a) => a.includes('sh -s'))).toBe(true);
    expect(run.log.join('\n')).not.toContain(token);
    expect(JSON.stringify(run.summary)).not.toContain(token);

    for (const host of fixture.hosts) {
      const summary = hostSummary(run, host.name);
      expect(summary.sshHandshakes).toBe(1);
      expect(summary.changed).toEqual(expect.arrayContaining(['installed nfs-common', expect.stringMatching(/^daemon.json/), expect.stringMatching(/K3s v1.34.12\+k3s1/)]));
      const daemon = JSON.parse(await host.readFile('/etc/docker/daemon.json'));
      expect(daemon).toEqual({ ...JSON.parse(JETPACK_DAEMON_JSON), 'default-runtime': 'nvidia' });
      expect(await host.readFile('/etc/docker/daemon.json.triton-jetson.bak')).toBe(JETPACK_DAEMON_JSON);
      expect((await host.run("docker info --format '{{.DefaultRuntime}}'")).stdout.trim()).toBe('nvidia');
      expect(await host.installedPackages()).toContain('nfs-common');

      const installs = (await host.calls()).filter((c) => c.program === 'k3s-install');
      expect(installs).toHaveLength(1);
      const [install] = installs;
      expect(install.uid).toBe(0);
      expect(install.env.K3S_TOKEN_SHA256).toBe(sha256(token));
      expect(install.env.INSTALL_K3S_VERSION).toBe('v1.34.12+k3s1');
      expect(install.argv).toContain('--docker');
      expect(install.argv).toContain(`--node-name=${host.name}`);
      expect(install.argv).toContain('--node-label=triton-jetson.dev/jetson=true');
      if (host.index === 0) {
        expect(install.argv.slice(0, 6)).toEqual(['server', '--docker', '--disable', 'servicelb', '--disable', 'traefik']);
        expect(install.env.K3S_KUBECONFIG_MODE).toBe('644');
      } else {
        expect(install.argv[0]).toBe('agent');
        expect(install.env.K3S_URL).toBe(`https://${fixture.hosts[0].address}:6443`);
      }
    }
    const nodes = await fixture.clusterNodes(fixture.hosts[0].address);
    expect(nodes.map((n) => [n.name, n.ready, n.runtime])).toEqual(names.map((n) => [n, true, 'docker://20.10.7']));
    // The label users put in triton.nodeSelector is on every verified Jetson.
    expect(nodes.map((n) => n.labels['triton-jetson.dev/jetson'])).toEqual(['true', 'true', 'true', 'true']);

    // Agents installed while the server installed: each agent's installer started before the
    // server's K3s did (the server's installer takes 1.5 s), and agents started after it.
    const serverStart = (await fixture.hosts[0].calls()).find((c) => c.program === 'k3s' && c.argv[0] === 'server')!.t;
    for (const agent of fixture.hosts.slice(1)) {
      const calls = await agent.calls();
      expect(calls.find((c) => c.program === 'k3s-install')!.t).toBeLessThan(serverStart);
      expect(calls.find((c) => c.program === 'k3s' && c.argv[0] === 'agent')!.t).toBeGreaterThan(serverStart);
    }

    // kubeconfig merged beside the existing context, mode 0600, pointing at the server.
    expect(statSync(ws.kubeconfigPath).mode & 0o777).toBe(0o600);
    const kubeconfig = parse(readFileSync(ws.kubeconfigPath, 'utf-8'));
    expect(kubeconfig['current-context']).toBe('triton-jetson');
    expect(kubeconfig.contexts.map((c: { name: string }) => c.name)).toEqual(['work', 'triton-jetson']);
    expect(kubeconfig.clusters[1].cluster.server).toBe(`https://${fixture.hosts[0].address}:6443`);
    expect(kubeconfig.users[1].user['client-key-data']).toBeTruthy();
  });

  test('second run changes nothing', async () => {
    const before = await changingCalls();
    const kubeconfigBefore = readFileSync(ws.kubeconfigPath, 'utf-8');
    const mtime = statSync(ws.kubeconfigPath).mtimeMs;
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(true);
    for (const host of run.summary.hosts) {
      expect(host.changed).toEqual([]);
      expect(host.unchanged).toEqual(expect.arrayContaining([
        'nfs-common already installed',
        'daemon.json already sets default-runtime nvidia; Docker uses it',
        expect.stringMatching(/K3s v1.34.12\+k3s1 \((server|agent)\) already installed with these settings and running/),
      ]));
      expect(host.sshHandshakes).toBe(1);
    }
    expect(await changingCalls()).toEqual(before);
    expect(readFileSync(ws.kubeconfigPath, 'utf-8')).toBe(kubeconfigBefore);
    expect(statSync(ws.kubeconfigPath).mtimeMs).toBe(mtime);
    expect(run.summary.kubeconfig?.changed).toBe(false);
  });

  test('a lost local token is recovered from the server, so nothing is reinstalled', async () => {
    const tokenFile = join(ws.home, '.triton-jetson', 'triton-jetson', 'token');
    const token = readFileSync(tokenFile, 'utf-8');
    rmSync(join(ws.home, '.triton-jetson'), { recursive: true });
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(true);
    expect(run.summary.hosts.map((h) => h.changed)).toEqual([[], [], [], []]);
    expect(readFileSync(tokenFile, 'utf-8')).toBe(token);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(run.log).toContain(`[local] recovered the cluster token from jm-node-1 into ${tokenFile} (mode 0600)`);
    expect(run.log.join('\n')).not.toContain(token.trim());
  });

  test('a node label lost since registration is set again through the API', async () => {
    await fixture.hosts[0].run('/usr/local/bin/k3s kubectl label node jm-node-3 triton-jetson.dev/jetson-');
    expect((await fixture.clusterNodes(fixture.hosts[0].address))[2].labels['triton-jetson.dev/jetson']).toBeUndefined();
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.hosts.map((h) => h.changed)).toEqual([[], [], ['node labels set: triton-jetson.dev/jetson=true'], []]);
    expect((await fixture.clusterNodes(fixture.hosts[0].address))[2].labels['triton-jetson.dev/jetson']).toBe('true');
  });

  test('stopped K3s services come back on a rerun, as with K3s\' own install.sh (issue 12.9)', async () => {
    // install.sh (and the fixture's installer, which follows it) skips starting a service
    // whose binary, unit and env file did not change: the rerun must start it anyway.
    const [server, agent] = fixture.hosts;
    await server.run('systemctl stop k3s');
    await agent.run('systemctl stop k3s-agent');
    expect([await server.serviceState('k3s'), await agent.serviceState('k3s-agent')]).toEqual(['inactive', 'inactive']);
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(true);
    expect(run.summary.nodes).toEqual({ ready: names, notReady: [] });
    expect(hostSummary(run, server.name).changed).toEqual([`K3s ${DEFAULT_K3S_VERSION} (server) was not running: installer rerun with the same settings, service started`]);
    expect(hostSummary(run, agent.name).changed).toEqual([
      `K3s ${DEFAULT_K3S_VERSION} (agent) was not running: installer rerun with the same settings, service started`,
      `started k3s-agent (joined https://${server.address}:6443)`,
    ]);
    expect(run.summary.hosts.slice(2).map((h) => h.changed)).toEqual([[], []]);
    expect([await server.serviceState('k3s'), await agent.serviceState('k3s-agent')]).toEqual(['active', 'active']);
    const serverInstall = (await server.calls()).filter((c) => c.program === 'k3s-install').pop();
    expect(serverInstall?.env).toMatchObject({ INSTALL_K3S_FORCE_RESTART: 'true' });
  });

  test('a changed setting reinstalls only what it affects', async () => {
    const cluster = clusterFor(fixture, 'root', { k3s: { agentArgs: ['--kubelet-arg=max-pods=60'] } });
    const run = await bootstrap(ws, cluster);
    expect(run.summary.ok).toBe(true);
    expect(hostSummary(run, 'jm-node-1').changed).toEqual([]);
    for (const name of names.slice(1)) {
      expect(hostSummary(run, name).changed).toEqual([
        'K3s v1.34.12+k3s1 → v1.34.12+k3s1 (agent, settings updated)',
        `started k3s-agent (joined https://${fixture.hosts[0].address}:6443)`,
      ]);
    }
  });

  test('an older k3s.version than installed is refused (K3s cannot downgrade)', async () => {
    const run = await bootstrap(ws, clusterFor(fixture, 'root', { k3s: { version: 'v1.33.5+k3s1' } }), { dryRun: true });
    expect(run.summary.ok).toBe(false);
    for (const host of run.summary.hosts) {
      expect(host.error).toMatch(/^K3s v1.34.12\+k3s1 is installed, newer than k3s.version v1.33.5\+k3s1; K3s does not support downgrades/);
    }
  });

  test('reset uninstalls K3s, restores daemon.json and removes only our kubeconfig context', async () => {
    const dry = await reset(ws, clusterFor(fixture), { dryRun: true });
    expect(dry.summary.hosts[0].plannedSteps!.map((s) => s.title)).toEqual([
      'uninstall K3s (k3s-uninstall.sh / k3s-agent-uninstall.sh)', 'restore /etc/docker/daemon.json from its backup',
    ]);
    expect(await fixture.hosts[0].exists('/usr/local/bin/k3s')).toBe(true);

    const run = await reset(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(true);
    for (const host of fixture.hosts) {
      expect(hostSummary(run, host.name).changed).toEqual([
        `K3s uninstalled (${host.index === 0 ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh'})`,
        'daemon.json restored from backup; Docker restarted',
      ]);
      expect(await host.readFile('/etc/docker/daemon.json')).toBe(JETPACK_DAEMON_JSON);
      expect(await host.exists('/etc/docker/daemon.json.triton-jetson.bak')).toBe(false);
      expect(await host.exists('/usr/local/bin/k3s')).toBe(false);
      expect((await host.run("docker info --format '{{.DefaultRuntime}}'")).stdout.trim()).toBe('runc');
    }
    const kubeconfig = parse(readFileSync(ws.kubeconfigPath, 'utf-8'));
    expect(kubeconfig.contexts.map((c: { name: string }) => c.name)).toEqual(['work']);
    // The context bootstrap replaced is current again (issue 12.6), not "".
    expect(kubeconfig['current-context']).toBe('work');
    expect(run.summary.kubeconfig?.currentContext).toBe('current context restored to "work" (the one bootstrap replaced)');

    const again = await reset(ws, clusterFor(fixture));
    for (const host of again.summary.hosts) {
      expect(host.changed).toEqual([]);
      expect(host.unchanged).toEqual(['K3s was not installed', 'daemon.json has no backup (never changed by triton-jetson)']);
    }
  });
});
