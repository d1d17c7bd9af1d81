/**
 * The board is a trust boundary: what its preflight probe prints (its clock, where the
 * NVIDIA runtime is, nvpmodel's answer and modes, our unit's state, memory, its release
 * line) is hostile until checked. Table-driven: each case puts a hostile line into an
 * otherwise plain probe output; the parsed facts must refuse it (or keep only the safe
 * part), and nothing the bootstrapper prints (checks, the planned steps' titles, the
 * summary) may carry the payload or a control character (terminal escapes).
 */
import { formatSummary } from '../../bootstrap/summary-text';
import type { HostSummary, RunSummary } from '../../bootstrap/executor/options';
import { planHostWork } from '../../bootstrap/plan/host-plan';
import { evaluatePreflight, parseProbe, type HostFacts } from '../../bootstrap/plan/preflight';
import { TargetResolver } from '../../bootstrap/plan/targets';
import { parseClusterConfig } from '../../lib/config/cluster-config';

const MARKER = 'PWNED';
const ESC = '\u001b[2J\u001b]0;';

const PLAIN = [
  'clock=1750000000', 'hostname=jm-node-1', 'arch=aarch64', 'l4t=# R32 (release), REVISION: 7.1, GCID: 1, BOARD: t210ref', 'memtotal_kb=4045880',
  'docker=yes', 'docker_runtime=runc', 'cgroup=v1', 'memcg=yes', 'nfs=yes', 'apt=yes', 'nvidia_runtime=/usr/bin/nvidia-container-runtime',
  'nvpmodel=yes', 'nvpmodel_current=0 MAXN', 'nvpmodel_mode=0 MAXN', 'nvpmodel_mode=1 5W', 'nvpmodel_default=0', 'jetson_clocks=yes',
];

/** [case, lines replacing (by key) or added to the plain output, what the facts must show]. */
const CASES: readonly (readonly [string, readonly string[], (facts: HostFacts) => void])[] = [
  ['clock: command substitution', [`clock=$(touch ${MARKER})`], (f) => expect(f.clockEpochSeconds).toBeUndefined()],
  ['clock: 30 digits', ['clock=999999999999999999999999999999'], (f) => expect(f.clockEpochSeconds).toBeUndefined()],
  ['clock: negative', ['clock=-5'], (f) => expect(f.clockEpochSeconds).toBeUndefined()],
  ['runtime outside K3s\' search path', [`nvidia_runtime=/tmp/${MARKER}/nvidia-container-runtime`], (f) => expect(f.nvidiaRuntime).toBeUndefined()],
  ['runtime path with escapes', [`nvidia_runtime=/usr/bin/nvidia-container-runtime${ESC}${MARKER}`], (f) => expect(f.nvidiaRuntime).toBeUndefined()],
  ['mode name with shell words', [`nvpmodel_mode=2 X;touch ${MARKER}`], (f) => expect(f.power?.modes.map((m) => m.id)).toEqual([0, 1])],
  ['mode name with escapes', [`nvpmodel_current=1 ${ESC}${MARKER}`], (f) => expect(f.power?.current).toBeUndefined()],
  ['mode number out of range', ['nvpmodel_mode=100000 BIG', 'nvpmodel_default=123456'], (f) => {
    expect(f.power?.modes.map((m) => m.id)).toEqual([0, 1]);
    expect(f.power?.bootDefault).toBeUndefined();
  }],
  ['ten thousand modes', Array.from({ length: 10000 }, (_, i) => `nvpmodel_mode=${i % 100} M${i}`), (f) => expect(f.power!.modes.length).toBeLessThanOrEqual(64)],
  ['unit state with words', [`jetson_clocks_unit=enabled; touch ${MARKER}`], (f) => expect(f.power?.clocksUnit).toBe('unknown')],
  ['memory: not a number', [`memtotal_kb=1e99${MARKER}`], (f) => expect(f.memTotalKb).toBeUndefined()],
  ['memory: 40 digits', [`memtotal_kb=${'9'.repeat(40)}`], (f) => expect(f.memTotalKb).toBeUndefined()],
  // A kernel always sees some memory: 0 (or zeros) is no reading, not a "0Gi" board to size Triton for.
  ['memory: zero', ['memtotal_kb=0'], (f) => expect(f.memTotalKb).toBeUndefined()],
  ['memory: leading zeros', ['memtotal_kb=0004045880'], (f) => expect(f.memTotalKb).toBeUndefined()],
  ['release line with escapes', [`l4t=# R99 (beta) ${ESC}${MARKER}${'x'.repeat(500)}`], (f) => expect(f.l4tRelease).toContain(MARKER)],
  ['docker runtime with escapes', [`docker_runtime=runc${ESC}${MARKER}`], (f) => expect(f.dockerDefaultRuntime).toContain(MARKER)],
];

function probe(lines: readonly string[]): string {
  const keyOf = (line: string) => line.slice(0, line.indexOf('='));
  const replaced = new Set(lines.map(keyOf).filter((k) => !['nvpmodel_mode'].includes(k)));
  return [...PLAIN.filter((l) => !replaced.has(keyOf(l))), ...lines, '---triton-jetson:daemon.json---', 'absent', ''].join('\n');
}

describe('hostile preflight probe output', () => {
  const config = parseClusterConfig({
    nodes: { server: { name: 'jm-node-1', address: '10.0.0.11', powerMode: { nvpmodel: 1, jetsonClocks: true } } },
    k3s: { runtime: 'containerd' },
  });
  const target = new TargetResolver(config, { homeDir: '/nonexistent', localUser: 'me' }).nodes()[0];

  test.each(CASES)('%s', (_name, lines, expectFacts) => {
    const facts = parseProbe(probe(lines));
    expectFacts(facts);
    // Both runtimes, profiles named: every message that quotes the board is produced.
    for (const runtime of ['containerd', 'docker'] as const) {
      const verdict = evaluatePreflight(facts, {
        runtime, installNfsCommon: true, nodeName: 'jm-node-1', powerMode: { nvpmodel: 1, jetsonClocks: true }, profileMode: true,
        clock: { sentAtMs: 1_750_000_000_000, receivedAtMs: 1_750_000_000_100 },
      });
      const work = planHostWork({ target, facts, preflight: verdict, inventory: config, token: 't', serverAddress: '10.0.0.11', source: { kind: 'online', scriptUrl: 'https://get.k3s.io' } });
      const host: HostSummary = {
        name: 'jm-node-1', role: 'server', address: '10.0.0.11', status: verdict.failed ? 'failed' : 'ok', changed: [], unchanged: [...work.unchanged],
        warnings: [...work.warnings], checks: verdict.checks, sshHandshakes: 1, profile: verdict.profile, runtime: verdict.runtime,
        plannedSteps: work.steps.map((s) => ({ title: s.action, script: s.shownScript, uploads: [] })),
      };
      const summary: RunSummary = { command: 'bootstrap', dryRun: true, ok: !verdict.failed, hosts: [host], durationMs: 1 };
      const printed = [formatSummary(summary), ...verdict.checks.map((c) => c.detail)].join('\n');
      expect(printed).not.toContain(`;touch ${MARKER}`);
      expect(printed).not.toContain('x'.repeat(200)); // board text is cut short
      // eslint-disable-next-line no-control-regex
      expect(printed).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
      // The scripts are built from the description only: nothing of the board's output reaches them.
      for (const step of work.steps) expect(step.script).not.toContain(MARKER);
    }
  });
});
