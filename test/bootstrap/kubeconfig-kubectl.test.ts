/**
 * The kubeconfig bootstrap writes, read and rewritten by the real kubectl (the release the
 * tests build): the marks bootstrap puts on its entries (`triton-jetson.dev/bootstrap`,
 * `triton-jetson.dev/previous-context`) are kept by kubectl's own edits, so reset still
 * knows which entries are bootstrap's after `kubectl config use-context` and friends.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOOTSTRAP_EXTENSION, mergeKubeconfig, removeFromKubeconfig, rewriteK3sKubeconfig } from '../../bootstrap/plan/kubeconfig';
import { DEFAULT_KUBECTL } from '../support/kube-cluster';
import { describeWith } from '../support/prereq';
import { scratchDirs } from '../support/scratch';
import { K3S_YAML } from './k3s-yaml';

const scratch = scratchDirs();
const kubectl = process.env.KUBECTL ?? DEFAULT_KUBECTL;
const OTHER = 'apiVersion: v1\nkind: Config\nclusters:\n- name: work\n  cluster: {server: "https://work.example:6443"}\nusers:\n- name: work\n  user: {token: abc}\ncontexts:\n- name: work\n  context: {cluster: work, user: work}\ncurrent-context: work\n';

describeWith([{ name: `kubectl (${kubectl})`, present: existsSync(kubectl), hint: 'bash scripts/k8s-binaries.sh builds it, or set KUBECTL' }])('the kubeconfig bootstrap writes, through the real kubectl', () => {
  test('kubectl reads it, keeps the marks through its own rewrites, and reset then removes only bootstrap\'s entries', () => {
    const file = join(scratch('kubectl-kubeconfig-'), 'config');
    const entries = rewriteK3sKubeconfig(K3S_YAML, { serverUrl: 'https://10.0.0.11:6443', name: 'triton-jetson' });
    writeFileSync(file, mergeKubeconfig(OTHER, entries, true), { mode: 0o600 });
    const run = (...args: string[]) => execFileSync(kubectl, ['--kubeconfig', file, ...args], { encoding: 'utf-8' });
    expect(run('config', 'current-context').trim()).toBe('triton-jetson');
    expect(run('config', 'get-contexts', '-o', 'name').trim().split('\n').sort()).toEqual(['triton-jetson', 'work']);
    // kubectl rewrites the whole file on each of these.
    run('config', 'use-context', 'work');
    run('config', 'set-context', 'triton-jetson', '--namespace', 'inference');
    run('config', 'use-context', 'triton-jetson');
    const rewritten = parse(readFileSync(file, 'utf-8'));
    const ours = rewritten.clusters.find((c: { name: string }) => c.name === 'triton-jetson');
    expect(ours.cluster.extensions).toEqual([{ name: BOOTSTRAP_EXTENSION, extension: 'written by triton-jetson bootstrap' }]);
    const removal = removeFromKubeconfig(readFileSync(file, 'utf-8'), 'triton-jetson')!;
    expect(removal.currentContext).toEqual({ kind: 'restored', context: 'work' });
    writeFileSync(file, removal.text);
    expect(run('config', 'get-contexts', '-o', 'name').trim()).toBe('work');
    expect(run('config', 'current-context').trim()).toBe('work');
  });
});
