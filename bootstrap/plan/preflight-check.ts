/**
 * The shape of one preflight verdict line, shared by the preflight (preflight.ts) and the board
 * checks it runs (board-checks.ts, clock.ts, nvidia-runtime.ts, power-mode.ts).
 */

export type CheckStatus = 'ok' | 'fix' | 'warn' | 'fail';

/** One preflight line: `fix` means the bootstrapper will change it; `fail` stops the host. */
export interface PreflightCheck {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}
