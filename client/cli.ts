/**
 * Subcommands `verify` and `infer` of `triton-jetson` (loaded lazily by cli/triton-jetson.ts).
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { baseUrlOf } from './endpoint';
import { UsageError } from './errors';
import { SCALINGS, Scaling } from './scaling';
import type { VerifyTarget } from './verify';

// The command modules load sharp, zod schemas and cli-table3; they are required only when
// their command runs, so `triton-jetson bootstrap` does not pay for them.

export function register(program: Command): void {
  registerVerify(program);
  registerInfer(program);
}

function registerVerify(program: Command): void {
  program
    .command('verify')
    .description("check that every node's Triton is live, ready, serving its models and exporting metrics")
    .option('-c, --config <file>', 'cluster description (its nodes, NodePorts and models)', 'cluster.yaml')
    .option('-u, --url <host:port>', "check this Triton HTTP endpoint instead of the description's nodes (repeatable)", collect, [])
    .option('-m, --model <name>', 'model to check (repeatable); default: the models of the description plus inception_graphdef', collect, [])
    .option('--metrics-port <port>', 'metrics port for -u URLs (default: HTTP port + 2, as 8000/8002 and 30800/30802)', parsePort)
    .option('--no-metrics', 'skip the metrics check')
    .option('--timeout <seconds>', 'time limit of each request', parseSeconds, 5)
    .action(async (opts: {
      config: string; url: string[]; model: string[]; metricsPort?: number; metrics: boolean; timeout: number;
    }) => {
      const { loadClusterConfig } = lazy<typeof import('../lib/config/cluster-config')>('../lib/config/cluster-config');
      const {
        modelsToCheck, renderVerifyTable, summarize, targetsFromClusterConfig, targetsFromUrls, verifyTargets,
      } = lazy<typeof import('./verify')>('./verify');
      const config = loadClusterConfig(opts.config, opts.config !== 'cluster.yaml');
      let targets: VerifyTarget[];
      if (opts.url.length > 0) {
        targets = targetsFromUrls(opts.url, opts.metrics ? opts.metricsPort : false);
      } else {
        targets = targetsFromClusterConfig(config);
        if (targets.length === 0) {
          throw new UsageError(existsSync(opts.config)
            ? `no nodes to verify: ${opts.config} has no "nodes" section; describe the nodes there or give -u host:port`
            : `no nodes to verify: ${opts.config} not found; give -c <cluster description> or -u host:port (e.g. -u 10.0.0.30:30800)`);
        }
        if (!opts.metrics) targets = targets.map((t) => ({ name: t.name, httpUrl: t.httpUrl }));
      }
      const models = opts.model.length > 0 ? opts.model : modelsToCheck(config);
      const results = await verifyTargets(targets, { models, timeoutMs: opts.timeout * 1000 });
      process.stdout.write(`${renderVerifyTable(results, { color: process.stdout.isTTY })}\n${summarize(results, targets.length)}\n`);
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
}

function registerInfer(program: Command): void {
  program
    .command('infer')
    .description("classify an image (or a folder of images) with a Triton model, like Triton's image_client.py")
    .argument('<image>', 'input image / input folder')
    .requiredOption('-m, --model-name <name>', 'name of model')
    .option('-x, --model-version <version>', 'version of model (default: the latest version)', '')
    .option('-b, --batch-size <n>', 'batch size', parsePositiveInt, 1)
    .option('-c, --classes <n>', 'number of class results to report', parsePositiveInt, 1)
    .addOption(new Option('-s, --scaling <type>', 'type of scaling to apply to image pixels').choices(SCALINGS).default('NONE'))
    .option('-u, --url <host:port>', 'inference server URL', 'localhost:8000')
    .option('-i, --protocol <protocol>', 'protocol used to communicate with the inference service (HTTP only)', 'HTTP')
    .addOption(new Option('--binary', 'send tensors with the binary tensor data extension (default)').conflicts('json'))
    .addOption(new Option('--json', 'send tensors as JSON numbers (about 4x bigger requests)'))
    .option('--timeout <seconds>', 'time limit of the inference request (health/metadata requests: at most 10 s)', parseSeconds, 120)
    .action(async (image: string, opts: {
      modelName: string; modelVersion: string; batchSize: number; classes: number; scaling: Scaling; url: string;
      protocol: string; json?: boolean; timeout: number;
    }) => {
      if (opts.protocol.toLowerCase() !== 'http') {
        throw new UsageError(`-i ${opts.protocol}: this client speaks HTTP/REST only; use -i HTTP with the HTTP port (8000, NodePort 30800)`);
      }
      const { runImageClient } = lazy<typeof import('./image-client')>('./image-client');
      await runImageClient(
        {
          baseUrl: baseUrlOf(opts.url),
          modelName: opts.modelName,
          modelVersion: opts.modelVersion,
          batchSize: opts.batchSize,
          classes: opts.classes,
          scaling: opts.scaling,
          encoding: opts.json ? 'json' : 'binary',
          image,
          timeoutMs: Math.min(10_000, opts.timeout * 1000),
          inferTimeoutMs: opts.timeout * 1000,
        },
        (line) => process.stdout.write(`${line}\n`),
      );
    });
}

/** require() rather than import(): the checkout runs through tsx's CommonJS hook, which does not see import(). */
function lazy<T>(modulePath: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(modulePath) as T;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a TCP port (1-65535)');
  return n;
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError('must be a number of seconds (0 < s <= 3600)');
  return n;
}
