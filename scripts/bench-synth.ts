/**
 * `npm run bench`: warm synth (bin/synth.js: a cached esbuild bundle of main.ts, rebuilt
 * whenever a source changes) against the stock `cdk8s init typescript-app` way (`cdk8s
 * synth` running main.ts through ts-node, which type-checks on every run), on this same
 * app, in one run. Also times `npm run synth` itself (npm's own start-up included) and
 * the previous way (node --import tsx main.ts). Prints medians and ratios.
 * Targets: synth <= 0.3 s and >= 6x faster than stock.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const root = path.resolve(__dirname, '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'bench-synth-'));
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

const candidates = {
  'synth (node bin/synth.js)': [process.execPath, 'bin/synth.js', '--out', path.join(scratch, 'ours')],
  'npm run synth (npm start-up included)': ['npm', 'run', '--silent', 'synth', '--', '--out', path.join(scratch, 'npm')],
  'npm start-up alone (npm --version), for reference': ['npm', '--version'],
  'before: node --import tsx main.ts': [process.execPath, '--import', 'tsx', 'main.ts', '--out', path.join(scratch, 'tsx')],
  'stock: cdk8s synth --app "ts-node main.ts"': [bin('cdk8s'), 'synth', '--app', `${bin('ts-node')} main.ts`, '--output', path.join(scratch, 'stock')],
};

function timeOnce(argv: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), {
    cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf-8',
    // No upgrade check: it would time a request to the npm registry, not the synth.
    env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.stderr}`);
  return seconds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const samples = new Map<string, number[]>();
for (const [name, argv] of Object.entries(candidates)) {
  timeOnce(argv); // warm-up: fills tsx's and the OS' caches
  samples.set(name, []);
}
// Interleaved, so background load affects both alike.
for (let i = 0; i < runs; i++) {
  for (const [name, argv] of Object.entries(candidates)) samples.get(name)!.push(timeOnce(argv));
}
rmSync(scratch, { recursive: true, force: true });

const results = [...samples.entries()].map(([name, xs]) => ({ name, median: median(xs), xs }));
const stock = results[results.length - 1];
for (const c of results) {
  const ratio = c === stock ? '' : `, stock/this ${(stock.median / c.median).toFixed(2)}x`;
  console.log(`${c.name}: median ${c.median.toFixed(3)} s over ${runs} warm runs [${c.xs.map((x) => x.toFixed(2)).join(' ')}]${ratio}`);
}
const ours = results[0];
console.log(`targets: synth ${ours.median <= 0.3 ? '<=' : '>'} 0.3 s; stock/synth ${(stock.median / ours.median).toFixed(2)}x (target >= 6x)`);
