#!/usr/bin/env node
// `npm run synth`: runs main.ts (lib/synth-command.ts) from a cached esbuild bundle of it and
// everything it imports (lib/, imports/, cdk8s, cdk8s-plus-27, yaml, zod), rebuilt whenever
// any of them changes. The cache and its checks are bin/launcher.js's, shared with the CLI.
'use strict';
require('./launcher').launch('synth');
