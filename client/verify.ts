/**
 * `triton-jetson verify`: for every node (or every URL given), is Triton live, ready,
 * serving each expected model, and exporting Prometheus metrics?
 */
import Table from 'cli-table3';
import type { ClusterConfig } from '../lib/config/cluster-config';
import { clusterNodes } from '../lib/config/inventory-schema';
import { modelCatalog } from '../lib/model-catalog';
import { modelSeedJobPropsFromConfig } from '../lib/model-seed-job';
import { baseUrlOf, portOf, withPort } from './endpoint';
import { ServerUnreachableError } from './errors';
import { modelNotReadyError } from './model-readiness';
import { UNREACHABLE_HINT } from './http-transport';
import { fetchMetrics, KServeClient } from './kserve-client';
import { printable } from '../lib/terminal-text';

/** A counter Triton exports for every loaded model. */
export const METRICS_MARKER = 'nv_inference_request_success';

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
 * the Job from (lib/model-seed-job.ts), so `seeding.builtinModels` and replaced built-in
 * models count exactly as they do in the manifests.
 */
export function modelsToCheck(config: ClusterConfig): string[] | undefined {
  const props = modelSeedJobPropsFromConfig(config);
  if (props === undefined) return undefined;
  // ModelSeedJob's own default when no list is given.
  return (props.models ?? modelCatalog()).map((m) => m.name);
}

export async function verifyTargets(targets: readonly VerifyTarget[], options: VerifyOptions): Promise<CheckResult[]> {
  const perTarget = await Promise.all(targets.map((t) => verifyTarget(t, options)));
  return perTarget.flat();
}

async function verifyTarget(target: VerifyTarget, options: VerifyOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const client = new KServeClient({ baseUrl: target.httpUrl, timeoutMs });
  const results: CheckResult[] = [];
  const record = (check: string, ok: boolean, detail: string) => results.push({ target: target.name, check, ok, detail });

  let reachable = true;
  try {
    const live = await client.isServerLive();
    record('live', live, live ? `${target.httpUrl}/v2/health/live` : 'GET /v2/health/live did not answer 200');
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
      return [ready, ready ? 'server ready' : 'GET /v2/health/ready did not answer 200 (a model failed to load, or Triton is starting)'];
    });
    for (const model of options.models) {
      await check(record, `model ${model}`, async () => {
        if (await client.isModelReady(model)) return [true, 'ready'];
        return [false, (await modelNotReadyError(client, model, '')).message];
      });
    }
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
