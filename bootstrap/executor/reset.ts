/** `reset`: uninstall K3s, restore daemon.json from its backup, drop the kubeconfig context. */
import { DAEMON_JSON_PATH, RESTORE_DAEMON_JSON_SCRIPT } from '../plan/daemon-json';
import { UNINSTALL_K3S_SCRIPT } from '../plan/k3s-install';
import { Fleet, type HostState } from './fleet';
import { checkKubeconfigBeforeRun, pruneKubeconfig } from './kubeconfig';
import type { RunOptions, RunSummary } from './options';

const RESET_STEPS = [
  { title: 'uninstall K3s (k3s-uninstall.sh / k3s-agent-uninstall.sh)', script: UNINSTALL_K3S_SCRIPT },
  { title: `restore ${DAEMON_JSON_PATH} from its backup`, script: RESTORE_DAEMON_JSON_SCRIPT },
];

export async function runReset(options: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  const fleet = new Fleet(options);
  const dryRun = options.dryRun ?? false;
  const summary: RunSummary = { command: 'reset', dryRun, ok: false, hosts: fleet.hosts.map((h) => h.summary), durationMs: 0 };
  checkKubeconfigBeforeRun(fleet);
  try {
    await fleet.connect();
    await fleet.eachLive(async (state) => (dryRun ? showReset(fleet, state) : resetHost(fleet, state)), dryRun ? undefined : 'done');
    if (!dryRun) summary.kubeconfig = pruneKubeconfig(fleet);
    summary.ok = fleet.hosts.every((h) => h.summary.status === 'ok') && summary.kubeconfig?.error === undefined;
    return summary;
  } finally {
    await fleet.close();
    summary.durationMs = Date.now() - started;
  }
}

function showReset(fleet: Fleet, state: HostState): void {
  state.summary.plannedSteps = RESET_STEPS.map((s) => ({ ...s, uploads: [] }));
  for (const s of RESET_STEPS) fleet.say(state.target.name, `will: ${s.title}`);
}

async function resetHost(fleet: Fleet, state: HostState): Promise<void> {
  const uninstalled = (await fleet.root(state, UNINSTALL_K3S_SCRIPT, 'K3s uninstall')).trim().split('\n').pop() ?? '';
  const ran = uninstalled.replace(/^uninstalled:/, '').trim();
  if (ran) state.summary.changed.push(`K3s uninstalled (${ran})`);
  else state.summary.unchanged.push('K3s was not installed');
  const restored = (await fleet.root(state, RESTORE_DAEMON_JSON_SCRIPT, 'daemon.json restore')).trim().split('\n').pop();
  if (restored === 'restored') state.summary.changed.push('daemon.json restored from backup; Docker restarted');
  else if (restored === 'same') state.summary.changed.push('daemon.json backup removed (same as current)');
  else state.summary.unchanged.push('daemon.json has no backup (never changed by triton-jetson)');
  fleet.say(state.target.name, [...state.summary.changed].join('; ') || 'nothing to reset');
}
