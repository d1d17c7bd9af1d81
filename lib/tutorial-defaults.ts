/**
 * The tutorial's values, defined once: the constructs' prop defaults and the cluster
 * description's defaults both come from here, so the two cannot drift apart.
 */
export const TUTORIAL_DEFAULTS = {
  nfsServer: '10.0.0.30',
  nfsPath: '/var/nfs/general',
  provisionerImage: 'registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2',
  provisionerName: 'k8s-sigs.io/nfs-subdir-external-provisioner',
  storageClassName: 'nfs-client',
  claimName: 'models-pvc',
  storageSize: '10Gi',
  namespace: 'default',
  tritonName: 'triton',
  imagePullPolicy: 'IfNotPresent',
  externalTrafficPolicy: 'Cluster',
  tritonImage: 'janakiramm/triton-jetson',
  tritonPorts: { http: 8000, grpc: 8001, metrics: 8002 },
  nodePorts: { http: 30800, grpc: 30801, metrics: 30802 },
  /** Requests and limit sized for a 4 GB Jetson Nano (not in the tutorial). */
  tritonResources: { cpuRequest: '1', memoryRequest: '1536Mi', memoryLimit: '3Gi' },
  /** Ephemeral storage of the Triton container: /tmp, backend caches, logs (not in the tutorial). */
  tritonEphemeralStorage: { request: '256Mi', limit: '2Gi' },
  /**
   * Seconds a new Triton pod must stay Ready before its rolling update moves to the next board
   * (not in the tutorial; why 60: docs/operations.md, "Triton rollout").
   */
  tritonMinReadySeconds: 60,
  /** The K3s server's API port (the tutorial's K3S_URL=https://jm-node-1:6443). */
  k3sApiPort: 6443,
} as const;
