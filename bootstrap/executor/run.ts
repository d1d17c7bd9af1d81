/**
 * The thin executor: opens one SSH session per host, runs the preflight probe, asks the
 * pure plan what each host needs, runs it (hosts in parallel, agents overlapping the
 * server's install), merges the kubeconfig and waits for every node to be Ready.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { InventoryConfig } from '../../lib/config/inventory-schema';
import { DAEMON_JSON_PATH, RESTORE_DAEMON_JSON_SCRIPT } from '../plan/daemon-json';
import { planHostWork, type HostWork, type RootStep } from '../plan/host-plan';
import { profileModeOf } from '../plan/board-profile';
import {
  GET_NODES_SCRIPT, K3S_API_PORT, READ_KUBECONFIG_SCRIPT, SERVER_TOKEN_PATH, UNINSTALL_K3S_SCRIPT, parseServerToken,
  pickAirGapFiles, type InstallSource,
} from '../plan/k3s-install';
import { nfsServerScript, parseNfsServerChanges } from '../plan/nfs-server';
import {
  describeCurrentContext, mergeKubeconfig, removeFromKubeconfig, rewriteK3sKubeconfig, sameKubeconfig,
} from '../plan/kubeconfig';
import {
  PROBE_SCRIPT, evaluatePreflight, parseProbe, type HostFacts, type PreflightCheck, type PreflightResult,
} from '../plan/preflight';
import { TargetResolver, expandHome, type NodeTarget, type SshEndpoint } from '../plan/targets';
import { labelNodeScript, missingLabels, notReady, parseNodeList, type NodeStatus } from '../plan/verify';
import { KnownHosts } from './known-hosts';
import {
  createToken, defaultKubeconfigPath, defaultTokenFile, readIfExists, readToken, writePrivateFileAtomically, writeTokenFile,
} from './local-files';
import { HostError, SshSession } from './ssh-session';

/** The inventory sections of the description, plus the NFS share for `nfsServer.managed`. */
export type BootstrapConfig = InventoryConfig & {
  readonly nfs?: { readonly server: string; readonly path: string };
  /** Board profiles named for Triton (docs/profiles.md); they switch the preflight to profile mode. */
  readonly triton?: { readonly profiles?: readonly string[] };
};

export interface RunOptions {
  /** The validated cluster description (its inventory sections). */
  readonly config: BootstrapConfig;
  /** Path of the cluster description; the default token folder sits beside it. */
  readonly configPath: string;
  /** Print what would run; change nothing on the hosts or locally. */
  readonly dryRun?: boolean;
  /** Accept and record host keys that are not in known_hosts yet. */
  readonly trustNewHosts?: boolean;
  /** Overrides kubeconfig.path. */
  readonly kubeconfigPath?: string;
  /** Overrides ssh.knownHostsFile. */
  readonly knownHostsFile?: string;
  /** Home folder for ~ expansion, ~/.ssh and ~/.kube. @default os.homedir() */
  readonly homeDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Gives the sudo password, asked at most once per run; undefined = none available. */
  readonly sudoPassword?: () => Promise<string | undefined>;
  /** Progress, one line per event. */
  readonly log?: (host: string, message: string) => void;
  /** Overrides k3s.readyTimeoutSeconds. */
  readonly readyTimeoutSeconds?: number;
  /** Milliseconds between node readiness polls. @default 2000 */
  readonly pollIntervalMs?: number;
}

export interface DryRunStep {
  readonly title: string;
  readonly script: string;
  readonly uploads: readonly { readonly local: string; readonly remote: string }[];
}

export interface HostSummary {
  readonly name: string;
  readonly role: 'server' | 'agent' | 'nfs-server';
  readonly address: string;
  status: 'ok' | 'failed';
  readonly changed: string[];
  readonly unchanged: string[];
  readonly warnings: string[];
  checks: readonly PreflightCheck[];
  error?: string;
  sshHandshakes: number;
  /** Jump host the connection went through, if any. */
  via?: string;
  /** Dry run only: the steps that would run. */
  plannedSteps?: DryRunStep[];
}

export interface RunSummary {
  readonly command: 'bootstrap' | 'reset';
  readonly dryRun: boolean;
  ok: boolean;
  readonly hosts: HostSummary[];
  /** `currentContext` (reset): what became of `current-context`, in words. */
  kubeconfig?: { readonly path: string; readonly context: string; readonly changed: boolean; readonly currentContext?: string };
  nodes?: { readonly ready: string[]; readonly notReady: string[] };
  durationMs: number;
}

interface HostState {
  readonly target: NodeTarget;
  readonly summary: HostSummary;
  session?: SshSession;
  facts?: HostFacts;
  verdict?: PreflightResult;
  work?: HostWork;
}

/** The NFS server prepared with `nfsServer.managed` (not a K3s node). */
interface NfsState {
  readonly target: { readonly name: string; readonly ssh: SshEndpoint };
  readonly summary: HostSummary;
  session?: SshSession;
  /** The node whose connection it shares (same user@host:port). */
  sharedWith?: HostState;
}

type Participant = { readonly summary: HostSummary; readonly target: { readonly name: string; readonly ssh: SshEndpoint }; session?: SshSession };

/** Shared setup of bootstrap and reset: targets, sessions, privilege. */
class Fleet {
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly hosts: HostState[];
  /** Set when bootstrap prepares the NFS server. */
  nfs?: NfsState;
  private readonly jumps = new Map<string, Promise<SshSession>>();
  private readonly knownHosts: KnownHosts;
  private readonly log: (host: string, message: string) => void;
  /** Texts never to print (the token), replaced in every message. */
  readonly secrets: string[] = [];

  constructor(readonly options: RunOptions, withNfsServer = false) {
    this.home = options.homeDir ?? homedir();
    this.env = options.env ?? process.env;
    this.log = options.log ?? (() => undefined);
    const config = options.config;
    const sshConfigFile = expandHome(config.ssh.configFile, this.home);
    const resolver = new TargetResolver(config, {
      sshConfigText: readIfExists(sshConfigFile),
      homeDir: this.home,
      localUser: safeUserName(this.env),
    });
    const targets = resolver.nodes();
    const knownHostsFile = options.knownHostsFile ?? resolver.knownHostsFile(targets[0].ssh.alias);
    // Absolute, so the host-key hints naming it work from any folder.
    this.knownHosts = new KnownHosts(resolve(expandHome(knownHostsFile, this.home)));
    this.hosts = targets.map((target) => ({
      target,
      summary: {
        name: target.name, role: target.role, address: target.ssh.host, status: 'ok',
        changed: [], unchanged: [], warnings: [], checks: [], sshHandshakes: 0,
      },
    }));
    const nfsServer = config.nfsServer;
    if (withNfsServer && nfsServer.managed) {
      const alias = nfsServer.host ?? config.nfs?.server;
      if (!alias) throw new Error('nfsServer.managed: no NFS server; set nfsServer.host or nfs.server');
      const ssh = resolver.extraHost(alias, { user: nfsServer.user, port: nfsServer.port, identityFile: nfsServer.identityFile, bastion: nfsServer.bastion });
      const sharedWith = this.hosts.find((h) => h.target.ssh.host === ssh.host && h.target.ssh.port === ssh.port && h.target.ssh.user === ssh.user);
      this.nfs = {
        target: { name: 'nfs-server', ssh },
        sharedWith,
        summary: {
          name: 'nfs-server', role: 'nfs-server', address: ssh.host, status: 'ok',
          changed: [], unchanged: [], warnings: [], checks: [], sshHandshakes: 0,
        },
      };
    }
  }

  say(host: string, message: string): void {
    this.log(host, this.redact(message));
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
    return this.hosts.filter((h) => h.summary.status === 'ok' && h.session);
  }

  private newSession(endpoint: SshEndpoint): SshSession {
    return new SshSession({
      endpoint,
      knownHosts: this.knownHosts,
      trustNewHosts: this.options.trustNewHosts ?? false,
      recordNewHosts: !this.options.dryRun,
      connectTimeoutMs: this.options.config.ssh.connectTimeoutSeconds * 1000,
      homeDir: this.home,
      agentSocket: this.env.SSH_AUTH_SOCK || undefined,
      openJump: (jump) => this.openJump(jump),
    });
  }

  private openJump(endpoint: SshEndpoint): Promise<SshSession> {
    const key = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
    let session = this.jumps.get(key);
    if (!session) {
      session = (async () => {
        const s = this.newSession(endpoint);
        await s.connect();
        return s;
      })();
      this.jumps.set(key, session);
    }
    return session;
  }

  /** Connects every host in parallel, then settles how root commands run (one sudo prompt at most). */
  async connect(): Promise<void> {
    const own: Participant[] = [...this.hosts, ...(this.nfs && !this.nfs.sharedWith ? [this.nfs] : [])];
    await Promise.all(own.map(async (state) => {
        const session = this.newSession(state.target.ssh);
      try {
        this.say(state.target.name, `connecting to ${session.label}`);
        await session.connect();
        const j = state.target.ssh.jump;
        if (j) {
          state.summary.via = `${j.user}@${j.host}:${j.port}`;
        }
        state.session = session;
        state.summary.sshHandshakes = session.handshakes;
        await session.detectPrivilege();
      } catch (err) {
        this.fail(state, err);
      }
    }));
    if (this.nfs?.sharedWith) {
      this.nfs.session = this.nfs.sharedWith.session;
      if (!this.nfs.session) this.fail(this.nfs, new HostError('unreachable', `shares the connection of ${this.nfs.sharedWith.target.name}, which failed`));
    }
    const needPassword = own.filter((h) => h.summary.status === 'ok' && h.session?.privilege === 'sudo-password');
    if (needPassword.length === 0) return;
    const password = this.options.sudoPassword ? await this.options.sudoPassword() : undefined;
    if (password === undefined) {
      for (const state of needPassword) {
        this.fail(state, new HostError('sudo', `${state.session!.label}: sudo needs a password; run on a terminal to be asked, set TRITON_JETSON_SUDO_PASSWORD, pass --sudo-password-stdin, or allow passwordless sudo`));
      }
      return;
    }
    this.secrets.push(password);
    await Promise.all(needPassword.map(async (state) => {
      try {
        await state.session!.useSudoPassword(password);
      } catch (err) {
        this.fail(state, err);
      }
    }));
  }

  async close(): Promise<void> {
    for (const state of this.hosts) {
      state.summary.sshHandshakes = state.session?.handshakes ?? 0;
      state.session?.close();
    }
    if (this.nfs && !this.nfs.sharedWith) {
      this.nfs.summary.sshHandshakes = this.nfs.session?.handshakes ?? 0;
      this.nfs.session?.close();
    }
    for (const jump of this.jumps.values()) {
      try {
        (await jump).close();
      } catch {
        // the failed jump was already reported by the host that needed it
      }
    }
  }

  /** Runs a root script; a non-zero exit throws with the tail of its output. */
  async root(state: Participant, script: string, what: string): Promise<string> {
    const result = await state.session!.runRoot(script);
    if (result.code !== 0) {
      const tail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-6).join('\n    ');
      throw new HostError('step', `${what} failed (exit ${result.code ?? 'signal'}): ${this.redact(tail) || 'no output'}`);
    }
    return result.stdout;
  }
}

export function safeUserName(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'root';
  }
}

/** A path from the cluster description: ~ expanded, relative to the description's folder. */
export function fromConfigDir(configPath: string, path: string, home: string): string {
  return resolve(dirname(configPath), expandHome(path, home));
}

/** Where install.sh and the binary come from: the installer URL, or the air-gap folder (read and hashed here). */
export function installSource(config: InventoryConfig, configPath: string, home: string): InstallSource {
  const dir = config.k3s.airGapDir;
  if (!dir) return { kind: 'online', scriptUrl: config.k3s.installScriptUrl };
  const folder = fromConfigDir(configPath, dir, home);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    throw new Error(`k3s.airGapDir ${folder} cannot be read; create it with install.sh, k3s-arm64 and (optionally) k3s-airgap-images-arm64.tar.zst`);
  }
  const files = pickAirGapFiles(folder, names);
  const binarySha256 = createHash('sha256').update(readFileSync(files.binary)).digest('hex');
  return { kind: 'airgap', files: { ...files, binarySha256 } };
}

const DRY_RUN_TOKEN = 'dry-run-token-placeholder';

/** `bootstrap`: step 1 of the tutorial on every node, idempotent. */
export async function runBootstrap(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const fleet = new Fleet(options, true);
  const { config } = options;
  const dryRun = options.dryRun ?? false;
  const summary: RunSummary = {
    command: 'bootstrap', dryRun, ok: false, durationMs: 0,
    hosts: [...fleet.hosts.map((h) => h.summary), ...(fleet.nfs ? [fleet.nfs.summary] : [])],
  };
  const source = installSource(config, options.configPath, fleet.home);
  const tokenFile = fromConfigDir(options.configPath, config.k3s.tokenFile ?? defaultTokenFile(options.configPath, config.kubeconfig.context), fleet.home);
  let token = readToken(tokenFile);
  try {
    await fleet.connect();

    // Preflight, every host in parallel.
    await Promise.all(fleet.live().map(async (state) => {
      try {
        state.facts = parseProbe(await fleet.root(state, PROBE_SCRIPT, 'preflight probe'));
        const verdict = evaluatePreflight(state.facts, {
          runtime: config.k3s.runtime, installNfsCommon: config.hostPrep.installNfsCommon, k3sVersion: config.k3s.version,
          profileMode: profileModeOf(config), declaredProfile: state.target.config.profile, declaredMemory: state.target.config.memory, nodeName: state.target.name,
        });
        fleet.say(state.target.name, `preflight: ${verdict.checks.map((c) => `${c.name} ${c.status}`).join(', ')}`);
        const privilege = state.session!.privilege;
        state.summary.checks = [
          { name: 'ssh', status: 'ok', detail: `${state.session!.label}${state.summary.via ? ` via ${state.summary.via}` : ''}, host key verified` },
          { name: 'root', status: 'ok', detail: privilege === 'root' ? 'logged in as root' : privilege === 'sudo-nopasswd' ? 'passwordless sudo' : 'sudo with password' },
          ...verdict.checks,
        ];
        const failed = verdict.checks.filter((c) => c.status === 'fail');
        if (failed.length > 0) throw new HostError('step', failed.map((c) => c.detail).join('; '));
        state.verdict = verdict;
      } catch (err) {
        fleet.fail(state, err);
      }
    }));

    const server = fleet.hosts[0];
    if (token === undefined && server.summary.status === 'ok' && server.facts?.k3sVersion) {
      // The local token file is gone but the server already runs K3s: a new token would lock
      // the agents out, so take the server's.
      token = await recoverServerToken(fleet, server);
      if (token !== undefined && !dryRun) {
        writeTokenFile(tokenFile, token);
        fleet.say('local', `recovered the cluster token from ${server.target.name} into ${tokenFile} (mode 0600)`);
      }
    }
    if (token === undefined && !dryRun) {
      token = createToken(tokenFile);
      fleet.say('local', `generated a cluster token in ${tokenFile} (mode 0600)`);
    }
    const effectiveToken = token ?? DRY_RUN_TOKEN;
    fleet.secrets.push(effectiveToken);

    const serverAddress = server.target.ssh.host;
    for (const state of fleet.live()) {
      state.work = planHostWork({
        target: state.target, facts: state.facts!, preflight: state.verdict!, inventory: config,
        token: effectiveToken, serverAddress, source,
      });
      state.summary.warnings.push(...state.work.warnings);
      state.summary.unchanged.push(...state.work.unchanged);
      if (state.work.error) fleet.fail(state, new HostError('step', state.work.error));
    }

    // The NFS server (if managed) is prepared alongside the nodes.
    const nfsDone = prepareNfsServer(fleet, dryRun);

    if (dryRun) {
      await nfsDone;
      for (const state of fleet.hosts) {
        if (!state.work || state.work.error) continue;
        state.summary.plannedSteps = state.work.steps.map((s) => ({ title: s.change, script: fleet.redact(s.shownScript), uploads: s.uploads }));
        for (const step of state.work.steps) fleet.say(state.target.name, `would: ${step.change}`);
        if (state.work.steps.length === 0) fleet.say(state.target.name, 'nothing to change');
      }
      summary.ok = summary.hosts.every((h) => h.status === 'ok');
      return summary;
    }

    // Prepare every host. Agents install (without starting) while the server installs, and
    // start once the server's install is done, so the cluster takes about one install time.
    const serverPrepared = deferred<boolean>();
    const serverInstalled = deferred<boolean>();
    if (server.summary.status !== 'ok') {
      serverPrepared.resolve(false);
      serverInstalled.resolve(false);
    }
    const serverFailure = () => new HostError('step', `K3s agent not started: the server ${server.target.name} failed (${server.summary.error ?? 'see above'})`);
    await Promise.all(fleet.live().map(async (state) => {
      const isServer = state === server;
      const steps = (phase: RootStep['phase']) => state.work!.steps.filter((s) => s.phase === phase);
      try {
        for (const step of steps('prepare')) await runStep(fleet, state, step);
        if (isServer) serverPrepared.resolve(true);
        else if (!(await serverPrepared.promise)) throw serverFailure();
        for (const step of steps('install')) await runStep(fleet, state, step);
        if (isServer) serverInstalled.resolve(true);
        else if (!(await serverInstalled.promise)) throw serverFailure();
        for (const step of steps('start')) await runStep(fleet, state, step);
      } catch (err) {
        if (isServer) {
          serverPrepared.resolve(false);
          serverInstalled.resolve(false);
        }
        fleet.fail(state, err);
      }
    }));

    if (server.summary.status === 'ok') {
      summary.kubeconfig = await mergeKubeconfigFromServer(fleet, server, serverAddress);
      summary.nodes = await waitForNodes(fleet, server);
    }
    await nfsDone;
    summary.ok = summary.hosts.every((h) => h.status === 'ok') && (summary.nodes?.notReady.length ?? 1) === 0;
    return summary;
  } finally {
    await fleet.close();
    summary.durationMs = Date.now() - started;
  }
}

/** Runs (or, in a dry run, shows) the NFS server preparation when `nfsServer.managed`. */
async function prepareNfsServer(fleet: Fleet, dryRun: boolean): Promise<void> {
  const nfs = fleet.nfs;
  if (!nfs || nfs.summary.status !== 'ok' || !nfs.session) return;
  const { config } = fleet.options;
  const path = config.nfs?.path;
  if (!path) {
    fleet.fail(nfs, new HostError('step', 'nfsServer.managed: no export folder; set nfs.path'));
    return;
  }
  const clients = config.nfsServer.clients ?? fleet.hosts.map((h) => h.target.ssh.host);
  let script: string;
  try {
    script = nfsServerScript({ path, clients, exportOptions: config.nfsServer.exportOptions });
  } catch (err) {
    fleet.fail(nfs, new HostError('step', (err as Error).message));
    return;
  }
  const title = `export ${path} to ${clients.join(', ')} (nfs-kernel-server)`;
  if (nfs.sharedWith) nfs.summary.warnings.push(`shares the SSH connection of ${nfs.sharedWith.target.name}`);
  if (dryRun) {
    nfs.summary.plannedSteps = [{ title, script, uploads: [] }];
    fleet.say(nfs.target.name, `would: ${title}`);
    return;
  }
  try {
    const changes = parseNfsServerChanges(await fleet.root(nfs, script, 'NFS server preparation'));
    if (changes.length === 0) nfs.summary.unchanged.push(`${path} already exported to ${clients.join(', ')}`);
    nfs.summary.changed.push(...changes);
    fleet.say(nfs.target.name, changes.length ? changes.join('; ') : `${path} already exported`);
  } catch (err) {
    fleet.fail(nfs, err);
  }
}

/** The secret part of the server's token file (`K10<ca hash>::server:<secret>`), or undefined. */
async function recoverServerToken(fleet: Fleet, server: HostState): Promise<string | undefined> {
  const result = await server.session!.runRoot(`cat ${SERVER_TOKEN_PATH} 2>/dev/null || true`);
  const secret = parseServerToken(result.stdout);
  if (secret) fleet.secrets.push(secret, result.stdout.trim());
  return secret;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

async function runStep(fleet: Fleet, state: HostState, step: RootStep): Promise<void> {
  const name = state.target.name;
  const started = Date.now();
  fleet.say(name, `${step.id}: starting`);
  const heartbeat = setInterval(() => fleet.say(name, `${step.id}: still running (${Math.round((Date.now() - started) / 1000)}s)`), 15000);
  try {
    for (const upload of step.uploads) {
      fleet.say(name, `${step.id}: uploading ${upload.local}`);
      await state.session!.upload(upload.local, upload.remote);
    }
    const stdout = await fleet.root(state, step.script, step.id);
    if (step.expectLastLine) {
      const last = stdout.trim().split('\n').pop()?.trim();
      if (last !== step.expectLastLine.value) throw new HostError('step', `${step.id}: ${step.expectLastLine.error} (got "${last ?? ''}")`);
    }
    state.summary.changed.push(step.change);
    fleet.say(name, `${step.change} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
  } finally {
    clearInterval(heartbeat);
  }
}

/** --kubeconfig (relative to the working folder), else kubeconfig.path, else $KUBECONFIG / ~/.kube/config. */
function kubeconfigTarget(fleet: Fleet): string {
  return resolveKubeconfigPath(fleet.options, fleet.home, fleet.env);
}

/** The kubeconfig a run merges into / prunes (see kubeconfigTarget). */
export function resolveKubeconfigPath(options: RunOptions, home: string, env: NodeJS.ProcessEnv): string {
  if (options.kubeconfigPath) return resolve(expandHome(options.kubeconfigPath, home));
  if (options.config.kubeconfig.path) return fromConfigDir(options.configPath, options.config.kubeconfig.path, home);
  return resolve(defaultKubeconfigPath(home, env));
}

async function mergeKubeconfigFromServer(fleet: Fleet, server: HostState, serverAddress: string): Promise<RunSummary['kubeconfig']> {
  const { config } = fleet.options;
  const path = kubeconfigTarget(fleet);
  const context = config.kubeconfig.context;
  try {
    const k3sYaml = await fleet.root(server, READ_KUBECONFIG_SCRIPT, 'reading /etc/rancher/k3s/k3s.yaml');
    const entries = rewriteK3sKubeconfig(k3sYaml, { serverUrl: `https://${serverAddress}:${K3S_API_PORT}`, name: context });
    const existing = readIfExists(path);
    const merged = mergeKubeconfig(existing, entries, config.kubeconfig.setCurrentContext);
    const changed = existing === undefined || !sameKubeconfig(existing, merged);
    if (changed) {
      writePrivateFileAtomically(path, merged);
      server.summary.changed.push(`kubeconfig: context "${context}" merged into ${path}`);
    } else {
      server.summary.unchanged.push(`kubeconfig ${path} already has context "${context}"`);
    }
    fleet.say('local', changed ? `kubeconfig: context "${context}" written to ${path}` : `kubeconfig: ${path} already up to date`);
    return { path, context, changed };
  } catch (err) {
    fleet.fail(server, err);
    return undefined;
  }
}

async function waitForNodes(fleet: Fleet, server: HostState): Promise<RunSummary['nodes']> {
  const expected = fleet.hosts.filter((h) => h.summary.status === 'ok').map((h) => h.target.name);
  const timeoutMs = (fleet.options.readyTimeoutSeconds ?? fleet.options.config.k3s.readyTimeoutSeconds) * 1000;
  const interval = fleet.options.pollIntervalMs ?? 2000;
  const deadline = Date.now() + timeoutMs;
  let nodes: NodeStatus[] = [];
  let missing = expected;
  let lastError = '';
  for (;;) {
    const result = await server.session!.runRoot(GET_NODES_SCRIPT);
    if (result.code === 0) {
      try {
        nodes = parseNodeList(result.stdout);
        missing = notReady(expected, nodes);
        lastError = '';
      } catch (err) {
        lastError = (err as Error).message;
      }
    } else {
      lastError = result.stderr.trim().split('\n').pop() ?? '';
    }
    if (missing.length === 0 || Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  const ready = expected.filter((n) => !missing.includes(n));
  await applyLabels(fleet, server, nodes.filter((n) => ready.includes(n.name)));
  fleet.say(server.target.name, missing.length === 0
    ? `all ${expected.length} node(s) Ready: ${ready.join(', ')}`
    : `not Ready after ${Math.round(timeoutMs / 1000)}s: ${missing.join(', ')}${lastError ? ` (${lastError})` : ''}`);
  for (const name of missing) {
    const state = fleet.hosts.find((h) => h.target.name === name)!;
    fleet.fail(state, new HostError('step', `node ${name} not Ready within ${Math.round(timeoutMs / 1000)}s; on the node: journalctl -u ${state.target.role === 'server' ? 'k3s' : 'k3s-agent'}`));
  }
  return { ready, notReady: missing };
}

/** Sets node labels K3s did not apply (it only applies --node-label when a node registers). */
async function applyLabels(fleet: Fleet, server: HostState, nodes: readonly NodeStatus[]): Promise<void> {
  for (const state of fleet.hosts) {
    if (state.summary.status !== 'ok' || !state.work) continue;
    const node = nodes.find((n) => n.name === state.target.name);
    if (!node) continue;
    const labels = missingLabels(state.work.install.labels, node);
    const keys = Object.keys(labels);
    if (keys.length === 0) {
      if (Object.keys(state.work.install.labels).length > 0) state.summary.unchanged.push(`node labels already set (${Object.keys(state.work.install.labels).join(', ')})`);
      continue;
    }
    try {
      await fleet.root(server, labelNodeScript(node.name, labels), `labelling node ${node.name}`);
      const change = `node labels set: ${keys.map((k) => `${k}=${labels[k]}`).join(', ')}`;
      state.summary.changed.push(change);
      fleet.say(state.target.name, change);
    } catch (err) {
      fleet.fail(state, err);
    }
  }
}

/** `reset`: uninstall K3s, restore daemon.json from its backup, drop the kubeconfig context. */
export async function runReset(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const fleet = new Fleet(options);
  const dryRun = options.dryRun ?? false;
  const summary: RunSummary = { command: 'reset', dryRun, ok: false, hosts: fleet.hosts.map((h) => h.summary), durationMs: 0 };
  try {
    await fleet.connect();
    const steps = [
      { title: 'uninstall K3s (k3s-uninstall.sh / k3s-agent-uninstall.sh)', script: UNINSTALL_K3S_SCRIPT },
      { title: `restore ${DAEMON_JSON_PATH} from its backup`, script: RESTORE_DAEMON_JSON_SCRIPT },
    ];
    await Promise.all(fleet.live().map(async (state) => {
      if (dryRun) {
        state.summary.plannedSteps = steps.map((s) => ({ ...s, uploads: [] }));
        for (const s of steps) fleet.say(state.target.name, `would: ${s.title}`);
        return;
      }
      try {
        const uninstalled = (await fleet.root(state, UNINSTALL_K3S_SCRIPT, 'K3s uninstall')).trim().split('\n').pop() ?? '';
        const ran = uninstalled.replace(/^uninstalled:/, '').trim();
        if (ran) state.summary.changed.push(`K3s uninstalled (${ran})`);
        else state.summary.unchanged.push('K3s was not installed');
        const restored = (await fleet.root(state, RESTORE_DAEMON_JSON_SCRIPT, 'daemon.json restore')).trim().split('\n').pop();
        if (restored === 'restored') state.summary.changed.push('daemon.json restored from backup; Docker restarted');
        else if (restored === 'same') state.summary.changed.push('daemon.json backup removed (same as current)');
        else state.summary.unchanged.push('daemon.json has no backup (never changed by triton-jetson)');
        fleet.say(state.target.name, [...state.summary.changed].join('; ') || 'nothing to reset');
      } catch (err) {
        fleet.fail(state, err);
      }
    }));
    if (!dryRun) {
      const { config } = options;
      const path = kubeconfigTarget(fleet);
      const existing = readIfExists(path);
      const pruned = existing === undefined ? undefined : removeFromKubeconfig(existing, config.kubeconfig.context);
      if (pruned !== undefined) writePrivateFileAtomically(path, pruned.text);
      const currentContext = pruned ? describeCurrentContext(pruned.currentContext) : undefined;
      summary.kubeconfig = { path, context: config.kubeconfig.context, changed: pruned !== undefined, ...(currentContext ? { currentContext } : {}) };
      fleet.say('local', pruned ? `kubeconfig: context "${config.kubeconfig.context}" removed from ${path}; ${currentContext}` : `kubeconfig: ${path} has no context "${config.kubeconfig.context}"`);
    }
    summary.ok = fleet.hosts.every((h) => h.summary.status === 'ok');
    return summary;
  } finally {
    await fleet.close();
    summary.durationMs = Date.now() - started;
  }
}
