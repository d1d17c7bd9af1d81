/**
 * The options every `triton-jetson` command spells the same way (issue 23.2): `-c, --config`
 * is the cluster description, `-o, --output` and `--json` the output format, `-m, --model` a
 * model name. Light on purpose (commander only): each command's register function imports it
 * without loading its implementation.
 */
import { InvalidArgumentError, Option } from 'commander';

/** Environment variable naming the cluster description (lib/config resolveClusterConfigPath). */
const CONFIG_ENV = 'TRITON_JETSON_CONFIG';

/** `-c, --config <file>`: what the command reads from the description, e.g. "its nodes and NodePorts". */
export function configOption(reads?: string): Option {
  return new Option('-c, --config <file>', `cluster description${reads ? ` (${reads})` : ''}; default: $${CONFIG_ENV}, else ./cluster.yaml`);
}

/** Output formats a command prints on stdout. */
export type OutputFormat = 'text' | 'json' | 'csv';

/** `-o, --output <format>` and `--json` (= `-o json`); `jsonHelp` when --json says more (bench: a file). */
export function outputOptions(formats: readonly OutputFormat[] = ['text', 'json'], jsonHelp?: { flags: string; description: string }): Option[] {
  return [
    new Option('-o, --output <format>', `output format on stdout: ${formats.join(', ')} (default: text)`).argParser((value) => {
      if (!(formats as readonly string[]).includes(value)) throw new InvalidArgumentError(`must be one of ${formats.join(', ')}`);
      return value;
    }),
    new Option(jsonHelp?.flags ?? '--json', jsonHelp?.description ?? 'same as -o json: the result as JSON on stdout (progress stays on stderr)'),
  ];
}

/** The format asked for: `--json` (without a file) is `-o json`; the two must agree. */
export function outputFormat(flags: { readonly output?: string; readonly json?: boolean | string }): OutputFormat {
  const fromJson = flags.json === true ? 'json' : undefined;
  if (fromJson && flags.output !== undefined && flags.output !== fromJson) {
    throw new Error(`--json and -o ${flags.output} ask for two output formats; give one`);
  }
  return (flags.output as OutputFormat | undefined) ?? fromJson ?? 'text';
}

/** `-m, --model <name>`, the same flag in verify, infer and bench. */
export function modelOption(description: string, repeatable = false): Option {
  const option = new Option('-m, --model <name>', description);
  return repeatable ? option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]) : option;
}

/**
 * A hidden long form kept for compatibility (image_client.py's and perf_analyzer's
 * `--model-name`), whose value the action merges into the visible option's.
 */
export function hiddenAlias(flags: string): Option {
  return new Option(flags).hideHelp();
}

/** Repeatable option without a default shown in help (commander would print "(default: [])"). */
export function collectValues(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
