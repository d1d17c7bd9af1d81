/**
 * Issue 20.8: every local file the tools read, given something that is not a plain file of
 * the right size (/dev/zero, a FIFO, a folder, a link to /dev/zero, a file past its kind's
 * cap, another user's file, a file others can write), as the real command line: it stops
 * at once with exit 1 and one line naming the file — no hang, no gigabytes read (peak RSS
 * bounded), no stack trace. Before the fix, /dev/zero grew the process to GBs and a FIFO
 * hung it (the spawn's time limit turns a hang into a failure here).
 */
import { chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync, ftruncateSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { KnownHosts } from '../../bootstrap/executor/known-hosts';
import { readKubeconfigFile } from '../../bootstrap/executor/kubeconfig-file';
import { readToken } from '../../bootstrap/executor/local-files';
import { LOCAL_FILE_KINDS, type LocalFileKind } from '../../lib/local-file';
import { runCli, unusedPort, type CliResult } from '../client/cli-runner';
import { describeWith } from '../support/prereq';
import { inceptionGraphdef, startKServeTestServer, type KServeTestServer } from '../support/kserve-test-server';

const IS_ROOT = process.getuid?.() === 0;
const MAX_RSS_PRELOAD = join(__dirname, 'max-rss.js');
/** Peak RSS allowed to a child (tsx + zod + ssh2 take about 100 MiB on their own). */
const RSS_BOUND_KIB = 300 * 1024;

/** A folder with a space in its name (tests pass from any folder), HOME inside it. */
const root = mkdtempSync(join(tmpdir(), 'hostile local files '));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let cases = 0;

/** What a hostile path is made of. */
type Form = 'dev-zero' | 'fifo' | 'folder' | 'link-to-dev-zero' | 'too-large' | 'other-owner' | 'others-write';

const FORM_MESSAGE: Record<Form, RegExp> = {
  'dev-zero': /is not a regular file \(a device, FIFO or socket\)/,
  fifo: /is not a regular file \(a device, FIFO or socket\)/,
  folder: /is a folder, not a file/,
  'link-to-dev-zero': /is not a regular file/,
  'too-large': /larger than [\d.]+ [KMG]B/,
  'other-owner': /belongs to another user \(uid 4242/,
  'others-write': /(readable or )?writable by other users \(mode 6[0-7]6\)/,
};

/** Makes the hostile path `file` of `form` for a file of `kind`. */
function make(file: string, form: Form, kind: LocalFileKind, content = 'x\n'): string {
  switch (form) {
    case 'dev-zero':
      return '/dev/zero';
    case 'fifo':
      spawnSync('mkfifo', [file]);
      return file;
    case 'folder':
      mkdirSync(file);
      return file;
    case 'link-to-dev-zero':
      symlinkSync('/dev/zero', file);
      return file;
    case 'too-large': {
      // Sparse: one byte past the cap, no disk used.
      const fd = openSync(file, 'w', 0o600);
      ftruncateSync(fd, LOCAL_FILE_KINDS[kind].maxBytes + 1);
      closeSync(fd);
      return file;
    }
    case 'other-owner':
      writeFileSync(file, content, { mode: 0o600 });
      chownSync(file, 4242, 4242);
      return file;
    case 'others-write':
      writeFileSync(file, content);
      chmodSync(file, 0o666);
      return file;
  }
}

interface Setup {
  readonly args: string[];
  /** Where the hostile path was put (printed in the message). */
  readonly path: string;
  /** The failure is a host's error in the summary (stdout), not a one-line stop (stderr). */
  readonly inSummary?: boolean;
}

/** A workspace: HOME, a cluster.yaml for one node on a closed loopback port. */
async function workspace(extra: Record<string, unknown> = {}): Promise<{ dir: string; config: string }> {
  const dir = join(root, `case ${cases++}`);
  mkdirSync(join(dir, 'home'), { recursive: true });
  const port = await unusedPort();
  const config = join(dir, 'cluster.yaml');
  const base = { nodes: { server: { name: 'jm-node-1', address: '127.0.0.1', port } }, ssh: { user: 'root', connectTimeoutSeconds: 2 } };
  writeFileSync(config, stringify({ ...base, ...extra }));
  return { dir, config };
}

const AIR_GAP_KIND: Record<'k3s-arm64' | 'install.sh' | 'k3s-airgap-images-arm64.tar.zst', LocalFileKind> = {
  'k3s-arm64': 'K3s binary', 'install.sh': 'K3s installer', 'k3s-airgap-images-arm64.tar.zst': 'K3s images',
};

/** Each file the bootstrapper reads, and how a case puts a hostile path there. */
const BOOTSTRAP_FILES: readonly { readonly option: string; readonly kind: LocalFileKind; readonly forms: readonly Form[]; readonly setup: (form: Form) => Promise<Setup> }[] = [
  {
    option: '--kubeconfig', kind: 'kubeconfig', forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large', 'other-owner'],
    setup: async (form) => {
      const { dir, config } = await workspace();
      const path = make(join(dir, 'kubeconfig'), form, 'kubeconfig', 'apiVersion: v1\nkind: Config\n');
      return { args: ['bootstrap', '--dry-run', '--config', config, '--kubeconfig', path], path };
    },
  },
  {
    option: 'kubeconfig.path (reset)', kind: 'kubeconfig', forms: ['dev-zero', 'fifo', 'folder'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'kubeconfig'), form, 'kubeconfig');
      const { config } = await workspace({ kubeconfig: { path } });
      return { args: ['reset', '--dry-run', '--config', config], path };
    },
  },
  {
    option: 'ssh.configFile', kind: 'SSH config', forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'ssh_config'), form, 'SSH config', 'Host x\n  Port 22\n');
      const { config } = await workspace({ ssh: { user: 'root', configFile: path } });
      return { args: ['plan', '--offline', '--config', config], path };
    },
  },
  {
    option: 'Include in ~/.ssh/config', kind: 'SSH config', forms: ['dev-zero', 'fifo', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'included'), form, 'SSH config', 'Host x\n  Port 22\n');
      const main = join(dir, 'ssh_config');
      writeFileSync(main, `Include "${path}"\n`, { mode: 0o600 });
      const { config } = await workspace({ ssh: { user: 'root', configFile: main } });
      return { args: ['plan', '--offline', '--config', config], path };
    },
  },
  {
    option: '--known-hosts', kind: 'known_hosts', forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir, config } = await workspace();
      const path = make(join(dir, 'known_hosts'), form, 'known_hosts');
      return { args: ['bootstrap', '--dry-run', '--config', config, '--known-hosts', path], path };
    },
  },
  {
    option: 'k3s.tokenFile', kind: 'token file', forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'token'), form, 'token file', `${'ab12'.repeat(16)}\n`);
      const { config } = await workspace({ k3s: { tokenFile: path } });
      return { args: ['bootstrap', '--dry-run', '--config', config], path };
    },
  },
  ...(['k3s-arm64', 'install.sh', 'k3s-airgap-images-arm64.tar.zst'] as const).map((name) => ({
    option: `k3s.airGapDir/${name}`, kind: AIR_GAP_KIND[name],
    forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large', 'other-owner', 'others-write'] as Form[],
    setup: async (form: Form) => {
      const { dir } = await workspace();
      const airGap = join(dir, 'airgap');
      mkdirSync(airGap, { mode: 0o700 });
      for (const file of ['install.sh', 'k3s-arm64']) if (file !== name) writeFileSync(join(airGap, file), 'ok\n', { mode: 0o600 });
      const target = join(airGap, name);
      if (form === 'dev-zero') symlinkSync('/dev/zero', target);
      else make(target, form, AIR_GAP_KIND[name]);
      const { config } = await workspace({ k3s: { airGapDir: airGap } });
      return { args: ['plan', '--offline', '--config', config], path: target };
    },
  })),
  {
    option: 'UserKnownHostsFile in ~/.ssh/config', kind: 'known_hosts', forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'known_hosts'), form, 'known_hosts');
      const main = join(dir, 'ssh_config');
      writeFileSync(main, `Host *\n  UserKnownHostsFile "${path}"\n`, { mode: 0o600 });
      const { config } = await workspace({ ssh: { user: 'root', configFile: main, connectTimeoutSeconds: 2 } });
      return { args: ['bootstrap', '--dry-run', '--config', config], path };
    },
  },
  {
    option: 'IdentityFile in ~/.ssh/config', kind: 'SSH key', forms: ['dev-zero', 'fifo', 'folder', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'id_ed25519'), form, 'SSH key');
      const main = join(dir, 'ssh_config');
      writeFileSync(main, `Host *\n  IdentityFile "${path}"\n`, { mode: 0o600 });
      const { config } = await workspace({ ssh: { user: 'root', configFile: main, connectTimeoutSeconds: 2 } });
      return { args: ['bootstrap', '--dry-run', '--config', config, '--known-hosts', join(dir, 'known_hosts')], path, inSummary: true };
    },
  },
  {
    option: 'verify --wait --kubeconfig', kind: 'kubeconfig', forms: ['dev-zero', 'fifo', 'folder', 'link-to-dev-zero', 'too-large'],
    setup: async (form) => {
      const { dir, config } = await workspace();
      const path = make(join(dir, 'kubeconfig'), form, 'kubeconfig', 'apiVersion: v1\nkind: Config\n');
      return { args: ['verify', '--wait', '--wait-timeout', '5', '--config', config, '--kubeconfig', path], path };
    },
  },
  {
    option: 'identityFile', kind: 'SSH key', forms: ['dev-zero', 'fifo', 'folder', 'too-large', 'other-owner', 'others-write'],
    setup: async (form) => {
      const { dir } = await workspace();
      const path = make(join(dir, 'id_ed25519'), form, 'SSH key');
      const { config } = await workspace({ ssh: { user: 'root', identityFile: path, connectTimeoutSeconds: 2 } });
      return { args: ['bootstrap', '--dry-run', '--config', config, '--known-hosts', join(dir, 'known_hosts')], path, inSummary: true };
    },
  },
];

const ROOT_ONLY: readonly Form[] = ['other-owner'];

const casesOf = (rootOnly: boolean) => BOOTSTRAP_FILES.flatMap((file) => file.forms
  .filter((form) => ROOT_ONLY.includes(form) === rootOnly)
  .map((form) => [`${file.option}: ${form}`, file, form] as const));
/** Another owner needs chown, so root. */
const AS_ROOT = [{ name: 'root', present: IS_ROOT, hint: 'run the tests as root (chown to another user)' }];

async function runBounded(args: readonly string[], cwd: string, home: string): Promise<CliResult & { readonly maxRssKiB: number }> {
  const rssFile = join(root, `rss-${cases++}`);
  const result = await runCli(args, cwd, {
    nodeArgs: ['--max-old-space-size=256', '--require', MAX_RSS_PRELOAD],
    env: { MAX_RSS_FILE: rssFile, HOME: home, KUBECONFIG: join(home, '.kube', 'config'), SSH_AUTH_SOCK: '' },
  });
  return { ...result, maxRssKiB: Number(readFileSync(rssFile, 'utf-8')) };
}

async function expectStopped(file: (typeof BOOTSTRAP_FILES)[number], form: Form): Promise<void> {
  const setup = await file.setup(form);
  const home = join(root, `home-${cases++}`);
  mkdirSync(home);
  const result = await runBounded(setup.args, root, home);
  const shownPath = setup.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (setup.inSummary) {
    // The key is read when connecting: that host fails, with the reason in the summary.
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`error: +\\S+: SSH key ${shownPath}: `));
    expect(result.stdout).toMatch(FORM_MESSAGE[form]);
  } else {
    expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^triton-jetson: ${file.kind} ${shownPath}: `));
    expect(lines[0]).toMatch(FORM_MESSAGE[form]);
  }
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.maxRssKiB).toBeLessThan(RSS_BOUND_KIB);
}

describe('every file the bootstrapper reads: a hostile path stops the run in one line naming it', () => {
  test.each(casesOf(false))('%s', (_what, file, form) => expectStopped(file, form));
});

describeWith(AS_ROOT)('every file the bootstrapper reads: another user\'s file is refused', () => {
  test.each(casesOf(true))('%s', (_what, file, form) => expectStopped(file, form));
});

describe('bench --input-data: a hostile image path stops before any load (issue 20.8)', () => {
  let server: KServeTestServer;
  beforeAll(async () => {
    server = await startKServeTestServer({ models: [inceptionGraphdef()] });
  });
  afterAll(async () => server?.close());

  test.each(['fifo', 'dev-zero', 'link-to-dev-zero', 'too-large', 'folder'] as const)('%s', async (form) => {
    const dir = join(root, `bench ${cases++}`);
    mkdirSync(dir);
    const path = make(join(dir, 'image.jpg'), form, 'image');
    const result = await runBounded(['bench', '-u', server.address, '-m', 'inception_graphdef', '--input-data', path,
      '--concurrency-range', '1', '--measurement-request-count', '1', '--no-progress'], dir, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^triton-jetson: --input-data: cannot read image '${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}': (not a regular file|larger than|a folder, not a file)`));
    // bench sends one image: the hint does not offer a folder (infer's does).
    expect(result.stderr).toMatch(/Give a JPEG, PNG, WebP, GIF or TIFF file, or random or zero\n$/);
    expect(result.maxRssKiB).toBeLessThan(RSS_BOUND_KIB);
    expect(server.inferences).toHaveLength(0);
  });
});

describe('links are followed, and the file they name is what is checked', () => {
  const dotfiles = join(root, 'dotfiles');
  const links = join(root, 'links');
  beforeAll(() => {
    mkdirSync(dotfiles, { mode: 0o700 });
    mkdirSync(links, { mode: 0o700 });
  });
  const link = (name: string, content: string, mode: number): string => {
    writeFileSync(join(dotfiles, name), content, { mode });
    chmodSync(join(dotfiles, name), mode);
    symlinkSync(join(dotfiles, name), join(links, name));
    return join(links, name);
  };

  test('a token file, known_hosts and a kubeconfig kept elsewhere (dotfiles) are used', () => {
    expect(readToken(link('token', `${'ab12'.repeat(16)}\n`, 0o600))).toBe('ab12'.repeat(16));
    expect(new KnownHosts(link('known_hosts', '10.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==\n', 0o644)).knownKeyTypes('10.0.0.1', 22)).toEqual(['ssh-ed25519']);
    expect(readKubeconfigFile(link('kubeconfig', 'apiVersion: v1\nkind: Config\n', 0o600))).toMatchObject({ target: join(dotfiles, 'kubeconfig') });
  });

  test('a link to a token file others can read, or to known_hosts others can write, is refused naming the link', () => {
    const token = link('open-token', `${'ab12'.repeat(16)}\n`, 0o644);
    expect(() => readToken(token)).toThrow(`token file ${token}: is readable or writable by other users (mode 644)`);
    const knownHosts = link('open-known_hosts', '', 0o666);
    expect(() => new KnownHosts(knownHosts)).toThrow(`known_hosts ${knownHosts}: is writable by other users (mode 666)`);
  });

});

describeWith(AS_ROOT)('a link to another user\'s file', () => {
  test('a link to another user\'s token file is refused', () => {
    const dir = join(root, 'their-dotfiles');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'token'), `${'ab12'.repeat(16)}\n`, { mode: 0o600 });
    chownSync(join(dir, 'token'), 4242, 4242);
    symlinkSync(join(dir, 'token'), join(dir, 'link'));
    expect(() => readToken(join(dir, 'link'))).toThrow(/belongs to another user \(uid 4242/);
  });
});
