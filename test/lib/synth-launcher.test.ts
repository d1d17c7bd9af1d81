/**
 * bin/synth.js (`npm run synth`) runs a cached bundle, and never a stale one: run on a
 * copy of the sources, a changed source is picked up on the very next run.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DIST, REPO_ROOT } from '../support/manifests';

describe('bin/synth.js', () => {
  let root: string;
  let cache: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'synth-launcher-'));
    cache = path.join(root, 'cache');
    for (const item of ['main.ts', 'lib', 'imports', 'bin', 'tsconfig.json', 'package.json', 'package-lock.json']) {
      cpSync(path.join(REPO_ROOT, item), path.join(root, item), { recursive: true });
    }
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const synth = (out: string) => {
    const result = spawnSync(process.execPath, ['bin/synth.js', '--out', out], {
      cwd: root, encoding: 'utf-8', env: { ...process.env, TRITON_JETSON_SYNTH_CACHE: cache, TRITON_JETSON_CONFIG: '', TRITON_JETSON_DEBUG: '' },
    });
    expect(result.stderr).toBe(`synth: ${out}/triton-jetson.k8s.yaml\n`);
    expect(result.status).toBe(0);
    return readFileSync(path.join(root, out, 'triton-jetson.k8s.yaml'), 'utf-8');
  };
  const committed = () => readFileSync(path.join(DIST, 'triton-jetson.k8s.yaml'), 'utf-8');

  test('writes exactly the committed dist/, and a warm run reuses the bundle', () => {
    expect(synth('a')).toBe(committed());
    const manifest = path.join(cache, 'manifest.json');
    const built = statSync(manifest).mtimeMs;
    expect(synth('b')).toBe(committed());
    expect(statSync(manifest).mtimeMs).toBe(built);
  });

  test('a changed source is picked up on the next run, and changing it back restores the output', () => {
    const defaults = path.join(root, 'lib', 'tutorial-defaults.ts');
    const original = readFileSync(defaults, 'utf-8');
    writeFileSync(defaults, original.replace("nfsServer: '10.0.0.30'", "nfsServer: '10.9.9.9'"));
    expect(synth('c')).toContain('10.9.9.9');
    writeFileSync(defaults, original);
    expect(synth('d')).toBe(committed());
  });

  test('a new source file beside the inputs rebuilds too (it could shadow an import, e.g. lib/config.ts next to lib/config/)', () => {
    const manifest = path.join(cache, 'manifest.json');
    const before = JSON.parse(readFileSync(manifest, 'utf-8')).key;
    writeFileSync(path.join(root, 'lib', 'unrelated-new-file.ts'), 'export {};\n');
    expect(synth('e')).toBe(committed());
    expect(JSON.parse(readFileSync(manifest, 'utf-8')).key).not.toBe(before);
  });
});

/**
 * bin/triton-jetson.js runs the CLI from a cached bundle of the same launcher, and never a
 * stale one: a changed source (the program's own, or one a command loads lazily), a new file
 * beside the inputs, or a changed dependency file (commander, copied into this tree) is picked
 * up on the very next run.
 */
describe('bin/triton-jetson.js', () => {
  let root: string;
  let cache: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cli launcher '));
    cache = path.join(root, 'cache');
    for (const item of ['main.ts', 'lib', 'imports', 'cli', 'bootstrap', 'client', 'bin', 'tsconfig.json', 'package.json', 'package-lock.json']) {
      cpSync(path.join(REPO_ROOT, item), path.join(root, item), { recursive: true });
    }
    // node_modules: links to the repository's packages, but a copy of commander that the test may change.
    mkdirSync(path.join(root, 'node_modules'));
    for (const entry of readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
      if (entry === 'commander' || entry === '.cache') continue;
      symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(root, 'node_modules', entry));
    }
    cpSync(path.join(REPO_ROOT, 'node_modules', 'commander'), path.join(root, 'node_modules', 'commander'), { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ['bin/triton-jetson.js', ...args], {
      cwd: root, encoding: 'utf-8', env: { ...process.env, TRITON_JETSON_CLI_CACHE: cache, TRITON_JETSON_CONFIG: '', TRITON_JETSON_DEBUG: '' },
    });
    expect({ status: result.status, stderr: result.stderr.replace(/^synth: .*\n$/, '') }).toEqual({ status: 0, stderr: '' });
    return result.stdout;
  };
  const manifestKey = () => JSON.parse(readFileSync(path.join(cache, 'manifest.json'), 'utf-8')).key as string;
  const change = (file: string, from: string, to: string) => {
    const abs = path.join(root, file);
    const original = readFileSync(abs, 'utf-8');
    expect(original).toContain(from);
    writeFileSync(abs, original.split(from).join(to));
    return () => writeFileSync(abs, original);
  };

  test('answers --help from the bundle, and a warm run reuses it', () => {
    expect(cli('--help')).toContain('Triton Inference Server on a K3s cluster of Jetson boards');
    const built = statSync(path.join(cache, 'manifest.json')).mtimeMs;
    expect(cli('verify', '--help')).toMatch(/^Usage: triton-jetson verify /);
    expect(statSync(path.join(cache, 'manifest.json')).mtimeMs).toBe(built);
  });

  test('a changed source is picked up on the next run, and changing it back restores the output', () => {
    const restore = change('cli/triton-jetson.ts', 'Triton Inference Server on a K3s cluster of Jetson boards', 'CHANGED DESCRIPTION');
    expect(cli('--help')).toContain('CHANGED DESCRIPTION');
    restore();
    expect(cli('--help')).toContain('Triton Inference Server on a K3s cluster of Jetson boards');
  });

  test('a source only a command loads (lib/, through synth\'s action) is part of the key too', () => {
    const restore = change('lib/tutorial-defaults.ts', "nfsServer: '10.0.0.30'", "nfsServer: '10.9.9.9'");
    cli('synth', '--out', 'changed');
    expect(readFileSync(path.join(root, 'changed', 'triton-jetson.k8s.yaml'), 'utf-8')).toContain('10.9.9.9');
    restore();
    cli('synth', '--out', 'restored');
    expect(readFileSync(path.join(root, 'restored', 'triton-jetson.k8s.yaml'), 'utf-8')).toBe(readFileSync(path.join(DIST, 'triton-jetson.k8s.yaml'), 'utf-8'));
  });

  test('a new source file beside the inputs rebuilds', () => {
    const before = manifestKey();
    writeFileSync(path.join(root, 'client', 'unrelated-new-file.ts'), 'export {};\n');
    cli('--help');
    expect(manifestKey()).not.toBe(before);
  });

  test('a changed dependency file (bundled commander) is picked up on the next run', () => {
    const restore = change('node_modules/commander/lib/help.js', "helper.styleTitle('Usage:')", "helper.styleTitle('USAGE:')");
    expect(cli('--help')).toMatch(/^USAGE: triton-jetson/);
    restore();
    expect(cli('--help')).toMatch(/^Usage: triton-jetson/);
  });
});
