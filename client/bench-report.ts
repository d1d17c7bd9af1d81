/**
 * What `triton-jetson bench` reports: per step (a concurrency or a request rate) and per
 * node, throughput, latency percentiles, errors and the share of the step's inferences
 * each node served; as a table (people), JSON or CSV (machines).
 *
 * Names follow perf_analyzer where it has one: "Inferences/Second", "p50 latency" ...
 * "Avg latency" in µs ("usec"), "Concurrency", "Request Rate".
 */
import Table from 'cli-table3';
import { LoadMode, MAX_ERROR_MESSAGES, NodeStepRecord } from './bench-load';
import { LatencySummary, summarizeLatencies } from './bench-stats';

export interface NodeStepStats {
  readonly node: string;
  readonly requests: number;
  readonly successes: number;
  readonly errors: number;
  /** At most MAX_ERROR_MESSAGES distinct messages, most frequent first. */
  readonly errorMessages: readonly { readonly message: string; readonly count: number }[];
  /** Errors whose message is not listed. */
  readonly otherErrors: number;
  /** Successful inferences per second (a batch of n counts n). */
  readonly inferPerSec: number;
  /** This node's successful inferences / all nodes' successful inferences in the step (0..1). */
  readonly share: number;
  readonly latencyUs: LatencySummary;
  readonly delayed: number;
  readonly elapsedMs: number;
}

export interface StepReport {
  readonly mode: LoadMode['kind'];
  /** Concurrency per node, or requests/s per node. */
  readonly value: number;
  readonly elapsedMs: number;
  /** All nodes together: throughputs add up, latencies are pooled. */
  readonly total: NodeStepStats;
  readonly nodes: readonly NodeStepStats[];
}

export interface BenchReport {
  readonly model: string;
  readonly modelVersion: string;
  readonly batchSize: number;
  /** Shape of the input tensor sent, batch dimension included. */
  readonly inputShape: readonly number[];
  readonly inputData: string;
  /** Bytes of one request body. */
  readonly requestBytes: number;
  readonly nodes: readonly { readonly name: string; readonly url: string }[];
  /** The extra percentile asked for (--percentile), if any. */
  readonly percentile?: number;
  readonly steps: readonly StepReport[];
}

/** Turns the load generator's records of one step into the report's figures. */
export function stepReport(mode: LoadMode, records: readonly NodeStepRecord[], batchSize: number, percentile?: number): StepReport {
  const totalSuccesses = records.reduce((a, r) => a + r.successes, 0);
  const elapsedMs = Math.max(0, ...records.map((r) => r.elapsedMs));
  const stats = (r: NodeStepRecord, elapsed: number): NodeStepStats => ({
    node: r.node,
    requests: r.requests,
    successes: r.successes,
    errors: r.errors,
    errorMessages: r.errorMessages,
    otherErrors: r.otherErrors,
    inferPerSec: elapsed > 0 ? (r.successes * batchSize) / (elapsed / 1000) : 0,
    share: totalSuccesses > 0 ? r.successes / totalSuccesses : 0,
    latencyUs: summarizeLatencies(r.latenciesUs, percentile),
    delayed: r.delayed,
    elapsedMs: elapsed,
  });
  const nodes = records.map((r) => stats(r, r.elapsedMs));
  const pooled = new Float64Array(records.reduce((a, r) => a + r.latenciesUs.length, 0));
  let offset = 0;
  for (const r of records) {
    pooled.set(r.latenciesUs, offset);
    offset += r.latenciesUs.length;
  }
  // The step's total lists the most frequent messages of all nodes, within the same bound.
  const merged = records.flatMap((r) => r.errorMessages.map((e) => ({ message: `${r.node}: ${e.message}`, count: e.count })))
    .sort((a, b) => b.count - a.count);
  const listed = merged.slice(0, MAX_ERROR_MESSAGES);
  const unlisted = merged.slice(MAX_ERROR_MESSAGES).reduce((a, e) => a + e.count, 0) + records.reduce((a, r) => a + r.otherErrors, 0);
  const total: NodeStepStats = {
    ...stats({
      node: 'all nodes',
      requests: records.reduce((a, r) => a + r.requests, 0),
      successes: totalSuccesses,
      errors: records.reduce((a, r) => a + r.errors, 0),
      errorMessages: listed,
      otherErrors: unlisted,
      latenciesUs: pooled,
      delayed: records.reduce((a, r) => a + r.delayed, 0),
      elapsedMs,
    }, elapsedMs),
    // Each node's throughput over its own time: the sum is the fleet's throughput.
    inferPerSec: nodes.reduce((a, n) => a + n.inferPerSec, 0),
  };
  return { mode: mode.kind, value: mode.value, elapsedMs, total, nodes };
}

const modeLabel = (s: StepReport) => (s.mode === 'concurrency' ? `concurrency ${s.value}` : `${s.value} req/s`);
const ms = (us: number) => (Number.isFinite(us) ? (us / 1000).toFixed(1) : '-');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The table printed at the end: one row per node per step, then the step's total. */
export function renderBenchTable(report: BenchReport, options: { color?: boolean } = {}): string {
  const extra = report.percentile;
  const head = ['Step', 'Node', 'Infer/s', 'Requests', 'Errors', 'Share', 'p50 ms', 'p90 ms', 'p99 ms', ...(extra !== undefined ? [`p${extra} ms`] : []), 'Avg ms'];
  const table = new Table({ head, style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] } });
  for (const step of report.steps) {
    const rows = step.nodes.length > 1 ? [...step.nodes, step.total] : step.nodes;
    for (const n of rows) {
      const l = n.latencyUs;
      table.push([
        modeLabel(step), n.node, n.inferPerSec.toFixed(1), String(n.requests), n.errors > 0 ? `${n.errors}` : '0',
        n === step.total ? '100%' : pct(n.share), ms(l.p50), ms(l.p90), ms(l.p99), ...(extra !== undefined ? [ms(l.extra?.value ?? NaN)] : []), ms(l.avg),
      ]);
    }
  }
  const lines = [table.toString()];
  const errorLines = report.steps.flatMap((step) => step.nodes.flatMap((n) =>
    errorCounts(n).map((e) => `  ${modeLabel(step)}, ${n.node}: ${e}`)));
  if (errorLines.length > 0) lines.push('Errors:', ...errorLines);
  const delayedLines = report.steps.flatMap((step) => step.nodes.filter((n) => n.delayed > 0).map((n) =>
    `  ${modeLabel(step)}, ${n.node}: ${n.delayed} request(s) sent late (the node had the most requests in flight allowed): it cannot keep this rate`));
  if (delayedLines.length > 0) lines.push('Delayed:', ...delayedLines);
  return lines.join('\n');
}

/** "N x message" per listed message, then the count of the others: the error table's lines. */
export function errorCounts(n: Pick<NodeStepStats, 'errorMessages' | 'otherErrors'>): string[] {
  const lines = n.errorMessages.map((e) => `${e.count} x ${e.message}`);
  if (n.otherErrors > 0) lines.push(`${n.otherErrors} x other error messages (not listed)`);
  return lines;
}

/** One line summing up the run, for the end of the output. */
export function summarizeBench(report: BenchReport): string {
  const best = [...report.steps].sort((a, b) => b.total.inferPerSec - a.total.inferPerSec)[0];
  const errors = report.steps.reduce((a, s) => a + s.total.errors, 0);
  const requests = report.steps.reduce((a, s) => a + s.total.requests, 0);
  if (!best) return 'No steps run.';
  return `Best: ${best.total.inferPerSec.toFixed(1)} infer/s at ${modeLabel(best)} per node over ${report.nodes.length} node(s); ` +
    `${errors} error(s) in ${requests} request(s).`;
}

/** JSON: the whole report, latencies in µs (no raw samples). */
export function benchJson(report: BenchReport): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}

/** CSV column names (perf_analyzer's where it has them; latencies in usec). */
export const CSV_COLUMNS = [
  'Mode', 'Concurrency', 'Request Rate', 'Node', 'Inferences/Second', 'Request Count', 'Success Count', 'Error Count', 'Share',
  'p50 latency', 'p90 latency', 'p95 latency', 'p99 latency', 'Avg latency', 'Min latency', 'Max latency', 'Delayed Request Count', 'Elapsed ms', 'Errors',
] as const;

/** CSV: one row per node per step plus an "all nodes" row per step; RFC 4180 quoting. */
export function benchCsv(report: BenchReport): string {
  const extra = report.percentile;
  const head = [...CSV_COLUMNS, ...(extra !== undefined && ![50, 90, 95, 99].includes(extra) ? [`p${extra} latency`] : [])];
  const rows: string[][] = [head];
  const us = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? String(Math.round(v)) : '');
  for (const step of report.steps) {
    for (const n of [...step.nodes, step.total]) {
      const l = n.latencyUs;
      rows.push([
        step.mode, step.mode === 'concurrency' ? String(step.value) : '', step.mode === 'request-rate' ? String(step.value) : '',
        n.node, n.inferPerSec.toFixed(2), String(n.requests), String(n.successes), String(n.errors), n.share.toFixed(4),
        us(l.p50), us(l.p90), us(l.p95), us(l.p99), us(l.avg), us(l.min), us(l.max), String(n.delayed), n.elapsedMs.toFixed(1),
        errorCounts(n).join('; '),
        ...(head.length > CSV_COLUMNS.length ? [us(l.extra?.value)] : []),
      ]);
    }
  }
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
