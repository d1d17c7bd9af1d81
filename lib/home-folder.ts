/**
 * The operator's home folder, for ~ in paths, ~/.ssh and ~/.kube.
 *
 * $HOME when it is an absolute path (what `os.homedir()` gives), else the password
 * database's entry, as OpenSSH takes ~/.ssh (it never reads $HOME for it). An empty or
 * relative $HOME (`HOME=`, `HOME=.`, left by `env -i`, cron or a service unit) used to make
 * ~/.ssh/config, known_hosts and ~/.kube/config the working folder's (or the root folder's):
 * a cloned repository could then pick the address, user and host keys of every board.
 */
import { userInfo } from 'node:os';
import { isAbsolute } from 'node:path';

export function operatorHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.HOME;
  if (fromEnv !== undefined && isAbsolute(fromEnv)) return fromEnv;
  let fromPasswd: string | undefined;
  try {
    fromPasswd = userInfo().homedir;
  } catch {
    // no password database entry for this uid (a container's arbitrary uid)
  }
  if (fromPasswd !== undefined && isAbsolute(fromPasswd)) return fromPasswd;
  throw new Error(
    `$HOME is ${JSON.stringify(fromEnv ?? '')}, not an absolute path, and uid ${process.getuid?.() ?? '?'} has no home folder in the password database: ` +
      'set HOME to your home folder (~/.ssh and ~/.kube are read there)',
  );
}
