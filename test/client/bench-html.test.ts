/**
 * `bench --html`: the page is self-contained (uPlot inlined, nothing fetched) and, opened
 * in headless Chromium, draws its two charts with the report's data points.
 * Needs `chromium` (bash scripts/test-deps/40-chromium.sh): skipped locally with the reason
 * when missing, a failure under CI=true.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchCharts, benchHtml, ChartData } from '../../client/bench-html';
import { BenchReport, stepReport } from '../../client/bench-report';
import type { NodeStepRecord } from '../../client/bench-load';
import { describeWith, hasCommand } from '../support/prereq';

function record(node: string, latenciesMs: number[], errors = 0): NodeStepRecord {
  return {
    node, requests: latenciesMs.length + errors, successes: latenciesMs.length, errors,
    errorMessages: errors ? [{ message: 'HTTP 500: <b>not html</b> </script><script>document.title="pwned"</script>', count: errors }] : [],
    otherErrors: 0,
    latenciesUs: Float64Array.from(latenciesMs, (v) => v * 1000), delayed: 0, elapsedMs: 1000,
  };
}

/** Three steps, two nodes (one slower), one failing node. */
function report(): BenchReport {
  const steps = [1, 2, 4].map((c) => stepReport({ kind: 'concurrency', value: c }, [[
    record('nano-1', Array.from({ length: 10 * c }, (_, i) => 10 + i)),
    record('nano-2', Array.from({ length: 5 * c }, (_, i) => 40 + i)),
    record('nano-3', [], 3),
  ]], 1));
  return {
    model: 'inception_graphdef', modelVersion: '', batchSize: 1, inputShape: [1, 299, 299, 3], inputData: 'random', requestBytes: 1073012,
    nodes: ['nano-1', 'nano-2', 'nano-3'].map((name) => ({ name, url: `http://${name}:30800` })), stabilityPercentage: 10, maxTrials: 1, steps,
  };
}

describe('the page', () => {
  test('is self-contained: uPlot inlined, no external script, stylesheet or URL fetched', () => {
    const html = benchHtml(report());
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).toContain('uPlot');
    // A hostile error message stays text.
    expect(html).not.toContain('<script>document.title="pwned"</script>');
    expect(html.length).toBeLessThan(200_000);
  });

  test('a hostile model name, version, input, node name and URL stay text, in the markup and in the inline JSON', () => {
    const evil = '</script><script>document.title="pwned"</script><img src=x onerror=alert(1)>\u2028<!--';
    const r = report();
    const html = benchHtml({
      ...r, model: `m${evil}`, modelVersion: `1${evil}`, inputData: `/tmp/${evil}`,
      nodes: r.nodes.map((n) => ({ name: `${n.name}${evil}`, url: `${n.url}/${evil}` })),
      steps: r.steps.map((step) => ({ ...step, nodes: step.nodes.map((n) => ({ ...n, node: `${n.node}${evil}` })) })),
    });
    expect(html).not.toContain('<script>document.title');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><script>document');
    // Only the page's own three <script> elements (data, uPlot, charts), each closed once.
    expect(html.match(/<script\b/gi)).toHaveLength(3);
    expect(html.match(/<\/script>/gi)).toHaveLength(3);
    expect(html).not.toMatch(/<!--/);
  });

  test('chart data: x = the steps, one series per node plus all nodes; p50/p99 per node in ms', () => {
    const [throughput, latency] = benchCharts(report());
    expect(throughput.x).toEqual([1, 2, 4]);
    expect(throughput.series.map((s) => s.label)).toEqual(['nano-1', 'nano-2', 'nano-3', 'all nodes']);
    expect(throughput.series[0].values).toEqual([10, 20, 40]);
    expect(throughput.series[2].values).toEqual([0, 0, 0]);
    expect(latency.series.map((s) => s.label)).toEqual(['nano-1 p50', 'nano-1 p99', 'nano-2 p50', 'nano-2 p99', 'nano-3 p50', 'nano-3 p99']);
    // nano-1 at concurrency 1: 10..19 ms, p50 = sorted[floor(4.5 + 0.5)] = 15 ms
    expect(latency.series[0].values[0]).toBe(15);
    expect(latency.series[4].values).toEqual([null, null, null]);
  });
});

describeWith([{ name: 'chromium', present: hasCommand('chromium'), hint: 'bash scripts/test-deps/40-chromium.sh' }])('the page in headless Chromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-html-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function dumpDom(file: string): Promise<string> {
    const profile = mkdtempSync(join(dir, 'profile-'));
    return new Promise((resolve, reject) => {
      execFile('chromium', [
        '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--window-size=1000,900',
        '--dump-dom', pathToFileURL(file).href,
      // Crash reports (~/.config/chromium) and dconf (~/.cache) ignore --user-data-dir: a home of its own.
      ], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: join(profile, 'config'), XDG_CACHE_HOME: join(profile, 'cache') } }, (err, stdout, stderr) => {
        if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
        else resolve(stdout);
      });
    });
  }

  test('draws both charts (a canvas each) and carries the data points in the DOM', async () => {
    const file = join(dir, 'report.html');
    const data = report();
    writeFileSync(file, benchHtml(data));
    const dom = await dumpDom(file);
    expect(dom).toMatch(/<body[^>]*data-charts-rendered="2"/);
    expect(dom.match(/<canvas\b/g) ?? []).toHaveLength(2);
    for (const chart of benchCharts(data)) {
      const div = new RegExp(`<div class="chart[^"]*" id="chart-${chart.id}"[^>]*>`).exec(dom)?.[0] ?? '';
      expect(div).toContain('data-rendered="true"');
      const series = JSON.parse(/data-series="([^"]*)"/.exec(div)![1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as ChartData['series'];
      expect(series).toEqual(chart.series);
    }
    // uPlot's legend lists every series by name.
    for (const label of ['nano-1', 'nano-2', 'all nodes', 'nano-2 p99']) expect(dom).toContain(`>${label}<`);
    // The hostile error message was not run: the title is still the page's own.
    expect(dom).toContain('<title>triton-jetson bench: inception_graphdef</title>');
    expect(dom).toContain('HTTP 500: &lt;b&gt;not html&lt;/b&gt;');
  });
});
