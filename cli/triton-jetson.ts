/**
 * The `triton-jetson` command. Each area registers its own subcommands:
 * synth (lib/synth-command.ts), bootstrap/ (bootstrap, plan, reset) and client/ (verify, infer).
 * Every command finds the cluster description the same way: --config, then
 * $TRITON_JETSON_CONFIG, then ./cluster.yaml (lib/config resolveClusterConfigPath).
 *
 * Registering a command loads commander and small modules only; what a command runs is
 * require()d in its action (test/lib/cli-loading.test.ts), so `--help` answers in a blink.
 */
import { Command, Option } from 'commander';
import { register as registerBootstrap } from '../bootstrap/cli';
import { register as registerClient } from '../client/cli';
import { configOption } from './options';
import { PACKAGE_VERSION } from '../lib/version';

export function buildProgram(): Command {
  const program = new Command('triton-jetson')
    .description('Triton Inference Server on a K3s cluster of Jetson boards')
    .version(PACKAGE_VERSION, '-V, --version', 'print the version of triton-jetson')
    .showHelpAfterError();
  registerSynth(program);
  registerBootstrap(program);
  registerClient(program);
  return program;
}

/** `triton-jetson synth`: the same command, flags and exit codes as `npm run synth`. */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('validate the cluster description and write the Kubernetes manifests (same as `npm run synth`)')
    .addOption(configOption('absent: the tutorial cluster'))
    .option('--out <folder>', 'output folder: new, empty or holding only *.k8s.yaml of an earlier synth (default: $CDK8S_OUTDIR, else dist)')
    .addOption(new Option('-o <folder>').hideHelp())
    .action((flags: { config?: string; out?: string; o?: string }) => {
      // Loaded only when synth runs: the other commands do not pay for cdk8s.
      const { SYNTH_SHORT_O_MESSAGE, synthCommand } = require('../lib/synth-command') as typeof import('../lib/synth-command');
      if (flags.o !== undefined) {
        console.error(SYNTH_SHORT_O_MESSAGE);
        process.exitCode = 2;
        return;
      }
      process.exitCode = synthCommand(flags);
    });
}

/**
 * Runs the command line (process.argv): what bin/triton-jetson.js (a checkout) and the CLI
 * package's bin call. A failure is one line on stderr and exit status 1.
 */
export function main(argv: readonly string[]): Promise<void> {
  return buildProgram()
    .parseAsync(argv)
    .then(() => undefined, (err: unknown) => {
      console.error(`triton-jetson: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}

if (require.main === module) void main(process.argv);
