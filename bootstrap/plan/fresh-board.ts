/**
 * The host state a freshly flashed Jetson Nano board shows the preflight probe (JetPack
 * 4.6.1 / L4T R32.7.1): what `plan --offline` assumes, so it can print the exact steps a
 * first bootstrap runs without connecting to anything.
 */
import type { HostFacts } from './preflight';

/** JetPack 4.6's /etc/docker/daemon.json (nvidia-docker2): the nvidia runtime is registered, not the default. */
export const JETPACK_DAEMON_JSON = '{\n    "runtimes": {\n        "nvidia": {\n            "path": "nvidia-container-runtime",\n            "runtimeArgs": []\n        }\n    }\n}\n';

/** First line of /etc/nv_tegra_release on L4T R32.7.1 (JetPack 4.6.1). */
export const L4T_R32_7_1 = '# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022';

/** The assumptions, in words, for the offline plan's header. */
export const FRESH_BOARD_ASSUMPTIONS = [
  'aarch64, JetPack 4.6.1 (L4T R32.7.1), memory cgroup enabled, apt-get available',
  'Docker running with /etc/docker/daemon.json registering runtimes.nvidia (default runtime still runc)',
  'no nfs-common (mount.nfs missing), no K3s installed',
] as const;

/** What the preflight probe would report on a freshly flashed board named `hostname`. */
export function freshBoardFacts(hostname: string): HostFacts {
  return {
    hostname,
    arch: 'aarch64',
    l4tRelease: L4T_R32_7_1,
    dockerPresent: true,
    dockerDefaultRuntime: 'runc',
    memoryCgroup: true,
    cgroupVersion: 'v1',
    nfsCommon: false,
    aptGet: true,
    k3sServerActive: false,
    k3sAgentActive: false,
    k3sUninstall: false,
    k3sAgentUninstall: false,
    daemonJson: JETPACK_DAEMON_JSON,
  };
}
