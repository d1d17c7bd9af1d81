// Preloaded (node --require) into the CLI child processes of the hostile tests: at exit,
// writes the process's peak resident set size (KiB) to $MAX_RSS_FILE.
//
// VmHWM of /proc/self/status, not process.resourceUsage().maxRSS: Linux carries the RSS
// high-water mark of the forked parent (here the jest process, hundreds of MiB after
// other suites) across exec into getrusage's ru_maxrss, but VmHWM belongs to the new
// address space only.
const { readFileSync, writeFileSync } = require('node:fs');

function peakKiB() {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf-8'));
    if (match) return Number(match[1]);
  } catch {
    // not Linux: fall back below
  }
  return process.resourceUsage().maxRSS;
}

process.on('exit', () => {
  if (process.env.MAX_RSS_FILE) writeFileSync(process.env.MAX_RSS_FILE, String(peakKiB()));
});
