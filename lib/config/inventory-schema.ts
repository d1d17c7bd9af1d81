/**
 * The hosts side of the cluster description: nodes, SSH, K3s, kubeconfig. Read by the
 * bootstrapper (and by `triton-jetson verify` to find each node's Triton).
 */
import { z } from 'zod';
import { dnsLabel, hostOrIp, httpUrl, labelValue, nodeLabelKey, positiveQuantity, tcpPort } from './validators';
import { BOARD_PROFILE_NAMES, BOARD_PROFILES } from '../board-profiles';
import { powerModeSchema, profilePowerModesSchema } from './power-mode-schema';

/** A board generation (lib/board-profiles.ts, docs/profiles.md). */
export const boardProfileName = z.enum(BOARD_PROFILE_NAMES);

/** Newest K3s minor that still runs on cgroup v1 (JetPack 4.6 / L4T r32 kernels). */
export const MAX_K3S_MINOR = 34;
/** Pinned K3s release installed when `k3s.version` is not given. */
export const DEFAULT_K3S_VERSION = 'v1.34.12+k3s1';
/** Node label the bootstrapper puts on every node it verified is a Jetson (put it in `triton.nodeSelector`). */
export const JETSON_NODE_LABEL = 'triton-jetson.dev/jetson';

/** A ProxyJump spec: `[user@]host[:port]` or an alias from ~/.ssh/config. */
export const jumpHost = z
  .string()
  .regex(/^([A-Za-z0-9._-]+@)?[A-Za-z0-9._-]+(:\d{1,5})?$/, 'must be a jump host such as "pi@bastion.local:22" or an alias from ~/.ssh/config');

/** A K3s command-line flag, e.g. "--kubelet-arg=max-pods=60" (passed as one quoted argument). */
const k3sFlag = z
  .string()
  // eslint-disable-next-line no-control-regex
  .regex(/^--[a-z0-9][-a-z0-9]*(=[^\u0000-\u001f\u007f]*)?$/, 'must be a K3s flag such as "--kubelet-arg=max-pods=60" (one flag per entry, value after "=", no newlines or control characters)')
  // The token travels as K3S_TOKEN inside the root script, from k3s.tokenFile: never in argv or a plan.
  .refine((v) => !/^--(agent-)?token(-file)?(=|$)/.test(v), 'must not set the cluster token: bootstrap passes it from k3s.tokenFile (as K3S_TOKEN, never on a command line); remove this flag and put the token in k3s.tokenFile');

/** A login name on a node (SSH user). */
export const loginName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$/, 'must be a login name such as "ubuntu" (letters, digits, ".", "_" and "-", at most 32)');

/** The K3s installer URL: an http(s) URL without quotes or shell metacharacters (percent-encode them). */
const installerUrl = httpUrl.regex(/^[^'"`\\$;&|<>(){}\u0000-\u001f\u007f]*$/, 'must not contain quotes, "$", ";", "&", "|", "<", ">", brackets or backslashes; percent-encode them (e.g. "https://get.k3s.io")');

/** exports(5) options: comma-separated words, each optionally "=value" (e.g. "rw,sync,no_subtree_check,anonuid=65534"). */
export const EXPORT_OPTIONS_PATTERN = /^[a-z_]+(=[A-Za-z0-9_:.-]+)?(,[a-z_]+(=[A-Za-z0-9_:.-]+)?)*$/;
/** An exports(5) client: host, address, network or wildcard (no spaces, quotes or parentheses). */
export const EXPORT_CLIENT_PATTERN = /^[A-Za-z0-9.*?:/_-]+$/;
const exportOptions = z
  .string()
  .regex(EXPORT_OPTIONS_PATTERN, 'must be exports(5) options such as "rw,sync,no_subtree_check" (comma-separated, no spaces or quotes)');

/**
 * A K3s release. How new it may be depends on the boards (checkK3sCeiling, at the top level
 * of the description): v1.34 at most unless every board is declared a profile without cgroup v1.
 */
export const k3sVersion = z
  .string()
  .regex(/^v1\.\d+\.\d+\+k3s\d+$/, 'must be a K3s release such as "v1.34.1+k3s1"');

/** The message for a K3s release above v1.34 on a cluster that may hold cgroup v1 boards. */
export const K3S_CGROUP_V1_MESSAGE = `must be v1.${MAX_K3S_MINOR} or older: Kubernetes 1.35+ refuses the cgroup v1 of JetPack 4.6 (e.g. "${DEFAULT_K3S_VERSION}")`;

/**
 * k3s.version against the boards: above v1.34 only when nodes are described and every one
 * declares a profile whose stock cgroup is v2 (jetpack6); else the issue names the node
 * that holds the cluster back (the bootstrapper's preflight also checks the detected cgroup).
 */
export function checkK3sCeiling(config: { readonly k3s: { readonly version: string }; readonly nodes?: z.output<typeof nodesSchema> }, ctx: z.RefinementCtx): void {
  const minor = Number(config.k3s.version.split('.')[1]);
  if (!(minor > MAX_K3S_MINOR)) return;
  const hosts = config.nodes ? [config.nodes.server, ...config.nodes.agents] : [];
  const limiting = hosts.find((h) => h.profile === undefined || BOARD_PROFILES[h.profile].maxK3sMinor !== undefined);
  if (hosts.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['k3s', 'version'], message: K3S_CGROUP_V1_MESSAGE });
  } else if (limiting) {
    const why = limiting.profile === undefined
      ? 'declares no profile (it may be a JetPack 4 board, cgroup v1)'
      : `is ${limiting.profile} (cgroup ${BOARD_PROFILES[limiting.profile].cgroup === 'unknown' ? 'v1 assumed' : BOARD_PROFILES[limiting.profile].cgroup})`;
    ctx.addIssue({ code: 'custom', path: ['k3s', 'version'], message: `${K3S_CGROUP_V1_MESSAGE}; node "${limiting.name}" ${why}` });
  }
}

export const hostSchema = z
  .object({
    /** Node name (K3s node name and hostname), also an SSH alias looked up in ~/.ssh/config. */
    name: dnsLabel,
    /** Address to reach the node at; defaults to `name` (resolved through ~/.ssh/config or DNS). */
    address: hostOrIp.optional(),
    /** SSH user; default from ~/.ssh/config, else `ssh.user`, else the current user. */
    user: loginName.optional(),
    /** SSH port; default from ~/.ssh/config, else `ssh.port`, else 22. */
    port: tcpPort.optional(),
    /** Private key file; default from ~/.ssh/config, `ssh.identityFile`, the SSH agent or ~/.ssh/id_*. */
    identityFile: z.string().min(1).optional(),
    /** Jump host (ProxyJump) for this node; default from ~/.ssh/config or `ssh.bastion`. */
    bastion: jumpHost.optional(),
    /** Extra node labels for this node (not in the kubernetes.io/k8s.io namespaces the kubelet refuses). @default {} */
    labels: z.record(nodeLabelKey, labelValue).default({}),
    /** Extra K3s flags for this node only. @default [] */
    extraArgs: z.array(k3sFlag).default([]),
    /** Board generation (jetpack4, jetpack5, jetpack6); the preflight detects it and refuses a mismatch. @default - detected */
    profile: boardProfileName.optional(),
    /** Board memory, e.g. "8Gi" (sizes Triton on its profile's boards). @default - the profile's smallest board */
    memory: positiveQuantity.optional(),
    /** Power mode the bootstrapper applies and keeps across reboots (nvpmodel mode, jetson_clocks); wins over hostPrep.powerModes. @default - its profile's hostPrep.powerModes entry, else left as it is */
    powerMode: powerModeSchema.optional(),
  })
  .strict();

/** A list or a scalar where the server and its agents belong (a common first try). */
const NODES_SHAPE_MESSAGE =
  'must be a mapping with the server apart from its agents: nodes: { server: { name, address }, agents: [ { name, address }, … ] } (see cluster.example.yaml)';

export const nodesSchema = z
  .object(
    { server: hostSchema, agents: z.array(hostSchema).default([]) },
    { error: (issue) => (issue.code === 'invalid_type' ? NODES_SHAPE_MESSAGE : undefined) },
  )
  .strict()
  .superRefine((nodes, ctx) => {
    const seen = new Set<string>();
    const addresses = new Map<string, { readonly field: string; readonly name: string }>();
    [nodes.server, ...nodes.agents].forEach((host, i) => {
      const field = i === 0 ? 'nodes.server' : `nodes.agents[${i - 1}]`;
      if (seen.has(host.name)) {
        ctx.addIssue({ code: 'custom', path: i === 0 ? ['server', 'name'] : ['agents', i - 1, 'name'], message: `duplicate node name "${host.name}"; every node needs its own name` });
      }
      seen.add(host.name);
      // One board listed twice (say as the server and as an agent) would get both installs.
      // (Two ports on one address may be two boards behind a NAT.)
      const address = `${(host.address ?? host.name).toLowerCase()}:${host.port ?? ''}`;
      const first = addresses.get(address);
      if (first === undefined) addresses.set(address, { field, name: host.name });
      else if (first.name !== host.name) {
        ctx.addIssue({ code: 'custom', path: i === 0 ? ['server', 'address'] : ['agents', i - 1, 'address'], message: `node "${host.name}" has the address "${host.address ?? host.name}" of ${first.field} "${first.name}": one board would get two installs; list each board once` });
      }
    });
  });

export const sshSchema = z
  .object({
    /** Default SSH user when neither the node nor ~/.ssh/config gives one. */
    user: loginName.optional(),
    /** Default SSH port. @default 22 */
    port: tcpPort.optional(),
    /** Default private key file. */
    identityFile: z.string().min(1).optional(),
    /** Default jump host (ProxyJump) for every node. */
    bastion: jumpHost.optional(),
    /** OpenSSH client config whose Host aliases, users, ports, keys and ProxyJump are honoured. @default "~/.ssh/config" */
    configFile: z.string().min(1).default('~/.ssh/config'),
    /** known_hosts file host keys are checked against (and recorded in with --trust-new-hosts). @default "~/.ssh/known_hosts" */
    knownHostsFile: z.string().min(1).default('~/.ssh/known_hosts'),
    /** Seconds to wait for a node's SSH handshake. @default 15 */
    connectTimeoutSeconds: z.number().int().min(1).max(600).default(15),
  })
  .strict();

export const k3sSchema = z
  .object({
    /** Container runtime of JetPack 4 boards (and boards of unknown generation): Docker with nvidia as default runtime (the tutorial), or K3s' containerd; JetPack 5/6 boards always run K3s' containerd. @default "docker" */
    runtime: z.enum(['docker', 'containerd']).default('docker'),
    /** K3s release to install: v1.34 or older, newer only when every node is declared jetpack6. @default "v1.34.12+k3s1" */
    version: k3sVersion.default(DEFAULT_K3S_VERSION),
    /** File holding the cluster token; generated (mode 0600) when absent. @default ".triton-jetson/<context>/token" beside the cluster description */
    tokenFile: z.string().min(1).optional(),
    /** K3s flags for every node. @default [] */
    extraArgs: z.array(k3sFlag).default([]),
    /** K3s flags for the server only. @default [] */
    serverArgs: z.array(k3sFlag).default([]),
    /** K3s flags for the agents only. @default [] */
    agentArgs: z.array(k3sFlag).default([]),
    /** Packaged components the server disables (the tutorial's, to avoid network trouble). @default ["servicelb", "traefik"] */
    disable: z.array(z.string().regex(/^[a-z][-a-z0-9]*$/, 'must be a K3s component such as "traefik"')).default(['servicelb', 'traefik']),
    /** Label nodes verified to be Jetsons with `triton-jetson.dev/jetson=true`. @default true */
    labelJetsonNodes: z.boolean().default(true),
    /** Installer script URL, e.g. a mirror (ignored with `airGapDir`); run as given, not checked. @default - the install.sh of the release `version`, checked against its install.sh.sha256sum */
    installScriptUrl: installerUrl.optional(),
    /** Local folder with install.sh, the k3s-arm64 binary and k3s-airgap-images-arm64.tar(.gz|.zst) for hosts without internet. */
    airGapDir: z.string().min(1).optional(),
    /** Seconds to wait for every node to be Ready. @default 300 */
    readyTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
  })
  .strict();

export const kubeconfigSchema = z
  .object({
    /** Kubeconfig the cluster's context is merged into (mode 0600). @default "~/.kube/config" (or $KUBECONFIG's first file) */
    path: z.string().min(1).optional(),
    /** Name of the context, cluster and user written there. @default "triton-jetson" */
    context: dnsLabel.default('triton-jetson'),
    /** Make it the current context. @default true */
    setCurrentContext: z.boolean().default(true),
  })
  .strict();

export const hostPrepSchema = z
  .object({
    /** Install nfs-common (mount.nfs for NFS volumes) with apt-get where missing; otherwise only report it. @default true */
    installNfsCommon: z.boolean().default(true),
    /** Power mode per board profile (e.g. `jetpack4: { nvpmodel: 0, jetsonClocks: true }`); a node's own powerMode wins. @default {} (left as it is) */
    powerModes: profilePowerModesSchema.default({}),
  })
  .strict();

export const nfsServerSchema = z
  .object({
    /** Prepare the NFS server over SSH: install nfs-kernel-server, create and export `nfs.path`. @default false */
    managed: z.boolean().default(false),
    /** SSH alias or address of the NFS server. @default the value of nfs.server */
    host: hostOrIp.optional(),
    /** SSH user; default from ~/.ssh/config, else `ssh.user`. */
    user: loginName.optional(),
    /** SSH port. @default 22 */
    port: tcpPort.optional(),
    /** Private key file. */
    identityFile: z.string().min(1).optional(),
    /** Jump host (ProxyJump). */
    bastion: jumpHost.optional(),
    /** Hosts or networks allowed to mount the export. @default every node's address */
    clients: z.array(z.string().regex(EXPORT_CLIENT_PATTERN, 'must be an exports(5) client such as "10.0.0.0/24", "jm-node-*" or "10.0.0.11"')).min(1).optional(),
    /** exports(5) options; no_root_squash lets the provisioner create per-claim folders. @default "rw,sync,no_subtree_check,no_root_squash" */
    exportOptions: exportOptions.default('rw,sync,no_subtree_check,no_root_squash'),
  })
  .strict();

/** Sections merged into the top level of the cluster description. */
export const inventorySchema = z.object({
  nodes: nodesSchema.optional(),
  ssh: sshSchema.prefault({}),
  k3s: k3sSchema.prefault({}),
  kubeconfig: kubeconfigSchema.prefault({}),
  hostPrep: hostPrepSchema.prefault({}),
  nfsServer: nfsServerSchema.prefault({}),
});

export type HostConfig = z.output<typeof hostSchema>;
export type InventoryConfig = z.output<typeof inventorySchema>;

export interface ClusterNode {
  readonly name: string;
  readonly address: string;
  readonly role: 'server' | 'agent';
}

/** Every node of the description, server first; empty when no nodes are described. */
export function clusterNodes(config: { readonly nodes?: z.output<typeof nodesSchema> }): ClusterNode[] {
  if (!config.nodes) return [];
  const { server, agents } = config.nodes;
  return [
    { name: server.name, address: server.address ?? server.name, role: 'server' as const },
    ...agents.map((a) => ({ name: a.name, address: a.address ?? a.name, role: 'agent' as const })),
  ];
}
