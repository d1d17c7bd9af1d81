/**
 * Read-only GETs against the Kubernetes API server with credentials from the kubeconfig
 * (client/kubeconfig.ts), for `verify --wait`. Every answer is bounded in time (the whole
 * exchange) and size (counted while reading), never follows a redirect, and is parsed as JSON;
 * what the caller does with it is checked by its own schema. Errors say whether retrying can help.
 */
import { printable } from '../lib/terminal-text';
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import type { KubeCredentials } from './kubeconfig';

/** An answer (or no answer) from the API server, worded for the user. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    /** True when the same request may well succeed later (server restarting, overloaded). */
    public readonly transient: boolean,
    /** HTTP status, when the server answered. */
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export interface KubeApiOptions {
  /** Time limit of each request, answer included, in milliseconds. */
  readonly timeoutMs: number;
}

/** Network failures that a restarting API server produces, worded. */
const NETWORK_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  EPIPE: 'connection closed',
};

/** Text from the server, safe for one line, bounded between words. */
function oneLine(text: string, max = 300): string {
  return printable(text, max);
}

export class KubeApi {
  private readonly agent: Agent;
  private readonly where: string;

  constructor(private readonly credentials: KubeCredentials, private readonly options: KubeApiOptions) {
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 2,
      ca: credentials.ca,
      cert: credentials.cert,
      key: credentials.key,
      servername: credentials.tlsServerName,
      rejectUnauthorized: true,
    });
    this.where = `the API server ${credentials.server} (kubeconfig ${credentials.file}, context ${JSON.stringify(credentials.context)})`;
  }

  /** GET `path` (starting with "/"), parsed JSON; at most `maxBytes` of body. */
  getJson(path: string, what: string, maxBytes: number): Promise<unknown> {
    const url = new URL(this.credentials.server + path);
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'triton-jetson' };
    if (this.credentials.token) headers.Authorization = `Bearer ${this.credentials.token}`;
    return new Promise((resolvePromise, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (err: KubeApiError | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolvePromise(value);
      };
      let req: ReturnType<typeof request>;
      try {
        req = request(url, { method: 'GET', agent: this.agent, headers }, (res) => this.readAnswer(res, what, maxBytes, finish));
      } catch (err) {
        // Bad key or CA material makes the TLS context fail before any connection.
        finish(new KubeApiError(`${what}: cannot use the kubeconfig's TLS material for ${this.where}: ${oneLine((err as Error).message, 200)}`, false));
        return;
      }
      timer = setTimeout(() => {
        req.destroy();
        finish(new KubeApiError(`${what}: no complete answer from ${this.where} within ${this.options.timeoutMs / 1000} s`, true));
      }, this.options.timeoutMs);
      req.on('error', (err) => finish(this.networkError(what, err)));
      req.end();
    });
  }

  private readAnswer(res: IncomingMessage, what: string, maxBytes: number, finish: (err: KubeApiError | undefined, value?: unknown) => void): void {
    const status = res.statusCode ?? 0;
    const announced = Number(res.headers['content-length']);
    if (Number.isFinite(announced) && announced > maxBytes) {
      res.destroy();
      finish(new KubeApiError(`${what}: ${this.where} announced ${announced} bytes, more than the ${maxBytes} this client reads`, false, status));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    res.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        finish(new KubeApiError(`${what}: ${this.where} sent more than the ${maxBytes} bytes this client reads`, false, status));
        return;
      }
      chunks.push(chunk);
    });
    res.on('error', (err) => finish(this.networkError(what, err)));
    res.on('end', () => {
      const body = Buffer.concat(chunks, total).toString('utf-8');
      if (status !== 200) {
        finish(this.statusError(what, status, body));
        return;
      }
      try {
        finish(undefined, JSON.parse(body));
      } catch {
        finish(new KubeApiError(`${what}: ${this.where} answered 200 with a body that is not JSON; is the kubeconfig's server a Kubernetes API server?`, false, status));
      }
    });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }

  private statusError(what: string, status: number, body: string): KubeApiError {
    let reason = '';
    try {
      const parsed = JSON.parse(body) as { message?: unknown };
      if (typeof parsed.message === 'string') reason = `: ${oneLine(parsed.message)}`;
    } catch { /* not a Status object */ }
    if (status === 401) {
      const how = this.credentials.token || this.credentials.cert ? 'refused the credentials of' : 'wants credentials, and there are none in';
      return new KubeApiError(`${what}: ${this.where} ${how} the kubeconfig's user (401 Unauthorized)${reason}; give a kubeconfig of this cluster (bootstrap merges one)`, false, status);
    }
    if (status === 403) return new KubeApiError(`${what}: forbidden by ${this.where} (403)${reason}; the kubeconfig's user needs get/list on daemonsets and pods`, false, status);
    if (status === 404) return new KubeApiError(`${what}: not found on ${this.where} (404)${reason}`, false, status);
    if (status >= 300 && status < 400) return new KubeApiError(`${what}: ${this.where} answered a redirect (${status}); give the API server's own URL in the kubeconfig`, false, status);
    const transient = status === 429 || status >= 500;
    return new KubeApiError(`${what}: ${this.where} answered HTTP ${status}${reason}`, transient, status);
  }

  private networkError(what: string, err: Error & { code?: string }): KubeApiError {
    const code = err.code ?? '';
    if (NETWORK_REASONS[code]) return new KubeApiError(`${what}: cannot reach ${this.where}: ${NETWORK_REASONS[code]} (${code})`, true);
    // TLS: a certificate that does not verify is not going to start verifying.
    if (/CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/.test(code) || /certificate/i.test(err.message)) {
      return new KubeApiError(`${what}: the TLS connection to ${this.where} failed: ${oneLine(err.message, 200)} (${code || 'TLS'}); check the kubeconfig's certificate-authority and server address`, false);
    }
    return new KubeApiError(`${what}: cannot reach ${this.where}: ${oneLine(err.message, 200)}${code ? ` (${code})` : ''}`, true);
  }
}
