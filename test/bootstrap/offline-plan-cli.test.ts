/**
 * `triton-jetson plan --offline` from the command line: no network and no key needed; which
 * cluster description (--config, $TRITON_JETSON_CONFIG, ./cluster.yaml); before anything exists
 * it shows the tutorial's four boards (issue 23.3), and the commands that connect say where to
 * describe yours; one-line errors.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { OfflinePlan } from '../../bootstrap/executor/offline-plan';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { TUTORIAL_NODES } from '../../lib/tutorial-defaults';
import { hasCommand, testWith } from '../support/prereq';

const REPO = join(__dirname, '..', '..');
const BIN = join(REPO, 'bin', 'triton-jetson.js');

const CLUSTER = {
  nodes: { server: { name: 'jm-node-1', address: '10.0.0.11' }, agents: [{ name: 'jm-node-2', address: '10.0.0.12' }] },
  ssh: { user: 'ubuntu', identityFile: '~/.ssh/jetson_ed25519' },
};

function cli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: cwd, ...env }, timeout: 60000,
  });
}

describe('plan --offline (CLI)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'triton-offline-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  testWith([
    { name: 'unshare', present: hasCommand('unshare'), hint: 'apt-get install util-linux' },
    { name: 'root', present: process.getuid?.() === 0, hint: 'run the tests as root (a network namespace)' },
  ])('no network at all, no SSH key: the plan prints, exit 0', () => {
    writeFileSync(join(dir, 'cluster.yaml'), stringify(CLUSTER));
    // A network namespace with no interfaces: any connection attempt would fail at once.
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync('unshare', ['--net', '--', process.execPath, BIN, ...args], {
      cwd: dir, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: dir, ...env }, timeout: 60000,
    });
    const result = run(['plan', '--offline', '--json']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout) as OfflinePlan;
    expect(plan).toMatchObject({ command: 'plan', offline: true, ok: true });
    expect(plan.hosts[0].identityFiles).toEqual([join(dir, '.ssh', 'jetson_ed25519')]);
    expect(readdirSync(dir).filter((f) => f !== '.cache')).toEqual(['cluster.yaml']); // .cache: see 'before anything exists'

    const text = run(['plan', '--offline'], { TRITON_JETSON_SUDO_PASSWORD: 'sudo-secret' });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^plan --offline: what bootstrap will do to 2 freshly flashed boards; nothing was contacted\n/);
    expect(text.stdout).toMatch(/\n {2}jm-node-2 +agent +jetpack4 +Docker, default runtime nvidia .* ubuntu@10\.0\.0\.12:22 +1 nfs-common, 2 daemon\.json, 4 K3s agent, 5 join\n/);
    expect(text.stdout).toContain('\n[5] start k3s-agent (join https://10.0.0.11:6443) — jm-node-2\n');
    expect(text.stdout).not.toContain('sudo-secret');
  });

  test('before anything exists: no cluster.yaml shows the tutorial\'s four boards, as cluster.example.yaml lists them', () => {
    const result = cli(['plan', '--offline'], dir);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('plan --offline: what bootstrap will do to 4 freshly flashed boards; nothing was contacted');
    expect(lines[1]).toBe(`no cluster description (${join(dir, 'cluster.yaml')} not found, no --config, $TRITON_JETSON_CONFIG unset): these are the tutorial's four boards, `
      + 'as in cluster.example.yaml; to plan yours: cp cluster.example.yaml cluster.yaml, edit its nodes:, run this again');
    for (const [i, name] of ['jm-node-1', 'jm-node-2', 'jm-node-3', 'jm-node-4'].entries()) {
      expect(lines[5 + i]).toMatch(new RegExp(`^ {2}${name} +${i === 0 ? 'server' : 'agent'} +jetpack4 .* ubuntu@10\\.0\\.0\\.3${i + 1}:22 `));
    }
    const json = JSON.parse(cli(['plan', '--offline', '-o', 'json'], dir).stdout) as OfflinePlan;
    expect(json.exampleBoards).toBe(true);
    // Nothing written; the folder is also the CLI's home here, where the launcher keeps its bundle when
    // this user cannot write the checkout's node_modules (a root-owned clone): that alone may appear.
    expect(readdirSync(dir).filter((f) => f !== '.cache')).toEqual([]);
    if (existsSync(join(dir, '.cache'))) expect(readdirSync(join(dir, '.cache', 'cdk8s-triton-jetson')).every((f) => /^triton-jetson-cli-[0-9a-f]{16}$/.test(f))).toBe(true);
  });

  test('the tool, cluster.example.yaml and the README agree on those boards', () => {
    const example = parseClusterConfig(parse(readFileSync(join(REPO, 'cluster.example.yaml'), 'utf-8')));
    expect(example.nodes).toEqual(parseClusterConfig({ nodes: TUTORIAL_NODES }).nodes);
    const readme = readFileSync(join(REPO, 'README.md'), 'utf-8').replace(/\s+/g, ' ');
    expect(readme).toContain('the built-in defaults describe no boards');
    expect(readme).toContain('`plan --offline` shows the tutorial\'s four boards');
    expect(readFileSync(join(REPO, 'cluster.example.yaml'), 'utf-8').replace(/#\s*/g, '').replace(/\s+/g, ' ')).toContain('the built-in defaults describe no boards');
  });

  test.each([
    ['bootstrap', ['bootstrap']], ['plan (connected)', ['plan']], ['reset', ['reset', '--yes']], ['upgrade', ['upgrade']],
  ])('%s without a cluster description: one line pointing at cluster.example.yaml, nothing contacted', (_what, args) => {
    const result = cli(args, dir);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`triton-jetson: no boards described: ${join(dir, 'cluster.yaml')} not found (and no --config or $TRITON_JETSON_CONFIG); `
      + 'describe your boards: cp cluster.example.yaml cluster.yaml and edit its nodes: section (triton-jetson plan --offline shows the tutorial\'s four boards meanwhile)\n');
  });

  test.each([
    ['$TRITON_JETSON_CONFIG names a missing file', (d: string) => ({ args: [], env: { TRITON_JETSON_CONFIG: join(d, 'nope.yaml') } }),
      /^triton-jetson: invalid cluster description .*\/nope\.yaml: file not found \(create it from cluster\.example\.yaml\)$/],
    ['--config is a folder', (d: string) => ({ args: ['--config', d], env: {} }),
      /^triton-jetson: cannot use cluster description .*: is a folder, not a file; give the cluster description file, e.g. --config cluster.yaml$/],
    ['a description without nodes', (d: string) => {
      writeFileSync(join(d, 'cluster.yaml'), 'nfs: { server: nas.lan, path: /srv/models }\n');
      return { args: [], env: {} };
    }, /^triton-jetson: .*\/cluster\.yaml: nodes: missing; describe your boards under nodes: \(server and agents\), as in cluster\.example\.yaml$/],
    ['--parallel with --offline', () => ({ args: ['--parallel', '3'], env: {} }),
      /^triton-jetson: --parallel: plan --offline connects to nothing; drop it, or leave out --offline$/],
    ['--trust-new-hosts and --sudo-password-stdin with --offline', () => ({ args: ['--trust-new-hosts', '--sudo-password-stdin'], env: {} }),
      /^triton-jetson: --trust-new-hosts, --sudo-password-stdin: plan --offline connects to nothing; drop them, or leave out --offline$/],
    ['--upgrade with --offline', () => ({ args: ['--upgrade'], env: {} }), /^triton-jetson: --offline and --upgrade: an upgrade plan reads the boards' versions, so it connects; drop one of them$/],
    ['-o json with --json asking text', () => ({ args: ['--json', '-o', 'text'], env: {} }), /^triton-jetson: --json and -o text ask for two output formats; give one$/],
  ])('%s: one line, exit 1, no stack trace', (_what, setup, message) => {
    const { args, env } = setup(dir);
    const result = cli(['plan', '--offline', ...args], dir, env);
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(message);
  });

  test('$TRITON_JETSON_CONFIG is used when --config is not given', () => {
    writeFileSync(join(dir, 'lab.yaml'), stringify(CLUSTER));
    const result = cli(['plan', '--offline', '--json'], tmpdir(), { HOME: dir, TRITON_JETSON_CONFIG: join(dir, 'lab.yaml') });
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as OfflinePlan).hosts.map((h) => h.name)).toEqual(['jm-node-1', 'jm-node-2']);
  });
});
