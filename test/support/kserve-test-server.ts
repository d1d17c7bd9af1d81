/**
 * A KServe v2 HTTP/REST server on loopback that checks every request against the
 * protocol as Triton implements it (binary tensor data extension, classification
 * extension) and answers as Triton does, with Triton-style `{"error": "..."}` bodies.
 *
 * Its "model" is a deterministic function of the tensor it receives (fakeClassifierScores),
 * so a client that sends the wrong pixels, layout or scaling gets a different answer.
 * Not a Triton: it knows only what the tests need (FP32 image classifiers).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface TestModelSpec {
  readonly name: string;
  /** @default ['1'] */
  readonly versions?: readonly string[];
  readonly platform: string;
  readonly maxBatchSize: number;
  readonly input: {
    readonly name: string;
    /** What metadata/config announce; inference accepts FP32 only. */
    readonly datatype: string;
    readonly format: 'FORMAT_NHWC' | 'FORMAT_NCHW' | 'FORMAT_NONE';
    readonly dims: readonly number[];
  };
  /** More inputs, to test clients that expect exactly one. @default none */
  readonly extraInputs?: readonly { readonly name: string; readonly datatype: string; readonly dims: readonly number[] }[];
  readonly output: {
    readonly name: string;
    readonly datatype: 'FP32';
    readonly dims: readonly number[];
    readonly labelFilename?: string;
  };
  /** Label of each class (the label file's lines). @default no labels */
  readonly labels?: readonly string[];
  /** @default true */
  readonly ready?: boolean;
  /** Reason reported in the repository index when not ready. @default none */
  readonly reason?: string;
}

/** inception_graphdef as Triton's example model repository defines it, with synthetic labels. */
export function inceptionGraphdef(overrides: Partial<TestModelSpec> = {}): TestModelSpec {
  return {
    name: 'inception_graphdef',
    versions: ['1'],
    platform: 'tensorflow_graphdef',
    maxBatchSize: 128,
    input: { name: 'input', datatype: 'FP32', format: 'FORMAT_NHWC', dims: [299, 299, 3] },
    output: { name: 'InceptionV3/Predictions/Softmax', datatype: 'FP32', dims: [1001], labelFilename: 'inception_labels.txt' },
    labels: Array.from({ length: 1001 }, (_, i) => (i === 0 ? 'BACKGROUND' : `CLASS ${i} LABEL`)),
    ...overrides,
  };
}

/**
 * The fake classifier: softmax over `classCount` logits that depend on the per-channel
 * means of one image (channels-last or channels-first) through fixed pseudo-random weights.
 */
export function fakeClassifierScores(
  image: Float32Array,
  channels: number,
  layout: 'NHWC' | 'NCHW',
  classCount: number,
): Float32Array {
  const plane = image.length / channels;
  const means = new Array<number>(channels).fill(0);
  for (let i = 0; i < image.length; i++) {
    const c = layout === 'NHWC' ? i % channels : Math.floor(i / plane);
    means[c] += image[i];
  }
  for (let c = 0; c < channels; c++) means[c] /= plane;
  const logits = new Float64Array(classCount);
  for (let k = 0; k < classCount; k++) {
    let z = 0;
    for (let c = 0; c < channels; c++) z += means[c] * weight(k, c);
    logits[k] = z;
  }
  const max = Math.max(...logits);
  let total = 0;
  for (let k = 0; k < classCount; k++) total += logits[k] = Math.exp(logits[k] - max);
  return Float32Array.from(logits, (v) => v / total);
}

/** A fixed weight in [-20, 20) from a 32-bit integer hash of (class, channel). */
function weight(k: number, c: number): number {
  let h = Math.imul(k + 1, 0x9e3779b1) ^ Math.imul(c + 1, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h ^= h >>> 15;
  return ((h >>> 0) / 2 ** 32) * 40 - 20;
}

/** Triton's classification string: std::to_string(float) is printf("%f"). */
export function tritonClassString(score: number, index: number, label?: string): string {
  return `${score.toFixed(6)}:${index}${label !== undefined ? `:${label}` : ''}`;
}

/** Top-k "score:index:label" strings, highest score first (as Triton's classification extension). */
export function topClassifications(scores: Float32Array, k: number, labels?: readonly string[]): string[] {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
  return order.slice(0, Math.min(k, scores.length)).map((i) => tritonClassString(scores[i], i, labels?.[i]));
}

export interface ReceivedInput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface ReceivedInference {
  readonly model: string;
  readonly version: string;
  readonly encoding: 'binary' | 'json';
  /** Whole HTTP body size in bytes. */
  readonly bodyBytes: number;
  readonly header: Record<string, unknown>;
  readonly inputs: readonly ReceivedInput[];
}

/** A request as the `intercept` hook sees it (body fully read). */
export interface InterceptedRequest {
  readonly method: string;
  /** Path without the query string, e.g. "/v2/models/inception_graphdef/config". */
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export interface KServeTestServerOptions {
  /**
   * Called before routing: return true when it answered (through `res`, or raw bytes on
   * `res.socket` to break HTTP itself: a hostile or broken server). @default none
   */
  readonly intercept?: (request: InterceptedRequest, res: ServerResponse) => boolean;
  /** Loopback address to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Metrics listener: 'triton' serves Triton's counters, 'other' a text without them, false none. @default 'triton' */
  readonly metrics?: 'triton' | 'other' | false;
  /** @default 0 (any free port) */
  readonly metricsPort?: number;
  /** @default [inceptionGraphdef()] */
  readonly models?: readonly TestModelSpec[];
  /** @default true */
  readonly live?: boolean;
  /**
   * Triton's --strict-readiness: /v2/health/ready fails while any model is unavailable (true,
   * Triton's default) or answers 200 whenever the server is live (false, as the stack starts it).
   * @default true
   */
  readonly strictReadiness?: boolean;
  /**
   * Every inference answer is sent this many milliseconds after the request arrived (a slow
   * node), or as many as the function gives for the n-th inference request (0-based): a node
   * whose latency drifts. @default 0
   */
  readonly inferDelayMs?: number | ((n: number) => number);
  /**
   * Every inference request fails (a broken node): with this HTTP status and Triton-style
   * error message, or 'reset' to close the connection without an answer. @default never
   */
  readonly failInfer?: { readonly status: number; readonly message: string } | 'reset';
  /**
   * Keep each inference's decoded tensors in `inferences` (a 299x299x3 image is 1 MiB);
   * false keeps the records with empty tensors, for long load tests. @default true
   */
  readonly recordTensors?: boolean;
}

export interface KServeTestServer {
  /** "127.0.0.1:<port>", as users give -u. */
  readonly address: string;
  readonly port: number;
  readonly metricsPort?: number;
  /** Every request as "METHOD /path". */
  readonly requests: string[];
  /** Every inference request that passed validation, decoded. */
  readonly inferences: ReceivedInference[];
  /** Every error answer sent, in order. */
  readonly errors: string[];
  close(): Promise<void>;
}

class RequestError extends Error {
  constructor(message: string, public readonly status = 400) {
    super(message);
  }
}

interface ModelState {
  readonly spec: TestModelSpec;
  successCount: number;
}

export async function startKServeTestServer(options: KServeTestServerOptions = {}): Promise<KServeTestServer> {
  const host = options.host ?? '127.0.0.1';
  const models = new Map<string, ModelState>((options.models ?? [inceptionGraphdef()]).map((spec) => [spec.name, { spec, successCount: 0 }]));
  const requests: string[] = [];
  const inferences: ReceivedInference[] = [];
  const errors: string[] = [];
  let inferRequestCount = 0;
  const inferDelay = (): number => {
    const delay = options.inferDelayMs;
    const n = inferRequestCount++;
    return typeof delay === 'function' ? delay(n) : delay ?? 0;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      const handle = () => {
        try {
          route(req, Buffer.concat(chunks), res);
        } catch (err) {
          const status = err instanceof RequestError ? err.status : 500;
          const message = err instanceof Error ? err.message : String(err);
          errors.push(message);
          sendJson(res, status, { error: message });
        }
      };
      const isInfer = req.method === 'POST' && /\/infer$/.test((req.url ?? '').split('?')[0]);
      if (isInfer && options.failInfer === 'reset') return void req.socket.destroy();
      const delay = isInfer ? inferDelay() : 0;
      if (delay > 0) return void setTimeout(handle, delay);
      handle();
    });
  });

  function route(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (options.intercept?.({ method: req.method ?? 'GET', path, headers: req.headers, body }, res)) return;
    if (req.method === 'GET' && path === '/v2/health/live') return sendStatus(res, options.live === false ? 400 : 200);
    if (req.method === 'GET' && path === '/v2/health/ready') {
      // Triton's default --strict-readiness: ready only when every model is.
      const allReady = options.strictReadiness === false || [...models.values()].every((m) => m.spec.ready !== false);
      return sendStatus(res, options.live !== false && allReady ? 200 : 400);
    }
    if (req.method === 'GET' && path === '/v2') {
      return sendJson(res, 200, { name: 'triton', version: '2.19.0', extensions: ['classification', 'binary_tensor_data', 'model_repository'] });
    }
    if (req.method === 'POST' && path === '/v2/repository/index') {
      return sendJson(res, 200, [...models.values()].flatMap(({ spec }) => (spec.versions ?? ['1']).map((version) => ({
        name: spec.name,
        version,
        state: spec.ready === false ? 'UNAVAILABLE' : 'READY',
        ...(spec.ready === false ? { reason: spec.reason ?? 'unloaded' } : {}),
      }))));
    }
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/config|\/infer)?$/.exec(path);
    if (!match) throw new RequestError(`Not Found: ${req.method} ${path}`, 404);
    const name = decodeURIComponent(match[1]);
    const version = match[2] === undefined ? '' : decodeURIComponent(match[2]);
    const action = match[3] ?? '';
    if (action === '/ready' && req.method === 'GET') {
      const state = models.get(name);
      const ok = state !== undefined && state.spec.ready !== false && (version === '' || (state.spec.versions ?? ['1']).includes(version));
      return sendStatus(res, ok ? 200 : 400);
    }
    if (action === '/infer' && req.method === 'POST' && options.failInfer !== undefined && options.failInfer !== 'reset') {
      throw new RequestError(options.failInfer.message, options.failInfer.status);
    }
    const state = readyModel(name, version);
    const spec = state.spec;
    if (action === '' && req.method === 'GET') return sendJson(res, 200, metadataOf(spec));
    if (action === '/config' && req.method === 'GET') return sendJson(res, 200, configOf(spec));
    if (action === '/infer' && req.method === 'POST') return infer(state, version, req, body, res);
    throw new RequestError(`Not Found: ${req.method} ${path}`, 404);
  }

  function readyModel(name: string, version: string): ModelState {
    const state = models.get(name);
    if (!state) throw new RequestError(`Request for unknown model: '${name}' is not found`);
    if (version !== '' && !(state.spec.versions ?? ['1']).includes(version)) {
      throw new RequestError(`Request for unknown model: '${name}' version ${version} is not found`);
    }
    if (state.spec.ready === false) throw new RequestError(`Request for unknown model: '${name}' has no available versions`);
    return state;
  }

  function infer(state: ModelState, version: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const spec = state.spec;
    const headerLengthText = req.headers['inference-header-content-length'];
    let jsonLength = body.length;
    if (headerLengthText !== undefined) {
      jsonLength = Number(headerLengthText);
      if (!/^\d+$/.test(String(headerLengthText)) || jsonLength > body.length) {
        throw new RequestError(`Inference-Header-Content-Length ${String(headerLengthText)} is not a byte count within the ${body.length}-byte body`);
      }
    }
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(body.subarray(0, jsonLength).toString('utf-8')) as Record<string, unknown>;
    } catch (err) {
      throw new RequestError(`failed to parse the request JSON buffer: ${(err as Error).message}`);
    }
    if (typeof header !== 'object' || header === null || !Array.isArray(header.inputs)) {
      throw new RequestError("inference request JSON is missing 'inputs' array");
    }
    const expectedInputs = 1 + (spec.extraInputs?.length ?? 0);
    if (header.inputs.length !== expectedInputs) {
      throw new RequestError(`expected ${expectedInputs} inputs but got ${header.inputs.length} inputs for model '${spec.name}'`);
    }
    const batching = spec.maxBatchSize > 0;
    let binaryOffset = jsonLength;
    let usesBinary = false;
    const inputs: ReceivedInput[] = header.inputs.map((raw: unknown) => {
      const input = raw as Record<string, unknown>;
      if (input.name !== spec.input.name) throw new RequestError(`unexpected inference input '${String(input.name)}' for model '${spec.name}'`);
      if (input.datatype !== spec.input.datatype || input.datatype !== 'FP32') {
        throw new RequestError(`inference input '${spec.input.name}' data-type is '${String(input.datatype)}', but model '${spec.name}' expects '${spec.input.datatype}'`);
      }
      const shape = input.shape;
      const expected = batching ? [-1, ...spec.input.dims] : [...spec.input.dims];
      if (!Array.isArray(shape) || shape.length !== expected.length || shape.some((d, i) => !Number.isInteger(d) || (expected[i] !== -1 && d !== expected[i]))) {
        throw new RequestError(`unexpected shape for input '${spec.input.name}' for model '${spec.name}'. Expected [${expected.join(',')}], got [${Array.isArray(shape) ? shape.join(',') : String(shape)}]`);
      }
      if (batching && (shape[0] < 1 || shape[0] > spec.maxBatchSize)) {
        throw new RequestError(`inference request batch-size must be <= ${spec.maxBatchSize} for '${spec.name}'`);
      }
      const count = (shape as number[]).reduce((a, b) => a * b, 1);
      const parameters = (input.parameters ?? {}) as Record<string, unknown>;
      const binarySize = parameters.binary_data_size;
      let data: Float32Array;
      if (binarySize !== undefined) {
        usesBinary = true;
        if (headerLengthText === undefined) throw new RequestError(`input '${spec.input.name}' has binary_data_size but the request has no Inference-Header-Content-Length header`);
        if (input.data !== undefined) throw new RequestError(`input '${spec.input.name}' has both binary_data_size and data`);
        if (binarySize !== count * 4) {
          throw new RequestError(`unexpected total byte size ${String(binarySize)} for input '${spec.input.name}', expecting ${count * 4}`);
        }
        if (binaryOffset + count * 4 > body.length) {
          throw new RequestError(`unexpected end of binary data for input '${spec.input.name}': expected ${count * 4} bytes, ${body.length - binaryOffset} remain`);
        }
        const bytes = body.subarray(binaryOffset, binaryOffset + count * 4);
        binaryOffset += count * 4;
        data = new Float32Array(count);
        for (let i = 0; i < count; i++) data[i] = bytes.readFloatLE(i * 4);
      } else {
        if (!Array.isArray(input.data)) throw new RequestError(`input '${spec.input.name}' has neither data nor binary_data_size`);
        const flat = (input.data as unknown[]).flat(Infinity as 1) as unknown[];
        if (flat.length !== count) {
          throw new RequestError(`unexpected number of elements for input '${spec.input.name}': shape needs ${count}, got ${flat.length}`);
        }
        if (flat.some((v) => typeof v !== 'number')) throw new RequestError(`input '${spec.input.name}': FP32 data must be JSON numbers`);
        data = Float32Array.from(flat as number[]);
      }
      return { name: spec.input.name, datatype: 'FP32', shape: shape as number[], data };
    });
    if (binaryOffset !== body.length) {
      throw new RequestError(`unexpected additional input data for model '${spec.name}': ${body.length - binaryOffset} bytes after the declared tensors`);
    }
    const outputsRequested = (Array.isArray(header.outputs) ? header.outputs : [{ name: spec.output.name }]) as Record<string, unknown>[];
    const outputs = outputsRequested.map((o) => {
      if (o.name !== spec.output.name) throw new RequestError(`unexpected inference output '${String(o.name)}' for model '${spec.name}'`);
      const parameters = (o.parameters ?? {}) as Record<string, unknown>;
      const classification = parameters.classification;
      if (classification !== undefined && !(Number.isInteger(classification) && (classification as number) > 0)) {
        throw new RequestError(`output '${spec.output.name}': classification must be a positive integer, got ${JSON.stringify(classification)}`);
      }
      if (parameters.binary_data !== undefined && typeof parameters.binary_data !== 'boolean') {
        throw new RequestError(`output '${spec.output.name}': binary_data must be a boolean`);
      }
      return { classification: classification as number | undefined, binary: parameters.binary_data === true };
    });

    inferences.push({
      model: spec.name, version, encoding: usesBinary ? 'binary' : 'json', bodyBytes: body.length, header,
      inputs: options.recordTensors === false ? inputs.map((i) => ({ ...i, data: new Float32Array(0) })) : inputs,
    });

    const input = inputs[0];
    const batch = batching ? input.shape[0] : 1;
    const imageSize = input.data.length / batch;
    const channels = spec.input.format === 'FORMAT_NCHW' ? spec.input.dims[0] : spec.input.dims[spec.input.dims.length - 1];
    const classes = spec.output.dims.reduce((a, b) => a * b, 1);
    const perImage = Array.from({ length: batch }, (_, b) =>
      fakeClassifierScores(input.data.subarray(b * imageSize, (b + 1) * imageSize), channels, spec.input.format === 'FORMAT_NCHW' ? 'NCHW' : 'NHWC', classes));
    state.successCount += 1;

    const responseOutputs: Record<string, unknown>[] = [];
    const binaryParts: Buffer[] = [];
    for (const out of outputs) {
      let datatype: string;
      let shape: number[];
      let values: (string | number)[];
      if (out.classification !== undefined) {
        datatype = 'BYTES';
        const k = Math.min(out.classification, classes);
        shape = batching ? [batch, k] : [k];
        values = perImage.flatMap((scores) => topClassifications(scores, k, spec.labels));
      } else {
        datatype = 'FP32';
        shape = batching ? [batch, classes] : [classes];
        values = perImage.flatMap((scores) => Array.from(scores));
      }
      if (out.binary) {
        const bytes = datatype === 'BYTES'
          ? Buffer.concat((values as string[]).flatMap((s) => {
            const text = Buffer.from(s, 'utf-8');
            const length = Buffer.alloc(4);
            length.writeUInt32LE(text.length);
            return [length, text];
          }))
          : Buffer.from(Float32Array.from(values as number[]).buffer);
        binaryParts.push(bytes);
        responseOutputs.push({ name: spec.output.name, datatype, shape, parameters: { binary_data_size: bytes.length } });
      } else {
        responseOutputs.push({ name: spec.output.name, datatype, shape, data: values });
      }
    }
    const responseHeader = Buffer.from(JSON.stringify({
      ...(typeof header.id === 'string' ? { id: header.id } : {}),
      model_name: spec.name,
      model_version: version === '' ? (spec.versions ?? ['1']).slice(-1)[0] : version,
      outputs: responseOutputs,
    }));
    if (binaryParts.length === 0) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(responseHeader);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': String(responseHeader.length) });
    res.end(Buffer.concat([responseHeader, ...binaryParts]));
  }

  function metadataOf(spec: TestModelSpec): unknown {
    const batchDim = spec.maxBatchSize > 0 ? [-1] : [];
    return {
      name: spec.name,
      versions: spec.versions ?? ['1'],
      platform: spec.platform,
      inputs: [
        { name: spec.input.name, datatype: spec.input.datatype, shape: [...batchDim, ...spec.input.dims] },
        ...(spec.extraInputs ?? []).map((i) => ({ name: i.name, datatype: i.datatype, shape: [...batchDim, ...i.dims] })),
      ],
      outputs: [{ name: spec.output.name, datatype: spec.output.datatype, shape: [...batchDim, ...spec.output.dims] }],
    };
  }

  function configOf(spec: TestModelSpec): unknown {
    return {
      name: spec.name,
      platform: spec.platform,
      backend: spec.platform.startsWith('tensorflow') ? 'tensorflow' : '',
      version_policy: { latest: { num_versions: 1 } },
      max_batch_size: spec.maxBatchSize,
      input: [
        { name: spec.input.name, data_type: `TYPE_${spec.input.datatype}`, format: spec.input.format, dims: spec.input.dims, is_shape_tensor: false, allow_ragged_batch: false, optional: false },
        ...(spec.extraInputs ?? []).map((i) => ({ name: i.name, data_type: `TYPE_${i.datatype}`, format: 'FORMAT_NONE', dims: i.dims })),
      ],
      output: [{
        name: spec.output.name, data_type: `TYPE_${spec.output.datatype}`, dims: spec.output.dims,
        label_filename: spec.output.labelFilename ?? '', is_shape_tensor: false,
      }],
      batch_input: [],
      batch_output: [],
      instance_group: [{ name: spec.name, kind: 'KIND_GPU', count: 1, gpus: [0] }],
      default_model_filename: 'model.graphdef',
    };
  }

  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;

  let metricsServer: Server | undefined;
  if (options.metrics !== false) {
    metricsServer = createServer((req, res) => {
      if (req.url !== '/metrics') return sendStatus(res, 404);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      if (options.metrics === 'other') return void res.end('# HELP process_cpu_seconds_total CPU time\nprocess_cpu_seconds_total 1.5\n');
      const lines = ['# HELP nv_inference_request_success Number of successful inference requests, all batch sizes', '# TYPE nv_inference_request_success counter'];
      for (const { spec, successCount } of models.values()) {
        if (spec.ready === false) continue;
        for (const v of spec.versions ?? ['1']) lines.push(`nv_inference_request_success{model="${spec.name}",version="${v}"} ${successCount}`);
      }
      res.end(`${lines.join('\n')}\n`);
    });
    await listen(metricsServer, options.metricsPort ?? 0, host);
  }

  return {
    address: `${host}:${port}`,
    port,
    metricsPort: metricsServer ? (metricsServer.address() as AddressInfo).port : undefined,
    requests,
    inferences,
    errors,
    close: async () => {
      await Promise.all([server, ...(metricsServer ? [metricsServer] : [])].map((s) => new Promise<void>((resolve) => {
        s.closeAllConnections();
        s.close(() => resolve());
      })));
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function sendStatus(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': '0' });
  res.end();
}
