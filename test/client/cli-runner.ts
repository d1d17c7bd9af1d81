/**
 * Runs the `triton-jetson` program in a child process, as a user would, without blocking
 * the test's own servers. It runs the TypeScript sources through tsx (what
 * bin/triton-jetson.js does with TRITON_JETSON_DEBUG=1) rather than bin/'s cached bundle,
 * so that Node options (nodeArgs) apply to exactly the code under test.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const repoRoot = join(__dirname, '..', '..');

export interface RunCliOptions {
  /** Variables added to the environment (TRITON_JETSON_CONFIG is cleared unless given). */
  readonly env?: Readonly<Record<string, string>>;
  /** Node options placed before the script, e.g. ['--max-old-space-size=256']. */
  readonly nodeArgs?: readonly string[];
}

export function runCli(args: readonly string[], cwd = repoRoot, options: RunCliOptions = {}): Promise<CliResult> {
  const env = { ...process.env, TRITON_JETSON_CONFIG: '', ...options.env };
  const nodeArgs = [...(options.nodeArgs ?? []), '--require', require.resolve('tsx/cjs')];
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, join(repoRoot, 'cli', 'triton-jetson.ts'), ...args], { cwd, env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback port nothing listens on (bound, then released). */
export function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Table text with borders and line wraps removed, for substring checks. */
export function flattenTable(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[│┌┐└┘├┤┬┴┼─]/g, ' '))
    .join(' ')
    .replace(/\s+/g, ' ');
}
