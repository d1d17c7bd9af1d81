/**
 * `triton-jetson plan --offline` (issue 11.4): what `bootstrap` would run on freshly
 * flashed boards, per host, built from the same pure plan functions the executor uses
 * (evaluatePreflight, planHostWork, nfsServerScript) on a "fresh board" host state. It
 * reads only local files (the cluster description, ~/.ssh/config, the token file if it
 * exists, an air-gap folder): it opens no connection and needs no SSH key. Secrets (the
 * K3s token) are redacted; the sudo password is never asked.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { K3S_FINGERPRINT_PATH, PROBE_SCRIPT, evaluatePreflight, preflightOptionsFor } from '../plan/preflight';
import { CLOCK_FAIL_SECONDS, CLOCK_WARN_SECONDS } from '../plan/clock';
import { FRESH_BOARD_ASSUMPTIONS, freshBoardFacts } from '../plan/fresh-board';
import { planHostWork } from '../plan/host-plan';
import { GET_NODES_SCRIPT, K3S_API_PORT, K3S_KUBECONFIG_PATH } from '../plan/k3s-install';
import { nfsServerScript } from '../plan/nfs-server';
import { expandHome, type SshEndpoint } from '../plan/targets';
import { defaultTokenFile, readToken } from './local-files';
import {
  fromConfigDir, installSource, resolveKubeconfigPath, safeUserName, type BootstrapConfig, type DryRunStep, type RunOptions,
} from './options';
import { ROOT_SHELL_COMMANDS } from './root-access';
import { targetResolver } from './ssh-config-file';
import { terminalSafe } from '../../lib/terminal-text';

const REDACTED = '<redacted>';
/** Stands in for the token when none exists yet (bootstrap generates it); never shown. */
const UNKNOWN_TOKEN = 'triton-jetson-offline-plan-token-not-generated-yet';
const UNKNOWN_FINGERPRINT = '<sha256 of these settings and the token generated on the first run>';

/** A step as a dry run shows it. */
export type OfflineStep = DryRunStep;

export interface OfflineHost {
  readonly name: string;
  readonly role: 'server' | 'agent' | 'nfs-server';
  /** user@host:port the session would open. */
  readonly ssh: string;
  /** Jump host, user@host:port. */
  readonly via?: string;
  /** Key files that would be offered (none: ~/.ssh/id_* and the SSH agent). */
  readonly identityFiles: readonly string[];
  readonly steps: readonly OfflineStep[];
  readonly notes: readonly string[];
  /** The plan refused this host (e.g. an NFS export the schema would refuse). */
  readonly error?: string;
}

export interface OfflinePlan {
  readonly command: 'plan';
  readonly offline: true;
  readonly ok: boolean;
  /** The host state assumed on every board. */
  readonly assumptions: readonly string[];
  readonly knownHostsFile: string;
  /** How each root script is run (depends on the login, found when connecting). */
  readonly rootCommand: string;
  /** The read-only probe every host runs first. */
  readonly probe: string;
  readonly hosts: readonly OfflineHost[];
  /** What happens on this machine and on the server after the installs. */
  readonly afterwards: readonly string[];
}

function sshLabel(e: SshEndpoint): string {
  return `${e.user}@${e.host}:${e.port}`;
}

export function planOffline(options: RunOptions): OfflinePlan {
  const home = options.homeDir ?? homedir();
  const env = options.env ?? process.env;
  const config: BootstrapConfig = options.config;
  const resolver = targetResolver(config, home, safeUserName(env));
  const targets = resolver.nodes();
  const knownHostsFile = resolve(expandHome(options.knownHostsFile ?? resolver.knownHostsFile(targets[0].ssh.alias), home));
  const source = installSource(config, options.configPath, home);
  const tokenFile = fromConfigDir(options.configPath, config.k3s.tokenFile ?? defaultTokenFile(options.configPath, config.kubeconfig.context), home);
  let token: string | undefined;
  let tokenNote: string;
  try {
    token = readToken(tokenFile);
    tokenNote = token === undefined
      ? `token: none yet; bootstrap generates one into ${tokenFile} (mode 0600) before installing (shown as ${REDACTED})`
      : `token: from ${tokenFile} (shown as ${REDACTED})`;
  } catch (err) {
    tokenNote = `token: ${(err as Error).message}; bootstrap stops there until it is fixed`;
  }
  const serverAddress = targets[0].ssh.host;
  const redact = (text: string) => (token ? text.split(token).join(REDACTED) : text);

  const hosts: OfflineHost[] = targets.map((target) => {
    const facts = freshBoardFacts(target.name, target.config.profile);
    const verdict = evaluatePreflight(facts, preflightOptionsFor(config, target));
    const work = planHostWork({
      target, facts, preflight: verdict, inventory: config, token: token ?? UNKNOWN_TOKEN, serverAddress, source,
    });
    const shown = (script: string) => {
      const text = redact(script);
      return token ? text : text.split(work.install.fingerprint).join(UNKNOWN_FINGERPRINT);
    };
    return {
      name: target.name,
      role: target.role,
      ssh: sshLabel(target.ssh),
      ...(target.ssh.jump ? { via: sshLabel(target.ssh.jump) } : {}),
      identityFiles: target.ssh.identityFiles,
      steps: work.steps.map((s) => ({ title: s.change, script: shown(s.shownScript), uploads: s.uploads })),
      notes: [
        ...verdict.checks.filter((c) => c.status === 'fail').map((c) => `the preflight would stop this board: ${c.name}: ${c.detail}`),
        ...work.warnings,
        ...(target.role === 'agent' ? [`the agent installs while the server does, and starts once ${targets[0].name}'s install is done`] : []),
        `the install's settings digest is kept in ${K3S_FINGERPRINT_PATH}: a rerun with the same settings skips the install`,
        `the preflight compares the board's clock with this machine's (the probe's first line, the round trip accounted for): a warning beyond ${CLOCK_WARN_SECONDS} s, the board stopped beyond ${CLOCK_FAIL_SECONDS / 3600} h (K3s certificates "not yet valid", x509 errors when joining)`,
      ],
      ...(work.error ? { error: work.error } : {}),
    };
  });

  const nfs = config.nfsServer;
  if (nfs.managed) {
    const alias = nfs.host ?? config.nfs?.server;
    if (!alias) throw new Error('nfsServer.managed: no NFS server; set nfsServer.host or nfs.server');
    const ssh = resolver.extraHost(alias, { user: nfs.user, port: nfs.port, identityFile: nfs.identityFile, bastion: nfs.bastion });
    const path = config.nfs?.path;
    const clients = nfs.clients ?? targets.map((t) => t.ssh.host);
    const base = { name: 'nfs-server', role: 'nfs-server' as const, ssh: sshLabel(ssh), ...(ssh.jump ? { via: sshLabel(ssh.jump) } : {}), identityFiles: ssh.identityFiles };
    if (!path) {
      hosts.push({ ...base, steps: [], notes: [], error: 'nfsServer.managed: no export folder; set nfs.path' });
    } else {
      try {
        const script = nfsServerScript({ path, clients, exportOptions: nfs.exportOptions });
        hosts.push({ ...base, steps: [{ title: `export ${path} to ${clients.join(', ')} (nfs-kernel-server)`, script, uploads: [] }], notes: ['each part runs only when needed (package missing, folder missing, exports line different)'] });
      } catch (err) {
        hosts.push({ ...base, steps: [], notes: [], error: (err as Error).message });
      }
    }
  }

  const kubeconfigPath = resolveKubeconfigPath(options, home, env);
  const context = config.kubeconfig.context;
  const readyTimeout = options.readyTimeoutSeconds ?? config.k3s.readyTimeoutSeconds;
  return {
    command: 'plan',
    offline: true,
    ok: hosts.every((h) => h.error === undefined),
    assumptions: [...FRESH_BOARD_ASSUMPTIONS],
    knownHostsFile,
    rootCommand: `each script travels on the stdin of \`${ROOT_SHELL_COMMANDS.root}\` (root login), \`${ROOT_SHELL_COMMANDS['sudo-nopasswd']}\` (passwordless sudo) or \`${ROOT_SHELL_COMMANDS['sudo-password']}\` (the sudo password is the first stdin line); which one is found when connecting`,
    probe: PROBE_SCRIPT.trim(),
    hosts,
    afterwards: [
      tokenNote,
      `kubeconfig: on ${targets[0].name}, ${K3S_KUBECONFIG_PATH} read as root; its server becomes https://${serverAddress}:${K3S_API_PORT}, its cluster/user/context "${context}", merged into ${kubeconfigPath} (mode 0600)${config.kubeconfig.setCurrentContext ? `, "${context}" made the current context` : ''}`,
      `verify: on ${targets[0].name}, as root: ${GET_NODES_SCRIPT}, until ${targets.map((t) => t.name).join(', ')} are Ready (up to ${readyTimeout}s); missing node labels are then set with \`k3s kubectl label node <name> --overwrite <key>=<value>\``,
    ],
  };
}

/** The offline plan as text (stdout). */
export function formatOfflinePlan(plan: OfflinePlan): string {
  const lines: string[] = [];
  lines.push(`plan --offline — what bootstrap would run on freshly flashed boards; nothing was contacted${plan.ok ? '' : ' (REFUSED for some hosts, see below)'}`);
  lines.push('assumed on every board:');
  for (const a of plan.assumptions) lines.push(`  - ${a}`);
  lines.push(`host keys are checked against ${plan.knownHostsFile} before anything runs`);
  lines.push(`root: ${plan.rootCommand}`);
  lines.push('', 'first, on every host, this read-only probe:');
  lines.push(...plan.probe.split('\n').map((l) => `    | ${l}`));
  for (const host of plan.hosts) {
    lines.push('', `${host.name} (${host.role}) — ssh ${host.ssh}${host.via ? ` via ${host.via}` : ''}, key ${host.identityFiles.length ? host.identityFiles.join(', ') : '~/.ssh/id_* or the SSH agent'}`);
    if (host.error) lines.push(`  error:     ${host.error}`);
    for (const note of host.notes) lines.push(`  note:      ${note}`);
    for (const step of host.steps) {
      lines.push(`  would run: ${step.title}`);
      for (const u of step.uploads) lines.push(`    upload ${u.local} -> ${u.remote}`);
      lines.push(...step.script.split('\n').map((l) => `    | ${l}`));
    }
  }
  lines.push('', 'then:');
  for (const a of plan.afterwards) lines.push(`  - ${a}`);
  return terminalSafe(`${lines.join('\n')}\n`);
}
