/**
 * SSH targets: the inventory's hosts resolved through ~/.ssh/config the way `ssh <alias>`
 * would (HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile) — the thing
 * k3sup lacks. Precedence: the node's own fields, then ~/.ssh/config, then the inventory's
 * `ssh` defaults, then OpenSSH's defaults.
 */
import SSHConfig from 'ssh-config';
import type { HostConfig, InventoryConfig } from '../../lib/config/inventory-schema';

/** A place to open an SSH connection to. */
export interface SshEndpoint {
  /** The alias as written (inventory name/address or jump spec). */
  readonly alias: string;
  /** Network address after HostName resolution. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Private key files to offer, in order (already ~-expanded). */
  readonly identityFiles: readonly string[];
  /** Jump host reached first, if any. */
  readonly jump?: SshEndpoint;
}

export interface NodeTarget {
  readonly name: string;
  readonly role: 'server' | 'agent';
  readonly config: HostConfig;
  readonly ssh: SshEndpoint;
}

export interface ResolveContext {
  /** Text of the OpenSSH client config (undefined when the file does not exist). */
  readonly sshConfigText?: string;
  readonly homeDir: string;
  /** Login name used when nothing else names a user. */
  readonly localUser: string;
}

export function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/')) return `${homeDir}/${path.slice(2)}`;
  return path;
}

function first(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : value;
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Splits "[user@]host[:port]". */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  const at = spec.lastIndexOf('@');
  const user = at >= 0 ? spec.slice(0, at) : undefined;
  const rest = at >= 0 ? spec.slice(at + 1) : spec;
  const colon = rest.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(rest.slice(colon + 1))) {
    return { user, host: rest.slice(0, colon), port: Number(rest.slice(colon + 1)) };
  }
  return { user, host: rest };
}

export class TargetResolver {
  private readonly parsed?: SSHConfig;

  constructor(private readonly inventory: InventoryConfig, private readonly context: ResolveContext) {
    this.parsed = context.sshConfigText !== undefined ? SSHConfig.parse(context.sshConfigText) : undefined;
  }

  /** Every node, server first. */
  nodes(): NodeTarget[] {
    const nodes = this.inventory.nodes;
    if (!nodes) throw new Error('nodes: missing; describe nodes.server (and nodes.agents) in the cluster description');
    return [
      { name: nodes.server.name, role: 'server' as const, config: nodes.server, ssh: this.endpointForHost(nodes.server) },
      ...nodes.agents.map((a) => ({ name: a.name, role: 'agent' as const, config: a, ssh: this.endpointForHost(a) })),
    ];
  }

  /** The known_hosts file to use: the inventory's, or UserKnownHostsFile from ~/.ssh/config. */
  knownHostsFile(alias: string): string {
    const computed = this.compute(alias);
    const fromConfig = first(computed.userknownhostsfile ?? computed.UserKnownHostsFile)?.split(/\s+/)[0];
    const configured = this.inventory.ssh.knownHostsFile;
    const file = configured !== '~/.ssh/known_hosts' || !fromConfig ? configured : fromConfig;
    return expandHome(file, this.context.homeDir);
  }

  private compute(alias: string): Record<string, string | string[]> {
    if (!this.parsed) return {};
    return this.parsed.compute(alias, { ignoreCase: true, matchExec: false }) as Record<string, string | string[]>;
  }

  /** The endpoint for an extra host (e.g. the NFS server), resolved like a node. */
  extraHost(alias: string, explicit: { user?: string; port?: number; identityFile?: string; bastion?: string }): SshEndpoint {
    return this.endpoint(alias, explicit, 0);
  }

  private endpointForHost(host: HostConfig): SshEndpoint {
    const alias = host.address ?? host.name;
    return this.endpoint(alias, {
      user: host.user,
      port: host.port,
      identityFile: host.identityFile,
      bastion: host.bastion,
    }, 0);
  }

  private endpoint(alias: string, explicit: { user?: string; port?: number; identityFile?: string; bastion?: string }, depth: number): SshEndpoint {
    if (depth > 4) throw new Error(`ssh: ProxyJump chain for "${alias}" is longer than 4 hops (a loop in ~/.ssh/config?)`);
    const computed = this.compute(alias);
    // ssh-config lower-cases keys with ignoreCase; accept both spellings.
    const get = (key: string) => computed[key.toLowerCase()] ?? computed[key];
    const defaults = this.inventory.ssh;
    const home = this.context.homeDir;
    const port = explicit.port ?? numberOrUndefined(first(get('Port'))) ?? defaults.port ?? 22;
    const identityFiles = [
      explicit.identityFile,
      ...list(get('IdentityFile')),
      defaults.identityFile,
    ].filter((f): f is string => f !== undefined).map((f) => expandHome(f, home));
    const jumpSpec = explicit.bastion ?? first(get('ProxyJump')) ?? defaults.bastion;
    let jump: SshEndpoint | undefined;
    if (jumpSpec && jumpSpec.toLowerCase() !== 'none') {
      const spec = parseJumpSpec(jumpSpec.split(',')[0]);
      jump = this.endpoint(spec.host, { user: spec.user, port: spec.port }, depth + 1);
    }
    return {
      alias,
      host: first(get('HostName'))?.replace(/%h/g, alias) ?? alias,
      port,
      user: explicit.user ?? first(get('User')) ?? defaults.user ?? this.context.localUser,
      identityFiles: [...new Set(identityFiles)],
      jump,
    };
  }
}

function numberOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
