/**
 * Real pods (issue 15, docs/real-pods.md): dist/ on a real kubelet + containerd + runc + CNI +
 * kube-proxy node, through test/real-pods/e2e.sh. Opt-in: `npm run test:pods` (root;
 * prerequisites from scripts/real-pods-deps.sh). Not part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

test('dist/ end to end on a real node: seeded, Ready through probes, verify and infer through NodePort 30800, negative control', () => {
  const run = spawnSync('bash', [join(__dirname, 'e2e.sh')], { cwd: REPO, encoding: 'utf8', timeout: 840000, maxBuffer: 64 * 1024 * 1024 });
  const output = `${run.stdout}\n${run.stderr}`;
  if (run.status !== 0) throw new Error(`e2e.sh exited ${run.status ?? run.signal}:\n${output.slice(-6000)}`);
  expect(output).toMatch(/running and unready \(readiness probe: 400, no model yet\)/);
  expect(output).toMatch(/model-seed: inception_graphdef: published/);
  expect(output).toMatch(/All 4 checks passed on 1 node\(s\)\./);
  expect(output).toMatch(/^ {4}\d\.\d{6} \(\d+\) = \S.*$/m);
  expect(output).toMatch(/^PASS$/m);
  expect(output).toMatch(/verify fails as it should \(connection refused through the NodePort\)/);
  expect(output).toMatch(/Triton sees only the repository subPath \(inception_graphdef\), read-only \(EROFS\)/);
  expect(output).toMatch(/ALL PASSED/);
});
