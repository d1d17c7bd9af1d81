/**
 * Runs the seeding script exactly as shipped in dist/ with real shells (busybox sh,
 * dash) and real tools (busybox wget/tar/sha256sum, or GNU tools and curl) against a
 * loopback HTTP server, and checks the repository it leaves on disk.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeWith } from '../support/prereq';
import {
  buildInceptionTarball, FakeModelTarball, FileServer, GRAPH_MEMBER, INCEPTION_LABELS_FILE, INCEPTION_LABELS_SHA256, LABELS_MEMBER, loadSeedManifestsFromDist,
  pointListAt, SeedManifests, SeedSandbox, sha256, SHELL_VARIANTS, shellPrerequisites, TARBALL_NAME, waitFor,
} from './seed-fixture';
import { modelCatalog } from '../../lib/model-catalog';
import { seedConfigMapData } from '../../lib/seed/seed-plan';

const EXPECTED_TREE = [
  'inception_graphdef/',
  'inception_graphdef/.seed-manifest',
  'inception_graphdef/1/',
  'inception_graphdef/1/model.graphdef',
  'inception_graphdef/config.pbtxt',
  'inception_graphdef/inception_labels.txt',
];

describeWith(shellPrerequisites)('seeding script from dist/', () => {
  let manifests: SeedManifests;
  let tarball: FakeModelTarball;
  let server: FileServer;
  let workDir: string;
  const sandboxes: SeedSandbox[] = [];
  let mirrorCount = 0;

  beforeAll(async () => {
    manifests = loadSeedManifestsFromDist();
    workDir = path.join(tmpdir(), `model-seed-tarball-${process.pid}`);
    mkdirSync(workDir, { recursive: true });
    tarball = buildInceptionTarball(workDir);
    server = new FileServer();
    server.serve(TARBALL_NAME, tarball.bytes);
    await server.start();
  });

  afterAll(async () => {
    await server.stop();
    for (const s of sandboxes) rmSync(s.dir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The ConfigMap's files with downloads pointed at the loopback server. */
  function spec(sha256?: string): Record<string, string> {
    const data = { ...manifests.configMapData };
    data['models.list'] = pointListAt(data['models.list'], server.baseUrl, sha256 ? { [TARBALL_NAME]: sha256 } : {});
    return data;
  }

  it('ships the tutorial model in the list and the Job runs the shipped script', () => {
    expect(manifests.configMapData['models.list']).toContain(`download inception_graphdef 0 tar.gz - https://storage.googleapis.com/download.tensorflow.org/models/${TARBALL_NAME}`);
    expect(manifests.configMapData['models.list']).toContain(`file inception_graphdef 0 ${GRAPH_MEMBER} 1/model.graphdef`);
    expect(manifests.configMapData['models.list']).not.toContain(LABELS_MEMBER);
    expect(manifests.configMapData['models.list']).toContain('inline inception_graphdef 0 inception_labels.txt\n');
    expect(manifests.configMapData['inception_graphdef.inline.0']).toBe(readFileSync(INCEPTION_LABELS_FILE, 'utf-8'));
    const container = manifests.job.spec.template.spec.containers[0];
    expect(container.command).toEqual(['/bin/sh', '/etc/model-seed/seed-models.sh']);
  });

  describe.each(SHELL_VARIANTS)('$label', (variant) => {
    function sandbox(sha256?: string): SeedSandbox {
      const s = new SeedSandbox(variant, spec(sha256));
      sandboxes.push(s);
      return s;
    }

    beforeEach(() => {
      server.setMode('ok');
      server.hits = 0;
    });

    it('seeds the exact layout, then a rerun is a no-op without any HTTP request', async () => {
      const box = sandbox(tarball.sha256);
      const first = await box.run();
      expect(first.stderr).toContain('inception_graphdef: published');
      expect(first.code).toBe(0);
      expect(server.hits).toBe(1);
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
      const model = path.join(box.root, 'repository', 'inception_graphdef');
      expect(readFileSync(path.join(model, '1', 'model.graphdef')).equals(tarball.graph)).toBe(true);
      // Triton's own label file, byte for byte (not the tarball's imagenet_slim_labels.txt).
      const labels = readFileSync(path.join(model, 'inception_labels.txt'));
      expect(labels.equals(readFileSync(INCEPTION_LABELS_FILE))).toBe(true);
      expect(sha256(labels)).toBe(INCEPTION_LABELS_SHA256);
      expect(readFileSync(path.join(model, 'config.pbtxt'), 'utf-8')).toBe(manifests.configMapData['inception_graphdef.config.pbtxt']);
      // World-readable: Triton may read as another user (root_squash).
      expect(statSync(path.join(model, '1', 'model.graphdef')).mode & 0o044).toBe(0o044);
      expect(statSync(path.join(model, '1')).mode & 0o055).toBe(0o055);
      // Nothing left in staging.
      expect(box.tree('.staging')).toEqual([]);

      const graphMtime = statSync(path.join(model, '1', 'model.graphdef')).mtimeMs;
      const second = await box.run();
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('inception_graphdef: up to date');
      expect(server.hits).toBe(1);
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
      expect(statSync(path.join(model, '1', 'model.graphdef')).mtimeMs).toBe(graphMtime);
    });

    it('refuses a wrong sha256: non-zero exit and nothing at the final path', async () => {
      const box = sandbox('0'.repeat(64));
      const result = await box.run();
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`sha256 of ${server.baseUrl}/${TARBALL_NAME} is ${tarball.sha256}, expected ${'0'.repeat(64)}`);
      expect(box.tree('repository')).toEqual([]);
      expect(box.tree('.staging')).toEqual([]);
    });

    it('fails when the server is down or the download is truncated, leaving the previous state intact', async () => {
      const box = sandbox();
      server.setMode('truncate');
      const truncated = await box.run();
      expect(truncated.code).not.toBe(0);
      expect(server.hits).toBe(1);
      expect(box.tree('repository')).toEqual([]);
      expect(box.tree('.staging')).toEqual([]);

      // A complete previous version stays as it was when the new one cannot be fetched.
      server.setMode('ok');
      expect((await box.run()).code).toBe(0);
      const before = box.tree('repository');
      const oldManifest = readFileSync(path.join(box.root, 'repository/inception_graphdef/.seed-manifest'), 'utf-8');
      box.writeSpec({ 'inception_graphdef.config.pbtxt': `${spec()['inception_graphdef.config.pbtxt']}# changed\n`, 'models.list': changeKey(spec()['models.list'], 'files') });
      server.setMode('not-found');
      const missing = await box.run();
      expect(missing.code).not.toBe(0);
      server.setMode('truncate');
      const cut = await box.run();
      expect(cut.code).not.toBe(0);
      expect(box.tree('repository')).toEqual(before);
      expect(readFileSync(path.join(box.root, 'repository/inception_graphdef/.seed-manifest'), 'utf-8')).toBe(oldManifest);
      expect(box.tree('.staging')).toEqual([]);
    });

    it('fails cleanly when nothing listens at the URL', async () => {
      const box = sandbox();
      const list = spec()['models.list'].replace(server.baseUrl, 'http://127.0.0.1:1');
      box.writeSpec({ 'models.list': list });
      const result = await box.run();
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('download of http://127.0.0.1:1/');
      expect(box.tree('repository')).toEqual([]);
    });

    it('completes on the next run after being killed mid-download, cleaning the stale staging folder', async () => {
      const box = sandbox(tarball.sha256);
      server.setMode('stall');
      const run = box.start();
      await server.stalled;
      await waitFor(() => box.tree('.staging').some((f) => f.endsWith('/work/inception_graphdef/download.0')), 10000, 'a partial download in staging');
      run.killGroup('SIGKILL');
      server.dropConnections();
      await run.done;
      expect(box.tree('repository')).toEqual([]);
      const leftovers = box.tree('.staging').filter((f) => /^run\.[^/]+\/$/.test(f));
      expect(leftovers).toHaveLength(1);

      // A young staging folder may belong to a live run: kept.
      server.setMode('ok');
      const cautious = sandbox(tarball.sha256);
      mkdirSync(path.join(cautious.root, '.staging', leftovers[0]), { recursive: true });
      expect((await cautious.run()).code).toBe(0);
      expect(existsSync(path.join(cautious.root, '.staging', leftovers[0]))).toBe(true);

      // Older than the Job's deadline: its pod is gone, so the next run removes it.
      const rerun = await box.run({ SEED_STALE_SECONDS: '0' });
      expect(rerun.code).toBe(0);
      expect(rerun.stderr).toContain('removing stale staging folder');
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
      expect(box.tree('.staging')).toEqual([]);
    });

    it('stops at once on SIGTERM during a download, removing its staging folder', async () => {
      const box = sandbox();
      server.setMode('stall');
      const run = box.start();
      await server.stalled;
      const started = Date.now();
      process.kill(run.child.pid as number, 'SIGTERM');
      const result = await run.done;
      run.killGroup('SIGKILL');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.code).toBe(143);
      expect(box.tree('repository')).toEqual([]);
      expect(box.tree('.staging')).toEqual([]);
    });

    it('republishes a model whose config changed as a whole folder, reusing its files without a download', async () => {
      const box = sandbox();
      expect((await box.run()).code).toBe(0);
      const changedConfig = spec()['inception_graphdef.config.pbtxt'].replace('max_batch_size: 128', 'max_batch_size: 8');
      box.writeSpec({ 'inception_graphdef.config.pbtxt': changedConfig, 'models.list': changeKey(spec()['models.list']) });
      const result = await box.run();
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('only config.pbtxt changed; reusing the published files');
      expect(result.stderr).toContain('replacing the outdated');
      expect(server.hits).toBe(1);
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
      const model = path.join(box.root, 'repository/inception_graphdef');
      expect(readFileSync(path.join(model, 'config.pbtxt'), 'utf-8')).toBe(changedConfig);
      expect(readFileSync(path.join(model, '1/model.graphdef')).equals(tarball.graph)).toBe(true);
      expect(readFileSync(path.join(model, 'inception_labels.txt')).equals(readFileSync(INCEPTION_LABELS_FILE))).toBe(true);
      expect(box.tree('.staging')).toEqual([]);
    });

    it('downloads again when a model\'s files changed', async () => {
      const box = sandbox();
      expect((await box.run()).code).toBe(0);
      box.writeSpec({ 'models.list': changeKey(spec()['models.list'], 'files') });
      const result = await box.run();
      expect(result.code).toBe(0);
      expect(server.hits).toBe(2);
      expect(readFileSync(path.join(box.root, 'repository/inception_graphdef/.seed-manifest'), 'utf-8')).toContain(`files ${'f'.repeat(64)}\n`);
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
    });

    it('lets two concurrent runs seed the same repository without conflict', async () => {
      const box = sandbox(tarball.sha256);
      const [a, b] = await Promise.all([box.run(), box.run()]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
      expect(readFileSync(path.join(box.root, 'repository/inception_graphdef/1/model.graphdef')).equals(tarball.graph)).toBe(true);
      expect(box.tree('.staging')).toEqual([]);
    });

    it('completes a model folder that lost a file (manifest no longer matches the disk)', async () => {
      const box = sandbox();
      expect((await box.run()).code).toBe(0);
      rmSync(path.join(box.root, 'repository/inception_graphdef/inception_labels.txt'));
      const result = await box.run();
      expect(result.code).toBe(0);
      expect(server.hits).toBe(2);
      expect(box.tree('repository')).toEqual(EXPECTED_TREE);
    });

    it('seeds several models through a mirror, one from plain files, and gets past a failing one', async () => {
      const models = modelCatalog([
        {
          name: 'tiny_onnx',
          downloads: [
            { url: 'https://models.example.org/tiny/tiny.onnx', archive: 'file', files: [{ to: '2/model.onnx' }] },
            { url: 'https://models.example.org/tiny/tiny-labels.txt', archive: 'file', files: [{ to: 'labels.txt' }] },
          ],
          config: {
            backend: 'onnxruntime',
            input: [{ name: 'x', dataType: 'TYPE_FP32', dims: [4] }],
            output: [{ name: 'y', dataType: 'TYPE_FP32', dims: [2], labelFilename: 'labels.txt' }],
          },
        },
        {
          name: 'later_model',
          downloads: [{ url: 'https://models.example.org/later.onnx', archive: 'file', files: [{ to: '1/model.onnx' }] }],
          config: { backend: 'onnxruntime', input: [{ name: 'x', dataType: 'TYPE_FP32', dims: [1] }], output: [{ name: 'y', dataType: 'TYPE_FP32', dims: [1] }] },
        },
      ]);
      // The list and configs as the construct renders them with seeding.mirror; the script from dist/.
      const mirror = `mirror-${(mirrorCount += 1)}`;
      const data = { ...seedConfigMapData(models, `${server.baseUrl}/${mirror}/`), 'seed-models.sh': manifests.configMapData['seed-models.sh'] };
      server.serve(`${mirror}/${TARBALL_NAME}`, tarball.bytes);
      server.serve(`${mirror}/tiny.onnx`, Buffer.from('onnx bytes'));
      server.serve(`${mirror}/tiny-labels.txt`, Buffer.from('a\nb\n'));
      const box = new SeedSandbox(variant, data);
      sandboxes.push(box);

      const first = await box.run();
      expect(first.code).not.toBe(0);
      expect(first.stderr).toContain('not seeded: later_model');
      expect(box.tree('repository')).toEqual([
        ...EXPECTED_TREE,
        'tiny_onnx/', 'tiny_onnx/.seed-manifest', 'tiny_onnx/2/', 'tiny_onnx/2/model.onnx', 'tiny_onnx/config.pbtxt', 'tiny_onnx/labels.txt',
      ]);
      expect(readFileSync(path.join(box.root, 'repository/tiny_onnx/2/model.onnx'), 'utf-8')).toBe('onnx bytes');

      server.serve(`${mirror}/later.onnx`, Buffer.from('later'));
      server.hits = 0;
      const second = await box.run();
      expect(second.code).toBe(0);
      expect(server.hits).toBe(1);
      expect(box.tree('repository/later_model')).toEqual(['.seed-manifest', '1/', '1/model.onnx', 'config.pbtxt']);
      expect(box.tree('.staging')).toEqual([]);
    });
  });
});

/**
 * The same list with another seed key for inception_graphdef, as a changed catalog
 * gives: a changed config.pbtxt only, or (`files`) changed downloads too.
 */
function changeKey(list: string, what: 'config' | 'files' = 'config'): string {
  return list.replace(/^model inception_graphdef ([0-9a-f]+) ([0-9a-f]+)$/m, (_line, _key, filesKey) =>
    `model inception_graphdef ${'e'.repeat(64)} ${what === 'files' ? 'f'.repeat(64) : filesKey}`);
}
