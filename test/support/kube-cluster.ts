/**
 * A real Kubernetes control plane for tests: etcd, kube-apiserver and (optionally)
 * kube-scheduler, kube-controller-manager and kwok (fake nodes), all upstream binaries
 * built by scripts/k8s-binaries.sh, listening on 127.0.0.1 only, on free ports, with
 * certificates made for this run. Start it once per test file (beforeAll) and stop it in
 * afterAll: stop() kills every process group it started, and a process exit handler does
 * the same if the test run dies first.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { hasCommand, Prerequisite } from './prereq';

/** Kubernetes release the binaries are built at (scripts/k8s-binaries.sh's default). */
export const KUBE_VERSION = '1.34.4';

/** kubectl of the same release as the API server, built beside it by scripts/k8s-binaries.sh. */
export const DEFAULT_KUBECTL = join(kubeBinDir(), 'kubectl');

const CONTROL_PLANE_BINARIES = ['etcd', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'kwok'] as const;

/** Folder of the built binaries: $TRITON_JETSON_K8S_BIN, else the build script's cache folder. */
export function kubeBinDir(): string {
  return process.env.TRITON_JETSON_K8S_BIN
    ?? join(process.env.TRITON_JETSON_CACHE ?? join(homedir(), '.cache', 'cdk8s-triton-jetson'), `k8s-${KUBE_VERSION}`);
}

/** Prerequisites of a test file that uses {@link KubeCluster} (for describeWith). */
export function kubeClusterPrerequisites(kubectl = process.env.KUBECTL ?? DEFAULT_KUBECTL): Prerequisite[] {
  const dir = kubeBinDir();
  return [
    ...CONTROL_PLANE_BINARIES.map((name) => ({
      name: `${name} (${dir})`,
      present: existsSync(join(dir, name)),
      hint: 'bash scripts/k8s-binaries.sh (or npm run test:all)',
    })),
    { name: `kubectl (${kubectl})`, present: existsSync(kubectl), hint: 'bash scripts/k8s-binaries.sh builds it, or set KUBECTL' },
    { name: 'openssl', present: hasCommand('openssl'), hint: 'apt-get install openssl' },
  ];
}

export interface KubeClusterOptions {
  /**
   * Also run kube-scheduler, kube-controller-manager and kwok, so workloads get pods,
   * pods get nodes and claims get volumes. Without them only the API server answers.
   * @default true
   */
  readonly workloads?: boolean;
  /** Folder holding the binaries. @default kubeBinDir() */
  readonly binDir?: string;
  /** kubectl binary. @default $KUBECTL or DEFAULT_KUBECTL */
  readonly kubectl?: string;
  /** How long the control plane may take to become ready. @default 120000 ms */
  readonly startTimeoutMs?: number;
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface RunningComponent {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
}

const USE_PDEATHSIG = hasCommand('setpriv');

/** Every live process group, so an exiting test process still kills them. */
const liveProcessGroups = new Set<number>();
process.on('exit', () => {
  for (const pgid of liveProcessGroups) {
    try { process.kill(-pgid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

export class KubeCluster {
  /**
   * Starts the control plane; on failure everything started so far is stopped again. A
   * component that exits during start-up (e.g. a port taken between picking and binding
   * it) gets one more try on fresh ports.
   */
  static async start(options: KubeClusterOptions = {}): Promise<KubeCluster> {
    for (let attempt = 1; ; attempt++) {
      const cluster = new KubeCluster(options);
      try {
        await cluster.boot(options.workloads ?? true, options.startTimeoutMs ?? 120_000);
        return cluster;
      } catch (error) {
        const logs = cluster.logTails();
        const crashed = cluster.exitedComponent() !== undefined;
        await cluster.stop();
        if (!crashed || attempt >= 2) throw new Error(`${(error as Error).message}\n${logs}`);
      }
    }
  }

  /** Temporary folder with certificates, data, logs and the kubeconfig. */
  readonly dir: string;
  /** Admin kubeconfig (token auth, system:masters). */
  readonly kubeconfig: string;
  readonly kubectlPath: string;
  /** https://127.0.0.1:<port> of the API server (set by start()). */
  server = '';

  private readonly binDir: string;
  private readonly components: RunningComponent[] = [];
  private readonly token = randomBytes(32).toString('hex');
  private stopped = false;

  private constructor(options: KubeClusterOptions) {
    this.binDir = options.binDir ?? kubeBinDir();
    this.kubectlPath = options.kubectl ?? process.env.KUBECTL ?? DEFAULT_KUBECTL;
    this.dir = mkdtempSync(join(tmpdir(), 'triton-jetson-k8s-'));
    this.kubeconfig = join(this.dir, 'admin.kubeconfig');
  }

  /** Runs kubectl against this cluster; never throws on a non-zero exit. */
  kubectl(args: readonly string[], input?: string): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.kubectlPath, [...args], {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir, KUBECONFIG: this.kubeconfig },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? '');
    });
  }

  /** Runs kubectl and returns stdout; a non-zero exit throws with kubectl's stderr. */
  async kubectlOk(args: readonly string[], input?: string): Promise<string> {
    const result = await this.kubectl(args, input);
    if (result.code !== 0) {
      throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
    }
    return result.stdout;
  }

  /** `kubectl get ... -o json`, parsed. */
  async getJson<T = any>(args: readonly string[]): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return JSON.parse(await this.kubectlOk(['get', ...args, '-o', 'json'])) as T;
  }

  /**
   * Sends a raw request to the API server (for bodies kubectl would rewrite, such as YAML
   * with a repeated key). Returns the status code and body.
   */
  rawRequest(method: string, path: string, body: string, contentType: string): Promise<{ status: number; body: string }> {
    const url = new URL(path, this.server);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        ca: readFileSync(join(this.dir, 'ca.crt')),
        headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': contentType, Accept: 'application/json' },
      }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => { text += d.toString(); });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * Sends one YAML document to the API server as it is (dryRun=All, fieldValidation=Strict)
   * and returns the server's answer. kubectl turns YAML into JSON before sending and so
   * silently drops a repeated key; the server, given the YAML itself, refuses it.
   */
  async strictDryRunYaml(documentText: string): Promise<{ status: number; body: string }> {
    const head = parseDocument(documentText, { uniqueKeys: false }).toJS() as { apiVersion?: string; kind?: string; metadata?: { namespace?: string } } | null;
    if (!head?.apiVersion || !head.kind) throw new Error(`YAML document without apiVersion/kind:\n${documentText.slice(0, 200)}`);
    const resource = await this.discover(head.apiVersion, head.kind);
    const base = head.apiVersion.includes('/') ? `/apis/${head.apiVersion}` : `/api/${head.apiVersion}`;
    const scope = resource.namespaced ? `/namespaces/${head.metadata?.namespace ?? 'default'}` : '';
    return this.rawRequest('POST', `${base}${scope}/${resource.name}?dryRun=All&fieldValidation=Strict`, documentText, 'application/yaml');
  }

  private readonly discovery = new Map<string, { name: string; kind: string; namespaced: boolean }[]>();

  /** The REST resource (plural name, scope) serving `kind` in `apiVersion`, from API discovery. */
  private async discover(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean }> {
    let resources = this.discovery.get(apiVersion);
    if (!resources) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      const res = await this.rawRequest('GET', path, '', 'application/json');
      if (res.status !== 200) throw new Error(`API discovery of ${apiVersion} failed (${res.status}): ${res.body}`);
      resources = (JSON.parse(res.body) as { resources: { name: string; kind: string; namespaced: boolean }[] }).resources;
      this.discovery.set(apiVersion, resources);
    }
    const resource = resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) throw new Error(`the API server serves no kind ${kind} in ${apiVersion}`);
    return resource;
  }

  /** Polls `check` until it returns a value other than undefined, or fails with `what`. */
  async waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      const exited = this.exitedComponent();
      if (exited) {
        throw new Error(`${exited.name} exited (${exited.child.exitCode ?? exited.child.signalCode}) while waiting for ${what}\n${this.logTails()}`);
      }
      try {
        const value = await check();
        if (value !== undefined) return value;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        const cause = lastError ? ` (last error: ${(lastError as Error).message})` : '';
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}\n${this.logTails()}`);
      }
      await sleep(500);
    }
  }

  /** Kills every process group (SIGTERM, then SIGKILL) and removes the temporary folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // Reverse start order: workloads' controllers first, etcd last.
    for (const component of [...this.components].reverse()) {
      await killGroup(component.child);
    }
    if (!process.env.TRITON_JETSON_KEEP_K8S_DIR) rmSync(this.dir, { recursive: true, force: true });
  }

  /** The first component that is no longer running (none should, before stop()). */
  private exitedComponent(): RunningComponent | undefined {
    if (this.stopped) return undefined;
    return this.components.find((c) => c.child.exitCode !== null || c.child.signalCode !== null);
  }

  /** Last lines of every component's log, for error messages. */
  logTails(lines = 15): string {
    return this.components.map((c) => {
      let text = '';
      try { text = readFileSync(c.logFile, 'utf-8'); } catch { /* no log yet */ }
      const tail = text.trimEnd().split('\n').slice(-lines).join('\n');
      return `--- ${c.name} (${c.logFile}) ---\n${tail}`;
    }).join('\n');
  }

  private async boot(workloads: boolean, timeoutMs: number): Promise<void> {
    for (const name of CONTROL_PLANE_BINARIES) {
      if (!existsSync(join(this.binDir, name))) throw new Error(`missing ${join(this.binDir, name)}: run bash scripts/k8s-binaries.sh`);
    }
    this.makeCertificates();
    const [etcdClient, etcdPeer, apiPort, schedulerPort, controllerPort, kwokPort] = await freePorts(6);
    this.server = `https://127.0.0.1:${apiPort}`;
    this.writeKubeconfig();

    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    this.launch('etcd', [
      '--name=test', `--data-dir=${join(this.dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      // A throwaway store: skipping fsync makes writes fast on CI disks.
      '--unsafe-no-fsync', '--log-level=warn',
    ]);

    const d = this.dir;
    this.launch('kube-apiserver', [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--tls-cert-file=${join(d, 'apiserver.crt')}`, `--tls-private-key-file=${join(d, 'apiserver.key')}`,
      `--client-ca-file=${join(d, 'ca.crt')}`,
      `--token-auth-file=${join(d, 'tokens.csv')}`,
      '--authorization-mode=Node,RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${join(d, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(d, 'sa.key')}`,
      // Only allocated in etcd: nothing here routes or connects to cluster IPs.
      '--service-cluster-ip-range=10.96.0.0/16',
      '--service-node-port-range=30000-32767',
      '--allow-privileged=true',
      '--profiling=false',
    ]);
    await this.waitFor('kube-apiserver /readyz', async () => {
      const res = await this.rawRequest('GET', '/readyz', '', 'text/plain').catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    }, timeoutMs);

    if (!workloads) return;
    const kubeconfig = this.kubeconfig;
    this.launch('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${controllerPort}`, `--cert-dir=${join(d, 'kcm-certs')}`,
      '--leader-elect=false',
      `--service-account-private-key-file=${join(d, 'sa.key')}`,
      `--root-ca-file=${join(d, 'ca.crt')}`,
      // A claim made before its volume waits for the binder's resync (15 s by default).
      '--pvclaimbinder-sync-period=2s',
      '--profiling=false',
    ]);
    this.launch('kube-scheduler', [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${schedulerPort}`, `--cert-dir=${join(d, 'scheduler-certs')}`,
      '--leader-elect=false', '--profiling=false',
    ]);
    this.launch('kwok', [
      `--kubeconfig=${kubeconfig}`,
      // Fake nodes take every Node object, whatever its labels (the test creates only fakes).
      '--manage-all-nodes=true',
      `--server-address=127.0.0.1:${kwokPort}`,
      '--node-ip=127.0.0.1', '--cidr=127.64.0.0/16',
    ]);
    // Workloads need the default ServiceAccount (controller-manager) before pods can be created.
    await this.waitFor('the default ServiceAccount (kube-controller-manager)', async () => {
      const res = await this.kubectl(['get', 'serviceaccount', 'default', '-n', 'default', '-o', 'name']);
      return res.code === 0 ? true : undefined;
    }, timeoutMs);
    for (const [name, port] of [['kube-scheduler', schedulerPort], ['kube-controller-manager', controllerPort]] as const) {
      await this.waitFor(`${name} /healthz`, () => insecureHealthz(port), timeoutMs);
    }
  }

  private makeCertificates(): void {
    const d = this.dir;
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: ['ignore', 'ignore', 'pipe'] });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=triton-jetson-test-ca');
    openssl('req', ...ec, '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver');
    writeFileSync(join(d, 'apiserver.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1\n'
      + 'extendedKeyUsage=serverAuth\n');
    openssl('x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', 'apiserver.crt', '-days', '2', '-extfile', 'apiserver.ext');
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key');
    openssl('pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
    // Static admin token: in a file and the kubeconfig only, never on a command line.
    writeFileSync(join(d, 'tokens.csv'), `${this.token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    for (const key of ['ca.key', 'apiserver.key', 'sa.key']) chmodSync(join(d, key), 0o600);
  }

  private launch(name: string, args: string[]): void {
    const logFile = join(this.dir, `${name}.log`);
    const log = openSync(logFile, 'a');
    // setpriv --pdeathsig: the kernel kills the component even if this process is SIGKILLed.
    const binary = join(this.binDir, name);
    const [command, argv] = USE_PDEATHSIG ? ['setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args]] : [binary, args];
    const child = spawn(command, argv, {
      cwd: this.dir,
      detached: true, // own process group: stop() kills it with all its children
      stdio: ['ignore', log, log],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.dir },
    });
    closeSync(log);
    if (child.pid !== undefined) liveProcessGroups.add(child.pid);
    child.on('exit', () => { if (child.pid !== undefined) liveProcessGroups.delete(child.pid); });
    this.components.push({ name, child, logFile });
  }

  private writeKubeconfig(): void {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server: this.server, 'certificate-authority': join(this.dir, 'ca.crt') } }],
      users: [{ name: 'admin', user: { token: this.token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin', namespace: 'default' } }],
      'current-context': 'test',
    };
    writeFileSync(this.kubeconfig, JSON.stringify(config, null, 2), { mode: 0o600 });
  }
}

async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try { process.kill(-pid, 'SIGTERM'); } catch { return; }
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
    await exited;
  }
  liveProcessGroups.delete(pid);
}

/** `count` distinct free TCP ports on 127.0.0.1 (held together so none repeats). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/** GET /healthz of a component serving a self-signed certificate of its own (loopback only). */
function insecureHealthz(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : undefined);
    });
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
