/** Shared pieces of the fixture's own tests: prerequisites and an SSH helper. */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { NodeSSH, SSHExecCommandResponse } from 'node-ssh';
import { hasCommand, Prerequisite } from '../support/prereq';
import { JetsonHost, JetsonHosts } from '../support/jetson-hosts';

const HINT = 'bash scripts/test-deps/20-ssh.sh (as root)';

/** What startJetsonHosts needs on the machine. */
export const FIXTURE_PREREQUISITES: readonly Prerequisite[] = [
  { name: 'root', present: process.getuid?.() === 0, hint: 'run the tests as root (namespaces, overlay mounts)' },
  { name: 'sshd', present: existsSync('/usr/sbin/sshd'), hint: HINT },
  { name: 'ssh-keygen', present: hasCommand('ssh-keygen'), hint: HINT },
  { name: 'unshare', present: hasCommand('unshare'), hint: HINT },
  { name: 'nsenter', present: hasCommand('nsenter'), hint: HINT },
  { name: 'setpriv', present: hasCommand('setpriv'), hint: HINT },
  { name: 'sudo', present: hasCommand('sudo'), hint: HINT },
  { name: 'jq', present: hasCommand('jq'), hint: HINT },
  { name: 'openssl', present: hasCommand('openssl'), hint: HINT },
];

/** Connects to `host` as `username` with the fixture's client key (host key pinned). */
export async function connect(fixture: JetsonHosts, host: JetsonHost, username = 'root'): Promise<NodeSSH> {
  const ssh = new NodeSSH();
  await ssh.connect(fixture.sshConfig(host, username));
  // fixture.stop() ends the server side; a reset must not become an uncaught error.
  ssh.connection?.on('error', () => undefined);
  return ssh;
}

/** Runs `command` over an existing connection. */
export function run(ssh: NodeSSH, command: string, stdin?: string): Promise<SSHExecCommandResponse> {
  return ssh.execCommand(command, stdin === undefined ? {} : { stdin });
}

/**
 * A fingerprint of the machine's own files the fixture must never change: account
 * files, /etc/hosts, /etc/hostname, /etc/docker, /etc/rancher, /etc/nv_tegra_release,
 * /etc/sudoers.d, /usr/local/bin, /root/.ssh, /root/.kube, /home and the hostname
 * (entry names, modes and sizes: other programs on the machine may touch mtimes).
 */
export function machineFingerprint(): string {
  const hash = createHash('sha256');
  const addFile = (file: string) => {
    hash.update(`${file}\0`);
    hash.update(existsSync(file) ? readFileSync(file) : '<absent>');
  };
  const addDir = (dir: string) => {
    hash.update(`${dir}/\0`);
    if (!existsSync(dir)) {
      hash.update('<absent>');
      return;
    }
    for (const entry of readdirSync(dir).sort()) {
      const full = `${dir}/${entry}`;
      const st = statSync(full, { throwIfNoEntry: false });
      hash.update(`${entry}:${st?.mode}:${st?.isDirectory() ? '' : st?.size}\0`);
    }
  };
  for (const f of ['/root/.ssh/authorized_keys', '/root/.kube/config', '/etc/passwd', '/etc/shadow', '/etc/group', '/etc/hosts', '/etc/hostname', '/etc/nv_tegra_release', '/etc/docker/daemon.json']) addFile(f);
  for (const d of ['/etc/docker', '/etc/rancher', '/etc/sudoers.d', '/etc/systemd/system', '/usr/local/bin', '/root/.ssh', '/root/.kube', '/home', '/var/lib/rancher']) addDir(d);
  hash.update(os.hostname());
  return hash.digest('hex');
}

/** Outcome of one TCP connection attempt: "connected" or the error code (e.g. ECONNREFUSED). */
export function tcpConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}
