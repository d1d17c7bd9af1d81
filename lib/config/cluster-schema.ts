/**
 * The schema of the whole cluster description: the manifest sections (stack-props-schema.ts)
 * and the hosts side (inventory-schema.ts), with the rules across them. Its input and output
 * types are lib/types/cluster.ts' ClusterConfigInput and ClusterConfig
 * (test/lib/public-types.test.ts checks it at compile time).
 */
import { z } from 'zod';
import { checkK3sCeiling, inventorySchema } from './inventory-schema';
import { checkHostProfiles, checkStackSections, stackSections } from './stack-props-schema';
import { upgradesSchema } from './upgrades-schema';
import { managedExportPathProblem } from './validators';

export const clusterConfigSchema = z
  .object(stackSections)
  .extend({ ...inventorySchema.shape, upgrades: upgradesSchema.prefault({}) })
  .strict()
  .superRefine((config, ctx) => {
    checkStackSections(config, ctx);
    if (config.nodes) {
      checkHostProfiles(config.triton.profiles, [config.nodes.server, ...config.nodes.agents],
        (i) => (i === 0 ? ['nodes', 'server', 'profile'] : ['nodes', 'agents', i - 1, 'profile']), ctx);
    }
    checkK3sCeiling(config, ctx);
    const exportProblem = config.nfsServer.managed ? managedExportPathProblem(config.nfs.path) : undefined;
    if (exportProblem) ctx.addIssue({ code: 'custom', path: ['nfs', 'path'], message: exportProblem });
  });
