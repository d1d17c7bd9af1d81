/**
 * How root commands run on a host, decided once for every transport: as root, through
 * passwordless sudo, or through sudo with a password. Root scripts (and any secret in them)
 * travel on the stdin of a shell, never in argv; the sudo password only ever travels on
 * stdin, as its first line, read by `sudo -S`.
 */
import type { LocalFileKind } from '../../lib/local-file';
import { shQuote } from '../plan/shell';
import { HostError, type ExecResult, type Transport } from './transport';

export type Privilege = 'root' | 'sudo-nopasswd' | 'sudo-password';

/**
 * The shell that reads a root script on its stdin, by privilege. With 'sudo-password' the
 * first stdin line is the password, read by `sudo -S` before the script.
 */
export const ROOT_SHELL_COMMANDS: Readonly<Record<Privilege, string>> = {
  root: 'sh -s',
  'sudo-nopasswd': 'sudo -n sh -s',
  'sudo-password': "sudo -S -k -p '' sh -s",
};

/** Exit status of {@link readFileScript} when the file does not exist. */
export const MISSING_FILE_EXIT = 3;

/**
 * The root script that prints the file at `path`, or exits MISSING_FILE_EXIT when there is
 * none. Only a regular file is read: a FIFO would block `cat` forever, a device never end
 * (the transport also stops reading a too long answer).
 */
export function readFileScript(path: string): string {
  const quoted = shQuote(path);
  return [
    `if [ ! -e ${quoted} ]; then exit ${MISSING_FILE_EXIT}; fi`,
    `if [ ! -f ${quoted} ]; then echo ${shQuote(`${path} is not a regular file`)} >&2; exit 1; fi`,
    `exec cat -- ${quoted}`,
  ].join('\n');
}

/**
 * An Operator over any Transport: the transport carries commands, this decides how root runs.
 * (It satisfies operator.ts's Operator structurally, checked where sshOperators returns it:
 * importing that interface here would make the two files import each other.)
 */
export class HostOperator {
  private current: Privilege = 'root';
  private sudoPassword?: string;

  constructor(private readonly transport: Transport) {}

  get label(): string { return this.transport.label; }
  get handshakes(): number { return this.transport.handshakes; }
  get privilege(): Privilege { return this.current; }

  connect(): Promise<void> { return this.transport.connect(); }

  /** Finds out how root commands run: as root, passwordless sudo, or sudo with a password. */
  async detectPrivilege(): Promise<Privilege> {
    const id = await this.transport.exec('id -u');
    if (id.stdout.trim() === '0') return (this.current = 'root');
    const probe = await this.transport.exec('sudo -n true');
    if (probe.code === 0) return (this.current = 'sudo-nopasswd');
    if (/not found/.test(probe.stderr)) {
      throw new HostError('sudo', `${this.label}: user is not root and sudo is not installed; connect as root or install sudo`);
    }
    return (this.current = 'sudo-password');
  }

  /** Checks `password` with sudo (stdin only) and keeps it for later root scripts. */
  async useSudoPassword(password: string): Promise<void> {
    const check = await this.transport.exec("sudo -S -k -p '' true", `${password}\n`);
    if (check.code !== 0) {
      throw new HostError('sudo', `${this.label}: sudo refused the password (or the user may not use sudo); check it, or allow passwordless sudo for this user`);
    }
    this.sudoPassword = password;
  }

  /** Runs a shell script as root, on the stdin of ROOT_SHELL_COMMANDS[privilege]. */
  async runAsRoot(script: string): Promise<ExecResult> {
    const shell = ROOT_SHELL_COMMANDS[this.current];
    const body = `${script}\n`;
    if (this.current !== 'sudo-password') return this.transport.exec(shell, body);
    if (this.sudoPassword === undefined) throw new HostError('sudo', `${this.label}: sudo needs a password and none was given`);
    return this.transport.exec(shell, `${this.sudoPassword}\n${body}`);
  }

  /** Reads a file as root: its text, or undefined when it does not exist. */
  async readFile(path: string): Promise<string | undefined> {
    const result = await this.runAsRoot(readFileScript(path));
    if (result.code === MISSING_FILE_EXIT) return undefined;
    if (result.code !== 0) {
      throw new HostError('step', `${this.label}: cannot read ${path} (exit ${result.code ?? 'signal'}): ${result.stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}`);
    }
    return result.stdout;
  }

  run(command: string, stdin?: string): Promise<ExecResult> { return this.transport.exec(command, stdin); }
  upload(local: string, remote: string, kind: LocalFileKind): Promise<void> { return this.transport.upload(local, remote, kind); }
  close(): void { this.transport.close(); }
}
