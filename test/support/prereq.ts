/**
 * Integration tests need real programs (sshd, busybox, kube-apiserver...). Locally a
 * missing one skips the suite with the reason; in CI (CI=true) it fails, because
 * skipping is not passing.
 *
 * The reason travels in the skipped describe block's title (`<title> [skipped: <reason>]`),
 * so it reaches test/summary-reporter.js, which lists every skipped block with its reason
 * after the closing `jest: N passed, N failed, N skipped` line: no skip passes silently.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Prerequisite {
  /** What is needed, e.g. "busybox". */
  readonly name: string;
  /** Whether it is there. */
  readonly present: boolean;
  /** How to get it, e.g. "apt-get install busybox" or "npm run test:all". */
  readonly hint: string;
}

/** Marker the summary reporter looks for in skipped block titles (keep in sync with it). */
export const SKIP_REASON_PREFIX = ' [skipped: ';

/** True when `command` resolves on PATH (or is an existing executable path). */
export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * "missing sshd, jq (hint); root (other hint)" for the prerequisites that are absent,
 * grouped by hint; "" when none is.
 */
export function missingReason(prerequisites: readonly Prerequisite[]): string {
  const byHint = new Map<string, string[]>();
  for (const p of prerequisites.filter((q) => !q.present)) byHint.set(p.hint, [...(byHint.get(p.hint) ?? []), p.name]);
  if (byHint.size === 0) return '';
  return `missing ${[...byHint].map(([hint, names]) => `${names.join(', ')} (${hint})`).join('; ')}`;
}

/**
 * Returns `describe` when every prerequisite is present; otherwise a `describe.skip` whose
 * block title carries the reason (see the file comment). Under CI=true a missing
 * prerequisite throws instead.
 */
export function describeWith(prerequisites: readonly Prerequisite[]): jest.Describe {
  const reason = missingReason(prerequisites);
  if (!reason) return describe;
  if (process.env.CI === 'true') {
    throw new Error(`${reason} (a missing test prerequisite fails under CI=true)`);
  }
  return skipWithReason(reason);
}

/** A `describe.skip` that appends `[skipped: <reason>]` to the title of every block it declares. */
export function skipWithReason(reason: string): jest.Describe {
  const titled = (name: unknown): string => `${typeof name === 'function' ? name.name : String(name)}${SKIP_REASON_PREFIX}${reason}]`;
  const skip = ((name: unknown, fn?: jest.EmptyFunction) => describe.skip(titled(name), fn ?? (() => undefined))) as jest.Describe;
  return Object.assign(skip, {
    only: skip,
    skip,
    each: ((...table: unknown[]) => (name: unknown, fn: (...args: unknown[]) => unknown, timeout?: number) =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      (describe.skip.each as any)(...table)(titled(name), fn, timeout)) as jest.Describe['each'],
  });
}

/**
 * `test` when every prerequisite is present; otherwise a `test.skip` whose title carries the
 * reason (the summary reporter lists it). Under CI=true a missing prerequisite throws instead.
 */
export function testWith(prerequisites: readonly Prerequisite[]): jest.It {
  const reason = missingReason(prerequisites);
  if (!reason) return test;
  if (process.env.CI === 'true') {
    throw new Error(`${reason} (a missing test prerequisite fails under CI=true)`);
  }
  const titled = (name: unknown): string => `${typeof name === 'function' ? name.name : String(name)}${SKIP_REASON_PREFIX}${reason}]`;
  const skip = ((name: unknown, fn?: jest.ProvidesCallback, timeout?: number) => test.skip(titled(name), fn, timeout)) as jest.It;
  return Object.assign(skip, { only: skip, skip, todo: test.todo, concurrent: skip, failing: skip, each: test.skip.each });
}

/**
 * `npm pack` of this repository runs its prepare script, which compiles out/ inside the
 * checkout: a user who cannot write there (a root-owned clone run as nobody) cannot pack it.
 */
export function writableCheckout(root: string): Prerequisite {
  let present = true;
  try {
    accessSync(root, constants.W_OK);
    if (existsSync(join(root, 'out'))) accessSync(join(root, 'out'), constants.W_OK);
  } catch {
    present = false;
  }
  return { name: 'a checkout this user can write (npm pack compiles out/ in it)', present, hint: 'run as the owner of the clone, or clone it as this user' };
}

/**
 * Environment for git commands on this repository when it belongs to another user: git
 * refuses such a repository ("detected dubious ownership") unless safe.directory names it in
 * the system or global config (git-config(1), safe.directory). GIT_CONFIG_COUNT would not do:
 * git clears it for the git-upload-pack behind a file:// ls-remote or clone (local_repo_env),
 * so this writes a global config of the test's own into `folder` (including yours, if any)
 * naming the work tree and its .git, and points GIT_CONFIG_GLOBAL at it.
 */
export function gitSafeDirectoryEnv(repository: string, folder: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const own = env.GIT_CONFIG_GLOBAL ?? (env.HOME ? join(env.HOME, '.gitconfig') : undefined);
  const file = join(folder, 'gitconfig');
  const quoted = (p: string) => JSON.stringify(p);
  writeFileSync(file, [
    ...(own && existsSync(own) ? ['[include]', `\tpath = ${quoted(own)}`] : []),
    '[safe]', `\tdirectory = ${quoted(repository)}`, `\tdirectory = ${quoted(join(repository, '.git'))}`, '',
  ].join('\n'), { mode: 0o600 });
  return { ...env, GIT_CONFIG_GLOBAL: file };
}
