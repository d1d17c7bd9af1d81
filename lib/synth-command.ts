import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { OutputDirError, synthToDirectory } from './app';
import {
  CLUSTER_CONFIG_ENV, ClusterConfigError, DEFAULT_CLUSTER_CONFIG_FILE, loadClusterConfig, oneLine, resolveClusterConfigPath,
} from './config';

/** Where synth looks for the cluster description when neither --config nor $TRITON_JETSON_CONFIG is given. */
export const DEFAULT_CLUSTER_FILE = DEFAULT_CLUSTER_CONFIG_FILE;
/** Where synth writes when neither --out nor CDK8S_OUTDIR is given. */
export const DEFAULT_OUT_DIR = 'dist';
/** Set to 1 to print the stack trace of an unexpected error. */
export const DEBUG_ENV = 'TRITON_JETSON_DEBUG';

export const SYNTH_USAGE = `usage: synth [--config cluster.yaml] [--out ${DEFAULT_OUT_DIR}]

Validates the cluster description and writes the manifests to the output folder.

  -c, --config <file>  cluster description (default: $${CLUSTER_CONFIG_ENV}, else ./${DEFAULT_CLUSTER_CONFIG_FILE};
                       an absent ./${DEFAULT_CLUSTER_CONFIG_FILE} means the tutorial's cluster)
  --out <folder>       output folder (default: $CDK8S_OUTDIR, else ${DEFAULT_OUT_DIR}); it must be new, empty or
                       hold only *.k8s.yaml files of an earlier synth, and never the current folder
  -h, --help           print this help`;

/**
 * `-o` means the output format in every triton-jetson command (`-o json`), so synth's output
 * folder has only its long name; `-o` gets this line instead of a bare "unknown option".
 */
export const SYNTH_SHORT_O_MESSAGE = 'synth: -o is the output format in triton-jetson commands (-o json); give the output folder with --out <folder>';

/** Flags of the synth command, as parsed by `npm run synth` or `triton-jetson synth`. */
export interface SynthFlags {
  readonly config?: string;
  readonly out?: string;
}

/** Where messages go (stderr by default); a test may capture them. */
export interface SynthIo {
  readonly env?: NodeJS.ProcessEnv;
  readonly error?: (line: string) => void;
  readonly cwd?: string;
}

/**
 * The synth command once its flags are parsed: validates the cluster description, then
 * writes the manifests. Every failure is printed as one line per problem (no stack trace
 * unless TRITON_JETSON_DEBUG=1). Returns the exit code: 0, 1 (invalid or unreadable
 * cluster description, unexpected error) or 2 (unusable flag or output folder).
 */
export function synthCommand(flags: SynthFlags, io: SynthIo = {}): number {
  const env = io.env ?? process.env;
  const error = io.error ?? ((line: string) => console.error(line));
  // `cdk8s synth` passes its --output folder through CDK8S_OUTDIR.
  const fromEnv = env.CDK8S_OUTDIR !== undefined && env.CDK8S_OUTDIR !== '' && flags.out === undefined;
  const outdir = flags.out ?? (fromEnv ? env.CDK8S_OUTDIR! : DEFAULT_OUT_DIR);
  const outFlag = flags.out !== undefined ? '--out' : fromEnv ? 'CDK8S_OUTDIR (cdk8s synth --output)' : '--out (default)';
  const shownOut = oneLine(outdir, 120);
  try {
    const { file, required } = resolveClusterConfigPath(flags.config, env);
    const config = loadClusterConfig(file, required);
    // Named in each file's header; an absent ./cluster.yaml means the tutorial's defaults.
    const configFile = required || existsSync(file) ? file : undefined;
    const files = synthToDirectory(config, outdir, { flag: outFlag, cwd: io.cwd, configFile });
    error(`synth: ${files.join(', ')}`);
    return 0;
  } catch (err) {
    if (err instanceof OutputDirError) {
      error(`synth: ${err.message}; nothing written`);
      return 2;
    }
    if (err instanceof ClusterConfigError) {
      const lines = err.message.split('\n');
      if (lines.length === 1) {
        error(`synth: ${lines[0]} (${shownOut}/ left unchanged)`);
      } else {
        for (const line of lines) error(`synth: ${line}`);
        error(`synth: ${shownOut}/ left unchanged`);
      }
      return 1;
    }
    error(`synth: ${describeUnexpected(err)} (${shownOut}/ left unchanged; set ${DEBUG_ENV}=1 for the stack trace)`);
    if (env[DEBUG_ENV] === '1' && err instanceof Error && err.stack) error(err.stack);
    return 1;
  }
}

/** One line for an error nobody anticipated: its code (if any) and first line of message. */
export function describeUnexpected(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  const message = err instanceof Error ? err.message : String(err);
  const code = e?.code && !message.startsWith(e.code) ? `${e.code}: ` : '';
  return `unexpected error: ${code}${oneLine(message.split('\n')[0] ?? '', 300)}`;
}

/**
 * `npm run synth [-- --config cluster.yaml] [--out dist]`: parses the flags, then runs
 * {@link synthCommand}. Returns the process exit code.
 */
export function runSynthCommand(argv: readonly string[], io: SynthIo = {}): number {
  const error = io.error ?? ((line: string) => console.error(line));
  let values: { config?: string; out?: string; help?: boolean };
  if (argv.some((arg) => arg === '-o' || /^-o./.test(arg))) {
    error(SYNTH_SHORT_O_MESSAGE);
    return 2;
  }
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    error(`synth: ${oneLine((err as Error).message, 200)} (usage: synth [--config cluster.yaml] [--out dist]; see --help)`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${SYNTH_USAGE}\n`);
    return 0;
  }
  return synthCommand({ config: values.config, out: values.out }, io);
}
