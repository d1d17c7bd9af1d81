import { execFileSync } from 'node:child_process';
import { PROBE_SCRIPT, evaluatePreflight, k3sVersionKey, parseL4tRelease, parseProbe, type HostFacts } from '../../bootstrap/plan/preflight';

const JETSON: HostFacts = {
  hostname: 'jm-node-1', arch: 'aarch64',
  l4tRelease: '# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022',
  dockerPresent: true, dockerDefaultRuntime: 'runc', memoryCgroup: true, cgroupVersion: 'v1', nfsCommon: false, aptGet: true,
  k3sServerActive: false, k3sAgentActive: false, k3sUninstall: false, k3sAgentUninstall: false,
  daemonJson: '{"runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}',
};
const options = { runtime: 'docker' as const, installNfsCommon: true };

describe('preflight', () => {
  test('parses the probe output, daemon.json verbatim after the marker', () => {
    const facts = parseProbe([
      'hostname=jm-node-2', 'arch=aarch64', 'l4t=# R32 (release), REVISION: 6.1', 'docker=yes', 'docker_runtime=nvidia',
      'cgroup=v1', 'memcg=yes', 'nfs=no', 'apt=yes', 'k3s_version=v1.34.1+k3s1', 'k3s_fingerprint=abc',
      'k3s_active=inactive', 'k3s_agent_active=active', 'k3s_agent_uninstall=yes',
      '---triton-jetson:daemon.json---', 'present', '{"a":', '  "k=v"}', '',
    ].join('\n'));
    expect(facts).toMatchObject({
      hostname: 'jm-node-2', arch: 'aarch64', dockerPresent: true, dockerDefaultRuntime: 'nvidia', nfsCommon: false,
      k3sVersion: 'v1.34.1+k3s1', k3sFingerprint: 'abc', k3sServerActive: false, k3sAgentActive: true, k3sAgentUninstall: true,
      daemonJson: '{"a":\n  "k=v"}\n',
    });
    expect(parseProbe('arch=x\n---triton-jetson:daemon.json---\nabsent\n').daemonJson).toBeUndefined();
    expect(() => parseProbe('arch=aarch64\n')).toThrow(/incomplete/);
  });

  test('the probe script runs under dash and yields facts (this machine is no Jetson)', () => {
    const facts = parseProbe(execFileSync('dash', ['-s'], { input: PROBE_SCRIPT, encoding: 'utf-8' }));
    expect(facts.arch).toBe(execFileSync('uname', ['-m'], { encoding: 'utf-8' }).trim());
    expect(facts.hostname).not.toBe('');
  });

  test('L4T releases map to JetPack', () => {
    expect(parseL4tRelease(JETSON.l4tRelease!)).toEqual({ l4t: 'R32.7.1', jetpack: '4.6.1' });
    expect(parseL4tRelease('# R32 (release), REVISION: 6.1, GCID: 1')).toEqual({ l4t: 'R32.6.1', jetpack: '4.6' });
    expect(parseL4tRelease('garbage')).toBeUndefined();
  });

  test('a JetPack Nano passes; nfs-common is fixed with apt-get', () => {
    const result = evaluatePreflight(JETSON, options);
    expect(result.failed).toBe(false);
    expect(result.isJetson).toBe(true);
    expect(result.checks.find((c) => c.name === 'nfs-common')).toEqual({ name: 'nfs-common', status: 'fix', detail: 'missing; will be installed with apt-get' });
    expect(evaluatePreflight(JETSON, { ...options, installNfsCommon: false }).checks.find((c) => c.name === 'nfs-common')?.status).toBe('warn');
    expect(result.checks.find((c) => c.name === 'nvidia-runtime')?.status).toBe('fix');
    const done = evaluatePreflight({ ...JETSON, daemonJson: '{"default-runtime": "nvidia", "runtimes": {"nvidia": {}}}' }, options);
    expect(done.checks.find((c) => c.name === 'nvidia-runtime')?.status).toBe('ok');
  });

  test.each([
    ['x86_64 host', { arch: 'x86_64' }, 'arch', /must be aarch64/],
    ['no Docker', { dockerPresent: false }, 'docker', /docker not found.*containerd/],
    ['no memory cgroup', { memoryCgroup: false }, 'memory-cgroup', /cgroup_enable=memory/],
    ['no nvidia runtime in daemon.json', { daemonJson: '{"runtimes": {}}' }, 'nvidia-runtime', /no "runtimes.nvidia" entry/],
    ['malformed daemon.json', { daemonJson: '{' }, 'nvidia-runtime', /not valid JSON.*left untouched/],
  ])('%s fails with the fix', (_what, change, name, detail) => {
    const result = evaluatePreflight({ ...JETSON, ...change }, options);
    expect(result.failed).toBe(true);
    const check = result.checks.find((c) => c.name === name)!;
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(detail);
  });

  test('no nv_tegra_release: a warning and no Jetson label; containerd needs no Docker', () => {
    const result = evaluatePreflight({ ...JETSON, l4tRelease: undefined, dockerPresent: false }, { ...options, runtime: 'containerd' });
    expect(result.failed).toBe(false);
    expect(result.isJetson).toBe(false);
    expect(result.checks.find((c) => c.name === 'l4t')?.status).toBe('warn');
    expect(result.checks.map((c) => c.name)).not.toContain('nvidia-runtime');
  });
});

describe('installed K3s version', () => {
  const withK3s = (installed: string) => evaluatePreflight({ ...JETSON, k3sVersion: installed }, { ...options, k3sVersion: 'v1.34.1+k3s1' })
    .checks.find((c) => c.name === 'k3s-version')!;

  test('older and stopped → reinstalled, older and running → `upgrade`, same → ok, newer → refused (no downgrades)', () => {
    expect(withK3s('v1.30.6+k3s1')).toMatchObject({ status: 'fix', detail: 'v1.30.6+k3s1 installed but not running; will be reinstalled as v1.34.1+k3s1' });
    const running = evaluatePreflight({ ...JETSON, k3sVersion: 'v1.33.5+k3s1', k3sAgentActive: true }, { ...options, k3sVersion: 'v1.34.1+k3s1' }).checks.find((c) => c.name === 'k3s-version');
    expect(running).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^K3s v1\.33\.5\+k3s1 runs here and k3s\.version is v1\.34\.1\+k3s1: .* with `triton-jetson upgrade`/) });
    expect(withK3s('v1.34.1+k3s1')).toMatchObject({ status: 'ok' });
    expect(withK3s('v1.34.1+k3s2')).toMatchObject({ status: 'fail' });
    expect(withK3s('v1.35.0+k3s1').detail).toMatch(/newer than k3s.version v1.34.1\+k3s1; K3s does not support downgrades/);
    expect(k3sVersionKey('v1.34.10+k3s1')).toEqual([1, 34, 10, 1, 0, 1]);
    expect(withK3s('v1.34.1-rc1+k3s1')).toMatchObject({ status: 'fix' }); // a release candidate is older than its release
    expect(withK3s('v1.34.2-rc1+k3s1').detail).toMatch(/^K3s v1\.34\.2-rc1\+k3s1 is installed, newer than k3s.version/);
    expect(['v1.34.1-rc1+k3s1', 'v1.34.1-rc2+k3s1', 'v1.34.1+k3s1', 'v1.34.1+k3s2', 'v1.34.10-rc1+k3s1'].map(k3sVersionKey).map(String))
      .toEqual(['1,34,1,0,1,1', '1,34,1,0,2,1', '1,34,1,1,0,1', '1,34,1,1,0,2', '1,34,10,0,1,1']);
    expect(k3sVersionKey('v1.34.1-beta1+k3s1')).toBeUndefined();
    expect(k3sVersionKey('latest')).toBeUndefined();
  });

  test('no K3s installed: no check', () => {
    expect(evaluatePreflight(JETSON, { ...options, k3sVersion: 'v1.34.1+k3s1' }).checks.map((c) => c.name)).not.toContain('k3s-version');
  });
});
