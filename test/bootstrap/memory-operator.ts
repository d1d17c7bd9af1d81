/**
 * In-memory hosts for orchestration tests: no SSH, no root. A MemoryTransport carries
 * commands to a MemoryHost and is wrapped in the real HostOperator (root-access.ts), so the
 * privilege probes, the sudo password check and the root shells are the ones SSH runs. The
 * host models its login user (`privilege`): `id -u`, sudo's answers, and which root shell
 * it lets through; a root script is then answered by the first rule whose pattern matches
 * (rules added later win). Every call is recorded, in order, on the MemoryHosts it belongs
 * to. `jetsonBoard` adds the rules of a small board model (probe, nfs-common, daemon.json,
 * K3s install/start/uninstall, nodes, labels) so that a second run sees what the first one
 * changed.
 */
import type { OperatorFactory } from '../../bootstrap/executor/operator';
import { HostOperator, MISSING_FILE_EXIT, readFileScript, type Privilege } from '../../bootstrap/executor/root-access';
import type { ExecResult, Transport } from '../../bootstrap/executor/transport';
import { MAKE_STAGING_COMMAND } from '../../bootstrap/plan/air-gap';
import { DAEMON_JSON_PATH, RESTART_DOCKER_SCRIPT, RESTORE_DAEMON_JSON_SCRIPT } from '../../bootstrap/plan/daemon-json';
import { JETPACK_DAEMON_JSON } from '../../bootstrap/plan/fresh-board';
import {
  GET_NODES_SCRIPT, K3S_KUBECONFIG_PATH, SERVER_TOKEN_PATH, START_AGENT_SCRIPT, UNINSTALL_K3S_SCRIPT,
} from '../../bootstrap/plan/k3s-install';
import { INSTALL_NFS_COMMON_SCRIPT, K3S_FINGERPRINT_PATH, PROBE_SCRIPT } from '../../bootstrap/plan/preflight';
import type { SshEndpoint } from '../../bootstrap/plan/targets';
import { K3S_YAML } from './k3s-yaml';

export type Reply = Partial<ExecResult>;
export type Pattern = string | RegExp | ((script: string) => boolean);
/** How the login user gets root: a Privilege, or 'no-sudo' (not root, and no sudo installed). */
export type HostPrivilege = Privilege | 'no-sudo';

export interface Call {
  /** host:port of the transport. */
  readonly host: string;
  /** 'root': a script that ran as root; 'run': any other command (probes and refused root shells too). */
  readonly kind: 'connect' | 'root' | 'run' | 'upload' | 'close';
  /** The root script as the verbs passed it, the command, or `local -> remote`. */
  readonly text: string;
  /** The command line the transport executed (for 'root', the shell that read the script). */
  readonly command?: string;
  /** Everything sent on that command's stdin. */
  readonly stdin?: string;
}

function matches(pattern: Pattern, script: string): boolean {
  if (typeof pattern === 'string') return script === pattern;
  if (pattern instanceof RegExp) return pattern.test(script);
  return pattern(script);
}

function result(reply: Reply): ExecResult {
  return { code: reply.code === undefined ? 0 : reply.code, stdout: reply.stdout ?? '', stderr: reply.stderr ?? '' };
}

/** One scripted host. */
export class MemoryHost {
  private readonly rules: { readonly pattern: Pattern; readonly reply: (script: string) => Reply }[] = [];
  privilege: HostPrivilege = 'root';
  /** The password sudo accepts (privilege 'sudo-password'). */
  sudoPassword?: string;
  /** The connection fails with this message. */
  connectError?: string;

  constructor(readonly key: string, private readonly calls: Call[]) {}

  /** Answer scripts matching `pattern` (exact text, RegExp or predicate) with `reply`. */
  on(pattern: Pattern, reply: Reply | ((script: string) => Reply)): this {
    this.rules.unshift({ pattern, reply: typeof reply === 'function' ? reply : () => reply });
    return this;
  }

  record(kind: Call['kind'], text: string, sent: { command?: string; stdin?: string } = {}): void {
    this.calls.push({ host: this.key, kind, text, ...sent });
  }

  answer(script: string): ExecResult {
    const rule = this.rules.find((r) => matches(r.pattern, script));
    if (!rule) return { code: 127, stdout: '', stderr: `memory operator: no answer for: ${script.split('\n')[0]}` };
    return result(rule.reply(script));
  }

  /**
   * What sudo does here before running its command: undefined = refused (with `refusal`), else
   * the stdin left for the command. `-n` never asks; `-S` reads the password as the first
   * stdin line, only when this user needs one.
   */
  sudo(mode: '-n' | '-S', stdin: string): { readonly rest: string } | { readonly refusal: ExecResult } {
    if (this.privilege === 'no-sudo') return { refusal: result({ code: 127, stderr: 'sh: 1: sudo: not found\n' }) };
    if (this.privilege !== 'sudo-password') return { rest: stdin };
    if (mode === '-n') return { refusal: result({ code: 1, stderr: 'sudo: a password is required\n' }) };
    const newline = stdin.indexOf('\n');
    const password = newline < 0 ? stdin : stdin.slice(0, newline);
    if (this.sudoPassword === undefined || password !== this.sudoPassword) {
      return { refusal: result({ code: 1, stderr: 'Sorry, try again.\nsudo: 1 incorrect password attempt\n' }) };
    }
    return { rest: newline < 0 ? '' : stdin.slice(newline + 1) };
  }
}

/** The hosts of a test, and the OperatorFactory that reaches them (RunOptions.operators). */
export class MemoryHosts {
  readonly calls: Call[] = [];
  private readonly hosts = new Map<string, MemoryHost>();

  host(address: string, port = 22): MemoryHost {
    const key = `${address}:${port}`;
    let host = this.hosts.get(key);
    if (!host) {
      host = new MemoryHost(key, this.calls);
      this.hosts.set(key, host);
    }
    return host;
  }

  /** Root scripts sent to `host:port`, in order. */
  scripts(key: string): string[] {
    return this.calls.filter((c) => c.host === key && c.kind === 'root').map((c) => c.text);
  }

  /** A transport to `endpoint` (unknown hosts refuse the connection). */
  transport(endpoint: SshEndpoint): MemoryTransport {
    return new MemoryTransport(endpoint, this.hosts.get(`${endpoint.host}:${endpoint.port}`));
  }

  readonly operators = (): OperatorFactory => ({
    open: (endpoint: SshEndpoint) => new HostOperator(this.transport(endpoint)),
    close: async () => undefined,
  });
}

/** The root shells HostOperator uses, as sudo on the host sees them: the sudo mode, if any. */
const ROOT_SHELLS: Readonly<Record<string, '-n' | '-S' | undefined>> = {
  'sh -s': undefined,
  'sudo -n sh -s': '-n',
  "sudo -S -k -p '' sh -s": '-S',
};

/** Carries commands to a MemoryHost, as its login user. */
export class MemoryTransport implements Transport {
  handshakes = 0;
  readonly label: string;

  constructor(endpoint: SshEndpoint, private readonly host: MemoryHost | undefined) {
    this.label = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
  }

  private get known(): MemoryHost {
    if (!this.host) throw new Error(`${this.label}: cannot connect (ECONNREFUSED); check the address/port and that sshd runs`);
    return this.host;
  }

  async connect(): Promise<void> {
    const host = this.known;
    host.record('connect', this.label);
    if (host.connectError) throw new Error(host.connectError);
    this.handshakes += 1;
  }

  async exec(command: string, stdin?: string): Promise<ExecResult> {
    const host = this.known;
    if (command in ROOT_SHELLS) return this.root(host, command, stdin ?? '');
    host.record('run', command, { command, ...(stdin === undefined ? {} : { stdin }) });
    switch (command) {
      case 'id -u':
        return result({ stdout: host.privilege === 'root' ? '0\n' : '1000\n' });
      case 'sudo -n true':
      case "sudo -S -k -p '' true": {
        const sudo = host.sudo(command.startsWith('sudo -n') ? '-n' : '-S', stdin ?? '');
        return 'refusal' in sudo ? sudo.refusal : result({});
      }
      default:
        return host.answer(command);
    }
  }

  /** A root shell: sudo (if any) lets it through or not; the script is stdin less the framing. */
  private root(host: MemoryHost, command: string, stdin: string): ExecResult {
    const sent = { command, stdin };
    const mode = ROOT_SHELLS[command];
    const sudo = mode ? host.sudo(mode, stdin) : { rest: stdin };
    if ('refusal' in sudo || (mode === undefined && host.privilege !== 'root')) {
      host.record('run', command, sent);
      return 'refusal' in sudo ? sudo.refusal : result({ code: 1, stderr: 'memory transport: `sh -s` runs as the login user, who is not root\n' });
    }
    const script = sudo.rest.endsWith('\n') ? sudo.rest.slice(0, -1) : sudo.rest;
    host.record('root', script, sent);
    return host.answer(script);
  }

  async upload(local: string, remote: string): Promise<void> {
    this.known.record('upload', `${local} -> ${remote}`);
  }

  close(): void {
    this.host?.record('close', this.label);
  }
}

/** What the board model holds: a freshly flashed JetPack 4.6 board until scripts change it. */
export interface BoardState {
  nfsCommon: boolean;
  daemonJson: string;
  daemonJsonBackup?: string;
  dockerRuntime: string;
  k3s?: { version: string; fingerprint: string; role: 'server' | 'agent'; active: boolean; token: string };
  labels: Record<string, string>;
}

/** The cluster as the server's kubectl sees it: every board that runs K3s. */
export type Cluster = Map<string, BoardState>;

/** Adds the board model's rules to `host`, which K3s will know as node `name`. */
/** The folder `mktemp -d` makes for air-gap uploads on every in-memory board. */
export const MEMORY_STAGING_DIR = '/tmp/triton-jetson-airgap.Mem0ryB0rd';

export function jetsonBoard(host: MemoryHost, name: string, cluster: Cluster): BoardState {
  const board: BoardState = { nfsCommon: false, daemonJson: JETPACK_DAEMON_JSON, dockerRuntime: 'runc', labels: {} };
  cluster.set(name, board);
  const heredocBody = (script: string, command: string) => /<<'(\w+)'\n([\s\S]*?)\n\1/.exec(script.slice(script.indexOf(command)))?.[2] ?? '';
  host
    .on(PROBE_SCRIPT, () => ({ stdout: probeOutput(name, board) }))
    // The login user's private air-gap upload folder (mktemp -d as that user).
    .on(MAKE_STAGING_COMMAND, () => ({ stdout: `${host.privilege === 'root' ? 0 : 1000} ${MEMORY_STAGING_DIR}\n` }))
    .on(INSTALL_NFS_COMMON_SCRIPT, () => ((board.nfsCommon = true), {}))
    .on((s) => s.includes(`f=${DAEMON_JSON_PATH}`) && s.includes('cat > "$tmp"'), (s) => {
      board.daemonJsonBackup ??= board.daemonJson;
      board.daemonJson = `${heredocBody(s, 'cat > "$tmp"')}\n`;
      board.dockerRuntime = 'nvidia';
      return { stdout: 'nvidia\n' };
    })
    .on((s) => s.startsWith(RESTART_DOCKER_SCRIPT), () => ((board.dockerRuntime = 'nvidia'), { stdout: 'nvidia\n' }))
    .on((s) => s.includes(`cat > ${K3S_FINGERPRINT_PATH}`), (s) => {
      const role = /export K3S_URL=/.test(s) ? 'agent' : 'server';
      const version = /export INSTALL_K3S_VERSION='?([^'\n]+)'?/.exec(s)?.[1] ?? '';
      const token = /export K3S_TOKEN='?([^'\n]+)'?/.exec(s)?.[1] ?? '';
      board.k3s = { version, fingerprint: heredocBody(s, `cat > ${K3S_FINGERPRINT_PATH}`), role, active: role === 'server', token };
      // K3s applies --node-label when the node registers.
      for (const [, key, value] of s.matchAll(/'?--node-label=([^=\s']+)=([^\s']*)/g)) board.labels[key] ??= value;
      return {};
    })
    .on(START_AGENT_SCRIPT, () => ((board.k3s!.active = true), {}))
    .on(readFileScript(SERVER_TOKEN_PATH), () => (board.k3s ? { stdout: `K10${'ab'.repeat(32)}::server:${board.k3s.token}\n` } : { code: MISSING_FILE_EXIT }))
    .on(readFileScript(K3S_KUBECONFIG_PATH), () => (board.k3s?.role === 'server' ? { stdout: K3S_YAML } : { code: MISSING_FILE_EXIT }))
    .on(GET_NODES_SCRIPT, () => ({ stdout: nodeList(cluster) }))
    .on(/^\/usr\/local\/bin\/k3s kubectl label node /, (s) => {
      const [, node, pairs] = /label node '?([^' ]+)'? --overwrite (.*)$/.exec(s)!;
      for (const pair of pairs.split(' ')) {
        const [key, value] = pair.replace(/'/g, '').split('=');
        cluster.get(node)!.labels[key] = value;
      }
      return {};
    })
    .on(UNINSTALL_K3S_SCRIPT, () => {
      const ran = board.k3s ? ` ${board.k3s.role === 'server' ? 'k3s-uninstall.sh' : 'k3s-agent-uninstall.sh'}` : '';
      board.k3s = undefined;
      board.labels = {};
      return { stdout: `uninstalled:${ran}\n` };
    })
    .on(RESTORE_DAEMON_JSON_SCRIPT, () => {
      if (board.daemonJsonBackup === undefined) return { stdout: 'no-backup\n' };
      board.daemonJson = board.daemonJsonBackup;
      board.daemonJsonBackup = undefined;
      board.dockerRuntime = 'runc';
      return { stdout: 'restored\n' };
    });
  return board;
}

function probeOutput(name: string, board: BoardState): string {
  const k3s = board.k3s;
  return [
    `clock=${Math.floor(Date.now() / 1000)}`, `hostname=${name}`, 'arch=aarch64', 'l4t=# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64',
    'memtotal_kb=4051060', 'docker=yes', `docker_runtime=${board.dockerRuntime}`, 'cgroup=v1', 'memcg=yes',
    `nfs=${board.nfsCommon ? 'yes' : 'no'}`, 'apt=yes',
    ...(k3s ? [`k3s_version=${k3s.version}`, `k3s_fingerprint=${k3s.fingerprint}`] : []),
    `k3s_active=${k3s?.role === 'server' && k3s.active ? 'active' : 'inactive'}`,
    `k3s_agent_active=${k3s?.role === 'agent' && k3s.active ? 'active' : 'inactive'}`,
    ...(k3s ? [`${k3s.role === 'server' ? 'k3s' : 'k3s_agent'}_uninstall=yes`] : []),
    'nvidia_runtime=/usr/bin/nvidia-container-runtime',
    '---triton-jetson:daemon.json---', 'present', board.daemonJson,
  ].join('\n');
}

function nodeList(cluster: Cluster): string {
  const items = [...cluster].filter(([, b]) => b.k3s?.active).map(([name, b]) => ({
    metadata: { name, labels: b.labels },
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  }));
  return JSON.stringify({ items });
}
