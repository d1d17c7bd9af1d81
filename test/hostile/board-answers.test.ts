/**
 * A board's answers reaching the operator's terminal (issue 20, "think past this list"): a
 * probe, a failing step, a server token file or a node list answered with terminal escape
 * sequences (colours, screen clears, an OSC 52 clipboard write), carriage returns that
 * overwrite a line, bidirectional overrides, or megabytes on one line. Bootstrap runs on
 * in-memory boards; every progress line and the printed summary must be free of raw control
 * characters and of lines longer than MAX_PRINTED_LINE (plus its note), whatever the board says.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSummary } from '../../bootstrap/summary-text';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import { readFileScript } from '../../bootstrap/executor/root-access';
import { SERVER_TOKEN_PATH, START_AGENT_SCRIPT } from '../../bootstrap/plan/k3s-install';
import { MAKE_STAGING_COMMAND } from '../../bootstrap/plan/air-gap';
import { PROBE_SCRIPT } from '../../bootstrap/plan/preflight';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { MAX_PRINTED_LINE } from '../../lib/terminal-text';
import { MEMORY_STAGING_DIR, MemoryHosts, jetsonBoard, type Cluster, type MemoryHost } from '../bootstrap/memory-operator';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();
const ESCAPES = '\u001b[2J\u001b[31mred\u001b]52;c;cGF5bG9hZA==\u0007\u001b]0;title\u0007\r\u0008\u202eevil\u0000';
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const probe = (fields: Record<string, string>) => [
  'hostname=nano-0', 'arch=aarch64', 'l4t=# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64', 'memtotal_kb=4051060',
  'docker=yes', 'docker_runtime=runc', 'cgroup=v1', 'memcg=yes', 'nfs=yes', 'apt=yes', 'k3s_active=inactive', 'k3s_agent_active=inactive',
].map((line) => {
  const key = line.split('=')[0];
  return key in fields ? `${key}=${fields[key]}` : line;
}).join('\n') + '\n---triton-jetson:daemon.json---\npresent\n{"runtimes": {"nvidia": {"path": "nvidia-container-runtime"}}}\n';

/** [what the board does, how (on the server's MemoryHost)]. */
const ANSWERS: readonly (readonly [string, (server: MemoryHost) => void])[] = [
  ['escapes in the architecture', (h) => h.on(PROBE_SCRIPT, { stdout: probe({ arch: `arm${ESCAPES}` }) })],
  ['escapes in the L4T release line', (h) => h.on(PROBE_SCRIPT, { stdout: probe({ l4t: `# R99${ESCAPES}` }) })],
  ['escapes in Docker\'s default runtime', (h) => h.on(PROBE_SCRIPT, { stdout: probe({ docker_runtime: `runc${ESCAPES}` }) })],
  ['a megabyte-long architecture', (h) => h.on(PROBE_SCRIPT, { stdout: probe({ arch: 'x'.repeat(1024 * 1024) }) })],
  ['a failing step that prints escapes', (h) => h.on((s) => s.includes('cat > /etc/rancher/k3s/triton-jetson.fingerprint'), { code: 1, stderr: `[ERROR] ${ESCAPES}\n${'y'.repeat(100_000)}\n` })],
  ['a probe that stops early, printing escapes', (h) => h.on(PROBE_SCRIPT, { code: 1, stderr: ESCAPES })],
  ['a server token file of escapes', (h) => h.on(readFileScript(SERVER_TOKEN_PATH), { stdout: `${ESCAPES}\n` })],
];

function lab(): { hosts: MemoryHosts; server: MemoryHost; dir: string } {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  const server = hosts.host('10.0.0.10');
  jetsonBoard(server, 'nano-0', cluster);
  jetsonBoard(hosts.host('10.0.0.11'), 'nano-1', cluster);
  return { hosts, server, dir: scratch('board-answers-') };
}

describe('a board\'s answers cannot act on the operator\'s terminal', () => {
  test.each(ANSWERS)('%s', async (_what, arrange) => {
    const l = lab();
    // A running K3s on the server makes bootstrap read its token file (rules added later win).
    l.server.on(PROBE_SCRIPT, { stdout: probe({}).replace('k3s_active=inactive', 'k3s_version=v1.34.12+k3s1\nk3s_active=active') });
    arrange(l.server);
    for (const dryRun of [true, false]) {
      const log: string[] = [];
      const summary = await runBootstrap({
        config: parseClusterConfig({ nodes: { server: { name: 'nano-0', address: '10.0.0.10' }, agents: [{ name: 'nano-1', address: '10.0.0.11' }] }, ssh: { user: 'root' } }),
        configPath: join(l.dir, 'cluster.yaml'), homeDir: l.dir, env: {}, kubeconfigPath: join(l.dir, 'kube', 'config'),
        operators: l.hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1, dryRun, log: (host, line) => log.push(`[${host}] ${line}`),
      });
      const printed = [...log, formatSummary(summary)].join('\n');
      expect(printed).not.toMatch(CONTROL);
      for (const line of printed.split('\n')) expect(line.length).toBeLessThan(MAX_PRINTED_LINE + 40);
      expect(summary.hosts[0].error ?? '').not.toContain('y'.repeat(1000));
    }
  });

  test('the agents never start against a server that failed this way', async () => {
    const l = lab();
    l.server.on(PROBE_SCRIPT, { code: 1, stderr: ESCAPES });
    const summary = await runBootstrap({
      config: parseClusterConfig({ nodes: { server: { name: 'nano-0', address: '10.0.0.10' }, agents: [{ name: 'nano-1', address: '10.0.0.11' }] }, ssh: { user: 'root' } }),
      configPath: join(l.dir, 'cluster.yaml'), homeDir: l.dir, env: {}, kubeconfigPath: join(l.dir, 'kube', 'config'),
      operators: l.hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
    });
    expect(summary.ok).toBe(false);
    expect(l.hosts.scripts('10.0.0.11:22')).not.toContain(START_AGENT_SCRIPT);
  });

  /** What `mktemp -d` (run as the SSH user before an air-gap upload) answers: only "<uid> /tmp/triton-jetson-airgap.<random>" is used. */
  test.each([
    ['another folder', '0 /etc\n'],
    ['a path that climbs out', '0 /tmp/triton-jetson-airgap.abcdef/../../etc\n'],
    ['the old fixed folder', '1000 /tmp/triton-jetson-airgap\n'],
    ['two lines', '1000 /tmp/triton-jetson-airgap.abcdef\n1000 /root\n'],
    ['a uid that is not a number', 'root /tmp/triton-jetson-airgap.abcdef\n'],
    ['escapes', `${ESCAPES}\n`],
    ['nothing', ''],
  ])('air gap: mktemp answering %s: that host stops before any upload, in one line', async (_what, answer) => {
    const l = lab();
    const airGapDir = join(l.dir, 'airgap');
    mkdirSync(airGapDir, { mode: 0o700 });
    for (const file of ['install.sh', 'k3s-arm64']) writeFileSync(join(airGapDir, file), file, { mode: 0o600 });
    l.server.on(MAKE_STAGING_COMMAND, { stdout: answer });
    const log: string[] = [];
    const summary = await runBootstrap({
      config: parseClusterConfig({ nodes: { server: { name: 'nano-0', address: '10.0.0.10' }, agents: [{ name: 'nano-1', address: '10.0.0.11' }] }, ssh: { user: 'root' }, k3s: { airGapDir } }),
      configPath: join(l.dir, 'cluster.yaml'), homeDir: l.dir, env: {}, kubeconfigPath: join(l.dir, 'kube', 'config'),
      operators: l.hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1, log: (host, line) => log.push(`[${host}] ${line}`),
    });
    expect(summary.hosts[0].error).toMatch(/^could not make a private upload folder with mktemp -d as root@10\.0\.0\.10:22 \(it did not print "<uid> <folder>"\); check that \/tmp is writable there$/);
    expect(l.hosts.calls.filter((c) => c.host === '10.0.0.10:22' && c.kind === 'upload')).toEqual([]);
    expect(l.hosts.scripts('10.0.0.10:22').some((s) => s.includes('install -m 755'))).toBe(false);
    expect([...log, formatSummary(summary)].join('\n')).not.toMatch(CONTROL);
    // The agent's board answers mktemp properly: it uploads only into that private folder.
    const agentUploads = l.hosts.calls.filter((c) => c.kind === 'upload' && c.host === '10.0.0.11:22');
    expect(agentUploads.every((c) => c.text.includes(` -> ${MEMORY_STAGING_DIR}/`))).toBe(true);
  });
});
