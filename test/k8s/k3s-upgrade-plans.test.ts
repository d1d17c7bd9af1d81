/**
 * The system-upgrade-controller Plans (K3sUpgradePlans, dist/k3s-upgrade-plans.k8s.yaml) on a
 * real Kubernetes 1.34 API server: SUC's CRD (schemas/crds/upgrade.cattle.io_plans.yaml, as
 * its release's crd.yaml installs it) is applied, then the plans synthesized from a cluster
 * description pass `kubectl apply --dry-run=server --validate=strict` and are stored as
 * written. Negative controls: the same server refuses an unknown field and a wrong type.
 * SUC itself does not run here (docs/operations.md).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthToDirectory } from '../../lib';
import { describeWith } from '../support/prereq';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';
import { manifestObjects } from './cluster-fixtures';

jest.setTimeout(180_000);

const CRD = join(__dirname, '..', '..', 'schemas', 'crds', 'upgrade.cattle.io_plans.yaml');

describeWith(kubeClusterPrerequisites())('system-upgrade-controller Plans on a real API server', () => {
  let cluster: KubeCluster;
  let plansYaml: string;

  beforeAll(async () => {
    cluster = await KubeCluster.start({ workloads: false });
    await cluster.kubectlOk(['apply', '--server-side', '-f', CRD]);
    await cluster.kubectlOk(['wait', '--for=condition=Established', 'crd/plans.upgrade.cattle.io', '--timeout=60s']);
    await cluster.kubectlOk(['create', 'namespace', 'system-upgrade']);
    const out = mkdtempSync(join(tmpdir(), 'suc-plans-'));
    try {
      synthToDirectory({
        k3s: { version: 'v1.33.4+k3s1' },
        upgrades: { systemUpgradeController: { enabled: true, agentConcurrency: 2, drain: { timeoutSeconds: 120 } } },
      }, join(out, 'dist'));
      plansYaml = readFileSync(join(out, 'dist', 'k3s-upgrade-plans.k8s.yaml'), 'utf-8');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('the plans pass server-side strict validation and are stored as synthesized', async () => {
    await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], plansYaml);
    // The YAML exactly as synthesized, as the API server reads it (no kubectl rewriting).
    for (const doc of plansYaml.split(/^---$/m)) {
      const answer = await cluster.strictDryRunYaml(doc);
      expect([answer.status, answer.body.slice(0, 300)]).toEqual([201, expect.any(String)]);
    }
    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], plansYaml);
    const stored = await cluster.getJson<{ items: { metadata: { name: string }; spec: object }[] }>(['plans.upgrade.cattle.io', '-n', 'system-upgrade']);
    const written = manifestObjects(plansYaml);
    expect(stored.items.map((p) => p.metadata.name).sort()).toEqual(['k3s-agent', 'k3s-server']);
    for (const plan of written) {
      expect(stored.items.find((p) => p.metadata.name === plan.metadata.name)?.spec).toEqual(plan.spec);
    }
    const agent = stored.items.find((p) => p.metadata.name === 'k3s-agent')!.spec as { prepare: { args: string[] }; drain: { timeout: string }; concurrency: number; version: string };
    expect(agent.prepare.args).toEqual(['prepare', 'k3s-server']);
    expect(agent.drain.timeout).toBe('120s');
    expect(agent.concurrency).toBe(2);
    expect(agent.version).toBe('v1.33.4+k3s1');
  });

  test('negative controls: the CRD makes the server refuse an unknown field and a wrong type', async () => {
    const [server] = manifestObjects(plansYaml) as { metadata: { name: string }; spec: Record<string, unknown> }[];
    const typo = { ...server, metadata: { ...server.metadata, name: 'typo' }, spec: { ...server.spec, concurency: 1 } };
    const typoResult = await cluster.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], JSON.stringify(typo));
    expect(typoResult.code).not.toBe(0);
    expect(typoResult.stderr).toMatch(/unknown field "spec\.concurency"/);
    const wrongType = { ...server, metadata: { ...server.metadata, name: 'wrong' }, spec: { ...server.spec, concurrency: 'one' } };
    const wrongResult = await cluster.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], JSON.stringify(wrongType));
    expect(wrongResult.code).not.toBe(0);
    expect(wrongResult.stderr).toMatch(/spec\.concurrency/);
  });
});
