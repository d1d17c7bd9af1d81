/**
 * Non-root SSH users: passwordless sudo just works; a sudo password is asked once for all
 * nodes and travels only on sudo's stdin (never argv, logs or the summary).
 */
import { execFileSync } from 'node:child_process';
import { describeWith } from '../support/prereq';
import { OPERATOR_PASSWORD, startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

describeWith(FAKE_HOST_PREREQUISITES)('non-root users and sudo', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 3, installerDelayMs: 800 });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('sudo with a password and none available: every such node fails with the ways to give it', async () => {
    const run = await bootstrap(ws, clusterFor(fixture, 'operator'), { sudoPassword: async () => undefined });
    expect(run.summary.ok).toBe(false);
    for (const host of run.summary.hosts) {
      expect(host.error).toBe(`operator@${host.address}:22: sudo needs a password; run on a terminal to be asked, set TRITON_JETSON_SUDO_PASSWORD, pass --sudo-password-stdin, or allow passwordless sudo`);
    }
  });

  test('a wrong sudo password is refused on every node', async () => {
    let asked = 0;
    const run = await bootstrap(ws, clusterFor(fixture, 'operator'), { dryRun: true, sudoPassword: async () => { asked += 1; return 'not-it'; } });
    expect(asked).toBe(1);
    for (const host of run.summary.hosts) expect(host.error).toMatch(/sudo refused the password/);
  });

  // sudo reads the password up to the first line break (or carriage return); the rest of its
  // stdin went to `sh -s` as root, ahead of the script: TRITON_JETSON_SUDO_PASSWORD="pw
  // <command>" ran <command> as root on every board.
  test.each([['a line break', '\n'], ['a carriage return', '\r']])('a sudo password holding %s is refused before it reaches a board', async (_what, brk) => {
    const marker = '/tmp/triton-jetson-sudo-injected';
    let asked = 0;
    const run = await bootstrap(ws, clusterFor(fixture, 'operator'), { dryRun: true, sudoPassword: async () => { asked += 1; return `${OPERATOR_PASSWORD}${brk}touch ${marker}`; } });
    expect(asked).toBe(1);
    for (const host of fixture.hosts) expect(await host.exists(marker)).toBe(false);
    expect(run.summary.ok).toBe(false);
    for (const host of run.summary.hosts) {
      expect(host.error).toMatch(/the sudo password holds a line break or carriage return/);
      expect(host.error).not.toContain(OPERATOR_PASSWORD);
    }
  });

  test('sudo with a password: asked once, sent on stdin only, bootstrap completes as root', async () => {
    let asked = 0;
    const seenArgs = new Set<string>();
    const watcher = setInterval(() => {
      for (const line of execFileSync('ps', ['-eo', 'args'], { encoding: 'utf-8' }).split('\n')) seenArgs.add(line);
    }, 50);
    const run = await bootstrap(ws, clusterFor(fixture, 'operator'), {
      sudoPassword: async () => { asked += 1; return OPERATOR_PASSWORD; },
    }).finally(() => clearInterval(watcher));
    expect(run.summary.ok).toBe(true);
    expect(asked).toBe(1);
    expect([...seenArgs].some((a) => a.includes("sudo -S -k -p  sh -s"))).toBe(true);
    expect([...seenArgs].filter((a) => a.includes(OPERATOR_PASSWORD))).toEqual([]);
    expect(run.log.join('\n')).not.toContain(OPERATOR_PASSWORD);
    expect(JSON.stringify(run.summary)).not.toContain(OPERATOR_PASSWORD);
    for (const host of fixture.hosts) {
      const install = (await host.calls()).find((c) => c.program === 'k3s-install')!;
      expect(install).toMatchObject({ uid: 0, env: expect.objectContaining({ SUDO_USER: 'operator' }) });
      expect(JSON.stringify(await host.calls())).not.toContain(OPERATOR_PASSWORD);
    }
    expect(run.summary.nodes?.ready).toHaveLength(3);
  });

  test('passwordless sudo: no password asked; the cluster is already right', async () => {
    let asked = 0;
    const run = await bootstrap(ws, clusterFor(fixture, 'deploy'), { sudoPassword: async () => { asked += 1; return undefined; } });
    expect(run.summary.ok).toBe(true);
    expect(asked).toBe(0);
    for (const host of fixture.hosts) expect(hostSummary(run, host.name).changed).toEqual([]);
  });
});
