/**
 * Variants of step 1: an air-gapped install from a local folder, and K3s on containerd
 * (no Docker involved) with a non-Jetson node that gets no Jetson label.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '../support/prereq';
import { JETPACK_DAEMON_JSON, JETSON_HOST_STUBS_DIR, startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

describeWith(FAKE_HOST_PREREQUISITES)('air-gapped install', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  let airGapDir: string;
  const images = randomBytes(64 * 1024);

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 2 });
    ws = makeWorkspace(fixture);
    airGapDir = join(ws.home, 'k3s-airgap');
    mkdirSync(airGapDir);
    copyFileSync(join(JETSON_HOST_STUBS_DIR, 'k3s-install.sh'), join(airGapDir, 'install.sh'));
    copyFileSync(fixture.stubK3sBinaryPath, join(airGapDir, 'k3s-arm64'));
    writeFileSync(join(airGapDir, 'k3s-airgap-images-arm64.tar.zst'), images);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('uploads the binary, images and script; nothing is downloaded; a rerun uploads nothing', async () => {
    const cluster = clusterFor(fixture, 'root', { k3s: { airGapDir } });
    const run = await bootstrap(ws, cluster);
    expect(run.summary.ok).toBe(true);
    for (const host of fixture.hosts) {
      const calls = await host.calls();
      expect(calls.filter((c) => c.program === 'curl')).toEqual([]);
      expect(calls.find((c) => c.program === 'k3s-install')?.env.INSTALL_K3S_SKIP_DOWNLOAD).toBe('true');
      expect(await host.readFile('/usr/local/bin/k3s')).toBe(readFileSync(fixture.stubK3sBinaryPath, 'utf-8'));
      expect(await host.fileMode('/usr/local/bin/k3s')).toBe(0o755);
      const shipped = (await host.run('sha256sum /var/lib/rancher/k3s/agent/images/k3s-airgap-images-arm64.tar.zst')).stdout.split(' ')[0];
      expect(shipped).toBe(createHash('sha256').update(images).digest('hex'));
      expect(await host.exists('/tmp/triton-jetson-airgap')).toBe(false);
    }
    expect(run.log.filter((l) => l.includes('uploading'))).toHaveLength(6);
    const again = await bootstrap(ws, cluster);
    expect(again.summary.hosts.map((h) => h.changed)).toEqual([[], []]);
    expect(again.log.filter((l) => l.includes('uploading'))).toEqual([]);
  });

  test('a folder without the binary is a clear error before anything runs', async () => {
    const empty = join(ws.home, 'empty');
    mkdirSync(empty);
    await expect(bootstrap(ws, clusterFor(fixture, 'root', { k3s: { airGapDir: empty } })))
      .rejects.toThrow(/k3s.airGapDir .*empty: missing install.sh .* and k3s-arm64/);
  });
});

describeWith(FAKE_HOST_PREREQUISITES)('K3s on containerd', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;

  beforeAll(async () => {
    fixture = await startJetsonHosts({ hosts: [{}, { docker: false, l4tRelease: null }] });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('no --docker, daemon.json untouched, the Jetson label only where verified', async () => {
    const run = await bootstrap(ws, clusterFor(fixture, 'root', { k3s: { runtime: 'containerd' } }));
    expect(run.summary.ok).toBe(true);
    const [jetson, plain] = fixture.hosts;
    expect(await jetson.readFile('/etc/docker/daemon.json')).toBe(JETPACK_DAEMON_JSON);
    expect(hostSummary(run, plain.name).warnings).toEqual([expect.stringMatching(/^l4t: no \/etc\/nv_tegra_release: not a Jetson/)]);
    const argv = async (h: typeof jetson) => (await h.calls()).find((c) => c.program === 'k3s-install')!.argv;
    expect(await argv(jetson)).not.toContain('--docker');
    expect(await argv(jetson)).toContain('--node-label=triton-jetson.dev/jetson=true');
    expect(await argv(plain)).not.toContain('--node-label=triton-jetson.dev/jetson=true');
    const nodes = await fixture.clusterNodes(jetson.address);
    expect(nodes.map((n) => n.runtime)).toEqual(['containerd://1.7.22-k3s1', 'containerd://1.7.22-k3s1']);
  });
});

describeWith(FAKE_HOST_PREREQUISITES)('managed NFS server (nfsServer.managed)', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  const EXPORTFS_STUB = '#!/bin/sh\n# Records exportfs calls (the fake hosts have no NFS kernel server).\necho "$*" >> /run/jetson-host/exportfs.log\n';

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 3 });
    ws = makeWorkspace(fixture);
    for (const host of fixture.hosts) {
      await host.writeFile('/usr/local/bin/exportfs', EXPORTFS_STUB);
      await host.run('chmod 755 /usr/local/bin/exportfs');
    }
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  const twoNodesAndNfs = (nfsHost: string) => {
    const cluster = clusterFor(fixture, 'root', { nfs: { server: nfsHost, path: '/var/nfs/general' }, nfsServer: { managed: true } });
    cluster.nodes!.agents = cluster.nodes!.agents!.slice(0, 1);
    return cluster;
  };

  test('a separate NFS host: installed, folder created, exported to the nodes; a rerun changes nothing', async () => {
    const [server, agent, nfs] = fixture.hosts;
    const dry = await bootstrap(ws, twoNodesAndNfs(nfs.address), { dryRun: true });
    expect(hostSummary(dry, 'nfs-server').plannedSteps!.map((s) => s.title)).toEqual([`export /var/nfs/general to ${server.address}, ${agent.address} (nfs-kernel-server)`]);
    expect(await nfs.exists('/var/nfs/general')).toBe(false);

    const run = await bootstrap(ws, twoNodesAndNfs(nfs.address));
    expect(run.summary.ok).toBe(true);
    expect(hostSummary(run, 'nfs-server')).toMatchObject({
      role: 'nfs-server', address: nfs.address, status: 'ok', sshHandshakes: 1,
      changed: ['installed nfs-kernel-server', 'created the export folder (nobody:nogroup, 0777)', 'exported it in /etc/exports and reloaded (exportfs -ra)'],
    });
    expect(await nfs.installedPackages()).toContain('nfs-kernel-server');
    expect(await nfs.fileMode('/var/nfs/general')).toBe(0o777);
    const options = 'rw,sync,no_subtree_check,no_root_squash';
    expect(await nfs.readFile('/etc/exports')).toContain(`/var/nfs/general ${server.address}(${options}) ${agent.address}(${options})\n`);
    expect(await nfs.readFile('/run/jetson-host/exportfs.log')).toBe('-ra\n');

    const again = await bootstrap(ws, twoNodesAndNfs(nfs.address));
    expect(hostSummary(again, 'nfs-server')).toMatchObject({ changed: [], unchanged: [`/var/nfs/general already exported to ${server.address}, ${agent.address}`] });
    expect(await nfs.readFile('/run/jetson-host/exportfs.log')).toBe('-ra\n');
  });

  test('the NFS server on a node shares that node\'s SSH connection; changed clients replace the line', async () => {
    const [server] = fixture.hosts;
    const logins = () => readFileSync(join(server.dir, 'sshd.log'), 'utf-8').split('\n').filter((l) => l.includes('Accepted publickey')).length;
    const before = logins();
    const cluster = twoNodesAndNfs(server.address);
    cluster.nfsServer = { managed: true, clients: ['127.0.0.0/8'] };
    await server.writeFile('/etc/exports', '# existing\n/var/nfs/general 10.9.9.9(ro)\n/srv/other *(ro)\n');
    const run = await bootstrap(ws, cluster);
    expect(run.summary.ok).toBe(true);
    expect(logins() - before).toBe(1);
    expect(hostSummary(run, 'nfs-server').warnings).toEqual(['shares the SSH connection of jm-node-1']);
    expect(await server.readFile('/etc/exports')).toBe('# existing\n/srv/other *(ro)\n/var/nfs/general 127.0.0.0/8(rw,sync,no_subtree_check,no_root_squash)\n');
  });
});
