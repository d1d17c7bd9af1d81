/**
 * Where the cluster description is: `--config`, else $TRITON_JETSON_CONFIG, else
 * ./cluster.yaml. Its own file, free of the schema (zod) and the YAML parser, so that the
 * CLI's commands can name it in their help without loading either.
 */
import { ClusterConfigError } from './config-error';

/** Environment variable naming the cluster description, used when no --config is given. */
export const CLUSTER_CONFIG_ENV = 'TRITON_JETSON_CONFIG';
/** The cluster description used when neither --config nor $TRITON_JETSON_CONFIG is given. */
export const DEFAULT_CLUSTER_CONFIG_FILE = 'cluster.yaml';

/** Where the cluster description comes from, and whether it must exist. */
export interface ClusterConfigLocation {
  /** The file to read. */
  readonly file: string;
  /** True when the user named it (--config or the environment): then it must exist. */
  readonly required: boolean;
  /** How it was found, for messages: "--config", "$TRITON_JETSON_CONFIG" or "default". */
  readonly origin: '--config' | '$TRITON_JETSON_CONFIG' | 'default';
}

/**
 * How every command finds the cluster description: `--config` if given, then
 * $TRITON_JETSON_CONFIG (when set and not empty), then ./cluster.yaml (optional: absent
 * means the tutorial's cluster). A given but empty --config is an error.
 */
export function resolveClusterConfigPath(flag?: string, env: NodeJS.ProcessEnv = process.env): ClusterConfigLocation {
  if (flag !== undefined) {
    if (flag.trim() === '') {
      throw new ClusterConfigError('--config', ['is empty; give the cluster description file, e.g. --config cluster.yaml'], '--config');
    }
    return { file: flag, required: true, origin: '--config' };
  }
  const fromEnv = env[CLUSTER_CONFIG_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { file: fromEnv, required: true, origin: '$TRITON_JETSON_CONFIG' };
  return { file: DEFAULT_CLUSTER_CONFIG_FILE, required: false, origin: 'default' };
}
