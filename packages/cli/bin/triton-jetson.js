#!/usr/bin/env node
// The `triton-jetson` command of the cdk8s-triton-jetson-cli package.
//
// Installed from npm: runs bundle/triton-jetson.js, the CLI built when the package was packed
// (scripts/bundle.js: the repository's cli/, bootstrap/, client/ and lib/ with the pure
// JavaScript packages they use; sharp, node-ssh and uplot are this package's dependencies).
// In the repository's checkout (this folder is its packages/cli, linked into node_modules/.bin
// by npm's workspaces): runs the sources through the checkout's launcher, whose cached bundle
// is rebuilt whenever a source changes, so a bundle left by an earlier `npm pack` never answers.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const packageDir = path.join(__dirname, '..');
const checkout = path.join(packageDir, '..', '..');
const inCheckout = path.basename(packageDir) === 'cli' && path.basename(path.dirname(packageDir)) === 'packages' &&
  fs.existsSync(path.join(checkout, 'cli', 'triton-jetson.ts')) && fs.existsSync(path.join(checkout, 'bin', 'launcher.js'));

const bundle = path.join(packageDir, 'bundle', 'triton-jetson.js');
if (inCheckout) {
  require(path.join(checkout, 'bin', 'triton-jetson.js'));
} else if (!fs.existsSync(bundle)) {
  // Only `npm pack` (its prepack) builds the bundle: a copy installed from a folder or a git
  // subdirectory never went through it.
  process.stderr.write(`triton-jetson: ${bundle} is missing: this copy of ${require('../package.json').name} was not made by npm pack; ` +
    'install it from the registry or from a tarball (npm pack -w packages/cli in the repository)\n');
  process.exitCode = 1;
} else {
  require(bundle).main(process.argv);
}
