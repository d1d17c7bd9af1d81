/**
 * The sudo password's environment variable: named in the commands' help (bootstrap/cli.ts)
 * and read when they run (bootstrap/cli-run.ts); its own file so neither imports the other.
 */

/** Environment variable holding the sudo password for scripts (never put it on the command line). */
export const SUDO_PASSWORD_ENV = 'TRITON_JETSON_SUDO_PASSWORD';
