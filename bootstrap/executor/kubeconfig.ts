/**
 * The local kubeconfig: bootstrap merges the server's k3s.yaml into it as one context;
 * reset removes that context. Only entries bootstrap wrote are replaced or removed
 * (plan/kubeconfig.ts); the file is checked before the run (kubeconfig-file.ts) and written
 * atomically with mode 0600.
 */
import { printablePath } from '../../lib/local-file';
import { K3S_API_PORT, K3S_KUBECONFIG_PATH } from '../plan/k3s-install';
import { describeCurrentContext, mergeKubeconfig, parseKubeconfig, removeFromKubeconfig, rewriteK3sKubeconfig, sameKubeconfig } from '../plan/kubeconfig';
import type { Fleet, HostState } from './fleet';
import { readKubeconfigFile, writeKubeconfigFile, type KubeconfigFile } from './kubeconfig-file';
import { resolveKubeconfigPath, type RunSummary } from './options';
import { HostError } from './transport';

function kubeconfigTarget(fleet: Fleet): string {
  return resolveKubeconfigPath(fleet.options, fleet.home, fleet.env);
}

/** The kubeconfig, read and parsed: a file that is unusable stops the run here, before any host is touched. */
function loadKubeconfig(path: string): KubeconfigFile {
  const file = readKubeconfigFile(path);
  if (file.text !== undefined) parseKubeconfig(file.text, `kubeconfig ${printablePath(path)}`);
  return file;
}

/** Before connecting: the kubeconfig the run will write can be read, is a kubeconfig and sits in a safe folder. */
export function checkKubeconfigBeforeRun(fleet: Fleet): void {
  loadKubeconfig(kubeconfigTarget(fleet));
}

/** plan --offline: why bootstrap would stop at the kubeconfig at `path` before connecting, if it would. */
export function kubeconfigProblem(path: string): string | undefined {
  try {
    loadKubeconfig(path);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
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
    const file = loadKubeconfig(path);
    const merged = mergeKubeconfig(file.text, entries, config.kubeconfig.setCurrentContext, `kubeconfig ${printablePath(path)}`);
    const changed = file.text === undefined || !sameKubeconfig(file.text, merged);
    if (changed) {
      writeKubeconfigFile(file, merged);
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

/**
 * Reset: the kubeconfig.context entries bootstrap wrote (and what only they used) removed,
 * once the server was reset; an unusable kubeconfig is reported in the summary.
 */
export function pruneKubeconfig(fleet: Fleet): NonNullable<RunSummary['kubeconfig']> {
  const { config } = fleet.options;
  const path = kubeconfigTarget(fleet);
  const context = config.kubeconfig.context;
  const server = fleet.server;
  if (server.summary.status !== 'ok') {
    const note = `left unchanged: the server ${server.target.name} was not reset, so the cluster may still run`;
    fleet.say('local', `kubeconfig: ${path} ${note}`);
    return { path, context, changed: false, note };
  }
  try {
    const file = loadKubeconfig(path);
    const pruned = file.text === undefined ? undefined : removeFromKubeconfig(file.text, context, `kubeconfig ${printablePath(path)}`);
    if (pruned !== undefined) writeKubeconfigFile(file, pruned.text);
    const currentContext = pruned ? describeCurrentContext(pruned.currentContext) : undefined;
    const kept = pruned?.kept.length ? `; kept the ${pruned.kept.join(', ')} "${context}" that bootstrap did not write` : '';
    fleet.say('local', pruned
      ? `kubeconfig: context "${context}" removed from ${path}; ${currentContext}${kept}`
      : `kubeconfig: ${path} has no context "${context}" written by bootstrap`);
    return { path, context, changed: pruned !== undefined, ...(currentContext ? { currentContext } : {}), ...(kept ? { note: kept.slice(2) } : {}) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    fleet.say('local', `kubeconfig: FAILED: ${error}`);
    return { path, context, changed: false, error };
  }
}
