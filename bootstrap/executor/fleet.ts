/**
 * The hosts of one run: their targets, their operators (connected in parallel, privilege
 * settled with one sudo prompt at most), their summaries, and failure isolation: a host
 * that fails is marked failed and left out of later phases while the others go on.
 */
import { resolve } from 'node:path';
import type { HostWork } from '../plan/host-plan';
import type { HostFacts, PreflightResult } from '../plan/preflight';
import { expandHome, type NodeTarget, type SshEndpoint } from '../plan/targets';
import { sshOperators, type Operator, type OperatorFactory } from './operator';
import { safeUserName, type HostSummary, type RunOptions } from './options';
import { DEFAULT_PARALLEL, forEachLimited } from '../../lib/parallel';
import { targetResolver } from './ssh-config-file';
import { terminalLines } from '../../lib/terminal-text';
import { k3sArgsSecrets } from '../plan/k3s-secrets';
import { HostError } from './transport';
import { operatorHome } from '../../lib/home-folder';

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
  /** Boards worked on at once (--parallel); each keeps its one connection for the run. */
  readonly parallel: number;

  constructor(readonly options: RunOptions, withNfsServer = false) {
    this.env = options.env ?? process.env;
    this.home = options.homeDir ?? operatorHome(this.env);
    this.log = options.log ?? (() => undefined);
    const config = options.config;
    const resolver = targetResolver(config, this.home, safeUserName(this.env));
    const k3s = config.k3s;
    const hostArgs = config.nodes ? [config.nodes.server, ...config.nodes.agents].flatMap((h) => h.extraArgs) : [];
    this.secrets.push(...k3sArgsSecrets([...k3s.extraArgs, ...k3s.serverArgs, ...k3s.agentArgs, ...hostArgs]));
    const targets = selectTargets(resolver.nodes(), options.nodes);
    this.parallel = options.parallel ?? DEFAULT_PARALLEL;
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

  /**
   * Runs `work` on every live node, at most `parallel` at a time (server first); a host whose
   * work throws is failed, the others go on. With `progress`, each host that finishes says so
   * with a count ("installed (3/32)").
   */
  async eachLive(work: (state: HostState) => Promise<void>, progress?: string): Promise<void> {
    const hosts = this.live();
    let finished = 0;
    await forEachLimited(hosts, this.parallel, async (state) => {
      try {
        await work(state);
      } catch (err) {
        this.fail(state, err);
      }
      finished += 1;
      if (progress) this.say(state.target.name, `${state.summary.status === 'ok' ? progress : 'failed'} (${finished}/${hosts.length})`);
    });
  }

  /** Connects every host (at most `parallel` handshakes at once), then settles how root commands run (one sudo prompt at most). */
  async connect(): Promise<void> {
    const own: Participant[] = [...this.hosts, ...(this.nfs && !this.nfs.sharedWith ? [this.nfs] : [])];
    await forEachLimited(own, this.parallel, async (state) => {
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
    });
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
    if (/[\r\n]/.test(password)) {
      // sudo -S reads the password up to the first line break or carriage return; the rest
      // of its stdin would reach `sh -s` as root, ahead of the script.
      for (const state of needPassword) {
        this.fail(state, new HostError('sudo', `${state.operator!.label}: the sudo password holds a line break or carriage return (sudo would take only its first line, and run the rest as root); give the password alone`));
      }
      return;
    }
    await forEachLimited(needPassword, this.parallel, async (state) => {
      try {
        await state.operator!.useSudoPassword(password);
      } catch (err) {
        this.fail(state, err);
      }
    });
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

/**
 * The nodes of a run: all of them, or (`bootstrap --node NAME`) the server, which the others
 * need for the token, the join and the API, plus the named agents.
 */
function selectTargets(all: NodeTarget[], names: readonly string[] | undefined): NodeTarget[] {
  if (names === undefined) return all;
  const [server] = all;
  for (const name of names) {
    if (name === server.name) {
      throw new Error(`--node ${name} is the server: a re-flashed server starts a new cluster (its datastore is gone); see docs/operations.md, "A board never comes back"`);
    }
    if (!all.some((t) => t.name === name)) {
      throw new Error(`--node ${JSON.stringify(name)}: no such node in nodes.agents of the cluster description (agents: ${all.slice(1).map((t) => t.name).join(', ') || 'none'})`);
    }
  }
  return [server, ...all.slice(1).filter((t) => names.includes(t.name))];
}
