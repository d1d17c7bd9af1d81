/**
 * The Kubernetes side of the cluster description: NFS, provisioner, model store,
 * Triton and its Service. Every default is the tutorial's value.
 */
import { z } from 'zod';
import {
  absolutePath, dnsLabel, dnsSubdomain, hostOrIp, imageRef, labelKey, labelValue, nodePort, quantity, tcpPort,
} from './validators';

export const TUTORIAL_NFS_SERVER = '10.0.0.30';
export const TUTORIAL_NFS_PATH = '/var/nfs/general';

export const nfsSchema = z
  .object({
    /** NFS server address. */
    server: hostOrIp.default(TUTORIAL_NFS_SERVER),
    /** Exported folder on the server. */
    path: absolutePath.default(TUTORIAL_NFS_PATH),
  })
  .strict();

export const provisionerSchema = z
  .object({
    /** Deploy the NFS dynamic provisioner; turn off when the cluster already has the StorageClass. */
    enabled: z.boolean().default(true),
    image: imageRef.default('registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2'),
    storageClassName: dnsSubdomain.default('nfs-client'),
    provisionerName: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?)?$/, 'must look like "k8s-sigs.io/nfs-subdir-external-provisioner"')
      .default('k8s-sigs.io/nfs-subdir-external-provisioner'),
    /** Keep a PV's data in an "archived-" folder when its claim is deleted. */
    archiveOnDelete: z.boolean().default(true),
    reclaimPolicy: z.enum(['Delete', 'Retain']).default('Delete'),
  })
  .strict();

export const storageSchema = z
  .object({
    claimName: dnsSubdomain.default('models-pvc'),
    /** Defaults to the provisioner's StorageClass. */
    storageClassName: dnsSubdomain.optional(),
    size: quantity.default('10Gi'),
  })
  .strict();

export const tritonSchema = z
  .object({
    name: dnsLabel.default('triton'),
    image: imageRef.default('janakiramm/triton-jetson'),
    imagePullPolicy: z.enum(['IfNotPresent', 'Always', 'Never']).default('IfNotPresent'),
    extraArgs: z.array(z.string().regex(/^--[a-z]/, 'must be a tritonserver flag such as "--log-verbose=1"')).default([]),
    /** RuntimeClass for K3s on containerd ("nvidia"); unset with Docker's default runtime. */
    runtimeClassName: dnsSubdomain.optional(),
    /** Extra node labels Triton pods require, on top of kubernetes.io/arch=arm64. */
    nodeSelector: z.record(labelKey, labelValue).default({}),
    ports: z
      .object({ http: tcpPort.default(8000), grpc: tcpPort.default(8001), metrics: tcpPort.default(8002) })
      .strict()
      .prefault({}),
    resources: z
      .object({
        cpuRequest: quantity.default('1'),
        memoryRequest: quantity.default('1536Mi'),
        memoryLimit: quantity.default('3Gi'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export const serviceSchema = z
  .object({
    name: dnsLabel.default('triton'),
    nodePorts: z
      .object({ http: nodePort.default(30800), grpc: nodePort.default(30801), metrics: nodePort.default(30802) })
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
