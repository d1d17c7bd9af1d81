/**
 * scripts/test-all.sh (`npm run test:all`) with stand-in prerequisite steps and a stand-in
 * `npx`: where the steps' environment file goes, and what a step that needs root does when the
 * run is not root (issue 23.8: `npm run test:all` in a root-owned clone, run as another user).
 * As root, the unprivileged runs are made as nobody (uid 65534) in a root-owned copy; as any
 * other user, in a copy whose folder that user cannot write.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/manifests';
import { describeWith, hasCommand } from '../support/prereq';

const IS_ROOT = process.getuid?.() === 0;

describeWith([
  { name: 'bash', present: hasCommand('bash'), hint: 'apt-get install bash' },
  { name: 'sha256sum', present: hasCommand('sha256sum'), hint: 'apt-get install coreutils' },
])('scripts/test-all.sh (stand-in steps and npx)', () => {
  let work: string;
  let repo: string;
  let home: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'test all-'));
    chmodSync(work, 0o755);
    repo = path.join(work, 'repo');
    home = path.join(work, 'home');
    mkdirSync(path.join(repo, 'scripts', 'test-deps'), { recursive: true });
    mkdirSync(path.join(repo, 'bin'));
    mkdirSync(home);
    cpSync(path.join(REPO_ROOT, 'scripts', 'test-all.sh'), path.join(repo, 'scripts', 'test-all.sh'));
    // A step that writes the environment file, one that needs root (as real-pods-deps.sh does).
    writeFileSync(path.join(repo, 'scripts', 'test-deps', '10-env.sh'), 'printf "export STAND_IN_BIN=%s\\n" /opt/stand-in >>"$TEST_ENV_FILE"\n');
    writeFileSync(path.join(repo, 'scripts', 'test-deps', '20-root.sh'), '[ "$(id -u)" = 0 ] || { echo "stand-in: needs root" >&2; exit 1; }\n');
    // npx: records what it ran and the environment the steps gave it.
    writeFileSync(path.join(repo, 'bin', 'npx'), '#!/bin/sh\necho "npx $* STAND_IN_BIN=${STAND_IN_BIN:-unset}"\n', { mode: 0o755 });
    if (IS_ROOT) chownSync(home, 65534, 65534);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs test-all.sh as this user (`unprivileged`: as nobody when root, in a read-only clone otherwise). */
  function testAll(unprivileged: boolean, extraEnv: NodeJS.ProcessEnv = {}) {
    const asNobody = unprivileged && IS_ROOT ? { uid: 65534, gid: 65534 } : {};
    if (unprivileged && !IS_ROOT) chmodSync(repo, 0o555);
    try {
      return spawnSync('bash', [path.join(repo, 'scripts', 'test-all.sh'), 'test/some.test.ts'], {
        encoding: 'utf-8', cwd: work, ...asNobody,
        env: { PATH: `${path.join(repo, 'bin')}:/usr/bin:/bin`, HOME: home, ...extraEnv },
      });
    } finally {
      if (unprivileged && !IS_ROOT) chmodSync(repo, 0o755);
    }
  }

  test('the owner of the clone: the environment file in its .cache/, sourced; a failed step fails the run unless it is a non-root run', () => {
    const result = testAll(false);
    if (IS_ROOT) {
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('npx jest --ci test/some.test.ts STAND_IN_BIN=/opt/stand-in');
    } else {
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('20-root.sh failed as uid');
    }
    expect(existsSync(path.join(repo, '.cache', 'test-env.sh'))).toBe(true);
    rmSync(path.join(repo, '.cache'), { recursive: true, force: true });
  });

  test('a user who cannot write the clone: the environment file under ~/.cache, the root step passed over with a reason, jest still runs', () => {
    const result = testAll(true);
    expect(result.stderr).toContain('stand-in: needs root');
    expect(result.stdout).toMatch(/== scripts\/test-deps\/20-root\.sh failed as uid \d+, not root: the tests that need it skip with their reason/);
    expect(result.stdout).toContain('npx jest --ci test/some.test.ts STAND_IN_BIN=/opt/stand-in');
    expect(result.status).toBe(0);
    expect(existsSync(path.join(repo, '.cache'))).toBe(false);
    expect(readdirSync(path.join(home, '.cache', 'cdk8s-triton-jetson')).filter((f) => /^test-env-[0-9a-f]{16}\.sh$/.test(f))).toHaveLength(1);
  });

  test('under CI=true the same failed step fails the run: a missing prerequisite is not a pass', () => {
    const result = testAll(true, { CI: 'true' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).not.toContain('npx jest');
  });
});
