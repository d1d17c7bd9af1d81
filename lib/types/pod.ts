/**
 * What a cluster may need to adapt a pod: pull secrets for a private registry, tolerations of
 * tainted nodes, a priority class, extra environment, pod annotations and labels. The same
 * options for the Triton DaemonSet, the NFS provisioner and the seeding Job, in their construct
 * props and in cluster.yaml (`triton`, `provisioner`, `seeding`).
 */

/** Which pods a taint lets run on a node (Kubernetes' `Toleration`). */
export interface Toleration {
  /**
   * Taint key to tolerate; leave out (with operator "Exists") to tolerate every taint.
   * @default - every key (requires operator "Exists")
   */
  readonly key?: string;
  /**
   * "Equal" matches the taint's value; "Exists" matches any value of the key.
   * @default "Equal"
   */
  readonly operator?: 'Equal' | 'Exists';
  /**
   * Taint value to match (operator "Equal" only).
   * @default ""
   */
  readonly value?: string;
  /**
   * Taint effect to tolerate.
   * @default - every effect
   */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /**
   * Seconds the pod stays bound to a node after a NoExecute taint appears (effect "NoExecute" only).
   * @default - forever
   */
  readonly tolerationSeconds?: number;
}

/** A key of a Secret or ConfigMap in the pod's namespace. */
export interface KeySelector {
  /** Name of the Secret or ConfigMap. */
  readonly name: string;
  /** Key within it. */
  readonly key: string;
  /**
   * Start the container even when the object or key is missing.
   * @default false
   */
  readonly optional?: boolean;
}

/** Where an environment variable's value comes from (exactly one source). */
export interface EnvVarSource {
  /**
   * A key of a Secret, e.g. a proxy password.
   * @default - not from a Secret
   */
  readonly secretKeyRef?: KeySelector;
  /**
   * A key of a ConfigMap.
   * @default - not from a ConfigMap
   */
  readonly configMapKeyRef?: KeySelector;
  /**
   * A field of the pod, e.g. `{ fieldPath: "spec.nodeName" }`: one Kubernetes offers a
   * variable (metadata.name, metadata.namespace, metadata.uid, spec.nodeName,
   * spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs,
   * metadata.labels['<key>'], metadata.annotations['<key>']).
   * @default - not from a pod field
   */
  readonly fieldRef?: { readonly fieldPath: string };
}

/** An extra environment variable of a container: a literal value or a reference. */
export interface EnvVar {
  /** Variable name (letters, digits, "_", "-" and ".", not starting with a digit). */
  readonly name: string;
  /**
   * Literal value; set this or `valueFrom`.
   * @default - from `valueFrom`
   */
  readonly value?: string;
  /**
   * Reference the value is read from; set this or `value`.
   * @default - the literal `value`
   */
  readonly valueFrom?: EnvVarSource;
}

/** Pod customization shared by every workload of the stack. */
export interface PodOptions {
  /**
   * Secrets (type kubernetes.io/dockerconfigjson, in the pod's namespace) used to pull the image.
   * @default []
   */
  readonly imagePullSecrets?: string[];
  /**
   * Taints the pods tolerate, e.g. a dedicated-GPU-node taint.
   * @default []
   */
  readonly tolerations?: Toleration[];
  /**
   * PriorityClass of the pods.
   * @default - the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * Extra environment variables of the container, after the ones the construct sets (which
   * they may not redefine), e.g. HTTPS_PROXY for the seeding Job.
   * @default []
   */
  readonly env?: EnvVar[];
  /**
   * Extra annotations on the pods (not on the workload object).
   * @default {}
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * Extra labels on the pods. Never part of a selector; the labels the construct sets
   * (app, app.kubernetes.io/*, the board profile) cannot be redefined.
   * @default {}
   */
  readonly podLabels?: Readonly<Record<string, string>>;
}
