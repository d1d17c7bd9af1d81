#!/usr/bin/env node
// In a source checkout (cli/triton-jetson.ts present) runs the TypeScript through tsx, a
// devDependency, so a stale out/ never answers; installed from npm, runs the compiled out/.
const path = require('node:path');
const fs = require('node:fs');

const source = path.join(__dirname, '..', 'cli', 'triton-jetson.ts');
let cli;
if (fs.existsSync(source)) {
  require('tsx/cjs');
  cli = require(source);
} else {
  cli = require(path.join(__dirname, '..', 'out', 'cli', 'triton-jetson.js'));
}
cli.buildProgram()
  .parseAsync(process.argv)
  .catch((err) => {
    console.error(`triton-jetson: ${err && err.message ? err.message : String(err)}`);
    process.exit(1);
  });
