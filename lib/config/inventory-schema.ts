/**
 * The hosts side of the cluster description: nodes, SSH, K3s. Read by the bootstrapper
 * (and by `triton-jetson verify` to find each node's Triton).
 */
import { z } from 'zod';
import { dnsLabel, hostOrIp, tcpPort } from './validators';

export const hostSchema = z
  .object({
    /** Node name (K3s node name and hostname), also an SSH alias looked up in ~/.ssh/config. */
    name: dnsLabel,
    /** Address to reach the node at; defaults to `name` (resolved through ~/.ssh/config or DNS). */
    address: hostOrIp.optional(),
    /** SSH user; default from ~/.ssh/config, else the current user. */
    user: z.string().min(1).optional(),
    /** SSH port; default from ~/.ssh/config, else 22. */
    port: tcpPort.optional(),
    /** Private key file; default from ~/.ssh/config or the SSH agent. */
    identityFile: z.string().min(1).optional(),
  })
  .strict();

export const nodesSchema = z
  .object({ server: hostSchema, agents: z.array(hostSchema).default([]) })
  .strict();

export const k3sSchema = z
  .object({
    /** Container runtime: Docker with nvidia as default runtime (the tutorial), or K3s' containerd. */
    runtime: z.enum(['docker', 'containerd']).default('docker'),
  })
  .strict();

/** Sections merged into the top level of the cluster description. */
export const inventorySchema = z.object({ nodes: nodesSchema.optional(), k3s: k3sSchema.prefault({}) });

export interface ClusterNode {
  readonly name: string;
  readonly address: string;
  readonly role: 'server' | 'agent';
}

/** Every node of the description, server first; empty when no nodes are described. */
export function clusterNodes(config: { readonly nodes?: z.output<typeof nodesSchema> }): ClusterNode[] {
  if (!config.nodes) return [];
  const { server, agents } = config.nodes;
  return [
    { name: server.name, address: server.address ?? server.name, role: 'server' as const },
    ...agents.map((a) => ({ name: a.name, address: a.address ?? a.name, role: 'agent' as const })),
  ];
}
