/**
 * The one way the tools read a local file named by the user (cluster description,
 * kubeconfig, SSH config and keys, known_hosts, token, air-gap files, images): a regular
 * file only (a FIFO, device, socket or folder is refused, never read), at most a size per
 * kind of file, checked on the opened descriptor (so the check and the read are about the
 * same file), and every failure one line naming the file. Large files are streamed and
 * hashed with the same checks, never held whole.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, createReadStream, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { shortenMiddle } from './terminal-text';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Kinds of local files, with the most each may hold and what the user should give instead. */
export const LOCAL_FILE_KINDS = {
  'cluster description': { maxBytes: 1 * MiB, typical: 'a cluster description is a few KB (check that --config names the right file)', give: 'give the cluster description file, e.g. --config cluster.yaml' },
  kubeconfig: { maxBytes: 16 * MiB, typical: 'a kubeconfig is a few KB (check that --kubeconfig or kubeconfig.path names the right file)', give: 'give a kubeconfig file, e.g. --kubeconfig ~/.kube/config' },
  'SSH config': { maxBytes: 1 * MiB, typical: 'an OpenSSH client config is a few KB (check ssh.configFile)', give: 'give an OpenSSH client config file (ssh.configFile), e.g. ~/.ssh/config' },
  known_hosts: { maxBytes: 16 * MiB, typical: 'a known_hosts file is a few KB (check --known-hosts or ssh.knownHostsFile)', give: 'give a known_hosts file, e.g. --known-hosts ~/.ssh/known_hosts' },
  'kubeconfig credential': { maxBytes: 1 * MiB, typical: 'a CA bundle, client certificate, key or token file is a few KB (check the paths in the kubeconfig)', give: 'give a PEM or token file in the kubeconfig' },
  'SSH key': { maxBytes: 1 * MiB, typical: 'a private key is a few KB (check identityFile)', give: 'give a private key file (identityFile), e.g. ~/.ssh/id_ed25519' },
  'token file': { maxBytes: 4 * KiB, typical: 'a token file holds one line (check k3s.tokenFile)', give: 'give a file holding the cluster token on one line (k3s.tokenFile)' },
  'K3s installer': { maxBytes: 4 * MiB, typical: 'K3s\' install.sh is about 40 KB', give: 'put the install.sh of https://get.k3s.io in k3s.airGapDir' },
  'K3s binary': { maxBytes: 512 * MiB, typical: 'the K3s binary is about 70 MB', give: 'put the K3s release binary for arm64 (k3s-arm64) in k3s.airGapDir' },
  'K3s images': { maxBytes: 8 * GiB, typical: 'the K3s images archive is under 1 GB', give: 'put the K3s release\'s k3s-airgap-images-arm64.tar(.gz|.zst) in k3s.airGapDir' },
  image: { maxBytes: 256 * MiB, typical: 'a 50-megapixel JPEG is about 25 MB', give: 'give a JPEG, PNG or other image file' },
} as const;

export type LocalFileKind = keyof typeof LOCAL_FILE_KINDS;

/** A local file that cannot be used: `problem` says why and what to do; the message names the file. */
export class LocalFileError extends Error {
  constructor(readonly kind: LocalFileKind, readonly file: string, readonly problem: string) {
    super(`${kind} ${printablePath(file)}: ${problem}`);
    this.name = 'LocalFileError';
  }
}

export interface LocalFileOptions {
  /**
   * Who the file must belong to: `private` (yours, and no group or other permission: secrets
   * such as the token or a private key), `trusted` (yours or root's, and not writable by group
   * or others: what OpenSSH demands of its config), `owned` (yours: a file the run rewrites).
   * @default any owner
   */
  readonly access?: 'private' | 'trusted' | 'owned';
  /** The most bytes read. @default the kind's size */
  readonly maxBytes?: number;
}

/** A path as printed in a message: control characters escaped, length capped. */
export function printablePath(file: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = file.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shortenMiddle(flat, 300);
}

/** Sizes as the messages say them (binary units, written MB as users do). */
function formatSize(bytes: number): string {
  if (bytes >= GiB) return `${+(bytes / GiB).toFixed(1)} GB`;
  if (bytes >= MiB) return `${+(bytes / MiB).toFixed(1)} MB`;
  if (bytes >= KiB) return `${+(bytes / KiB).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** Why opening or reading `file` failed, in words, with the fix. */
export function ioProblem(err: unknown, kind: LocalFileKind, file: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file; check the path';
    case 'EACCES':
    case 'EPERM':
      return `cannot read it: permission denied (${code}); make it readable, e.g. chmod u+r ${printablePath(file)}`;
    case 'EISDIR':
      return `is a folder, not a file; ${LOCAL_FILE_KINDS[kind].give}`;
    case 'ENOTDIR':
      return 'a part of the path is not a folder (ENOTDIR); check the path';
    case 'ELOOP':
      return 'too many symbolic links (ELOOP); check the path';
    case 'ENAMETOOLONG':
      return 'path too long (ENAMETOOLONG); check the path';
    case 'ENXIO':
      return `is not a regular file (a socket or device with nothing behind it); ${LOCAL_FILE_KINDS[kind].give}`;
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return 'not a usable file name (it contains a NUL byte?); check the path';
    default:
      return `cannot read it (${code ?? (err instanceof Error ? err.name : 'error')}); check the path`;
  }
}

/** The problem with a file's kind, owner or mode, or undefined when it may be read. */
function statProblem(stat: Stats, kind: LocalFileKind, file: string, options: LocalFileOptions, maxBytes: number): string | undefined {
  if (stat.isDirectory()) return ioProblem({ code: 'EISDIR' }, kind, file);
  if (!stat.isFile()) return `is not a regular file (a device, FIFO or socket); ${LOCAL_FILE_KINDS[kind].give}`;
  const uid = process.geteuid?.();
  if (options.access && uid !== undefined) {
    const owners = options.access === 'trusted' ? [uid, 0] : [uid];
    if (!owners.includes(stat.uid)) {
      return `belongs to another user (uid ${stat.uid}; you are uid ${uid}): they could change it under you; use a file of your own`;
    }
    const forbidden = options.access === 'private' ? 0o077 : options.access === 'trusted' ? 0o022 : 0;
    if ((stat.mode & forbidden) !== 0) {
      const what = options.access === 'private' ? 'readable or writable by other users' : 'writable by other users';
      return `is ${what} (mode ${(stat.mode & 0o777).toString(8)}); run: chmod ${options.access === 'private' ? '600' : 'go-w'} ${printablePath(file)}`;
    }
  }
  if (stat.size > maxBytes) return tooLarge(kind, maxBytes);
  return undefined;
}

function tooLarge(kind: LocalFileKind, maxBytes: number): string {
  return `larger than ${formatSize(maxBytes)}; ${LOCAL_FILE_KINDS[kind].typical}`;
}

/**
 * Opens `file` for reading without blocking (a FIFO would block a plain open) and checks the
 * descriptor. Returns undefined when the file does not exist.
 */
function openChecked(file: string, kind: LocalFileKind, options: LocalFileOptions): { fd: number; stat: Stats; maxBytes: number } | undefined {
  const maxBytes = options.maxBytes ?? LOCAL_FILE_KINDS[kind].maxBytes;
  let fd: number;
  try {
    if (file === '' || file.includes('\0')) throw Object.assign(new Error('bad name'), { code: 'ERR_INVALID_ARG_VALUE' });
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | fsConstants.O_NOCTTY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LocalFileError(kind, file, ioProblem(err, kind, file));
  }
  try {
    const stat = fstatSync(fd);
    const problem = statProblem(stat, kind, file, options, maxBytes);
    if (problem) throw new LocalFileError(kind, file, problem);
    return { fd, stat, maxBytes };
  } catch (err) {
    closeSync(fd);
    if (err instanceof LocalFileError) throw err;
    throw new LocalFileError(kind, file, ioProblem(err, kind, file));
  }
}

/** Reads the whole file (at most its kind's size), or undefined when it does not exist. */
export function readLocalFile(file: string, kind: LocalFileKind, options: LocalFileOptions = {}): Buffer | undefined {
  const opened = openChecked(file, kind, options);
  if (!opened) return undefined;
  const { fd, stat, maxBytes } = opened;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    // Read to the end, not to fstat's size: the file may grow meanwhile, and the cap holds anyway.
    const chunkSize = Math.min(Math.max(stat.size + 1, 64 * KiB), 1 * MiB, maxBytes + 1);
    for (;;) {
      const chunk = Buffer.alloc(chunkSize);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw new LocalFileError(kind, file, tooLarge(kind, maxBytes));
      chunks.push(chunk.subarray(0, n));
    }
  } catch (err) {
    if (err instanceof LocalFileError) throw err;
    throw new LocalFileError(kind, file, ioProblem(err, kind, file));
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(chunks, total);
}

/** The file as UTF-8 text (at most its kind's size), or undefined when it does not exist. */
export function readLocalText(file: string, kind: LocalFileKind, options: LocalFileOptions = {}): string | undefined {
  return readLocalFile(file, kind, options)?.toString('utf-8');
}

/** Like readLocalFile, but a missing file is an error too. */
export function readRequiredFile(file: string, kind: LocalFileKind, options: LocalFileOptions = {}): Buffer {
  const bytes = readLocalFile(file, kind, options);
  if (bytes === undefined) throw new LocalFileError(kind, file, ioProblem({ code: 'ENOENT' }, kind, file));
  return bytes;
}

/** The sha256 (hex) and size of a file, read in chunks under its kind's cap (never held whole). */
export function digestLocalFile(file: string, kind: LocalFileKind, options: LocalFileOptions = {}): { readonly sha256: string; readonly size: number } {
  const opened = openChecked(file, kind, options);
  if (!opened) throw new LocalFileError(kind, file, ioProblem({ code: 'ENOENT' }, kind, file));
  const { fd, maxBytes } = opened;
  const hash = createHash('sha256');
  const chunk = Buffer.alloc(1 * MiB);
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      size += n;
      if (size > maxBytes) throw new LocalFileError(kind, file, tooLarge(kind, maxBytes));
      hash.update(chunk.subarray(0, n));
    }
  } catch (err) {
    if (err instanceof LocalFileError) throw err;
    throw new LocalFileError(kind, file, ioProblem(err, kind, file));
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * A stream of the file's bytes, checked like readLocalFile; it fails (with a LocalFileError)
 * when the file grows past its kind's cap while streamed. For uploads.
 */
export function streamLocalFile(file: string, kind: LocalFileKind, options: LocalFileOptions = {}): Readable {
  const opened = openChecked(file, kind, options);
  if (!opened) throw new LocalFileError(kind, file, ioProblem({ code: 'ENOENT' }, kind, file));
  let size = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > opened.maxBytes) done(new LocalFileError(kind, file, tooLarge(kind, opened.maxBytes)));
      else done(null, chunk);
    },
  });
  const source = createReadStream('', { fd: opened.fd, autoClose: true });
  source.on('error', (err) => cap.destroy(err instanceof LocalFileError ? err : new LocalFileError(kind, file, ioProblem(err, kind, file))));
  cap.on('close', () => source.destroy());
  return source.pipe(cap);
}

/**
 * Why another user could change the files in folder `dir`, or undefined when only you (or
 * root) can: the folder must be yours or root's, and not writable by group or others unless
 * it is sticky (like /tmp, where others cannot replace a file that is not theirs). A folder
 * that does not exist is no problem (whoever creates it decides). `fix` ends the message.
 */
export function folderProblem(dir: string, fix: string): string | undefined {
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    return undefined;
  }
  const uid = process.geteuid?.();
  if (uid !== undefined && stat.uid !== uid && stat.uid !== 0) {
    return `its folder ${printablePath(dir)} belongs to another user (uid ${stat.uid}), who could replace the file; ${fix}`;
  }
  const sticky = (stat.mode & 0o1000) !== 0;
  const groupIsYours = stat.gid === process.getegid?.();
  const othersWrite = (stat.mode & 0o002) !== 0 || ((stat.mode & 0o020) !== 0 && !groupIsYours);
  if (othersWrite && !sticky) {
    return `its folder ${printablePath(dir)} is writable by other users (mode ${(stat.mode & 0o777).toString(8)}), who could replace the file; ${fix}`;
  }
  return undefined;
}
