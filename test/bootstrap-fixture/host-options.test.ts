/**
 * The fake hosts' options: non-root users with and without passwordless sudo,
 * unreachable hosts, installer failure and delay, non-Jetson/broken hosts, and the K3s
 * installer's less common inputs (skip-download, kubeconfig output, explicit command).
 */
import { NodeSSH } from 'node-ssh';
import { describeWith } from '../support/prereq';
import { JetsonHosts, OPERATOR_PASSWORD, startJetsonHosts } from '../support/jetson-hosts';
import { connect, FIXTURE_PREREQUISITES, machineFingerprint, run, tcpConnect } from './helpers';

describeWith(FIXTURE_PREREQUISITES)('fake Jetson hosts: options', () => {
  let fixture: JetsonHosts;
  let before: string;
  const open: NodeSSH[] = [];
  const session = async (index: number, user = 'root') => {
    const ssh = await connect(fixture, fixture.hosts[index], user);
    open.push(ssh);
    return ssh;
  };

  beforeAll(async () => {
    before = machineFingerprint();
    fixture = await startJetsonHosts({
      port: 2222,
      hosts: [
        {},
        { unreachable: true },
        { installerFailure: "Download failed: simulated network error (can't reach github.com)", installerDelayMs: 400 },
        { memoryCgroup: false, daemonJson: null, l4tRelease: null, arch: 'x86_64', docker: false, nfsCommon: true },
        { hostname: 'edge-node', daemonJson: '{"runtimes": ' },
      ],
    });
  });

  afterAll(async () => {
    open.forEach((s) => s.dispose());
    await fixture?.stop();
  });

  it('listens on the chosen port and leaves unreachable hosts without any listener', async () => {
    const [first, unreachable] = fixture.hosts;
    expect(first.port).toBe(2222);
    expect(first.knownHostsLine.startsWith(`[${first.address}]:2222 ssh-ed25519 `)).toBe(true);
    expect(unreachable.unreachable).toBe(true);
    expect(await tcpConnect(unreachable.address, 2222)).toBe('ECONNREFUSED');
    expect(await tcpConnect(first.address, 2222)).toBe('connected');
    expect(fixture.knownHosts).not.toContain(unreachable.address);
    await expect(unreachable.readFile('/etc/hostname')).rejects.toThrow(/unreachable/);
    expect(fixture.hosts.map((h) => h.name)).toEqual(['jm-node-1', 'jm-node-2', 'jm-node-3', 'jm-node-4', 'edge-node']);
  });

  it('lets deploy use passwordless sudo, docker and the installer', async () => {
    const ssh = await session(0, 'deploy');
    const who = await run(ssh, 'id -un; sudo -n id -u; docker info --format "{{.DefaultRuntime}}"');
    expect(who.stdout.split('\n')).toEqual(['deploy', '0', 'runc']);
    const denied = await run(ssh, 'systemctl restart docker');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Interactive authentication required');
    expect((await run(ssh, 'sudo -n systemctl restart docker')).code).toBe(0);
    const install = await run(ssh, 'token=$(cat); curl -sfL https://get.k3s.io | K3S_TOKEN="$token" sh -', 'deploy-token');
    expect(install.code).toBe(0);
    expect(await fixture.hosts[0].serviceState('k3s')).toBe('active');
    const record = (await fixture.hosts[0].calls()).find((c) => c.program === 'k3s-install');
    expect(record).toMatchObject({ user: 'deploy', uid: 2001 });
    // Mode 600 by default: a non-root user cannot read the kubeconfig.
    expect(await fixture.hosts[0].fileMode('/etc/rancher/k3s/k3s.yaml')).toBe(0o600);
    const kubectl = await run(ssh, 'kubectl get nodes');
    expect(kubectl.code).toBe(1);
    expect(kubectl.stderr).toContain('permission denied');
    expect((await run(ssh, 'sudo -n kubectl get nodes --no-headers')).stdout).toMatch(/^jm-node-1 +Ready +control-plane,master/);
  });

  it('keeps the first server token and applies --node-label on (re)install', async () => {
    const ssh = await session(0);
    const changed = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_TOKEN=another-token sh -');
    expect(changed.code).toBe(1);
    expect((await run(ssh, 'journalctl -u k3s')).stdout).toContain('bootstrap data already found and encrypted with different token');
    expect(await fixture.hosts[0].serviceState('k3s')).toBe('failed');
    const again = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_TOKEN=deploy-token sh -s - --node-label zone=mate --node-label=gpu=nvidia');
    expect(again.code).toBe(0);
    expect(await fixture.hosts[0].serviceState('k3s')).toBe('active');
    const [node] = await fixture.clusterNodes(fixture.hosts[0].address);
    expect(node.labels).toMatchObject({ zone: 'mate', gpu: 'nvidia', 'node-role.kubernetes.io/control-plane': 'true' });
  });

  it('makes operator type a password for sudo, so unattended sudo fails', async () => {
    const ssh = await session(0, 'operator');
    const nonInteractive = await run(ssh, 'sudo -n true');
    expect(nonInteractive.code).toBe(1);
    expect(nonInteractive.stderr).toContain('a password is required');
    expect((await run(ssh, "sudo -S -p '' id -u", `${OPERATOR_PASSWORD}\n`)).stdout).toBe('0');
    expect((await run(ssh, "sudo -S -p '' id -u", 'wrong\n')).code).toBe(1);
    const install = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_TOKEN=t sh -');
    expect(install.code).toBe(1);
    expect(install.stderr).toContain('sudo: a terminal is required to read the password');
    const docker = await run(ssh, 'docker info');
    expect(docker.code).toBe(1);
    expect(docker.stderr).toContain('permission denied');
  });

  it('fails the installer where configured, after the configured delay, installing nothing', async () => {
    const ssh = await session(2);
    const started = Date.now();
    const install = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_URL=https://jm-node-1:6443 K3S_TOKEN=deploy-token sh -');
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    expect(install.code).toBe(1);
    expect(install.stderr).toContain("[ERROR]  Download failed: simulated network error (can't reach github.com)");
    expect(await fixture.hosts[2].exists('/usr/local/bin/k3s')).toBe(false);
    expect(await fixture.hosts[2].serviceState('k3s-agent')).toBe('inactive');
  });

  it('models a host that is no ready Jetson: no L4T file, x86_64, no docker, no memory cgroup', async () => {
    const ssh = await session(3);
    const r = await run(
      ssh,
      "cat /etc/nv_tegra_release; echo l4t=$?; uname -m; command -v docker || echo no-docker; awk '$1 == \"memory\" { print $4 }' /proc/cgroups; test -d /sys/fs/cgroup/memory || echo no-memory-hierarchy; test -d /sys/fs/cgroup/cpu && echo cpu-hierarchy; test -e /etc/docker/daemon.json || echo no-daemon-json; dpkg -s nfs-common >/dev/null && command -v mount.nfs",
    );
    expect(r.stdout.split('\n')).toEqual(['l4t=1', 'x86_64', 'no-docker', '0', 'no-memory-hierarchy', 'cpu-hierarchy', 'no-daemon-json', '/usr/local/bin/mount.nfs']);
  });

  it('starts a host whose initial daemon.json is broken with docker failed', async () => {
    const ssh = await session(4);
    expect((await run(ssh, 'hostname')).stdout).toBe('edge-node');
    expect((await run(ssh, 'systemctl is-active docker')).stdout).toBe('failed');
    expect((await run(ssh, 'docker info')).stdout).toContain('ERROR: Cannot connect to the Docker daemon');
  });

  it('honours INSTALL_K3S_SKIP_DOWNLOAD, K3S_KUBECONFIG_OUTPUT and an explicit server command', async () => {
    const ssh = await session(4);
    const skip = await run(ssh, 'curl -sfL https://get.k3s.io | INSTALL_K3S_SKIP_DOWNLOAD=true K3S_TOKEN=t sh -');
    expect(skip.code).toBe(1);
    expect(skip.stderr).toContain('Executable k3s binary not found at /usr/local/bin/k3s');

    // Air-gapped style: upload the binary and the script, then run it.
    await ssh.putFile(fixture.stubK3sBinaryPath, '/usr/local/bin/k3s');
    await run(ssh, 'chmod 755 /usr/local/bin/k3s && curl -sfL https://get.k3s.io -o /tmp/install.sh');
    const install = await run(
      ssh,
      'INSTALL_K3S_SKIP_DOWNLOAD=true INSTALL_K3S_VERSION=v1.28.15+k3s1 K3S_TOKEN=t K3S_KUBECONFIG_OUTPUT=/root/.kube/config K3S_KUBECONFIG_MODE=640 sh /tmp/install.sh server --docker --disable traefik',
    );
    expect(install.stderr).toBe('');
    expect(install.stdout).toContain('Skipping k3s download and verify');
    const host = fixture.hosts[4];
    expect(await host.exists('/root/.kube/config')).toBe(true);
    expect(await host.fileMode('/root/.kube/config')).toBe(0o640);
    expect(await host.exists('/etc/rancher/k3s/k3s.yaml')).toBe(false);
    expect((await run(ssh, 'k3s --version')).stdout).toMatch(/^k3s version v1\.28\.15\+k3s1 /);
    const unit = await host.readFile('/etc/systemd/system/k3s.service');
    // install.sh's quote_indent: the command, then each argument single-quoted on its own line.
    expect(unit).toContain("ExecStart=/usr/local/bin/k3s \\\n    server \\\n\t'--docker' \\\n\t'--disable' \\\n\t'traefik' \\\n");
    const env = await host.readFile('/etc/systemd/system/k3s.service.env');
    expect(env).toContain("K3S_KUBECONFIG_MODE='640'");
    expect(await host.fileMode('/etc/systemd/system/k3s.service.env')).toBe(0o600);
    const installRecord = (await host.calls()).filter((c) => c.program === 'k3s-install').pop();
    expect(installRecord?.argv).toEqual(['server', '--docker', '--disable', 'traefik']);
    expect(installRecord?.env).toMatchObject({ INSTALL_K3S_SKIP_DOWNLOAD: 'true', INSTALL_K3S_VERSION: 'v1.28.15+k3s1' });
  });

  it('installer like K3s\' install.sh: no change -> no start, INSTALL_K3S_FORCE_RESTART, SKIP_ENABLE, EXEC words, env file', async () => {
    const ssh = await session(4);
    const host = fixture.hosts[4];
    await run(ssh, 'curl -sfL https://get.k3s.io -o /tmp/install.sh');
    const install = (env: string, args = '') => run(ssh, `${env} K3S_TOKEN=t INSTALL_K3S_VERSION=v1.28.15+k3s1 sh /tmp/install.sh ${args}`);
    // INSTALL_K3S_EXEC: quotes group words, other punctuation is data, not shell syntax.
    const first = await install(`INSTALL_K3S_EXEC="server --node-label 'note=a b' --node-taint=x;y" HTTPS_PROXY=http://proxy:3128`, "--disable 'traefik'");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('[INFO]  systemd: Starting k3s');
    expect(JSON.parse(await host.readFile('/run/jetson-host/services/k3s.argv'))).toEqual([
      // install.sh escapes "=" too, and inside quotes the backslash stays (as with the real script).
      '/usr/local/bin/k3s', 'server', '--node-label', 'note\\=a b', '--node-taint=x;y', '--disable', 'traefik',
    ]);
    expect(await host.fileMode('/etc/systemd/system/k3s.service.env')).toBe(0o600);
    expect(await host.readFile('/etc/systemd/system/k3s.service.env')).toBe("K3S_TOKEN='t'\nHTTPS_PROXY='http://proxy:3128'\n");
    expect(await host.serviceState('k3s')).toBe('active');

    // The same install again while the service is stopped: nothing changed, so it stays stopped.
    await run(ssh, 'systemctl stop k3s');
    const again = await install(`INSTALL_K3S_EXEC="server --node-label 'note=a b' --node-taint=x;y" HTTPS_PROXY=http://proxy:3128`, "--disable 'traefik'");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('[INFO]  Skipping binary downloaded, installed k3s matches hash');
    expect(again.stdout).toContain('[INFO]  No change detected so skipping service start');
    expect(await host.serviceState('k3s')).toBe('inactive');
    // INSTALL_K3S_FORCE_RESTART=true starts it anyway.
    const forced = await install(`INSTALL_K3S_FORCE_RESTART=true INSTALL_K3S_EXEC="server --node-label 'note=a b' --node-taint=x;y" HTTPS_PROXY=http://proxy:3128`, "--disable 'traefik'");
    expect(forced.stdout).not.toContain('No change detected');
    expect(await host.serviceState('k3s')).toBe('active');
    // A changed setting (here the env file) restarts it.
    await run(ssh, 'systemctl stop k3s');
    await install('', "server --disable 'traefik'");
    expect(await host.serviceState('k3s')).toBe('active');
    // INSTALL_K3S_SKIP_ENABLE: neither enabled nor started.
    await run(ssh, '/usr/local/bin/k3s-uninstall.sh');
    const skipEnable = await install('INSTALL_K3S_SKIP_ENABLE=true');
    expect(skipEnable.code).toBe(0);
    expect(skipEnable.stdout).not.toContain('Enabling');
    expect((await run(ssh, 'systemctl is-enabled k3s')).stdout).toBe('disabled');
    expect(await host.serviceState('k3s')).toBe('inactive');
    await run(ssh, '/usr/local/bin/k3s-uninstall.sh');
  });

  it('gives fixtures started at the same time disjoint addresses', async () => {
    const [a, b] = await Promise.all([
      startJetsonHosts({ count: 2, hostnames: ['left-1', 'left-2'], users: [] }),
      startJetsonHosts({ count: 2, hostnames: ['right-1', 'right-2'], users: [] }),
    ]);
    try {
      const addresses = [...a.hosts, ...b.hosts, ...fixture.hosts].map((h) => h.address);
      expect(new Set(addresses).size).toBe(addresses.length);
      const ssh = await connect(b, b.hosts[1]);
      expect((await run(ssh, 'hostname; id -u deploy 2>/dev/null || echo no-deploy')).stdout).toBe('right-2\nno-deploy');
      ssh.dispose();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('rejects options it cannot honour, naming the field', async () => {
    await expect(startJetsonHosts({ count: 0 })).rejects.toThrow(/count/);
    await expect(startJetsonHosts({ hostnames: ['Bad_Name'] })).rejects.toThrow(/hostname "Bad_Name"/);
    await expect(startJetsonHosts({ count: 1, users: [{ name: 'root', sudo: 'none' }] })).rejects.toThrow(/users\[\]\.name/);
    await expect(startJetsonHosts({ count: 1, installerDelayMs: -1 })).rejects.toThrow(/installerDelayMs/);
    await expect(startJetsonHosts({ hostnames: ['twin', 'twin'] })).rejects.toThrow(/"twin" is given to more than one host/);
    await expect(startJetsonHosts({ count: 1, port: 70000 })).rejects.toThrow(/port/);
  });

  it('leaves the machine itself untouched', () => {
    expect(machineFingerprint()).toBe(before);
  });
});
