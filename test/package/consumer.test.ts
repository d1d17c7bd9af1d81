/**
 * The library as a stock cdk8s app uses it: `npm pack` this package, make a fresh app with
 * the tsconfig of cdk8s-cli's own TypeScript app template (byte for byte: no esModuleInterop,
 * no skipLibCheck), install the tarball and the template's dependencies from npm's registry or
 * cache, type-check examples/consumer-app/main.ts with `tsc --noEmit`, compile it and run
 * `cdk8s synth`: a chart with the whole stack, one of building blocks composed by hand, one
 * beside cdk8s-plus-27 workloads, and one where cdk8s-plus-33 (the version `cdk8s init`
 * installs) mounts ModelStore's claim.
 *
 * Needs npm packages that are not in this repository's node_modules (cdk8s-plus-33 as a
 * dependency of its own, @types/node 14 like the template): skipped with the reason when npm
 * can reach neither the registry nor its cache, failed under CI=true.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { findManifest, Manifest, parseManifests, podSpec, REPO_ROOT } from '../support/manifests';
import { invariantViolations } from '../support/invariants';
import { describeWith, hasCommand, writableCheckout } from '../support/prereq';
import { installSize } from '../support/install-size';

/** The most a consumer that imports only the constructs may install beyond its peers (issue 21). */
const MAX_BEYOND_PEERS_BYTES = 10 * 1024 * 1024;
const PEERS = ['cdk8s', 'cdk8s-plus-27', 'constructs'];
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

const TEMPLATE = path.join(REPO_ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const versionOf = (pkg: string) => JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', pkg, 'package.json'), 'utf-8')).version as string;
/** What `cdk8s init typescript-app` of the cdk8s-cli in node_modules installs (its lib/cli/cmds/init.js). */
const TEMPLATE_DEPENDENCIES = [
  `cdk8s@^${versionOf('cdk8s')}`,
  `cdk8s-plus-33@^${versionOf('cdk8s-plus-33')}`,
  `constructs@^${versionOf('constructs')}`,
  // The template's devDependencies that its tsconfig (no "types") brings into the compilation.
  '@types/node@^14',
  '@types/jest@^29',
];
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };

/** True when npm resolves the packages the app needs, from the registry or from its cache. */
function npmResolves(): boolean {
  if (!hasCommand('npm')) return false;
  try {
    execFileSync('npm', ['view', '--prefer-offline', TEMPLATE_DEPENDENCIES[1], 'version'], { stdio: 'pipe', timeout: 90_000, env: NPM_ENV });
    execFileSync('npm', ['view', '--prefer-offline', '@types/node@^14', 'version'], { stdio: 'pipe', timeout: 90_000, env: NPM_ENV });
    return true;
  } catch {
    return false;
  }
}

describeWith([
  writableCheckout(REPO_ROOT),
  { name: 'npm and tar', present: hasCommand('npm') && hasCommand('tar'), hint: 'install Node.js 20 with npm' },
  { name: 'cdk8s-cli\'s TypeScript app template', present: existsSync(path.join(TEMPLATE, 'tsconfig.json')), hint: 'npm ci' },
  { name: 'npm packages (registry or npm\'s cache)', present: npmResolves(), hint: 'network access to the npm registry, or one online run to fill npm\'s cache' },
])('a stock cdk8s app using the packed library', () => {
  let work: string;
  let app: string;
  const tsc = (args: string[]) => execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), ...args], { cwd: app, encoding: 'utf-8', stdio: 'pipe' });
  const manifests = (chart: string): Manifest[] => parseManifests(readFileSync(path.join(app, 'dist', `${chart}.k8s.yaml`), 'utf-8'));

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'consumer-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'], env: NPM_ENV });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    app = path.join(work, 'edge app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'edge-app', version: '1.0.0', private: true, main: 'main.js' }, null, 2));
    copyFileSync(path.join(TEMPLATE, 'tsconfig.json'), path.join(app, 'tsconfig.json'));
    copyFileSync(path.join(REPO_ROOT, 'examples', 'consumer-app', 'main.ts'), path.join(app, 'main.ts'));
    // The template runs `npx ts-node main.ts`; compiled first here (`npm run compile` of the template), so node runs main.js.
    writeFileSync(path.join(app, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\n');
    // --ignore-scripts: no native builds of the CLI's optional dependencies (ssh2, sharp); the
    // library itself has no install script.
    await promisify(execFile)('npm', [
      'install', '--prefer-offline', '--ignore-scripts', '--loglevel=error', '--no-save',
      path.join(work, tarball), 'cdk8s-plus-27@^2.9.5', ...TEMPLATE_DEPENDENCIES,
    ], { cwd: app, env: NPM_ENV, maxBuffer: 64 * 1024 * 1024, timeout: 600_000 });
  }, 900_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('its tsconfig is the template\'s, byte for byte: no esModuleInterop, no skipLibCheck', () => {
    const tsconfig = readFileSync(path.join(app, 'tsconfig.json'));
    expect(tsconfig.equals(readFileSync(path.join(TEMPLATE, 'tsconfig.json')))).toBe(true);
    expect(tsconfig.equals(readFileSync(path.join(REPO_ROOT, 'examples', 'consumer-app', 'tsconfig.json')))).toBe(true);
    const options = JSON.parse(tsconfig.toString('utf-8')).compilerOptions;
    expect(options.esModuleInterop).toBeUndefined();
    expect(options.skipLibCheck).toBeUndefined();
  });

  test('tsc --noEmit passes against the published typings', () => {
    let output = '';
    try {
      tsc(['--noEmit', '-p', 'tsconfig.json']);
    } catch (err) {
      output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    }
    expect(output).toBe('');
  }, 180_000);

  describe('cdk8s synth', () => {
    beforeAll(() => {
      tsc(['-p', 'tsconfig.json']);
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth'], { cwd: app, stdio: 'pipe', env: { ...process.env, CDK8S_OUTDIR: '' } });
    }, 300_000);

    test('writes one file per chart', () => {
      expect(readdirSync(path.join(app, 'dist')).sort()).toEqual([
        'building-blocks.k8s.yaml', 'edge-inference.k8s.yaml', 'with-cdk8s-plus-33.k8s.yaml', 'with-cdk8s-plus.k8s.yaml',
      ]);
    });

    test('the whole stack, in the Chart\'s namespace, its Namespace first, pod options applied', () => {
      const objects = manifests('edge-inference');
      expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'inference' } });
      expect(findManifest(objects, 'Service', 'triton')).toMatchObject({ metadata: { namespace: 'inference' } });
      expect(findManifest(objects, 'Service', 'triton').spec.ports[0].nodePort).toBe(31800);
      expect(findManifest(objects, 'Deployment').spec.template.spec.containers[0].env).toContainEqual({ name: 'NFS_SERVER', value: '192.168.1.20' });
      expect(podSpec(findManifest(objects, 'DaemonSet', 'triton')).imagePullSecrets).toEqual([{ name: 'registry-cred' }]);
      expect(findManifest(objects, 'Job').spec.ttlSecondsAfterFinished).toBeUndefined();
      expect(invariantViolations(objects)).toEqual([]);
    });

    test('the building blocks composed by hand: Triton serves the folder the Job publishes into', () => {
      const objects = manifests('building-blocks');
      const job = podSpec(findManifest(objects, 'Job'));
      const env = Object.fromEntries(job.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(job.volumes[0].persistentVolumeClaim.claimName).toBe('lab-models');
      const ds = podSpec(findManifest(objects, 'DaemonSet', 'lab-triton'));
      expect(ds.volumes.find((v: { name: string }) => v.name === 'models').persistentVolumeClaim.claimName).toBe('lab-models');
      expect(ds.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'models').subPath).toBe(env.SEED_REPOSITORY_SUBPATH);
      expect(findManifest(objects, 'PersistentVolumeClaim', 'lab-models').spec.storageClassName).toBe('lab-nfs');
      expect(findManifest(objects, 'Service', 'lab-triton').spec.selector).toEqual({ app: 'lab-triton' });
      expect(invariantViolations(objects)).toEqual([]);
    });

    test('beside cdk8s-plus-27 workloads: a Deployment mounting the claim, an Ingress to the Service', () => {
      const objects = manifests('with-cdk8s-plus');
      const lister = findManifest(objects, 'Deployment', 'model-lister');
      expect(lister.spec.template.spec.volumes).toEqual([expect.objectContaining({ persistentVolumeClaim: { claimName: 'apps-models-pvc', readOnly: true } })]);
      expect(findManifest(objects, 'Ingress').spec.rules[0].http.paths[0].backend).toEqual({ service: { name: 'apps-triton', port: { number: 8000 } } });
      expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toEqual(['apps-triton']);
    });

    test('cdk8s-plus-33 mounts ModelStore\'s claim', () => {
      const objects = manifests('with-cdk8s-plus-33');
      const reader = findManifest(objects, 'Deployment', 'model-reader');
      expect(reader.metadata.namespace).toBe('batch');
      expect(reader.spec.template.spec.volumes).toEqual([expect.objectContaining({ persistentVolumeClaim: { claimName: 'models-pvc', readOnly: true } })]);
      expect(findManifest(objects, 'PersistentVolumeClaim', 'models-pvc').metadata.namespace).toBe('batch');
    });
  });

  test('the library brings at most 10 MB of node_modules beyond cdk8s, cdk8s-plus-27 and constructs (printed)', () => {
    const ours = installSize(app, 'cdk8s-triton-jetson', PEERS);
    process.stderr.write(`consumer install: cdk8s-triton-jetson brings ${mb(ours.apparentBytes)} of files (${mb(ours.diskBytes)} on disk, as du counts) ` +
      `in ${ours.packages.length} package folder(s) beyond ${PEERS.join(', ')}: ${ours.packages.join(', ')}\n`);
    expect(ours.packages).toContain('node_modules/cdk8s-triton-jetson');
    expect(ours.apparentBytes).toBeLessThanOrEqual(MAX_BEYOND_PEERS_BYTES);
    expect(ours.diskBytes).toBeLessThanOrEqual(MAX_BEYOND_PEERS_BYTES);
    // Negative control: the measure follows dependencies (cdk8s-plus-27's optional backport and its own).
    const plus = installSize(app, 'cdk8s-plus-27', ['cdk8s', 'constructs']);
    expect(plus.packages.length).toBeGreaterThan(20);
    expect(plus.diskBytes).toBeGreaterThan(MAX_BEYOND_PEERS_BYTES);
  });

  test('requiring the installed library loads none of the CLI\'s dependencies', () => {
    const script = `require('cdk8s-triton-jetson');
const names = new Set();
for (const file of Object.keys(require.cache)) {
  const m = /node_modules[\\\\/]((?:@[^\\\\/]+[\\\\/])?[^\\\\/]+)/.exec(file.slice(file.lastIndexOf('node_modules')));
  if (m) names.add(m[1].replace(/\\\\/g, '/'));
}
process.stdout.write(JSON.stringify([...names].sort()));`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf-8' })) as string[];
    expect(loaded).toContain('cdk8s-triton-jetson');
    expect(loaded.filter((p) => ['sharp', 'node-ssh', 'ssh2', 'cli-table3', 'uplot', 'commander'].includes(p))).toEqual([]);
  });
});
