/**
 * K3s upgrades the GitOps way: system-upgrade-controller (SUC) Plans (upgrade.cattle.io/v1)
 * that upgrade the cluster to one K3s release, servers first, then agents one at a time,
 * as the K3s docs describe them (docs.k3s.io "Automated Upgrades", k3s-io/docs
 * docs/upgrades/automated.md) and SUC's own example (rancher/system-upgrade-controller
 * v0.20.1, examples/k3s-upgrade.yaml). Optional and off by default
 * (`upgrades.systemUpgradeController` in the cluster description): without SUC's CRD,
 * Kubernetes refuses the objects. Installing SUC and its limits on Jetsons: docs/operations.md.
 *
 * The type comes from `cdk8s import` of the CRD committed in schemas/crds/ (npm run import:crds).
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { Plan, PlanSpecDrainTimeout, PlanSpecNodeSelectorMatchExpressions } from '../imports/upgrade.cattle.io';
import { parseConstructProps } from './config/parse-props';
import { k3sUpgradePlansPropsSchema } from './config/upgrades-schema';
import { checkUniqueObjects } from './k8s-scope';
import { componentLabels } from './labels';

/** Label K3s puts on server (control-plane) nodes; agents lack it (the K3s docs' selectors). */
export const K3S_CONTROL_PLANE_LABEL = 'node-role.kubernetes.io/control-plane';
/** Name of the server plan; the agent plan's prepare step waits for it by this name. */
export const K3S_SERVER_PLAN = 'k3s-server';
/** Name of the agent plan. */
export const K3S_AGENT_PLAN = 'k3s-agent';

/** How each agent is drained before its K3s is replaced (`kubectl drain`, run by SUC). */
export interface K3sUpgradeDrain {
  /**
   * Drain agents before upgrading them (servers are only cordoned, as in the K3s docs).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * `kubectl drain --timeout` in seconds; below SUC's 15-minute job deadline.
   * @default 300
   */
  readonly timeoutSeconds?: number;
  /**
   * `--skip-wait-for-delete-timeout`: pods deleted longer ago than this many seconds are not waited for.
   * @default 60
   */
  readonly skipWaitForDeleteTimeoutSeconds?: number;
  /**
   * `--force`: also delete pods that no controller manages (they are not recreated anywhere).
   * @default false
   */
  readonly force?: boolean;
}

/** Properties of {@link K3sUpgradePlans}. */
export interface K3sUpgradePlansProps {
  /**
   * The K3s release to upgrade every node to (the cluster description's `k3s.version`).
   * @default "v1.34.12+k3s1"
   */
  readonly version?: string;
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

/**
 * Two Plans: `k3s-server` upgrades the control-plane nodes one at a time, cordoned; `k3s-agent`
 * waits for it in its prepare step (k3s-upgrade's `prepare k3s-server`), then cordons, drains
 * and upgrades the agents `agentConcurrency` at a time. The Triton DaemonSet's pods stay on a
 * drained node (`kubectl drain --ignore-daemonsets`), and K3s restarts without stopping
 * containers, so a board keeps serving while its K3s is replaced.
 */
export class K3sUpgradePlans extends Construct {
  /** The server (control-plane) plan (an `upgrade.cattle.io/v1` Plan). */
  public readonly serverPlan: ApiObject;
  /** The agent plan (an `upgrade.cattle.io/v1` Plan). */
  public readonly agentPlan: ApiObject;

  constructor(scope: Construct, id: string, props: K3sUpgradePlansProps = {}) {
    const settings = parseConstructProps('K3sUpgradePlans', k3sUpgradePlansPropsSchema, props);
    super(scope, id);
    const { version, namespace, serviceAccountName, upgradeImage, drain } = settings;
    const labels = { ...componentLabels(this, 'k3s-upgrade'), 'app.kubernetes.io/component': 'k3s-upgrade' };
    const selector = (operator: 'In' | 'DoesNotExist'): PlanSpecNodeSelectorMatchExpressions[] => [
      operator === 'In' ? { key: K3S_CONTROL_PLANE_LABEL, operator, values: ['true'] } : { key: K3S_CONTROL_PLANE_LABEL, operator },
    ];

    this.serverPlan = new Plan(this, 'server', {
      metadata: { name: K3S_SERVER_PLAN, namespace, labels },
      spec: {
        concurrency: 1,
        cordon: true,
        nodeSelector: { matchExpressions: selector('In') },
        serviceAccountName,
        upgrade: { image: upgradeImage },
        version,
      },
    });

    this.agentPlan = new Plan(this, 'agent', {
      metadata: { name: K3S_AGENT_PLAN, namespace, labels },
      spec: {
        concurrency: settings.agentConcurrency,
        cordon: true,
        nodeSelector: { matchExpressions: selector('DoesNotExist') },
        // k3s-upgrade's prepare step waits until the server plan has upgraded every control-plane node.
        prepare: { image: upgradeImage, args: ['prepare', K3S_SERVER_PLAN] },
        ...(drain.enabled ? {
          drain: {
            ignoreDaemonSets: true,
            deleteEmptydirData: true,
            force: drain.force,
            // A string goes to `kubectl drain --timeout` as it is (a number would be nanoseconds).
            timeout: PlanSpecDrainTimeout.fromString(`${drain.timeoutSeconds}s`),
            skipWaitForDeleteTimeout: drain.skipWaitForDeleteTimeoutSeconds,
          },
        } : {}),
        serviceAccountName,
        upgrade: { image: upgradeImage },
        version,
      },
    });
    checkUniqueObjects(this);
  }
}
