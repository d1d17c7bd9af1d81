/**
 * What the probe learns about a host and what the preflight judges it against: the inputs of
 * preflight.ts and of the board checks it runs.
 */
import type { BoardProfileName } from '../../lib/board-profiles';
import type { PowerModeConfig, ProfilePowerModes } from '../../lib/config/power-mode-schema';
import type { PowerFacts } from './power-mode';

/** What the probe learnt about a host. */
export interface HostFacts {
  readonly hostname: string;
  /** `uname -m`, e.g. "aarch64". */
  readonly arch: string;
  /** First line of /etc/nv_tegra_release; undefined when the file is missing (not a Jetson). */
  readonly l4tRelease?: string;
  readonly dockerPresent: boolean;
  /** Docker's current default runtime (`docker info`), empty when Docker is missing or down. */
  readonly dockerDefaultRuntime: string;
  readonly memoryCgroup: boolean;
  readonly cgroupVersion: 'v1' | 'v2';
  readonly nfsCommon: boolean;
  readonly aptGet: boolean;
  /** Installed K3s version ("v1.34.1+k3s1"), undefined when K3s is not installed. */
  readonly k3sVersion?: string;
  /** Fingerprint of the settings K3s was last installed with by this tool. */
  readonly k3sFingerprint?: string;
  readonly k3sServerActive: boolean;
  readonly k3sAgentActive: boolean;
  readonly k3sUninstall: boolean;
  readonly k3sAgentUninstall: boolean;
  /** Current daemon.json, undefined when the file is missing. */
  readonly daemonJson?: string;
  /** MemTotal of /proc/meminfo in kB, undefined when unreadable. */
  readonly memTotalKb?: number;
  /** The board's clock (`date -u +%s`), undefined when the probe printed none. */
  readonly clockEpochSeconds?: number;
  /** nvidia-container-runtime where K3s would find it (nvidia-runtime.ts), undefined when missing. */
  readonly nvidiaRuntime?: string;
  /** nvpmodel and jetson_clocks (power-mode.ts). */
  readonly power?: PowerFacts;
}

export interface PreflightOptions {
  /** k3s.runtime: the runtime of JetPack 4 boards (and of boards of unknown generation); JetPack 5/6 boards run containerd. */
  readonly runtime: 'docker' | 'containerd';
  readonly installNfsCommon: boolean;
  /** The K3s version to install (k3s.version); a newer installed one is not downgraded. */
  readonly k3sVersion?: string;
  /**
   * The description names board profiles (docs/profiles.md). Every board's profile is
   * detected, labelled and picks its runtime either way; in profile mode a board without
   * one is warned about (no DaemonSet selects it) and nodes[].memory is suggested.
   * @default false (the tutorial)
   */
  readonly profileMode?: boolean;
  /** The profiles the manifests render DaemonSets for (triton.profiles and nodes[].profile); none: the tutorial's one DaemonSet. */
  readonly declaredProfiles?: readonly BoardProfileName[];
  /** This node's `profile` in the description. */
  readonly declaredProfile?: BoardProfileName;
  /** The node's name, for messages. */
  readonly nodeName?: string;
  /** This node's `memory` in the description ("8Gi"), compared with the detected memory. */
  readonly declaredMemory?: string;
  /** This machine's clock around the probe (connected runs): the board's clock is compared with it. */
  readonly clock?: { readonly sentAtMs: number; readonly receivedAtMs: number };
  /** This node's `powerMode`. */
  readonly powerMode?: PowerModeConfig;
  /** hostPrep.powerModes. */
  readonly profilePowerModes?: ProfilePowerModes;
}
