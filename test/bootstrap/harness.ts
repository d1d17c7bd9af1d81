/**
 * Test harness for the bootstrapper's integration tests: a cluster description for the
 * fake Jetson hosts, a temp HOME (so the machine's ~/.ssh and ~/.kube are never used),
 * and a runner that captures the progress lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import type { RunOptions, RunSummary } from '../../bootstrap/executor/options';
import { runReset } from '../../bootstrap/executor/reset';
import { hasCommand, type Prerequisite } from '../support/prereq';
import type { JetsonHosts } from '../support/jetson-hosts';

export const FAKE_HOST_PREREQUISITES: readonly Prerequisite[] = [
  { name: 'root', present: process.getuid?.() === 0, hint: 'run the tests as root (mount namespaces)' },
  ...['sshd', 'sudo', 'jq', 'unshare', 'openssl'].map((c) => ({
    name: c,
    present: hasCommand(c) || hasCommand(`/usr/sbin/${c}`),
    hint: 'bash scripts/test-deps/20-ssh.sh',
  })),
];

export interface Workspace {
  readonly home: string;
  readonly configPath: string;
  readonly kubeconfigPath: string;
  readonly knownHostsPath: string;
  remove(): void;
}

/** A temp HOME with the fixture's known_hosts and a cluster.yaml path beside it. */
export function makeWorkspace(fixture: JetsonHosts, knownHosts = fixture.knownHosts): Workspace {
  const home = mkdtempSync(join(tmpdir(), 'triton-jetson-home-'));
  const knownHostsPath = join(home, 'known_hosts');
  writeFileSync(knownHostsPath, knownHosts);
  return {
    home,
    configPath: join(home, 'cluster.yaml'),
    kubeconfigPath: join(home, '.kube', 'config'),
    knownHostsPath,
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

/** The cluster description for the fixture's hosts (first = server). */
export function clusterFor(fixture: JetsonHosts, user = 'root', extra: Partial<ClusterConfigInput> = {}): ClusterConfigInput {
  const [server, ...agents] = fixture.hosts;
  const host = (h: (typeof fixture.hosts)[number]) => ({ name: h.name, address: h.address, port: h.port });
  return {
    nodes: { server: host(server), agents: agents.map(host) },
    ssh: { user, identityFile: fixture.clientPrivateKeyPath, connectTimeoutSeconds: 5 },
    ...extra,
  };
}

export interface Run {
  readonly summary: RunSummary;
  readonly log: string[];
}

/** Run options that keep a run inside the test workspace (temp HOME, kubeconfig, known_hosts). */
function workspaceOptions(ws: Workspace, cluster: ClusterConfigInput) {
  return {
    config: parseClusterConfig(cluster),
    configPath: ws.configPath,
    homeDir: ws.home,
    env: {},
    kubeconfigPath: ws.kubeconfigPath,
    knownHostsFile: ws.knownHostsPath,
  };
}

export async function bootstrap(ws: Workspace, cluster: ClusterConfigInput, options: Partial<RunOptions> = {}): Promise<Run> {
  const log: string[] = [];
  const summary = await runBootstrap({
    ...workspaceOptions(ws, cluster),
    readyTimeoutSeconds: 20,
    pollIntervalMs: 200,
    log: (host, message) => log.push(`[${host}] ${message}`),
    ...options,
  });
  return { summary, log };
}

export async function reset(ws: Workspace, cluster: ClusterConfigInput, options: Partial<RunOptions> = {}): Promise<Run> {
  const log: string[] = [];
  const summary = await runReset({
    ...workspaceOptions(ws, cluster),
    log: (host, message) => log.push(`[${host}] ${message}`),
    ...options,
  });
  return { summary, log };
}

export function hostSummary(run: Run, name: string) {
  const host = run.summary.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no host ${name} in the summary`);
  return host;
}
