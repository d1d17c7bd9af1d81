/**
 * Subcommands `verify`, `infer` and `bench` (client/bench-cli.ts) of `triton-jetson` (registered by cli/triton-jetson.ts).
 *
 * Every failure reaches the user as one line actions run through
 * `oneLineAction`, which turns any error (cluster description, network, image, a bug)
 * into one line without a stack trace, and commander's own usage errors are printed
 * without the help text after them.
 *
 * What a command runs (verify, infer, the cluster description's schema, sharp) is require()d
 * inside its action with a literal path, never at the top: `--help` loads none of it, and
 * bin/launcher.js's bundle holds each such module initialised only when it is required.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import { configOption, collectValues, hiddenAlias, modelOption, outputFormat, outputOptions } from '../cli/options';
import { ClusterConfigError } from '../lib/config/config-error';
import { ClusterConfigLocation, resolveClusterConfigPath } from '../lib/config/config-location';
import { parsePort, parsePositiveInt, parseSeconds, parseWaitSeconds } from './cli-args';
import { baseUrlOf } from './endpoint';
import { noNodesError, UsageError } from './errors';
import { SCALINGS, Scaling } from './scaling';
import { printable } from '../lib/terminal-text';
import type { VerifyTarget } from './verify';
import { registerBench } from './bench-cli';

export function register(program: Command): void {
  registerVerify(program);
  registerInfer(program);
  registerBench(program, {
    oneLineAction,
    resolveConfig: (file) => {
      const location = resolveClusterConfigPath(file);
      return { location, config: loadConfig(location) };
    },
  });
}

function registerVerify(program: Command): void {
  const verify = program
    .command('verify')
    .description("check that every node's Triton is live, ready, serving its models and exporting metrics")
    .showHelpAfterError(false)
    .addOption(configOption('its nodes, NodePorts and models'))
    .option('-u, --url <host:port>', "check this Triton HTTP endpoint instead of the description's nodes (repeatable)", collectValues)
    .addOption(modelOption('model to check (repeatable; default: the models the stack seeds, see seeding in the description)', true))
    .option('--metrics-port <port>', 'metrics port for -u URLs (default: HTTP port + 2, as 8000/8002 and 30800/30802)', parsePort)
    .option('--no-metrics', 'skip the metrics check')
    .option('--timeout <seconds>', 'time limit of each request', parseSeconds, 5)
    .option('--parallel <n>', 'nodes checked at once (default: 10)', parsePositiveInt)
    .option('--wait', 'first wait until every node runs the applied Triton DaemonSet(s), read through the Kubernetes API (docs/operations.md)')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this long, checks included (default: 1800)', parseWaitSeconds)
    .option('--kubeconfig <file>', 'with --wait: kubeconfig (default: kubeconfig.path of the description, else $KUBECONFIG, else ~/.kube/config)')
    .option('--context <name>', "with --wait: its context (default: the description's kubeconfig.context when the file has it, else current-context)");
  for (const option of outputOptions()) verify.addOption(option);
  verify.action(oneLineAction(async (opts: {
    config?: string; url?: string[]; model?: string[]; metricsPort?: number; metrics: boolean; timeout: number; parallel?: number;
    wait?: boolean; waitTimeout?: number; kubeconfig?: string; context?: string; output?: string; json?: boolean;
  }) => {
    if (!opts.wait && (opts.kubeconfig !== undefined || opts.context !== undefined || opts.waitTimeout !== undefined)) {
      throw new UsageError('--kubeconfig, --context and --wait-timeout are for --wait only; add --wait');
    }
    if (opts.kubeconfig?.trim() === '') throw new UsageError('--kubeconfig: is empty; give a kubeconfig file, e.g. --kubeconfig ~/.kube/config');
    if (opts.metricsPort !== undefined && !opts.url?.length) throw new UsageError('--metrics-port is for -u URLs only: the description\'s nodes use service.nodePorts.metrics');
    if (opts.metricsPort !== undefined && !opts.metrics) throw new UsageError('--metrics-port and --no-metrics: drop one of them');
    const format = outputFormat(opts);
    const {
      modelsToCheck, renderVerifyTable, summarize, targetsFromClusterConfig, targetsFromUrls, verifyJson, verifyTargets,
    } = (require('./verify') as typeof import('./verify'));
    const location = resolveClusterConfigPath(opts.config);
    const config = loadConfig(location);
    let targets: VerifyTarget[];
    if (opts.url?.length) {
      targets = targetsFromUrls(opts.url, opts.metrics ? opts.metricsPort : false);
    } else {
      targets = targetsFromClusterConfig(config);
      if (targets.length === 0) {
        throw noNodesError('verify', location.file);
      }
      if (!opts.metrics) targets = targets.map((t) => ({ name: t.name, httpUrl: t.httpUrl }));
    }
    const note = (line: string) => (format === 'json' ? process.stderr : process.stdout).write(`${line}\n`);
    let models: readonly string[];
    if (opts.model?.length) {
      models = opts.model;
    } else {
      const seeded = modelsToCheck(config);
      if (seeded === undefined) {
        // Triton exports its per-model counters only for loaded models: no metrics check either.
        targets = targets.map((t) => ({ name: t.name, httpUrl: t.httpUrl }));
        note(`Model seeding is disabled (seeding.enabled: false in ${location.file}): checking liveness, readiness and the models ` +
          "Triton's repository index lists; give -m <model> to require the models you put in the repository.");
      }
      models = seeded ?? [];
    }
    // On a terminal, a line per node as it finishes (a fleet checked --parallel at a time takes a while); piped, stderr stays clean.
    const progress = process.stderr.isTTY && targets.length > 1 ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
    const checks = () => verifyTargets(targets, { models, timeoutMs: opts.timeout * 1000, parallel: opts.parallel, progress });
    const results = opts.wait
      ? await (require('./verify-wait') as typeof import('./verify-wait')).waitThenVerify({
        config, configFile: location.file, kubeconfig: opts.kubeconfig, context: opts.context, waitTimeoutSeconds: opts.waitTimeout ?? 1800,
        requestTimeoutSeconds: opts.timeout, runChecks: checks, log: note,
      })
      : await checks();
    process.stdout.write(format === 'json'
      ? verifyJson(results, targets.length)
      : `${renderVerifyTable(results, { color: process.stdout.isTTY })}\n${summarize(results, targets.length)}\n`);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  }));
}

function registerInfer(program: Command): void {
  program
    .command('infer')
    .description("classify an image (or a folder of images) with a Triton model, like Triton's image_client.py")
    .showHelpAfterError(false)
    .argument('<image>', 'input image / input folder')
    .addOption(configOption('its server node and HTTP NodePort, the default of -u'))
    .addOption(modelOption("name of model (image_client.py's -m/--model-name; --model-name is accepted too)"))
    .addOption(hiddenAlias('--model-name <name>'))
    .option('-x, --model-version <version>', 'version of model (default: the latest version)')
    .option('-b, --batch-size <n>', 'batch size', parsePositiveInt, 1)
    .option('--classes <n>', "number of class results to report (image_client.py's -c; -c is --config here)", parsePositiveInt, 1)
    .addOption(new Option('-s, --scaling <type>', 'type of scaling to apply to image pixels').choices(SCALINGS).default('NONE'))
    .option('-u, --url <host:port>', 'inference server URL (default: the server node of the cluster description at its HTTP NodePort, else localhost:8000)')
    .option('-i, --protocol <protocol>', 'protocol used to communicate with the inference service (HTTP only)', 'HTTP')
    .addOption(new Option('--tensor-encoding <encoding>', 'tensors as binary data (the binary tensor extension) or JSON numbers (about 4x bigger requests)')
      .choices(['binary', 'json']).default('binary'))
    .option('--timeout <seconds>', 'time limit of the inference request (health/metadata requests: at most 10 s)', parseSeconds, 120)
    .addOption(outputOptions()[0])
    .addOption(new Option('--json', 'same as -o json: the classes of every image as JSON on stdout, instead of image_client.py\'s lines'))
    .action(oneLineAction(async (image: string, opts: {
      config?: string; model?: string; modelName?: string; modelVersion?: string; batchSize: number; classes: number; scaling: Scaling; url?: string;
      protocol: string; tensorEncoding: 'binary' | 'json'; output?: string; json?: boolean; timeout: number;
    }) => {
      const output = outputFormat(opts) as 'text' | 'json';
      const model = opts.model ?? opts.modelName;
      if (model === undefined) throw new UsageError("required option '-m, --model <name>' not specified");
      if (opts.model !== undefined && opts.modelName !== undefined && opts.model !== opts.modelName) throw new UsageError('-m and --model-name name two models; give one');
      if (opts.protocol.toLowerCase() !== 'http') {
        throw new UsageError(`-i ${opts.protocol}: this client speaks HTTP/REST only; use -i HTTP with the HTTP port (8000, NodePort 30800)`);
      }
      if (opts.config !== undefined && opts.url !== undefined) {
        classesHint(opts.config);
        throw new UsageError('-c and -u: -u names the endpoint, the cluster description (-c) would give its server node\'s; drop one');
      }
      const baseUrl = baseUrlOf(opts.url ?? inferUrlFromConfig(opts.config), '-u/--url');
      const { runImageClient } = (require('./image-client') as typeof import('./image-client'));
      await runImageClient(
        {
          baseUrl,
          modelName: model,
          modelVersion: opts.modelVersion ?? '',
          batchSize: opts.batchSize,
          classes: opts.classes,
          scaling: opts.scaling,
          encoding: opts.tensorEncoding,
          image,
          timeoutMs: Math.min(10_000, opts.timeout * 1000),
          inferTimeoutMs: opts.timeout * 1000,
          output,
        },
        (line) => process.stdout.write(`${line}\n`),
      );
    }));
}

/**
 * infer's default endpoint: the server node of the cluster description at its HTTP NodePort,
 * else image_client.py's localhost:8000. `-c 3` (image_client.py's classes) is told apart
 * from a description named 3.
 */
function inferUrlFromConfig(flag: string | undefined): string {
  if (flag !== undefined) classesHint(flag);
  const location = resolveClusterConfigPath(flag);
  const config = loadConfig(location);
  const { clusterNodes } = (require('../lib/config/inventory-schema') as typeof import('../lib/config/inventory-schema'));
  const server = clusterNodes(config)[0];
  return server ? `${server.address}:${config.service.nodePorts.http}` : 'localhost:8000';
}

/** `infer -c 3` as image_client.py means it (classes): told apart from a description named 3. */
function classesHint(flag: string): void {
  if (/^\d+$/.test(flag) && !existsSync(flag)) {
    throw new UsageError(`-c ${flag}: -c is --config (the cluster description) in triton-jetson; image_client.py's -c (classes) is --classes here: --classes ${flag}`);
  }
}

/** The cluster description; loadClusterConfig reports syntax, schema and I/O failures as ClusterConfigError. */
function loadConfig(location: ClusterConfigLocation) {
  const { loadClusterConfig } = (require('../lib/config/cluster-config') as typeof import('../lib/config/cluster-config'));
  const how = location.origin === '$TRITON_JETSON_CONFIG' ? ' (from $TRITON_JETSON_CONFIG)' : '';
  try {
    return loadClusterConfig(location.file, location.required);
  } catch (err) {
    if (err instanceof ClusterConfigError) {
      throw new UsageError(`invalid cluster description ${err.source}${how}: ${err.issues.join('; ')}`);
    }
    throw err;
  }
}

/** One line: line breaks and runs of blanks become single separators. */
export function oneLineMessage(err: unknown): string {
  let text: string;
  if (err instanceof ClusterConfigError) text = `invalid cluster description ${err.source}: ${err.issues.join('; ')}`;
  else if (err instanceof Error) text = err.message || err.name;
  else text = String(err);
  // Line breaks first (they separate problems), then whatever a server put in the text.
  return printable(text.trim().replace(/\s*\n\s*-?\s*/g, '; '), 2000) || 'unknown error';
}

/**
 * Runs an action so that whatever fails reaches cli/triton-jetson.ts's handler as an
 * Error with a one-line message (it prints `triton-jetson: <message>` and exits 1), and
 * an error escaping the promise chain (an 'error' event nobody listens to) is printed
 * the same way instead of as Node's stack trace.
 */
function oneLineAction<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const fatal = (err: unknown) => {
      process.stderr.write(`triton-jetson: ${oneLineMessage(err)}\n`);
      process.exit(1);
    };
    process.on('uncaughtException', fatal);
    process.on('unhandledRejection', fatal);
    try {
      await action(...args);
    } catch (err) {
      throw new Error(oneLineMessage(err));
    } finally {
      process.off('uncaughtException', fatal);
      process.off('unhandledRejection', fatal);
    }
  };
}

