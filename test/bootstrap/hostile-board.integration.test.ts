/**
 * Issue 20.1, 20.2 through real SSH hosts (test/support/jetson-hosts.ts):
 * - another local user of a board (`intruder`, no sudo) pre-creates the old fixed
 *   /tmp/triton-jetson-airgap with their own install.sh and k3s, and races to copy them into
 *   every /tmp/triton-jetson-* folder while bootstrap installs from an air-gap folder as a
 *   sudo user: nothing of theirs runs, the installed k3s is the uploaded one;
 * - the board then answers a hostile /etc/rancher/k3s/k3s.yaml (an exec credential plugin,
 *   a proxy, a second cluster, an alias bomb, terminal escapes, 17 MB): bootstrap refuses it
 *   in one line naming the field, and the operator's kubeconfig stays byte for byte.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatSummary } from '../../bootstrap/summary-text';
import { describeWith } from '../support/prereq';
import { DEFAULT_TEST_USERS, JETSON_HOST_STUBS_DIR, startJetsonHosts, type JetsonHosts } from '../support/jetson-hosts';
import { FAKE_HOST_PREREQUISITES, bootstrap, clusterFor, makeWorkspace, type Workspace } from './harness';

const EVIL = '#!/bin/sh\ntouch /tmp/intruder-code-ran\n';

/** Runs as `intruder` on the board until /tmp/stop-racer exists: copies its files into every triton-jetson folder it can. */
const RACER = `
while [ ! -e /tmp/stop-racer ]; do
  for d in /tmp/triton-jetson-*; do
    [ -d "$d" ] || continue
    for f in install.sh k3s; do
      if cp /tmp/evil/$f "$d/$f" 2>/dev/null; then echo "wrote $d/$f" >> /tmp/intruder.log; fi
    done
  done
  sleep 0.05
done
`;

describeWith(FAKE_HOST_PREREQUISITES)('a hostile board and its other users', () => {
  let fixture: JetsonHosts;
  let ws: Workspace;
  const asIntruder = (command: string) => fixture.hosts[0].run(`setpriv --reuid intruder --regid intruder --clear-groups -- /bin/sh -c ${JSON.stringify(command)}`);

  beforeAll(async () => {
    fixture = await startJetsonHosts({ count: 1, users: [...DEFAULT_TEST_USERS, { name: 'intruder', sudo: 'none' }] });
    ws = makeWorkspace(fixture);
  });
  afterAll(async () => {
    await fixture?.stop();
    ws?.remove();
  });

  test('air gap: another user\'s folder and a racing copier never get their code run as root (issue 20.2)', async () => {
    const [host] = fixture.hosts;
    const airGapDir = join(ws.home, 'k3s-airgap');
    mkdirSync(airGapDir, { mode: 0o700 });
    copyFileSync(join(JETSON_HOST_STUBS_DIR, 'k3s-install.sh'), join(airGapDir, 'install.sh'));
    copyFileSync(fixture.stubK3sBinaryPath, join(airGapDir, 'k3s-arm64'));
    writeFileSync(join(airGapDir, 'k3s-airgap-images-arm64.tar'), 'images');
    // The intruder's own files, and the old fixed folder made first, open to all.
    await host.run('mkdir -p /tmp/evil');
    await host.writeFile('/tmp/evil/install.sh', EVIL);
    await host.writeFile('/tmp/evil/k3s', EVIL);
    await host.writeFile('/tmp/evil/racer.sh', RACER);
    await host.run('chmod 755 /tmp/evil/* && chown -R intruder:intruder /tmp/evil');
    await asIntruder('mkdir -m 777 /tmp/triton-jetson-airgap && cp /tmp/evil/install.sh /tmp/evil/k3s /tmp/triton-jetson-airgap/ && chmod 777 /tmp/triton-jetson-airgap/*');
    await asIntruder('nohup /bin/sh /tmp/evil/racer.sh >/dev/null 2>&1 &');
    let run;
    try {
      run = await bootstrap(ws, clusterFor(fixture, 'deploy', { k3s: { airGapDir }, hostPrep: { installNfsCommon: false } }));
    } finally {
      await host.run('touch /tmp/stop-racer');
    }
    expect(await host.exists('/tmp/intruder-code-ran')).toBe(false);
    expect(run.summary.hosts[0]).toMatchObject({ status: 'ok' });
    expect(run.summary.ok).toBe(true);
    const installed = createHash('sha256').update(await host.readFile('/usr/local/bin/k3s')).digest('hex');
    expect(installed).toBe(createHash('sha256').update(readFileSync(fixture.stubK3sBinaryPath, 'utf-8')).digest('hex'));
    // The racer was live (it kept overwriting its own folder) but never got into ours.
    const raced = (await host.exists('/tmp/intruder.log')) ? (await host.readFile('/tmp/intruder.log')).trim().split('\n') : [];
    expect(raced.length).toBeGreaterThan(0);
    expect(raced.filter((line) => !line.startsWith('wrote /tmp/triton-jetson-airgap/'))).toEqual([]);
    // The private folders are gone; the intruder's is left alone.
    expect((await host.run('ls -d /tmp/triton-jetson-* 2>/dev/null || true')).stdout.trim()).toBe('/tmp/triton-jetson-airgap');
  });

  /** [what the board answers in /etc/rancher/k3s/k3s.yaml, how to make it from the real one, the one line]. */
  const ANSWERS: readonly (readonly [string, (real: string) => string, RegExp])[] = [
    ['an exec credential plugin', (real) => edit(real, (d) => { d.users[0].user.exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'sh', args: ['-c', 'touch /tmp/pwned'] }; }), /users\[0\]\.user\.exec is not something K3s writes there/],
    ['a proxy-url and insecure-skip-tls-verify', (real) => edit(real, (d) => { d.clusters[0].cluster['proxy-url'] = 'socks5://10.9.9.9:1080'; d.clusters[0].cluster['insecure-skip-tls-verify'] = true; }), /clusters\[0\]\.cluster\.proxy-url is not something K3s writes/],
    ['a second cluster', (real) => edit(real, (d) => { d.clusters.push({ name: 'x', cluster: { server: 'https://evil.example' } }); }), /it has 2 clusters/],
    ['an alias bomb', () => `a: &a [l,l,l,l,l,l,l,l,l]\n${'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`).join('\n')}\n`, /YAML aliases expand too much/],
    ['a field name with terminal escapes', (real) => edit(real, (d) => { d.users[0].user['\u001b[2J\u001b]52;c;cGF5bG9hZA==\u0007\rexec'] = 'x'; }), /users\[0\]\.user\.\\u001b\[2J\\u001b\]52;c;cGF5bG9hZA==\\u0007\\u000dexec is not/],
    ['17 MB', (real) => `${real}# ${'x'.repeat(17 * 1024 * 1024)}\n`, /answered more than 16 MB to one command; stopped reading it/],
  ];

  test.each(ANSWERS)('k3s.yaml with %s: refused in one line, the kubeconfig untouched (issue 20.1)', async (_what, make, message) => {
    const [host] = fixture.hosts;
    const cluster = clusterFor(fixture, 'root', { hostPrep: { installNfsCommon: false } });
    // A healthy cluster and kubeconfig first (the air-gap test installed K3s; a rerun merges).
    const good = await bootstrap(ws, cluster);
    expect(good.summary.ok).toBe(true);
    const before = readFileSync(ws.kubeconfigPath, 'utf-8');
    const real = await host.readFile('/etc/rancher/k3s/k3s.yaml');
    await host.writeFile('/etc/rancher/k3s/k3s.yaml', make(real));
    try {
      const run = await bootstrap(ws, cluster);
      const server = run.summary.hosts[0];
      expect(run.summary.ok).toBe(false);
      expect(server.status).toBe('failed');
      expect(server.error).toMatch(message);
      expect(server.error!.split('\n')).toHaveLength(1);
      expect(server.error).not.toContain('touch /tmp/pwned');
      // What reaches the terminal cannot act on it.
      expect(`${run.log.join('\n')}${formatSummary(run.summary)}`).not.toMatch(/[\u001b\u0007\r]/);
      expect(readFileSync(ws.kubeconfigPath, 'utf-8')).toBe(before);
      expect(await host.exists('/tmp/pwned')).toBe(false);
    } finally {
      await host.writeFile('/etc/rancher/k3s/k3s.yaml', real);
    }
  });

  test.each([
    ['a link to /dev/zero', 'ln -s /dev/zero /etc/rancher/k3s/k3s.yaml'],
    ['a FIFO nobody writes', 'mkfifo /etc/rancher/k3s/k3s.yaml'],
  ])('k3s.yaml replaced by %s: refused at once, the kubeconfig untouched', async (_what, replace) => {
    const [host] = fixture.hosts;
    const cluster = clusterFor(fixture, 'root', { hostPrep: { installNfsCommon: false } });
    expect((await bootstrap(ws, cluster)).summary.ok).toBe(true);
    const before = readFileSync(ws.kubeconfigPath, 'utf-8');
    await host.run(`mv /etc/rancher/k3s/k3s.yaml /etc/rancher/k3s/k3s.yaml.real && ${replace}`);
    try {
      const run = await bootstrap(ws, cluster);
      expect(run.summary.hosts[0].error).toMatch(/cannot read \/etc\/rancher\/k3s\/k3s\.yaml \(exit 1\): \/etc\/rancher\/k3s\/k3s\.yaml is not a regular file/);
      expect(readFileSync(ws.kubeconfigPath, 'utf-8')).toBe(before);
    } finally {
      await host.run('rm -f /etc/rancher/k3s/k3s.yaml && mv /etc/rancher/k3s/k3s.yaml.real /etc/rancher/k3s/k3s.yaml');
    }
  });
});

type K3sYaml = { clusters: { name: string; cluster: Record<string, unknown> }[]; users: { name: string; user: Record<string, unknown> }[] };

function edit(real: string, change: (doc: K3sYaml) => void): string {
  const doc = parse(real) as K3sYaml;
  change(doc);
  return stringify(doc);
}
