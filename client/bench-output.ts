/**
 * Where `bench` writes its reports (--json, --csv, --html), checked before any request is
 * sent (issue 20.9): a run can last hours, and a path found unusable only at the end lost
 * every figure. A report goes to a regular file (new, or one to overwrite) in an existing
 * folder this user may write; a device (/dev/full), FIFO, socket or folder is refused, and
 * so are two reports naming the same file. At the end the table is printed before the files
 * are written, so a write that still fails (a full disk) loses no figure. A path that became
 * a FIFO or a device meanwhile (another user in a shared folder) is refused then too, without
 * blocking: opening a FIFO to write used to wait for ever.
 */
import { accessSync, closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors';
import { printable } from '../lib/terminal-text';

export interface ReportTarget {
  /** The flag, e.g. "--json". */
  readonly flag: string;
  readonly file: string;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** Refuses (UsageError, one line naming the flag) a report path that could not be written. */
export function checkReportTargets(targets: readonly ReportTarget[]): void {
  const seen = new Map<string, string>();
  for (const { flag, file } of targets) {
    const shown = `${flag} "${printable(file, 200)}"`;
    const fix = 'give a file name in an existing folder you can write, e.g. report.json';
    if (file.trim() === '') throw new UsageError(`${flag} "": is empty; ${fix}`);
    const absolute = resolve(file);
    const other = seen.get(absolute);
    if (other !== undefined) throw new UsageError(`${shown}: is also the ${other} file; give each report its own file`);
    seen.set(absolute, flag);
    let isFile = false;
    try {
      const st = statSync(absolute);
      if (st.isDirectory()) throw new UsageError(`${shown}: is a folder; ${fix}`);
      if (!st.isFile()) throw new UsageError(`${shown}: is not a regular file (a device, FIFO or socket); ${fix}`);
      isFile = true;
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (code(err) === 'ENOTDIR') throw new UsageError(`${shown}: "${printable(nearestNonFolder(absolute), 200)}" is not a folder; ${fix}`);
      if (code(err) !== 'ENOENT') throw new UsageError(`${shown}: cannot be checked (${code(err) ?? (err as Error).message}); ${fix}`);
    }
    const folder = dirname(absolute);
    if (!isFile) {
      try {
        if (!statSync(folder).isDirectory()) throw new UsageError(`${shown}: "${printable(folder, 200)}" is not a folder; ${fix}`);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        if (code(err) === 'ENOTDIR') throw new UsageError(`${shown}: "${printable(nearestNonFolder(folder), 200)}" is not a folder; ${fix}`);
        throw new UsageError(`${shown}: the folder "${printable(folder, 200)}" does not exist; create it or ${fix}`);
      }
    }
    try {
      accessSync(isFile ? absolute : folder, constants.W_OK);
    } catch (err) {
      throw new UsageError(`${shown}: ${isFile ? 'the file' : `the folder "${printable(folder, 200)}"`} is not writable (${code(err) ?? 'EACCES'}); ${fix}`);
    }
  }
}

/** The first ancestor of `path` (itself included) that exists but is not a folder. */
function nearestNonFolder(path: string): string {
  let current = path;
  for (;;) {
    const parent = dirname(current);
    try {
      if (!statSync(current).isDirectory()) return current;
    } catch {
      // does not exist: look further up
    }
    if (parent === current) return path;
    current = parent;
  }
}

/** Writes every report; a failure names the flag and file, after the others were tried. */
export function writeReports(reports: readonly (ReportTarget & { readonly text: () => string })[]): void {
  const failures: string[] = [];
  for (const { flag, file, text } of reports) {
    try {
      writeRegularFile(file, text());
    } catch (err) {
      failures.push(`${flag} "${printable(file, 200)}": ${err instanceof UsageError ? err.message : code(err) ?? (err as Error).message}`);
    }
  }
  if (failures.length > 0) {
    throw new UsageError(`could not write the report (${failures.join('; ')}); the figures were printed above`);
  }
}

/** Writes `text` to `file` only when it is (or becomes, created) a regular file; never waits on a FIFO. */
function writeRegularFile(file: string, text: string): void {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO without a reader fails at once (ENXIO) instead of blocking the open.
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
  } catch (err) {
    if (code(err) === 'ENXIO') throw new UsageError(NOT_REGULAR);
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw new UsageError(NOT_REGULAR);
    ftruncateSync(fd, 0);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

const NOT_REGULAR = 'is not a regular file (a device, FIFO or socket)';
