/**
 * The `triton-jetson` command. Each area registers its own subcommands:
 * bootstrap/ (bootstrap, plan, reset) and client/ (verify, infer).
 */
import { Command } from 'commander';
import { register as registerBootstrap } from '../bootstrap/cli';
import { register as registerClient } from '../client/cli';

export function buildProgram(): Command {
  const program = new Command('triton-jetson')
    .description('Triton Inference Server on a K3s cluster of Jetson boards')
    .showHelpAfterError();
  registerBootstrap(program);
  registerClient(program);
  return program;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(`triton-jetson: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
