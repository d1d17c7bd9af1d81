/**
 * `npm run test:pods`: the real-pods harness (docs/real-pods.md), kept OUT of `npm test` /
 * `npm run test:all` (root, apt packages, a kubelet build, network namespaces). Its suite is
 * test/real-pods/*.pods.ts, which the default testMatch (*.test.ts) does not pick up.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/real-pods/**/*.pods.ts'],
  testTimeout: 900000,
};
