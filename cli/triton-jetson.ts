/**
 * The `triton-jetson` command. Each area registers its own subcommands:
 * bootstrap/ (bootstrap, reset, plan) and client/ (verify, infer).
 */
import { Command } from 'commander';

export function buildProgram(): Command {
  const program = new Command('triton-jetson')
    .description('Triton Inference Server on a K3s cluster of Jetson boards')
    .showHelpAfterError();
  for (const register of loadRegistrars()) register(program);
  return program;
}

type Registrar = (program: Command) => void;

function loadRegistrars(): Registrar[] {
  // Lazy requires keep `triton-jetson infer` from loading node-ssh and vice versa.
  const registrars: Registrar[] = [];
  for (const modulePath of ['../bootstrap/cli', '../client/cli']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(modulePath) as { register?: Registrar };
      if (mod.register) registrars.push(mod.register);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  return registrars;
}

if (require.main === module) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(`triton-jetson: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
