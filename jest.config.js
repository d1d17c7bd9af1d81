/** Unit and integration tests. Snapshots live in the top-level __snapshots__/ folder. */
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
  // jest's transform cache beside the dependencies instead of /tmp/jest_*.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testTimeout: 60000,
};
