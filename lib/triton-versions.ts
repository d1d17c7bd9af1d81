/**
 * Which Triton release an image holds, and which backends that release has on Jetson. The
 * backends belong to the image (its Triton release), not to the board: a PyTorch model loads
 * on a Nano with a Triton 2.19 image and fails with the tutorial's 2.17 one. Every fact
 * carries its source; docs/profiles.md ("Backends per Triton release") has the table.
 */

/** Triton backends a profile's image may ship. */
export type TritonBackend = 'tensorflow' | 'onnxruntime' | 'tensorrt' | 'pytorch' | 'python';

/** A Triton release as "major.minor.patch" (e.g. "2.19.0"). */
export const TRITON_VERSION_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Compares two Triton releases ("2.9.0" < "2.17.0"); NaN parts sort first. */
export function compareTritonVersions(a: string, b: string): number {
  const parts = (v: string) => v.split('.').map((p) => Number(p));
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The backends of a range of Triton releases on Jetson, `since` included, `until` excluded. */
export interface JetsonBackendRange {
  readonly since: string;
  readonly until?: string;
  readonly backends: readonly TritonBackend[];
  /** Where this comes from (repository, path, tag), as docs/profiles.md cites it. */
  readonly source: string;
}

/**
 * Triton's backends on Jetson by release. Below 2.14.0 (the first release whose docs have a
 * Jetson page) nothing is listed: such an image must be declared with a release this table
 * knows, or it is refused.
 */
export const JETSON_BACKENDS_BY_RELEASE: readonly JetsonBackendRange[] = [
  {
    since: '2.14.0', until: '2.18.0',
    backends: ['tensorrt', 'tensorflow', 'onnxruntime'],
    source: 'triton-inference-server/server docs/jetson.md at v2.14.0-v2.17.0 ("TensorRT, TensorFlow and ONNX Runtime"); '
      + 'qa/L0_perf_resnet/test.sh at v2.17.0: "Only TF, Onnx and TRT are supported on Jetson"',
  },
  {
    since: '2.18.0', until: '2.41.0',
    backends: ['tensorrt', 'tensorflow', 'onnxruntime', 'pytorch', 'python'],
    source: 'v2.18.0 release notes: "PyTorch and Python backends are now supported on Jetson" (commit 6d7a6a524, '
      + '"Add support for pytorch Jetpack build", first in v2.18.0); docs/jetson.md at v2.19.0, docs/user_guide/jetson.md at v2.35.0',
  },
  {
    // NGC's -igpu images (v2.41.0 notes: "all supported backends for Jetson devices"). Whether
    // those before 25.03 carry TensorFlow was not established: left out (a TensorFlow model is refused).
    since: '2.41.0', until: '2.56.0',
    backends: ['tensorrt', 'onnxruntime', 'pytorch', 'python'],
    source: 'v2.41.0 release notes (-igpu images); TensorFlow in the -igpu images before 25.03 not established',
  },
  {
    since: '2.56.0',
    backends: ['tensorrt', 'onnxruntime', 'pytorch', 'python'],
    source: 'server commit 1f6aed23f (#8113, first in v2.56.0 = 25.03) removes the TensorFlow backend',
  },
];

/** The backends a Triton release has on Jetson, or undefined for a release below the table. */
export function jetsonBackendsOf(version: string): readonly TritonBackend[] | undefined {
  return JETSON_BACKENDS_BY_RELEASE.find((r) => compareTritonVersions(version, r.since) >= 0
    && (r.until === undefined || compareTritonVersions(version, r.until) < 0))?.backends;
}

/**
 * NGC container release (YY.MM) → Triton release: 21.09 is 2.14.0 and each month adds one,
 * except that there was no 25.07 (25.06 is 2.59.0, 25.08 is 2.60.0). Source: the release
 * map in triton-inference-server/server build.py at each tag v2.14.0 … v2.71.0
 * (TRITON_VERSION_MAP, later DEFAULT_TRITON_VERSION_MAP); beyond 26.07 unknown.
 */
export function tritonVersionOfNgcRelease(release: string): string | undefined {
  const m = /^(\d\d)\.(\d\d)$/.exec(release);
  if (!m) return undefined;
  const month = Number(m[1]) * 12 + Number(m[2]);
  const at = (yy: number, mm: number) => yy * 12 + mm;
  if (Number(m[2]) < 1 || Number(m[2]) > 12) return undefined;
  if (month >= at(21, 9) && month <= at(25, 6)) return `2.${14 + month - at(21, 9)}.0`;
  if (month >= at(25, 8) && month <= at(26, 7)) return `2.${60 + month - at(25, 8)}.0`;
  return undefined;
}

/** The tutorial's image (our recipe's JetPack 4.6 preset: Triton 2.17.0), published untagged. */
const TUTORIAL_IMAGE = /^(docker\.io\/)?janakiramm\/triton-jetson(:latest)?$/;

/**
 * The Triton release an image reference names, when it says so: the tutorial's image,
 * a tag of our recipe (`<release>-jetpack<x>`, images/triton-jetson/presets.ts) or an NGC
 * Jetson tag (`…/tritonserver:<YY.MM>-py3-igpu`, any registry: mirrors keep the tag). Any
 * other reference says nothing (`undefined`): its release must be declared.
 */
export function tritonVersionOfImage(image: string): string | undefined {
  const reference = image.replace(/@sha256:[0-9a-f]{64}$/, '');
  if (TUTORIAL_IMAGE.test(reference)) return '2.17.0';
  const tag = /:([^/:]+)$/.exec(reference)?.[1];
  if (tag === undefined) return undefined;
  const recipe = /^(\d+\.\d+\.\d+)-jetpack\d/.exec(tag);
  if (recipe) return recipe[1];
  const ngc = /^(\d\d\.\d\d)-py3-igpu$/.exec(tag);
  if (ngc && /(^|\/)tritonserver:[^/]+$/.test(reference)) return tritonVersionOfNgcRelease(ngc[1]);
  return undefined;
}
