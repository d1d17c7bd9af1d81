/**
 * Negative controls: proof that the strict apply used on dist/ can fail. Each bad object
 * has a twin that differs only in the fault and is accepted, so a rejection is caused by
 * the fault and not by the harness.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWith } from '../support/prereq';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';

jest.setTimeout(120_000);

const TUTORIAL_DAEMONSET = readFileSync(join(__dirname, 'fixtures', 'tutorial-triton-daemonset.yaml'), 'utf-8');
/** The tutorial's DaemonSet with its first (overridden) volumeMounts block removed. */
const TUTORIAL_DAEMONSET_FIXED = TUTORIAL_DAEMONSET.replace(
  /( +)volumeMounts:\n(?:\1- +name: +varlog\n.*\n\1- +name: +varlibdockercontainers\n.*\n.*\n)/,
  '',
);

function nodePortService(name: string, nodePort: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default' },
    spec: { type: 'NodePort', selector: { app: 'triton' }, ports: [{ name: 'http', port: 8000, targetPort: 8000, nodePort }] },
  });
}

describeWith(kubeClusterPrerequisites())('strict validation rejects what the tutorial got wrong', () => {
  let cluster: KubeCluster;
  const strictDryRun = (manifest: string) => cluster.kubectl(['apply', '--dry-run=server', '--validate=strict', '-f', '-'], manifest);

  beforeAll(async () => {
    cluster = await KubeCluster.start({ workloads: false });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  test('the fixture really has the repeated key, and its twin does not', () => {
    expect(TUTORIAL_DAEMONSET.match(/^ +volumeMounts:/gm)).toHaveLength(2);
    expect(TUTORIAL_DAEMONSET_FIXED.match(/^ +volumeMounts:/gm)).toHaveLength(1);
    expect(TUTORIAL_DAEMONSET_FIXED).toContain('mountPath:  /dev/shm');
    expect(TUTORIAL_DAEMONSET_FIXED).not.toContain('varlog');
  });

  test('the API server refuses the repeated volumeMounts key under strict field validation', async () => {
    const rejected = await cluster.strictDryRunYaml(TUTORIAL_DAEMONSET);
    expect(rejected.status).toBe(400);
    expect(JSON.parse(rejected.body).message).toMatch(/strict decoding error: .*\n?.*key "volumeMounts" already set in map/);
    const accepted = await cluster.strictDryRunYaml(TUTORIAL_DAEMONSET_FIXED);
    expect(accepted.status).toBe(201);
  });

  test('kubectl alone would not catch it: its YAML-to-JSON step keeps only the second key', async () => {
    // Why the dist/ suite also posts every document as YAML (strictDryRunYaml) besides kubectl.
    const out = await cluster.kubectlOk(['apply', '--dry-run=server', '--validate=strict', '-o', 'json', '-f', '-'], TUTORIAL_DAEMONSET);
    const mounts = JSON.parse(out).spec.template.spec.containers[0].volumeMounts.map((m: { mountPath: string }) => m.mountPath);
    expect(mounts).toEqual(['/dev/shm', '/opt/triton/models']);
  });

  test('the same DaemonSet without the repeated key is accepted', async () => {
    const result = await strictDryRun(TUTORIAL_DAEMONSET_FIXED);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/daemonset.apps\/triton created \(server dry run\)/);
  });

  test('a misspelt field is an error, not silently dropped', async () => {
    const typo = TUTORIAL_DAEMONSET_FIXED.replace('volumeMounts:', 'volumeMount:');
    const result = await strictDryRun(typo);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/unknown field "spec.template.spec.containers\[0\].volumeMount"/);
  });

  test('a NodePort outside 30000-32767 is rejected, one inside is allocated', async () => {
    const outside = await cluster.kubectl(['apply', '--validate=strict', '-f', '-'], nodePortService('out-of-range', 8000));
    expect(outside.code).not.toBe(0);
    expect(outside.stderr).toMatch(/provided port is not in the valid range\. The range of valid ports is 30000-32767/);
    const absent = await cluster.kubectl(['get', 'service', 'out-of-range']);
    expect(absent.code).not.toBe(0);

    await cluster.kubectlOk(['apply', '--validate=strict', '-f', '-'], nodePortService('in-range', 30900));
    const service = await cluster.getJson(['service', 'in-range']);
    expect(service.spec.ports[0].nodePort).toBe(30900);
  });

  test('a NodePort already taken is rejected', async () => {
    const taken = await cluster.kubectl(['apply', '--validate=strict', '-f', '-'], nodePortService('port-clash', 30900));
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toMatch(/provided port is already allocated/);
  });
});
