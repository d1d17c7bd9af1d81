import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { synthCommand } from '../../lib/synth-command';
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

describe('failures are one line, never a stack trace', () => {
  let work: string;
  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'synth-cli-'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const run = (argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) => spawnSync(argv[0], argv.slice(1), {
    cwd, encoding: 'utf-8', env: { ...process.env, TRITON_JETSON_CONFIG: '', CDK8S_OUTDIR: '', TRITON_JETSON_DEBUG: '', ...env },
  });
  const npmRunSynth = [process.execPath, path.join(REPO_ROOT, 'bin', 'synth.js')];
  const cliSynth = [process.execPath, path.join(REPO_ROOT, 'bin', 'triton-jetson.js'), 'synth'];

  test.each([
    ['npm run synth --out . in a checkout', npmRunSynth, ['--out', '.'], 2, '--out ".": is the current folder'],
    ['triton-jetson synth --out . in a checkout', cliSynth, ['--out', '.'], 2, '--out ".": is the current folder'],
    ['npm run synth --config <a folder>', npmRunSynth, ['--config', '.'], 1, 'is a folder, not a file'],
    ['triton-jetson synth -c <a folder>', cliSynth, ['-c', '.'], 1, 'is a folder, not a file'],
    ['triton-jetson synth with $TRITON_JETSON_CONFIG missing', cliSynth, [], 1, 'gone.yaml: file not found'],
  ])('%s', (_what, command, args, status, expected) => {
    writeFileSync(path.join(work, 'package.json'), '{}\n');
    const result = run([...command, ...args], work, _what.includes('TRITON_JETSON_CONFIG') ? { TRITON_JETSON_CONFIG: 'gone.yaml' } : {});
    expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining(expected)]);
    expect(result.status).toBe(status);
    expect(readdirSync(work)).toEqual(['package.json']);
  });

  test('triton-jetson synth finds ./cluster.yaml, and has --help', () => {
    writeFileSync(path.join(work, 'cluster.yaml'), 'nfs:\n  server: nas.lan\n');
    const result = run([...cliSynth, '--out', 'out'], work);
    expect(result.stderr).toBe('synth: out/triton-jetson.k8s.yaml\n');
    // -o is the output format in every triton-jetson command: synth's folder is --out only.
    const short = run([...cliSynth, '-o', 'elsewhere'], work);
    expect(short.stderr).toBe('synth: -o is the output format in triton-jetson commands (-o json); give the output folder with --out <folder>\n');
    expect(short.status).toBe(2);
    expect(readFileSync(path.join(work, 'out', 'triton-jetson.k8s.yaml'), 'utf-8')).toContain('nas.lan');
    const help = run([...cliSynth, '--help'], work);
    expect(help.stdout).toContain('--config <file>');
    expect(help.stdout).toContain('--out <folder>');
    expect(help.status).toBe(0);
  });

  test('an unexpected error is one line with its code (the stack only with TRITON_JETSON_DEBUG=1)', () => {
    const app = jest.requireActual<typeof import('../../lib/app')>('../../lib/app');
    const spy = jest.spyOn(app, 'synthToDirectory').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write\n    at fake (x.js:1:1)'), { code: 'ENOSPC' });
    });
    try {
      const lines: string[] = [];
      expect(synthCommand({ out: path.join(work, 'out') }, { env: {}, error: (l) => lines.push(l) })).toBe(1);
      expect(lines).toEqual([expect.stringMatching(/^synth: unexpected error: ENOSPC: no space left on device, write \(.*left unchanged; set TRITON_JETSON_DEBUG=1 for the stack trace\)$/)]);
      const debug: string[] = [];
      synthCommand({ out: path.join(work, 'out') }, { env: { TRITON_JETSON_DEBUG: '1' }, error: (l) => debug.push(l) });
      expect(debug).toHaveLength(2);
      expect(debug[1]).toContain('at ');
    } finally {
      spy.mockRestore();
    }
  });
});
