/**
 * Timing of whole commands for the benchmark scripts (`npm run bench`): each candidate is
 * warmed up once, then all are run in turn, `runs` times, so that background load on a shared
 * machine affects them alike; the median of each is reported.
 */
import { spawnSync } from 'node:child_process';

export interface Candidate {
  /** Shown in the report. */
  readonly name: string;
  /** Program and arguments. */
  readonly argv: readonly string[];
  /** The exit status a correct run ends with (a failing verify: 1). */
  readonly status?: number;
}

export interface Timing {
  readonly name: string;
  readonly median: number;
  readonly samples: number[];
}

/** Seconds one run of `argv` took; throws when it exits otherwise than `status`. */
export function timeOnce(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv, status = 0): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0], argv.slice(1), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf-8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== status) throw new Error(`${argv.join(' ')} exited ${result.status}, not ${status}:\n${result.stderr}`);
  return seconds;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Runs every candidate once to warm up, then `runs` interleaved rounds; medians in the candidates' order. */
export function timeInterleaved(candidates: readonly Candidate[], runs: number, cwd: string, env: NodeJS.ProcessEnv = process.env): Timing[] {
  const samples = candidates.map((c) => {
    timeOnce(c.argv, cwd, env, c.status);
    return [] as number[];
  });
  for (let i = 0; i < runs; i++) candidates.forEach((c, j) => samples[j].push(timeOnce(c.argv, cwd, env, c.status)));
  return candidates.map((c, j) => ({ name: c.name, median: median(samples[j]), samples: samples[j] }));
}

export const seconds = (xs: readonly number[]) => `[${xs.map((x) => x.toFixed(2)).join(' ')}]`;
