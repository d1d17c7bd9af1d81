/**
 * Upgrading K3s from inside the cluster with Rancher's system-upgrade-controller (SUC):
 * cluster.yaml's `upgrades.systemUpgradeController` and the props of K3sUpgradePlans
 * (lib/k3s-upgrade-plans.ts), one set of fields for both. docs/operations.md.
 */
import { z } from 'zod';
import { DEFAULT_K3S_VERSION, k3sVersion } from './inventory-schema';
import { dnsLabel, dnsSubdomain, imageRef } from './validators';

/** What the K3s docs' plans use (docs.k3s.io, "Automated Upgrades"; SUC's manifests/system-upgrade-controller.yaml). */
export const SUC_DEFAULTS = {
  namespace: 'system-upgrade',
  serviceAccountName: 'system-upgrade',
  upgradeImage: 'rancher/k3s-upgrade',
} as const;

/** `kubectl drain` of each agent before its K3s is replaced (SUC's `drain`). */
export const k3sUpgradeDrainSchema = z
  .object({
    /** Drain agents before upgrading them (servers are cordoned only, as in the K3s docs' plans). */
    enabled: z.boolean().default(true),
    /** `kubectl drain --timeout`; below SUC's 15-minute job deadline (SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS 900). */
    timeoutSeconds: z.number().int().min(1).max(840, 'must be at most 840 seconds, below SUC\'s 900-second job deadline (e.g. 300)').default(300),
    /** `--skip-wait-for-delete-timeout`: pods deleted longer ago than this are not waited for. */
    skipWaitForDeleteTimeoutSeconds: z.number().int().min(0).max(3600).default(60),
    /** `--force`: also delete pods no controller manages (they are gone for good). */
    force: z.boolean().default(false),
  })
  .strict();

/** An image name without tag or digest: SUC appends the plan's version as the tag only to a bare name. */
const untaggedImage = imageRef.refine((ref) => !ref.includes('@') && !/:[^/]*$/.test(ref.replace(/^[^/]*\//, '')), 'must be an image name without tag or digest, e.g. "rancher/k3s-upgrade" (SUC adds the version as tag)');

const planFields = {
  /** Where SUC runs; plans must be in its namespace. */
  namespace: dnsLabel.default(SUC_DEFAULTS.namespace),
  /** SUC's ServiceAccount, which the upgrade jobs run as. */
  serviceAccountName: dnsSubdomain.default(SUC_DEFAULTS.serviceAccountName),
  /** The k3s-upgrade image (a mirror of it for air-gapped sites). */
  upgradeImage: untaggedImage.default(SUC_DEFAULTS.upgradeImage),
  /** Agents upgraded at once. */
  agentConcurrency: z.number().int().min(1).max(1000).default(1),
  drain: k3sUpgradeDrainSchema.prefault({}),
};

/** cluster.yaml's `upgrades.systemUpgradeController`. */
export const systemUpgradeControllerSchema = z
  .object({
    /** Off by default: the Plan kind exists only where SUC is installed. */
    enabled: z.boolean().default(false),
    ...planFields,
  })
  .strict();

/** cluster.yaml's `upgrades` section. */
export const upgradesSchema = z
  .object({ systemUpgradeController: systemUpgradeControllerSchema.prefault({}) })
  .strict();

/** The props of K3sUpgradePlans. */
export const k3sUpgradePlansPropsSchema = z
  .object({ version: k3sVersion.default(DEFAULT_K3S_VERSION), ...planFields })
  .strict();
