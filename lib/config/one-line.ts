/** Text made safe to print on one line (no zod: part of the published typings). */
import { shortenMiddle } from '../terminal-text';

/**
 * Longest "field: problem; fix" line printed. Our own words fit (the longest are about 400
 * characters); only a line embedding a huge outside value reaches it, and then loses its middle,
 * not its fix.
 */
const MAX_ISSUE_LENGTH = 600;

/**
 * Makes text safe to print as (part of) one line: control characters escaped, length capped
 * by cutting the middle between words (the start names the field, the end holds the fix).
 */
export function oneLine(text: string, max = MAX_ISSUE_LENGTH): string {
  const flat = text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shortenMiddle(flat, max);
}
