/**
 * `upgrade` on fake Jetson hosts (real sshd, the K3s installer stub), proven from the hosts'
 * own records: each host's calls.log has every K3s stop and start (program "service") and,
 * on the server, every `k3s kubectl cordon|drain|uncordon` with its time.
 * One cluster goes v1.32 → (refused downgrade) → v1.33 with --max-unavailable 2 → v1.34 with
 * one agent's download failing → a rerun that finishes.
 */
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { runUpgrade, type UpgradeOptions } from '../../bootstrap/executor/upgrade';
import { describeWith } from '../support/prereq';
import { startJetsonHosts, type JetsonHost, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, makeWorkspace, type Workspace } from './harness';

const V32 = 'v1.32.9+k3s1';
const V33 = 'v1.33.5+k3s1';
const V34 = 'v1.34.12+k3s1';
/** The stub's Triton pods are Ready again this long after their node re-joined (JH_POD_READY_DELAY_MS default). */
const POD_DELAY_MS = 1000;

interface Timeline {
  /** kubectl calls on the server: verb, node, argv, time. */
  readonly kubectl: { verb: string; node: string; argv: readonly string[]; t: number }[];
  /** K3s service events per host name. */
  readonly service: Map<string, { unit: string; event: string; t: number }[]>;
  /** Changing calls per host (installer, systemctl restart/stop, service events, kubectl writes). */
  readonly changing: Map<string, number>;
}

async function timeline(fixture: JetsonHosts, since: number): Promise<Timeline> {
  const service = new Map<string, { unit: string; event: string; t: number }[]>();
  const changing = new Map<string, number>();
  let kubectl: Timeline['kubectl'] = [];
  for (const host of fixture.hosts) {
    const calls = (await host.calls()).filter((c) => c.t >= since);
    service.set(host.name, calls.filter((c) => c.program === 'service').map((c) => ({ unit: c.argv[0], event: c.argv[1], t: c.t })));
    const writes = calls.filter((c) => c.program === 'k3s' && c.argv[0] === 'kubectl' && ['cordon', 'uncordon', 'drain', 'annotate', 'delete', 'label'].includes(c.argv[1]));
    if (host.index === 0) kubectl = writes.filter((c) => c.argv[1] !== 'annotate').map((c) => ({ verb: c.argv[1], node: c.argv[2], argv: c.argv, t: c.t }));
    changing.set(host.name, writes.length + calls.filter((c) => ['k3s-install', 'service'].includes(c.program)
      || (c.program === 'systemctl' && /^(restart|start|stop)$/.test(c.argv[0] ?? ''))).length);
  }
  return { kubectl, service, changing };
}

/** One agent's upgrade as the records show it. */
function agentWindow(t: Timeline, name: string) {
  const at = (verb: string) => t.kubectl.find((k) => k.verb === verb && k.node === name)?.t;
  const events = t.service.get(name)!.filter((e) => e.unit === 'k3s-agent');
  return {
    cordon: at('cordon'), drain: at('drain'), uncordon: at('uncordon'),
    stopped: events.find((e) => e.event === 'stopped')?.t, started: events.find((e) => e.event === 'started')?.t,
  };
}

/** Most agents cordoned at the same time, from the server's cordon/uncordon records. */
function mostCordoned(t: Timeline, agents: readonly string[]): number {
  const edges = t.kubectl.filter((k) => agents.includes(k.node) && (k.verb === 'cordon' || k.verb === 'uncordon'))
    .map((k) => ({ t: k.t, d: k.verb === 'cordon' ? 1 : -1 })).sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  for (const e of edges) {
    now += e.d;
    most = Math.max(most, now);
  }
  return most;
}

describeWith(FAKE_HOST_PREREQUISITES)('upgrade on fake Jetson hosts', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  let agents: JetsonHost[];

  const upgrade = async (version: string, options: Partial<UpgradeOptions> = {}) => {
    const log: string[] = [];
    const since = Date.now();
    const summary = await runUpgrade({
      config: parseClusterConfig(clusterFor(fixture, 'root', { k3s: { version } })),
      configPath: ws.configPath, homeDir: ws.home, env: {}, kubeconfigPath: ws.kubeconfigPath, knownHostsFile: ws.knownHostsPath,
      readyTimeoutSeconds: 20, tritonTimeoutSeconds: 20, pollIntervalMs: 100,
      log: (host, message) => log.push(`[${host}] ${message}`), ...options,
    });
    return { summary, log, report: summary.upgrade!, records: await timeline(fixture, since) };
  };
  const versions = async () => (await fixture.clusterNodes(fixture.hosts[0].address)).map((n) => `${n.name} ${n.version}${n.unschedulable ? ' cordoned' : ''}`);

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 4, installerDelayMs: 300 });
    ws = makeWorkspace(fixture);
    agents = fixture.hosts.slice(1);
    const first = await bootstrap(ws, clusterFor(fixture, 'root', { k3s: { version: V32 } }));
    expect(first.summary.ok).toBe(true);
    for (const host of fixture.hosts) {
      await fixture.addPod(fixture.hosts[0].address, { namespace: 'default', name: `triton-${host.name}`, node: host.name, labels: { app: 'triton' }, daemonSet: true });
    }
    await fixture.addPod(fixture.hosts[0].address, { namespace: 'default', name: 'scratch', node: 'jm-node-2', labels: { app: 'scratch' }, daemonSet: false });
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('a downgrade is refused in one line and touches nothing', async () => {
    const r = await upgrade('v1.32.1+k3s1');
    expect(r.summary.ok).toBe(false);
    expect(r.report.refused).toBe('upgrade to v1.32.1+k3s1 refused, nothing was changed: K3s does not support downgrades (a rollback needs a datastore snapshot, '
      + `docs.k3s.io/upgrades/roll-back): ${fixture.hosts.map((h) => `${h.name} runs ${V32}`).join(', ')}, newer than k3s.version v1.32.1+k3s1; `
      + 'set k3s.version to the version the cluster runs, or newer');
    expect([...r.records.changing.values()]).toEqual([0, 0, 0, 0]);
    expect(await versions()).toEqual(fixture.hosts.map((h) => `${h.name} ${V32}`));
  });

  test('v1.32 → v1.33 with --max-unavailable 2: the server is back first; never more than 2 agents cordoned; each drained before its K3s stops and uncordoned after', async () => {
    const r = await upgrade(V33, { maxUnavailable: 2 });
    expect(r.summary.ok).toBe(true);
    expect(r.report.boards.map((b) => b.result)).toEqual(['upgraded', 'upgraded', 'upgraded', 'upgraded']);
    const server = r.records.service.get('jm-node-1')!;
    expect(server.map((e) => `${e.unit} ${e.event}`)).toEqual(['k3s stopped', 'k3s started']);
    const serverBack = server[1].t;
    for (const agent of agents) {
      const w = agentWindow(r.records, agent.name);
      expect(w.stopped).toBeGreaterThan(serverBack);
      expect([w.cordon!, w.drain!, w.stopped!, w.started!, w.uncordon!]).toEqual([w.cordon, w.drain, w.stopped, w.started, w.uncordon].map(Number).sort((a, b) => a - b));
    }
    expect(mostCordoned(r.records, agents.map((a) => a.name))).toBe(2);
    expect(r.records.kubectl.filter((k) => k.verb === 'drain').map((k) => k.argv.slice(3))).toEqual(agents.map(() => ['--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s']));
    expect(await versions()).toEqual(fixture.hosts.map((h) => `${h.name} ${V33}`));
    // Drain evicted the plain pod and left the DaemonSet's.
    const pods = await fixture.hosts[0].run('k3s kubectl get pods -n default -o json');
    expect(JSON.parse(pods.stdout).items.map((p: { metadata: { name: string } }) => p.metadata.name).sort()).toEqual(fixture.hosts.map((h) => `triton-${h.name}`).sort());
  });

  test('v1.33 → v1.34, one at a time: an agent whose download fails stops the run, later agents are untouched; a rerun finishes', async () => {
    const [, second, failing, last] = fixture.hosts;
    await failing.run(`echo "JH_INSTALLER_FAIL='Download failed: simulated network error'" >> /run/jetson-host/host.env`);
    const r = await upgrade(V34);
    expect(r.summary.ok).toBe(false);
    expect(r.report.failed?.board).toBe(failing.name);
    expect(r.report.failed?.reason).toMatch(/^k3s-install failed \(exit 1\): .*Download failed: simulated network error.*; it stays cordoned: rerun `triton-jetson upgrade` once fixed, or `kubectl uncordon jm-node-3`$/s);
    expect(r.report.boards.map((b) => `${b.name} ${b.now} ${b.result}`)).toEqual([
      `jm-node-1 ${V34} upgraded`, `${second.name} ${V34} upgraded`, `${failing.name} ${V33} failed`, `${last.name} ${V33} not reached`,
    ]);
    expect(r.records.changing.get(last.name)).toBe(0);
    expect(r.records.kubectl.filter((k) => k.node === last.name)).toEqual([]);
    expect(r.records.service.get(failing.name)).toEqual([]);
    expect(await versions()).toEqual([`jm-node-1 ${V34}`, `${second.name} ${V34}`, `${failing.name} ${V33} cordoned`, `${last.name} ${V33}`]);
    expect(r.log).toContain(`[upgrade] versions now: ${V34}: jm-node-1, ${second.name}; ${V33}: ${failing.name}, ${last.name}`);

    await failing.run('sed -i "/^JH_INSTALLER_FAIL=/d" /run/jetson-host/host.env');
    const again = await upgrade(V34);
    expect(again.summary.ok).toBe(true);
    expect(again.report.boards.map((b) => b.result)).toEqual(['already on target', 'already on target', 'upgraded', 'upgraded']);
    expect(again.records.changing.get('jm-node-1')).toBeGreaterThan(0); // cordon/uncordon run on the server
    expect(again.records.service.get('jm-node-1')).toEqual([]);
    expect(again.records.service.get(second.name)).toEqual([]);
    expect(await versions()).toEqual(fixture.hosts.map((h) => `${h.name} ${V34}`));
    // One at a time, and the next board waits for the previous board's Triton pod (Ready 1 s after it re-joined).
    expect(mostCordoned(again.records, [failing.name, last.name])).toBe(1);
    const previous = agentWindow(again.records, failing.name);
    expect(agentWindow(again.records, last.name).cordon).toBeGreaterThanOrEqual(previous.started! + POD_DELAY_MS);
    expect(again.summary.hosts[2].changed).toContain('Triton pod triton-jm-node-3 Ready again');
  });
});
