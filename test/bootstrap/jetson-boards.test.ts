/**
 * Issue 22, bootstrap level, without hosts: board clocks (22.8), the NVIDIA runtime on
 * containerd boards (22.2), memory by module size (22.7), power modes (22.9). The scripts
 * run under sh against temp files and recording stand-ins; test/bootstrap/
 * jetson-boards.integration.test.ts runs them on the fake Jetson hosts over SSH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { formatOfflinePlan, planOffline } from '../../bootstrap/executor/offline-plan';
import { clockSkewSeconds, evaluateClock, formatDuration } from '../../bootstrap/plan/clock';
import { freshBoardFacts } from '../../bootstrap/plan/fresh-board';
import {
  K3S_CONTAINERD_CONFIG, NVIDIA_RUNTIME_TABLE_ERE, describeRuntimeRegistration, parseNvidiaRuntime, parseRuntimeRegistration, runtimeRegistrationScript,
} from '../../bootstrap/plan/nvidia-runtime';
import { desiredPowerMode, evaluatePowerMode, parsePowerFacts, powerModeScript } from '../../bootstrap/plan/power-mode';
import { PROBE_SCRIPT, evaluatePreflight, parseProbe, preflightOptionsFor, type HostFacts } from '../../bootstrap/plan/preflight';

const R36 = '# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025';
const ORIN: HostFacts = { ...freshBoardFacts('orin-1', 'jetpack6'), l4tRelease: R36 };
const DAY = 86400;

describe('board clocks (22.8)', () => {
  const at = (boardOffsetSeconds: number, roundTripMs = 200) => {
    const sentAtMs = 1_750_000_000_000;
    return { boardEpochSeconds: Math.floor((sentAtMs + roundTripMs / 2) / 1000 + boardOffsetSeconds), sentAtMs, receivedAtMs: sentAtMs + roundTripMs };
  };

  test('the round trip and date\'s truncation are accounted for: only an unexplained skew counts', () => {
    expect(clockSkewSeconds(at(0))).toBe(0);
    expect(clockSkewSeconds(at(0, 3000))).toBe(0);
    // A slow answer does not make a right clock look wrong, nor a wrong one right.
    expect(clockSkewSeconds(at(-10, 4000))).toBeLessThan(-5);
    expect(Math.abs(clockSkewSeconds(at(-3 * DAY)) + 3 * DAY)).toBeLessThanOrEqual(1);
    expect(clockSkewSeconds(at(30))).toBeGreaterThan(28);
  });

  test('a board three days behind is stopped with the fix; a few seconds is fine, a minute a warning', () => {
    expect(evaluateClock(at(1))).toMatchObject({ status: 'ok' });
    expect(evaluateClock(at(-40))).toMatchObject({ status: 'warn', detail: expect.stringMatching(/40 s behind this machine's; .*timedatectl set-ntp true/) });
    const check = evaluateClock(at(-3 * DAY))!;
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/^the board's clock is 3 d 0 h behind this machine's \(board 2025-06-1\dT.*Z, here 2025-06-15T.*Z\)/);
    expect(check.detail).toMatch(/"not yet valid".*x509/);
    expect(check.detail).toMatch(/sudo timedatectl set-ntp true/);
    expect(check.detail).toMatch(/sudo hwclock -w/);
    expect(evaluateClock(at(2 * 3600))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/2 h 0 min ahead of/) });
    expect(formatDuration(125)).toBe('2 min 5 s');
  });

  test('the probe reads the clock first; a connected run without a reading warns, plan --offline checks nothing', () => {
    expect(PROBE_SCRIPT.trim().split('\n')[0]).toBe('echo "clock=$(date -u +%s)"');
    const reading = { sentAtMs: Date.now(), receivedAtMs: Date.now() };
    const noClock = evaluatePreflight({ ...freshBoardFacts('n'), clockEpochSeconds: undefined }, { runtime: 'docker', installNfsCommon: true, clock: reading });
    expect(noClock.checks.find((c) => c.name === 'clock')).toMatchObject({ status: 'warn' });
    // A date that answers something else (a BusyBox without %s, a locale's digits, words): unreadable, said so.
    for (const answer of ['Mon Dec  7 06:00:00 UTC 2026', '+%s', '１７５００００００', '']) {
      const unreadable = evaluatePreflight(parseProbe(`clock=${answer}\nhostname=n\narch=aarch64\n---triton-jetson:daemon.json---\nabsent\n`), { runtime: 'docker', installNfsCommon: true, clock: reading });
      expect(unreadable.checks.find((c) => c.name === 'clock')).toEqual({
        name: 'clock', status: 'warn',
        detail: 'the board\'s clock could not be read (`date -u +%s` printed no number of seconds): check it by hand (`date -u` on the board against this machine\'s); '
          + 'a clock far off makes K3s certificates "not yet valid" and agents fail to join with x509 errors',
      });
    }
    expect(evaluatePreflight(freshBoardFacts('n'), { runtime: 'docker', installNfsCommon: true }).checks.map((c) => c.name)).not.toContain('clock');
    const behind = evaluatePreflight({ ...freshBoardFacts('n'), clockEpochSeconds: Math.floor(Date.now() / 1000) - 3 * DAY }, { runtime: 'docker', installNfsCommon: true, clock: reading });
    expect(behind.failed).toBe(true);
  });
});

describe('the NVIDIA runtime on containerd boards (22.2)', () => {
  test('the probe looks where K3s looks; only those paths are believed', () => {
    expect(PROBE_SCRIPT).toContain('/usr/local/nvidia/toolkit');
    expect(parseNvidiaRuntime('/usr/bin/nvidia-container-runtime')).toBe('/usr/bin/nvidia-container-runtime');
    expect(parseNvidiaRuntime('/tmp/nvidia-container-runtime')).toBeUndefined();
    expect(parseProbe('clock=1\nnvidia_runtime=/usr/local/nvidia/toolkit/nvidia-container-runtime\n---triton-jetson:daemon.json---\nabsent\n').nvidiaRuntime)
      .toBe('/usr/local/nvidia/toolkit/nvidia-container-runtime');
  });

  test('an R36 board without nvidia-container-runtime is stopped with the fix; Docker boards are not asked', () => {
    const verdict = evaluatePreflight({ ...ORIN, nvidiaRuntime: undefined }, { runtime: 'docker', installNfsCommon: true, nodeName: 'orin-1' });
    expect(verdict.failed).toBe(true);
    expect(verdict.checks.find((c) => c.name === 'nvidia-runtime')?.detail)
      .toMatch(/nvidia-container-runtime not found where K3s looks .*runtimeClassName: nvidia.*sudo apt-get install nvidia-container-toolkit/);
    expect(evaluatePreflight(ORIN, { runtime: 'docker', installNfsCommon: true }).failed).toBe(false);
    // A Docker board's nvidia runtime is the one daemon.json registers (checked there).
    const nano = evaluatePreflight({ ...freshBoardFacts('jm-node-1'), nvidiaRuntime: undefined }, { runtime: 'docker', installNfsCommon: true });
    expect(nano.failed).toBe(false);
    expect(nano.checks.find((c) => c.name === 'nvidia-runtime')?.detail).toMatch(/daemon.json/);
  });

  test('the registration check matches containerd config v2 and v3 tables of "nvidia" only', () => {
    const match = (line: string) => spawnSync('grep', ['-Eq', NVIDIA_RUNTIME_TABLE_ERE], { input: `${line}\n` }).status === 0;
    expect(match('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia"]')).toBe(true);
    expect(match("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.'nvidia']")).toBe(true);
    expect(match("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.'nvidia-cdi']")).toBe(false);
    expect(match('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia-experimental"]')).toBe(false);
    expect(match("[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.'runc']")).toBe(false);
  });

  test('registered: nothing done; missing: the service restarted, then registered or an error naming the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nvidia-runtime-'));
    try {
      const cfg = join(dir, 'config.toml');
      const restarts = join(dir, 'restarts');
      // systemctl stand-in: the restart regenerates the config, with the runtime when $REGISTERS says so.
      writeFileSync(join(dir, 'systemctl'), `#!/bin/sh\necho "$*" >> '${restarts}'\nif [ "$REGISTERS" = yes ]; then printf '%s\\n' "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.'nvidia']" > '${cfg}'; fi\n`);
      writeFileSync(join(dir, 'sleep'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(dir, 'systemctl'), 0o755);
      chmodSync(join(dir, 'sleep'), 0o755);
      const script = runtimeRegistrationScript('k3s-agent').replace(K3S_CONTAINERD_CONFIG, cfg);
      const run = (registers: boolean) => execFileSync('sh', ['-s'], { input: script, env: { PATH: `${dir}:/usr/bin:/bin`, REGISTERS: registers ? 'yes' : 'no' }, encoding: 'utf-8' });
      writeFileSync(cfg, '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia"]\n');
      expect(parseRuntimeRegistration(run(true))).toBe('registered');
      writeFileSync(cfg, 'version = 3\n');
      expect(parseRuntimeRegistration(run(true))).toBe('restarted');
      expect(readFileSync(restarts, 'utf-8')).toBe('restart k3s-agent\n');
      writeFileSync(cfg, 'version = 3\n');
      expect(parseRuntimeRegistration(run(false))).toBe('missing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(describeRuntimeRegistration('restarted', 'k3s-agent').changed).toMatch(/^k3s-agent restarted: nvidia-container-runtime appeared after K3s started/);
    expect(describeRuntimeRegistration('missing', 'k3s').error).toMatch(/journalctl -u k3s/);
    expect(describeRuntimeRegistration(undefined, 'k3s').error).toBeDefined();
  });
});

describe('memory by module size (22.7)', () => {
  test('an AGX Orin 64GB (MemTotal 64349016 kB) is 64Gi: a correct nodes[].memory gets no warning', () => {
    const facts = { ...ORIN, memTotalKb: 64349016 };
    const options = { runtime: 'docker' as const, installNfsCommon: true, declaredProfile: 'jetpack6' as const, profileMode: true };
    expect(evaluatePreflight(facts, { ...options, declaredMemory: '64Gi' }).checks.find((c) => c.name === 'memory'))
      .toMatchObject({ status: 'ok', detail: expect.stringMatching(/^64Gi \(MemTotal 64349016 kB: a 64Gi module less its carve-outs\)/) });
    expect(evaluatePreflight(facts, { ...options, declaredMemory: '62Gi' }).checks.find((c) => c.name === 'memory'))
      .toMatchObject({ status: 'warn', detail: expect.stringMatching(/64Gi detected .*nodes\[\]\.memory says 62Gi/) });
    expect(evaluatePreflight({ ...facts, memTotalKb: 30536000 }, options).checks.find((c) => c.name === 'memory')?.detail).toMatch(/^32Gi .*declare nodes\[\]\.memory: 32Gi/);
  });
});

describe('power modes (22.9)', () => {
  const NANO_PROBE = [
    'nvpmodel=yes', 'nvpmodel_current=1 5W', 'nvpmodel_mode=0 MAXN', 'nvpmodel_mode=1 5W', 'nvpmodel_default=0', 'jetson_clocks=yes',
  ];

  test('the probe\'s nvpmodel lines: the running mode, the file\'s modes and default, jetson_clocks and our unit', () => {
    expect(parsePowerFacts(NANO_PROBE)).toEqual({
      nvpmodel: true, current: { id: 1, name: '5W' }, bootDefault: 0, modes: [{ id: 0, name: 'MAXN' }, { id: 1, name: '5W' }], jetsonClocks: true, clocksUnit: undefined,
    });
    expect(parsePowerFacts([...NANO_PROBE, 'jetson_clocks_unit=enabled']).clocksUnit).toBe('enabled');
    expect(parsePowerFacts([]).nvpmodel).toBe(false);
  });

  test('node over profile, field by field', () => {
    expect(desiredPowerMode({ jetsonClocks: false }, 'jetpack4', { jetpack4: { nvpmodel: 0, jetsonClocks: true } }))
      .toEqual({ nvpmodel: 0, jetsonClocks: false, source: 'nodes[].powerMode over hostPrep.powerModes.jetpack4' });
    expect(desiredPowerMode(undefined, 'jetpack6', { jetpack4: { nvpmodel: 0 } })).toBeUndefined();
    const config = parseClusterConfig({
      nodes: { server: { name: 'jm-node-1', powerMode: { nvpmodel: 1 } } },
      hostPrep: { powerModes: { jetpack4: { nvpmodel: 0, jetsonClocks: true } } },
    });
    const options = preflightOptionsFor(config, { name: 'jm-node-1', config: config.nodes!.server });
    expect(evaluatePreflight(freshBoardFacts('jm-node-1'), options).power.desired).toMatchObject({ nvpmodel: 1, jetsonClocks: true });
  });

  test('a mode written as its name, a fraction or out of range: one line asking for the number', () => {
    const refused = (powerMode: unknown) => () => parseClusterConfig({ nodes: { server: { name: 'jm-node-1', powerMode } } } as never);
    const fix = /nodes\.server\.powerMode\.nvpmodel: must be a mode number from 0 to 99, as \/etc\/nvpmodel\.conf lists them \(e\.g\. 0 = MAXN on a Jetson Nano; `nvpmodel -q` prints the running one under its name\)/;
    expect(refused({ nvpmodel: 'MAXN' })).toThrow(fix);
    expect(refused({ nvpmodel: 1.5 })).toThrow(fix);
    expect(refused({ nvpmodel: -1 })).toThrow(fix);
    expect(refused({ nvpmodel: 100 })).toThrow(fix);
    expect(refused({ nvpmodel: 99 })).not.toThrow();
  });

  test('read back, checked against the board\'s own modes, and what the step will change', () => {
    const facts = parsePowerFacts(NANO_PROBE);
    const want = (nvpmodel?: number, jetsonClocks?: boolean) => evaluatePowerMode(facts, { nvpmodel, jetsonClocks, source: 'nodes[].powerMode' });
    expect(want(0).change).toBe('power mode 1 (5W) → 0 (MAXN)');
    expect(want(0).checks).toEqual([{ name: 'power-mode', status: 'fix', detail: 'will set mode 1 (5W) → 0 (MAXN)' }]);
    expect(want(1).change).toBe('power mode 1 (5W) → 1 (5W), boot default 0 (MAXN) → 1');
    expect(want(7).checks[0]).toMatchObject({ status: 'fail', detail: 'nodes[].powerMode: nvpmodel mode 7 does not exist on this board; its /etc/nvpmodel.conf has 0 (MAXN), 1 (5W)' });
    expect(evaluatePowerMode({ ...facts, current: { id: 0, name: 'MAXN' } }, { nvpmodel: 0, source: 'x' })).toMatchObject({ change: undefined, unchanged: 'power mode 0 (MAXN) already set and the boot default' });
    expect(want(undefined, true).checks[0]).toMatchObject({ name: 'jetson-clocks', status: 'fix' });
    expect(evaluatePowerMode({ ...facts, clocksUnit: 'enabled' }, { jetsonClocks: true, source: 'x' }).change).toBeUndefined();
    expect(evaluatePowerMode({ ...facts, clocksUnit: 'enabled' }, { jetsonClocks: false, source: 'x' }).change).toMatch(/jetson_clocks off/);
    expect(evaluatePowerMode({ nvpmodel: false, modes: [], jetsonClocks: false }, { nvpmodel: 0, source: 'x' }).checks[0]).toMatchObject({ status: 'fail', detail: expect.stringMatching(/no nvpmodel/) });
    // Not managed: shown as read.
    expect(evaluatePowerMode(facts, undefined).checks[0]).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^1 \(5W\), boot default 0 \(MAXN\); not managed/) });
  });

  test('the script sets the mode and the boot default, keeps a backup, pins the clocks at boot, and reads back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'power-mode-'));
    try {
      const conf = join(dir, 'nvpmodel.conf');
      const state = join(dir, 'mode');
      writeFileSync(conf, '< POWER_MODEL ID=0 NAME=MAXN >\nCPU_ONLINE CORE_0 1\n< POWER_MODEL ID=1 NAME=5W >\n< PM_CONFIG DEFAULT=1 >\n');
      writeFileSync(state, '1');
      const stub = (name: string, body: string) => { writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`); chmodSync(join(dir, name), 0o755); };
      stub('nvpmodel', `case "$1" in -q) echo "NV Fan Mode:quiet"; echo "NV Power Mode: X"; cat '${state}'; echo;; -m) echo "$2" > '${state}';; esac`);
      stub('jetson_clocks', `echo "jetson_clocks $*" >> '${dir}/calls'`);
      stub('systemctl', `echo "systemctl $*" >> '${dir}/calls'`);
      const local = (text: string) => text.split('/etc/nvpmodel.conf').join(conf).split('/etc/systemd/system/').join(`${dir}/`).split('/var/lib/triton-jetson/').join(`${dir}/lib/`);
      const script = local(powerModeScript({ nvpmodel: 0, jetsonClocks: true, source: 'x' }));
      const out = execFileSync('sh', ['-s'], { input: script, env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf-8' });
      expect(out.trim().split('\n').pop()).toBe('power-mode-ok');
      expect(readFileSync(state, 'utf-8').trim()).toBe('0');
      expect(readFileSync(conf, 'utf-8')).toContain('< PM_CONFIG DEFAULT=0 >');
      expect(readFileSync(`${conf}.triton-jetson.bak`, 'utf-8')).toContain('< PM_CONFIG DEFAULT=1 >');
      expect(readFileSync(join(dir, 'triton-jetson-clocks.service'), 'utf-8')).toMatch(/After=nvpmodel.service[\s\S]*ExecStart=.*jetson_clocks\n/);
      expect(readFileSync(join(dir, 'calls'), 'utf-8').split('\n')).toEqual([
        `jetson_clocks --store ${dir}/lib/jetson_clocks.defaults`, 'systemctl daemon-reload', 'systemctl enable triton-jetson-clocks.service', 'jetson_clocks ', '',
      ]);
      // A mode nvpmodel does not switch to (one that needs a reboot) fails with what to do.
      stub('nvpmodel', `case "$1" in -q) echo "NV Power Mode: X"; cat '${state}'; echo;; esac`);
      const stuck = spawnSync('sh', ['-s'], { input: local(powerModeScript({ nvpmodel: 1, source: 'x' })), env: { PATH: `${dir}:/usr/bin:/bin` }, encoding: 'utf-8' });
      expect(stuck.status).toBe(1);
      expect(stuck.stderr).toMatch(/nvpmodel still reports mode 0 .*reboot the board/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('plan --offline says what the preflight will check and shows each board\'s steps', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'triton-offline-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const offline = (cluster: object) => planOffline({ config: parseClusterConfig(cluster), configPath: join(home, 'cluster.yaml'), homeDir: home, env: {} });

  test('an Orin declared jetpack6: containerd, no Docker step, the runtime registration checked after the install', () => {
    const plan = offline({
      nodes: { server: { name: 'jm-node-1', address: '10.0.0.11', profile: 'jetpack4', powerMode: { nvpmodel: 1 } }, agents: [{ name: 'orin-1', address: '10.0.0.41', profile: 'jetpack6' }] },
    });
    expect(plan.ok).toBe(true);
    const [nano, orin] = plan.hosts;
    expect(nano.steps.map((s) => s.title)).toContain('set power mode 0 (MAXN) → 1 (5W), boot default 0 (MAXN) → 1');
    expect(orin.steps.map((s) => s.title)).toEqual([
      'install nfs-common', expect.stringMatching(/^install K3s .* \(agent\)$/), 'start k3s-agent (join https://10.0.0.11:6443)',
      'check that K3s registered the containerd runtime "nvidia" (restart k3s-agent if the runtime appeared after it started)',
    ]);
    expect(orin.steps[1].script).not.toContain("'--docker'");
    expect(orin.notes.filter((n) => n.startsWith('the preflight will stop'))).toEqual([]);
    expect(plan.preflight).toContainEqual(expect.stringMatching(/^clock: the board's against this machine's .*beyond 5 s.*beyond 1 h/));
    expect(formatOfflinePlan(plan)).toContain('echo "clock=$(date -u +%s)"');
  });

  test('a power mode the assumed board lacks is shown as what will stop it', () => {
    const plan = offline({ nodes: { server: { name: 'jm-node-1', address: '10.0.0.11', powerMode: { nvpmodel: 4 } } } });
    expect(plan.hosts[0].notes[0]).toBe('the preflight will stop this board: power-mode: nodes[].powerMode: nvpmodel mode 4 does not exist on this board; its /etc/nvpmodel.conf has 0 (MAXN), 1 (5W)');
  });
});

