/**
 * Integration tests need real programs (sshd, busybox, kube-apiserver...). Locally a
 * missing one skips the suite with the reason; in CI (CI=true) it fails, because
 * skipping is not passing.
 */
import { execFileSync } from 'node:child_process';

export interface Prerequisite {
  /** What is needed, e.g. "busybox". */
  readonly name: string;
  /** Whether it is there. */
  readonly present: boolean;
  /** How to get it, e.g. "apt-get install busybox" or "npm run test:all". */
  readonly hint: string;
}

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
 * Returns `describe` when every prerequisite is present, `describe.skip` otherwise
 * (after printing why). Under CI=true a missing prerequisite throws instead.
 */
export function describeWith(prerequisites: readonly Prerequisite[]): jest.Describe {
  const missing = prerequisites.filter((p) => !p.present);
  if (missing.length === 0) return describe;
  const reason = missing.map((p) => `${p.name} (${p.hint})`).join(', ');
  if (process.env.CI === 'true') {
    throw new Error(`missing test prerequisites in CI: ${reason}`);
  }
  // eslint-disable-next-line no-console
  console.warn(`skipping: missing ${reason}`);
  return describe.skip;
}
