/**
 * The Triton image each rendered DaemonSet runs, its Triton release (declared, or told by its
 * reference) and what synth refuses about them, before any object is created:
 *
 *   - a jetpack5 board without `triton.images.jetpack5`: the profile's default is our recipe's
 *     local build name, which no registry serves (containerd would pull
 *     docker.io/library/triton-jetson and fail with ErrImagePull);
 *   - a seeded model whose backend some image's Triton release lacks on Jetson (every Triton
 *     loads the one shared repository), or an image whose release cannot be told while models
 *     must be checked against it.
 *
 * docs/profiles.md ("Backends per Triton release", "What can go wrong on real boards").
 */
import { ClusterConfigError } from './config/config-error';
import type { StackSettings } from './types/cluster';
import { BOARD_PROFILES, BoardProfileName, modelBackend } from './board-profiles';
import { BUILTIN_MODELS, type ModelDefinition } from './model-catalog';
import { compareTritonVersions, jetsonBackendsOf, JETSON_BACKENDS_BY_RELEASE, tritonVersionOfImage } from './triton-versions';

/** The image of one rendered Triton DaemonSet. */
export interface TritonImage {
  readonly profile: BoardProfileName;
  readonly image: string;
  /** The setting that names it: `triton.image` (jetpack4, and the tutorial's DaemonSet) or `triton.images.<profile>`. */
  readonly imageField: string;
  /** True when the description sets it, false for the profile's default. */
  readonly userImage: boolean;
  /** Its Triton release: declared (`triton.tritonVersions.<profile>`), else told by the reference; undefined when neither. */
  readonly tritonVersion?: string;
  /** The setting that declares the release. */
  readonly versionField: string;
}

/** The image a profile's DaemonSet runs (the tutorial's single DaemonSet is `jetpack4`'s). */
export function profileImage(triton: StackSettings['triton'], profile: BoardProfileName): TritonImage {
  const own = profile === 'jetpack4' ? triton.image : triton.images[profile];
  const image = own ?? BOARD_PROFILES[profile].image;
  const declared = triton.tritonVersions[profile];
  return {
    profile,
    image,
    imageField: profile === 'jetpack4' ? 'triton.image' : `triton.images.${profile}`,
    userImage: own !== undefined && !(profile === 'jetpack4' && own === BOARD_PROFILES.jetpack4.image),
    tritonVersion: declared ?? tritonVersionOfImage(image),
    versionField: `triton.tritonVersions.${profile}`,
  };
}

/** Where a seeded model comes from, as the field a user edits to drop it. */
function modelField(config: Pick<StackSettings, 'models'>, name: string): string {
  const index = config.models.findIndex((m) => m.name === name);
  if (index >= 0) return `models[${index}]`;
  return BUILTIN_MODELS.some((m) => m.name === name) ? 'seeding.builtinModels' : 'seeding.catalogModels';
}

/** The first Triton release that has a backend on Jetson, if any does. */
function firstReleaseWith(backend: string): string | undefined {
  return JETSON_BACKENDS_BY_RELEASE.find((r) => (r.backends as readonly string[]).includes(backend))?.since;
}

/** Every backend some Triton release has on Jetson, in the table's order. */
function knownJetsonBackends(): string[] {
  return [...new Set(JETSON_BACKENDS_BY_RELEASE.flatMap((r) => r.backends))];
}

/** Settings of the images that cannot work: the jetpack5 placeholder, an unknown release. */
export class TritonImageError extends ClusterConfigError {
  constructor(issues: readonly string[]) {
    super('triton', issues, 'Triton images');
    this.name = 'TritonImageError';
  }
}

/** Seeded models some image cannot load: one issue per (model, image). */
export class UnservableModelError extends ClusterConfigError {
  constructor(issues: readonly string[]) {
    super('models', issues, 'models some Triton image cannot load (every Triton loads the one shared repository)');
    this.name = 'UnservableModelError';
  }
}

/** Refuses an image no registry serves: a profile whose default image is a local build name. */
export function checkPullableImages(images: readonly TritonImage[], nodesOf: (profile: BoardProfileName) => readonly string[]): void {
  const issues = images.filter((i) => !i.userImage && BOARD_PROFILES[i.profile].imageToBuild).map((i) => {
    const nodes = nodesOf(i.profile);
    const named = nodes.length > 3 ? `${nodes.slice(0, 3).join(', ')} and ${nodes.length - 3} more` : nodes.join(', ');
    const boards = nodes.length > 0 ? `the ${i.profile} boards (${named})` : `the ${i.profile} DaemonSet`;
    return `${i.imageField}: ${boards} ${nodes.length > 0 ? 'need' : 'needs'} your image: "${i.image}" names no registry (ErrImagePull); build and push it: `
      + `npm run image:build -- --jetpack ${BOARD_PROFILES[i.profile].imageToBuild!.jetpack} --image <registry>/triton-jetson (docs/image.md), then set ${i.imageField}`;
  });
  if (issues.length > 0) throw new TritonImageError(issues);
}

/**
 * Refuses seeded models some image's Triton release cannot load on Jetson, and an image whose
 * release cannot be told (nor is declared) while there are models to check against it.
 */
export function checkModelsServable(
  config: Pick<StackSettings, 'models'>, models: readonly ModelDefinition[], images: readonly TritonImage[],
): void {
  const needed = models.map((m) => ({ model: m, backend: modelBackend(m.config) })).filter((m) => m.backend !== undefined);
  if (needed.length === 0) return;
  const imageIssues: string[] = [];
  const modelIssues: string[] = [];
  for (const image of images) {
    const version = image.tritonVersion;
    const backends = version === undefined ? undefined : jetsonBackendsOf(version);
    if (version === undefined) {
      imageIssues.push(`${image.versionField}: the Triton release in ${image.imageField} "${image.image}" cannot be told from its reference, `
        + `and the seeded models' backends depend on it; declare it, e.g. ${image.versionField}: "2.19.0"`);
      continue;
    }
    if (backends === undefined) {
      imageIssues.push(`${image.versionField}: Triton ${version} (${image.imageField} "${image.image}") is older than `
        + `${JETSON_BACKENDS_BY_RELEASE[0].since}, the first release whose Jetson backends are known here; use a newer image`);
      continue;
    }
    for (const { model, backend } of needed) {
      if ((backends as readonly string[]).includes(backend!)) continue;
      const since = firstReleaseWith(backend!);
      if (since === undefined) {
        // No image can fix it (the table knows no release with it): say so rather than promise one.
        modelIssues.push(`${modelField(config, model.name)}: model "${model.name}" needs the ${backend} backend, which no Triton release is known here to ship on Jetson `
          + `(known: ${knownJetsonBackends().join(', ')}; docs/profiles.md "Backends per Triton release"); drop the model or serve it with one of those backends`);
        continue;
      }
      const hint = compareTritonVersions(version, since) < 0 ? ` (${backend} from Triton ${since})` : '';
      modelIssues.push(`${modelField(config, model.name)}: model "${model.name}" needs the ${backend} backend; the ${image.profile} image `
        + `${image.image} (Triton ${version}) has ${backends.join(', ')} on Jetson${hint}; drop the model or set ${image.imageField} to an image with ${backend}`);
    }
  }
  if (imageIssues.length > 0) throw new TritonImageError(imageIssues);
  if (modelIssues.length > 0) throw new UnservableModelError(modelIssues);
}

/** The model the readiness probe asks for: `triton.readinessModel`, else the first seeded one (none: Triton's own readiness). */
export function readinessModelOf(triton: Pick<StackSettings['triton'], 'readinessModel'>, models: readonly ModelDefinition[] | undefined): string | undefined {
  if (triton.readinessModel !== undefined) {
    if (models !== undefined && !models.some((m) => m.name === triton.readinessModel)) {
      const seeded = models.length > 0 ? models.map((m) => m.name).join(', ') : 'none';
      throw new ClusterConfigError('triton', [`triton.readinessModel: "${triton.readinessModel}" is not a model the stack seeds (${seeded}); `
        + 'every Triton would stay unready, out of the Service: name a seeded one, or turn seeding off to fill the repository by hand'], 'Triton readiness');
    }
    return triton.readinessModel;
  }
  return models?.[0]?.name;
}
