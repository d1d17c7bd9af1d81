#!/usr/bin/env node
// Runs the compiled CLI when installed from npm; in a source checkout, runs the
// TypeScript directly through tsx (a devDependency).
const path = require('node:path');
const fs = require('node:fs');

const compiled = path.join(__dirname, '..', 'out', 'cli', 'triton-jetson.js');
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('tsx/cjs');
  cli = require(path.join(__dirname, '..', 'cli', 'triton-jetson.ts'));
}
cli.buildProgram()
  .parseAsync(process.argv)
  .catch((err) => {
    console.error(`triton-jetson: ${err && err.message ? err.message : String(err)}`);
    process.exit(1);
  });
