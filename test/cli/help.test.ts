/**
 * Issue 23.2: one vocabulary. `triton-jetson <command> --help` for every command the program
 * has (found from the program, not listed here), as a user runs it, and the rules every help
 * follows: `-c` is `--config` and every command takes it; `--json` and `-o` are the output
 * format; `-m` is `--model`; no option shows two defaults (or an empty one); `--version` works.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildProgram } from '../../cli/triton-jetson';
import { PACKAGE_VERSION } from '../../lib/version';

const BIN = join(__dirname, '..', '..', 'bin', 'triton-jetson.js');
const COMMANDS = buildProgram().commands.map((c) => c.name());

/** Runs the real binary, as a user would. */
async function cli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, COLUMNS: '100' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface HelpOption {
  readonly short?: string;
  readonly long: string;
  /** Flags, placeholder and description, continuation lines joined. */
  readonly text: string;
}

/** The options of a help text: an entry starts with "  -", its description wraps onto deeper-indented lines. */
function optionsOf(help: string): HelpOption[] {
  const section = help.split('\nOptions:\n')[1]?.split(/\n\n(?:Commands|Arguments):/)[0] ?? '';
  const entries: string[] = [];
  for (const line of section.split('\n')) {
    if (/^ {2}-/.test(line)) entries.push(line.trim());
    else if (/^ {3,}\S/.test(line) && entries.length > 0) entries[entries.length - 1] += ` ${line.trim()}`;
  }
  return entries.map((text) => {
    const flags = /^(-\w)?(?:, )?(--[\w-]+)?/.exec(text)!;
    return { short: flags[1], long: flags[2] ?? flags[1], text };
  });
}

const helps = new Map<string, string>();

beforeAll(async () => {
  // Every help at once, as separate processes: the binary, not the program object, is what users see.
  const results = await Promise.all(['', ...COMMANDS].map(async (c) => [c, await cli(c ? [c, '--help'] : ['--help'])] as const));
  for (const [command, result] of results) {
    expect({ command, code: result.code, stderr: result.stderr }).toEqual({ command, code: 0, stderr: '' });
    helps.set(command, result.stdout);
  }
}, 120_000);

test('the program has its commands (found from the program itself)', () => {
  expect(COMMANDS).toEqual(expect.arrayContaining(['synth', 'bootstrap', 'plan', 'reset', 'upgrade', 'verify', 'infer', 'bench']));
  for (const command of COMMANDS) expect(helps.get('')).toMatch(new RegExp(`\\n {2}${command}\\b`));
});

test('--version and -V print the package version', async () => {
  for (const flag of ['--version', '-V']) expect(await cli([flag])).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
  expect(helps.get('')).toMatch(/-V, --version +print the version/);
});

describe.each(COMMANDS)('%s --help', (command) => {
  const options = () => optionsOf(helps.get(command)!);

  test('lists its options', () => {
    expect(options().length).toBeGreaterThan(1);
  });

  test('-c, --config <file> is the cluster description', () => {
    const config = options().filter((o) => o.short === '-c' || o.long === '--config');
    expect(config).toHaveLength(1);
    expect(config[0].text).toMatch(/^-c, --config <file> +cluster description/);
  });

  test('--json and -o, --output mean the output format', () => {
    for (const o of options()) {
      if (o.short === '-o' || o.long === '--output') expect(o.text).toMatch(/^-o, --output <format> +output format on stdout: text, json/);
      if (o.long === '--json') {
        expect(o.text).toMatch(/^--json(?: \[file\])? +(same as -o json|write the report as JSON)/);
        expect(o.text).not.toMatch(/tensor/i);
      }
    }
  });

  test('has -o, --output and --json, but synth (it writes files; its -o is refused with the fix)', () => {
    const flags = options().map((o) => `${o.short ?? ''} ${o.long}`);
    if (command === 'synth') expect(flags.filter((f) => /-o\b|--json|--output/.test(f))).toEqual([]);
    else expect(flags).toEqual(expect.arrayContaining(['-o --output', ' --json']));
  });

  test('-m, if taken, is --model', () => {
    for (const o of options().filter((x) => x.short === '-m')) expect(o.text).toMatch(/^-m, --model <name> /);
  });

  test('no option shows two defaults, an empty default or a list default', () => {
    for (const o of options()) {
      expect([o.long, (o.text.match(/default:/gi) ?? []).length <= 1]).toEqual([o.long, true]);
      expect([o.long, /\(default: (""|\[\])\)/.test(o.text)]).toEqual([o.long, false]);
    }
  });
});

test('plan lists only what a plan uses (nothing to merge into or remove from)', () => {
  const plan = helps.get('plan')!;
  const flags = optionsOf(plan).map((o) => o.long);
  for (const bootstrapOnly of ['--ready-timeout', '--node', '--replace', '--dry-run', '--max-unavailable', '--yes']) expect(flags).not.toContain(bootstrapOnly);
  expect(plan).not.toContain('remove it from');
  expect(optionsOf(plan).find((o) => o.long === '--kubeconfig')?.text).toContain('checked, not written');
});

test('upgrade lists no --kubeconfig (it reads none: the server runs its own kubectl)', () => {
  expect(helps.get('upgrade')).not.toContain('--kubeconfig');
});
