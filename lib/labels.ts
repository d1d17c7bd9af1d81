/**
 * Labels shared by every object of the stack. Selectors use only stable, chosen
 * labels (never cdk8s' path-hash label): DaemonSet and Deployment selectors are
 * immutable, so a refactor of the construct tree must not change them.
 */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const PART_OF = 'triton-jetson';

/** Labels for an object of one component (e.g. "triton", "nfs-subdir-external-provisioner"). */
export function componentLabels(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, [PART_OF_LABEL]: PART_OF };
}
