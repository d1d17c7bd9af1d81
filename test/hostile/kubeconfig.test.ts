/**
 * The kubeconfig boundary (issue 20.1, 20.6, 20.7, 20.18), table-driven, on in-memory boards:
 * - a board answering a hostile /etc/rancher/k3s/k3s.yaml (an exec credential plugin,
 *   auth-provider, proxy-url, insecure-skip-tls-verify, file paths, impersonation, a second
 *   cluster, YAML bombs, …): bootstrap refuses it in one line naming the field (never its
 *   value), the server is marked failed, and the local kubeconfig is left byte for byte;
 * - the local kubeconfig being odd (not a kubeconfig, `clusters: "abc"`, a folder, a link,
 *   a folder others can write, someone else's entries of the same name): refused before any
 *   host is touched, or written through the link; only entries bootstrap wrote are replaced;
 * - reset removing only what bootstrap wrote, and nothing when the server was not reset.
 * The same k3s.yaml answers reach the real SSH hosts in
 * test/bootstrap/hostile-board.integration.test.ts.
 */
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { formatSummary } from '../../bootstrap/summary-text';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import type { RunOptions } from '../../bootstrap/executor/options';
import { runReset } from '../../bootstrap/executor/reset';
import { readFileScript } from '../../bootstrap/executor/root-access';
import { K3S_KUBECONFIG_PATH, UNINSTALL_K3S_SCRIPT } from '../../bootstrap/plan/k3s-install';
import { BOOTSTRAP_EXTENSION, PREVIOUS_CONTEXT_EXTENSION } from '../../bootstrap/plan/kubeconfig';
import { parseClusterConfig, type ClusterConfigInput } from '../../lib/config/cluster-config';
import { K3S_CA_DATA, K3S_CLIENT_CERTIFICATE_DATA, K3S_CLIENT_KEY_DATA, K3S_YAML } from '../bootstrap/k3s-yaml';
import { MemoryHosts, jetsonBoard, type Cluster } from '../bootstrap/memory-operator';
import { describeWith } from '../support/prereq';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();
const IS_ROOT = process.getuid?.() === 0;
const SERVER = { name: 'nano-0', address: '10.0.0.10' };
const AGENT = { name: 'nano-1', address: '10.0.0.11' };
const CLUSTER: ClusterConfigInput = { nodes: { server: SERVER, agents: [AGENT] }, ssh: { user: 'root' } };
const PWNED = 'touch /tmp/triton-jetson-pwned';

/** k3s.yaml as K3s writes it, with its cluster and user bodies changed by `edit`. */
function k3sYaml(edit: (doc: { clusters: { name: string; cluster: Record<string, unknown> }[]; users: { name: string; user: Record<string, unknown> }[]; [k: string]: unknown }) => void): string {
  const doc = parse(K3S_YAML);
  edit(doc);
  return stringify(doc);
}

const pem = (label: string, body = 'QUJD') => Buffer.from(`-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`).toString('base64');
const laughs = ['a: &a ["l","l","l","l","l","l","l","l","l"]', ...'bcdefg'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefg'[i]}`).join(',')}]`)].join('\n');

/** [what the board answers, k3s.yaml, what the one line must say]. */
const HOSTILE_K3S_YAML: readonly (readonly [string, string, RegExp])[] = [
  ['an exec credential plugin', k3sYaml((d) => { d.users[0].user.exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: '/bin/sh', args: ['-c', PWNED] }; }), /users\[0\]\.user\.exec is not something K3s writes there/],
  ['an auth-provider', k3sYaml((d) => { d.users[0].user['auth-provider'] = { name: 'oidc', config: { 'idp-issuer-url': 'https://evil.example' } }; }), /users\[0\]\.user\.auth-provider is not something K3s writes/],
  ['a proxy-url', k3sYaml((d) => { d.clusters[0].cluster['proxy-url'] = 'socks5://evil.example:1080'; }), /clusters\[0\]\.cluster\.proxy-url is not something K3s writes/],
  ['insecure-skip-tls-verify', k3sYaml((d) => { d.clusters[0].cluster['insecure-skip-tls-verify'] = true; }), /clusters\[0\]\.cluster\.insecure-skip-tls-verify is not/],
  ['a tls-server-name', k3sYaml((d) => { d.clusters[0].cluster['tls-server-name'] = 'bank.example'; }), /clusters\[0\]\.cluster\.tls-server-name is not/],
  ['a CA file path', k3sYaml((d) => { d.clusters[0].cluster['certificate-authority'] = '/root/.ssh/id_ed25519'; }), /clusters\[0\]\.cluster\.certificate-authority is not/],
  ['client key and certificate file paths', k3sYaml((d) => { d.users[0].user = { 'client-certificate': '/etc/passwd', 'client-key': '/root/.ssh/id_ed25519' }; }), /users\[0\]\.user\.client-certificate is not/],
  ['a tokenFile', k3sYaml((d) => { d.users[0].user.tokenFile = '/root/.ssh/id_ed25519'; }), /users\[0\]\.user\.tokenFile is not/],
  ['basic auth', k3sYaml((d) => { d.users[0].user.username = 'admin'; d.users[0].user.password = 'x'; }), /users\[0\]\.user\.username is not/],
  ['impersonation', k3sYaml((d) => { d.users[0].user.as = 'system:admin'; d.users[0].user['as-groups'] = ['system:masters']; }), /users\[0\]\.user\.as is not/],
  ['extensions on the cluster', k3sYaml((d) => { d.clusters[0].cluster.extensions = [{ name: 'x', extension: { exec: PWNED } }]; }), /clusters\[0\]\.cluster\.extensions is not/],
  ['disable-compression', k3sYaml((d) => { d.clusters[0].cluster['disable-compression'] = true; }), /clusters\[0\]\.cluster\.disable-compression is not/],
  ['a field beside the cluster body', k3sYaml((d) => { (d.clusters[0] as Record<string, unknown>).exec = PWNED; }), /clusters\[0\]\.exec is not something K3s writes/],
  ['a second cluster', k3sYaml((d) => { d.clusters.push({ name: 'evil', cluster: { server: 'https://evil.example' } }); }), /it has 2 clusters \(K3s writes exactly one\)/],
  ['a second user', k3sYaml((d) => { d.users.push({ name: 'evil', user: { exec: { command: 'sh' } } }); }), /it has 2 users \(K3s writes exactly one\)/],
  ['no user', k3sYaml((d) => { d.users = []; }), /it has 0 users/],
  ['clusters as a string', k3sYaml((d) => { (d as Record<string, unknown>).clusters = 'abc'; }), /clusters must be a list of entries, but it is a string/],
  ['a user entry that is a string', k3sYaml((d) => { (d as Record<string, unknown>).users = ['x']; }), /users\[0\] must be a mapping with a name, but it is a string/],
  ['a cluster body that is a string', k3sYaml((d) => { (d.clusters[0] as Record<string, unknown>).cluster = 'https://evil.example'; }), /clusters\[0\]\.cluster is a string, not a mapping/],
  ['a CA that is not base64', k3sYaml((d) => { d.clusters[0].cluster['certificate-authority-data'] = `$(${PWNED})`; }), /certificate-authority-data is not base64 data/],
  ['a CA holding a private key', k3sYaml((d) => { d.clusters[0].cluster['certificate-authority-data'] = pem('PRIVATE KEY'); }), /certificate-authority-data does not hold PEM certificates only/],
  ['a CA with text after the certificate', k3sYaml((d) => { d.clusters[0].cluster['certificate-authority-data'] = Buffer.from(`${Buffer.from(pem('CERTIFICATE'), 'base64').toString()}exec: x\n`).toString('base64'); }), /does not hold PEM certificates only/],
  ['a client key holding a certificate', k3sYaml((d) => { d.users[0].user['client-key-data'] = pem('CERTIFICATE'); }), /client-key-data does not hold a PEM private key only/],
  ['a 100 KB CA', k3sYaml((d) => { d.clusters[0].cluster['certificate-authority-data'] = 'A'.repeat(100_000); }), /certificate-authority-data is 100000 characters long/],
  ['a token with a newline', k3sYaml((d) => { d.users[0].user = { token: 'abc\nexec: x' }; }), /users\[0\]\.user\.token is not a bearer token/],
  ['a token and a client certificate', k3sYaml((d) => { d.users[0].user.token = 'abc'; }), /must hold client-certificate-data with client-key-data, or a token/],
  ['a certificate without its key', k3sYaml((d) => { delete d.users[0].user['client-key-data']; }), /must hold client-certificate-data with client-key-data, or a token/],
  ['no CA', k3sYaml((d) => { delete d.clusters[0].cluster['certificate-authority-data']; }), /has no certificate-authority-data/],
  ['a field name with a terminal escape and a newline', k3sYaml((d) => { d.users[0].user['\u001b]52;c;cGF5bG9hZA==\u0007\nexec'] = 'x'; }), /users\[0\]\.user\.\\u001b\]52;c;cGF5bG9hZA==\\u0007 exec is not/],
  // Keys that name Object.prototype members ("constructor", "toString") are no allowed field.
  ['a user field named constructor', k3sYaml((d) => { d.users[0].user['constructor'] = K3S_CLIENT_CERTIFICATE_DATA as never; }), /users\[0\]\.user\.constructor is not something K3s writes there/],
  ['a cluster field named toString', k3sYaml((d) => { d.clusters[0].cluster.toString = K3S_CA_DATA as never; }), /clusters\[0\]\.cluster\.toString is not something K3s writes there/],
  ['a user field named __proto__', K3S_YAML.replace('    client-key-data:', `    __proto__: ${K3S_CLIENT_CERTIFICATE_DATA}\n    client-key-data:`), /users\[0\]\.user\.__proto__ is not something K3s writes there/],
  ['a billion-laughs alias bomb', `${laughs}\nclusters: []\n`, /YAML aliases expand too much/],
  ['nesting 200 levels deep', `clusters: ${'['.repeat(200)}${']'.repeat(200)}\n`, /nested deeper than 64 levels/],
  ['a repeated key (which one would kubectl keep?)', K3S_YAML.replace('    client-key-data:', '    client-key-data: x\n    client-key-data:'), /Map keys must be unique: "client-key-data"/],
  ['two YAML documents', `${K3S_YAML}---\n${K3S_YAML}`, /is not valid YAML/],
  ['a list', '- exec\n', /is not a kubeconfig: it is a list/],
  ['a top-level key a kubeconfig does not have', `${K3S_YAML}nodes: [x]\n`, /has a top-level "nodes" key/],
  ['another kind', K3S_YAML.replace('kind: Config', 'kind: Secret'), /kind is "Secret", not "Config"/],
];

const USER_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: work
  cluster: { server: 'https://work.example:6443' }
users:
- name: work
  user: { token: abc }
contexts:
- name: work
  context: { cluster: work, user: work }
current-context: work
`;

interface Lab {
  readonly hosts: MemoryHosts;
  readonly cluster: Cluster;
  readonly dir: string;
  readonly kubeconfig: string;
}

function lab(): Lab {
  const hosts = new MemoryHosts();
  const cluster: Cluster = new Map();
  jetsonBoard(hosts.host(SERVER.address), SERVER.name, cluster);
  jetsonBoard(hosts.host(AGENT.address), AGENT.name, cluster);
  const dir = scratch('hostile-kubeconfig-');
  return { hosts, cluster, dir, kubeconfig: join(dir, 'kube', 'config') };
}

function options(l: Lab, extra: Partial<RunOptions> = {}, cluster: ClusterConfigInput = CLUSTER): RunOptions {
  return {
    config: parseClusterConfig(cluster), configPath: join(l.dir, 'cluster.yaml'), homeDir: l.dir, env: {},
    kubeconfigPath: l.kubeconfig, operators: l.hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1, ...extra,
  };
}

function writeKubeconfig(l: Lab, text: string): void {
  mkdirSync(join(l.dir, 'kube'), { recursive: true, mode: 0o700 });
  writeFileSync(l.kubeconfig, text, { mode: 0o600 });
}

describe('a board answering a hostile k3s.yaml: refused in one line, the kubeconfig untouched (issue 20.1)', () => {
  test.each(HOSTILE_K3S_YAML)('%s', async (_what, answer, message) => {
    const l = lab();
    writeKubeconfig(l, USER_KUBECONFIG);
    l.hosts.host(SERVER.address).on(readFileScript(K3S_KUBECONFIG_PATH), { stdout: answer });
    const log: string[] = [];
    const summary = await runBootstrap(options(l, { log: (host, line) => log.push(`[${host}] ${line}`) }));
    const server = summary.hosts[0];
    expect(summary.ok).toBe(false);
    expect(server.status).toBe('failed');
    expect(server.error).toMatch(/^refusing the server's \/etc\/rancher\/k3s\/k3s\.yaml/);
    expect(server.error).toMatch(message);
    expect(server.error).toMatch(/; nothing was written to the kubeconfig$/);
    expect(server.error!.split('\n')).toHaveLength(1);
    expect(server.error).not.toContain(PWNED);
    expect(server.error!.length).toBeLessThan(600);
    expect(log.join('\n')).not.toMatch(/[\u001b\u0007\r]/);
    expect(readFileSync(l.kubeconfig, 'utf-8')).toBe(USER_KUBECONFIG);
    expect(summary.kubeconfig).toBeUndefined();
  });

  test('the server URL is never the board\'s; only the CA and credentials are taken', async () => {
    const l = lab();
    l.hosts.host(SERVER.address).on(readFileScript(K3S_KUBECONFIG_PATH), {
      stdout: k3sYaml((d) => { d.clusters[0].cluster.server = 'https://evil.example:443'; d.clusters[0].name = 'evil'; d.users[0].name = 'evil'; }),
    });
    const summary = await runBootstrap(options(l));
    expect(summary.hosts[0].status).toBe('ok');
    const written = parse(readFileSync(l.kubeconfig, 'utf-8'));
    const mark = [{ name: BOOTSTRAP_EXTENSION, extension: 'written by triton-jetson bootstrap' }];
    expect(written.clusters).toEqual([{ name: 'triton-jetson', cluster: { 'certificate-authority-data': K3S_CA_DATA, server: 'https://10.0.0.10:6443', extensions: mark } }]);
    expect(written.users).toEqual([{ name: 'triton-jetson', user: { 'client-certificate-data': K3S_CLIENT_CERTIFICATE_DATA, 'client-key-data': K3S_CLIENT_KEY_DATA, extensions: mark } }]);
    expect(statSync(l.kubeconfig).mode & 0o777).toBe(0o600);
  });
});

/** [what, how the kubeconfig path is made (returns it), what the one line must say]. */
const HOSTILE_LOCAL: readonly (readonly [string, (l: Lab) => string, RegExp])[] = [
  ['clusters: "abc"', (l) => { writeKubeconfig(l, 'apiVersion: v1\nkind: Config\nclusters: "abc"\n'); return l.kubeconfig; }, /kubeconfig \S+: clusters must be a list of entries, but it is a string; fix or remove it$/],
  ['the cluster description as the kubeconfig', (l) => { writeFileSync(join(l.dir, 'cluster.yaml'), stringify(CLUSTER)); return join(l.dir, 'cluster.yaml'); }, /is not a kubeconfig: it has a top-level "nodes" key/],
  ['a Pod manifest', (l) => { writeKubeconfig(l, 'apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n'); return l.kubeconfig; }, /is not a kubeconfig: it has a top-level "metadata" key/],
  ['a list', (l) => { writeKubeconfig(l, '- a\n- b\n'); return l.kubeconfig; }, /is not a kubeconfig: it is a list/],
  ['a context without a name', (l) => { writeKubeconfig(l, 'contexts:\n- context: {cluster: a}\n'); return l.kubeconfig; }, /contexts\[0\] must be a mapping with a name, but it is a mapping without a name/],
  ['current-context as a list', (l) => { writeKubeconfig(l, 'current-context: [a]\n'); return l.kubeconfig; }, /current-context must be a context name, but it is a list/],
  ['a folder', (l) => { mkdirSync(l.kubeconfig, { recursive: true }); return l.kubeconfig; }, /kubeconfig \S+: is a folder, not a file; give a kubeconfig file/],
  ['a link to nothing', (l) => { mkdirSync(join(l.dir, 'kube')); symlinkSync(join(l.dir, 'gone'), l.kubeconfig); return l.kubeconfig; }, /is a symbolic link to \S+gone, which does not exist; create the file it names, or remove the link/],
  ['a folder everyone can write (not sticky)', (l) => { mkdirSync(join(l.dir, 'kube')); chmodSync(join(l.dir, 'kube'), 0o777); return l.kubeconfig; }, /its folder \S+kube is writable by other users \(mode 777\), who could replace the file/],
  ['YAML aliases', (l) => { writeKubeconfig(l, `${laughs}\n`); return l.kubeconfig; }, /is not valid YAML: YAML aliases expand too much/],
  ['a link that points at itself', (l) => { mkdirSync(join(l.dir, 'kube')); symlinkSync(l.kubeconfig, l.kubeconfig); return l.kubeconfig; }, /kubeconfig \S+: too many symbolic links \(ELOOP\); check the path/],
];

/** The same, needing chown (so root). */
const HOSTILE_LOCAL_AS_ROOT: readonly (readonly [string, (l: Lab) => string, RegExp])[] = [
  ['another user\'s file', (l) => { writeKubeconfig(l, USER_KUBECONFIG); chownSync(l.kubeconfig, 4242, 4242); return l.kubeconfig; }, /belongs to another user \(uid 4242/],
  ['a folder of another user', (l) => { mkdirSync(join(l.dir, 'kube')); chownSync(join(l.dir, 'kube'), 4242, 4242); return l.kubeconfig; }, /its folder \S+kube belongs to another user \(uid 4242\)/],
];

async function expectRefusedBeforeAnyHost(make: (l: Lab) => string, message: RegExp): Promise<void> {
  for (const verb of [runBootstrap, runReset]) {
    const l = lab();
    const path = make(l);
    const before = existsSync(path) && lstatSync(path).isFile() ? readFileSync(path, 'utf-8') : undefined;
    const error = await verb(options(l, { kubeconfigPath: path })).then(() => '', (e: Error) => e.message);
    expect(error).toMatch(message);
    expect(error.split('\n')).toHaveLength(1);
    expect(l.hosts.calls).toEqual([]);
    if (before !== undefined) expect(readFileSync(path, 'utf-8')).toBe(before);
  }
}

describe('a local kubeconfig that is not one, or not safely yours: refused before any host is touched (issue 20.7, 20.18)', () => {
  test.each(HOSTILE_LOCAL)('%s', (_what, make, message) => expectRefusedBeforeAnyHost(make, message));
  describeWith([{ name: 'root', present: IS_ROOT, hint: 'run the tests as root (chown to another user)' }])('another user\'s', () => {
    test.each(HOSTILE_LOCAL_AS_ROOT)('%s', (_what, make, message) => expectRefusedBeforeAnyHost(make, message));
  });

  test('a symlinked kubeconfig is written through: the link stays a link, its target is replaced atomically (mode 0600)', async () => {
    const l = lab();
    const dotfiles = join(l.dir, 'dotfiles');
    mkdirSync(dotfiles, { mode: 0o700 });
    writeFileSync(join(dotfiles, 'kubeconfig'), USER_KUBECONFIG, { mode: 0o644 });
    mkdirSync(join(l.dir, 'kube'));
    symlinkSync('../dotfiles/kubeconfig', l.kubeconfig);
    expect((await runBootstrap(options(l))).ok).toBe(true);
    expect(lstatSync(l.kubeconfig).isSymbolicLink()).toBe(true);
    expect(readlinkSync(l.kubeconfig)).toBe('../dotfiles/kubeconfig');
    const written = parse(readFileSync(join(dotfiles, 'kubeconfig'), 'utf-8'));
    expect(written.contexts.map((c: { name: string }) => c.name)).toEqual(['work', 'triton-jetson']);
    expect(statSync(join(dotfiles, 'kubeconfig')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dotfiles)).toEqual(['kubeconfig']);
    await runReset(options(l));
    expect(lstatSync(l.kubeconfig).isSymbolicLink()).toBe(true);
    expect(parse(readFileSync(join(dotfiles, 'kubeconfig'), 'utf-8')).contexts.map((c: { name: string }) => c.name)).toEqual(['work']);
  });

  test('a sticky folder everyone can write (like /tmp) is fine for a file of yours', async () => {
    const l = lab();
    mkdirSync(join(l.dir, 'kube'));
    chmodSync(join(l.dir, 'kube'), 0o1777);
    expect((await runBootstrap(options(l))).ok).toBe(true);
    expect(statSync(l.kubeconfig).mode & 0o777).toBe(0o600);
  });
});

describe('only what bootstrap wrote is replaced or removed (issue 20.6)', () => {
  test('kubeconfig.context "default" beside someone else\'s "default": refused, nothing changed', async () => {
    const l = lab();
    const theirs = USER_KUBECONFIG.replace(/work/g, 'default');
    writeKubeconfig(l, theirs);
    const summary = await runBootstrap(options(l, {}, { ...CLUSTER, kubeconfig: { context: 'default' } }));
    expect(summary.hosts[0].error).toMatch(/^kubeconfig \S+ already has a cluster named "default" that triton-jetson bootstrap did not write; nothing was changed\. Set kubeconfig\.context to another name \(e\.g\. "triton-jetson"\), or remove it first: kubectl config delete-cluster default$/);
    expect(readFileSync(l.kubeconfig, 'utf-8')).toBe(theirs);
  });

  test('reset with every host unreachable leaves the kubeconfig byte for byte', async () => {
    const l = lab();
    expect((await runBootstrap(options(l))).ok).toBe(true);
    const before = readFileSync(l.kubeconfig, 'utf-8');
    for (const h of [SERVER, AGENT]) l.hosts.host(h.address).connectError = `root@${h.address}:22: cannot connect (ECONNREFUSED)`;
    const summary = await runReset(options(l));
    expect(summary.ok).toBe(false);
    expect(summary.kubeconfig).toEqual({
      path: l.kubeconfig, context: 'triton-jetson', changed: false,
      note: 'left unchanged: the server nano-0 was not reset, so the cluster may still run',
    });
    expect(readFileSync(l.kubeconfig, 'utf-8')).toBe(before);
  });

  test('reset keeps a same-named entry bootstrap did not write, and says so', async () => {
    const l = lab();
    const theirs = USER_KUBECONFIG.replace(/work/g, 'triton-jetson');
    writeKubeconfig(l, theirs);
    const summary = await runReset(options(l));
    expect(summary.kubeconfig).toMatchObject({ changed: false });
    expect(readFileSync(l.kubeconfig, 'utf-8')).toBe(theirs);
  });

  test('entries written before the mark existed (same credentials, or the previous-context record) are still bootstrap\'s', async () => {
    const l = lab();
    const legacy = {
      apiVersion: 'v1', kind: 'Config', preferences: {},
      clusters: [{ name: 'triton-jetson', cluster: { 'certificate-authority-data': K3S_CA_DATA, server: 'https://10.0.0.10:6443' } }],
      users: [{ name: 'triton-jetson', user: { 'client-certificate-data': K3S_CLIENT_CERTIFICATE_DATA, 'client-key-data': K3S_CLIENT_KEY_DATA } }],
      contexts: [
        { name: 'work', context: { cluster: 'work', user: 'work' } },
        { name: 'triton-jetson', context: { cluster: 'triton-jetson', user: 'triton-jetson', extensions: [{ name: PREVIOUS_CONTEXT_EXTENSION, extension: 'work' }] } },
      ],
      'current-context': 'triton-jetson',
    };
    writeKubeconfig(l, stringify(legacy));
    const rerun = await runBootstrap(options(l));
    expect(rerun.hosts[0].status).toBe('ok');
    const marked = parse(readFileSync(l.kubeconfig, 'utf-8'));
    expect(marked.users[0].user.extensions).toEqual([{ name: BOOTSTRAP_EXTENSION, extension: 'written by triton-jetson bootstrap' }]);
    writeKubeconfig(l, stringify(legacy));
    const summary = await runReset(options(l));
    expect(summary.kubeconfig).toMatchObject({ changed: true, currentContext: 'current context restored to "work" (the one bootstrap replaced)' });
    const after = parse(readFileSync(l.kubeconfig, 'utf-8'));
    expect([after.clusters, after.users, after.contexts.map((c: { name: string }) => c.name)]).toEqual([[], [], ['work']]);
  });

  test('a kubeconfig broken while reset runs: the summary keeps every host, and says why the kubeconfig was left (issue 20.18)', async () => {
    const l = lab();
    expect((await runBootstrap(options(l))).ok).toBe(true);
    // Someone rewrites the file between the check before connecting and the removal.
    l.hosts.host(SERVER.address).on(UNINSTALL_K3S_SCRIPT, () => {
      writeFileSync(l.kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: "abc"\n');
      return { stdout: 'uninstalled: k3s-uninstall.sh\n' };
    });
    const summary = await runReset(options(l));
    expect(summary.ok).toBe(false);
    expect(summary.hosts.map((h) => [h.name, h.status])).toEqual([['nano-0', 'ok'], ['nano-1', 'ok']]);
    expect(summary.kubeconfig).toEqual({
      path: l.kubeconfig, context: 'triton-jetson', changed: false,
      error: `kubeconfig ${l.kubeconfig}: clusters must be a list of entries, but it is a string; fix or remove it`,
    });
    expect(formatSummary(summary)).toContain(`  error:     kubeconfig ${l.kubeconfig}: clusters must be a list of entries`);
  });
});
