// The cache folder of bin/launcher.js, and every file operation on it. The folder is
// untrusted input (issue 20.5; docs/security.md, "Launcher caches"): it is refused in one line
// when someone else could have written it, files are read only when they are regular files of
// ours that others cannot write (never through a link), and written atomically, 0600.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const MANIFEST = 'manifest.json';
/** Bump when the build options or the manifest change. */
const FORMAT = 3;
/** Largest cache file read (synth's bundle is about 1.5 MB, its code cache about 1.2 MB). */
const MAX_CACHE_FILE_BYTES = 64 * 1024 * 1024;
const UID = typeof process.getuid === 'function' ? process.getuid() : undefined;
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * An input as esbuild lists it: a path relative to the checkout ("../node_modules/..." when
 * the dependencies are hoisted or linked from elsewhere), without control characters.
 */
/**
 * $HOME when absolute, else the password database's home (as lib/home-folder.ts): a
 * relative or empty HOME would put the cache in the working folder, where a cloned
 * repository could have planted one. With neither, a folder that cannot be created:
 * the bundle then runs from memory.
 */
function ownHome() {
  const home = process.env.HOME;
  if (home && path.isAbsolute(home)) return home;
  try {
    const fromPasswd = os.userInfo().homedir;
    if (path.isAbsolute(fromPasswd)) return fromPasswd;
  } catch {
    // no entry for this uid
  }
  return '/nonexistent';
}

function isSafeInput(input) {
  // eslint-disable-next-line no-control-regex
  return typeof input === 'string' && input !== '' && !path.isAbsolute(input) && !/[\u0000-\u001f]/.test(input);
}

/** One line, exit 2, nothing run or written: the cache folder cannot be trusted. */
class CacheRefused extends Error {}

/** The cache folder of one launch, and every file operation on it. */
class Cache {
  /** `root`: the checkout, where the default folder is (node_modules/.cache/<target>). */
  constructor(target, root) {
    this.target = target;
    this.root = root;
    this.fromEnv = Boolean(process.env[target.cacheEnv]);
    this.dir = path.resolve(process.env[target.cacheEnv] || path.join(root, 'node_modules', '.cache', target.cacheFolder));
    this.bundlePattern = new RegExp(`^${target.prefix}-[0-9a-f]{16}\\.js(\\.v8)?$`);
  }

  /**
   * This user's own cache folder for this checkout, used when the default one belongs to
   * someone else (a checkout shared with root, say): ~/.cache/cdk8s-triton-jetson/<folder>-<checkout digest>.
   */
  ownFolder() {
    const digest = crypto.createHash('sha256').update(path.resolve(this.root)).digest('hex').slice(0, 16);
    return path.join(ownHome(), '.cache', 'cdk8s-triton-jetson', `${this.target.cacheFolder}-${digest}`);
  }

  /**
   * The checkout's default folder is someone else's, or cannot be made (node_modules is
   * root's): a folder of this user's own instead (or none: the bundle then runs from memory).
   * Undefined when the folder was named by the environment or was already moved.
   */
  moveToOwn() {
    if (this.fromEnv || this.movedToOwn) return undefined;
    this.movedToOwn = true;
    this.dir = this.ownFolder();
    return this.prepare();
  }

  refuse(problem, fix) {
    const { name, what, cacheEnv, refusalEnd } = this.target;
    const how = this.fromEnv ? `$${cacheEnv}` : `the default; set $${cacheEnv} to move it`;
    throw new CacheRefused(`${name}: the ${what} cache folder ${JSON.stringify(this.dir)} (${how}) ${problem}; ${fix}; ${refusalEnd}`);
  }

  /**
   * Creates the cache folder (0700; parents 0755) or checks the one there. The checkout's
   * default that cannot be created (node_modules read-only, or root's) moves to this user's own
   * folder; false when that cannot be created either: the bundle then runs from memory.
   */
  prepare() {
    const env = `$${this.target.cacheEnv}`;
    let st = fs.lstatSync(this.dir, { throwIfNoEntry: false });
    if (!st) {
      try {
        fs.mkdirSync(path.dirname(this.dir), { recursive: true, mode: 0o755 });
        fs.mkdirSync(this.dir, { mode: 0o700 });
      } catch (err) {
        if (err.code !== 'EEXIST') return this.moveToOwn() ?? false;
      }
      st = fs.lstatSync(this.dir);
    }
    if (st.isSymbolicLink()) this.refuse('is a symbolic link', 'give the folder itself');
    if (!st.isDirectory()) this.refuse('is not a folder', `remove it, or set ${env} to a folder of your own`);
    if (UID !== undefined && st.uid !== UID) {
      // The checkout's default folder is someone else's: never run what they cached.
      const moved = this.moveToOwn();
      if (moved !== undefined) return moved;
    }
    if (UID !== undefined && st.uid !== UID) {
      this.refuse(`is owned by uid ${st.uid}, not by you (uid ${UID}): code cached there would run as you`,
        `remove it (it is rebuilt), run ${this.target.name} as its owner, or set ${env} to a folder of your own`);
    }
    if ((st.mode & 0o022) !== 0) {
      this.refuse(`is writable by other users (mode 0${(st.mode & 0o777).toString(8)}): they could plant code that ${this.target.name} runs`,
        'chmod 700 it, or remove it (it is rebuilt)');
    }
    return true;
  }

  /** A cache file's bytes: a regular file of ours, not writable by others, never through a link; else undefined. */
  read(name) {
    let fd;
    try {
      fd = fs.openSync(path.join(this.dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
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

  readManifest() {
    const bytes = this.read(MANIFEST);
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
  bundleName(key) {
    return `${this.target.prefix}-${key.slice(0, 16)}.js`;
  }

  /** Writes `data` to the cache file `name` atomically (another run may read it meanwhile), 0600; no temporary file is left. */
  write(name, data) {
    const file = path.join(this.dir, name);
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
      fs.renameSync(tmp, file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Removes older bundles and the temporary files of runs that are gone (killed mid-write). */
  removeLeftovers(current) {
    let names;
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    for (const f of names) {
      const tmp = /\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(f);
      const stale = tmp ? !isAlive(Number(tmp[1])) : this.bundlePattern.test(f) && current !== undefined && !f.startsWith(current);
      if (stale) fs.rmSync(path.join(this.dir, f), { force: true });
    }
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

module.exports = { Cache, CacheRefused, FORMAT, MANIFEST, MAX_CACHE_FILE_BYTES, isSafeInput };
