/**
 * `triton-jetson bootstrap | plan | reset | upgrade`: step 1 of the tutorial on every node of
 * the cluster description, over SSH, and K3s upgrades one board at a time. Progress goes to stderr (one line per event); the summary
 * to stdout, as text or (--json) as JSON for scripts.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { CLUSTER_CONFIG_ENV, resolveClusterConfigPath } from '../lib/config/config-location';
import { terminalLines, terminalSafe } from '../lib/terminal-text';
import type { RunOptions, RunSummary } from './executor/options';
import type { UpgradeOptions } from './executor/upgrade';

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * What the commands run, loaded when one runs rather than when it is registered: `--help` and
 * the other commands do not load node-ssh, ssh2 or the cluster description's schema (zod,
 * yaml). Literal require()s, so that bin/launcher.js's bundle holds them (initialised lazily).
 */
const load = {
  bootstrap: () => require('./executor/bootstrap') as typeof import('./executor/bootstrap'),
  reset: () => require('./executor/reset') as typeof import('./executor/reset'),
  upgrade: () => require('./executor/upgrade') as typeof import('./executor/upgrade'),
  upgradeReport: () => require('./executor/upgrade-report') as typeof import('./executor/upgrade-report'),
  offlinePlan: () => require('./executor/offline-plan') as typeof import('./executor/offline-plan'),
  parallel: () => require('./executor/parallel') as typeof import('./executor/parallel'),
  clusterConfig: () => require('../lib/config/cluster-config') as typeof import('../lib/config/cluster-config'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Environment variable holding the sudo password for scripts (never put it on the command line). */
export const SUDO_PASSWORD_ENV = 'TRITON_JETSON_SUDO_PASSWORD';
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

interface CommonFlags {
  config?: string;
  offline?: boolean;
  json?: boolean;
  dryRun?: boolean;
  trustNewHosts?: boolean;
  kubeconfig?: string;
  knownHosts?: string;
  sudoPasswordStdin?: boolean;
  readyTimeout?: string;
  yes?: boolean;
  parallel?: string;
  node?: string[];
  replace?: boolean;
  upgrade?: boolean;
  maxUnavailable?: string;
  drainTimeout?: string;
  tritonTimeout?: string;
}

export function register(program: Command): void {
  const common = (cmd: Command) => cmd
    .option('-c, --config <file>', `cluster description (default: $${CLUSTER_CONFIG_ENV}, then ./cluster.yaml)`)
    .option('--trust-new-hosts', 'accept and record SSH host keys not yet in known_hosts (a changed key is always refused)')
    .option('--known-hosts <file>', 'known_hosts file (default: ssh.knownHostsFile, ~/.ssh/known_hosts)')
    .option('--kubeconfig <file>', 'kubeconfig to merge the context into / remove it from (default: kubeconfig.path, $KUBECONFIG, ~/.kube/config)')
    .option('--sudo-password-stdin', `read the sudo password from the first line of stdin (or set ${SUDO_PASSWORD_ENV})`)
    .option('--parallel <n>', 'boards worked on at once; each keeps one SSH connection (default: 10)')
    .option('--json', 'print the summary as JSON on stdout');

  common(program.command('bootstrap')
    .description('prepare every node (daemon.json, nfs-common), install K3s, merge the kubeconfig and wait for all nodes Ready; safe to rerun')
    .option('--dry-run', 'connect and probe read-only, print what would run on each host, change nothing')
    .option('--ready-timeout <seconds>', 'how long to wait for every node to be Ready (default: k3s.readyTimeoutSeconds)')
    .option('--node <name>', 'only this agent (repeatable), e.g. a re-flashed board rejoining under its old name', collect, [])
    .option('--replace', 'with --node: remove the stale node object and node-password secret of a re-flashed board without asking'))
    .action(friendly(async (flags: CommonFlags) => finish(flags, await load.bootstrap().runBootstrap(await runOptions(flags)))));

  common(program.command('upgrade')
    .description('upgrade K3s to k3s.version: the server first, then the agents at most --max-unavailable at a time (cordon, drain, install, Ready, uncordon)')
    .option('--dry-run', 'probe read-only and print the order and the scripts, change nothing')
    .option('--max-unavailable <n>', 'agents upgraded (cordoned) at once (default: 1)')
    .option('--drain-timeout <seconds>', 'how long `kubectl drain` may take per agent (default: 300)')
    .option('--ready-timeout <seconds>', 'how long a board may take to be Ready on the new version (default: k3s.readyTimeoutSeconds)')
    .option('--triton-timeout <seconds>', "how long a board's Triton pod may take to be Ready again (default: 600)"))
    .action(friendly(async (flags: CommonFlags) => finish(flags, await load.upgrade().runUpgrade(await upgradeOptions(flags)), load.upgradeReport().formatUpgradeSummary)));

  common(program.command('plan')
    .description('same as `bootstrap --dry-run`: print the commands each host would get, touching nothing')
    .option('--offline', 'connect to nothing, need no SSH key: print what bootstrap would run on freshly flashed boards (secrets redacted)')
    .option('--upgrade', 'same as `upgrade --dry-run`: the upgrade order and scripts'))
    .action(friendly(async (flags: CommonFlags) => {
      if (flags.upgrade) {
        finish(flags, await load.upgrade().runUpgrade(await upgradeOptions({ ...flags, dryRun: true })), load.upgradeReport().formatUpgradeSummary);
        return;
      }
      if (flags.offline) {
        const { formatOfflinePlan, planOffline } = load.offlinePlan();
        const plan = planOffline(await runOptions(flags));
        process.stdout.write(flags.json ? `${JSON.stringify(plan, null, 2)}\n` : formatOfflinePlan(plan));
        if (!plan.ok) process.exitCode = 1;
        return;
      }
      finish(flags, await load.bootstrap().runBootstrap(await runOptions({ ...flags, dryRun: true })));
    }));

  common(program.command('reset')
    .description('uninstall K3s from every node, restore daemon.json from its backup, remove the kubeconfig context')
    .option('--dry-run', 'print what would run, change nothing')
    .option('-y, --yes', 'do it without asking (required when not on a terminal)'))
    .action(friendly(async (flags: CommonFlags) => {
      if (!flags.dryRun && !flags.yes) {
        const answer = process.stdin.isTTY ? await ask('Uninstall K3s from every node of the cluster? [y/N] ', false) : '';
        if (!/^y(es)?$/i.test(answer.trim())) throw new Error('reset cancelled; pass --yes to reset without asking');
      }
      finish(flags, await load.reset().runReset(await runOptions(flags)));
    }));
}

/** An action whose file-system errors become one-line messages naming the file. */
function friendly<A extends unknown[]>(action: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (err) {
      const described = describeIoError(err);
      // One line the terminal only shows: paths and a board's text may hold escape sequences.
      described.message = terminalSafe(described.message);
      throw described;
    }
  };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A whole number of seconds ≥ 1, or undefined when the flag is absent. */
function seconds(flag: string, value: string | undefined): number | undefined {
  return value === undefined ? undefined : load.parallel().parseCount(flag, value);
}

async function upgradeOptions(flags: CommonFlags): Promise<UpgradeOptions> {
  return {
    ...(await runOptions(flags)),
    maxUnavailable: flags.maxUnavailable === undefined ? undefined : load.parallel().parseCount('--max-unavailable', flags.maxUnavailable),
    drainTimeoutSeconds: seconds('--drain-timeout', flags.drainTimeout),
    tritonTimeoutSeconds: seconds('--triton-timeout', flags.tritonTimeout),
  };
}

async function runOptions(flags: CommonFlags): Promise<RunOptions> {
  const location = resolveClusterConfigPath(flags.config);
  const configPath = resolve(location.file);
  const config = load.clusterConfig().loadClusterConfig(configPath, location.required);
  if (!config.nodes) throw new Error(`${configPath}: nodes: missing; describe nodes.server and nodes.agents (see docs/bootstrap.md)`);
  let readyTimeoutSeconds: number | undefined;
  if (flags.readyTimeout !== undefined) {
    readyTimeoutSeconds = Number(flags.readyTimeout);
    if (!Number.isInteger(readyTimeoutSeconds) || readyTimeoutSeconds < 1) throw new Error('--ready-timeout must be a whole number of seconds ≥ 1');
  }
  if (flags.replace && !flags.node?.length) throw new Error('--replace needs --node NAME: it removes the stale registration of the boards named');
  const interactive = process.stdin.isTTY && process.stderr.isTTY && !flags.sudoPasswordStdin;
  return {
    config,
    configPath,
    dryRun: flags.dryRun,
    trustNewHosts: flags.trustNewHosts,
    kubeconfigPath: flags.kubeconfig,
    knownHostsFile: flags.knownHosts,
    readyTimeoutSeconds,
    parallel: flags.parallel === undefined ? undefined : load.parallel().parseCount('--parallel', flags.parallel),
    nodes: flags.node?.length ? flags.node : undefined,
    replaceNodes: flags.replace,
    confirm: interactive ? async (question) => /^y(es)?$/i.test((await ask(`${question} [y/N] `, false)).trim()) : undefined,
    sudoPassword: sudoPasswordSource(flags),
    log: (host, message) => process.stderr.write(`[${host}] ${terminalSafe(message)}\n`),
  };
}

/** The sudo password, asked at most once: env, then stdin, then a hidden terminal prompt. */
function sudoPasswordSource(flags: CommonFlags): () => Promise<string | undefined> {
  let cached: Promise<string | undefined> | undefined;
  return () => {
    cached ??= (async () => {
      const fromEnv = process.env[SUDO_PASSWORD_ENV];
      if (fromEnv) return fromEnv;
      if (flags.sudoPasswordStdin) return readFirstLine();
      if (process.stdin.isTTY && process.stderr.isTTY) return ask('sudo password for the nodes: ', true);
      return undefined;
    })();
    return cached;
  };
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

function finish(flags: CommonFlags, summary: RunSummary, format: (summary: RunSummary) => string = formatSummary): void {
  process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : format(summary));
  if (!summary.ok) process.exitCode = 1;
}

/** Human summary: per node what changed, what was already right, and why it failed; a board's text cannot act on the terminal. */
export function formatSummary(summary: RunSummary): string {
  const lines: string[] = [];
  const title = `${summary.command}${summary.dryRun ? ' (dry run: nothing was changed)' : ''}`;
  lines.push(`${title} — ${summary.ok ? 'OK' : 'FAILED'} in ${(summary.durationMs / 1000).toFixed(1)}s`);
  for (const host of summary.hosts) {
    const board = host.profile ? `, ${host.profile} on ${host.runtime}` : host.runtime ? `, K3s on ${host.runtime}` : '';
    lines.push('', `${host.name} (${host.role}, ${host.address}${board}): ${host.status}`);
    // A plan shows what the preflight read on each board (clock, memory, power mode, ...).
    if (summary.dryRun) for (const c of host.checks) if (c.status === 'ok') lines.push(`  checked:   ${c.name}: ${c.detail}`);
    for (const c of host.changed) lines.push(`  changed:   ${c}`);
    for (const u of host.unchanged) lines.push(`  unchanged: ${u}`);
    for (const w of host.warnings) lines.push(`  warning:   ${w}`);
    if (host.error) lines.push(`  error:     ${host.error}`);
    for (const step of host.plannedSteps ?? []) {
      lines.push(`  would run: ${step.title}`);
      for (const u of step.uploads) lines.push(`    upload ${u.local} -> ${u.remote}`);
      lines.push(...step.script.split('\n').map((l) => `    | ${l}`));
    }
    if (summary.dryRun && host.status === 'ok' && (host.plannedSteps ?? []).length === 0) lines.push('  would run: nothing (already right)');
  }
  if (summary.kubeconfig) {
    lines.push('', `kubeconfig: ${summary.kubeconfig.path}, context "${summary.kubeconfig.context}" ${summary.kubeconfig.changed ? 'updated' : 'unchanged'}`);
    if (summary.command === 'bootstrap') lines.push(`  try: kubectl --context ${summary.kubeconfig.context} get nodes`);
    if (summary.kubeconfig.currentContext) lines.push(`  ${summary.kubeconfig.currentContext}`);
    if (summary.kubeconfig.note) lines.push(`  ${summary.kubeconfig.note}`);
    if (summary.kubeconfig.error) lines.push(`  error:     ${summary.kubeconfig.error}`);
  }
  if (summary.nodes) {
    lines.push(`nodes Ready: ${summary.nodes.ready.join(', ') || 'none'}${summary.nodes.notReady.length ? `; NOT Ready: ${summary.nodes.notReady.join(', ')}` : ''}`);
  }
  return terminalLines(`${lines.join('\n')}\n`);
}
