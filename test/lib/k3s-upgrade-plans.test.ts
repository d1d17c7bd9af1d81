/**
 * K3sUpgradePlans: system-upgrade-controller Plans for the K3s release of the cluster
 * description, servers first, then agents one at a time (docs/operations.md). Off by default
 * (dist/ unchanged), on through `upgrades.systemUpgradeController`; the objects validate
 * against the SUC CRD committed in schemas/crds/. test/k8s/k3s-upgrade-plans.test.ts applies
 * them to a real API server.
 */
import { manifestHeader } from '../../lib/manifest-header';
import { PACKAGE_VERSION } from '../../lib/version';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClusterConfigError, K3sUpgradePlans, parseClusterConfig, synthToDirectory, synthYaml } from '../../lib';
import { crdValidator } from '../support/crd-schema';
import { DIST, Manifest, parseManifests, REPO_ROOT } from '../support/manifests';
import { synthConstruct } from './helpers';

const CRD_FILE = path.join(REPO_ROOT, 'schemas', 'crds', 'upgrade.cattle.io_plans.yaml');
const validate = crdValidator(CRD_FILE, 'v1');

function plans(props: ConstructorParameters<typeof K3sUpgradePlans>[2] = {}): Manifest[] {
  return synthConstruct((scope) => new K3sUpgradePlans(scope, 'plans', props));
}

function expectValid(manifests: readonly Manifest[]): void {
  for (const m of manifests) expect(validate(m) ? [] : validate.errors).toEqual([]);
}

describe('K3sUpgradePlans', () => {
  test('a server plan, then an agent plan that waits for it, one node at a time, cordoned, agents drained', () => {
    const [server, agent] = plans({ version: 'v1.33.4+k3s1' });
    const labels = {
      'app.kubernetes.io/name': 'k3s-upgrade', 'app.kubernetes.io/part-of': 'triton-jetson', 'app.kubernetes.io/component': 'k3s-upgrade',
      'app.kubernetes.io/instance': 'triton-jetson', 'app.kubernetes.io/managed-by': 'cdk8s-triton-jetson', 'app.kubernetes.io/version': PACKAGE_VERSION,
    };
    expect(server).toEqual({
      apiVersion: 'upgrade.cattle.io/v1',
      kind: 'Plan',
      metadata: { name: 'k3s-server', namespace: 'system-upgrade', labels },
      spec: {
        concurrency: 1,
        cordon: true,
        nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'In', values: ['true'] }] },
        serviceAccountName: 'system-upgrade',
        upgrade: { image: 'rancher/k3s-upgrade' },
        version: 'v1.33.4+k3s1',
      },
    });
    expect(agent).toEqual({
      apiVersion: 'upgrade.cattle.io/v1',
      kind: 'Plan',
      metadata: { name: 'k3s-agent', namespace: 'system-upgrade', labels },
      spec: {
        concurrency: 1,
        cordon: true,
        nodeSelector: { matchExpressions: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'DoesNotExist' }] },
        // k3s-upgrade's prepare step waits for the plan it names: the server plan above.
        prepare: { image: 'rancher/k3s-upgrade', args: ['prepare', 'k3s-server'] },
        drain: { ignoreDaemonSets: true, deleteEmptydirData: true, force: false, timeout: '300s', skipWaitForDeleteTimeout: 60 },
        serviceAccountName: 'system-upgrade',
        upgrade: { image: 'rancher/k3s-upgrade' },
        version: 'v1.33.4+k3s1',
      },
    });
    expect(agent.spec.prepare.args[1]).toBe(server.metadata.name);
    expectValid([server, agent]);
    // Negative controls: the CRD's schema catches a plan without upgrade and a wrong type.
    expect(validate({ ...server, spec: { concurrency: 1 } })).toBe(false);
    expect(validate({ ...server, spec: { ...server.spec, cordon: 'yes' } })).toBe(false);
  });

  test('takes namespace, service account, a mirror image, concurrency and drain settings', () => {
    const [server, agent] = plans({
      namespace: 'suc', serviceAccountName: 'suc-runner', upgradeImage: 'registry.lan:5000/rancher/k3s-upgrade', agentConcurrency: 3,
      drain: { timeoutSeconds: 600, skipWaitForDeleteTimeoutSeconds: 0, force: true },
    });
    for (const plan of [server, agent]) {
      expect(plan.metadata.namespace).toBe('suc');
      expect(plan.spec.serviceAccountName).toBe('suc-runner');
      expect(plan.spec.upgrade.image).toBe('registry.lan:5000/rancher/k3s-upgrade');
      expect(plan.spec.version).toBe('v1.34.12+k3s1');
    }
    expect(server.spec.concurrency).toBe(1);
    expect(agent.spec.concurrency).toBe(3);
    expect(agent.spec.prepare.image).toBe('registry.lan:5000/rancher/k3s-upgrade');
    expect(agent.spec.drain).toEqual({ ignoreDaemonSets: true, deleteEmptydirData: true, force: true, timeout: '600s', skipWaitForDeleteTimeout: 0 });
    const [, undrained] = plans({ drain: { enabled: false } });
    expect(undrained.spec.drain).toBeUndefined();
    expect(undrained.spec.cordon).toBe(true);
    expectValid([server, agent, undrained]);
  });

  test('refuses props SUC or K3s would trip over, naming the field', () => {
    const refused: [object, RegExp][] = [
      [{ version: '1.34.1' }, /K3sUpgradePlans\.props\.version.*K3s release/],
      [{ version: 'v1.34.1+k3s1; rm -rf /' }, /K3sUpgradePlans\.props\.version/],
      // SUC adds the version as tag only to an untagged name: a tag would pin another release.
      [{ upgradeImage: 'rancher/k3s-upgrade:v1.30.0-k3s1' }, /K3sUpgradePlans\.props\.upgradeImage.*without tag/],
      [{ upgradeImage: `rancher/k3s-upgrade@sha256:${'a'.repeat(64)}` }, /K3sUpgradePlans\.props\.upgradeImage.*without tag/],
      [{ agentConcurrency: 0 }, /K3sUpgradePlans\.props\.agentConcurrency/],
      [{ namespace: 'System_Upgrade' }, /K3sUpgradePlans\.props\.namespace/],
      [{ drain: { timeoutSeconds: 900 } }, /K3sUpgradePlans\.props\.drain\.timeoutSeconds/],
      [{ drain: { grace: 1 } }, /K3sUpgradePlans\.props\.drain/],
    ];
    for (const [props, message] of refused) expect(() => plans(props as never)).toThrow(message);
  });
});

describe('upgrades.systemUpgradeController in the cluster description', () => {
  test('off by default: dist/ is byte-identical and has no Plan', () => {
    expect(parseClusterConfig({}).upgrades.systemUpgradeController.enabled).toBe(false);
    const yaml = synthYaml({});
    // dist/ holds synth's header, then exactly these manifests.
    expect(readFileSync(path.join(DIST, 'triton-jetson.k8s.yaml'), 'utf-8') === manifestHeader({ cwd: process.cwd() }) + yaml).toBe(true);
    expect(parseManifests(yaml).map((m) => m.kind)).not.toContain('Plan');
  });

  test('enabled: dist/k3s-upgrade-plans.k8s.yaml with the plans for k3s.version; disabled again, the file goes', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'suc plans '));
    try {
      const cluster = { k3s: { version: 'v1.33.4+k3s1' }, upgrades: { systemUpgradeController: { enabled: true, agentConcurrency: 2 } } };
      expect(synthToDirectory(cluster, path.join(out, 'dist')).map((f) => path.basename(f))).toEqual(['k3s-upgrade-plans.k8s.yaml', 'triton-jetson.k8s.yaml']);
      const manifests = parseManifests(readFileSync(path.join(out, 'dist', 'k3s-upgrade-plans.k8s.yaml'), 'utf-8'));
      expect(manifests.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual(['Plan/system-upgrade/k3s-server', 'Plan/system-upgrade/k3s-agent']);
      expect(manifests.map((m) => m.spec.version)).toEqual(['v1.33.4+k3s1', 'v1.33.4+k3s1']);
      expect(manifests[1].spec.concurrency).toBe(2);
      expectValid(manifests);
      // The Triton stack is the same file as without the plans.
      expect(readFileSync(path.join(out, 'dist', 'triton-jetson.k8s.yaml'), 'utf-8')).toBe(manifestHeader({ cwd: process.cwd() }) + synthYaml({ k3s: { version: 'v1.33.4+k3s1' } }));
      synthToDirectory({ k3s: { version: 'v1.33.4+k3s1' } }, path.join(out, 'dist'));
      expect(readdirSync(path.join(out, 'dist'))).toEqual(['triton-jetson.k8s.yaml']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  test('bad values are reported with their path; the K3s version keeps its own rules (cgroup v1 ceiling)', () => {
    const issues = (input: object) => {
      try {
        parseClusterConfig(input);
      } catch (err) {
        expect(err).toBeInstanceOf(ClusterConfigError);
        return (err as ClusterConfigError).issues.join('\n');
      }
      return '';
    };
    expect(issues({ upgrades: { systemUpgradeController: { enabled: 'yes', upgradeImage: 'rancher/k3s-upgrade:latest', extra: 1 } } }))
      .toMatch(/upgrades\.systemUpgradeController\.enabled[\s\S]*upgrades\.systemUpgradeController\.upgradeImage[\s\S]*extra/);
    expect(issues({ upgrades: { systemUpgradeController: { drain: { timeoutSeconds: 0 } } } })).toMatch(/upgrades\.systemUpgradeController\.drain\.timeoutSeconds/);
    expect(issues({ upgrades: { kured: {} } })).toMatch(/upgrades.*kured/);
    expect(issues({ k3s: { version: 'v1.35.0+k3s1' }, upgrades: { systemUpgradeController: { enabled: true } } })).toMatch(/k3s\.version: must be v1\.34 or older/);
  });
});
