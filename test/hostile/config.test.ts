/**
 * Hostile cluster descriptions given to synth: each is refused with exit 1 and one line
 * naming the field (or the file) and the fix, quickly, with no stack trace, and dist/
 * (indeed the whole tree) left exactly as it was.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadClusterConfig } from '../../lib';
import { MAX_CLUSTER_CONFIG_BYTES } from '../../lib/config/cluster-config';
import { IS_ROOT, Sandbox, changedPaths, fingerprint, makeSandbox, runSynthIn } from './synth-harness';

let box: Sandbox;
beforeEach(() => {
  box = makeSandbox();
});
afterEach(() => box.remove());

function distinctKeys(under: string, bytes: number): string {
  let text = `${under}:\n`;
  for (let i = 0; text.length < bytes - 32; i++) text += `  key${i}: v\n`;
  return text;
}

const laughs = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  'g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]',
].join('\n');

const model = (url: string) => `models:
  - name: densenet_onnx
    downloads:
      - url: ${url}
        archive: file
        files: [{ to: 1/model.onnx }]
    config:
      platform: onnxruntime_onnx
      maxBatchSize: 0
      input:  [{ name: data_0, dataType: TYPE_FP32, format: FORMAT_NCHW, dims: [3, 224, 224] }]
      output: [{ name: fc6_1, dataType: TYPE_FP32, dims: [1000] }]
`;

/** [what, file content (string) or how to make the --config path, text the one line must hold]. */
const cases: [string, string | ((dir: string) => string), string][] = [
  ['a folder given as --config (EISDIR)', (dir) => { mkdirSync(path.join(dir, 'conf.d')); return path.join(dir, 'conf.d'); }, 'is a folder, not a file'],
  ['a character device (/dev/zero)', () => '/dev/zero', 'is not a regular file'],
  ['a FIFO (would block a plain read forever)', (dir) => {
    const fifo = path.join(dir, 'fifo.yaml');
    spawnSync('mkfifo', [fifo]);
    return fifo;
  }, 'is not a regular file'],
  ['a path through a file (ENOTDIR)', (dir) => path.join(dir, 'afile.txt', 'cluster.yaml'), 'not a folder'],
  ['a file over 1 MB', 'x'.repeat(MAX_CLUSTER_CONFIG_BYTES + 1), 'larger than 1 MB'],
  ['1 MB of distinct keys (quadratic before)', distinctKeys('junk', MAX_CLUSTER_CONFIG_BYTES), 'junk: unknown key'],
  ['a billion-laughs alias bomb', laughs, 'YAML aliases expand too much'],
  ['nesting 200 levels deep', `${'['.repeat(200)}${']'.repeat(200)}\n`, 'nested deeper than 64 levels'],
  ['a repeated key', 'nfs:\n  server: 10.0.0.30\n  server: 10.0.0.31\n', '"server" repeats at line 3'],
  ['a repeated key spelled as a quoted string', 'storage:\n  size: 1Gi\n  "size": 2Gi\n', '"size" repeats at line 3'],
  ['a YAML syntax error', 'nfs: [unclosed\n', 'YAML'],
  ['two YAML documents', 'nfs: {}\n---\nnfs: {}\n', 'YAML'],
  ['a list instead of a map', '- nfs\n- triton\n', '(top level): expected object'],
  ['binary garbage', '\u0000\u0001\u0002\u00ff\ufffd\u001b[31m', '(top level)'],
  ['a key with a terminal escape and a newline', '"\\e[31mevil\\nline": 1\n', 'unknown key'],
  ['a 100 KB key', `? ${'k'.repeat(100_000)}\n: 1\n`, 'unknown key'],
  ['the K3s installer URL with user:password@', 'k3s:\n  installScriptUrl: https://admin:hunter2@get.k3s.io\n', 'k3s.installScriptUrl: must not hold a user name or password'],
  ['the seeding mirror with a user@ only', 'seeding:\n  mirror: http://deploy@mirror.lan/models\n', 'seeding.mirror: must not hold a user name or password'],
  ['a model download URL with credentials', model('https://user:token@models.example.com/densenet.onnx'), 'models[0].downloads[0].url: must not hold a user name or password'],
  ['a storage size of 0', 'storage:\n  size: "0"\n', 'storage.size: must be more than 0'],
  ['a storage size of 0Gi', 'storage:\n  size: 0Gi\n', 'storage.size: must be more than 0'],
  ['a storage size of 0.0e3', 'storage:\n  size: "0.0e3"\n', 'storage.size: must be more than 0'],
  ['a memory limit of 0', 'triton:\n  resources:\n    memoryLimit: "0"\n    memoryRequest: "0"\n', 'triton.resources.memoryLimit: must be more than 0'],
  ['a memory request above the limit', 'triton:\n  resources:\n    memoryRequest: 4Gi\n    memoryLimit: 3Gi\n', 'triton.resources.memoryRequest: 4Gi is above memoryLimit 3Gi'],
  ['a memory request 1 MiB above the limit in other units', 'triton:\n  resources:\n    memoryRequest: 3073Mi\n    memoryLimit: 3Gi\n', 'triton.resources.memoryRequest: 3073Mi is above'],
  ['a memory request above the default limit', 'triton:\n  resources:\n    memoryRequest: 4G\n', 'triton.resources.memoryRequest: 4G is above memoryLimit 3Gi'],
  ['a quantity with a huge exponent', 'storage:\n  size: "1e999999999"\n', 'storage.size: must be a Kubernetes quantity'],
  ['a quantity of 100 digits', `storage:\n  size: "${'9'.repeat(100)}"\n`, 'storage.size: must be a Kubernetes quantity'],
  // Pod customization (lib/config/pod-schema.ts): nothing redirects a workload or escapes its selector.
  ['an env var name with a newline', 'triton:\n  env: [{ name: "A\\nB", value: x }]\n', 'triton.env[0].name: must be an environment variable name'],
  ['an env var that moves the seeding script\'s root', 'seeding:\n  env: [{ name: SEED_ROOT, value: /etc }]\n', 'seeding.env[0].name: "SEED_ROOT" is set by the workload itself'],
  ['an env var that repoints the provisioner', 'provisioner:\n  env: [{ name: NFS_PATH, value: / }]\n', 'provisioner.env[0].name: "NFS_PATH" is set by the workload itself'],
  ['a pod label that takes over the selector', 'triton:\n  podLabels: { app: nfs-subdir-external-provisioner }\n', 'triton.podLabels.app: is a label the stack sets'],
  ['a pull secret named with a path', 'provisioner:\n  imagePullSecrets: ["../../etc/passwd"]\n', 'provisioner.imagePullSecrets[0]: must be a DNS-1123 subdomain'],
  ['an annotation key with a terminal escape', 'seeding:\n  jobAnnotations: { "\\e[31mx": y }\n', 'seeding.jobAnnotations.\\u001b[31mx: key must be a label key'],
  ['a toleration of every taint spelled Equal', 'triton:\n  tolerations: [{ operator: Equal }]\n', 'triton.tolerations[0].operator: must be "Exists" when no key is given'],
];

describe('synth refuses hostile cluster descriptions in one line, changing nothing', () => {
  test.each(cases)('%s', (_what, content, mustHold) => {
    const file = typeof content === 'string' ? path.join(box.root, 'hostile.yaml') : content(box.root);
    if (typeof content === 'string') writeFileSync(file, content);
    const before = fingerprint(box.root);
    const started = Date.now();
    const { status, lines } = runSynthIn(box.repo, ['--config', file]);
    const seconds = (Date.now() - started) / 1000;
    expect({ status, lines }).toEqual({ status: 1, lines: [expect.stringContaining(mustHold)] });
    expect(lines[0]).toMatch(/^synth: /);
    expect(lines[0]).toContain('dist/ left unchanged');
    expect(lines[0]).not.toMatch(/\u001b|\n|\r/);
    expect(lines[0].length).toBeLessThan(700);
    // Linear and bounded: seconds, not the >30 s of the quadratic duplicate-key check (generous for loaded CI).
    expect(seconds).toBeLessThan(15);
    expect(changedPaths(before, fingerprint(box.root))).toEqual([]);
  });

  // Root reads any file whatever its mode, so as root the synth runs in a child process
  // without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH (setpriv), where a mode-000 file is
  // unreadable as it is for any user.
  test('an unreadable file (EACCES)', () => {
    const file = path.join(box.root, 'secret.yaml');
    writeFileSync(file, 'nfs: {}\n');
    chmodSync(file, 0o000);
    const before = fingerprint(box.root);
    let run: { status: number | null; lines: string[] };
    if (IS_ROOT) {
      const child = spawnSync('setpriv', [
        '--bounding-set=-dac_override,-dac_read_search', '--', process.execPath,
        path.join(__dirname, '..', '..', 'bin', 'synth.js'), '--config', file,
      ], { cwd: box.repo, encoding: 'utf-8', timeout: 60_000 });
      run = { status: child.status, lines: child.stderr.trimEnd().split('\n') };
    } else {
      run = runSynthIn(box.repo, ['--config', file]);
    }
    expect({ status: run.status, lines: run.lines }).toEqual({ status: 1, lines: [expect.stringContaining('permission denied (EACCES)')] });
    expect(changedPaths(before, fingerprint(box.root))).toEqual([]);
  });

  test('EACCES is mapped to a one-line permission message (also checked as root, with a stubbed open)', () => {
    const fs = jest.requireActual<typeof import('node:fs')>('node:fs');
    const spy = jest.spyOn(fs, 'openSync').mockImplementation(() => {
      throw Object.assign(new Error("EACCES: permission denied, open 'secret.yaml'"), { code: 'EACCES' });
    });
    try {
      expect(() => loadClusterConfig('secret.yaml', true)).toThrow(/^cannot use cluster description secret\.yaml: cannot read it: permission denied \(EACCES\); make it readable, e\.g\. chmod u\+r secret\.yaml$/);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('what is still accepted', () => {
  test.each([
    ['a request equal to the limit in other units', 'triton:\n  resources:\n    memoryRequest: 3072Mi\n    memoryLimit: 3Gi\n'],
    ['fractional and exponent quantities', 'storage:\n  size: "1.5e10"\ntriton:\n  resources:\n    cpuRequest: 500m\n    memoryRequest: 0.5Gi\n'],
    ['a URL with "@" only in its path or query', 'seeding:\n  mirror: https://mirror.lan/team@site/models?owner=a@b\n'],
    ['aliases used sparingly', 'triton:\n  nodeSelector: &sel\n    triton-jetson.dev/jetson: "true"\n'],
    ['100 KB of a valid description (comments)', `${'# comment\n'.repeat(10_000)}nfs:\n  server: nas.lan\n`],
  ])('%s', (_what, content) => {
    const file = path.join(box.root, 'ok.yaml');
    writeFileSync(file, content);
    const { status, lines } = runSynthIn(box.repo, ['--config', file]);
    expect(lines).toEqual([expect.stringMatching(/^synth: dist\/triton-jetson\.k8s\.yaml$/)]);
    expect(status).toBe(0);
  });
});
