import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ManifestValidator, schemaAvailable, schemaFile } from '../support/k8s-schema';
import { describeWith } from '../support/prereq';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';
import { readDist } from '../support/manifests';
import { invariantViolations } from '../support/invariants';
import { REPO_ROOT } from '../support/manifests';

describeWith([{ name: 'Kubernetes 1.27 schema', present: schemaAvailable(), hint: `${schemaFile()} or K8S_SCHEMA_DIR` }])(
  'every manifest validates strictly against the Kubernetes 1.27 schema',
  () => {
    let validator: ManifestValidator;
    beforeAll(() => {
      validator = new ManifestValidator();
    });

    test('the committed dist/', () => {
      const problems = readDist().flatMap((m) => validator.validate(m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
      expect(problems).toEqual([]);
    });

    test.each(Object.entries(VARIANTS))('the %s configuration', (_name, cluster) => {
      const manifests = synthManifests(cluster);
      const problems = manifests.flatMap((m) => validator.validate(m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
      expect(problems).toEqual([]);
      expect(invariantViolations(manifests)).toEqual([]);
    });

    test('the validator rejects unknown fields and wrong types (negative control)', () => {
      const [ds] = synthManifests().filter((m) => m.kind === 'DaemonSet');
      ds.spec.template.spec.containers[0].volumeMount = [];
      ds.spec.template.spec.containers[0].ports[0].containerPort = '8000';
      expect(validator.validate(ds)).toEqual([
        '/spec/template/spec/containers/0 must NOT have additional properties "volumeMount"',
        '/spec/template/spec/containers/0/ports/0/containerPort must be integer',
      ]);
    });
  },
);

test('npm run import regenerates the committed imports/k8s.ts byte for byte from schemas/k8s/', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'import-'));
  try {
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(REPO_ROOT, 'scripts', 'import-k8s.ts')], {
      cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env, IMPORT_OUTDIR: out, K8S_SCHEMA_DIR: '' }, // '' = the committed schemas/k8s
    });
    expect(readFileSync(path.join(out, 'k8s.ts'), 'utf-8') === readFileSync(path.join(REPO_ROOT, 'imports', 'k8s.ts'), 'utf-8')).toBe(true);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 120_000);
