/**
 * The constructs as another cdk8s app gets them, offline: `npm pack` this package, unpack the
 * tarball next to links to this repository's dependencies, type-check and run
 * examples/consumer-app (with cdk8s-cli's template tsconfig). test/package/consumer.test.ts
 * does the same with real installs from npm.
 */
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, findManifest, parseManifests } from '../support/manifests';
import { describeWith, writableCheckout } from '../support/prereq';

// What `npm install cdk8s-triton-jetson cdk8s cdk8s-plus-27 constructs` would bring: the peers
// only (zod and yaml are inside out/lib/index.js), plus what examples/consumer-app compiles with.
const PEERS_AND_DEPS = ['cdk8s', 'cdk8s-plus-27', 'cdk8s-plus-33', 'constructs', '@types/node'];

/** The .d.ts files `entry` reaches through relative imports, and the packages they import. */
function typingsReach(entry: string): { files: number; packages: string[] } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf-8').matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const next = [`${base}.d.ts`, path.join(base, 'index.d.ts')].find((f) => existsSync(f));
      if (next) queue.push(next);
    }
  }
  return { files: seen.size, packages: [...packages].sort() };
}

describeWith([writableCheckout(REPO_ROOT)])('the npm package', () => {
  let work: string;
  let app: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'pack-'));
    execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    app = path.join(work, 'app');
    const installed = path.join(app, 'node_modules', 'cdk8s-triton-jetson');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(work, tarball), '-C', installed, '--strip-components=1']);
    for (const dep of PEERS_AND_DEPS) {
      const link = path.join(app, 'node_modules', dep);
      mkdirSync(path.dirname(link), { recursive: true });
      symlinkSync(path.join(REPO_ROOT, 'node_modules', dep), link);
    }
    cpSync(path.join(REPO_ROOT, 'examples', 'consumer-app'), app, { recursive: true });
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('ships compiled JavaScript and typings, the LICENSE and the docs the README links to; no TypeScript sources or tests', () => {
    const pkg = path.join(app, 'node_modules', 'cdk8s-triton-jetson');
    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf-8'));
    // One bundle (scripts/compile-library.js) holding the library with zod and yaml.
    const main = readFileSync(path.join(pkg, manifest.main), 'utf-8');
    expect(main).toContain('lib/triton-jetson-stack.ts');
    expect(main).toContain('node_modules/zod/');
    expect(main).not.toMatch(/require\("(zod|yaml|commander|sharp|node-ssh)"\)/);
    expect(readFileSync(path.join(pkg, manifest.types), 'utf-8')).toContain('triton-jetson-stack');
    const files = execFileSync('find', ['.', '-type', 'f'], { cwd: pkg, encoding: 'utf-8' }).split('\n').filter(Boolean);
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.includes('.test.') || f.startsWith('./dist/'))).toEqual([]);
    expect(readFileSync(path.join(pkg, 'LICENSE'), 'utf-8')).toContain('Apache License\n                           Version 2.0, January 2004');
    expect(manifest.license).toBe('Apache-2.0');
    for (const field of ['repository', 'bugs', 'homepage']) expect(manifest[field]).toBeDefined();
    // Every relative link of the README resolves inside the installed package, and so does
    // every relative link of the documents it ships (docs/*.md link to examples, schemas, …).
    const relativeLinks = (file: string) => [...readFileSync(path.join(pkg, file), 'utf-8').matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l)).map((l) => path.join(path.dirname(file), l));
    const readmeLinks = relativeLinks('README.md');
    expect(readmeLinks.length).toBeGreaterThan(5);
    expect(readmeLinks.filter((l) => !existsSync(path.join(pkg, l)))).toEqual([]);
    const shippedDocs = files.filter((f) => f.endsWith('.md') && !f.startsWith('./out/')).map((f) => f.slice(2));
    expect(shippedDocs).toEqual(expect.arrayContaining(['README.md', 'docs/gitops.md', 'docs/architecture.md']));
    const broken = shippedDocs.flatMap((doc) => relativeLinks(doc).filter((l) => !existsSync(path.join(pkg, l))).map((l) => `${doc} -> ${l}`));
    expect(broken).toEqual([]);
  });

  test('the example app type-checks against the published typings and synthesizes', () => {
    // The template's tsconfig emits main.js beside main.ts.
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: app, stdio: 'pipe' });
    execFileSync(process.execPath, ['main.js'], { cwd: app, stdio: 'pipe' });
    const manifests = parseManifests(readFileSync(path.join(app, 'dist', 'edge-inference.k8s.yaml'), 'utf-8'));
    const env = findManifest(manifests, 'Deployment', 'nfs-subdir-external-provisioner').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'NFS_SERVER', value: '192.168.1.20' });
    const svc = findManifest(manifests, 'Service', 'triton');
    expect(svc.metadata.namespace).toBe('inference');
    expect(svc.spec.ports[0].nodePort).toBe(31800);
    // The app's own cdk8s-plus workload mounts the stack's claim through ModelStore.volumeClaim.
    const lister = findManifest(parseManifests(readFileSync(path.join(app, 'dist', 'with-cdk8s-plus.k8s.yaml'), 'utf-8')), 'Deployment', 'model-lister');
    expect(lister.spec.template.spec.volumes).toEqual([expect.objectContaining({ persistentVolumeClaim: { claimName: 'apps-models-pvc', readOnly: true } })]);
  });

  test('the published typings reach no package but the peer dependencies (no zod, yaml or CLI dependency)', () => {
    const pkg = path.join(app, 'node_modules', 'cdk8s-triton-jetson');
    const manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf-8'));
    const { files, packages } = typingsReach(path.join(pkg, manifest.types));
    expect(files).toBeGreaterThan(10);
    expect(packages).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
    // Negative control: the walk does see zod where the (internal) schemas import it.
    expect(typingsReach(path.join(pkg, 'out', 'lib', 'config', 'cluster-schema.d.ts')).packages).toContain('zod');
  });

  test('depends on nothing but its peers, and leaves the CLI (a bin) to cdk8s-triton-jetson-cli (test/package/cli-package.test.ts)', () => {
    const manifest = JSON.parse(readFileSync(path.join(app, 'node_modules', 'cdk8s-triton-jetson', 'package.json'), 'utf-8'));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
    expect(manifest.bin).toBeUndefined();
    const licences = readFileSync(path.join(app, 'node_modules', 'cdk8s-triton-jetson', 'out', 'THIRD-PARTY-LICENSES.md'), 'utf-8');
    expect(licences.match(/^## .*$/gm)).toEqual([expect.stringMatching(/^## yaml@/), expect.stringMatching(/^## zod@/)]);
  });

  // The public surface is lib/index.ts, recorded in api/cdk8s-triton-jetson.api.md: an
  // export added or removed by accident fails here. After a deliberate change, run
  // `npm run api` and commit the report.
  test('the published API is exactly the one recorded in api/ (api-extractor)', () => {
    const configFile = path.join(REPO_ROOT, 'api-extractor.json');
    const configObject = ExtractorConfig.loadFile(configFile);
    // The typings `npm pack` compiled (its prepare script) for the tarball above; read in the
    // repository, since api-extractor treats anything under node_modules as another package.
    configObject.mainEntryPointFilePath = path.join(REPO_ROOT, 'out', 'lib', 'index.d.ts');
    configObject.apiReport = { ...configObject.apiReport!, reportTempFolder: path.join(work, 'api-report') };
    const config = ExtractorConfig.prepare({ configObject, configObjectFullPath: configFile, packageJsonFullPath: path.join(REPO_ROOT, 'package.json') });
    const messages: string[] = [];
    const result = Extractor.invoke(config, {
      localBuild: false,
      messageCallback: (message) => {
        if (message.logLevel === 'error' || message.logLevel === 'warning') messages.push(message.text);
        message.handled = true;
      },
    });
    const fresh = path.join(work, 'api-report', 'cdk8s-triton-jetson.api.md');
    // The whole difference in the failure message, not just "changed".
    expect(readFileSync(fresh, 'utf-8')).toBe(readFileSync(path.join(REPO_ROOT, 'api', 'cdk8s-triton-jetson.api.md'), 'utf-8'));
    expect(messages.filter((m) => !m.startsWith('You have changed the API signature'))).toEqual([]);
    expect(result.apiReportChanged).toBe(false);
  });
});
