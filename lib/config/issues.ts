/**
 * The one wording of validation problems, whoever validates (cluster.yaml, construct props,
 * modelCatalog): `where.field[0].sub: problem`, one line each, kubectl's path style.
 */
import { z } from 'zod';

export { oneLine } from './one-line';
import { oneLine } from './one-line';

/** `where` followed by the issue's path: `.key` for keys, `[i]` for list indices. */
function fieldPath(where: string | undefined, path: readonly PropertyKey[]): string {
  const text = path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = oneLine(String(key), 60);
    return acc === '' ? name : `${acc}.${name}`;
  }, where ?? '');
  return text === '' ? '(top level)' : text;
}

/**
 * "field: problem" lines for zod issues. `where` names the object validated (e.g.
 * "TritonService.props"); without it the paths are cluster.yaml's own, and an unknown key
 * points at cluster.example.yaml.
 */
export function describeIssues(where: string | undefined, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.flatMap((issue) => {
    const field = fieldPath(where, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const hint = where === undefined ? ' (see cluster.example.yaml)' : '';
      return issue.keys.map((key) => `${fieldPath(where, [...issue.path, key])}: unknown key; remove it or fix its spelling${hint}`);
    }
    if (issue.code === 'invalid_key' && issue.issues.length > 0) {
      // A record's key (e.g. a label key): the key's own rule says what is wrong and how to fix it.
      return [`${field}: key ${issue.issues.map((i) => i.message).join('; ')}`];
    }
    return [`${field}: ${issue.message.replace(/^Invalid input: /, '')}`];
  });
}
