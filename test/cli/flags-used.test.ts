/**
 * Issue 23.2: no command lists a flag it ignores. For every command of the program (found from
 * it, not listed here) and every flag its help shows, the command is run in-process twice, with
 * and without the flag, on top of a working invocation; the flag must change what the command
 * does (what it hands its implementation, prints, writes or exits with) or be refused. The
 * implementations (SSH runs, HTTP clients, synth) are replaced by recorders: only the command
 * layer, where flags are declared and read, runs for real (plan --offline entirely).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command, Option } from 'commander';

const calls: string[] = [];
/** JSON of what an implementation got: functions by name and own properties (e.g. a sudo password source's `from`). */
function record(name: string, ...args: unknown[]): void {
  calls.push(`${name} ${JSON.stringify(args, (_k, v: unknown) => (typeof v === 'function' ? { fn: (v as { name: string }).name, ...v } : v))}`);
}
const summary = (command: string, options: { dryRun?: boolean }) => ({ command, dryRun: options.dryRun ?? false, ok: true, hosts: [], durationMs: 0 });

jest.mock('../../bootstrap/executor/bootstrap', () => ({ runBootstrap: async (o: object) => (record('runBootstrap', o), summary('bootstrap', o)) }));
jest.mock('../../bootstrap/executor/reset', () => ({ runReset: async (o: object) => (record('runReset', o), summary('reset', o)) }));
jest.mock('../../bootstrap/executor/upgrade', () => ({
  runUpgrade: async (o: { dryRun?: boolean }) => (record('runUpgrade', o), { ...summary('upgrade', o), upgrade: { target: 'v1.34.12+k3s1', maxUnavailable: 1, boards: [] } }),
}));
jest.mock('../../client/verify', () => ({ ...jest.requireActual('../../client/verify'), verifyTargets: async (...a: unknown[]) => (record('verifyTargets', ...a), []) }));
jest.mock('../../client/verify-wait', () => ({ waitThenVerify: async (o: object) => (record('waitThenVerify', o), []) }));
jest.mock('../../client/image-client', () => ({ runImageClient: async (o: object) => record('runImageClient', o) }));
jest.mock('../../client/bench', () => ({ ...jest.requireActual('../../client/bench'), runBench: async (o: object) => (record('runBench', o), { steps: [] }) }));
jest.mock('../../client/bench-report', () => ({ renderBenchTable: () => 'table', summarizeBench: () => 'summary', benchJson: () => '{}\n', benchCsv: () => 'csv\n' }));
jest.mock('../../client/bench-html', () => ({ benchHtml: () => '<html></html>' }));
jest.mock('../../lib/synth-command', () => ({ SYNTH_SHORT_O_MESSAGE: 'synth: -o', synthCommand: (flags: object) => (record('synthCommand', flags), 0) }));

// eslint-disable-next-line import/first
import { buildProgram } from '../../cli/triton-jetson';

const work = mkdtempSync(join(tmpdir(), 'flags-used-'));
const files = join(work, 'files');
const CLUSTER = join(work, 'cluster.yaml');
const previous = { cwd: process.cwd(), home: process.env.HOME, config: process.env.TRITON_JETSON_CONFIG };

beforeAll(() => {
  writeFileSync(CLUSTER, 'nodes:\n  server: { name: jm-node-1, address: 127.0.0.1 }\n  agents:\n    - { name: jm-node-2, address: 127.0.0.2 }\n');
  writeFileSync(join(work, 'known_hosts'), '', { mode: 0o600 });
  // No ./cluster.yaml where the commands run, and a home of the test's own.
  mkdirSync(join(work, 'cwd'));
  process.chdir(join(work, 'cwd'));
  process.env.HOME = work;
  delete process.env.TRITON_JETSON_CONFIG;
});
afterAll(() => {
  process.chdir(previous.cwd);
  process.env.HOME = previous.home;
  if (previous.config !== undefined) process.env.TRITON_JETSON_CONFIG = previous.config;
  rmSync(work, { recursive: true, force: true });
});

/** A value for a flag that differs from its default. */
function valueFor(option: Option): string | undefined {
  if (!option.required) return undefined;
  const byName: Record<string, string> = {
    '--config': CLUSTER, '--out': join(files, 'out'), '--known-hosts': join(work, 'known_hosts'), '--kubeconfig': join(work, 'kubeconfig'),
    '--html': join(files, 'report.html'), '--node': 'jm-node-2', '--url': '127.0.0.1:9', '--model': 'other_model', '--context': 'elsewhere',
    '--concurrency-range': '1:2:1', '--request-rate-range': '5', '--input-data': 'zero', '--percentile': '95', '--output': 'json',
    '--metrics-port': '9999', '--model-version': '2', '--protocol': 'GRPC',
  };
  if (option.long && byName[option.long]) return byName[option.long];
  if (option.argChoices) return option.argChoices.find((c) => c !== option.defaultValue);
  return '7';
}

/** What a run did: the implementations' arguments, stdout, stderr, the error, the exit code, files written. */
async function run(argv: readonly string[]): Promise<string> {
  calls.length = 0;
  rmSync(files, { recursive: true, force: true });
  mkdirSync(files);
  let out = '';
  let err = '';
  const program = buildProgram();
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => { out += s; }, writeErr: (s) => { err += s; } });
    cmd.commands.forEach(quiet);
  };
  quiet(program);
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((s) => { out += String(s); return true; });
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((s) => { err += String(s); return true; });
  let thrown = '';
  try {
    await program.parseAsync(['node', 'triton-jetson', ...argv]);
  } catch (e) {
    thrown = (e as Error).message;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = process.exitCode;
  process.exitCode = undefined;
  return JSON.stringify({ calls, out, err, thrown, code, files: readdirSync(files) });
}

/** A working invocation of each command: flag pairs and positional arguments. */
const BASELINES: Record<string, readonly string[]> = {
  synth: ['--config', CLUSTER, '--out', join(files, 'out')],
  bootstrap: ['--config', CLUSTER], upgrade: ['--config', CLUSTER], plan: ['--config', CLUSTER], reset: ['--config', CLUSTER, '--yes'],
  verify: ['--config', CLUSTER], infer: ['--model', 'inception_graphdef', 'car.jpg'], bench: ['--model', 'inception_graphdef', '--config', CLUSTER],
};

const program = buildProgram();
const cases = program.commands.flatMap((cmd) => cmd.options
  .filter((o) => !o.hidden)
  .map((o): [string, string, Option] => [cmd.name(), o.flags, o]));

test('every command has a working invocation to compare against', () => {
  expect(program.commands.map((c) => c.name()).sort()).toEqual(Object.keys(BASELINES).sort());
});

test.each(cases)('%s %s: changes what the command does, or is refused', async (command, _flags, option) => {
  const baseline = [command, ...BASELINES[command]];
  const long = option.long ?? option.short!;
  const at = baseline.indexOf(long);
  let without: string[];
  let withFlag: string[];
  if (at > 0) {
    // Part of the working invocation: compare with it left out.
    withFlag = baseline;
    without = [...baseline.slice(0, at), ...baseline.slice(at + (option.required ? 2 : 1))];
  } else {
    const value = valueFor(option);
    without = baseline;
    withFlag = [...baseline, option.negate ? long : long, ...(value === undefined ? [] : [value])];
  }
  const [a, b] = [await run(without), await run(withFlag)];
  expect({ flag: long, same: a === b, outcome: JSON.parse(b) }).toEqual(expect.objectContaining({ same: false }));
});
