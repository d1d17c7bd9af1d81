/**
 * `triton-jetson plan --offline` (issues 11.4, 23.4): the exact steps of a first bootstrap on
 * freshly flashed boards, from the executor's own plan functions, with no connection and no SSH
 * key; read as a summary per board and each distinct script once; what it can already see.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatOfflinePlan, planOffline, type OfflinePlan } from '../../bootstrap/executor/offline-plan';
import { freshBoardFacts } from '../../bootstrap/plan/fresh-board';
import { planHostWork } from '../../bootstrap/plan/host-plan';
import { releaseInstallerSource } from '../../bootstrap/plan/k3s-install';
import { evaluatePreflight, preflightOptionsFor } from '../../bootstrap/plan/preflight';
import { NODE_DIGEST_PLACEHOLDER, NODE_NAME_PLACEHOLDER } from '../../bootstrap/plan/script-groups';
import { TargetResolver } from '../../bootstrap/plan/targets';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { DEFAULT_K3S_VERSION } from '../../lib/config/inventory-schema';

const CLUSTER = {
  nodes: {
    server: { name: 'jm-node-1', address: '10.0.0.11' },
    agents: [{ name: 'jm-node-2', address: '10.0.0.12', labels: { zone: 'rack-a' } }],
  },
  ssh: { user: 'ubuntu', identityFile: '~/.ssh/jetson_ed25519' },
  nfsServer: { managed: true },
};

/** A mixed fleet: a Nano server, Nano agents and JetPack 6 Orins. */
function fleet(nanos: number, orins: number): object {
  const agents = [
    ...Array.from({ length: nanos }, (_, i) => ({ name: `nano-${i + 2}`, address: `10.1.${Math.floor(i / 250)}.${(i % 250) + 2}` })),
    ...Array.from({ length: orins }, (_, i) => ({ name: `orin-${i + 1}`, address: `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`, profile: 'jetpack6', memory: '8Gi' })),
  ];
  return { nodes: { server: { name: 'nano-1', address: '10.0.1.1', profile: 'jetpack4' }, agents: agents.map((a) => ('profile' in a ? a : { ...a, profile: 'jetpack4' })) }, ssh: { user: 'ubuntu' } };
}

describe('plan --offline', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'triton-offline-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function offline(cluster: object = CLUSTER, env: NodeJS.ProcessEnv = {}): OfflinePlan {
    return planOffline({ config: parseClusterConfig(cluster), configPath: join(home, 'cluster.yaml'), homeDir: home, env });
  }

  test('per host, the steps the executor will plan for a fresh board (same functions, token redacted)', () => {
    const plan = offline();
    expect(plan.ok).toBe(true);
    expect(plan.hosts.map((h) => [h.name, h.role, h.ssh])).toEqual([
      ['jm-node-1', 'server', 'ubuntu@10.0.0.11:22'], ['jm-node-2', 'agent', 'ubuntu@10.0.0.12:22'], ['nfs-server', 'nfs-server', 'ubuntu@10.0.0.30:22'],
    ]);
    expect(plan.hosts[0].steps.map((s) => s.title)).toEqual([
      'install nfs-common',
      'make nvidia Docker\'s default runtime: daemon.json default-runtime (unset) → nvidia (backup /etc/docker/daemon.json.triton-jetson.bak), restart Docker',
      `install K3s ${DEFAULT_K3S_VERSION} (server)`,
    ]);
    expect(plan.hosts[1].steps.map((s) => s.title).slice(-2)).toEqual([`install K3s ${DEFAULT_K3S_VERSION} (agent)`, 'start k3s-agent (join https://10.0.0.11:6443)']);
    expect(plan.hosts[2].steps[0].title).toMatch(/^export \/var\/nfs\/general to 10\.0\.0\.11, 10\.0\.0\.12 \(nfs-kernel-server/);

    // The scripts are the executor's, for the fresh-board facts, with the same pinned installer.
    const config = parseClusterConfig(CLUSTER);
    const targets = new TargetResolver(config, { homeDir: home, localUser: 'me' }).nodes();
    const facts = freshBoardFacts('jm-node-2');
    const work = planHostWork({
      target: targets[1], facts, inventory: config, token: 'x', serverAddress: '10.0.0.11', source: releaseInstallerSource(config.k3s.version),
      preflight: evaluatePreflight(facts, preflightOptionsFor(config, targets[1])),
    });
    const shown = plan.hosts[1].steps.map((s) => s.script);
    expect(shown.slice(0, 2)).toEqual(work.steps.slice(0, 2).map((s) => s.shownScript));
    const delimiters = (text: string) => text.replace(/TRITON_JETSON_[0-9A-F]{12}/g, 'DELIMITER');
    expect(delimiters(shown[2])).toBe(delimiters(work.steps[2].shownScript.replace(work.install.fingerprint, '<sha256 of these settings and the token generated on the first run>')));
    expect(shown[2]).toContain('export K3S_TOKEN=<redacted>');
    expect(shown[2]).toContain('--node-label=zone=rack-a');
    expect(plan.afterwards.find((a) => a.startsWith('token:'))).toMatch(/^token: taken from a running server or generated into .*\/\.triton-jetson\/triton-jetson\/token/);
    // Nothing written: no token, no known_hosts, no kubeconfig.
    expect(readdirSync(home)).toEqual([]);
  });

  test('the installer is the K3s release\'s own install.sh, checked against its install.sh.sha256sum, as in the bootstrap', () => {
    const plan = offline();
    const script = plan.hosts[0].steps[2].script;
    const tag = encodeURIComponent(DEFAULT_K3S_VERSION);
    expect(script).toContain(`curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/${tag}/install.sh -o "$d/install.sh"`);
    expect(script).toContain(`curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/${tag}/install.sh.sha256sum -o "$d/install.sh.sha256sum"`);
    expect(script).toMatch(/\(cd "\$d" && sha256sum -c install\.sh\.sha256sum >\/dev\/null\) \|\| \{ echo .* >&2; exit 1; \}\nsh "\$d\/install\.sh" server/);
    expect(script).not.toContain('get.k3s.io');
    expect(plan.warnings.join('\n')).not.toContain('installScriptUrl');
    // A mirror is run as given, and the plan says it is not pinned.
    const mirrored = offline({ ...CLUSTER, k3s: { installScriptUrl: 'https://get.k3s.io' } });
    expect(mirrored.hosts[0].steps[2].script).toContain('curl -sfL https://get.k3s.io -o "$d/install.sh"');
    expect(mirrored.warnings).toContainEqual(expect.stringMatching(/^k3s\.installScriptUrl https:\/\/get\.k3s\.io runs as given: neither pinned to k3s\.version's release nor checked/));
  });

  test('an existing token file: its digest is in the fingerprint, the token itself is never shown', () => {
    const token = 's3cret-token-value';
    mkdirSync(join(home, '.triton-jetson', 'triton-jetson'), { recursive: true });
    writeFileSync(join(home, '.triton-jetson', 'triton-jetson', 'token'), `${token}\n`, { mode: 0o600 });
    const plan = offline();
    const text = `${JSON.stringify(plan)}\n${formatOfflinePlan(plan)}`;
    expect(text).not.toContain(token);
    expect(plan.hosts[0].steps[2].script).toMatch(/triton-jetson\.fingerprint <<'TRITON_JETSON_[0-9A-F]+'\n[0-9a-f]{64}\n/);
    expect(plan.afterwards).toContainEqual(expect.stringMatching(/^token: from .*token \(shown as <redacted>\)$/));
    expect(plan.warnings.join('\n')).not.toContain('token');
  });

  test('an NFS export the plan refuses is reported for that host, not run', () => {
    // The schema refuses this path; planOffline gets it only from code that skips the schema.
    const config = parseClusterConfig(CLUSTER);
    const bad = { ...config, nfs: { ...config.nfs, path: "/srv/x'; touch canary; '" } };
    const plan = planOffline({ config: bad, configPath: join(home, 'cluster.yaml'), homeDir: home, env: {} });
    expect(plan.ok).toBe(false);
    expect(plan.hosts[2].steps).toEqual([]);
    expect(plan.hosts[2].error).toMatch(/^NFS server preparation refused: nfs\.path .*must not contain/);
    expect(formatOfflinePlan(plan)).toMatch(/\n {2}nfs-server .*REFUSED: NFS server preparation refused/);
  });

  test('a summary first: one line per board with its role, profile, runtime, power mode and the scripts it will run', () => {
    const plan = offline({ ...fleet(1, 1), hostPrep: { powerModes: { jetpack4: { nvpmodel: 1 } } } });
    const lines = formatOfflinePlan(plan).split('\n');
    expect(lines[0]).toBe('plan --offline: what bootstrap will do to 3 freshly flashed boards; nothing was contacted');
    expect(lines[1]).toBe(`cluster description: ${join(home, 'cluster.yaml')}`);
    expect(lines[3]).toBe('boards:');
    expect(lines[4]).toMatch(/^ {2}board +role +profile +runtime +power mode +ssh +will run \(scripts below\)$/);
    expect(lines[5]).toMatch(/^ {2}nano-1 +server +jetpack4 +Docker, default runtime nvidia +nvpmodel 1: will change +ubuntu@10\.0\.1\.1:22 +1 nfs-common, 2 power mode, 3 daemon\.json, 4 K3s server$/);
    expect(lines[6]).toMatch(/^ {2}nano-2 +agent +jetpack4 +Docker, default runtime nvidia +nvpmodel 1: will change +ubuntu@10\.1\.0\.2:22 +1 nfs-common, 2 power mode, 3 daemon\.json, 5 K3s agent, 6 join$/);
    expect(lines[7]).toMatch(/^ {2}orin-1 +agent +jetpack6 +K3s' containerd, runtime nvidia +as it is +ubuntu@10\.2\.0\.1:22 +1 nfs-common, 7 K3s agent, 6 join, 8 nvidia runtime check$/);
  });

  test('profile-aware: a JetPack 6 board gets no Docker or daemon.json, runs containerd, carries the profile label', () => {
    const plan = offline(fleet(1, 1));
    const orin = plan.hosts.find((h) => h.name === 'orin-1')!;
    expect(orin).toMatchObject({ profile: 'jetpack6', runtime: 'containerd', labels: { 'triton-jetson.dev/jetson': 'true', 'triton-jetson.dev/profile': 'jetpack6' } });
    const scripts = orin.steps.map((s) => s.script).join('\n');
    expect(scripts).not.toMatch(/daemon\.json|docker|--docker/);
    expect(scripts).toContain('--node-label=triton-jetson.dev/profile=jetpack6');
    expect(orin.steps.map((s) => s.kind)).toEqual(['nfs-common', 'K3s agent', 'join', 'nvidia runtime check']);
    expect(plan.assumptions).toEqual([expect.stringMatching(/^jetpack4: a Jetson Nano on JetPack 4\.6\.1/), expect.stringMatching(/^jetpack6: an Orin on JetPack 6\.2 \(L4T R36\.4\.3\).*no Docker/)]);
    const text = formatOfflinePlan(plan);
    // The checks added lately are described: the runtime on containerd boards, the clock, the power mode, the module memory.
    expect(text).toMatch(/will check:\n(?: {2}- .*\n)*? {2}- clock: .*warning beyond 5 s, the board stopped beyond 1 h/);
    for (const check of ['nvidia-container-runtime where K3s looks for it', 'module memory: MemTotal', 'power mode: nvpmodel']) expect(text).toContain(check);
    expect(text).toContain('triton-jetson.dev/profile=<its profile>');
  });

  test('an all-Orin (containerd) cluster: apart from the read-only probe, the plan says nothing of Docker or daemon.json; an all-Nano one nothing of containerd checks', () => {
    const orins = { nodes: { server: { name: 'orin-1', address: '10.2.0.1', profile: 'jetpack6', memory: '8Gi' }, agents: [{ name: 'orin-2', address: '10.2.0.2', profile: 'jetpack6', memory: '8Gi' }] } };
    const plan = offline(orins);
    const withoutProbe = formatOfflinePlan(plan).split('\n[P] ')[0] + formatOfflinePlan(plan).split('\n[1] ').slice(1).join('\n[1] ');
    // ("no Docker": what a fresh JetPack 6 board is assumed to be.)
    expect(withoutProbe).not.toMatch(/(?<!no )docker|daemon\.json/i);
    expect(plan.preflight.join('\n')).toContain('nvidia-container-runtime where K3s looks for it');
    const nanos = offline(fleet(2, 0));
    expect(nanos.preflight.join('\n')).toContain('Docker and the nvidia runtime registered in /etc/docker/daemon.json');
    expect(nanos.preflight.join('\n')).not.toContain('nvidia-container-runtime where K3s looks for it');
  });

  test('a note shared by several boards names them once and reads "each board"; a note of one board keeps its name', () => {
    // Two undeclared Nanos (taken for jetpack4) beside a declared Orin: no DaemonSet selects jetpack4.
    const mixed = { nodes: { server: { name: 'nano-1', address: '10.0.1.1' }, agents: [
      { name: 'nano-2', address: '10.0.1.2' }, { name: 'orin-1', address: '10.0.2.1', profile: 'jetpack6' },
    ] }, ssh: { user: 'ubuntu' } };
    const text = formatOfflinePlan(offline(mixed));
    expect(text).toContain('nano-1, nano-2: triton: each board is a jetpack4 board, but the cluster description names only jetpack6');
    expect(text).not.toContain(`node "${NODE_NAME_PLACEHOLDER}"`);
    const oneNano = { ...mixed, nodes: { ...mixed.nodes, agents: [mixed.nodes.agents[1]] } };
    expect(formatOfflinePlan(offline(oneNano))).toContain('nano-1: triton: node "nano-1" is a jetpack4 board');
  });

  test('each distinct script once, with the boards it runs on; the probe without a line break inside its printf; one tense', () => {
    const plan = offline(fleet(3, 0));
    expect(plan.scripts.map((g) => [g.id, g.title, g.boards.length])).toEqual([
      [1, 'install nfs-common', 4],
      [2, expect.stringMatching(/^make nvidia Docker's default runtime/), 4],
      [3, `install K3s ${DEFAULT_K3S_VERSION} (server)`, 1],
      [4, `install K3s ${DEFAULT_K3S_VERSION} (agent)`, 3],
      [5, 'start k3s-agent (join https://10.0.1.1:6443)', 3],
    ]);
    expect(plan.scripts[3].script).toContain(`--node-name=${NODE_NAME_PLACEHOLDER} `);
    const text = formatOfflinePlan(plan);
    expect(text).toContain(`\n[4] install K3s ${DEFAULT_K3S_VERSION} (agent) — 3 boards: nano-2, nano-3, nano-4\n`);
    expect(text.match(/sh "\$d\/install\.sh" agent/g)).toHaveLength(1);
    expect(text).not.toMatch(/\bwould\b/);
    expect(text).toContain('will run');
    for (const line of plan.probe.split('\n')) expect(line).not.toMatch(/printf '[^']*$/);
    expect(plan.probe).toContain("printf '%s\\n' \"$states\"");
  });

  test('1,000 boards: a summary line each and a handful of scripts; --json keeps every board\'s exact script', () => {
    const token = 'a-token-of-this-cluster-0123456789';
    mkdirSync(join(home, '.triton-jetson', 'triton-jetson'), { recursive: true });
    writeFileSync(join(home, '.triton-jetson', 'triton-jetson', 'token'), `${token}\n`, { mode: 0o600 });
    const plan = offline(fleet(799, 200));
    expect(plan.hosts).toHaveLength(1000);
    expect(plan.scripts).toHaveLength(7);
    const text = formatOfflinePlan(plan);
    const lines = text.split('\n');
    expect(lines.length).toBeLessThan(1000 + 250);
    expect(lines.filter((l) => /^ {2}(nano|orin)-\d+ /.test(l))).toHaveLength(1000);
    // Shared agent installs show the placeholders; each board's own script is in the JSON.
    const agentInstall = plan.scripts.find((g) => g.title.endsWith('(agent)') && g.boards.includes('orin-7'))!;
    expect(agentInstall.boards).toHaveLength(200);
    expect(agentInstall.script).toContain(NODE_DIGEST_PLACEHOLDER);
    expect(text).toContain("(the digest differs per board: plan --offline --json shows each board's script)");
    const orin7 = plan.hosts.find((h) => h.name === 'orin-7')!;
    const own = orin7.steps.find((s) => s.kind === 'K3s agent')!.script;
    expect(own).toContain('--node-name=orin-7 ');
    expect(own).toMatch(/\n[0-9a-f]{64}\n/);
    const unshared = (script: string) => script.replace(/TRITON_JETSON_[0-9A-F]{12}/g, 'D').replace(/\n[0-9a-f]{64}\n/, `\n${NODE_DIGEST_PLACEHOLDER}\n`);
    expect(unshared(own).replace('--node-name=orin-7 ', `--node-name=${NODE_NAME_PLACEHOLDER} `)).toBe(unshared(agentInstall.script));
    expect(`${JSON.stringify(plan)}${text}`).not.toContain(token);
  });
});

describe('plan --offline: what it can see without connecting', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'triton-offline-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));
  const plan = (cluster: object, env: NodeJS.ProcessEnv = {}) => planOffline({ config: parseClusterConfig(cluster), configPath: join(home, 'cluster.yaml'), homeDir: home, env });

  test('a missing key file, no ssh-agent, unknown host keys, no token file yet: one line each, with the fix', () => {
    const warnings = plan(CLUSTER).warnings;
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^SSH key ${join(home, '.ssh', 'jetson_ed25519')} does not exist \\(jm-node-1, jm-node-2, nfs-server\\); fix identityFile .* ssh-keygen -t ed25519`)),
      expect.stringMatching(/^no ssh-agent \(\$SSH_AUTH_SOCK is not set\): only key files without a passphrase can be used/),
      expect.stringMatching(new RegExp(`^no host has its host key in ${join(home, '.ssh', 'known_hosts')} \\(jm-node-1, jm-node-2, nfs-server\\): bootstrap refuses a host it does not know; .*ssh-keyscan 10\\.0\\.0\\.11 >> .* --trust-new-hosts$`)),
      expect.stringMatching(/^no token file yet \(.*\/\.triton-jetson\/triton-jetson\/token\): bootstrap will take the token of a K3s server already running on jm-node-1, else generate one/),
    ]);
  });

  test('what is there is not warned about: the key, the agent, a host key, the token file', () => {
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    writeFileSync(join(home, '.ssh', 'jetson_ed25519'), 'a key\n', { mode: 0o600 });
    writeFileSync(join(home, '.ssh', 'known_hosts'), '10.0.0.11 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBJ0cml0b24tamV0c29uLWZha2Uta2V5LWZvci10ZXN0cw==\n', { mode: 0o600 });
    const cluster = { ...CLUSTER, k3s: { tokenFile: 'token' } };
    writeFileSync(join(home, 'token'), 'a-token-of-this-cluster-0123456789\n', { mode: 0o600 });
    const warnings = plan(cluster, { SSH_AUTH_SOCK: '/run/agent.sock' }).warnings;
    expect(warnings).toEqual([expect.stringMatching(/^2 of 3 hosts have no host key in .* \(jm-node-2, nfs-server\)/)]);
  });

  test('a token file named in the description but missing is said to be so', () => {
    const warnings = plan({ ...CLUSTER, k3s: { tokenFile: 'secrets/token' } }, { SSH_AUTH_SOCK: '/run/agent.sock' }).warnings;
    expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`^k3s\\.tokenFile ${join(home, 'secrets', 'token')} does not exist: .*if this cluster already has a token, put it in that file first$`)));
  });

  test('--kubeconfig is checked as bootstrap checks it before connecting: not a kubeconfig, not a regular file, a folder others can write', () => {
    const kubeconfigWarning = (kubeconfigPath: string) => planOffline({ config: parseClusterConfig(CLUSTER), configPath: join(home, 'cluster.yaml'), homeDir: home, env: {}, kubeconfigPath })
      .warnings.filter((w) => w.startsWith('kubeconfig'));
    writeFileSync(join(home, 'cluster.yaml'), 'nodes:\n  server: { name: a, address: 10.0.0.1 }\n', { mode: 0o600 });
    expect(kubeconfigWarning(join(home, 'cluster.yaml'))).toEqual([expect.stringMatching(/^kubeconfig .*cluster\.yaml.*; bootstrap stops there until it is fixed$/)]);
    expect(kubeconfigWarning('/dev/zero')).toEqual([expect.stringMatching(/^kubeconfig \/dev\/zero: .*regular file.*; bootstrap stops there until it is fixed$/)]);
    mkdirSync(join(home, 'shared'), { mode: 0o777 });
    chmodSync(join(home, 'shared'), 0o777);
    expect(kubeconfigWarning(join(home, 'shared', 'config'))).toEqual([expect.stringMatching(/writable by other users.*; bootstrap stops there until it is fixed$/)]);
    expect(kubeconfigWarning(join(home, 'new', 'config'))).toEqual([]);
  });

  test('no key named and none in ~/.ssh, no agent: no SSH key for the boards', () => {
    const warnings = plan({ nodes: CLUSTER.nodes }).warnings;
    expect(warnings[0]).toMatch(/^no SSH key for jm-node-1, jm-node-2: none of ~\/\.ssh\/id_ed25519, ~\/\.ssh\/id_ecdsa, ~\/\.ssh\/id_rsa is usable/);
  });
});
