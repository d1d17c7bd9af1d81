/**
 * perf_analyzer's measurement windows, for `triton-jetson bench`: a step is measured in windows
 * (of -p ms, or of --measurement-request-count requests per node) repeated until the last three
 * are stable, at most --max-trials of them, and the last three are reported merged.
 *
 * perf_analyzer (triton-inference-server/perf_analyzer src/inference_profiler.cc at r25.03,
 * InferenceProfiler::ProfileHelper, DetermineStability, IsInferWindowStable,
 * IsLatencyWindowStable; defaults in src/command_line_parser.h: stability_threshold = 0.1,
 * max_trials = 10; `--stability-percentage` is divided by 100): after each window, once there
 * are `stability_window` = 3, the last three are stable when none has zero throughput and both
 * max/min of their throughputs and max/min of their latencies are at most 1 + threshold. The
 * latency is the window's average, or the --percentile value when one is given
 * (`stabilizing_latency_ns`). It stops when stable or after max_trials windows, and merges the
 * last three (MergePerfStatusReports: requests and durations summed, latencies pooled).
 *
 * For a fleet each node is judged on its own windows. A node whose last three windows had no
 * successful request ("down") cannot be stable (perf_analyzer's zero-throughput rule) but does
 * not hold the others back: the step ends when every node is stable or down.
 */
import { NodeStepRecord } from './bench-load';
import { nearestRank } from './bench-stats';

/** Windows judged together (perf_analyzer's load_parameters_.stability_window). */
export const STABILITY_WINDOW = 3;
/** perf_analyzer's defaults: --stability-percentage 10, --max-trials 10. */
export const DEFAULT_STABILITY_PERCENTAGE = 10;
export const DEFAULT_MAX_TRIALS = 10;

/** One node's figures in one window. */
export interface WindowStats {
  readonly requests: number;
  readonly successes: number;
  readonly errors: number;
  /** Successful inferences per second over the window (a batch of n counts n). */
  readonly inferPerSec: number;
  /** The latency stability is judged on: the average, or the --percentile value (µs). */
  readonly latencyUs: number;
  readonly elapsedMs: number;
}

/** A window's figures from the load generator's record. */
export function windowStats(record: NodeStepRecord, batchSize: number, percentile?: number): WindowStats {
  const sorted = Float64Array.from(record.latenciesUs).sort();
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i];
  const latencyUs = sorted.length === 0 ? Number.NaN : percentile !== undefined ? nearestRank(sorted, percentile) : total / sorted.length;
  return {
    requests: record.requests,
    successes: record.successes,
    errors: record.errors,
    inferPerSec: record.elapsedMs > 0 ? (record.successes * batchSize) / (record.elapsedMs / 1000) : 0,
    latencyUs,
    elapsedMs: record.elapsedMs,
  };
}

/** max/min of positive values within 1 + threshold (false for an empty list or a non-positive value). */
function withinThreshold(values: readonly number[], threshold: number): boolean {
  if (values.length === 0 || values.some((v) => !(v > 0))) return false;
  return Math.max(...values) / Math.min(...values) <= 1 + threshold;
}

/** How a node's windows stand: stable (perf_analyzer's rule on the last three), down (no success in them) or not yet. */
export function windowState(windows: readonly WindowStats[], threshold: number): 'stable' | 'down' | 'unstable' {
  if (windows.length < STABILITY_WINDOW) return 'unstable';
  const last = windows.slice(-STABILITY_WINDOW);
  if (last.every((w) => w.successes === 0)) return 'down';
  const stable = withinThreshold(last.map((w) => w.inferPerSec), threshold) && withinThreshold(last.map((w) => w.latencyUs), threshold);
  return stable ? 'stable' : 'unstable';
}

/** Whether a step may end: every node stable or down. `windows[w][n]`: node n's record in window w. */
export function stepSettled(windows: readonly (readonly NodeStepRecord[])[], batchSize: number, percentile: number | undefined, threshold: number): boolean {
  if (windows.length === 0) return false;
  return windows[0].every((_, node) => windowState(windows.map((w) => windowStats(w[node], batchSize, percentile)), threshold) !== 'unstable');
}

/** The windows reported: the last three (perf_analyzer merges those), or all when fewer were measured. */
export function reportedWindows<T>(windows: readonly T[]): readonly T[] {
  return windows.slice(-STABILITY_WINDOW);
}

/**
 * One node's records of several windows as one: counts and error messages added up (the
 * `maxMessages` most frequent messages kept, the others counted), latencies pooled, elapsed
 * times added. Each record holds at most a few messages, so the tally stays small.
 */
export function mergeRecords(records: readonly NodeStepRecord[], maxMessages: number): NodeStepRecord {
  const tally = new Map<string, number>();
  let otherErrors = 0;
  for (const r of records) {
    otherErrors += r.otherErrors;
    for (const e of r.errorMessages) tally.set(e.message, (tally.get(e.message) ?? 0) + e.count);
  }
  const sorted = [...tally].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
  otherErrors += sorted.slice(maxMessages).reduce((a, e) => a + e.count, 0);
  const latencies = new Float64Array(records.reduce((a, r) => a + r.latenciesUs.length, 0));
  let offset = 0;
  for (const r of records) {
    latencies.set(r.latenciesUs, offset);
    offset += r.latenciesUs.length;
  }
  const sum = (f: (r: NodeStepRecord) => number) => records.reduce((a, r) => a + f(r), 0);
  return {
    node: records[0]?.node ?? '',
    requests: sum((r) => r.requests),
    successes: sum((r) => r.successes),
    errors: sum((r) => r.errors),
    errorMessages: sorted.slice(0, maxMessages),
    otherErrors,
    latenciesUs: latencies,
    delayed: sum((r) => r.delayed),
    elapsedMs: sum((r) => r.elapsedMs),
  };
}
