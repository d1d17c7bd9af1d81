/**
 * Upgrading K3s from inside the cluster with Rancher's system-upgrade-controller (cluster.yaml
 * `upgrades`), rendered by K3sUpgradePlans; docs/operations.md.
 */
import type { K3sUpgradeDrain } from '../k3s-upgrade-plans';

/** `kubectl drain` of each agent before its K3s is replaced, every default filled in. */
export interface K3sUpgradeDrainSettings {
  /** Drain agents before upgrading them. */
  enabled: boolean;
  /** `kubectl drain --timeout` in seconds. */
  timeoutSeconds: number;
  /** `--skip-wait-for-delete-timeout` in seconds. */
  skipWaitForDeleteTimeoutSeconds: number;
  /** `--force`. */
  force: boolean;
}

/** system-upgrade-controller Plans for `k3s.version` (cluster.yaml `upgrades.systemUpgradeController`). */
export interface SystemUpgradeControllerOptions {
  /**
   * Render the Plans (into dist/k3s-upgrade-plans.k8s.yaml); the Plan kind exists only where SUC is installed.
   * @default false
   */
  readonly enabled?: boolean;
  /**
   * Namespace SUC runs in; its plans must be there.
   * @default "system-upgrade"
   */
  readonly namespace?: string;
  /**
   * SUC's ServiceAccount, which the upgrade jobs run as.
   * @default "system-upgrade"
   */
  readonly serviceAccountName?: string;
  /**
   * The k3s-upgrade image, without tag (SUC tags it with the version); a mirror for air-gapped sites.
   * @default "rancher/k3s-upgrade"
   */
  readonly upgradeImage?: string;
  /**
   * How many agents are upgraded at once.
   * @default 1
   */
  readonly agentConcurrency?: number;
  /**
   * Draining of agents.
   * @default - drained, 300 s timeout, no --force
   */
  readonly drain?: K3sUpgradeDrain;
}

/** {@link SystemUpgradeControllerOptions} with every default filled in. */
export interface SystemUpgradeControllerSettings {
  /** Whether the Plans are rendered. */
  enabled: boolean;
  /** SUC's namespace. */
  namespace: string;
  /** SUC's ServiceAccount. */
  serviceAccountName: string;
  /** The k3s-upgrade image, without tag. */
  upgradeImage: string;
  /** Agents upgraded at once. */
  agentConcurrency: number;
  /** Draining of agents. */
  drain: K3sUpgradeDrainSettings;
}

/** Day-two upgrades (cluster.yaml `upgrades`). */
export interface UpgradesOptions {
  /**
   * K3s upgrades by system-upgrade-controller Plans.
   * @default - off
   */
  readonly systemUpgradeController?: SystemUpgradeControllerOptions;
}

/** {@link UpgradesOptions} with every default filled in. */
export interface UpgradesSettings {
  /** system-upgrade-controller Plans. */
  systemUpgradeController: SystemUpgradeControllerSettings;
}
