// Removes the run's private temporary folder (see test/global-setup.js) and says on stderr
// what tests left in it, so leaks are visible without ever reaching the machine's /tmp.
const { readdirSync, rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  const dir = process.env.TRITON_JETSON_TEST_TMPDIR;
  if (!dir || process.env.TMPDIR !== dir) return; // not ours (nested run, or set outside jest)
  let left = [];
  try {
    left = readdirSync(dir);
  } catch {
    return;
  }
  // Group "cdk8s.outdir.AbC123" and friends by the name before their random suffix.
  const counts = new Map();
  for (const name of left) {
    const stem = name.replace(/[-.]?[A-Za-z0-9]{6}$/, '*');
    counts.set(stem, (counts.get(stem) ?? 0) + 1);
  }
  // tsx's compile cache and the link to the machine-wide fixture locks: not leaks.
  const expected = new Set([`tsx-${process.getuid?.() ?? ''}`, 'jetson-hosts-locks']);
  const leaks = [...counts].filter(([stem]) => !expected.has(stem));
  if (leaks.length > 0) {
    process.stderr.write(`test temp folder: removed what tests left there: ${leaks.map(([s, n]) => `${s} x${n}`).join(', ')}\n`);
  }
  rmSync(dir, { recursive: true, force: true });
};
