/** Unit and integration tests. Snapshots live in the top-level __snapshots__/ folder. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/main.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/out/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  snapshotResolver: '<rootDir>/test/snapshot-resolver.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
  testTimeout: 60000,
};
