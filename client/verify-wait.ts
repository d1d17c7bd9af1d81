/**
 * `triton-jetson verify --wait`: first wait until every Triton DaemonSet of the cluster
 * description has rolled out (client/rollout.ts, read through the Kubernetes API with the
 * user's kubeconfig), then run verify's checks, repeating them for a short while if the
 * NodePorts are still catching up. docs/operations.md, "Triton rollout".
 */
import { resolveKubeconfigPath } from '../bootstrap/executor/options';
import type { ClusterConfig } from '../lib/config/cluster-config';
import { stackPropsSchema } from '../lib/config/stack-props-schema';
import { profileDaemonSets } from '../lib/profile-plan';
import { stackPropsFromClusterConfig } from '../lib/stack-from-cluster';
import { KubeApi } from './kube-api';
import { loadKubeconfig } from './kubeconfig';
import { waitForRollout } from './rollout';
import type { CheckResult } from './verify';
import { operatorHome } from '../lib/home-folder';

/**
 * After the rollout, how long failing checks are repeated: kube-proxy programs a NodePort for a
 * new pod within seconds of it turning Ready; a minute covers a busy server.
 */
export const CHECK_SETTLE_MS = 60_000;
/** Between repeated checks. */
const CHECK_RETRY_MS = 5_000;

/** Names of the Triton DaemonSets the description's manifests hold: `triton`, or one per board profile. */
export function tritonDaemonSetNames(config: ClusterConfig): string[] {
  const settings = stackPropsSchema.parse(stackPropsFromClusterConfig(config));
  const perProfile = profileDaemonSets(settings);
  return perProfile ? perProfile.map((p) => p.props.name!) : [settings.triton.name];
}

export interface WaitThenVerifyOptions {
  readonly config: ClusterConfig;
  /** The cluster description's path (a relative kubeconfig.path is relative to it). */
  readonly configFile: string;
  /** --kubeconfig. */
  readonly kubeconfig?: string;
  /** --context. */
  readonly context?: string;
  /** --wait-timeout, in seconds: the rollout and the checks together. */
  readonly waitTimeoutSeconds: number;
  /** --timeout: each request, in seconds. */
  readonly requestTimeoutSeconds: number;
  /** Runs verify's checks once. */
  readonly runChecks: () => Promise<CheckResult[]>;
  readonly log: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly homeDir?: string;
  /** Milliseconds between status polls. @default 2000 */
  readonly pollMs?: number;
}

export async function waitThenVerify(options: WaitThenVerifyOptions): Promise<CheckResult[]> {
  const started = Date.now();
  const deadline = started + options.waitTimeoutSeconds * 1000;
  const env = options.env ?? process.env;
  const file = resolveKubeconfigPath(
    { config: options.config, configPath: options.configFile, kubeconfigPath: options.kubeconfig },
    options.homeDir ?? operatorHome(env), env,
  );
  const credentials = loadKubeconfig(file, { context: options.context, preferredContext: options.config.kubeconfig.context });
  const daemonSets = tritonDaemonSetNames(options.config);
  options.log(`rollout: waiting for daemon set(s) ${daemonSets.join(', ')} in namespace ${options.config.namespace} (kubeconfig ${file}, context ${credentials.context}), at most ${options.waitTimeoutSeconds} s`);
  const api = new KubeApi(credentials, { timeoutMs: options.requestTimeoutSeconds * 1000 });
  try {
    await waitForRollout(api, {
      namespace: options.config.namespace,
      daemonSets,
      timeoutMs: Math.max(0, deadline - Date.now()),
      timeoutSeconds: options.waitTimeoutSeconds,
      pollMs: options.pollMs,
      log: options.log,
      where: `context ${JSON.stringify(credentials.context)} of ${file}`,
    });
  } finally {
    api.close();
  }
  options.log(`rollout: done after ${Math.round((Date.now() - started) / 1000)} s; checking every node`);
  const settleUntil = Math.min(deadline, Date.now() + CHECK_SETTLE_MS);
  for (;;) {
    const results = await options.runChecks();
    const failed = results.filter((r) => !r.ok).length;
    if (failed === 0 || Date.now() + CHECK_RETRY_MS > settleUntil) return results;
    options.log(`checks: ${failed} of ${results.length} failing right after the rollout; checking again in ${CHECK_RETRY_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, CHECK_RETRY_MS));
  }
}
