/**
 * Triton stand-in for the real-pods harness (docs/real-pods.md): NOT Triton, no GPU, no
 * TensorFlow. Runs as the DaemonSet's container under the image name dist/ uses, honours the
 * arguments dist/ passes (--model-repository, --model-control-mode=poll, --repository-poll-secs;
 * --http-port/--metrics-port if given, others ignored) and serves KServe v2 on 8000 and metrics on
 * 8002 through test/support/kserve-test-server.ts (the protocol-checking server the client tests
 * use), whose classifier computes its answer from the received tensor.
 *
 * Its models are what it finds in the repository, polled like Triton's poll mode: a folder with a
 * config.pbtxt and a numeric version folder holding a non-empty file. The labels come from the
 * config's label_filename. Unlike Triton (ready with an empty repository), it stays unready
 * (/v2/health/ready 400) until at least one model is loaded, so the probes are exercised.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KServeTestServer, startKServeTestServer, TestModelSpec } from '../support/kserve-test-server';

function arg(name: string, fallback: string): string {
  const hit = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

const repository = arg('model-repository', '/models');
const pollSecs = Number(arg('repository-poll-secs', '15'));
const pollMode = arg('model-control-mode', 'none') === 'poll';
const httpPort = Number(arg('http-port', '8000'));
const grpcPort = Number(arg('grpc-port', '8001'));
const metricsPort = Number(arg('metrics-port', '8002'));
const log = (msg: string) => console.log(`${new Date().toISOString()} triton-standin: ${msg}`);

function field(text: string, name: string): string | undefined {
  return new RegExp(`${name}\\s*:\\s*"?([^"\\s]+)"?`).exec(text)?.[1];
}
function dims(text: string): number[] {
  return (/dims\s*:\s*\[([^\]]*)\]/.exec(text)?.[1] ?? '').split(',').map((d) => Number(d.trim())).filter((d) => Number.isFinite(d));
}
function block(text: string, name: string): string {
  return new RegExp(`${name}\\s*\\[([\\s\\S]*?)\\]\\s*(?:\\n\\S|$)`).exec(text)?.[1] ?? '';
}

/** The models of the repository as the test server's specs, plus a fingerprint of what was read. */
function scan(): { specs: TestModelSpec[]; key: string } {
  const specs: TestModelSpec[] = [];
  const keys: string[] = [];
  for (const name of existsSync(repository) ? readdirSync(repository).sort() : []) {
    const dir = join(repository, name);
    try {
      if (name.startsWith('.') || !statSync(dir).isDirectory() || !existsSync(join(dir, 'config.pbtxt'))) continue;
      const config = readFileSync(join(dir, 'config.pbtxt'), 'utf8');
      const versions = readdirSync(dir).filter((v) => /^\d+$/.test(v) && readdirSync(join(dir, v)).some((f) => statSync(join(dir, v, f)).size > 0));
      if (versions.length === 0) continue;
      const input = block(config, 'input');
      const output = block(config, 'output');
      const labelFile = field(output, 'label_filename');
      const labels = labelFile && existsSync(join(dir, labelFile)) ? readFileSync(join(dir, labelFile), 'utf8').split('\n').filter((l) => l !== '') : undefined;
      const format = field(input, 'format');
      specs.push({
        name: field(config, 'name') ?? name,
        versions,
        platform: field(config, 'platform') ?? 'tensorflow_graphdef',
        maxBatchSize: Number(field(config, 'max_batch_size') ?? 0),
        input: {
          name: field(input, 'name') ?? 'input',
          datatype: (field(input, 'data_type') ?? 'TYPE_FP32').replace(/^TYPE_/, ''),
          format: format === 'FORMAT_NCHW' || format === 'FORMAT_NHWC' ? format : 'FORMAT_NONE',
          dims: dims(input),
        },
        output: { name: field(output, 'name') ?? 'output', datatype: 'FP32', dims: dims(output), labelFilename: labelFile },
        labels,
      });
      keys.push(`${name}:${versions.join(',')}:${config.length}:${labels?.length ?? 0}`);
    } catch (err) {
      log(`cannot read ${dir}: ${(err as Error).message}`);
    }
  }
  return { specs, key: keys.join(';') };
}

let current: KServeTestServer | undefined;
let currentKey: string | undefined;

async function reload(): Promise<void> {
  const { specs, key } = scan();
  if (key === currentKey) return;
  await current?.close();
  current = await startKServeTestServer({
    host: '0.0.0.0', port: httpPort, metricsPort, models: specs, recordTensors: false,
    intercept: (req, res) => {
      if (req.method === 'GET' && req.path === '/v2/health/ready' && specs.length === 0) {
        res.writeHead(400).end();
        return true;
      }
      return false;
    },
  });
  currentKey = key;
  log(specs.length === 0 ? `no model in ${repository} yet: live, not ready` : `serving ${specs.map((s) => `${s.name} (versions ${s.versions?.join(',')}, ${s.labels?.length ?? 0} labels)`).join(', ')}`);
}

async function main(): Promise<void> {
  log(`args: ${process.argv.slice(2).join(' ')}`);
  // The gRPC port only accepts connections (dist/ declares it; nothing here speaks gRPC).
  createServer((s) => s.destroy()).listen(grpcPort, '0.0.0.0');
  await reload();
  if (pollMode) setInterval(() => void reload().catch((err) => log(`reload failed: ${(err as Error).message}`)), pollSecs * 1000);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => { log(`${sig}: exiting`); process.exit(0); });
}

void main().catch((err) => { log(`fatal: ${(err as Error).stack}`); process.exit(1); });
