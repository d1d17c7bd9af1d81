/**
 * The library's modules import one another without a circle (type-only imports and
 * re-exports count: they tie the files as much for a reader), so each file can be read
 * after the ones it builds on. Issue 21 named lib/config/models-schema.ts ↔
 * lib/model-catalog.ts and bootstrap/executor/operator.ts ↔ root-access.ts; the test looks
 * at every file of lib/, at those two pairs, and at the whole product (lib, bootstrap, client,
 * cli), where the structure map had shown bootstrap/cli.ts ↔ cli-run.ts and
 * bootstrap/executor/offline-plan.ts ↔ offline-plan-text.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT } from '../support/manifests';

/** Every .ts file under `dir` (relative to the repository, "/"-separated). */
function sources(dir: string): string[] {
  return readdirSync(path.join(REPO_ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(REPO_ROOT, rel)).isDirectory()) return sources(rel);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The repository files `file` imports, re-exports or imports types from (relative specifiers only). */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(path.join(REPO_ROOT, file), 'utf-8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith('.')).flatMap((spec) => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    return [`${base}.ts`, `${base}/index.ts`].filter((c) => existsSync(path.join(REPO_ROOT, c))).slice(0, 1);
  });
}

/** The circles (strongly connected components of more than one file, or a file importing itself). */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

const graphOf = (files: string[]) => new Map(files.map((f) => [f, importsOf(f)]));

test('no import circle among the library\'s files', () => {
  const files = sources('lib');
  expect(files.length).toBeGreaterThan(50);
  expect(circles(graphOf(files))).toEqual([]);
});

test('no import circle anywhere in the product (lib, bootstrap, client, cli)', () => {
  const files = ['lib', 'bootstrap', 'client', 'cli'].flatMap(sources);
  expect(files).toEqual(expect.arrayContaining(['bootstrap/cli.ts', 'bootstrap/cli-run.ts', 'bootstrap/executor/offline-plan-text.ts']));
  expect(circles(graphOf(files))).toEqual([]);
});

test('the two circles issue 21 named stay broken', () => {
  const pairs = [
    ['lib/config/models-schema.ts', 'lib/model-catalog.ts'],
    ['bootstrap/executor/operator.ts', 'bootstrap/executor/root-access.ts'],
  ];
  for (const pair of pairs) {
    const graph = graphOf([...sources(path.posix.dirname(pair[0])), ...sources(path.posix.dirname(pair[1]))]);
    const tying = circles(graph).filter((c) => pair.every((f) => c.includes(f)));
    expect({ pair, tying }).toEqual({ pair, tying: [] });
  }
});

test('the check sees a circle, type-only and re-export imports included (negative control)', () => {
  const graph = new Map([
    ['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']], ['e.ts', ['e.ts']],
  ]);
  expect(circles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
  // preProcessFile reads `import type` and `export … from` as imports.
  const info = ts.preProcessFile("import type { A } from './a';\nexport { B } from './b';\n", true, true);
  expect(info.importedFiles.map((f) => f.fileName)).toEqual(['./a', './b']);
});
