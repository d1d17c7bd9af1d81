/**
 * The hosts side of the cluster description: nodes, SSH, K3s. Read by the bootstrapper.
 * (Placeholder shape; the bootstrapper work fills it in.)
 */
import { z } from 'zod';
import { hostOrIp } from './validators';

export const hostSchema = z.object({ host: z.string(), address: hostOrIp.optional() }).strict();
export const nodesSchema = z.object({ server: hostSchema, agents: z.array(hostSchema).default([]) }).strict();
export const k3sSchema = z.object({ runtime: z.enum(['docker', 'containerd']).default('docker') }).strict();

/** Sections merged into the top level of the cluster description. */
export const inventorySchema = z.object({ nodes: nodesSchema.optional(), k3s: k3sSchema.prefault({}) });
