/**
 * Regenerates the TypeScript modules that embed the seeding Job's data files:
 *   npx tsx test/seed/embed-seed-script.ts
 * - lib/seed/seed-models-script.ts from lib/seed/seed-models.sh (the script);
 * - lib/seed/inception-labels.ts from lib/seed/inception_labels.txt (Triton's label file).
 * The compiled package ships them as strings (no data file to locate next to out/lib at
 * run time); test/seed/seed-script.test.ts fails when a module and its source drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const SEED_DIR = path.join(__dirname, '..', '..', 'lib', 'seed');
export const SCRIPT_SOURCE = path.join(SEED_DIR, 'seed-models.sh');
export const SCRIPT_MODULE = path.join(SEED_DIR, 'seed-models-script.ts');
export const LABELS_SOURCE = path.join(SEED_DIR, 'inception_labels.txt');
export const LABELS_MODULE = path.join(SEED_DIR, 'inception-labels.ts');

/** The TypeScript module text for a script. */
export function renderScriptModule(script: string): string {
  return [
    '// Generated from lib/seed/seed-models.sh by `npx tsx test/seed/embed-seed-script.ts`;',
    '// edit the .sh file, then regenerate (a test fails while they differ).',
    '',
    '/** The seeding script (POSIX sh), shipped to the Job through its ConfigMap. */',
    `export const SEED_MODELS_SCRIPT: string = ${JSON.stringify(script)};`,
    '',
  ].join('\n');
}

/** The TypeScript module text for the inception label file. */
export function renderLabelsModule(labels: string): string {
  return [
    '// Generated from lib/seed/inception_labels.txt by `npx tsx test/seed/embed-seed-script.ts`;',
    '// a test fails while they differ. Source: docs/seeding.md ("The label file").',
    '',
    '/**',
    ' * Triton\'s `docs/examples/model_repository/inception_graphdef/inception_labels.txt` at tag',
    ' * v2.19.0 (1001 lines, sha256 1cfba54f…c882e0), published byte for byte as',
    ' * `inception_graphdef/inception_labels.txt`.',
    ' */',
    `export const INCEPTION_LABELS: string = ${JSON.stringify(labels)};`,
    '',
  ].join('\n');
}

if (require.main === module) {
  writeFileSync(SCRIPT_MODULE, renderScriptModule(readFileSync(SCRIPT_SOURCE, 'utf-8')));
  writeFileSync(LABELS_MODULE, renderLabelsModule(readFileSync(LABELS_SOURCE, 'utf-8')));
  console.log(`wrote ${path.relative(process.cwd(), SCRIPT_MODULE)} and ${path.relative(process.cwd(), LABELS_MODULE)}`);
}
