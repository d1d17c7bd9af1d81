/**
 * What carries commands to one host: SSH (ssh-session.ts), or memory in tests
 * (test/bootstrap/memory-operator.ts). A transport runs commands as the login user and
 * knows nothing of root; root-access.ts decides how root commands run, once, for all.
 */

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
  /** Copies the local file `local` to `remote` (as the login user). */
  upload(local: string, remote: string): Promise<void>;
  close(): void;
}
