/**
 * Hostile output folders and flags for `npm run synth` / `triton-jetson synth`: every
 * refusal is one line naming the flag, exits 1 or 2, and changes nothing at all; every
 * accepted folder changes only synth's own *.k8s.yaml files.
 */
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Sandbox, changedPaths, fingerprint, makeSandbox, runSynthIn } from './synth-harness';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.remove());

/** [what, argv (ROOT = the sandbox root), env, expected exit, text the one line must hold (the flag)]. */
const refused: [string, string[], NodeJS.ProcessEnv, number, string][] = [
  ['--out . (the checkout itself)', ['--out', '.'], {}, 2, '--out "."'],
  ['--out ./ (the checkout, spelled differently)', ['--out', './'], {}, 2, '--out "./"'],
  ['-o . (the output format elsewhere, not synth\'s folder)', ['-o', '.'], {}, 2, 'synth: -o is the output format in triton-jetson commands (-o json); give the output folder with --out <folder>'],
  ['-o. (short flag, attached)', ['-o.'], {}, 2, 'give the output folder with --out <folder>'],
  ['--out "" (empty)', ['--out', ''], {}, 2, '--out "": is empty'],
  ['--out "   " (blank)', ['--out', '   '], {}, 2, 'is empty'],
  ['--out .. (a parent of the checkout)', ['--out', '..'], {}, 2, 'one of its parents'],
  ['--out ROOT (an ancestor, absolute)', ['--out', 'ROOT'], {}, 2, 'one of its parents'],
  ['--out / (the filesystem root)', ['--out', '/'], {}, 2, 'filesystem root'],
  ['--out up (a symlink to an ancestor)', ['--out', 'up'], {}, 2, '--out "up"'],
  ['--out up/repo (the checkout through a symlink)', ['--out', 'up/repo'], {}, 2, 'one of its parents'],
  ['--out package.json (an existing file)', ['--out', 'package.json'], {}, 2, 'is an existing file'],
  ['--out ROOT/afile.txt (an existing file elsewhere)', ['--out', 'ROOT/afile.txt'], {}, 2, 'is an existing file'],
  ['--out ROOT/other (someone else\'s folder)', ['--out', 'ROOT/other'], {}, 2, 'holds "keep.txt"'],
  ['--out ROOT/mixed (manifests plus other files)', ['--out', 'ROOT/mixed'], {}, 2, 'holds "README.md"'],
  ['--out ROOT/nested (holds a sub-folder)', ['--out', 'ROOT/nested'], {}, 2, 'holds "sub"'],
  ['--out ROOT/linked-yaml (a *.k8s.yaml that is a symlink)', ['--out', 'ROOT/linked-yaml'], {}, 2, 'not a regular file'],
  ['--out ROOT/link (a symlink to a folder)', ['--out', 'ROOT/link'], {}, 2, 'symbolic link'],
  ['--out src (source folder)', ['--out', 'src'], {}, 2, 'holds "a.ts"'],
  ['--out .git (the repository)', ['--out', '.git'], {}, 2, 'inside a .git folder'],
  ['--out .git/new (a new folder inside .git)', ['--out', '.git/new'], {}, 2, 'inside a .git folder'],
  ['--out with a NUL byte', ['--out', 'di\0st'], {}, 2, 'NUL byte'],
  ['CDK8S_OUTDIR=. (cdk8s synth --output .)', [], { CDK8S_OUTDIR: '.' }, 2, 'CDK8S_OUTDIR'],
  ['CDK8S_OUTDIR=ROOT/other', [], { CDK8S_OUTDIR: 'ROOT/other' }, 2, 'CDK8S_OUTDIR'],
  ['an unknown flag', ['--outdir', 'x'], {}, 2, "'--outdir'"],
  ['a stray argument', ['dist'], {}, 2, 'dist'],
  ['--out without its value', ['--out'], {}, 2, '--out'],
  ['--config without its value', ['--config'], {}, 2, '--config'],
  ['--config "" (empty)', ['--config', ''], {}, 1, '--config: is empty'],
  ['a --config that does not exist', ['--config', 'missing.yaml'], {}, 1, 'missing.yaml: file not found'],
  ['$TRITON_JETSON_CONFIG naming a missing file', [], { TRITON_JETSON_CONFIG: 'gone.yaml' }, 1, 'gone.yaml: file not found'],
];

describe('synth refuses hostile output folders and flags, changing nothing', () => {
  test.each(refused)('%s', (_what, argv, env, expectedStatus, mustHold) => {
    const fill = (s: string) => s.replace(/^ROOT/, box.root);
    const args = argv.map(fill);
    const envFilled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v ?? '')]));
    const before = fingerprint(box.root);
    const { status, lines } = runSynthIn(box.repo, args, envFilled);
    expect({ status, lines }).toEqual({ status: expectedStatus, lines: [expect.stringContaining(mustHold)] });
    expect(lines[0]).toMatch(/^synth: /);
    expect(changedPaths(before, fingerprint(box.root))).toEqual([]);
  });
});

describe('synth writes only its own files into acceptable folders', () => {
  const umask = process.umask();
  const ordinary = { dir: (0o777 & ~umask).toString(8), file: (0o666 & ~umask).toString(8) };

  test.each([
    ['the default dist/ holding an earlier synth', [], 'dist', ['dist/triton-jetson.k8s.yaml']],
    ['a new nested folder', ['--out', 'build/k8s'], 'build/k8s', ['build', 'build/k8s', 'build/k8s/triton-jetson.k8s.yaml']],
    ['an existing empty folder', ['--out', '../empty'], '../empty', ['../empty/triton-jetson.k8s.yaml']],
    ['a folder of earlier output: stale manifests go, nothing else', ['--out', '../prev'], '../prev', ['../prev/old.k8s.yaml', '../prev/triton-jetson.k8s.yaml']],
  ] as [string, string[], string, string[]][])('%s', (_what, argv, outRel, expectedChanges) => {
    const before = fingerprint(box.root);
    const { status, lines } = runSynthIn(box.repo, argv);
    expect(lines).toHaveLength(1);
    expect(status).toBe(0);
    const out = path.resolve(box.repo, outRel);
    expect(readdirSync(out)).toEqual(['triton-jetson.k8s.yaml']);
    // Ordinary modes, as any file the user writes: not mkdtemp's 0700.
    expect((lstatSync(out).mode & 0o777).toString(8)).toBe(ordinary.dir);
    expect((lstatSync(path.join(out, 'triton-jetson.k8s.yaml')).mode & 0o777).toString(8)).toBe(ordinary.file);
    expect(readFileSync(path.join(out, 'triton-jetson.k8s.yaml'), 'utf-8')).toContain('nas.lan');
    const rel = (p: string) => path.relative(box.root, path.resolve(box.repo, p));
    expect(changedPaths(before, fingerprint(box.root))).toEqual(expectedChanges.map(rel).sort());
  });
});
