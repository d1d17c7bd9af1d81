/**
 * What carries commands to one host: SSH (ssh-session.ts), or memory in tests
 * (test/bootstrap/memory-operator.ts). A transport runs commands as the login user and
 * knows nothing of root; root-access.ts decides how root commands run, once, for all.
 */
import type { LocalFileKind } from '../../lib/local-file';

/** A failure with a message that names the host and the fix. */
export class HostError extends Error {
  constructor(public readonly kind: 'unreachable' | 'auth' | 'host-key' | 'sudo' | 'step', message: string) {
    super(message);
    this.name = 'HostError';
  }
}

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** One connection to one host, as the login user. */
export interface Transport {
  /** user@host:port, for messages. */
  readonly label: string;
  /** Completed connection handshakes (target: 1 per host per run). */
  readonly handshakes: number;
  connect(): Promise<void>;
  /** Runs `command` as the login user; `stdin` is sent and closed. A non-zero exit is returned, not thrown. */
  exec(command: string, stdin?: string): Promise<ExecResult>;
  /**
   * Copies the local file `local` (read as a file of `kind`: regular, bounded) to `remote`, a
   * new file in a folder the login user made; an existing file there is not overwritten.
   */
  upload(local: string, remote: string, kind: LocalFileKind): Promise<void>;
  close(): void;
}
