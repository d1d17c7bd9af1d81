/**
 * examples/gitops/ (docs/gitops.md): what a GitOps repository commits. Its manifests are
 * exactly what synth writes from its cluster.yaml; `kubectl kustomize examples/gitops` (what
 * Argo CD and Flux build) passes a strict server-side dry run on a real control plane, with
 * the Namespace first and a seeding Job the tools leave alone; the Argo CD Application and the
 * Flux GitRepository and Kustomization point at it and are accepted by the API server (under
 * stand-in CRDs that take any spec: the tools' own CRDs are not in this repository).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { synthCommand } from '../../lib/synth-command';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';
import { labelAndOrderViolations } from '../support/invariants';
import { findManifest, Manifest, parseManifests, REPO_ROOT } from '../support/manifests';
import { describeWith } from '../support/prereq';

jest.setTimeout(180_000);

const GITOPS = path.join(REPO_ROOT, 'examples', 'gitops');
const read = (file: string) => readFileSync(path.join(GITOPS, file), 'utf-8');
const documents = (file: string): Manifest[] => parseAllDocuments(read(file)).map((d) => d.toJS() as Manifest);

test('examples/gitops/manifests is exactly what synth writes from examples/gitops/cluster.yaml', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'gitops-'));
  try {
    const lines: string[] = [];
    const code = synthCommand({ config: 'examples/gitops/cluster.yaml', out: path.join(out, 'manifests') }, { cwd: REPO_ROOT, env: {}, error: (l) => lines.push(l) });
    expect({ code, lines }).toEqual({ code: 0, lines: [expect.stringMatching(/^synth: /)] });
    const fresh = readFileSync(path.join(out, 'manifests', 'triton-jetson.k8s.yaml'), 'utf-8');
    // Regenerate with: npm run synth -- --config examples/gitops/cluster.yaml --out examples/gitops/manifests
    expect(fresh === read('manifests/triton-jetson.k8s.yaml')).toBe(true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the Argo CD Application and the Flux Kustomization point at examples/gitops and prune', () => {
  const [app] = documents('argocd-application.yaml');
  expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'triton-jetson' } });
  expect(app.spec.source.path).toBe('examples/gitops');
  expect(app.spec.destination.namespace).toBe('triton');
  expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  const [repo, kustomization] = documents('flux-kustomization.yaml');
  expect(repo).toMatchObject({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' });
  expect(kustomization).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' });
  expect(kustomization.spec.sourceRef).toEqual({ kind: 'GitRepository', name: repo.metadata.name });
  expect(kustomization.spec.path).toBe('./examples/gitops');
  expect(kustomization.spec.prune).toBe(true);
  expect(repo.spec.url).toBe(app.spec.source.repoURL);
});

/** A CRD that accepts any spec, standing in for Argo CD's and Flux's own. */
function standInCrd(group: string, kind: string, plural: string, version: string): string {
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [{ name: version, served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  });
}

describeWith(kubeClusterPrerequisites())('examples/gitops on a real control plane', () => {
  let cluster: KubeCluster;
  let built: string;

  beforeAll(async () => {
    cluster = await KubeCluster.start();
    built = await cluster.kubectlOk(['kustomize', GITOPS]);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('kubectl kustomize builds the manifests unchanged: Namespace first, the Job kept after it finishes', () => {
    const objects = parseManifests(built);
    const ids = (list: Manifest[]) => list.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    // Kustomize sorts by kind (its apply order), Namespace first; the objects are the same.
    expect(ids(objects)).toEqual(ids(parseManifests(read('manifests/triton-jetson.k8s.yaml'))));
    expect(objects[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'triton' } });
    expect(labelAndOrderViolations(parseManifests(read('manifests/triton-jetson.k8s.yaml')))).toEqual([]);
    const job = findManifest(objects, 'Job');
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.metadata).toMatchObject({ namespace: 'triton', annotations: { 'kustomize.toolkit.fluxcd.io/ssa': 'IfNotPresent' } });
  });

  test('its output passes a strict server-side dry run, every object', async () => {
    // Argo CD and Flux apply the Namespace before what lives in it; a dry run stores nothing,
    // so the namespace exists for real first (the Namespace object is then dry-run "configured").
    const namespace = findManifest(parseManifests(built), 'Namespace');
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], JSON.stringify(namespace));
    const out = await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], built);
    const objects = parseManifests(built);
    expect(out.trim().split('\n')).toHaveLength(objects.length);
    for (const line of out.trim().split('\n')) expect(line).toMatch(/ \(server dry run\)$/);
    // Nothing but the namespace was stored.
    expect((await cluster.kubectl(['get', 'daemonset', 'triton', '-n', 'triton'])).code).not.toBe(0);
  });

  test('the Argo CD Application and the Flux objects are valid Kubernetes objects', async () => {
    for (const crd of [
      standInCrd('argoproj.io', 'Application', 'applications', 'v1alpha1'),
      standInCrd('source.toolkit.fluxcd.io', 'GitRepository', 'gitrepositories', 'v1'),
      standInCrd('kustomize.toolkit.fluxcd.io', 'Kustomization', 'kustomizations', 'v1'),
    ]) await cluster.kubectlOk(['apply', '-f', '-'], crd);
    await cluster.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all']);
    await cluster.kubectlOk(['create', 'namespace', 'argocd']);
    await cluster.kubectlOk(['create', 'namespace', 'flux-system']);
    for (const file of ['argocd-application.yaml', 'flux-kustomization.yaml']) {
      const out = await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-f', path.join(GITOPS, file)]);
      expect(out).toMatch(/triton-jetson (created|configured) \(server dry run\)/);
    }
  });
});
