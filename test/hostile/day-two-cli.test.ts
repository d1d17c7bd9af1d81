/**
 * The day-two flags (`--node`, `--replace`, `--parallel`, `--max-unavailable`, the timeouts)
 * are user input: a bad or hostile value gives exit 1 and one line naming the flag and the
 * fix, before any connection, with nothing run and no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

const BIN = join(__dirname, '..', '..', 'bin', 'triton-jetson.js');

const CASES: readonly (readonly [string, readonly string[], string])[] = [
  ['--node naming no node, with a command in it', ['bootstrap', '--node', 'x$(touch canary)'], 'triton-jetson: --node "x$(touch canary)": no such node in nodes.agents of the cluster description (agents: jm-node-2)'],
  ['--node with a newline', ['bootstrap', '--node', 'a\ntouch canary'], 'triton-jetson: --node "a\\ntouch canary": no such node in nodes.agents of the cluster description (agents: jm-node-2)'],
  ['--node naming the server', ['bootstrap', '--node', 'jm-node-1'], 'triton-jetson: --node jm-node-1 is the server: a re-flashed server starts a new cluster (its datastore is gone); see docs/operations.md, "A board never comes back"'],
  ['--replace without --node', ['bootstrap', '--replace'], 'triton-jetson: --replace needs --node NAME: it removes the stale registration of the boards named'],
  ['--parallel 0', ['bootstrap', '--parallel', '0'], 'triton-jetson: --parallel must be a whole number ≥ 1 (got "0")'],
  ['--parallel with a command', ['reset', '--yes', '--parallel', '$(touch canary)'], 'triton-jetson: --parallel must be a whole number ≥ 1 (got "$(touch canary)")'],
  ['--max-unavailable 1.5', ['upgrade', '--max-unavailable', '1.5'], 'triton-jetson: --max-unavailable must be a whole number ≥ 1 (got "1.5")'],
  ['--drain-timeout in exponent notation', ['upgrade', '--drain-timeout', '1e3'], 'triton-jetson: --drain-timeout must be a whole number ≥ 1 (got "1e3")'],
  ['--triton-timeout negative', ['upgrade', '--triton-timeout=-5'], 'triton-jetson: --triton-timeout must be a whole number ≥ 1 (got "-5")'],
  // An empty path (say --kubeconfig "$KC" with KC unset) used to fall back to ~/.kube/config: the
  // merge (or reset's pruning) went to a file the operator did not name.
  ['--kubeconfig "" (bootstrap)', ['bootstrap', '--kubeconfig', ''], 'triton-jetson: --kubeconfig: is empty; give a kubeconfig file, e.g. --kubeconfig ~/.kube/config'],
  ['--kubeconfig "" (reset)', ['reset', '--yes', '--kubeconfig='], 'triton-jetson: --kubeconfig: is empty; give a kubeconfig file, e.g. --kubeconfig ~/.kube/config'],
  ['--known-hosts "" (the working folder before)', ['bootstrap', '--known-hosts', ''], 'triton-jetson: --known-hosts: is empty; give a known_hosts file, e.g. --known-hosts ~/.ssh/known_hosts'],
];

describe('day-two flags with bad values (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triton-day-two-cli-'));
    chmodSync(dir, 0o700);
    // Addresses nobody listens on: nothing may get as far as connecting.
    writeFileSync(join(dir, 'cluster.yaml'), stringify({
      nodes: { server: { name: 'jm-node-1', address: '127.0.0.1', port: 9 }, agents: [{ name: 'jm-node-2', address: '127.0.0.2', port: 9 }] },
    }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(CASES)('%s: exit 1, one line', (_what, args, line) => {
    const result = spawnSync(process.execPath, [BIN, ...args, '--config', join(dir, 'cluster.yaml')], {
      cwd: dir, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: dir }, timeout: 30000,
    });
    expect({ code: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ code: 1, stdout: '', stderr: `${line}\n` });
    expect(existsSync(join(dir, 'canary'))).toBe(false);
  });
});
