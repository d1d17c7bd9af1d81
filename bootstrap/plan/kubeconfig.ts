/**
 * Kubeconfig: K3s writes /etc/rancher/k3s/k3s.yaml with server https://127.0.0.1:6443 and
 * every name "default". We take its CA and credentials only (kubeconfig-format.ts), point
 * them at the server's address under our own name, and merge them into the user's
 * kubeconfig without touching other entries. Every entry bootstrap writes carries
 * BOOTSTRAP_EXTENSION: a same-named entry bootstrap did not write is never replaced, and
 * reset removes only marked entries.
 */
import { parse, stringify } from 'yaml';
import { KubeconfigError, k3sCredentials, parseKubeconfig, type Kubeconfig, type Named } from './kubeconfig-format';

export { KubeconfigError, parseKubeconfig } from './kubeconfig-format';

/** The cluster, user and context of one K3s cluster, already renamed. */
export interface KubeconfigEntries {
  readonly name: string;
  readonly cluster: Named;
  readonly user: Named;
  readonly context: Named;
}

/**
 * Name of the extension bootstrap puts on each cluster, user and context entry it writes
 * (kubectl keeps extensions, clientcmd/api/v1 NamedExtension), so that a later run knows
 * which entries are its own.
 */
export const BOOTSTRAP_EXTENSION = 'triton-jetson.dev/bootstrap';
const BOOTSTRAP_MARK = { name: BOOTSTRAP_EXTENSION, extension: 'written by triton-jetson bootstrap' };

/**
 * The CA and credentials of the server's k3s.yaml (nothing else: kubeconfig-format.ts),
 * named `name` and pointed at `serverUrl`, each entry marked as bootstrap's.
 */
export function rewriteK3sKubeconfig(k3sYaml: string, options: { readonly serverUrl: string; readonly name: string }): KubeconfigEntries {
  const { cluster, user } = k3sCredentials(k3sYaml, 'the server\'s /etc/rancher/k3s/k3s.yaml');
  return {
    name: options.name,
    cluster: { name: options.name, cluster: { ...cluster, server: options.serverUrl, extensions: [BOOTSTRAP_MARK] } },
    user: { name: options.name, user: { ...user, extensions: [BOOTSTRAP_MARK] } },
    context: { name: options.name, context: { cluster: options.name, user: options.name, extensions: [BOOTSTRAP_MARK] } },
  };
}

/**
 * Name of the context extension in which a merge that switched `current-context` to the
 * cluster records the context it replaced, so `reset` can switch back. It travels with
 * the context entry (kubectl keeps extensions) and goes away with it.
 */
export const PREVIOUS_CONTEXT_EXTENSION = 'triton-jetson.dev/previous-context';

type Extensions = { name?: unknown; extension?: unknown }[];
const bodyOf = (entry: Named | undefined, key: string) => entry?.[key] as { extensions?: unknown; [k: string]: unknown } | undefined;
function extensionsOf(entry: Named | undefined, key: string): Extensions {
  const list = bodyOf(entry, key)?.extensions;
  return Array.isArray(list) ? list.filter((e) => typeof e === 'object' && e !== null) : [];
}

/** The context a merge replaced, as recorded in the context entry `name`. */
export function recordedPreviousContext(config: { contexts?: Named[] }, name: string): string | undefined {
  const entry = (config.contexts ?? []).find((c) => c && c.name === name);
  const ext = extensionsOf(entry, 'context').find((e) => e.name === PREVIOUS_CONTEXT_EXTENSION);
  return typeof ext?.extension === 'string' && ext.extension !== '' ? ext.extension : undefined;
}

const LIST_BODY = { clusters: 'cluster', users: 'user', contexts: 'context' } as const;
type ListName = keyof typeof LIST_BODY;

/**
 * The entries named `name` bootstrap wrote: marked with BOOTSTRAP_EXTENSION, or (written
 * before the mark existed) a context carrying PREVIOUS_CONTEXT_EXTENSION and the cluster
 * and user of its name that it points at.
 */
function ownership(config: Kubeconfig, name: string): Record<ListName, { readonly ours: Named[]; readonly others: Named[] }> {
  const context = (config.contexts ?? []).find((c) => c.name === name);
  const legacy = context !== undefined && extensionsOf(context, 'context').some((e) => e.name === PREVIOUS_CONTEXT_EXTENSION);
  const pointsAt = (list: ListName) => legacy && bodyOf(context, 'context')?.[LIST_BODY[list]] === name;
  const split = (list: ListName) => {
    const named = (config[list] ?? []).filter((e) => e.name === name);
    const isOurs = (e: Named) => extensionsOf(e, LIST_BODY[list]).some((x) => x.name === BOOTSTRAP_EXTENSION) || (list === 'contexts' ? legacy : pointsAt(list));
    return { ours: named.filter(isOurs), others: named.filter((e) => !isOurs(e)) };
  };
  return { clusters: split('clusters'), users: split('users'), contexts: split('contexts') };
}

/** Same credentials (or, for a context, the same cluster and user and nothing more): replacing it loses nothing. */
function sameAs(entry: Named, wanted: Named, list: ListName): boolean {
  const key = LIST_BODY[list];
  const strip = (body: Record<string, unknown> | undefined) => {
    const { extensions: _ignored, server: _server, ...rest } = body ?? {};
    return JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
  };
  return strip(bodyOf(entry, key)) === strip(bodyOf(wanted, key));
}

/**
 * Merges `entries` into the kubeconfig text `existing` (undefined = no file yet). Entries
 * of the same name are replaced only when bootstrap wrote them (or they hold exactly these
 * credentials); any other same-named entry stops the merge with a KubeconfigError naming it.
 * Everything else is kept as it was. When the merge makes the cluster the current context,
 * the context it replaces is recorded in the cluster's context entry
 * (PREVIOUS_CONTEXT_EXTENSION); a rerun keeps the earlier record.
 */
export function mergeKubeconfig(existing: string | undefined, entries: KubeconfigEntries, setCurrentContext: boolean, what = 'the kubeconfig'): string {
  const config: Kubeconfig = existing === undefined ? {} : parseKubeconfig(existing, what);
  const owned = ownership(config, entries.name);
  const wanted: Record<ListName, Named> = { clusters: entries.cluster, users: entries.user, contexts: entries.context };
  for (const list of Object.keys(LIST_BODY) as ListName[]) {
    const stranger = owned[list].others.find((e) => !sameAs(e, wanted[list], list));
    if (stranger) {
      const kind = LIST_BODY[list];
      throw new KubeconfigError(`${what} already has a ${kind} named "${entries.name}" that triton-jetson bootstrap did not write; nothing was changed. Set kubeconfig.context to another name (e.g. "triton-jetson"), or remove it first: kubectl config delete-${kind} ${entries.name}`);
    }
  }
  const current = config['current-context'];
  const switching = setCurrentContext || !current;
  let previous = recordedPreviousContext(config, entries.name);
  if (switching && current && current !== entries.name) previous = current;
  const context: Named = previous === undefined ? entries.context : {
    ...entries.context,
    context: {
      ...(entries.context.context as Record<string, unknown>),
      extensions: [...extensionsOf(entries.context, 'context'), { name: PREVIOUS_CONTEXT_EXTENSION, extension: previous }],
    },
  };
  const upsert = (list: Named[] | undefined, entry: Named) => [...(list ?? []).filter((e) => e.name !== entry.name), entry];
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
  /** Same-named entries left in place because bootstrap did not write them ("cluster", "user", "context"). */
  readonly kept: readonly string[];
}

/**
 * The kubeconfig without the `name` cluster/user/context that bootstrap wrote; undefined
 * when it has none of them. Same-named entries bootstrap did not write stay, and are listed
 * in `kept`. When `name` was the current context, the context bootstrap replaced becomes
 * current again if it still exists; otherwise `current-context` is removed (never left as "").
 */
export function removeFromKubeconfig(existing: string, name: string, what = 'the kubeconfig'): KubeconfigRemoval | undefined {
  const config = parseKubeconfig(existing, what);
  const owned = ownership(config, name);
  const lists = Object.keys(LIST_BODY) as ListName[];
  if (lists.every((list) => owned[list].ours.length === 0)) return undefined;
  const out: Kubeconfig = { ...config };
  for (const list of lists) out[list] = (config[list] ?? []).filter((e) => !owned[list].ours.includes(e));
  const kept = lists.filter((list) => owned[list].others.length > 0).map((list) => LIST_BODY[list]);
  let currentContext: CurrentContextChange;
  if (config['current-context'] !== name || owned.contexts.ours.length === 0) {
    currentContext = { kind: 'kept', context: config['current-context'] || undefined };
  } else {
    const previous = recordedPreviousContext(config, name);
    if (previous !== undefined && (out.contexts ?? []).some((c) => c.name === previous)) {
      out['current-context'] = previous;
      currentContext = { kind: 'restored', context: previous };
    } else {
      delete out['current-context'];
      currentContext = { kind: 'cleared', missing: previous };
    }
  }
  return { text: stringify(out), currentContext, kept };
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
