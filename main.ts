// Entry point of `npm run synth`: all logic lives in lib/ (see lib/synth-command.ts).
import { runSynthCommand } from './lib/synth-command';

process.exitCode = runSynthCommand(process.argv.slice(2));
