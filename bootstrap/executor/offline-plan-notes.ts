/**
 * The words of `plan --offline` around its scripts: what the read-only preflight will check on
 * every board (so a plan tells what stops a board before it is touched), and what follows the
 * installs (token, kubeconfig, readiness, labels).
 */
import { JETSON_NODE_LABEL } from '../../lib/config/inventory-schema';
import { PROFILE_NODE_LABEL } from '../../lib/board-profiles';
import { CLOCK_FAIL_SECONDS, CLOCK_WARN_SECONDS } from '../plan/clock';
import { GET_NODES_SCRIPT, K3S_API_PORT, K3S_KUBECONFIG_PATH, type InstallSource } from '../plan/k3s-install';
import { K3S_FINGERPRINT_PATH } from '../plan/preflight';
import type { NodeTarget } from '../plan/targets';
import { resolveKubeconfigPath, type BootstrapConfig, type RunOptions } from './options';

const RUNTIME_CHECKS: Record<'docker' | 'containerd', string> = {
  docker: 'on Docker boards (JetPack 4 with k3s.runtime docker) Docker and the nvidia runtime registered in /etc/docker/daemon.json',
  containerd: 'on containerd boards (JetPack 5/6, or k3s.runtime containerd) nvidia-container-runtime where K3s looks for it, and after the install that K3s registered it',
};

/**
 * What the preflight probe will read and judge on every board, in the order it checks; the
 * container runtime checks of the runtimes the plan's boards use (an all-Orin plan says nothing of Docker).
 */
export function preflightChecks(runtimes: ReadonlySet<'docker' | 'containerd'> = new Set(['docker', 'containerd'])): string[] {
  const runtimeChecks = (['docker', 'containerd'] as const).filter((r) => runtimes.has(r)).map((r) => RUNTIME_CHECKS[r]);
  return [
    `clock: the board's against this machine's (the probe's first line, the round trip accounted for): a warning beyond ${CLOCK_WARN_SECONDS} s, `
      + `the board stopped beyond ${CLOCK_FAIL_SECONDS / 3600} h (K3s certificates "not yet valid", x509 errors when joining)`,
    'architecture aarch64, and /etc/nv_tegra_release: the L4T release tells the board\'s profile (R32 jetpack4, R35 jetpack5, R36 jetpack6); a declared profile must match',
    'module memory: MemTotal rounded to the Jetson module it belongs to, against nodes[].memory; the newest K3s the board allows (cgroup v1: v1.34)',
    ...(runtimeChecks.length > 0 ? [`container runtime: ${runtimeChecks.join('; ')}`] : []),
    'memory cgroup enabled; nfs-common (mount.nfs), installed with apt-get when missing',
    'an installed K3s: newer than k3s.version, or running another version, stops the board (versions change with `triton-jetson upgrade`)',
    'power mode: nvpmodel\'s current mode and boot default, and jetson_clocks, against nodes[].powerMode or hostPrep.powerModes (left as they are when neither is set)',
  ];
}

export interface AfterwardsInput {
  readonly options: RunOptions;
  readonly config: BootstrapConfig;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly targets: readonly NodeTarget[];
  readonly serverAddress: string;
  readonly readyTimeout: number;
  readonly tokenFile: string;
  readonly token: string | undefined;
  readonly tokenProblem: string | undefined;
  readonly source: InstallSource;
}

/** The installer, the order, the token, the kubeconfig merge, readiness and labels. */
export function afterwardsNotes(input: AfterwardsInput): string[] {
  const { config, targets, serverAddress } = input;
  const server = targets[0].name;
  const context = config.kubeconfig.context;
  const kubeconfigPath = resolveKubeconfigPath(input.options, input.home, input.env);
  const installer = input.source.kind === 'airgap'
    ? `the K3s installer and binary come from k3s.airGapDir, copied to each board and checked there against their sha256 before they run`
    : input.source.sha256Url
      ? `the K3s installer is the install.sh of release ${config.k3s.version} itself (${input.source.scriptUrl}), checked against that release's `
        + 'install.sh.sha256sum before it runs; it checks the k3s binary against the release\'s sha256sum-arm64.txt'
      : `the K3s installer is ${input.source.scriptUrl}, run as given (k3s.installScriptUrl)`;
  return [
    installer,
    `the agents install while ${server} does, and start once its install is done; every board's install settings digest is kept in ${K3S_FINGERPRINT_PATH}: a rerun with the same settings skips the install`,
    input.tokenProblem
      ? `token: ${input.tokenProblem}`
      : input.token === undefined
        ? `token: taken from a running server or generated into ${input.tokenFile} before the installs (shown as <redacted>)`
        : `token: from ${input.tokenFile} (shown as <redacted>)`,
    `kubeconfig: on ${server}, ${K3S_KUBECONFIG_PATH} read as root; its server becomes https://${serverAddress}:${K3S_API_PORT}, its cluster/user/context "${context}", `
      + `merged into ${kubeconfigPath} (mode 0600)${config.kubeconfig.setCurrentContext ? `, "${context}" made the current context` : ''}`,
    `readiness: on ${server}, as root: ${GET_NODES_SCRIPT}, until all ${targets.length} boards are Ready (up to ${input.readyTimeout}s)`,
    `labels: K3s registers every board with ${config.k3s.labelJetsonNodes ? `${JETSON_NODE_LABEL}=true (a verified Jetson) and ` : ''}${PROFILE_NODE_LABEL}=<its profile> `
      + '(the Triton DaemonSets select on them) and its nodes[].labels; missing ones are then set with `k3s kubectl label node <name> --overwrite <key>=<value>`',
  ];
}
