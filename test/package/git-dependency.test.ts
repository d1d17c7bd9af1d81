/**
 * Installing the library from its git URL, as the README shows while the package is not on
 * the npm registry: `npm install git+file://<this repository>#<HEAD>` into an empty project,
 * then type-check and run examples/consumer-app against it. Prints how long the install took
 * (issue 21: at most 60 s on a warm npm cache; `--prefer-offline` reuses npm's cache).
 *
 * What npm does (pacote's GitFetcher, lib/git.js `#prepareDir`, and DirFetcher, lib/dir.js):
 * it clones the commit, and because package.json has a `prepare` script (or `workspaces`:
 * either alone is enough) runs `npm install --force --include=dev --include=peer
 * --include=optional` in the clone, which installs the devDependencies and every workspace's
 * dependencies (packages/cli's too); then it runs `prepare` and only `prepare`, not
 * `prepack` (scripts/prepare.js: compile-library.js without tsc's type check), and packs the
 * clone by `files`. It installs the committed HEAD, not the working tree.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describeWith, gitSafeDirectoryEnv, hasCommand } from '../support/prereq';
import { REPO_ROOT, findManifest, parseManifests } from '../support/manifests';

const isGitCheckout = hasCommand('git') && existsSync(path.join(REPO_ROOT, '.git'));

describeWith([
  { name: 'git', present: hasCommand('git'), hint: 'apt-get install git' },
  { name: 'a git checkout of the repository', present: isGitCheckout, hint: 'run the tests from a git clone' },
])('the library installed as a git dependency', () => {
  let work: string;
  let installed: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'gitdep-'));
    // The checkout may be another user's (a root-owned clone run as nobody): git and npm's git
    // clone then need safe.directory for it, given here rather than in anyone's ~/.gitconfig.
    const gitEnv = gitSafeDirectoryEnv(REPO_ROOT, work);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf-8', env: gitEnv }).trim();
    // A git dependency's install runs its dependencies' install scripts, and one of them
    // (backport, under cdk8s-plus-27) writes ~/.backport/config.json: npm gets a home of the
    // test's own, with the user's npm cache (warm, as the 60 s target assumes) and npmrc (a
    // registry mirror, say) named.
    const npmConfig = (key: string) => execFileSync('npm', ['config', 'get', key], { encoding: 'utf-8', env: gitEnv }).trim();
    const npmHome = path.join(work, 'home');
    mkdirSync(npmHome);
    const npmHomeEnv = { HOME: npmHome, npm_config_cache: npmConfig('cache'), npm_config_userconfig: npmConfig('userconfig') };
    writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    // A long, quiet step: say every 30 s that it is still running.
    const t0 = Date.now();
    const ticker = setInterval(() => {
      process.stderr.write(`git-dependency test: npm install git+file://…#${head.slice(0, 12)} still running (${Math.round((Date.now() - t0) / 1000)} s)\n`);
    }, 30_000);
    try {
      await promisify(execFile)('npm', [
        'install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
        `git+file://${REPO_ROOT}#${head}`, 'cdk8s', 'cdk8s-plus-27', 'cdk8s-plus-33', 'constructs', '@types/node@20',
      ], { cwd: work, env: { ...gitEnv, ...npmHomeEnv, npm_config_update_notifier: 'false' }, maxBuffer: 64 * 1024 * 1024 });
    } finally {
      clearInterval(ticker);
    }
    process.stderr.write(`git-dependency install: npm install git+file://…#${head.slice(0, 12)} (with the example app's cdk8s, cdk8s-plus-27, cdk8s-plus-33, constructs, @types/node) took ` +
      `${((Date.now() - t0) / 1000).toFixed(1)} s on this machine (load average ${loadavg()[0].toFixed(1)}); target: at most 60 s on a warm npm cache\n`);
    installed = path.join(work, 'node_modules', 'cdk8s-triton-jetson');
    cpSync(path.join(REPO_ROOT, 'examples', 'consumer-app'), work, { recursive: true });
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('npm ran prepare in the clone: out/ holds the compiled library and typings', () => {
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf-8'));
    expect(manifest.scripts.prepare).toBeDefined();
    expect(existsSync(path.join(installed, manifest.main))).toBe(true);
    expect(existsSync(path.join(installed, manifest.types))).toBe(true);
  });

  test('the example app type-checks against it and synthesizes', () => {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: work, stdio: 'pipe' });
    // examples/consumer-app's tsconfig is cdk8s-cli's template's: main.js beside main.ts.
    execFileSync(process.execPath, ['main.js'], { cwd: work, stdio: 'pipe' });
    const manifests = parseManifests(readFileSync(path.join(work, 'dist', 'edge-inference.k8s.yaml'), 'utf-8'));
    expect(findManifest(manifests, 'Service', 'triton').spec.ports[0].nodePort).toBe(31800);
    const mixed = parseManifests(readFileSync(path.join(work, 'dist', 'with-cdk8s-plus.k8s.yaml'), 'utf-8'));
    expect(findManifest(mixed, 'Deployment', 'model-lister').spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('apps-models-pvc');
  });
});
