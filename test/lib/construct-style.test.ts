/**
 * The one construct style (docs/architecture.md): every object is an L1 `Kube*` (or imported
 * CRD) object whose fields are all written by its construct; nothing is patched afterwards
 * and no cdk8s-plus workload renders part of the output.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { TritonJetsonStack, parseClusterConfig, stackPropsFromClusterConfig } from '../../lib';
import { REPO_ROOT } from '../support/manifests';
import { VARIANTS } from '../support/variants';
import { testApp } from './helpers';

/** Every .ts file under lib/, relative to the repository. */
function libSources(dir = path.join(REPO_ROOT, 'lib')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return libSources(full);
    return e.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * cdk8s-plus in lib/: only references that render nothing, for users' own cdk8s-plus
 * constructs: ModelStore.volumeClaim, the pods selections, TritonService.plusService (built
 * in a detached app; the test below checks it adds nothing to the manifests).
 */
const PLUS_REFERENCES = new Set([
  'PersistentVolumeClaim.fromClaimName', 'IPersistentVolumeClaim', 'Pods', 'Pods.select', 'Namespaces.select', 'Service', 'ServiceType.NODE_PORT',
]);

describe('one construct style', () => {
  test('no object of any variant carries a JSON patch', () => {
    for (const [name, input] of Object.entries(VARIANTS)) {
      const chart = new Chart(testApp(), 'test', { disableResourceNameHashes: true });
      new TritonJetsonStack(chart, 'stack', stackPropsFromClusterConfig(parseClusterConfig(input)));
      const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
      expect(objects.length).toBeGreaterThan(3);
      // `patches` is private to cdk8s; reading it is the only way to see a patch before rendering.
      const patched = objects.filter((o) => (o as unknown as { patches: unknown[] }).patches.length > 0).map((o) => `${name}: ${o.kind}/${o.name}`);
      expect(patched).toEqual([]);
    }
  });

  test('lib/ neither patches output nor builds cdk8s-plus objects (only references users pass to their own cdk8s-plus constructs)', () => {
    const offenders: string[] = [];
    for (const file of libSources()) {
      // Code only: doc comments may show users how to call cdk8s-plus.
      const text = readFileSync(file, 'utf-8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const rel = path.relative(REPO_ROOT, file);
      if (/\baddJsonPatch\b|\bJsonPatch\./.test(text)) offenders.push(`${rel}: JSON patch`);
      for (const [, use] of text.matchAll(/\bkplus\.(\w+(?:\.\w+)*)/g)) {
        if (!PLUS_REFERENCES.has(use)) offenders.push(`${rel}: kplus.${use}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
