/**
 * Hostile downloads and hostile values against the seeding script exactly as shipped in
 * dist/ (issues 10.2, 10.3), under busybox sh and dash, with busybox and GNU tools, against
 * a loopback HTTP server. Each archive is refused with one clear error line, nothing is
 * published, staging is cleaned, and no file outside the staging folder changes (a canary
 * folder next to the volume is compared by name, type, mode and sha256).
 *
 * HOSTILE_SEED_SCRIPT=<file> runs the cases with another script (mutation checks: remove a
 * guard from a copy and see which case fails).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ModelDefinition, modelCatalog } from '../../lib/model-catalog';
import { seedConfigMapData } from '../../lib/seed/seed-plan';
import { describeWith } from '../support/prereq';
import {
  FileServer, loadSeedManifestsFromDist, SeedSandbox, SHELL_VARIANTS, shellPrerequisites,
} from '../seed/seed-fixture';
import { TarMember, tarGz } from '../seed/tar-builder';

const MODEL = 'victim';
const MIB = 1024 * 1024;
/** Small caps, so a bomb or an endless answer fails in well under a second. */
const CAPS = { SEED_MAX_DOWNLOAD_BYTES: String(2 * MIB), SEED_MAX_EXTRACT_BYTES: String(2 * MIB) };
const GRAPH = Buffer.from('a real model file\n');

/** A model taking model.onnx (and, for `nested`, sub/model.onnx) from archive `file`. */
function victim(file: string, member = 'model.onnx', archive: 'tar.gz' | 'file' = 'tar.gz'): ModelDefinition {
  return {
    name: MODEL,
    downloads: [{
      url: `https://models.example.org/${file}`,
      archive,
      files: archive === 'file' ? [{ to: '1/model.onnx' }] : [{ from: member, to: '1/model.onnx' }],
    }],
    config: { backend: 'onnxruntime', input: [{ name: 'x', dataType: 'TYPE_FP32', dims: [1] }], output: [{ name: 'y', dataType: 'TYPE_FP32', dims: [1] }] },
  };
}

/** Where a case's archive points: the canary outside the volume. */
interface Paths {
  /** Absolute path of the canary file. */
  readonly canary: string;
  /** Absolute path of the canary folder. */
  readonly outside: string;
  /** The canary, relative to the folder the script unpacks into (run/work/<model>/unpacked.<i>/). */
  readonly canaryFromUnpack: string;
}

interface HostileCase {
  readonly label: string;
  /** The archive (tar.gz) or raw download the server sends; `endless`: zeros until the client hangs up. */
  readonly body: (p: Paths) => Buffer | 'endless' | { readonly redirect: string };
  /** Archive member the catalog takes, when not model.onnx. */
  readonly member?: string;
  readonly archive?: 'tar.gz' | 'file';
  /** What the one error line says. */
  readonly error: RegExp;
  /** The download itself fails: its line says so rather than "nothing published" (the harm checks still apply). */
  readonly downloadFails?: true;
  /** The run must end within this long. */
  readonly withinMs?: number;
}

const regular = (name = 'model.onnx'): TarMember => ({ name, content: GRAPH });

const CASES: readonly HostileCase[] = [
  {
    label: 'symbolic link as the model file, to a file outside',
    body: (p) => tarGz([{ name: 'model.onnx', type: 'symlink', linkname: p.canary }]),
    error: /refusing .*: member is a symbolic link: .*model\.onnx/,
  },
  {
    label: 'symbolic link elsewhere in the archive (only regular files and folders are accepted)',
    body: () => tarGz([regular(), { name: 'extra', type: 'symlink', linkname: '/etc/passwd' }]),
    error: /refusing .*: member is a symbolic link: .*extra/,
  },
  {
    label: 'folder symbolic link, then a file written through it',
    body: (p) => tarGz([{ name: 'sub', type: 'symlink', linkname: p.outside }, { name: 'sub/planted', content: 'x' }, regular('sub/model.onnx')]),
    member: 'sub/model.onnx',
    error: /refusing .*: member is a symbolic link: .*sub/,
  },
  {
    label: 'regular file, then a symbolic link with the same name',
    body: (p) => tarGz([regular(), { name: 'model.onnx', type: 'symlink', linkname: p.canary }]),
    error: /refusing .*: member is a symbolic link/,
  },
  {
    label: 'hard link to an absolute file outside',
    body: (p) => tarGz([{ name: 'model.onnx', type: 'hardlink', linkname: p.canary }]),
    error: /refusing .*: member is a hard link: .*model\.onnx/,
  },
  {
    label: 'hard link to ../ outside',
    body: (p) => tarGz([{ name: 'model.onnx', type: 'hardlink', linkname: p.canaryFromUnpack }]),
    error: /refusing .*: member is a hard link: .*model\.onnx/,
  },
  {
    label: 'hard link to another member',
    body: () => tarGz([regular('real'), { name: 'model.onnx', type: 'hardlink', linkname: 'real' }]),
    error: /refusing .*: member is a hard link: .*model\.onnx/,
  },
  {
    label: 'absolute member name overwriting the canary',
    body: (p) => tarGz([regular(), { name: p.canary, content: 'overwritten\n' }]),
    error: /refusing .*: (a member has an absolute or \.\.\/ name|member .* has an absolute or \.\.\/ name)/,
  },
  {
    label: '../ member name overwriting the canary',
    body: (p) => tarGz([regular(), { name: p.canaryFromUnpack, content: 'overwritten\n' }]),
    error: /refusing .*: (a member has an absolute or \.\.\/ name|member .* has an absolute or \.\.\/ name)/,
  },
  {
    label: 'character device as the model file',
    body: () => tarGz([{ name: 'model.onnx', type: 'char', devmajor: 1, devminor: 3 }]),
    error: /refusing .*: member is not a regular file or folder \(device, FIFO\.\.\.\): c/,
  },
  {
    label: 'FIFO as the model file',
    body: () => tarGz([{ name: 'model.onnx', type: 'fifo' }]),
    error: /refusing .*: member is not a regular file or folder \(device, FIFO\.\.\.\): p/,
  },
  {
    label: 'gzip bomb: 16 MiB of zeros behind a few KiB, cap 2 MiB',
    body: () => tarGz([{ name: 'model.onnx', content: Buffer.alloc(16 * MIB) }]),
    error: /refusing .*: unpacks to more than 2097152 bytes/,
  },
  // curl is limited to http(s) redirects (--proto-redir); busybox wget knows no file:// and
  // finds no FTP server here. Either way the run stops before anything is staged.
  {
    label: 'a redirect to file:// (the canary outside the volume)',
    body: (p) => ({ redirect: `file://${p.canary}` }),
    archive: 'file',
    downloadFails: true,
    error: /download of http:\/\/127\.0\.0\.1:\d+\/hostile-\d+\.bin failed/,
  },
  {
    label: 'a redirect to ftp://',
    body: () => ({ redirect: 'ftp://127.0.0.1:9/model.onnx' }),
    archive: 'file',
    downloadFails: true,
    error: /download of http:\/\/127\.0\.0\.1:\d+\/hostile-\d+\.bin failed/,
  },
  {
    label: 'oversized download: 3 MiB with Content-Length, cap 2 MiB',
    body: () => Buffer.alloc(3 * MIB, 1),
    archive: 'file',
    error: /refusing .*: larger than 2097152 bytes/,
  },
  {
    label: 'endless download (a server answering with gigabytes), cap 2 MiB',
    body: () => 'endless',
    archive: 'file',
    error: /refusing .*: larger than 2097152 bytes/,
    // Stopped by the cap, not by the 20 s download timeout.
    withinMs: 10000,
  },
];

/** name → "type mode sha256|target" for everything under `dir` (lstat: links are not followed). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const entry of readdirSync(path.join(dir, rel))) {
      const child = path.join(rel, entry);
      const full = path.join(dir, child);
      const st = lstatSync(full);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        out[child] = `dir ${mode}`;
        walk(child);
      } else if (st.isSymbolicLink()) out[child] = `link ${readlinkSync(full)}`;
      else out[child] = `file ${mode} ${st.nlink} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`;
    }
  };
  walk('');
  return out;
}

/** The seeding script from dist/, or $HOSTILE_SEED_SCRIPT's (a mutant, for mutation checks). */
function scriptUnderTest(): string {
  return process.env.HOSTILE_SEED_SCRIPT
    ? readFileSync(process.env.HOSTILE_SEED_SCRIPT, 'utf-8')
    : loadSeedManifestsFromDist().configMapData['seed-models.sh'];
}

describeWith(shellPrerequisites)('hostile downloads (issue 10.3)', () => {
  let script: string;
  let server: FileServer;
  const boxes: SeedSandbox[] = [];
  let served = 0;

  beforeAll(async () => {
    script = scriptUnderTest();
    server = new FileServer();
    await server.start();
  });

  afterAll(async () => {
    await server.stop();
    for (const box of boxes) rmSync(box.dir, { recursive: true, force: true });
  });

  it(`has ${CASES.length} cases`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(12);
  });

  describe.each(SHELL_VARIANTS)('$label', (variant) => {
    it.each(CASES)('refuses: $label', async (hostile) => {
      const file = `hostile-${(served += 1)}.${hostile.archive === 'file' ? 'bin' : 'tar.gz'}`;
      const data = seedConfigMapData([victim(file, hostile.member, hostile.archive)], server.baseUrl);
      const box = new SeedSandbox(variant, { ...data, 'seed-models.sh': script });
      boxes.push(box);
      const outside = path.join(box.dir, 'outside');
      mkdirSync(outside);
      const canary = path.join(outside, 'canary.txt');
      writeFileSync(canary, 'precious\n');
      chmodSync(canary, 0o600);
      const paths: Paths = { canary, outside, canaryFromUnpack: '../../../../../../outside/canary.txt' };
      const body = hostile.body(paths);
      if (body === 'endless') server.serveEndless(file);
      else if (!Buffer.isBuffer(body)) server.redirect(file, body.redirect);
      else server.serve(file, body);
      const before = snapshot(outside);

      const started = Date.now();
      const result = await box.run(CAPS);
      if (hostile.withinMs !== undefined) expect(Date.now() - started).toBeLessThan(hostile.withinMs);

      // Harm first: nothing outside changed, nothing published, staging cleaned.
      expect(snapshot(outside)).toEqual(before);
      expect(box.tree('repository')).toEqual([]);
      expect(box.tree('.staging')).toEqual([]);
      expect(result.code).not.toBe(0);
      const errors = result.stderr.split('\n').filter((line) => line.includes('ERROR:'));
      // One line for the model, then the summary line naming it.
      expect(errors).toHaveLength(2);
      expect(errors[0]).toMatch(new RegExp(`model-seed: ERROR: ${MODEL}: `));
      expect(errors[0]).toMatch(hostile.error);
      if (!hostile.downloadFails) expect(errors[0]).toMatch(/nothing published/);
      expect(errors[1]).toContain(`not seeded: ${MODEL}`);
    });

    it('still publishes a well-formed archive within the caps (regular files and folders)', async () => {
      const file = `good-${(served += 1)}.tar.gz`;
      server.serve(file, tarGz([{ name: 'sub', type: 'dir' }, regular('sub/model.onnx'), { name: 'sub/other', content: 'not taken' }]));
      const data = seedConfigMapData([victim(file, 'sub/model.onnx')], server.baseUrl);
      const box = new SeedSandbox(variant, { ...data, 'seed-models.sh': script });
      boxes.push(box);
      const result = await box.run(CAPS);
      expect(result.stderr).toContain(`${MODEL}: published`);
      expect(result.code).toBe(0);
      expect(box.tree(`repository/${MODEL}`)).toEqual(['.seed-manifest', '1/', '1/model.onnx', 'config.pbtxt']);
      const published = path.join(box.root, 'repository', MODEL, '1', 'model.onnx');
      expect(readFileSync(published).equals(GRAPH)).toBe(true);
      expect(lstatSync(published).mode & 0o7777).toBe(0o644);
    });
  });
});

describeWith(shellPrerequisites)('a published file replaced by a symbolic link', () => {
  let script: string;
  let server: FileServer;
  const boxes: SeedSandbox[] = [];

  beforeAll(async () => {
    script = scriptUnderTest();
    server = new FileServer();
    server.serve('good.tar.gz', tarGz([regular()]));
    await server.start();
  });

  afterAll(async () => {
    await server.stop();
    for (const box of boxes) rmSync(box.dir, { recursive: true, force: true });
  });

  it.each(SHELL_VARIANTS)('is re-seeded as a regular file, its target untouched ($label)', async (variant) => {
    const data = seedConfigMapData([victim('good.tar.gz')], server.baseUrl);
    const box = new SeedSandbox(variant, { ...data, 'seed-models.sh': script });
    boxes.push(box);
    expect((await box.run()).code).toBe(0);
    const outside = path.join(box.dir, 'outside');
    mkdirSync(outside);
    const canary = path.join(outside, 'canary.txt');
    writeFileSync(canary, 'precious\n');
    chmodSync(canary, 0o600);
    const before = snapshot(outside);
    const published = path.join(box.root, 'repository', MODEL, '1', 'model.onnx');
    rmSync(published);
    symlinkSync(canary, published);
    // A config change takes the reuse path, which must not hard-link or chmod the link either.
    const changed = data['models.list'].replace(/^model victim ([0-9a-f]+) /m, `model victim ${'e'.repeat(64)} `);
    box.writeSpec({ 'models.list': changed });

    const result = await box.run();
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('reusing the published files');
    expect(snapshot(outside)).toEqual(before);
    expect(lstatSync(published).isSymbolicLink()).toBe(false);
    expect(readFileSync(published).equals(GRAPH)).toBe(true);
    expect((await box.run()).stderr).toContain(`${MODEL}: up to date`);
  });
});

describeWith(shellPrerequisites)('hostile values in the catalog and the model list (issue 10.2)', () => {
  let script: string;
  let server: FileServer;
  let canaries: string;
  const boxes: SeedSandbox[] = [];

  beforeAll(async () => {
    script = scriptUnderTest();
    server = new FileServer();
    server.serveAnyPath(GRAPH);
    await server.start();
    canaries = mkdtempSync(path.join(tmpdir(), 'seed-canaries-'));
  });

  afterAll(async () => {
    await server.stop();
    for (const box of boxes) rmSync(box.dir, { recursive: true, force: true });
    rmSync(canaries, { recursive: true, force: true });
  });

  /** Shell syntax that would create a file in `canaries` if anything evaluated it. */
  function payloads(tag: string): string[] {
    const c = (n: number) => path.join(canaries, `${tag}-${n}`);
    return [`$(touch\${IFS}${c(1)})`, `\`touch\${IFS}${c(2)}\``, `;touch\${IFS}${c(3)};`, `|touch\${IFS}${c(4)}`, `&&touch\${IFS}${c(5)}`, `'"$(touch\${IFS}${c(6)})"'`];
  }

  describe.each(SHELL_VARIANTS)('$label', (variant) => {
    it('treats URLs and config strings full of shell syntax as data', async () => {
      const tag = variant.label.replace(/[^a-z]/g, '');
      const url = `${server.baseUrl}/m${payloads(`${tag}-url`).join('')}<x>.onnx`;
      const model: ModelDefinition = {
        name: 'data_only',
        downloads: [{ url, archive: 'file', files: [{ to: '1/model.onnx' }] }],
        config: {
          backend: `onnxruntime${payloads(`${tag}-backend`)[0]}`,
          // Tensor names may hold no control character (issue 20.17): the newlines go in the parameter value.
          input: [{ name: payloads(`${tag}-input`).join(' '), dataType: 'TYPE_FP32', dims: [1] }],
          output: [{ name: 'y', dataType: 'TYPE_FP32', dims: [1] }],
          parameters: { [payloads(`${tag}-key`)[1]]: payloads(`${tag}-value`).join('\n') },
        },
        inlineFiles: [{ to: 'notes.txt', content: `${payloads(`${tag}-inline`).join('\n')}\n` }],
      };
      const data = seedConfigMapData(modelCatalog([model], { builtin: false }));
      expect(data['models.list']).toContain(url);
      const box = new SeedSandbox(variant, { ...data, 'seed-models.sh': script });
      boxes.push(box);
      const result = await box.run();
      expect(result.stderr).toContain('data_only: published');
      expect(result.code).toBe(0);
      expect(readdirSync(canaries)).toEqual([]);
      const published = path.join(box.root, 'repository', 'data_only');
      expect(readFileSync(path.join(published, 'config.pbtxt'), 'utf-8')).toBe(data['data_only.config.pbtxt']);
      expect(readFileSync(path.join(published, 'notes.txt'), 'utf-8')).toBe(data['data_only.inline.0']);
      expect(readFileSync(path.join(published, '1', 'model.onnx')).equals(GRAPH)).toBe(true);
    });

    // The schema refuses these; the script refuses them too when the ConfigMap is edited by hand.
    it.each([
      ['a file target outside the model folder', (list: string) => list.replace(' 1/model.onnx', ' ../../../../outside/escaped'), /unsafe path "(\.\.\/){4}outside\/escaped"/],
      ['an archive member that is a tar option running a command', (list: string, outside: string) => list.replace(' model.onnx 1/', ` --to-command=touch\${IFS}${outside}/pwned 1/`), /unsafe archive member "--to-command=touch/],
      ['a model name with a path', (list: string) => list.replace(/ victim /g, ' ../victim '), /unsafe model name "\.\.\/victim"/],
    ])('refuses a hand-edited list with %s', async (_label, edit, error) => {
      const file = `edited-${boxes.length}.tar.gz`;
      server.serve(file, tarGz([regular()]));
      const data = seedConfigMapData([victim(file)], server.baseUrl);
      const box = new SeedSandbox(variant, { ...data, 'seed-models.sh': script });
      boxes.push(box);
      const outside = path.join(box.dir, 'outside');
      mkdirSync(outside);
      box.writeSpec({ 'models.list': edit(data['models.list'], outside) });
      const result = await box.run();
      expect(readdirSync(outside)).toEqual([]);
      expect(box.tree('')).not.toContain('outside/');
      expect(box.tree('repository')).toEqual([]);
      expect(box.tree('.staging')).toEqual([]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(error);
    });
  });
});

describeWith(shellPrerequisites)('staging names cannot collide with model names (issue 20.11)', () => {
  let script: string;
  let server: FileServer;
  const boxes: SeedSandbox[] = [];

  beforeAll(async () => {
    script = scriptUnderTest();
    server = new FileServer();
    server.serve('x-v1.onnx', Buffer.from('x version 1, model file\n'));
    server.serve('x-v1-extra.onnx', Buffer.from('x version 1, second version folder\n'));
    server.serve('x-v2.onnx', Buffer.from('x version 2\n'));
    await server.start();
  });

  afterAll(async () => {
    await server.stop();
    for (const box of boxes) rmSync(box.dir, { recursive: true, force: true });
  });

  const config: ModelDefinition['config'] = {
    backend: 'onnxruntime', input: [{ name: 'x', dataType: 'TYPE_FP32', dims: [1] }], output: [{ name: 'y', dataType: 'TYPE_FP32', dims: [1] }],
  };
  const fileDownload = (file: string, to: string) => ({ url: `https://models.example.org/${file}`, archive: 'file' as const, files: [{ to }] });

  /**
   * Each name is what the script (before) used inside its run folder for model `x`: the old
   * folder moved aside ("replaced.x"), and the working files of download 0 of model x.
   */
  describe.each(SHELL_VARIANTS)('$label', (variant) => {
    it.each(['replaced.x', 'download.x.0', 'unpacked.x.0', 'archive.x.0.tar'])('a model named %s gets only its own files when x is updated in the same run', async (other) => {
      const x1: ModelDefinition = { name: 'x', downloads: [fileDownload('x-v1.onnx', '1/model.onnx'), fileDownload('x-v1-extra.onnx', '2/model.onnx')], config };
      const x2: ModelDefinition = { name: 'x', downloads: [fileDownload('x-v2.onnx', '1/model.onnx')], config };
      const victim: ModelDefinition = { name: other, downloads: [fileDownload('x-v2.onnx', '1/model.onnx')], config };
      const first = seedConfigMapData(modelCatalog([x1], { builtin: false }), server.baseUrl);
      const box = new SeedSandbox(variant, { ...first, 'seed-models.sh': script });
      boxes.push(box);
      expect((await box.run()).code).toBe(0);
      expect(box.tree('repository/x')).toEqual(['.seed-manifest', '1/', '1/model.onnx', '2/', '2/model.onnx', 'config.pbtxt']);

      box.writeSpec(seedConfigMapData(modelCatalog([x2, victim], { builtin: false }), server.baseUrl));
      const result = await box.run();
      expect(result.stderr).toContain(`${other}: published`);
      expect(result.code).toBe(0);
      // Before: x's old folder (with its version 2) was published under the other model's name.
      expect(box.tree(`repository/${other}`)).toEqual(['.seed-manifest', '1/', '1/model.onnx', 'config.pbtxt']);
      expect(box.tree('repository/x')).toEqual(['.seed-manifest', '1/', '1/model.onnx', 'config.pbtxt']);
      expect(readFileSync(path.join(box.root, 'repository', other, '1', 'model.onnx'), 'utf-8')).toBe('x version 2\n');
      expect(box.tree('.staging')).toEqual([]);
    });
  });
});
