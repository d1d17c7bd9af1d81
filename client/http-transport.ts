/**
 * One HTTP exchange with a bounded time and a bounded body, turning network failures
 * into ServerUnreachableError with a hint. Uses Node's built-in fetch (undici).
 *
 * Bounds (issue 10.5): the whole exchange, body included, must finish within
 * `timeoutMs` (a server that never answers or trickles bytes is cut off), and the body is
 * read chunk by chunk with a byte counter: an announced Content-Length above `maxBytes`
 * is refused before reading, and a body that grows past it aborts the request.
 */
import { ResponseTooLargeError, ServerUnreachableError } from './errors';

export interface HttpRequest {
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST';
  /** @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** @default no body */
  readonly body?: Uint8Array | string;
  /** Give up (and report the server unreachable) after this many milliseconds, body included. */
  readonly timeoutMs: number;
  /** Largest response body accepted, in bytes. */
  readonly maxBytes: number;
  /** What is being fetched, for the too-large message, e.g. "model metadata". */
  readonly what: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export const MiB = 1024 * 1024;

export const UNREACHABLE_HINT =
  'Check the host and port (Triton: HTTP 8000 in the pod, NodePort 30800; metrics 8002, NodePort 30802) ' +
  'and that the Triton pod runs there (`kubectl get pods -l app=triton -o wide`)';

export async function httpRequest(url: string, request: HttpRequest): Promise<HttpResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new TimeoutSignal()), request.timeoutMs);
  try {
    const response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      // Triton never redirects; following one would send the request (an image tensor)
      // wherever the answer points. A 3xx is reported as the answer it is.
      redirect: 'manual',
    });
    const body = await readBounded(url, response, request, controller);
    return { status: response.status, headers: response.headers, body };
  } catch (err) {
    if (err instanceof ResponseTooLargeError) throw err;
    throw toUnreachable(url, controller.signal.reason instanceof TimeoutSignal ? controller.signal.reason : err, request.timeoutMs);
  } finally {
    clearTimeout(timer);
  }
}

/** The reason the timer aborts with, told apart from other aborts. */
class TimeoutSignal extends Error {
  constructor() {
    super('timeout');
    this.name = 'TimeoutError';
  }
}

async function readBounded(url: string, response: Response, request: HttpRequest, controller: AbortController): Promise<Buffer> {
  const tooLarge = (size: string) => {
    controller.abort();
    return new ResponseTooLargeError(url, request.what, request.maxBytes, size);
  };
  const announced = response.headers.get('content-length');
  if (announced !== null && /^\d+$/.test(announced.trim()) && Number(announced) > request.maxBytes) {
    throw tooLarge(`announces ${Number(announced)} bytes`);
  }
  if (response.body === null) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > request.maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge('sent more');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

function toUnreachable(url: string, err: unknown, timeoutMs: number): ServerUnreachableError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return new ServerUnreachableError(
      url,
      `no complete answer within ${timeoutMs / 1000} s`,
      `Raise --timeout if the server is just slow (the first inference of a model on a Jetson Nano can take a minute). ${UNREACHABLE_HINT}`,
    );
  }
  if (e.cause?.message === 'bad port') {
    // undici refuses the Fetch standard's "bad ports" (6000 X11, 2049 NFS, 6665-6669 IRC...).
    const port = portText(url);
    return new ServerUnreachableError(
      url,
      `port ${port} is one Node's fetch refuses to connect to (a blocked port of the Fetch standard)`,
      'Serve Triton on another port and give it with -u/--url host:port (Triton: HTTP 8000 in the pod, NodePort 30800), ' +
        'or change service.nodePorts in the cluster description',
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
    UND_ERR_SOCKET: 'connection closed by the server before the answer was complete',
  };
  const raw = (code && reasons[code]) ?? e.cause?.message ?? e.message ?? String(err);
  const reason = raw === 'terminated' ? 'connection closed by the server before the answer was complete' : raw;
  return new ServerUnreachableError(url, oneLine(code && !reason.includes(code) ? `${reason} (${code})` : reason), UNREACHABLE_HINT);
}

function portText(url: string): string {
  try {
    const u = new URL(url);
    return u.port === '' ? (u.protocol === 'https:' ? '443' : '80') : u.port;
  } catch {
    return '(unknown)';
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ');
}
