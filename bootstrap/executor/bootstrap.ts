/**
 * `bootstrap`: step 1 of the tutorial on every node, idempotent. The order of its phases is
 * the body of runBootstrap. Preflight, planning and the dry-run report are here; the other
 * phases have their own files (fleet, token, nfs-server, install, kubeconfig, wait-ready).
 * Hosts are reached only through their Operators.
 */
import { planHostWork } from '../plan/host-plan';
import type { InstallSource } from '../plan/k3s-install';
import { PROBE_SCRIPT, evaluatePreflight, parseProbe, preflightOptionsFor } from '../plan/preflight';
import { Fleet, type HostState } from './fleet';
import { installHosts } from './install';
import { verifyNvidiaRuntimes } from './nvidia-runtime';
import { checkKubeconfigBeforeRun, mergeKubeconfigFromServer } from './kubeconfig';
import { readToken } from './local-files';
import { prepareNfsServer } from './nfs-server';
import { installSource, type RunOptions, type RunSummary } from './options';
import { explainRejectedPasswords, keepServerAsIs, settleReplacedNodes } from './replace-node';
import { HostError } from './transport';
import { settleToken, tokenFilePath } from './token';
import { waitForNodes } from './wait-ready';

export async function runBootstrap(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const fleet = new Fleet(options, !options.nodes); // --node: the named boards only, no NFS server
  const dryRun = options.dryRun ?? false;
  const summary: RunSummary = {
    command: 'bootstrap', dryRun, ok: false, durationMs: 0,
    hosts: [...fleet.hosts.map((h) => h.summary), ...(fleet.nfs ? [fleet.nfs.summary] : [])],
  };
  const source = installSource(options.config, options.configPath, fleet.home);
  const tokenFile = tokenFilePath(fleet);
  const localToken = readToken(tokenFile);
  checkKubeconfigBeforeRun(fleet);
  try {
    await fleet.connect();
    await fleet.eachLive((state) => preflight(fleet, state));
    const token = await settleToken(fleet, tokenFile, localToken, dryRun);
    planHosts(fleet, token, source);
    keepServerAsIs(fleet); // --node only
    await settleReplacedNodes(fleet, dryRun); // --node only: a re-flashed board's stale registration
    const nfsDone = prepareNfsServer(fleet, dryRun); // alongside the nodes
    if (dryRun) {
      await nfsDone;
      showPlannedSteps(fleet);
      summary.ok = summary.hosts.every((h) => h.status === 'ok');
      return summary;
    }
    await installHosts(fleet); // prepare → install → start; agents overlap the server
    await verifyNvidiaRuntimes(fleet); // containerd boards: K3s registered the nvidia runtime
    const server = fleet.server;
    if (server.summary.status === 'ok') {
      summary.kubeconfig = await mergeKubeconfigFromServer(fleet, server, server.target.ssh.host);
      summary.nodes = await waitForNodes(fleet, server); // and labels
    }
    await explainRejectedPasswords(fleet);
    await nfsDone;
    summary.ok = summary.hosts.every((h) => h.status === 'ok') && (summary.nodes?.notReady.length ?? 1) === 0;
    return summary;
  } finally {
    await fleet.close();
    summary.durationMs = Date.now() - started;
  }
}

/** The read-only probe and its verdict; a failed check stops the host. */
async function preflight(fleet: Fleet, state: HostState): Promise<void> {
  const sentAtMs = Date.now(); // the board's clock is read inside this round trip
  state.facts = parseProbe(await fleet.root(state, PROBE_SCRIPT, 'preflight probe'));
  const clock = { sentAtMs, receivedAtMs: Date.now() };
  const verdict = evaluatePreflight(state.facts, preflightOptionsFor(fleet.options.config, state.target, clock));
  state.summary.profile = verdict.profile;
  state.summary.runtime = verdict.runtime;
  fleet.say(state.target.name, `preflight: ${verdict.checks.map((c) => `${c.name} ${c.status}`).join(', ')}`);
  const privilege = state.operator!.privilege;
  state.summary.checks = [
    { name: 'ssh', status: 'ok', detail: `${state.operator!.label}${state.summary.via ? ` via ${state.summary.via}` : ''}, host key verified` },
    { name: 'root', status: 'ok', detail: privilege === 'root' ? 'logged in as root' : privilege === 'sudo-nopasswd' ? 'passwordless sudo' : 'sudo with password' },
    ...verdict.checks,
  ];
  const failed = verdict.checks.filter((c) => c.status === 'fail');
  if (failed.length > 0) throw new HostError('step', failed.map((c) => c.detail).join('; '));
  state.verdict = verdict;
}

/** What each live host needs (pure: plan/host-plan.ts). */
function planHosts(fleet: Fleet, token: string, source: InstallSource): void {
  const serverAddress = fleet.server.target.ssh.host;
  for (const state of fleet.live()) {
    state.work = planHostWork({
      target: state.target, facts: state.facts!, preflight: state.verdict!, inventory: fleet.options.config,
      token, serverAddress, source,
    });
    state.summary.warnings.push(...state.work.warnings);
    state.summary.unchanged.push(...state.work.unchanged);
    if (state.work.error) fleet.fail(state, new HostError('step', state.work.error));
  }
}

/** Dry run: the steps each host would run, secrets redacted. */
function showPlannedSteps(fleet: Fleet): void {
  for (const state of fleet.hosts) {
    if (!state.work || state.work.error) continue;
    state.summary.plannedSteps = state.work.steps.map((s) => ({ title: s.action, script: fleet.redact(s.shownScript), uploads: s.uploads }));
    for (const step of state.work.steps) fleet.say(state.target.name, `will: ${step.action}`);
    if (state.work.steps.length === 0) fleet.say(state.target.name, 'nothing to change');
  }
}
