/**
 * Offline `cdk8s import k8s@<version>`: cdk8s-cli downloads the Kubernetes schema from
 * GitHub, which this project's machines cannot reach. We replace its exported
 * `download` with a reader of a local `_definitions.json` and run the stock importer,
 * so `imports/k8s.ts` is byte-for-byte what `cdk8s import` would generate.
 *
 * Usage: npm run import [-- <k8s-version>]   (default 1.27.0)
 * Schema folder: $K8S_SCHEMA_DIR, default schemas/k8s in this repository
 * (<dir>/v<version>/_definitions.json; v1.27.0 is committed, see schemas/README.md)
 */
import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';

const version = process.argv[2] ?? '1.27.0';
const schemaRoot = path.resolve(process.env.K8S_SCHEMA_DIR || path.join(__dirname, '..', 'schemas', 'k8s'));
const schemaFile = path.join(schemaRoot, `v${version}`, '_definitions.json');
if (!existsSync(schemaFile)) {
  console.error(`import: schema not found at ${schemaFile}; set K8S_SCHEMA_DIR to the folder holding v${version}/_definitions.json`);
  process.exit(1);
}

const cliRoot = path.dirname(require.resolve('cdk8s-cli/package.json'));
// eslint-disable-next-line @typescript-eslint/no-require-imports
const util = require(path.join(cliRoot, 'lib', 'util.js'));
util.download = async (url: string): Promise<string> => {
  if (!url.endsWith(`/v${version}/_definitions.json`)) throw new Error(`import: unexpected download of ${url}`);
  return readFileSync(schemaFile, 'utf-8');
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ImportKubernetesApi } = require(path.join(cliRoot, 'lib', 'import', 'k8s.js'));

async function main(): Promise<void> {
  const importer = new ImportKubernetesApi({ apiVersion: version });
  // IMPORT_OUTDIR: write elsewhere (test/lib/schema.test.ts compares the result with imports/).
  const outdir = process.env.IMPORT_OUTDIR ?? path.join(__dirname, '..', 'imports');
  await importer.import({ targetLanguage: 'typescript', outdir });
  console.error(`import: wrote ${path.join(outdir, 'k8s.ts')} from ${schemaFile}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
