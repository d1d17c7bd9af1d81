/**
 * Real pods (docs/real-pods.md): dist/ on a real node — kubelet and kube-proxy 1.34.4,
 * containerd, runc and the CNI plugins in a network namespace of its own — beside the
 * control plane of test/k8s, through test/real-pods/e2e.sh: the seeding Job's real script
 * publishes the model, Triton pods (a stand-in image) turn Ready through their real probes,
 * `verify` and `infer` pass through NodePort 30800, a removed model makes them unready, and an
 * image change of the description rolls the pod while `verify --wait` waits for it.
 * Prerequisites: scripts/test-deps/50-real-pods.sh (part of `npm run test:all`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describeWith, hasCommand } from '../support/prereq';

const REPO = join(__dirname, '..', '..');
const CACHE = process.env.TRITON_JETSON_CACHE ?? join(homedir(), '.cache', 'cdk8s-triton-jetson');
const CONTROL_PLANE = process.env.TRITON_JETSON_K8S_BIN ?? join(CACHE, 'k8s-1.34.4');
const HINT = 'bash scripts/test-deps/50-real-pods.sh (or npm run test:all)';

const prerequisites = [
  { name: 'root', present: process.getuid?.() === 0, hint: 'run the tests as root (network namespaces, mounts, cgroups)' },
  ...['containerd', 'runc', 'iptables', 'conntrack', 'ip'].map((c) => ({ name: c, present: hasCommand(c), hint: HINT })),
  { name: 'CNI plugins (/usr/lib/cni)', present: existsSync('/usr/lib/cni/bridge'), hint: HINT },
  { name: 'kubelet and kube-proxy', present: existsSync(join(CACHE, 'k8s-1.34.4-node', 'kubelet')) && existsSync(join(CACHE, 'k8s-1.34.4-node', 'kube-proxy')), hint: HINT },
  { name: 'static busybox', present: existsSync(join(CACHE, 'busybox-static', 'bin', 'busybox')), hint: HINT },
  { name: 'control plane', present: existsSync(join(CONTROL_PLANE, 'kube-apiserver')), hint: HINT },
];

describeWith(prerequisites)('real pods', () => {
  test('dist/ end to end on a real node: seeded, Ready through probes, verify and infer through NodePort 30800, negative control, an image rollout followed by verify --wait', () => {
    const run = spawnSync('bash', [join(__dirname, 'e2e.sh')], { cwd: REPO, encoding: 'utf8', timeout: 840_000, maxBuffer: 64 * 1024 * 1024 });
    const output = `${run.stdout}\n${run.stderr}`;
    if (run.status !== 0) throw new Error(`e2e.sh exited ${run.status ?? run.signal}:\n${output.slice(-6000)}`);
    expect(output).toMatch(/running and unready \(readiness probe: 400, no model yet\)/);
    expect(output).toMatch(/model-seed: inception_graphdef: published/);
    expect(output).toMatch(/All 4 checks passed on 1 node\(s\)\./);
    expect(output).toMatch(/^ {4}\d\.\d{6} \(\d+\) = \S.*$/m);
    expect(output).toMatch(/^PASS$/m);
    expect(output).toMatch(/verify fails as it should \(connection refused through the NodePort\)/);
    expect(output).toMatch(/Triton sees only the repository subPath \(inception_graphdef\), read-only \(EROFS\)/);
    // Triton rollout (docs/operations.md): synth -> diff -> apply -> verify --wait.
    expect(output).toMatch(/kubectl diff shows the DaemonSet's new image and minReadySeconds/);
    expect(output).toMatch(/^rollout: Waiting for daemon set "triton" rollout to finish: /m);
    expect(output).toMatch(/^rollout: daemon set "triton" successfully rolled out: 1 node\(s\) run janakiramm\/triton-jetson:rollout-2, available$/m);
    expect(output).toMatch(/rollout: triton-\S+ replaced by triton-\S+ \(janakiramm\/triton-jetson:rollout-2\); verify --wait returned \d+ s after it turned Ready \(minReadySeconds 20\)/);
    expect(output).toMatch(/verify --wait fails as it should \(rollout did not finish: jetson-real-0 ErrImageNeverPull\)/);
    expect(output).toMatch(/rolled back to rollout-2: verify --wait passed again/);
    expect(output).toMatch(/ALL PASSED/);
  }, 900_000);
});
