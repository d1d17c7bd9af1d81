import { parse, stringify } from 'yaml';
import {
  BOOTSTRAP_EXTENSION, PREVIOUS_CONTEXT_EXTENSION, describeCurrentContext, mergeKubeconfig, removeFromKubeconfig, rewriteK3sKubeconfig, sameKubeconfig,
} from '../../bootstrap/plan/kubeconfig';
import { K3S_CA_DATA, K3S_CLIENT_CERTIFICATE_DATA, K3S_CLIENT_KEY_DATA, K3S_YAML } from './k3s-yaml';


const OTHER = `apiVersion: v1
kind: Config
clusters:
- name: work
  cluster: { server: https://work.example:6443 }
users:
- name: work
  user: { token: abc }
contexts:
- name: work
  context: { cluster: work, user: work, namespace: dev }
current-context: work
`;

describe('kubeconfig', () => {
  const entries = rewriteK3sKubeconfig(K3S_YAML, { serverUrl: 'https://10.0.0.11:6443', name: 'triton-jetson' });

  test('points at the server address, renames every entry and marks it as bootstrap\'s', () => {
    const mark = [{ name: BOOTSTRAP_EXTENSION, extension: 'written by triton-jetson bootstrap' }];
    expect(entries.cluster).toEqual({ name: 'triton-jetson', cluster: { 'certificate-authority-data': K3S_CA_DATA, server: 'https://10.0.0.11:6443', extensions: mark } });
    expect(entries.user).toEqual({ name: 'triton-jetson', user: { 'client-certificate-data': K3S_CLIENT_CERTIFICATE_DATA, 'client-key-data': K3S_CLIENT_KEY_DATA, extensions: mark } });
    expect(entries.context).toEqual({ name: 'triton-jetson', context: { cluster: 'triton-jetson', user: 'triton-jetson', extensions: mark } });
  });

  test('merging keeps other contexts and sets the current context', () => {
    const merged = parse(mergeKubeconfig(OTHER, entries, true));
    expect(merged.contexts.map((c: { name: string }) => c.name)).toEqual(['work', 'triton-jetson']);
    expect(merged.clusters[0]).toEqual({ name: 'work', cluster: { server: 'https://work.example:6443' } });
    expect(merged.contexts[0].context.namespace).toBe('dev');
    expect(merged['current-context']).toBe('triton-jetson');
    expect(parse(mergeKubeconfig(OTHER, entries, false))['current-context']).toBe('work');
  });

  test('merging twice is a no-op; a new server address replaces the entry', () => {
    const once = mergeKubeconfig(OTHER, entries, true);
    expect(sameKubeconfig(once, mergeKubeconfig(once, entries, true))).toBe(true);
    const moved = rewriteK3sKubeconfig(K3S_YAML, { serverUrl: 'https://10.0.0.12:6443', name: 'triton-jetson' });
    const twice = parse(mergeKubeconfig(once, moved, true));
    expect(twice.clusters.filter((c: { name: string }) => c.name === 'triton-jetson')).toHaveLength(1);
    expect(twice.clusters[1].cluster.server).toBe('https://10.0.0.12:6443');
  });

  test('no existing file gives a complete kubeconfig', () => {
    const fresh = parse(mergeKubeconfig(undefined, entries, true));
    expect(fresh).toMatchObject({ apiVersion: 'v1', kind: 'Config', 'current-context': 'triton-jetson' });
  });

  test('removal drops only our entries and gives back the context bootstrap replaced (issue 12.6)', () => {
    const merged = mergeKubeconfig(OTHER, entries, true);
    expect(parse(merged).contexts[1].context.extensions).toEqual([
      { name: BOOTSTRAP_EXTENSION, extension: 'written by triton-jetson bootstrap' }, { name: PREVIOUS_CONTEXT_EXTENSION, extension: 'work' },
    ]);
    const removal = removeFromKubeconfig(merged, 'triton-jetson')!;
    const removed = parse(removal.text);
    expect(removed.contexts.map((c: { name: string }) => c.name)).toEqual(['work']);
    expect(removed.clusters.map((c: { name: string }) => c.name)).toEqual(['work']);
    expect(removed['current-context']).toBe('work');
    expect(removal.currentContext).toEqual({ kind: 'restored', context: 'work' });
    expect(removal.kept).toEqual([]);
    expect(describeCurrentContext(removal.currentContext)).toBe('current context restored to "work" (the one bootstrap replaced)');
    expect(removeFromKubeconfig(OTHER, 'triton-jetson')).toBeUndefined();
  });

  test('a rerun keeps the recorded context; a later switch away is what reset restores', () => {
    const once = mergeKubeconfig(OTHER, entries, true);
    const again = mergeKubeconfig(once, entries, true);
    expect(sameKubeconfig(once, again)).toBe(true);
    expect(removeFromKubeconfig(again, 'triton-jetson')!.currentContext).toEqual({ kind: 'restored', context: 'work' });
    // The user switched to "work" and bootstrapped again: "work" is recorded again.
    const switched = again.replace('current-context: triton-jetson', 'current-context: work');
    expect(parse(removeFromKubeconfig(mergeKubeconfig(switched, entries, true), 'triton-jetson')!.text)['current-context']).toBe('work');
  });

  test('the replaced context is gone: no current context (never ""), and the summary says so', () => {
    const merged = parse(mergeKubeconfig(OTHER, entries, true));
    merged.contexts = merged.contexts.filter((c: { name: string }) => c.name !== 'work');
    const removal = removeFromKubeconfig(stringify(merged), 'triton-jetson')!;
    expect(parse(removal.text)).not.toHaveProperty('current-context');
    expect(removal.currentContext).toEqual({ kind: 'cleared', missing: 'work' });
    expect(describeCurrentContext(removal.currentContext)).toMatch(/^no current context now: "work", the one bootstrap replaced, no longer exists; pick one with: kubectl config use-context <name>$/);
  });

  test('nothing was replaced (fresh kubeconfig): no current context after removal', () => {
    const fresh = mergeKubeconfig(undefined, entries, true);
    expect(parse(fresh).contexts[0].context.extensions.map((e: { name: string }) => e.name)).toEqual([BOOTSTRAP_EXTENSION]);
    const removal = removeFromKubeconfig(fresh, 'triton-jetson')!;
    expect(parse(removal.text)).not.toHaveProperty('current-context');
    expect(removal.currentContext).toEqual({ kind: 'cleared', missing: undefined });
  });

  test('setCurrentContext false: nothing recorded, the current context is kept', () => {
    const merged = mergeKubeconfig(OTHER, entries, false);
    expect(parse(merged).contexts[1].context.extensions.map((e: { name: string }) => e.name)).toEqual([BOOTSTRAP_EXTENSION]);
    expect(removeFromKubeconfig(merged, 'triton-jetson')!.currentContext).toEqual({ kind: 'kept', context: 'work' });
  });

  test('errors name the file', () => {
    expect(() => rewriteK3sKubeconfig('clusters: []', { serverUrl: 'x', name: 'n' })).toThrow(/k3s.yaml: it has 0 clusters \(K3s writes exactly one\)/);
    expect(() => mergeKubeconfig('- a\n- b', entries, true)).toThrow(/not a kubeconfig/);
  });
});
