/**
 * Real-execution fixture for the seeding script: the script, model list and
 * config.pbtxt are taken from the synthesized manifests in dist/, written to a spec
 * folder as the Job's ConfigMap volume would hold them, and run by a real POSIX shell
 * against a loopback HTTP server serving a tarball with the real member names.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { hasCommand } from '../support/prereq';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DIST_DIR = path.join(REPO_ROOT, 'dist');

/** The seeding objects as synthesized into dist/. */
export interface SeedManifests {
  /** data of the ConfigMap labelled app.kubernetes.io/name=model-seed. */
  readonly configMapData: Record<string, string>;
  /** The Job object. */
  readonly job: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** The dist file they were read from. */
  readonly file: string;
}

/** Reads the model-seed ConfigMap and Job from dist/*.yaml (produced by `npm run synth`). */
export function loadSeedManifestsFromDist(distDir = DIST_DIR): SeedManifests {
  if (!existsSync(distDir)) throw new Error(`${distDir} does not exist; run \`npm run synth\``);
  for (const file of readdirSync(distDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    const full = path.join(distDir, file);
    const docs = parseAllDocuments(readFileSync(full, 'utf-8')).map((d) => d.toJS());
    const isSeed = (o: any) => o?.metadata?.labels?.['app.kubernetes.io/name'] === 'model-seed'; // eslint-disable-line @typescript-eslint/no-explicit-any
    const configMap = docs.find((o) => o?.kind === 'ConfigMap' && isSeed(o));
    const job = docs.find((o) => o?.kind === 'Job' && isSeed(o));
    if (configMap && job) return { configMapData: configMap.data, job, file: full };
  }
  throw new Error(`no model-seed ConfigMap and Job in ${distDir}/*.yaml; run \`npm run synth\``);
}

/** Every busybox applet the script (and the Alpine image) provides, in one PATH folder. */
export const BUSYBOX_TOOLS = [
  'sh', 'mkdir', 'mv', 'rm', 'cp', 'chmod', 'touch', 'date', 'sed', 'hostname', 'id', 'cat',
  'dirname', 'tar', 'gzip', 'sha256sum', 'timeout', 'wget', 'kill', 'sleep', 'ls', 'ln', 'grep', 'stat', 'head',
];

/** A PATH folder with only busybox applets (like the Alpine image: no curl). */
export function busyboxPath(dir: string): string {
  const bin = path.join(dir, 'busybox-bin');
  mkdirSync(bin, { recursive: true });
  const busybox = execFileSync('sh', ['-c', 'command -v busybox']).toString().trim();
  for (const tool of BUSYBOX_TOOLS) {
    if (!existsSync(path.join(bin, tool))) symlinkSync(busybox, path.join(bin, tool));
  }
  return bin;
}

export const TARBALL_NAME = 'inception_v3_2016_08_28_frozen.pb.tar.gz';
export const GRAPH_MEMBER = 'inception_v3_2016_08_28_frozen.pb';
/** In the real tarball too, but not published: Triton's own label file ships in the ConfigMap. */
export const LABELS_MEMBER = 'imagenet_slim_labels.txt';
/** The label file the Job publishes as inception_graphdef/inception_labels.txt (byte for byte). */
export const INCEPTION_LABELS_FILE = path.join(REPO_ROOT, 'lib', 'seed', 'inception_labels.txt');
/**
 * sha256 of Triton's docs/examples/model_repository/inception_graphdef/inception_labels.txt
 * at tag v2.19.0 (git show v2.19.0:<path> | sha256sum).
 */
export const INCEPTION_LABELS_SHA256 = '1cfba54fa8c7ebf0027216885dfaa75b4fc1c68a808477d557dfc58804c882e0';

/** A tarball shaped like the tutorial's: the real member names, small fake contents. */
export interface FakeModelTarball {
  readonly bytes: Buffer;
  readonly sha256: string;
  readonly graph: Buffer;
  readonly labels: string;
}

export function buildInceptionTarball(dir: string, graphSize = 512 * 1024): FakeModelTarball {
  const src = mkdtempSync(path.join(dir, 'tarball-src-'));
  const graph = randomBytes(graphSize);
  const labels = ['background', ...Array.from({ length: 1000 }, (_, i) => `class ${i + 1}`)].join('\n') + '\n';
  writeFileSync(path.join(src, GRAPH_MEMBER), graph);
  writeFileSync(path.join(src, LABELS_MEMBER), labels);
  const out = path.join(dir, TARBALL_NAME);
  execFileSync('tar', ['-czf', out, '-C', src, GRAPH_MEMBER, LABELS_MEMBER]);
  const bytes = readFileSync(out);
  return { bytes, sha256: sha256(bytes), graph, labels };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** How the loopback server answers. */
export type ServeMode = 'ok' | 'truncate' | 'stall' | 'not-found';

/** A loopback HTTP server that counts requests; its behaviour can change between runs. */
export class FileServer {
  public hits = 0;
  public mode: ServeMode = 'ok';
  /** Resolves when a stalled response has sent its first half. */
  public stalled: Promise<void> = Promise.resolve();
  private markStalled: () => void = () => {};
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly files = new Map<string, Buffer>();
  private readonly endless = new Set<string>();
  private readonly redirects = new Map<string, string>();
  /** Served for any path not otherwise known (e.g. URLs full of shell syntax). */
  private fallback?: Buffer;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  serve(name: string, bytes: Buffer): void {
    this.files.set(`/${name}`, bytes);
  }

  /** Answers `name` with zeros until the client hangs up (a server sending gigabytes). */
  serveEndless(name: string): void {
    this.endless.add(`/${name}`);
  }

  /** Answers `name` with a 302 to `location` (another scheme, another host). */
  redirect(name: string, location: string): void {
    this.redirects.set(`/${name}`, location);
  }

  /** Answers every unknown path with `bytes`. */
  serveAnyPath(bytes: Buffer): void {
    this.fallback = bytes;
  }

  setMode(mode: ServeMode): void {
    this.mode = mode;
    this.stalled = new Promise((resolve) => { this.markStalled = resolve; });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Drops open connections: a killed run's download (GNU timeout puts it in its own
   * process group, out of reach of the group kill) then fails at once instead of
   * lingering until its timeout.
   */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Closes the listener (later connections are refused) and drops open connections. */
  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.hits += 1;
    if (this.endless.has(req.url ?? '')) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      const chunk = Buffer.alloc(64 * 1024);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) { /* until the socket's buffer is full */ }
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
      return;
    }
    const location = this.redirects.get(req.url ?? '');
    if (location !== undefined) {
      res.writeHead(302, { Location: location }).end();
      return;
    }
    const body = this.files.get(req.url ?? '') ?? this.fallback;
    if (!body || this.mode === 'not-found') {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
    if (this.mode === 'ok') {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => {
      if (this.mode === 'truncate') res.socket?.destroy();
      else this.markStalled();
    });
  }
}

/** A shell to run the script with, and the PATH it gets. */
export interface ShellVariant {
  readonly label: string;
  /** argv[0] and leading args, e.g. ["busybox", "sh"]. */
  readonly shell: readonly string[];
  /** "busybox": only busybox applets on PATH (the image); "host": the host's tools (GNU, curl). */
  readonly tools: 'busybox' | 'host';
}

export const SHELL_VARIANTS: readonly ShellVariant[] = [
  { label: 'busybox sh + busybox tools (the Alpine image)', shell: ['busybox', 'sh'], tools: 'busybox' },
  { label: 'dash + busybox tools', shell: ['dash'], tools: 'busybox' },
  { label: 'dash + GNU tools and curl', shell: ['dash'], tools: 'host' },
];

export const shellPrerequisites = [
  { name: 'busybox', present: hasCommand('busybox'), hint: 'bash scripts/test-deps/10-shell.sh' },
  { name: 'dash', present: hasCommand('dash'), hint: 'bash scripts/test-deps/10-shell.sh' },
  { name: 'shellcheck', present: hasCommand('shellcheck'), hint: 'bash scripts/test-deps/10-shell.sh' },
  { name: 'curl', present: hasCommand('curl'), hint: 'apt-get install curl' },
  { name: 'tar', present: hasCommand('tar'), hint: 'apt-get install tar' },
];

/** A model volume and spec folder on local disk, and a way to run the script on them. */
export class SeedSandbox {
  public readonly dir: string;
  public readonly root: string;
  public readonly spec: string;
  private readonly pathDir: string;

  constructor(private readonly variant: ShellVariant, specData: Record<string, string>) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'model-seed-'));
    this.root = path.join(this.dir, 'models');
    this.spec = path.join(this.dir, 'spec');
    mkdirSync(this.root);
    mkdirSync(this.spec);
    this.writeSpec(specData);
    this.pathDir = variant.tools === 'busybox' ? busyboxPath(this.dir) : (process.env.PATH ?? '/usr/bin:/bin');
  }

  writeSpec(data: Record<string, string>): void {
    for (const [key, value] of Object.entries(data)) writeFileSync(path.join(this.spec, key), value);
  }

  /**
   * Opens the sandbox to other users the way the NFS provisioner opens a claim's folder:
   * the volume root 0777, the spec read-only for all.
   */
  shareLikeNfsProvisioner(): void {
    chmodSync(this.dir, 0o755);
    chmodSync(this.root, 0o777);
    chmodSync(this.spec, 0o755);
  }

  /** Starts the script; `env` adds to the Job's variables; `uid` runs it as that user and group. */
  start(env: Record<string, string> = {}, uid?: number): SeedRun {
    const [name, ...args] = this.variant.shell;
    // Resolved on the test's PATH: the script's PATH may hold busybox applets only.
    const which = (command: string) => execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command]).toString().trim();
    const shellArgv = [which(name), ...args, path.join(this.spec, 'seed-models.sh')];
    const argv = uid === undefined
      ? shellArgv
      : [which('setpriv'), `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...shellArgv];
    const [cmd, ...cmdArgs] = argv;
    const child = spawn(cmd, cmdArgs, {
      env: {
        PATH: this.pathDir,
        SEED_ROOT: this.root,
        SEED_SPEC: this.spec,
        SEED_DOWNLOAD_TIMEOUT: '20',
        ...env,
      },
      // Own process group, so a test can kill the shell and every child at once.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new SeedRun(child);
  }

  async run(env: Record<string, string> = {}, uid?: number): Promise<SeedResult> {
    return this.start(env, uid).done;
  }

  /** Every file and folder under the model volume, relative, sorted ("dir/" for folders). */
  tree(sub = ''): string[] {
    const base = path.join(this.root, sub);
    if (!existsSync(base)) return [];
    const out: string[] = [];
    const walk = (rel: string): void => {
      for (const entry of readdirSync(path.join(base, rel), { withFileTypes: true })) {
        const child = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          out.push(`${child}/`);
          walk(child);
        } else out.push(child);
      }
    };
    walk('');
    return out.sort();
  }
}

export interface SeedResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: string;
}

export class SeedRun {
  public readonly done: Promise<SeedResult>;
  private stderrText = '';

  constructor(public readonly child: ChildProcess) {
    let stdout = '';
    child.stdout?.on('data', (d) => { stdout += d; });
    child.stderr?.on('data', (d) => { this.stderrText += d; });
    this.done = new Promise((resolve) => {
      child.on('close', (code, signal) => resolve({ code, signal, stderr: this.stderrText, stdout }));
      child.on('error', (err) => resolve({ code: -1, signal: null, stderr: `${this.stderrText}spawn failed: ${err.message}`, stdout }));
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Signals the whole process group (the shell and its downloads). */
  killGroup(signal: NodeJS.Signals = 'SIGKILL'): void {
    try {
      process.kill(-(this.child.pid as number), signal);
    } catch {
      // already gone
    }
  }
}

/** Waits until `predicate` holds (polling), or fails after `ms`. */
export async function waitFor(predicate: () => boolean, ms = 10000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The dist model list with each download pointed at `base` (what `seeding.mirror` does). */
export function pointListAt(list: string, base: string, sha256ByFile: Record<string, string> = {}): string {
  return list
    .split('\n')
    .map((line) => {
      const parts = line.split(' ');
      if (parts[0] !== 'download') return line;
      const file = parts[5].slice(parts[5].lastIndexOf('/') + 1);
      return [...parts.slice(0, 4), sha256ByFile[file] ?? parts[4], `${base}/${file}`].join(' ');
    })
    .join('\n');
}
