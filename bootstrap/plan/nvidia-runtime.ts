/**
 * The NVIDIA container runtime on boards that run K3s' containerd (pure). K3s adds the
 * containerd runtime "nvidia" only when it finds `nvidia-container-runtime` while it starts
 * (k3s-io/k3s pkg/agent/containerd/config_linux.go: `runtimesPath =
 * "/usr/local/nvidia/toolkit:/opt/kwasm/bin"` put before the service's PATH, then
 * runtimes.go's findNvidiaContainerRuntimes looks the binary up with exec.LookPath), but
 * always ships the RuntimeClass "nvidia" (manifests/runtimes.yaml). A board without the
 * runtime, or where it was installed after K3s started, therefore gets Triton pods that
 * fail at sandbox creation. docs/profiles.md has the sources.
 */
import type { PreflightCheck } from './preflight-check';

export const NVIDIA_RUNTIME_BINARY = 'nvidia-container-runtime';

/**
 * Where K3s finds it: the two folders it prepends, then the PATH of its systemd service
 * (K3s' unit sets none, so systemd's default; docs.k3s.io "Alternative Container Runtime
 * Support" names /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin).
 */
export const K3S_RUNTIME_SEARCH_PATH: readonly string[] = [
  '/usr/local/nvidia/toolkit', '/opt/kwasm/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin',
];

/** The containerd configuration K3s generates at every start (docs.k3s.io, "Configuring containerd"). */
export const K3S_CONTAINERD_CONFIG = '/var/lib/rancher/k3s/agent/etc/containerd/config.toml';

/**
 * The runtime's table in that file: containerd config version 2 (K3s with containerd 1.7)
 * writes `[plugins."io.containerd.grpc.v1.cri".containerd.runtimes."nvidia"]`, version 3
 * (containerd 2.0, K3s v1.31.6+/v1.32.2+) `[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.'nvidia']`.
 * An extended regular expression, for `grep -E` on the board.
 */
export const NVIDIA_RUNTIME_TABLE_ERE = '^\\[plugins\\..*containerd\\.runtimes\\..?nvidia.?\\]';

/** Probe lines: the first nvidia-container-runtime on K3s' search path, as `nvidia_runtime=<path>`. */
export const NVIDIA_RUNTIME_PROBE = [
  `for d in ${K3S_RUNTIME_SEARCH_PATH.join(' ')}; do`,
  `  if [ -f "$d/${NVIDIA_RUNTIME_BINARY}" ] && [ -x "$d/${NVIDIA_RUNTIME_BINARY}" ]; then echo "nvidia_runtime=$d/${NVIDIA_RUNTIME_BINARY}"; break; fi`,
  'done',
].join('\n');

/** The probe's value, when it is one of the paths K3s searches (anything else is not trusted). */
export function parseNvidiaRuntime(value: string | undefined): string | undefined {
  return K3S_RUNTIME_SEARCH_PATH.some((dir) => value === `${dir}/${NVIDIA_RUNTIME_BINARY}`) ? value : undefined;
}

/** The install command of the fix (JetPack's apt repository carries the toolkit). */
export const NVIDIA_RUNTIME_INSTALL = 'sudo apt-get install nvidia-container-toolkit';

/** The preflight check of a Jetson that will run K3s on containerd. */
export function evaluateNvidiaRuntime(path: string | undefined): PreflightCheck {
  if (path) return { name: 'nvidia-runtime', status: 'ok', detail: `${path}; K3s registers it as the containerd runtime "nvidia" when it starts` };
  return {
    name: 'nvidia-runtime', status: 'fail',
    detail: `${NVIDIA_RUNTIME_BINARY} not found where K3s looks (${K3S_RUNTIME_SEARCH_PATH.join(', ')}): K3s on containerd adds its "nvidia" runtime only when it finds it at start, `
      + 'so Triton pods (runtimeClassName: nvidia) would fail at sandbox creation; '
      + `install it (\`${NVIDIA_RUNTIME_INSTALL}\`; on JetPack 5/6 the \`nvidia-container\` package of JetPack installs it too) and run bootstrap again`,
  };
}

/** The last line of the registration check: what it found or did. */
export type RuntimeRegistration = 'registered' | 'restarted' | 'missing';

/**
 * Root script run after the install (containerd boards): does K3s' generated config hold
 * the "nvidia" runtime? If not (the runtime appeared after K3s started), restart the K3s
 * service, which regenerates the file, and look again for up to a minute.
 */
export function runtimeRegistrationScript(service: 'k3s' | 'k3s-agent'): string {
  return [
    'set -eu',
    `cfg=${K3S_CONTAINERD_CONFIG}`,
    `registered() { [ -f "$cfg" ] && grep -Eq '${NVIDIA_RUNTIME_TABLE_ERE}' "$cfg"; }`,
    'if registered; then echo registered; exit 0; fi',
    `systemctl restart ${service}`,
    'i=0',
    'while [ "$i" -lt 60 ]; do',
    '  if registered; then echo restarted; exit 0; fi',
    '  sleep 1; i=$((i + 1))',
    'done',
    'echo missing',
  ].join('\n');
}

/** The registration check's last line, or undefined when it printed something else. */
export function parseRuntimeRegistration(stdout: string): RuntimeRegistration | undefined {
  const last = stdout.trim().split('\n').pop()?.trim();
  return last === 'registered' || last === 'restarted' || last === 'missing' ? last : undefined;
}

/** How the summary words each outcome. */
export function describeRuntimeRegistration(outcome: RuntimeRegistration | undefined, service: 'k3s' | 'k3s-agent'): { readonly changed?: string; readonly unchanged?: string; readonly error?: string } {
  switch (outcome) {
    case 'registered':
      return { unchanged: `K3s registered the containerd runtime "nvidia" (${K3S_CONTAINERD_CONFIG})` };
    case 'restarted':
      return { changed: `${service} restarted: ${NVIDIA_RUNTIME_BINARY} appeared after K3s started; K3s now registers the containerd runtime "nvidia"` };
    default:
      return {
        error: `K3s did not register the containerd runtime "nvidia": ${K3S_CONTAINERD_CONFIG} has no nvidia runtime table even after restarting ${service}, `
          + `so Triton pods (runtimeClassName: nvidia) would fail at sandbox creation; look for "Found nvidia container runtime" in \`journalctl -u ${service}\``,
      };
  }
}
