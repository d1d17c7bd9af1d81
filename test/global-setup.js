// Gives the whole jest run (this process and every worker it starts) a private temporary
// folder: TMPDIR points into a fresh /tmp/tj-jest-XXXXXX, so whatever a test or a library
// leaves in os.tmpdir() (cdk8s' Testing.app() folders, fixtures killed mid-test, tsx's cache)
// is removed by test/global-teardown.js and the machine's /tmp stays as it was.
const { chmodSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.TRITON_JETSON_TEST_TMPDIR) return; // nested run (a test running jest): reuse
  const dir = mkdtempSync(path.join(tmpdir(), 'tj-jest-'));
  // Like /tmp: tests run scripts as other users (setpriv) inside it.
  chmodSync(dir, 0o1777);
  process.env.TRITON_JETSON_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
