/**
 * The server side of `npm run bench:client` (scripts/bench-client.ts starts it as a child
 * process, so the client's core is measured alone): a KServe v2 HTTP server on loopback
 * that answers inference requests for inception_graphdef at once with a fixed binary
 * answer (1001 FP32 scores), after reading and checking the size of the whole body; and
 * POST /raw, which reads and discards the body and answers 200 with no body (the raw
 * loopback baseline). Plain JavaScript: no transpiler in the measured path.
 *
 *   node scripts/bench-kserve-server.js   -> prints {"port": N} on stdout, serves until SIGTERM
 * GET /stats answers {"infer": n, "raw": n, "bytes": n, "badRequests": n}.
 */
'use strict';
const http = require('node:http');

const MODEL = 'inception_graphdef';
const OUTPUT = 'InceptionV3/Predictions/Softmax';
const metadata = JSON.stringify({
  name: MODEL, versions: ['1'], platform: 'tensorflow_graphdef',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 299, 299, 3] }],
  outputs: [{ name: OUTPUT, datatype: 'FP32', shape: [-1, 1001] }],
});
const config = JSON.stringify({
  name: MODEL, platform: 'tensorflow_graphdef', max_batch_size: 128,
  input: [{ name: 'input', data_type: 'TYPE_FP32', format: 'FORMAT_NHWC', dims: [299, 299, 3] }],
  output: [{ name: OUTPUT, data_type: 'TYPE_FP32', dims: [1001], label_filename: '' }],
});
const scores = Buffer.alloc(1001 * 4);
for (let i = 0; i < 1001; i++) scores.writeFloatLE(1 / 1001, i * 4);
const header = Buffer.from(JSON.stringify({
  model_name: MODEL, model_version: '1',
  outputs: [{ name: OUTPUT, datatype: 'FP32', shape: [1, 1001], parameters: { binary_data_size: scores.length } }],
}));
const answer = Buffer.concat([header, scores]);
const answerHeaders = {
  'Content-Type': 'application/octet-stream',
  'Inference-Header-Content-Length': String(header.length),
  'Content-Length': String(answer.length),
};
const stats = { infer: 0, raw: 0, bytes: 0, badRequests: 0 };

const server = http.createServer((req, res) => {
  const url = req.url || '/';
  if (req.method === 'GET') {
    if (url === `/v2/models/${MODEL}`) return sendJson(res, metadata);
    if (url === `/v2/models/${MODEL}/config`) return sendJson(res, config);
    if (url === '/stats') return sendJson(res, JSON.stringify(stats));
    res.writeHead(404, { 'Content-Length': '0' });
    return res.end();
  }
  const expected = Number(req.headers['content-length']);
  let received = 0;
  req.on('data', (chunk) => { received += chunk.length; });
  req.on('end', () => {
    stats.bytes += received;
    if (received !== expected) {
      stats.badRequests++;
      res.writeHead(400, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ error: `body of ${received} bytes, Content-Length ${expected}` }));
    }
    if (url === '/raw') {
      stats.raw++;
      res.writeHead(200, { 'Content-Length': '0' });
      return res.end();
    }
    if (url === `/v2/models/${MODEL}/infer` && req.headers['inference-header-content-length'] !== undefined) {
      stats.infer++;
      res.writeHead(200, answerHeaders);
      return res.end(answer);
    }
    stats.badRequests++;
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: `unexpected ${req.method} ${url}` }));
  });
});
server.keepAliveTimeout = 60_000;

function sendJson(res, body) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
