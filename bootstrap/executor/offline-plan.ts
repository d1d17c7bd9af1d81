/**
 * `triton-jetson plan --offline` (issues 11.4, 23.3, 23.4): what `bootstrap` will run on freshly
 * flashed boards, built from the same pure plan functions the executor uses (evaluatePreflight,
 * planHostWork, nfsServerScript) on a "fresh board" host state. It reads only local files (the
 * cluster description, ~/.ssh/config, known_hosts, key files, the token file if it exists, an
 * air-gap folder): it opens no connection and needs no SSH key. Secrets (the K3s token) are
 * redacted; the sudo password is never asked. The text (offline-plan-text.ts) is a summary per
 * board and each distinct script once; the JSON keeps every board's exact scripts too.
 */
import { resolve } from 'node:path';
import type { BoardProfileName } from '../../lib/board-profiles';
import { PROBE_SCRIPT, evaluatePreflight, preflightOptionsFor, type PreflightResult } from '../plan/preflight';
import { FRESH_BOARD_ASSUMPTIONS, freshBoardFacts } from '../plan/fresh-board';
import { planHostWork, type RootStep } from '../plan/host-plan';
import type { InstallSource } from '../plan/k3s-install';
import { nfsServerScript } from '../plan/nfs-server';
import { groupScripts } from '../plan/script-groups';
import { expandHome, type SshEndpoint } from '../plan/targets';
import { kubeconfigProblem } from './kubeconfig';
import { defaultTokenFile, readToken } from './local-files';
import { offlineWarnings } from './offline-checks';
import { afterwardsNotes, preflightChecks } from './offline-plan-notes';
import { fromConfigDir, installSource, resolveKubeconfigPath, safeUserName, type BootstrapConfig, type RunOptions } from './options';
import { ROOT_SHELL_COMMANDS } from './root-access';
import { targetResolver } from './ssh-config-file';

export { formatOfflinePlan } from './offline-plan-text';
import type { OfflineHost, OfflinePlan } from './offline-plan-types';
import { operatorHome } from '../../lib/home-folder';
export type { OfflineHost, OfflinePlan, OfflineStep } from './offline-plan-types';

const REDACTED = '<redacted>';
/** Stands in for the token when none exists yet (bootstrap generates it); never shown. */
const UNKNOWN_TOKEN = 'triton-jetson-offline-plan-token-not-generated-yet';
const UNKNOWN_FINGERPRINT = '<sha256 of these settings and the token generated on the first run>';

function sshLabel(e: SshEndpoint): string {
  return `${e.user}@${e.host}:${e.port}`;
}

const STEP_KIND: Readonly<Record<RootStep['id'], (role: string) => string>> = {
  'nfs-common': () => 'nfs-common',
  'power-mode': () => 'power mode',
  'daemon-json': () => 'daemon.json',
  'docker-restart': () => 'Docker restart',
  'k3s-install': (role) => `K3s ${role}`,
  'k3s-agent-start': () => 'join',
  'nvidia-runtime': () => 'nvidia runtime check',
};

/** The power mode column: what will be set, or that it is left alone. */
function powerText(verdict: PreflightResult, known: boolean): string {
  const { desired, change, unchanged } = verdict.power;
  if (!desired) return known ? 'as it is (assumed nvpmodel 0, MAXN)' : 'as it is';
  const wanted = [desired.nvpmodel !== undefined ? `nvpmodel ${desired.nvpmodel}` : '', desired.jetsonClocks !== undefined ? `jetson_clocks ${desired.jetsonClocks ? 'on' : 'off'}` : '']
    .filter(Boolean).join(', ');
  if (!known) return `${wanted} (checked when connected)`;
  return change ? `${wanted}: will change` : unchanged ? `${wanted} (already)` : wanted;
}

export function planOffline(options: RunOptions & { readonly exampleBoards?: boolean }): OfflinePlan {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? operatorHome(env);
  const config: BootstrapConfig = options.config;
  const resolver = targetResolver(config, home, safeUserName(env));
  const targets = resolver.nodes();
  const knownHostsFile = resolve(expandHome(options.knownHostsFile ?? resolver.knownHostsFile(targets[0].ssh.alias), home));
  const source: InstallSource = installSource(config, options.configPath, home);
  const tokenFile = fromConfigDir(options.configPath, config.k3s.tokenFile ?? defaultTokenFile(options.configPath, config.kubeconfig.context), home);
  let token: string | undefined;
  let tokenProblem: string | undefined;
  try {
    token = readToken(tokenFile);
  } catch (err) {
    tokenProblem = `${(err as Error).message}; bootstrap stops there until it is fixed`;
  }
  const kubeconfigFault = kubeconfigProblem(resolveKubeconfigPath(options, home, env));
  const serverAddress = targets[0].ssh.host;
  const redact = (text: string) => (token ? text.split(token).join(REDACTED) : text);

  const hosts: OfflineHost[] = targets.map((target) => {
    const facts = freshBoardFacts(target.name, target.config.profile);
    const full = evaluatePreflight(facts, preflightOptionsFor(config, target));
    // A fresh Orin's power modes depend on its module: a powerMode for it is checked when connected, not refused here.
    const unknownPower = facts.power === undefined;
    const verdict = unknownPower ? { ...full, checks: full.checks.filter((c) => !['power-mode', 'jetson-clocks'].includes(c.name)), failed: false } : full;
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
      profile: verdict.profile ?? 'jetpack4',
      runtime: verdict.runtime,
      powerMode: powerText(verdict, !unknownPower),
      labels: work.install.labels,
      steps: work.steps.map((s) => ({ kind: STEP_KIND[s.id](target.role), title: s.action, script: shown(s.shownScript), uploads: s.uploads })),
      scripts: [],
      notes: [
        ...full.checks.filter((c) => c.status === 'fail' && verdict.checks.includes(c)).map((c) => `the preflight will stop this board: ${c.name}: ${c.detail}`),
        ...work.warnings,
      ],
      ...(work.error ? { error: work.error } : {}),
    };
  });

  const endpoints = targets.map((t) => ({ name: t.name, ssh: t.ssh }));
  const nfs = config.nfsServer;
  if (nfs.managed) {
    const alias = nfs.host ?? config.nfs?.server;
    if (!alias) throw new Error('nfsServer.managed: no NFS server; set nfsServer.host or nfs.server');
    const ssh = resolver.extraHost(alias, { user: nfs.user, port: nfs.port, identityFile: nfs.identityFile, bastion: nfs.bastion });
    const path = config.nfs?.path;
    const clients = nfs.clients ?? targets.map((t) => t.ssh.host);
    const base = { name: 'nfs-server', role: 'nfs-server' as const, ssh: sshLabel(ssh), ...(ssh.jump ? { via: sshLabel(ssh.jump) } : {}), identityFiles: ssh.identityFiles, scripts: [] };
    if (!path) {
      hosts.push({ ...base, steps: [], notes: [], error: 'nfsServer.managed: no export folder; set nfs.path' });
    } else {
      try {
        const script = nfsServerScript({ path, clients, exportOptions: nfs.exportOptions });
        hosts.push({ ...base, steps: [{ kind: 'NFS export', title: `export ${path} to ${clients.join(', ')} (nfs-kernel-server; each part only when needed)`, script, uploads: [] }], notes: [] });
      } catch (err) {
        hosts.push({ ...base, steps: [], notes: [], error: (err as Error).message });
      }
    }
    endpoints.push({ name: 'nfs-server', ssh });
  }

  const { groups, stepsOf } = groupScripts(hosts);
  const profiles = [...new Set(hosts.map((h) => h.profile).filter((p): p is BoardProfileName => p !== undefined))];
  const readyTimeout = options.readyTimeoutSeconds ?? config.k3s.readyTimeoutSeconds;
  return {
    command: 'plan',
    offline: true,
    ok: hosts.every((h) => h.error === undefined),
    configFile: options.configPath,
    ...(options.exampleBoards ? { exampleBoards: true as const } : {}),
    assumptions: profiles.map((p) => `${p}: ${FRESH_BOARD_ASSUMPTIONS[p]}`),
    preflight: preflightChecks(new Set(hosts.flatMap((h) => (h.runtime ? [h.runtime] : [])))),
    warnings: [
      ...(tokenProblem ? [`token: ${tokenProblem}`] : []),
      ...(kubeconfigFault ? [`${kubeconfigFault}; bootstrap stops there until it is fixed`] : []),
      ...offlineWarnings({
        hosts: endpoints, knownHostsFile, homeDir: home, env, tokenFile,
        tokenPresent: token !== undefined || tokenProblem !== undefined, tokenFileNamed: config.k3s.tokenFile !== undefined, serverName: targets[0].name,
      }),
      ...(source.kind === 'online' && !source.sha256Url
        ? [`k3s.installScriptUrl ${source.scriptUrl} runs as given: neither pinned to k3s.version's release nor checked; leave it out to use the release's own install.sh, checked against its install.sh.sha256sum`]
        : []),
    ],
    knownHostsFile,
    rootCommand: `each script travels on the stdin of \`${ROOT_SHELL_COMMANDS.root}\` (root login), \`${ROOT_SHELL_COMMANDS['sudo-nopasswd']}\` (passwordless sudo) or \`${ROOT_SHELL_COMMANDS['sudo-password']}\` (the sudo password is the first stdin line); which one is found when connecting`,
    probe: PROBE_SCRIPT.trim(),
    hosts: hosts.map((h) => ({ ...h, scripts: stepsOf.get(h.name) ?? [] })),
    scripts: groups,
    afterwards: afterwardsNotes({ options, config, home, env, targets, serverAddress, readyTimeout, tokenFile, token, tokenProblem, source }),
  };
}
