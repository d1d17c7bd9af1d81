/**
 * One HTTP exchange with a bounded time, turning network failures into
 * ServerUnreachableError with a hint. Uses Node's built-in fetch (undici).
 */
import { ServerUnreachableError } from './errors';

export interface HttpRequest {
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST';
  /** @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default no body */
  readonly body?: Uint8Array | string;
  /** Give up (and report the server unreachable) after this many milliseconds. */
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export const UNREACHABLE_HINT =
  'Check the host and port (Triton: HTTP 8000 in the pod, NodePort 30800; metrics 8002, NodePort 30802) ' +
  'and that the Triton pod runs there (`kubectl get pods -l app=triton -o wide`)';

export async function httpRequest(url: string, request: HttpRequest): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = Buffer.from(await response.arrayBuffer());
    return { status: response.status, headers: response.headers, body };
  } catch (err) {
    throw toUnreachable(url, err, request.timeoutMs);
  }
}

function toUnreachable(url: string, err: unknown, timeoutMs: number): ServerUnreachableError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new ServerUnreachableError(
      url,
      `no answer within ${timeoutMs / 1000} s`,
      `Raise --timeout if the server is just slow (the first inference of a model on a Jetson Nano can take a minute). ${UNREACHABLE_HINT}`,
    );
  }
  const code = e.cause?.code;
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listens on that port)',
    ENOTFOUND: 'host name not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    ECONNRESET: 'connection reset by the server',
    UND_ERR_SOCKET: 'connection closed by the server',
  };
  const reason = (code && reasons[code]) ?? e.cause?.message ?? e.message ?? String(err);
  return new ServerUnreachableError(url, code && !reason.includes(code) ? `${reason} (${code})` : reason, UNREACHABLE_HINT);
}
