/**
 * The cluster description (`cluster.yaml`): one file shared by synth and the
 * bootstrapper. Parsing is strict (unknown keys, duplicate keys and bad values are
 * errors), bounded (size, aliases, nesting; linear time) and an absent file means the
 * tutorial's cluster. Every failure is a ClusterConfigError of one-line issues.
 */
import type { ClusterConfig, ClusterConfigInput } from '../types/cluster';
import { LOCAL_FILE_KINDS, LocalFileError, readLocalText } from '../local-file';
import { MAX_YAML_ALIASES, MAX_YAML_DEPTH, parseBoundedYaml } from './bounded-yaml';
import { clusterConfigSchema } from './cluster-schema';
import { ClusterConfigError } from './config-error';
import { describeIssues } from './issues';
import { oneLine } from './one-line';

export { ClusterConfigError } from './config-error';
export {
  CLUSTER_CONFIG_ENV, DEFAULT_CLUSTER_CONFIG_FILE, resolveClusterConfigPath, type ClusterConfigLocation,
} from './config-location';
export type { ClusterConfig, ClusterConfigInput } from '../types/cluster';

/** Largest cluster description read (a real one is a few KB). */
export const MAX_CLUSTER_CONFIG_BYTES = LOCAL_FILE_KINDS['cluster description'].maxBytes;
export { MAX_YAML_ALIASES, MAX_YAML_DEPTH };

/** Validates an already-parsed object (e.g. from a test or another app). */
export function parseClusterConfig(input: ClusterConfigInput | unknown, source = '(object)'): ClusterConfig {
  const result = clusterConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ClusterConfigError(source, describeIssues(undefined, result.error.issues));
  return result.data;
}

/**
 * Parses YAML text; duplicate keys are an error, as in Kubernetes' own strict decoding.
 * Linear in the text's size and bounded: at most MAX_CLUSTER_CONFIG_BYTES, MAX_YAML_ALIASES
 * alias expansions and MAX_YAML_DEPTH levels of nesting.
 */
export function parseClusterConfigYaml(text: string, source = '(yaml)'): ClusterConfig {
  if (text.length > MAX_CLUSTER_CONFIG_BYTES || Buffer.byteLength(text, 'utf-8') > MAX_CLUSTER_CONFIG_BYTES) {
    throw new ClusterConfigError(source, [tooLarge()]);
  }
  const parsed = parseBoundedYaml(text);
  if (!parsed.ok) throw new ClusterConfigError(source, parsed.issues);
  return parseClusterConfig(parsed.value, source);
}

function tooLarge(): string {
  return `larger than ${MAX_CLUSTER_CONFIG_BYTES / 1024 / 1024} MB; ${LOCAL_FILE_KINDS['cluster description'].typical}`;
}

/** The file's text (bounded, regular files only), or undefined if it does not exist. */
function readClusterConfigFile(file: string): string | undefined {
  try {
    return readLocalText(file, 'cluster description');
  } catch (err) {
    if (!(err instanceof LocalFileError)) throw err;
    throw new ClusterConfigError(file, [err.problem], `cannot use cluster description ${oneLine(file, 200)}`);
  }
}

/**
 * Reads the cluster description at `file`. A missing file gives the tutorial's
 * defaults unless `required` (an explicitly given path must exist). Every failure,
 * I/O included, is a ClusterConfigError.
 */
export function loadClusterConfig(file: string, required = false): ClusterConfig {
  if (file === '') {
    throw new ClusterConfigError('--config', ['is empty; give the cluster description file, e.g. --config cluster.yaml'], '--config');
  }
  const text = readClusterConfigFile(file);
  if (text === undefined) {
    if (required) throw new ClusterConfigError(file, ['file not found (create it from cluster.example.yaml)']);
    return parseClusterConfig({}, '(tutorial defaults)');
  }
  return parseClusterConfigYaml(text, file);
}
