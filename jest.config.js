/** Unit and integration tests. Snapshots live in the top-level __snapshots__/ folder. */
const { accessSync, constants, existsSync } = require('node:fs');
const { homedir, tmpdir, userInfo } = require('node:os');
const path = require('node:path');

/**
 * jest's transform cache beside the dependencies (node_modules/.cache/jest) when this user may
 * write there; in a checkout of another user's (a root-owned clone run as nobody) this user's
 * ~/.cache/cdk8s-triton-jetson/jest (where the test prerequisites are cached too), else a folder
 * of this user's in the machine's temporary folder (jest's own default place), instead of
 * failing with EACCES before any test runs.
 */
function writable(target) {
  for (let dir = target; ; dir = path.dirname(dir)) {
    if (existsSync(dir)) {
      try {
        accessSync(dir, constants.W_OK);
        return true;
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

function cacheDirectory() {
  const preferred = path.join(__dirname, 'node_modules', '.cache', 'jest');
  if (writable(preferred)) return preferred;
  let home;
  try {
    home = homedir();
  } catch {
    home = undefined;
  }
  if (home && existsSync(home) && writable(path.join(home, '.cache', 'cdk8s-triton-jetson', 'jest'))) return path.join(home, '.cache', 'cdk8s-triton-jetson', 'jest');
  let uid = 'user';
  try {
    uid = String(userInfo().uid);
  } catch {
    // no passwd entry: the name does not matter
  }
  return path.join(tmpdir(), `jest-triton-jetson-${uid}`);
}

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/out/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  // jest's default progress output, then its summary and our closing lines (skips with reasons).
  reporters: ['<rootDir>/test/jest-default-reporter.js', '<rootDir>/test/summary-reporter.js'],
  // A private TMPDIR per run, removed afterwards: tests leave nothing in /tmp.
  globalSetup: '<rootDir>/test/global-setup.js',
  globalTeardown: '<rootDir>/test/global-teardown.js',
  // jest's transform cache beside the dependencies instead of /tmp/jest_* (when writable).
  cacheDirectory: cacheDirectory(),
  testTimeout: 60000,
};
