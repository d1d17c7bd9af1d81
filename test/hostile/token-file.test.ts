/**
 * k3s.tokenFile (issue 20.3, 20.15): the file must hold one line that is a K3s token
 * (k3s-io/k3s pkg/clientaccess/token.go: `K10<ca sha256>::<user>:<password>`, a bootstrap
 * token `[a-z0-9]{6}.[a-z0-9]{16}`, or a bare password) with a secret of at least 16
 * varied characters. Anything else — an SSH private key, a kubeconfig, the word "set" — is
 * refused before connecting, naming the file and never quoting it. Before the fix, the key
 * became K3S_TOKEN in every board's root script, and "set" made redaction mangle the plan.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { runBootstrap } from '../../bootstrap/executor/bootstrap';
import { readToken, writeTokenFile } from '../../bootstrap/executor/local-files';
import { readFileScript } from '../../bootstrap/executor/root-access';
import { estimatedBits, tokenProblem } from '../../bootstrap/plan/cluster-token';
import { SERVER_TOKEN_PATH, installScript, planK3sInstall } from '../../bootstrap/plan/k3s-install';
import { k3sArgsSecrets } from '../../bootstrap/plan/k3s-secrets';
import { parseClusterConfig } from '../../lib/config/cluster-config';
import { MemoryHosts, jetsonBoard, type Cluster } from '../bootstrap/memory-operator';
import { runCli, unusedPort } from '../client/cli-runner';

const dir = mkdtempSync(join(tmpdir(), 'hostile token '));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const SSH_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW
QyNTUxOQAAACDkQ7fZJ8zTq2W0bKk1ph7sGQ3l2dPZ6Ylr6Wg3wK1CUwAAAJg3N0GzNzdB
swAAAAtzc2gtZWQyNTUxOQAAACDkQ7fZJ8zTq2W0bKk1ph7sGQ3l2dPZ6Ylr6Wg3wK1CUw
AAAEDx0qS6Vq9oKZ0bK1s2WmTQ0bQGmM4qA2vT6PwE2m6w6uRDt9knzNOrZbRsqTWmHuwZ
DeXZ09npiWvpaDfArUJTAAAAEHVzZXJAZXhhbXBsZS5jb20BAgMEBQ==
-----END OPENSSH PRIVATE KEY-----
`;
const HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** [what the file holds, its content, what the one line must say]. */
const REFUSED: readonly (readonly [string, string, RegExp])[] = [
  ['an SSH private key', SSH_KEY, /holds 7 lines; a token is one line/],
  ['a kubeconfig', 'apiVersion: v1\nkind: Config\nclusters: []\n', /holds 3 lines/],
  ['the word "set"', 'set\n', /is too short \(3 characters of secret, at least 16\)/],
  ['15 random characters', 'q8Zr2kW5xN1vB7m\n', /is too short \(15 characters/],
  ['one character repeated', `${'a'.repeat(40)}\n`, /is too predictable \(about 0 bits, at least 48/],
  ['two characters alternating', `${'ab'.repeat(20)}\n`, /is too predictable \(about 40 bits/],
  ['a space inside', 'correct horse battery staple\n', /holds characters a K3s token does not/],
  ['a command substitution', '$(touch /tmp/pwned)-0123456789abcdef\n', /holds characters a K3s token does not/],
  ['a quote', "0123456789abcdef'0123\n", /holds characters a K3s token does not/],
  ['a terminal escape', '\u001b]52;c;cGF5bG9hZA==\u0007abcdefghijklmnop\n', /holds characters a K3s token does not/],
  ['binary bytes', '\u0000\u0001\u00ff0123456789abcdef\n', /holds characters a K3s token does not/],
  ['letters outside ASCII', 'pässwörtpässwörtpässwört\n', /holds characters a K3s token does not/],
  ['a K10 token with a short CA hash', 'K1075f3e6a0::server:0123456789abcdef0123\n', /starts with K10 but is not a K3s secure token/],
  ['a K10 token without credentials', `K10${HASH}::server\n`, /is a K10 token without "<username>:<password>"/],
  ['a K10 token with a short password', `K10${HASH}::server:abc\n`, /is too short \(3 characters/],
  ['600 characters', `${'0123456789abcdef'.repeat(38)}\n`, /is 608 characters long; a K3s token is at most 512/],
];

const ACCEPTED: readonly (readonly [string, string])[] = [
  ['64 hex digits (what bootstrap generates)', 'f3a1c09e7b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f'],
  ['the server\'s own K10 token', `K10${HASH}::server:6a3f9e1c0b7d2e8f4a5c6d7e8f9a0b1c`],
  ['a bootstrap token', 'abcdef.0123456789abcdef'],
  ['base64 of 32 random bytes', 'q3Jt9Vx0bXlL2wqR5yZt0HkP8Nf4eA7sM1cD6gB9uIo='],
  ['with a trailing newline and spaces', '  f3a1c09e7b2d4e6f8a0b1c2d3e4f5a6b  \n'],
];

function tokenFile(content: string, mode = 0o600): string {
  const file = join(dir, `token-${n++}`);
  writeFileSync(file, content, { mode });
  chmodSync(file, mode);
  return file;
}

describe('a token file that does not hold a K3s token is refused, naming the file, never quoting it', () => {
  test.each(REFUSED)('%s', (_what, content, message) => {
    const file = tokenFile(content);
    let error = '';
    try {
      readToken(file);
    } catch (err) {
      error = (err as Error).message;
    }
    expect(error).toMatch(new RegExp(`^token file ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: does not hold a usable K3s token: it `));
    expect(error).toMatch(message);
    expect(error).toMatch(/openssl rand -hex 32/);
    expect(error.split('\n')).toHaveLength(1);
    // Never a piece of the content (the shortest cases excepted: "set" is a word of the message).
    for (const line of content.split('\n').filter((l) => l.length >= 8)) expect(error).not.toContain(line.trim().slice(0, 8));
  });

  test.each(ACCEPTED)('accepted: %s', (_what, content) => {
    expect(readToken(tokenFile(content))).toBe(content.trim());
  });

  test('the entropy estimate: random secrets pass with room to spare, repetition does not', () => {
    expect(estimatedBits('0123456789abcdef')).toBe(64);
    expect(estimatedBits('aaaaaaaaaaaaaaaa')).toBe(0);
    expect(tokenProblem('abcdef.0123456789abcdef')).toBeUndefined();
  });
});

describe('through the command line', () => {
  test.each([
    ['an SSH private key', SSH_KEY],
    ['the word "set"', 'set\n'],
  ])('%s: bootstrap stops before connecting, exit 1, one line, the content nowhere', async (_what, content) => {
    const file = tokenFile(content);
    const config = join(dir, `cluster-${n++}.yaml`);
    writeFileSync(config, stringify({ nodes: { server: { name: 'jm-node-1', address: '127.0.0.1', port: await unusedPort() } }, ssh: { user: 'root' }, k3s: { tokenFile: file } }));
    const result = await runCli(['bootstrap', '--dry-run', '--config', config], dir, { env: { HOME: dir } });
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^triton-jetson: token file .*: does not hold a usable K3s token: it /)]);
    expect(result.stderr).not.toContain('b3BlbnNzaC1rZXkt');
    expect(result.stderr).not.toMatch(/connecting/);
  });

  test('a good token is redacted everywhere plan --offline prints it', async () => {
    const token = ACCEPTED[0][1];
    const file = tokenFile(`${token}\n`);
    const config = join(dir, `cluster-${n++}.yaml`);
    writeFileSync(config, stringify({ nodes: { server: { name: 'jm-node-1', address: '127.0.0.1' }, agents: [{ name: 'jm-node-2', address: '127.0.0.2' }] }, k3s: { tokenFile: file } }));
    for (const json of [[], ['--json']]) {
      const result = await runCli(['plan', '--offline', '--config', config, ...json], dir, { env: { HOME: dir } });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('export K3S_TOKEN=<redacted>');
      expect(result.stdout + result.stderr).not.toContain(token);
      // Redaction replaced the token only: every "set -eu" of the scripts is intact.
      expect(result.stdout).toMatch(/set -eu/);
    }
  });

  test('secrets inside K3s flags (a datastore password, S3 keys) are redacted in plan --offline, and still reach the board', async () => {
    const config = join(dir, `cluster-${n++}.yaml`);
    const serverArgs = [
      '--datastore-endpoint=postgres://k3s:Pa55w0rd-db@db.lan:5432/k3s', '--etcd-s3-secret-key=S3cretKey-0123', '--etcd-s3-access-key=AKIA0123SECRET',
      '--kube-apiserver-arg=oidc-client-secret=OidcSecret-42', '--kubelet-arg=max-pods=60',
    ];
    writeFileSync(config, stringify({ nodes: { server: { name: 'jm-node-1', address: '127.0.0.1' } }, k3s: { serverArgs } }));
    for (const json of [[], ['--json']]) {
      const result = await runCli(['plan', '--offline', '--config', config, ...json], dir, { env: { HOME: dir } });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('--datastore-endpoint=postgres://k3s:<redacted>@db.lan:5432/k3s');
      expect(result.stdout).toContain('--etcd-s3-secret-key=<redacted>');
      expect(result.stdout).toContain('--kube-apiserver-arg=oidc-client-secret=<redacted>');
      expect(result.stdout).toContain('--kubelet-arg=max-pods=60');
      for (const secret of ['Pa55w0rd-db', 'S3cretKey-0123', 'AKIA0123SECRET', 'OidcSecret-42']) expect(result.stdout + result.stderr).not.toContain(secret);
    }
    const plan = planK3sInstall({
      role: 'server', nodeName: 'jm-node-1', serverUrl: 'https://127.0.0.1:6443', serverAddress: '127.0.0.1', version: 'v1.34.1+k3s1',
      runtime: 'docker', disable: [], extraArgs: serverArgs, labels: {}, jetsonLabel: false, source: { kind: 'online', scriptUrl: 'https://get.k3s.io' },
    }, ACCEPTED[0][1]);
    for (const arg of serverArgs) expect(installScript(plan, ACCEPTED[0][1])).toContain(arg);
    expect(k3sArgsSecrets(serverArgs)).toEqual(['Pa55w0rd-db', 'S3cretKey-0123', 'AKIA0123SECRET', 'OidcSecret-42']);
    expect(k3sArgsSecrets(['--datastore-endpoint=postgres://db.lan/k3s?sslmode=require&password=QueryPw-9', '--datastore-endpoint=mysql://k3s:My@Pw@tcp(db:3306)/k3s']))
      .toEqual(['QueryPw-9', 'My@Pw']);
  });
});

describe('the token of a running server (a board\'s answer)', () => {
  test.each([
    ['"set"', `K10${HASH}::server:set\n`, /the cluster token in \/var\/lib\/rancher\/k3s\/server\/token on nano-0 is too short \(3 characters of secret, at least 16\); rotate it there/],
    ['an SSH key', SSH_KEY, /the cluster token in \/var\/lib\/rancher\/k3s\/server\/token on nano-0 is not a K3s token; rotate it there/],
    ['escapes', '\u001b]52;c;cGF5bG9hZA==\u0007\n', /is not a K3s token/],
  ])('%s: that server stops, no new token is made (it would lock the agents out), nothing is quoted', async (_what, answer, message) => {
    const hosts = new MemoryHosts();
    const cluster: Cluster = new Map();
    const server = hosts.host('10.0.0.10');
    const board = jetsonBoard(server, 'nano-0', cluster);
    jetsonBoard(hosts.host('10.0.0.11'), 'nano-1', cluster);
    board.k3s = { version: 'v1.34.12+k3s1', fingerprint: 'old', role: 'server', active: true, token: 'unused' };
    server.on(readFileScript(SERVER_TOKEN_PATH), { stdout: answer });
    const home = mkdtempSync(join(dir, 'running-server-'));
    const summary = await runBootstrap({
      config: parseClusterConfig({ nodes: { server: { name: 'nano-0', address: '10.0.0.10' }, agents: [{ name: 'nano-1', address: '10.0.0.11' }] }, ssh: { user: 'root' } }),
      configPath: join(home, 'cluster.yaml'), homeDir: home, env: {}, kubeconfigPath: join(home, 'kube', 'config'),
      operators: hosts.operators, pollIntervalMs: 1, readyTimeoutSeconds: 1,
    });
    expect(summary.hosts[0].error).toMatch(message);
    expect(summary.hosts[0].error).not.toContain('b3BlbnNzaC1rZXkt');
    expect(existsSync(join(home, '.triton-jetson'))).toBe(false);
    expect(hosts.scripts('10.0.0.11:22').some((s) => s.includes('K3S_TOKEN'))).toBe(false);
  });

  test('a token folder another user can write is refused before the token is written', async () => {
    const open = mkdtempSync(join(dir, 'open-folder-'));
    chmodSync(open, 0o777);
    const file = join(open, 'token');
    expect(() => writeTokenFile(file, ACCEPTED[0][1])).toThrow(/^token file .+token: its folder .+ is writable by other users \(mode 777\), who could replace the file; set k3s\.tokenFile to a file in a folder only you can write$/);
    expect(existsSync(file)).toBe(false);
  });
});
