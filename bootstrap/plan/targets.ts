/**
 * SSH targets: the inventory's hosts resolved through ~/.ssh/config the way `ssh <alias>`
 * would (HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile) — the thing
 * k3sup lacks. Precedence: the node's own fields, then ~/.ssh/config, then the inventory's
 * `ssh` defaults, then OpenSSH's defaults. Every value taken from ~/.ssh/config is checked
 * as strictly as the cluster description's (it reaches the plan, --tls-san and the
 * kubeconfig URL); ProxyCommand and CanonicalizeHostname, which would be ignored, are
 * refused, and so is a Match block whose criteria it cannot evaluate as ssh does when it
 * could change what is taken.
 */
import SSHConfig from 'ssh-config';
import { z } from 'zod';
import { describeIssues } from '../../lib/config/issues';
import { jumpHost, loginName, type HostConfig, type InventoryConfig } from '../../lib/config/inventory-schema';
import { hostOrIp, isIPv4, tcpPort } from '../../lib/config/validators';

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

/** Match criteria ssh-config evaluates as ssh does; it takes the others (exec, which it is told not to run, canonical, localnetwork, tagged) and negated ones ("!host") as no match. */
const EVALUATED_MATCH_CRITERIA = new Set(['all', 'host', 'originalhost', 'user', 'localuser', 'final']);

/** What triton-jetson takes from the SSH config (keys as `compute` gives them with ignoreCase), and the field of the cluster description that overrides each. */
const TAKEN = {
  hostname: ['HostName', 'address'], port: ['Port', 'port'], user: ['User', 'user'], identityfile: ['IdentityFile', undefined], // offered after the node's own key, so always taken
  proxyjump: ['ProxyJump', 'bastion'], proxycommand: ['ProxyCommand', 'bastion'], userknownhostsfile: ['UserKnownHostsFile', 'ssh.knownHostsFile'],
  canonicalizehostname: ['CanonicalizeHostname', 'address'], canonicaldomains: ['CanonicalDomains', 'address'],
} as const;
type TakenKey = keyof typeof TAKEN;

type Criteria = Record<string, unknown>;
const undecidable = (criteria: Criteria) => Object.keys(criteria).some((k) => !EVALUATED_MATCH_CRITERIA.has(k.toLowerCase()));

/** The config with every Match criterion ssh-config cannot evaluate taken as matching; undefined when there is none. */
function assumingUndecidableMatches(config: SSHConfig): SSHConfig | undefined {
  const lines = config.map((line) => {
    const criteria = (line as { criteria?: Criteria }).criteria;
    if (!criteria || !undecidable(criteria)) return line;
    return { ...line, criteria: Object.fromEntries(Object.entries(criteria).filter(([k]) => EVALUATED_MATCH_CRITERIA.has(k.toLowerCase()))) };
  });
  if (lines.every((line, i) => line === config[i])) return undefined;
  const copy = SSHConfig.parse('');
  copy.push(...(lines as SSHConfig[number][]));
  return copy;
}

/**
 * The config with every `CanonicalizeHostname yes` of a Host block given as a one-word list:
 * ssh-config's compute runs `nslookup <name>.<domain>` for such a block when the value is the
 * plain string "yes". The value reads the same (`first`), nothing is run, and the endpoint
 * refuses canonicalization instead.
 */
function withoutLookups(config: SSHConfig): SSHConfig {
  const copy = SSHConfig.parse('');
  for (const line of config) {
    const block = line as { config?: SSHConfig };
    if (!block.config?.some((l) => 'param' in l && /^canonicalizehostname$/i.test(l.param) && l.value === 'yes')) {
      copy.push(line);
      continue;
    }
    const config = SSHConfig.parse('');
    config.push(...block.config.map((l) => ('param' in l && /^canonicalizehostname$/i.test(l.param) && l.value === 'yes' ? { ...l, value: [{ val: 'yes', separator: ' ' }] } : l)) as SSHConfig[number][]);
    copy.push({ ...line, config } as SSHConfig[number]);
  }
  return copy;
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
  /** The config as it would be if every Match criterion triton-jetson cannot evaluate held. */
  private readonly assumingMatch?: SSHConfig;

  constructor(private readonly inventory: InventoryConfig, private readonly context: ResolveContext) {
    const parsed = context.sshConfig ?? (context.sshConfigText !== undefined ? SSHConfig.parse(context.sshConfigText) : undefined);
    this.parsed = parsed && withoutLookups(parsed);
    this.assumingMatch = this.parsed && assumingUndecidableMatches(this.parsed);
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
    const configured = this.inventory.ssh.knownHostsFile;
    const computed = this.compute(alias, undefined, configured === '~/.ssh/known_hosts' ? ['userknownhostsfile'] : []);
    const listed = first(computed.userknownhostsfile ?? computed.UserKnownHostsFile);
    const fromConfig = listed === undefined ? undefined : this.checked(alias, 'UserKnownHostsFile', listed, localPath);
    const file = configured !== '~/.ssh/known_hosts' || !fromConfig ? configured : fromConfig;
    return expandHome(file, this.context.homeDir);
  }

  /**
   * The config's values for `alias` as ssh computes them for `user` (as `ssh -l user`: "Match
   * user" sees it). A `taken` value that a Match block triton-jetson cannot evaluate could
   * change is refused rather than guessed.
   */
  private compute(alias: string, user: string | undefined, taken: readonly TakenKey[]): Record<string, string | string[]> {
    if (!this.parsed) return {};
    const query = user === undefined ? { Host: alias } : { Host: alias, User: user };
    const options = { ignoreCase: true, matchExec: false };
    const computed = this.parsed.compute(query, options);
    if (this.assumingMatch) {
      const otherwise = this.assumingMatch.compute(query, options);
      const key = taken.find((k) => JSON.stringify(computed[k]) !== JSON.stringify(otherwise[k]));
      if (key !== undefined) throw new Error(this.undecidableMatch(alias, key));
    }
    return computed;
  }

  private undecidableMatch(alias: string, key: TakenKey): string {
    const block = this.parsed!.find((line) => {
      const { criteria, config } = line as { criteria?: Criteria; config?: SSHConfig };
      return criteria !== undefined && undecidable(criteria) && (config ?? []).some((l) => 'param' in l && l.param.toLowerCase() === key);
    }) as { value: string | { val: string }[] } | undefined;
    const words = block === undefined ? '' : typeof block.value === 'string' ? block.value : block.value.map((w) => w.val).join(' ');
    const [name, field] = TAKEN[key];
    return `${this.configName}: "Match ${words}" may set ${name} for "${alias}", and triton-jetson does not evaluate exec, a negated criterion, canonical, localnetwork or tagged as ssh does; ` +
      `put the setting in a Host block${field === undefined ? '' : `, or set the node's ${field} in the cluster description`}`;
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
    const taken: TakenKey[] = ['hostname', 'proxycommand', 'identityfile', 'canonicalizehostname', 'canonicaldomains'];
    if (explicit.port === undefined) taken.push('port');
    if (explicit.user === undefined) taken.push('user');
    if (!via && explicit.bastion === undefined) taken.push('proxyjump');
    const computed = this.compute(alias, explicit.user, taken);
    // ssh-config lower-cases keys with ignoreCase; accept both spellings.
    const get = (key: string) => computed[key.toLowerCase()] ?? computed[key];
    const canonicalize = first(get('CanonicalizeHostname'))?.toLowerCase();
    const maxDots = Number(first(get('CanonicalizeMaxDots')) ?? 1);
    // ssh looks an unqualified name up in CanonicalDomains, then applies the full name's Host blocks (ssh.c, resolve_canonicalize).
    if ((canonicalize === 'yes' || canonicalize === 'always') && list(get('CanonicalDomains')).length > 0 && !isIPv4(alias) && alias.split('.').length - 1 <= maxDots) {
      throw new Error(`${this.configName}: CanonicalizeHostname ${canonicalize} with CanonicalDomains for "${alias}": ssh would look the name up in those domains and apply the Host blocks of the full name, which triton-jetson does not; ` +
        'set the node\'s address to the full name, or "CanonicalizeHostname no" for this host');
    }
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
      // ssh.bastion is the nodes' jump host; a hop (depth > 0) does not jump through itself.
      const jumpSpec = explicit.bastion ?? configJump ?? (depth === 0 ? defaults.bastion : undefined);
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

/** A key file named in ~/.ssh/config: no control characters; OpenSSH's %-tokens and ${VAR}s are not expanded here. */
const localPath = z
  .string()
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must be a file path without control characters')
  .refine((v) => !/%[^%]/.test(v.replace(/%%/g, '')), 'uses an OpenSSH %-token, which triton-jetson does not expand; write the path out (~ is expanded)')
  .refine((v) => !v.includes('${'), 'uses an environment variable (${...}), which triton-jetson does not expand; write the path out (~ is expanded)');

/** ssh_config's HostName: "%h" is the alias, "%%" a percent sign; other tokens are not supported. */
function hostNameOf(value: string, alias: string): string {
  return value.replace(/%([%h])/g, (_m, t: string) => (t === 'h' ? alias : '%'));
}

/** A Port line: digits, then a TCP port. */
const portText = z.string().regex(/^\d{1,6}$/, 'must be a TCP port between 1 and 65535').transform(Number).pipe(tcpPort);

