import { ManifestValidator, schemaAvailable, schemaFile } from '../support/k8s-schema';
import { describeWith } from '../support/prereq';
import { synthManifests } from '../support/synth';
import { VARIANTS } from '../support/variants';
import { readDist } from '../support/manifests';
import { invariantViolations } from '../support/invariants';

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
