/**
 * `npm run image:build -- [--jetpack 4.6.1] [--image REGISTRY/NAME] [--local] [--dry-run]`:
 * builds the Triton-for-Jetson image of one JetPack generation (images/triton-jetson).
 * On a workstation it cross-builds for linux/arm64 with `docker buildx` and pushes; on a
 * Jetson board (--local) it runs a plain `docker build`. --dry-run prints the command only.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import {
  BUILDX_VERSION_COMMAND, BuildImageRequest, BuildMode, QEMU_AARCH64_BINFMT, binfmtWarning, buildImageCommand, buildxProblem, formatCommand,
} from '../images/triton-jetson/build-command';
import {
  DEFAULT_JETPACK, IMAGE_CONTEXT_DIR, JETPACK_VERSIONS, TUTORIAL_IMAGE_REPOSITORY, presetFor,
} from '../images/triton-jetson/presets';

export interface BuildImageInvocation {
  readonly request: BuildImageRequest;
  /** Print the command instead of running it. */
  readonly dryRun: boolean;
}

interface RawOptions {
  jetpack: string;
  image: string;
  tag?: string;
  latest?: boolean;
  local?: boolean;
  load?: boolean;
  base?: string;
  sha256?: string;
  revision?: string;
  source?: string;
  dryRun?: boolean;
}

function program(): Command {
  return new Command('image:build')
    .description('Build the Triton image for Jetson that the triton DaemonSet runs (docs/image.md).')
    .addOption(new Option('--jetpack <version>', 'JetPack generation of the target boards')
      .choices(JETPACK_VERSIONS).default(DEFAULT_JETPACK))
    .option('--image <repository>', 'image repository to tag (and push), without tag', TUTORIAL_IMAGE_REPOSITORY)
    .option('--tag <tag>', 'image tag (default: the preset\'s, e.g. 2.19.0-jetpack4.6.1)')
    .option('--latest', 'also tag the image "latest" (what an untagged image reference pulls)')
    .addOption(new Option('--local', 'build on the Jetson board itself with plain docker build (no push)').conflicts('load'))
    .option('--load', 'cross-build with buildx but load into the local engine instead of pushing')
    .option('--base <image>', 'L4T base image instead of the preset\'s (e.g. another r35 release)')
    .option('--sha256 <hex>', 'expected sha256 of the Triton tarball; the build fails when it differs')
    .option('--revision <commit>', 'git commit for the org.opencontainers.image.revision label (default: HEAD, when in git)')
    .option('--source <url>', 'URL for the org.opencontainers.image.source label')
    .option('--dry-run', 'print the docker command instead of running it');
}

/** Parses the CLI arguments (without node and script) into a build request. Throws CommanderError on bad input. */
export function parseBuildImageArgs(
  argv: readonly string[],
  defaults: { readonly revision?: string; readonly contextDir?: string } = {},
): BuildImageInvocation {
  const cmd = program().exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  cmd.parse([...argv], { from: 'user' });
  const o = cmd.opts<RawOptions>();
  const mode: BuildMode = o.local ? 'local' : o.load ? 'buildx-load' : 'buildx-push';
  const request: BuildImageRequest = {
    preset: presetFor(o.jetpack),
    repository: o.image,
    mode,
    ...(o.tag !== undefined && { tag: o.tag }),
    ...(o.latest && { alsoTagLatest: true }),
    ...(o.base !== undefined && { baseImage: o.base }),
    ...(o.sha256 !== undefined && { sha256: o.sha256.toLowerCase() }),
    ...((o.revision ?? defaults.revision) !== undefined && { revision: o.revision ?? defaults.revision }),
    ...(o.source !== undefined && { source: o.source }),
    ...(defaults.contextDir !== undefined && { contextDir: defaults.contextDir }),
  };
  return { request, dryRun: Boolean(o.dryRun) };
}

function gitRevision(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: __dirname, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let invocation: BuildImageInvocation;
  try {
    // A context path relative to where the command runs keeps the printed command short and portable.
    const contextDir = path.relative(process.cwd(), IMAGE_CONTEXT_DIR) || '.';
    invocation = parseBuildImageArgs(argv, { revision: gitRevision(), contextDir });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') {
        process.stdout.write(program().helpInformation());
        return 0;
      }
      process.stderr.write(`image:build: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let command;
  try {
    command = buildImageCommand(invocation.request);
  } catch (err) {
    process.stderr.write(`image:build: ${(err as Error).message}\n`);
    return 2;
  }
  const line = formatCommand(command);
  if (invocation.dryRun) {
    process.stdout.write(`${line}\n`);
    return 0;
  }
  // buildx first: without it Docker answers the build with its own "unknown flag: --platform".
  if (invocation.request.mode !== 'local') {
    const check = spawnSync(BUILDX_VERSION_COMMAND.command, [...BUILDX_VERSION_COMMAND.args], { encoding: 'utf-8', timeout: 30_000 });
    const problem = buildxProblem(invocation.request.mode, {
      errorCode: (check.error as NodeJS.ErrnoException | undefined)?.code, status: check.status, stderr: check.stderr ?? '',
    });
    if (problem) {
      process.stderr.write(`image:build: ${problem}\n`);
      return 1;
    }
  }
  const warning = binfmtWarning(invocation.request.mode, process, existsSync(QEMU_AARCH64_BINFMT));
  if (warning) process.stderr.write(`image:build: warning: ${warning}\n`);
  process.stderr.write(`image:build: ${line}\n`);
  return new Promise((resolve) => {
    const child = spawn(command.command, command.args, { stdio: 'inherit', env: { ...process.env, ...command.env } });
    child.on('error', (err: NodeJS.ErrnoException) => {
      process.stderr.write(err.code === 'ENOENT'
        ? 'image:build: docker is not installed here: install Docker (with the buildx plugin on a workstation), or use --dry-run to print the command\n'
        : `image:build: cannot run docker: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
    process.stderr.write(`image:build: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
