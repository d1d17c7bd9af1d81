/**
 * `triton-jetson bench`: how fast is the fleet? Drives every node of the cluster
 * description (or the -u URLs) with the model's real input shape, through a concurrency
 * sweep or at fixed request rates, and reports per step and per node the throughput,
 * latency percentiles, errors and each node's share (see bench-report.ts).
 *
 * The request is built once (a real image preprocessed once, or random/zero data of the
 * model's shape, binary tensor encoding) and reused for every request of the run.
 */
import type { ClusterConfig } from '../lib/config/cluster-config';
import { clusterNodes } from '../lib/config/inventory-schema';
import { BenchNode, LiveCounts, LoadMode, NodeDriver, NodeStepRecord, PreparedRequest, runStep } from './bench-load';
import { BenchReport, StepReport, stepReport } from './bench-report';
import { DEFAULT_MAX_TRIALS, DEFAULT_STABILITY_PERCENTAGE, stepSettled } from './bench-windows';
import { baseUrlOf } from './endpoint';
import { formatBytes, ImageReadError, UsageError } from './errors';
import { MAX_REQUEST_TENSOR_BYTES, parseImageModel } from './image-model';
import { encodeInferRequest } from './infer-codec';
import { KServeClient } from './kserve-client';
import { ModelConfig, ModelMetadata } from './kserve-types';
import { preprocessImage, Scaling } from './preprocess';

export interface BenchOptions {
  readonly nodes: readonly BenchNode[];
  readonly model: string;
  /** @default '' (latest) */
  readonly modelVersion?: string;
  /** @default 1 */
  readonly batchSize?: number;
  /** 'random' (default), 'zero', or an image file preprocessed once. */
  readonly inputData?: string;
  /** Scaling of image pixels (image input only). @default 'NONE' */
  readonly scaling?: Scaling;
  readonly steps: readonly LoadMode[];
  /** Length of each measurement window in ms. @default 5000 */
  readonly measurementIntervalMs?: number;
  /** Instead: requests per node per window. */
  readonly measurementRequestCount?: number;
  /** An extra percentile to report; stability is then judged on it instead of the average, as perf_analyzer does. */
  readonly percentile?: number;
  /** How far (%) the last three windows may differ, as perf_analyzer's --stability-percentage. @default 10 */
  readonly stabilityPercentage?: number;
  /** Most windows per step, as perf_analyzer's --max-trials. @default 10 */
  readonly maxTrials?: number;
  /** Time limit of each request in ms. @default 30000 */
  readonly timeoutMs?: number;
  /** Metadata/config requests time limit in ms. @default 10000 */
  readonly metadataTimeoutMs?: number;
  /** Progress: called with a line to show (replacing the previous one) and whether it is final for the step. */
  readonly progress?: (line: string, final: boolean) => void;
  /** How often the progress line is refreshed, ms. @default 250 */
  readonly progressIntervalMs?: number;
  /** Request-rate mode: most requests in flight per node. @default 64 */
  readonly maxInFlightPerNode?: number;
}

/** Every node of the cluster description, reached through the Service's HTTP NodePort. */
export function benchNodesFromConfig(config: ClusterConfig): BenchNode[] {
  return clusterNodes(config).map((node) => ({
    name: node.name,
    baseUrl: baseUrlOf(`${node.address}:${config.service.nodePorts.http}`, `node ${node.name} (address:service.nodePorts.http)`),
  }));
}

export function benchNodesFromUrls(urls: readonly string[]): BenchNode[] {
  return urls.map((address) => ({ name: address, baseUrl: baseUrlOf(address, '-u/--url') }));
}

/** Largest response body accepted per request; an image classifier answers a few KiB. */
export const BENCH_RESPONSE_CAP = 64 * 1024 * 1024;

interface ModelShape {
  readonly inputName: string;
  readonly outputNames: readonly string[];
  readonly shape: number[];
  readonly image?: { channels: 1 | 3; height: number; width: number; layout: 'NHWC' | 'NCHW' };
}

/** Asks the nodes in turn for the model's metadata and config; the first that answers wins. */
async function modelShape(options: BenchOptions): Promise<{ shape: ModelShape; from: string }> {
  const failures: string[] = [];
  for (const node of options.nodes) {
    const client = new KServeClient({ baseUrl: node.baseUrl, timeoutMs: options.metadataTimeoutMs ?? 10_000 });
    let metadata: ModelMetadata;
    let config: ModelConfig;
    try {
      [metadata, config] = await Promise.all([client.modelMetadata(options.model, options.modelVersion ?? ''), client.modelConfig(options.model, options.modelVersion ?? '')]);
    } catch (err) {
      failures.push(`${node.name}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    return { shape: shapeOf(metadata, config, options), from: node.name };
  }
  throw new Error(`no node answered for model '${options.model}' (${failures.join('; ')})`);
}

function shapeOf(metadata: ModelMetadata, config: ModelConfig, options: BenchOptions): ModelShape {
  const batchSize = options.batchSize ?? 1;
  const batching = config.max_batch_size > 0;
  if (!batching && batchSize !== 1) throw new UsageError(`model '${metadata.name}' doesn't support batching (max_batch_size 0); use -b 1`);
  if (batching && batchSize > config.max_batch_size) throw new UsageError(`-b ${batchSize} exceeds the model's max_batch_size ${config.max_batch_size}`);
  const wantsImage = !['random', 'zero'].includes(options.inputData ?? 'random');
  if (wantsImage) {
    const m = parseImageModel(metadata, config);
    const dims = m.layout === 'NHWC' ? [m.height, m.width, m.channels] : [m.channels, m.height, m.width];
    return {
      inputName: m.inputName, outputNames: [m.outputName], shape: batching ? [batchSize, ...dims] : dims,
      image: { channels: m.channels, height: m.height, width: m.width, layout: m.layout },
    };
  }
  if (metadata.inputs.length !== 1) throw new UsageError(`model '${metadata.name}' has ${metadata.inputs.length} inputs; bench feeds models with exactly one`);
  const input = metadata.inputs[0];
  if (input.datatype !== 'FP32') throw new UsageError(`model '${metadata.name}': input '${input.name}' is ${input.datatype}; bench sends FP32 only`);
  const dims = batching ? input.shape.slice(1) : input.shape;
  if (dims.some((d) => d < 1)) throw new UsageError(`model '${metadata.name}': input '${input.name}' has a variable dimension ([${input.shape.join(',')}]); bench needs a fixed shape`);
  // The shape is the server's word: bounded before anything is allocated (as infer's image models are).
  const bytes = dims.reduce((a, d) => a * d, 4 * (batching ? batchSize : 1));
  if (bytes > MAX_REQUEST_TENSOR_BYTES) {
    throw new UsageError(`model '${metadata.name}': input '${input.name}' of shape [${input.shape.join(',')}] needs ${formatBytes(bytes)} per request as FP32, ` +
      `more than this client's cap of ${formatBytes(MAX_REQUEST_TENSOR_BYTES)} per request; check the model's dims in config.pbtxt`);
  }
  return { inputName: input.name, outputNames: metadata.outputs.map((o) => o.name), shape: batching ? [batchSize, ...dims] : [...dims] };
}

/** The request of the run, encoded once. */
export async function prepareRequest(options: BenchOptions, shape: ModelShape): Promise<PreparedRequest> {
  const count = shape.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  const source = options.inputData ?? 'random';
  if (source === 'random') {
    for (let i = 0; i < count; i++) data[i] = Math.random();
  } else if (source !== 'zero') {
    if (!shape.image) throw new UsageError('--input-data <image> needs an image model');
    let image: Float32Array;
    try {
      image = await preprocessImage(source, { ...shape.image, scaling: options.scaling ?? 'NONE' });
    } catch (err) {
      // bench sends one image: infer's hint offers a folder of them.
      if (err instanceof ImageReadError) throw new UsageError(`--input-data: ${err.message.replace(/ \(or a folder of them\)$/, ', or random or zero')}`);
      throw err;
    }
    for (let offset = 0; offset < count; offset += image.length) data.set(image, offset);
  }
  const encoded = encodeInferRequest({
    inputs: [{ name: shape.inputName, shape: shape.shape, data }],
    outputs: shape.outputNames.map((name) => ({ name })),
    encoding: 'binary',
  });
  const version = options.modelVersion ?? '';
  const path = `/v2/models/${encodeURIComponent(options.model)}${version ? `/versions/${encodeURIComponent(version)}` : ''}/infer`;
  return { path, headers: encoded.headers, body: encoded.body };
}

const stepLabel = (mode: LoadMode) => (mode.kind === 'concurrency' ? `concurrency ${mode.value}` : `request rate ${mode.value}/s`);

/**
 * Runs the whole benchmark. Each step is measured in windows until the last three are stable or
 * `maxTrials` were measured (bench-windows.ts). Node failures are in the report, never thrown.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  if (options.nodes.length === 0) throw new UsageError('no nodes to benchmark');
  const { shape } = await modelShape(options);
  const request = await prepareRequest(options, shape);
  const drivers = options.nodes.map((n) => new NodeDriver(n, request));
  const batchSize = options.batchSize ?? 1;
  const stabilityPercentage = options.stabilityPercentage ?? DEFAULT_STABILITY_PERCENTAGE;
  const maxTrials = options.maxTrials ?? DEFAULT_MAX_TRIALS;
  const steps: StepReport[] = [];
  try {
    for (const [index, mode] of options.steps.entries()) {
      const prefix = `[${index + 1}/${options.steps.length}] ${stepLabel(mode)}`;
      const windows: NodeStepRecord[][] = [];
      let read: (() => LiveCounts[]) | undefined;
      const started = performance.now();
      // The progress line counts the step so far: the finished windows plus the current one.
      const show = (final: string | undefined) => {
        if (!options.progress) return;
        const live = final === undefined ? read?.() ?? [] : [];
        const counts = options.nodes.map((n, i) => ({
          node: n.name,
          completed: windows.reduce((a, w) => a + w[i].requests, 0) + (live[i]?.completed ?? 0),
          errors: windows.reduce((a, w) => a + w[i].errors, 0) + (live[i]?.errors ?? 0),
        }));
        const elapsed = (performance.now() - started) / 1000;
        const done = counts.reduce((a, c) => a + c.completed, 0);
        const errors = counts.reduce((a, c) => a + c.errors, 0);
        const per = counts.map((c) => `${c.node} ${c.completed}${c.errors ? ` (${c.errors} err)` : ''}`).join(', ');
        const window = final ?? `window ${windows.length + 1} of at most ${maxTrials}`;
        options.progress(`${prefix}: ${elapsed.toFixed(1)} s, ${done} requests, ${(done / Math.max(elapsed, 1e-3)).toFixed(1)} req/s, ${errors} errors | ${per} | ${window}`, final !== undefined);
      };
      const ticker = options.progress ? setInterval(() => show(undefined), options.progressIntervalMs ?? 250) : undefined;
      try {
        while (windows.length < maxTrials) {
          windows.push(await runStep(drivers, {
            mode,
            durationMs: options.measurementIntervalMs ?? 5000,
            requestCountPerNode: options.measurementRequestCount,
            timeoutMs: options.timeoutMs ?? 30_000,
            maxResponseBytes: BENCH_RESPONSE_CAP,
            maxInFlightPerNode: options.maxInFlightPerNode,
          }, (r) => { read = r; }));
          read = undefined; // counted in `windows` now
          if (stepSettled(windows, batchSize, options.percentile, stabilityPercentage / 100)) break;
        }
        const step = stepReport(mode, windows, batchSize, options.percentile, stabilityPercentage);
        show(`${step.stable ? 'stable' : 'not stable'} after ${windows.length} window(s)`);
        steps.push(step);
      } finally {
        if (ticker) clearInterval(ticker);
      }
    }
  } finally {
    for (const d of drivers) d.close();
  }
  return {
    model: options.model,
    modelVersion: options.modelVersion ?? '',
    batchSize,
    inputShape: shape.shape,
    inputData: options.inputData ?? 'random',
    requestBytes: request.body.length,
    nodes: options.nodes.map((n) => ({ name: n.name, url: n.baseUrl })),
    ...(options.percentile !== undefined ? { percentile: options.percentile } : {}),
    stabilityPercentage,
    maxTrials,
    steps,
  };
}
