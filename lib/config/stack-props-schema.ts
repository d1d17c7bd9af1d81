/**
 * What the stack renders from: the manifest side of the cluster description (the same
 * section schemas cluster.yaml uses) plus the few facts about the fleet that shape the
 * manifests (K3s' container runtime; each board's profile and memory). The cluster
 * description extends these sections with the hosts side (nodes, ssh, k3s, ...).
 */
import { z } from 'zod';
import { boardProfileName } from './inventory-schema';
import { modelsSchema } from './models-schema';
import { checkSeedConfigMapSize, seedingSchema } from './seeding-schema';
import {
  checkDistinctPorts, metricsSchema, networkPolicySchema, nfsSchema, provisionerSchema, serviceSchema, storageSchema, tritonSchema,
} from './stack-schema';
import { dnsLabel, positiveQuantity } from './validators';
import { TUTORIAL_DEFAULTS } from '../tutorial-defaults';

/** The manifest sections, shared by cluster.yaml and the stack's props. */
export const stackSections = {
  /** Namespace of the namespaced objects. */
  namespace: dnsLabel.default(TUTORIAL_DEFAULTS.namespace),
  /** Also render the Namespace object. */
  createNamespace: z.boolean().default(false),
  nfs: nfsSchema.prefault({}),
  provisioner: provisionerSchema.prefault({}),
  storage: storageSchema.prefault({}),
  triton: tritonSchema.prefault({}),
  service: serviceSchema.prefault({}),
  models: modelsSchema,
  seeding: seedingSchema.prefault({}),
  networkPolicy: networkPolicySchema.prefault({}),
  metrics: metricsSchema.prefault({}),
};

/** The fleet facts the manifests depend on. */
export const fleetSchema = z
  .object({
    /** K3s' container runtime: containerd gives Triton the "nvidia" RuntimeClass. */
    runtime: z.enum(['docker', 'containerd']).default('docker'),
    /** The boards: a profile per board gives one Triton DaemonSet per profile, sized by memory. */
    nodes: z
      .array(z.object({ name: z.string().min(1), profile: boardProfileName.optional(), memory: positiveQuantity.optional() }).strict())
      .default([]),
  })
  .strict();

interface ProfiledHost {
  readonly name: string;
  readonly profile?: string;
}

/**
 * With `triton.profiles`, every board's declared profile must be one of them (else it would
 * get no Triton). `pathOf` names the board's field in the object being validated.
 */
export function checkHostProfiles(
  listed: readonly string[] | undefined, hosts: readonly ProfiledHost[], pathOf: (index: number) => (string | number)[], ctx: z.RefinementCtx,
): void {
  if (!listed) return;
  hosts.forEach((host, i) => {
    if (host.profile !== undefined && !listed.includes(host.profile)) {
      ctx.addIssue({
        code: 'custom',
        path: pathOf(i),
        message: `node "${host.name}" is ${host.profile}, which triton.profiles (${listed.join(', ')}) leaves out: it would run no Triton; add ${host.profile} to triton.profiles`,
      });
    }
  });
}

/** Namespaces Kubernetes creates itself: never rendered as an object of ours (GitOps could prune them). */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Rules across the manifest sections, for cluster.yaml and the stack's props alike. */
export function checkStackSections(
  settings: { namespace?: string; createNamespace: boolean; triton: { ports: Record<string, number> }; service: { nodePorts: Record<string, number> } } & Parameters<typeof checkSeedConfigMapSize>[0],
  ctx: z.RefinementCtx,
): void {
  checkDistinctPorts(settings.triton.ports, ['triton', 'ports'], ctx);
  checkDistinctPorts(settings.service.nodePorts, ['service', 'nodePorts'], ctx);
  if (settings.createNamespace && settings.namespace !== undefined && SYSTEM_NAMESPACES.includes(settings.namespace)) {
    ctx.addIssue({
      code: 'custom',
      path: ['createNamespace'],
      message: `"${settings.namespace}" is created by Kubernetes itself; leave createNamespace off or choose a namespace of your own`,
    });
  }
  checkSeedConfigMapSize(settings, ctx);
}

/**
 * A stack's instance: its label value and the start of every name the stack derives, so it
 * must begin a Service name (DNS-1035) and leave room for the longest one,
 * "<instance>-nfs-subdir-external-provisioner-root" (a volume name, at most 63 characters).
 */
const instanceName = z
  .string()
  .max(26, 'must be at most 26 characters (every name the stack derives starts with "<instance>-", the longest "<instance>-nfs-subdir-external-provisioner-root")')
  .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'must begin object names: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit (e.g. "lab")');

/** The props of TritonJetsonStack: the namespace left out is the Chart's (else "default"). */
export const stackPropsSchema = z
  .object({
    ...stackSections,
    namespace: dnsLabel.optional(),
    instance: instanceName.default('triton-jetson'),
    fleet: fleetSchema.prefault({}),
  })
  .strict()
  .superRefine((settings, ctx) => {
    checkStackSections(settings, ctx);
    checkHostProfiles(settings.triton.profiles, settings.fleet.nodes, (i) => ['fleet', 'nodes', i, 'profile'], ctx);
  });

