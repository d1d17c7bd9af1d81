// The licence texts of the npm packages an esbuild bundle holds (from its metafile): the
// library's out/lib/index.js (zod, yaml) and the CLI package's bundle (commander, zod, yaml,
// cdk8s, ...) ship them in a THIRD-PARTY-LICENSES.md beside the bundle, as their licences
// (MIT, ISC, Apache-2.0 with its NOTICE files) ask of a redistribution.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The package folders (relative to `root`) that the bundle's inputs come from. */
function bundledPackages(metafile) {
  const folders = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) folders.add(m[1]);
  }
  return [...folders].sort();
}

function licenceFiles(folder) {
  return fs.readdirSync(folder).filter((f) => /^(licen[cs]e|notice|copying)([-.][a-z0-9.-]*)?$/i.test(f)).sort();
}

/** Markdown naming each bundled package, its version and licence, with its licence and NOTICE texts. */
function thirdPartyLicenses(metafile, root, title) {
  const sections = [];
  const seen = new Set();
  for (const rel of bundledPackages(metafile)) {
    const folder = path.join(root, rel);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf-8'));
    const id = `${manifest.name}@${manifest.version}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const files = licenceFiles(folder);
    if (files.length === 0) throw new Error(`${id} (${rel}) ships no LICENSE file: its licence text cannot be included`);
    const texts = files.map((f) => `\`\`\`\n${fs.readFileSync(path.join(folder, f), 'utf-8').trim()}\n\`\`\``);
    sections.push(`## ${id}\n\nLicence: ${manifest.license ?? 'see below'}\n\n${texts.join('\n\n')}`);
  }
  return `# Third-party licences\n\n${title}\n\n${sections.join('\n\n')}\n`;
}

module.exports = { bundledPackages, thirdPartyLicenses };
