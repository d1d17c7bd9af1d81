/**
 * The Kubernetes side of the cluster description: NFS, provisioner, model store,
 * Triton and its Service. Every default is the tutorial's value.
 */
import { z } from 'zod';
import {
  dnsLabel, dnsSubdomain, hostOrIp, imageRef, labelKey, labelValue, nodePort, quantity, tcpPort,
} from './validators';
import { nfsExportPath } from './validators';
import { TUTORIAL_DEFAULTS } from '../tutorial-defaults';

const D = TUTORIAL_DEFAULTS;

export const nfsSchema = z
  .object({
    /** NFS server address. */
    server: hostOrIp.default(D.nfsServer),
    /** Exported folder on the server (absolute; no whitespace, quotes, backslashes or ".."). */
    path: nfsExportPath.default(D.nfsPath),
  })
  .strict();

export const provisionerSchema = z
  .object({
    /** Deploy the NFS dynamic provisioner; turn off when the cluster already has the StorageClass. */
    enabled: z.boolean().default(true),
    image: imageRef.default(D.provisionerImage),
    storageClassName: dnsSubdomain.default(D.storageClassName),
    provisionerName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must look like "k8s-sigs.io/nfs-subdir-external-provisioner"')
      .default(D.provisionerName),
    /** Keep a PV's data in an "archived-" folder when its claim is deleted. */
    archiveOnDelete: z.boolean().default(true),
    reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete'),
  })
  .strict();

export const storageSchema = z
  .object({
    claimName: dnsSubdomain.default(D.claimName),
    /** Defaults to the provisioner's StorageClass. */
    storageClassName: dnsSubdomain.optional(),
    size: quantity.default(D.storageSize),
  })
  .strict();

export const tritonSchema = z
  .object({
    name: dnsLabel.default(D.tritonName),
    image: imageRef.default(D.tritonImage),
    imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default('IfNotPresent'),
    extraArgs: z.array(z.string().regex(/^--[a-z]/, 'must be a tritonserver flag such as "--log-verbose=1"')).default([]),
    /** RuntimeClass for K3s on containerd ("nvidia"); unset with Docker's default runtime. */
    runtimeClassName: dnsSubdomain.optional(),
    /** Extra node labels Triton pods require, on top of kubernetes.io/arch=arm64. */
    nodeSelector: z.record(labelKey, labelValue).default({}),
    ports: z
      .object({ http: tcpPort.default(D.tritonPorts.http), grpc: tcpPort.default(D.tritonPorts.grpc), metrics: tcpPort.default(D.tritonPorts.metrics) })
      .strict()
      .prefault({}),
    resources: z
      .object({
        cpuRequest: quantity.default(D.tritonResources.cpuRequest),
        memoryRequest: quantity.default(D.tritonResources.memoryRequest),
        memoryLimit: quantity.default(D.tritonResources.memoryLimit),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const serviceSchema = z
  .object({
    name: dnsLabel.default(D.tritonName),
    nodePorts: z
      .object({ http: nodePort.default(D.nodePorts.http), grpc: nodePort.default(D.nodePorts.grpc), metrics: nodePort.default(D.nodePorts.metrics) })
      .strict()
      .prefault({}),
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).default('Cluster'),
  })
  .strict();

/** Refinements across fields of the stack section (ports must not collide). */
export function checkDistinctPorts(
  ports: Record<string, number>,
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const seen = new Map<number, string>();
  for (const [name, port] of Object.entries(ports)) {
    const other = seen.get(port);
    if (other !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, name],
        message: `duplicates ${other} (${port}); give each port its own number`,
      });
    }
    seen.set(port, name);
  }
}
