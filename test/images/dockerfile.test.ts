/**
 * The recipe itself (no Docker engine here): the Dockerfile parsed with dockerfile-ast has
 * the expected stages, ARGs, paths, ENTRYPOINT and ports; the runtime stage installs no
 * build toolchain; curl is installed before it is used; every RUN script (with each
 * preset's build args) and the shipped shell script pass shellcheck.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Copy } from 'dockerfile-ast';
import {
  DEFAULT_JETPACK, IMAGE_BACKEND_DIRECTORY, IMAGE_CONTEXT_DIR, IMAGE_MODEL_REPOSITORY_PATH, PRESETS,
  TRITON_PREFIX, presetBuildArgs,
} from '../../images/triton-jetson/presets';
import { describeWith, hasCommand } from '../support/prereq';
import {
  aptInstalledPackages, instructionsOf, parseDockerfile, runScripts, shellcheckFindings, stage, stageArgs,
} from './dockerfile-model';

/** Packages that build software: none may reach the runtime stage. */
const BUILD_TOOLCHAIN = [
  'build-essential', 'gcc', 'g++', 'make', 'cmake', 'git', 'autoconf', 'automake', 'libtool', 'patchelf',
  'pkg-config', 'software-properties-common', 'clang', 'ninja-build',
];
/** The tutorial's apt list (seed article, step 4): the recipe it replaces. */
const TUTORIAL_APT_INSTALL = 'apt-get update && apt-get install -y --no-install-recommends software-properties-common '
  + 'autoconf automake build-essential cmake git libb64-dev libre2-dev libssl-dev libtool libboost-dev '
  + 'libcurl4-openssl-dev libopenblas-dev rapidjson-dev patchelf zlib1g-dev';

function toolchainIn(packages: readonly string[]): string[] {
  return packages.filter((p) => BUILD_TOOLCHAIN.includes(p) || /^(gcc|g\+\+|clang)-[0-9]+$/.test(p));
}

const parsed = parseDockerfile();
const download = stage(parsed, 'download');
const runtime = stage(parsed, 'runtime');
const shippedScripts = ['fetch-triton.sh'];

describe('Dockerfile structure', () => {
  test('two stages: download, then the runtime stage built FROM the L4T base', () => {
    expect(parsed.stages.map((s) => s.name)).toEqual(['download', 'runtime']);
    expect(runtime.from.getImage()).toBe('${L4T_BASE_IMAGE}');
    expect(parsed.globalArgs.L4T_BASE_IMAGE).toBe(PRESETS[DEFAULT_JETPACK].baseImage);
    // The download stage runs on the build machine's platform: no QEMU for download and unpack.
    expect(download.from.getPlatformFlag()?.getValue()).toBe('$BUILDPLATFORM');
  });

  test('the ARG defaults are the default preset (JetPack 4.6.1), and every preset build arg is declared', () => {
    const declared = { ...stageArgs(parsed, download), ...stageArgs(parsed, runtime) };
    const defaults = presetBuildArgs(PRESETS[DEFAULT_JETPACK]);
    for (const [name, value] of Object.entries(defaults)) {
      expect({ name, value: declared[name] ?? '' }).toEqual({ name, value: name === 'TRITON_URL' ? expect.any(String) : value });
    }
    // The URL default is composed from version and tarball.
    expect(declared.TRITON_URL).toBe('https://github.com/triton-inference-server/server/releases/download/v${TRITON_VERSION}/${TRITON_TARBALL}');
    for (const preset of Object.values(PRESETS)) {
      for (const name of Object.keys(presetBuildArgs(preset))) expect(Object.keys(declared)).toContain(name);
    }
    expect(Object.keys(stageArgs(parsed, runtime))).toEqual(expect.arrayContaining(['IMAGE_REVISION', 'IMAGE_SOURCE']));
  });

  test('Triton is laid out at /opt/triton by the download stage and copied whole into the runtime stage', () => {
    const [fetchRun] = runScripts(parsed, download).filter((s) => s.includes('fetch-triton.sh'));
    expect(fetchRun).toBe(`sh /usr/local/bin/fetch-triton.sh ${TRITON_PREFIX}`);
    const copies = instructionsOf(runtime, 'COPY') as Copy[];
    expect(copies).toHaveLength(1);
    expect(copies[0].getFromFlag()?.getValue()).toBe('download');
    expect(copies[0].getArgumentsContent()).toBe(`${TRITON_PREFIX} ${TRITON_PREFIX}`);
    expect(IMAGE_BACKEND_DIRECTORY).toBe(`${TRITON_PREFIX}/backends`);
    expect(IMAGE_MODEL_REPOSITORY_PATH).toBe(`${TRITON_PREFIX}/models`);
  });

  test('PATH and LD_LIBRARY_PATH put Triton first and keep the base image\'s entries', () => {
    const env = instructionsOf(runtime, 'ENV').map((e) => e.getArgumentsContent()).join(' ');
    expect(env).toContain(`PATH=${TRITON_PREFIX}/bin:\${PATH}`);
    expect(env).toContain(`LD_LIBRARY_PATH=${TRITON_PREFIX}/lib\${LD_LIBRARY_PATH:+:\${LD_LIBRARY_PATH}}`);
  });

  test('ENTRYPOINT is tritonserver with the backend directory, in exec form; CMD points at the models', () => {
    const entrypoints = instructionsOf(runtime, 'ENTRYPOINT');
    expect(entrypoints).toHaveLength(1);
    expect(JSON.parse(entrypoints[0].getArgumentsContent() ?? '')).toEqual(['tritonserver', `--backend-directory=${IMAGE_BACKEND_DIRECTORY}`]);
    const cmd = instructionsOf(runtime, 'CMD');
    expect(JSON.parse(cmd[0].getArgumentsContent() ?? '')).toEqual([`--model-repository=${IMAGE_MODEL_REPOSITORY_PATH}`]);
  });

  test('exposes HTTP, gRPC and metrics ports, runs as root, carries OCI labels', () => {
    expect(instructionsOf(runtime, 'EXPOSE').flatMap((e) => (e.getArgumentsContent() ?? '').split(/\s+/))).toEqual(['8000', '8001', '8002']);
    const users = instructionsOf(runtime, 'USER');
    expect(users[users.length - 1].getArgumentsContent()).toBe('root');
    const labels = instructionsOf(runtime, 'LABEL').map((l) => l.getArgumentsContent()).join(' ');
    for (const key of ['title', 'description', 'version', 'base.name', 'source', 'revision']) {
      expect(labels).toContain(`org.opencontainers.image.${key}=`);
    }
  });

  test('the per-build label args come after the last RUN, so a new commit keeps the apt layer cached', () => {
    const lines = (keyword: string, name?: string): number[] => instructionsOf(runtime, keyword)
      .filter((i) => !name || (i.getArgumentsContent() ?? '').startsWith(name))
      .map((i) => i.getRange().start.line);
    const lastRun = Math.max(...lines('RUN'));
    for (const name of ['IMAGE_REVISION', 'IMAGE_SOURCE']) expect(Math.min(...lines('ARG', name))).toBeGreaterThan(lastRun);
  });

  test('the build context holds only the Dockerfile and the fetch script', () => {
    const ignore = readFileSync(path.join(IMAGE_CONTEXT_DIR, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore).toEqual(['*', '!Dockerfile', '!fetch-triton.sh']);
  });
});

describe('lean runtime stage', () => {
  test('the toolchain check catches the tutorial\'s recipe', () => {
    expect(toolchainIn(aptInstalledPackages(TUTORIAL_APT_INSTALL))).toEqual(
      ['software-properties-common', 'autoconf', 'automake', 'build-essential', 'cmake', 'git', 'libtool', 'patchelf'],
    );
  });

  test.each(Object.keys(PRESETS))('JetPack %s: the runtime stage installs the preset\'s packages and no toolchain or download tool', (jetpack) => {
    const preset = PRESETS[jetpack];
    const installed = runScripts(parsed, runtime, presetBuildArgs(preset)).flatMap(aptInstalledPackages);
    expect(installed).toEqual([...preset.runtimePackages]);
    expect(toolchainIn(installed)).toEqual([]);
    expect(installed).not.toContain('curl');
    expect(installed).not.toContain('wget');
  });

  test('the runtime stage downloads nothing itself', () => {
    for (const script of runScripts(parsed, runtime)) expect(script).not.toMatch(/\b(curl|wget)\b/);
  });
});

describe('download tool before first use', () => {
  test('curl and ca-certificates are installed by a RUN before the one that downloads', () => {
    const runs = instructionsOf(download, 'RUN');
    const copies = instructionsOf(download, 'COPY') as Copy[];
    // A RUN uses curl when its own text calls it, or when it runs a shipped script that does.
    const scriptsUsingCurl = copies
      .map((c) => (c.getArgumentsContent() ?? '').split(/\s+/))
      .filter(([source]) => /\bcurl\b/.test(readFileSync(path.join(IMAGE_CONTEXT_DIR, source), 'utf8')))
      .map(([, destination]) => destination);
    const usesCurl = (text: string): boolean => {
      const withoutInstalls = text.split('&&').filter((c) => aptInstalledPackages(c).length === 0).join('&&');
      return /\bcurl\b/.test(withoutInstalls) || scriptsUsingCurl.some((d) => text.includes(d));
    };
    const texts = runs.map((r) => r.getArgumentsContent() ?? '');
    const installIndex = texts.findIndex((t) => {
      const packages = aptInstalledPackages(t);
      return packages.includes('curl') && packages.includes('ca-certificates');
    });
    const firstUse = texts.findIndex(usesCurl);
    expect(scriptsUsingCurl).toEqual(['/usr/local/bin/fetch-triton.sh']);
    expect(installIndex).toBeGreaterThanOrEqual(0);
    expect(firstUse).toBeGreaterThan(installIndex);
  });
});

describeWith([{ name: 'shellcheck', present: hasCommand('shellcheck'), hint: 'bash scripts/test-deps/15-shellcheck.sh' }])('shellcheck', () => {
  test('the harness reports a finding for a faulty script', () => {
    expect(shellcheckFindings('rm -rf $1/*\n', 'faulty')).toMatch(/SC2086/);
  });

  test.each(Object.keys(PRESETS))('JetPack %s: every RUN script, with the preset\'s build args, is clean', (jetpack) => {
    const args = presetBuildArgs(PRESETS[jetpack]);
    const findings = parsed.stages.flatMap((s) => runScripts(parsed, s, args).map((script, i) => shellcheckFindings(`${script}\n`, `${s.name} RUN #${i + 1}`)));
    expect(findings.filter(Boolean)).toEqual([]);
  });

  test.each(shippedScripts)('the shipped %s is clean', (name) => {
    expect(shellcheckFindings(readFileSync(path.join(IMAGE_CONTEXT_DIR, name), 'utf8'), name)).toBe('');
  });

  test('the scripts that prepare and run the tests (scripts/, .ci/run) are clean, sourced files followed', () => {
    const root = path.join(__dirname, '..', '..');
    const shellFiles = (dir: string) => readdirSync(path.join(root, dir)).filter((f) => f.endsWith('.sh')).map((f) => `${dir}/${f}`);
    const files = ['.ci/run', ...shellFiles('scripts'), ...shellFiles('scripts/test-deps')];
    expect(files).toContain('scripts/test-deps/15-shellcheck.sh');
    // -x follows `. scripts/apt-install.sh` and the other sourced helpers, from the repository root.
    const result = spawnSync('shellcheck', ['-x', '--format=gcc', ...files], { cwd: root, encoding: 'utf8' });
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });
});
