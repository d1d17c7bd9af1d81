#!/usr/bin/env node
// `npm run compile`: the library as its npm package ships it, in out/.
//
// - out/lib/**/*.d.ts, out/imports/**/*.d.ts: the typings, from tsc (tsconfig.build.json).
// - out/lib/index.js: lib/index.ts and what it imports as ONE CommonJS file (esbuild), with
//   its two runtime dependencies, zod and yaml, inside it: the package then has no dependency
//   but its peers (cdk8s, cdk8s-plus-27, constructs), as cdk8s itself bundles yaml. A consumer
//   that only wants the constructs installs 2.9 MB beyond the peers; zod and yaml as
//   dependencies would add 6.8 MB of files (9.6 MB on disk) to that.
// - out/THIRD-PARTY-LICENSES.md: the licences of what the bundle holds.
//
// `--no-check` skips tsc's type check (the typings are emitted all the same): `prepare` uses it
// for a git install, where the commit was type-checked by CI already (npm run build, .ci/run).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { thirdPartyLicenses } = require('./third-party-licenses');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'out');
/** The peer dependencies: the consumer's own copies, never bundled. */
const PEERS = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8')).peerDependencies);

function main() {
  const noCheck = process.argv.includes('--no-check');
  fs.rmSync(OUT, { recursive: true, force: true });
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const typings = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', ...(noCheck ? ['--noCheck'] : [])], { cwd: ROOT, stdio: 'inherit' });
  if (typings.status !== 0) return typings.status ?? 1;
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  const result = esbuild.buildSync({
    entryPoints: [path.join(ROOT, 'lib', 'index.ts')],
    absWorkingDir: ROOT,
    outfile: path.join(OUT, 'lib', 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: PEERS.flatMap((name) => [name, `${name}/*`]),
    metafile: true,
    logLevel: 'error',
  });
  fs.writeFileSync(path.join(OUT, 'THIRD-PARTY-LICENSES.md'), thirdPartyLicenses(result.metafile, ROOT,
    'out/lib/index.js, the compiled library, holds these packages (esbuild bundle); everything else in it is this package\'s own code.'));
  return 0;
}

process.exitCode = main();
