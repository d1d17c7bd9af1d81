import { parseArgs } from 'node:util';
import { synthToDirectory } from './app';
import { ClusterConfigError, loadClusterConfig } from './config';

/** Where synth looks for the cluster description when no --config is given. */
export const DEFAULT_CLUSTER_FILE = 'cluster.yaml';

/**
 * `npm run synth [-- --config cluster.yaml] [--out dist]`: validates the cluster
 * description, then writes the manifests. Returns the process exit code.
 */
export function runSynthCommand(argv: readonly string[]): number {
  let values: { config?: string; out?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o' } },
      strict: true,
    }));
  } catch (err) {
    console.error(`synth: ${(err as Error).message} (usage: synth [--config cluster.yaml] [--out dist])`);
    return 2;
  }
  const givenConfig = values.config ?? (process.env.TRITON_JETSON_CONFIG || undefined);
  const configFile = givenConfig ?? DEFAULT_CLUSTER_FILE;
  // `cdk8s synth` passes its --output folder through CDK8S_OUTDIR.
  const outdir = values.out ?? (process.env.CDK8S_OUTDIR || 'dist');
  try {
    // A file the user named must exist; the default cluster.yaml is optional.
    const explicit = givenConfig !== undefined;
    const config = loadClusterConfig(configFile, explicit);
    const files = synthToDirectory(config, outdir);
    console.error(`synth: ${files.join(', ')}`);
    return 0;
  } catch (err) {
    if (err instanceof ClusterConfigError) {
      console.error(`synth: ${err.message}\nsynth: ${outdir}/ left unchanged.`);
      return 1;
    }
    throw err;
  }
}
