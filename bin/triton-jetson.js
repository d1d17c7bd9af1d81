#!/usr/bin/env node
// `triton-jetson` in a source checkout (`npx triton-jetson`, `npm run bootstrap`): runs
// cli/triton-jetson.ts from a cached esbuild bundle of this repository's sources it imports,
// rebuilt whenever any of them changes (bin/launcher.js, shared with synth). npm packages stay
// outside the bundle: each command loads its own (sharp, node-ssh, cdk8s, ...) when it runs.
// The published CLI package (packages/cli) runs the same bundle, built when it is packed.
'use strict';
require('./launcher').launch('cli');
