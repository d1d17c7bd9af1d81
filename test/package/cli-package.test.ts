/**
 * The CLI as its npm package ships it: `npm pack` packages/cli (its prepack bundles the
 * sources: packages/cli/scripts/bundle.js), install the tarball into an empty folder outside
 * the repository from npm's registry or cache, and run the installed `triton-jetson`:
 * --version, --help, a command's --help, synth (the bundled cdk8s writes exactly the committed
 * dist/), and verify against a closed port. It runs its prebuilt bundle, nothing of the
 * checkout, and prints how fast it starts beside a bare `node -e 0`.
 *
 * Needs the CLI's dependencies (sharp, node-ssh, uplot) from npm: skipped with the reason when
 * npm can reach neither the registry nor its cache, failed under CI=true.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DIST, REPO_ROOT } from '../support/manifests';
import { describeWith, hasCommand } from '../support/prereq';

const CLI_DIR = path.join(REPO_ROOT, 'packages', 'cli');
const cliManifest = JSON.parse(readFileSync(path.join(CLI_DIR, 'package.json'), 'utf-8'));
const rootManifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf-8'));
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
/** Files the package's prepack writes into packages/cli (and postpack removes). */
const GENERATED = ['bundle', 'docs', 'cluster.example.yaml', 'THIRD-PARTY-LICENSES.md'];

function npmResolves(): boolean {
  if (!hasCommand('npm')) return false;
  try {
    for (const dep of Object.keys(cliManifest.dependencies)) {
      execFileSync('npm', ['view', '--prefer-offline', `${dep}@${cliManifest.dependencies[dep]}`, 'version'], { stdio: 'pipe', timeout: 90_000, env: NPM_ENV });
    }
    return true;
  } catch {
    return false;
  }
}

/** A loopback port nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** npm pack runs the package's prepack, which writes its bundle into packages/cli (and postpack removes it). */
function canWrite(dir: string): boolean {
  try {
    accessSync(dir, fsConstants.W_OK);
    return true;
  } catch {
    return false;
  }
}

describeWith([
  { name: 'npm and tar', present: hasCommand('npm') && hasCommand('tar'), hint: 'install Node.js 20 with npm' },
  { name: 'write access to packages/cli', present: canWrite(CLI_DIR), hint: 'run the tests as the owner of the checkout (npm pack builds the bundle there)' },
  { name: 'npm packages (registry or npm\'s cache)', present: npmResolves(), hint: 'network access to the npm registry, or one online run to fill npm\'s cache' },
])('the cdk8s-triton-jetson-cli package, packed and installed', () => {
  let work: string;
  let app: string;
  let pkg: string;
  let bin: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [bin, ...args], { cwd: app, encoding: 'utf-8', timeout: 60_000, env: { ...process.env, TRITON_JETSON_CONFIG: '', ...env } });

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'cli package '));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: CLI_DIR, stdio: ['ignore', 'pipe', 'inherit'], env: NPM_ENV });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'ops', version: '1.0.0', private: true }));
    // --ignore-scripts: no native build of ssh2's optional crypto binding; sharp ships prebuilt.
    await promisify(execFile)('npm', ['install', '--prefer-offline', '--ignore-scripts', '--loglevel=error', path.join(work, tarball)],
      { cwd: app, env: NPM_ENV, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
    pkg = path.join(app, 'node_modules', cliManifest.name);
    bin = path.join(app, 'node_modules', '.bin', 'triton-jetson');
  }, 900_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('npm pack leaves the checkout as it was (postpack removes what prepack built)', () => {
    expect(GENERATED.filter((f) => existsSync(path.join(CLI_DIR, f)))).toEqual([]);
  });

  test('--version prints the version of both packages; --help lists the commands; a command\'s --help its flags', () => {
    expect(cliManifest.version).toBe(rootManifest.version);
    expect(run(['--version'])).toMatchObject({ status: 0, stdout: `${rootManifest.version}\n` });
    const help = run(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['synth', 'bootstrap', 'plan', 'verify', 'infer', 'bench']) expect(help.stdout).toContain(command);
    const verifyHelp = run(['verify', '--help']);
    expect(verifyHelp.status).toBe(0);
    expect(verifyHelp.stdout).toMatch(/^Usage: triton-jetson verify /);
    expect(verifyHelp.stdout).toContain('--config');
  });

  test('it runs the prebuilt bundle: nothing of the checkout is loaded, no TypeScript is shipped', () => {
    const hook = path.join(work, 'list-modules.js');
    writeFileSync(hook, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(path.join(work, 'modules.json'))}, JSON.stringify(Object.keys(require.cache))));`);
    expect(spawnSync(process.execPath, ['--require', hook, bin, 'plan', '--help'], { cwd: app, encoding: 'utf-8' }).status).toBe(0);
    const loaded = (JSON.parse(readFileSync(path.join(work, 'modules.json'), 'utf-8')) as string[]).filter((f) => f !== hook);
    expect(loaded.filter((f) => !f.startsWith(`${pkg}${path.sep}`))).toEqual([]);
    expect(loaded.map((f) => path.relative(pkg, f)).sort()).toEqual(['bin/triton-jetson.js', 'bundle/triton-jetson.js']);
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: pkg, encoding: 'utf-8' }).split('\n').filter(Boolean);
    expect(files.filter((f) => /\.tsx?$/.test(f))).toEqual([]);
  });

  test('synth writes exactly the committed dist/ (cdk8s, cdk8s-plus-27 and zod inside the bundle)', () => {
    const out = path.join(work, 'manifests');
    const result = run(['synth', '--out', out]);
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(out, 'triton-jetson.k8s.yaml'), 'utf-8')).toBe(readFileSync(path.join(DIST, 'triton-jetson.k8s.yaml'), 'utf-8'));
  });

  test('verify against a closed port fails in one table, exit status 1', async () => {
    const result = run(['verify', '-u', `127.0.0.1:${await closedPort()}`, '--no-metrics']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/checks? failed/);
    expect(result.stderr).toBe('');
  });

  test('its dependencies are exactly what the bundle loads from node_modules, each installed and loadable', () => {
    const bundle = readFileSync(path.join(pkg, 'bundle', 'triton-jetson.js'), 'utf-8');
    const required = new Set([...bundle.matchAll(/require(?:\.resolve)?\("([^"]+)"\)/g)].map((m) => m[1])
      .filter((s) => !isBuiltin(s) && !s.startsWith('.')).map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2) : s.split('/').slice(0, 1)).join('/')));
    expect([...required].sort()).toEqual(Object.keys(cliManifest.dependencies).sort());
    const load = spawnSync(process.execPath, ['-e', `for (const d of ${JSON.stringify([...required])}) require(d);`], { cwd: pkg, encoding: 'utf-8' });
    expect(load.stderr).toBe('');
  });

  test('ships its README (links resolving inside it), the LICENSE, the licences of what it bundles, and the package fields', () => {
    expect(readFileSync(path.join(pkg, 'LICENSE'), 'utf-8')).toBe(readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf-8'));
    const readme = readFileSync(path.join(pkg, 'README.md'), 'utf-8');
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(4);
    expect(links.filter((l) => !existsSync(path.join(pkg, l)))).toEqual([]);
    const licences = readFileSync(path.join(pkg, 'THIRD-PARTY-LICENSES.md'), 'utf-8');
    for (const bundled of ['commander', 'zod', 'yaml', 'cdk8s', 'cdk8s-plus-27', 'constructs', 'cli-table3', 'ssh-config']) expect(licences).toContain(`## ${bundled}@`);
    const installed = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf-8'));
    expect(installed.license).toBe(rootManifest.license);
    expect(installed.repository).toEqual({ ...rootManifest.repository, directory: 'packages/cli' });
    expect({ bugs: installed.bugs, homepage: installed.homepage }).toEqual({ bugs: rootManifest.bugs, homepage: rootManifest.homepage });
  });

  test('start-up of the installed CLI, beside a bare node (printed; the target is checked by npm run bench)', () => {
    const time = (argv: string[]) => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = process.hrtime.bigint();
        expect(spawnSync(process.execPath, argv, { cwd: app, stdio: 'ignore' }).status).toBe(0);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e9);
      }
      return median(samples);
    };
    const bare = time(['-e', '0']);
    const help = time([bin, '--help']);
    const size = execFileSync('du', ['-sk', path.join(app, 'node_modules')], { encoding: 'utf-8' }).split('\t')[0];
    process.stderr.write(`installed CLI: --help median ${help.toFixed(3)} s, node -e 0 ${bare.toFixed(3)} s, ratio ${(help / bare).toFixed(2)}x; node_modules ${(Number(size) / 1024).toFixed(1)} MB\n`);
  });
});
