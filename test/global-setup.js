// Gives the whole jest run (this process and every worker it starts) a private temporary
// folder: TMPDIR points into a fresh /tmp/tj-jest-XXXXXX, so whatever a test or a library
// leaves in os.tmpdir() (cdk8s' Testing.app() folders, fixtures killed mid-test, tsx's cache)
// is removed by test/global-teardown.js and the machine's /tmp stays as it was.
//
// One exception, on purpose: test/support/jetson-hosts.ts claims loopback address blocks with
// lock files in $TMPDIR/jetson-hosts-locks. Those must be seen by every jest run on the
// machine (two runs at once must not start sshds on the same 127.0.x.y), so that name is a
// link to the machine-wide <tmp>/jetson-hosts-locks, which only ever holds the lock files of
// live fixtures (each fixture removes its own; a dead owner's is reclaimed).
const { chmodSync, mkdirSync, mkdtempSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

module.exports = async function globalSetup() {
  if (process.env.TRITON_JETSON_TEST_TMPDIR) return; // nested run (a test running jest): reuse
  const machineTmp = tmpdir();
  const dir = mkdtempSync(path.join(machineTmp, 'tj-jest-'));
  // Like /tmp: tests run scripts as other users (setpriv) inside it.
  chmodSync(dir, 0o1777);
  const sharedLocks = path.join(machineTmp, 'jetson-hosts-locks');
  try {
    mkdirSync(sharedLocks, { recursive: true });
    symlinkSync(sharedLocks, path.join(dir, 'jetson-hosts-locks'));
  } catch (error) {
    process.stderr.write(`test temp folder: no link to ${sharedLocks} (${error.message}); fixtures lock within this run only\n`);
  }
  process.env.TRITON_JETSON_TEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
};
