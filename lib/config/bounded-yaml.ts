/**
 * YAML parsing with bounded work, for every YAML text the tools read (the cluster
 * description, kubeconfigs, a board's k3s.yaml): linear in the text, at most
 * MAX_YAML_ALIASES alias expansions ("billion laughs") and MAX_YAML_DEPTH levels of
 * nesting, duplicate keys refused (as Kubernetes' strict decoding does), one document.
 * Problems come back as one-line issues for the caller to word into its error.
 */
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { oneLine } from './issues';

/** Most YAML aliases (`*name`) expanded: a real file needs a handful; "billion laughs" needs millions. */
export const MAX_YAML_ALIASES = 100;
/** Deepest nesting of maps and lists accepted (the schemas themselves are less than 10 levels deep). */
export const MAX_YAML_DEPTH = 64;
/** At most this many problems are reported. */
const MAX_PROBLEMS = 20;

export type BoundedYaml = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: readonly string[] };

/** Parses `text` (already size-checked by the caller) as one YAML document, with the limits above. */
export function parseBoundedYaml(text: string): BoundedYaml {
  const lineCounter = new LineCounter();
  // uniqueKeys: false — yaml's own duplicate check compares every key with every other
  // (quadratic); checkYamlTree does it with one Set per map.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.slice(0, MAX_PROBLEMS).map((e) => `YAML ${e.message.split('\n')[0]} (fix the YAML syntax)`) };
  }
  const structural = checkYamlTree(doc, lineCounter);
  if (structural.length > 0) return { ok: false, issues: structural };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_YAML_ALIASES }) };
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      return { ok: false, issues: [`YAML aliases expand too much (more than ${MAX_YAML_ALIASES} "*name" references, as in a "billion laughs" attack); write the values out instead of aliasing them`] };
    }
    return { ok: false, issues: [`YAML ${err instanceof Error ? err.message : String(err)} (fix the YAML)`] };
  }
}

/** Duplicate keys and excessive nesting, found in one pass over the YAML tree. */
function checkYamlTree(doc: Document.Parsed, lineCounter: LineCounter): string[] {
  const problems: string[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_YAML_DEPTH) {
      problems.push(`YAML nested deeper than ${MAX_YAML_DEPTH} levels at line ${lineOf(node) ?? '?'}; a real file is a few levels deep`);
      break;
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : isAlias(key) ? `*${key.source}` : String(key);
      if (seen.has(name)) {
        problems.push(`YAML Map keys must be unique: "${oneLine(name, 60)}" repeats at line ${lineOf(key) ?? '?'}; remove the repeated key`);
        if (problems.length > MAX_PROBLEMS) return problems;
      }
      seen.add(name);
      stack.push({ node: key, depth: depth + 1 });
      stack.push({ node: pair.value, depth: depth + 1 });
    }
  }
  return problems;
}
