import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, parseManifests, findManifest } from '../support/manifests';

/** Runs `npm run synth`'s command line for real: node + tsx + main.ts. */
function synth(args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts', ...args], {
    cwd: REPO_ROOT, encoding: 'utf-8', env: { ...process.env, TRITON_JETSON_CONFIG: '' },
  });
  return { status: result.status, stderr: result.stderr };
}

describe('npm run synth', () => {
  let work: string;
  let out: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'synth-cmd-'));
    out = path.join(work, 'dist');
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  test('writes the manifests of the given cluster description', () => {
    const config = path.join(work, 'cluster.yaml');
    writeFileSync(config, 'nfs:\n  server: nas.lan\n  path: /export/triton\n');
    const { status, stderr } = synth(['--config', config, '--out', out]);
    expect(stderr).toContain('triton-jetson.k8s.yaml');
    expect(status).toBe(0);
    const manifests = parseManifests(readFileSync(path.join(out, 'triton-jetson.k8s.yaml'), 'utf-8'));
    const env = findManifest(manifests, 'Deployment', 'nfs-subdir-external-provisioner').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'NFS_SERVER', value: 'nas.lan' });
  });

  test('invalid input: one clear error, non-zero exit, and the previous dist/ left exactly as it was', () => {
    mkdirSync(out);
    writeFileSync(path.join(out, 'triton-jetson.k8s.yaml'), 'previous manifests\n');
    writeFileSync(path.join(out, 'extra.yaml'), 'kept\n');
    const config = path.join(work, 'cluster.yaml');
    writeFileSync(config, 'service:\n  nodePorts:\n    http: 8000\nstorage:\n  claimName: Models\n');
    const { status, stderr } = synth(['--config', config, '--out', out]);
    expect(status).toBe(1);
    expect(stderr).toContain('service.nodePorts.http: must be within the NodePort range 30000-32767');
    expect(stderr).toContain('storage.claimName: must be a DNS-1123 subdomain');
    expect(stderr).toContain('left unchanged');
    expect(readdirSync(out).sort()).toEqual(['extra.yaml', 'triton-jetson.k8s.yaml']);
    expect(readFileSync(path.join(out, 'triton-jetson.k8s.yaml'), 'utf-8')).toBe('previous manifests\n');
    expect(readdirSync(work).sort()).toEqual(['cluster.yaml', 'dist']);
  });

  test('a --config that does not exist is an error, not the defaults', () => {
    const { status, stderr } = synth(['--config', path.join(work, 'missing.yaml'), '--out', out]);
    expect(status).toBe(1);
    expect(stderr).toContain('file not found (create it from cluster.example.yaml)');
    expect(readdirSync(work)).toEqual([]);
  });

  test('an unknown flag is a usage error', () => {
    const { status, stderr } = synth(['--outdir', out]);
    expect(status).toBe(2);
    expect(stderr).toContain('usage: synth [--config cluster.yaml] [--out dist]');
  });
});
