/**
 * Parsers of command-line values shared by `verify`, `infer` and `bench` (commander's
 * argParser functions): each refuses a bad value with the range it accepts.
 */
import { InvalidArgumentError } from 'commander';

/**
 * A value written in plain decimal (`12`, `0.5`), else NaN: Number() alone would also take
 * `0x10`, `1e3`, `0b1`, `Infinity` or an empty string (0), which no one means on a command line.
 */
export function decimalNumber(value: string): number {
  return /^\s*-?(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : NaN;
}

export function parsePositiveInt(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number >= 1');
  return n;
}

export function parsePort(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a TCP port (1-65535)');
  return n;
}

export function parseSeconds(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new InvalidArgumentError('must be a number of seconds (0 < s <= 3600)');
  return n;
}

/** A long wait (verify --wait-timeout): a rollout across many boards takes hours. */
export function parseWaitSeconds(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86400) throw new InvalidArgumentError('must be a number of seconds (0 < s <= 86400, one day)');
  return n;
}

export function parsePercentile(value: string): number {
  const n = decimalNumber(value);
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new InvalidArgumentError('must be a whole number from 1 to 99');
  return n;
}
