/**
 * `triton-jetson bootstrap | plan | reset | upgrade`: step 1 of the tutorial on every node of
 * the cluster description, over SSH, and K3s upgrades one board at a time. Progress goes to
 * stderr (one line per event); the summary to stdout, as text or (`-o json`, `--json`) JSON.
 *
 * Each command lists only the flags it uses (issue 23.2). Registration loads commander and
 * cli/options only; an action loads its implementation (bootstrap/cli-run.ts) when it runs.
 */
import type { Command } from 'commander';
import { configOption, outputOptions } from '../cli/options';
import type * as Run from './cli-run';
import { SUDO_PASSWORD_ENV } from './sudo-password-env';

const CONFIG_READS = 'its nodes, SSH, K3s and kubeconfig settings';

/** The flags of the commands that connect to the boards; `purpose` says what the connection is for. */
function connecting(cmd: Command, purpose: { parallel: string; sudo?: string }): Command {
  return cmd
    .option('--trust-new-hosts', 'accept and record SSH host keys not yet in known_hosts (a changed key is always refused)')
    .option('--known-hosts <file>', 'known_hosts file the host keys are checked against (default: ssh.knownHostsFile, else ~/.ssh/known_hosts)')
    .option('--sudo-password-stdin', `read the sudo password from the first line of stdin (or set ${SUDO_PASSWORD_ENV})`)
    .option('--parallel <n>', `${purpose.parallel}; each keeps one SSH connection (default: 10)`);
}

function withOutput(cmd: Command): Command {
  for (const option of outputOptions()) cmd.addOption(option);
  return cmd;
}

/** The implementation, loaded when a command runs. */
function run(): typeof Run {
  return require('./cli-run') as typeof Run;
}

export function register(program: Command): void {
  withOutput(connecting(program.command('bootstrap')
    .description('prepare every node (nfs-common; Docker\'s default runtime on JetPack 4 boards), install K3s, merge the kubeconfig and wait for all nodes Ready; safe to rerun')
    .addOption(configOption(CONFIG_READS)), { parallel: 'boards worked on at once' })
    .option('--kubeconfig <file>', 'kubeconfig to merge the context into (default: kubeconfig.path, else $KUBECONFIG, else ~/.kube/config)')
    .option('--dry-run', 'connect and probe read-only, print what will run on each host, change nothing (= plan)')
    .option('--ready-timeout <seconds>', 'how long to wait for every node to be Ready (default: k3s.readyTimeoutSeconds)')
    .option('--node <name>', 'only this agent (repeatable), e.g. a re-flashed board rejoining under its old name', (v: string, p: string[] | undefined) => [...(p ?? []), v])
    .option('--replace', 'with --node: remove the stale node object and node-password secret of a re-flashed board without asking'))
    .action(async (flags: Run.VerbFlags) => run().bootstrapCommand(flags));

  withOutput(connecting(program.command('upgrade')
    .description('upgrade K3s to k3s.version: the server first, then the agents at most --max-unavailable at a time (cordon, drain, install, Ready, uncordon)')
    .addOption(configOption(CONFIG_READS)), { parallel: 'boards probed at once' })
    .option('--dry-run', 'probe read-only and print the order and the scripts, change nothing (= plan --upgrade)')
    .option('--max-unavailable <n>', 'agents upgraded (cordoned) at once (default: 1)')
    .option('--drain-timeout <seconds>', 'how long `kubectl drain` may take per agent (default: 300)')
    .option('--ready-timeout <seconds>', 'how long a board may take to be Ready on the new version (default: k3s.readyTimeoutSeconds)')
    .option('--triton-timeout <seconds>', "how long a board's Triton pod may take to be Ready again (default: 600)"))
    .action(async (flags: Run.VerbFlags) => run().upgradeCommand(flags));

  withOutput(program.command('plan')
    .description('print what bootstrap will do, touching nothing: connected and probing read-only (= bootstrap --dry-run), --offline for freshly flashed boards, or --upgrade (= upgrade --dry-run)')
    .addOption(configOption(CONFIG_READS))
    .option('--offline', 'connect to nothing, need no SSH key: what bootstrap will run on freshly flashed boards (secrets redacted; --json: every board\'s exact scripts)')
    .option('--upgrade', 'the upgrade\'s order and scripts (= upgrade --dry-run)')
    .option('--known-hosts <file>', 'known_hosts file the host keys are checked against (default: ssh.knownHostsFile, else ~/.ssh/known_hosts)')
    .option('--kubeconfig <file>', 'kubeconfig bootstrap will merge its context into: checked, not written (default: kubeconfig.path, else $KUBECONFIG, else ~/.kube/config)')
    .option('--trust-new-hosts', 'not with --offline: accept SSH host keys not yet in known_hosts for this run (a plan records none)')
    .option('--sudo-password-stdin', `not with --offline: read the sudo password from the first line of stdin (or set ${SUDO_PASSWORD_ENV})`)
    .option('--parallel <n>', 'not with --offline: boards probed at once; each keeps one SSH connection (default: 10)'))
    .action(async (flags: Run.VerbFlags) => run().planCommand(flags));

  withOutput(connecting(program.command('reset')
    .description('uninstall K3s from every node, restore daemon.json from its backup, remove the kubeconfig context')
    .addOption(configOption(CONFIG_READS)), { parallel: 'boards worked on at once' })
    .option('--kubeconfig <file>', 'kubeconfig to remove the context from (default: kubeconfig.path, else $KUBECONFIG, else ~/.kube/config)')
    .option('--dry-run', 'print what will run, change nothing')
    .option('-y, --yes', 'do it without asking (required when not on a terminal)'))
    .action(async (flags: Run.VerbFlags) => run().resetCommand(flags));
}
