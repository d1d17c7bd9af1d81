/**
 * The cluster description (`cluster.yaml`): one file shared by synth and the
 * bootstrapper. Parsing is strict (unknown keys, duplicate keys and bad values are
 * errors) and an absent file means the tutorial's cluster.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { inventorySchema } from './inventory-schema';
import { modelsSchema, seedingSchema } from './models-schema';
import {
  checkDistinctPorts, networkPolicySchema, nfsSchema, provisionerSchema, serviceSchema, storageSchema, tritonSchema,
} from './stack-schema';
import { dnsLabel } from './validators';

export const clusterConfigSchema = z
  .object({
    /** Namespace of the namespaced objects. */
    namespace: dnsLabel.default('default'),
    nfs: nfsSchema.prefault({}),
    provisioner: provisionerSchema.prefault({}),
    storage: storageSchema.prefault({}),
    triton: tritonSchema.prefault({}),
    service: serviceSchema.prefault({}),
    models: modelsSchema,
    seeding: seedingSchema.prefault({}),
    networkPolicy: networkPolicySchema.prefault({}),
  })
  .extend(inventorySchema.shape)
  .strict()
  .superRefine((config, ctx) => {
    checkDistinctPorts(config.triton.ports, ['triton', 'ports'], ctx);
    checkDistinctPorts(config.service.nodePorts, ['service', 'nodePorts'], ctx);
  });

/** The validated cluster description, every default filled in. */
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
/** What a user may write: every field optional. */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;

/** Invalid cluster description: `issues` are "field: problem" lines. */
export class ClusterConfigError extends Error {
  constructor(public readonly source: string, public readonly issues: readonly string[]) {
    super(`invalid cluster description ${source}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ClusterConfigError';
  }
}

/** Validates an already-parsed object (e.g. from a test or another app). */
export function parseClusterConfig(input: unknown, source = '(object)'): ClusterConfig {
  const result = clusterConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ClusterConfigError(source, result.error.issues.map(formatIssue));
  return result.data;
}

/** Parses YAML text; duplicate keys are an error, as in Kubernetes' own strict decoding. */
export function parseClusterConfigYaml(text: string, source = '(yaml)'): ClusterConfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ClusterConfigError(source, doc.errors.map((e) => `YAML ${e.message.split('\n')[0]} (fix the YAML syntax or remove the repeated key)`));
  }
  return parseClusterConfig(doc.toJS(), source);
}

/**
 * Reads the cluster description at `file`. A missing file gives the tutorial's
 * defaults unless `required` (an explicitly given path must exist).
 */
export function loadClusterConfig(file: string, required = false): ClusterConfig {
  if (!existsSync(file)) {
    if (required) throw new ClusterConfigError(file, [`file not found (create it from cluster.example.yaml)`]);
    return parseClusterConfig({}, '(tutorial defaults)');
  }
  return parseClusterConfigYaml(readFileSync(file, 'utf-8'), file);
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => `${where === '(top level)' ? key : `${where}.${key}`}: unknown key; remove it or fix its spelling (see cluster.example.yaml)`)
      .join('\n  - ');
  }
  if (issue.code === 'invalid_type') {
    return `${where}: ${issue.message.replace(/^Invalid input: /, '')}`;
  }
  return `${where}: ${issue.message}`;
}
