/**
 * One SSH connection per host (node-ssh over ssh2), reused for every step: host key
 * checked against known_hosts, keys from ~/.ssh/config or the agent, an optional jump
 * host. A Transport: it runs commands as the SSH user; how root runs is root-access.ts's.
 */

import { PassThrough, Readable } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import type { ConnectConfig } from 'ssh2';
import { readLocalFile, streamLocalFile, type LocalFileKind } from '../../lib/local-file';
import { shQuote } from '../plan/shell';
import type { SshEndpoint } from '../plan/targets';
import { KnownHosts, keyTypeOf, knownHostsName, type HostKeyVerdict } from './known-hosts';
import { HostError, type ExecResult, type Transport } from './transport';

export interface SessionOptions {
  readonly endpoint: SshEndpoint;
  readonly knownHosts: KnownHosts;
  /** Accept and record keys of hosts not in known_hosts. */
  readonly trustNewHosts: boolean;
  /** Dry run: a trusted new key is accepted but not recorded. */
  readonly recordNewHosts: boolean;
  readonly connectTimeoutMs: number;
  readonly homeDir: string;
  /** SSH agent socket ($SSH_AUTH_SOCK). */
  readonly agentSocket?: string;
  /** Opens (or reuses) the connection to a jump host. */
  readonly openJump?: (endpoint: SshEndpoint) => Promise<SshSession>;
  /** Commands running at once over this connection; more wait for a free channel. @default MAX_CHANNELS */
  readonly maxChannels?: number;
}

/**
 * Commands running at once over one connection. OpenSSH's sshd allows 10 sessions per
 * connection (MaxSessions, sshd_config(5)) and refuses more ("Channel open failure"); an
 * upgrade with many agents in flight runs a kubectl call on the server for each.
 */
export const MAX_CHANNELS = 8;

/** Most bytes (stdout and stderr together) read from one command on a board. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa',
];

/** Host key algorithms with the ones known_hosts holds first, so the check can match. */
function hostKeyAlgorithms(knownTypes: readonly string[]): string[] {
  const preferred = knownTypes.flatMap((t) => (t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t]));
  return [...new Set([...preferred.filter((a) => DEFAULT_HOST_KEY_ALGORITHMS.includes(a)), ...DEFAULT_HOST_KEY_ALGORITHMS])];
}

/**
 * Shell commands (for the user to copy) that add or remove a host's key in the
 * known_hosts file in use, every word quoted: `ssh-keyscan -p PORT HOST >> FILE` and
 * `ssh-keygen -f FILE -R NAME` (NAME `[host]:port` off port 22). The default file is
 * written `~/.ssh/known_hosts`.
 */
export function hostKeyHints(file: string, host: string, port: number, homeDir: string): { readonly fileLabel: string; readonly add: string; readonly remove: string } {
  const shownFile = file === `${homeDir.replace(/\/+$/, '')}/.ssh/known_hosts` ? '~/.ssh/known_hosts' : shQuote(file);
  return {
    fileLabel: shownFile,
    add: `ssh-keyscan -p ${port} ${shQuote(host)} >> ${shownFile}`,
    remove: `ssh-keygen -f ${shownFile} -R ${shQuote(knownHostsName(host, port))}`,
  };
}

/**
 * The command that stores stdin at `remote`, a new file (mode 0600) in a folder that must
 * already exist (the login user's private upload folder): nothing is created elsewhere, and
 * an existing file is never written through (noclobber). Every name is quoted as data.
 */
export function uploadCommand(remote: string): string {
  return `umask 077 && set -C && cat > ${shQuote(remote)}`;
}

export class SshSession implements Transport {
  private readonly ssh = new NodeSSH();
  private lostReason?: string;
  /** Completed SSH handshakes of this session (target: 1 per host per run). */
  handshakes = 0;
  private channelLimit: number;
  private channelsOpen = 0;
  private readonly channelWaiters: (() => void)[] = [];

  constructor(private readonly options: SessionOptions) {
    this.channelLimit = options.maxChannels ?? MAX_CHANNELS;
  }

  get label(): string {
    const { user, host, port } = this.options.endpoint;
    return `${user}@${host}:${port}`;
  }

  async connect(): Promise<void> {
    const { endpoint, knownHosts } = this.options;
    let verdict: HostKeyVerdict | undefined;
    let offeredKey: Buffer | undefined;
    const auth = this.authMethods();
    if (auth.length === 0) {
      throw new HostError('auth', `no SSH key for ${this.label}: set identityFile on the node (or ssh.identityFile), add IdentityFile to ~/.ssh/config, or start ssh-agent`);
    }
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      readyTimeout: this.options.connectTimeoutMs,
      // A K3s install can print nothing for minutes; keepalives stop NATs and firewalls from
      // dropping the quiet connection, and notice a node that went away.
      keepaliveInterval: 15000,
      keepaliveCountMax: 8,
      authHandler: auth,
      algorithms: { serverHostKey: hostKeyAlgorithms(knownHosts.knownKeyTypes(endpoint.host, endpoint.port)) as never },
      hostVerifier: (key: Buffer) => {
        offeredKey = key;
        verdict = knownHosts.verify(endpoint.host, endpoint.port, key);
        if (verdict === 'known') return true;
        if (verdict === 'unknown' && this.options.trustNewHosts) {
          if (this.options.recordNewHosts) knownHosts.add(endpoint.host, endpoint.port, key);
          return true;
        }
        return false;
      },
    };
    if (endpoint.jump) {
      if (!this.options.openJump) throw new HostError('unreachable', `${this.label}: jump host ${endpoint.jump.alias} not supported here`);
      const jump = await this.options.openJump(endpoint.jump);
      config.sock = await jump.forward(endpoint.host, endpoint.port);
    }
    try {
      await this.ssh.connect(config as never);
      this.handshakes += 1;
      // node-ssh stops listening for errors once connected; a reset after that (node
      // rebooted, sshd killed) must fail the next command, not crash the process.
      this.ssh.connection?.on('error', (err: Error) => {
        this.lostReason = err.message;
      });
      // node-ssh listens for errors once per running command, besides the listener above.
      this.ssh.connection?.setMaxListeners(Math.max(10, this.channelLimit + 2));
    } catch (err) {
      throw this.explain(err as Error & { level?: string; code?: string }, verdict, offeredKey);
    }
  }

  private authMethods(): NonNullable<ConnectConfig['authHandler']> {
    const { endpoint, homeDir, agentSocket } = this.options;
    const methods: { type: string; username: string; key?: Buffer; agent?: string }[] = [];
    const files = endpoint.identityFiles.length > 0
      ? endpoint.identityFiles
      : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => `${homeDir}/.ssh/${f}`);
    for (const file of files) {
      // Read bounded, and only when it is yours and private (as OpenSSH refuses an unprotected key).
      let key: Buffer | undefined;
      try {
        key = readLocalFile(file, 'SSH key', { access: 'private' });
      } catch (err) {
        // A default key that is not usable is skipped, as ssh does; a named one is an error.
        if (endpoint.identityFiles.includes(file)) throw new HostError('auth', `${this.label}: ${(err as Error).message}`);
        continue;
      }
      if (key) methods.push({ type: 'publickey', username: endpoint.user, key });
      else if (endpoint.identityFiles.includes(file)) {
        throw new HostError('auth', `${this.label}: identity file ${file} does not exist; fix identityFile in the cluster description or ~/.ssh/config`);
      }
    }
    if (agentSocket) methods.push({ type: 'agent', username: endpoint.user, agent: agentSocket });
    return methods as never;
  }

  private explain(err: Error & { level?: string; code?: string }, verdict: HostKeyVerdict | undefined, key: Buffer | undefined): HostError {
    const { endpoint, knownHosts } = this.options;
    const name = knownHostsName(endpoint.host, endpoint.port);
    const hints = hostKeyHints(knownHosts.file, endpoint.host, endpoint.port, this.options.homeDir);
    if (verdict === 'unknown' && key) {
      return new HostError('host-key', `${this.label}: host key not in ${hints.fileLabel} (${keyTypeOf(key)}); check it, then rerun with --trust-new-hosts to record it, or add it with: ${hints.add}`);
    }
    if (verdict === 'changed') {
      return new HostError('host-key', `${this.label}: HOST KEY CHANGED for ${name} in ${hints.fileLabel} — refusing to connect (possible man-in-the-middle). If the board was reflashed, remove the old key with: ${hints.remove}`);
    }
    if (verdict === 'revoked') {
      return new HostError('host-key', `${this.label}: host key is marked @revoked in known_hosts; refusing to connect`);
    }
    if (err.level === 'client-authentication') {
      return new HostError('auth', `${this.label}: authentication failed (tried ${this.options.endpoint.identityFiles.join(', ') || 'default keys'}${this.options.agentSocket ? ' and the SSH agent' : ''}); install your public key on the node (ssh-copy-id -p ${endpoint.port} ${shQuote(`${endpoint.user}@${endpoint.host}`)}) or fix user/identityFile`);
    }
    if (err.level === 'client-timeout' || err.code === 'ETIMEDOUT') {
      return new HostError('unreachable', `${this.label}: no SSH answer within ${Math.round(this.options.connectTimeoutMs / 1000)}s; check the address, the network and that sshd runs`);
    }
    return new HostError('unreachable', `${this.label}: cannot connect (${err.code ?? err.message}); check the address/port and that sshd runs`);
  }

  /** A TCP stream to host:port through this connection (for ProxyJump). */
  async forward(host: string, port: number): Promise<Readable & NodeJS.WritableStream> {
    return (await this.ssh.forwardOut('127.0.0.1', 0, host, port)) as never;
  }

  /** Runs `command` as the SSH user; `stdin` (string or stream) is sent and closed. */
  async exec(command: string, stdin?: string | Readable): Promise<ExecResult> {
    if (!this.ssh.isConnected() || this.lostReason) {
      throw new HostError('unreachable', `${this.label}: connection lost${this.lostReason ? ` (${this.lostReason})` : ''}`);
    }
    // A board's answer is bounded: past MAX_ANSWER_BYTES the channel is closed and the step fails.
    let received = 0;
    let channel: { close(): void } | undefined;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_ANSWER_BYTES) channel?.close();
    };
    const result = await this.withChannel(() => this.ssh.execCommand(command, {
      stdin, noTrim: true, onStdout: count, onStderr: count, onChannel: (c) => { channel = c; },
    }));
    if (received > MAX_ANSWER_BYTES) {
      throw new HostError('step', `${this.label}: answered more than ${MAX_ANSWER_BYTES / 1024 / 1024} MB to one command; stopped reading it (a board's answers are a few KB)`);
    }
    return { code: result.code, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * Runs `open` when a channel is free. A board that refuses a channel while others are open
   * allows fewer sessions than the limit (a lower MaxSessions): the limit drops to what it
   * took, and the command waits for a channel to close instead of failing its step.
   */
  private async withChannel<T>(open: () => Promise<T>): Promise<T> {
    for (;;) {
      while (this.channelsOpen >= this.channelLimit) await new Promise<void>((wake) => this.channelWaiters.push(wake));
      this.channelsOpen += 1;
      try {
        return await open();
      } catch (err) {
        const others = this.channelsOpen - 1;
        if (!/Channel open failure/i.test((err as Error).message) || others === 0) throw err;
        this.channelLimit = Math.min(this.channelLimit, others);
      } finally {
        this.channelsOpen -= 1;
        this.channelWaiters.shift()?.();
      }
    }
  }

  /** Copies a local file to `remote` (as the SSH user) over this connection, read bounded as a file of `kind`. */
  async upload(local: string, remote: string, kind: LocalFileKind): Promise<void> {
    const stream = new PassThrough();
    let failure: Error | undefined;
    streamLocalFile(local, kind, { access: 'trusted' }).on('error', (e) => {
      failure = e;
      stream.destroy(e);
    }).pipe(stream);
    const result = await this.exec(uploadCommand(remote), stream);
    if (failure) throw new HostError('step', `${this.label}: upload of ${local} stopped: ${failure.message}`);
    if (result.code !== 0) throw new HostError('step', `${this.label}: upload of ${local} to ${remote} failed: ${result.stderr.trim()}`);
  }

  close(): void {
    this.ssh.dispose();
  }
}
