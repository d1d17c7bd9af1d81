/**
 * The client against hostile or broken servers and hostile command lines (issues 10.5 and
 * 10.6). Every case runs `triton-jetson` as a child process with a 256 MiB V8 heap and
 * asserts: the exit code, exactly one line on stderr (no stack trace), the message, and
 * the process's peak resident memory (a 1 GiB body read whole, or a 30000x30000x3 image
 * tensor allocated, would blow far past the bound).
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { createDeflate, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  inceptionGraphdef, InterceptedRequest, KServeTestServer, startKServeTestServer,
} from '../support/kserve-test-server';
import { CliResult, runCli } from '../client/cli-runner';

const work = mkdtempSync(join(tmpdir(), 'hostile-client-'));
const MAX_RSS_PRELOAD = join(__dirname, 'max-rss.js');
/** Peak RSS allowed to a child (tsx + sharp + zod take about 90-130 MiB on their own). */
const RSS_BOUND_KIB = 300 * 1024;
const GiB = 1024 * 1024 * 1024;
const MODEL = 'inception_graphdef';
const META = `/v2/models/${MODEL}`;

interface HostileResult extends CliResult {
  readonly maxRssKiB: number;
}

let runs = 0;
async function runBounded(args: readonly string[], cwd?: string): Promise<HostileResult> {
  const rssFile = join(work, `rss-${runs++}`);
  const result = await runCli(args, cwd, {
    nodeArgs: ['--max-old-space-size=256', '--require', MAX_RSS_PRELOAD],
    env: { MAX_RSS_FILE: rssFile },
  });
  const maxRssKiB = Number(readFileSync(rssFile, 'utf-8'));
  peaks.push(`${maxRssKiB}\t${args.join(' ')}`);
  return { ...result, maxRssKiB };
}

/** Peak RSS of every child, written to $HOSTILE_RSS_REPORT (when set) for the record. */
const peaks: string[] = [];
afterAll(() => {
  if (process.env.HOSTILE_RSS_REPORT) writeFileSync(process.env.HOSTILE_RSS_REPORT, `${peaks.join('\n')}\n`);
});

/** A failure as issue 10.6 wants it: exit 1, one line on stderr, nothing on stdout, bounded memory. */
function expectOneLineFailure(result: HostileResult, message: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
  const lines = result.stderr.split('\n');
  expect(lines).toHaveLength(2); // one line and its newline
  expect(lines[1]).toBe('');
  expect(lines[0]).not.toMatch(/^\s+at |\bat .*\.ts:\d+/);
  expect(lines[0]).toMatch(/^(triton-jetson|error): /);
  expect(lines[0]).toMatch(message);
  expect(result.maxRssKiB).toBeGreaterThan(0);
  expect(result.maxRssKiB).toBeLessThan(RSS_BOUND_KIB);
}

// --- hostile answers, written as raw bytes on the socket where HTTP itself is broken ---

type Responder = (res: ServerResponse, request: InterceptedRequest) => void;

function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (res) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

/** Sends `size` bytes of `fill` (or forever when size is Infinity), honouring back-pressure, until the client goes away. */
function endless(contentLength: number | undefined, fill = ' '): Responder {
  return (res) => {
    const socket = res.socket!;
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n${contentLength !== undefined ? `Content-Length: ${contentLength}` : 'Transfer-Encoding: chunked'}\r\n\r\n`);
    const chunk = Buffer.alloc(1024 * 1024, fill);
    const framed = contentLength === undefined ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk;
    let closed = false;
    socket.on('close', () => { closed = true; });
    socket.on('error', () => { closed = true; });
    const pump = () => {
      while (!closed && socket.write(framed)) { /* until the kernel buffer is full */ }
      if (!closed) socket.once('drain', pump);
    };
    pump();
  };
}

/** Announces `announced` bytes, sends `sent`, then closes the connection or keeps it open. */
function shortBody(announced: number, sent: string, then: 'close' | 'hang'): Responder {
  return (res) => {
    const socket = res.socket!;
    socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${announced}\r\n\r\n${sent}`);
    if (then === 'close') socket.end();
  };
}

/** Headers at once, then one byte every 100 ms: never done. */
function trickle(): Responder {
  return (res) => {
    const socket = res.socket!;
    socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    const timer = setInterval(() => socket.write(' '), 100);
    socket.on('close', () => clearInterval(timer));
    socket.on('error', () => clearInterval(timer));
  };
}

/** `size` zero bytes compressed once per coding (zlib's ratio is about 1000:1), sent with that Content-Encoding. */
function gzipBomb(codings: readonly ('gzip' | 'deflate')[], size: number, status = 200): Responder {
  let body: Buffer | undefined;
  return (res) => {
    if (body === undefined) {
      // Compressed in 64 MiB pieces so the test itself never holds the GiB.
      const stream = codings[0] === 'gzip' ? createGzip({ level: 9 }) : createDeflate({ level: 9 });
      const piece = Buffer.alloc(Math.min(size, 64 * 1024 * 1024));
      const parts: Buffer[] = [];
      stream.on('data', (b: Buffer) => parts.push(b));
      for (let sent = 0; sent < size; sent += piece.length) stream.write(piece.subarray(0, Math.min(piece.length, size - sent)));
      stream.end();
      stream.once('end', () => {
        body = Buffer.concat(parts);
        for (const coding of codings.slice(1)) body = coding === 'gzip' ? gzipSync(body) : deflateSync(body);
        sendEncoded(res, body, codings, status);
      });
      return;
    }
    sendEncoded(res, body, codings, status);
  };
}

function sendEncoded(res: ServerResponse, body: Buffer, codings: readonly string[], status: number): void {
  // Codings are listed in the order they were applied (RFC 9110 8.4).
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Encoding': codings.join(', ') });
  res.end(body);
}

/** Writes `text` as the whole answer, then closes: HTTP framing a server should never send. */
function raw(text: string): Responder {
  return (res) => {
    res.socket!.end(text);
  };
}

/** Reads the request and never answers. */
const silence: Responder = () => undefined;

function metadataWithInputShape(shape: readonly unknown[]): Responder {
  return json(200, {
    name: MODEL, versions: ['1'], platform: 'tensorflow_graphdef',
    inputs: [{ name: 'input', datatype: 'FP32', shape }],
    outputs: [{ name: 'InceptionV3/Predictions/Softmax', datatype: 'FP32', shape: [-1, 1001] }],
  });
}

/** A binary inference answer: JSON header (its length announced as `headerLength`), then `tail`. */
function inferAnswer(header: unknown, tail: Buffer, headerLength?: string): Responder {
  return (res) => {
    const text = Buffer.from(JSON.stringify(header));
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Inference-Header-Content-Length': headerLength ?? String(text.length) });
    res.end(Buffer.concat([text, tail]));
  };
}

function bytesElement(text: string): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(Buffer.byteLength(text));
  return Buffer.concat([length, Buffer.from(text)]);
}

const OUTPUT = 'InceptionV3/Predictions/Softmax';

interface ServerCase {
  readonly name: string;
  /** Path (exact) or path suffix ("/infer") the responder answers. */
  readonly at: string;
  readonly respond: Responder;
  readonly message: RegExp;
  /** @default [] */
  readonly extraArgs?: readonly string[];
}

const serverCases: readonly ServerCase[] = [
  {
    name: 'metadata body of 1 GiB, announced in Content-Length',
    at: META, respond: endless(GiB),
    message: /the model metadata of 'inception_graphdef' is larger than this client's cap of 4 MiB for it \(the server announces 1073741824 bytes\)/,
  },
  {
    name: 'metadata body without length that never ends (chunked)',
    at: META, respond: endless(undefined),
    message: /the model metadata of 'inception_graphdef' is larger than this client's cap of 4 MiB for it \(the server sent more\); request aborted/,
  },
  {
    name: 'config body of 1 GiB without length',
    at: `${META}/config`, respond: endless(undefined),
    message: /http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef\/config: the model config of 'inception_graphdef' is larger than this client's cap of 4 MiB/,
  },
  {
    name: 'readiness answer that never ends',
    at: `${META}/ready`, respond: endless(undefined),
    message: /the readiness answer of model 'inception_graphdef' is larger than this client's cap of 4 MiB/,
  },
  {
    name: 'gigantic declared input shape [-1,30000,30000,3]',
    at: META, respond: metadataWithInputShape([-1, 30000, 30000, 3]),
    message: /model 'inception_graphdef' does not fit this image client: input 'input' of shape \[-1,30000,30000,3\] needs 10\.1 GiB per image as FP32, more than this client's cap of 256 MiB per request; check the model's dims in config\.pbtxt$/,
  },
  {
    name: 'negative dimension',
    at: META, respond: metadataWithInputShape([-1, -5, 299, 3]),
    message: /model metadata of 'inception_graphdef' does not follow the KServe v2 protocol \(inputs\.0\.shape\.1: dimension -5 is not a whole number -1 \(variable\) or 1\.\.2147483647\)/,
  },
  {
    name: 'NaN dimension (a string, as protobuf JSON writes int64)',
    at: META, respond: metadataWithInputShape([-1, 'NaN', 299, 3]),
    message: /inputs\.0\.shape\.1: dimension "NaN" is not a whole number/,
  },
  {
    name: 'dimension beyond int64 precision',
    at: META, respond: metadataWithInputShape([-1, '100000000000000000000', 299, 3]),
    message: /inputs\.0\.shape\.1: dimension "100000000000000000000" is not a whole number/,
  },
  {
    name: 'fractional dimension',
    at: META, respond: metadataWithInputShape([-1, 299.5, 299, 3]),
    message: /inputs\.0\.shape\.1: dimension 299\.5 is not a whole number/,
  },
  {
    name: 'negative max_batch_size in the config',
    at: `${META}/config`,
    respond: json(200, { name: MODEL, max_batch_size: -3, input: [{ name: 'input', format: 'FORMAT_NHWC', dims: [299, 299, 3] }] }),
    message: /model config of 'inception_graphdef' does not follow the KServe v2 protocol \(max_batch_size: max_batch_size must be 0 \(no batching\) or more\)/,
  },
  {
    name: 'negative dims in the config',
    at: `${META}/config`,
    respond: json(200, { name: MODEL, max_batch_size: 1, input: [{ name: 'input', format: 'FORMAT_NHWC', dims: [299, -2, 3] }] }),
    message: /input\.0\.dims\.1: dimension -2 is not a whole number/,
  },
  {
    name: 'Content-Length larger than the body, then the connection closes',
    at: META, respond: shortBody(5000, '{"name":"inception_graphdef"', 'close'),
    message: /cannot reach Triton at http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef: connection closed by the server before the answer was complete/,
  },
  {
    name: 'Content-Length larger than the body, connection left open (bounded by --timeout)',
    at: META, respond: shortBody(5000, '{"name":', 'hang'), extraArgs: ['--timeout', '1'],
    message: /cannot reach Triton at http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef: no complete answer within 1 s\. Raise --timeout/,
  },
  {
    name: 'Content-Length smaller than the JSON sent',
    at: META, respond: json(200, '{"name":"inception_graphdef","inputs":[]}', { 'Content-Length': '10' }),
    message: /the model metadata of 'inception_graphdef' is not JSON/,
  },
  {
    name: 'slow trickle of one byte per 100 ms (bounded by --timeout)',
    at: META, respond: trickle(), extraArgs: ['--timeout', '1'],
    message: /no complete answer within 1 s/,
  },
  {
    name: 'a server that never answers (bounded by --timeout)',
    at: `${META}/ready`, respond: silence, extraArgs: ['--timeout', '1'],
    message: /inception_graphdef\/ready: no complete answer within 1 s/,
  },
  {
    name: 'metadata that is not JSON',
    at: META, respond: json(200, '<html><body>Welcome to nginx!</body></html>'),
    message: /unexpected answer from http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef: the model metadata of 'inception_graphdef' is not JSON$/,
  },
  {
    name: 'multi-line error page with terminal escapes',
    at: `${META}/config`, respond: json(502, '<html>\n<h1>\u001b[31mBad Gateway\u001b[0m</h1>\n</html>\n'),
    message: /failed to retrieve the model config of 'inception_graphdef': Triton answered HTTP 502: <html> <h1> \[31mBad Gateway \[0m<\/h1> <\/html>$/,
  },
  {
    name: 'gzip bomb: 1 GiB of zeros in a 1 MB gzip body (Content-Encoding: gzip)',
    at: META, respond: gzipBomb(['gzip'], GiB),
    message: /the model metadata of 'inception_graphdef' is larger than this client's cap of 4 MiB for it \(the server sent more\); request aborted/,
  },
  {
    name: 'gzip bomb nested: gzip of gzip of 1 GiB (Content-Encoding: gzip, gzip)',
    at: META, respond: gzipBomb(['gzip', 'gzip'], GiB),
    message: /the model metadata of 'inception_graphdef' is larger than this client's cap of 4 MiB for it \(the server sent more\); request aborted/,
  },
  {
    name: 'deflate bomb in an error answer',
    at: `${META}/config`, respond: gzipBomb(['deflate'], GiB, 500),
    message: /the model config of 'inception_graphdef' is larger than this client's cap of 4 MiB for it \(the server sent more\); request aborted/,
  },
  {
    name: 'a chain of 100 content-encodings',
    at: META, respond: gzipBomb(Array<'gzip'>(100).fill('gzip'), 2),
    message: /too many content-encodings/,
  },
  {
    name: 'headers of 2 MB (2000 headers of 1000 bytes)',
    at: META, respond: json(200, {}, Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, 'a'.repeat(1000)]))),
    message: /cannot reach Triton at http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef: Headers Overflow/,
  },
  {
    name: 'JSON nested 1.5 million levels deep where a name belongs',
    at: META, respond: json(200, `{"name":${'['.repeat(1_500_000)}${']'.repeat(1_500_000)}}`),
    message: /the model metadata of 'inception_graphdef' does not follow the KServe v2 protocol \(name: /,
  },
  {
    name: 'an output datatype named like an Object.prototype member ("constructor")',
    at: '/infer',
    respond: inferAnswer({ id: '1', model_name: MODEL, outputs: [{ name: OUTPUT, datatype: 'constructor', shape: [1, 1], parameters: { binary_data_size: 4 } }] }, Buffer.alloc(4)),
    message: /output 'InceptionV3\/Predictions\/Softmax' has unknown datatype constructor/,
  },
  {
    name: '__proto__ keys in the inference answer\'s JSON header',
    at: '/infer',
    respond: inferAnswer(JSON.parse('{"__proto__":{"outputs":[]},"id":"1","model_name":"m","outputs":[{"__proto__":{"name":"x"},"name":"o","datatype":"__proto__","shape":[1],"parameters":{"__proto__":{"binary_data_size":1},"binary_data_size":4}}]}'), Buffer.alloc(4)),
    message: /output 'o' has unknown datatype __proto__/,
  },
  {
    name: 'a chunk size of 2^64-1 (chunked encoding overflow)',
    at: META, respond: raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{"name":'),
    message: /cannot reach Triton at http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef: /,
  },
  {
    name: 'both Content-Length and Transfer-Encoding: chunked (a smuggling shape)',
    at: META, respond: raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'),
    message: /cannot reach Triton at http:\/\/127\.0\.0\.1:\d+\/v2\/models\/inception_graphdef: /,
  },
  {
    name: 'a redirect elsewhere is not followed',
    at: `${META}/ready`, respond: json(307, '', { Location: 'http://192.0.2.1:8000/v2/models/inception_graphdef/ready' }),
    message: /model 'inception_graphdef' (is not ready|not found) on Triton at http:\/\/127\.0\.0\.1:\d+/,
  },
  {
    name: 'Inference-Header-Content-Length beyond the body',
    at: '/infer', respond: inferAnswer({ model_name: MODEL, outputs: [] }, Buffer.alloc(0), '999999'),
    message: /Inference-Header-Content-Length is "999999", not a byte count within the \d+-byte body/,
  },
  {
    name: 'Inference-Header-Content-Length not a number',
    at: '/infer', respond: inferAnswer({ model_name: MODEL, outputs: [] }, Buffer.alloc(0), '0x20'),
    message: /Inference-Header-Content-Length is "0x20", not a byte count/,
  },
  {
    name: 'binary_data_size beyond the body',
    at: '/infer',
    respond: inferAnswer({ id: '1', model_name: MODEL, outputs: [{ name: OUTPUT, datatype: 'BYTES', shape: [1, 1], parameters: { binary_data_size: 1e9 } }] }, bytesElement('0.9:1:X')),
    message: /output 'InceptionV3\/Predictions\/Softmax' announces 1000000000 binary bytes but only 11 follow/,
  },
  {
    name: 'negative binary_data_size',
    at: '/infer',
    respond: inferAnswer({ id: '1', model_name: MODEL, outputs: [{ name: OUTPUT, datatype: 'BYTES', shape: [1, 1], parameters: { binary_data_size: -11 } }] }, bytesElement('0.9:1:X')),
    message: /inference response header is not valid: outputs\.0\.parameters\.binary_data_size: /,
  },
  {
    name: 'gigantic output shape with a small body',
    at: '/infer',
    respond: inferAnswer({ id: '1', model_name: MODEL, outputs: [{ name: OUTPUT, datatype: 'FP32', shape: [1, 2147483647], parameters: { binary_data_size: 8 } }] }, Buffer.alloc(8)),
    message: /output 'InceptionV3\/Predictions\/Softmax' should be 8589934588 bytes of FP32, is 8/,
  },
  {
    name: 'inference answer far bigger than 3 classes can need',
    at: '/infer', respond: endless(undefined),
    message: /the inference answer of model 'inception_graphdef' is larger than this client's cap of 1 MiB for it/,
    extraArgs: ['--classes', '3'],
  },
];

const cliCases: readonly {
  readonly name: string;
  readonly args: (server: string, image: string) => string[];
  readonly message: RegExp;
  /** Text that must appear nowhere in the output (a password given on the command line). */
  readonly secret?: string;
}[] = [
  // Credentials in -u (issue 20.4): refused in one line naming the flag, the password never echoed.
  ...([
    ['infer -u user:password@host:port', ['infer', '-m', MODEL, 'IMAGE', '-u', 'admin:hunter2@127.0.0.1:8000']],
    ['verify -u http://user:password@host:port', ['verify', '-u', 'http://admin:hunter2@10.0.0.30:30800']],
    ['bench -u user:password@host:port', ['bench', '-m', MODEL, '-u', 'admin:hunter2@10.0.0.30:30800']],
    ['a user name alone (token@host)', ['verify', '-u', 'hunter2@10.0.0.30:30800']],
    ['a password holding "/" (the URL parser would take it for a path)', ['verify', '-u', 'admin:hun/ter2@10.0.0.30:30800']],
    ['a password holding ":" and "#"', ['infer', '-m', MODEL, 'IMAGE', '-u', 'http://admin:a:b#hunter2@10.0.0.30:30800']],
    ['a bad port after credentials (the port message must not echo them)', ['verify', '-u', 'admin:hunter2@10.0.0.30:99999']],
    ['the second of two -u values', ['verify', '-u', '10.0.0.30:30800', '-u', 'admin:hunter2@10.0.0.31:30800']],
    ['a full-width "\uff20" (URL parsers map it to "@", then refuse the host, which was echoed)', ['verify', '-u', 'admin:hunter2\uff2010.0.0.30:30800']],
    ['a small "\ufe6b"', ['bench', '-m', MODEL, '-u', 'http://admin:hunter2\ufe6b10.0.0.30:30800']],
  ] as const).map(([name, argv]) => ({
    name: `credentials in -u refused: ${name}`,
    args: (_s: string, image: string) => argv.map((a) => (a === 'IMAGE' ? image : a)),
    message: /^triton-jetson: -u\/--url: holds a user name or password \("user:password@"\); /,
    secret: 'hunter2',
  })),
  ...([
    ['a query string (?token=...)', ['verify', '-u', '10.0.0.30:30800/?token=hunter2']],
    ['a fragment', ['bench', '-m', MODEL, '-u', 'http://10.0.0.30:30800/#hunter2']],
  ] as const).map(([name, argv]) => ({
    name: `-u with ${name} refused without echoing it`,
    args: () => [...argv],
    message: /^triton-jetson: -u\/--url: holds a query \("\?"\) or fragment \("#"\)/,
    secret: 'hunter2',
  })),
  {
    name: 'port out of range (-u host:99999)',
    args: (_s, image) => ['infer', '-u', '127.0.0.1:99999', '-m', MODEL, image],
    message: /^triton-jetson: -u\/--url "127\.0\.0\.1:99999": port 99999 is not a TCP port \(1-65535\); give host:port such as "10\.0\.0\.31:30800"/,
  },
  {
    name: 'port not a number (-u host:abc)',
    args: (_s, image) => ['infer', '-u', '127.0.0.1:abc', '-m', MODEL, image],
    message: /^triton-jetson: -u\/--url "127\.0\.0\.1:abc": port "abc" is not a number; give host:port/,
  },
  {
    name: 'port 0',
    args: (_s, image) => ['infer', '-u', 'localhost:0', '-m', MODEL, image],
    message: /-u\/--url "localhost:0": port 0 is not a TCP port/,
  },
  {
    name: 'a port Node\'s fetch refuses ("bad port": 6000)',
    args: (_s, image) => ['infer', '-u', '127.0.0.1:6000', '-m', MODEL, image],
    message: /port 6000 is one Node's fetch refuses to connect to \(a blocked port of the Fetch standard\)\. Serve Triton on another port and give it with -u\/--url host:port/,
  },
  {
    name: 'ftp:// URL',
    args: (_s, image) => ['infer', '-u', 'ftp://10.0.0.30:30800', '-m', MODEL, image],
    message: /-u\/--url "ftp:\/\/10\.0\.0\.30:30800" uses ftp:; only http:\/\/ \(Triton's HTTP\/REST port\) is supported/,
  },
  {
    name: 'grpc:// URL',
    args: (_s, image) => ['infer', '-u', 'grpc://10.0.0.30:30801', '-m', MODEL, image],
    message: /uses grpc:; only http:\/\//,
  },
  {
    name: 'URL without host',
    args: (_s, image) => ['infer', '-u', 'http://', '-m', MODEL, image],
    message: /-u\/--url "http:\/\/" is not a server address/,
  },
  {
    name: 'verify -u with a bad port',
    args: () => ['verify', '-u', '10.0.0.30:70000'],
    message: /-u\/--url "10\.0\.0\.30:70000": port 70000 is not a TCP port/,
  },
  {
    name: 'missing image',
    args: (s) => ['infer', '-u', s, '-m', MODEL, join(work, 'no-such.jpg')],
    message: /cannot read image '.*no-such\.jpg': no such file or folder/,
  },
  {
    name: 'empty directory as the image',
    args: (s) => ['infer', '-u', s, '-m', MODEL, join(work, 'empty-dir')],
    message: /cannot read image '.*empty-dir': the folder holds no files/,
  },
  {
    name: 'directory of non-images as the image',
    args: (s) => ['infer', '-u', s, '-m', MODEL, join(work, 'text-dir')],
    message: /cannot read image '.*text-dir\/notes\.txt': .*Give a JPEG, PNG/,
  },
  {
    name: 'a device as the image (/dev/zero)',
    args: (s) => ['infer', '-u', s, '-m', MODEL, '/dev/zero'],
    message: /cannot read image '\/dev\/zero': not a regular file/,
  },
  {
    name: 'a file that is not an image',
    args: (s) => ['infer', '-u', s, '-m', MODEL, join(work, 'text-dir', 'notes.txt')],
    message: /cannot read image '.*notes\.txt': /,
  },
  {
    name: 'a truncated JPEG',
    args: (s) => ['infer', '-u', s, '-m', MODEL, join(work, 'truncated.jpg')],
    message: /cannot read image '.*truncated\.jpg': /,
  },
  {
    name: 'verify -c a directory',
    args: () => ['verify', '-c', work],
    message: /^triton-jetson: cannot read the cluster description .*: it is a folder, not a file; give -c <file>|^triton-jetson: invalid cluster description .*hostile-client-/,
  },
  {
    name: 'verify --wait --kubeconfig "" (fell back to the default kubeconfig)',
    args: () => ['verify', '--wait', '--kubeconfig', ''],
    message: /^triton-jetson: --kubeconfig: is empty; give a kubeconfig file, e\.g\. --kubeconfig ~\/\.kube\/config$/,
  },
  {
    name: 'verify -c a missing file',
    args: () => ['verify', '-c', join(work, 'missing.yaml')],
    message: /^triton-jetson: invalid cluster description .*missing\.yaml: file not found \(create it from cluster\.example\.yaml\)$/,
  },
  {
    name: 'verify -c a description with several mistakes',
    args: () => ['verify', '-c', join(work, 'bad.yaml')],
    message: /^triton-jetson: invalid cluster description .*bad\.yaml: namespace: must be a DNS-1123 label.*; service\.nodePorts\.http: must be within the NodePort range 30000-32767; colour: unknown key; remove it/,
  },
  {
    name: 'verify -c broken YAML',
    args: () => ['verify', '-c', join(work, 'broken.yaml')],
    message: /^triton-jetson: invalid cluster description .*broken\.yaml: YAML /,
  },
  {
    name: '--timeout not a number',
    args: (s, image) => ['infer', '-u', s, '-m', MODEL, '--timeout', 'abc', image],
    message: /^error: option '--timeout <seconds>' argument 'abc' is invalid\. must be a number of seconds/,
  },
  {
    name: '-b 0',
    args: (s, image) => ['infer', '-u', s, '-m', MODEL, '-b', '0', image],
    message: /^error: option '-b, --batch-size <n>' argument '0' is invalid\. must be a whole number >= 1$/,
  },
  {
    name: 'unknown scaling',
    args: (s, image) => ['infer', '-u', s, '-m', MODEL, '-s', 'BOGUS', image],
    message: /^error: option '-s, --scaling <type>' argument 'BOGUS' is invalid\. Allowed choices are NONE, INCEPTION, VGG\.$/,
  },
  {
    name: 'a model name with a line break (echoed in the message)',
    args: (s, image) => ['infer', '-u', s, '-m', 'incep\ntion', image],
    message: /^triton-jetson: model 'incep; tion' not found on Triton at http:\/\/127\.0\.0\.1:\d+: it is not in the model repository/,
  },
  {
    name: 'an image path with a line break',
    args: (s) => ['infer', '-u', s, '-m', MODEL, join(work, 'no\nsuch.jpg')],
    message: /^triton-jetson: cannot read image '.*no; such\.jpg': no such file or folder/,
  },
  {
    name: 'batch too big for the per-request cap',
    args: (s, image) => ['infer', '-u', s, '-m', 'big_batch', '-b', '300', image],
    message: /-b 300: a batch of 300 images of 299x299x3 FP32 is 306\.9 MiB, more than this client's cap of 256 MiB per request; lower -b$/,
  },
];

describe('hostile servers', () => {
  let route: { at: string; respond: Responder } | undefined;
  let server: KServeTestServer;
  let image: string;

  beforeAll(async () => {
    server = await startKServeTestServer({
      models: [inceptionGraphdef(), inceptionGraphdef({ name: 'big_batch', maxBatchSize: 1000 })],
      intercept: (request, res) => {
        if (!route || !(request.path === route.at || (route.at.startsWith('/infer') && request.path.endsWith(route.at)))) return false;
        route.respond(res, request);
        return true;
      },
    });
    image = join(work, 'car.png');
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toFile(image);
  });
  afterAll(() => server.close());
  afterEach(() => { route = undefined; });

  test.each(serverCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    route = { at: c.at, respond: c.respond };
    const started = Date.now();
    const result = await runBounded(['infer', '-u', server.address, '-m', MODEL, ...(c.extraArgs ?? []), image]);
    expectOneLineFailure(result, c.message);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test('verify: a metrics port that sends without end is cut at 16 MiB and reported in its row', async () => {
    const metrics = await startKServeTestServer({ metrics: false, intercept: (request, res) => (request.path === '/metrics' ? (endless(undefined)(res, request), true) : false) });
    try {
      const rssFile = join(work, 'rss-verify');
      const result = await runCli(['verify', '-u', server.address, '--metrics-port', String(metrics.port)], undefined, {
        nodeArgs: ['--max-old-space-size=256', '--require', MAX_RSS_PRELOAD], env: { MAX_RSS_FILE: rssFile },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe('');
      expect(result.stdout.replace(/[│\s]+/g, ' ')).toMatch(/metrics text is larger than this client's cap of 16 MiB/);
      expect(Number(readFileSync(rssFile, 'utf-8'))).toBeLessThan(RSS_BOUND_KIB);
    } finally {
      await metrics.close();
    }
  });

  describe('server text never reaches the terminal or a report raw (issue 20.16)', () => {
    // OSC 52 writes the clipboard; CSI (7-bit and the 8-bit C1 form) moves the cursor and
    // recolours; U+202E reverses what follows; a bare CR overwrites the line.
    const HOSTILE_TEXT = 'pwned\u001b]52;c;aGVsbG8=\u0007\u001b[2J\u009b31m\u202eevil\rX';
    const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    const expectClean = (label: string, text: string) => {
      expect({ label, raw: RAW.exec(text)?.[0] }).toEqual({ label, raw: undefined });
    };

    test('bench: an error body with escapes is cleaned in the table, JSON, CSV and HTML', async () => {
      route = { at: '/infer', respond: json(500, { error: HOSTILE_TEXT }) };
      const out = (name: string) => join(work, `escapes-${name}`);
      const result = await runBounded(['bench', '-u', server.address, '-m', MODEL, '--concurrency-range', '1', '--measurement-request-count', '2',
        '--no-progress', '--json', out('r.json'), '--csv', out('r.csv'), '--html', out('r.html')]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('pwned');
      for (const [label, text] of [['stdout', result.stdout], ['stderr', result.stderr], ...['r.json', 'r.csv', 'r.html'].map((f) => [f, readFileSync(out(f), 'utf-8')])]) {
        expectClean(label, text.replace(/\r\n/g, '\n')); // CSV's own line ends (RFC 4180)
      }
      // JSON.stringify escapes C0 controls but not C1 or bidi controls: cleaned before.
      expect(readFileSync(out('r.json'), 'utf-8')).not.toMatch(/\\u001b|\\u0007/);
    });

    test('verify: a non-Triton liveness answer\'s Server and Content-Type headers are cleaned, its body never echoed', async () => {
      // Headers cannot carry C0 controls (node refuses them); C1 and bidi controls they can, as latin1/UTF-8 bytes.
      const header = Buffer.from('evil\u009b31m\u202eX', 'utf-8').toString('latin1');
      route = { at: '/v2/health/live', respond: (res) => { res.writeHead(200, { Server: header, 'Content-Type': `text/${header}` }); res.end(HOSTILE_TEXT); } };
      for (const args of [[], ['-o', 'json']]) {
        const result = await runCli(['verify', '-u', server.address, '--no-metrics', ...args]);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain('not a Triton HTTP endpoint');
        expect(result.stdout).not.toContain('pwned');
        expectClean('stdout', result.stdout);
        expect(result.stdout).not.toMatch(/\\u009b|\\u202e/);
      }
    });

    test('infer: labels and the response id from the server are cleaned', async () => {
      route = {
        at: '/infer',
        respond: inferAnswer({ id: `1${HOSTILE_TEXT}`, model_name: MODEL, outputs: [{ name: OUTPUT, datatype: 'BYTES', shape: [1, 1], parameters: { binary_data_size: 4 + Buffer.byteLength(`0.9:7:${HOSTILE_TEXT}`) } }] },
          bytesElement(`0.9:7:${HOSTILE_TEXT}`)),
      };
      const result = await runBounded(['infer', '-u', server.address, '-m', MODEL, image]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Request 1pwned/);
      expect(result.stdout).toContain('    0.9 (7) = pwned');
      expectClean('stdout', result.stdout);
      // -o json: JSON.stringify escapes C0 controls but not C1 or bidi ones: cleaned before.
      const json = await runBounded(['infer', '-u', server.address, '-m', MODEL, '-o', 'json', image]);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).requests[0].images[0][0]).toMatchObject({ score: 0.9, index: 7, label: expect.stringMatching(/^pwned/) });
      expectClean('stdout', json.stdout);
      expect(json.stdout).not.toMatch(/\\u001b|\\u0007|\\u009b|\\u202e/);
    });

    test('an error message quoting a tensor name from the server is cleaned', async () => {
      route = { at: META, respond: json(200, { name: MODEL, versions: ['1'], platform: 'x', inputs: [{ name: HOSTILE_TEXT, datatype: 'INT8', shape: [-1, 299, 299, 3] }], outputs: [{ name: OUTPUT, datatype: 'FP32', shape: [-1, 1001] }] }) };
      const result = await runBounded(['infer', '-u', server.address, '-m', MODEL, image]);
      expectOneLineFailure(result, /input 'pwned.*' is INT8/);
      expectClean('stderr', result.stderr);
    });

    test('verify: a repository index of 5000 models with escapes in names and reasons: 20 rows, the rest counted, all cleaned', async () => {
      const entries = Array.from({ length: 5000 }, (_, i) => ({ name: `m${i}${HOSTILE_TEXT}${'x'.repeat(150)}`, version: '1', state: 'UNAVAILABLE', reason: `${HOSTILE_TEXT}${'r'.repeat(500)}` }));
      route = { at: '/v2/repository/index', respond: json(200, entries) };
      const result = await runBounded(['verify', '-u', server.address, '-m', MODEL, '--no-metrics']);
      expect(result.code).toBe(1);
      expectClean('stdout', result.stdout);
      expect(result.stdout.match(/│ model m\d+pwned/g)).toHaveLength(20);
      expect(result.stdout.replace(/[│\s]+/g, ' ')).toContain('4980 more models in the repository not listed, 4980 of them not ready');
      expect(result.stdout.length).toBeLessThan(200_000);
      // Beyond the 4 MiB cap the index is refused in its own row; the other checks still run.
      route = { at: '/v2/repository/index', respond: json(200, Array.from({ length: 5000 }, () => ({ name: 'm', reason: 'r'.repeat(1000) }))) };
      const capped = await runBounded(['verify', '-u', server.address, '-m', MODEL, '--no-metrics']);
      expect(capped.code).toBe(1);
      expect(capped.stdout.replace(/[│\s]+/g, ' ')).toMatch(/repository index FAIL .*larger than this client's cap of 4 MiB/);
      expect(capped.stdout).toMatch(/model inception_graphdef\s*│ OK/);
    });

    test('verify: a not-ready reason and a metrics error body are cleaned in the table', async () => {
      route = { at: `${META}/ready`, respond: json(400, { error: HOSTILE_TEXT }) };
      const result = await runBounded(['verify', '-u', server.address, '-m', MODEL]);
      expect(result.code).toBe(1);
      expectClean('stdout', result.stdout);
      expectClean('stderr', result.stderr);
    });
  });

  describe('bench: bounded steps, outputs checked before any load, a bounded error table (issue 20.9)', () => {
    const inferRequests = () => server.requests.filter((r) => r.startsWith('POST ') && r.endsWith('/infer')).length;
    const bench = (...extra: string[]) => ['bench', '-u', server.address, '-m', MODEL, '--no-progress', ...extra];

    test.each([
      ['--json into a folder that does not exist', () => ['--json', join(work, 'no-such-dir', 'x.json')], /^triton-jetson: --json ".*no-such-dir\/x\.json": the folder ".*no-such-dir" does not exist; /],
      ['--html /dev/full (a device: every write fails)', () => ['--html', '/dev/full'], /^triton-jetson: --html "\/dev\/full": is not a regular file \(a device, FIFO or socket\); /],
      ['--csv naming a folder', () => ['--csv', work], /^triton-jetson: --csv ".*hostile-client-[^"]*": is a folder; /],
      ['--json through a file (ENOTDIR)', () => ['--json', join(work, 'car.png', 'x.json')], /^triton-jetson: --json ".*car\.png\/x\.json": ".*car\.png" is not a folder; /],
      ['--json and --csv naming the same file', () => ['--json', join(work, 'same.out'), '--csv', join(work, '.', 'same.out')], /^triton-jetson: --csv ".*same\.out": is also the --json file; /],
      ['--json "" (empty)', () => ['--json', ''], /^triton-jetson: --json "": is empty; /],
      ['-p above one hour', () => ['-p', '3600001'], /-p, --measurement-interval <ms>' argument '3600001' is invalid\. must be a whole number of milliseconds from 1 to 3600000 \(1 hour\)/],
      ['a count that would take hours at a low rate', () => ['--request-rate-range', '0.001', '--measurement-request-count', '5'],
        /^triton-jetson: --measurement-request-count 5 at --request-rate-range 0\.001\/s makes a window last 5000 s, more than 1 hour; raise the rate or lower the count$/],
      ['a concurrency no machine has sockets for', () => ['--concurrency-range', '100000'], /--concurrency-range "100000": 100000 is more than 1024 requests in flight per node/],
      ['no window at all (--max-trials 0)', () => ['--max-trials', '0'], /--max-trials <n>' argument '0' is invalid\. must be a whole number from 1 to 1000$/],
      ['a million windows of up to an hour each', () => ['--max-trials', '1000000'], /--max-trials <n>' argument '1000000' is invalid\. must be a whole number from 1 to 1000$/],
      ['a negative stability percentage', () => ['--stability-percentage=-5'], /--stability-percentage <p>' argument '-5' is invalid\. must be a percentage from 0 to 1000/],
      ['a stability percentage that is not a number', () => ['--stability-percentage', 'NaN'], /--stability-percentage <p>' argument 'NaN' is invalid/],
      ['a hexadecimal stability percentage (Number() reads 0x10 as 16)', () => ['--stability-percentage', '0x10'], /--stability-percentage <p>' argument '0x10' is invalid\. must be a percentage/],
      ['--max-trials in exponent notation (Number() reads 1e3 as 1000)', () => ['--max-trials', '1e3'], /--max-trials <n>' argument '1e3' is invalid\. must be a whole number from 1 to 1000$/],
      ['a hexadecimal concurrency', () => ['--concurrency-range', '0x4'], /--concurrency-range "0x4": "0x4" is not a number/],
      ['a request rate of Infinity', () => ['--request-rate-range', 'Infinity'], /--request-rate-range "Infinity": "Infinity" is not a number/],
      ['-p in exponent notation', () => ['-p', '5e3'], /-p, --measurement-interval <ms>' argument '5e3' is invalid/],
    ] as [string, () => string[], RegExp][])('%s: one line, nothing sent', async (_name, extra, message) => {
      const before = inferRequests();
      const result = await runBounded(bench(...extra()));
      expectOneLineFailure(result, message);
      expect(inferRequests()).toBe(before);
    });

    test.each([
      ['[-1, 30000, 30000, 3] (10 GiB of FP32 per request)', [-1, 30000, 30000, 3], /input 'input' of shape \[-1,30000,30000,3\] needs 10\.1 GiB per request as FP32, more than this client's cap of 256 MiB per request/],
      ['[-1, 2147483647, 2147483647] (beyond any typed array)', [-1, 2147483647, 2147483647], /needs \d+(\.\d+)? [GMKT]i?B per request as FP32, more than this client's cap of 256 MiB/],
    ] as [string, number[], RegExp][])('random input for a declared shape of %s is refused before anything is allocated', async (_name, shape, message) => {
      route = { at: META, respond: metadataWithInputShape(shape) };
      const before = inferRequests();
      const result = await runBounded(bench('--measurement-request-count', '1'));
      expectOneLineFailure(result, message);
      expect(inferRequests()).toBe(before);
    });

    test.each([
      ['0.001 req/s (a step used to last 1000 s)', '0.001'],
      ['1e-9 req/s (beyond setTimeout\'s 24.8-day range)', '0.000000001'],
    ])('a request rate of %s: each window ends with its interval', async (_name, rate) => {
      const out = join(work, `low-rate-${rate}.json`);
      const started = Date.now();
      const result = await runBounded(bench('--request-rate-range', rate, '-p', '1500', '--max-trials', '1', '--json', out));
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const report = JSON.parse(readFileSync(out, 'utf-8'));
      expect(report.steps[0].nodes[0]).toMatchObject({ requests: 1, errors: 0 });
      expect(report.steps[0].elapsedMs).toBeLessThan(10_000);
    });

    test.each([
      ['a FIFO (opening it to write blocked for ever)', (file: string) => spawnSync('mkfifo', [file])],
      ['a link to /dev/full', (file: string) => symlinkSync('/dev/full', file)],
    ])('a report file that becomes %s during the run (another user in a shared folder): no hang, the figures printed, one line', async (_name, plant) => {
      const file = join(work, `planted-${inferRequests()}.json`);
      let planted = false;
      route = { at: '/infer', respond: (res, request) => { if (!planted) { planted = true; plant(file); } json(500, { error: 'no' })(res, request); } };
      const started = Date.now();
      const result = await runBounded(bench('--concurrency-range', '1', '--measurement-request-count', '2', '--max-trials', '1', '--json', file));
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/concurrency 1/);
      expect(result.stderr.trimEnd().split('\n').at(-1)).toMatch(/^triton-jetson: could not write the report \(--json ".*planted-\d+\.json": is not a regular file \(a device, FIFO or socket\)\); the figures were printed above$/);
      expect(lstatSync(file).isFile()).toBe(false);
    });

    test('a distinct error text per request: ten messages listed per node and step, the rest counted, across windows too', async () => {
      let n = 0;
      route = { at: '/infer', respond: (res, request) => json(500, { error: `failed request ${++n} at ${Date.now()}` })(res, request) };
      const out = (ext: string) => join(work, `many-errors.${ext}`);
      const result = await runBounded(bench('--concurrency-range', '2', '--measurement-request-count', '200', '--json', out('json'), '--csv', out('csv'), '--html', out('html')));
      expect(result.code).toBe(1);
      const report = JSON.parse(readFileSync(out('json'), 'utf-8'));
      const node = report.steps[0].nodes[0];
      // No answer succeeds: the node is "down" after three windows of 200 requests.
      expect(report.steps[0].windowCount).toBe(3);
      expect(node).toMatchObject({ requests: 600, errors: 600, otherErrors: 590, stable: false });
      expect(node.errorMessages).toHaveLength(10);
      expect(report.steps[0].total.errorMessages.length).toBeLessThanOrEqual(10);
      const errorLines = result.stdout.split('\n').filter((l) => /^ {2}concurrency 2, /.test(l) && / x /.test(l));
      expect(errorLines).toHaveLength(11);
      expect(errorLines.at(-1)).toMatch(/: 590 x other error messages \(not listed\)$/);
      expect(readFileSync(out('csv'), 'utf-8').split('\r\n').length).toBeLessThan(6);
      expect(statSync(out('html')).size).toBeLessThan(200 * 1024);
    });
  });

  describe('hostile command lines', () => {
    beforeAll(async () => {
      mkdirSync(join(work, 'empty-dir'));
      mkdirSync(join(work, 'text-dir'));
      writeFileSync(join(work, 'text-dir', 'notes.txt'), 'not an image\n');
      const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 1, g: 2, b: 3 } } }).jpeg().toBuffer();
      writeFileSync(join(work, 'truncated.jpg'), jpeg.subarray(0, jpeg.length / 3));
      writeFileSync(join(work, 'bad.yaml'), 'namespace: Not_A_Label\ncolour: blue\nservice:\n  nodePorts: { http: 1 }\n');
      writeFileSync(join(work, 'broken.yaml'), 'nodes: [\n  server: {\n');
    });

    test.each(cliCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const result = await runBounded(c.args(server.address, image));
      expectOneLineFailure(result, c.message);
      if (c.secret !== undefined) expect(`${result.stdout}${result.stderr}`).not.toContain(c.secret);
    });
  });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));
