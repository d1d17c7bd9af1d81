/** Shell text helpers for the scripts sent to `sh -s` on the nodes (POSIX sh / dash / busybox). */
import { createHash } from 'node:crypto';

/** Quotes `value` as one POSIX shell word. */
export function shQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command that writes `content` to stdout through a quoted here-document. The
 * delimiter derives from the content's digest, so no content line can end it early and
 * the same content always gives the same script (stable dry-run output).
 */
export function heredoc(command: string, content: string): string {
  let delimiter = '';
  for (let salt = 0; delimiter === '' || content.includes(delimiter); salt += 1) {
    delimiter = `TRITON_JETSON_${createHash('sha256').update(`${salt}:${content}`).digest('hex').slice(0, 12).toUpperCase()}`;
  }
  const body = content.endsWith('\n') ? content : `${content}\n`;
  return `${command} <<'${delimiter}'\n${body}${delimiter}`;
}
