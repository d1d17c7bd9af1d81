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
import { DEFAULT_STABILITY_PERCENTAGE, mergeRecords, reportedWindows, windowState, WindowStats, windowStats } from './bench-windows';

/**
 * A node's (or all nodes') figures in one step. Counts (requests, successes, errors, delayed,
 * elapsed) cover every window of the step; throughput, latencies and share the reported windows
 * (the last three, merged as perf_analyzer merges them; see bench-windows.ts).
 */
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
  /** The last three windows were within the stability percentage (perf_analyzer's rule). */
  readonly stable: boolean;
  /** Every window measured, in order. */
  readonly windows: readonly WindowStats[];
}

export interface StepReport {
  readonly mode: LoadMode['kind'];
  /** Concurrency per node, or requests/s per node. */
  readonly value: number;
  readonly elapsedMs: number;
  /** All nodes together: throughputs add up, latencies are pooled. */
  readonly total: NodeStepStats;
  readonly nodes: readonly NodeStepStats[];
  /** Every node stable. */
  readonly stable: boolean;
  /** Windows measured (at most --max-trials). */
  readonly windowCount: number;
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
  /** The extra percentile asked for (--percentile), if any; stability is then judged on it. */
  readonly percentile?: number;
  /** --stability-percentage and --max-trials of the run. */
  readonly stabilityPercentage: number;
  readonly maxTrials: number;
  readonly steps: readonly StepReport[];
}

/**
 * Turns the load generator's records of one step's windows (`windows[w][n]`: node n in window w)
 * into the report's figures.
 */
export function stepReport(
  mode: LoadMode, windows: readonly (readonly NodeStepRecord[])[], batchSize: number, percentile?: number,
  stabilityPercentage = DEFAULT_STABILITY_PERCENTAGE,
): StepReport {
  const threshold = stabilityPercentage / 100;
  const nodeCount = windows[0]?.length ?? 0;
  const perNode = Array.from({ length: nodeCount }, (_, n) => windows.map((w) => w[n]));
  const reported = perNode.map((records) => mergeRecords(reportedWindows(records), MAX_ERROR_MESSAGES));
  const reportedSuccesses = reported.reduce((a, r) => a + r.successes, 0);
  const stats = (records: readonly NodeStepRecord[], merged: NodeStepRecord): NodeStepStats => {
    const all = mergeRecords(records, MAX_ERROR_MESSAGES);
    const measured = records.map((r) => windowStats(r, batchSize, percentile));
    return {
      node: all.node,
      requests: all.requests,
      successes: all.successes,
      errors: all.errors,
      errorMessages: all.errorMessages,
      otherErrors: all.otherErrors,
      inferPerSec: merged.elapsedMs > 0 ? (merged.successes * batchSize) / (merged.elapsedMs / 1000) : 0,
      share: reportedSuccesses > 0 ? merged.successes / reportedSuccesses : 0,
      latencyUs: summarizeLatencies(merged.latenciesUs, percentile),
      delayed: all.delayed,
      elapsedMs: all.elapsedMs,
      stable: windowState(measured, threshold) === 'stable',
      windows: measured,
    };
  };
  const nodes = perNode.map((records, n) => stats(records, reported[n]));
  const stable = nodes.length > 0 && nodes.every((n) => n.stable);
  // All nodes: each window's records added up; the step's messages are the nodes', named by node.
  const totalRecord = (records: readonly NodeStepRecord[]): NodeStepRecord => {
    const merged = mergeRecords(records.map((r) => ({ ...r, errorMessages: r.errorMessages.map((e) => ({ message: `${r.node}: ${e.message}`, count: e.count })) })), MAX_ERROR_MESSAGES);
    return { ...merged, node: 'all nodes', elapsedMs: Math.max(0, ...records.map((r) => r.elapsedMs)) };
  };
  const totals = windows.map(totalRecord);
  const totalStats = stats(totals, mergeRecords(reportedWindows(totals), MAX_ERROR_MESSAGES));
  const total: NodeStepStats = {
    ...totalStats,
    // Each node's throughput over its own time: the sum is the fleet's throughput.
    inferPerSec: nodes.reduce((a, n) => a + n.inferPerSec, 0),
    share: reportedSuccesses > 0 ? 1 : 0,
    stable,
    windows: totalStats.windows.map((w, i) => ({ ...w, inferPerSec: nodes.reduce((a, n) => a + (n.windows[i]?.inferPerSec ?? 0), 0) })),
  };
  return { mode: mode.kind, value: mode.value, elapsedMs: total.elapsedMs, total, nodes, stable, windowCount: windows.length };
}

const modeLabel = (s: StepReport) => (s.mode === 'concurrency' ? `concurrency ${s.value}` : `${s.value} req/s`);
const ms = (us: number) => (Number.isFinite(us) ? (us / 1000).toFixed(1) : '-');
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The table printed at the end: one row per node per step, then the step's total. */
export function renderBenchTable(report: BenchReport, options: { color?: boolean } = {}): string {
  const extra = report.percentile;
  const head = ['Step', 'Node', 'Infer/s', 'Requests', 'Errors', 'Share', 'p50 ms', 'p90 ms', 'p99 ms', ...(extra !== undefined ? [`p${extra} ms`] : []), 'Avg ms', 'Windows', 'Stable'];
  const table = new Table({ head, style: { head: options.color ? ['cyan'] : [], border: options.color ? ['grey'] : [] } });
  for (const step of report.steps) {
    const rows = step.nodes.length > 1 ? [...step.nodes, step.total] : step.nodes;
    for (const n of rows) {
      const l = n.latencyUs;
      table.push([
        modeLabel(step), n.node, n.inferPerSec.toFixed(1), String(n.requests), n.errors > 0 ? `${n.errors}` : '0',
        n === step.total ? '100%' : pct(n.share), ms(l.p50), ms(l.p90), ms(l.p99), ...(extra !== undefined ? [ms(l.extra?.value ?? NaN)] : []), ms(l.avg),
        String(step.windowCount), n.stable ? 'yes' : 'NO',
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
  const unstableLines = report.steps.flatMap((step) => step.nodes.filter((n) => !n.stable).map((n) => `  ${modeLabel(step)}, ${n.node}: ${unstableReason(n, report)}`));
  if (unstableLines.length > 0) lines.push('Not stable (its figures are the last windows all the same):', ...unstableLines);
  return lines.join('\n');
}

/** Why a node's step is not stable, in perf_analyzer's terms, with the fix. */
export function unstableReason(n: Pick<NodeStepStats, 'windows'>, report: Pick<BenchReport, 'stabilityPercentage' | 'maxTrials' | 'percentile'>): string {
  const last = n.windows.slice(-3);
  if (last.length < 3) return `${n.windows.length} window(s) measured, 3 are needed (--max-trials ${report.maxTrials}); raise --max-trials`;
  if (last.every((w) => w.successes === 0)) return 'no successful answer in its last 3 windows';
  const range = (values: number[], f: (v: number) => string) => `${f(Math.min(...values))}-${f(Math.max(...values))}`;
  const latency = report.percentile !== undefined ? `p${report.percentile}` : 'avg';
  return `its last 3 of ${n.windows.length} windows differ by more than ${report.stabilityPercentage}% `
    + `(${range(last.map((w) => w.inferPerSec), (v) => v.toFixed(1))} infer/s, ${latency} latency ${range(last.map((w) => w.latencyUs), ms)} ms); `
    + 'lengthen -p, raise --max-trials or --stability-percentage';
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
  'p50 latency', 'p90 latency', 'p95 latency', 'p99 latency', 'Avg latency', 'Min latency', 'Max latency', 'Delayed Request Count', 'Elapsed ms',
  'Windows', 'Stable', 'Errors',
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
        String(step.windowCount), n.stable ? 'yes' : 'no', errorCounts(n).join('; '),
        ...(head.length > CSV_COLUMNS.length ? [us(l.extra?.value)] : []),
      ]);
    }
  }
  return `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
