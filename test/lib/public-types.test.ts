/**
 * The public types are hand-written (lib/types/, the props interfaces) and the zod schemas of
 * lib/config are the one validator: test/lib/public-types.check.ts states at compile time
 * that each interface is exactly its schema's input or output type. jest only transpiles
 * TypeScript, so this runs tsc on that file; its own expected-error lines are the negative
 * controls (a drift the comparison would miss fails tsc there).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/manifests';

test('every public type is exactly the input or output type of its schema (tsc on public-types.check.ts)', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'public-types-'));
  try {
    const tsconfig = path.join(work, 'tsconfig.json');
    writeFileSync(tsconfig, JSON.stringify({
      extends: path.join(REPO_ROOT, 'tsconfig.json'),
      compilerOptions: { noEmit: true, types: ['node'], typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')], rootDir: REPO_ROOT },
      files: [path.join(REPO_ROOT, 'test', 'lib', 'public-types.check.ts')],
      include: [],
    }));
    let output = '';
    try {
      execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { encoding: 'utf-8', stdio: 'pipe' });
    } catch (err) {
      output = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}` || String(err);
    }
    // The whole tsc output in the failure message: it names the drifted pair.
    expect(output).toBe('');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}, 180_000);
