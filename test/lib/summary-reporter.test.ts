import { missingReason, SKIP_REASON_PREFIX } from '../support/prereq';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SummaryReporter = require('../summary-reporter.js');

interface FakeTest { ancestorTitles: string[]; title: string; status: string }

function results(files: Record<string, FakeTest[]>) {
  const all = Object.values(files).flat();
  return {
    numPassedTests: all.filter((t) => t.status === 'passed').length,
    numFailedTests: all.filter((t) => t.status === 'failed').length,
    numRuntimeErrorTestSuites: 0,
    numPendingTests: all.filter((t) => t.status === 'pending').length,
    numTodoTests: all.filter((t) => t.status === 'todo').length,
    testResults: Object.entries(files).map(([file, testResults]) => ({ testFilePath: `/repo/${file}`, testResults })),
  };
}

function report(files: Record<string, FakeTest[]>, options: { ci?: boolean; testNamePattern?: string } = {}) {
  const reporter = new SummaryReporter({ rootDir: '/repo', testNamePattern: options.testNamePattern });
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const ci = process.env.CI;
  if (options.ci) process.env.CI = 'true'; else delete process.env.CI;
  try {
    reporter.onRunComplete(new Set(), results(files));
  } finally {
    write.mockRestore();
    if (ci === undefined) delete process.env.CI; else process.env.CI = ci;
  }
  return { lines: out.split('\n').filter((l) => l !== ''), error: reporter.getLastError() as Error | undefined };
}

const skippedBlock = (reason: string) => `fake Jetson hosts${SKIP_REASON_PREFIX}${reason}]`;

describe('the closing summary', () => {
  test('is one line, followed by one line per skipped block with its reason', () => {
    const { lines, error } = report({
      'test/a.test.ts': [
        { ancestorTitles: ['unit'], title: 'works', status: 'passed' },
      ],
      'test/b.test.ts': [
        { ancestorTitles: [skippedBlock('missing root (run as root)')], title: 'one', status: 'pending' },
        { ancestorTitles: [skippedBlock('missing root (run as root)'), 'nested'], title: 'two', status: 'pending' },
      ],
      'test/c.test.ts': [
        { ancestorTitles: ['plain'], title: 'skipped by hand', status: 'pending' },
      ],
    });
    expect(lines).toEqual([
      'jest: 1 passed, 0 failed, 3 skipped',
      'skipped: fake Jetson hosts (missing root (run as root)) - 2 tests, test/b.test.ts',
      'skipped: plain > skipped by hand (no reason given) - 1 test, test/c.test.ts',
    ]);
    expect(error).toBeUndefined();
  });

  test('keeps the closing line alone when nothing is skipped', () => {
    const { lines } = report({ 'test/a.test.ts': [{ ancestorTitles: [], title: 'x', status: 'passed' }] });
    expect(lines).toEqual(['jest: 1 passed, 0 failed, 0 skipped']);
  });

  test('fails the run under CI=true when anything was skipped', () => {
    const { lines, error } = report({ 'test/c.test.ts': [{ ancestorTitles: [], title: 'later', status: 'pending' }] }, { ci: true });
    expect(lines[0]).toBe('jest: 0 passed, 0 failed, 1 skipped');
    expect(lines).toContain('failing the run: 1 skipped under CI=true (skipping is not passing)');
    expect(error?.message).toMatch(/skipping is not passing/);
  });

  test('sums up tests filtered out by -t per file instead of failing', () => {
    const { lines, error } = report({
      'test/a.test.ts': [
        { ancestorTitles: ['a'], title: 'one', status: 'pending' },
        { ancestorTitles: ['a'], title: 'two', status: 'pending' },
      ],
    }, { ci: true, testNamePattern: 'three' });
    expect(lines).toEqual(['jest: 0 passed, 0 failed, 2 skipped', 'skipped: tests not matching -t (filtered out) - 2 tests, test/a.test.ts']);
    expect(error).toBeUndefined();
  });
});

describe('missingReason', () => {
  test('groups the missing prerequisites by hint', () => {
    expect(missingReason([
      { name: 'root', present: false, hint: 'run as root' },
      { name: 'sshd', present: false, hint: 'bash scripts/test-deps/20-ssh.sh' },
      { name: 'sudo', present: true, hint: 'bash scripts/test-deps/20-ssh.sh' },
      { name: 'jq', present: false, hint: 'bash scripts/test-deps/20-ssh.sh' },
    ])).toBe('missing root (run as root); sshd, jq (bash scripts/test-deps/20-ssh.sh)');
    expect(missingReason([{ name: 'sh', present: true, hint: '' }])).toBe('');
  });
});
