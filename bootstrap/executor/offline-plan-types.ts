/**
 * The offline plan's shape (`plan --offline`, and its `--json`): built by offline-plan.ts,
 * written as text by offline-plan-text.ts. Its own file so that neither imports the other.
 */
import type { ScriptGroup } from '../plan/script-groups';
import type { DryRunStep } from './options';

/** A step as a plan shows it; `kind` names it in the summary ("nfs-common", "K3s agent", ...). */
export type OfflineStep = DryRunStep & { readonly kind: string };

export interface OfflineHost {
  readonly name: string;
  readonly role: 'server' | 'agent' | 'nfs-server';
  /** user@host:port the session will open. */
  readonly ssh: string;
  /** Jump host, user@host:port. */
  readonly via?: string;
  /** Key files that will be offered (none: ~/.ssh/id_* and the SSH agent). */
  readonly identityFiles: readonly string[];
  /** The board's profile (declared, else the Nano a fresh unknown board is taken for). */
  readonly profile?: string;
  /** The container runtime its K3s will use. */
  readonly runtime?: 'docker' | 'containerd';
  /** Its power mode, in words. */
  readonly powerMode?: string;
  /** The node labels K3s registers it with (the Jetson and profile labels included). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Every step, its script exactly as sent (secrets redacted). */
  readonly steps: readonly OfflineStep[];
  /** The ids of `scripts` this host runs, in order. */
  readonly scripts: readonly number[];
  /** What the preflight will say about this board (a stop, a warning). */
  readonly notes: readonly string[];
  /** The plan refused this host (e.g. an NFS export the schema would refuse). */
  readonly error?: string;
}

export interface OfflinePlan {
  readonly command: 'plan';
  readonly offline: true;
  readonly ok: boolean;
  /** The cluster description read. */
  readonly configFile: string;
  /** No description was found: these are the tutorial's four boards (lib/tutorial-defaults.ts TUTORIAL_NODES). */
  readonly exampleBoards?: true;
  /** The host state assumed, per profile in use. */
  readonly assumptions: readonly string[];
  /** What the read-only preflight will check on every board. */
  readonly preflight: readonly string[];
  /** What can already be seen on this machine (keys, agent, known_hosts, token file). */
  readonly warnings: readonly string[];
  readonly knownHostsFile: string;
  /** How each root script is run (depends on the login, found when connecting). */
  readonly rootCommand: string;
  /** The read-only probe every host runs first. */
  readonly probe: string;
  readonly hosts: readonly OfflineHost[];
  /** The distinct root scripts, each once with the boards it runs on. */
  readonly scripts: readonly ScriptGroup[];
  /** What happens on this machine and on the server after the installs. */
  readonly afterwards: readonly string[];
}
