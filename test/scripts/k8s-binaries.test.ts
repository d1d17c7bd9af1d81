/**
 * scripts/k8s-binaries.sh without the 12-minute Go build: `go` is test/scripts/fake-go.sh,
 * which answers the script's questions, sleeps like a build and writes stand-in binaries.
 * Checks what to build when, the progress lines, that a warm run only checks, that nothing
 * of the script outlives it, and that two runs at once build once.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describeWith, hasCommand } from '../support/prereq';
import { REPO_ROOT } from '../support/manifests';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'k8s-binaries.sh');
const FAKE_GO = path.join(__dirname, 'fake-go.sh');
const CONTROL_PLANE = ['kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kubectl', 'etcd'];

describeWith([
  { name: 'bash', present: hasCommand('bash'), hint: 'apt-get install bash' },
  { name: 'flock', present: hasCommand('flock'), hint: 'apt-get install util-linux' },
])('scripts/k8s-binaries.sh (with a stand-in go)', () => {
  let work: string;
  let binDir: string;
  let log: string;
  let envFile: string;

  const run = async (buildSeconds = 2) => {
    const t0 = Date.now();
    // execFile resolves when the script's stdout/stderr close: a stray child holding them
    // (a ticker's sleep) would show up as a slow run.
    const { stdout, stderr } = await promisify(execFile)('bash', [SCRIPT], {
      env: {
        ...process.env,
        GO: FAKE_GO, TRITON_JETSON_CACHE: work, TEST_ENV_FILE: envFile,
        PROGRESS_SECONDS: '1', FAKE_GO_SECONDS: String(buildSeconds), FAKE_GO_LOG: log,
      },
    });
    return { out: stdout + stderr, seconds: (Date.now() - t0) / 1000 };
  };
  const builds = () => (existsSync(log) ? readFileSync(log, 'utf-8').trim().split('\n') : []);

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), 'k8s-binaries-'));
    binDir = path.join(work, 'k8s-1.34.4');
    log = path.join(work, 'go.log');
    envFile = path.join(work, 'test-env.sh');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('a cold run builds the control plane with kubectl in one go build, kwok beside it, and says so every second', async () => {
    const { out, seconds } = await run(3);
    expect(builds().sort()).toEqual([
      `build ${CONTROL_PLANE.map((b) => (b === 'etcd' ? 'go.etcd.io/etcd/server/v3' : `k8s.io/kubernetes/cmd/${b}`)).join(' ')}`,
      'build sigs.k8s.io/kwok/cmd/kwok',
    ].sort());
    for (const b of [...CONTROL_PLANE, 'kwok']) expect(existsSync(path.join(binDir, b))).toBe(true);
    expect(out).toMatch(/k8s-binaries: still building kube-apiserver kube-scheduler kube-controller-manager kubectl etcd with go build \(\d+ s so far, \d+ s in all\)/);
    expect(out).toMatch(/k8s-binaries: done building kwok v0\.7\.0 with go build in \d+ s \(exit 0\)/);
    expect(out).toMatch(/\(built, \d+s\)\n$/);
    expect(readFileSync(envFile, 'utf-8')).toBe(`export TRITON_JETSON_K8S_BIN=${binDir}\n`);
    expect(seconds).toBeLessThan(3 + 4);
  });

  test('a warm run only checks', async () => {
    const before = builds().length;
    const { out, seconds } = await run();
    expect(builds()).toHaveLength(before);
    expect(out).toMatch(/\(cached, nothing built, \d+s\)\n$/);
    expect(seconds).toBeLessThan(2);
  });

  test('a cache without kubectl gets kubectl alone', async () => {
    rmSync(path.join(binDir, 'kubectl'));
    const before = builds().length;
    await run(1);
    expect(builds().slice(before)).toEqual(['build k8s.io/kubernetes/cmd/kubectl']);
    expect(existsSync(path.join(binDir, 'kubectl'))).toBe(true);
  });

  test('two runs at once on an empty cache build once', async () => {
    rmSync(binDir, { recursive: true, force: true });
    const before = builds().length;
    const [a, b] = await Promise.all([run(2), run(2)]);
    expect(builds().slice(before)).toHaveLength(2); // control plane + kwok, once
    expect(`${a.out}\n${b.out}`).toContain('another build is writing');
    expect(`${a.out}\n${b.out}`).toMatch(/cached, nothing built/);
  });
});
