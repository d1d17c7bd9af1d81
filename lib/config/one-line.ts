/** Text made safe to print on one line (no zod: part of the published typings). */

/** Longest "field: problem" line printed. */
const MAX_ISSUE_LENGTH = 300;

/** Makes text safe to print as (part of) one line: control characters escaped, length capped. */
export function oneLine(text: string, max = MAX_ISSUE_LENGTH): string {
  const flat = text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
