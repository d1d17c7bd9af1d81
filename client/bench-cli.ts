/**
 * Options of `triton-jetson bench` (registered by client/cli.ts). Names follow
 * perf_analyzer where it has one: -m, -x, -b, --concurrency-range, --request-rate-range,
 * -p/--measurement-interval, --measurement-request-count, --percentile, --input-data,
 * --stability-percentage, --max-trials (perf_analyzer's -s and -r; here -s stays `infer`'s
 * image scaling, so the stability percentage has only its long name).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { ClusterConfigLocation } from '../lib/config/cluster-config';
import { collectValues, configOption, hiddenAlias, modelOption, outputFormat, outputOptions } from '../cli/options';
import { decimalNumber, parsePercentile, parsePositiveInt, parseSeconds } from './cli-args';
import { MAX_CONCURRENCY, parseRange } from './bench-stats';
import { checkReportTargets, ReportTarget, writeReports } from './bench-output';
import { LoadMode, MAX_STEP_MS } from './bench-load';
import { DEFAULT_MAX_TRIALS, DEFAULT_STABILITY_PERCENTAGE } from './bench-windows';
import { noNodesError, UsageError } from './errors';
import { SCALINGS, Scaling } from './scaling';

export interface BenchCliHelpers {
  readonly oneLineAction: <A extends unknown[]>(action: (...args: A) => Promise<void>) => (...args: A) => Promise<void>;
  readonly resolveConfig: (file?: string) => { location: ClusterConfigLocation; config: import('../lib/config/cluster-config').ClusterConfig };
}

export const DEFAULT_CONCURRENCY_RANGE = '1,2,4,8';

function parseIntervalMs(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_STEP_MS) throw new InvalidArgumentError(`must be a whole number of milliseconds from 1 to ${MAX_STEP_MS} (1 hour)`);
  return n;
}

/** perf_analyzer's --stability-percentage: a number >= 0 (command_line_parser.cc: "The value must be >= 0.0"). */
function parseStabilityPercentage(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isFinite(n) || n < 0 || n > 1000) throw new InvalidArgumentError('must be a percentage from 0 to 1000 (0: the windows must agree exactly)');
  return n;
}

/** perf_analyzer's --max-trials: a whole number > 0; bounded here, as every window may last up to an hour. */
export const MAX_TRIALS_LIMIT = 1000;
function parseMaxTrials(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_TRIALS_LIMIT) throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_TRIALS_LIMIT}`);
  return n;
}

interface BenchFlags {
  config?: string; url?: string[]; model?: string; modelName?: string; modelVersion?: string; batchSize: number; output?: string;
  concurrencyRange?: number[]; requestRateRange?: number[]; measurementInterval: number; measurementRequestCount?: number;
  percentile?: number; stabilityPercentage: number; maxTrials: number; inputData: string; scaling?: Scaling; timeout: number; json?: string | true; csv?: string | true; html?: string;
  progress: boolean;
}

export function registerBench(program: Command, helpers: BenchCliHelpers): void {
  program
    .command('bench')
    .description('measure throughput and latency of every node (a concurrency sweep or fixed request rates), like perf_analyzer for the fleet')
    .showHelpAfterError(false)
    .addOption(configOption('its nodes and NodePorts'))
    .option('-u, --url <host:port>', "benchmark this Triton HTTP endpoint instead of the description's nodes (repeatable)", collectValues)
    .addOption(modelOption("name of model (perf_analyzer's -m/--model-name; --model-name is accepted too)"))
    .addOption(hiddenAlias('--model-name <name>'))
    .option('-x, --model-version <version>', 'version of model (default: the latest version)')
    .option('-b, --batch-size <n>', 'batch size of each request', parsePositiveInt, 1)
    .addOption(new Option('--concurrency-range <start:end:step>', `requests in flight per node, swept (or a list such as 1,2,4,8) (default: ${DEFAULT_CONCURRENCY_RANGE})`)
      .argParser((v) => parseRange(v, '--concurrency-range', true, { max: MAX_CONCURRENCY, unit: 'requests in flight per node' })).conflicts('requestRateRange'))
    .addOption(new Option('--request-rate-range <start:end:step>', 'requests per second per node, swept (or a list)')
      .argParser((v) => parseRange(v, '--request-rate-range', false)))
    .option('-p, --measurement-interval <ms>', 'length of each measurement window in milliseconds (at most 1 hour)', parseIntervalMs, 5000)
    .option('--measurement-request-count <n>', 'instead of a time: send this many requests to every node per window', parsePositiveInt)
    .option('--stability-percentage <p>', "a step ends when its last 3 windows' throughput and latency differ by at most p% (perf_analyzer's -s)", parseStabilityPercentage, DEFAULT_STABILITY_PERCENTAGE)
    .option('--max-trials <n>', "at most this many windows per step; the step is then reported not stable (perf_analyzer's -r)", parseMaxTrials, DEFAULT_MAX_TRIALS)
    .option('--percentile <p>', 'also report this latency percentile (1-99); stability is then judged on it', parsePercentile)
    .option('--input-data <random|zero|image>', 'tensor sent: random values, zeros, or an image file preprocessed once', 'random')
    .addOption(new Option('-s, --scaling <type>', 'scaling of image pixels, with --input-data <image> (default: NONE)').choices(SCALINGS))
    .option('--timeout <seconds>', 'time limit of each request; slower is an error', parseSeconds, 30)
    .addOption(outputOptions(['text', 'json', 'csv'])[0])
    .option('--json [file]', 'write the report as JSON to the file (without a file: -o json, to stdout instead of the table)')
    .option('--csv [file]', 'write the report as CSV to the file (without a file: -o csv, to stdout instead of the table)')
    .option('--html <file>', 'write a self-contained page with throughput and latency charts per node')
    .option('--no-progress', 'no progress line on stderr')
    .action(helpers.oneLineAction(async (flags: BenchFlags) => {
      const bench = require('./bench') as typeof import('./bench');
      const { benchCsv, benchJson, renderBenchTable, summarizeBench } = require('./bench-report') as typeof import('./bench-report');
      // Everything that can be refused is refused before any request is sent.
      const model = flags.model ?? flags.modelName;
      if (model === undefined) throw new UsageError("required option '-m, --model <name>' not specified");
      if (flags.model !== undefined && flags.modelName !== undefined && flags.model !== flags.modelName) throw new UsageError('-m and --model-name name two models; give one');
      if (flags.scaling !== undefined && (flags.inputData === 'random' || flags.inputData === 'zero')) {
        throw new UsageError(`-s/--scaling applies to an image (--input-data <image>), not to --input-data ${flags.inputData}; drop it or give an image`);
      }
      const stdoutFormats = [outputFormat({ output: flags.output, json: flags.json === true ? true : undefined }), ...(flags.csv === true ? ['csv'] : [])]
        .filter((f, i, all) => f !== 'text' && all.indexOf(f) === i);
      if (flags.csv === true && flags.output !== undefined && flags.output !== 'csv') throw new UsageError(`--csv and -o ${flags.output} ask for two output formats; give one`);
      if (stdoutFormats.length > 1) throw new UsageError('--json and --csv cannot both go to stdout; give one a file name');
      const toStdout = stdoutFormats[0];
      const targets: ReportTarget[] = [
        ...(typeof flags.json === 'string' ? [{ flag: '--json', file: flags.json }] : []),
        ...(typeof flags.csv === 'string' ? [{ flag: '--csv', file: flags.csv }] : []),
        ...(flags.html !== undefined ? [{ flag: '--html', file: flags.html }] : []),
      ];
      checkReportTargets(targets);
      if (flags.requestRateRange && flags.measurementRequestCount !== undefined) {
        const slowest = Math.min(...flags.requestRateRange);
        const stepMs = (flags.measurementRequestCount / slowest) * 1000;
        if (stepMs > MAX_STEP_MS) {
          throw new UsageError(`--measurement-request-count ${flags.measurementRequestCount} at --request-rate-range ${slowest}/s makes a window last ` +
            `${Math.round(stepMs / 1000)} s, more than 1 hour; raise the rate or lower the count`);
        }
      }
      if (flags.url?.length && flags.config !== undefined) throw new UsageError('-c and -u: -u names the endpoints, the cluster description (-c) would give its nodes; drop one');
      let nodes;
      if (flags.url?.length) {
        nodes = bench.benchNodesFromUrls(flags.url);
      } else {
        const { location, config } = helpers.resolveConfig(flags.config);
        nodes = bench.benchNodesFromConfig(config);
        if (nodes.length === 0) {
          throw noNodesError('benchmark', location.file);
        }
      }
      const steps: LoadMode[] = flags.requestRateRange
        ? flags.requestRateRange.map((value) => ({ kind: 'request-rate' as const, value }))
        : (flags.concurrencyRange ?? parseRange(DEFAULT_CONCURRENCY_RANGE, '--concurrency-range', true)).map((value) => ({ kind: 'concurrency' as const, value }));
      const tty = process.stderr.isTTY === true;
      const report = await bench.runBench({
        nodes,
        model,
        modelVersion: flags.modelVersion ?? '',
        batchSize: flags.batchSize,
        inputData: flags.inputData,
        scaling: flags.scaling ?? 'NONE',
        steps,
        measurementIntervalMs: flags.measurementInterval,
        measurementRequestCount: flags.measurementRequestCount,
        percentile: flags.percentile,
        stabilityPercentage: flags.stabilityPercentage,
        maxTrials: flags.maxTrials,
        timeoutMs: flags.timeout * 1000,
        // A TTY gets one line rewritten in place; a log gets one line per finished step.
        progress: !flags.progress ? undefined : tty
          ? (line, final) => process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}${final ? '\n' : ''}`)
          : (line, final) => { if (final) process.stderr.write(`${line}\n`); },
        progressIntervalMs: tty ? 250 : 60_000,
      });
      // The figures reach stdout first: a report file that still cannot be written loses none.
      if (toStdout === 'json') process.stdout.write(benchJson(report));
      else if (toStdout === 'csv') process.stdout.write(benchCsv(report));
      else process.stdout.write(`${renderBenchTable(report, { color: process.stdout.isTTY })}\n${summarizeBench(report)}\n`);
      // Errors are in the report and the table; any error also makes the exit status 1.
      if (report.steps.some((s) => s.nodes.some((n) => n.errors > 0))) process.exitCode = 1;
      const render: Record<string, () => string> = {
        '--json': () => benchJson(report),
        '--csv': () => benchCsv(report),
        '--html': () => (require('./bench-html') as typeof import('./bench-html')).benchHtml(report),
      };
      writeReports(targets.map((t) => ({ ...t, text: render[t.flag] })));
    }));
}
