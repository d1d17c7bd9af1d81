/**
 * The user's kubeconfig as a file: found through symbolic links (a dotfiles link keeps
 * pointing at the file it names, which is what is rewritten, atomically, in its own folder),
 * read bounded (lib/local-file.ts) and only when it is the user's own, in folders no other
 * user can write (another user could otherwise swap the file, and the next kubectl would
 * run what their file says).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LocalFileError, folderProblem, ioProblem, printablePath, readLocalText } from '../../lib/local-file';

const FOLDER_FIX = 'use a folder only you can write, e.g. ~/.kube';

export interface KubeconfigFile {
  /** The path as configured (--kubeconfig, kubeconfig.path, $KUBECONFIG, ~/.kube/config). */
  readonly path: string;
  /** The file read and written: the path, or the file its symbolic link names. */
  readonly target: string;
  /** Its text; undefined when it does not exist yet. */
  readonly text?: string;
}

function refuse(path: string, problem: string): LocalFileError {
  return new LocalFileError('kubeconfig', path, problem);
}

/** The file a path names, through symbolic links; the path itself when nothing is there yet. */
function resolveTarget(path: string): string {
  let link;
  try {
    link = lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return path;
    throw refuse(path, ioProblem(err, 'kubeconfig', path));
  }
  if (!link.isSymbolicLink()) return path;
  try {
    return realpathSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      let names = '';
      try {
        names = ` to ${printablePath(resolve(dirname(path), readlinkSync(path)))}`;
      } catch {
        // the link went away meanwhile
      }
      throw refuse(path, `is a symbolic link${names}, which does not exist; create the file it names, or remove the link`);
    }
    throw refuse(path, ioProblem(err, 'kubeconfig', path));
  }
}

/** Reads the kubeconfig at `path` (absolute), checking the file and its folders first. */
export function readKubeconfigFile(path: string): KubeconfigFile {
  const target = resolveTarget(path);
  for (const dir of new Set([dirname(path), dirname(target)])) {
    const problem = folderProblem(dir, FOLDER_FIX);
    if (problem) throw refuse(path, problem);
  }
  let text: string | undefined;
  try {
    text = readLocalText(target, 'kubeconfig', { access: 'owned' });
  } catch (err) {
    // Name the path the user gave; say where the link led when it did.
    if (err instanceof LocalFileError && target !== path) throw refuse(path, `(a link to ${printablePath(target)}) ${err.problem}`);
    throw err;
  }
  return { path, target, text };
}

/**
 * Replaces the kubeconfig's content atomically: a new file (mode 0600, created exclusively)
 * in the target's folder, flushed, then renamed over the target. A symbolic link at `path`
 * stays a link.
 */
export function writeKubeconfigFile(file: KubeconfigFile, text: string): void {
  const dir = dirname(file.target);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw refuse(file.path, `cannot create its folder ${printablePath(dir)}: ${ioProblem(err, 'kubeconfig', dir)}`);
  }
  const problem = folderProblem(dir, FOLDER_FIX);
  if (problem) throw refuse(file.path, problem);
  const tmp = join(dir, `.${basename(file.target)}.triton-jetson-${process.pid}-${randomBytes(6).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeFileSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file.target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // not created, or already renamed
    }
    const code = (err as NodeJS.ErrnoException).code;
    throw refuse(file.path, `cannot write it (${code ?? (err as Error).message}${code === 'ENOSPC' ? ': no space left' : code === 'EROFS' ? ': read-only file system' : ''}); nothing was changed`);
  }
}
