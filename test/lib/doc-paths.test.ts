/**
 * Issue 23.7: the docs name only files that exist. Every repository path README.md and
 * docs/*.md quote (`lib/config/issues.ts`, `jest.config.js`, `test/...`) and every relative
 * link target must be in this checkout; paths on boards, in a home folder, generated at run
 * time or written with placeholders are not repository paths.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.join(__dirname, '..', '..');
const TOP_LEVEL = new Set(readdirSync(REPO).filter((e) => !['node_modules', 'out', '.git', '.cache'].includes(e)));
/** Folders of this repository the docs name that only exist once something ran (dist/: what synth writes for a setting). */
const GENERATED = /^(out|node_modules|\.cache|\.triton-jetson|dist)\//;
/**
 * A quote of another repository's file, as the docs cite their sources ("triton-inference-server/server
 * `docs/jetson.md` at v2.19.0"): the text around it names another repository (owner/name, not a
 * folder of this one), a tag or a release, or another project's documentation.
 */
const CITATION = /\b(?:at|tags?)\s+`?v?\d|\bv\d+\.\d+\.\d+\s+`|github\.com\/|release's|Triton's|Triton server repository|in the tarball|SUC's|Argo CD,/;
function citesElsewhere(context: string): boolean {
  if (CITATION.test(context)) return true;
  return [...context.matchAll(/(?<![\w./-])([\w-]+)\/([\w.-]+)(?![\w/])/g)].some(([, owner]) => !TOP_LEVEL.has(owner) && !/^\d/.test(owner));
}
/** Root files the docs may name without a folder (the project's own configuration and entry points). */
const ROOT_FILE = /^(jest|tsconfig|package|cdk8s|main|cluster\.example|api-extractor)[\w.-]*\.(js|json|ts|yaml)$|\.(test|pods)\.ts$/;

const docs = ['README.md', ...readdirSync(path.join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Test files named without their folder: somewhere under test/. */
const TEST_FILES = new Set<string>();
(function collect(dir: string) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) collect(path.join(dir, entry.name));
    else TEST_FILES.add(entry.name);
  }
})(path.join(REPO, 'test'));

/** Whether a quoted path names a file of this checkout. */
function exists(quoted: string): boolean {
  return existsSync(path.join(REPO, quoted)) || (!quoted.includes('/') && TEST_FILES.has(quoted));
}

/** Repository paths quoted in backticks (not the citations of other repositories' files). */
function quotedPaths(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/`([^`\n]+)`/g)) {
    const end = match.index! + match[0].length;
    const context = `${text.slice(Math.max(0, match.index! - 160), match.index!).split(/\n\n/).pop()}${match[0]}${text.slice(end, end + 40).split(/\n\n/)[0]}`;
    const code = match[1];
    for (const word of code.split(/[\s,;()=]+/)) {
      const candidate = word.replace(/^["']|["':.]$/g, '').replace(/:\d+$/, '');
      if (/[<>*{}…$%]|^-|:\/\/|^~|^\//.test(candidate) || GENERATED.test(candidate)) continue;
      const first = candidate.split('/')[0];
      const inRepo = (candidate.includes('/') && TOP_LEVEL.has(first) && first !== candidate) || ROOT_FILE.test(candidate);
      if (inRepo && !(citesElsewhere(context) && !exists(candidate))) found.push(candidate);
    }
  }
  return found;
}

/** Relative link targets of markdown links, resolved against the document's folder. */
function linkTargets(doc: string, text: string): string[] {
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map(([, target]) => target.split('#')[0])
    .filter((target) => target !== '' && !/^[a-z]+:/i.test(target))
    .map((target) => path.relative(REPO, path.join(REPO, path.dirname(doc), target)));
}

describe.each(docs)('%s', (doc) => {
  const text = readFileSync(path.join(REPO, doc), 'utf-8');

  test('every quoted repository path exists', () => {
    const quoted = quotedPaths(text);
    expect(quoted.length).toBeGreaterThanOrEqual(doc === 'README.md' ? 10 : 0);
    expect([...new Set(quoted)].filter((p) => !exists(p))).toEqual([]);
  });

  test('every relative link points at a file or folder of the repository', () => {
    expect(linkTargets(doc, text).filter((p) => !existsSync(path.join(REPO, p)))).toEqual([]);
  });
});

test('the checker sees stale paths (the ones docs/real-pods.md named)', () => {
  expect(quotedPaths('The suite file is `test/real-pods/real-pods.pods.ts`: `jest.pods.config.js` does.')).toEqual(['test/real-pods/real-pods.pods.ts', 'jest.pods.config.js']);
  expect(quotedPaths('`/etc/docker/daemon.json`, `~/.kube/config`, `out/lib/index.js`, `.triton-jetson/<context>/token`, `cluster.yaml`')).toEqual([]);
  // A citation of another repository's file is not this repository's, an existing file is checked anyway.
  expect(quotedPaths('triton-inference-server/server `docs/jetson.md` at v2.19.0')).toEqual([]);
  expect(quotedPaths('k3s-io/k3s `lib/nothing-here.ts`, and ours: `lib/index.ts`')).toEqual(['lib/index.ts']);
});
