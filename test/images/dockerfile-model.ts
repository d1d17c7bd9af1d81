/**
 * Reads the Triton image's Dockerfile with dockerfile-ast into stages, and extracts what
 * the tests check: ARG defaults, RUN scripts with build args substituted, apt packages.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { DockerfileParser, Dockerfile, Instruction, From, Arg } from 'dockerfile-ast';
import { DOCKERFILE_PATH } from '../../images/triton-jetson/presets';

export interface Stage {
  readonly name: string;
  readonly from: From;
  /** Instructions after FROM, in order. */
  readonly instructions: readonly Instruction[];
}

export interface ParsedDockerfile {
  readonly dockerfile: Dockerfile;
  /** ARGs before the first FROM, with their defaults. */
  readonly globalArgs: Readonly<Record<string, string | undefined>>;
  readonly stages: readonly Stage[];
}

export function parseDockerfile(text: string = readFileSync(DOCKERFILE_PATH, 'utf8')): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs: Record<string, string | undefined> = {};
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) globalArgs[property.getName()] = property.getValue() ?? undefined;
  }
  const stages: { name: string; from: From; instructions: Instruction[] }[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      stages.push({ name: from.getBuildStage() ?? String(stages.length), from, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { dockerfile, globalArgs, stages };
}

export function stage(parsed: ParsedDockerfile, name: string): Stage {
  const found = parsed.stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage "${name}" in the Dockerfile (stages: ${parsed.stages.map((s) => s.name).join(', ')})`);
  return found;
}

export function instructionsOf(s: Stage, keyword: string): Instruction[] {
  return s.instructions.filter((i) => i.getKeyword() === keyword);
}

/** The stage's ARGs and their defaults (a bare `ARG X` after a global `ARG X=v` inherits v). */
export function stageArgs(parsed: ParsedDockerfile, s: Stage): Record<string, string | undefined> {
  const args: Record<string, string | undefined> = {};
  for (const arg of instructionsOf(s, 'ARG') as Arg[]) {
    const property = arg.getProperty();
    if (!property) continue;
    const value = property.getValue();
    args[property.getName()] = value ?? parsed.globalArgs[property.getName()];
  }
  return args;
}

/** Replaces $NAME and ${NAME} of the given variables, as the shell's unquoted expansion would. */
export function substitute(text: string, values: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced, bare) => {
    const name = (braced ?? bare) as string;
    const value = values[name];
    return value === undefined ? match : value;
  });
}

/**
 * The stage's RUN scripts as the shell sees them: the Dockerfile's ARG defaults, overridden
 * by `buildArgs`, substituted (ARGs reach RUN as environment variables).
 */
export function runScripts(parsed: ParsedDockerfile, s: Stage, buildArgs: Readonly<Record<string, string>> = {}): string[] {
  const defaults = stageArgs(parsed, s);
  const values: Record<string, string | undefined> = { ...defaults };
  for (const name of Object.keys(defaults)) {
    if (name in buildArgs) values[name] = buildArgs[name];
  }
  return instructionsOf(s, 'RUN').map((run) => substitute(run.getArgumentsContent() ?? '', values));
}

/** Packages named by `apt-get install` / `apt install` commands in a shell script. */
export function aptInstalledPackages(script: string): string[] {
  const packages: string[] = [];
  for (const command of script.split(/&&|\|\||[;|\n]/)) {
    const words = command.trim().split(/\s+/).filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    const tool = words.findIndex((w) => w === 'apt-get' || w === 'apt');
    if (tool < 0 || words[tool + 1] !== 'install') continue;
    packages.push(...words.slice(tool + 2).filter((w) => !w.startsWith('-')));
  }
  return packages;
}

/** Runs shellcheck on a script given on stdin (POSIX sh unless told); returns its findings, empty when clean. */
export function shellcheckFindings(script: string, name = 'script', shell: 'sh' | 'bash' = 'sh'): string {
  const result = spawnSync('shellcheck', [`--shell=${shell}`, '--format=gcc', '-'], { input: script, encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status === 0) return '';
  return `${name}:\n${result.stdout}${result.stderr}`.replace(/^-:/gm, `${name}:`);
}
