/**
 * The `docker` command that builds a preset's image, computed without side effects so that
 * it is unit-tested; scripts/build-image.ts runs (or, with --dry-run, prints) it.
 */
import * as path from 'node:path';
import {
  IMAGE_CONTEXT_DIR, IMAGE_PLATFORM, TritonJetsonPreset, presetBuildArgs,
} from './presets';

/** How the image is built and where it ends up. */
export type BuildMode =
  /** Workstation: cross-build for arm64 with buildx (QEMU/binfmt) and push to the registry. */
  | 'buildx-push'
  /** Workstation: cross-build with buildx and load into the local Docker engine. */
  | 'buildx-load'
  /** On a Jetson board: plain `docker build` (native arm64), image stays in the board's engine. */
  | 'local';

export interface BuildImageRequest {
  /** The preset (JetPack generation) to build. */
  readonly preset: TritonJetsonPreset;
  /** Image repository without tag, e.g. "registry.example:5000/triton-jetson". */
  readonly repository: string;
  /**
   * Tag of the image.
   * @default the preset's tag, e.g. "2.19.0-jetpack4.6.1"
   */
  readonly tag?: string;
  /**
   * Also tag the image `latest` (what an untagged image reference such as the constructs' default pulls).
   * @default false
   */
  readonly alsoTagLatest?: boolean;
  /** How to build. */
  readonly mode: BuildMode;
  /**
   * Override of the preset's L4T base image (e.g. another r35 release).
   * @default the preset's baseImage
   */
  readonly baseImage?: string;
  /**
   * Expected sha256 of the tarball.
   * @default the preset's sha256 (none: not verified)
   */
  readonly sha256?: string;
  /**
   * Git commit recorded in the org.opencontainers.image.revision label.
   * @default none
   */
  readonly revision?: string;
  /**
   * Source URL recorded in the org.opencontainers.image.source label.
   * @default none
   */
  readonly source?: string;
  /**
   * The build context folder.
   * @default images/triton-jetson of this package
   */
  readonly contextDir?: string;
}

/** A program, its arguments and the extra environment it needs. */
export interface BuildCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

// Docker's reference grammar: lowercase path components, optional registry host[:port].
const REPOSITORY = /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** Checks a repository name; the error names the option and the fix. */
export function validateRepository(repository: string): void {
  if (!REPOSITORY.test(repository)) {
    const lastSlash = repository.lastIndexOf('/');
    if (repository.slice(lastSlash + 1).includes(':') || repository.includes('@')) {
      throw new Error(`--image "${repository}" has a tag or digest: give the repository alone (e.g. "registry:5000/triton-jetson") and the tag with --tag`);
    }
    throw new Error(`--image "${repository}" is not a valid image repository: use lowercase "[registry[:port]/]path/name", e.g. "registry:5000/triton-jetson"`);
  }
}

/** The `--build-arg` values for a request: the preset's, with the request's overrides. */
export function requestBuildArgs(request: BuildImageRequest): Record<string, string> {
  const args = presetBuildArgs(request.preset);
  if (request.baseImage !== undefined) args.L4T_BASE_IMAGE = request.baseImage;
  if (request.sha256 !== undefined) {
    if (!SHA256.test(request.sha256)) {
      throw new Error(`--sha256 "${request.sha256}" is not a sha256: give 64 lowercase hex digits (sha256sum of ${request.preset.tarball})`);
    }
    args.TRITON_SHA256 = request.sha256;
  }
  if (request.revision !== undefined) args.IMAGE_REVISION = request.revision;
  if (request.source !== undefined) args.IMAGE_SOURCE = request.source;
  return args;
}

/** The image references a request produces, first the versioned one. */
export function imageReferences(request: BuildImageRequest): string[] {
  validateRepository(request.repository);
  const tag = request.tag ?? request.preset.tag;
  if (!TAG.test(tag)) {
    throw new Error(`--tag "${tag}" is not a valid tag: use letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")`);
  }
  const refs = [`${request.repository}:${tag}`];
  if (request.alsoTagLatest && tag !== 'latest') refs.push(`${request.repository}:latest`);
  return refs;
}

/** The docker command for a request. Pure: same request, same command. */
export function buildImageCommand(request: BuildImageRequest): BuildCommand {
  const contextDir = request.contextDir ?? IMAGE_CONTEXT_DIR;
  const refs = imageReferences(request);
  const buildArgs = requestBuildArgs(request);
  const common = [
    '--file', path.join(contextDir, 'Dockerfile'),
    ...refs.flatMap((ref) => ['--tag', ref]),
    ...Object.entries(buildArgs).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]),
  ];
  switch (request.mode) {
    case 'buildx-push':
    case 'buildx-load':
      return {
        command: 'docker',
        args: [
          'buildx', 'build', '--platform', IMAGE_PLATFORM, ...common,
          request.mode === 'buildx-push' ? '--push' : '--load',
          contextDir,
        ],
        env: {},
      };
    case 'local':
      // Docker 20.10 on JetPack 4.x still defaults to the legacy builder, which lacks $BUILDPLATFORM.
      return { command: 'docker', args: ['build', ...common, contextDir], env: { DOCKER_BUILDKIT: '1' } };
  }
}

/** Quotes one word for POSIX sh, only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command as one line a POSIX shell runs exactly as given (what --dry-run prints). */
export function formatCommand(command: BuildCommand): string {
  const env = Object.entries(command.env).map(([name, value]) => `${name}=${shellQuote(value)}`);
  return [...env, ...[command.command, ...command.args].map(shellQuote)].join(' ');
}

/** Where binfmt_misc registers the arm64 emulator on Linux (tonistiigi/binfmt, qemu-user-static). */
export const QEMU_AARCH64_BINFMT = '/proc/sys/fs/binfmt_misc/qemu-aarch64';

/**
 * A warning when a cross-build will not find an arm64 emulator, or undefined. Only a Linux
 * non-arm64 host is checked: Docker Desktop registers QEMU inside its own VM.
 */
export function binfmtWarning(mode: BuildMode, host: { platform: string; arch: string }, emulatorRegistered: boolean): string | undefined {
  if (mode === 'local' || host.platform !== 'linux' || host.arch === 'arm64' || emulatorRegistered) return undefined;
  return `no arm64 emulator is registered (${QEMU_AARCH64_BINFMT} is missing), so buildx cannot run the arm64 stage: `
    + 'run "docker run --privileged --rm tonistiigi/binfmt --install arm64" once (docs/image.md)';
}

/** What tells whether Docker's buildx plugin is installed: `docker buildx version` exits 0. */
export const BUILDX_VERSION_COMMAND: BuildCommand = { command: 'docker', args: ['buildx', 'version'], env: {} };

/** How to get buildx (docker/buildx README, "Installing"; docs.docker.com/engine/install: the docker-buildx-plugin package). */
export const BUILDX_INSTALL_HINT = 'install the buildx plugin: Docker Desktop has it; on Linux, the docker-buildx-plugin package of Docker\'s apt/yum repository '
  + '(docs.docker.com/engine/install), or a release binary of github.com/docker/buildx as ~/.docker/cli-plugins/docker-buildx; '
  + 'or build on a Jetson with --local, or print the command with --dry-run';

/**
 * Why a buildx build cannot start, from the result of BUILDX_VERSION_COMMAND, or undefined when
 * buildx answered (a plain `docker build` on the board, --local, needs no buildx).
 */
export function buildxProblem(
  mode: BuildMode,
  result: { readonly errorCode?: string; readonly status: number | null; readonly stderr: string },
): string | undefined {
  if (mode === 'local') return undefined;
  if (result.errorCode === 'ENOENT') return `docker is not installed here; this build cross-compiles for ${IMAGE_PLATFORM} with docker buildx: install Docker, then ${BUILDX_INSTALL_HINT}`;
  if (result.errorCode !== undefined) return `cannot run docker (${result.errorCode}); ${BUILDX_INSTALL_HINT}`;
  if (result.status === 0) return undefined;
  const said = result.stderr.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? `exit ${result.status ?? 'signal'}`;
  return `docker buildx is not available (\`docker buildx version\`: ${said.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200)}); `
    + `this build cross-compiles for ${IMAGE_PLATFORM} with it: ${BUILDX_INSTALL_HINT}`;
}
