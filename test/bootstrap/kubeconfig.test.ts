import { parse } from 'yaml';
import { mergeKubeconfig, removeFromKubeconfig, rewriteK3sKubeconfig, sameKubeconfig } from '../../bootstrap/plan/kubeconfig';

const K3S_YAML = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0EK
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Q0VSVAo=
    client-key-data: S0VZCg==
`;

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

  test('points at the server address and renames every entry', () => {
    expect(entries.cluster).toEqual({ name: 'triton-jetson', cluster: { 'certificate-authority-data': 'Q0EK', server: 'https://10.0.0.11:6443' } });
    expect(entries.user).toEqual({ name: 'triton-jetson', user: { 'client-certificate-data': 'Q0VSVAo=', 'client-key-data': 'S0VZCg==' } });
    expect(entries.context).toEqual({ name: 'triton-jetson', context: { cluster: 'triton-jetson', user: 'triton-jetson' } });
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

  test('removal drops only our entries', () => {
    const merged = mergeKubeconfig(OTHER, entries, true);
    const removed = parse(removeFromKubeconfig(merged, 'triton-jetson')!);
    expect(removed.contexts.map((c: { name: string }) => c.name)).toEqual(['work']);
    expect(removed['current-context']).toBe('');
    expect(removeFromKubeconfig(OTHER, 'triton-jetson')).toBeUndefined();
  });

  test('errors name the file', () => {
    expect(() => rewriteK3sKubeconfig('clusters: []', { serverUrl: 'x', name: 'n' })).toThrow(/k3s.yaml has no cluster/);
    expect(() => mergeKubeconfig('- a\n- b', entries, true)).toThrow(/not a kubeconfig/);
  });
});
