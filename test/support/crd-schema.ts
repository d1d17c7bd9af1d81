/**
 * A JSON-schema validator for one version of a CRD committed under schemas/crds/: what the
 * API server's structural-schema check does first, offline, for the unit suite.
 */
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { parse } from 'yaml';

export function crdValidator(file: string, version: string) {
  const crd = parse(readFileSync(file, 'utf-8')) as { spec: { versions: { name: string; schema: { openAPIV3Schema: object } }[] } };
  const found = crd.spec.versions.find((v) => v.name === version);
  if (!found) throw new Error(`${file} has no version ${version}`);
  const ajv = new Ajv({ strict: false, allErrors: true });
  // Kubernetes' structural-schema extensions are not JSON Schema keywords.
  for (const keyword of ['x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations']) {
    ajv.addKeyword(keyword);
  }
  for (const format of ['int32', 'int64', 'byte', 'date-time']) ajv.addFormat(format, true);
  return ajv.compile(found.schema.openAPIV3Schema);
}
