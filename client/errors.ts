/**
 * Errors the client reports to users. Each message names what failed and how to fix it;
 * the CLI prints `message` as is.
 */
import { existsSync } from 'node:fs';

/** The server did not answer at all (connection refused, DNS failure, timeout). */
export class ServerUnreachableError extends Error {
  constructor(public readonly url: string, public readonly reason: string, hint: string) {
    super(`cannot reach Triton at ${url}: ${reason}. ${hint}`);
    this.name = 'ServerUnreachableError';
  }
}

/** The server answered with an HTTP error; `serverMessage` is Triton's `{"error": "..."}` text. */
export class TritonResponseError extends Error {
  constructor(
    public readonly url: string,
    public readonly status: number,
    public readonly serverMessage: string,
    context: string,
  ) {
    super(`${context}: Triton answered HTTP ${status}: ${serverMessage}`);
    this.name = 'TritonResponseError';
  }
}

/** The server answered 2xx but the body is not what the KServe v2 protocol specifies. */
export class ProtocolError extends Error {
  constructor(public readonly url: string, problem: string) {
    super(`unexpected answer from ${url}: ${problem}`);
    this.name = 'ProtocolError';
  }
}

/** The body of an answer is bigger than the client accepts for that endpoint (the request is aborted). */
export class ResponseTooLargeError extends ProtocolError {
  constructor(url: string, public readonly what: string, public readonly maxBytes: number, size: string) {
    super(url, `the ${what} is larger than this client's cap of ${formatBytes(maxBytes)} for it (the server ${size}); ` +
      'request aborted. Is this the HTTP port of a Triton server (8000 in the pod, NodePort 30800)?');
    this.name = 'ResponseTooLargeError';
  }
}

/** "10.1 GiB", "4 MiB", "1.5 KiB", "512 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 4) return `${+(n / 1024 ** 4).toFixed(1)} TiB`;
  if (n >= 1024 * 1024 * 1024) return `${+(n / (1024 * 1024 * 1024)).toFixed(1)} GiB`;
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** The model is not one this client can feed an image to (input count, type, shape, format). */
export class UnsupportedModelError extends Error {
  constructor(public readonly model: string, problem: string) {
    super(`model '${model}' does not fit this image client: ${problem}`);
    this.name = 'UnsupportedModelError';
  }
}

/** An image file that cannot be read or decoded. */
export class ImageReadError extends Error {
  constructor(public readonly file: string, reason: string) {
    super(`cannot read image '${file}': ${reason}. Give a JPEG, PNG, WebP, GIF or TIFF file (or a folder of them)`);
    this.name = 'ImageReadError';
  }
}

/** A command-line value that is out of range or malformed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** No -u and the description lists no nodes: verify and bench say which, with the fix (10.0.0.31: the tutorial's first node). */
export function noNodesError(action: string, file: string): UsageError {
  return new UsageError(existsSync(file)
    ? `no nodes to ${action}: ${file} has no "nodes" section; describe the nodes there or give -u host:port`
    : `no nodes to ${action}: ${file} not found; give -c <cluster description> (or set $TRITON_JETSON_CONFIG) or -u host:port (e.g. -u 10.0.0.31:30800)`);
}
