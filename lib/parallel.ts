/**
 * How many boards a run works on at once (`--parallel`). Every board keeps one SSH
 * connection for the whole run; the limit bounds what they do at the same moment (installs
 * pulling K3s, agents joining one server), the job of Ansible's `forks` (default 5, see
 * docs.ansible.com, "Setting the number of forks").
 */

/** Boards worked on at once unless --parallel says otherwise. */
export const DEFAULT_PARALLEL = 10;

/** Checks a --parallel / --max-unavailable style count: a whole number ≥ 1. */
export function parseCount(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${flag} must be a whole number ≥ 1 (got "${text}")`);
  }
  return value;
}

/**
 * Runs `work` on every item, at most `limit` at a time, starting them in the items' order;
 * resolves once all have settled. `work` handles its own failures (it should not throw).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
