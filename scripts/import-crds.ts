/**
 * Offline `cdk8s import` of the custom resources this project uses, from the CRD files
 * committed under schemas/crds/ (see schemas/crds/README.md for where each comes from):
 * runs the stock cdk8s CLI on each local file, so imports/monitoring.coreos.com.ts and
 * imports/upgrade.cattle.io.ts are byte-for-byte what `cdk8s import schemas/crds/<file>
 * --output imports/` writes.
 *
 * Usage: npm run import:crds          (IMPORT_OUTDIR=<dir> writes elsewhere; the test does)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const repo = path.join(__dirname, '..');
export const CRD_FILES = ['schemas/crds/monitoring.coreos.com_servicemonitors.yaml', 'schemas/crds/upgrade.cattle.io_plans.yaml'];

const outdir = process.env.IMPORT_OUTDIR || path.join(repo, 'imports');
const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
for (const file of CRD_FILES) {
  // --no-check-upgrade: the CLI would otherwise ask registry.npmjs.org for a newer version;
  // --no-save: it would otherwise rewrite cdk8s.yaml (adding the file, dropping its comments).
  execFileSync(process.execPath, [cli, 'import', file, '--output', outdir, '--language', 'typescript', '--no-check-upgrade', '--no-save'], {
    cwd: repo, stdio: ['ignore', 'ignore', 'inherit'],
  });
  console.error(`import: wrote ${outdir} from ${file}`);
}
