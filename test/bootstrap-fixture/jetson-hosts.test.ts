/**
 * The fake Jetson hosts themselves: real sshd per host in its own namespaces, reached
 * with node-ssh (like the bootstrapper), stubs that record and behave like the real
 * programs, and a machine left exactly as it was.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readlinkSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { NodeSSH } from 'node-ssh';
import { describeWith } from '../support/prereq';
import { startJetsonHosts, JetsonHosts, L4T_R32_7_1_RELEASE } from '../support/jetson-hosts';
import { connect, FIXTURE_PREREQUISITES, machineFingerprint, run, tcpConnect } from './helpers';

const NVIDIA_DEFAULT = JSON.stringify({
  'default-runtime': 'nvidia',
  runtimes: { nvidia: { path: 'nvidia-container-runtime', runtimeArgs: [] } },
});
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describeWith(FIXTURE_PREREQUISITES)('fake Jetson hosts (4 hosts, root login)', () => {
  let fixture: JetsonHosts;
  let sessions: NodeSSH[];
  let before: string;

  beforeAll(async () => {
    before = machineFingerprint();
    fixture = await startJetsonHosts({ count: 4 });
    sessions = await Promise.all(fixture.hosts.map((h) => connect(fixture, h)));
  });

  afterAll(async () => {
    sessions?.forEach((s) => s.dispose());
    await fixture?.stop();
  });

  it('gives every host its own address, hostname, key and Jetson identity', async () => {
    expect(fixture.hosts.map((h) => h.name)).toEqual(['jm-node-1', 'jm-node-2', 'jm-node-3', 'jm-node-4']);
    expect(new Set(fixture.hosts.map((h) => h.address)).size).toBe(4);
    expect(new Set(fixture.hosts.map((h) => h.hostPublicKey)).size).toBe(4);
    for (const [i, host] of fixture.hosts.entries()) {
      expect(host.address).toMatch(/^127\.0\.\d+\.\d+$/);
      expect(host.knownHostsLine).toBe(`${host.address} ssh-ed25519 ${host.hostPublicKey.split(' ')[1]}`);
      const r = await run(sessions[i], 'hostname; uname -m; cat /etc/nv_tegra_release; uname -a');
      expect(r.code).toBe(0);
      const [hostname, arch, release, all] = r.stdout.split('\n');
      expect(hostname).toBe(host.name);
      expect(arch).toBe('aarch64');
      expect(`${release}\n`).toBe(L4T_R32_7_1_RELEASE);
      expect(all).toBe(`Linux ${host.name} 4.9.253-tegra #1 SMP PREEMPT Mon Jul 26 12:19:28 PDT 2021 aarch64 aarch64 aarch64 GNU/Linux`);
    }
    expect(fixture.knownHosts.trim().split('\n')).toHaveLength(4);
  });

  it('refuses a client that pins the wrong host key', async () => {
    const [first, second] = fixture.hosts;
    const ssh = new NodeSSH();
    await expect(
      ssh.connect({ ...fixture.sshConfig(first), hostVerifier: (key: Buffer) => key.equals(second.hostKeyBlob) }),
    ).rejects.toThrow();
    ssh.dispose();
  });

  it('resolves every fixture hostname inside every host', async () => {
    const r = await run(sessions[3], 'getent hosts jm-node-1 jm-node-2');
    expect(r.stdout).toContain(`${fixture.hosts[0].address}`);
    expect(r.stdout).toContain(`${fixture.hosts[1].address}`);
  });

  it('reports preflight facts: memory cgroup, sudo, docker and nfs-common state', async () => {
    const r = await run(sessions[0], "awk '$1 == \"memory\" { print $4 }' /proc/cgroups; command -v sudo; command -v docker; dpkg -s nfs-common; echo rc=$?; command -v mount.nfs || echo no-mount.nfs");
    expect(r.stdout.split('\n')).toEqual(['1', '/usr/bin/sudo', '/usr/local/bin/docker', 'rc=1', 'no-mount.nfs']);
    expect(r.stderr).toContain("dpkg-query: package 'nfs-common' is not installed");
  });

  it('docker info reflects daemon.json only after systemctl restart docker', async () => {
    const ssh = sessions[1];
    const host = fixture.hosts[1];
    expect((await run(ssh, "docker info --format '{{.DefaultRuntime}}'")).stdout).toBe('runc');
    const plain = await run(ssh, 'docker info');
    expect(plain.stdout).toMatch(/^ Runtimes: io\.containerd\.runc\.v2 io\.containerd\.runtime\.v1\.linux nvidia runc$/m);
    expect(plain.stdout).toMatch(/^ Default Runtime: runc$/m);

    await run(ssh, 'cat > /etc/docker/daemon.json', NVIDIA_DEFAULT);
    expect((await run(ssh, "docker info --format '{{.DefaultRuntime}}'")).stdout).toBe('runc');
    const restart = await run(ssh, 'systemctl restart docker');
    expect(restart.code).toBe(0);
    expect((await run(ssh, "docker info --format '{{.DefaultRuntime}}'")).stdout).toBe('nvidia');
    expect((await run(ssh, 'docker info')).stdout).toMatch(/^ Default Runtime: nvidia$/m);
    expect(JSON.parse(await host.readFile('/etc/docker/daemon.json'))).toEqual(JSON.parse(NVIDIA_DEFAULT));

    const systemctlCalls = (await host.calls()).filter((c) => c.program === 'systemctl');
    expect(systemctlCalls.map((c) => c.argv)).toEqual([['restart', 'docker']]);
  });

  it('an invalid daemon.json makes the docker restart fail and docker info fail', async () => {
    const ssh = sessions[2];
    await run(ssh, 'cat > /etc/docker/daemon.json', '{"default-runtime": "nvidia",');
    const restart = await run(ssh, 'systemctl restart docker');
    expect(restart.code).toBe(1);
    expect(restart.stderr).toContain('Job for docker.service failed');
    expect((await run(ssh, 'systemctl is-active docker')).stdout).toBe('failed');
    const info = await run(ssh, "docker info --format '{{.DefaultRuntime}}'");
    expect(info.code).toBe(1);
    expect(info.stderr).toContain('Cannot connect to the Docker daemon');
    expect((await run(ssh, 'journalctl -u docker')).stdout).toContain('unable to configure the Docker daemon with file /etc/docker/daemon.json');

    // Valid JSON naming a runtime that is not defined: dockerd refuses it too.
    await run(ssh, 'cat > /etc/docker/daemon.json', '{"default-runtime": "nvidia"}');
    expect((await run(ssh, 'systemctl restart docker')).code).toBe(1);
    expect((await run(ssh, 'systemctl status docker')).stdout).toContain("specified default runtime 'nvidia' does not exist");

    await run(ssh, 'cat > /etc/docker/daemon.json', NVIDIA_DEFAULT);
    expect((await run(ssh, 'systemctl restart docker')).code).toBe(0);
    expect((await run(ssh, "docker info --format '{{.DefaultRuntime}}'")).stdout).toBe('nvidia');
  });

  it('installs nfs-common through apt-get, which flips dpkg and mount.nfs', async () => {
    const ssh = sessions[3];
    expect((await run(ssh, 'apt-get install -y --no-install-recommends nfs-common')).code).toBe(0);
    const r = await run(ssh, "dpkg -s nfs-common | grep '^Status'; dpkg-query -W -f='${Status}' nfs-common; echo; command -v mount.nfs");
    expect(r.stdout.split('\n')).toEqual(['Status: install ok installed', 'install ok installed', '/usr/local/bin/mount.nfs']);
    expect(await fixture.hosts[3].installedPackages()).toContain('nfs-common');
    expect(await fixture.hosts[2].installedPackages()).not.toContain('nfs-common');
  });

  it('serves the K3s installer over curl and builds a 4-node cluster from it', async () => {
    const [server, ...agents] = fixture.hosts;
    const token = 'jetsonmate-secret-token';
    const offline = await run(sessions[0], 'curl -sfL https://example.com/; echo rc=$?');
    expect(offline.stdout).toBe('rc=6');

    const install = await run(
      sessions[0],
      'token=$(cat); curl -sfL https://get.k3s.io | K3S_TOKEN="$token" K3S_KUBECONFIG_MODE=644 INSTALL_K3S_VERSION=v1.29.10+k3s1 INSTALL_K3S_EXEC="--docker --disable servicelb --disable traefik" sh -',
      token,
    );
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(await server.serviceState('k3s')).toBe('active');
    const kubeconfig = await server.readFile('/etc/rancher/k3s/k3s.yaml');
    expect(kubeconfig).toContain('server: https://127.0.0.1:6443');
    expect(kubeconfig).toMatch(/certificate-authority-data: LS0t/);
    expect(kubeconfig).toMatch(/client-key-data: LS0t/);
    expect(await server.fileMode('/etc/rancher/k3s/k3s.yaml')).toBe(0o644);
    for (const f of ['/usr/local/bin/k3s', '/usr/local/bin/k3s-uninstall.sh', '/usr/local/bin/kubectl', '/etc/rancher/node/password', '/var/lib/rancher/k3s/server/node-token']) {
      expect(await server.exists(f)).toBe(true);
    }
    const nodeToken = await server.readFile('/var/lib/rancher/k3s/server/node-token');
    expect(nodeToken.trim()).toMatch(new RegExp(`^K10[0-9a-f]{64}::server:${token}$`));

    // Two agents by hostname with the plain token, one by address with the node-token.
    const joins = await Promise.all(
      agents.map((_agent, i) =>
        run(
          sessions[i + 1],
          `token=$(cat); curl -sfL https://get.k3s.io | K3S_URL=https://${i === 2 ? server.address : server.name}:6443 K3S_TOKEN="$token" INSTALL_K3S_EXEC="--docker" INSTALL_K3S_VERSION=v1.29.10+k3s1 sh -`,
          i === 2 ? nodeToken.trim() : token,
        ),
      ),
    );
    for (const join of joins) expect(join.code).toBe(0);
    for (const agent of agents) {
      expect(await agent.serviceState('k3s-agent')).toBe('active');
      expect(await agent.exists('/usr/local/bin/k3s-agent-uninstall.sh')).toBe(true);
      expect(await agent.exists('/etc/rancher/k3s/k3s.yaml')).toBe(false);
    }

    const nodes = await run(sessions[0], 'k3s kubectl get nodes');
    expect(nodes.code).toBe(0);
    const lines = nodes.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/);
    expect(lines.slice(1).map((l) => l.split(/ +/).filter((_, i) => i !== 3))).toEqual([
      ['jm-node-1', 'Ready', 'control-plane,master', 'v1.29.10+k3s1'],
      ['jm-node-2', 'Ready', '<none>', 'v1.29.10+k3s1'],
      ['jm-node-3', 'Ready', '<none>', 'v1.29.10+k3s1'],
      ['jm-node-4', 'Ready', '<none>', 'v1.29.10+k3s1'],
    ]);
    const json = JSON.parse((await run(sessions[0], 'kubectl get nodes -o json')).stdout);
    expect(json.items.map((n: { status: { nodeInfo: { containerRuntimeVersion: string } } }) => n.status.nodeInfo.containerRuntimeVersion)).toEqual(
      Array(4).fill('docker://20.10.7'),
    );
    expect((await fixture.clusterNodes(server.address)).map((n) => n.name)).toEqual(['jm-node-1', 'jm-node-2', 'jm-node-3', 'jm-node-4']);

    // The token reached every node (same hash) and never appears in any log.
    for (const [i, host] of fixture.hosts.entries()) {
      const installs = (await host.calls()).filter((c) => c.program === 'k3s-install');
      expect(installs).toHaveLength(1);
      const expected = i === 3 ? sha256(nodeToken.trim()) : sha256(token);
      expect(installs[0].env.K3S_TOKEN_SHA256).toBe(expected);
      expect(installs[0].env.K3S_TOKEN).toBeUndefined();
      expect(JSON.stringify(await host.calls())).not.toContain(token);
    }
    const agentInstall = (await agents[0].calls()).find((c) => c.program === 'k3s-install');
    expect(agentInstall?.env).toMatchObject({ K3S_URL: 'https://jm-node-1:6443', INSTALL_K3S_EXEC: '--docker' });
    expect((await agents[0].calls()).some((c) => c.program === 'curl' && c.argv.includes('https://get.k3s.io'))).toBe(true);

    // Agents have no kubeconfig: kubectl there fails like on a real agent.
    const onAgent = await run(sessions[1], 'k3s kubectl get nodes');
    expect(onAgent.code).toBe(1);
    expect(onAgent.stderr).toContain('localhost:8080 was refused');
  });

  it('rejects a join with the wrong token or an unknown server, like a real agent', async () => {
    const ssh = sessions[3];
    await run(ssh, '/usr/local/bin/k3s-agent-uninstall.sh');
    const wrong = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_URL=https://jm-node-1:6443 K3S_TOKEN=not-the-token sh -s - --docker');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Job for k3s-agent.service failed');
    expect((await run(ssh, 'journalctl -u k3s-agent')).stdout).toContain('401 Unauthorized');
    const unknown = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_URL=https://jm-node-9:6443 K3S_TOKEN=x sh -');
    expect(unknown.code).not.toBe(0);
    expect((await run(ssh, 'journalctl -u k3s-agent')).stdout).toContain('no such host');
    const noToken = await run(ssh, 'curl -sfL https://get.k3s.io | K3S_URL=https://jm-node-1:6443 sh -');
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('K3S_TOKEN or K3S_TOKEN_FILE is not defined');
    const nodes = (await run(sessions[0], 'kubectl get nodes --no-headers')).stdout;
    expect(nodes).toMatch(/^jm-node-4 +NotReady/m);
  });

  it('labels nodes and resets with the uninstall scripts', async () => {
    expect((await run(sessions[0], 'k3s kubectl label node jm-node-2 nvidia.com/gpu.present=true')).stdout).toBe('node/jm-node-2 labeled');
    const labels = JSON.parse((await run(sessions[0], 'kubectl get node jm-node-2 -o json')).stdout).metadata.labels;
    expect(labels['nvidia.com/gpu.present']).toBe('true');

    const agentReset = await run(sessions[1], 'k3s-agent-uninstall.sh');
    expect(agentReset.code).toBe(0);
    expect(await fixture.hosts[1].exists('/usr/local/bin/k3s')).toBe(false);
    expect(await fixture.hosts[1].serviceState('k3s-agent')).toBe('inactive');
    const reset = await run(sessions[0], '/usr/local/bin/k3s-uninstall.sh');
    expect(reset.code).toBe(0);
    for (const f of ['/usr/local/bin/k3s', '/usr/local/bin/kubectl', '/etc/rancher/k3s/k3s.yaml', '/usr/local/bin/k3s-uninstall.sh']) {
      expect(await fixture.hosts[0].exists(f)).toBe(false);
    }
    expect(await fixture.clusterNodes(fixture.hosts[0].address)).toEqual([]);
    expect((await run(sessions[0], 'command -v k3s || echo gone')).stdout).toBe('gone');
  });

  it('leaves the machine itself untouched', () => {
    expect(machineFingerprint()).toBe(before);
    expect(existsSync('/etc/nv_tegra_release')).toBe(false);
    expect(existsSync('/etc/rancher')).toBe(false);
  });
});

describeWith(FIXTURE_PREREQUISITES)('fake Jetson hosts: stop()', () => {
  it('kills every host process (sessions included) and removes its folders', async () => {
    const fixture = await startJetsonHosts({ count: 2 });
    const host = fixture.hosts[0];
    const ssh = await connect(fixture, host);
    // A long-running command in an SSH session: stop() must not leave it behind.
    void ssh.execCommand('sleep 300').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const namespace = (await host.run('readlink /proc/self/ns/mnt')).stdout.trim();
    const inNamespace = () =>
      readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return readlinkSync(`/proc/${p}/ns/mnt`) === namespace;
        } catch {
          return false;
        }
      });
    expect(inNamespace().length).toBeGreaterThanOrEqual(3); // sshd, session sshd, sleep
    // Without a pty, closing the session leaves `sleep` running: only stop() ends it.
    ssh.dispose();
    await new Promise((r) => setTimeout(r, 100));
    expect(inNamespace().length).toBeGreaterThanOrEqual(2);
    await fixture.stop();
    expect(inNamespace()).toEqual([]);
    expect(existsSync(fixture.dir)).toBe(false);
    expect(await tcpConnect(host.address, host.port)).toBe('ECONNREFUSED');
  });

  it('takes the sshd processes down with a test process that is SIGKILLed', async () => {
    // One node process (the tsx CLI would add a wrapper process around it).
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'orphan-child.ts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: path.join(__dirname, '..', '..'),
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.on('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    const started = JSON.parse(line) as { dir: string; hosts: { address: string; port: number }[] };
    expect(await tcpConnect(started.hosts[0].address, started.hosts[0].port)).toBe('connected');
    child.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(started.hosts.map((h) => tcpConnect(h.address, h.port)));
      if (states.every((s) => s === 'ECONNREFUSED')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(states).toEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    // Its temp folder is left behind (nothing ran to remove it): the next fixture that
    // reclaims the stale address lock removes it; this test does not wait for that.
    rmSync(started.dir, { recursive: true, force: true });
  });
});
