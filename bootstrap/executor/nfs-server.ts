/** The NFS server of `nfsServer.managed` (not a K3s node): exported alongside the nodes' preparation. */
import { nfsServerScript, parseNfsServerChanges } from '../plan/nfs-server';
import type { Fleet } from './fleet';
import { HostError } from './transport';

/** Runs (or, in a dry run, shows) the NFS server preparation when `nfsServer.managed`. */
export async function prepareNfsServer(fleet: Fleet, dryRun: boolean): Promise<void> {
  const nfs = fleet.nfs;
  if (!nfs || nfs.summary.status !== 'ok' || !nfs.operator) return;
  const { config } = fleet.options;
  const path = config.nfs?.path;
  if (!path) {
    fleet.fail(nfs, new HostError('step', 'nfsServer.managed: no export folder; set nfs.path'));
    return;
  }
  const clients = config.nfsServer.clients ?? fleet.hosts.map((h) => h.target.ssh.host);
  let script: string;
  try {
    script = nfsServerScript({ path, clients, exportOptions: config.nfsServer.exportOptions });
  } catch (err) {
    fleet.fail(nfs, new HostError('step', (err as Error).message));
    return;
  }
  const title = `export ${path} to ${clients.join(', ')} (nfs-kernel-server)`;
  if (nfs.sharedWith) nfs.summary.warnings.push(`shares the SSH connection of ${nfs.sharedWith.target.name}`);
  if (dryRun) {
    nfs.summary.plannedSteps = [{ title, script, uploads: [] }];
    fleet.say(nfs.target.name, `will: ${title}`);
    return;
  }
  try {
    const changes = parseNfsServerChanges(await fleet.root(nfs, script, 'NFS server preparation'));
    if (changes.length === 0) nfs.summary.unchanged.push(`${path} already exported to ${clients.join(', ')}`);
    nfs.summary.changed.push(...changes);
    fleet.say(nfs.target.name, changes.length ? changes.join('; ') : `${path} already exported`);
  } catch (err) {
    fleet.fail(nfs, err);
  }
}
