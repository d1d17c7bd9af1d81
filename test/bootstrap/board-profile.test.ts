import {
  boardMaxK3sMinor, clusterK3sCeiling, k3sVersionProblem, memoryQuantity, memTotalKb, nodeRuntime, profileFromTegraRelease,
  profileModeOf, profileNodeLabels, resolveProfile,
} from '../../bootstrap/plan/board-profile';
import { freshBoardFacts } from '../../bootstrap/plan/fresh-board';
import { planHostWork } from '../../bootstrap/plan/host-plan';
import { PROBE_SCRIPT, evaluatePreflight, parseProbe } from '../../bootstrap/plan/preflight';
import { TargetResolver } from '../../bootstrap/plan/targets';
import { parseClusterConfig } from '../../lib/config';
import { L4T_R32_7_1_RELEASE } from '../support/jetson-hosts';

const R35 = '# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, DATE: Tue Aug  1 19:57:35 UTC 2023';
const R36 = '# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025';

describe('board detection', () => {
  test('/etc/nv_tegra_release → profile: R32 jetpack4, R35 jetpack5, R36 jetpack6, else none', () => {
    expect(profileFromTegraRelease(L4T_R32_7_1_RELEASE)).toBe('jetpack4');
    expect(profileFromTegraRelease(R35)).toBe('jetpack5');
    expect(profileFromTegraRelease(R36)).toBe('jetpack6');
    expect(profileFromTegraRelease('# R34 (release), REVISION: 1.1')).toBeUndefined(); // JetPack 5.0 developer preview
    expect(profileFromTegraRelease('R36 something else')).toBeUndefined();
    expect(profileFromTegraRelease('')).toBeUndefined();
  });

  test('/proc/meminfo → nominal memory', () => {
    const nano = 'MemTotal:        4045880 kB\nMemFree:          123456 kB\n';
    expect(memTotalKb(nano)).toBe(4045880);
    expect(memoryQuantity(nano)).toBe('4Gi');
    expect(memoryQuantity('MemTotal:        7620536 kB\n')).toBe('8Gi');
    expect(memoryQuantity('MemFree: 1 kB\n')).toBeUndefined();
  });

  test('declared and detected must agree; either alone is used', () => {
    expect(resolveProfile('jm-node-1', 'jetpack4', L4T_R32_7_1_RELEASE)).toEqual({ kind: 'ok', profile: 'jetpack4', source: 'declared and detected' });
    expect(resolveProfile('orin-1', undefined, R36)).toEqual({ kind: 'ok', profile: 'jetpack6', source: 'detected' });
    expect(resolveProfile('orin-1', 'jetpack6', undefined)).toEqual({ kind: 'ok', profile: 'jetpack6', source: 'declared' });
    const mismatch = resolveProfile('orin-1', 'jetpack6', R35);
    expect(mismatch.kind).toBe('mismatch');
    expect(mismatch.kind === 'mismatch' && mismatch.message).toMatch(/node "orin-1" is declared jetpack6 .* L4T R35 \(jetpack5\)/);
    expect(resolveProfile('x86', undefined, undefined).kind).toBe('unknown');
  });

  test('runtime per board: Nanos follow k3s.runtime, JetPack 5/6 boards use containerd', () => {
    expect(nodeRuntime('jetpack4', 'docker')).toBe('docker');
    expect(nodeRuntime('jetpack4', 'containerd')).toBe('containerd');
    expect(nodeRuntime('jetpack5', 'docker')).toBe('containerd');
    expect(nodeRuntime('jetpack6', 'docker')).toBe('containerd');
    expect(nodeRuntime(undefined, 'docker')).toBe('docker');
    expect(profileNodeLabels('jetpack6')).toEqual({ 'triton-jetson.dev/profile': 'jetpack6' });
  });
});

describe('the newest K3s every board allows', () => {
  test('a Nano caps the cluster at 1.34 and is named; an all-Orin JetPack 6 cluster has no cap', () => {
    const mixed = [{ name: 'orin-1', profile: 'jetpack6' as const }, { name: 'jm-node-2', profile: 'jetpack4' as const }];
    expect(clusterK3sCeiling(mixed)).toEqual({ maxMinor: 34, limitedBy: { node: 'jm-node-2', reason: expect.stringContaining('jetpack4') } });
    expect(k3sVersionProblem('v1.35.1+k3s1', mixed)).toMatch(/newer than node "jm-node-2" allows: .*jetpack4.*at most v1\.34/);
    expect(k3sVersionProblem('v1.34.12+k3s1', mixed)).toBeUndefined();
    expect(clusterK3sCeiling([{ name: 'orin-1', profile: 'jetpack6' }])).toEqual({});
    expect(k3sVersionProblem('v1.36.0+k3s1', [{ name: 'orin-1', profile: 'jetpack6' }])).toBeUndefined();
  });

  test('JetPack 5: capped as cgroup v1 unless the preflight found cgroup v2; a detected v1 caps any profile', () => {
    expect(boardMaxK3sMinor({ name: 'x', profile: 'jetpack5' }).maxMinor).toBe(34);
    expect(boardMaxK3sMinor({ name: 'x', profile: 'jetpack5', cgroup: 'v2' }).maxMinor).toBeUndefined();
    expect(boardMaxK3sMinor({ name: 'x', profile: 'jetpack6', cgroup: 'v1' }).maxMinor).toBe(34);
  });
});

describe('profile mode in the preflight and the host plan', () => {
  const source = { kind: 'online' as const, scriptUrl: 'https://get.k3s.io' };
  const cluster = {
    nodes: {
      server: { name: 'jm-node-1', address: '10.0.0.11', user: 'ubuntu', profile: 'jetpack4' as const },
      agents: [{ name: 'orin-1', address: '10.0.0.21', user: 'ubuntu', profile: 'jetpack6' as const }],
    },
  };
  const config = parseClusterConfig(cluster);
  const targets = new TargetResolver(config, { homeDir: '/nonexistent-home', localUser: 'me' }).nodes();
  const orinFacts = { ...freshBoardFacts('orin-1'), l4tRelease: R36, cgroupVersion: 'v2' as const, dockerPresent: false, dockerDefaultRuntime: '', daemonJson: undefined };
  const options = (declaredProfile?: 'jetpack4' | 'jetpack5' | 'jetpack6', k3sVersion = config.k3s.version) => ({
    runtime: 'docker' as const, installNfsCommon: true, k3sVersion, profileMode: profileModeOf(config), declaredProfile, nodeName: 'orin-1',
  });

  test('profile mode is on when any node or triton.profiles names a profile, off for the tutorial', () => {
    expect(profileModeOf(config)).toBe(true);
    expect(profileModeOf(parseClusterConfig({ triton: { profiles: ['jetpack6'] } }))).toBe(true);
    expect(profileModeOf(parseClusterConfig({ nodes: { server: { name: 'jm-node-1' } } }))).toBe(false);
  });

  test('an Orin: containerd (no Docker needed, no daemon.json step), labelled with its profile', () => {
    const preflight = evaluatePreflight(orinFacts, options('jetpack6'));
    expect(preflight.failed).toBe(false);
    expect(preflight.profile).toBe('jetpack6');
    expect(preflight.runtime).toBe('containerd');
    expect(preflight.checks.map((c) => c.name)).not.toContain('docker');
    const work = planHostWork({ target: targets[1], facts: orinFacts, preflight, inventory: config, token: 't', serverAddress: '10.0.0.11', source });
    // After the install: K3s must have registered the nvidia containerd runtime.
    expect(work.steps.map((s) => s.id)).toEqual(['nfs-common', 'k3s-install', 'k3s-agent-start', 'nvidia-runtime']);
    expect(work.install.args).not.toContain('--docker');
    expect(work.install.args).toContain('--node-label=triton-jetson.dev/profile=jetpack6');
  });

  test('a Nano in profile mode keeps the tutorial\'s Docker preparation and gets the jetpack4 label', () => {
    const facts = freshBoardFacts('jm-node-1');
    const preflight = evaluatePreflight(facts, { ...options('jetpack4'), nodeName: 'jm-node-1' });
    const work = planHostWork({ target: targets[0], facts, preflight, inventory: config, token: 't', serverAddress: '10.0.0.11', source });
    expect(work.steps.map((s) => s.id)).toEqual(['nfs-common', 'daemon-json', 'k3s-install']);
    expect(work.install.args).toContain('--docker');
    expect(work.install.args).toContain('--node-label=triton-jetson.dev/profile=jetpack4');
  });

  test('declared vs detected mismatch stops the host, naming it; a cgroup v1 board refuses K3s 1.35', () => {
    const mismatch = evaluatePreflight(orinFacts, options('jetpack5'));
    expect(mismatch.failed).toBe(true);
    expect(mismatch.checks.find((c) => c.name === 'profile')?.detail).toMatch(/node "orin-1" is declared jetpack5/);
    const nano = evaluatePreflight(freshBoardFacts('jm-node-1'), { ...options('jetpack4', 'v1.35.1+k3s1'), nodeName: 'jm-node-1' });
    expect(nano.checks.find((c) => c.name === 'k3s-ceiling')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/at most v1\.34/) });
    expect(evaluatePreflight(orinFacts, options('jetpack6', 'v1.35.1+k3s1')).checks.find((c) => c.name === 'k3s-ceiling')).toBeUndefined();
  });

  test('without profiles the detected generation still picks the runtime and the label (issue 22.11)', () => {
    const tutorial = { runtime: 'docker' as const, installNfsCommon: true, k3sVersion: config.k3s.version };
    const nano = evaluatePreflight(freshBoardFacts('jm-node-1'), tutorial);
    expect(nano).toMatchObject({ profile: 'jetpack4', runtime: 'docker', failed: false });
    const orin = evaluatePreflight(orinFacts, { ...tutorial, nodeName: 'orin-1' });
    expect(orin).toMatchObject({ profile: 'jetpack6', runtime: 'containerd', failed: false });
    expect(orin.checks.find((c) => c.name === 'profile')?.detail).toMatch(/jetpack6 \(detected\); K3s on containerd \(k3s.runtime "docker" applies to JetPack 4 boards/);
    expect(orin.checks.map((c) => c.name)).not.toContain('docker');
    // The manifests of a description without profiles have no Triton for it: said, with the fix.
    expect(orin.checks.find((c) => c.name === 'triton')).toMatchObject({ status: 'warn', detail: expect.stringMatching(/add "profile: jetpack6" to it/) });
    const work = planHostWork({ target: targets[1], facts: orinFacts, preflight: orin, inventory: config, token: 't', serverAddress: '10.0.0.11', source });
    expect(work.install.args).toContain('--node-label=triton-jetson.dev/profile=jetpack6');
    // A JetPack 4 board without Docker still contradicts k3s.runtime "docker".
    const noDocker = evaluatePreflight({ ...freshBoardFacts('jm-node-2'), dockerPresent: false }, tutorial);
    expect(noDocker.checks.find((c) => c.name === 'docker')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/docker not found/) });
  });

  test('memory: the probe reads MemTotal; a declared memory that disagrees is a warning', () => {
    const facts = parseProbe('hostname=orin-1\narch=aarch64\nmemtotal_kb=7620536\n---triton-jetson:daemon.json---\nabsent\n');
    expect(facts.memTotalKb).toBe(7620536);
    expect(PROBE_SCRIPT).toContain('/proc/meminfo');
    const probed = { ...orinFacts, memTotalKb: 7620536 };
    expect(evaluatePreflight(probed, { ...options('jetpack6'), declaredMemory: '8192Mi' }).checks.find((c) => c.name === 'memory'))
      .toMatchObject({ status: 'ok', detail: expect.stringContaining('8Gi') });
    expect(evaluatePreflight(probed, { ...options('jetpack6'), declaredMemory: '16Gi' }).checks.find((c) => c.name === 'memory'))
      .toMatchObject({ status: 'warn', detail: expect.stringMatching(/8Gi detected .* nodes\[\]\.memory says 16Gi/) });
    expect(evaluatePreflight(probed, options('jetpack6')).checks.find((c) => c.name === 'memory')?.detail).toMatch(/declare nodes\[\]\.memory: 8Gi/);
  });
});
