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
 * Name of the context extension in which a merge that switched `current-context` to the
 * cluster records the context it replaced, so `reset` can switch back. It travels with
 * the context entry (kubectl keeps extensions) and goes away with it.
 */
export const PREVIOUS_CONTEXT_EXTENSION = 'triton-jetson.dev/previous-context';

/** The context a merge replaced, as recorded in the context entry `name`. */
export function recordedPreviousContext(config: { contexts?: Named[] }, name: string): string | undefined {
  const entry = (config.contexts ?? []).find((c) => c && c.name === name);
  const body = entry?.context as { extensions?: { name?: unknown; extension?: unknown }[] } | undefined;
  const ext = Array.isArray(body?.extensions) ? body!.extensions.find((e) => e && e.name === PREVIOUS_CONTEXT_EXTENSION) : undefined;
  return typeof ext?.extension === 'string' && ext.extension !== '' ? ext.extension : undefined;
}

/**
 * Merges `entries` into the kubeconfig text `existing` (undefined = no file yet). Entries
 * of the same name are replaced; everything else is kept as it was. When the merge makes
 * the cluster the current context, the context it replaces is recorded in the cluster's
 * context entry (PREVIOUS_CONTEXT_EXTENSION); a rerun keeps the earlier record.
 */
export function mergeKubeconfig(existing: string | undefined, entries: KubeconfigEntries, setCurrentContext: boolean): string {
  const config: Kubeconfig = existing === undefined ? {} : parseKubeconfig(existing, 'the kubeconfig');
  const current = config['current-context'];
  const switching = setCurrentContext || !current;
  let previous = recordedPreviousContext(config, entries.name);
  if (switching && current && current !== entries.name) previous = current;
  const context: Named = previous === undefined ? entries.context : {
    ...entries.context,
    context: {
      ...(entries.context.context as Record<string, unknown>),
      extensions: [{ name: PREVIOUS_CONTEXT_EXTENSION, extension: previous }],
    },
  };
  const merged: Kubeconfig = {
    apiVersion: config.apiVersion ?? 'v1',
    kind: config.kind ?? 'Config',
    ...config,
    clusters: upsert(config.clusters, entries.cluster),
    users: upsert(config.users, entries.user),
    contexts: upsert(config.contexts, context),
  };
  if (switching) merged['current-context'] = entries.name;
  if (merged.preferences === undefined) merged.preferences = {};
  return stringify(merged);
}

/** What removing the cluster did to `current-context`. */
export type CurrentContextChange =
  /** It named another context and still does. */
  | { readonly kind: 'kept'; readonly context?: string }
  /** It named the cluster; now it names the context bootstrap had replaced. */
  | { readonly kind: 'restored'; readonly context: string }
  /** It named the cluster and nothing can replace it (none recorded, or `missing` is gone): no current context. */
  | { readonly kind: 'cleared'; readonly missing?: string };

export interface KubeconfigRemoval {
  readonly text: string;
  readonly currentContext: CurrentContextChange;
}

/**
 * The kubeconfig without the `name` cluster/user/context; undefined when it had none.
 * When `name` was the current context, the context bootstrap replaced becomes current
 * again if it still exists; otherwise `current-context` is removed (never left as "").
 */
export function removeFromKubeconfig(existing: string, name: string): KubeconfigRemoval | undefined {
  const config = parseKubeconfig(existing, 'the kubeconfig');
  const has = (list?: Named[]) => (list ?? []).some((e) => e && e.name === name);
  if (!has(config.clusters) && !has(config.users) && !has(config.contexts)) return undefined;
  const drop = (list?: Named[]) => (list ?? []).filter((e) => e && e.name !== name);
  const out: Kubeconfig = { ...config, clusters: drop(config.clusters), users: drop(config.users), contexts: drop(config.contexts) };
  let currentContext: CurrentContextChange;
  if (config['current-context'] !== name) {
    currentContext = { kind: 'kept', context: config['current-context'] || undefined };
  } else {
    const previous = recordedPreviousContext(config, name);
    if (previous !== undefined && (out.contexts ?? []).some((c) => c && c.name === previous)) {
      out['current-context'] = previous;
      currentContext = { kind: 'restored', context: previous };
    } else {
      delete out['current-context'];
      currentContext = { kind: 'cleared', missing: previous };
    }
  }
  return { text: stringify(out), currentContext };
}

/** The summary's sentence about `current-context` after a removal. */
export function describeCurrentContext(change: CurrentContextChange): string {
  switch (change.kind) {
    case 'kept':
      return change.context ? `current context still "${change.context}"` : 'no current context (there was none)';
    case 'restored':
      return `current context restored to "${change.context}" (the one bootstrap replaced)`;
    case 'cleared':
      return change.missing
        ? `no current context now: "${change.missing}", the one bootstrap replaced, no longer exists; pick one with: kubectl config use-context <name>`
        : 'no current context now (bootstrap replaced none); pick one with: kubectl config use-context <name>';
  }
}

/** Semantic equality, so an unchanged kubeconfig is not rewritten. */
export function sameKubeconfig(a: string, b: string): boolean {
  return JSON.stringify(parse(a)) === JSON.stringify(parse(b));
}
