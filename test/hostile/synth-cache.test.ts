/**
 * The launchers' caches (bin/launcher.js: synth's, bin/synth.js and $TRITON_JETSON_SYNTH_CACHE;
 * the CLI's, bin/triton-jetson.js and $TRITON_JETSON_CLI_CACHE) as an attacker or a
 * broken disk leaves them (issue 20.5, 20.18): a cache that is damaged or tampered with is
 * never run (the bundle's digest, recorded at build, is checked first; the V8 code cache's
 * too) and repairs itself on the same run; nothing outside the cache folder is followed; a
 * cache folder someone else owns or can write is refused in one line; the cache is created
 * 0700/0600 whatever the umask, and a full disk leaves no temporary file behind.
 *
 * Runs `node bin/synth.js` and `node bin/triton-jetson.js synth` on a copy of the sources
 * (node_modules linked), each case with its own cache folder made from one pristine cache per
 * launcher built once; both must write exactly the committed dist/.
 */
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import {
  chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync,
  truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import * as path from 'node:path';
import { DIST, REPO_ROOT } from '../support/manifests';
import { testWith } from '../support/prereq';

const IS_ROOT = process.getuid?.() === 0;
jest.setTimeout(120_000);

/** One launcher: how it runs a synth, where its cache is, how it words a refusal. */
interface Launcher {
  readonly name: string;
  readonly argv: (out: string) => string[];
  readonly cacheEnv: string;
  readonly prefix: string;
  readonly entry: string;
  readonly refusal: RegExp;
  readonly refusalEnd: RegExp;
}

const LAUNCHERS: Launcher[] = [
  {
    name: 'synth (bin/synth.js)', argv: (out) => ['bin/synth.js', '--out', out], cacheEnv: 'TRITON_JETSON_SYNTH_CACHE', prefix: 'synth',
    entry: 'main.ts', refusal: /^synth: the synth cache folder .*\(\$TRITON_JETSON_SYNTH_CACHE\)/, refusalEnd: /; nothing written$/,
  },
  {
    name: 'the CLI (bin/triton-jetson.js)', argv: (out) => ['bin/triton-jetson.js', 'synth', '--out', out], cacheEnv: 'TRITON_JETSON_CLI_CACHE',
    prefix: 'cli', entry: 'cli/triton-jetson.ts', refusal: /^triton-jetson: the CLI cache folder .*\(\$TRITON_JETSON_CLI_CACHE\)/, refusalEnd: /; nothing run$/,
  },
];

let root: string;
let committed: string;
let cases = 0;
let launcher: Launcher;
let pristine: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hostile synth cache-'));
  for (const item of ['main.ts', 'lib', 'imports', 'cli', 'bootstrap', 'client', 'bin', 'tsconfig.json', 'package.json', 'package-lock.json']) {
    cpSync(path.join(REPO_ROOT, item), path.join(root, item), { recursive: true });
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  committed = readFileSync(path.join(DIST, 'triton-jetson.k8s.yaml'), 'utf-8');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the launcher with `cache` as its cache folder; `shell` wraps it (umask, ulimit). */
function synth(cache: string, out: string, shell = ''): SpawnSyncReturns<string> {
  const argv = [process.execPath, ...launcher.argv(out)];
  return spawnSync('sh', ['-c', `${shell}\nexec "$@"`, 'sh', ...argv], {
    cwd: root, encoding: 'utf-8', timeout: 90_000,
    env: { ...process.env, [launcher.cacheEnv]: cache, TRITON_JETSON_CONFIG: '', TRITON_JETSON_DEBUG: '' },
  });
}

/** A fresh copy of the pristine cache, and a fresh output folder name. */
function freshCache(): { cache: string; out: string; canary: string } {
  const n = (cases += 1);
  const cache = path.join(root, `${launcher.prefix}-cache-${n}`);
  cpSync(pristine, cache, { recursive: true });
  return { cache, out: `out-${n}`, canary: path.join(root, `canary-${n}`) };
}

/** A folder outside the cache and outside the sources (a new file among the sources would change the key). */
function elsewhere(): string {
  const dir = path.join(root, 'elsewhere');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const manifestOf = (cache: string) => JSON.parse(readFileSync(path.join(cache, 'manifest.json'), 'utf-8'));
const bundleOf = (cache: string) => path.join(cache, `${launcher.prefix}-${manifestOf(cache).key.slice(0, 16)}.js`);
/** Code that proves it ran (writes the canary), then exits 0 as a successful synth would. */
const evil = (canary: string) => `require('fs').writeFileSync(${JSON.stringify(canary)}, 'ran');process.exitCode=0;`;

/** The run wrote exactly the committed dist/, said so in one line, and ran nothing planted. */
function expectCorrectSynth(result: SpawnSyncReturns<string>, out: string, canary?: string): void {
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: `synth: ${out}/triton-jetson.k8s.yaml\n` });
  expect(readFileSync(path.join(root, out, 'triton-jetson.k8s.yaml'), 'utf-8')).toBe(committed);
  if (canary !== undefined) expect(existsSync(canary)).toBe(false);
}

/** The cache is whole again: its bundle matches its digest, and the next run reuses it untouched. */
function expectRepaired(cache: string): void {
  const before = statSync(path.join(cache, 'manifest.json')).mtimeMs;
  const out = `again-${(cases += 1)}`;
  expectCorrectSynth(synth(cache, out), out);
  expect(statSync(path.join(cache, 'manifest.json')).mtimeMs).toBe(before);
  expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
}

/** [what, how the cache is damaged (given the cache folder and a canary path)]. */
const damaged: [string, (cache: string, canary: string) => void][] = [
  ['an empty bundle (exit 0 and nothing written, before)', (cache) => truncateSync(bundleOf(cache), 0)],
  ['a bundle truncated to half', (cache) => truncateSync(bundleOf(cache), Math.floor(statSync(bundleOf(cache)).size / 2))],
  ['a bundle cut mid-token (a stack trace, before)', (cache) => {
    const text = readFileSync(bundleOf(cache), 'utf-8');
    writeFileSync(bundleOf(cache), text.slice(0, text.indexOf('function') + 4));
  }],
  ['a bundle replaced by other code', (cache, canary) => writeFileSync(bundleOf(cache), evil(canary))],
  ['a manifest whose bundle is "../.." outside the cache', (cache, canary) => {
    writeFileSync(path.join(elsewhere(), `evil-${path.basename(cache)}.js`), evil(canary));
    writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify({ ...manifestOf(cache), bundle: `../elsewhere/evil-${path.basename(cache)}.js` }));
  }],
  ['a manifest with an absolute bundle path', (cache, canary) => {
    const file = path.join(elsewhere(), `abs-${path.basename(cache)}.js`);
    writeFileSync(file, evil(canary));
    writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify({ ...manifestOf(cache), bundle: file }));
  }],
  ['a bundle that is a symbolic link to code elsewhere', (cache, canary) => {
    const file = path.join(elsewhere(), `linked-${path.basename(cache)}.js`);
    writeFileSync(file, evil(canary));
    rmSync(bundleOf(cache));
    symlinkSync(file, bundleOf(cache));
  }],
  ['a manifest that is not JSON', (cache) => writeFileSync(path.join(cache, 'manifest.json'), '{"format": 1, "key": ')],
  ['a manifest listing /dev/zero and ../ paths as inputs (a read that never ends)', (cache) => {
    const manifest = manifestOf(cache);
    writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify({ ...manifest, inputs: ['../../../../../../../dev/zero', '/dev/zero', ...manifest.inputs] }));
  }],
  ['a planted V8 code cache compiled from other code of the same length', (cache) => {
    // What V8 checks before using a code cache is the source's length (and V8's version and
    // flags), not its content: the forged code is run once, as the launcher runs a bundle, so
    // that its functions are compiled into the cache.
    const bundle = bundleOf(cache);
    const source = readFileSync(bundle, 'utf-8');
    expect(source).toContain('10.0.0.30');
    const forged = source.replace(/10\.0\.0\.30/g, '10.6.6.30');
    expect(forged.length).toBe(source.length);
    const make = spawnSync(process.execPath, ['-e', `
      const fs = require('fs'); const vm = require('vm'); const Module = require('module'); const path = require('path');
      const [bundle, root, entryName, scratch] = process.argv.slice(1);
      const entry = path.join(root, entryName);
      process.argv = [process.argv[0], 'synth.js', '--out', scratch];
      const script = new vm.Script(Module.wrap(fs.readFileSync(0, 'utf-8')), { filename: bundle });
      const mod = new Module(entry, null); mod.filename = entry; mod.paths = Module._nodeModulePaths(path.dirname(entry));
      script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(entry), mod, entry, path.dirname(entry));
      // The CLI's bundle only defines main(): run its synth command as bin/triton-jetson.js would.
      Promise.resolve(mod.exports.main && mod.exports.main([process.argv[0], 'triton-jetson', 'synth', '--out', scratch]))
        .then(() => fs.writeFileSync(bundle + '.v8', script.createCachedData()));`,
    bundle, root, launcher.entry, path.join(elsewhere(), `forged-out-${path.basename(cache)}`)],
    { input: forged, encoding: 'utf-8', cwd: root });
    expect(make.stderr).toMatch(/^synth: /);
    expect(readFileSync(path.join(elsewhere(), `forged-out-${path.basename(cache)}`, 'triton-jetson.k8s.yaml'), 'utf-8')).toContain('10.6.6.30');
  }],
  ['a code cache of random bytes', (cache) => writeFileSync(`${bundleOf(cache)}.v8`, Buffer.alloc(4096, 7))],
  ['a bundle made writable by everyone (anyone could have changed it)', (cache, canary) => {
    writeFileSync(bundleOf(cache), evil(canary));
    const manifest = manifestOf(cache);
    const digest = require('node:crypto').createHash('sha256').update(readFileSync(bundleOf(cache))).digest('hex'); // eslint-disable-line @typescript-eslint/no-require-imports
    writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify({ ...manifest, bundleSha256: digest }));
    chmodSync(bundleOf(cache), 0o666);
    chmodSync(path.join(cache, 'manifest.json'), 0o666);
  }],
  ['leftover temporary files of a killed run', (cache) => {
    writeFileSync(path.join(cache, `${launcher.prefix}-0123456789abcdef.js.999999.deadbeef.tmp`), 'partial');
  }],
];

describe.each(LAUNCHERS)('$name', (which) => {
  beforeAll(() => {
    launcher = which;
    pristine = path.join(root, `${launcher.prefix}-pristine`);
    expectCorrectSynth(synth(pristine, `${launcher.prefix}-out-pristine`), `${launcher.prefix}-out-pristine`);
    // The first run writes the V8 code cache beside the bundle when it exits; the second uses it.
    expectCorrectSynth(synth(pristine, `${launcher.prefix}-out-pristine-2`), `${launcher.prefix}-out-pristine-2`);
    expect(readdirSync(pristine).filter((f) => f.endsWith('.v8'))).toHaveLength(1);
  });

  describe('a damaged or tampered cache is never run and repairs itself on the same run', () => {
    test.each(damaged)('%s', (_what, damage) => {
      const { cache, out, canary } = freshCache();
      damage(cache, canary);
      expectCorrectSynth(synth(cache, out), out, canary);
      expectRepaired(cache);
    });
  });

  describe('cache folders that are refused in one line, running nothing and writing nothing', () => {
    const refused = (result: SpawnSyncReturns<string>, out: string, canary: string, mustHold: RegExp) => {
      expect(result.status).toBe(2);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(launcher.refusal);
      expect(lines[0]).toMatch(mustHold);
      expect(lines[0]).toMatch(launcher.refusalEnd);
      expect(existsSync(canary)).toBe(false);
      expect(existsSync(path.join(root, out))).toBe(false);
    };

    testWith([{ name: 'root', present: IS_ROOT, hint: 'run the tests as root (chown to another user)' }])(
      'a cache folder owned by another user, holding a valid manifest and a planted bundle', () => {
        const { cache, out, canary } = freshCache();
        writeFileSync(bundleOf(cache), evil(canary));
        // A manifest that would match: the planted bundle's own digest, as the owner could write.
        const manifest = manifestOf(cache);
        const digest = require('node:crypto').createHash('sha256').update(readFileSync(bundleOf(cache))).digest('hex'); // eslint-disable-line @typescript-eslint/no-require-imports
        writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify({ ...manifest, bundleSha256: digest }));
        rmSync(`${bundleOf(cache)}.v8`, { force: true });
        for (const f of ['', ...readdirSync(cache)]) chownSync(path.join(cache, f), 65534, 65534);
        refused(synth(cache, out), out, canary, /is owned by uid 65534, not by you \(uid 0\)/);
      });

    test('a cache folder writable by other users', () => {
      const { cache, out, canary } = freshCache();
      chmodSync(cache, 0o777);
      refused(synth(cache, out), out, canary, /is writable by other users \(mode 0777\)/);
    });

    test('a cache folder that is a symbolic link', () => {
      const { cache, out, canary } = freshCache();
      const link = `${cache}-link`;
      symlinkSync(cache, link);
      refused(synth(link, out), out, canary, /is a symbolic link/);
    });
  });

  describe('what the launcher creates and leaves', () => {
    test('under umask 000 the cache folder is 0700 and its files 0600', () => {
      const cache = path.join(root, `umask-${(cases += 1)}`, 'nested', 'cache');
      const out = `out-umask-${cases}`;
      expectCorrectSynth(synth(cache, out, 'umask 000'), out);
      expectCorrectSynth(synth(cache, `${out}-2`, 'umask 000'), `${out}-2`);
      expect((lstatSync(cache).mode & 0o777).toString(8)).toBe('700');
      for (const f of readdirSync(cache)) expect({ f, mode: (lstatSync(path.join(cache, f)).mode & 0o777).toString(8) }).toEqual({ f, mode: '600' });
      // Parents it had to create are not left open to everyone either.
      expect((lstatSync(path.dirname(cache)).mode & 0o777).toString(8)).toBe('755');
    });

    test('a full disk while writing the cache: the synth still succeeds and no temporary file is left', () => {
      const cache = path.join(root, `full-${(cases += 1)}`);
      const out = `out-full-${cases}`;
      // Every file write past 100 KiB fails with EFBIG (SIGXFSZ ignored), as on a full disk:
      // the 1.5 MB bundle cannot be cached, the 40 KB manifests can be written.
      expectCorrectSynth(synth(cache, out, "trap '' XFSZ; ulimit -f 200"), out);
      expect(readdirSync(cache).filter((f) => f.includes('.tmp'))).toEqual([]);
    });

    test('a cache folder that is a file is refused in one line', () => {
      const file = path.join(root, `a-file-${(cases += 1)}`);
      writeFileSync(file, 'not a folder');
      const result = synth(file, `out-${cases}`);
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(launcher.refusal);
      expect(result.stderr.trimEnd()).toMatch(/ is not a folder; /);
      expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(launcher.refusalEnd)]);
    });

    test('the cache folder given relative is relative to the working folder, and created', () => {
      mkdirSync(path.join(root, 'rel'), { recursive: true });
      const out = `out-rel-${(cases += 1)}`;
      expectCorrectSynth(synth('rel/cache', out), out);
      expect(statSync(path.join(root, 'rel', 'cache', 'manifest.json')).isFile()).toBe(true);
    });
  });
});

describe("a checkout's default cache folder owned by someone else (a checkout shared with root)", () => {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { Cache, CacheRefused } = require('../../bin/launcher-cache') as {
    Cache: new (target: object, root: string) => { dir: string; prepare(): boolean };
    CacheRefused: new (...args: unknown[]) => Error;
  };
  const { TARGETS } = require('../../bin/launcher') as { TARGETS: Record<string, { cacheEnv: string; cacheFolder: string }> };
  /* eslint-enable @typescript-eslint/no-require-imports */
  const envNames = Object.values(TARGETS).map((t) => t.cacheEnv);
  let saved: Record<string, string | undefined>;
  beforeEach(() => {
    saved = Object.fromEntries(['HOME', ...envNames].map((k) => [k, process.env[k]]));
    for (const k of envNames) delete process.env[k];
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  });

  testWith([{ name: 'root', present: IS_ROOT, hint: 'run the tests as root (chown to another user)' }])(
    'is never used: each launcher moves to a folder of this user\'s own under ~/.cache, not refusing to start', () => {
      const checkout = mkdtempSync(path.join(tmpdir(), 'shared checkout-'));
      const home = mkdtempSync(path.join(tmpdir(), 'home-'));
      try {
        process.env.HOME = home;
        for (const target of Object.values(TARGETS)) {
          const foreign = path.join(checkout, 'node_modules', '.cache', target.cacheFolder);
          mkdirSync(foreign, { recursive: true, mode: 0o700 });
          writeFileSync(path.join(foreign, 'manifest.json'), '{"planted": true}');
          chownSync(foreign, 65534, 65534);
          const cache = new Cache(target, checkout);
          expect(cache.prepare()).toBe(true);
          expect(cache.dir.startsWith(path.join(home, '.cache', 'cdk8s-triton-jetson', `${target.cacheFolder}-`))).toBe(true);
          expect(lstatSync(cache.dir).mode & 0o777).toBe(0o700);
          // Given explicitly, the same folder is refused: the user asked for that very folder.
          process.env[target.cacheEnv] = foreign;
          expect(() => new Cache(target, checkout).prepare()).toThrow(CacheRefused);
          delete process.env[target.cacheEnv];
        }
      } finally {
        rmSync(checkout, { recursive: true, force: true });
        rmSync(home, { recursive: true, force: true });
      }
    });

  // A relative or empty HOME (HOME=., or HOME= left by env -i or a service unit) made the
  // own folder relative to the working folder, where a cloned repository could plant a cache.
  test.each([['relative', 'planted-home'], ['empty', '']])('with HOME %s, the own folder is under the password database\'s home, never the working folder', (_what, value) => {
    process.env.HOME = value;
    for (const target of Object.values(TARGETS)) {
      const dir = (new Cache(target, REPO_ROOT) as unknown as { ownFolder(): string }).ownFolder();
      expect(path.isAbsolute(dir)).toBe(true);
      expect(dir.startsWith(path.join(userInfo().homedir, '.cache', 'cdk8s-triton-jetson', `${target.cacheFolder}-`))).toBe(true);
    }
  });

  test('cannot be created (node_modules is root\'s, the user is not): each launcher moves to its own folder instead of rebuilding on every run', () => {
    // As root: the check runs as nobody (uid 65534) in a root-owned checkout; as anyone else: node_modules made read-only.
    const checkout = mkdtempSync(path.join(tmpdir(), 'read-only checkout-'));
    const home = mkdtempSync(path.join(tmpdir(), 'home-'));
    try {
      mkdirSync(path.join(checkout, 'node_modules'));
      const asNobody = IS_ROOT ? { uid: 65534, gid: 65534 } : {};
      if (IS_ROOT) {
        chownSync(home, 65534, 65534);
        chmodSync(checkout, 0o755);
      } else {
        chmodSync(path.join(checkout, 'node_modules'), 0o555);
      }
      const script = `const { Cache } = require(${JSON.stringify(path.join(REPO_ROOT, 'bin', 'launcher-cache'))});
        const { TARGETS } = require(${JSON.stringify(path.join(REPO_ROOT, 'bin', 'launcher'))});
        console.log(JSON.stringify(Object.values(TARGETS).map((t) => { const c = new Cache(t, ${JSON.stringify(checkout)}); return { persist: c.prepare(), dir: c.dir }; })));`;
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
      for (const name of envNames) delete env[name];
      const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf-8', env, cwd: tmpdir(), ...asNobody });
      expect(result.stderr).toBe('');
      const caches = JSON.parse(result.stdout) as { persist: boolean; dir: string }[];
      expect(caches).toHaveLength(Object.keys(TARGETS).length);
      for (const c of caches) {
        expect(c).toEqual({ persist: true, dir: expect.stringMatching(new RegExp(`^${home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\.cache/cdk8s-triton-jetson/`)) });
        expect(lstatSync(c.dir).mode & 0o777).toBe(0o700);
      }
      expect(existsSync(path.join(checkout, 'node_modules', '.cache'))).toBe(false);
    } finally {
      if (!IS_ROOT) chmodSync(path.join(checkout, 'node_modules'), 0o755);
      rmSync(checkout, { recursive: true, force: true });
      rmSync(home, { recursive: true, force: true });
    }
  });
});
