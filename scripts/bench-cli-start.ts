/**
 * `npm run bench` (second half): how fast `triton-jetson` answers, warm, beside a bare
 * `node -e 0` on the same machine in the same run (issue 23.1). Times, from this checkout
 * (bin/triton-jetson.js, the launcher's cached bundle): `--help`, every command's `--help`, and
 * a `verify` that fails against a closed loopback port; the installed CLI package (packed from
 * packages/cli, its dependencies linked from node_modules); and, for reference, the way before
 * (the sources through tsx) and `npx triton-jetson --help` (npm's start-up included).
 * Prints medians and the ratio to node -e 0. Targets: each checkout figure at most 0.35 s and
 * at most 4x node -e 0; the first run with no cache yet (a fresh clone after npm ci) at most 5 s.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Candidate, Timing, median, seconds, timeInterleaved, timeOnce } from './bench-timing';

const TARGET_SECONDS = 0.35;
const TARGET_RATIO = 4;
/** The first run after npm ci builds the bundle (issue 23.1). */
const TARGET_FIRST_RUN_SECONDS = 5;
const COMMANDS = ['synth', 'bootstrap', 'upgrade', 'plan', 'reset', 'verify', 'infer', 'bench'];

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(values.runs);
const root = path.resolve(__dirname, '..');

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The CLI package as npm installs it: packed (its prepack bundles the sources), unpacked, its dependencies linked. */
function installCliPackage(scratch: string): string {
  const cliDir = path.join(root, 'packages', 'cli');
  execFileSync('npm', ['pack', '--silent', '--pack-destination', scratch], { cwd: cliDir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(scratch).find((f) => f.endsWith('.tgz'))!;
  const manifest = JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf-8'));
  const installed = path.join(scratch, 'node_modules', manifest.name);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(scratch, tarball), '-C', installed, '--strip-components=1']);
  for (const dep of Object.keys(manifest.dependencies)) symlinkSync(path.join(root, 'node_modules', dep), path.join(scratch, 'node_modules', dep));
  return path.join(installed, manifest.bin['triton-jetson']);
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'bench-cli-'));
  try {
    const bin = path.join(root, 'bin', 'triton-jetson.js');
    const port = await closedPort();
    const checkout: Candidate[] = [
      { name: 'triton-jetson --help', argv: [process.execPath, bin, '--help'] },
      ...COMMANDS.map((c) => ({ name: `triton-jetson ${c} --help`, argv: [process.execPath, bin, c, '--help'] })),
      { name: `triton-jetson verify -u 127.0.0.1:${port} (closed port: exit 1)`, argv: [process.execPath, bin, 'verify', '-u', `127.0.0.1:${port}`], status: 1 },
    ];
    const baseline: Candidate = { name: 'node -e 0 (baseline)', argv: [process.execPath, '-e', '0'] };
    const reference: Candidate[] = [
      { name: 'installed package: triton-jetson --help', argv: [process.execPath, installCliPackage(scratch), '--help'] },
      { name: 'the sources through tsx (as TRITON_JETSON_DEBUG=1 runs them), --help', argv: [process.execPath, '--require', 'tsx/cjs', path.join(root, 'cli', 'triton-jetson.ts'), '--help'] },
      { name: 'npx triton-jetson --help (npm start-up included)', argv: ['npx', '--no-install', 'triton-jetson', '--help'] },
    ];
    const env = { ...process.env, TRITON_JETSON_CONFIG: '', TRITON_JETSON_DEBUG: '' };
    const results = timeInterleaved([baseline, ...checkout, ...reference], runs, root, env);
    const node = results[0];
    const line = (t: Timing) => `${t.name}: median ${t.median.toFixed(3)} s over ${runs} warm runs ${seconds(t.samples)}, ${(t.median / node.median).toFixed(2)}x node -e 0`;
    console.log(`${node.name}: median ${node.median.toFixed(3)} s over ${runs} runs ${seconds(node.samples)}`);
    for (const t of results.slice(1)) console.log(line(t));
    const measured = results.slice(1, 1 + checkout.length);
    const worst = measured.reduce((a, b) => (b.median > a.median ? b : a));
    const met = worst.median <= TARGET_SECONDS && worst.median <= TARGET_RATIO * node.median;
    console.log(`targets: every checkout figure <= ${TARGET_SECONDS} s and <= ${TARGET_RATIO}x node -e 0 (${(TARGET_RATIO * node.median).toFixed(3)} s here): ` +
      `${met ? 'met' : 'MISSED'}; slowest ${worst.name} ${worst.median.toFixed(3)} s, ${(worst.median / node.median).toFixed(2)}x`);
    // The first run of a fresh clone: no cache yet, so the launcher bundles the sources (an empty cache folder each time).
    const first: number[] = [];
    for (let i = 0; i < 3; i++) {
      const cache = mkdtempSync(path.join(scratch, 'first-run-cache-'));
      first.push(timeOnce([process.execPath, bin, '--help'], root, { ...env, TRITON_JETSON_CLI_CACHE: cache }));
    }
    const firstMedian = median(first);
    console.log(`first run (empty cache: the bundle is built): triton-jetson --help median ${firstMedian.toFixed(3)} s over 3 runs ${seconds(first)}, ` +
      `${(firstMedian / node.median).toFixed(2)}x node -e 0; target <= ${TARGET_FIRST_RUN_SECONDS} s: ${firstMedian <= TARGET_FIRST_RUN_SECONDS ? 'met' : 'MISSED'}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

void main();
