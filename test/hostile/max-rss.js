// Preloaded (node --require) into the CLI child processes of the hostile tests: at exit,
// writes the process's peak resident set size (KiB) to $MAX_RSS_FILE.
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  if (process.env.MAX_RSS_FILE) writeFileSync(process.env.MAX_RSS_FILE, String(process.resourceUsage().maxRSS));
});
