/**
 * The host state a freshly flashed Jetson Nano board shows the preflight probe (JetPack
 * 4.6.1 / L4T R32.7.1), or a freshly flashed Orin for a node declared jetpack5/jetpack6:
 * what `plan --offline` assumes, so it can print the exact steps a first bootstrap runs
 * without connecting to anything.
 */
import type { BoardProfileName } from '../../lib/board-profiles';
import type { HostFacts } from './preflight';

/** JetPack 4.6's /etc/docker/daemon.json (nvidia-docker2): the nvidia runtime is registered, not the default. */
export const JETPACK_DAEMON_JSON = '{\n    "runtimes": {\n        "nvidia": {\n            "path": "nvidia-container-runtime",\n            "runtimeArgs": []\n        }\n    }\n}\n';

/** First line of /etc/nv_tegra_release on L4T R32.7.1 (JetPack 4.6.1). */
export const L4T_R32_7_1 = '# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022';

/** The assumptions, in words, per profile, for the offline plan (a board of unknown profile is taken for a Nano). */
export const FRESH_BOARD_ASSUMPTIONS: Readonly<Record<BoardProfileName, string>> = {
  jetpack4: 'a Jetson Nano on JetPack 4.6.1 (L4T R32.7.1): aarch64, cgroup v1 with the memory controller, apt-get; Docker running, '
    + '/etc/docker/daemon.json registering runtimes.nvidia (nvidia-docker2) but the default runtime still runc; no nfs-common (mount.nfs), '
    + 'no K3s; nvpmodel in mode 0 (MAXN, also its boot default; the Nano has 0 = MAXN 10W and 1 = 5W), jetson_clocks not run at boot',
  jetpack5: 'an Orin or Xavier on JetPack 5.1.2 (L4T R35.4.1): aarch64, cgroup v1, apt-get, no Docker, /usr/bin/nvidia-container-runtime, '
    + 'no nfs-common, no K3s; its power modes depend on the module, so a powerMode is checked only when connected',
  jetpack6: 'an Orin on JetPack 6.2 (L4T R36.4.3): aarch64, cgroup v2, apt-get, no Docker, /usr/bin/nvidia-container-runtime, '
    + 'no nfs-common, no K3s; its power modes depend on the module, so a powerMode is checked only when connected',
};

/** First lines of /etc/nv_tegra_release of JetPack 5.1.2 (L4T R35.4.1) and 6.2 (L4T R36.4.3), as far as the preflight reads them. */
const ORIN_RELEASES: Readonly<Record<'jetpack5' | 'jetpack6', string>> = {
  jetpack5: '# R35 (release), REVISION: 4.1',
  jetpack6: '# R36 (release), REVISION: 4.3',
};

/** What the preflight probe would report on a freshly flashed board named `hostname` (a Nano, or an Orin of `profile`). */
export function freshBoardFacts(hostname: string, profile?: BoardProfileName): HostFacts {
  if (profile === 'jetpack5' || profile === 'jetpack6') {
    const { power: _power, ...nano } = freshBoardFacts(hostname);
    return {
      ...nano, l4tRelease: ORIN_RELEASES[profile], cgroupVersion: profile === 'jetpack6' ? 'v2' : 'v1',
      dockerPresent: false, dockerDefaultRuntime: '', daemonJson: undefined,
    };
  }
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
    nvidiaRuntime: '/usr/bin/nvidia-container-runtime',
    // NVIDIA's L4T 32.x guide, "Power Management for Jetson Nano": mode 0 MAXN (10W), 1 5W, default 0.
    power: { nvpmodel: true, current: { id: 0, name: 'MAXN' }, bootDefault: 0, modes: [{ id: 0, name: 'MAXN' }, { id: 1, name: '5W' }], jetsonClocks: true },
  };
}
