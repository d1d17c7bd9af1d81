/**
 * `require('cdk8s-triton-jetson')` (lib/index) is a construct library: it loads cdk8s,
 * cdk8s-plus-27, constructs and its own validator (zod, yaml), never the CLI's dependencies
 * (sharp's image library, node-ssh and ssh2's crypto, cli-table3, uplot, commander). Checked
 * in a fresh Node process, by the modules in its require.cache.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/manifests';

/** Packages only the CLI (bootstrap, verify, infer, bench) needs. */
const CLI_DEPENDENCIES = ['sharp', 'node-ssh', 'ssh2', 'cli-table3', 'uplot', 'commander'];

/** The npm packages a fresh `node` process holds in require.cache after requiring `entry` (a .ts file, through tsx). */
function packagesLoadedBy(entry: string): string[] {
  const script = `require(${JSON.stringify(entry)});
const names = new Set();
for (const file of Object.keys(require.cache)) {
  const m = /[\\\\/]node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file.slice(file.lastIndexOf('node_modules') - 1));
  if (m) names.add(m[1].replace(/\\\\/g, '/'));
}
process.stdout.write(JSON.stringify([...names].sort()));`;
  const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: REPO_ROOT, encoding: 'utf-8' });
  return JSON.parse(out) as string[];
}

describe('requiring the library', () => {
  test('loads none of the CLI\'s dependencies', () => {
    const loaded = packagesLoadedBy(path.join(REPO_ROOT, 'lib', 'index.ts'));
    expect(loaded).toEqual(expect.arrayContaining(['cdk8s', 'cdk8s-plus-27', 'constructs']));
    expect(loaded.filter((p) => CLI_DEPENDENCIES.includes(p))).toEqual([]);
  }, 60_000);

  test('negative control: the CLI entry point does load them, and the check sees it', () => {
    const loaded = packagesLoadedBy(path.join(REPO_ROOT, 'cli', 'triton-jetson.ts'));
    expect(loaded).toEqual(expect.arrayContaining(['commander']));
  }, 60_000);
});
