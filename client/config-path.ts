/**
 * Where the commands find the cluster description: `--config <file>`, else
 * `$TRITON_JETSON_CONFIG` (an empty value counts as unset), else `./cluster.yaml`. A file
 * named by the flag or the variable must exist; the default may be absent (the tutorial's
 * cluster). The same order as `npm run synth` (lib/synth-command.ts).
 *
 * Local stand-in for lib/config's resolveClusterConfigPath(flag?, env), which is not on
 * this branch yet; replace with an import of it once it is.
 */
export const DEFAULT_CLUSTER_FILE = 'cluster.yaml';
export const CONFIG_ENV = 'TRITON_JETSON_CONFIG';

export interface ClusterConfigLocation {
  readonly path: string;
  /** Named by the user (flag or environment): it must exist. */
  readonly explicit: boolean;
  /** How it was found, for messages: "--config", "$TRITON_JETSON_CONFIG" or "default". */
  readonly source: '--config' | '$TRITON_JETSON_CONFIG' | 'default';
}

export function resolveClusterConfigPath(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): ClusterConfigLocation {
  if (flag !== undefined && flag !== '') return { path: flag, explicit: true, source: '--config' };
  const fromEnv = env[CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { path: fromEnv, explicit: true, source: '$TRITON_JETSON_CONFIG' };
  return { path: DEFAULT_CLUSTER_FILE, explicit: false, source: 'default' };
}
