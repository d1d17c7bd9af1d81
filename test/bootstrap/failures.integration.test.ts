/**
 * One bad node must not stop the others: malformed daemon.json, an unreachable node and a
 * failing installer each fail their own node with a clear error while the rest proceed.
 */
import { describeWith } from '../support/prereq';
import { startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

const MALFORMED = '{\n    "runtimes": {\n        "nvidia": { "path": "nvidia-container-runtime" }\n    },\n}\n';

describeWith(FAKE_HOST_PREREQUISITES)('bootstrap with failing nodes', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;

  beforeAll(async () => {
    fixture = await startJetsonHosts({
      hosts: [{}, { daemonJson: MALFORMED }, { unreachable: true }, { installerFailure: 'Download failed: simulated network error' }, {}],
    });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('each failure stays on its node; the healthy nodes form the cluster', async () => {
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(false);
    const [server, malformed, unreachable, failing, healthy] = fixture.hosts;

    const m = hostSummary(run, malformed.name);
    expect(m.status).toBe('failed');
    expect(m.error).toMatch(/^\/etc\/docker\/daemon.json is not valid JSON \(.+\); fix it by hand, the file was left untouched$/);
    expect(await malformed.readFile('/etc/docker/daemon.json')).toBe(MALFORMED);
    expect(await malformed.exists('/etc/docker/daemon.json.triton-jetson.bak')).toBe(false);
    expect((await malformed.calls()).filter((c) => c.program === 'k3s-install' || (c.program === 'systemctl' && c.argv[0] === 'restart'))).toEqual([]);

    const u = hostSummary(run, unreachable.name);
    expect(u.status).toBe('failed');
    expect(u.error).toBe(`root@${unreachable.address}:22: cannot connect (ECONNREFUSED); check the address/port and that sshd runs`);
    expect(u.sshHandshakes).toBe(0);

    const f = hostSummary(run, failing.name);
    expect(f.status).toBe('failed');
    expect(f.error).toMatch(/^k3s-install failed \(exit 1\): .*Download failed: simulated network error/s);
    expect(f.changed).toEqual(expect.arrayContaining([expect.stringMatching(/^daemon.json/)]));

    for (const ok of [server, healthy]) expect(hostSummary(run, ok.name).status).toBe('ok');
    expect(run.summary.nodes).toEqual({ ready: [server.name, healthy.name], notReady: [] });
    const registered = await fixture.clusterNodes(server.address);
    expect(registered.map((n) => n.name)).toEqual([server.name, healthy.name]);
    expect(run.log).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^\\[${malformed.name}\\] FAILED: /etc/docker/daemon.json is not valid JSON`))]));
  });

  test('after fixing the file and the installer, a rerun finishes only what was missing', async () => {
    const [, malformed, , failing] = fixture.hosts;
    await malformed.writeFile('/etc/docker/daemon.json', MALFORMED.replace('},\n}', '}\n}'));
    await failing.run('sed -i "/^JH_INSTALLER_FAIL=/d" /run/jetson-host/host.env');
    const cluster = clusterFor(fixture);
    cluster.nodes!.agents = cluster.nodes!.agents!.filter((a) => a.name !== fixture.hosts[2].name);
    const run = await bootstrap(ws, cluster);
    expect(run.summary.ok).toBe(true);
    expect(hostSummary(run, fixture.hosts[0].name).changed).toEqual([]);
    expect(hostSummary(run, fixture.hosts[4].name).changed).toEqual([]);
    expect(hostSummary(run, malformed.name).changed).toEqual(expect.arrayContaining([expect.stringMatching(/^daemon.json/), 'installed K3s v1.34.12+k3s1 (agent)']));
    expect(hostSummary(run, failing.name).changed).toEqual(['installed K3s v1.34.12+k3s1 (agent)', expect.stringMatching(/^started k3s-agent/)]);
    expect(run.summary.nodes?.ready).toHaveLength(4);
  });
});

describeWith(FAKE_HOST_PREREQUISITES)('bootstrap with a failing server', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;

  beforeAll(async () => {
    fixture = await startJetsonHosts({ hosts: [{ daemonJson: '[]' }, {}] });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('agents are not installed when the server cannot be prepared', async () => {
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(false);
    expect(hostSummary(run, 'jm-node-1').error).toMatch(/must hold a JSON object/);
    expect(hostSummary(run, 'jm-node-2').error).toMatch(/^K3s agent not started: the server jm-node-1 failed/);
    expect((await fixture.hosts[1].calls()).filter((c) => c.program === 'k3s-install')).toEqual([]);
    expect(run.summary.kubeconfig).toBeUndefined();
  });
});
