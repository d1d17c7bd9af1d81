/**
 * Fake Jetson Nano hosts for the bootstrapper's integration tests: each host is a real
 * OpenSSH server (Debian's sshd) on its own loopback address, inside its own mount and
 * UTS namespaces (`unshare --mount --uts`), so it has its own hostname, /etc, /var,
 * /root, /home, /usr/local/bin, /run and /tmp while the machine's own stay untouched
 * (/etc and /var are overlays whose upper layer is a per-host temp folder; the others
 * are per-host folders bind-mounted inside the namespace).
 *
 * Each host's /usr/local/bin (first on every user's PATH and on sudo's secure_path)
 * holds POSIX-sh stubs (test/support/jetson-host-stubs/) that record every call to the
 * host's calls.log (argv, uid, user, K3S_* / INSTALL_K3S_* / SUDO_USER env; K3S_TOKEN
 * only as K3S_TOKEN_SHA256) and behave like the real programs where the bootstrapper
 * relies on them:
 * - `uname` prints the configured arch (aarch64) and an L4T kernel;
 * - `docker info` (plain: ` Runtimes: ...`, ` Default Runtime: x`; or --format
 *   '{{.DefaultRuntime}}', '{{json .Runtimes}}', ...) reports daemon.json as loaded at the
 *   daemon's last (re)start; non-root users outside group docker get "permission denied";
 * - `systemctl restart docker` re-reads /etc/docker/daemon.json (invalid JSON, or a
 *   default-runtime that is not defined -> the job fails, docker stays down, `journalctl
 *   -u docker` says why); is-active/is-enabled/enable/disable/stop/status/daemon-reload;
 *   non-root callers get "Interactive authentication required";
 * - `curl` serves the installer stub for https://get.k3s.io (stdout or -o); every other
 *   URL fails like an unresolvable host (exit 6);
 * - the installer (k3s-install.sh): server/agent from INSTALL_K3S_EXEC + args + K3S_URL,
 *   K3S_TOKEN(_FILE), INSTALL_K3S_VERSION, INSTALL_K3S_SKIP_DOWNLOAD (needs an uploaded
 *   /usr/local/bin/k3s, see stubK3sBinaryPath), INSTALL_K3S_SKIP_START; writes the unit +
 *   .env (every K3S_* var, mode 600), k3s + kubectl/crictl/ctr links, k3s-killall.sh and
 *   k3s-uninstall.sh / k3s-agent-uninstall.sh, then `systemctl restart k3s|k3s-agent`;
 *   non-root callers go through sudo (fails without a tty when sudo wants a password);
 * - starting k3s (server): token + node-token (K10<ca hash>::server:<token>), real EC
 *   certificates, kubeconfig at K3S_KUBECONFIG_OUTPUT or /etc/rancher/k3s/k3s.yaml with
 *   K3S_KUBECONFIG_MODE (default 600), server https://127.0.0.1:6443, /etc/rancher/node/
 *   password; the node registers in the fixture-wide registry;
 * - starting k3s-agent: resolves K3S_URL (fixture hostnames or addresses, port 6443),
 *   needs a running server there and its token (plain or K10 form), else the unit fails
 *   like a real join (connection refused / 401 Unauthorized / no such host);
 * - `k3s kubectl get nodes [-o wide|json|name] [--no-headers]`, `kubectl label node`,
 *   `k3s --version`; on an agent kubectl fails (localhost:8080 refused);
 * - day two (kubectl-ops.sh): `kubectl cordon|uncordon|drain|annotate node`, `get pods` (pods
 *   put there with addPod: Ready once their node is and JH_POD_READY_DELAY_MS after it
 *   (re)joined), `get|delete node|secret` (the node-password secret) with --ignore-not-found;
 *   every stop and start of k3s/k3s-agent is recorded (program "service", argv [unit, event]),
 *   and a stopped agent's node goes NotReady;
 * - `dpkg -s`, `dpkg-query -W -f=...`, `apt-get install|remove` (nfs-common adds mount.nfs).
 *
 * Example:
 *
 *   const fixture = await startJetsonHosts({ count: 4 });
 *   try {
 *     const [server] = fixture.hosts;               // jm-node-1 on 127.0.<b>.2:22
 *     const ssh = new NodeSSH();
 *     await ssh.connect(fixture.sshConfig(server)); // root, client key, pinned host key
 *     await ssh.execCommand('curl -sfL https://get.k3s.io | K3S_TOKEN=t sh -s - --docker');
 *     expect(await server.readFile('/etc/rancher/k3s/k3s.yaml')).toContain('6443');
 *     expect((await server.calls()).map((c) => c.program)).toContain('k3s-install');
 *     expect(await fixture.clusterNodes(server.address)).toHaveLength(1);
 *     ssh.dispose();
 *   } finally {
 *     await fixture.stop();                         // kills every host process, removes temp dirs
 *   }
 *
 * Users: root (key login), plus by default `deploy` (passwordless sudo, in group docker)
 * and `operator` (sudo asks for OPERATOR_PASSWORD); all log in with the client key.
 * Hostnames of all hosts resolve inside every host (/etc/hosts), so
 * K3S_URL=https://jm-node-1:6443 works. sshd accepts only LANG/LC_* environment (Debian's
 * default), so K3S_* must reach the installer through the command or stdin.
 *
 * Addresses: each fixture claims a block 127.0.<b>.2..(N+1) (b = 0 first) with a lock
 * file in $TMPDIR/jetson-hosts-locks, so fixtures in parallel jest workers never collide.
 *
 * Lifetime: stop() SIGTERMs then SIGKILLs every process in each host's mount namespace
 * (sessions included) and removes the temp folders; dispose SSH clients first (or give
 * them an 'error' listener), else a reset can surface as an unhandled ssh2 'error'. If the
 * test process dies without stop(), an exit hook does the same, and a SIGKILLed process
 * still takes its sshds down (setpriv --pdeathsig).
 *
 * Requirements: root, overlayfs, util-linux (unshare, nsenter, setpriv), and what
 * scripts/test-deps/20-ssh.sh installs (openssh-server, sudo, jq, openssl).
 */
import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync, readdirSync, readlinkSync, mkdirSync, openSync, writeSync, closeSync, unlinkSync, rmSync, rmdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { prepareBoardExtras, resolveBoardExtras, type BoardExtrasOptions, type ResolvedBoardExtras } from './jetson-board-extras';

const execFileAsync = promisify(execFile);

/** The stub programs and the namespace set-up script (in the checkout). */
export const JETSON_HOST_STUBS_DIR = path.join(__dirname, 'jetson-host-stubs');
/**
 * Where each host sees its copy of the stubs. The fixture copies the stubs into its own
 * scratch folder and setup-host.sh bind-mounts that copy here, so no host depends on the
 * checkout's path: a checkout under /tmp, /root, /home or /run (folders the hosts mount
 * over) or in a path with spaces works the same.
 */
export const HOST_STUBS_MOUNT = '/run/jetson-host-stubs';

/** JetPack 4.6's /etc/docker/daemon.json (nvidia-docker2): the runtime exists but is not the default. */
export const JETPACK_DAEMON_JSON = '{\n    "runtimes": {\n        "nvidia": {\n            "path": "nvidia-container-runtime",\n            "runtimeArgs": []\n        }\n    }\n}\n';

/** /etc/nv_tegra_release of L4T R32.7.1 (JetPack 4.6.1) on a Jetson Nano. */
export const L4T_R32_7_1_RELEASE =
  '# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64, DATE: Sat Feb 19 17:05:08 UTC 2022\n';

/** Password of the default `operator` user (its sudo asks for it). */
export const OPERATOR_PASSWORD = 'operator-sudo-password';

/** A login account created on every host. */
export interface TestUser {
  /** Login name. */
  readonly name: string;
  /**
   * What sudo allows: `nopasswd` (NOPASSWD: ALL), `password` (ALL, asks for the
   * password), `none` (no sudoers entry).
   */
  readonly sudo: 'nopasswd' | 'password' | 'none';
  /**
   * Unix password (used by sudo; SSH login is by key only).
   * @default none (the account has no usable password)
   */
  readonly password?: string;
  /**
   * Supplementary groups (e.g. `docker`, which lets the user talk to the docker stub).
   * @default []
   */
  readonly groups?: readonly string[];
}

/** The default users: passwordless sudo and password sudo. */
export const DEFAULT_TEST_USERS: readonly TestUser[] = [
  { name: 'deploy', sudo: 'nopasswd', groups: ['docker'] },
  { name: 'operator', sudo: 'password', password: OPERATOR_PASSWORD },
];

/**
 * How one host looks and behaves. Every field can be set for all hosts or per host. Board
 * details (memory, clock, NVIDIA runtime, nvpmodel) are in jetson-board-extras.ts.
 */
export interface JetsonHostOptions extends BoardExtrasOptions {
  /**
   * Hostname (UTS namespace) and K3s node name.
   * @default `jm-node-<index+1>`
   */
  readonly hostname?: string;
  /**
   * What `uname -m` prints.
   * @default 'aarch64'
   */
  readonly arch?: string;
  /**
   * Content of /etc/docker/daemon.json; null for no file.
   * @default JETPACK_DAEMON_JSON
   */
  readonly daemonJson?: string | null;
  /**
   * Content of /etc/nv_tegra_release; null for no file (not a Jetson).
   * @default L4T_R32_7_1_RELEASE
   */
  readonly l4tRelease?: string | null;
  /**
   * Whether the `docker` stub is installed at all.
   * @default true
   */
  readonly docker?: boolean;
  /**
   * Whether nfs-common (dpkg state + mount.nfs) is installed.
   * @default false
   */
  readonly nfsCommon?: boolean;
  /**
   * Whether the memory cgroup is enabled (/proc/cgroups `memory ... 1`, /sys/fs/cgroup/memory).
   * @default true
   */
  readonly memoryCgroup?: boolean;
  /**
   * Extra time the K3s installer takes, in milliseconds.
   * @default 0
   */
  readonly installerDelayMs?: number;
  /**
   * When set, the K3s installer fails on this host with `[ERROR]  <message>`, exit 1.
   * @default undefined (succeeds)
   */
  readonly installerFailure?: string;
  /**
   * K3s version installed when INSTALL_K3S_VERSION is not given.
   * @default 'v1.30.6+k3s1'
   */
  readonly k3sDefaultVersion?: string;
  /**
   * No sshd is started: connections to the address are refused.
   * @default false
   */
  readonly unreachable?: boolean;
}

/** Options of {@link startJetsonHosts}. Host fields here apply to every host. */
export interface StartJetsonHostsOptions extends Omit<JetsonHostOptions, 'hostname'> {
  /**
   * Number of hosts.
   * @default 4 (or hostnames.length / hosts.length when given)
   */
  readonly count?: number;
  /**
   * Hostnames, by index.
   * @default jm-node-1..N
   */
  readonly hostnames?: readonly string[];
  /**
   * Per-host overrides, by index.
   * @default none
   */
  readonly hosts?: readonly JetsonHostOptions[];
  /**
   * TCP port every sshd listens on.
   * @default 22
   */
  readonly port?: number;
  /**
   * Non-root users created on every host (root always exists and logs in by key).
   * @default DEFAULT_TEST_USERS
   */
  readonly users?: readonly TestUser[];
  /**
   * How long to wait for each sshd to listen, in milliseconds.
   * @default 15000
   */
  readonly startTimeoutMs?: number;
}

/** One recorded stub call (a line of the host's calls.log). */
export interface StubCall {
  /** Milliseconds since the epoch. */
  readonly t: number;
  /** Stub name: uname, docker, systemctl, curl, k3s-install, k3s, dpkg, dpkg-query, apt-get, ... */
  readonly program: string;
  /** Arguments (without the program name; `kubectl x` is recorded as k3s ["kubectl","x"]). */
  readonly argv: readonly string[];
  /** Effective uid and user name of the caller. */
  readonly uid: number;
  readonly user: string;
  /** K3S_* and INSTALL_K3S_* variables that were set, SUDO_USER, and K3S_TOKEN_SHA256 instead of K3S_TOKEN. */
  readonly env: Readonly<Record<string, string>>;
}

/** A node as the fixture-wide registry knows it (what `kubectl get nodes` prints). */
export interface RegisteredNode {
  readonly name: string;
  readonly ready: boolean;
  readonly ip: string;
  readonly version: string;
  /** e.g. docker://20.10.7 (installed with --docker) or containerd://... */
  readonly runtime: string;
  readonly created: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Cordoned (`kubectl cordon`). */
  readonly unschedulable?: boolean;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A pod in the fake registry (only what `kubectl get pods` and `drain` need). */
export interface FakePod {
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Owned by a DaemonSet: `drain --ignore-daemonsets` leaves it, other pods are evicted. */
  readonly daemonSet: boolean;
}

/** One running (or deliberately unreachable) fake host. */
export interface JetsonHost {
  readonly index: number;
  readonly name: string;
  /** Loopback address the sshd listens on. */
  readonly address: string;
  readonly port: number;
  readonly unreachable: boolean;
  /** Host public key, `ssh-ed25519 AAAA...`. */
  readonly hostPublicKey: string;
  /** The raw key blob (what ssh2's hostVerifier receives). */
  readonly hostKeyBlob: Buffer;
  /** SHA256 fingerprint as OpenSSH prints it (`SHA256:...`). */
  readonly hostKeyFingerprint: string;
  /** known_hosts line for this host (`127.0.0.2 ssh-ed25519 ...` or `[addr]:port ...`). */
  readonly knownHostsLine: string;
  /** The host's temp folder (state/calls.log, etc/ overlay upper layer, ...). */
  readonly dir: string;
  /** Every recorded stub call so far, oldest first. */
  calls(): Promise<StubCall[]>;
  /** Reads a file as the host sees it (e.g. /etc/docker/daemon.json). */
  readFile(hostPath: string): Promise<string>;
  /** Whether a path exists on the host. */
  exists(hostPath: string): Promise<boolean>;
  /** Mode bits (e.g. 0o644) of a file on the host. */
  fileMode(hostPath: string): Promise<number>;
  /** Writes a file on the host, as root (for arranging a scenario). */
  writeFile(hostPath: string, content: string): Promise<void>;
  /** Runs a shell command inside the host's namespaces as root, outside SSH (arranging/inspection). */
  run(command: string): Promise<{ stdout: string; stderr: string }>;
  /** State of a unit as the systemctl stub keeps it. */
  serviceState(unit: string): Promise<'active' | 'inactive' | 'failed'>;
  /** Packages the dpkg stub reports installed. */
  installedPackages(): Promise<string[]>;
}

export interface JetsonHosts {
  readonly hosts: readonly JetsonHost[];
  /** OpenSSH-format ed25519 private key authorized for root and every test user. */
  readonly clientPrivateKey: string;
  readonly clientPrivateKeyPath: string;
  readonly clientPublicKey: string;
  /** known_hosts content for every reachable host. */
  readonly knownHosts: string;
  readonly knownHostsPath: string;
  readonly users: readonly TestUser[];
  /** The fixture's temp folder. */
  readonly dir: string;
  /** Stub k3s binary, e.g. to upload before INSTALL_K3S_SKIP_DOWNLOAD=true. */
  readonly stubK3sBinaryPath: string;
  /** Nodes registered with the K3s server on `serverAddress` (empty when none runs there). */
  clusterNodes(serverAddress: string): Promise<RegisteredNode[]>;
  /** Puts a pod on `pod.node` of the K3s server on `serverAddress` (what `kubectl get pods` lists; no controller runs). */
  addPod(serverAddress: string, pod: FakePod): Promise<void>;
  host(name: string): JetsonHost;
  /**
   * node-ssh / ssh2 connect options for `host` as `username`, with the client key and a
   * hostVerifier pinned to the host's key.
   */
  sshConfig(host: JetsonHost, username?: string): SshConnectOptions;
  /** Kills every process of every host, releases the addresses, removes the temp folders. */
  stop(): Promise<void>;
}

/** What node-ssh's connect() (and ssh2's) accepts, as {@link JetsonHosts.sshConfig} builds it. */
export interface SshConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly privateKey: string;
  readonly hostVerifier: (key: Buffer) => boolean;
  readonly readyTimeout: number;
}

const LOCK_DIR = path.join(os.tmpdir(), 'jetson-hosts-locks');
const liveFixtures = new Set<FixtureState>();
let exitHookInstalled = false;

interface HostRuntime {
  process?: ChildProcess;
  pid?: number;
  mountNamespace?: string;
  /** Settles once the sshd's stderr is drained into sshd.log and the file is closed. */
  logClosed?: Promise<void>;
}

interface FixtureState {
  readonly runtimes: HostRuntime[];
  readonly lockPath: string;
  readonly dir: string;
  stopped: boolean;
}

/** Starts the hosts (in parallel) and resolves once every reachable sshd listens. */
export async function startJetsonHosts(options: StartJetsonHostsOptions = {}): Promise<JetsonHosts> {
  const count = options.count ?? options.hostnames?.length ?? options.hosts?.length ?? 4;
  if (!Number.isInteger(count) || count < 1 || count > 250) {
    throw new Error(`startJetsonHosts: count must be an integer in 1..250 (got ${count})`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error('startJetsonHosts: needs root (mount namespaces, overlay mounts, sshd)');
  }
  const port = options.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`startJetsonHosts: port must be an integer in 1..65535 (got ${port})`);
  }
  const users = options.users ?? DEFAULT_TEST_USERS;
  for (const user of users) {
    if (!/^[a-z_][a-z0-9_-]*$/.test(user.name) || user.name === 'root') {
      throw new Error(`startJetsonHosts: users[].name "${user.name}" must be a lowercase login name other than root`);
    }
  }
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'jetson-hosts-'));
  await fsp.chmod(dir, 0o755);
  const { block, lockPath } = claimAddressBlock(count, dir);
  const state: FixtureState = { runtimes: [], lockPath, dir, stopped: false };
  liveFixtures.add(state);
  installExitHook();

  try {
    const shared = path.join(dir, 'shared');
    await fsp.mkdir(path.join(shared, 'registry', 'servers'), { recursive: true, mode: 0o755 });
    const stubsDir = path.join(dir, 'stubs');
    await fsp.cp(JETSON_HOST_STUBS_DIR, stubsDir, { recursive: true });
    await fsp.chmod(stubsDir, 0o755);
    const clientKeyPath = path.join(dir, 'client_ed25519');
    const specs = Array.from({ length: count }, (_, index) => resolveHost(options, index, block));
    const duplicate = specs.find((spec, i) => specs.findIndex((other) => other.hostname === spec.hostname) !== i);
    if (duplicate) throw new Error(`startJetsonHosts: hostname "${duplicate.hostname}" is given to more than one host`);
    const clientPublicKey = await generateKey(clientKeyPath, 'jetson-hosts-client');
    const base = await readBaseAccounts(users);
    const hostKeys = await Promise.all(
      specs.map(async (spec) => {
        const hostDir = path.join(dir, 'hosts', spec.hostname);
        await fsp.mkdir(path.join(hostDir, 'state'), { recursive: true });
        return generateKey(path.join(hostDir, 'state', 'ssh_host_ed25519_key'), `root@${spec.hostname}`);
      }),
    );
    const startTimeoutMs = options.startTimeoutMs ?? 15000;
    const hosts = await Promise.all(
      specs.map(async (spec, index) => {
        const hostDir = path.join(dir, 'hosts', spec.hostname);
        await prepareHostDir(hostDir, spec, specs, port, users, clientPublicKey, base, stubsDir);
        const runtime: HostRuntime = {};
        state.runtimes.push(runtime);
        if (!spec.unreachable) {
          await launchHost(runtime, hostDir, shared, stubsDir, startTimeoutMs, spec);
        }
        return makeHost(index, spec, port, hostKeys[index], hostDir, runtime);
      }),
    );
    const knownHosts = hosts.filter((h) => !h.unreachable).map((h) => h.knownHostsLine).join('\n') + '\n';
    const knownHostsPath = path.join(dir, 'known_hosts');
    await fsp.writeFile(knownHostsPath, knownHosts);
    const clientPrivateKey = await fsp.readFile(clientKeyPath, 'utf8');
    return {
      hosts,
      clientPrivateKey,
      clientPrivateKeyPath: clientKeyPath,
      clientPublicKey,
      knownHosts,
      knownHostsPath,
      users,
      dir,
      stubK3sBinaryPath: path.join(stubsDir, 'k3s'),
      clusterNodes: (serverAddress) => readClusterNodes(shared, serverAddress),
      async addPod(serverAddress, pod) {
        const folder = path.join(shared, 'registry', 'servers', serverAddress, 'pods', pod.namespace);
        await fsp.mkdir(folder, { recursive: true });
        await fsp.writeFile(path.join(folder, `${pod.name}.json`), JSON.stringify({ ...pod, readyAt: 0 }));
      },
      host(name) {
        const found = hosts.find((h) => h.name === name);
        if (!found) throw new Error(`no fake host named ${name} (have ${hosts.map((h) => h.name).join(', ')})`);
        return found;
      },
      sshConfig: (host, username = 'root') => ({
        host: host.address,
        port: host.port,
        username,
        privateKey: clientPrivateKey,
        hostVerifier: (key: Buffer) => key.equals(host.hostKeyBlob),
        readyTimeout: 10000,
      }),
      stop: () => stopFixture(state),
    };
  } catch (error) {
    await stopFixture(state);
    throw error;
  }
}

interface ResolvedHost {
  readonly hostname: string;
  readonly address: string;
  readonly arch: string;
  readonly daemonJson: string | null;
  readonly l4tRelease: string | null;
  readonly docker: boolean;
  readonly nfsCommon: boolean;
  readonly memoryCgroup: boolean;
  readonly installerDelayMs: number;
  readonly installerFailure?: string;
  readonly k3sDefaultVersion: string;
  readonly unreachable: boolean;
  readonly board: ResolvedBoardExtras;
}

function resolveHost(options: StartJetsonHostsOptions, index: number, block: number): ResolvedHost {
  const own = options.hosts?.[index] ?? {};
  const pick = <K extends keyof JetsonHostOptions>(key: K): JetsonHostOptions[K] =>
    own[key] !== undefined ? own[key] : (options as JetsonHostOptions)[key];
  const hostname = own.hostname ?? options.hostnames?.[index] ?? `jm-node-${index + 1}`;
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(hostname)) {
    throw new Error(`startJetsonHosts: hostname "${hostname}" (host ${index}) must be a lowercase RFC 1123 label`);
  }
  const delay = pick('installerDelayMs') ?? 0;
  if (!Number.isInteger(delay) || delay < 0) {
    throw new Error(`startJetsonHosts: installerDelayMs must be a non-negative integer (got ${delay})`);
  }
  const failure = pick('installerFailure');
  if (failure !== undefined && (failure === '' || /\n/.test(failure))) {
    throw new Error('startJetsonHosts: installerFailure must be a non-empty single line');
  }
  const arch = pick('arch') ?? 'aarch64';
  const version = pick('k3sDefaultVersion') ?? 'v1.30.6+k3s1';
  for (const [field, value] of [['arch', arch], ['k3sDefaultVersion', version]] as const) {
    if (!/^[A-Za-z0-9_.+-]+$/.test(value)) throw new Error(`startJetsonHosts: ${field} "${value}" has unsupported characters`);
  }
  return {
    hostname,
    address: `127.0.${block}.${index + 2}`,
    arch,
    daemonJson: pick('daemonJson') === undefined ? JETPACK_DAEMON_JSON : (pick('daemonJson') as string | null),
    l4tRelease: pick('l4tRelease') === undefined ? L4T_R32_7_1_RELEASE : (pick('l4tRelease') as string | null),
    docker: pick('docker') ?? true,
    nfsCommon: pick('nfsCommon') ?? false,
    memoryCgroup: pick('memoryCgroup') ?? true,
    installerDelayMs: delay,
    installerFailure: failure,
    k3sDefaultVersion: version,
    unreachable: pick('unreachable') ?? false,
    board: resolveBoardExtras(pick),
  };
}

/**
 * Claims 127.0.<b>.2..(count+1) for this fixture with an O_EXCL lock file, so fixtures
 * in parallel jest workers get different addresses (stale locks of dead pids are reclaimed).
 */
function claimAddressBlock(count: number, dir: string): { block: number; lockPath: string } {
  if (count > 250) throw new Error('at most 250 hosts per fixture');
  for (let block = 0; block < 255; block += 1) {
    const lockPath = path.join(LOCK_DIR, `block-${block}`);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        // The folder goes away when the last fixture stops (nothing stays behind in the
        // temp folder), so create it on every claim.
        mkdirSync(LOCK_DIR, { recursive: true });
        const fd = openSync(lockPath, 'wx');
        writeSync(fd, `${process.pid} ${dir}`);
        closeSync(fd);
        return { block, lockPath };
      } catch (error) {
        // ENOENT: another fixture removed the (empty) folder between mkdir and open.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const [ownerText, ownerDir] = readFileSafe(lockPath).split(' ');
        const owner = Number(ownerText);
        if (owner > 0 && isAlive(owner)) break;
        // The owner died without stop() (e.g. SIGKILL): its sshds died with it
        // (pdeathsig); remove the temp folder it left.
        if (ownerDir?.startsWith(path.join(os.tmpdir(), 'jetson-hosts-'))) rmSync(ownerDir, { recursive: true, force: true });
        try {
          unlinkSync(lockPath);
        } catch {
          /* another process reclaimed it first */
        }
      }
    }
  }
  throw new Error(`no free loopback address block (locks in ${LOCK_DIR})`);
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function generateKey(keyPath: string, comment: string): Promise<string> {
  await execFileAsync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', keyPath]);
  return (await fsp.readFile(`${keyPath}.pub`, 'utf8')).trim();
}

interface BaseAccounts {
  readonly passwd: string;
  readonly shadow: string;
  readonly group: string;
  /** Shadow password field per test user ('*' = no password, not locked). */
  readonly passwordFields: ReadonlyMap<string, string>;
}

const DOCKER_GID = 2000;
const FIRST_TEST_UID = 2001;

/** The machine's account files (the hosts' starting point) and the test users' password hashes. */
async function readBaseAccounts(users: readonly TestUser[]): Promise<BaseAccounts> {
  const [passwd, shadow, group] = await Promise.all(['/etc/passwd', '/etc/shadow', '/etc/group'].map((f) => fsp.readFile(f, 'utf8')));
  const taken = (text: string, field: number) => new Set(text.split('\n').map((line) => Number(line.split(':')[field])));
  const uids = taken(passwd, 2);
  const gids = taken(group, 2);
  for (let id = DOCKER_GID; id <= FIRST_TEST_UID + users.length; id += 1) {
    if (uids.has(id) || gids.has(id)) {
      throw new Error(`startJetsonHosts: uid/gid ${id} is already used on this machine; the fake hosts need ${DOCKER_GID}..${FIRST_TEST_UID + users.length}`);
    }
  }
  for (const user of users) {
    if (passwd.split('\n').some((line) => line.startsWith(`${user.name}:`))) {
      throw new Error(`startJetsonHosts: users[].name "${user.name}" already exists on this machine; pick another name`);
    }
  }
  // '*' = no password but not locked (sshd with UsePAM no refuses locked '!' accounts).
  const passwordFields = new Map(users.map((u) => [u.name, u.password ? sha512Crypt(u.password) : '*']));
  return { passwd, shadow, group, passwordFields };
}

/** Writes everything the host sees before its namespace exists (overlay upper layers etc.). */
async function prepareHostDir(
  hostDir: string,
  spec: ResolvedHost,
  all: readonly ResolvedHost[],
  port: number,
  users: readonly TestUser[],
  clientPublicKey: string,
  base: BaseAccounts,
  stubsDir: string,
): Promise<void> {
  const stateDir = path.join(hostDir, 'state');
  const etc = path.join(hostDir, 'etc');
  for (const sub of ['etc/docker', 'etc/sudoers.d', 'etc-work', 'var', 'var-work', 'home', 'bin', 'tmp', 'root/.ssh', 'state/services', 'state/docker']) {
    await fsp.mkdir(path.join(hostDir, sub), { recursive: true });
  }
  await fsp.chmod(path.join(hostDir, 'tmp'), 0o1777);
  await fsp.chmod(path.join(hostDir, 'root'), 0o700);
  await fsp.chmod(stateDir, 0o755);

  // Accounts: the machine's, plus the test users and a docker group (JetPack has one).
  const passwdLines = [base.passwd.trimEnd()];
  const shadowLines = [base.shadow.trimEnd()];
  const groupLines = base.group.trimEnd().split('\n').filter((l) => !l.startsWith('docker:'));
  const groupMembers = new Map<string, string[]>();
  const sudoers: string[] = [];
  users.forEach((user, i) => {
    const uid = FIRST_TEST_UID + i;
    passwdLines.push(`${user.name}:x:${uid}:${uid}:${user.name}:/home/${user.name}:/bin/bash`);
    shadowLines.push(`${user.name}:${base.passwordFields.get(user.name)}:19000:0:99999:7:::`);
    groupLines.push(`${user.name}:x:${uid}:`);
    for (const g of user.groups ?? []) groupMembers.set(g, [...(groupMembers.get(g) ?? []), user.name]);
    if (user.sudo === 'nopasswd') sudoers.push(`${user.name} ALL=(ALL:ALL) NOPASSWD: ALL`);
    if (user.sudo === 'password') sudoers.push(`${user.name} ALL=(ALL:ALL) ALL`);
  });
  groupLines.push(`docker:x:${DOCKER_GID}:`);
  const groups = groupLines.map((line) => {
    const name = line.split(':')[0];
    const extra = groupMembers.get(name);
    if (!extra) return line;
    const members = line.split(':')[3];
    return line.replace(/:[^:]*$/, `:${[members, ...extra].filter(Boolean).join(',')}`);
  });
  for (const g of groupMembers.keys()) {
    if (!groups.some((line) => line.startsWith(`${g}:`))) {
      throw new Error(`startJetsonHosts: users[].groups names unknown group "${g}" (have docker and the machine's groups)`);
    }
  }
  await writeFileMode(path.join(etc, 'passwd'), passwdLines.join('\n') + '\n', 0o644);
  await writeFileMode(path.join(etc, 'shadow'), shadowLines.join('\n') + '\n', 0o640);
  await writeFileMode(path.join(etc, 'group'), groups.join('\n') + '\n', 0o644);
  await writeFileMode(path.join(etc, 'sudoers.d', 'jetson-hosts'), sudoers.join('\n') + '\n', 0o440);
  await writeFileMode(path.join(etc, 'hostname'), `${spec.hostname}\n`, 0o644);
  const hostsFile = [
    '127.0.0.1\tlocalhost',
    `127.0.1.1\t${spec.hostname}`,
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...all.map((h) => `${h.address}\t${h.hostname}`),
  ];
  await writeFileMode(path.join(etc, 'hosts'), hostsFile.join('\n') + '\n', 0o644);
  if (spec.l4tRelease !== null) await writeFileMode(path.join(etc, 'nv_tegra_release'), spec.l4tRelease, 0o644);
  if (spec.daemonJson !== null) await writeFileMode(path.join(etc, 'docker', 'daemon.json'), spec.daemonJson, 0o644);

  // Home folders with the client key.
  await writeFileMode(path.join(hostDir, 'root', '.ssh', 'authorized_keys'), `${clientPublicKey}\n`, 0o600);
  await fsp.chmod(path.join(hostDir, 'root', '.ssh'), 0o700);
  await Promise.all(
    users.map(async (user, i) => {
      const uid = FIRST_TEST_UID + i;
      const home = path.join(hostDir, 'home', user.name);
      await fsp.mkdir(path.join(home, '.ssh'), { recursive: true });
      await writeFileMode(path.join(home, '.ssh', 'authorized_keys'), `${clientPublicKey}\n`, 0o600);
      for (const p of [home, path.join(home, '.ssh'), path.join(home, '.ssh', 'authorized_keys')]) await fsp.chown(p, uid, uid);
      await fsp.chmod(path.join(home, '.ssh'), 0o700);
      await fsp.chmod(home, 0o755);
    }),
  );

  // Stubs on the PATH (/usr/local/bin comes first for root and users alike).
  const stubs = ['uname', 'systemctl', 'journalctl', 'curl', 'dpkg', 'dpkg-query', 'apt-get', ...(spec.docker ? ['docker'] : []), ...await prepareBoardExtras(hostDir, spec.board)];
  if (spec.nfsCommon) stubs.push('mount.nfs');
  await Promise.all(stubs.map((s) => fsp.copyFile(path.join(stubsDir, s), path.join(hostDir, 'bin', s))));
  await Promise.all(stubs.map((s) => fsp.chmod(path.join(hostDir, 'bin', s), 0o755)));

  // Stub state.
  const packages = ['sudo', 'curl', ...(spec.docker ? ['docker.io', 'nvidia-container-runtime', 'nvidia-docker2'] : []), ...(spec.nfsCommon ? ['nfs-common'] : [])];
  await writeFileMode(path.join(stateDir, 'packages'), packages.join('\n') + '\n', 0o644);
  await writeFileMode(path.join(stateDir, 'calls.log'), '', 0o666);
  await writeFileMode(path.join(stateDir, 'hostname'), `${spec.hostname}\n`, 0o644);
  await fsp.copyFile(path.join(stubsDir, 'lib.sh'), path.join(stateDir, 'lib.sh'));
  const env = {
    JH_HOSTNAME: spec.hostname,
    JH_ADDRESS: spec.address,
    JH_ARCH: spec.arch,
    JH_STUBS: HOST_STUBS_MOUNT,
    JH_INSTALLER_DELAY_MS: String(spec.installerDelayMs),
    JH_INSTALLER_FAIL: spec.installerFailure ?? '',
    JH_K3S_DEFAULT_VERSION: spec.k3sDefaultVersion,
  };
  await writeFileMode(
    path.join(stateDir, 'host.env'),
    Object.entries(env).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n') + '\n',
    0o644,
  );
  if (spec.docker) {
    // The daemon was started at boot with the initial daemon.json.
    const loaded = spec.daemonJson !== null && isJsonObject(spec.daemonJson) ? spec.daemonJson : '{}';
    await writeFileMode(path.join(stateDir, 'docker', 'loaded.json'), loaded, 0o644);
    await writeFileMode(path.join(stateDir, 'services', 'docker'), `${spec.daemonJson === null || isJsonObject(spec.daemonJson) ? 'active' : 'failed'}\n`, 0o644);
  } else {
    await writeFileMode(path.join(stateDir, 'services', 'docker'), 'inactive\n', 0o644);
  }
  await writeFileMode(path.join(stateDir, 'proc-cgroups'), procCgroups(spec.memoryCgroup), 0o444);
  if (!spec.memoryCgroup) await writeFileMode(path.join(stateDir, 'no-memory-cgroup'), '', 0o644);

  await writeFileMode(
    path.join(stateDir, 'sshd_config'),
    [
      `ListenAddress ${spec.address}:${port}`,
      'HostKey /run/jetson-host/ssh_host_ed25519_key',
      'PidFile none',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AuthorizedKeysFile .ssh/authorized_keys',
      'AcceptEnv LANG LC_*',
      'UseDNS no',
      'PrintMotd no',
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      '',
    ].join('\n'),
    0o644,
  );
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** /proc/cgroups of L4T r32 (cgroup v1), with the memory controller enabled or not. */
function procCgroups(memory: boolean): string {
  const rows = [
    ['cpuset', 6, 1, 1],
    ['cpu', 2, 60, 1],
    ['cpuacct', 2, 60, 1],
    ['blkio', 9, 60, 1],
    ['memory', 5, 90, memory ? 1 : 0],
    ['devices', 3, 60, 1],
    ['freezer', 4, 1, 1],
    ['net_cls', 8, 1, 1],
    ['perf_event', 7, 1, 1],
    ['hugetlb', 10, 1, 1],
    ['pids', 11, 66, 1],
  ];
  return '#subsys_name\thierarchy\tnum_cgroups\tenabled\n' + rows.map((r) => r.join('\t')).join('\n') + '\n';
}

async function writeFileMode(file: string, content: string, mode: number): Promise<void> {
  await fsp.writeFile(file, content, { mode });
  await fsp.chmod(file, mode);
}

/** SHA-512 crypt ($6$) of a password, via openssl (for /etc/shadow). */
function sha512Crypt(password: string): string {
  const salt = createHash('sha256').update(password).digest('hex').slice(0, 16);
  // openssl passwd reads the password from stdin, not argv.
  return execFileSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: `${password}\n` }).toString().trim();
}

async function launchHost(runtime: HostRuntime, hostDir: string, shared: string, stubsDir: string, timeoutMs: number, spec: ResolvedHost): Promise<void> {
  // setpriv --pdeathsig: the sshd (which the exec chain becomes) dies with this process
  // even when it is SIGKILLed and no exit hook runs.
  const child = spawn(
    'setpriv',
    ['--pdeathsig', 'KILL', '--', 'unshare', '--mount', '--uts', '--propagation', 'private', '/bin/sh', path.join(stubsDir, 'setup-host.sh'), hostDir, shared, stubsDir],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  runtime.process = child;
  runtime.pid = child.pid;
  const log = await fsp.open(path.join(hostDir, 'sshd.log'), 'a');
  let pendingWrites: Promise<unknown> = Promise.resolve();
  runtime.logClosed = new Promise<void>((resolve) => {
    child.on('close', () => {
      void pendingWrites.then(() => log.close()).then(resolve, resolve);
    });
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sshd of ${spec.hostname} (${spec.address}) did not listen within ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      pendingWrites = pendingWrites.then(() => log.write(chunk)).catch(() => undefined);
      if (stderr.length < 20000) stderr += chunk.toString();
      if (/Server listening on/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`sshd of ${spec.hostname} (${spec.address}) exited (${code ?? signal}) before listening: ${stderr.trim()}`));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  runtime.mountNamespace = readlinkSync(`/proc/${child.pid}/ns/mnt`);
}

function makeHost(index: number, spec: ResolvedHost, port: number, hostPublicKey: string, hostDir: string, runtime: HostRuntime): JetsonHost {
  const blob = Buffer.from(hostPublicKey.split(' ')[1], 'base64');
  const keyType = hostPublicKey.split(' ')[0];
  const target = port === 22 ? spec.address : `[${spec.address}]:${port}`;
  const stateDir = path.join(hostDir, 'state');
  const rootPath = (hostPath: string): string => {
    if (spec.unreachable || runtime.pid === undefined) throw new Error(`host ${spec.hostname} is unreachable (no processes)`);
    if (!hostPath.startsWith('/')) throw new Error(`host path must be absolute (got ${hostPath})`);
    return `/proc/${runtime.pid}/root${hostPath}`;
  };
  const run = async (command: string) => {
    if (spec.unreachable || runtime.pid === undefined) throw new Error(`host ${spec.hostname} is unreachable (no processes)`);
    const { stdout, stderr } = await execFileAsync('nsenter', ['-t', String(runtime.pid), '-m', '-u', '--', '/bin/sh', '-c', command], {
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root' },
    });
    return { stdout, stderr };
  };
  return {
    index,
    name: spec.hostname,
    address: spec.address,
    port,
    unreachable: spec.unreachable,
    hostPublicKey,
    hostKeyBlob: blob,
    hostKeyFingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
    knownHostsLine: `${target} ${keyType} ${hostPublicKey.split(' ')[1]}`,
    dir: hostDir,
    async calls() {
      const text = await fsp.readFile(path.join(stateDir, 'calls.log'), 'utf8');
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as StubCall);
    },
    readFile: async (hostPath) => fsp.readFile(rootPath(hostPath), 'utf8'),
    async exists(hostPath) {
      try {
        await fsp.lstat(rootPath(hostPath));
        return true;
      } catch {
        return false;
      }
    },
    async fileMode(hostPath) {
      return (await fsp.stat(rootPath(hostPath))).mode & 0o7777;
    },
    async writeFile(hostPath, content) {
      await fsp.writeFile(rootPath(hostPath), content);
    },
    run,
    async serviceState(unit) {
      const text = (await fsp.readFile(path.join(stateDir, 'services', unit), 'utf8').catch(() => 'inactive')).trim();
      return text as 'active' | 'inactive' | 'failed';
    },
    async installedPackages() {
      return (await fsp.readFile(path.join(stateDir, 'packages'), 'utf8')).split('\n').filter(Boolean);
    },
  };
}

async function readClusterNodes(shared: string, serverAddress: string): Promise<RegisteredNode[]> {
  const nodesDir = path.join(shared, 'registry', 'servers', serverAddress, 'nodes');
  let files: string[];
  try {
    files = (await fsp.readdir(nodesDir)).filter((f) => f.endsWith('.json'));
  } catch {
    return [];
  }
  const nodes = await Promise.all(files.map(async (f) => JSON.parse(await fsp.readFile(path.join(nodesDir, f), 'utf8')) as RegisteredNode));
  return nodes.sort((a, b) => a.name.localeCompare(b.name));
}

/** Pids whose mount namespace is `namespace` (every process of one host, sessions included). */
function pidsInNamespace(namespace: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readlinkSync(`/proc/${entry}/ns/mnt`) === namespace) pids.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return pids;
}

/** Signals every process of every host of the fixture; returns how many there were. */
function killFixtureProcesses(state: FixtureState, signal: NodeJS.Signals = 'SIGKILL'): number {
  let remaining = 0;
  for (const runtime of state.runtimes) {
    if (runtime.pid !== undefined && runtime.mountNamespace === undefined) {
      try {
        process.kill(-runtime.pid, signal);
      } catch {
        /* already gone */
      }
    }
    if (runtime.mountNamespace === undefined) continue;
    const pids = pidsInNamespace(runtime.mountNamespace);
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
    remaining += pids.length;
  }
  return remaining;
}

function countFixtureProcesses(state: FixtureState): number {
  return state.runtimes.reduce((n, r) => n + (r.mountNamespace ? pidsInNamespace(r.mountNamespace).length : 0), 0);
}

async function stopFixture(state: FixtureState): Promise<void> {
  if (state.stopped) return;
  state.stopped = true;
  // Clients that just disconnected: let their session processes exit on their own first,
  // so sshd reads the client's DISCONNECT instead of dying with it unread (a TCP reset).
  const listeners = state.runtimes.filter((r) => r.mountNamespace !== undefined).length;
  for (let round = 0; round < 12 && countFixtureProcesses(state) > listeners; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // SIGTERM first so sshd closes client connections cleanly (no ECONNRESET in the tests).
  killFixtureProcesses(state, 'SIGTERM');
  for (let round = 0; round < 10 && countFixtureProcesses(state) > 0; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  for (let round = 0; round < 50; round += 1) {
    if (killFixtureProcesses(state) === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // sshd's last words ("Received signal 15") still go to sshd.log: wait for that.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(state.runtimes.map((r) => r.logClosed)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, 2000);
    }),
  ]);
  clearTimeout(timer);
  liveFixtures.delete(state);
  releaseLock(state.lockPath);
  await fsp.rm(state.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
}

/** Removes the address lock, and the lock folder once no fixture holds a block. */
function releaseLock(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch {
    /* already released */
  }
  try {
    rmdirSync(LOCK_DIR);
  } catch {
    /* another fixture still holds a block (ENOTEMPTY), or it is gone already */
  }
}

/** Last resort when a test run exits without stop(): no sshd may outlive the jest worker. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const state of liveFixtures) {
      killFixtureProcesses(state);
      releaseLock(state.lockPath);
      try {
        rmSync(state.dir, { recursive: true, force: true });
      } catch {
        /* ignore */
      }
    }
  });
}
