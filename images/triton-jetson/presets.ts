/**
 * The Triton-for-Jetson image recipe, as data: one preset per JetPack generation. The
 * Dockerfile beside this file takes every value here as a build arg; `npm run image:build`
 * (scripts/build-image.ts) turns a preset into the `docker build` command.
 *
 * Runtime packages are an adaptation, not a list NVIDIA published for these releases: the
 * Jetson guide of Triton 2.17 and 2.19 (docs/jetson.md at v2.17.0, v2.19.0) lists only
 * build dependencies (libb64-dev, libre2-dev, ...). A "Runtime Dependencies for Triton"
 * list first appears in the guide of 2.20 (docs/jetson.md at v2.20.0, written for
 * JetPack 5.0 / Ubuntu 20.04: libb64-0d libre2-5 libssl1.1 rapidjson-dev libopenblas-dev
 * libarchive-dev zlib1g python3 python3-dev python3-pip). We use that list with the re2
 * package of the Ubuntu release the L4T base runs (libre2-4 on 18.04, libre2-5 on 20.04),
 * plus libnuma1, which libtritonserver.so links against but the list leaves out.
 */
import * as path from 'node:path';

/** Where the recipe lays Triton out inside the image. */
export const TRITON_PREFIX = '/opt/triton';
/** The backend directory the image's ENTRYPOINT passes to tritonserver. */
export const IMAGE_BACKEND_DIRECTORY = `${TRITON_PREFIX}/backends`;
/** The (empty) folder the image creates as the model repository's mount point. */
export const IMAGE_MODEL_REPOSITORY_PATH = `${TRITON_PREFIX}/models`;

/** Name of the image (last path component of the repository). */
export const IMAGE_NAME = 'triton-jetson';
/** The image the tutorial built and the constructs deploy by default (Docker Hub, tag latest). */
export const TUTORIAL_IMAGE_REPOSITORY = 'janakiramm/triton-jetson';
/** The JetPack generation whose preset reproduces the tutorial's image. */
export const TUTORIAL_JETPACK = '4.6';
/** Default preset: JetPack 4.6.1 is the newest JetPack for Jetson Nano, Triton 2.19 the newest Triton for it. */
export const DEFAULT_JETPACK = '4.6.1';
/** The Docker build context: this folder (Dockerfile, fetch-triton.sh). */
export const IMAGE_CONTEXT_DIR = __dirname;
export const DOCKERFILE_PATH = path.join(IMAGE_CONTEXT_DIR, 'Dockerfile');
/** Jetson boards are arm64 only. */
export const IMAGE_PLATFORM = 'linux/arm64';

/** Base URL of Triton's GitHub release assets. */
export const TRITON_RELEASES_URL = 'https://github.com/triton-inference-server/server/releases/download';

/** Triton 2.20's runtime list adapted to Ubuntu 18.04 (L4T r32, JetPack 4.x): libre2-4 for libre2-5. */
const RUNTIME_PACKAGES_UBUNTU_18_04 = [
  'libb64-0d', 'libre2-4', 'libssl1.1', 'rapidjson-dev', 'libopenblas-dev', 'libarchive-dev', 'zlib1g',
  'python3', 'python3-dev', 'python3-pip', 'libnuma1',
] as const;
/** Triton 2.20's runtime list on Ubuntu 20.04 (L4T r35, JetPack 5.x), plus libnuma1. */
const RUNTIME_PACKAGES_UBUNTU_20_04 = [
  'libb64-0d', 'libre2-5', 'libssl1.1', 'rapidjson-dev', 'libopenblas-dev', 'libarchive-dev', 'zlib1g',
  'python3', 'python3-dev', 'python3-pip', 'libnuma1',
] as const;

/** One JetPack generation's recipe. */
export interface TritonJetsonPreset {
  /** JetPack release the Triton tarball was built for, e.g. "4.6.1". */
  readonly jetpack: string;
  /** L4T (Jetson Linux) release of the base image, e.g. "r32.7.1". */
  readonly l4tRelease: string;
  /** Ubuntu release under that L4T. */
  readonly ubuntu: '18.04' | '20.04';
  /** Boards this generation supports. */
  readonly boards: string;
  /** FROM image of the runtime stage. */
  readonly baseImage: string;
  /** Triton release, e.g. "2.19.0". */
  readonly tritonVersion: string;
  /** Release asset name of the Jetson tarball. */
  readonly tarball: string;
  /**
   * Top-level folder of the tarball that holds bin/, lib/ and backends/.
   * @default undefined (the 4.6 tarballs unpack bin/, lib/, backends/ at the top)
   */
  readonly tarballTopLevelFolder?: string;
  /**
   * Expected sha256 of the tarball.
   * @default undefined (not verified; pass `--sha256` to pin it)
   */
  readonly sha256?: string;
  /** Debian packages the runtime stage installs. */
  readonly runtimePackages: readonly string[];
  /** Image tag the preset produces, e.g. "2.19.0-jetpack4.6.1". */
  readonly tag: string;
  /** Name and tag, to put after a registry path, e.g. "triton-jetson:2.19.0-jetpack4.6.1". */
  readonly nameAndTag: string;
  /** What a user should know about this generation. */
  readonly notes: string;
}

function preset(p: Omit<TritonJetsonPreset, 'tag' | 'nameAndTag'>): TritonJetsonPreset {
  const tag = `${p.tritonVersion}-jetpack${p.jetpack}`;
  return { ...p, tag, nameAndTag: `${IMAGE_NAME}:${tag}` };
}

/** The presets, keyed by the JetPack version `--jetpack` takes. */
export const PRESETS: Readonly<Record<string, TritonJetsonPreset>> = {
  '4.6': preset({
    jetpack: '4.6',
    l4tRelease: 'r32.6.1',
    ubuntu: '18.04',
    boards: 'Jetson Nano, TX1, TX2, Xavier NX, AGX Xavier',
    baseImage: 'nvcr.io/nvidia/l4t-base:r32.6.1',
    tritonVersion: '2.17.0',
    tarball: 'tritonserver2.17.0-jetpack4.6.tgz',
    runtimePackages: RUNTIME_PACKAGES_UBUNTU_18_04,
    notes: 'The tutorial\'s image (janakiramm/triton-jetson). CUDA, cuDNN and TensorRT come from the host through the NVIDIA runtime.',
  }),
  '4.6.1': preset({
    jetpack: '4.6.1',
    l4tRelease: 'r32.7.1',
    ubuntu: '18.04',
    boards: 'Jetson Nano, TX1, TX2, Xavier NX, AGX Xavier',
    baseImage: 'nvcr.io/nvidia/l4t-base:r32.7.1',
    tritonVersion: '2.19.0',
    tarball: 'tritonserver2.19.0-jetpack4.6.1.tgz',
    runtimePackages: RUNTIME_PACKAGES_UBUNTU_18_04,
    notes: 'Newest Triton for Jetson Nano (JetPack 4.6.x is the last JetPack for it). Also fits L4T r32.7.2+ hosts.',
  }),
  '5.1.2': preset({
    jetpack: '5.1.2',
    l4tRelease: 'r35.4.1',
    ubuntu: '20.04',
    boards: 'Jetson Xavier NX, AGX Xavier, Orin (not Nano)',
    // From L4T r34 on the NVIDIA runtime no longer mounts CUDA/cuDNN/TensorRT from the host,
    // so the base must carry them: l4t-jetpack, not l4t-base.
    baseImage: 'nvcr.io/nvidia/l4t-jetpack:r35.4.1',
    tritonVersion: '2.35.0',
    // The release's first asset, tritonserver2.35.0-jetpack5.1.2.tgz, was replaced by
    // "-update-1" (CVE-2023-31036) and then by "-update-2" (which also ships libboost_filesystem).
    tarball: 'tritonserver2.35.0-jetpack5.1.2-update-2.tgz',
    tarballTopLevelFolder: 'tritonserver',
    runtimePackages: RUNTIME_PACKAGES_UBUNTU_20_04,
    notes: 'JetPack 5.1.x boards; built for 5.1.2 (L4T r35.4.1): on 5.1/5.1.1 pass --base with your L4T release.',
  }),
};

/** The JetPack versions `--jetpack` accepts. */
export const JETPACK_VERSIONS: readonly string[] = Object.keys(PRESETS);

/** The preset of a JetPack version, or an error naming the choices. */
export function presetFor(jetpack: string): TritonJetsonPreset {
  const found = Object.prototype.hasOwnProperty.call(PRESETS, jetpack) ? PRESETS[jetpack] : undefined;
  if (!found) {
    throw new Error(`unknown JetPack version "${jetpack}" (--jetpack): choose one of ${JETPACK_VERSIONS.join(', ')}`);
  }
  return found;
}

/** Release asset URL of a preset's tarball. */
export function tarballUrl(p: Pick<TritonJetsonPreset, 'tritonVersion' | 'tarball'>): string {
  return `${TRITON_RELEASES_URL}/v${p.tritonVersion}/${p.tarball}`;
}

/** The Dockerfile's build args for a preset (every ARG the recipe reads, by name). */
export function presetBuildArgs(p: TritonJetsonPreset): Record<string, string> {
  return {
    L4T_BASE_IMAGE: p.baseImage,
    JETPACK_VERSION: p.jetpack,
    TRITON_VERSION: p.tritonVersion,
    TRITON_TARBALL: p.tarball,
    TRITON_TARBALL_ROOT: p.tarballTopLevelFolder ?? '.',
    TRITON_URL: tarballUrl(p),
    TRITON_SHA256: p.sha256 ?? '',
    TRITON_RUNTIME_PACKAGES: p.runtimePackages.join(' '),
  };
}
