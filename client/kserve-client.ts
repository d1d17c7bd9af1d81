/**
 * A small client for Triton's KServe v2 HTTP/REST endpoint: health, model readiness,
 * metadata, config, repository index and inference.
 */
import { z } from 'zod';
import { ProtocolError, TritonResponseError } from './errors';
import { httpRequest, HttpResponse } from './http-transport';
import {
  decodeInferResponse, DecodedInferResponse, encodeInferRequest, INFERENCE_HEADER_CONTENT_LENGTH, InferRequestSpec,
} from './infer-codec';
import {
  errorBodySchema, ModelConfig, modelConfigSchema, ModelMetadata, modelMetadataSchema, RepositoryIndexEntry,
  repositoryIndexSchema,
} from './kserve-types';

export interface KServeClientOptions {
  /** Base URL such as "http://10.0.0.30:30800" (see baseUrlOf). */
  readonly baseUrl: string;
  /** Time limit of each health/metadata request, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  /** Time limit of each inference request, in milliseconds. @default 120000 */
  readonly inferTimeoutMs?: number;
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

  /** GET /v2/health/live: true on 200, false on any other status; throws when unreachable. */
  async isServerLive(): Promise<boolean> {
    return (await this.get('/v2/health/live')).status === 200;
  }

  /** GET /v2/health/ready */
  async isServerReady(): Promise<boolean> {
    return (await this.get('/v2/health/ready')).status === 200;
  }

  /** GET /v2/models/{model}[/versions/{version}]/ready */
  async isModelReady(model: string, version = ''): Promise<boolean> {
    return (await this.get(`${modelPath(model, version)}/ready`)).status === 200;
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
    });
    return parseJson(url, response, repositoryIndexSchema, 'repository index');
  }

  async infer(model: string, version: string, request: InferRequestSpec): Promise<DecodedInferResponse> {
    const url = `${this.baseUrl}${modelPath(model, version)}/infer`;
    const encoded = encodeInferRequest(request);
    const response = await httpRequest(url, {
      method: 'POST', headers: encoded.headers, body: encoded.body, timeoutMs: this.inferTimeoutMs,
    });
    if (response.status !== 200) {
      throw new TritonResponseError(url, response.status, errorMessage(response), `inference with model '${model}' failed`);
    }
    return decodeInferResponse(response.body, response.headers.get(INFERENCE_HEADER_CONTENT_LENGTH), url);
  }

  private get(path: string): Promise<HttpResponse> {
    return httpRequest(`${this.baseUrl}${path}`, { timeoutMs: this.timeoutMs });
  }

  private async getJson<T extends z.ZodType>(path: string, schema: T, what: string): Promise<z.output<T>> {
    const url = `${this.baseUrl}${path}`;
    return parseJson(url, await this.get(path), schema, what);
  }
}

/** GET {metricsBaseUrl}/metrics: Triton's Prometheus text. */
export async function fetchMetrics(metricsBaseUrl: string, timeoutMs: number): Promise<string> {
  const url = `${metricsBaseUrl}/metrics`;
  const response = await httpRequest(url, { timeoutMs });
  if (response.status !== 200) {
    throw new TritonResponseError(url, response.status, response.body.toString('utf-8').slice(0, 200), 'metrics request failed');
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
    if (parsed.success) return parsed.data.error;
  } catch {
    // not JSON: fall through
  }
  return text.trim() === '' ? '(empty body)' : text.trim().slice(0, 300);
}
