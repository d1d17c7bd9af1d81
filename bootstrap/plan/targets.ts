/**
 * SSH targets: the inventory's hosts resolved through ~/.ssh/config the way `ssh <alias>`
 * would (HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile) — the thing
 * k3sup lacks. Precedence: the node's own fields, then ~/.ssh/config, then the inventory's
 * `ssh` defaults, then OpenSSH's defaults. Every value taken from ~/.ssh/config is checked
 * as strictly as the cluster description's (it reaches the plan, --tls-san and the
 * kubeconfig URL); ProxyCommand, which would be ignored, is refused.
 */
import SSHConfig from 'ssh-config';
import { z } from 'zod';
import { describeIssues } from '../../lib/config/issues';
import { jumpHost, loginName, type HostConfig, type InventoryConfig } from '../../lib/config/inventory-schema';
import { hostOrIp, tcpPort } from '../../lib/config/validators';

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
  /** The config already parsed (Includes followed: executor/ssh-config-file.ts); wins over sshConfigText. */
  readonly sshConfig?: SSHConfig;
  /** The config's file, for messages. @default "~/.ssh/config" */
  readonly sshConfigFile?: string;
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
    this.parsed = context.sshConfig ?? (context.sshConfigText !== undefined ? SSHConfig.parse(context.sshConfigText) : undefined);
  }

  /** Every node, server first; two nodes that reach the same address and port are refused. */
  nodes(): NodeTarget[] {
    const nodes = this.inventory.nodes;
    if (!nodes) throw new Error('nodes: missing; describe nodes.server (and nodes.agents) in the cluster description');
    const targets = [
      { name: nodes.server.name, role: 'server' as const, config: nodes.server, ssh: this.endpointForHost(nodes.server) },
      ...nodes.agents.map((a) => ({ name: a.name, role: 'agent' as const, config: a, ssh: this.endpointForHost(a) })),
    ];
    const field = (i: number) => (i === 0 ? 'nodes.server' : `nodes.agents[${i - 1}]`);
    targets.forEach((t, i) => {
      const j = targets.findIndex((o) => o.ssh.host.toLowerCase() === t.ssh.host.toLowerCase() && o.ssh.port === t.ssh.port);
      if (j < i) {
        throw new Error(`${field(j)} "${targets[j].name}" and ${field(i)} "${t.name}" both reach ${t.ssh.host}:${t.ssh.port} (through ${this.configName}); one board would get both installs: list each board once`);
      }
    });
    return targets;
  }

  private get configName(): string {
    return this.context.sshConfigFile ?? '~/.ssh/config';
  }

  /** A value of ~/.ssh/config for `alias`, checked with the cluster description's validator. */
  private checked<T>(alias: string, key: string, value: unknown, schema: z.ZodType<T>): T {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const problem = describeIssues(undefined, result.error.issues)[0].replace(/^\(top level\): /, '');
    throw new Error(`${this.configName}: ${key} ${JSON.stringify(String(value)).slice(0, 80)} for "${alias}" ${problem}; fix it there or set the node's ${key.toLowerCase() === 'hostname' ? 'address' : key.toLowerCase()} in the cluster description`);
  }

  /** The known_hosts file to use: the inventory's, or UserKnownHostsFile from ~/.ssh/config. */
  knownHostsFile(alias: string): string {
    const computed = this.compute(alias);
    const listed = first(computed.userknownhostsfile ?? computed.UserKnownHostsFile);
    const fromConfig = listed === undefined ? undefined : this.checked(alias, 'UserKnownHostsFile', listed, localPath);
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

  private endpoint(alias: string, explicit: { user?: string; port?: number; identityFile?: string; bastion?: string }, depth: number, via?: SshEndpoint): SshEndpoint {
    if (depth > 4) throw new Error(`ssh: ProxyJump chain for "${alias}" is longer than 4 hops (a loop in ${this.configName}?)`);
    const computed = this.compute(alias);
    // ssh-config lower-cases keys with ignoreCase; accept both spellings.
    const get = (key: string) => computed[key.toLowerCase()] ?? computed[key];
    const proxyCommand = first(get('ProxyCommand'));
    if (proxyCommand !== undefined && proxyCommand.toLowerCase() !== 'none') {
      throw new Error(`${this.configName}: ProxyCommand for "${alias}" is not supported (triton-jetson connects directly or through ProxyJump, and would otherwise bypass it); use ProxyJump (or the node's bastion in the cluster description), or "ProxyCommand none" for this host`);
    }
    const defaults = this.inventory.ssh;
    const home = this.context.homeDir;
    // A value of ~/.ssh/config is checked where it is used (a node's own field wins without looking).
    const fromConfig = <T>(key: string, schema: z.ZodType<T>, text = (v: string) => v): T | undefined => {
      const value = first(get(key));
      return value === undefined ? undefined : this.checked(alias, key, text(value), schema);
    };
    const port = explicit.port ?? fromConfig('Port', portText) ?? defaults.port ?? 22;
    const identityFiles = [
      explicit.identityFile,
      ...list(get('IdentityFile')).map((f) => this.checked(alias, 'IdentityFile', f, localPath)),
      defaults.identityFile,
    ].filter((f): f is string => f !== undefined).map((f) => expandHome(f, home));
    let jump = via;
    if (!via) {
      const configJump = first(get('ProxyJump'));
      const jumpSpec = explicit.bastion ?? configJump ?? defaults.bastion;
      if (jumpSpec && jumpSpec.toLowerCase() !== 'none') {
        // "a,b": reach a, then b through a, then this host through b (ssh -J a,b).
        for (const hop of jumpSpec.split(',')) {
          const spec = parseJumpSpec(jumpSpec === configJump ? this.checked(alias, 'ProxyJump', hop, jumpHost) : hop);
          jump = this.endpoint(spec.host, { user: spec.user, port: spec.port }, depth + 1, jump);
        }
      }
    }
    return {
      alias,
      host: fromConfig('HostName', hostOrIp, (v) => hostNameOf(v, alias)) ?? alias,
      port,
      user: explicit.user ?? fromConfig('User', loginName) ?? defaults.user ?? this.context.localUser,
      identityFiles: [...new Set(identityFiles)],
      jump,
    };
  }
}

/** A key file named in ~/.ssh/config: no control characters; OpenSSH's %-tokens are not expanded here. */
const localPath = z
  .string()
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must be a file path without control characters')
  .refine((v) => !/%[^%]/.test(v.replace(/%%/g, '')), 'uses an OpenSSH %-token, which triton-jetson does not expand; write the path out (~ is expanded)');

/** ssh_config's HostName: "%h" is the alias, "%%" a percent sign; other tokens are not supported. */
function hostNameOf(value: string, alias: string): string {
  return value.replace(/%([%h])/g, (_m, t: string) => (t === 'h' ? alias : '%'));
}

/** A Port line: digits, then a TCP port. */
const portText = z.string().regex(/^\d{1,6}$/, 'must be a TCP port between 1 and 65535').transform(Number).pipe(tcpPort);

