/**
 * Profile mode end to end on fake hosts (real sshd, the executor, the fake K3s installer):
 * a Nano (L4T R32, Docker) and an Orin (L4T R36, no Docker) declared with their profiles.
 * The Nano keeps the tutorial's Docker preparation; the Orin runs K3s on containerd with no
 * daemon.json step; both carry their profile label. A declared profile the board's
 * /etc/nv_tegra_release contradicts stops that host.
 */
import { describeWith } from '../support/prereq';
import { startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

const R36 = '# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025\n';

describeWith(FAKE_HOST_PREREQUISITES)('bootstrap in profile mode: a Nano and an Orin', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;

  beforeAll(async () => {
    fixture = await startJetsonHosts({
      hosts: [{ hostname: 'jm-node-1' }, { hostname: 'orin-1', l4tRelease: R36, docker: false, daemonJson: null }],
    });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  const described = (orinProfile: 'jetpack5' | 'jetpack6') => {
    const cluster = clusterFor(fixture);
    const nodes = cluster.nodes!;
    return {
      ...cluster,
      nodes: { server: { ...nodes.server, profile: 'jetpack4' as const }, agents: [{ ...nodes.agents![0], profile: orinProfile, memory: '8Gi' }] },
    };
  };

  test('a declared profile the board contradicts stops that host, naming it', async () => {
    const run = await bootstrap(ws, described('jetpack5'), { dryRun: true });
    expect(run.summary.ok).toBe(false);
    expect(JSON.stringify(hostSummary(run, 'orin-1'))).toMatch(/node \\"orin-1\\" is declared jetpack5 .*L4T R36 \(jetpack6\)/);
  });

  test('Nano on Docker, Orin on containerd, each labelled with its profile', async () => {
    const run = await bootstrap(ws, described('jetpack6'));
    expect(run.summary.ok).toBe(true);
    const orin = hostSummary(run, 'orin-1');
    expect(orin.changed.some((c) => c.startsWith('daemon.json'))).toBe(false);
    expect(hostSummary(run, 'jm-node-1').changed.some((c) => c.startsWith('daemon.json'))).toBe(true);
    const nodes = await fixture.clusterNodes(fixture.hosts[0].address);
    const byName = Object.fromEntries(nodes.map((n) => [n.name, n]));
    expect(byName['jm-node-1'].labels['triton-jetson.dev/profile']).toBe('jetpack4');
    expect(byName['orin-1'].labels['triton-jetson.dev/profile']).toBe('jetpack6');
    expect(byName['jm-node-1'].runtime).toMatch(/^docker:/);
    expect(byName['orin-1'].runtime).toMatch(/^containerd:/);
    expect(await fixture.host('orin-1').exists('/etc/docker/daemon.json')).toBe(false);
  });
});
