/**
 * Text from outside (a board's answer, a file name, a server's error) made safe to print on
 * a terminal: every control character except the line feed and tab — escape sequences
 * (colours, cursor moves, OSC 52 clipboard writes), carriage returns, backspaces — and the
 * bidirectional overrides are shown as \uXXXX instead of acting on the terminal.
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
