/**
 * perf_analyzer's stability rule for `bench`, as pure functions (perf_analyzer
 * src/inference_profiler.cc at r25.03: the last 3 windows, max/min of throughput and of latency
 * within 1 + stability_percentage / 100, no zero-throughput window), and a step's report across
 * windows: counts over every window, figures over the last three merged.
 */
import type { NodeStepRecord } from '../../client/bench-load';
import { stepReport, unstableReason } from '../../client/bench-report';
import {
  DEFAULT_MAX_TRIALS, DEFAULT_STABILITY_PERCENTAGE, mergeRecords, stepSettled, windowState, WindowStats, windowStats,
} from '../../client/bench-windows';

/** A window of `n` successes of `latencyMs` each over `elapsedMs`. */
function record(node: string, n: number, latencyMs: number, elapsedMs = 1000, errors: string[] = []): NodeStepRecord {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return {
    node, requests: n + errors.length, successes: n, errors: errors.length,
    errorMessages: [...counts].map(([message, count]) => ({ message, count })), otherErrors: 0,
    latenciesUs: Float64Array.from({ length: n }, () => latencyMs * 1000), delayed: 0, elapsedMs,
  };
}
const win = (inferPerSec: number, latencyUs: number, successes = 10): WindowStats => ({ requests: successes, successes, errors: 0, inferPerSec, latencyUs, elapsedMs: 1000 });

describe('perf_analyzer\'s stability rule', () => {
  test('its defaults: 10% and 10 windows', () => {
    expect([DEFAULT_STABILITY_PERCENTAGE, DEFAULT_MAX_TRIALS]).toEqual([10, 10]);
  });

  test('the last three windows, throughput and latency each within max/min <= 1 + threshold', () => {
    expect(windowState([win(100, 50_000), win(100, 50_000)], 0.1)).toBe('unstable'); // three are needed
    expect(windowState([win(100, 50_000), win(105, 52_000), win(110, 55_000)], 0.1)).toBe('stable'); // 110/100 = 1.1 exactly
    expect(windowState([win(100, 50_000), win(105, 52_000), win(111, 50_000)], 0.1)).toBe('unstable'); // throughput 11% apart
    expect(windowState([win(100, 50_000), win(100, 56_000), win(100, 50_000)], 0.1)).toBe('unstable'); // latency 12% apart
    // Only the last three count: an early slow window does not matter.
    expect(windowState([win(10, 500_000), win(100, 50_000), win(101, 50_500), win(100, 50_000)], 0.1)).toBe('stable');
    expect(windowState([win(100, 50_000), win(100, 50_000), win(100, 50_000)], 0)).toBe('stable');
  });

  test('a window without throughput is never stable; three without a success are "down"', () => {
    expect(windowState([win(100, 50_000), win(0, Number.NaN, 0), win(100, 50_000)], 0.1)).toBe('unstable');
    expect(windowState([win(0, Number.NaN, 0), win(0, Number.NaN, 0), win(0, Number.NaN, 0)], 0.1)).toBe('down');
  });

  test('the latency judged is the average, or the --percentile value when given', () => {
    const r = { ...record('n', 4, 0), latenciesUs: Float64Array.from([10_000, 20_000, 30_000, 400_000]) };
    expect(windowStats(r, 1).latencyUs).toBe(115_000);
    expect(windowStats(r, 1, 50).latencyUs).toBe(30_000); // nearest rank: index floor(0.5 * 3 + 0.5) = 2
    expect(windowStats(r, 2).inferPerSec).toBe(8); // 4 successes x batch 2 over 1 s
  });

  test('a step is settled when every node is stable or down, not before', () => {
    const steady = (node: string) => record(node, 10, 50);
    const settled = (windows: NodeStepRecord[][]) => stepSettled(windows, 1, undefined, 0.1);
    expect(settled([[steady('a'), steady('b')], [steady('a'), steady('b')]])).toBe(false);
    expect(settled([[steady('a'), steady('b')], [steady('a'), steady('b')], [steady('a'), steady('b')]])).toBe(true);
    // b drifts: not settled; b down (no success in three windows): settled, b not stable.
    expect(settled([[steady('a'), record('b', 5, 100)], [steady('a'), record('b', 8, 70)], [steady('a'), steady('b')]])).toBe(false);
    const down = record('b', 0, 0, 1000, ['HTTP 500: x']);
    expect(settled([[steady('a'), down], [steady('a'), down], [steady('a'), down]])).toBe(true);
  });
});

describe('a step\'s report across windows', () => {
  // Five windows: two while the node warms up, then three steady ones.
  const windows = [
    [record('nano-1', 2, 400, 1000, ['HTTP 500: warming up']), record('nano-2', 10, 100)],
    [record('nano-1', 6, 150), record('nano-2', 10, 100)],
    [record('nano-1', 10, 100), record('nano-2', 10, 100)],
    [record('nano-1', 10, 100), record('nano-2', 10, 100)],
    [record('nano-1', 10, 100), record('nano-2', 10, 100)],
  ];
  const step = stepReport({ kind: 'concurrency', value: 1 }, windows, 1);

  test('counts cover every window; throughput, latency and share the last three merged', () => {
    const [a, b] = step.nodes;
    expect(a).toMatchObject({ requests: 39, successes: 38, errors: 1, elapsedMs: 5000, stable: true, inferPerSec: 10 });
    expect(a.errorMessages).toEqual([{ message: 'HTTP 500: warming up', count: 1 }]);
    expect(a.latencyUs).toMatchObject({ count: 30, min: 100_000, max: 100_000 });
    expect(a.windows.map((w) => w.inferPerSec)).toEqual([2, 6, 10, 10, 10]);
    expect(b).toMatchObject({ inferPerSec: 10, share: 0.5, stable: true });
    expect(step).toMatchObject({ stable: true, windowCount: 5 });
    expect(step.total).toMatchObject({ requests: 89, successes: 88, errors: 1, inferPerSec: 20, stable: true });
    expect(step.total.windows.map((w) => w.inferPerSec)).toEqual([12, 16, 20, 20, 20]);
    expect(step.total.errorMessages).toEqual([{ message: 'nano-1: HTTP 500: warming up', count: 1 }]);
  });

  test('an unstable node says why and what to change', () => {
    const drifting = stepReport({ kind: 'concurrency', value: 1 }, [10, 8, 6, 4].map((n) => [record('nano-1', n, 1000 / n)]), 1);
    expect(drifting.stable).toBe(false);
    expect(unstableReason(drifting.nodes[0], { stabilityPercentage: 10, maxTrials: 4 }))
      .toBe('its last 3 of 4 windows differ by more than 10% (4.0-8.0 infer/s, avg latency 125.0-250.0 ms); lengthen -p, raise --max-trials or --stability-percentage');
    const short = stepReport({ kind: 'concurrency', value: 1 }, [[record('nano-1', 10, 100)]], 1);
    expect(unstableReason(short.nodes[0], { stabilityPercentage: 10, maxTrials: 1 })).toBe('1 window(s) measured, 3 are needed (--max-trials 1); raise --max-trials');
  });

  test('merged error messages keep the most frequent ones and count the rest', () => {
    const many = Array.from({ length: 12 }, (_, i) => record('n', 0, 0, 10, Array.from({ length: i + 1 }, () => `e${i}`)));
    const merged = mergeRecords(many, 10);
    expect(merged.errorMessages.map((e) => e.message)).toEqual(['e11', 'e10', 'e9', 'e8', 'e7', 'e6', 'e5', 'e4', 'e3', 'e2']);
    expect(merged.otherErrors).toBe(1 + 2);
    expect(merged.errors).toBe(78);
  });
});
