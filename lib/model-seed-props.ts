/**
 * The seeding Job's properties from the cluster description: what TritonJetsonStack builds
 * the Job from, and what `triton-jetson verify` checks. Its own file, free of cdk8s, so that
 * verify does not load cdk8s and cdk8s-plus-27 to learn the model list.
 */
import type { ModelSeedJobProps } from './model-seed-job';
import { modelCatalog } from './model-catalog';
import type { StackSectionSettings } from './types/cluster';

/**
 * The seeding Job's properties from the cluster description, or `undefined` when
 * `seeding.enabled` is false.
 */
export function modelSeedJobPropsFromConfig(
  config: Pick<StackSectionSettings, 'storage' | 'models' | 'seeding'> & { readonly namespace?: string },
): ModelSeedJobProps | undefined {
  const seeding = config.seeding;
  if (!seeding.enabled) return undefined;
  return {
    claimName: config.storage.claimName,
    namespace: config.namespace,
    models: modelCatalog(config.models, { builtin: seeding.builtinModels, optional: seeding.catalogModels }),
    image: seeding.image,
    mirror: seeding.mirror,
    downloadTimeoutSeconds: seeding.downloadTimeoutSeconds,
    activeDeadlineSeconds: seeding.activeDeadlineSeconds,
    runAsUser: seeding.runAsUser,
    maxDownloadBytes: seeding.maxDownloadBytes,
    maxExtractBytes: seeding.maxExtractBytes,
    ttlSecondsAfterFinished: seeding.ttlSecondsAfterFinished,
    jobAnnotations: seeding.jobAnnotations,
    imagePullSecrets: seeding.imagePullSecrets,
    tolerations: seeding.tolerations,
    priorityClassName: seeding.priorityClassName,
    env: seeding.env,
    podAnnotations: seeding.podAnnotations,
    podLabels: seeding.podLabels,
  };
}
