/**
 * bin/synth.js (`npm run synth`) runs a cached bundle, and never a stale one: run on a
 * copy of the sources, a changed source is picked up on the very next run.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync,
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
