/**
 * Text from outside the client (a server's answer, a tensor name, a label, a file name)
 * made safe to print on a terminal and to write into a report (issue 20.16): one line, no
 * control characters (C0 with ESC and BEL, DEL, and the 8-bit C1 forms such as U+009B CSI:
 * no cursor movement, recolouring, or OSC 52 clipboard write), no line or paragraph
 * separators, no bidirectional overrides that would show text in another order than it is.
 * What remains of an escape sequence is its harmless printable tail ("]52;c;...").
 *
 * The one sanitiser of the client: verify's table, infer's lines, bench's table and
 * reports, and every error line the CLI prints go through it.
 */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/** Arabic letter mark, LRM/RLM, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** One line of plain text: control characters and line breaks become spaces, bidi controls go; at most `max` characters. */
export function printable(text: string, max = Number.POSITIVE_INFINITY): string {
  const clean = text.replace(BIDI, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, Math.max(0, max - 1))}…` : clean;
}
