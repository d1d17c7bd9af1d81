/** Runs `node bin/triton-jetson.js ...` as a user would, without blocking the test's own servers. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const repoRoot = join(__dirname, '..', '..');

export function runCli(args: readonly string[], cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin', 'triton-jetson.js'), ...args], { cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
