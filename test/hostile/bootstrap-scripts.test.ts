/**
 * Issue 10.2: nothing from the cluster description is ever interpreted by a shell.
 *
 * Part 1 renders every script and command the bootstrapper sends to a node (NFS server,
 * K3s install online and air-gap, node labels, daemon.json, uploads) and the host-key
 * hints it prints for the user to copy, with hostile values put straight into the plan
 * functions (bypassing the schema, so the quoting alone is tested), and runs them under
 * real shells (dash and busybox sh). Each run happens in a private mount namespace (/etc
 * and /var are overlays on a temp folder, /usr/local/bin a temp folder) with PATH
 * starting with stubs that record their argv and environment. Every case proves that no
 * injected command ran (the canary file, which each hostile value tries to create, does
 * not exist; globs would match files in the working folder) and that each value reached
 * its program as one argv element, or /etc/exports as one line.
 *
 * Part 2 runs the real command line on cluster descriptions holding such values: exit 1,
 * and one line naming the field and the fix.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hostKeyHints, uploadCommand } from '../../bootstrap/executor/ssh-session';
import { planDaemonJson, writeDaemonJsonScript } from '../../bootstrap/plan/daemon-json';
import type { AirGapFiles, AirGapStaging } from '../../bootstrap/plan/air-gap';
import { installScript, planK3sInstall, type K3sInstallInput } from '../../bootstrap/plan/k3s-install';
import { exportsLine, renderNfsServerScript } from '../../bootstrap/plan/nfs-server';
import { heredoc } from '../../bootstrap/plan/shell';
import { labelNodeScript } from '../../bootstrap/plan/verify';
import { cordonScript, drainScript, nodePodsScript, nodeRecordsScript, removeNodeScript, uncordonScript } from '../../bootstrap/plan/node-ops';
import { describeWith, hasCommand } from '../support/prereq';

function which(command: string): string {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', command], { encoding: 'utf-8' });
  return found.stdout.trim();
}

const SHELLS: readonly { readonly name: string; readonly argv: readonly string[] }[] = [
  { name: 'dash', argv: [which('dash')] },
  { name: 'busybox sh', argv: [which('busybox'), 'sh'] },
];

/**
 * Values that would run `touch canary` (in the run's working folder), split a word,
 * or expand to file names if a shell interpreted them. No "/" in them: they are also
 * used inside file names.
 */
const HOSTILE: readonly (readonly [string, string])[] = [
  ['single quotes', "a'; touch canary; '"],
  ['double quotes', 'a"; touch canary; "'],
  ['command substitution', '$(touch canary)'],
  ['backquotes', '`touch canary`'],
  ['semicolon', 'a;touch canary'],
  ['newlines', 'a\ntouch canary\nb'],
  ['spaces and a tab', ' a  b\tc '],
  ['glob star', '*'],
  ['glob class', '[gz]?ob*'],
  ['and, or, pipe', 'a && touch canary || touch canary | cat'],
  ['redirection', 'a > canary'],
  ['parameter expansion', '${HOME:+$(touch canary)}$PATH'],
  ['backslash and quote', "a\\'; touch canary; \\'"],
  ['leading dash', '-rf'],
  ['heredoc-looking lines', "x\nTRITON_JETSON_0\nEOF\n'"],
];

/** Programs replaced by recording stubs (argv NUL-separated, environment beside it). */
const STUBS = ['dpkg-query', 'apt-get', 'exportfs', 'mkdir', 'chown', 'chmod', 'install', 'cp', 'systemctl', 'curl', 'sh', 'docker', 'ssh-keyscan', 'ssh-keygen'];

const STUB = `#!/bin/sh
f="$TJ_CALLS/$(date +%s%N)-$$"
printf '%s\\0' "\${0##*/}" "$@" > "$f"
env -0 > "$f.env"
case "\${0##*/}" in
  dpkg-query) exit 1 ;;
  docker) echo nvidia ;;
  ssh-keyscan) printf '[%s]:%s ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostileHostileHostileHostileHostileHost\\n' "$3" "$2" ;;
esac
exit 0
`;

/** Inside the namespace: overlays, stubbed /usr/local/bin, then exec the shell under test. */
const WRAPPER = `set -e
T=$1; shift
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$T/etc,workdir=$T/etc-work" /etc
mount -t overlay overlay -o "lowerdir=/var,upperdir=$T/var,workdir=$T/var-work" /var
mount --bind "$T/usr-local-bin" /usr/local/bin
# Export folders live under /srv in these cases: never the machine's own.
mount -t tmpfs tmpfs /srv
cd "$T/cwd"
exec "$@"
`;

interface Call {
  readonly program: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One run's private world: stubs, call log, overlay upper layers, working folder. */
class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'triton-hostile-'));

  constructor() {
    for (const sub of ['stubs', 'calls', 'etc/docker', 'etc/rancher/k3s', 'etc-work', 'var', 'var-work', 'usr-local-bin', 'cwd']) {
      mkdirSync(join(this.dir, sub), { recursive: true });
    }
    for (const name of STUBS) writeFileSync(join(this.dir, 'stubs', name), STUB, { mode: 0o755 });
    writeFileSync(join(this.dir, 'usr-local-bin', 'k3s'), STUB, { mode: 0o755 });
    // An unquoted glob would expand to these.
    writeFileSync(join(this.dir, 'cwd', 'glob-match-1'), '');
    writeFileSync(join(this.dir, 'cwd', 'glob-match-2'), '');
  }

  get canaryExists(): boolean {
    return existsSync(join(this.dir, 'cwd', 'canary'));
  }

  /** Runs `script` as `<shell> -s` (how runAsRoot sends scripts), or `<shell> -c command` with stdin. */
  run(shell: readonly string[], mode: { script: string } | { command: string; stdin: string }): RunResult {
    const args = 'script' in mode ? [...shell, '-s'] : [...shell, '-c', mode.command];
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', WRAPPER, 'wrapper', this.dir, ...args], {
      input: 'script' in mode ? `${mode.script}\n` : mode.stdin,
      encoding: 'utf-8',
      env: { PATH: `${this.dir}/stubs:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin`, TJ_CALLS: join(this.dir, 'calls'), HOME: '/root', LC_ALL: 'C' },
      timeout: 20000,
    });
    if (result.error) throw result.error;
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  calls(): Call[] {
    const dir = join(this.dir, 'calls');
    return readdirSync(dir).filter((f) => !f.endsWith('.env')).sort().map((f) => {
      const fields = readFileSync(join(dir, f), 'utf-8').split('\0').slice(0, -1);
      const env: Record<string, string> = {};
      for (const entry of readFileSync(join(dir, `${f}.env`), 'utf-8').split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      return { program: fields[0], argv: fields.slice(1), env };
    });
  }

  argvOf(program: string): (readonly string[])[] {
    return this.calls().filter((c) => c.program === program).map((c) => c.argv);
  }

  /** A file the run wrote under /etc (overlay upper layer). */
  etc(path: string): string | undefined {
    const file = join(this.dir, 'etc', path);
    return existsSync(file) ? readFileSync(file, 'utf-8') : undefined;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `body` once per shell, each in a fresh sandbox, and checks nothing injected ran. */
function eachShell(body: (box: Sandbox, shell: readonly string[], shellName: string) => void): void {
  for (const shell of SHELLS) {
    const box = new Sandbox();
    try {
      body(box, shell.argv, shell.name);
      expect({ shell: shell.name, canary: box.canaryExists }).toEqual({ shell: shell.name, canary: false });
      // Nothing ran that no script calls (an injected `touch` would also show up here).
      expect(readdirSync(join(box.dir, 'cwd')).sort()).toEqual(['glob-match-1', 'glob-match-2']);
    } finally {
      box.remove();
    }
  }
}

function expectOk(result: RunResult, shellName: string): void {
  expect({ shell: shellName, code: result.code, stderr: result.stderr }).toEqual({ shell: shellName, code: 0, stderr: '' });
}

function k3sInput(v: string, role: 'server' | 'agent', source: K3sInstallInput['source']): K3sInstallInput {
  return {
    role,
    nodeName: `node${v}`,
    serverUrl: `https://server${v}:6443`,
    serverAddress: `server${v}`,
    version: `v1${v}`,
    runtime: 'docker',
    disable: [`traefik${v}`],
    extraArgs: [`--kubelet-arg=${v}`, v],
    labels: { [`key${v}`]: `value${v}` },
    jetsonLabel: true,
    source,
  };
}

/**
 * True when `busybox sh` runs commands from PATH. Debian's busybox-static prefers its own
 * applets (mkdir, chmod, ...) to PATH, so the recording stubs would be bypassed and the
 * hostile scripts would really run: such a busybox is a missing prerequisite, not a pass.
 */
function busyboxShUsesPath(): boolean {
  if (!hasCommand('busybox')) return false;
  const dir = mkdtempSync(join(tmpdir(), 'busybox-probe-'));
  try {
    writeFileSync(join(dir, 'mkdir'), '#!/bin/sh\necho stub\n', { mode: 0o755 });
    const probe = spawnSync(which('busybox'), ['sh', '-c', 'mkdir "$0"', join(dir, 'not-made')], {
      encoding: 'utf-8', env: { PATH: dir }, timeout: 10_000,
    });
    return probe.stdout.trim() === 'stub' && !existsSync(join(dir, 'not-made'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A staging folder as MAKE_STAGING_COMMAND makes it (mode 0700, this user's), holding `files`. */
function airGapStaging(box: Sandbox, files: Record<string, string>): AirGapStaging & { readonly contents: Record<string, string> } {
  const dir = join(box.dir, 'staging');
  mkdirSync(dir, { mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content, { mode: 0o600 });
  return { dir, uid: process.getuid?.() ?? 0, contents: files };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The AirGapFiles whose digests are those of the staged contents (the local files are not read). */
function airGapFiles(staging: { readonly contents: Record<string, string> }, imagesName?: string): AirGapFiles {
  const c = staging.contents;
  return {
    installScript: '/airgap/install.sh', binary: '/airgap/k3s-arm64', installScriptSha256: sha256(c['install.sh']), binarySha256: sha256(c.k3s),
    ...(imagesName ? { images: `/airgap/${imagesName}`, imagesSha256: sha256(c[imagesName]) } : {}),
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const shellsPresent = [
  { name: 'root', present: process.getuid?.() === 0, hint: 'run the tests as root (mount namespaces)' },
  { name: 'dash', present: hasCommand('dash'), hint: 'apt-get install dash' },
  { name: 'busybox', present: hasCommand('busybox'), hint: 'apt-get install busybox' },
  {
    name: 'busybox sh that runs commands from PATH', present: busyboxShUsesPath(),
    hint: 'apt-get install busybox (busybox-static runs its own applets before PATH, bypassing the stubs)',
  },
  { name: 'unshare', present: hasCommand('unshare'), hint: 'apt-get install util-linux' },
];

describeWith(shellsPresent)('hostile values stay data in every generated script (dash, busybox sh)', () => {
  test.each(HOSTILE)('NFS server: export folder with %s', (_what, v) => {
    const input = { path: `/srv/export${v}`, clients: ['10.0.0.11', '10.0.0.0/24'], exportOptions: 'rw,sync,no_subtree_check' };
    const older = exportsLine({ ...input, clients: ['10.0.0.99'], exportOptions: 'ro' });
    eachShell((box, shell, name) => {
      writeFileSync(join(box.dir, 'etc', 'exports'), `/other 10.0.0.0/24(ro)\n${older}\n`);
      const result = box.run(shell, { script: renderNfsServerScript(input) });
      expectOk(result, name);
      expect(result.stdout.trim().split('\n').pop()).toBe('changed: installed-nfs-kernel-server created-folder exported');
      expect(box.argvOf('mkdir')).toEqual([['-p', '--', input.path]]);
      expect(box.argvOf('chown')).toEqual([['--', 'nobody:nogroup', input.path]]);
      expect(box.argvOf('chmod')).toEqual([['--', '0777', input.path], ['644', expect.stringMatching(/^\/etc\/\.exports\.[A-Za-z0-9]{6}$/)]]);
      expect(box.argvOf('exportfs')).toEqual([['-ra']]);
      // The older line for the same folder is replaced; the export is exactly one line.
      expect(box.etc('exports')).toBe(`/other 10.0.0.0/24(ro)\n${exportsLine(input)}\n`);
    });
  });

  test.each(HOSTILE)('NFS server: clients and export options with %s', (_what, v) => {
    const input = { path: '/srv/nfs', clients: [`client${v}`, '10.0.0.12'], exportOptions: `rw${v}` };
    eachShell((box, shell, name) => {
      const result = box.run(shell, { script: renderNfsServerScript(input) });
      expectOk(result, name);
      expect(box.etc('exports')).toBe(`${exportsLine(input)}\n`);
      expect(box.etc('exports')!.split('\n')).toHaveLength(2);
    });
  });

  // Issue 20.13: what the schema cannot see. exportfs resolves symbolic links, so a link
  // planted on the NFS server (by another local user, or an earlier mistake) would export
  // its target: the script resolves the folder on the server and refuses a system folder.
  test.each([
    ['a symbolic link to /etc', 'ln -s /etc /srv/nfs', '/srv/nfs', '/etc'],
    ['a folder below a symbolic link to /', 'ln -s / /srv/root', '/srv/root/var/lib/k8s', '/var/lib/k8s'],
    ['a symbolic link to the whole of /var', 'ln -s /var /srv/models', '/srv/models', '/var'],
  ])('NFS server: an export folder that is %s on the server is refused before anything changes', (_what, plant, path, real) => {
    const input = { path, clients: ['10.0.0.11'], exportOptions: 'rw,sync,no_subtree_check' };
    eachShell((box, shell, name) => {
      const result = box.run(shell, { script: `${plant}\n${renderNfsServerScript(input)}` });
      expect({ shell: name, code: result.code }).toEqual({ shell: name, code: 3 });
      expect(result.stderr.trim()).toBe(`nfs.path ${path} is ${real} on the NFS server, a system folder or the parent of export folders; refusing to export it (give a folder of its own, e.g. /var/nfs/general)`);
      expect(box.argvOf('mkdir')).toEqual([]);
      expect(box.argvOf('chown')).toEqual([]);
      expect(box.argvOf('exportfs')).toEqual([]);
      expect(box.etc('exports')).toBeUndefined();
    });
  });

  test.each(HOSTILE)('K3s install (online, server): node name, labels, flags, version, installer URL and token with %s', (_what, v) => {
    const token = `token${v}`;
    const plan = planK3sInstall(k3sInput(v, 'server', { kind: 'online', scriptUrl: `https://get.k3s.io/${v}` }), token);
    eachShell((box, shell, name) => {
      expectOk(box.run(shell, { script: installScript(plan, token) }), name);
      const [curl] = box.argvOf('curl');
      expect(curl.slice(0, 3)).toEqual(['-sfL', `https://get.k3s.io/${v}`, '-o']);
      expect(curl).toHaveLength(4);
      const installer = box.calls().filter((c) => c.program === 'sh');
      expect(installer.map((c) => c.argv)).toEqual([[curl[3], ...plan.args]]);
      expect(plan.args).toContain(`--node-name=node${v}`);
      expect(plan.args).toContain(`--node-label=key${v}=value${v}`);
      expect(installer[0].env).toMatchObject({ K3S_TOKEN: token, INSTALL_K3S_VERSION: `v1${v}`, K3S_KUBECONFIG_MODE: '644' });
      expect(box.etc('rancher/k3s/triton-jetson.fingerprint')).toBe(`${plan.fingerprint}\n`);
    });
  });

  test.each(HOSTILE)('K3s install (online, agent): server URL and token with %s', (_what, v) => {
    const token = `token${v}`;
    const plan = planK3sInstall(k3sInput(v, 'agent', { kind: 'online', scriptUrl: 'https://get.k3s.io' }), token);
    eachShell((box, shell, name) => {
      expectOk(box.run(shell, { script: installScript(plan, token) }), name);
      const installer = box.calls().filter((c) => c.program === 'sh');
      expect(installer.map((c) => c.argv.slice(1))).toEqual([plan.args]);
      expect(installer[0].env).toMatchObject({ K3S_TOKEN: token, K3S_URL: `https://server${v}:6443`, INSTALL_K3S_SKIP_START: 'true' });
    });
  });

  test.each(HOSTILE)('K3s install (air-gap): images file name with %s', (_what, v) => {
    const imagesName = `k3s-airgap-images${v}.tar`;
    eachShell((box, shell, name) => {
      const staging = airGapStaging(box, { 'install.sh': 'installer', k3s: 'binary', [imagesName]: 'images' });
      const plan = planK3sInstall(k3sInput(v, 'server', { kind: 'airgap', files: airGapFiles(staging, imagesName) }), 'token');
      expectOk(box.run(shell, { script: installScript(plan, 'token', staging) }), name);
      const copy = expect.stringMatching(/^\/tmp\/triton-jetson-k3s\.[A-Za-z0-9]{10}\//);
      expect(box.argvOf('install')).toEqual([['-m', '755', copy, '/usr/local/bin/k3s']]);
      expect(box.argvOf('cp')).toEqual([[expect.stringMatching(new RegExp(`/${escapeRegExp(imagesName)}$`)), '/var/lib/rancher/k3s/agent/images/']]);
      expect(box.argvOf('sh')).toEqual([[copy, ...plan.args]]);
      // Both folders are gone afterwards (the trap), root's copies included.
      expect(existsSync(staging.dir)).toBe(false);
      expect(existsSync(box.argvOf('sh')[0][0])).toBe(false);
    });
  });

  /** A staged upload someone changed between the upload and root's run (issue 20.2): [what, how, message]. */
  const TAMPERED: readonly (readonly [string, (dir: string) => void, RegExp])[] = [
    ['the folder opened to everyone (mode 0777)', (dir) => chmodSync(dir, 0o777), /is not the private folder the upload made \(owner:mode \d+:777\)/],
    ['the folder handed to another user', (dir) => chownSync(dir, 4242, 4242), /is not the private folder the upload made \(owner:mode 4242:700\)/],
    ['the folder replaced by a link to another folder', (dir) => {
      const other = `${dir}-other`;
      renameSync(dir, other);
      symlinkSync(other, dir);
    }, /is not the private folder the upload made/],
    ['the binary replaced by a link', (dir) => {
      writeFileSync(`${dir}/../evil`, 'evil');
      rmSync(`${dir}/k3s`);
      symlinkSync(`${dir}/../evil`, `${dir}/k3s`);
    }, /staging\/k3s is not the uploaded file/],
    ['the binary given to another user', (dir) => chownSync(`${dir}/k3s`, 4242, 4242), /staging\/k3s is not the uploaded file/],
    ['the binary swapped for other bytes', (dir) => writeFileSync(`${dir}/k3s`, 'other binary'), /k3s on the board \(sha256 [0-9a-f]{64}\) is not the file uploaded/],
    ['the installer swapped for other bytes', (dir) => writeFileSync(`${dir}/install.sh`, 'touch canary'), /install\.sh on the board .* is not the file uploaded/],
    ['the installer replaced by a FIFO', (dir) => {
      rmSync(`${dir}/install.sh`);
      spawnSync('mkfifo', [`${dir}/install.sh`]);
    }, /staging\/install\.sh is not the uploaded file/],
    ['the binary removed', (dir) => rmSync(`${dir}/k3s`), /staging\/k3s is not the uploaded file/],
  ];

  test.each(TAMPERED)('K3s install (air-gap): %s is refused; nothing is installed or run', (_what, tamper, message) => {
    eachShell((box, shell, name) => {
      const staging = airGapStaging(box, { 'install.sh': 'installer', k3s: 'binary', 'k3s-airgap-images-arm64.tar': 'images' });
      const plan = planK3sInstall(k3sInput('', 'server', { kind: 'airgap', files: airGapFiles(staging, 'k3s-airgap-images-arm64.tar') }), 'token');
      tamper(staging.dir);
      const result = box.run(shell, { script: installScript(plan, 'token', staging) });
      expect({ shell: name, code: result.code }).toEqual({ shell: name, code: 1 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/nothing was installed/);
      for (const program of ['install', 'cp', 'sh', 'systemctl']) expect(box.argvOf(program)).toEqual([]);
      expect(box.etc('rancher/k3s/triton-jetson.fingerprint')).toBeUndefined();
    });
  });

  test.each(HOSTILE)('node labels: node name, label keys and values with %s', (_what, v) => {
    const labels = { [`key${v}`]: `value${v}`, plain: v };
    eachShell((box, shell, name) => {
      expectOk(box.run(shell, { script: labelNodeScript(`node${v}`, labels) }), name);
      const pairs = Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`);
      expect(box.argvOf('k3s')).toEqual([['kubectl', 'label', 'node', `node${v}`, '--overwrite', ...pairs]]);
    });
  });

  test.each(HOSTILE)('upgrade and --node (k3s kubectl on the server): node name, namespace and app label with %s', (_what, v) => {
    const node = `node${v}`;
    const secret = `${node}.node-password.k3s`.toLowerCase();
    eachShell((box, shell, name) => {
      for (const script of [cordonScript(node), drainScript(node, 300), uncordonScript(node), nodePodsScript(`ns${v}`, `app${v}`, node), nodeRecordsScript(node), removeNodeScript(node)]) {
        expectOk(box.run(shell, { script }), name);
      }
      expect(box.argvOf('k3s')).toEqual([
        ['kubectl', 'cordon', node], ['kubectl', 'annotate', 'node', node, '--overwrite', 'triton-jetson.dev/cordoned-by=upgrade'],
        ['kubectl', 'drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s'],
        ['kubectl', 'uncordon', node], ['kubectl', 'annotate', 'node', node, 'triton-jetson.dev/cordoned-by-'],
        ['kubectl', 'get', 'pods', '-n', `ns${v}`, '-l', `app=app${v}`, '--field-selector', `spec.nodeName=${node}`, '-o', 'json'],
        ['kubectl', 'get', 'node', node, '-o', 'name', '--ignore-not-found'], ['kubectl', 'get', 'secret', '-n', 'kube-system', secret, '-o', 'name', '--ignore-not-found'],
        ['kubectl', 'delete', 'node', node, '--ignore-not-found'], ['kubectl', 'delete', 'secret', '-n', 'kube-system', secret, '--ignore-not-found'],
      ]);
    });
  });

  test.each(HOSTILE)('daemon.json: keys and values read from the node with %s', (_what, v) => {
    const current = JSON.stringify({ [`key${v}`]: v, runtimes: { nvidia: { path: `nvidia${v}` } } });
    const daemon = planDaemonJson(current);
    if (daemon.kind !== 'update') throw new Error(`expected an update, got ${daemon.kind}`);
    eachShell((box, shell, name) => {
      expectOk(box.run(shell, { script: writeDaemonJsonScript(daemon.after) }), name);
      expect(box.etc('docker/daemon.json')).toBe(daemon.after);
      expect(box.argvOf('systemctl')).toEqual([['restart', 'docker']]);
    });
  });

  test.each(HOSTILE)('quoted here-document (daemon.json, fingerprint): content lines with %s', (_what, v) => {
    // Content that holds lines such as EOF or TRITON_JETSON_..., like a would-be delimiter.
    const content = `${v}\nEOF\nTRITON_JETSON_${v}\n${v}`;
    eachShell((box, shell, name) => {
      expectOk(box.run(shell, { script: `set -eu\n${heredoc('cat > /etc/heredoc-test', content)}\necho done` }), name);
      expect(box.etc('heredoc-test')).toBe(`${content}\n`);
    });
  });

  test.each(HOSTILE)('upload command: remote file name with %s', (_what, v) => {
    eachShell((box, shell, name) => {
      const remote = `${box.dir}/upload${v}`;
      expectOk(box.run(shell, { command: uploadCommand(remote), stdin: 'file content\n' }), name);
      // Only into a folder that exists (the private upload folder): nothing is created around it.
      expect(box.argvOf('mkdir')).toEqual([]);
      expect(readFileSync(remote, 'utf-8')).toBe('file content\n');
      expect(statSync(remote).mode & 0o777).toBe(0o600);
      // An existing file is never written through (noclobber).
      expect(box.run(shell, { command: uploadCommand(remote), stdin: 'second\n' }).code).not.toBe(0);
      expect(readFileSync(remote, 'utf-8')).toBe('file content\n');
    });
  });

  test.each(HOSTILE)('host-key hints (copied by the user): known_hosts file and host with %s', (_what, v) => {
    eachShell((box, shell, name) => {
      const file = `${box.dir}/known hosts${v}`;
      const hints = hostKeyHints(file, `host${v}`, 2222, '/root');
      expectOk(box.run(shell, { command: hints.add, stdin: '' }), name);
      expect(box.argvOf('ssh-keyscan')).toEqual([['-p', '2222', `host${v}`]]);
      expect(readFileSync(file, 'utf-8')).toMatch(/^\[host[^]*\]:2222 ssh-ed25519 \S+\n$/);
      expectOk(box.run(shell, { command: hints.remove, stdin: '' }), name);
      expect(box.argvOf('ssh-keygen')).toEqual([['-f', file, '-R', `[host${v}]:2222`]]);
    });
  });
});

/** The command line (as `npm run bootstrap` runs it) on a description with one bad value. */
const BIN = join(__dirname, '..', '..', 'bin', 'triton-jetson.js');

const SCHEMA_CASES: readonly (readonly [string, Record<string, unknown>, string, RegExp])[] = [
  ['nfs.path with a quote and a command', { nfs: { path: "/srv/x';touch${IFS}canary;'" } }, 'nfs.path', /must not contain quotes.*"\/var\/nfs\/general"/],
  ['nfs.path with a space', { nfs: { path: '/srv/my share' } }, 'nfs.path', /must not contain spaces: \/etc\/exports splits on them; rename the folder/],
  ['nfs.path with a newline', { nfs: { path: '/srv/a\n/ *(rw,no_root_squash)' } }, 'nfs.path', /must not contain control characters/],
  ['nfs.path with ".."', { nfs: { path: '/srv/../etc' } }, 'nfs.path', /must not contain "\.\." segments/],
  ['nfs.path relative', { nfs: { path: 'srv/models' } }, 'nfs.path', /must be an absolute path such as "\/var\/nfs\/general"/],
  ['nfsServer.exportOptions with a space and $(...)', { nfsServer: { exportOptions: 'rw $(touch canary)' } }, 'nfsServer.exportOptions', /must be exports\(5\) options such as "rw,sync,no_subtree_check"/],
  ['nfsServer.clients with a second client', { nfsServer: { clients: ['10.0.0.1 *(rw)'] } }, 'nfsServer.clients[0]', /must be an exports\(5\) client such as "10\.0\.0\.0\/24"/],
  ['node name with ;', { nodes: { server: { name: 'jm;touch canary' } } }, 'nodes.server.name', /must be a DNS-1123 label/],
  ['node user with a quote', { nodes: { server: { name: 'jm-node-1', user: "root'$(touch canary)'" } } }, 'nodes.server.user', /must be a login name such as "ubuntu"/],
  ['ssh.user with a space', { ssh: { user: 'ubuntu admin' } }, 'ssh.user', /must be a login name/],
  ['nfsServer.user with backquotes', { nfsServer: { user: '`touch canary`' } }, 'nfsServer.user', /must be a login name/],
  ['K3s flag with a newline', { k3s: { extraArgs: ['--kubelet-arg=a\ntouch canary'] } }, 'k3s.extraArgs[0]', /must be a K3s flag .*no newlines or control characters/],
  ['K3s flag that is a command', { k3s: { serverArgs: ['; touch canary'] } }, 'k3s.serverArgs[0]', /must be a K3s flag such as "--kubelet-arg=max-pods=60"/],
  ['k3s.version with ;', { k3s: { version: 'v1.34.1+k3s1;touch canary' } }, 'k3s.version', /must be a K3s release such as "v1\.34\.1\+k3s1"/],
  ['installer URL with $(...)', { k3s: { installScriptUrl: 'https://get.k3s.io/$(touch${IFS}canary)' } }, 'k3s.installScriptUrl', /must not contain quotes, "\$".*percent-encode them/],
  ['k3s.disable with ;', { k3s: { disable: ['traefik;touch canary'] } }, 'k3s.disable[0]', /must be a K3s component such as "traefik"/],
  ['node label value with a space', { nodes: { server: { name: 'jm-node-1', labels: { zone: 'rack a' } } } }, 'nodes.server.labels.zone', /must be a label value/],
  ['kubeconfig context with a quote', { kubeconfig: { context: "a'b" } }, 'kubeconfig.context', /must be a DNS-1123 label/],
  // Issue 20.14: one board listed twice would get both installs.
  ['a server also listed as an agent (same address, another name)', { nodes: { server: { name: 'jm-node-1', address: '10.0.0.31' }, agents: [{ name: 'nano', address: '10.0.0.31' }] } },
    'nodes.agents[0].address', /node "nano" has the address "10\.0\.0\.31" of nodes\.server "jm-node-1": one board would get two installs; list each board once/],
  ['an agent whose address is the server\'s name', { nodes: { server: { name: 'jm-node-1' }, agents: [{ name: 'nano', address: 'JM-NODE-1' }] } },
    'nodes.agents[0].address', /node "nano" has the address "JM-NODE-1" of nodes\.server "jm-node-1"/],
  // Issue 20.15: the token comes from k3s.tokenFile, never from a flag (it would be printed).
  ['--token=… in k3s.extraArgs', { k3s: { extraArgs: ['--token=supersecret-0123456789'] } }, 'k3s.extraArgs[0]', /must not set the cluster token: bootstrap passes it from k3s\.tokenFile/],
  ['--agent-token in k3s.serverArgs', { k3s: { serverArgs: ['--agent-token=supersecret-0123456789'] } }, 'k3s.serverArgs[0]', /must not set the cluster token/],
  ['--token-file in a node\'s extraArgs', { nodes: { server: { name: 'jm-node-1', extraArgs: ['--token-file=/root/supersecret'] } } }, 'nodes.server.extraArgs[0]', /must not set the cluster token/],
  ['a bare --token in k3s.agentArgs', { k3s: { agentArgs: ['--token'] } }, 'k3s.agentArgs[0]', /must not set the cluster token/],
];

describe('hostile values in the cluster description are refused by the schema (CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'triton-hostile-cli-'));
    chmodSync(dir, 0o700);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(SCHEMA_CASES)('%s: exit 1, one line naming the field and the fix', (_what, description, field, fix) => {
    const file = join(dir, 'cluster.yaml');
    const base = { nodes: { server: { name: 'jm-node-1', address: '127.0.0.1' } } };
    writeFileSync(file, stringify({ ...base, ...description }));
    const result = spawnSync(process.execPath, [BIN, 'plan', '--offline', '--config', file], {
      cwd: dir, encoding: 'utf-8', env: { PATH: process.env.PATH, TMPDIR: process.env.TMPDIR, HOME: dir }, timeout: 30000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    // One problem, one line: "triton-jetson: invalid cluster description FILE: field: problem and fix".
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^triton-jetson: invalid cluster description .*: ${field.replace(/[.[\]]/g, '\\$&')}: `));
    expect(lines[0]).toMatch(fix);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).not.toContain('supersecret');
    expect(existsSync(join(dir, 'canary'))).toBe(false);
  });
});
