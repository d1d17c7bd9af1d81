/**
 * The load generator of `triton-jetson bench`: sends one pre-encoded inference request
 * (a Buffer built once, written as is for every request: no per-request copy) to every
 * node at a fixed concurrency or a fixed request rate, and records per node the latency of
 * every request, its errors, and counts.
 *
 * node:http with one keep-alive Agent per node rather than fetch (undici): on loopback it
 * moves the 1 MiB tutorial request faster, and it writes the Buffer without copying it
 * (scripts/bench-client.ts measures this against a raw POST loop).
 *
 * A node that fails or times out only adds to its own error count: the other nodes go on.
 */
import { Agent, IncomingMessage, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { LatencyRecorder } from './bench-stats';
import { printable } from '../lib/terminal-text';

export interface BenchNode {
  /** Node name from the cluster description, or the -u address. */
  readonly name: string;
  /** Triton's HTTP base URL, e.g. "http://10.0.0.30:30800". */
  readonly baseUrl: string;
}

/** The request sent again and again: path, headers and body are built once. */
export interface PreparedRequest {
  /** e.g. "/v2/models/inception_graphdef/infer". */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export type LoadMode =
  | { readonly kind: 'concurrency'; readonly value: number }
  | { readonly kind: 'request-rate'; readonly value: number };

export interface StepOptions {
  readonly mode: LoadMode;
  /** Stop sending after this long (ms); requests in flight are awaited and counted. */
  readonly durationMs?: number;
  /** Or: send exactly this many requests to every node. Wins over durationMs. */
  readonly requestCountPerNode?: number;
  /** Time limit of one request, body included (ms). */
  readonly timeoutMs: number;
  /** Largest response body accepted (bytes); more is an error. */
  readonly maxResponseBytes: number;
  /** Request-rate mode: most requests in flight per node; a due request waits (and counts as delayed). @default 64 */
  readonly maxInFlightPerNode?: number;
  /**
   * No request is sent after this long, whatever the count asked (nodes that never answer
   * would otherwise make a count-mode step last count x timeout). @default MAX_STEP_MS
   */
  readonly maxStepMs?: number;
}

/** Longest step: no request is sent later; -p, and a request count at a rate, stay within it. */
export const MAX_STEP_MS = 3_600_000;

export interface ErrorCount {
  readonly message: string;
  readonly count: number;
}

/**
 * Distinct error messages kept per node and step; errors with any further message are only
 * counted (a server that puts a request id in each error would otherwise grow the table,
 * the reports and the memory with every request).
 */
export const MAX_ERROR_MESSAGES = 10;

/** Longest delay setTimeout honours (2^31 - 1 ms); a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What one node did in one step. */
export interface NodeStepRecord {
  readonly node: string;
  /** Requests completed (answered or failed). */
  readonly requests: number;
  readonly successes: number;
  readonly errors: number;
  /** Distinct error messages with their counts, most frequent first (at most MAX_ERROR_MESSAGES). */
  readonly errorMessages: readonly ErrorCount[];
  /** Errors whose message was not kept (beyond MAX_ERROR_MESSAGES distinct ones). */
  readonly otherErrors: number;
  /** Latency of every successful request, µs, in completion order. */
  readonly latenciesUs: Float64Array;
  /** Request-rate mode: requests that were due but waited for a free slot. */
  readonly delayed: number;
  /** From the step's start to this node's last completion, ms. */
  readonly elapsedMs: number;
}

/** Live counters, for the progress line. */
export interface LiveCounts {
  readonly node: string;
  readonly completed: number;
  readonly errors: number;
}

/** One keep-alive connection pool per node, reused across the steps of a run. */
export class NodeDriver {
  readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;
  private readonly basePath: string;
  private readonly headers: OutgoingHttpHeaders;

  constructor(readonly node: BenchNode, private readonly request: PreparedRequest) {
    const url = new URL(node.baseUrl);
    if (url.protocol !== 'http:') throw new Error(`${node.name}: bench speaks plain HTTP only (${node.baseUrl})`);
    this.host = url.hostname.replace(/^\[|\]$/g, '');
    this.port = url.port === '' ? 80 : Number(url.port);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.agent = new Agent({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo' });
    this.headers = { ...request.headers, 'Content-Length': String(request.body.length) };
  }

  /**
   * Sends the request once; `done` gets null and the latency in µs, or an error message.
   * Callbacks rather than promises: this is the hot path.
   */
  send(timeoutMs: number, maxResponseBytes: number, done: (error: string | null, latencyUs: number) => void): void {
    const start = process.hrtime.bigint();
    let finished = false;
    const finish = (error: string | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      done(error, Number(process.hrtime.bigint() - start) / 1000);
    };
    const req = httpRequest({
      agent: this.agent, host: this.host, port: this.port, method: 'POST',
      path: `${this.basePath}${this.request.path}`, headers: this.headers,
    }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let received = 0;
      let errorText = '';
      res.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxResponseBytes) {
          req.destroy();
          finish(`response larger than ${maxResponseBytes} bytes`);
        } else if (status !== 200 && errorText.length < 2048) {
          errorText += chunk.toString('utf-8');
        }
      });
      res.on('end', () => finish(status === 200 ? null : httpErrorMessage(status, errorText)));
      res.on('error', (err) => finish(networkErrorMessage(err)));
    });
    const timer = setTimeout(() => {
      finish(`no complete answer within ${timeoutMs / 1000} s`);
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish(networkErrorMessage(err)));
    req.end(this.request.body);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** "HTTP 400: <Triton's error text>" on one line, cleaned of terminal controls (it goes to the table and every report). */
export function httpErrorMessage(status: number, body: string): string {
  let text = body.trim();
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') text = parsed.error;
  } catch {
    // not JSON: the text as is
  }
  text = printable(text, 200);
  return `HTTP ${status}${text ? `: ${text}` : ''}`;
}

function networkErrorMessage(err: Error & { code?: string }): string {
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused (nothing listens on that port)',
    ECONNRESET: 'connection reset by the server',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    ENOTFOUND: 'host name not found',
    EPIPE: 'connection closed by the server while sending',
  };
  if (err.code && reasons[err.code]) return reasons[err.code];
  if (err.message === 'socket hang up') return 'connection closed by the server before the answer';
  return printable(err.message || String(err), 200);
}

class NodeStepState {
  issued = 0;
  inFlight = 0;
  completed = 0;
  successes = 0;
  errors = 0;
  delayed = 0;
  /** Index of the last request counted as delayed (each is counted once). */
  lastDelayed = -1;
  lastCompletion = 0;
  readonly latencies = new LatencyRecorder();
  readonly errorMessages = new Map<string, number>();
  otherErrors = 0;

  record(error: string | null, latencyUs: number): void {
    this.completed++;
    this.lastCompletion = performance.now();
    if (error === null) {
      this.successes++;
      this.latencies.add(latencyUs);
    } else {
      this.errors++;
      const seen = this.errorMessages.get(error);
      if (seen !== undefined) this.errorMessages.set(error, seen + 1);
      else if (this.errorMessages.size < MAX_ERROR_MESSAGES) this.errorMessages.set(error, 1);
      else this.otherErrors++;
    }
  }
}

/**
 * Runs one step on every node at once and resolves when every node has stopped sending
 * and its last request has completed. `live` is polled by the progress line.
 */
export function runStep(drivers: readonly NodeDriver[], options: StepOptions, live?: (read: () => LiveCounts[]) => void): Promise<NodeStepRecord[]> {
  const states = drivers.map(() => new NodeStepState());
  live?.(() => drivers.map((d, i) => ({ node: d.node.name, completed: states[i].completed, errors: states[i].errors })));
  const started = performance.now();
  const bound = options.maxStepMs ?? MAX_STEP_MS;
  const deadline = started + (options.requestCountPerNode === undefined ? Math.min(options.durationMs ?? 5000, bound) : bound);
  const limit = options.requestCountPerNode ?? Number.POSITIVE_INFINITY;
  const mayIssue = (s: NodeStepState) => s.issued < limit && performance.now() < deadline;

  return new Promise((resolve) => {
    let running = drivers.length;
    const allDone = () => {
      if (--running > 0) return;
      resolve(drivers.map((d, i) => {
        const s = states[i];
        return {
          node: d.node.name,
          requests: s.completed,
          successes: s.successes,
          errors: s.errors,
          errorMessages: [...s.errorMessages].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count),
          otherErrors: s.otherErrors,
          latenciesUs: Float64Array.from(s.latencies.view()),
          delayed: s.delayed,
          elapsedMs: Math.max(s.lastCompletion, started) - started,
        };
      }));
    };
    if (drivers.length === 0) {
      running = 1;
      allDone();
      return;
    }
    drivers.forEach((driver, i) => {
      const s = states[i];
      let reported = false;
      const nodeDone = () => {
        if (reported) return;
        reported = true;
        allDone();
      };
      if (options.mode.kind === 'concurrency') {
        // A closed loop: `value` requests in flight, each followed at once by the next.
        const loop = () => {
          if (!mayIssue(s)) {
            if (s.inFlight === 0) nodeDone();
            return;
          }
          s.issued++;
          s.inFlight++;
          driver.send(options.timeoutMs, options.maxResponseBytes, (error, latencyUs) => {
            s.inFlight--;
            s.record(error, latencyUs);
            loop();
          });
        };
        const workers = Math.min(options.mode.value, limit);
        if (workers === 0) return void nodeDone();
        for (let w = 0; w < workers; w++) loop();
      } else {
        // An open loop: request k is due at start + k / rate, whatever the answers do.
        const intervalMs = 1000 / options.mode.value;
        const maxInFlight = options.maxInFlightPerNode ?? 64;
        let timer: NodeJS.Timeout | undefined;
        let stopped = false;
        const stop = () => {
          if (stopped) return;
          stopped = true;
          if (timer) clearTimeout(timer);
          if (s.inFlight === 0) nodeDone();
        };
        const tick = () => {
          timer = undefined;
          const now = performance.now();
          while (mayIssue(s) && started + s.issued * intervalMs <= now) {
            if (s.inFlight >= maxInFlight) {
              if (s.lastDelayed !== s.issued) {
                s.delayed++;
                s.lastDelayed = s.issued;
              }
              return; // re-ticked by the next completion
            }
            s.issued++;
            s.inFlight++;
            driver.send(options.timeoutMs, options.maxResponseBytes, (error, latencyUs) => {
              s.inFlight--;
              s.record(error, latencyUs);
              if (stopped) {
                if (s.inFlight === 0) nodeDone();
              } else if (timer === undefined) {
                tick();
              }
            });
          }
          if (!mayIssue(s)) return stop();
          // Wake for the next request or the end of the step, whichever comes first: at a
          // rate of 0.001/s the next request is due in 1000 s, long after the step's end.
          const wake = Math.min(started + s.issued * intervalMs, deadline);
          timer = setTimeout(tick, Math.min(MAX_TIMER_MS, Math.max(0, wake - performance.now())));
        };
        tick();
      }
    });
  });
}
