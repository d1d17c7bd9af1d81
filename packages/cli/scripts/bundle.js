#!/usr/bin/env node
// `prepack` of the cdk8s-triton-jetson-cli package (npm pack, npm publish): builds what the
// package ships from the repository's sources, in this folder:
//
// - bundle/triton-jetson.js: cli/triton-jetson.ts and everything it imports (cli/, bootstrap/,
//   client/, lib/, imports/ and the pure JavaScript packages: commander, zod, yaml, cdk8s, ...)
//   as ONE CommonJS file, with exactly the options of the checkout's launcher
//   (bin/launcher.js bundleOptions): what a checkout runs is what the package runs. What is
//   left outside (native code, files read at run time) must be one of this package's
//   dependencies, or the build fails.
// - THIRD-PARTY-LICENSES.md: the licences of the packages inside the bundle.
// - docs/*.md and cluster.example.yaml, which README.md links to.
//
// `--clean` (postpack) removes them again: the working tree is as before once the tarball is made.
'use strict';
const fs = require('node:fs');
const { isBuiltin } = require('node:module');
const path = require('node:path');

const PACKAGE_DIR = path.join(__dirname, '..');
const ROOT = path.join(PACKAGE_DIR, '..', '..');
const { bundleOptions, TARGETS } = require(path.join(ROOT, 'bin', 'launcher.js'));
const { thirdPartyLicenses } = require(path.join(ROOT, 'scripts', 'third-party-licenses.js'));

/** The npm package an import specifier names ('node-ssh', '@scope/name/sub' -> '@scope/name'). */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** What this script writes into the package folder (and .gitignore lists). */
const GENERATED = ['bundle', 'docs', 'cluster.example.yaml', 'THIRD-PARTY-LICENSES.md'];

function main() {
  for (const name of GENERATED) fs.rmSync(path.join(PACKAGE_DIR, name), { recursive: true, force: true });
  if (process.argv.includes('--clean')) return;
  const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf-8'));
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  const outDir = path.join(PACKAGE_DIR, 'bundle');
  const result = esbuild.buildSync({ ...bundleOptions(TARGETS.cli, ROOT), outfile: path.join(outDir, 'triton-jetson.js'), write: true });
  // What the written bundle itself still requires (the inputs also list type-only imports).
  const required = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) if (imp.external && !isBuiltin(imp.path)) required.add(packageName(imp.path));
  }
  const missing = [...required].filter((name) => !(manifest.dependencies ?? {})[name]);
  if (missing.length > 0) throw new Error(`the bundle loads ${missing.join(', ')} from node_modules: add them to packages/cli/package.json's dependencies`);
  fs.writeFileSync(path.join(PACKAGE_DIR, 'THIRD-PARTY-LICENSES.md'), thirdPartyLicenses(result.metafile, ROOT,
    'bundle/triton-jetson.js, the triton-jetson command, holds these packages (esbuild bundle); everything else in it is this repository\'s own code.'));
  const docs = path.join(PACKAGE_DIR, 'docs');
  fs.mkdirSync(docs);
  for (const f of fs.readdirSync(path.join(ROOT, 'docs')).filter((name) => name.endsWith('.md'))) fs.copyFileSync(path.join(ROOT, 'docs', f), path.join(docs, f));
  fs.copyFileSync(path.join(ROOT, 'cluster.example.yaml'), path.join(PACKAGE_DIR, 'cluster.example.yaml'));
}

main();
