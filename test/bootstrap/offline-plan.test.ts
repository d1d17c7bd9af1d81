/**
 * `triton-jetson plan --offline` (issue 11.4): the exact steps of a first bootstrap on
 * freshly flashed boards, from the executor's own plan functions, with no connection and
 * no SSH key; and the CLI's cluster description lookup (--config, $TRITON_JETSON_CONFIG,
 * ./cluster.yaml) and its one-line I/O errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { planOffline, type OfflinePlan } from '../../bootstrap/executor/offline-plan';
import { freshBoardFacts } from '../../bootstrap/plan/fresh-board';
import { planHostWork } from '../../bootstrap/plan/host-plan';
import { evaluatePreflight } from '../../bootstrap/plan/preflight';
import { TargetResolver } from '../../bootstrap/plan/targets';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { DEFAULT_K3S_VERSION } from '../../lib/config/inventory-schema';
import { hasCommand } from '../support/prereq';

const BIN = join(__dirname, '..', '..', 'bin', 'triton-jetson.js');

const CLUSTER = {
  nodes: {
    server: { name: 'jm-node-1', address: '10.0.0.11' },
    agents: [{ name: 'jm-node-2', address: '10.0.0.12', labels: { zone: 'rack-a' } }],
  },
  ssh: { user: 'ubuntu', identityFile: '~/.ssh/jetson_ed25519' },
  nfsServer: { managed: true },
};

describe('plan --offline', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'triton-offline-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function offline(cluster: object = CLUSTER): OfflinePlan {
    return planOffline({ config: parseClusterConfig(cluster), configPath: join(home, 'cluster.yaml'), homeDir: home, env: {} });
  }

  test('per host, the steps the executor would plan for a fresh board (same functions, token redacted)', () => {
    const plan = offline();
    expect(plan.ok).toBe(true);
    expect(plan.hosts.map((h) => [h.name, h.role, h.ssh])).toEqual([
      ['jm-node-1', 'server', 'ubuntu@10.0.0.11:22'], ['jm-node-2', 'agent', 'ubuntu@10.0.0.12:22'], ['nfs-server', 'nfs-server', 'ubuntu@10.0.0.30:22'],
    ]);
    expect(plan.hosts[0].steps.map((s) => s.title)).toEqual([
      'installed nfs-common',
      'daemon.json: default-runtime (unset) → nvidia (backup /etc/docker/daemon.json.triton-jetson.bak); Docker restarted',
      `installed K3s ${DEFAULT_K3S_VERSION} (server)`,
    ]);
    expect(plan.hosts[1].steps.map((s) => s.title).slice(-2)).toEqual([`installed K3s ${DEFAULT_K3S_VERSION} (agent)`, 'started k3s-agent (joined https://10.0.0.11:6443)']);
    expect(plan.hosts[2].steps[0].title).toBe('export /var/nfs/general to 10.0.0.11, 10.0.0.12 (nfs-kernel-server)');

    // The scripts are the executor's, for the fresh-board facts.
    const config = parseClusterConfig(CLUSTER);
    const targets = new TargetResolver(config, { homeDir: home, localUser: 'me' }).nodes();
    const facts = freshBoardFacts('jm-node-2');
    const work = planHostWork({
      target: targets[1], facts, inventory: config, token: 'x', serverAddress: '10.0.0.11', source: { kind: 'online', scriptUrl: 'https://get.k3s.io' },
      preflight: evaluatePreflight(facts, { runtime: 'docker', installNfsCommon: true, k3sVersion: config.k3s.version }),
    });
    const shown = plan.hosts[1].steps.map((s) => s.script);
    expect(shown.slice(0, 2)).toEqual(work.steps.slice(0, 2).map((s) => s.shownScript));
    const delimiters = (text: string) => text.replace(/TRITON_JETSON_[0-9A-F]{12}/g, 'DELIMITER');
    expect(delimiters(shown[2])).toBe(delimiters(work.steps[2].shownScript.replace(work.install.fingerprint, '<sha256 of these settings and the token generated on the first run>')));
    expect(shown[2]).toContain('export K3S_TOKEN=<redacted>');
    expect(shown[2]).toContain("--node-label=zone=rack-a");
    expect(plan.afterwards[0]).toMatch(/^token: none yet; bootstrap generates one into .*\/\.triton-jetson\/triton-jetson\/token/);
    // Nothing written: no token, no known_hosts, no kubeconfig.
    expect(readdirSync(home)).toEqual([]);
  });

  test('an existing token file: its digest is in the fingerprint, the token itself is never shown', () => {
    const token = 's3cret-token-value';
    mkdirSync(join(home, '.triton-jetson', 'triton-jetson'), { recursive: true });
    writeFileSync(join(home, '.triton-jetson', 'triton-jetson', 'token'), `${token}\n`, { mode: 0o600 });
    const plan = offline();
    const text = JSON.stringify(plan);
    expect(text).not.toContain(token);
    expect(plan.hosts[0].steps[2].script).toMatch(/triton-jetson\.fingerprint <<'TRITON_JETSON_[0-9A-F]+'\n[0-9a-f]{64}\n/);
    expect(plan.afterwards[0]).toMatch(/^token: from .*token \(shown as <redacted>\)$/);
  });

  test('an NFS export the plan refuses is reported for that host, not run', () => {
    // The schema refuses this path; planOffline gets it only from code that skips the schema.
    const config = parseClusterConfig(CLUSTER);
    const bad = { ...config, nfs: { ...config.nfs, path: "/srv/x'; touch canary; '" } };
    const plan = planOffline({ config: bad, configPath: join(home, 'cluster.yaml'), homeDir: home, env: {} });
    expect(plan.ok).toBe(false);
    expect(plan.hosts[2].steps).toEqual([]);
    expect(plan.hosts[2].error).toMatch(/^NFS server preparation refused: nfs\.path .*must not contain/);
  });

  const unshare = hasCommand('unshare') && process.getuid?.() === 0;
  (unshare ? test : test.skip)('CLI: no network at all, no SSH key: the plan prints, exit 0', () => {
    writeFileSync(join(home, 'cluster.yaml'), stringify(CLUSTER));
    // A network namespace with no interfaces: any connection attempt would fail at once.
    const result = spawnSync('unshare', ['--net', '--', process.execPath, BIN, 'plan', '--offline', '--json'], {
      cwd: home, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: home }, timeout: 60000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const plan = JSON.parse(result.stdout) as OfflinePlan;
    expect(plan).toMatchObject({ command: 'plan', offline: true, ok: true });
    expect(plan.hosts[0].identityFiles).toEqual([join(home, '.ssh', 'jetson_ed25519')]);
    expect(readdirSync(home)).toEqual(['cluster.yaml']);

    const text = spawnSync('unshare', ['--net', '--', process.execPath, BIN, 'plan', '--offline'], {
      cwd: home, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: home, TRITON_JETSON_SUDO_PASSWORD: 'sudo-secret' }, timeout: 60000,
    });
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^plan --offline — what bootstrap would run on freshly flashed boards; nothing was contacted\n/);
    expect(text.stdout).toContain('\njm-node-2 (agent) — ssh ubuntu@10.0.0.12:22, key ');
    expect(text.stdout).toContain('  would run: started k3s-agent (joined https://10.0.0.11:6443)\n');
    expect(text.stdout).not.toContain('sudo-secret');
  });
});

describe('bootstrap CLI: which cluster description, and I/O errors', () => {
  test.each([
    ['$TRITON_JETSON_CONFIG names a missing file', (dir: string) => ({ args: [], env: { TRITON_JETSON_CONFIG: join(dir, 'nope.yaml') } }),
      /^triton-jetson: invalid cluster description .*\/nope\.yaml: file not found \(create it from cluster\.example\.yaml\)$/],
    ['--config is a folder', (dir: string) => ({ args: ['--config', dir], env: {} }),
      /^triton-jetson: cannot use cluster description .*: is a folder, not a file; give the cluster description file, e.g. --config cluster.yaml$/],
    ['./cluster.yaml absent: the tutorial defaults have no nodes', () => ({ args: [], env: {} }),
      /^triton-jetson: .*\/cluster\.yaml: nodes: missing; describe nodes\.server and nodes\.agents \(see docs\/bootstrap\.md\)$/],
  ])('%s: one line, exit 1, no stack trace', (_what, setup, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'triton-cli-'));
    try {
      const { args, env } = setup(dir);
      const result = spawnSync(process.execPath, [BIN, 'plan', '--offline', ...args], {
        cwd: dir, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: dir, ...env }, timeout: 60000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('$TRITON_JETSON_CONFIG is used when --config is not given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'triton-cli-'));
    try {
      writeFileSync(join(dir, 'lab.yaml'), stringify(CLUSTER));
      const result = spawnSync(process.execPath, [BIN, 'plan', '--offline', '--json'], {
        cwd: tmpdir(), encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: dir, TRITON_JETSON_CONFIG: join(dir, 'lab.yaml') }, timeout: 60000,
      });
      expect(result.status).toBe(0);
      expect((JSON.parse(result.stdout) as OfflinePlan).hosts.map((h) => h.name)).toEqual(['jm-node-1', 'jm-node-2', 'nfs-server']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
