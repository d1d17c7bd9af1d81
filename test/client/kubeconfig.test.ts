/**
 * The kubeconfig `verify --wait` reads (client/kubeconfig.ts): what K3s writes is taken, files
 * named in it are read relative to it, and every way of running code, turning TLS off or
 * sending credentials elsewhere is refused in one line that names the field and holds no secret.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KubeconfigError, loadKubeconfig, MAX_KUBECONFIG_BYTES } from '../../client/kubeconfig';

const work = mkdtempSync(join(tmpdir(), 'kube config '));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PEM = (what: string) => `-----BEGIN ${what}-----\nMIIBfake\n-----END ${what}-----\n`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const SECRET = 'k10abcdef0123456789::server:0123456789abcdef';

/** A kubeconfig like K3s's k3s.yaml after bootstrap merged it (context "triton-jetson"), plus another cluster. */
function k3sStyle(overrides: { cluster?: object; user?: object; extra?: object } = {}): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'triton-jetson', cluster: { server: 'https://10.0.0.31:6443', 'certificate-authority-data': b64(PEM('CERTIFICATE')), ...overrides.cluster } },
      { name: 'work', cluster: { server: 'https://work.example:443' } },
    ],
    users: [
      { name: 'triton-jetson', user: { 'client-certificate-data': b64(PEM('CERTIFICATE')), 'client-key-data': b64(PEM('EC PRIVATE KEY')), ...overrides.user } },
      { name: 'work', user: { token: 'work-token' } },
    ],
    contexts: [
      { name: 'triton-jetson', context: { cluster: 'triton-jetson', user: 'triton-jetson' } },
      { name: 'work', context: { cluster: 'work', user: 'work', namespace: 'x' } },
    ],
    'current-context': 'work',
    ...overrides.extra,
  };
}

let files = 0;
function write(content: string | object, name = `config-${files++}`): string {
  const file = join(work, name);
  writeFileSync(file, typeof content === 'string' ? content : stringify(content));
  return file;
}

describe('loadKubeconfig', () => {
  test('takes the server, CA, client certificate and key of the chosen context', () => {
    const file = write(k3sStyle());
    const creds = loadKubeconfig(file, { preferredContext: 'triton-jetson' });
    expect(creds.server).toBe('https://10.0.0.31:6443');
    expect(creds.context).toBe('triton-jetson');
    expect(creds.ca?.toString()).toBe(PEM('CERTIFICATE'));
    expect(creds.cert?.toString()).toBe(PEM('CERTIFICATE'));
    expect(creds.key?.toString()).toBe(PEM('EC PRIVATE KEY'));
    expect(creds.token).toBeUndefined();
  });

  test('--context wins; else the description\'s context when present; else current-context', () => {
    const file = write(k3sStyle());
    expect(loadKubeconfig(file, { context: 'work', preferredContext: 'triton-jetson' }).context).toBe('work');
    expect(loadKubeconfig(file, { preferredContext: 'triton-jetson' }).context).toBe('triton-jetson');
    const fallback = loadKubeconfig(file, { preferredContext: 'not-there' });
    expect(fallback.context).toBe('work');
    expect(fallback.token).toBe('work-token');
    expect(fallback.server).toBe('https://work.example');
    expect(() => loadKubeconfig(file, { context: 'nope' })).toThrow(/has no context "nope" \(--context\)/);
  });

  test('files named in the kubeconfig are read relative to its folder; tokenFile is read and trimmed', () => {
    const dir = join(work, 'with files');
    mkdirSync(join(dir, 'pki'), { recursive: true });
    writeFileSync(join(dir, 'pki', 'ca.crt'), PEM('CERTIFICATE'));
    writeFileSync(join(dir, 'pki', 'token'), `${SECRET}\n`);
    const file = join(dir, 'kubeconfig');
    writeFileSync(file, stringify(k3sStyle({
      cluster: { 'certificate-authority-data': undefined, 'certificate-authority': 'pki/ca.crt', 'tls-server-name': 'kubernetes' },
      user: { 'client-certificate-data': undefined, 'client-key-data': undefined, tokenFile: 'pki/token' },
    })));
    const creds = loadKubeconfig(file, { context: 'triton-jetson' });
    expect(creds.ca?.toString()).toBe(PEM('CERTIFICATE'));
    expect(creds.token).toBe(SECRET);
    expect(creds.tlsServerName).toBe('kubernetes');
    expect(creds.cert).toBeUndefined();
  });

  test('an exec credential plugin is refused and never run', () => {
    const marker = join(work, 'exec-ran');
    const file = write(k3sStyle({ user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'sh', args: ['-c', `touch '${marker}'`] } } }));
    expect(() => loadKubeconfig(file, { context: 'triton-jetson' })).toThrow(/runs a credential plugin \(exec\); triton-jetson never runs a program named in a kubeconfig/);
    expect(existsSync(marker)).toBe(false);
  });

  // [what, kubeconfig (object or text), message]
  const refused: [string, () => string, RegExp][] = [
    ['an auth-provider', () => write(k3sStyle({ user: { 'auth-provider': { name: 'gcp' } } })), /auth-provider/],
    ['basic auth', () => write(k3sStyle({ user: { username: 'admin', password: SECRET } })), /basic authentication/],
    ['impersonation', () => write(k3sStyle({ user: { as: 'system:admin' } })), /impersonates/],
    ['TLS turned off', () => write(k3sStyle({ cluster: { 'insecure-skip-tls-verify': true } })), /insecure-skip-tls-verify; .*certificate-authority/],
    ['a proxy', () => write(k3sStyle({ cluster: { 'proxy-url': 'http://proxy:3128' } })), /proxy-url/],
    ['an http server', () => write(k3sStyle({ cluster: { server: 'http://10.0.0.31:6443' } })), /only https API servers/],
    ['a server with a password', () => write(k3sStyle({ cluster: { server: `https://admin:${SECRET}@10.0.0.31:6443` } })), /user:password part/],
    ['a server that is no URL', () => write(k3sStyle({ cluster: { server: 'not a url' } })), /is not a URL/],
    ['a server with a query', () => write(k3sStyle({ cluster: { server: 'https://10.0.0.31:6443/?x=1' } })), /query or fragment/],
    ['CA data and file both', () => write(k3sStyle({ cluster: { 'certificate-authority': '/etc/ssl/ca.crt' } })), /certificate-authority-data and certificate-authority are both set/],
    ['a CA that is no certificate', () => write(k3sStyle({ cluster: { 'certificate-authority-data': b64('hello') } })), /holds no PEM certificate/],
    ['CA data that is no base64', () => write(k3sStyle({ cluster: { 'certificate-authority-data': '%%%' } })), /is not base64/],
    ['a certificate without key', () => write(k3sStyle({ user: { 'client-key-data': undefined } })), /client certificate without its key/],
    ['a token with a newline (header injection)', () => write(k3sStyle({ user: { 'client-certificate-data': undefined, 'client-key-data': undefined, token: 'abc\r\nX-Evil: 1' } })), /is not a bearer token/],
    ['a CA file that does not exist', () => write(k3sStyle({ cluster: { 'certificate-authority-data': undefined, 'certificate-authority': 'missing.crt' } })), /certificate-authority of cluster "triton-jetson" .*missing\.crt does not exist/],
    ['a CA file that is a device', () => write(k3sStyle({ cluster: { 'certificate-authority-data': undefined, 'certificate-authority': '/dev/zero' } })), /\/dev\/zero: is not a regular file/],
    ['a context naming a missing cluster', () => write(k3sStyle({ extra: { contexts: [{ name: 'triton-jetson', context: { cluster: 'gone', user: 'triton-jetson' } }] } })), /names cluster "gone", which is not in the file/],
    ['a context naming a missing user', () => write(k3sStyle({ extra: { contexts: [{ name: 'triton-jetson', context: { cluster: 'triton-jetson', user: 'gone' } }] } })), /names user "gone", which is not in the file/],
    ['no current-context and no such context', () => write(k3sStyle({ extra: { 'current-context': undefined, contexts: [] } })), /has no current-context and no context "triton-jetson"; give --context/],
    ['a current-context that is not there', () => write(k3sStyle({ extra: { 'current-context': 'ghost', contexts: [] } })), /current-context "ghost" is not one of its contexts/],
    ['not YAML', () => write('clusters: [\n  {'), /is not valid YAML/],
    ['a repeated key', () => write('clusters: []\nclusters: []\n'), /is not valid YAML/],
    ['a list, not a mapping', () => write('- a\n- b\n'), /is not a kubeconfig/],
    ['clusters that are not a list', () => write({ clusters: 'x' }), /is not a kubeconfig \(clusters/],
    ['an alias bomb', () => write(`a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`).join('\n')}\n`), /is not valid YAML \(.*alias/i],
    ['a file larger than 1 MiB', () => write(`# ${'x'.repeat(MAX_KUBECONFIG_BYTES)}\n`), /larger than 1 MB/],
    ['a folder', () => { const d = join(work, `folder-${files++}`); mkdirSync(d); return d; }, /is a folder/],
    ['a missing file', () => join(work, 'does-not-exist'), /does not exist/],
    ['a FIFO', () => { const f = join(work, `fifo-${files++}`); execFileSync('mkfifo', [f]); return f; }, /not a regular file/],
    ['a symlink to /dev/zero', () => { const f = join(work, `zero-${files++}`); symlinkSync('/dev/zero', f); return f; }, /not a regular file/],
  ];

  test.each(refused)('refuses %s in one line, without secrets', (_what, make, message) => {
    const file = make();
    let error: unknown;
    try {
      loadKubeconfig(file, { preferredContext: 'triton-jetson', context: /current-context|no current/.test(message.source) ? undefined : 'triton-jetson' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeconfigError);
    const text = (error as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
    expect(text).not.toContain(SECRET);
    expect(text.length).toBeLessThan(600);
  });
});
