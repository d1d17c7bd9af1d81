/**
 * The hosts side of cluster.yaml, nodes and SSH (k3s.ts has the rest): what the
 * bootstrapper reads, as written (`…Options`) and as validated (`…Settings`). docs/bootstrap.md.
 */
import type { PowerMode } from './power-mode';

/** A board generation: JetPack 4 (the tutorial's Nanos), 5 or 6 (docs/profiles.md). */
export type BoardProfileName = 'jetpack4' | 'jetpack5' | 'jetpack6';

/** One node of the cluster (cluster.yaml `nodes.server` or an entry of `nodes.agents`). */
export interface HostOptions {
  /** Node name (K3s node name and hostname), also an SSH alias looked up in ~/.ssh/config. */
  readonly name: string;
  /**
   * Address to reach the node at.
   * @default - `name` (resolved through ~/.ssh/config or DNS)
   */
  readonly address?: string;
  /**
   * SSH user.
   * @default - from ~/.ssh/config, else `ssh.user`, else the current user
   */
  readonly user?: string;
  /**
   * SSH port.
   * @default - from ~/.ssh/config, else `ssh.port`, else 22
   */
  readonly port?: number;
  /**
   * Private key file.
   * @default - from ~/.ssh/config, `ssh.identityFile`, the SSH agent or ~/.ssh/id_*
   */
  readonly identityFile?: string;
  /**
   * Jump host (ProxyJump) for this node, e.g. "pi@bastion.local:22".
   * @default - from ~/.ssh/config or `ssh.bastion`
   */
  readonly bastion?: string;
  /**
   * Extra node labels for this node.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Extra K3s flags for this node only.
   * @default []
   */
  readonly extraArgs?: string[];
  /**
   * Board generation; the preflight detects it and refuses a mismatch.
   * @default - detected
   */
  readonly profile?: BoardProfileName;
  /**
   * Board memory, e.g. "8Gi" (sizes Triton on its profile's boards).
   * @default - the profile's smallest board
   */
  readonly memory?: string;
  /**
   * Power mode the bootstrapper applies and keeps across reboots; wins over `hostPrep.powerModes`.
   * @default - its profile's `hostPrep.powerModes` entry, else left as it is
   */
  readonly powerMode?: PowerMode;
}

/** {@link HostOptions} with every default filled in. */
export interface HostSettings {
  /** Node name. */
  name: string;
  /**
   * Address to reach the node at.
   * @default - `name`
   */
  address?: string;
  /**
   * SSH user.
   * @default - from ~/.ssh/config, else `ssh.user`, else the current user
   */
  user?: string;
  /**
   * SSH port.
   * @default - from ~/.ssh/config, else `ssh.port`, else 22
   */
  port?: number;
  /**
   * Private key file.
   * @default - from ~/.ssh/config, `ssh.identityFile` or the SSH agent
   */
  identityFile?: string;
  /**
   * Jump host.
   * @default - from ~/.ssh/config or `ssh.bastion`
   */
  bastion?: string;
  /** Extra node labels. */
  labels: Readonly<Record<string, string>>;
  /** Extra K3s flags. */
  extraArgs: string[];
  /**
   * Board generation.
   * @default - detected
   */
  profile?: BoardProfileName;
  /**
   * Board memory.
   * @default - the profile's smallest board
   */
  memory?: string;
  /**
   * Power mode applied by the bootstrapper.
   * @default - its profile's entry, else left as it is
   */
  powerMode?: PowerMode;
}

/** The nodes: one K3s server and its agents (cluster.yaml `nodes`). */
export interface NodesOptions {
  /** The K3s server. */
  server: HostOptions;
  /**
   * The agents.
   * @default []
   */
  agents?: HostOptions[];
}

/** {@link NodesOptions} with every default filled in. */
export interface NodesSettings {
  /** The K3s server. */
  server: HostSettings;
  /** The agents. */
  agents: HostSettings[];
}

/** SSH defaults for every node (cluster.yaml `ssh`). */
export interface SshOptions {
  /**
   * Default SSH user.
   * @default - from ~/.ssh/config, else the current user
   */
  readonly user?: string;
  /**
   * Default SSH port.
   * @default 22
   */
  readonly port?: number;
  /**
   * Default private key file.
   * @default - the SSH agent or ~/.ssh/id_*
   */
  readonly identityFile?: string;
  /**
   * Default jump host (ProxyJump) for every node.
   * @default - none
   */
  readonly bastion?: string;
  /**
   * OpenSSH client config whose Host aliases, users, ports, keys and ProxyJump are honoured.
   * @default "~/.ssh/config"
   */
  readonly configFile?: string;
  /**
   * known_hosts file host keys are checked against.
   * @default "~/.ssh/known_hosts"
   */
  readonly knownHostsFile?: string;
  /**
   * Seconds to wait for a node's SSH handshake (1-600).
   * @default 15
   */
  readonly connectTimeoutSeconds?: number;
}

/** {@link SshOptions} with every default filled in. */
export interface SshSettings {
  /**
   * Default SSH user.
   * @default - from ~/.ssh/config, else the current user
   */
  user?: string;
  /**
   * Default SSH port.
   * @default 22
   */
  port?: number;
  /**
   * Default private key file.
   * @default - the SSH agent or ~/.ssh/id_*
   */
  identityFile?: string;
  /**
   * Default jump host.
   * @default - none
   */
  bastion?: string;
  /** OpenSSH client config. */
  configFile: string;
  /** known_hosts file. */
  knownHostsFile: string;
  /** Seconds to wait for a handshake. */
  connectTimeoutSeconds: number;
}
