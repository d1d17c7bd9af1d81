/**
 * Board clocks (pure). A Jetson without an RTC battery (the Nano developer kit ships
 * without one) comes back from a power cut with a wrong clock, and an isolated cluster has
 * no NTP to correct it: K3s' certificates are then "not yet valid" on the board and agents
 * fail to join with x509 errors that do not say why. The probe prints the board's clock on
 * its first line; the operator's clock is read before the probe is sent and after its
 * answer, so the round trip is accounted for: only a skew the round trip cannot explain
 * counts.
 */
import type { PreflightCheck } from './preflight-check';

/** The probe's first line: the board's clock, seconds since the epoch (UTC). */
export const CLOCK_PROBE_LINE = 'echo "clock=$(date -u +%s)"';
/** Beyond this skew a board gets a warning. */
export const CLOCK_WARN_SECONDS = 5;
/** Beyond this skew a board is stopped: its certificates' validity windows would not match. */
export const CLOCK_FAIL_SECONDS = 3600;

/** The board's clock as the probe printed it, and this machine's clock around the probe. */
export interface ClockReading {
  /** The board's `date +%s` (whole seconds, truncated). */
  readonly boardEpochSeconds: number;
  /** This machine's clock (ms since the epoch) just before the probe was sent. */
  readonly sentAtMs: number;
  /** This machine's clock just after the probe's answer arrived. */
  readonly receivedAtMs: number;
}

/** Parses the probe's `clock=` value (digits only; anything else is no reading). */
export function parseBoardClock(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) : undefined;
}

/**
 * The board's skew (board minus this machine, in seconds): `least` is the smallest skew
 * consistent with the reading (the board read its clock somewhere inside the round trip,
 * and `date +%s` truncates, so any skew in (board - received, board + 1 s - sent) is
 * possible; 0 when that holds 0), `estimate` its middle, for messages.
 */
export function clockSkew(reading: ClockReading): { readonly least: number; readonly estimate: number } {
  const board = reading.boardEpochSeconds * 1000;
  const lowest = board - reading.receivedAtMs;
  const highest = board + 1000 - reading.sentAtMs;
  const least = lowest > 0 ? lowest : highest < 0 ? highest : 0;
  return { least: least / 1000, estimate: (lowest + highest) / 2000 };
}

/** The smallest skew consistent with the reading (clockSkew), in seconds. */
export function clockSkewSeconds(reading: ClockReading): number {
  return clockSkew(reading).least;
}

/** "3 d 0 h", "2 h 5 min", "4 min 10 s", "12 s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  if (s >= 86400) return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The clock check's warning when the board's `date` answered nothing readable (missing, words, another format). */
export const UNREADABLE_CLOCK = 'the board\'s clock could not be read (`date -u +%s` printed no number of seconds): check it by hand (`date -u` on the board against this machine\'s); '
  + 'a clock far off makes K3s certificates "not yet valid" and agents fail to join with x509 errors';

/** The clock check of one board, or undefined when the probe printed no clock. */
export function evaluateClock(reading: ClockReading | undefined): PreflightCheck | undefined {
  if (!reading) return undefined;
  const { least: skew, estimate } = clockSkew(reading);
  const roundTrip = ((reading.receivedAtMs - reading.sentAtMs) / 1000).toFixed(1);
  if (Math.abs(skew) <= CLOCK_WARN_SECONDS) {
    return { name: 'clock', status: 'ok', detail: `within ${CLOCK_WARN_SECONDS} s of this machine's (round trip ${roundTrip} s)` };
  }
  const how = `${formatDuration(estimate)} ${skew < 0 ? 'behind' : 'ahead of'} this machine's`;
  const now = reading.receivedAtMs;
  if (Math.abs(skew) <= CLOCK_FAIL_SECONDS) {
    return {
      name: 'clock', status: 'warn',
      detail: `the board's clock is ${how}; keep it synchronised (\`sudo timedatectl set-ntp true\` with an NTP server it can reach), or K3s certificates and logs will disagree across nodes`,
    };
  }
  return {
    name: 'clock', status: 'fail',
    detail: `the board's clock is ${how} (board ${isoSeconds(reading.boardEpochSeconds * 1000)}, here ${isoSeconds(now)}); `
      + 'K3s certificates would be "not yet valid" (or expired) on it and agents fail to join with x509 errors: '
      + 'set the clock, e.g. `sudo timedatectl set-ntp true` with an NTP server the board can reach (NTP= in /etc/systemd/timesyncd.conf on an isolated network), '
      + `or \`sudo date -u -s '${isoSeconds(now).replace('T', ' ').replace('Z', '')}' && sudo hwclock -w\` (a board without an RTC battery loses it again at the next power cut), then run bootstrap again`,
  };
}
