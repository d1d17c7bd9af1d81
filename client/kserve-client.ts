/**
 * A small client for Triton's KServe v2 HTTP/REST endpoint: health, model readiness,
 * metadata, config, repository index and inference.
 */
import { z } from 'zod';
import { ProtocolError, TritonResponseError } from './errors';
import { httpRequest, HttpResponse, MiB } from './http-transport';
import { printable } from '../lib/terminal-text';
import {
  decodeInferResponse, DecodedInferResponse, encodeInferRequest, INFERENCE_HEADER_CONTENT_LENGTH, InferRequestSpec,
} from './infer-codec';
import {
  errorBodySchema, ModelConfig, modelConfigSchema, ModelMetadata, modelMetadataSchema, RepositoryIndexEntry,
  repositoryIndexSchema,
} from './kserve-types';

/**
 * Caps on response bodies. Triton's health answers are empty and its metadata, config and
 * repository index a few KiB (inception_graphdef's config is about 2 KiB); 4 MiB leaves
 * room for models with hundreds of tensors while keeping a hostile server from filling
 * the client's memory. Prometheus text grows with the number of models and GPUs.
 */
export const JSON_RESPONSE_CAP = 4 * MiB;
export const METRICS_RESPONSE_CAP = 16 * MiB;
/** Inference answers without a size computed from the request (see inferResponseCap in image-client.ts). */
export const DEFAULT_INFER_RESPONSE_CAP = 64 * MiB;

export interface KServeClientOptions {
  /** Base URL such as "http://10.0.0.30:30800" (see baseUrlOf). */
  readonly baseUrl: string;
  /** Time limit of each health/metadata request, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  /** Time limit of each inference request, in milliseconds. @default 120000 */
  readonly inferTimeoutMs?: number;
}

export { printable } from '../lib/terminal-text';

/** What GET /v2/health/live answered. */
export interface Liveness {
  readonly status: number;
  /** The Server header, printable. */
  readonly server?: string;
  /** The answer is one Triton gives (200 with an empty body, or 400 with an empty body or Triton's error JSON). */
  readonly triton: boolean;
  /** Bytes of the body (Triton's is empty). */
  readonly bodyBytes: number;
  /** The Content-Type header, printable. */
  readonly contentType?: string;
}

export class KServeClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly inferTimeoutMs: number;

  constructor(options: KServeClientOptions) {
    this.baseUrl = options.baseUrl;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.inferTimeoutMs = options.inferTimeoutMs ?? 120_000;
  }

  /**
   * GET /v2/health/live, as answered: Triton says 200 (live, an empty body) or 400 (not live)
   * with an empty body or its `{"error": ...}` JSON (triton-inference-server/server
   * src/http_server.cc, HandleServerHealth: `evhtp_send_reply` without a body); any other
   * answer (a web server's 200 page, a redirect) comes from something else. Throws when unreachable.
   */
  async liveness(): Promise<Liveness> {
    const response = await this.get('/v2/health/live', 'server liveness answer');
    const body = response.body.toString('utf-8').trim();
    let tritonError = false;
    try {
      tritonError = errorBodySchema.safeParse(JSON.parse(body)).success;
    } catch {
      // not JSON
    }
    const server = response.headers.get('server');
    const contentType = response.headers.get('content-type');
    return {
      status: response.status,
      ...(server ? { server: printable(server, 100) } : {}),
      ...(contentType ? { contentType: printable(contentType, 60) } : {}),
      bodyBytes: response.body.length,
      triton: (response.status === 200 && body === '') || (response.status === 400 && (body === '' || tritonError)),
    };
  }

  /** GET /v2/health/ready */
  async isServerReady(): Promise<boolean> {
    return (await this.get('/v2/health/ready', 'server readiness answer')).status === 200;
  }

  /** GET /v2/models/{model}[/versions/{version}]/ready */
  async isModelReady(model: string, version = ''): Promise<boolean> {
    return (await this.get(`${modelPath(model, version)}/ready`, `readiness answer of model '${model}'`)).status === 200;
  }

  async modelMetadata(model: string, version = ''): Promise<ModelMetadata> {
    return this.getJson(modelPath(model, version), modelMetadataSchema, `model metadata of '${model}'`);
  }

  async modelConfig(model: string, version = ''): Promise<ModelConfig> {
    return this.getJson(`${modelPath(model, version)}/config`, modelConfigSchema, `model config of '${model}'`);
  }

  /** POST /v2/repository/index: every model in the repository with its state and reason. */
  async repositoryIndex(): Promise<RepositoryIndexEntry[]> {
    const url = `${this.baseUrl}/v2/repository/index`;
    const response = await httpRequest(url, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}', timeoutMs: this.timeoutMs,
      maxBytes: JSON_RESPONSE_CAP, what: 'repository index',
    });
    return parseJson(url, response, repositoryIndexSchema, 'repository index');
  }

  /** `maxResponseBytes`: cap on the answer's body, best sized from the outputs requested. */
  async infer(model: string, version: string, request: InferRequestSpec, maxResponseBytes = DEFAULT_INFER_RESPONSE_CAP): Promise<DecodedInferResponse> {
    const url = `${this.baseUrl}${modelPath(model, version)}/infer`;
    const encoded = encodeInferRequest(request);
    const response = await httpRequest(url, {
      method: 'POST', headers: encoded.headers, body: encoded.body, timeoutMs: this.inferTimeoutMs,
      maxBytes: maxResponseBytes, what: `inference answer of model '${model}'`,
    });
    if (response.status !== 200) {
      throw new TritonResponseError(url, response.status, errorMessage(response), `inference with model '${model}' failed`);
    }
    return decodeInferResponse(response.body, response.headers.get(INFERENCE_HEADER_CONTENT_LENGTH), url);
  }

  private get(path: string, what: string): Promise<HttpResponse> {
    return httpRequest(`${this.baseUrl}${path}`, { timeoutMs: this.timeoutMs, maxBytes: JSON_RESPONSE_CAP, what });
  }

  private async getJson<T extends z.ZodType>(path: string, schema: T, what: string): Promise<z.output<T>> {
    const url = `${this.baseUrl}${path}`;
    return parseJson(url, await this.get(path, what), schema, what);
  }
}

/** GET {metricsBaseUrl}/metrics: Triton's Prometheus text. */
export async function fetchMetrics(metricsBaseUrl: string, timeoutMs: number): Promise<string> {
  const url = `${metricsBaseUrl}/metrics`;
  const response = await httpRequest(url, { timeoutMs, maxBytes: METRICS_RESPONSE_CAP, what: 'metrics text' });
  if (response.status !== 200) {
    throw new TritonResponseError(url, response.status, printable(response.body.toString('utf-8').slice(0, 4096), 200), 'metrics request failed');
  }
  return response.body.toString('utf-8');
}

function modelPath(model: string, version: string): string {
  const base = `/v2/models/${encodeURIComponent(model)}`;
  return version === '' ? base : `${base}/versions/${encodeURIComponent(version)}`;
}

function parseJson<T extends z.ZodType>(url: string, response: HttpResponse, schema: T, what: string): z.output<T> {
  if (response.status !== 200) {
    throw new TritonResponseError(url, response.status, errorMessage(response), `failed to retrieve the ${what}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString('utf-8'));
  } catch {
    throw new ProtocolError(url, `the ${what} is not JSON`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`).join('; ');
    throw new ProtocolError(url, `the ${what} does not follow the KServe v2 protocol (${issues})`);
  }
  return parsed.data;
}

/** Triton's `{"error": "..."}` text, or the raw body when it is something else. */
export function errorMessage(response: HttpResponse): string {
  const text = response.body.toString('utf-8');
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) return printable(parsed.data.error, 1000);
  } catch {
    // not JSON: fall through
  }
  return text.trim() === '' ? '(empty body)' : printable(text, 300);
}

