/**
 * What one host needs, decided from its preflight facts alone (pure): the root scripts to
 * run, in order, and what is already right. The executor runs these; the dry run prints them.
 */
import type { InventoryConfig } from '../../lib/config/inventory-schema';
import {
  DAEMON_JSON_PATH, DOCKER_DEFAULT_RUNTIME_COMMAND, RESTART_DOCKER_SCRIPT, planDaemonJson, writeDaemonJsonScript,
} from './daemon-json';
import { airGapUploads, type AirGapStaging, type AirGapUpload } from './air-gap';
import {
  START_AGENT_SCRIPT, installScript, isInstallCurrent, planK3sInstall, redactedInstallScript,
  type InstallSource, type K3sInstallPlan,
} from './k3s-install';
import { INSTALL_NFS_COMMON_SCRIPT, type HostFacts, type PreflightResult } from './preflight';
import type { NodeTarget } from './targets';
import { boardText, profileNodeLabels } from './board-profile';
import { runtimeRegistrationScript } from './nvidia-runtime';
import { POWER_MODE_DONE, powerModeScript } from './power-mode';

export interface RootStep {
  readonly id: 'nfs-common' | 'power-mode' | 'daemon-json' | 'docker-restart' | 'k3s-install' | 'k3s-agent-start' | 'nvidia-runtime';
  /**
   * Prepare steps run right away; agents' install steps overlap the server's (after the
   * server is prepared); agents' start steps wait for the server's install. Verify steps
   * run once every install is done (executor/nvidia-runtime.ts) and report what they found.
   */
  readonly phase: 'prepare' | 'install' | 'start' | 'verify';
  /** What the step changed, as the summary of a run reports it (past: "installed nfs-common"). */
  readonly change: string;
  /** What the step will do, as a plan shows it (imperative: "install nfs-common"). */
  readonly action: string;
  /** The script sent to `sh -s` as root (may hold the token). */
  readonly script: string;
  /** The script as shown in a dry run (secrets redacted). */
  readonly shownScript: string;
  /** Files copied to the node first (air-gap), into a private folder the SSH user makes. */
  readonly uploads: readonly AirGapUpload[];
  /** With uploads: the script to run once they are in `staging` (`script` shows the planned folder). */
  readonly stagedScript?: (staging: AirGapStaging) => string;
  /** The script's last stdout line must be this, else the step failed with `error`. */
  readonly expectLastLine?: { readonly value: string; readonly error: string };
}

export interface HostWork {
  readonly steps: readonly RootStep[];
  /** Things already right, for the summary. */
  readonly unchanged: readonly string[];
  readonly warnings: readonly string[];
  /** Set when the host must stop (e.g. malformed daemon.json); nothing is run on it. */
  readonly error?: string;
  readonly install: K3sInstallPlan;
}

export interface HostWorkInput {
  readonly target: NodeTarget;
  readonly facts: HostFacts;
  readonly preflight: PreflightResult;
  readonly inventory: InventoryConfig;
  readonly token: string;
  readonly serverAddress: string;
  readonly source: InstallSource;
}

const DOCKER_RUNTIME_CHECK = {
  value: 'nvidia',
  error: `after the restart, \`docker info\` does not report "nvidia" as the default runtime; check ${DAEMON_JSON_PATH} and \`journalctl -u docker\``,
};

export function planHostWork(input: HostWorkInput): HostWork {
  const { target, facts, preflight, inventory, token } = input;
  const steps: RootStep[] = [];
  const unchanged: string[] = [];
  const warnings = preflight.checks.filter((c) => c.status === 'warn').map((c) => `${c.name}: ${c.detail}`);
  const k3s = inventory.k3s;
  const install = planK3sInstall({
    role: target.role,
    nodeName: target.name,
    serverUrl: `https://${input.serverAddress}:6443`,
    serverAddress: input.serverAddress,
    version: k3s.version,
    // By profile in profile mode (JetPack 5/6 boards: containerd), else k3s.runtime.
    runtime: preflight.runtime,
    disable: k3s.disable,
    extraArgs: [...k3s.extraArgs, ...(target.role === 'server' ? k3s.serverArgs : k3s.agentArgs), ...target.config.extraArgs],
    labels: preflight.profile ? { ...target.config.labels, ...profileNodeLabels(preflight.profile) } : target.config.labels,
    jetsonLabel: k3s.labelJetsonNodes && preflight.isJetson,
    source: input.source,
  }, token);

  if (!facts.nfsCommon && preflight.checks.some((c) => c.name === 'nfs-common' && c.status === 'fix')) {
    steps.push(rootStep('nfs-common', 'prepare', 'installed nfs-common', 'install nfs-common', INSTALL_NFS_COMMON_SCRIPT));
  } else if (facts.nfsCommon) {
    unchanged.push('nfs-common already installed');
  }

  // Before K3s: the board's power mode (nvpmodel, jetson_clocks), kept across reboots.
  const power = preflight.power;
  if (power.desired && power.change) {
    steps.push({
      ...rootStep('power-mode', 'prepare', power.change, `set ${power.change}`, powerModeScript(power.desired)),
      expectLastLine: { value: POWER_MODE_DONE, error: 'the power mode was not applied; run `sudo nvpmodel -q` on the board' },
    });
  }
  if (power.unchanged) unchanged.push(power.unchanged);

  // daemon.json only where Docker runs.
  if (preflight.runtime === 'docker') {
    const daemon = planDaemonJson(facts.daemonJson);
    if (daemon.kind === 'error') return { steps: [], unchanged, warnings, error: daemon.message, install };
    const verify = `\n${DOCKER_DEFAULT_RUNTIME_COMMAND}`;
    if (daemon.kind === 'update') {
      const script = writeDaemonJsonScript(daemon.after) + verify;
      steps.push({
        ...rootStep('daemon-json', 'prepare', `daemon.json: default-runtime ${daemon.previousDefault ?? '(unset)'} → nvidia (backup ${DAEMON_JSON_PATH}.triton-jetson.bak); Docker restarted`,
          `make nvidia Docker's default runtime: daemon.json default-runtime ${daemon.previousDefault ?? '(unset)'} → nvidia (backup ${DAEMON_JSON_PATH}.triton-jetson.bak), restart Docker`, script),
        expectLastLine: DOCKER_RUNTIME_CHECK,
      });
    } else if (facts.dockerDefaultRuntime !== 'nvidia') {
      unchanged.push('daemon.json already sets default-runtime nvidia');
      steps.push({
        ...rootStep('docker-restart', 'prepare', `Docker restarted (its default runtime was "${boardText(facts.dockerDefaultRuntime) || 'unknown'}", daemon.json says nvidia)`,
          `restart Docker (its default runtime is "${boardText(facts.dockerDefaultRuntime) || 'unknown'}", daemon.json says nvidia)`, RESTART_DOCKER_SCRIPT + verify),
        expectLastLine: DOCKER_RUNTIME_CHECK,
      });
    } else {
      unchanged.push('daemon.json already sets default-runtime nvidia; Docker uses it');
    }
  }

  const roleName = target.role === 'server' ? 'server' : 'agent';
  if (isInstallCurrent(install, facts)) {
    unchanged.push(`K3s ${install.version} (${roleName}) already installed with these settings and running`);
  } else {
    const sameInstall = facts.k3sVersion === install.version && facts.k3sFingerprint === install.fingerprint;
    const [what, action] = !facts.k3sVersion
      ? [`installed K3s ${install.version} (${roleName})`, `install K3s ${install.version} (${roleName})`]
      : sameInstall
        ? [`K3s ${install.version} (${roleName}) was not running: installer rerun with the same settings, service started`,
          `rerun the K3s ${install.version} installer with the same settings and start the ${roleName} (it is not running)`]
        : [`K3s ${facts.k3sVersion} → ${install.version} (${roleName}, settings updated)`, `reinstall K3s ${facts.k3sVersion} → ${install.version} (${roleName}, settings updated)`];
    steps.push(k3sInstallStep(install, token, what, action));
    if (target.role === 'agent') {
      steps.push(rootStep('k3s-agent-start', 'start', `started k3s-agent (joined https://${input.serverAddress}:6443)`,
        `start k3s-agent (join https://${input.serverAddress}:6443)`, START_AGENT_SCRIPT));
    }
  }
  // K3s' containerd registers the nvidia runtime only if it found it when it started: look
  // after every install (and on reruns), restarting K3s if the runtime came later.
  if (preflight.runtime === 'containerd' && preflight.isJetson) {
    const check = `check that K3s registered the containerd runtime "nvidia" (restart ${install.serviceName} if the runtime appeared after it started)`;
    steps.push(rootStep('nvidia-runtime', 'verify', check, check, runtimeRegistrationScript(install.serviceName)));
  }
  return { steps, unchanged, warnings, install };
}

/**
 * The step that runs K3s' installer (bootstrap and upgrade alike): from the air-gap files when
 * there are any, uploaded into a private folder and run only from root's checked copies.
 */
export function k3sInstallStep(install: K3sInstallPlan, token: string, change: string, action: string): RootStep {
  return {
    id: 'k3s-install',
    phase: 'install',
    change,
    action,
    script: installScript(install, token),
    shownScript: redactedInstallScript(install),
    uploads: install.source.kind === 'airgap' ? airGapUploads(install.source.files) : [],
    ...(install.source.kind === 'airgap' ? { stagedScript: (staging: AirGapStaging) => installScript(install, token, staging) } : {}),
  };
}

function rootStep(id: RootStep['id'], phase: RootStep['phase'], change: string, action: string, script: string): RootStep {
  return { id, phase, change, action, script, shownScript: script, uploads: [] };
}
