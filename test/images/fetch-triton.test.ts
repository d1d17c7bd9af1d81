/**
 * fetch-triton.sh, the image's download stage, run for real: dash and busybox sh, curl
 * against an HTTP server on 127.0.0.1 serving tarballs made with tar, sha256sum, both
 * tarball layouts (4.6's flat one and 2.35's top-level tritonserver/ folder).
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { IMAGE_CONTEXT_DIR } from '../../images/triton-jetson/presets';
import { describeWith, hasCommand } from '../support/prereq';

const SCRIPT = path.join(IMAGE_CONTEXT_DIR, 'fetch-triton.sh');

interface RunResult { readonly code: number; readonly stdout: string; readonly stderr: string }

function run(shell: string[], dest: string, env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(shell[0], [...shell.slice(1), SCRIPT, dest], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      timeout: 30_000,
    }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Writes a fake Triton release under `root` ("." = at the top) and packs it like NVIDIA's tarballs. */
function makeTarball(dir: string, name: string, root: string, options: { dotPrefix?: boolean; boost?: boolean } = {}): Buffer {
  const tree = path.join(dir, `${name}.tree`);
  const base = path.join(tree, root);
  mkdirSync(path.join(base, 'bin'), { recursive: true });
  mkdirSync(path.join(base, 'lib'), { recursive: true });
  mkdirSync(path.join(base, 'backends', 'tensorflow2'), { recursive: true });
  writeFileSync(path.join(base, 'bin', 'tritonserver'), '#!/bin/sh\necho tritonserver\n', { mode: 0o750 });
  writeFileSync(path.join(base, 'lib', 'libtritonserver.so'), 'elf');
  writeFileSync(path.join(base, 'backends', 'tensorflow2', 'libtriton_tensorflow2.so'), 'elf', { mode: 0o600 });
  if (options.boost) {
    mkdirSync(path.join(base, 'boost_filesystem'));
    writeFileSync(path.join(base, 'boost_filesystem', 'libboost_filesystem.so.1.80.0'), 'elf');
  }
  const tarball = path.join(dir, name);
  const members = options.dotPrefix ? ['.'] : readdirSync(tree);
  execFileSync('tar', ['-czf', tarball, '-C', tree, ...members]);
  return readFileSync(tarball);
}

const tools = ['dash', 'busybox', 'curl', 'tar', 'sha256sum'];
describeWith(tools.map((name) => ({ name, present: hasCommand(name), hint: 'bash scripts/test-deps/15-shellcheck.sh' })))('fetch-triton.sh', () => {
  let work: string;
  let server: http.Server;
  let baseUrl: string;
  const served = new Map<string, Buffer>();

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'fetch-triton-'));
    served.set('/v2.19.0/flat.tgz', makeTarball(work, 'flat.tgz', '.', { dotPrefix: true }));
    served.set('/v2.17.0/flat-plain.tgz', makeTarball(work, 'flat-plain.tgz', '.'));
    served.set('/v2.35.0/nested.tgz', makeTarball(work, 'nested.tgz', 'tritonserver', { boost: true }));
    served.set('/v0/not-triton.tgz', (() => {
      mkdirSync(path.join(work, 'other'));
      writeFileSync(path.join(work, 'other', 'README'), 'x');
      execFileSync('tar', ['-czf', path.join(work, 'other.tgz'), '-C', path.join(work, 'other'), '.']);
      return readFileSync(path.join(work, 'other.tgz'));
    })());
    server = http.createServer((req, res) => {
      const body = served.get(req.url ?? '');
      if (!body) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(work, { recursive: true, force: true });
  });

  const sha256 = (url: string): string => createHash('sha256').update(served.get(url) as Buffer).digest('hex');
  const dest = (name: string): string => path.join(work, 'out', name, 'opt', 'triton');

  test.each([
    ['dash', ['dash']],
    ['busybox sh', ['busybox', 'sh']],
  ])('%s: the flat 4.6-style tarball ("./bin/...") is verified and laid out with a models/ mount point', async (label, shell) => {
    const target = dest(`flat-${label.replace(' ', '-')}`);
    const result = await run(shell, target, {
      TRITON_URL: `${baseUrl}/v2.19.0/flat.tgz`,
      TRITON_SHA256: sha256('/v2.19.0/flat.tgz'),
      TRITON_TARBALL_ROOT: '.',
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('sha256 verified');
    expect(readdirSync(target).sort()).toEqual(['backends', 'bin', 'lib', 'models']);
    expect(existsSync(path.join(target, 'backends', 'tensorflow2', 'libtriton_tensorflow2.so'))).toBe(true);
    // Readable (and the binary executable) by any user, whatever the tarball's modes.
    expect(statSync(path.join(target, 'bin', 'tritonserver')).mode & 0o005).toBe(0o005);
    expect(statSync(path.join(target, 'backends', 'tensorflow2', 'libtriton_tensorflow2.so')).mode & 0o004).toBe(0o004);
  });

  test('a flat tarball without the "./" prefix works the same', async () => {
    const target = dest('flat-plain');
    const result = await run(['dash'], target, { TRITON_URL: `${baseUrl}/v2.17.0/flat-plain.tgz` });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('not verified');
    expect(readdirSync(target).sort()).toEqual(['backends', 'bin', 'lib', 'models']);
  });

  test('the 2.35 layout (top-level tritonserver/, boost_filesystem/ beside lib/) is flattened into /opt/triton', async () => {
    const target = dest('nested');
    const result = await run(['dash'], target, {
      TRITON_URL: `${baseUrl}/v2.35.0/nested.tgz`,
      TRITON_SHA256: sha256('/v2.35.0/nested.tgz'),
      TRITON_TARBALL_ROOT: 'tritonserver',
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(readdirSync(target).sort()).toEqual(['backends', 'bin', 'lib', 'models']);
    expect(readdirSync(path.join(target, 'lib')).sort()).toEqual(['libboost_filesystem.so.1.80.0', 'libtritonserver.so']);
  });

  test('a wrong TRITON_TARBALL_ROOT fails and names the right one', async () => {
    const target = dest('wrong-root');
    const result = await run(['dash'], target, { TRITON_URL: `${baseUrl}/v2.35.0/nested.tgz`, TRITON_TARBALL_ROOT: '.' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('set TRITON_TARBALL_ROOT=tritonserver');
    expect(existsSync(target)).toBe(false);
  });

  test('a tarball without tritonserver is refused', async () => {
    const result = await run(['dash'], dest('not-triton'), { TRITON_URL: `${baseUrl}/v0/not-triton.tgz` });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('has no bin/tritonserver at all');
  });

  test('a sha256 mismatch fails the build, naming both digests, and lays nothing out', async () => {
    const target = dest('bad-sha');
    const wrong = '0'.repeat(64);
    const result = await run(['dash'], target, { TRITON_URL: `${baseUrl}/v2.19.0/flat.tgz`, TRITON_SHA256: wrong });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`expected ${wrong}, got ${sha256('/v2.19.0/flat.tgz')}`);
    expect(existsSync(target)).toBe(false);
  });

  test('a missing release asset (HTTP 404) fails with the URL', async () => {
    const url = `${baseUrl}/v2.35.0/tritonserver2.35.0-jetpack5.1.2.tgz`;
    const result = await run(['dash'], dest('missing'), { TRITON_URL: url });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`download failed: ${url}`);
  });

  test('without curl it stops before downloading and says what to install', async () => {
    const emptyBin = path.join(work, 'empty-bin');
    mkdirSync(emptyBin, { recursive: true });
    const result = await run([execFileSync('sh', ['-c', 'command -v dash']).toString().trim()], dest('no-curl'), {
      PATH: emptyBin, TRITON_URL: `${baseUrl}/v2.19.0/flat.tgz`,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('curl is not installed: install curl and ca-certificates');
  });

  test('a non-empty destination or a missing URL is refused', async () => {
    const occupied = path.join(work, 'occupied');
    mkdirSync(occupied, { recursive: true });
    writeFileSync(path.join(occupied, 'keep'), 'x');
    const busy = await run(['dash'], occupied, { TRITON_URL: `${baseUrl}/v2.19.0/flat.tgz` });
    expect(busy.code).not.toBe(0);
    expect(busy.stderr).toContain('already exists and is not empty');
    expect(readdirSync(occupied)).toEqual(['keep']);
    const noUrl = await run(['dash'], dest('no-url'), {});
    expect(noUrl.code).not.toBe(0);
    expect(noUrl.stderr).toContain('TRITON_URL is empty');
  });
});
