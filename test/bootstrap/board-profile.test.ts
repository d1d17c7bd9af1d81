import {
  boardMaxK3sMinor, clusterK3sCeiling, k3sVersionProblem, memoryQuantity, memTotalKb, nodeRuntime, profileFromTegraRelease,
  profileNodeLabels, resolveProfile,
} from '../../bootstrap/plan/board-profile';
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
