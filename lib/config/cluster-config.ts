/**
 * The cluster description (`cluster.yaml`): one file shared by synth and the
 * bootstrapper. Parsing is strict (unknown keys, duplicate keys and bad values are
 * errors), bounded (size, aliases, nesting; linear time) and an absent file means the
 * tutorial's cluster. Every failure is a ClusterConfigError of one-line issues.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync } from 'node:fs';
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { ClusterConfig, ClusterConfigInput } from '../types/cluster';
import { clusterConfigSchema } from './cluster-schema';
import { ClusterConfigError, MAX_LISTED_ISSUES } from './config-error';
import { describeIssues } from './issues';
import { oneLine } from './one-line';

export { ClusterConfigError } from './config-error';
export type { ClusterConfig, ClusterConfigInput } from '../types/cluster';

/** Largest cluster description read (a real one is a few KB). */
export const MAX_CLUSTER_CONFIG_BYTES = 1024 * 1024;
/** Most YAML aliases (`*name`) expanded: a real description needs a handful; "billion laughs" needs millions. */
export const MAX_YAML_ALIASES = 100;
/** Deepest nesting of maps and lists accepted (the schema itself is less than 10 levels deep). */
export const MAX_YAML_DEPTH = 64;
/** Environment variable naming the cluster description, used when no --config is given. */
export const CLUSTER_CONFIG_ENV = 'TRITON_JETSON_CONFIG';
/** The cluster description used when neither --config nor $TRITON_JETSON_CONFIG is given. */
export const DEFAULT_CLUSTER_CONFIG_FILE = 'cluster.yaml';

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
  const lineCounter = new LineCounter();
  // uniqueKeys: false — yaml's own duplicate check compares every key with every other
  // (quadratic); checkYamlTree does it with one Set per map.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: true, lineCounter });
  if (doc.errors.length > 0) {
    throw new ClusterConfigError(source, doc.errors.map((e) => `YAML ${e.message.split('\n')[0]} (fix the YAML syntax)`));
  }
  const structural = checkYamlTree(doc, lineCounter);
  if (structural.length > 0) throw new ClusterConfigError(source, structural);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    if (err instanceof ReferenceError && /alias/i.test(err.message)) {
      throw new ClusterConfigError(source, [`YAML aliases expand too much (more than ${MAX_YAML_ALIASES} "*name" references, as in a "billion laughs" attack); write the values out instead of aliasing them`]);
    }
    throw new ClusterConfigError(source, [`YAML ${err instanceof Error ? err.message : String(err)} (fix the YAML)`]);
  }
  return parseClusterConfig(value, source);
}

/** Duplicate keys and excessive nesting, found in one pass over the YAML tree. */
function checkYamlTree(doc: Document.Parsed, lineCounter: LineCounter): string[] {
  const problems: string[] = [];
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  const lineOf = (node: unknown) => {
    const range = (node as { range?: [number, number, number] } | null)?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isMap(node) && !isSeq(node)) continue;
    if (depth >= MAX_YAML_DEPTH) {
      problems.push(`YAML nested deeper than ${MAX_YAML_DEPTH} levels at line ${lineOf(node) ?? '?'}; a cluster description is a few levels deep`);
      break;
    }
    if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
      continue;
    }
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : isAlias(key) ? `*${key.source}` : String(key);
      if (seen.has(name)) {
        problems.push(`YAML Map keys must be unique: "${oneLine(name, 60)}" repeats at line ${lineOf(key) ?? '?'}; remove the repeated key`);
        if (problems.length > MAX_LISTED_ISSUES) return problems;
      }
      seen.add(name);
      stack.push({ node: key, depth: depth + 1 });
      stack.push({ node: pair.value, depth: depth + 1 });
    }
  }
  return problems;
}

function tooLarge(): string {
  return `larger than ${MAX_CLUSTER_CONFIG_BYTES / 1024 / 1024} MB; a cluster description is a few KB (check that --config names the right file)`;
}

/** Why a file could not be read, and what to do, in words. */
function readProblem(err: unknown, file: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `cannot read it: permission denied (${code}); make it readable, e.g. chmod u+r ${file}`;
    case 'EISDIR':
      return 'is a folder, not a file; give the cluster description file, e.g. --config cluster.yaml';
    case 'ENOTDIR':
      return 'a part of the path is not a folder (ENOTDIR); check the path';
    case 'ELOOP':
      return 'too many symbolic links (ELOOP); check the path';
    case 'ENAMETOOLONG':
      return 'path too long (ENAMETOOLONG); check the path';
    case 'ERR_INVALID_ARG_VALUE':
    case 'ERR_INVALID_ARG_TYPE':
      return 'not a usable file name (it contains a NUL byte?); check the path';
    default:
      return `cannot read it (${code ?? (err instanceof Error ? err.name : 'error')}: ${err instanceof Error ? err.message : String(err)}); check the path`;
  }
}

/**
 * Reads at most MAX_CLUSTER_CONFIG_BYTES of a regular file, or undefined if it does not exist.
 * Opened non-blocking and checked with fstat, so a FIFO or device is refused, not read forever.
 */
function readBoundedFile(file: string): string | undefined {
  const fail = (problem: string) => new ClusterConfigError(file, [problem], `cannot use cluster description ${oneLine(file, 200)}`);
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fail(readProblem(err, file));
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw fail(readProblem({ code: 'EISDIR' }, file));
    if (!stat.isFile()) throw fail('is not a regular file (a device, FIFO or socket); give the cluster description file');
    if (stat.size > MAX_CLUSTER_CONFIG_BYTES) throw fail(tooLarge());
    const buffer = Buffer.alloc(MAX_CLUSTER_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > MAX_CLUSTER_CONFIG_BYTES) throw fail(tooLarge());
    }
    return buffer.subarray(0, length).toString('utf-8');
  } catch (err) {
    if (err instanceof ClusterConfigError) throw err;
    throw fail(readProblem(err, file));
  } finally {
    closeSync(fd);
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
  const text = readBoundedFile(file);
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
