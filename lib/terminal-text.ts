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
