/**
 * How the `triton-jetson` commands load (issue 23.1): registering every command loads
 * commander and small modules only; what a command runs (node-ssh, sharp, zod and yaml, cdk8s,
 * the verbs) is require()d inside its action. Checked in fresh Node processes, by the modules in
 * require.cache: through tsx (the sources, one module per file) and through bin/triton-jetson.js
 * (the launcher's bundle, where only npm packages left outside it appear).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../support/manifests';

/** npm packages a fresh process has loaded (tsx's own, which runs the sources, left out). */
function packagesIn(files: string[]): string[] {
  const names = new Set<string>();
  for (const file of files) {
    const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file.slice(file.lastIndexOf('node_modules') - 1));
    if (m) names.add(m[1].replace(/\\/g, '/'));
  }
  return [...names].filter((n) => !['tsx', 'esbuild', 'get-tsconfig', 'resolve-pkg-maps'].includes(n)).sort();
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'cli loading '));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `node <args>` with a hook that records require.cache when the process exits; returns the loaded files. */
function loadedBy(args: string[], env: NodeJS.ProcessEnv = {}): { files: string[]; status: number | null; stdout: string } {
  const record = path.join(work, `modules-${Math.random().toString(16).slice(2)}.json`);
  const hook = path.join(work, 'hook.js');
  writeFileSync(hook, 'process.on(\'exit\', () => require(\'fs\').writeFileSync(process.env.MODULES_RECORD, JSON.stringify(Object.keys(require.cache))));\n');
  const result = spawnSync(process.execPath, ['--require', hook, ...args], {
    cwd: work, encoding: 'utf-8', timeout: 60_000,
    env: { ...process.env, MODULES_RECORD: record, TRITON_JETSON_CLI_CACHE: path.join(work, 'cache'), TRITON_JETSON_CONFIG: '', TRITON_JETSON_DEBUG: '', ...env },
  });
  const files = (JSON.parse(readFileSync(record, 'utf-8')) as string[]).filter((f) => f !== hook);
  return { files, status: result.status, stdout: result.stdout };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** tsx's CommonJS hook, by path: the processes run outside the repository. */
const TSX = require.resolve('tsx/cjs');
const COMMANDS = ['synth', 'bootstrap', 'upgrade', 'plan', 'reset', 'verify', 'infer', 'bench'];
const own = (files: string[]) => files.filter((f) => !f.includes('node_modules')).map((f) => path.relative(REPO_ROOT, f));

describe('registering the commands (the sources, through tsx)', () => {
  const script = `const program = require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'triton-jetson.ts'))}).buildProgram();
if (program.commands.length < 8) throw new Error('commands missing');`;

  test('loads commander and nothing else from node_modules', () => {
    expect(packagesIn(loadedBy(['--require', TSX, '-e', script]).files)).toEqual(['commander']);
  }, 60_000);

  test('loads none of the verbs, the cluster description\'s schema or the constructs', () => {
    const files = own(loadedBy(['--require', TSX, '-e', script]).files);
    expect(files).toContain(path.join('client', 'cli.ts'));
    const heavy = /^(bootstrap[\\/](executor|plan)[\\/]|imports[\\/]|lib[\\/](app|synth-command|triton-jetson-stack|config[\\/](cluster-config|.*-schema))\.ts$|client[\\/](verify|image-client|preprocess|bench|kserve-client)\.ts$)/;
    expect(files.filter((f) => heavy.test(f))).toEqual([]);
  }, 60_000);

  test('negative control: running verify does load its implementation, and the check sees it', async () => {
    const run = `require(${JSON.stringify(path.join(REPO_ROOT, 'cli', 'triton-jetson.ts'))}).main([process.argv[0], 'triton-jetson', 'verify', '-u', '127.0.0.1:${await closedPort()}', '--no-metrics']);`;
    const { files, status } = loadedBy(['--require', TSX, '-e', run]);
    expect(status).toBe(1);
    expect(packagesIn(files)).toEqual(expect.arrayContaining(['cli-table3', 'yaml', 'zod']));
    expect(own(files)).toContain(path.join('client', 'verify.ts'));
  }, 60_000);
});

describe('bin/triton-jetson.js (the launcher\'s bundle)', () => {
  const bin = path.join(REPO_ROOT, 'bin', 'triton-jetson.js');
  // The first run builds the bundle (and loads esbuild for that); the runs checked are warm.
  beforeAll(() => expect(loadedBy([bin, '--version']).status).toBe(0));

  test.each(['--help', ...COMMANDS.map((c) => `${c} --help`)])('%s loads no file from node_modules', (args) => {
    const { files, status, stdout } = loadedBy([bin, ...args.split(' ')]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: triton-jetson/);
    expect(files.filter((f) => f.includes('node_modules') && !f.includes(`${path.sep}.cache${path.sep}`))).toEqual([]);
  }, 60_000);

  test('a failing verify loads neither sharp nor node-ssh (outside the bundle, for infer/bench and the SSH verbs)', async () => {
    const { files, status } = loadedBy([bin, 'verify', '-u', `127.0.0.1:${await closedPort()}`]);
    expect(status).toBe(1);
    expect(packagesIn(files)).toEqual([]);
  }, 60_000);
});
