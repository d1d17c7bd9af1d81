#!/usr/bin/env node
// npm's `prepare` lifecycle: compiles out/ (the package's main and typings) with
// scripts/compile-library.js.
//
// npm runs `prepare` on `npm pack` and `npm publish`, when a project installs this package
// from its git URL (pacote's git fetcher installs the clone's dependencies, then its
// DirFetcher runs `prepare` and only `prepare`, not `prepack`), and also on every
// `npm install` / `npm ci` inside this repository. The repository's own installs skip the
// compile: synth, the CLI and the tests run the TypeScript sources, so `npm ci && npm run
// synth` stays fast. A git install compiles without tsc's type check (the typings are the
// same; CI type-checked the commit): it is the slow half of that compile.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const command = process.env.npm_command ?? '';
const ownInstall = path.resolve(process.env.INIT_CWD ?? '') === process.cwd() && ['install', 'ci'].includes(command);
if (ownInstall) {
  console.error('prepare: the repository\'s own install, out/ not compiled (npm run compile builds it)');
  process.exit(0);
}
const check = ['pack', 'publish'].includes(command) ? [] : ['--no-check'];
const result = spawnSync(process.execPath, [path.join(__dirname, 'compile-library.js'), ...check], { stdio: 'inherit' });
process.exit(result.status ?? 1);
