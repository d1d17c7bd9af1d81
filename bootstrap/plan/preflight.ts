/**
 * Preflight: one read-only probe script per host (run as root, so root-only files are
 * readable), its parser, and the verdict on what the host needs or lacks.
 */
import type { BoardProfileName } from '../../lib/board-profiles';
import type { HostConfig, InventoryConfig } from '../../lib/config/inventory-schema';
import { evaluateBoardGeneration } from './board-checks';
import { boardText, declaredProfilesOf, profileModeOf } from './board-profile';
import { CLOCK_PROBE_LINE, UNREADABLE_CLOCK, evaluateClock, parseBoardClock } from './clock';
import { DAEMON_JSON_PATH, planDaemonJson } from './daemon-json';
import { NVIDIA_RUNTIME_PROBE, evaluateNvidiaRuntime, parseNvidiaRuntime } from './nvidia-runtime';
import type { HostFacts, PreflightOptions } from './host-facts';
import type { PreflightCheck } from './preflight-check';
import { POWER_PROBE, desiredPowerMode, evaluatePowerMode, parsePowerFacts, type PowerModeVerdict } from './power-mode';

export type { HostFacts, PreflightOptions } from './host-facts';
export type { CheckStatus, PreflightCheck } from './preflight-check';

export const K3S_FINGERPRINT_PATH = '/etc/rancher/k3s/triton-jetson.fingerprint';
const DAEMON_JSON_MARKER = '---triton-jetson:daemon.json---';


/**
 * Root shell script printing `key=value` lines, then daemon.json after a marker line. The
 * clock comes first, so that the round trip around the probe bounds when it was read.
 */
export const PROBE_SCRIPT = `
${CLOCK_PROBE_LINE}
echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname)"
echo "arch=$(uname -m)"
if [ -r /etc/nv_tegra_release ]; then echo "l4t=$(head -n 1 /etc/nv_tegra_release)"; fi
awk '$1 == "MemTotal:" { print "memtotal_kb=" $2 }' /proc/meminfo 2>/dev/null || true
if command -v docker >/dev/null 2>&1; then
  echo docker=yes
  echo "docker_runtime=$(docker info --format '{{.DefaultRuntime}}' 2>/dev/null || true)"
else
  echo docker=no
fi
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  echo cgroup=v2
  if grep -qw memory /sys/fs/cgroup/cgroup.controllers; then echo memcg=yes; else echo memcg=no; fi
else
  echo cgroup=v1
  if awk '$1 == "memory" && $4 == "1" { found = 1 } END { exit !found }' /proc/cgroups; then echo memcg=yes; else echo memcg=no; fi
fi
# What the kubelet needs from nfs-common is mount.nfs.
if command -v mount.nfs >/dev/null 2>&1 || [ -x /sbin/mount.nfs ] || [ -x /usr/sbin/mount.nfs ]; then echo nfs=yes; else echo nfs=no; fi
if command -v apt-get >/dev/null 2>&1; then echo apt=yes; else echo apt=no; fi
if [ -x /usr/local/bin/k3s ]; then echo "k3s_version=$(/usr/local/bin/k3s --version 2>/dev/null | head -n 1 | awk '{print $3}')"; fi
if [ -r ${K3S_FINGERPRINT_PATH} ]; then echo "k3s_fingerprint=$(cat ${K3S_FINGERPRINT_PATH})"; fi
# One systemctl call prints both states, in order (one line per unit).
states=$(systemctl is-active k3s k3s-agent 2>/dev/null || true)
echo "k3s_active=$(printf '%s\\n' "$states" | sed -n 1p)"
echo "k3s_agent_active=$(printf '%s\\n' "$states" | sed -n 2p)"
if [ -x /usr/local/bin/k3s-uninstall.sh ]; then echo k3s_uninstall=yes; fi
if [ -x /usr/local/bin/k3s-agent-uninstall.sh ]; then echo k3s_agent_uninstall=yes; fi
${NVIDIA_RUNTIME_PROBE}
${POWER_PROBE}
echo '${DAEMON_JSON_MARKER}'
if [ -e ${DAEMON_JSON_PATH} ]; then echo present; cat ${DAEMON_JSON_PATH}; else echo absent; fi
`;

/** Parses the probe's output. */
export function parseProbe(stdout: string): HostFacts {
  const markerAt = stdout.indexOf(`${DAEMON_JSON_MARKER}\n`);
  if (markerAt < 0) throw new Error('preflight probe output is incomplete (the node\'s shell stopped early); run it by hand with `sh -x` to see why');
  const head = stdout.slice(0, markerAt);
  const tail = stdout.slice(markerAt + DAEMON_JSON_MARKER.length + 1);
  const values = new Map<string, string>();
  const lines = head.split('\n');
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const yes = (key: string) => values.get(key) === 'yes';
  let daemonJson: string | undefined;
  if (tail.startsWith('present\n')) daemonJson = tail.slice('present\n'.length);
  else if (tail.trim() === 'present') daemonJson = '';
  return {
    hostname: values.get('hostname') ?? '',
    arch: values.get('arch') ?? '',
    l4tRelease: values.get('l4t') || undefined,
    dockerPresent: yes('docker'),
    dockerDefaultRuntime: values.get('docker_runtime') ?? '',
    memoryCgroup: yes('memcg'),
    cgroupVersion: values.get('cgroup') === 'v2' ? 'v2' : 'v1',
    nfsCommon: yes('nfs'),
    aptGet: yes('apt'),
    k3sVersion: values.get('k3s_version') || undefined,
    k3sFingerprint: values.get('k3s_fingerprint') || undefined,
    k3sServerActive: values.get('k3s_active') === 'active',
    k3sAgentActive: values.get('k3s_agent_active') === 'active',
    k3sUninstall: yes('k3s_uninstall'),
    k3sAgentUninstall: yes('k3s_agent_uninstall'),
    daemonJson,
    // A kernel always sees some memory: 0 is no reading (not a 0Gi board to size Triton for).
    memTotalKb: /^[1-9]\d{0,11}$/.test(values.get('memtotal_kb') ?? '') ? Number(values.get('memtotal_kb')) : undefined,
    clockEpochSeconds: parseBoardClock(values.get('clock')),
    nvidiaRuntime: parseNvidiaRuntime(values.get('nvidia_runtime')),
    power: parsePowerFacts(lines),
  };
}

/** JetPack release of each L4T release a Jetson Nano can run. */
const JETPACK_BY_L4T: Readonly<Record<string, string>> = {
  'R32.4.3': '4.4', 'R32.4.4': '4.4.1', 'R32.5.0': '4.5', 'R32.5.1': '4.5.1', 'R32.5.2': '4.5.1',
  'R32.6.1': '4.6', 'R32.7.1': '4.6.1', 'R32.7.2': '4.6.2', 'R32.7.3': '4.6.3', 'R32.7.4': '4.6.4',
  'R32.7.5': '4.6.5', 'R32.7.6': '4.6.6',
};

/** "# R32 (release), REVISION: 7.1, ..." → { l4t: "R32.7.1", jetpack: "4.6.1" }. */
export function parseL4tRelease(line: string): { readonly l4t: string; readonly jetpack?: string } | undefined {
  const match = /R(\d+)\s*\(release\),\s*REVISION:\s*([\d.]+)/.exec(line);
  if (!match) return undefined;
  const l4t = `R${match[1]}.${match[2]}`;
  return { l4t, jetpack: JETPACK_BY_L4T[l4t] };
}



/** What the preflight reads of the description: the inventory sections and triton.profiles. */
export type PreflightConfig = Pick<InventoryConfig, 'k3s' | 'hostPrep' | 'nodes'> & { readonly triton?: { readonly profiles?: readonly string[] } };

/** The preflight's options for one node of the description (bootstrap, plan and plan --offline). */
export function preflightOptionsFor(
  config: PreflightConfig,
  node: { readonly name: string; readonly config: HostConfig },
  clock?: PreflightOptions['clock'],
): PreflightOptions {
  return {
    runtime: config.k3s.runtime, installNfsCommon: config.hostPrep.installNfsCommon, k3sVersion: config.k3s.version,
    profileMode: profileModeOf(config), declaredProfiles: declaredProfilesOf(config),
    declaredProfile: node.config.profile, declaredMemory: node.config.memory, nodeName: node.name,
    powerMode: node.config.powerMode, profilePowerModes: config.hostPrep.powerModes, clock,
  };
}

/**
 * A K3s version as a key for ordering: "v1.34.1+k3s2" → [1, 34, 1, 1, 0, 2], a release
 * candidate "v1.34.1-rc2+k3s1" → [1, 34, 1, 0, 2, 1] (before its release, as in semver;
 * K3s tags candidates so and kubelets report them so); undefined when unrecognised.
 */
export function k3sVersionKey(version: string): number[] | undefined {
  const m = /^v(\d+)\.(\d+)\.(\d+)(?:-rc(\d+))?(?:\+k3s(\d+))?$/.exec(version);
  if (!m) return undefined;
  return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : 0, Number(m[4] ?? 0), Number(m[5] ?? 0)];
}

function isNewer(a: string, b: string): boolean {
  const ka = k3sVersionKey(a);
  const kb = k3sVersionKey(b);
  if (!ka || !kb) return false;
  for (let i = 0; i < ka.length; i += 1) if (ka[i] !== kb[i]) return ka[i] > kb[i];
  return false;
}

/** The verdict on a host; `isJetson` decides the Jetson node label. */
export interface PreflightResult {
  readonly checks: readonly PreflightCheck[];
  readonly isJetson: boolean;
  readonly failed: boolean;
  /** The board's profile: declared and/or detected from /etc/nv_tegra_release. */
  readonly profile?: BoardProfileName;
  /** The runtime this node's K3s uses: containerd on JetPack 5/6, else k3s.runtime. */
  readonly runtime: 'docker' | 'containerd';
  /** The power mode asked for and what it takes. */
  readonly power: PowerModeVerdict;
}

export function evaluatePreflight(facts: HostFacts, options: PreflightOptions): PreflightResult {
  const checks: PreflightCheck[] = [];
  const clock = options.clock && facts.clockEpochSeconds !== undefined
    ? evaluateClock({ boardEpochSeconds: facts.clockEpochSeconds, ...options.clock })
    : options.clock ? { name: 'clock', status: 'warn' as const, detail: UNREADABLE_CLOCK } : undefined;
  if (clock) checks.push(clock);
  const arm64 = facts.arch === 'aarch64' || facts.arch === 'arm64';
  checks.push(arm64
    ? { name: 'arch', status: 'ok', detail: facts.arch }
    : { name: 'arch', status: 'fail', detail: `architecture is "${facts.arch}"; Jetson images are linux/arm64, so every node must be aarch64` });

  const release = facts.l4tRelease ? parseL4tRelease(facts.l4tRelease) : undefined;
  const isJetson = arm64 && release !== undefined;
  if (release) {
    checks.push({ name: 'l4t', status: 'ok', detail: `L4T ${release.l4t}${release.jetpack ? ` (JetPack ${release.jetpack})` : ''}` });
  } else {
    checks.push({ name: 'l4t', status: 'warn', detail: facts.l4tRelease ? `unrecognised /etc/nv_tegra_release: "${boardText(facts.l4tRelease)}"; not labelled as a Jetson` : 'no /etc/nv_tegra_release: not a Jetson (no GPU for Triton); not labelled as a Jetson' });
  }

  const generation = evaluateBoardGeneration(facts, options);
  checks.push(...generation.checks);
  const profile = generation.profile;
  const runtime = generation.runtime;

  if (runtime === 'docker') {
    checks.push(facts.dockerPresent
      ? { name: 'docker', status: 'ok', detail: `present, default runtime "${boardText(facts.dockerDefaultRuntime) || 'unknown'}"` }
      : { name: 'docker', status: 'fail', detail: 'docker not found; k3s.runtime "docker" needs JetPack\'s Docker (or set k3s.runtime: containerd)' });
  }

  if (runtime === 'containerd' && isJetson) checks.push(evaluateNvidiaRuntime(facts.nvidiaRuntime));
  if (runtime === 'docker') {
    const daemon = planDaemonJson(facts.daemonJson);
    if (daemon.kind === 'error') checks.push({ name: 'nvidia-runtime', status: 'fail', detail: daemon.message });
    else if (daemon.kind === 'update') checks.push({ name: 'nvidia-runtime', status: 'fix', detail: `registered in ${DAEMON_JSON_PATH}; will become Docker's default runtime` });
    else checks.push({ name: 'nvidia-runtime', status: 'ok', detail: `Docker's default runtime in ${DAEMON_JSON_PATH}` });
  }

  checks.push(facts.memoryCgroup
    ? { name: 'memory-cgroup', status: 'ok', detail: `enabled (cgroup ${facts.cgroupVersion})` }
    : { name: 'memory-cgroup', status: 'fail', detail: 'memory cgroup disabled; add "cgroup_enable=memory cgroup_memory=1" to the APPEND line of /boot/extlinux/extlinux.conf and reboot' });

  if (facts.nfsCommon) checks.push({ name: 'nfs-common', status: 'ok', detail: 'installed' });
  else if (options.installNfsCommon && facts.aptGet) checks.push({ name: 'nfs-common', status: 'fix', detail: 'missing; will be installed with apt-get' });
  else checks.push({ name: 'nfs-common', status: 'warn', detail: 'missing; NFS volumes will not mount until it is installed (apt-get install nfs-common)' });

  if (facts.k3sVersion && options.k3sVersion) {
    const running = facts.k3sServerActive || facts.k3sAgentActive;
    if (isNewer(facts.k3sVersion, options.k3sVersion)) {
      checks.push({ name: 'k3s-version', status: 'fail', detail: `K3s ${facts.k3sVersion} is installed, newer than k3s.version ${options.k3sVersion}; K3s does not support downgrades: set k3s.version to ${facts.k3sVersion} if it is v1.34 or older, or reset the node first` });
    } else if (facts.k3sVersion === options.k3sVersion) {
      checks.push({ name: 'k3s-version', status: 'ok', detail: `${facts.k3sVersion} installed` });
    } else if (running) {
      // Reinstalling every running board at once would take all agents down together.
      checks.push({ name: 'k3s-version', status: 'fail', detail: `K3s ${facts.k3sVersion} runs here and k3s.version is ${options.k3sVersion}: a version change goes one board at a time (cordon, drain, restart, uncordon) with \`triton-jetson upgrade\` (docs/operations.md), or set k3s.version back to ${facts.k3sVersion}` });
    } else {
      checks.push({ name: 'k3s-version', status: 'fix', detail: `${facts.k3sVersion} installed but not running; will be reinstalled as ${options.k3sVersion}` });
    }
  }

  const power = evaluatePowerMode(facts.power, desiredPowerMode(options.powerMode, profile, options.profilePowerModes));
  checks.push(...power.checks);

  return { checks, isJetson, failed: checks.some((c) => c.status === 'fail'), profile, runtime, power };
}

/** Root script installing nfs-common without questions. */
export const INSTALL_NFS_COMMON_SCRIPT = [
  'set -eu',
  'export DEBIAN_FRONTEND=noninteractive',
  'apt-get install -y --no-install-recommends nfs-common >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends nfs-common >/dev/null; }',
].join('\n');
