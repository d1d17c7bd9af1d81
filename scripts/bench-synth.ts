/**
 * `npm run bench`: warm synth (bin/synth.js: a cached esbuild bundle of main.ts, rebuilt
 * whenever a source changes) against the stock `cdk8s init typescript-app` way (`cdk8s
 * synth` running main.ts through ts-node, which type-checks on every run), on this same
 * app, in one run. Also times `npm run synth` itself (npm's own start-up included) and
 * the previous way (node --import tsx main.ts). Prints medians and ratios.
 * Targets: synth <= 0.3 s and >= 6x faster than stock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Candidate, seconds, timeInterleaved } from './bench-timing';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const root = path.resolve(__dirname, '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

const candidates: Candidate[] = [
  { name: 'synth (node bin/synth.js)', argv: [process.execPath, 'bin/synth.js', '--out', path.join(scratch, 'ours')] },
  { name: 'npm run synth (npm start-up included)', argv: ['npm', 'run', '--silent', 'synth', '--', '--out', path.join(scratch, 'npm')] },
  { name: 'npm start-up alone (npm --version), for reference', argv: ['npm', '--version'] },
  { name: 'before: node --import tsx main.ts', argv: [process.execPath, '--import', 'tsx', 'main.ts', '--out', path.join(scratch, 'tsx')] },
  { name: 'stock: cdk8s synth --app "ts-node main.ts"', argv: [bin('cdk8s'), 'synth', '--app', `${bin('ts-node')} main.ts`, '--output', path.join(scratch, 'stock')] },
];

// No upgrade check: it would time a request to the npm registry, not the synth.
const results = timeInterleaved(candidates, runs, root, { ...process.env, CDK8S_CHECK_UPGRADE: 'false' });
rmSync(scratch, { recursive: true, force: true });

const stock = results[results.length - 1];
for (const c of results) {
  const ratio = c === stock ? '' : `, stock/this ${(stock.median / c.median).toFixed(2)}x`;
  console.log(`${c.name}: median ${c.median.toFixed(3)} s over ${runs} warm runs ${seconds(c.samples)}${ratio}`);
}
const ours = results[0];
console.log(`targets: synth ${ours.median <= 0.3 ? '<=' : '>'} 0.3 s; stock/synth ${(stock.median / ours.median).toFixed(2)}x (target >= 6x)`);
