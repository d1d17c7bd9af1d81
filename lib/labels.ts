/**
 * Labels of the stack's objects: Kubernetes' recommended app.kubernetes.io/* labels
 * (https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/).
 *
 * Selectors use only stable, chosen labels (`app`, or name and part-of), never instance,
 * version or managed-by, and never cdk8s' path-hash label: DaemonSet and Deployment selectors
 * are immutable, so neither a release nor a refactor of the construct tree may change them.
 * Pod templates carry every label but the version, so a new release does not restart pods.
 */
import { Construct } from 'constructs';
import { PACKAGE_NAME, PACKAGE_VERSION } from './version';

export const NAME_LABEL = 'app.kubernetes.io/name';
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const VERSION_LABEL = 'app.kubernetes.io/version';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const PART_OF = 'triton-jetson';
/** The instance label's value unless a TritonJetsonStack says otherwise (its `instance` prop). */
export const DEFAULT_INSTANCE = 'triton-jetson';
/** Construct context key through which a TritonJetsonStack gives its building blocks its instance. */
export const INSTANCE_CONTEXT = `${PACKAGE_NAME}:instance`;

/** The instance of the stack `scope` belongs to (the nearest `instance` context), else the default. */
export function instanceOf(scope: Construct): string {
  const value: unknown = scope.node.tryGetContext(INSTANCE_CONTEXT);
  return typeof value === 'string' && value !== '' ? value : DEFAULT_INSTANCE;
}

/** Labels that select a component's objects or pods: stable across releases and instances. */
export function selectorLabels(component: string): Record<string, string> {
  return { [NAME_LABEL]: component, [PART_OF_LABEL]: PART_OF };
}

/** Labels of a pod template of one component: every recommended label but the version. */
export function podLabels(scope: Construct, component: string): Record<string, string> {
  return { ...selectorLabels(component), [INSTANCE_LABEL]: instanceOf(scope), [MANAGED_BY_LABEL]: PACKAGE_NAME };
}

/** Labels of an object of one component (e.g. "triton", "nfs-subdir-external-provisioner"). */
export function componentLabels(scope: Construct, component: string): Record<string, string> {
  return { ...podLabels(scope, component), [VERSION_LABEL]: PACKAGE_VERSION };
}
