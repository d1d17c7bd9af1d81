/**
 * The seam between orchestration and transport (after k3sup's pkg/operator): everything the
 * verbs do on a host goes through an Operator. One implementation, HostOperator
 * (root-access.ts), runs over any Transport: `sshOperators` gives it SSH sessions
 * (ssh-session.ts); tests give it an in-memory transport (test/bootstrap/memory-operator.ts).
 */
import type { LocalFileKind } from '../../lib/local-file';
import type { SshEndpoint } from '../plan/targets';
import { KnownHosts } from './known-hosts';
import { HostOperator, type Privilege } from './root-access';
import { SshSession } from './ssh-session';
import type { ExecResult } from './transport';

export type { ExecResult, Privilege };

/** One host, as the verbs see it. */
export interface Operator {
  /** user@host:port, for messages. */
  readonly label: string;
  /** How root scripts run; settled by detectPrivilege. */
  readonly privilege: Privilege;
  /** Completed connection handshakes (target: 1 per host per run). */
  readonly handshakes: number;
  connect(): Promise<void>;
  /** Finds out how root commands run: as root, passwordless sudo, or sudo with a password. */
  detectPrivilege(): Promise<Privilege>;
  /** Checks the sudo password and keeps it for later root scripts. */
  useSudoPassword(password: string): Promise<void>;
  /** Runs a shell script as root (on stdin, never argv); a non-zero exit is returned, not thrown. */
  runAsRoot(script: string): Promise<ExecResult>;
  /** Reads a file as root: its text, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Runs a command as the login user. */
  run(command: string, stdin?: string): Promise<ExecResult>;
  /** Copies the local file `local` (a file of `kind`) to `remote`, a new file, as the login user. */
  upload(local: string, remote: string, kind: LocalFileKind): Promise<void>;
  close(): void;
}

/** What an operator factory is told about the run. */
export interface OperatorContext {
  readonly knownHostsFile: string;
  readonly trustNewHosts: boolean;
  /** False in a dry run: a trusted new host key is accepted but not recorded. */
  readonly recordNewHosts: boolean;
  readonly connectTimeoutMs: number;
  readonly homeDir: string;
  readonly agentSocket?: string;
}

/** Opens operators for one run; `close` ends what they share (jump hosts). */
export interface OperatorFactory {
  open(endpoint: SshEndpoint): Operator;
  close(): Promise<void>;
}

/** Operators over SSH: one session per host, one shared session per jump host. */
export function sshOperators(context: OperatorContext): OperatorFactory {
  const knownHosts = new KnownHosts(context.knownHostsFile);
  const jumps = new Map<string, Promise<SshSession>>();
  const newSession = (endpoint: SshEndpoint): SshSession => new SshSession({
    endpoint,
    knownHosts,
    trustNewHosts: context.trustNewHosts,
    recordNewHosts: context.recordNewHosts,
    connectTimeoutMs: context.connectTimeoutMs,
    homeDir: context.homeDir,
    agentSocket: context.agentSocket,
    openJump,
  });
  function openJump(endpoint: SshEndpoint): Promise<SshSession> {
    const key = `${endpoint.user}@${endpoint.host}:${endpoint.port}`;
    let session = jumps.get(key);
    if (!session) {
      session = (async () => {
        const s = newSession(endpoint);
        await s.connect();
        return s;
      })();
      jumps.set(key, session);
    }
    return session;
  }
  return {
    open: (endpoint) => new HostOperator(newSession(endpoint)),
    async close() {
      for (const jump of jumps.values()) {
        try {
          (await jump).close();
        } catch {
          // the failed jump was already reported by the host that needed it
        }
      }
    },
  };
}
