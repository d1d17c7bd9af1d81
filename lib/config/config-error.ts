/**
 * The one error of every validator (cluster.yaml, construct props): one line per problem.
 * No zod here: this file is part of the published typings (lib/index.ts).
 */
import { oneLine } from './one-line';

/** At most this many issues are listed; the rest are counted. */
export const MAX_LISTED_ISSUES = 20;

/**
 * Invalid or unreadable cluster description (or construct props): `issues` are
 * "field: problem" lines. With one issue the message is a single line.
 */
export class ClusterConfigError extends Error {
  /** What was validated: a file name, "(object)" or "<Construct> props". */
  public readonly source: string;
  /** One line per problem: `field: problem; fix`. */
  public readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[], headline = `invalid cluster description ${oneLine(source, 200)}`) {
    const lines = issues.map((i) => oneLine(i));
    const listed = lines.length > MAX_LISTED_ISSUES
      ? [...lines.slice(0, MAX_LISTED_ISSUES), `… and ${lines.length - MAX_LISTED_ISSUES} more problems`]
      : lines;
    super(listed.length === 1 ? `${headline}: ${listed[0]}` : `${headline}:\n${listed.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ClusterConfigError';
    this.source = source;
    this.issues = lines;
  }
}
