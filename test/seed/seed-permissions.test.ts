/**
 * The user story of docs/seeding.md ("NFS root_squash and the Job's user"), with real
 * users: the script runs as uid 65534 like the Job, on a volume root opened 0777 like the
 * provisioner's folder, and Triton's side reads as yet another user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_SEED_RUN_AS_USER } from '../../lib/seed/seed-defaults';
import { describeWith, hasCommand } from '../support/prereq';
import {
  buildInceptionTarball, FakeModelTarball, FileServer, loadSeedManifestsFromDist, pointListAt, SeedSandbox, SHELL_VARIANTS,
  shellPrerequisites, TARBALL_NAME,
} from './seed-fixture';

const JOB_UID = DEFAULT_SEED_RUN_AS_USER;
const OTHER_UID = 4242;

describeWith([
  ...shellPrerequisites,
  { name: 'root (to switch users)', present: process.getuid?.() === 0, hint: 'run the suite as root, as CI does' },
  { name: 'setpriv', present: hasCommand('setpriv'), hint: 'apt-get install util-linux' },
])('seeding as the Job\'s non-root user', () => {
  const variant = SHELL_VARIANTS[0];
  let server: FileServer;
  let tarball: FakeModelTarball;
  let workDir: string;
  let spec: Record<string, string>;
  const boxes: SeedSandbox[] = [];

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'model-seed-perm-'));
    tarball = buildInceptionTarball(workDir, 64 * 1024);
    server = new FileServer();
    server.serve(TARBALL_NAME, tarball.bytes);
    await server.start();
    const data = loadSeedManifestsFromDist().configMapData;
    spec = { ...data, 'models.list': pointListAt(data['models.list'], server.baseUrl) };
  });

  afterAll(async () => {
    await server.stop();
    for (const box of boxes) rmSync(box.dir, { recursive: true, force: true });
    rmSync(workDir, { recursive: true, force: true });
  });

  function box(): SeedSandbox {
    const b = new SeedSandbox(variant, spec);
    boxes.push(b);
    b.shareLikeNfsProvisioner();
    return b;
  }

  /** Reads a file as `uid` (a real permission check, not a mode calculation). */
  function readAs(uid: number, file: string): boolean {
    return spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', 'cat', file], { stdio: 'ignore' }).status === 0;
  }

  it('seeds a 0777 volume as uid 65534, even into a repository/ the kubelet made as root, readable by any user', async () => {
    const b = box();
    // The kubelet creates a missing subPath with the volume root's mode, as root.
    mkdirSync(path.join(b.root, 'repository'));
    chmodSync(path.join(b.root, 'repository'), 0o777);
    const result = await b.run({}, JOB_UID);
    expect(result.stderr).toContain('inception_graphdef: published');
    expect(result.code).toBe(0);
    const model = path.join(b.root, 'repository', 'inception_graphdef');
    expect(statSync(model).uid).toBe(JOB_UID);
    for (const file of ['config.pbtxt', 'inception_labels.txt', '1/model.graphdef']) {
      expect(readAs(OTHER_UID, path.join(model, file))).toBe(true);
    }
    // A second run as the same user is a no-op; the staging folder is its own.
    expect((await b.run({}, JOB_UID)).stderr).toContain('up to date');
    expect(b.tree('.staging')).toEqual([]);
  });

  it('creates repository/ itself when Triton has not started yet', async () => {
    const b = box();
    expect((await b.run({}, JOB_UID)).code).toBe(0);
    expect(statSync(path.join(b.root, 'repository')).uid).toBe(JOB_UID);
    expect(readAs(OTHER_UID, path.join(b.root, 'repository', 'inception_graphdef', '1', 'model.graphdef'))).toBe(true);
  });

  it('stops with the fix in the message when repository/ belongs to root with mode 0755', async () => {
    const b = box();
    mkdirSync(path.join(b.root, 'repository'), { mode: 0o755 });
    const result = await b.run({}, JOB_UID);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`repository is not writable by uid ${JOB_UID}; see docs/seeding.md (NFS root_squash)`);
    expect(execFileSync('ls', ['-A', path.join(b.root, 'repository')]).toString()).toBe('');
  });
});
