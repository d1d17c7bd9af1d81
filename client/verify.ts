/**
 * `triton-jetson verify`: for every node (or every URL given), is Triton live, ready,
 * serving each expected model, and exporting Prometheus metrics? Every other model of the
 * repository index is reported too, with Triton's state and reason: the pods run with
 * --exit-on-error=false and --strict-readiness=false (lib/triton-args.ts), so a model that
 * failed to load shows here, not as a crash loop or a whole node out of the Service.
 */
import { DEFAULT_PARALLEL, forEachLimited } from '../lib/parallel';
import Table from 'cli-table3';
import type { ClusterConfig } from '../lib/config/cluster-config';
import { clusterNodes } from '../lib/config/inventory-schema';
import { modelCatalog } from '../lib/model-catalog';
import { modelSeedJobPropsFromConfig } from '../lib/model-seed-props';
import { baseUrlOf, portOf, withPort } from './endpoint';
import { ServerUnreachableError } from './errors';
import { modelNotReadyError, repositoryIndexOrUndefined } from './model-readiness';
import type { RepositoryIndexEntry } from './kserve-types';
import { UNREACHABLE_HINT } from './http-transport';
import { fetchMetrics, KServeClient, type Liveness } from './kserve-client';
import { printable } from '../lib/terminal-text';

/** A counter Triton exports for every loaded model. */
export const METRICS_MARKER = 'nv_inference_request_success';

/** Models of the repository index reported besides the checked ones, per node; the rest are counted. */
export const MAX_OTHER_MODELS = 20;

export interface VerifyTarget {
  /** Node name, or the URL when given with -u. */
  readonly name: string;
  /** Triton's HTTP/REST base URL. */
  readonly httpUrl: string;
  /** Triton's metrics base URL. @default no metrics check */
  readonly metricsUrl?: string;
}

export interface CheckResult {
  readonly target: string;
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface VerifyOptions {
  readonly models: readonly string[];
  /** Time limit of each request, in milliseconds. @default 5000 */
  readonly timeoutMs?: number;
  /** Nodes checked at once (a fleet of hundreds is not hit all at the same moment). @default 10 */
  readonly parallel?: number;
  /** One line per node as it finishes ("[jm-node-3] checked: 4 of 4 passed (3/32)"). @default none */
  readonly progress?: (line: string) => void;
}

/** Every node of the cluster description, reached through the Service's NodePorts. */
export function targetsFromClusterConfig(config: ClusterConfig): VerifyTarget[] {
  return clusterNodes(config).map((node) => ({
    name: node.name,
    httpUrl: baseUrlOf(`${node.address}:${config.service.nodePorts.http}`, `node ${node.name} (address:service.nodePorts.http)`),
    metricsUrl: baseUrlOf(`${node.address}:${config.service.nodePorts.metrics}`, `node ${node.name} (address:service.nodePorts.metrics)`),
  }));
}

/**
 * Targets for URLs given on the command line. Triton's metrics port is the HTTP port + 2
 * both in the pod (8000/8002) and on the NodePorts (30800/30802), unless given.
 */
export function targetsFromUrls(urls: readonly string[], metricsPort?: number | false): VerifyTarget[] {
  return urls.map((address) => {
    const httpUrl = baseUrlOf(address, '-u/--url');
    const port = metricsPort === false ? undefined : metricsPort ?? portOf(httpUrl) + 2;
    return { name: address, httpUrl, metricsUrl: port === undefined ? undefined : withPort(httpUrl, port) };
  });
}

/**
 * The models the stack seeds for this description, in the seeding Job's order, or
 * `undefined` when seeding is disabled (`seeding.enabled: false`: the repository is managed
 * by hand, so there is no list to check). Asks the very function TritonJetsonStack builds
 * the Job from (lib/model-seed-props.ts), so `seeding.builtinModels` and replaced built-in
 * models count exactly as they do in the manifests.
 */
export function modelsToCheck(config: ClusterConfig): string[] | undefined {
  const props = modelSeedJobPropsFromConfig(config);
  if (props === undefined) return undefined;
  // ModelSeedJob's own default when no list is given.
  return (props.models ?? modelCatalog()).map((m) => m.name);
}

export async function verifyTargets(targets: readonly VerifyTarget[], options: VerifyOptions): Promise<CheckResult[]> {
  const perTarget: CheckResult[][] = new Array(targets.length);
  let finished = 0;
  await forEachLimited(targets, options.parallel ?? DEFAULT_PARALLEL, async (target, index) => {
    const results = await verifyTarget(target, options);
    perTarget[index] = results;
    finished += 1;
    options.progress?.(`[${printable(target.name)}] checked: ${results.filter((r) => r.ok).length} of ${results.length} passed (${finished}/${targets.length})`);
  });
  return perTarget.flat();
}

async function verifyTarget(target: VerifyTarget, options: VerifyOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = new KServeClient({ baseUrl: target.httpUrl, timeoutMs });
  const results: CheckResult[] = [];
  const record = (check: string, ok: boolean, detail: string) => results.push({ target: target.name, check, ok, detail });

  let reachable = true;
  try {
    const live = await client.liveness();
    if (!live.triton) {
      // Something else answers there (a web server, a proxy, another service's NodePort): no further check means anything.
      record('live', false, `${live.status} from ${hostOf(target.httpUrl)} (${live.server ? `server: ${live.server}` : 'no Server header'})${whatElse(live)}: `
        + 'not a Triton HTTP endpoint; check the address and port (Triton: HTTP 8000 in the pod, NodePort 30800)');
      return results;
    }
    const ok = live.status === 200;
    record('live', ok, ok ? `${target.httpUrl}/v2/health/live` : `GET /v2/health/live answered ${live.status}: Triton reports it is not live`);
  } catch (err) {
    reachable = !(err instanceof ServerUnreachableError);
    record('live', false, messageOf(err));
  }
  const skipped = `skipped: ${target.httpUrl} is unreachable`;
  if (!reachable) {
    record('ready', false, skipped);
    for (const model of options.models) record(`model ${model}`, false, skipped);
  } else {
    await check(record, 'ready', async () => {
      const ready = await client.isServerReady();
      return [ready, ready ? 'server ready' : 'GET /v2/health/ready did not answer 200 (Triton is starting, or runs with --strict-readiness=true and a model failed to load)'];
    });
    // One index per node: the reasons of the checked models that are not ready, and every other model.
    let index: RepositoryIndexEntry[] | null = null;
    try {
      index = (await repositoryIndexOrUndefined(client)) ?? null;
    } catch (err) {
      record('repository index', false, messageOf(err)); // too large, not JSON, no answer: said, and the checks go on
    }
    for (const model of options.models) {
      await check(record, `model ${model}`, async () => {
        if (await client.isModelReady(model)) return [true, 'ready'];
        return [false, (await modelNotReadyError(client, model, '', index)).message];
      });
    }
    if (index !== null) reportOtherModels(index, options.models, record);
  }
  if (target.metricsUrl !== undefined) {
    const metricsUrl = target.metricsUrl;
    await check(record, 'metrics', async () => {
      const text = await fetchMetrics(metricsUrl, timeoutMs);
      return text.includes(METRICS_MARKER)
        ? [true, `${metricsUrl}/metrics`]
        : [false, `${metricsUrl}/metrics answered but has no ${METRICS_MARKER} (no model loaded, or not Triton's metrics port)`];
    });
  }
  return results;
}

/**
 * The models of the repository index that were not checked: ready when a version is READY, else
 * Triton's state and reason (a broken model a user put in the repository by hand, say).
 */
function reportOtherModels(index: readonly RepositoryIndexEntry[], checked: readonly string[], record: (check: string, ok: boolean, detail: string) => void): void {
  const byName = new Map<string, RepositoryIndexEntry[]>();
  for (const entry of index) {
    if (checked.includes(entry.name)) continue;
    byName.set(entry.name, [...(byName.get(entry.name) ?? []), entry]);
  }
  const others = [...byName.entries()].map(([name, entries]) => {
    const ready = entries.some((e) => e.state === 'READY');
    const failed = entries.find((e) => e.state !== 'READY') ?? entries[0];
    const why = `state ${printable(failed.state ?? 'not loaded', 40)}${failed.reason ? `: ${printable(failed.reason, 500)}` : ''}`;
    return { name: printable(name, 100), ready, detail: ready ? 'ready (in the repository, not among the models checked)' : `${why} (in the repository, not among the models checked; fix or remove its folder)` };
  });
  for (const other of others.slice(0, MAX_OTHER_MODELS)) record(`model ${other.name}`, other.ready, other.detail);
  const rest = others.slice(MAX_OTHER_MODELS);
  if (rest.length > 0) {
    const unready = rest.filter((o) => !o.ready).length;
    record('other models', unready === 0, `${rest.length} more models in the repository not listed, ${unready} of them not ready`);
  }
}

async function check(
  record: (check: string, ok: boolean, detail: string) => void,
  name: string,
  run: () => Promise<[boolean, string]>,
): Promise<void> {
  try {
    const [ok, detail] = await run();
    record(name, ok, detail);
  } catch (err) {
    record(name, false, messageOf(err));
  }
}

/** What else tells a non-Triton answer apart: a redirect (never followed, its target never echoed: it may hold a token), or a body where Triton sends none. */
function whatElse(live: Liveness): string {
  if (live.status >= 300 && live.status < 400) return ', a redirect (not followed)';
  if (live.status === 200 && live.bodyBytes > 0) return ` with a ${live.bodyBytes}-byte ${live.contentType ?? 'untyped'} body, where Triton's answer is empty`;
  return '';
}

/** host:port of a base URL, as the message names it. */
function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** The results for scripts (`verify -o json`): every check, and the verdict. */
export function verifyJson(results: readonly CheckResult[], targetCount: number): string {
  const failed = results.filter((r) => !r.ok).length;
  return `${JSON.stringify({ ok: failed === 0, nodes: targetCount, checks: results.length, failed, results }, null, 2)}\n`;
}

function messageOf(err: unknown): string {
  // The table names the URL per row; the fix hint is printed once below it.
  if (err instanceof ServerUnreachableError) return `unreachable: ${err.url}: ${err.reason}`;
  return err instanceof Error ? err.message : String(err);
}

/** A table: one row per check, the target named on its first row. */
export function renderVerifyTable(results: readonly CheckResult[], options: { readonly color?: boolean } = {}): string {
  const table = new Table({
    head: ['Node', 'Check', 'Status', 'Detail'],
    style: options.color ? {} : { head: [], border: [] },
    colWidths: [null, null, null, 80],
    wordWrap: true,
  });
  let previous: string | undefined;
  for (const r of results) {
    table.push([r.target === previous ? '' : printable(r.target), printable(r.check), r.ok ? 'OK' : 'FAIL', printable(r.detail)]);
    previous = r.target;
  }
  return table.toString();
}

export function summarize(results: readonly CheckResult[], targetCount: number): string {
  const failed = results.filter((r) => !r.ok).length;
  if (failed === 0) return `All ${results.length} checks passed on ${targetCount} node(s).`;
  const unreachable = results.some((r) => r.detail.startsWith('unreachable: '));
  return `${failed} of ${results.length} checks failed.${unreachable ? `\n${UNREACHABLE_HINT}.` : ''}`;
}
