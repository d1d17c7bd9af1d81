#!/usr/bin/env node
// `npm run synth`: runs main.ts (lib/synth-command.ts) fast, and never stale.
//
// main.ts and everything it imports (lib/, imports/, cdk8s, cdk8s-plus-27, yaml, zod) are
// bundled by esbuild into ONE CommonJS file under node_modules/.cache/triton-jetson-synth/
// (or $TRITON_JETSON_SYNTH_CACHE), run with a V8 code cache. Before every run the bundle's
// key is recomputed: the contents of every source file of this repository that went into it,
// the size and mtime of every dependency file that went into it, the lock files and the
// esbuild version. Any change rebuilds the bundle (about 1 s) before running; an unchanged
// tree runs the cached one.
//
// The cache is untrusted input (issue 20.5): what runs is only ever a bundle whose sha256 is
// the one recorded when it was built, read from a regular file (never through a symbolic
// link) in the cache folder itself, and the V8 code cache is used only when its sha256 is the
// one recorded when it was written (V8 itself checks little more than the source's length).
// Anything else is rebuilt on the same run. A cache folder that is a link, not a folder, not
// yours, or writable by others is refused in one line (exit 2): code cached there would run
// as you. The folder is created 0700 and every file 0600, written atomically; a write that
// fails (a full disk) leaves no temporary file, and the bundle then runs from memory.
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
const CACHE_ENV = 'TRITON_JETSON_SYNTH_CACHE';
// Overridable (tests run copies of the tree; a user may keep the cache elsewhere).
const FROM_ENV = Boolean(process.env[CACHE_ENV]);
const CACHE_DIR = path.resolve(process.env[CACHE_ENV] || path.join(ROOT, 'node_modules', '.cache', 'triton-jetson-synth'));
const MANIFEST = 'manifest.json';
/** Bump when the build options or the manifest change. */
const FORMAT = 2;
/** Largest cache file read (the bundle is about 1.5 MB, its code cache about 1.2 MB). */
const MAX_CACHE_FILE_BYTES = 64 * 1024 * 1024;
const UID = typeof process.getuid === 'function' ? process.getuid() : undefined;
const HEX64 = /^[0-9a-f]{64}$/;

function runThroughTsx() {
  require('tsx/cjs');
  require(ENTRY);
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

/** Names an import could resolve to (not output folders such as dist/). */
const SOURCE_NAME = /\.([cm]?[jt]sx?|json|node)$/;

function isDependency(input) {
  return input.startsWith('node_modules/') || input.includes('/node_modules/');
}

/**
 * An input as esbuild lists it: a path relative to ROOT ("../node_modules/..." when the
 * dependencies are hoisted or linked from elsewhere), without control characters.
 */
function isSafeInput(input) {
  // eslint-disable-next-line no-control-regex
  return typeof input === 'string' && input !== '' && !path.isAbsolute(input) && !/[\u0000-\u001f]/.test(input);
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

/** One line, exit 2, nothing run or written: the cache folder cannot be trusted. */
class CacheRefused extends Error {}

function refuse(problem, fix) {
  const how = FROM_ENV ? `$${CACHE_ENV}` : `the default; set $${CACHE_ENV} to move it`;
  throw new CacheRefused(`synth: the synth cache folder ${JSON.stringify(CACHE_DIR)} (${how}) ${problem}; ${fix}; nothing written`);
}

/**
 * Creates the cache folder (0700; parents 0755) or checks the one there. Returns false when
 * it cannot be created (a read-only checkout): the bundle then runs from memory.
 */
function prepareCacheDir() {
  let st = fs.lstatSync(CACHE_DIR, { throwIfNoEntry: false });
  if (!st) {
    try {
      fs.mkdirSync(path.dirname(CACHE_DIR), { recursive: true, mode: 0o755 });
      fs.mkdirSync(CACHE_DIR, { mode: 0o700 });
    } catch (err) {
      if (err.code !== 'EEXIST') return false;
    }
    st = fs.lstatSync(CACHE_DIR);
  }
  if (st.isSymbolicLink()) refuse('is a symbolic link', 'give the folder itself');
  if (!st.isDirectory()) refuse('is not a folder', `remove it, or set $${CACHE_ENV} to a folder of your own`);
  if (UID !== undefined && st.uid !== UID) {
    refuse(`is owned by uid ${st.uid}, not by you (uid ${UID}): code cached there would run as you`,
      `remove it (it is rebuilt), run synth as its owner, or set $${CACHE_ENV} to a folder of your own`);
  }
  if ((st.mode & 0o022) !== 0) {
    refuse(`is writable by other users (mode 0${(st.mode & 0o777).toString(8)}): they could plant code that synth runs`,
      `chmod 700 it, or remove it (it is rebuilt)`);
  }
  return true;
}

/** A cache file's bytes: a regular file of ours, not writable by others, never through a link; else undefined. */
function readCacheFile(name) {
  let fd;
  try {
    fd = fs.openSync(path.join(CACHE_DIR, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || (UID !== undefined && st.uid !== UID) || (st.mode & 0o022) !== 0 || st.size > MAX_CACHE_FILE_BYTES) return undefined;
    return fs.readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function readManifest() {
  const bytes = readCacheFile(MANIFEST);
  if (!bytes) return undefined;
  let m;
  try {
    m = JSON.parse(bytes.toString('utf-8'));
  } catch {
    return undefined;
  }
  const valid = m && m.format === FORMAT && HEX64.test(m.key) && HEX64.test(m.bundleSha256) &&
    Array.isArray(m.inputs) && m.inputs.every(isSafeInput) && (m.codeCacheSha256 === undefined || HEX64.test(m.codeCacheSha256));
  return valid ? m : undefined;
}

/** The bundle's file name, from its key alone: nothing in the manifest names a path. */
const bundleName = (key) => `synth-${key.slice(0, 16)}.js`;

/** Writes `data` to the cache file `name` atomically (another synth may read it meanwhile), 0600; no temporary file is left. */
function writeCacheFile(name, data) {
  const file = path.join(CACHE_DIR, name);
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Removes older bundles and the temporary files of synths that are gone (killed mid-write). */
function removeLeftovers(current) {
  let names;
  try {
    names = fs.readdirSync(CACHE_DIR);
  } catch {
    return;
  }
  for (const f of names) {
    const tmp = /\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(f);
    const stale = tmp ? !isAlive(Number(tmp[1])) : /^synth-[0-9a-f]{16}\.js(\.v8)?$/.test(f) && current !== undefined && !f.startsWith(current);
    if (stale) fs.rmSync(path.join(CACHE_DIR, f), { force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Builds the bundle; caches it when `persist` and the disk allows. Returns what to run. */
function build(version, persist) {
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
  const code = Buffer.from(result.outputFiles[0].contents);
  const name = bundleName(key);
  const manifest = { format: FORMAT, key, bundle: name, bundleSha256: sha256(code), inputs };
  if (persist) {
    try {
      // The bundle first: a manifest never names a bundle that is not complete.
      writeCacheFile(name, code);
      writeCacheFile(MANIFEST, JSON.stringify(manifest));
      removeLeftovers(name);
      return { code, name, manifest };
    } catch {
      // A full disk or a read-only cache only costs speed: run from memory.
    }
  }
  return { code, name, manifest: undefined };
}

/** Runs a CommonJS bundle as the main module, with the V8 code cache recorded in the manifest. */
function runBundle({ code, name, manifest }) {
  const v8Name = `${name}.v8`;
  let cachedData;
  if (manifest && manifest.codeCacheSha256) {
    const bytes = readCacheFile(v8Name);
    if (bytes && sha256(bytes) === manifest.codeCacheSha256) cachedData = bytes;
  }
  const filename = path.join(CACHE_DIR, name);
  const script = new vm.Script(Module.wrap(code.toString('utf-8')), { filename, cachedData });
  const mod = new Module(ENTRY, null);
  mod.filename = ENTRY;
  mod.paths = Module._nodeModulePaths(ROOT);
  const requireFromRoot = Module.createRequire(ENTRY);
  script.runInThisContext().call(mod.exports, mod.exports, requireFromRoot, mod, ENTRY, ROOT);
  if (manifest && (cachedData === undefined || script.cachedDataRejected)) {
    try {
      const data = script.createCachedData();
      writeCacheFile(v8Name, data);
      writeCacheFile(MANIFEST, JSON.stringify({ ...manifest, codeCacheSha256: sha256(data) }));
    } catch {
      // A read-only or full cache only costs speed.
    }
  }
}

function main() {
  if (process.env.TRITON_JETSON_DEBUG === '1') return runThroughTsx();
  const version = esbuildVersion();
  if (!version) return runThroughTsx();
  let persist;
  try {
    persist = prepareCacheDir();
  } catch (err) {
    if (!(err instanceof CacheRefused)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    return undefined;
  }
  let run;
  const manifest = persist ? readManifest() : undefined;
  if (manifest && keyOf(manifest.inputs, version) === manifest.key) {
    const name = bundleName(manifest.key);
    const code = readCacheFile(name);
    // Only the very bytes recorded at build time run; anything else is rebuilt.
    if (code && sha256(code) === manifest.bundleSha256) run = { code, name, manifest };
  }
  if (persist) removeLeftovers(run && run.name);
  if (!run) {
    try {
      run = build(version, persist);
    } catch {
      // A compile error is the user's to fix; tsx reports it with file and line.
      return runThroughTsx();
    }
  }
  return runBundle(run);
}

main();
