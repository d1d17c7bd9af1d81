import { mkdtempSync, readdirSync, renameSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { App, Chart } from 'cdk8s';
import { ClusterConfigInput } from './config';
import { TritonJetsonStack } from './triton-jetson-stack';

/** Name of the chart, and so of the manifest file: dist/triton-jetson.k8s.yaml. */
export const CHART_NAME = 'triton-jetson';

/** Builds the app for a cluster description, synthesizing into `outdir`. */
export function buildApp(cluster: ClusterConfigInput = {}, outdir?: string): App {
  const app = new App({ outdir });
  // Human, stable object names: each construct sets metadata.name explicitly.
  const chart = new Chart(app, CHART_NAME, { disableResourceNameHashes: true });
  new TritonJetsonStack(chart, 'stack', { cluster });
  return app;
}

/** The stack's manifests as one multi-document YAML string. */
export function synthYaml(cluster: ClusterConfigInput = {}): string {
  return buildApp(cluster).synthYaml();
}

/**
 * Synthesizes into `outdir`, replacing it only after the whole synthesis succeeded:
 * invalid input leaves the previous manifests exactly as they were (unlike
 * `cdk8s synth`, which empties the folder first).
 */
export function synthToDirectory(cluster: ClusterConfigInput, outdir: string): string[] {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(path.join(parent, `.${path.basename(target)}.staging-`));
  try {
    buildApp(cluster, staging).synth();
    const files = readdirSync(staging).sort();
    const previous = existsSync(target) ? `${staging}.previous` : undefined;
    if (previous) renameSync(target, previous);
    try {
      renameSync(staging, target);
    } catch (err) {
      if (previous) renameSync(previous, target); // put the old manifests back
      throw err;
    }
    if (previous) rmSync(previous, { recursive: true, force: true });
    return files.map((f) => path.join(outdir, f));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
