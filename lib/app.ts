import {
  lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, unlinkSync, writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseClusterConfig } from './config/cluster-config';
import { oneLine } from './config/one-line';
import { manifestHeader } from './manifest-header';
import { K3sUpgradePlans } from './k3s-upgrade-plans';
import { stackPropsFromClusterConfig } from './stack-from-cluster';
import { TritonJetsonStack } from './triton-jetson-stack';
import type { ClusterConfigInput } from './types/cluster';

/** Name of the chart, and so of the manifest file: dist/triton-jetson.k8s.yaml. */
export const CHART_NAME = 'triton-jetson';

/** What synth writes into its output folder: `*.k8s.yaml` regular files, nothing else. */
export const MANIFEST_FILE = /^[^/]+\.k8s\.yaml$/;

/**
 * Name of the chart of the optional system-upgrade-controller Plans, and so of its file:
 * dist/k3s-upgrade-plans.k8s.yaml (cluster operations, in SUC's namespace, applied once SUC is installed).
 */
export const UPGRADE_PLANS_CHART_NAME = 'k3s-upgrade-plans';

/** Builds the app for a cluster description, synthesizing into `outdir`. */
export function buildApp(cluster: ClusterConfigInput = {}, outdir?: string): App {
  const config = parseClusterConfig(cluster);
  const props = stackPropsFromClusterConfig(config);
  const app = new App({ outdir });
  // Human, stable object names: each construct sets metadata.name explicitly.
  const chart = new Chart(app, CHART_NAME, { disableResourceNameHashes: true });
  new TritonJetsonStack(chart, 'stack', props);
  const suc = config.upgrades.systemUpgradeController;
  if (suc.enabled) {
    const plans = new Chart(app, UPGRADE_PLANS_CHART_NAME, { disableResourceNameHashes: true });
    new K3sUpgradePlans(plans, 'plans', {
      version: config.k3s.version, namespace: suc.namespace, serviceAccountName: suc.serviceAccountName,
      upgradeImage: suc.upgradeImage, agentConcurrency: suc.agentConcurrency, drain: suc.drain,
    });
  }
  return app;
}

/** The stack's manifests as one multi-document YAML string. */
export function synthYaml(cluster: ClusterConfigInput = {}): string {
  return buildApp(cluster).synthYaml();
}

/** An output folder synth refuses to write to; the message is one line naming the flag and the fix. */
export class OutputDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputDirError';
  }
}

/** Options of `checkOutputDir` and {@link synthToDirectory}. */
export interface OutputDirOptions {
  /**
   * How the user gave the folder, for messages.
   * @default "--out"
   */
  readonly flag?: string;
  /**
   * The working directory: relative paths start there, and it (with its ancestors) is never an output folder.
   * @default process.cwd()
   */
  readonly cwd?: string;
  /**
   * The cluster description file the manifests come from, named in each file's header
   * comment (relative to `cwd`; never an absolute path).
   * @default - the tutorial's defaults (no file)
   */
  readonly configFile?: string;
}

/** The real path of `p`: symbolic links of its existing part resolved, the rest appended. */
function realPathOf(p: string): string {
  const missing: string[] = [];
  let existing = p;
  for (;;) {
    try {
      return path.join(realpathSync(existing), ...missing.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return p;
      missing.push(path.basename(existing));
      existing = parent;
    }
  }
}

function isSameOrAncestor(ancestor: string, of: string): boolean {
  const rel = path.relative(ancestor, of);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Checks that `outdir` may receive synth's manifests: a new folder, or one holding only
 * `*.k8s.yaml` regular files (earlier synth output). Refuses an empty path, the working
 * directory and its ancestors, anything inside a .git folder, symbolic links, files, and
 * folders holding anything else. Returns the absolute path; throws OutputDirError.
 */
export function checkOutputDir(outdir: string, options: OutputDirOptions = {}): string {
  const flag = options.flag ?? '--out';
  const shown = JSON.stringify(oneLine(outdir, 120));
  const refuse = (why: string) => new OutputDirError(`${flag} ${shown}: ${why}`);
  if (outdir.trim() === '') throw refuse('is empty; name the folder for the manifests, e.g. --out dist');
  if (outdir.includes('\0')) throw refuse('contains a NUL byte; name the folder for the manifests, e.g. --out dist');
  const base = path.resolve(options.cwd ?? process.cwd());
  const target = path.resolve(base, outdir);
  const real = realPathOf(target);
  const cwd = realPathOf(base);
  if (path.dirname(real) === real) throw refuse('is the filesystem root; name a folder of its own for the manifests, e.g. --out dist');
  if (isSameOrAncestor(real, cwd)) {
    throw refuse('is the current folder or one of its parents, which synth would replace; name a folder of its own, e.g. --out dist');
  }
  if (real.split(path.sep).includes('.git')) throw refuse('is inside a .git folder; name a folder outside it, e.g. --out dist');
  let stat;
  try {
    stat = lstatSync(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return target; // a new folder
    throw refuse(`cannot be inspected (${code ?? 'error'}); check the path or name another folder`);
  }
  if (stat.isSymbolicLink()) throw refuse('is a symbolic link; name a real folder for the manifests, e.g. --out dist');
  if (!stat.isDirectory()) throw refuse('is an existing file, not a folder; name a folder for the manifests, e.g. --out dist');
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (err) {
    throw refuse(`cannot be listed (${(err as NodeJS.ErrnoException).code ?? 'error'}); make it readable or name another folder`);
  }
  for (const entry of entries.sort()) {
    const what = JSON.stringify(oneLine(entry, 60));
    if (entry === '.git') throw refuse('holds a .git folder (a repository); name an empty or new folder, e.g. --out dist');
    if (!MANIFEST_FILE.test(entry)) {
      throw refuse(`holds ${what}, which synth did not write; name an empty or new folder (or one with only *.k8s.yaml files of an earlier synth)`);
    }
    const entryStat = lstatSync(path.join(target, entry));
    if (!entryStat.isFile()) {
      throw refuse(`holds ${what}, which is not a regular file synth wrote; name an empty or new folder, e.g. --out dist`);
    }
  }
  return target;
}

/**
 * Synthesizes into `outdir`. The whole synthesis happens in a staging folder first, so
 * invalid input leaves the previous manifests exactly as they were (unlike `cdk8s synth`,
 * which empties the folder first). The folder must pass `checkOutputDir` (the `--out` rules in the README); only
 * `*.k8s.yaml` files are ever replaced or removed, each new file is moved into place
 * atomically, and a new folder gets ordinary permissions (0777 less the umask).
 */
export function synthToDirectory(cluster: ClusterConfigInput, outdir: string, options: OutputDirOptions = {}): string[] {
  const target = checkOutputDir(outdir, options);
  const parent = path.dirname(target);
  const staging = path.join(parent, `.${path.basename(target)}.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
  // Build (and so validate) before creating anything.
  const app = buildApp(cluster, staging);
  mkdirSync(parent, { recursive: true });
  mkdirSync(staging, { mode: 0o700 }); // fails if it exists: never someone else's folder
  try {
    app.synth();
    const files = readdirSync(staging).filter((f) => MANIFEST_FILE.test(f)).sort();
    // Each file says what generated it, from what, and how to regenerate it (deterministic).
    const header = manifestHeader({ configFile: options.configFile, cwd: options.cwd ?? process.cwd() });
    for (const f of files) {
      const file = path.join(staging, f);
      writeFileSync(file, header + readFileSync(file, 'utf-8'));
    }
    // Checked again right before writing: the folder may have changed meanwhile.
    checkOutputDir(outdir, options);
    mkdirSync(target, { recursive: true });
    for (const f of files) renameSync(path.join(staging, f), path.join(target, f));
    // Manifests of an earlier synth that this one no longer writes (e.g. a renamed chart).
    for (const old of readdirSync(target)) {
      if (MANIFEST_FILE.test(old) && !files.includes(old) && lstatSync(path.join(target, old)).isFile()) {
        unlinkSync(path.join(target, old));
      }
    }
    return files.map((f) => path.join(outdir, f));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
