/** Helpers to read synthesized manifests in tests. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [key: string]: any };

/** Parses multi-document YAML strictly (duplicate keys are errors, as in kubectl's strict decoding). */
export function parseManifests(yaml: string): Manifest[] {
  const docs = parseAllDocuments(yaml, { uniqueKeys: true });
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
    const value = doc.toJS();
    if (value) manifests.push(value as Manifest);
  }
  return manifests;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DIST = path.join(REPO_ROOT, 'dist');

/** Every manifest in dist/, file by file in name order. */
export function readDist(dir = DIST): Manifest[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => parseManifests(readFileSync(path.join(dir, f), 'utf-8')));
}

export function findManifest(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found;
}

/** The pod spec of a workload (Deployment, DaemonSet, Job) or Pod. */
export function podSpec(manifest: Manifest): any {
  return manifest.kind === 'Pod' ? manifest.spec : manifest.spec.template.spec;
}
