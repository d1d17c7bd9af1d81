/**
 * Board profiles: what Triton needs on each Jetson generation, as data, in one place.
 * Every fact carries its source; docs/profiles.md has the table, the sources and what
 * could not be established.
 *
 *   jetpack4  Jetson Nano (and TX1/TX2/Xavier on JetPack 4.6.x), L4T R32, kernel 4.9, Ubuntu 18.04
 *   jetpack5  Xavier / Orin on JetPack 5.1.x, L4T R35, kernel 5.10, Ubuntu 20.04
 *   jetpack6  Orin on JetPack 6.x, L4T R36, kernel 5.15, Ubuntu 22.04
 *
 * The image recipe's own presets (images/triton-jetson/presets.ts) are not imported, so
 * the published library does not depend on the recipe; test/lib/board-profiles.test.ts
 * checks that the two agree.
 */
import { TUTORIAL_DEFAULTS } from './tutorial-defaults';
import type { BoardProfileName } from './types/inventory';
import { jetsonBackendsOf, type TritonBackend } from './triton-versions';

/** The board generations, oldest first (also the order of the per-profile DaemonSets). */
export const BOARD_PROFILE_NAMES = ['jetpack4', 'jetpack5', 'jetpack6'] as const satisfies readonly BoardProfileName[];
export type { BoardProfileName };

/** Node label carrying a board's profile (set by the bootstrapper, selected by the DaemonSets). */
export const PROFILE_NODE_LABEL = 'triton-jetson.dev/profile';
/** Pod label carrying the profile of a per-profile Triton DaemonSet's pods (part of its selector). */
export const PROFILE_POD_LABEL = PROFILE_NODE_LABEL;

/**
 * Without board profiles the stack renders one Triton DaemonSet, the tutorial's: this
 * profile's image and runtime. It stays off the boards the bootstrapper labels with another
 * profile (TUTORIAL_DAEMONSET_AVOIDS), whose image it cannot run; docs/profiles.md.
 */
export const TUTORIAL_PROFILE: BoardProfileName = 'jetpack4';
/** Profiles whose boards the tutorial's single DaemonSet does not run on (node label PROFILE_NODE_LABEL). */
export const TUTORIAL_DAEMONSET_AVOIDS: readonly BoardProfileName[] = BOARD_PROFILE_NAMES.filter((p) => p !== TUTORIAL_PROFILE);

export type { TritonBackend };

/** How pods reach the GPU on a profile's boards. */
export type RuntimeMode =
  /** K3s with --docker, Docker's default runtime "nvidia" (the tutorial). */
  | 'docker-default-nvidia'
  /** K3s' containerd, the NVIDIA runtime as RuntimeClass "nvidia". */
  | 'containerd-runtimeclass';

const GI = 1024 * 1024 * 1024;

/** One board generation. */
export interface BoardProfile {
  /** The profile's name, as cluster.yaml's `profile` keys name it. */
  readonly name: BoardProfileName;
  /** JetPack releases it covers. */
  readonly jetpack: string;
  /** L4T (Jetson Linux) major release, as /etc/nv_tegra_release names it ("R32"). */
  readonly l4tMajor: number;
  /** Boards of this generation. */
  readonly boards: string;
  /** Default Triton image. */
  readonly image: string;
  /**
   * Set when the default image is our recipe's local build name, which no registry serves: a
   * board of this profile needs `triton.images.<profile>` (synth refuses it otherwise).
   * @default - unset: a registry serves the default image
   */
  readonly imageToBuild?: { readonly jetpack: string };
  /** Triton release in that image. */
  readonly tritonVersion: string;
  /**
   * Where the image keeps Triton's backends. Passed as --backend-directory only when the
   * image's ENTRYPOINT does not pass it already (`passBackendDirectory`).
   */
  readonly backendDirectory: string;
  /** True when the args must carry --backend-directory (NGC images start a plain tritonserver). */
  readonly passBackendDirectory: boolean;
  /**
   * Arguments before tritonserver's flags, when the image's ENTRYPOINT is not tritonserver
   * itself. NGC images keep their ENTRYPOINT /opt/nvidia/nvidia_entrypoint.sh, which runs its
   * checks and then executes its arguments (server repo docker/cpu_only/nvidia_entrypoint.sh:
   * `exec "$@"`): Triton's quickstart starts them as `docker run ... tritonserver ...`.
   * @default - none: the ENTRYPOINT is tritonserver
   */
  readonly argsPrefix?: readonly string[];
  /**
   * --min-supported-compute-capability, for GPUs below Triton's default minimum (6.0): only
   * the Nano's Maxwell GPU (compute capability 5.3) needs it.
   * @default - none: Triton's own minimum
   */
  readonly minComputeCapability?: string;
  /** Backends of the default image, from its Triton release (lib/triton-versions.ts cites each list). */
  readonly backends: readonly TritonBackend[];
  /** Container runtime mode the bootstrapper prepares and the DaemonSet assumes. */
  readonly runtime: RuntimeMode;
  /** Memory of the smallest board of the generation: the sizing when none is declared. */
  readonly defaultMemoryBytes: number;
  /**
   * Newest Kubernetes (K3s) minor its kernel and cgroup setup allow; undefined: no known cap.
   * Kubernetes 1.35 refuses cgroup v1 nodes.
   * @default - no cap
   */
  readonly maxK3sMinor?: number;
  /** cgroup version of a stock install ("unknown" when it could not be established). */
  readonly cgroup: 'v1' | 'v2' | 'unknown';
}

/** A release's Jetson backends (lib/triton-versions.ts); every profile's default release is in the table. */
function releaseBackends(version: string): readonly TritonBackend[] {
  const backends = jetsonBackendsOf(version);
  if (!backends) throw new Error(`no Jetson backends known for Triton ${version}`);
  return backends;
}

/** The profiles (docs/profiles.md: sources). */
export const BOARD_PROFILES: Readonly<Record<BoardProfileName, BoardProfile>> = {
  jetpack4: {
    name: 'jetpack4',
    jetpack: '4.6.x',
    l4tMajor: 32,
    boards: 'Jetson Nano (the tutorial\'s four Nano 4GB), TX1, TX2, Xavier NX, AGX Xavier',
    // The tutorial's image: our recipe's JetPack 4.6 preset (Triton 2.17.0, tritonserver2.17.0-jetpack4.6.tgz).
    image: TUTORIAL_DEFAULTS.tritonImage,
    tritonVersion: '2.17.0',
    // The recipe's ENTRYPOINT is ["tritonserver", "--backend-directory=/opt/triton/backends"].
    backendDirectory: '/opt/triton/backends',
    passBackendDirectory: false,
    // Jetson Nano: Maxwell GPU, compute capability 5.3 (the tutorial's flag).
    minComputeCapability: '5.3',
    // Triton 2.17.0 on Jetson: TensorRT, TensorFlow and ONNX Runtime; PyTorch and Python came in 2.18.0.
    backends: releaseBackends('2.17.0'),
    runtime: 'docker-default-nvidia',
    defaultMemoryBytes: 4 * GI,
    // Kernel 4.9, cgroup v1 only: Kubernetes 1.35+ refuses it (MAX_K3S_MINOR).
    maxK3sMinor: 34,
    cgroup: 'v1',
  },
  jetpack5: {
    name: 'jetpack5',
    jetpack: '5.1.x',
    l4tMajor: 35,
    boards: 'Jetson Xavier NX, AGX Xavier, Orin Nano/NX/AGX on JetPack 5',
    // Our recipe's JetPack 5.1.2 preset, built locally (npm run image:build -- --jetpack 5.1.2): no
    // registry serves it, so synth asks for triton.images.jetpack5 (the pushed reference).
    image: 'triton-jetson:2.35.0-jetpack5.1.2',
    imageToBuild: { jetpack: '5.1.2' },
    tritonVersion: '2.35.0',
    backendDirectory: '/opt/triton/backends',
    passBackendDirectory: false,
    // Xavier (7.2) and Orin (8.7) are above Triton's default minimum 6.0: no flag.
    // Triton 2.35.0 on Jetson: TensorRT, TensorFlow, ONNX Runtime, PyTorch, Python (lib/triton-versions.ts).
    backends: releaseBackends('2.35.0'),
    // Our choice: containerd with RuntimeClass "nvidia" (K3s registers the NVIDIA runtime it finds);
    // no Docker daemon.json needed.
    runtime: 'containerd-runtimeclass',
    // Jetson Orin Nano 4GB, the smallest JetPack 5 module.
    defaultMemoryBytes: 4 * GI,
    // Whether L4T R35 boots with cgroup v1 or v2 could not be established (docs/profiles.md): capped
    // like v1 until the preflight finds cgroup2fs on every board.
    maxK3sMinor: 34,
    cgroup: 'unknown',
  },
  jetpack6: {
    name: 'jetpack6',
    jetpack: '6.x',
    l4tMajor: 36,
    boards: 'Jetson Orin Nano/NX/AGX on JetPack 6',
    // NVIDIA's Jetson (iGPU) container since Triton 2.41.0 / NGC 23.12 ("XX.YY-py3-igpu", release notes
    // of v2.41.0). 25.03 (Triton 2.56.0) runs on JetPack 6.2 / L4T 36.4.3 (triton-inference-server/server#8183).
    image: 'nvcr.io/nvidia/tritonserver:25.03-py3-igpu',
    tritonVersion: '2.56.0',
    backendDirectory: '/opt/tritonserver/backends',
    passBackendDirectory: true,
    argsPrefix: ['tritonserver'],
    // Triton 25.03 removed the TensorFlow backend (server commit 1f6aed23f "remove-tf", #8113; README
    // commit fd19783fa: "tf model cannot load after 25.03"): TensorRT, ONNX Runtime, PyTorch, Python.
    backends: releaseBackends('2.56.0'),
    // JetPack 6 installs no Docker by default: K3s' containerd and RuntimeClass "nvidia".
    runtime: 'containerd-runtimeclass',
    defaultMemoryBytes: 4 * GI,
    // Ubuntu 22.04 boots with the unified cgroup v2 hierarchy: no cgroup v1 cap.
    maxK3sMinor: undefined,
    cgroup: 'v2',
  },
};

/** Platforms of config.pbtxt and the backend each needs. */
const PLATFORM_BACKENDS: Readonly<Record<string, TritonBackend>> = {
  tensorflow_graphdef: 'tensorflow',
  tensorflow_savedmodel: 'tensorflow',
  onnxruntime_onnx: 'onnxruntime',
  tensorrt_plan: 'tensorrt',
  pytorch_libtorch: 'pytorch',
};

/** The backend a model's config needs (its `backend`, or the one its `platform` implies). */
export function modelBackend(config: { readonly platform?: string; readonly backend?: string }): string | undefined {
  if (config.backend !== undefined) return config.backend;
  return config.platform !== undefined ? PLATFORM_BACKENDS[config.platform] ?? config.platform : undefined;
}

/** Requests and limit of Triton on a board with `memoryBytes` of (CPU+GPU shared) memory. */
export interface SizedResources {
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

/**
 * Triton's memory by board memory: request 3/8, limit 3/4 (a Nano 4GB: 1536Mi and 3Gi, the
 * tutorial's sizing), in whole MiB, written in Gi when whole.
 */
export function tritonMemoryFor(memoryBytes: number): SizedResources {
  const mi = Math.floor(memoryBytes / (1024 * 1024));
  const format = (value: number) => (value % 1024 === 0 ? `${value / 1024}Gi` : `${value}Mi`);
  return { memoryRequest: format(Math.floor((mi * 3) / 8)), memoryLimit: format(Math.floor((mi * 3) / 4)) };
}

/**
 * Memory sizes of the Jetson modules (GiB): Nano 2GB/4GB, Orin Nano 4/8, Orin NX 8/16,
 * Xavier NX 8/16, TX2 4/8, AGX Orin 32/64, AGX Xavier 32/64 (docs/profiles.md).
 */
export const JETSON_MODULE_MEMORY_GIB: readonly number[] = [2, 4, 8, 16, 32, 64];

/**
 * How much of a module's memory the kernel may not see: MemTotal leaves out the firmware's
 * and the carve-outs' reservations (an AGX Orin 64GB shows about 61.4 GiB, 4% less; an
 * Orin Nano 8GB about 7.3 GiB, 9% less). A quarter is the tolerance: wide enough for every
 * module above, narrow enough that no MemTotal matches two sizes (they double).
 */
export const MODULE_CARVE_OUT_TOLERANCE = 0.25;

/**
 * A board's memory from the kernel's MemTotal: the module size it belongs to (the smallest
 * module size at or above MemTotal, when MemTotal is within the carve-out tolerance of it),
 * else MemTotal rounded up to whole GiB (`module: false`, e.g. a PC in the cluster).
 */
export function jetsonModuleMemory(memTotalKb: number): { readonly bytes: number; readonly module: boolean } {
  const gib = memTotalKb / (1024 * 1024);
  const size = JETSON_MODULE_MEMORY_GIB.find((s) => gib <= s);
  if (size !== undefined && gib >= size * (1 - MODULE_CARVE_OUT_TOLERANCE)) return { bytes: size * GI, module: true };
  return { bytes: Math.ceil(gib) * GI, module: false };
}

/** A board's nominal memory in bytes from MemTotal (jetsonModuleMemory): a Nano 4GB's 4045880 kB is 4 GiB. */
export function nominalMemoryBytes(memTotalKb: number): number {
  return jetsonModuleMemory(memTotalKb).bytes;
}

/** The tritonserver flags a profile needs before the common ones. */
export function profileLeadingArgs(profile: BoardProfile, modelRepositoryPath: string): string[] {
  return [
    ...(profile.minComputeCapability ? [`--min-supported-compute-capability=${profile.minComputeCapability}`] : []),
    `--model-repository=${modelRepositoryPath}`,
    ...(profile.passBackendDirectory ? [`--backend-directory=${profile.backendDirectory}`] : []),
    ...(profile.backends.includes('tensorflow') ? ['--backend-config=tensorflow,version=2'] : []),
  ];
}

/** Whether a profile name is known. */
export function isBoardProfileName(value: string): value is BoardProfileName {
  return (BOARD_PROFILE_NAMES as readonly string[]).includes(value);
}

/**
 * The profiles a cluster description names, oldest first: its `triton.profiles` and every
 * node's `profile`. The DaemonSets synth renders (lib/profile-plan.ts) and the boards the
 * preflight warns about (bootstrap/plan/board-checks.ts) both follow this one list.
 */
export function namedProfiles(tritonProfiles: readonly string[] | undefined, hosts: readonly { readonly profile?: string }[]): BoardProfileName[] {
  const named = new Set<string>(tritonProfiles ?? []);
  for (const host of hosts) if (host.profile) named.add(host.profile);
  return BOARD_PROFILE_NAMES.filter((p) => named.has(p));
}
