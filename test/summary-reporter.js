// Prints jest's usual summary ("Test Suites: ..."), then one plain closing line ("jest: N passed,
// N failed, N skipped") that CI logs can be read by, then one line per skipped block with its
// reason, so a skip never passes silently. jest.config.js pairs it with
// test/jest-default-reporter.js (jest's 'default' without its summary), so these are the last
// lines of the run:
//
//   jest: 301 passed, 0 failed, 12 skipped
//   skipped: fake Jetson hosts (4 hosts, root login) (missing root (run the tests as root ...)) - 9 tests, test/bootstrap-fixture/jetson-hosts.test.ts
//
// test/support/prereq.ts puts the reason in the skipped block's title ("<title> [skipped: <reason>]").
// A skipped test without such a reason is listed as "(no reason given)". Under CI=true any
// skipped test also fails the run (prereq.ts already throws for a missing prerequisite there).
const path = require('node:path');
const { SummaryReporter: JestSummaryReporter } = require('@jest/reporters');

const SKIP_REASON = / \[skipped: (.*)\]$/;

class SummaryReporter {
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
    this.filtered = Boolean(globalConfig.testNamePattern);
    this.lastError = undefined;
    this.jestSummary = new JestSummaryReporter(globalConfig, {});
  }

  onRunStart(results, options) {
    this.jestSummary.onRunStart(results, options);
  }

  onRunComplete(contexts, results) {
    this.jestSummary.onRunComplete(contexts, results);
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const lines = this.skipLines(results);
    process.stdout.write(`\njest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    for (const line of lines) process.stdout.write(`${line}\n`);
    if (skipped > 0 && process.env.CI === 'true' && !this.filtered) {
      this.lastError = new Error(`${skipped} skipped tests under CI=true: skipping is not passing`);
      process.stdout.write(`failing the run: ${skipped} skipped under CI=true (skipping is not passing)\n`);
    }
  }

  /** One line per (file, skipped block, reason), in file order. */
  skipLines(results) {
    const groups = new Map();
    for (const file of results.testResults) {
      const relative = path.relative(this.rootDir, file.testFilePath).split(path.sep).join('/');
      for (const test of file.testResults) {
        if (test.status !== 'pending' && test.status !== 'todo' && test.status !== 'skipped') continue;
        let block;
        let reason;
        for (const title of [...test.ancestorTitles, test.title]) {
          const match = SKIP_REASON.exec(title);
          if (match) {
            block = title.slice(0, match.index);
            reason = match[1];
            break;
          }
        }
        if (!reason && this.filtered && test.status !== 'todo') {
          block = 'tests not matching -t';
          reason = 'filtered out';
        } else if (!reason) {
          block = [...test.ancestorTitles, test.title].join(' > ');
          reason = test.status === 'todo' ? 'todo' : 'no reason given';
        }
        const key = `${relative}\0${block}\0${reason}`;
        const group = groups.get(key) ?? { relative, block, reason, count: 0 };
        group.count += 1;
        groups.set(key, group);
      }
    }
    return [...groups.values()].map(
      (g) => `skipped: ${g.block} (${g.reason}) - ${g.count} test${g.count === 1 ? '' : 's'}, ${g.relative}`,
    );
  }

  getLastError() {
    return this.lastError ?? this.jestSummary.getLastError();
  }
}
module.exports = SummaryReporter;
