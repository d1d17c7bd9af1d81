import type { TritonJetsonStackProps } from './triton-jetson-stack';
import type { ClusterConfig } from './types/cluster';

/**
 * The one mapping from the cluster description to the stack's props: its manifest sections
 * as they are, and from the hosts side only what shapes the manifests (K3s' runtime, each
 * node's profile and memory). SSH, K3s flags, kubeconfig and NFS server preparation stay
 * with the bootstrapper.
 */
export function stackPropsFromClusterConfig(config: ClusterConfig): TritonJetsonStackProps {
  const hosts = config.nodes ? [config.nodes.server, ...config.nodes.agents] : [];
  return {
    namespace: config.namespace,
    createNamespace: config.createNamespace,
    nfs: config.nfs,
    provisioner: config.provisioner,
    storage: config.storage,
    triton: config.triton,
    service: config.service,
    models: config.models,
    seeding: config.seeding,
    networkPolicy: config.networkPolicy,
    metrics: config.metrics,
    fleet: {
      runtime: config.k3s.runtime,
      nodes: hosts.map((host) => ({ name: host.name, profile: host.profile, memory: host.memory })),
    },
  };
}
