import { ApiObject } from 'cdk8s';

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
