/**
 * Regenerates lib/seed/seed-models-script.ts from lib/seed/seed-models.sh:
 *   npx tsx test/seed/embed-seed-script.ts
 * The compiled package ships the script as a string (no .sh file to locate next to
 * out/lib at run time); test/seed/seed-script.test.ts fails when the two drift apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const SCRIPT_SOURCE = path.join(__dirname, '..', '..', 'lib', 'seed', 'seed-models.sh');
export const SCRIPT_MODULE = path.join(__dirname, '..', '..', 'lib', 'seed', 'seed-models-script.ts');

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

if (require.main === module) {
  writeFileSync(SCRIPT_MODULE, renderScriptModule(readFileSync(SCRIPT_SOURCE, 'utf-8')));
  console.log(`wrote ${path.relative(process.cwd(), SCRIPT_MODULE)}`);
}
