/**
 * Presets render, the pure build-command function, its shell quoting (checked by running
 * the printed line through dash), the CLI parsing, and the script end to end with --dry-run.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CommanderError } from 'commander';
import {
  BUILDX_INSTALL_HINT, BuildImageRequest, binfmtWarning, buildImageCommand, formatCommand, imageReferences, requestBuildArgs, shellQuote,
} from '../../images/triton-jetson/build-command';
import {
  DEFAULT_JETPACK, IMAGE_CONTEXT_DIR, JETPACK_VERSIONS, PRESETS, TUTORIAL_IMAGE_REPOSITORY, TUTORIAL_JETPACK,
  presetBuildArgs, presetFor, tarballUrl,
} from '../../images/triton-jetson/presets';
import { parseBuildImageArgs } from '../../scripts/build-image';
import { describeWith, hasCommand } from '../support/prereq';

const ROOT = path.resolve(__dirname, '..', '..');
const request = (over: Partial<BuildImageRequest> = {}): BuildImageRequest => ({
  preset: PRESETS[DEFAULT_JETPACK], repository: 'registry.local:5000/edge/triton-jetson', mode: 'buildx-push', ...over,
});

describe('presets', () => {
  test('the three JetPack generations, 4.6.1 by default, 4.6 being the tutorial\'s', () => {
    expect(JETPACK_VERSIONS).toEqual(['4.6', '4.6.1', '5.1.2']);
    expect(DEFAULT_JETPACK).toBe('4.6.1');
    expect(TUTORIAL_JETPACK).toBe('4.6');
    // The tutorial's recipe (seed article, step 4).
    expect(PRESETS['4.6']).toMatchObject({
      baseImage: 'nvcr.io/nvidia/l4t-base:r32.6.1',
      tritonVersion: '2.17.0',
      tarball: 'tritonserver2.17.0-jetpack4.6.tgz',
      tag: '2.17.0-jetpack4.6',
    });
    expect(tarballUrl(PRESETS['4.6'])).toBe('https://github.com/triton-inference-server/server/releases/download/v2.17.0/tritonserver2.17.0-jetpack4.6.tgz');
    expect(PRESETS['4.6.1']).toMatchObject({
      baseImage: 'nvcr.io/nvidia/l4t-base:r32.7.1', tritonVersion: '2.19.0', tag: '2.19.0-jetpack4.6.1', nameAndTag: 'triton-jetson:2.19.0-jetpack4.6.1',
    });
    expect(PRESETS['5.1.2']).toMatchObject({ tritonVersion: '2.35.0', tarballTopLevelFolder: 'tritonserver', ubuntu: '20.04' });
  });

  test.each(JETPACK_VERSIONS)('JetPack %s renders consistent build args', (jetpack) => {
    const preset = presetFor(jetpack);
    const args = presetBuildArgs(preset);
    expect(preset.jetpack).toBe(jetpack);
    expect(preset.tag).toBe(`${preset.tritonVersion}-jetpack${jetpack}`);
    expect(preset.tarball).toMatch(new RegExp(`^tritonserver${preset.tritonVersion.replace(/\./g, '\\.')}-jetpack${jetpack.replace(/\./g, '\\.')}(-update-[0-9]+)?\\.tgz$`));
    expect(preset.baseImage).toMatch(new RegExp(`^nvcr\\.io/nvidia/l4t-(base|jetpack):${preset.l4tRelease.replace(/\./g, '\\.')}$`));
    // JetPack 4 is L4T r32 on Ubuntu 18.04; JetPack 5 is r35 on 20.04, where re2's package is libre2-5.
    expect(preset.l4tRelease.startsWith(jetpack.startsWith('4.') ? 'r32.' : 'r35.')).toBe(true);
    expect(preset.runtimePackages).toContain(preset.ubuntu === '18.04' ? 'libre2-4' : 'libre2-5');
    expect(args).toEqual({
      L4T_BASE_IMAGE: preset.baseImage,
      JETPACK_VERSION: jetpack,
      TRITON_VERSION: preset.tritonVersion,
      TRITON_TARBALL: preset.tarball,
      TRITON_TARBALL_ROOT: preset.tarballTopLevelFolder ?? '.',
      TRITON_URL: `https://github.com/triton-inference-server/server/releases/download/v${preset.tritonVersion}/${preset.tarball}`,
      TRITON_SHA256: '',
      TRITON_RUNTIME_PACKAGES: preset.runtimePackages.join(' '),
    });
    for (const mode of ['buildx-push', 'buildx-load', 'local'] as const) {
      const command = buildImageCommand(request({ preset, mode }));
      expect(command.args).toContain(`registry.local:5000/edge/triton-jetson:${preset.tag}`);
      expect(command.args[command.args.length - 1]).toBe(IMAGE_CONTEXT_DIR);
    }
  });

  test('JetPack 5 builds on l4t-jetpack: the NVIDIA runtime no longer mounts CUDA from the host there', () => {
    expect(PRESETS['5.1.2'].baseImage.startsWith('nvcr.io/nvidia/l4t-jetpack:')).toBe(true);
    expect(PRESETS['4.6.1'].baseImage.startsWith('nvcr.io/nvidia/l4t-base:')).toBe(true);
  });

  test('an unknown JetPack version names the choices', () => {
    expect(() => presetFor('4.5')).toThrow('unknown JetPack version "4.5" (--jetpack): choose one of 4.6, 4.6.1, 5.1.2');
    expect(() => presetFor('toString')).toThrow('unknown JetPack version');
  });
});

describe('buildImageCommand', () => {
  test('workstation: buildx for linux/arm64, pushed', () => {
    const command = buildImageCommand(request({ contextDir: 'images/triton-jetson', revision: 'abc123' }));
    expect(command.command).toBe('docker');
    expect(command.env).toEqual({});
    expect(command.args.slice(0, 4)).toEqual(['buildx', 'build', '--platform', 'linux/arm64']);
    expect(command.args).toEqual(expect.arrayContaining(['--file', path.join('images/triton-jetson', 'Dockerfile')]));
    expect(command.args.slice(-2)).toEqual(['--push', 'images/triton-jetson']);
    const buildArgs = command.args.filter((_, i) => command.args[i - 1] === '--build-arg');
    expect(buildArgs).toEqual([
      'L4T_BASE_IMAGE=nvcr.io/nvidia/l4t-base:r32.7.1',
      'JETPACK_VERSION=4.6.1',
      'TRITON_VERSION=2.19.0',
      'TRITON_TARBALL=tritonserver2.19.0-jetpack4.6.1.tgz',
      'TRITON_TARBALL_ROOT=.',
      'TRITON_URL=https://github.com/triton-inference-server/server/releases/download/v2.19.0/tritonserver2.19.0-jetpack4.6.1.tgz',
      'TRITON_SHA256=',
      'TRITON_RUNTIME_PACKAGES=libb64-0d libre2-4 libssl1.1 rapidjson-dev libopenblas-dev libarchive-dev zlib1g python3 python3-dev python3-pip libnuma1',
      'IMAGE_REVISION=abc123',
    ]);
    expect(command.args.filter((_, i) => command.args[i - 1] === '--tag')).toEqual(['registry.local:5000/edge/triton-jetson:2.19.0-jetpack4.6.1']);
  });

  test('workstation without a registry: buildx --load', () => {
    const args = buildImageCommand(request({ mode: 'buildx-load' })).args;
    expect(args).toContain('--load');
    expect(args).not.toContain('--push');
  });

  test('on the board: plain docker build with BuildKit, native platform, no push', () => {
    const command = buildImageCommand(request({ mode: 'local' }));
    expect(command.env).toEqual({ DOCKER_BUILDKIT: '1' });
    expect(command.args[0]).toBe('build');
    expect(command.args).not.toContain('--platform');
    expect(command.args).not.toContain('--push');
  });

  test('overrides: tag, latest, base image, sha256, source', () => {
    const sha = 'a'.repeat(64);
    const r = request({ tag: 'v1', alsoTagLatest: true, baseImage: 'nvcr.io/nvidia/l4t-base:r32.7.2', sha256: sha, source: 'https://example.invalid/repo' });
    expect(imageReferences(r)).toEqual(['registry.local:5000/edge/triton-jetson:v1', 'registry.local:5000/edge/triton-jetson:latest']);
    expect(requestBuildArgs(r)).toMatchObject({ L4T_BASE_IMAGE: 'nvcr.io/nvidia/l4t-base:r32.7.2', TRITON_SHA256: sha, IMAGE_SOURCE: 'https://example.invalid/repo' });
    expect(imageReferences(request({ tag: 'latest', alsoTagLatest: true }))).toEqual(['registry.local:5000/edge/triton-jetson:latest']);
  });

  test.each([
    ['janakiramm/triton-jetson:latest', '--image "janakiramm/triton-jetson:latest" has a tag or digest'],
    ['Upper/Case', 'is not a valid image repository'],
    ['', 'is not a valid image repository'],
  ])('repository %j is refused', (repository, message) => {
    expect(() => buildImageCommand(request({ repository }))).toThrow(message);
  });

  test('a registry with a port and nested paths is a valid repository', () => {
    expect(() => imageReferences(request({ repository: 'localhost:5000/a/b_c/d-e' }))).not.toThrow();
    expect(() => imageReferences(request({ repository: TUTORIAL_IMAGE_REPOSITORY }))).not.toThrow();
  });

  test('bad tag and bad sha256 are refused with the option name', () => {
    expect(() => buildImageCommand(request({ tag: '-x' }))).toThrow('--tag "-x" is not a valid tag');
    expect(() => buildImageCommand(request({ sha256: 'abc' }))).toThrow('--sha256 "abc" is not a sha256');
  });
});

describe('binfmtWarning', () => {
  const linuxX64 = { platform: 'linux', arch: 'x64' };
  test('warns a Linux x86_64 cross-build without a registered arm64 emulator', () => {
    expect(binfmtWarning('buildx-push', linuxX64, false)).toContain('tonistiigi/binfmt --install arm64');
    expect(binfmtWarning('buildx-load', linuxX64, false)).toContain('/proc/sys/fs/binfmt_misc/qemu-aarch64');
  });
  test('stays quiet when the emulator is there, on arm64, on the board, or off Linux', () => {
    expect(binfmtWarning('buildx-push', linuxX64, true)).toBeUndefined();
    expect(binfmtWarning('buildx-push', { platform: 'linux', arch: 'arm64' }, false)).toBeUndefined();
    expect(binfmtWarning('local', linuxX64, false)).toBeUndefined();
    expect(binfmtWarning('buildx-push', { platform: 'darwin', arch: 'x64' }, false)).toBeUndefined();
  });
});

describeWith([{ name: 'dash', present: hasCommand('dash'), hint: 'bash scripts/test-deps/15-shellcheck.sh' }])('formatCommand', () => {
  test('quotes only what needs it', () => {
    expect(shellQuote('--build-arg')).toBe('--build-arg');
    expect(shellQuote('A=b c')).toBe('\'A=b c\'');
    expect(shellQuote('it\'s')).toBe('\'it\'\\\'\'s\'');
    expect(shellQuote('')).toBe('\'\'');
  });

  test('dash runs the printed line with exactly the computed arguments and environment', () => {
    const command = buildImageCommand(request({
      mode: 'local',
      baseImage: 'odd base \'quoted\' "double" $HOME `uname` \\ * ;|&',
    }));
    const line = formatCommand(command);
    // A shell function stands in for docker and prints what it received, NUL-separated.
    const script = `docker() { printf 'DOCKER_BUILDKIT=%s\\0' "\${DOCKER_BUILDKIT-unset}"; for a in "$@"; do printf '%s\\0' "$a"; done; }\n${line}\n`;
    const out = execFileSync('dash', ['-c', script], { env: { PATH: process.env.PATH ?? '' } }).toString();
    const received = out.split('\0').slice(0, -1);
    expect(received).toEqual(['DOCKER_BUILDKIT=1', ...command.args]);
  });
});

describe('CLI parsing', () => {
  test('defaults: JetPack 4.6.1, the tutorial\'s repository, buildx with push', () => {
    const { request: r, dryRun } = parseBuildImageArgs([]);
    expect(r.preset).toBe(PRESETS['4.6.1']);
    expect(r.repository).toBe(TUTORIAL_IMAGE_REPOSITORY);
    expect(r.mode).toBe('buildx-push');
    expect(dryRun).toBe(false);
  });

  test('every option reaches the request', () => {
    const { request: r, dryRun } = parseBuildImageArgs([
      '--jetpack', '5.1.2', '--image', 'reg/t', '--tag', 't1', '--latest', '--local', '--base', 'b:1',
      '--sha256', 'A'.repeat(64), '--revision', 'r1', '--source', 's', '--dry-run',
    ], { revision: 'ignored', contextDir: 'ctx' });
    expect(r).toEqual({
      preset: PRESETS['5.1.2'], repository: 'reg/t', mode: 'local', tag: 't1', alsoTagLatest: true, baseImage: 'b:1',
      sha256: 'a'.repeat(64), revision: 'r1', source: 's', contextDir: 'ctx',
    });
    expect(dryRun).toBe(true);
    expect(parseBuildImageArgs(['--load']).request.mode).toBe('buildx-load');
  });

  test('bad input is a CommanderError', () => {
    expect(() => parseBuildImageArgs(['--jetpack', '4.5'])).toThrow(CommanderError);
    expect(() => parseBuildImageArgs(['--local', '--load'])).toThrow(/cannot be used with/);
    expect(() => parseBuildImageArgs(['--nope'])).toThrow(/unknown option/);
  });
});

describe('npm run image:build', () => {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
  const script = path.join(ROOT, 'scripts', 'build-image.ts');
  const runScript = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(tsx, [script, ...args], { cwd: ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });

  test('--dry-run prints the command, with the context relative to the repository', async () => {
    const result = await runScript(['--jetpack', '4.6', '--image', 'reg:5000/triton-jetson', '--revision', 'r1', '--dry-run']);
    expect(result.code).toBe(0);
    const expected = formatCommand(buildImageCommand({
      preset: PRESETS['4.6'], repository: 'reg:5000/triton-jetson', mode: 'buildx-push', revision: 'r1', contextDir: 'images/triton-jetson',
    }));
    expect(result.stdout).toBe(`${expected}\n`);
  });

  test('bad input exits 2 with the reason', async () => {
    const result = await runScript(['--image', 'x:y', '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--image "x:y" has a tag or digest');
  });

  test('without docker on PATH it says what to install instead of crashing', async () => {
    // PATH holds node alone, so no docker can be found whatever this machine has installed.
    const nodeOnly = mkdtempSync(path.join(os.tmpdir(), 'node-only-'));
    symlinkSync(process.execPath, path.join(nodeOnly, 'node'));
    const result = await runScript(['--local'], { PATH: nodeOnly, TMPDIR: process.env.TMPDIR });
    rmSync(nodeOnly, { recursive: true, force: true });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('docker is not installed here');
  });

  describe('a docker without the buildx plugin (a fake docker on PATH)', () => {
    let bin: string;
    beforeAll(() => {
      bin = mkdtempSync(path.join(os.tmpdir(), 'fake-docker-'));
      symlinkSync(process.execPath, path.join(bin, 'node'));
      // What Docker prints when the plugin is missing; every call is recorded.
      writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "$*" >> "${bin}/calls"\n`
        + 'if [ "$1" = buildx ]; then echo "docker: \'buildx\' is not a docker command." >&2; echo "See \'docker --help\'" >&2; exit 1; fi\n'
        + 'if [ "$1" = build ]; then echo "built"; exit 0; fi\nexit 0\n', { mode: 0o755 });
    });
    afterAll(() => rmSync(bin, { recursive: true, force: true }));
    const calls = () => (existsSync(path.join(bin, 'calls')) ? readFileSync(path.join(bin, 'calls'), 'utf-8').trim().split('\n') : []);

    test('a cross-build stops before Docker\'s own "unknown flag: --platform", saying how to get buildx', async () => {
      rmSync(path.join(bin, 'calls'), { force: true });
      const result = await runScript(['--jetpack', '4.6.1', '--image', 'reg:5000/triton-jetson'], { PATH: bin, TMPDIR: process.env.TMPDIR });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('image:build: docker buildx is not available (`docker buildx version`: docker: \'buildx\' is not a docker command.); '
        + `this build cross-compiles for linux/arm64 with it: ${BUILDX_INSTALL_HINT}\n`);
      expect(calls()).toEqual(['buildx version']);
    });

    test('--local (docker build on the board) needs no buildx', async () => {
      rmSync(path.join(bin, 'calls'), { force: true });
      const result = await runScript(['--jetpack', '4.6.1', '--local'], { PATH: bin, TMPDIR: process.env.TMPDIR });
      expect(result.code).toBe(0);
      expect(calls()).toEqual([expect.stringMatching(/^build --file /)]);
    });
  });
});
