import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/**
 * cdk8s-plus labels every pod template with `cdk8s.io/metadata.addr`, a hash of the
 * construct path. We select pods with labels we choose, so the hash would only make a
 * refactor of the construct tree roll every pod; drop it.
 */
export function removeConstructPathLabel(workload: kplus.Workload): void {
  const key = kplus.Pod.ADDRESS_LABEL.replace(/~/g, '~0').replace(/\//g, '~1');
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${key}`));
}

/** The annotation kube-score reads to skip checks on one object (comma-separated check IDs). */
export const KUBE_SCORE_IGNORE_ANNOTATION = 'kube-score/ignore';

/**
 * Tells kube-score to skip `checks` on `object` (merged with those already ignored, sorted).
 * Each ignore is a deliberate decision with a one-line reason in docs/hardening.md;
 * test/lib/kube-score.test.ts fails on an ignore that is not documented there.
 */
export function ignoreKubeScoreChecks(object: ApiObject, checks: readonly string[]): void {
  const existing: string | undefined = object.metadata.toJson().annotations?.[KUBE_SCORE_IGNORE_ANNOTATION];
  const all = new Set([...(existing ? existing.split(',') : []), ...checks].map((c) => c.trim()).filter((c) => c !== ''));
  if (all.size === 0) return;
  object.metadata.addAnnotation(KUBE_SCORE_IGNORE_ANNOTATION, [...all].sort().join(','));
}
