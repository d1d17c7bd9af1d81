/**
 * Issue 22 at bootstrap level, on fake Jetson hosts over real SSH (test/support/jetson-hosts.ts
 * with the board options of jetson-board-extras.ts):
 * - 22.11 a mixed fleet that declares no profile: each board's detected generation picks its
 *   runtime (Nanos on Docker, Orins on containerd), labels it and shows in the summary;
 * - 22.2  an R36 board without nvidia-container-runtime is stopped with the fix; K3s'
 *   registration of the runtime is checked after the install, and K3s restarted when the
 *   runtime appeared after it started;
 * - 22.7  an AGX Orin's MemTotal is read as its 64 GB module;
 * - 22.8  a board whose clock is three days behind is stopped; 30 s is a warning;
 * - 22.9  nvpmodel / jetson_clocks applied, kept for the next boot, read back, refused when the
 *   board has no such mode.
 */
import { describeWith } from '../support/prereq';
import { NANO_NVPMODEL } from '../support/jetson-board-extras';
import { startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { formatSummary } from '../../bootstrap/summary-text';
import { K3S_CONTAINERD_CONFIG } from '../../bootstrap/plan/nvidia-runtime';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

const R36 = '# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025\n';
const ORIN = { l4tRelease: R36, docker: false, daemonJson: null } as const;
const AGX_ORIN_64GB_MEMTOTAL = 64349016;

describeWith(FAKE_HOST_PREREQUISITES)('a mixed fleet with no profile declared (22.11, 22.2, 22.7, 22.9)', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;

  beforeAll(async () => {
    fixture = await startJetsonHosts({
      hosts: [
        { hostname: 'jm-node-1', nvpmodel: { ...NANO_NVPMODEL, current: 1 }, memTotalKb: 4045880 },
        { hostname: 'jm-node-2' },
        { hostname: 'orin-1', ...ORIN, memTotalKb: AGX_ORIN_64GB_MEMTOTAL },
        { hostname: 'orin-2', ...ORIN },
      ],
    });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  // The tutorial's description plus two Orins: no profile, no k3s.runtime.
  const cluster = () => {
    const base = clusterFor(fixture);
    return { ...base, nodes: { ...base.nodes!, server: { ...base.nodes!.server, powerMode: { nvpmodel: 0, jetsonClocks: true } } } };
  };

  test('each board gets the runtime its generation runs, its profile label and power mode; the Orins are not stopped', async () => {
    const run = await bootstrap(ws, cluster());
    expect(run.summary.hosts.map((h) => [h.name, h.status, h.profile, h.runtime, h.error])).toEqual([
      ['jm-node-1', 'ok', 'jetpack4', 'docker', undefined],
      ['jm-node-2', 'ok', 'jetpack4', 'docker', undefined],
      ['orin-1', 'ok', 'jetpack6', 'containerd', undefined],
      ['orin-2', 'ok', 'jetpack6', 'containerd', undefined],
    ]);
    expect(run.summary.ok).toBe(true);
    const nodes = Object.fromEntries((await fixture.clusterNodes(fixture.hosts[0].address)).map((n) => [n.name, n]));
    expect(nodes['jm-node-2'].labels['triton-jetson.dev/profile']).toBe('jetpack4');
    expect(nodes['orin-1'].labels['triton-jetson.dev/profile']).toBe('jetpack6');
    expect(nodes['jm-node-2'].runtime).toMatch(/^docker:/);
    expect(nodes['orin-1'].runtime).toMatch(/^containerd:/);
    expect(formatSummary(run.summary)).toContain('orin-1 (agent, ');
    expect(formatSummary(run.summary)).toMatch(/orin-1 \(agent, [\d.]+, jetpack6 on containerd\): ok/);

    const orin = hostSummary(run, 'orin-1');
    // No Docker preparation on the Orin; K3s registered the runtime it found.
    expect(orin.changed.some((c) => c.startsWith('daemon.json'))).toBe(false);
    expect(orin.unchanged).toContain(`K3s registered the containerd runtime "nvidia" (${K3S_CONTAINERD_CONFIG})`);
    expect(await fixture.host('orin-1').readFile(K3S_CONTAINERD_CONFIG)).toContain("runtimes.'nvidia'.options]\n  BinaryName = \"/usr/local/bin/nvidia-container-runtime\"");
    // Synth renders no Triton for jetpack6 without profiles: said, with the fix.
    expect(orin.warnings).toEqual([expect.stringMatching(/^triton: node "orin-1" is a jetpack6 board, but the cluster description names no board profile.*add "profile: jetpack6" to it/)]);
    // The AGX Orin's MemTotal is its 64 GB module.
    expect(orin.checks.find((c) => c.name === 'memory')?.detail).toMatch(/^64Gi \(MemTotal 64349016 kB: a 64Gi module/);

    // The Nano's power mode: switched, made the boot default, clocks pinned now and at boot.
    const nano = fixture.host('jm-node-1');
    expect(hostSummary(run, 'jm-node-1').changed).toContain('power mode 1 (5W) → 0 (MAXN); jetson_clocks on, now and at every boot (triton-jetson-clocks.service)');
    expect((await nano.run('nvpmodel -q')).stdout).toBe('NV Power Mode: MAXN\n0\n');
    expect(await nano.readFile('/var/lib/nvpmodel/status')).toMatch(/^pmode:0000/);
    expect(await nano.readFile('/etc/nvpmodel/nvpmodel_fake.conf')).toContain('< PM_CONFIG DEFAULT=0 >');
    expect((await nano.run('readlink /etc/nvpmodel.conf')).stdout.trim()).toBe('/etc/nvpmodel/nvpmodel_fake.conf');
    expect(await nano.readFile('/etc/systemd/system/triton-jetson-clocks.service')).toMatch(/After=nvpmodel.service[\s\S]*ExecStart=\/usr\/local\/bin\/jetson_clocks/);
    expect((await nano.run('systemctl is-enabled triton-jetson-clocks')).stdout.trim()).toBe('enabled');
    const clocks = (await nano.calls()).filter((c) => c.program === 'jetson_clocks').map((c) => c.argv.join(' '));
    expect(clocks).toEqual(['--store /var/lib/triton-jetson/jetson_clocks.defaults', '']);
  });

  test('a second run changes nothing and reads the power mode back', async () => {
    const run = await bootstrap(ws, cluster());
    expect(run.summary.ok).toBe(true);
    expect(run.summary.hosts.map((h) => h.changed)).toEqual([[], [], [], []]);
    expect(hostSummary(run, 'jm-node-1').unchanged).toContain('power mode 0 (MAXN) already set and the boot default; jetson_clocks on at every boot (triton-jetson-clocks.service)');
  });

  test('a runtime installed after K3s started: the rerun restarts k3s-agent, and K3s registers it', async () => {
    const board = fixture.host('orin-2');
    await board.run('mv /usr/local/bin/nvidia-container-runtime /root/ncr && systemctl restart k3s-agent');
    expect(await board.readFile(K3S_CONTAINERD_CONFIG)).not.toMatch(/'nvidia'/);
    await board.run('mv /root/ncr /usr/local/bin/nvidia-container-runtime'); // "apt-get install" after K3s started
    const run = await bootstrap(ws, cluster());
    expect(run.summary.ok).toBe(true);
    expect(hostSummary(run, 'orin-2').changed).toEqual(['k3s-agent restarted: nvidia-container-runtime appeared after K3s started; K3s now registers the containerd runtime "nvidia"']);
    expect(await board.readFile(K3S_CONTAINERD_CONFIG)).toMatch(/runtimes\.'nvidia'\]/);
    expect(hostSummary(run, 'orin-1').changed).toEqual([]);
  });
});

describeWith(FAKE_HOST_PREREQUISITES)('boards the preflight stops, with the fix (22.2, 22.8, 22.9)', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  const DAYS = 86400;

  beforeAll(async () => {
    fixture = await startJetsonHosts({
      hosts: [
        { hostname: 'jm-node-1', nvpmodel: NANO_NVPMODEL },
        { hostname: 'orin-bare', ...ORIN, nvidiaContainerRuntime: false },
        { hostname: 'jm-late', clockOffsetSeconds: -3 * DAYS },
        { hostname: 'jm-drift', clockOffsetSeconds: -30 },
        { hostname: 'jm-mode', nvpmodel: NANO_NVPMODEL },
      ],
    });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('plan: each stopped board names why and the fix; the others show what was read', async () => {
    const base = clusterFor(fixture);
    const agents = base.nodes!.agents!.map((a) => (a.name === 'jm-mode' ? { ...a, powerMode: { nvpmodel: 7 } } : a));
    const run = await bootstrap(ws, { ...base, nodes: { ...base.nodes!, agents } }, { dryRun: true });
    expect(run.summary.ok).toBe(false);
    expect(hostSummary(run, 'orin-bare').error).toMatch(/^nvidia-container-runtime not found where K3s looks .*sudo apt-get install nvidia-container-toolkit/);
    expect(hostSummary(run, 'jm-late').error).toMatch(/^the board's clock is 3 d 0 h behind this machine's .*"not yet valid".*x509.*timedatectl set-ntp true.*hwclock -w/);
    expect(hostSummary(run, 'jm-mode').error).toBe('nodes[].powerMode: nvpmodel mode 7 does not exist on this board; its /etc/nvpmodel.conf has 0 (MAXN), 1 (5W)');
    const drift = hostSummary(run, 'jm-drift');
    expect(drift.status).toBe('ok');
    expect(drift.warnings).toEqual([expect.stringMatching(/^clock: the board's clock is 3\d s behind this machine's/)]);
    const text = formatSummary(run.summary);
    expect(text).toMatch(/jm-node-1 \(server, [\d.]+, jetpack4 on docker\): ok\n/);
    expect(text).toMatch(/ {2}checked: {3}clock: within 5 s of this machine's \(round trip/);
    expect(text).toContain('  checked:   power-mode: 0 (MAXN), boot default 0 (MAXN); not managed');
    expect(text).toMatch(/checked: {3}memory: \d+Gi \(MemTotal \d+ kB/);
    // Stopped before anything ran on them.
    for (const name of ['orin-bare', 'jm-late', 'jm-mode']) {
      expect((await fixture.host(name).calls()).filter((c) => ['k3s-install', 'apt-get', 'nvpmodel'].includes(c.program) && c.argv[0] !== '-q')).toEqual([]);
    }
  });
});
