/**
 * `verify --wait` against a hostile kubeconfig and a hostile or broken API server (the
 * boundary client/kubeconfig.ts and client/kube-api.ts guard). Every case runs
 * `triton-jetson verify --wait` as a child process with a 256 MiB V8 heap and asserts the exit
 * code, exactly one line on stderr (no stack trace, no secret), the message, and the peak
 * resident memory: an endless answer read whole would blow far past the bound.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CliResult, runCli, unusedPort } from '../client/cli-runner';
import { daemonSetObject, FakeKubeApi, fakeKubeApiPrerequisites, sendJson, startFakeKubeApi } from '../support/fake-kube-api';
import { describeWith } from '../support/prereq';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();
const work = scratch('hostile kube api ');
const MAX_RSS_PRELOAD = join(__dirname, 'max-rss.js');
const RSS_BOUND_KIB = 300 * 1024;
const TOKEN = 'hostile-suite-token-0123456789abcdef';

let runs = 0;
async function runBounded(args: readonly string[]): Promise<CliResult & { maxRssKiB: number }> {
  const rssFile = join(work, `rss-${runs++}`);
  const result = await runCli(args, undefined, { nodeArgs: ['--max-old-space-size=256', '--require', MAX_RSS_PRELOAD], env: { MAX_RSS_FILE: rssFile } });
  return { ...result, maxRssKiB: Number(readFileSync(rssFile, 'utf-8')) };
}

function expectOneLineFailure(result: CliResult & { maxRssKiB: number }, message: RegExp): void {
  expect({ code: result.code }).toEqual({ code: 1 });
  const lines = result.stderr.split('\n');
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/^triton-jetson: /);
  expect(lines[0]).not.toMatch(/^\s+at |\bat .*\.ts:\d+/);
  expect(lines[0]).toMatch(message);
  // eslint-disable-next-line no-control-regex
  expect(lines[0]).not.toMatch(/[\u0000-\u001f\u007f]/);
  expect(lines[0].length).toBeLessThan(1200);
  expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
  expect(result.maxRssKiB).toBeGreaterThan(0);
  expect(result.maxRssKiB).toBeLessThan(RSS_BOUND_KIB);
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Sends bytes forever (or `size`), honouring back-pressure, until the client goes away. */
function endless(contentLength?: number): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', ...(contentLength !== undefined ? { 'Content-Length': String(contentLength) } : {}) });
    const chunk = Buffer.alloc(1024 * 1024, ' ');
    let closed = false;
    res.on('close', () => { closed = true; });
    const pump = () => {
      while (!closed && res.write(chunk)) { /* until the buffer is full */ }
      if (!closed) res.once('drain', pump);
    };
    pump();
  };
}

const notDone = daemonSetObject('triton', 'img:v2', { generation: 2, desired: 1, updated: 0, available: 0 });

// [what, handler, extra args, message]
const serverCases: [string, Handler, string[], RegExp][] = [
  ['an endless DaemonSet answer', endless(), [], /daemon set "triton" .*sent more than the 1048576 bytes this client reads/],
  ['a DaemonSet answer announcing 10 GiB', endless(10 * 1024 * 1024 * 1024), [], /announced 10737418240 bytes, more than the 1048576/],
  ['an endless pod list', (req, res) => (req.url?.includes('/pods') ? endless()(req, res) : sendJson(res, 200, notDone)), [], /pods of daemon set "triton" .*sent more than the 33554432 bytes/],
  ['a body that is not JSON', (_req, res) => { res.writeHead(200); res.end('<html>proxy login</html>'); }, [], /answered 200 with a body that is not JSON/],
  ['an answer that is no DaemonSet', (_req, res) => sendJson(res, 200, { metadata: { name: 'triton' }, spec: {}, status: { numberAvailable: -3 } }), [], /is not a DaemonSet \(status\.numberAvailable/],
  ['401 for the token', (_req, res) => sendJson(res, 401, { kind: 'Status', message: 'Unauthorized' }), [], /refused the credentials of the kubeconfig's user \(401 Unauthorized\): Unauthorized/],
  ['403', (_req, res) => sendJson(res, 403, { kind: 'Status', message: 'daemonsets.apps "triton" is forbidden: User "x" cannot get resource' }), [], /forbidden by the API server .*\(403\): daemonsets\.apps "triton" is forbidden.*needs get\/list on daemonsets and pods/],
  ['404', (_req, res) => sendJson(res, 404, { kind: 'Status', message: 'not found' }), [], /daemon set "triton" in namespace "default" does not exist \(context "fake" of .*\): apply the manifests first/],
  ['a redirect', (_req, res) => { res.writeHead(302, { Location: 'https://evil.example/' }); res.end(); }, [], /answered a redirect \(302\)/],
  ['an answer that never comes', () => undefined, ['--timeout', '1'], /no complete answer from the API server .* within 1 s/],
  ['a slow drip: headers, then one byte every 100 ms (the time limit covers the body)', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100000' });
    res.write('{');
    const timer = setInterval(() => res.write(' '), 100);
    res.on('close', () => clearInterval(timer));
  }, ['--timeout', '1'], /no complete answer from the API server .* within 1 s/],
  ['a gzip-encoded answer (never asked for, not decoded)', (_req, res) => { res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }); res.end(gzipSync(Buffer.alloc(64 * 1024 * 1024))); }, [], /answered 200 with a body that is not JSON|sent more than the 1048576 bytes/],
  ['headers of 2 MB', (_req, res) => { res.writeHead(200, Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x-h${i}`, 'a'.repeat(1000)]))); res.end('{}'); }, [], /cannot reach the API server .*(header|Header)/],
  ['a status message with control characters and 10 KB', (_req, res) => sendJson(res, 500, { message: `\u001b[2J${'x'.repeat(10_000)}\nfake line` }), [], /answered HTTP 500: \[2Jx{200}/],
];

describeWith(fakeKubeApiPrerequisites)('verify --wait: hostile API server answers', () => {
  let api: FakeKubeApi;
  let kubeconfig: string;
  let port: number;

  beforeAll(async () => {
    api = await startFakeKubeApi((_req, res) => sendJson(res, 500, {}));
    kubeconfig = join(work, 'token-kubeconfig');
    writeFileSync(kubeconfig, api.kubeconfig({ token: TOKEN }));
    port = await unusedPort();
  });
  afterAll(async () => api?.close());

  test.each(serverCases)('%s', async (_what, handler, extra, message) => {
    api.handle(handler);
    expectOneLineFailure(await runBounded(['verify', '--wait', '--kubeconfig', kubeconfig, '-u', `127.0.0.1:${port}`, '--wait-timeout', '20', ...extra]), message);
  }, 60_000);

  test('a server certificate from another CA is refused', async () => {
    api.handle((_req, res) => sendJson(res, 200, notDone));
    const other = join(work, 'other-ca-kubeconfig');
    writeFileSync(other, api.kubeconfig({ token: TOKEN }, { server: api.url, 'certificate-authority': join(api.dir, 'other-ca.crt') }));
    api.requests.length = 0;
    expectOneLineFailure(await runBounded(['verify', '--wait', '--kubeconfig', other, '-u', `127.0.0.1:${port}`]), /the TLS connection to the API server .* failed: .*certificate.*check the kubeconfig's certificate-authority/);
    // The token never left: TLS failed before any request.
    expect(api.requests).toEqual([]);
  }, 60_000);
});

describe('verify --wait: hostile kubeconfigs', () => {
  test('an exec plugin is refused, never run', async () => {
    const marker = join(work, 'exec-ran');
    const file = join(work, 'exec-kubeconfig');
    writeFileSync(file, JSON.stringify({
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:6443' } }],
      users: [{ name: 'u', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `touch '${marker}'`] } } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }));
    expectOneLineFailure(await runBounded(['verify', '--wait', '--kubeconfig', file, '-u', `127.0.0.1:${await unusedPort()}`]), /user "u" runs a credential plugin \(exec\); triton-jetson never runs a program named in a kubeconfig/);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  test.each([
    ['/dev/zero', /kubeconfig \/dev\/zero: is not a regular file/],
    ['/dev/urandom', /kubeconfig \/dev\/urandom: is not a regular file/],
  ])('--kubeconfig %s is refused without reading it', async (file, message) => {
    expectOneLineFailure(await runBounded(['verify', '--wait', '--kubeconfig', file, '-u', `127.0.0.1:${await unusedPort()}`]), message);
  }, 60_000);

  test('$KUBECONFIG naming a huge file is refused by its size', async () => {
    const big = join(work, 'big kubeconfig');
    writeFileSync(big, `# ${'x'.repeat(64 * 1024 * 1024)}\n`);
    const result = await runCli(['verify', '--wait', '-u', `127.0.0.1:${await unusedPort()}`], undefined, {
      nodeArgs: ['--max-old-space-size=256', '--require', MAX_RSS_PRELOAD], env: { MAX_RSS_FILE: join(work, 'rss-big'), KUBECONFIG: `${big}:/nonexistent` },
    });
    expectOneLineFailure({ ...result, maxRssKiB: Number(readFileSync(join(work, 'rss-big'), 'utf-8')) }, /kubeconfig .*big kubeconfig: larger than 1 MB/);
  }, 60_000);
});
