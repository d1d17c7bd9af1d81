/**
 * `bench --html report.html`: one self-contained page, charts of throughput and latency
 * per node across the steps, drawn by uPlot (MIT) whose script and stylesheet are inlined
 * from node_modules: the page needs no network when opened.
 *
 * The data travels in the page as JSON (`<script type="application/json" id="bench-data">`)
 * and on each chart's container (`data-series`, `data-x`); once drawn, every chart's
 * container gets `data-rendered="true"` and the body `data-charts-rendered="<n>"`, so a
 * headless browser can check what was drawn (test/client/bench-html.test.ts).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BenchReport, errorCounts, unstableReason } from './bench-report';

/** The chart data of a report: x = the steps' values, one series per node (and all nodes). */
export interface ChartData {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: readonly number[];
  /** `color`: index of the node in the palette; `dashed` for the p99 lines. */
  readonly series: readonly { readonly label: string; readonly color: number; readonly dashed?: boolean; readonly values: readonly (number | null)[] }[];
}

export function benchCharts(report: BenchReport): ChartData[] {
  const steps = report.steps;
  const rate = steps[0]?.mode === 'request-rate';
  const xLabel = rate ? 'request rate per node (req/s)' : 'concurrency per node';
  const x = steps.map((s) => s.value);
  const nodeNames = report.nodes.map((n) => n.name);
  const nodeOf = (stepIndex: number, name: string) => steps[stepIndex].nodes.find((n) => n.node === name);
  const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? Math.round(v * 100) / 100 : null);
  const throughput: ChartData = {
    id: 'throughput', title: 'Throughput', xLabel, yLabel: 'inferences/s', x,
    series: [
      ...nodeNames.map((name, n) => ({ label: name, color: n, values: steps.map((_, i) => finite(nodeOf(i, name)?.inferPerSec)) })),
      ...(nodeNames.length > 1 ? [{ label: 'all nodes', color: nodeNames.length, values: steps.map((s) => finite(s.total.inferPerSec)) }] : []),
    ],
  };
  const latency: ChartData = {
    id: 'latency', title: 'Latency (p50 and p99)', xLabel, yLabel: 'ms', x,
    series: nodeNames.flatMap((name, n) => (['p50', 'p99'] as const).map((p) => ({
      label: `${name} ${p}`,
      color: n,
      dashed: p === 'p99',
      values: steps.map((_, i) => finite((nodeOf(i, name)?.latencyUs[p] ?? Number.NaN) / 1000)),
    }))),
  };
  return [throughput, latency];
}

function uplotAssets(): { js: string; css: string } {
  const dist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  return { js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf-8'), css: readFileSync(join(dist, 'uPlot.min.css'), 'utf-8') };
}

/** Text safe inside a <script> element (no "</script", "<!--"). */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function jsonInScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export function benchHtml(report: BenchReport): string {
  const { js, css } = uplotAssets();
  const charts = benchCharts(report);
  const rows = report.steps.flatMap((step) => step.nodes.map((n) => `<tr><td>${step.mode === 'concurrency' ? `concurrency ${step.value}` : `${step.value} req/s`}</td>` +
    `<td>${escapeHtml(n.node)}</td><td>${n.inferPerSec.toFixed(1)}</td><td>${n.requests}</td><td>${n.errors}</td><td>${(n.share * 100).toFixed(1)}%</td>` +
    `<td>${fmtMs(n.latencyUs.p50)}</td><td>${fmtMs(n.latencyUs.p90)}</td><td>${fmtMs(n.latencyUs.p99)}</td><td>${fmtMs(n.latencyUs.avg)}</td>` +
    `<td>${step.windowCount}</td><td class="${n.stable ? 'stable' : 'unstable'}">${n.stable ? 'yes' : 'no'}</td>` +
    `<td>${escapeHtml(errorCounts(n).join('; '))}</td></tr>`)).join('\n');
  const unstable = report.steps.flatMap((step) => step.nodes.filter((n) => !n.stable).map((n) =>
    `<li>${step.mode === 'concurrency' ? `concurrency ${step.value}` : `${step.value} req/s`}, ${escapeHtml(n.node)}: ${escapeHtml(unstableReason(n, report))}</li>`));
  const chartDivs = charts.map((c) => `<section><div class="chart" id="chart-${c.id}" data-x="${escapeHtml(JSON.stringify(c.x))}" ` +
    `data-series="${escapeHtml(JSON.stringify(c.series))}"></div></section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>triton-jetson bench: ${escapeHtml(report.model)}</title>
<style>${css}
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; font-size: 0.9em; }
td, th { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
td:nth-child(2), td:last-child, th { text-align: left; }
td.unstable { color: #b00; font-weight: bold; }
</style>
</head>
<body data-charts-rendered="0">
<h1>triton-jetson bench</h1>
<p>Model <b>${escapeHtml(report.model)}</b>${report.modelVersion ? ` version ${escapeHtml(report.modelVersion)}` : ''}, batch size ${report.batchSize},
input [${report.inputShape.join(', ')}] (${escapeHtml(report.inputData)}), ${report.requestBytes} bytes per request, ${report.nodes.length} node(s):
${report.nodes.map((n) => `${escapeHtml(n.name)} (${escapeHtml(n.url)})`).join(', ')}.</p>
${chartDivs}
<section><h2>Figures</h2>
<p>Each step is measured in windows until the last three differ by at most ${report.stabilityPercentage}% in throughput and latency (at most ${report.maxTrials} windows, as perf_analyzer); its figures are those three windows merged.</p>
<table><thead><tr><th>Step</th><th>Node</th><th>Infer/s</th><th>Requests</th><th>Errors</th><th>Share</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>Avg ms</th><th>Windows</th><th>Stable</th><th>Error messages</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${unstable.length > 0 ? `<h3>Not stable</h3><ul id="unstable">\n${unstable.join('\n')}\n</ul>` : ''}</section>
<script type="application/json" id="bench-data">${jsonInScript(report)}</script>
<script>${scriptSafe(js)}</script>
<script>
(function () {
  var palette = ${JSON.stringify(PALETTE)};
  var charts = ${jsonInScript(charts)};
  var drawn = 0;
  charts.forEach(function (c) {
    var el = document.getElementById('chart-' + c.id);
    var opts = {
      title: c.title, width: Math.min(960, (document.body.clientWidth || 960) - 20), height: 320,
      scales: { x: { time: false } },
      axes: [{ label: c.xLabel, splits: function () { return c.x; } }, { label: c.yLabel }],
      series: [{ label: c.xLabel }].concat(c.series.map(function (s) {
        return { label: s.label, stroke: palette[s.color % palette.length], width: 2, dash: s.dashed ? [6, 4] : undefined, points: { show: true, size: 6 }, spanGaps: false };
      })),
    };
    new uPlot(opts, [c.x].concat(c.series.map(function (s) { return s.values; })), el);
    el.setAttribute('data-rendered', 'true');
    drawn++;
  });
  document.body.setAttribute('data-charts-rendered', String(drawn));
})();
</script>
</body>
</html>
`;
}

function fmtMs(us: number): string {
  return Number.isFinite(us) ? (us / 1000).toFixed(1) : '-';
}
