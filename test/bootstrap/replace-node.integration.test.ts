/**
 * A re-flashed board rejoining under its old name, on fake Jetson hosts: the server still
 * holds its node object and node-password secret, so K3s refuses the new board ("Node
 * password rejected"); bootstrap says so and names the fix; `bootstrap --node NAME` refuses to
 * remove anything without --replace; with it, the stale registration goes and the board joins.
 */
import { describeWith } from '../support/prereq';
import { startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, hostSummary, makeWorkspace, type Workspace } from './harness';

describeWith(FAKE_HOST_PREREQUISITES)('re-adding a re-flashed board on fake Jetson hosts', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  const password = (server: string, name: string) => fixture.hosts[0].run(`cat /run/jetson-fixture/registry/servers/${server}/passwords/${name} 2>/dev/null || true`);
  /** Like flashing the SD card again: K3s and the node password are gone from the board. */
  const reflash = async () => {
    const board = fixture.hosts[2];
    await board.run('[ ! -x /usr/local/bin/k3s-agent-uninstall.sh ] || /usr/local/bin/k3s-agent-uninstall.sh >/dev/null; rm -rf /etc/rancher/node');
  };

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 3 });
    ws = makeWorkspace(fixture);
    expect((await bootstrap(ws, clusterFor(fixture))).summary.ok).toBe(true);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('plain bootstrap: K3s refuses the re-flashed board and the error names the fix', async () => {
    const [server, , board] = fixture.hosts;
    const before = (await password(server.address, board.name)).stdout;
    await reflash();
    const run = await bootstrap(ws, clusterFor(fixture));
    expect(run.summary.ok).toBe(false);
    const error = hostSummary(run, board.name).error!;
    expect(error).toMatch(/^k3s-agent-start failed \(exit 1\): Job for k3s-agent.service failed/);
    expect(error).toContain(`K3s refused the node password ("Node password rejected"): ${server.name} still holds the registration of the board that had this name before (re-flashed?): `
      + `run \`triton-jetson bootstrap --node ${board.name} --replace\` to remove node/${board.name} and secret kube-system/${board.name}.node-password.k3s`);
    expect(await board.run('journalctl -u k3s-agent')).toMatchObject({ stdout: expect.stringContaining('Node password rejected') });
    expect((await password(server.address, board.name)).stdout).toBe(before);
  });

  test('--node without --replace refuses to remove the registration of a re-flashed board', async () => {
    const [server, other, board] = fixture.hosts;
    await reflash();
    const otherCalls = (await other.calls()).length;
    const run = await bootstrap(ws, clusterFor(fixture), { nodes: [board.name] });
    expect(run.summary.ok).toBe(false);
    expect(hostSummary(run, board.name).error).toBe(`${board.name} was re-flashed (no node password on the board) but ${server.name} still holds its old registration `
      + `(node/${board.name} and secret kube-system/${board.name}.node-password.k3s), so K3s would refuse it ("Node password rejected"); `
      + `rerun with --node ${board.name} --replace to remove that node object and its password secret (nothing else), or answer yes on a terminal`);
    expect(run.summary.hosts.map((h) => h.name)).toEqual([server.name, board.name]);
    expect((await other.calls()).length).toBe(otherCalls);
    expect((await server.calls()).filter((c) => c.program === 'k3s' && c.argv[1] === 'delete')).toEqual([]);
    expect((await fixture.clusterNodes(server.address)).map((n) => n.name)).toContain(board.name);
  });

  test('--node --replace removes the stale node and secret, then the board joins; the other agent is not touched', async () => {
    const [server, other, board] = fixture.hosts;
    const otherCalls = (await other.calls()).length;
    const run = await bootstrap(ws, clusterFor(fixture), { nodes: [board.name], replaceNodes: true });
    expect(run.summary.ok).toBe(true);
    const deletes = (await server.calls()).filter((c) => c.program === 'k3s' && c.argv[1] === 'delete').map((c) => c.argv.slice(1).join(' '));
    expect(deletes).toEqual([
      `delete node ${board.name} --ignore-not-found`,
      `delete secret -n kube-system ${board.name}.node-password.k3s --ignore-not-found`,
    ]);
    expect(hostSummary(run, board.name).changed).toEqual(expect.arrayContaining([
      `removed the stale registration of ${board.name} (node/${board.name} and secret kube-system/${board.name}.node-password.k3s on ${server.name}); the board joins anew`,
      expect.stringMatching(/^started k3s-agent/),
    ]));
    expect(run.summary.nodes).toEqual({ ready: [server.name, board.name], notReady: [] });
    const nodes = await fixture.clusterNodes(server.address);
    expect(nodes.map((n) => `${n.name} ${n.ready}`)).toEqual(fixture.hosts.map((h) => `${h.name} true`));
    expect(nodes.find((n) => n.name === board.name)!.labels['triton-jetson.dev/jetson']).toBe('true');
    expect((await other.calls()).length).toBe(otherCalls);

    // The same command again: the board is registered and runs, nothing is removed.
    const again = await bootstrap(ws, clusterFor(fixture), { nodes: [board.name], replaceNodes: true });
    expect(again.summary.ok).toBe(true);
    expect((await server.calls()).filter((c) => c.program === 'k3s' && c.argv[1] === 'delete')).toHaveLength(2);
    expect(hostSummary(again, board.name).changed).toEqual([]);
  });
});
