import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthToDirectory, synthYaml } from './lib';
import { invariantViolations } from './test/support/invariants';
import { DIST, findManifest, parseManifests, podSpec } from './test/support/manifests';

describe('the default app (the tutorial cluster)', () => {
  const yaml = synthYaml();
  const manifests = parseManifests(yaml);

  test('matches the snapshot', () => {
    expect(manifests).toMatchSnapshot();
  });

  test('holds every invariant', () => {
    expect(invariantViolations(manifests)).toEqual([]);
  });

  test('uses the tutorial values', () => {
    const provisioner = findManifest(manifests, 'Deployment', 'nfs-subdir-external-provisioner');
    const env = Object.fromEntries(podSpec(provisioner).containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toEqual({
      PROVISIONER_NAME: 'k8s-sigs.io/nfs-subdir-external-provisioner',
      NFS_SERVER: '10.0.0.30',
      NFS_PATH: '/var/nfs/general',
    });
    expect(findManifest(manifests, 'StorageClass', 'nfs-client').provisioner).toBe('k8s-sigs.io/nfs-subdir-external-provisioner');

    const pvc = findManifest(manifests, 'PersistentVolumeClaim', 'models-pvc');
    expect(pvc.spec).toMatchObject({ storageClassName: 'nfs-client', accessModes: ['ReadWriteMany'], resources: { requests: { storage: '10Gi' } } });

    const ds = findManifest(manifests, 'DaemonSet', 'triton');
    expect(ds.spec.template.metadata.labels.app).toBe('triton');
    const triton = podSpec(ds).containers[0];
    expect(triton.name).toBe('triton-jetson');
    expect(triton.image).toBe('janakiramm/triton-jetson');
    expect(triton.args.slice(0, 3)).toEqual([
      '--min-supported-compute-capability=5.3',
      '--model-repository=/opt/triton/models',
      '--backend-config=tensorflow,version=2',
    ]);
    expect(triton.ports).toEqual([
      { name: 'http', containerPort: 8000 },
      { name: 'grpc', containerPort: 8001 },
      { name: 'metrics', containerPort: 8002 },
    ]);
    expect(triton.volumeMounts.map((m: { mountPath: string; name: string }) => [m.mountPath, m.name])).toEqual([
      ['/dev/shm', 'dshm'],
      ['/opt/triton/models', 'models'],
    ]);
    const volumes = podSpec(ds).volumes;
    expect(volumes).toContainEqual({ name: 'dshm', emptyDir: { medium: 'Memory' } });
    expect(volumes.find((v: { name: string }) => v.name === 'models').persistentVolumeClaim.claimName).toBe('models-pvc');

    const svc = findManifest(manifests, 'Service', 'triton');
    expect(svc.spec.type).toBe('NodePort');
    expect(svc.spec.selector).toEqual({ app: 'triton' });
    expect(svc.spec.ports.map((p: { name: string; port: number; nodePort: number }) => [p.name, p.port, p.nodePort])).toEqual([
      ['http', 8000, 30800],
      ['grpc', 8001, 30801],
      ['metrics', 8002, 30802],
    ]);
  });

  test('synthesizes byte-for-byte identically twice', () => {
    expect(synthYaml()).toBe(yaml);
    const a = mkdtempSync(path.join(tmpdir(), 'synth-a-'));
    const b = mkdtempSync(path.join(tmpdir(), 'synth-b-'));
    try {
      synthToDirectory({}, a);
      synthToDirectory({}, b);
      const files = readdirSync(a).sort();
      expect(readdirSync(b).sort()).toEqual(files);
      for (const f of files) expect(readFileSync(path.join(b, f))).toEqual(readFileSync(path.join(a, f)));
    } finally {
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    }
  });

  test('the committed dist/ is exactly what a fresh synth writes', () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'synth-fresh-'));
    try {
      synthToDirectory({}, path.join(fresh, 'dist'));
      const files = readdirSync(path.join(fresh, 'dist')).sort();
      expect(readdirSync(DIST).sort()).toEqual(files);
      for (const f of files) {
        expect(readFileSync(path.join(DIST, f), 'utf-8')).toBe(readFileSync(path.join(fresh, 'dist', f), 'utf-8'));
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('dist/ holds manifests only', () => {
    for (const f of readdirSync(DIST)) expect(f).toMatch(/\.k8s\.yaml$/);
  });
});
