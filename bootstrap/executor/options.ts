/**
 * What the verbs share: their options, their summaries, and where the paths of the cluster
 * description point (also used by `plan --offline`).
 */
import { readdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { digestLocalFile, folderProblem, printablePath } from '../../lib/local-file';
import type { InventoryConfig } from '../../lib/config/inventory-schema';
import { pickAirGapFiles, releaseInstallerSource, type InstallSource } from '../plan/k3s-install';
import type { PreflightCheck } from '../plan/preflight';
import { expandHome } from '../plan/targets';
import { defaultKubeconfigPath } from './local-files';
import type { OperatorContext, OperatorFactory } from './operator';

/** The inventory sections of the description, plus the NFS share for `nfsServer.managed`. */
export type BootstrapConfig = InventoryConfig & {
  readonly nfs?: { readonly server: string; readonly path: string };
  /**
   * Board profiles named for Triton (docs/profiles.md); they switch the preflight to profile
   * mode. `name` is the Triton pods' `app` label, which `upgrade` waits for per board.
   */
  readonly triton?: { readonly profiles?: readonly string[]; readonly name?: string };
  /** Namespace of the Triton pods (`upgrade` waits for them). */
  readonly namespace?: string;
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
  /** Home folder for ~ expansion, ~/.ssh and ~/.kube. @default $HOME when absolute, else the password database's home folder (lib/home-folder.ts) */
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
  /** Opens the hosts; default: SSH (operator.ts). Tests pass in-memory operators. */
  readonly operators?: (context: OperatorContext) => OperatorFactory;
  /** Boards worked on at once (--parallel). @default DEFAULT_PARALLEL (10) */
  readonly parallel?: number;
  /** `bootstrap --node NAME`: only these agents (and the server, which they need). @default every node */
  readonly nodes?: readonly string[];
  /** `--replace`: remove a re-flashed board's stale node object and node-password secret without asking. */
  readonly replaceNodes?: boolean;
  /** Asks the user a yes/no question (a terminal); undefined when nobody can answer. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

export interface DryRunStep {
  readonly title: string;
  /** The root script exactly as sent to `sh -s`, secrets redacted. */
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
  /** The board's profile (declared and/or detected from /etc/nv_tegra_release). */
  profile?: string;
  /** The container runtime its K3s runs: containerd on JetPack 5/6, else k3s.runtime. */
  runtime?: 'docker' | 'containerd';
  error?: string;
  sshHandshakes: number;
  /** Jump host the connection went through, if any. */
  via?: string;
  /** Dry run only: the steps that would run. */
  plannedSteps?: DryRunStep[];
}

export interface RunSummary {
  readonly command: 'bootstrap' | 'reset' | 'upgrade';
  readonly dryRun: boolean;
  ok: boolean;
  readonly hosts: HostSummary[];
  /**
   * `currentContext` (reset): what became of `current-context`, in words; `note`: why it was
   * left alone (or what was kept); `error`: why it could not be changed (the run failed).
   */
  kubeconfig?: {
    readonly path: string; readonly context: string; readonly changed: boolean;
    readonly currentContext?: string; readonly note?: string; readonly error?: string;
  };
  nodes?: { readonly ready: string[]; readonly notReady: string[] };
  /** `upgrade`: the target, the order, and where each board stands. */
  upgrade?: UpgradeReport;
  durationMs: number;
}

/** Where one board stands after (or, in a dry run, before) an upgrade. */
export interface UpgradeBoardReport {
  readonly name: string;
  readonly role: 'server' | 'agent';
  /** K3s version before the run (undefined when unknown: unreachable, not installed). */
  from?: string;
  /** K3s version now (after the run). */
  now?: string;
  result: 'upgraded' | 'already on target' | 'failed' | 'not reached' | 'will upgrade' | 'will skip' | 'refused';
}

export interface UpgradeReport {
  readonly target: string;
  readonly maxUnavailable: number;
  /** Set when the preflight refused the upgrade: nothing was changed. */
  refused?: string;
  /** Set when a board failed: which one, and why. */
  failed?: { readonly board: string; readonly reason: string };
  readonly boards: UpgradeBoardReport[];
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

/**
 * Where install.sh and the binary come from: the release's own install.sh (checked against its
 * install.sh.sha256sum), k3s.installScriptUrl, or the air-gap folder. Its
 * files run as root on every board: the folder must be yours (or root's) and not writable by
 * others, each file regular and yours, and each is hashed here, streamed under its size cap;
 * the board checks its copy against that digest before running it (plan/air-gap.ts).
 */
export function installSource(config: InventoryConfig, configPath: string, home: string): InstallSource {
  const dir = config.k3s.airGapDir;
  if (!dir) return config.k3s.installScriptUrl ? { kind: 'online', scriptUrl: config.k3s.installScriptUrl } : releaseInstallerSource(config.k3s.version);
  const folder = fromConfigDir(configPath, dir, home);
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`k3s.airGapDir ${printablePath(folder)} cannot be read (${code ?? 'error'}${code === 'ENOTDIR' ? ': not a folder' : ''}); create it with install.sh, k3s-arm64 and (optionally) k3s-airgap-images-arm64.tar.zst`);
  }
  const unsafe = folderProblem(folder, 'keep the air-gap files in a folder only you can write');
  if (unsafe) throw new Error(`k3s.airGapDir ${printablePath(folder)}: the files run as root on every board, but ${unsafe.replace(/^its folder \S+ /, 'the folder ')}`);
  const files = pickAirGapFiles(folder, names);
  const digest = (file: string, kind: 'K3s installer' | 'K3s binary' | 'K3s images') => digestLocalFile(file, kind, { access: 'trusted' }).sha256;
  return {
    kind: 'airgap',
    files: {
      ...files,
      installScriptSha256: digest(files.installScript, 'K3s installer'),
      binarySha256: digest(files.binary, 'K3s binary'),
      ...(files.images ? { imagesSha256: digest(files.images, 'K3s images') } : {}),
    },
  };
}

/** The kubeconfig a run merges into / prunes: --kubeconfig (relative to the working folder), else kubeconfig.path, else $KUBECONFIG / ~/.kube/config. */
export function resolveKubeconfigPath(options: RunOptions, home: string, env: NodeJS.ProcessEnv): string {
  if (options.kubeconfigPath) return resolve(expandHome(options.kubeconfigPath, home));
  if (options.config.kubeconfig.path) return fromConfigDir(options.configPath, options.config.kubeconfig.path, home);
  return resolve(defaultKubeconfigPath(home, env));
}

