#!/usr/bin/env node
// npm's `prepare` lifecycle: compiles out/ (the package's main, typings and bin targets).
// npm runs `prepare` on `npm pack` and `npm publish`, when a project installs this package
// from its git URL (npm runs `prepare`, not `prepack`, for git dependencies), and also on
// every `npm install` / `npm ci` inside this repository. The repository's own installs skip
// the compile: synth, the tests and the scripts run the TypeScript sources through tsx and
// ts-jest, so `npm ci && npm run synth` stays as fast as before.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const ownInstall =
  path.resolve(process.env.INIT_CWD ?? '') === process.cwd() && ['install', 'ci'].includes(process.env.npm_command ?? '');
if (ownInstall) {
  console.error('prepare: the repository\'s own install, out/ not compiled (npm run compile builds it)');
  process.exit(0);
}
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, 'run', 'compile'], { stdio: 'inherit' })
  : spawnSync('npm', ['run', 'compile'], { stdio: 'inherit', shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
