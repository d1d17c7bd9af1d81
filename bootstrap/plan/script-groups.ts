/**
 * The distinct root scripts of a plan, each once with the boards it runs on (pure): a fleet of
 * a thousand alike boards has a handful of scripts, not thousands. Two boards share a script
 * when theirs differ only where a board's own name goes (`--node-name=`), in the digest of its
 * install settings (which holds that name) and in the here-document delimiters derived from
 * that content; the shared text shows `<node>` and a placeholder there.
 */

/** A step as one board would run it. */
export interface BoardStep {
  readonly title: string;
  readonly script: string;
  readonly uploads: readonly { readonly local: string; readonly remote: string }[];
}

export interface ScriptGroup {
  /** 1, 2, ... in the order the steps first appear (server first). */
  readonly id: number;
  readonly title: string;
  /** The script: exact for one board, else with `<node>` and NODE_DIGEST_PLACEHOLDER. */
  readonly script: string;
  readonly uploads: BoardStep['uploads'];
  readonly boards: readonly string[];
}

/** Stands in for each board's own install digest in a script several boards share. */
export const NODE_DIGEST_PLACEHOLDER = '<sha256 of this board\'s install settings>';
/** Stands in for each board's name in a script several boards share. */
export const NODE_NAME_PLACEHOLDER = '<node>';

const DELIMITER = /TRITON_JETSON_[0-9A-F]{12}/g;
/** The install digest a K3s install script stores (k3s-install.ts), when the token is known. */
const STORED_DIGEST = /(triton-jetson\.fingerprint <<'TRITON_JETSON_[0-9A-F]{12}'\n)[0-9a-f]{64}\n/g;

/** The script with the board's own words replaced: its name, the digest of its install settings. */
function templated(script: string, board: string): string {
  return script.split(`--node-name=${board}`).join(`--node-name=${NODE_NAME_PLACEHOLDER}`)
    .replace(STORED_DIGEST, (_m, head: string) => `${head}${NODE_DIGEST_PLACEHOLDER}\n`);
}

/** Delimiters numbered in order of appearance: equal scripts up to their delimiters compare equal. */
function withoutDelimiters(text: string): string {
  const seen = new Map<string, number>();
  return text.replace(DELIMITER, (d) => {
    if (!seen.has(d)) seen.set(d, seen.size + 1);
    return `TRITON_JETSON_#${seen.get(d)}`;
  });
}

/** Groups every board's steps; `stepsOf` gives each board's group ids, in its order. */
export function groupScripts(boards: readonly { readonly name: string; readonly steps: readonly BoardStep[] }[]): { groups: ScriptGroup[]; stepsOf: Map<string, number[]> } {
  const byKey = new Map<string, { id: number; title: string; first: { board: string; step: BoardStep; shared: string }; boards: string[] }>();
  const stepsOf = new Map<string, number[]>();
  for (const board of boards) {
    const ids: number[] = [];
    for (const step of board.steps) {
      const shared = templated(step.script, board.name);
      const key = `${step.title}\n${JSON.stringify(step.uploads)}\n${withoutDelimiters(shared)}`;
      let group = byKey.get(key);
      if (!group) {
        group = { id: byKey.size + 1, title: step.title, first: { board: board.name, step, shared }, boards: [] };
        byKey.set(key, group);
      }
      group.boards.push(board.name);
      ids.push(group.id);
    }
    stepsOf.set(board.name, ids);
  }
  const groups = [...byKey.values()].map((g) => ({
    id: g.id,
    title: g.title,
    // One board: its exact script; several: the first board's with the board's own words replaced.
    script: g.boards.length === 1 ? g.first.step.script : g.first.shared,
    uploads: g.first.step.uploads,
    boards: g.boards,
  }));
  return { groups, stepsOf };
}

/** "a, b, c" or "a, b, c and 997 more": boards named in a heading, bounded. */
export function boardList(names: readonly string[], shown = 6): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}
