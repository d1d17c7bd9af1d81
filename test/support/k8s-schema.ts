/**
 * Validates manifests against the Kubernetes OpenAPI definitions the imports were
 * generated from, the way kubeconform's -strict does: every object schema that lists
 * its properties rejects unknown ones.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';

export const K8S_SCHEMA_VERSION = '1.27.0';

/**
 * The definitions file: <root>/v<version>/_definitions.json, root $K8S_SCHEMA_DIR or the
 * repository's schemas/k8s (v1.27.0 is committed there; see schemas/README.md).
 */
export function schemaFile(version = K8S_SCHEMA_VERSION): string {
  const root = process.env.K8S_SCHEMA_DIR || path.join(__dirname, '..', '..', 'schemas', 'k8s');
  return path.resolve(root, `v${version}`, '_definitions.json');
}

export function schemaAvailable(version = K8S_SCHEMA_VERSION): boolean {
  return existsSync(schemaFile(version));
}

interface Definition {
  type?: string;
  properties?: Record<string, unknown>;
  additionalProperties?: unknown;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
  [key: string]: unknown;
}

/** Strict validators keyed by "apiVersion/kind". */
export class ManifestValidator {
  private readonly ajv: Ajv;
  private readonly byKind = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(version = K8S_SCHEMA_VERSION) {
    const { definitions } = JSON.parse(readFileSync(schemaFile(version), 'utf-8')) as { definitions: Record<string, Definition> };
    for (const [name, def] of Object.entries(definitions)) {
      closeObject(def);
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        this.byKind.set(`${apiVersion}/${gvk.kind}`, name);
      }
    }
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({ $id: 'k8s', definitions }, 'k8s');
  }

  /** Problems with one manifest ("" path = the object itself); empty when valid. */
  validate(manifest: { apiVersion?: string; kind?: string }): string[] {
    const key = `${manifest.apiVersion}/${manifest.kind}`;
    const definition = this.byKind.get(key);
    if (!definition) return [`unknown apiVersion/kind ${key}`];
    let validate = this.compiled.get(definition);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `k8s#/definitions/${definition}` });
      this.compiled.set(definition, validate);
    }
    if (validate(manifest)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : '';
      return `${e.instancePath || '/'} ${e.message}${extra}`;
    });
  }
}

/** kubeconform's "strict": object schemas with known properties reject unknown ones. */
function closeObject(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(closeObject);
    return;
  }
  if (!node || typeof node !== 'object') return;
  const def = node as Definition;
  if (def.properties && def.additionalProperties === undefined) def.additionalProperties = false;
  for (const value of Object.values(def)) closeObject(value);
}
