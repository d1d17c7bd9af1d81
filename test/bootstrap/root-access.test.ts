/**
 * How root commands run (bootstrap/executor/root-access.ts) on the in-memory transport: the
 * real probes, password check and root shells, against hosts whose login user is root, may
 * sudo with or without a password, or has no sudo at all.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import { HostOperator, MISSING_FILE_EXIT, readFileScript } from '../../bootstrap/executor/root-access';
import { K3S_KUBECONFIG_PATH } from '../../bootstrap/plan/k3s-install';
import type { SshEndpoint } from '../../bootstrap/plan/targets';
import { scratchDirs } from '../support/scratch';
import { MemoryHosts, jetsonBoard, type Cluster, type HostPrivilege } from './memory-operator';

const scratch = scratchDirs();
const ADDRESSES = ['10.0.1.10', '10.0.1.11', '10.0.1.12'];
const key = (i: number) => `${ADDRESSES[i]}:22`;
/** With characters a shell would act on, were it ever in a command line. */
const PASSWORD = `pa ss'$(touch x)"`;

/** Three boards, reached as `jetson`, whose user gets root as `privileges` say; sudo accepts PASSWORD. */
function boards(...privileges: HostPrivilege[]): MemoryHosts {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  privileges.forEach((privilege, i) => {
    const host = hosts.host(ADDRESSES[i]);
    jetsonBoard(host, `nano-${i}`, cluster);
    Object.assign(host, { privilege, sudoPassword: PASSWORD });
  });
  return hosts;
}

async function bootstrap(hosts: MemoryHosts, password?: string) {
  const dir = scratch('root-access-');
  const log: string[] = [];
  let asked = 0;
  const summary = await runBootstrap({
    config: parseClusterConfig({
      nodes: { server: { name: 'nano-0', address: ADDRESSES[0] }, agents: [1, 2].map((i) => ({ name: `nano-${i}`, address: ADDRESSES[i] })) },
      ssh: { user: 'jetson' },
    }),
    configPath: join(dir, 'cluster.yaml'), homeDir: dir, env: {}, kubeconfigPath: join(dir, 'kubeconfig'),
    operators: hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
    sudoPassword: async () => ((asked += 1), password),
    log: (host, message) => log.push(`[${host}] ${message}`),
  });
  return {
    summary, log, asked,
    statuses: summary.hosts.map((h) => h.status),
    /** How host i got root, as its preflight reports it. */
    root: (i: number) => summary.hosts[i].checks.find((c) => c.name === 'root')?.detail,
    /** The commands that carried host i's root scripts. */
    shells: (i: number) => [...new Set(hosts.calls.filter((c) => c.host === key(i) && c.kind === 'root').map((c) => c.command))],
    /** The sudo commands sent to host i as plain commands (probes, password check). */
    sudoRuns: (i: number) => hosts.calls.filter((c) => c.host === key(i) && c.kind === 'run' && c.text.startsWith('sudo')).map((c) => c.text),
  };
}

describe('how root commands run (in-memory transport)', () => {
  test.each([
    ['root login', 'root', 'logged in as root', 'sh -s', []],
    ['passwordless sudo', 'sudo-nopasswd', 'passwordless sudo', 'sudo -n sh -s', ['sudo -n true']],
  ] as const)('%s: every script runs on the same shell; no password is asked for', async (_, privilege, detail, shell, sudoRuns) => {
    const r = await bootstrap(boards(privilege, privilege, privilege));
    expect(r.summary.ok).toBe(true);
    expect(r.asked).toBe(0);
    for (const i of [0, 1, 2]) {
      expect(r.root(i)).toBe(detail);
      expect(r.shells(i)).toEqual([shell]);
      expect(r.sudoRuns(i)).toEqual(sudoRuns);
    }
  });

  test('no sudo installed: that host alone fails, with the fix', async () => {
    const r = await bootstrap(boards('root', 'sudo-nopasswd', 'no-sudo'));
    expect(r.statuses).toEqual(['ok', 'ok', 'failed']);
    expect(r.summary.hosts[2].error).toBe(`jetson@${key(2)}: user is not root and sudo is not installed; connect as root or install sudo`);
    expect(r.shells(2)).toEqual([]);
    expect(r.asked).toBe(0);
    expect(r.summary.nodes).toEqual({ ready: ['nano-0', 'nano-1'], notReady: [] });
  });

  test('a password sudo refuses: that host alone fails, with the fix; the others go on', async () => {
    const hosts = boards('sudo-password', 'sudo-password', 'sudo-nopasswd');
    hosts.host(ADDRESSES[1]).sudoPassword = 'another one';
    const r = await bootstrap(hosts, PASSWORD);
    expect(r.asked).toBe(1);
    expect(r.statuses).toEqual(['ok', 'failed', 'ok']);
    expect(r.summary.hosts[1].error).toBe(`jetson@${key(1)}: sudo refused the password (or the user may not use sudo); check it, or allow passwordless sudo for this user`);
    expect(r.shells(1)).toEqual([]);
    expect(r.shells(0)).toEqual(["sudo -S -k -p '' sh -s"]);
    expect(r.summary.nodes).toEqual({ ready: ['nano-0', 'nano-2'], notReady: [] });
  });

  test('the sudo password travels only on stdin, as its first line, never in a command', async () => {
    const hosts = boards('sudo-password', 'sudo-password', 'sudo-password');
    const r = await bootstrap(hosts, PASSWORD);
    expect(r.summary.ok).toBe(true);
    expect(r.asked).toBe(1);
    for (const call of hosts.calls) {
      expect(call.command ?? '').not.toContain(PASSWORD);
      expect(call.text).not.toContain(PASSWORD);
    }
    for (const i of [0, 1, 2]) {
      expect(r.root(i)).toBe('sudo with password');
      expect(r.shells(i)).toEqual(["sudo -S -k -p '' sh -s"]);
      expect(r.sudoRuns(i)).toEqual(['sudo -n true', "sudo -S -k -p '' true"]);
    }
    const check = hosts.calls.find((c) => c.command === "sudo -S -k -p '' true");
    expect(check?.stdin).toBe(`${PASSWORD}\n`);
    for (const call of hosts.calls.filter((c) => c.kind === 'root')) expect(call.stdin).toBe(`${PASSWORD}\n${call.text}\n`);
    expect(r.log.join('\n')).not.toContain(PASSWORD);
    expect(JSON.stringify(r.summary)).not.toContain(PASSWORD);
  });
});

describe('HostOperator on one host (in-memory transport)', () => {
  const endpoint: SshEndpoint = { alias: 'board', host: '10.0.1.20', port: 22, user: 'jetson', identityFiles: [] };

  async function operator(privilege: HostPrivilege) {
    const hosts = new MemoryHosts();
    Object.assign(hosts.host(endpoint.host), { privilege, sudoPassword: PASSWORD });
    hosts.host(endpoint.host).on(/^echo /, (script) => ({ stdout: `${script}\n` }));
    const op = new HostOperator(hosts.transport(endpoint));
    await op.connect();
    return { hosts, op, privilege: await op.detectPrivilege() };
  }

  test('a password host, before a password was given: a root script is refused and nothing is sent', async () => {
    const { hosts, op, privilege } = await operator('sudo-password');
    expect(privilege).toBe('sudo-password');
    const sent = hosts.calls.length;
    await expect(op.runAsRoot('echo hi')).rejects.toMatchObject({ kind: 'sudo', message: `jetson@${endpoint.host}:22: sudo needs a password and none was given` });
    expect(hosts.calls.slice(sent)).toEqual([]);
  });

  test('a root script reaches the host exactly as written; the framing adds only a newline (and the password line)', async () => {
    const script = 'echo one\necho "two"\n';
    const { hosts, op } = await operator('sudo-password');
    await op.useSudoPassword(PASSWORD);
    expect(await op.runAsRoot(script)).toEqual({ code: 0, stdout: `${script}\n`, stderr: '' });
    expect(hosts.calls.at(-1)).toEqual({ host: `${endpoint.host}:22`, kind: 'root', text: script, command: "sudo -S -k -p '' sh -s", stdin: `${PASSWORD}\n${script}\n` });
  });

  test('a root shell that sudo refuses is returned as a non-zero exit, not run as root', async () => {
    const { hosts, op, privilege } = await operator('sudo-nopasswd');
    expect(privilege).toBe('sudo-nopasswd');
    hosts.host(endpoint.host).privilege = 'sudo-password';
    expect(await op.runAsRoot('echo hi')).toEqual({ code: 1, stdout: '', stderr: 'sudo: a password is required\n' });
    expect(hosts.scripts(`${endpoint.host}:22`)).toEqual([]);
  });
});

describe('reading a file as root', () => {
  test('the script prints a file whose path a shell would act on, and exits MISSING_FILE_EXIT for a missing one (real sh)', () => {
    const dir = scratch('read-file-');
    const path = join(dir, `a b'$(touch pwned)"; touch pwned2`);
    writeFileSync(path, 'line 1\nline 2\n');
    const run = (file: string) => spawnSync('sh', ['-s'], { input: `${readFileScript(file)}\n`, cwd: dir, encoding: 'utf-8' });
    expect(run(path)).toMatchObject({ status: 0, stdout: 'line 1\nline 2\n', stderr: '' });
    expect(run(join(dir, 'missing'))).toMatchObject({ status: MISSING_FILE_EXIT, stdout: '' });
    // A name that looks like an option is still a file name (`cat --`).
    writeFileSync(join(dir, '-n'), 'dash\n');
    expect(run('-n')).toMatchObject({ status: 0, stdout: 'dash\n' });
    expect(existsSync(join(dir, 'pwned')) || existsSync(join(dir, 'pwned2'))).toBe(false);
  });

  test('HostOperator.readFile: the text, undefined when missing, else an error naming the host and the path', async () => {
    const hosts = new MemoryHosts();
    const endpoint: SshEndpoint = { alias: 'board', host: '10.0.1.21', port: 22, user: 'jetson', identityFiles: [] };
    hosts.host(endpoint.host)
      .on(readFileScript('/etc/a'), { stdout: 'A\n' })
      .on(readFileScript('/etc/none'), { code: MISSING_FILE_EXIT })
      .on(readFileScript('/etc/locked'), { code: 1, stderr: 'cat: /etc/locked: Permission denied\n' });
    const op = new HostOperator(hosts.transport(endpoint));
    await op.connect();
    await op.detectPrivilege();
    expect(await op.readFile('/etc/a')).toBe('A\n');
    expect(await op.readFile('/etc/none')).toBeUndefined();
    await expect(op.readFile('/etc/locked')).rejects.toMatchObject({ kind: 'step', message: 'jetson@10.0.1.21:22: cannot read /etc/locked (exit 1): cat: /etc/locked: Permission denied' });
  });

  test('a server without its kubeconfig: the server fails with the file and where to look', async () => {
    const hosts = boards('root', 'root', 'root');
    hosts.host(ADDRESSES[0]).on(readFileScript(K3S_KUBECONFIG_PATH), { code: MISSING_FILE_EXIT });
    const r = await bootstrap(hosts);
    expect(r.statuses[0]).toBe('failed');
    expect(r.summary.hosts[0].error).toContain(`${K3S_KUBECONFIG_PATH} does not exist on nano-0: the K3s server has not written it; check 'systemctl status k3s' there`);
  });
});
