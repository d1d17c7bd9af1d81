// The launcher of `npm run synth` (bin/synth.js) and of `triton-jetson` in a source checkout
// (bin/triton-jetson.js): runs a TypeScript entry fast, and never stale.
//
// The entry and what it imports are bundled by esbuild into ONE CommonJS file in a cache
// folder (node_modules/.cache/<target>/, or the target's environment variable), run with a V8
// code cache. Before every run the bundle's key is recomputed: the contents of every source
// file of this repository that went into it, the size and mtime of every dependency file that
// went into it, the lock files, tsconfig.json and the esbuild version. Any change rebuilds the
// bundle (about 1 s) before running; an unchanged tree runs the cached one. Dependencies are
// bundled too (one file read with a code cache instead of hundreds), except the CLI's native
// or file-reading ones (sharp, node-ssh and ssh2, uplot), which load from node_modules when a
// command needs them. The CLI's npm package ships the same bundle, built when it is packed
// (bundleOptions; packages/cli/scripts/bundle.js), with those as its dependencies.
//
// The cache is untrusted input (issue 20.5; its folder and files: bin/launcher-cache.js): what
// runs is only ever a bundle whose sha256 is the one recorded when it was built, read from a
// regular file (never through a symbolic link) in the cache folder itself, and the V8 code
// cache is used only when its sha256 is the one recorded when it was written (V8 itself checks
// little more than the source's length). Anything else is rebuilt on the same run. A cache
// folder that is a link, not a folder, not yours, or writable by others is refused in one line
// (exit 2): code cached there would run as you. The folder is created 0700 and every file
// 0600, written atomically; a write that fails (a full disk) leaves no temporary file, and the
// bundle then runs from memory.
//
// Without esbuild, or with TRITON_JETSON_DEBUG=1 (readable stack traces), the entry runs
// through tsx instead: slower, same behaviour.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');
const { Cache, CacheRefused, FORMAT, MANIFEST, MAX_CACHE_FILE_BYTES } = require('./launcher-cache');

const ROOT = path.join(__dirname, '..');
/** Names an import could resolve to (not output folders such as dist/). */
const SOURCE_NAME = /\.([cm]?[jt]sx?|json|node)$/;

/** What each launcher runs; `start` is called with the entry's exports once it has run. */
const TARGETS = {
  synth: {
    name: 'synth', what: 'synth', entry: 'main.ts', cacheEnv: 'TRITON_JETSON_SYNTH_CACHE',
    cacheFolder: 'triton-jetson-synth', prefix: 'synth', external: [], refusalEnd: 'nothing written',
    start: () => undefined,
  },
  cli: {
    name: 'triton-jetson', what: 'CLI', entry: 'cli/triton-jetson.ts', cacheEnv: 'TRITON_JETSON_CLI_CACHE',
    cacheFolder: 'triton-jetson-cli', prefix: 'cli', external: ['sharp', 'node-ssh', 'ssh2', 'uplot'], refusalEnd: 'nothing run',
    start: (cli) => cli.main(process.argv),
  },
};

/** esbuild's options for `target`'s bundle (also the CLI package's prebuilt one: packages/cli/scripts/bundle.js). */
function bundleOptions(target, root = ROOT) {
  return {
    entryPoints: [path.join(root, target.entry)],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Loaded from node_modules when a command needs them (native code, or files read at run time).
    external: target.external.flatMap((name) => [name, `${name}/*`]),
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'error',
  };
}

const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

/** esbuild's version without loading it (loading costs ~10 ms; only a rebuild needs it). */
function esbuildVersion() {
  try {
    return JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json', { paths: [ROOT] }), 'utf-8')).version;
  } catch {
    return undefined;
  }
}

function isDependency(input) {
  return input.startsWith('node_modules/') || input.includes('/node_modules/');
}

/** The key of `target`'s bundle built from `inputs` (paths relative to ROOT). */
function keyOf(target, inputs, version) {
  const hash = crypto.createHash('sha256');
  hash.update(`format ${FORMAT} ${target.entry} external ${target.external.join(',')} esbuild ${version} node ${process.versions.v8}\0`);
  for (const lock of ['package-lock.json', 'node_modules/.package-lock.json', 'tsconfig.json']) {
    try {
      hash.update(lock).update(fs.readFileSync(path.join(ROOT, lock)));
    } catch {
      hash.update(`${lock} absent`);
    }
  }
  // The file names beside every own input: a new file there (lib/config.ts next to
  // lib/config/) could change what an import resolves to.
  const ownDirs = new Set(inputs.filter((i) => !isDependency(i)).map((i) => path.dirname(i)));
  for (const dir of [...ownDirs].sort()) {
    try {
      hash.update(`\0dir ${dir}\0${fs.readdirSync(path.join(ROOT, dir)).filter((f) => SOURCE_NAME.test(f)).sort().join('\0')}`);
    } catch {
      hash.update(`\0dir ${dir} absent`);
    }
  }
  for (const input of inputs) {
    const abs = path.join(ROOT, input);
    hash.update(`\0${input}\0`);
    // Only regular files are read (a manifest naming /dev/zero or a FIFO must not hang the run).
    const st = fs.statSync(abs, { throwIfNoEntry: false });
    if (!st || !st.isFile()) hash.update(st ? 'not a file' : 'absent');
    else if (isDependency(input) || st.size > MAX_CACHE_FILE_BYTES) hash.update(`${st.size} ${st.mtimeMs}`);
    else {
      try {
        hash.update(fs.readFileSync(abs));
      } catch {
        hash.update('unreadable');
      }
    }
  }
  return hash.digest('hex');
}

/** Builds the bundle; caches it when `persist` and the disk allows. Returns what to run. */
function build(cache, version, persist) {
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  if (esbuild.version !== version) throw new Error(`esbuild ${esbuild.version} is not ${version}`);
  const result = esbuild.buildSync({ ...bundleOptions(cache.target), write: false, outfile: path.join(cache.dir, 'bundle.js') });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const key = keyOf(cache.target, inputs, version);
  const code = Buffer.from(result.outputFiles[0].contents);
  const name = cache.bundleName(key);
  const manifest = { format: FORMAT, key, bundle: name, bundleSha256: sha256(code), inputs };
  if (persist) {
    try {
      // The bundle first: a manifest never names a bundle that is not complete.
      cache.write(name, code);
      cache.write(MANIFEST, JSON.stringify(manifest));
      cache.removeLeftovers(name);
      return { code, name, manifest };
    } catch {
      // A full disk or a read-only cache only costs speed: run from memory.
    }
  }
  return { code, name, manifest: undefined };
}

/**
 * Runs a CommonJS bundle as the entry module with the V8 code cache recorded in the manifest,
 * and returns its exports. A missing or rejected code cache is written when the process exits,
 * so that it holds every function this run compiled (`--help` exits from inside commander).
 */
function runBundle(cache, { code, name, manifest }) {
  const entry = path.join(ROOT, cache.target.entry);
  const v8Name = `${name}.v8`;
  let cachedData;
  if (manifest && manifest.codeCacheSha256) {
    const bytes = cache.read(v8Name);
    if (bytes && sha256(bytes) === manifest.codeCacheSha256) cachedData = bytes;
  }
  const script = new vm.Script(Module.wrap(code.toString('utf-8')), { filename: path.join(cache.dir, name), cachedData });
  if (manifest && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      try {
        const data = script.createCachedData();
        cache.write(v8Name, data);
        cache.write(MANIFEST, JSON.stringify({ ...manifest, codeCacheSha256: sha256(data) }));
      } catch {
        // A read-only or full cache only costs speed.
      }
    });
  }
  const mod = new Module(entry, null);
  mod.filename = entry;
  mod.paths = Module._nodeModulePaths(path.dirname(entry));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(entry), mod, entry, path.dirname(entry));
  return mod.exports;
}

function runThroughTsx(target) {
  require(require.resolve('tsx/cjs', { paths: [ROOT] }));
  return require(path.join(ROOT, target.entry));
}

/** The entry's exports: from the cached bundle, a new one, or tsx. Undefined when the cache folder was refused. */
function load(target) {
  if (process.env.TRITON_JETSON_DEBUG === '1') return runThroughTsx(target);
  const version = esbuildVersion();
  if (!version) return runThroughTsx(target);
  const cache = new Cache(target, ROOT);
  let persist;
  try {
    persist = cache.prepare();
  } catch (err) {
    if (!(err instanceof CacheRefused)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  let run;
  const manifest = persist ? cache.readManifest() : undefined;
  if (manifest && keyOf(target, manifest.inputs, version) === manifest.key) {
    const name = cache.bundleName(manifest.key);
    const code = cache.read(name);
    // Only the very bytes recorded at build time run; anything else is rebuilt.
    if (code && sha256(code) === manifest.bundleSha256) run = { code, name, manifest };
  }
  if (persist) cache.removeLeftovers(run && run.name);
  if (!run) {
    try {
      run = build(cache, version, persist);
    } catch {
      // A compile error is the user's to fix; tsx reports it with file and line.
      return runThroughTsx(target);
    }
  }
  return runBundle(cache, run);
}

/** Runs the target named `which` ('synth' or 'cli'). */
function launch(which) {
  const target = TARGETS[which];
  const exports = load(target);
  if (exports !== undefined) target.start(exports);
}

module.exports = { launch, bundleOptions, TARGETS, ROOT };
