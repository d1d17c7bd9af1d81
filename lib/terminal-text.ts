/**
 * Text from outside (a board's answer, a file name, a server's error, a label) made safe to
 * print on a terminal and to write into a report. The one sanitiser of the project, in two
 * forms: `printable` for one line of a message, table or report (control characters become
 * spaces, bidi controls go, bounded), `terminalSafe`/`terminalLines` for multi-line output
 * shown as it was (control characters shown as \uXXXX).
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Arabic letter mark, LRM/RLM, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One line of plain text: C0 and C1 control characters (ESC, BEL, the 8-bit CSI U+009B: no
 * cursor movement, recolouring or OSC 52 clipboard write) and line or paragraph separators
 * become spaces, bidirectional overrides go (no text shown in another order than it is),
 * runs of white space shrink to one; at most `max` characters (the last one "…"). What
 * remains of an escape sequence is its harmless printable tail ("]52;c;...").
 */
export function printable(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(BIDI, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  return `${wordStart(clean.slice(0, Math.max(0, max - 1)), clean[max - 1])}…`;
}

/** `head` without a word cut at its end (when `next`, the character after it, continues that word and a space is near). */
function wordStart(head: string, next: string | undefined): string {
  if (next === undefined || /\s/.test(next)) return head;
  const space = head.lastIndexOf(' ');
  return space >= head.length * 0.6 ? head.slice(0, space + 1) : head;
}

/**
 * At most `max` characters of one line, the middle cut between words when it is longer: the
 * start (the field a problem names) and the end (its fix) both stay, `…` where text went.
 * For lines of our own words that embed outside text of unbounded length.
 */
export function shortenMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keep = Math.max(0, max - 3);
  const headLength = Math.ceil(keep / 2);
  let head = text.slice(0, headLength);
  let tail = text.slice(text.length - (keep - headLength));
  const headSpace = head.lastIndexOf(' ');
  if (headSpace >= head.length * 0.6) head = head.slice(0, headSpace);
  const tailSpace = tail.indexOf(' ');
  if (tailSpace >= 0 && tailSpace <= tail.length * 0.4) tail = tail.slice(tailSpace + 1);
  return `${head.trimEnd()} … ${tail.trimStart()}`;
}

/**
 * Every control character except the line feed and tab — escape sequences (colours, cursor
 * moves, OSC 52 clipboard writes), carriage returns, backspaces — and the bidirectional
 * overrides shown as \uXXXX instead of acting on the terminal.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longest line printed from outside text: a board may answer with megabytes on one line. */
export const MAX_PRINTED_LINE = 4000;

/** terminalSafe, with every line longer than MAX_PRINTED_LINE cut (saying how much was left out). */
export function terminalLines(text: string): string {
  return terminalSafe(text)
    .split('\n')
    .map((line) => (line.length > MAX_PRINTED_LINE ? `${line.slice(0, MAX_PRINTED_LINE)}… (${line.length - MAX_PRINTED_LINE} more characters)` : line))
    .join('\n');
}
