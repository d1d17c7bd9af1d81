#!/usr/bin/env node
// model-server.js <dir> <host> <port>: serves <dir>'s files over HTTP for the seeding Job, but holds
// every answer until <dir>/.release exists, so the harness decides when the model can appear
// (after it has seen the Triton pod unready). Logs each request on stdout.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const [dir, host, port] = process.argv.slice(2);
http.createServer((req, res) => {
  const file = path.join(dir, path.basename(decodeURIComponent(req.url.split('?')[0])));
  console.log(`${new Date().toISOString()} ${req.method} ${req.url} from ${req.socket.remoteAddress}`);
  const answer = () => {
    if (!fs.existsSync(path.join(dir, '.release'))) return void setTimeout(answer, 200);
    if (!fs.existsSync(file)) return void res.writeHead(404).end('not found\n');
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  };
  answer();
}).listen(Number(port), host, () => console.log(`model-server: http://${host}:${port}/ serving ${dir}`));
