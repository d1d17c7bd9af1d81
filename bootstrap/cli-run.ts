/**
 * What `bootstrap`, `plan`, `reset` and `upgrade` do with their flags (registered in
 * bootstrap/cli.ts): the cluster description, the run options, the sudo password, the output.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { outputFormat, type OutputFormat } from '../cli/options';
import { loadClusterConfig, parseClusterConfig, resolveClusterConfigPath, type ClusterConfig } from '../lib/config/cluster-config';
import { terminalSafe } from '../lib/terminal-text';
import { TUTORIAL_NODES } from '../lib/tutorial-defaults';
import { SUDO_PASSWORD_ENV } from './sudo-password-env';
import type { RunOptions, RunSummary } from './executor/options';
import { parseCount } from '../lib/parallel';
import { formatSummary } from './summary-text';

/** Every flag of the four commands; each command declares (and so receives) only its own. */
export interface VerbFlags {
  config?: string; output?: string; json?: boolean;
  offline?: boolean; upgrade?: boolean; dryRun?: boolean; yes?: boolean;
  trustNewHosts?: boolean; knownHosts?: string; kubeconfig?: string; sudoPasswordStdin?: boolean; parallel?: string;
  readyTimeout?: string; node?: string[]; replace?: boolean;
  maxUnavailable?: string; drainTimeout?: string; tritonTimeout?: string;
}

export async function bootstrapCommand(flags: VerbFlags): Promise<void> {
  const { runBootstrap } = require('./executor/bootstrap') as typeof import('./executor/bootstrap');
  await friendly(async () => finish(flags, await runBootstrap(runOptions(flags))));
}

export async function upgradeCommand(flags: VerbFlags): Promise<void> {
  await friendly(async () => runUpgradeCommand(flags));
}

export async function resetCommand(flags: VerbFlags): Promise<void> {
  const { runReset } = require('./executor/reset') as typeof import('./executor/reset');
  await friendly(async () => {
    outputFormat(flags);
    if (!flags.dryRun && !flags.yes) {
      const answer = process.stdin.isTTY ? await ask('Uninstall K3s from every node of the cluster? [y/N] ', false) : '';
      if (!/^y(es)?$/i.test(answer.trim())) throw new Error('reset cancelled; pass --yes to reset without asking');
    }
    finish(flags, await runReset(runOptions(flags)));
  });
}

/** `plan`: connected (= bootstrap --dry-run), --offline, or --upgrade (= upgrade --dry-run). */
export async function planCommand(flags: VerbFlags): Promise<void> {
  await friendly(async () => {
    if (flags.offline && flags.upgrade) throw new Error('--offline and --upgrade: an upgrade plan reads the boards\' versions, so it connects; drop one of them');
    if (flags.upgrade) {
      if (flags.kubeconfig !== undefined) throw new Error('--kubeconfig: an upgrade works through the server\'s own kubectl and reads no kubeconfig; drop it');
      await runUpgradeCommand({ ...flags, dryRun: true });
      return;
    }
    if (flags.offline) {
      const online = (['trustNewHosts', 'sudoPasswordStdin', 'parallel'] as const).filter((k) => flags[k] !== undefined);
      const names: Record<(typeof online)[number], string> = { trustNewHosts: '--trust-new-hosts', sudoPasswordStdin: '--sudo-password-stdin', parallel: '--parallel' };
      if (online.length > 0) throw new Error(`${online.map((k) => names[k]).join(', ')}: plan --offline connects to nothing; drop ${online.length > 1 ? 'them' : 'it'}, or leave out --offline`);
      const { formatOfflinePlan, planOffline } = require('./executor/offline-plan') as typeof import('./executor/offline-plan');
      const format = outputFormat(flags);
      const plan = planOffline(runOptions(flags, { exampleBoards: true }));
      process.stdout.write(format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : formatOfflinePlan(plan));
      if (!plan.ok) process.exitCode = 1;
      return;
    }
    const { runBootstrap } = require('./executor/bootstrap') as typeof import('./executor/bootstrap');
    finish(flags, await runBootstrap(runOptions({ ...flags, dryRun: true })));
  });
}

async function runUpgradeCommand(flags: VerbFlags): Promise<void> {
  const { runUpgrade } = require('./executor/upgrade') as typeof import('./executor/upgrade');
  const { formatUpgradeSummary } = require('./executor/upgrade-report') as typeof import('./executor/upgrade-report');
  const options = runOptions(flags);
  finish(flags, await runUpgrade({
    ...options,
    maxUnavailable: flags.maxUnavailable === undefined ? undefined : parseCount('--max-unavailable', flags.maxUnavailable),
    drainTimeoutSeconds: seconds('--drain-timeout', flags.drainTimeout),
    tritonTimeoutSeconds: seconds('--triton-timeout', flags.tritonTimeout),
  }), formatUpgradeSummary);
}

/**
 * File-system errors as one line naming the file and the cause (the top-level handler
 * prints only the message: no stack trace reaches the user).
 */
export function describeIoError(err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof e.code !== 'string' || !e.syscall) return err instanceof Error ? err : new Error(String(err));
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or folder', EACCES: 'permission denied', EPERM: 'operation not permitted', EISDIR: 'is a folder, not a file',
    ENOTDIR: 'a part of the path is not a folder', EROFS: 'read-only file system', ENOSPC: 'no space left on the device', ELOOP: 'too many symbolic links',
  };
  const where = e.path ? `${e.path}: ` : '';
  return new Error(`${where}${reasons[e.code] ?? e.message} (${e.code} on ${e.syscall}); check the path and its permissions`);
}

/** Runs an action so that its file-system errors become one-line messages naming the file. */
async function friendly(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    const described = describeIoError(err);
    // One line the terminal only shows: paths and a board's text may hold escape sequences.
    described.message = terminalSafe(described.message);
    throw described;
  }
}

/** A whole number of seconds ≥ 1, or undefined when the flag is absent. */
function seconds(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseCount(flag, value);
}

/**
 * The boards come only from a cluster description: the built-in defaults describe no hosts,
 * so nothing connects to a machine nobody named. `plan --offline` alone (`exampleBoards`),
 * which connects to nothing, shows the tutorial's four boards when there is no description.
 */
function boardsConfig(flags: VerbFlags, exampleBoards: boolean): { config: ClusterConfig; configPath: string; example: boolean } {
  const location = resolveClusterConfigPath(flags.config);
  const configPath = resolve(location.file);
  if (!location.required && !existsSync(location.file)) {
    if (exampleBoards) return { config: parseClusterConfig({ nodes: TUTORIAL_NODES }, '(tutorial boards)'), configPath, example: true };
    throw new Error(`no boards described: ${configPath} not found (and no --config or $TRITON_JETSON_CONFIG); `
      + 'describe your boards: cp cluster.example.yaml cluster.yaml and edit its nodes: section (triton-jetson plan --offline shows the tutorial\'s four boards meanwhile)');
  }
  const config = loadClusterConfig(configPath, location.required);
  if (!config.nodes) throw new Error(`${configPath}: nodes: missing; describe your boards under nodes: (server and agents), as in cluster.example.yaml`);
  return { config, configPath, example: false };
}

function runOptions(flags: VerbFlags, how: { exampleBoards?: boolean } = {}): RunOptions & { exampleBoards?: boolean } {
  outputFormat(flags); // a contradictory -o/--json is refused before anything runs
  const { config, configPath, example } = boardsConfig(flags, how.exampleBoards ?? false);
  if (flags.replace && !flags.node?.length) throw new Error('--replace needs --node NAME: it removes the stale registration of the boards named');
  // An empty path ("$KC" unset) would fall back to the default kubeconfig, or read the working folder as known_hosts.
  if (flags.kubeconfig?.trim() === '') throw new Error('--kubeconfig: is empty; give a kubeconfig file, e.g. --kubeconfig ~/.kube/config');
  if (flags.knownHosts?.trim() === '') throw new Error('--known-hosts: is empty; give a known_hosts file, e.g. --known-hosts ~/.ssh/known_hosts');
  const interactive = process.stdin.isTTY && process.stderr.isTTY && !flags.sudoPasswordStdin;
  return {
    config,
    configPath,
    ...(example ? { exampleBoards: true } : {}),
    dryRun: flags.dryRun,
    trustNewHosts: flags.trustNewHosts,
    kubeconfigPath: flags.kubeconfig,
    knownHostsFile: flags.knownHosts,
    readyTimeoutSeconds: seconds('--ready-timeout', flags.readyTimeout),
    parallel: flags.parallel === undefined ? undefined : parseCount('--parallel', flags.parallel),
    nodes: flags.node?.length ? flags.node : undefined,
    replaceNodes: flags.replace,
    confirm: interactive ? async (question) => /^y(es)?$/i.test((await ask(`${question} [y/N] `, false)).trim()) : undefined,
    sudoPassword: sudoPasswordSource(flags),
    log: (host, message) => process.stderr.write(`[${host}] ${terminalSafe(message)}\n`),
  };
}

/**
 * The sudo password, asked at most once: $TRITON_JETSON_SUDO_PASSWORD, else the first line of
 * stdin (--sudo-password-stdin), else a hidden terminal prompt. `from` says which of the last two.
 */
function sudoPasswordSource(flags: VerbFlags): (() => Promise<string | undefined>) & { readonly from: 'stdin' | 'terminal' } {
  let cached: Promise<string | undefined> | undefined;
  const from = flags.sudoPasswordStdin ? 'stdin' as const : 'terminal' as const;
  const source = () => {
    cached ??= (async () => {
      const fromEnv = process.env[SUDO_PASSWORD_ENV];
      if (fromEnv) return fromEnv;
      if (from === 'stdin') return readFirstLine();
      if (process.stdin.isTTY && process.stderr.isTTY) return ask('sudo password for the nodes: ', true);
      return undefined;
    })();
    return cached;
  };
  return Object.assign(source, { from });
}

async function readFirstLine(): Promise<string | undefined> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return undefined;
}

function ask(question: string, hidden: boolean): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolvePromise) => {
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolvePromise(answer);
    });
    muted = hidden;
  });
}

function finish(flags: VerbFlags, summary: RunSummary, format: (summary: RunSummary) => string = formatSummary): void {
  const output: OutputFormat = outputFormat(flags);
  process.stdout.write(output === 'json' ? `${JSON.stringify(summary, null, 2)}\n` : format(summary));
  if (!summary.ok) process.exitCode = 1;
}
