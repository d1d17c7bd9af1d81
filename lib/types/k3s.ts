/**
 * K3s, the kubeconfig, node preparation and the NFS server: the rest of cluster.yaml's hosts
 * side (inventory.ts has the nodes and SSH), as written and as validated. docs/bootstrap.md.
 */
import type { ProfilePowerModes } from './power-mode';

/** K3s: runtime, release, flags (cluster.yaml `k3s`). */
export interface K3sOptions {
  /**
   * Container runtime: Docker with nvidia as default runtime (the tutorial), or K3s' containerd.
   * @default "docker"
   */
  readonly runtime?: 'docker' | 'containerd';
  /**
   * K3s release to install: v1.34 or older, newer only when every node is declared jetpack6.
   * @default "v1.34.12+k3s1"
   */
  readonly version?: string;
  /**
   * File holding the cluster token; generated (mode 0600) when absent.
   * @default ".triton-jetson/<context>/token" beside the cluster description
   */
  readonly tokenFile?: string;
  /**
   * K3s flags for every node.
   * @default []
   */
  readonly extraArgs?: string[];
  /**
   * K3s flags for the server only.
   * @default []
   */
  readonly serverArgs?: string[];
  /**
   * K3s flags for the agents only.
   * @default []
   */
  readonly agentArgs?: string[];
  /**
   * Packaged components the server disables.
   * @default ["servicelb", "traefik"]
   */
  readonly disable?: string[];
  /**
   * Label nodes verified to be Jetsons with triton-jetson.dev/jetson=true.
   * @default true
   */
  readonly labelJetsonNodes?: boolean;
  /**
   * Installer script URL, e.g. a mirror (ignored with `airGapDir`); run as given, not checked.
   * @default - the install.sh of the K3s release `version` (raw.githubusercontent.com/k3s-io/k3s/<version>/install.sh), checked against that release's install.sh.sha256sum
   */
  readonly installScriptUrl?: string;
  /**
   * Local folder with install.sh, the k3s-arm64 binary and the air-gap images, for hosts without internet.
   * @default - online install
   */
  readonly airGapDir?: string;
  /**
   * Seconds to wait for every node to be Ready (1-3600).
   * @default 300
   */
  readonly readyTimeoutSeconds?: number;
}

/** {@link K3sOptions} with every default filled in. */
export interface K3sSettings {
  /** Container runtime. */
  runtime: 'docker' | 'containerd';
  /** K3s release. */
  version: string;
  /**
   * Token file.
   * @default ".triton-jetson/<context>/token" beside the cluster description
   */
  tokenFile?: string;
  /** K3s flags for every node. */
  extraArgs: string[];
  /** K3s flags for the server. */
  serverArgs: string[];
  /** K3s flags for the agents. */
  agentArgs: string[];
  /** Disabled components. */
  disable: string[];
  /** Label verified Jetsons. */
  labelJetsonNodes: boolean;
  /**
   * Installer script URL.
   * @default - the release's own install.sh, checked against its install.sh.sha256sum
   */
  installScriptUrl?: string;
  /**
   * Air-gap folder.
   * @default - online install
   */
  airGapDir?: string;
  /** Seconds to wait for Ready nodes. */
  readyTimeoutSeconds: number;
}

/** The kubeconfig the cluster's context is merged into (cluster.yaml `kubeconfig`). */
export interface KubeconfigOptions {
  /**
   * Kubeconfig file (mode 0600).
   * @default "~/.kube/config" (or $KUBECONFIG's first file)
   */
  readonly path?: string;
  /**
   * Name of the context, cluster and user written there.
   * @default "triton-jetson"
   */
  readonly context?: string;
  /**
   * Make it the current context.
   * @default true
   */
  readonly setCurrentContext?: boolean;
}

/** {@link KubeconfigOptions} with every default filled in. */
export interface KubeconfigSettings {
  /**
   * Kubeconfig file.
   * @default "~/.kube/config" (or $KUBECONFIG's first file)
   */
  path?: string;
  /** Context name. */
  context: string;
  /** Make it the current context. */
  setCurrentContext: boolean;
}

/** Preparation of the nodes (cluster.yaml `hostPrep`). */
export interface HostPrepOptions {
  /**
   * Install nfs-common (mount.nfs) with apt-get where missing; otherwise only report it.
   * @default true
   */
  readonly installNfsCommon?: boolean;
  /**
   * Power mode per board profile (e.g. `jetpack4: { nvpmodel: 0, jetsonClocks: true }`); a node's own `powerMode` wins.
   * @default {} (left as it is)
   */
  readonly powerModes?: ProfilePowerModes;
}

/** {@link HostPrepOptions} with every default filled in. */
export interface HostPrepSettings {
  /** Install nfs-common where missing. */
  installNfsCommon: boolean;
  /** Power mode per board profile. */
  powerModes: ProfilePowerModes;
}

/** The NFS server, when the bootstrapper prepares it (cluster.yaml `nfsServer`). */
export interface NfsServerOptions {
  /**
   * Prepare the NFS server over SSH: install nfs-kernel-server, create and export `nfs.path`.
   * @default false
   */
  readonly managed?: boolean;
  /**
   * SSH alias or address of the NFS server.
   * @default - the value of nfs.server
   */
  readonly host?: string;
  /**
   * SSH user.
   * @default - from ~/.ssh/config, else `ssh.user`
   */
  readonly user?: string;
  /**
   * SSH port.
   * @default 22
   */
  readonly port?: number;
  /**
   * Private key file.
   * @default - as for the nodes
   */
  readonly identityFile?: string;
  /**
   * Jump host (ProxyJump).
   * @default - none
   */
  readonly bastion?: string;
  /**
   * Hosts or networks allowed to mount the export, exports(5) clients.
   * @default - every node's address
   */
  readonly clients?: string[];
  /**
   * exports(5) options; no_root_squash lets the provisioner create per-claim folders.
   * @default "rw,sync,no_subtree_check,no_root_squash"
   */
  readonly exportOptions?: string;
}

/** {@link NfsServerOptions} with every default filled in. */
export interface NfsServerSettings {
  /** Whether the bootstrapper prepares the NFS server. */
  managed: boolean;
  /**
   * SSH alias or address.
   * @default - the value of nfs.server
   */
  host?: string;
  /**
   * SSH user.
   * @default - from ~/.ssh/config, else `ssh.user`
   */
  user?: string;
  /**
   * SSH port.
   * @default 22
   */
  port?: number;
  /**
   * Private key file.
   * @default - as for the nodes
   */
  identityFile?: string;
  /**
   * Jump host.
   * @default - none
   */
  bastion?: string;
  /**
   * Allowed clients.
   * @default - every node's address
   */
  clients?: string[];
  /** exports(5) options. */
  exportOptions: string;
}
