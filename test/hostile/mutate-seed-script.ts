/**
 * Mutation check of the seeding script's guards:
 *   npx tsx test/hostile/mutate-seed-script.ts [mutation ...]
 * For each mutation (one guard, or a set of guards, removed from a copy of
 * lib/seed/seed-models.sh), runs test/hostile/seed-archives.test.ts against the copy
 * (HOSTILE_SEED_SCRIPT) and prints, per failing case, the first expectation that failed:
 * "HARM" when something outside staging changed or a hostile download was published.
 * A guard whose removal fails no case is backstopped by another (listed as such).
 * Takes a few minutes; not part of the jest suite.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = readFileSync(path.join(ROOT, 'lib', 'seed', 'seed-models.sh'), 'utf-8');

type Patch = readonly [string, string];
const TYPE_CHECK: Patch[] = [
  ["      -*' -> '* | h*) die", '      h-off) die'],
  ['      l*) die', '      l-off) die'],
  ['      *) die "$1: refusing $3: member is not a regular', '      *-off) die "$1: refusing $3: member is not a regular'],
];
const REGULAR_CHECK: Patch = ['if [ -L "$member" ] || [ ! -f "$member" ]; then die', 'if false; then die'];
const LINK_COUNT_CHECK: Patch = ['[ "$(stat -c %h "$member")" -eq 1 ] || die', 'true || die'];
const STRIPPED_NAME_CHECK: Patch = ["  if grep -qi 'removing leading' \"$listing.err\"; then", '  if false; then'];
const RAW_NAME_CHECK: Patch = ['      //* | */../*) die', '      off) die'];
const SAFE_PATH: Patch = ['safe_path() {\n', 'safe_path() {\n  return 0\n'];
const DOUBLE_DASH: Patch = ['-C "$unpacked" -- "$@"', '-C "$unpacked" "$@"'];

/** name → patches, and a jest -t filter (the endless download needs the download cap, or it fills the disk). */
const MUTATIONS: Record<string, { patches: Patch[]; only?: string }> = {
  'no listing check at all': { patches: [['      check_members "$name" "$plain" "$url"\n', '']] },
  'no member type check': { patches: TYPE_CHECK },
  'no regular-file check after unpacking': { patches: [REGULAR_CHECK] },
  'no link-count check after unpacking': { patches: [LINK_COUNT_CHECK] },
  'no type check, no regular-file check': { patches: [...TYPE_CHECK, REGULAR_CHECK] },
  'no type check, no link-count check': { patches: [...TYPE_CHECK, LINK_COUNT_CHECK] },
  'no "removing leading" check': { patches: [STRIPPED_NAME_CHECK] },
  'no raw ../ name check': { patches: [RAW_NAME_CHECK] },
  'no name checks': { patches: [STRIPPED_NAME_CHECK, RAW_NAME_CHECK] },
  'no unpacked-size check': { patches: [['  if [ "$(size_of "$plain")" -gt "$max_extract" ]; then', '  if false; then']] },
  'no unpacked-size checks, no total check': {
    patches: [['  if [ "$(size_of "$plain")" -gt "$max_extract" ]; then', '  if false; then'], ['[ "$total" -le "$max_extract" ] || die', 'true || die']],
  },
  'no download-size check': { patches: [['  if [ -f "$dl" ] && [ "$(size_of "$dl")" -gt "$max_download" ]; then', '  if false; then']] },
  'no download cap (ulimit)': { patches: [['run_child capped "$max_download" timeout', 'run_child timeout']], only: 'oversized|10.2' },
  'no safe_path': { patches: [SAFE_PATH] },
  'no "--" before tar members': { patches: [DOUBLE_DASH] },
  'no safe_path, no "--"': { patches: [SAFE_PATH, DOUBLE_DASH] },
  'no model-name check': { patches: [["    '' | config.pbtxt | [!A-Za-z0-9_]* | *[!A-Za-z0-9_.-]*) die", '    off) die']] },
};

interface JestResult {
  testResults: { assertionResults: { ancestorTitles: string[]; title: string; status: string; failureMessages: string[] }[] }[];
}

/** What the first failed expectation says about the case. */
function verdict(message: string): string {
  if (/canary|outside|pwned|escaped/.test(message) && /toEqual|not\.toContain/.test(message)) return 'HARM (outside changed)';
  if (/Received[^\n]*\n?[^\n]*(victim\/|"1\/|model\.onnx")/.test(message) || /\+\s+"victim\//.test(message)) return 'HARM (published)';
  if (/toBeLessThan/.test(message)) return 'HARM (ran until the timeout)';
  if (/Expected pattern|toContain/.test(message)) return 'refused, other wording';
  return message.split('\n')[0].slice(0, 80);
}

const dir = mkdtempSync(path.join(tmpdir(), 'seed-mutations-'));
try {
  const wanted = process.argv.slice(2);
  for (const [name, mutation] of Object.entries(MUTATIONS)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    let script = SCRIPT;
    for (const [from, to] of mutation.patches) {
      if (!script.includes(from)) throw new Error(`mutation "${name}": guard not found: ${from}`);
      script = script.replace(from, to);
    }
    const file = path.join(dir, 'seed-models.sh');
    const json = path.join(dir, 'result.json');
    writeFileSync(file, script);
    spawnSync('npx', ['jest', 'test/hostile/seed-archives.test.ts', '--maxWorkers=1', '--json', `--outputFile=${json}`,
      '-t', mutation.only ?? '.*'], { cwd: ROOT, env: { ...process.env, HOSTILE_SEED_SCRIPT: file }, stdio: 'ignore' });
    const result = JSON.parse(readFileSync(json, 'utf-8')) as JestResult;
    const byCase = new Map<string, string[]>();
    let failed = 0;
    for (const test of result.testResults.flatMap((r) => r.assertionResults)) {
      if (test.status !== 'failed') continue;
      failed += 1;
      const key = `${test.title}: ${verdict(test.failureMessages.join('\n'))}`;
      byCase.set(key, [...(byCase.get(key) ?? []), test.ancestorTitles[1].replace(/ \(.*\)$/, '')]);
    }
    console.log(`${name}: ${failed === 0 ? 'no case fails (backstopped)' : `${failed} failing`}`);
    for (const [key, variants] of byCase) console.log(`  ${key} [${variants.join('; ')}]`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
