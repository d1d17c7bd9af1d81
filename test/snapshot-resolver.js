// Keeps every snapshot in the top-level __snapshots__/ folder, mirroring the test's path:
// main.test.ts -> __snapshots__/main.test.ts.snap, test/lib/x.test.ts -> __snapshots__/test/lib/x.test.ts.snap
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const snapshotRoot = path.join(root, '__snapshots__');

module.exports = {
  resolveSnapshotPath: (testPath, ext) => path.join(snapshotRoot, path.relative(root, testPath) + ext),
  resolveTestPath: (snapshotPath, ext) => path.join(root, path.relative(snapshotRoot, snapshotPath).slice(0, -ext.length)),
  testPathForConsistencyCheck: path.join(root, 'test', 'lib', 'example.test.ts'),
};
