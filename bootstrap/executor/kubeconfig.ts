/**
 * The local kubeconfig: bootstrap merges the server's k3s.yaml into it as one context;
 * reset removes that context. Written atomically with mode 0600.
 */
import { K3S_API_PORT, K3S_KUBECONFIG_PATH } from '../plan/k3s-install';
import { describeCurrentContext, mergeKubeconfig, removeFromKubeconfig, rewriteK3sKubeconfig, sameKubeconfig } from '../plan/kubeconfig';
import type { Fleet, HostState } from './fleet';
import { readIfExists, writePrivateFileAtomically } from './local-files';
import { resolveKubeconfigPath, type RunSummary } from './options';
import { HostError } from './transport';

function kubeconfigTarget(fleet: Fleet): string {
  return resolveKubeconfigPath(fleet.options, fleet.home, fleet.env);
}

/** Bootstrap: the server's kubeconfig, pointed at `serverAddress`, merged as kubeconfig.context. */
export async function mergeKubeconfigFromServer(fleet: Fleet, server: HostState, serverAddress: string): Promise<RunSummary['kubeconfig']> {
  const { config } = fleet.options;
  const path = kubeconfigTarget(fleet);
  const context = config.kubeconfig.context;
  try {
    const k3sYaml = await server.operator!.readFile(K3S_KUBECONFIG_PATH);
    if (k3sYaml === undefined) {
      throw new HostError('step', `${K3S_KUBECONFIG_PATH} does not exist on ${server.target.name}: the K3s server has not written it; check 'systemctl status k3s' there`);
    }
    const entries = rewriteK3sKubeconfig(k3sYaml, { serverUrl: `https://${serverAddress}:${K3S_API_PORT}`, name: context });
    const existing = readIfExists(path);
    const merged = mergeKubeconfig(existing, entries, config.kubeconfig.setCurrentContext);
    const changed = existing === undefined || !sameKubeconfig(existing, merged);
    if (changed) {
      writePrivateFileAtomically(path, merged);
      server.summary.changed.push(`kubeconfig: context "${context}" merged into ${path}`);
    } else {
      server.summary.unchanged.push(`kubeconfig ${path} already has context "${context}"`);
    }
    fleet.say('local', changed ? `kubeconfig: context "${context}" written to ${path}` : `kubeconfig: ${path} already up to date`);
    return { path, context, changed };
  } catch (err) {
    fleet.fail(server, err);
    return undefined;
  }
}

/** Reset: kubeconfig.context (and what only it used) removed from the kubeconfig. */
export function pruneKubeconfig(fleet: Fleet): NonNullable<RunSummary['kubeconfig']> {
  const { config } = fleet.options;
  const path = kubeconfigTarget(fleet);
  const existing = readIfExists(path);
  const pruned = existing === undefined ? undefined : removeFromKubeconfig(existing, config.kubeconfig.context);
  if (pruned !== undefined) writePrivateFileAtomically(path, pruned.text);
  const currentContext = pruned ? describeCurrentContext(pruned.currentContext) : undefined;
  fleet.say('local', pruned ? `kubeconfig: context "${config.kubeconfig.context}" removed from ${path}; ${currentContext}` : `kubeconfig: ${path} has no context "${config.kubeconfig.context}"`);
  return { path, context: config.kubeconfig.context, changed: pruned !== undefined, ...(currentContext ? { currentContext } : {}) };
}
