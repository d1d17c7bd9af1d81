/** Shell text helpers for the scripts sent to `sh -s` on the nodes (POSIX sh / dash / busybox). */
import { randomBytes } from 'node:crypto';

/** Quotes `value` as one POSIX shell word. */
export function shQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command that writes `content` to stdout through a quoted here-document. The
 * delimiter is random so no content line can end it early.
 */
export function heredoc(command: string, content: string): string {
  let delimiter: string;
  do {
    delimiter = `TRITON_JETSON_${randomBytes(6).toString('hex').toUpperCase()}`;
  } while (content.includes(delimiter));
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `${command} <<'${delimiter}'\n${body}${delimiter}`;
}
