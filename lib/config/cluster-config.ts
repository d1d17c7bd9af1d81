/**
 * The cluster description (`cluster.yaml`): one file shared by synth and the
 * bootstrapper. Parsing is strict (unknown keys, duplicate keys and bad values are
 * errors), bounded (size, aliases, nesting; linear time) and an absent file means the
 * tutorial's cluster. Every failure is a ClusterConfigError of one-line issues.
 */
import { z } from 'zod';
import { LOCAL_FILE_KINDS, LocalFileError, readLocalText } from '../local-file';
import { MAX_YAML_ALIASES, MAX_YAML_DEPTH, parseBoundedYaml } from './bounded-yaml';
import { checkK3sCeiling, inventorySchema } from './inventory-schema';
import { describeIssues, oneLine } from './issues';
import { checkHostProfiles, checkStackSections, stackSections } from './stack-props-schema';

export const clusterConfigSchema = z
  .object(stackSections)
  .extend(inventorySchema.shape)
  .strict()
  .superRefine((config, ctx) => {
    checkStackSections(config, ctx);
    if (config.nodes) {
      checkHostProfiles(config.triton.profiles, [config.nodes.server, ...config.nodes.agents],
        (i) => (i === 0 ? ['nodes', 'server', 'profile'] : ['nodes', 'agents', i - 1, 'profile']), ctx);
    }
    checkK3sCeiling(config, ctx);
  });

/** The validated cluster description, every default filled in. */
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
/** What a user may write: every field optional. */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;

/** Largest cluster description read (a real one is a few KB). */
export const MAX_CLUSTER_CONFIG_BYTES = LOCAL_FILE_KINDS['cluster description'].maxBytes;
export { MAX_YAML_ALIASES, MAX_YAML_DEPTH };
/** At most this many issues are listed; the rest are counted. */
const MAX_LISTED_ISSUES = 20;

/** Environment variable naming the cluster description, used when no --config is given. */
export const CLUSTER_CONFIG_ENV = 'TRITON_JETSON_CONFIG';
/** The cluster description used when neither --config nor $TRITON_JETSON_CONFIG is given. */
export const DEFAULT_CLUSTER_CONFIG_FILE = 'cluster.yaml';


/**
 * Invalid or unreadable cluster description (or construct props): `issues` are
 * "field: problem" lines. With one issue the message is a single line.
 */
export class ClusterConfigError extends Error {
  public readonly issues: readonly string[];

  constructor(
    public readonly source: string,
    issues: readonly string[],
    headline = `invalid cluster description ${oneLine(source, 200)}`,
  ) {
    const lines = issues.map((i) => oneLine(i));
    const listed = lines.length > MAX_LISTED_ISSUES
      ? [...lines.slice(0, MAX_LISTED_ISSUES), `… and ${lines.length - MAX_LISTED_ISSUES} more problems`]
      : lines;
    super(listed.length === 1 ? `${headline}: ${listed[0]}` : `${headline}:\n${listed.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ClusterConfigError';
    this.issues = lines;
  }
}

/** Validates an already-parsed object (e.g. from a test or another app). */
export function parseClusterConfig(input: unknown, source = '(object)'): ClusterConfig {
  const result = clusterConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ClusterConfigError(source, describeIssues(undefined, result.error.issues));
  return result.data;
}

/**
 * Validates the props of a construct used directly (not through cluster.yaml) with the
 * same zod pieces as the cluster description. Throws a ClusterConfigError whose issues
 * name `<constructName>.props.<field>`; returns the parsed props (defaults filled in).
 * Every construct calls it first, before `super()`: a refused construct never joins the tree.
 *
 *   const valid = parseConstructProps('ModelSeedJob', modelSeedJobPropsSchema, props);
 */
export function parseConstructProps<S extends z.ZodType>(constructName: string, schema: S, props: unknown): z.output<S> {
  const result = schema.safeParse(props ?? {});
  if (!result.success) {
    throw new ClusterConfigError(
      `${constructName} props`,
      describeIssues(`${constructName}.props`, result.error.issues),
      `invalid ${constructName} props`,
    );
  }
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

/** Where the cluster description comes from, and whether it must exist. */
export interface ClusterConfigLocation {
  /** The file to read. */
  readonly file: string;
  /** True when the user named it (--config or the environment): then it must exist. */
  readonly required: boolean;
  /** How it was found, for messages: "--config", "$TRITON_JETSON_CONFIG" or "default". */
  readonly origin: '--config' | `$${typeof CLUSTER_CONFIG_ENV}` | 'default';
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
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { file: fromEnv, required: true, origin: `$${CLUSTER_CONFIG_ENV}` };
  return { file: DEFAULT_CLUSTER_CONFIG_FILE, required: false, origin: 'default' };
}
