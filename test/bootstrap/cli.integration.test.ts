/**
 * The real command line (`node bin/triton-jetson.js ...`, as `npm run bootstrap` runs it)
 * against two fake Jetson hosts, with HOME pointed at a temp folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { shQuote } from '../../bootstrap/plan/shell';
import { describeWith, hasCommand } from '../support/prereq';
import { OPERATOR_PASSWORD, startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, clusterFor, makeWorkspace, type Workspace } from './harness';

const BIN = join(__dirname, '..', '..', 'bin', 'triton-jetson.js');

interface Result { code: number | null; stdout: string; stderr: string }

function cli(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describeWith(FAKE_HOST_PREREQUISITES)('triton-jetson bootstrap / plan / reset (CLI)', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  let env: NodeJS.ProcessEnv;
  let common: string[];

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 2 });
    ws = makeWorkspace(fixture);
    const cluster = clusterFor(fixture, 'operator', { k3s: { readyTimeoutSeconds: 20 } });
    writeFileSync(ws.configPath, stringify(cluster));
    env = { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: ws.home };
    common = ['--config', ws.configPath, '--known-hosts', ws.knownHostsPath, '--kubeconfig', ws.kubeconfigPath];
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('plan --json: the steps per host, progress on stderr, nothing changed', async () => {
    const result = await cli(['plan', ...common, '--json'], { ...env, TRITON_JETSON_SUDO_PASSWORD: OPERATOR_PASSWORD });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ command: 'bootstrap', dryRun: true, ok: true });
    expect(summary.hosts[0].plannedSteps.map((s: { title: string }) => s.title)).toContain('install K3s v1.34.12+k3s1 (server)');
    expect(result.stderr).toContain(`[jm-node-1] connecting to operator@${fixture.hosts[0].address}:22`);
    expect(result.stderr).toContain('[jm-node-2] will: install K3s v1.34.12+k3s1 (agent)');
    expect((await fixture.hosts[0].calls()).filter((c) => c.program === 'k3s-install')).toEqual([]);
  });

  test('bootstrap (text summary), sudo password from the environment', async () => {
    const result = await cli(['bootstrap', ...common], { ...env, TRITON_JETSON_SUDO_PASSWORD: OPERATOR_PASSWORD });
    expect(result.stderr).not.toContain(OPERATOR_PASSWORD);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^bootstrap — OK in \d+\.\ds\n/);
    expect(result.stdout).toContain('jm-node-1 (server, ');
    expect(result.stdout).toContain('  changed:   installed K3s v1.34.12+k3s1 (server)');
    expect(result.stdout).toContain('nodes Ready: jm-node-1, jm-node-2');
    expect(result.stdout).toContain('try: kubectl --context triton-jetson get nodes');
  });

  test('bootstrap --json --sudo-password-stdin: a rerun changes nothing', async () => {
    const result = await cli(['bootstrap', ...common, '--json', '--sudo-password-stdin'], env, `${OPERATOR_PASSWORD}\n`);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.ok).toBe(true);
    expect(summary.hosts.map((h: { changed: string[] }) => h.changed)).toEqual([[], []]);
  });

  test('upgrade and plan --upgrade on a cluster already on k3s.version: every board skipped, text and JSON', async () => {
    const withPassword = { ...env, TRITON_JETSON_SUDO_PASSWORD: OPERATOR_PASSWORD };
    // An upgrade reads no kubeconfig (it runs the server's own kubectl): it takes no --kubeconfig.
    const upgradeFlags = common.filter((_, i) => common[i] !== '--kubeconfig' && common[i - 1] !== '--kubeconfig');
    const refused = await cli(['upgrade', ...common], withPassword);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("unknown option '--kubeconfig'");
    const result = await cli(['upgrade', ...upgradeFlags, '--parallel', '1', '--max-unavailable', '2'], withPassword);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^upgrade to v1\.34\.12\+k3s1 — OK in \d+\.\ds\n/);
    expect(result.stdout).toMatch(/jm-node-2 \(agent\)\s+v1\.34\.12\+k3s1\s+already on target/);
    expect(result.stderr).toContain('[upgrade] order: the server first, then the agents, at most 2 at a time; 0 of 2 board(s) to upgrade to v1.34.12+k3s1');
    const plan = await cli(['plan', '--upgrade', ...upgradeFlags, '--json'], withPassword);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ command: 'upgrade', dryRun: true, ok: true, upgrade: { target: 'v1.34.12+k3s1', maxUnavailable: 1 } });
    const bad = await cli(['upgrade', ...upgradeFlags, '--max-unavailable', '0'], withPassword);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('triton-jetson: --max-unavailable must be a whole number ≥ 1 (got "0")\n');
  });

  test('no sudo password anywhere (no terminal): exit 1 with the ways to give it', async () => {
    const result = await cli(['bootstrap', ...common], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('sudo needs a password; run on a terminal to be asked, set TRITON_JETSON_SUDO_PASSWORD');
  });

  describeWith([{ name: 'tmux', present: hasCommand('tmux'), hint: 'bash scripts/test-deps/25-bootstrap.sh' }])('on a terminal (tmux)', () => {
    test('the sudo password is asked once, without echo', async () => {
      const socket = join(ws.home, 'tmux.sock');
      const tmux = (...args: string[]) => execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf-8' });
      const pane = () => tmux('capture-pane', '-p', '-J', '-S', '-5000', '-t', 'cli');
      const waitFor = async (pattern: RegExp) => {
        const deadline = Date.now() + 30000;
        while (!pattern.test(pane())) {
          if (Date.now() > deadline) throw new Error(`terminal never showed ${pattern}:\n${pane()}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      // Every path quoted: the checkout may live in a folder whose name has spaces.
      const command = [shQuote(`HOME=${ws.home}`), shQuote(process.execPath), shQuote(BIN), 'plan', ...common.map(shQuote), '--json', '>', shQuote(join(ws.home, 'plan.json')), ';', 'echo', 'EXIT=$?', ';', 'sleep', '60'].join(' ');
      tmux('new-session', '-d', '-s', 'cli', '-x', '200', '-y', '50', command);
      try {
        await waitFor(/sudo password for the nodes: $/m);
        tmux('send-keys', '-t', 'cli', '-l', OPERATOR_PASSWORD);
        tmux('send-keys', '-t', 'cli', 'Enter');
        await waitFor(/EXIT=\d+/);
        const screen = pane();
        expect(screen).toContain('EXIT=0');
        expect(screen).not.toContain(OPERATOR_PASSWORD);
        expect(screen.match(/sudo password for the nodes:/g)).toHaveLength(1);
        expect(JSON.parse(readFileSync(join(ws.home, 'plan.json'), 'utf-8')).ok).toBe(true);
      } finally {
        tmux('kill-server');
      }
    });
  });

  test('reset asks for --yes off a terminal, then resets', async () => {
    const refused = await cli(['reset', ...common], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('reset cancelled; pass --yes to reset without asking');
    const result = await cli(['reset', ...common, '--yes', '--json'], { ...env, TRITON_JETSON_SUDO_PASSWORD: OPERATOR_PASSWORD });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).hosts[1].changed).toEqual(['K3s uninstalled (k3s-agent-uninstall.sh)', 'daemon.json restored from backup; Docker restarted']);
  });

  test('an invalid description names the field and the fix', async () => {
    const bad = join(ws.home, 'bad.yaml');
    writeFileSync(bad, stringify({ ...clusterFor(fixture), k3s: { version: 'v1.35.0+k3s1' } }));
    const result = await cli(['bootstrap', '--config', bad], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('k3s.version: must be v1.34 or older: Kubernetes 1.35+ refuses the cgroup v1 of JetPack 4.6');
  });
});
