/**
 * Statistics and option parsing of `triton-jetson bench`, pure functions.
 *
 * Percentiles follow perf_analyzer (triton-inference-server/client,
 * src/c++/perf_analyzer/inference_profiler.cc, InferenceProfiler::SummarizeLatency): the
 * latencies of a measurement are sorted and the p-th percentile is the sample at index
 * `size_t((p / 100.0) * (n - 1) + 0.5)`, the rank nearest to p% of the way from the
 * smallest to the largest; never an interpolation between two samples.
 */
import { InvalidArgumentError } from 'commander';
import { decimalNumber } from './cli-args';

/** Latencies in microseconds of one measurement, summarised. */
export interface LatencySummary {
  readonly count: number;
  /** Arithmetic mean, µs. */
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  /** The percentile asked for with --percentile, when one was. */
  readonly extra?: { readonly percentile: number; readonly value: number };
}

/**
 * perf_analyzer's percentile of already sorted values: the element at index
 * `floor(p/100 * (n - 1) + 0.5)`. NaN when there are no values.
 */
export function nearestRank(sorted: ArrayLike<number>, percentile: number): number {
  if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`percentile must be in [0, 100], got ${percentile}`);
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const index = Math.floor((percentile / 100) * (n - 1) + 0.5);
  return sorted[Math.min(index, n - 1)];
}

/** Sorts a copy of the latencies (µs) and summarises them; count 0 gives NaN figures. */
export function summarizeLatencies(latenciesUs: ArrayLike<number>, extraPercentile?: number): LatencySummary {
  const sorted = Float64Array.from(latenciesUs).sort();
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i];
  const n = sorted.length;
  return {
    count: n,
    avg: n === 0 ? Number.NaN : total / n,
    min: n === 0 ? Number.NaN : sorted[0],
    max: n === 0 ? Number.NaN : sorted[n - 1],
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p95: nearestRank(sorted, 95),
    p99: nearestRank(sorted, 99),
    ...(extraPercentile !== undefined ? { extra: { percentile: extraPercentile, value: nearestRank(sorted, extraPercentile) } } : {}),
  };
}

/**
 * A sweep as perf_analyzer writes it, `start[:end[:step]]` (end defaults to start, step
 * to 1; linear), or as a comma list `1,2,4,8`. Values must be positive; `integer` for
 * concurrency, any positive number for request rates.
 */
/** Most requests in flight per node (each is a socket; more exhausts file descriptors, not Triton). */
export const MAX_CONCURRENCY = 1024;

export function parseRange(text: string, what: string, integer: boolean, limit?: { readonly max: number; readonly unit: string }): number[] {
  const bad = (why: string): never => {
    throw new InvalidArgumentError(`${what} "${text}": ${why}; write start:end:step (e.g. 1:8:1) or a list (e.g. 1,2,4,8)`);
  };
  const num = (s: string): number => {
    const v = decimalNumber(s);
    if (!Number.isFinite(v)) return bad(`"${s}" is not a number`);
    if (v <= 0) return bad(`${v} is not positive`);
    if (integer && !Number.isInteger(v)) return bad(`${v} is not a whole number`);
    if (limit && v > limit.max) return bad(`${v} is more than ${limit.max} ${limit.unit}`);
    return v;
  };
  if (text.includes(',')) {
    if (text.includes(':')) bad('mixes a list with a range');
    return text.split(',').map(num);
  }
  const parts = text.split(':');
  if (parts.length > 3) bad('has more than three parts');
  const start = num(parts[0]);
  const end = parts.length > 1 ? num(parts[1]) : start;
  const step = parts.length > 2 ? num(parts[2]) : 1;
  if (end < start) bad(`end ${end} is below start ${start}`);
  const values: number[] = [];
  // Counted, not accumulated: 0.1 steps must not drift past `end`.
  const steps = Math.floor((end - start) / step + 1e-9);
  if (steps > 1000) bad(`${steps + 1} steps are too many (at most 1001)`);
  for (let i = 0; i <= steps; i++) values.push(Number((start + i * step).toPrecision(12)));
  return values;
}

/**
 * Latencies of one node in one step, in µs, kept in a growable typed array (8 bytes per
 * request, no per-sample object).
 */
export class LatencyRecorder {
  private values = new Float64Array(1024);
  private n = 0;

  add(us: number): void {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = us;
  }

  get count(): number {
    return this.n;
  }

  /** A view of the recorded values (not a copy). */
  view(): Float64Array {
    return this.values.subarray(0, this.n);
  }
}
