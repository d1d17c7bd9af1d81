// jest's 'default' reporter minus its closing summary: test/summary-reporter.js prints that
// summary itself, then its own closing lines, so they are the last lines of every run.
const { DefaultReporter, VerboseReporter } = require('@jest/reporters');

module.exports = function ProgressReporter(globalConfig, options, context) {
  return globalConfig.verbose ? new VerboseReporter(globalConfig) : new DefaultReporter(globalConfig, options, context);
};
