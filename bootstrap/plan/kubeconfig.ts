/**
 * Kubeconfig: K3s writes /etc/rancher/k3s/k3s.yaml with server https://127.0.0.1:6443 and
 * every name "default". We point it at the server's address, rename cluster/user/context,
 * and merge it into the user's kubeconfig without touching other contexts.
 */
import { parse, stringify } from 'yaml';

type Named = { name: string; [key: string]: unknown };

interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [key: string]: unknown;
}

/** The cluster, user and context of one K3s cluster, already renamed. */
export interface KubeconfigEntries {
  readonly name: string;
  readonly cluster: Named;
  readonly user: Named;
  readonly context: Named;
}

function parseKubeconfig(text: string, what: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new Error(`${what} is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new Error(`${what} is not a kubeconfig (expected a YAML mapping)`);
  return doc as Kubeconfig;
}

/** Renames the K3s kubeconfig's entries to `name` and points it at `serverUrl`. */
export function rewriteK3sKubeconfig(k3sYaml: string, options: { readonly serverUrl: string; readonly name: string }): KubeconfigEntries {
  const source = parseKubeconfig(k3sYaml, 'the server\'s /etc/rancher/k3s/k3s.yaml');
  const cluster = source.clusters?.[0];
  const user = source.users?.[0];
  if (!cluster || !user || typeof cluster.cluster !== 'object' || cluster.cluster === null) {
    throw new Error('the server\'s /etc/rancher/k3s/k3s.yaml has no cluster or user entry; is K3s running there?');
  }
  const clusterBody = { ...(cluster.cluster as Record<string, unknown>), server: options.serverUrl };
  return {
    name: options.name,
    cluster: { name: options.name, cluster: clusterBody },
    user: { name: options.name, user: user.user },
    context: { name: options.name, context: { cluster: options.name, user: options.name } },
  };
}

function upsert(list: Named[] | undefined, entry: Named): Named[] {
  const out = (list ?? []).filter((e) => e && e.name !== entry.name);
  out.push(entry);
  return out;
}

/**
 * Merges `entries` into the kubeconfig text `existing` (undefined = no file yet). Entries
 * of the same name are replaced; everything else is kept as it was.
 */
export function mergeKubeconfig(existing: string | undefined, entries: KubeconfigEntries, setCurrentContext: boolean): string {
  const config: Kubeconfig = existing === undefined ? {} : parseKubeconfig(existing, 'the kubeconfig');
  const merged: Kubeconfig = {
    apiVersion: config.apiVersion ?? 'v1',
    kind: config.kind ?? 'Config',
    ...config,
    clusters: upsert(config.clusters, entries.cluster),
    users: upsert(config.users, entries.user),
    contexts: upsert(config.contexts, entries.context),
  };
  if (setCurrentContext || !merged['current-context']) merged['current-context'] = entries.name;
  if (merged.preferences === undefined) merged.preferences = {};
  return stringify(merged);
}

/** The kubeconfig without the `name` cluster/user/context; undefined when it had none. */
export function removeFromKubeconfig(existing: string, name: string): string | undefined {
  const config = parseKubeconfig(existing, 'the kubeconfig');
  const has = (list?: Named[]) => (list ?? []).some((e) => e && e.name === name);
  if (!has(config.clusters) && !has(config.users) && !has(config.contexts)) return undefined;
  const drop = (list?: Named[]) => (list ?? []).filter((e) => e && e.name !== name);
  const out: Kubeconfig = { ...config, clusters: drop(config.clusters), users: drop(config.users), contexts: drop(config.contexts) };
  if (out['current-context'] === name) out['current-context'] = '';
  return stringify(out);
}

/** Semantic equality, so an unchanged kubeconfig is not rewritten. */
export function sameKubeconfig(a: string, b: string): boolean {
  return JSON.stringify(parse(a)) === JSON.stringify(parse(b));
}
