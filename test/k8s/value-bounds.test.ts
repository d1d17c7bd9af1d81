/**
 * The bounds the cluster description puts on values that reach the manifests (issue 20.10,
 * 20.17) are the API server's own: each is checked at the real API server on both sides of
 * the limit (accepted at it, refused one past it), and the project's validator is checked to
 * draw the line at the same place. Server-side dry runs: nothing is stored.
 */
import { z } from 'zod';
import { linuxId, labelKey } from '../../lib/config/validators';
import { modelSeedJobPropsSchema } from '../../lib/config/seeding-schema';
import { MAX_CONFIG_MAP_DATA_BYTES } from '../../lib/seed/seed-plan';
import { describeWith } from '../support/prereq';
import { KubeCluster, kubeClusterPrerequisites } from '../support/kube-cluster';

jest.setTimeout(180_000);

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

describeWith(kubeClusterPrerequisites())('value bounds agree with the API server', () => {
  let cluster: KubeCluster;
  /** The API server's answer to a server-side dry run of `object` (JSON). */
  const dryRun = async (object: unknown) => {
    const result = await cluster.kubectl(['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'], JSON.stringify(object));
    return { ok: result.code === 0, stderr: result.stderr };
  };

  beforeAll(async () => {
    cluster = await KubeCluster.start({ workloads: false });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const configMap = (name: string, bytes: number) => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' },
    // Two values, to show the limit is on their sum; keys do not count.
    data: { 'a.txt': 'a'.repeat(Math.floor(bytes / 2)), 'b.txt': 'b'.repeat(bytes - Math.floor(bytes / 2)) },
  });

  test('a ConfigMap: values adding up to 1 MiB are accepted, one byte more is refused (synth\'s limit)', async () => {
    expect(MAX_CONFIG_MAP_DATA_BYTES).toBe(1024 * 1024);
    expect(await dryRun(configMap('at-limit', MAX_CONFIG_MAP_DATA_BYTES))).toEqual({ ok: true, stderr: '' });
    const over = await dryRun(configMap('over-limit', MAX_CONFIG_MAP_DATA_BYTES + 1));
    expect(over.ok).toBe(false);
    expect(over.stderr).toMatch(/Too long: .*1048576/);
  });

  test('a plain kubectl apply needs the whole ConfigMap within the 256 KiB of annotations; --server-side does not', async () => {
    const big = configMap('client-side-apply', 300 * 1024);
    const clientSide = await cluster.kubectl(['apply', '-f', '-'], JSON.stringify(big));
    expect(clientSide.code).not.toBe(0);
    expect(clientSide.stderr).toMatch(/metadata\.annotations: Too long: .*262144/);
    const serverSide = await cluster.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(big));
    expect(serverSide.stderr).toBe('');
    await cluster.kubectlOk(['delete', 'configmap', 'client-side-apply']);
  });

  // A Job's pod template, as the seeding Job sets it (a bare Pod would need a ServiceAccount).
  const pod = (runAsUser: number) => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `uid-${runAsUser}`, namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', securityContext: { runAsUser, runAsGroup: runAsUser }, containers: [{ name: 'c', image: 'alpine:3.22' }] } } },
  });

  test('runAsUser: 2147483647 is accepted, 2147483648 refused, by the API server and by linuxId', async () => {
    expect(await dryRun(pod(2147483647))).toEqual({ ok: true, stderr: '' });
    const over = await dryRun(pod(2147483648));
    expect(over.ok).toBe(false);
    expect(over.stderr).toMatch(/runAsUser: Invalid value: 2147483648: must be between 0 and 2147483647/);
    expect([accepts(linuxId, 2147483647), accepts(linuxId, 2147483648)]).toEqual([true, false]);
  });

  const prefixOf = (n: number) => `${'a'.repeat(60)}.`.repeat(Math.ceil(n / 61)).slice(0, n).replace(/\.$/, 'b');
  const labelled = (key: string) => ({
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `label-${key.length}`, namespace: 'default', labels: { [key]: 'x' } },
  });

  test('a label key: a 253-character prefix is accepted, 254 refused, by the API server and by labelKey', async () => {
    const at = `${prefixOf(253)}/jetson`;
    const over = `${prefixOf(254)}/jetson`;
    expect(await dryRun(labelled(at))).toEqual({ ok: true, stderr: '' });
    const refused = await dryRun(labelled(over));
    expect(refused.ok).toBe(false);
    expect(refused.stderr).toMatch(/prefix part must be no more than 253 characters/);
    expect([accepts(labelKey, at), accepts(labelKey, over)]).toEqual([true, false]);
  });

  const job = (backoffLimit: number) => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `backoff-${backoffLimit}`, namespace: 'default' },
    spec: { backoffLimit, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'alpine:3.22' }] } } },
  });

  test('a Job\'s backoffLimit (int32): 2147483647 is accepted, 2147483648 refused, by the API server and by ModelSeedJob\'s props', async () => {
    expect((await dryRun(job(2147483647))).ok).toBe(true);
    expect((await dryRun(job(2147483648))).ok).toBe(false);
    const props = (backoffLimit: number) => ({ claimName: 'models-pvc', backoffLimit });
    expect([accepts(modelSeedJobPropsSchema, props(2147483647)), accepts(modelSeedJobPropsSchema, props(2147483648))]).toEqual([true, false]);
  });
});
