/**
 * The hosts of one run: their targets, their operators (connected in parallel, privilege
 * settled with one sudo prompt at most), their summaries, and failure isolation: a host
 * that fails is marked failed and left out of later phases while the others go on.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { HostWork } from '../plan/host-plan';
import type { HostFacts, PreflightResult } from '../plan/preflight';
import { expandHome, type NodeTarget, type SshEndpoint } from '../plan/targets';
import { sshOperators, type Operator, type OperatorFactory } from './operator';
import { safeUserName, type HostSummary, type RunOptions } from './options';
import { targetResolver } from './ssh-config-file';
import { terminalLines } from '../../lib/terminal-text';
import { k3sArgsSecrets } from '../plan/k3s-secrets';
import { HostError } from './transport';

export interface HostState {
  readonly target: NodeTarget;
  readonly summary: HostSummary;
  operator?: Operator;
  facts?: HostFacts;
  verdict?: PreflightResult;
  work?: HostWork;
}

/** The NFS server prepared with `nfsServer.managed` (not a K3s node). */
export interface NfsState {
  readonly target: { readonly name: string; readonly ssh: SshEndpoint };
  readonly summary: HostSummary;
  operator?: Operator;
  /** The node whose connection it shares (same user@host:port). */
  sharedWith?: HostState;
}

export type Participant = { readonly summary: HostSummary; readonly target: { readonly name: string; readonly ssh: SshEndpoint }; operator?: Operator };

function emptySummary(name: string, role: HostSummary['role'], address: string): HostSummary {
  return { name, role, address, status: 'ok', changed: [], unchanged: [], warnings: [], checks: [], sshHandshakes: 0 };
}

/** Shared setup of bootstrap and reset: targets, operators, privilege. */
export class Fleet {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly hosts: HostState[];
  /** Set when bootstrap prepares the NFS server. */
  nfs?: NfsState;
  private readonly operators: OperatorFactory;
  private readonly log: (host: string, message: string) => void;
  /** Texts never to print (the token), replaced in every message. */
  readonly secrets: string[] = [];

  constructor(readonly options: RunOptions, withNfsServer = false) {
    this.home = options.homeDir ?? homedir();
    this.env = options.env ?? process.env;
    this.log = options.log ?? (() => undefined);
    const config = options.config;
    const resolver = targetResolver(config, this.home, safeUserName(this.env));
    const k3s = config.k3s;
    const hostArgs = config.nodes ? [config.nodes.server, ...config.nodes.agents].flatMap((h) => h.extraArgs) : [];
    this.secrets.push(...k3sArgsSecrets([...k3s.extraArgs, ...k3s.serverArgs, ...k3s.agentArgs, ...hostArgs]));
    const targets = resolver.nodes();
    const knownHostsFile = options.knownHostsFile ?? resolver.knownHostsFile(targets[0].ssh.alias);
    this.operators = (options.operators ?? sshOperators)({
      // Absolute, so the host-key hints naming it work from any folder.
      knownHostsFile: resolve(expandHome(knownHostsFile, this.home)),
      trustNewHosts: options.trustNewHosts ?? false,
      recordNewHosts: !options.dryRun,
      connectTimeoutMs: config.ssh.connectTimeoutSeconds * 1000,
      homeDir: this.home,
      agentSocket: this.env.SSH_AUTH_SOCK || undefined,
    });
    this.hosts = targets.map((target) => ({ target, summary: emptySummary(target.name, target.role, target.ssh.host) }));
    const nfsServer = config.nfsServer;
    if (withNfsServer && nfsServer.managed) {
      const alias = nfsServer.host ?? config.nfs?.server;
      if (!alias) throw new Error('nfsServer.managed: no NFS server; set nfsServer.host or nfs.server');
      const ssh = resolver.extraHost(alias, { user: nfsServer.user, port: nfsServer.port, identityFile: nfsServer.identityFile, bastion: nfsServer.bastion });
      const sharedWith = this.hosts.find((h) => h.target.ssh.host === ssh.host && h.target.ssh.port === ssh.port && h.target.ssh.user === ssh.user);
      this.nfs = { target: { name: 'nfs-server', ssh }, sharedWith, summary: emptySummary('nfs-server', 'nfs-server', ssh.host) };
    }
  }

  /** The first node is the server. */
  get server(): HostState {
    return this.hosts[0];
  }

  /** One progress line: secrets redacted, and a board's text unable to act on the terminal. */
  say(host: string, message: string): void {
    this.log(host, terminalLines(this.redact(message)));
  }

  redact(text: string): string {
    return this.secrets.reduce((t, s) => (s ? t.split(s).join('<redacted>') : t), text);
  }

  fail(state: Participant, err: unknown): void {
    const message = this.redact(err instanceof Error ? err.message : String(err));
    state.summary.status = 'failed';
    state.summary.error ??= message;
    this.say(state.target.name, `FAILED: ${message}`);
  }

  live(): HostState[] {
    return this.hosts.filter((h) => h.summary.status === 'ok' && h.operator);
  }

  /** Runs `work` on every live node in parallel; a host whose work throws is failed, the others go on. */
  async eachLive(work: (state: HostState) => Promise<void>): Promise<void> {
    await Promise.all(this.live().map(async (state) => {
      try {
        await work(state);
      } catch (err) {
        this.fail(state, err);
      }
    }));
  }

  /** Connects every host in parallel, then settles how root commands run (one sudo prompt at most). */
  async connect(): Promise<void> {
    const own: Participant[] = [...this.hosts, ...(this.nfs && !this.nfs.sharedWith ? [this.nfs] : [])];
    await Promise.all(own.map(async (state) => {
      const operator = this.operators.open(state.target.ssh);
      try {
        this.say(state.target.name, `connecting to ${operator.label}`);
        await operator.connect();
        const j = state.target.ssh.jump;
        if (j) {
          state.summary.via = `${j.user}@${j.host}:${j.port}`;
        }
        state.operator = operator;
        state.summary.sshHandshakes = operator.handshakes;
        await operator.detectPrivilege();
      } catch (err) {
        this.fail(state, err);
      }
    }));
    if (this.nfs?.sharedWith) {
      this.nfs.operator = this.nfs.sharedWith.operator;
      if (!this.nfs.operator) this.fail(this.nfs, new HostError('unreachable', `shares the connection of ${this.nfs.sharedWith.target.name}, which failed`));
    }
    const needPassword = own.filter((h) => h.summary.status === 'ok' && h.operator?.privilege === 'sudo-password');
    if (needPassword.length === 0) return;
    const password = this.options.sudoPassword ? await this.options.sudoPassword() : undefined;
    if (password === undefined) {
      for (const state of needPassword) {
        this.fail(state, new HostError('sudo', `${state.operator!.label}: sudo needs a password; run on a terminal to be asked, set TRITON_JETSON_SUDO_PASSWORD, pass --sudo-password-stdin, or allow passwordless sudo`));
      }
      return;
    }
    this.secrets.push(password);
    await Promise.all(needPassword.map(async (state) => {
      try {
        await state.operator!.useSudoPassword(password);
      } catch (err) {
        this.fail(state, err);
      }
    }));
  }

  async close(): Promise<void> {
    for (const state of this.hosts) {
      state.summary.sshHandshakes = state.operator?.handshakes ?? 0;
      state.operator?.close();
    }
    if (this.nfs && !this.nfs.sharedWith) {
      this.nfs.summary.sshHandshakes = this.nfs.operator?.handshakes ?? 0;
      this.nfs.operator?.close();
    }
    await this.operators.close();
  }

  /** Runs a root script; a non-zero exit throws with the tail of its output. */
  async root(state: Participant, script: string, what: string): Promise<string> {
    const result = await state.operator!.runAsRoot(script);
    if (result.code !== 0) {
      // The last lines of the board's output, each cut short: it may answer with megabytes.
      const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-6).map((l) => (l.length > 500 ? `${l.slice(0, 500)}…` : l)).join('\n    ');
      throw new HostError('step', `${what} failed (exit ${result.code ?? 'signal'}): ${this.redact(tail) || 'no output'}`);
    }
    return result.stdout;
  }
}
