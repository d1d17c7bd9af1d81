#!/usr/bin/env node
// `npm run synth`: runs main.ts (lib/synth-command.ts) fast, and never stale.
//
// main.ts and everything it imports (lib/, imports/, cdk8s, cdk8s-plus-27, yaml, zod) are
// bundled by esbuild into ONE CommonJS file under node_modules/.cache/triton-jetson-synth/,
// run with a V8 code cache. Before every run the bundle's key is recomputed: the contents
// of every source file of this repository that went into it, the size and mtime of every
// dependency file that went into it, the lock files and the esbuild version. Any change
// rebuilds the bundle (about 1 s) before running; an unchanged tree runs the cached one.
//
// Without esbuild (a dependency of tsx), or with TRITON_JETSON_DEBUG=1 (readable stack
// traces), main.ts runs through tsx instead: slower, same behaviour.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.join(__dirname, '..');
const ENTRY = path.join(ROOT, 'main.ts');
// Overridable for tests, which run copies of the tree.
const CACHE_DIR = process.env.TRITON_JETSON_SYNTH_CACHE || path.join(ROOT, 'node_modules', '.cache', 'triton-jetson-synth');
const MANIFEST = path.join(CACHE_DIR, 'manifest.json');
/** Bump when the build options below change. */
const FORMAT = 1;

function runThroughTsx() {
  require('tsx/cjs');
  require(ENTRY);
}

/** esbuild's version without loading it (loading costs ~10 ms; only a rebuild needs it). */
function esbuildVersion() {
  try {
    return JSON.parse(fs.readFileSync(require.resolve('esbuild/package.json', { paths: [ROOT] }), 'utf-8')).version;
  } catch {
    return undefined;
  }
}

/** Names an import could resolve to (not output folders such as dist/). */
const SOURCE_NAME = /\.([cm]?[jt]sx?|json|node)$/;

function isDependency(input) {
  return input.startsWith('node_modules/') || input.includes('/node_modules/');
}

/** The key of a bundle built from `inputs` (paths relative to ROOT). */
function keyOf(inputs, esbuildVersion) {
  const hash = crypto.createHash('sha256');
  hash.update(`format ${FORMAT} esbuild ${esbuildVersion} node ${process.versions.v8}\0`);
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
    if (isDependency(input)) {
      const st = fs.statSync(abs, { throwIfNoEntry: false });
      hash.update(st ? `${st.size} ${st.mtimeMs}` : 'absent');
    } else {
      try {
        hash.update(fs.readFileSync(abs));
      } catch {
        hash.update('absent');
      }
    }
  }
  return hash.digest('hex');
}

function readManifest() {
  try {
    const manifest = JSON.parse(fs.readFileSync(MANIFEST, 'utf-8'));
    return manifest && manifest.format === FORMAT && Array.isArray(manifest.inputs) ? manifest : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `data` to `file` atomically (another synth may read it meanwhile). */
function writeAtomic(file, data) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

function build(version) {
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  if (esbuild.version !== version) throw new Error(`esbuild ${esbuild.version} is not ${version}`);
  const result = esbuild.buildSync({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'error',
    outfile: path.join(CACHE_DIR, 'synth.js'),
  });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const key = keyOf(inputs, version);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const bundle = path.join(CACHE_DIR, `synth-${key.slice(0, 16)}.js`);
  writeAtomic(bundle, result.outputFiles[0].contents);
  // Older bundles are of no use any more.
  for (const f of fs.readdirSync(CACHE_DIR)) {
    if (/^synth-[0-9a-f]{16}\.js(\.v8)?$/.test(f) && !f.startsWith(path.basename(bundle))) {
      fs.rmSync(path.join(CACHE_DIR, f), { force: true });
    }
  }
  writeAtomic(MANIFEST, JSON.stringify({ format: FORMAT, key, bundle: path.basename(bundle), inputs }));
  return bundle;
}

/** Runs a CommonJS bundle as the main module, with a V8 code cache beside it. */
function runBundle(bundle) {
  const cacheFile = `${bundle}.v8`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf-8')), { filename: bundle, cachedData });
  const mod = new Module(ENTRY, null);
  mod.filename = ENTRY;
  mod.paths = Module._nodeModulePaths(ROOT);
  const requireFromRoot = Module.createRequire(ENTRY);
  script.runInThisContext().call(mod.exports, mod.exports, requireFromRoot, mod, ENTRY, ROOT);
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeAtomic(cacheFile, script.createCachedData());
    } catch {
      // A read-only cache only costs speed.
    }
  }
}

function main() {
  if (process.env.TRITON_JETSON_DEBUG === '1') return runThroughTsx();
  const version = esbuildVersion();
  if (!version) return runThroughTsx();
  const manifest = readManifest();
  let bundle;
  if (manifest && keyOf(manifest.inputs, version) === manifest.key) {
    bundle = path.join(CACHE_DIR, manifest.bundle);
    if (!fs.existsSync(bundle)) bundle = undefined;
  }
  if (!bundle) {
    try {
      bundle = build(version);
    } catch {
      // A compile error is the user's to fix; tsx reports it with file and line.
      return runThroughTsx();
    }
  }
  return runBundle(bundle);
}

main();
