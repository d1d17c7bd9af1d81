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

/**
 * The tutorial's four Jetson Nanos on the Jetson Mate: jm-node-1 the K3s server, jm-node-2..4
 * its agents (the tutorial names them; the addresses and user are cluster.example.yaml's, which
 * lists exactly these). Not a default of the cluster description, which describes no hosts
 * unless you write them: only `plan --offline` shows these when there is no description, since
 * it connects to nothing.
 */
export const TUTORIAL_NODES = {
  server: { name: 'jm-node-1', address: '10.0.0.31', user: 'ubuntu' },
  agents: [
    { name: 'jm-node-2', address: '10.0.0.32', user: 'ubuntu' },
    { name: 'jm-node-3', address: '10.0.0.33', user: 'ubuntu' },
    { name: 'jm-node-4', address: '10.0.0.34', user: 'ubuntu' },
  ],
} as const;
