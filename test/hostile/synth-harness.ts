/**
 * Harness of the hostile-input suites for synth: a throw-away sandbox tree (a fake
 * checkout with .git, package.json, sources and an earlier dist/, plus neighbours), a
 * fingerprint of every entry in it, and runSynthCommand run in-process from inside it.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runSynthCommand } from '../../lib/synth-command';

export interface Sandbox {
  /** Root of the throw-away tree. */
  readonly root: string;
  /** The fake checkout synth runs in (the working directory). */
  readonly repo: string;
  remove(): void;
}

/**
 * root/
 *   repo/            .git/HEAD, package.json, cluster.yaml, src/a.ts, notes.txt, dist/ (earlier output),
 *                    up -> .. (a symbolic link to an ancestor)
 *   other/keep.txt   a folder of someone else's files
 *   mixed/           a.k8s.yaml + README.md
 *   nested/sub/      a folder holding only an (empty) sub-folder
 *   linked-yaml/     x.k8s.yaml -> ../other/keep.txt
 *   prev/            old.k8s.yaml + triton-jetson.k8s.yaml (earlier output of a synth)
 *   empty/
 *   afile.txt
 *   link -> other
 */
export function makeSandbox(): Sandbox {
  const root = mkdtempSync(path.join(tmpdir(), 'hostile-synth-'));
  const repo = path.join(root, 'repo');
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  };
  write('repo/.git/HEAD', 'ref: refs/heads/main\n');
  write('repo/package.json', '{"name":"x"}\n');
  write('repo/cluster.yaml', 'nfs:\n  server: nas.lan\n');
  write('repo/src/a.ts', 'export {};\n');
  write('repo/notes.txt', 'mine\n');
  write('repo/dist/triton-jetson.k8s.yaml', 'earlier output\n');
  symlinkSync('..', path.join(repo, 'up'));
  write('other/keep.txt', 'not synth output\n');
  write('mixed/a.k8s.yaml', 'a\n');
  write('mixed/README.md', 'readme\n');
  mkdirSync(path.join(root, 'nested/sub'), { recursive: true });
  mkdirSync(path.join(root, 'linked-yaml'));
  symlinkSync('../other/keep.txt', path.join(root, 'linked-yaml/x.k8s.yaml'));
  write('prev/old.k8s.yaml', 'old\n');
  write('prev/triton-jetson.k8s.yaml', 'earlier\n');
  mkdirSync(path.join(root, 'empty'));
  write('afile.txt', 'a file\n');
  symlinkSync('other', path.join(root, 'link'));
  return { root, repo, remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** Every entry under `dir` (not following links): kind, mode, and content hash or link target. */
export function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    const st = lstatSync(abs);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out[rel] = `link ${readlinkSync(abs)}`;
    else if (st.isDirectory()) {
      out[rel] = `dir ${mode}`;
      for (const e of readdirSync(abs)) walk(path.join(rel, e));
    } else if (st.isFile()) {
      out[rel] = `file ${mode} ${contentDigest(abs, st)}`;
    } else out[rel] = `other ${mode}`;
  };
  walk('.');
  return out;
}

/**
 * A file's content hash; a file this user cannot read (the mode-000 file of a test, when not
 * root) by what stat tells: its size, inode and modification time change when it is rewritten.
 */
function contentDigest(file: string, st: { size: number; ino: number; mtimeMs: number }): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    return `unreadable size ${st.size} inode ${st.ino} mtime ${st.mtimeMs}`;
  }
}

/** Paths whose fingerprint differs (added, removed or changed). */
export function changedPaths(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}

export interface SynthRun {
  readonly status: number;
  readonly lines: string[];
}

/** Runs `npm run synth`'s command in-process from `cwd` with exactly `env`. */
export function runSynthIn(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}): SynthRun {
  const lines: string[] = [];
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const status = runSynthCommand(argv, { env, error: (line) => lines.push(...line.split('\n')) });
    return { status, lines };
  } finally {
    process.chdir(previous);
  }
}

/** True when running as root, which reads and writes regardless of permissions. */
export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;
