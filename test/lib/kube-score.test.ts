/**
 * kube-score on the committed dist/ (and on variants of the stack): no critical finding is
 * left unfixed, and every finding ignored with `kube-score/ignore` is needed and has its
 * one-line reason in docs/hardening.md. kube-score is built by scripts/kube-score.sh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { synthYaml } from '../../lib';
import { KUBE_SCORE_IGNORE_ANNOTATION } from '../../lib/kube-score-ignores';
import { DIST, Manifest, parseManifests, readDist, REPO_ROOT } from '../support/manifests';
import { describeWith } from '../support/prereq';
import { VARIANTS } from '../support/variants';

/** The version scripts/kube-score.sh builds by default (one source: the script). */
function scriptVersion(): string {
  const script = readFileSync(path.join(REPO_ROOT, 'scripts', 'kube-score.sh'), 'utf-8');
  const match = /^KUBE_SCORE_VERSION="\$\{KUBE_SCORE_VERSION:-([0-9.]+)\}"$/m.exec(script);
  if (!match) throw new Error('scripts/kube-score.sh: no KUBE_SCORE_VERSION default');
  return match[1];
}

function kubeScoreBinary(): string {
  if (process.env.TRITON_JETSON_KUBE_SCORE) return process.env.TRITON_JETSON_KUBE_SCORE;
  const cache = process.env.TRITON_JETSON_CACHE ?? path.join(homedir(), '.cache', 'cdk8s-triton-jetson');
  return path.join(cache, `kube-score-${scriptVersion()}`, 'kube-score');
}

const KUBE_SCORE = kubeScoreBinary();
/** Flags of every run; docs/hardening.md explains them ("Running it"). */
const RUN_FLAGS = ['--kubernetes-version', 'v1.34', '--enable-optional-test', 'container-seccomp-profile'];
const CRITICAL = 1;
const OK = 7; // kube-score's "almost OK" and above

interface Finding {
  /** `Kind/name`, the seeding Job's content hash dropped. */
  readonly object: string;
  readonly check: string;
  readonly grade: number;
  readonly summary: string;
}

/** Objects as docs/hardening.md names them: the Job's `-<hash8>` suffix is its content's. */
function objectRef(kind: string, name: string): string {
  return `${kind}/${kind === 'Job' ? name.replace(/-[0-9a-f]{8}$/, '') : name}`;
}

/** Runs kube-score on YAML text; returns every finding that was scored (not skipped). */
function score(yaml: string, extraFlags: string[] = []): Finding[] {
  const run = spawnSync(KUBE_SCORE, ['score', '--output-format', 'json', ...RUN_FLAGS, ...extraFlags, '-'], {
    input: yaml, encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024,
  });
  // Exit status 1 only means "a critical finding"; anything else (or no JSON) is a failure.
  if (run.error || (run.status !== 0 && run.status !== 1)) {
    throw new Error(`kube-score failed (${run.error ?? `exit ${run.status}`}): ${run.stderr}`);
  }
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const objects: any[] = JSON.parse(run.stdout);
  return objects.flatMap((o) => o.checks
    .filter((c: any) => !c.skipped)
    .map((c: any) => ({
      object: objectRef(o.type_meta.kind, o.object_meta.name),
      check: c.check.id,
      grade: c.grade,
      summary: (c.comments ?? []).map((m: any) => `${m.path ? `(${m.path}) ` : ''}${m.summary}`).join('; '),
    })));
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

const describeCriticals = (findings: Finding[]) => findings.filter((f) => f.grade === CRITICAL).map((f) => `${f.object} ${f.check}: ${f.summary}`);

/** `Kind/name check` for every check ignored by annotation. */
function ignoredChecks(manifests: Manifest[]): string[] {
  return manifests.flatMap((m) => {
    const value: string | undefined = (m.metadata as { annotations?: Record<string, string> }).annotations?.[KUBE_SCORE_IGNORE_ANNOTATION];
    return value ? value.split(',').map((check) => `${objectRef(m.kind, m.metadata.name)} ${check.trim()}`) : [];
  }).sort();
}

/** Rows of docs/hardening.md's table of deliberate ignores: `Kind/name check` -> reason. */
function documentedIgnores(): Map<string, string> {
  const doc = readFileSync(path.join(REPO_ROOT, 'docs', 'hardening.md'), 'utf-8');
  const rows = new Map<string, string>();
  for (const match of doc.matchAll(/^\| `([A-Za-z]+\/[^`]+)` \| `([a-z0-9-]+)` \| (.*) \|$/gm)) {
    rows.set(`${match[1]} ${match[2]}`, match[3].trim());
  }
  return rows;
}

function distYaml(): string {
  return readdirSync(DIST).filter((f) => f.endsWith('.yaml')).sort()
    .map((f) => readFileSync(path.join(DIST, f), 'utf-8')).join('\n---\n');
}

describeWith([{ name: 'kube-score', present: existsSync(KUBE_SCORE), hint: 'bash scripts/test-deps/35-kube-score.sh' }])('kube-score', () => {
  // In beforeAll, not in the describe body: a skipped describe still runs its body.
  let dist: string;
  let manifests: Manifest[];
  let findings: Finding[];
  beforeAll(() => {
    dist = distYaml();
    manifests = readDist();
    findings = score(dist);
  });

  test('finds no critical problem in dist/', () => {
    // It did score the workloads and the Service.
    const scored = new Set(findings.map((f) => f.object));
    const workloads = manifests.filter((m) => ['DaemonSet', 'Deployment', 'Job', 'Service'].includes(m.kind));
    expect(workloads.map((m) => objectRef(m.kind, m.metadata.name)).filter((o) => !scored.has(o))).toEqual([]);
    expect(workloads).toHaveLength(4);
    expect(describeCriticals(findings)).toEqual([]);
  });

  test('every kube-score/ignore in dist/ has its reason in docs/hardening.md, and every reason its ignore', () => {
    const documented = documentedIgnores();
    const ignored = ignoredChecks(manifests);
    expect(ignored.length).toBeGreaterThan(0);
    expect(ignored.filter((i) => !documented.has(i))).toEqual([]);
    expect([...documented.keys()].filter((d) => !ignored.includes(d))).toEqual([]);
    for (const [what, reason] of documented) expect({ what, reasonLength: reason.length > 20 }).toEqual({ what, reasonLength: true });
  });

  test('every ignore is needed, and it hides nothing else (scored again with ignores disabled)', () => {
    const unignored = score(dist, ['--disable-ignore-checks-annotations']);
    const ignored = ignoredChecks(manifests);
    // Each ignored check really fails without its ignore (no stale ignores)...
    const failing = new Set(unignored.filter((f) => f.grade < OK).map((f) => `${f.object} ${f.check}`));
    expect(ignored.filter((i) => !failing.has(i))).toEqual([]);
    // ...and no other check does: e.g. ignoring container-resources also ignores
    // container-ephemeral-storage-request-and-limit in kube-score, but Triton's is set.
    const criticals = unignored.filter((f) => f.grade === CRITICAL && !ignored.includes(`${f.object} ${f.check}`));
    expect(describeCriticals(criticals)).toEqual([]);
  });

  test.each(Object.keys(VARIANTS))('variant %s: no critical problem', (variant) => {
    expect(describeCriticals(score(synthYaml(VARIANTS[variant])))).toEqual([]);
  });

  test('with networkPolicy.enabled every pod is targeted by a policy and nothing is ignored for it', () => {
    const yaml = synthYaml({ networkPolicy: { enabled: true }, seeding: { mirror: 'http://mirror.lan:8080' } });
    const withPolicies = score(yaml);
    expect(describeCriticals(withPolicies)).toEqual([]);
    const policyChecks = withPolicies.filter((f) => f.check === 'pod-networkpolicy' || f.check === 'networkpolicy-targets-pod');
    expect(policyChecks.map((f) => `${f.object} ${f.check} ${f.grade}`).sort()).toEqual([
      'DaemonSet/triton pod-networkpolicy 10',
      'Deployment/nfs-subdir-external-provisioner pod-networkpolicy 10',
      'Job/model-seed pod-networkpolicy 10',
      'NetworkPolicy/triton-jetson-model-seed networkpolicy-targets-pod 10',
      'NetworkPolicy/triton-jetson-nfs-provisioner networkpolicy-targets-pod 10',
      'NetworkPolicy/triton-jetson-triton networkpolicy-targets-pod 10',
    ]);
    expect(ignoredChecks(parseManifests(yaml)).filter((i) => i.endsWith(' pod-networkpolicy'))).toEqual([]);
  });
});
