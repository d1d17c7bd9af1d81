/**
 * How much of an installed node_modules one package brings: the package's folder and every
 * package it depends on (dependencies and optionalDependencies, recursively, as npm resolved
 * them in node_modules/.package-lock.json), less what `exclude` (e.g. its peers) brings anyway.
 */
import { lstatSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';

interface LockEntry {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

export interface InstallSize {
  /** Package folders counted, relative to the app ("node_modules/x", "node_modules/x/node_modules/y"). */
  readonly packages: string[];
  /** Sum of the files' sizes. */
  readonly apparentBytes: number;
  /** What `du` reports: allocated blocks of files and folders. */
  readonly diskBytes: number;
}

/** Where Node would find `name` from the package folder `from` (both lockfile keys). */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

function closure(packages: Record<string, LockEntry>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = roots.map((name) => resolveIn(packages, '', name)).filter((p): p is string => p !== undefined);
  while (queue.length > 0) {
    const p = queue.pop()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const entry = packages[p];
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const dep = resolveIn(packages, p, name);
      if (dep) queue.push(dep);
    }
  }
  return seen;
}

/** Apparent and disk bytes of a folder, not descending into its own node_modules (counted as packages of their own). */
function folderSize(dir: string): { apparent: number; disk: number } {
  let apparent = 0;
  let disk = 0;
  const walk = (p: string) => {
    const st = lstatSync(p);
    disk += st.blocks * 512;
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (!(p === dir && e === 'node_modules')) walk(path.join(p, e));
    } else apparent += st.size;
  };
  walk(dir);
  return { apparent, disk };
}

/** What `name`, installed in `app`, brings into node_modules beyond what the packages `exclude` bring. */
export function installSize(app: string, name: string, exclude: readonly string[]): InstallSize {
  const lock = JSON.parse(readFileSync(path.join(app, 'node_modules', '.package-lock.json'), 'utf-8')) as { packages: Record<string, LockEntry> };
  const excluded = closure(lock.packages, [...exclude]);
  const counted = [...closure(lock.packages, [name])].filter((p) => !excluded.has(p)).sort();
  let apparentBytes = 0;
  let diskBytes = 0;
  for (const p of counted) {
    const size = folderSize(path.join(app, p));
    apparentBytes += size.apparent;
    diskBytes += size.disk;
  }
  return { packages: counted, apparentBytes, diskBytes };
}
