/** Local files the bootstrapper owns: the cluster token and the user's kubeconfig. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalFileError, folderProblem, readLocalText } from '../../lib/local-file';
import { TOKEN_FIX, tokenProblem } from '../plan/cluster-token';

/** `.triton-jetson/<context>/token` beside the cluster description (gitignored). */
export function defaultTokenFile(configPath: string, context: string): string {
  return join(dirname(configPath), '.triton-jetson', context, 'token');
}

/**
 * The cluster token in `file` (undefined when there is no file): a regular file of yours,
 * mode 0600, holding one K3s token (plan/cluster-token.ts). Anything else is refused
 * naming the file, never quoting its content: it could be an SSH key or a password.
 */
export function readToken(file: string): string | undefined {
  const text = readLocalText(file, 'token file', { access: 'private' });
  if (text === undefined) return undefined;
  const token = text.trim();
  if (token === '') throw new LocalFileError('token file', file, 'is empty; delete it to generate a new token, or put the cluster token in it');
  const problem = tokenProblem(token);
  if (problem) throw new LocalFileError('token file', file, `does not hold a usable K3s token: it ${problem}; ${TOKEN_FIX}`);
  return token;
}

/** A new random token, stored with mode 0600 (never printed). */
export function createToken(file: string): string {
  const token = randomBytes(32).toString('hex');
  writeTokenFile(file, token);
  return token;
}

/**
 * Stores `token` in a new file (folder 0700, file 0600); an existing file is never
 * overwritten, and a folder another user owns or can write is refused (they could swap it).
 */
export function writeTokenFile(file: string, token: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const unsafe = folderProblem(dirname(file), 'set k3s.tokenFile to a file in a folder only you can write');
  if (unsafe) throw new LocalFileError('token file', file, unsafe);
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
}

/** The kubeconfig to merge into: explicit, else $KUBECONFIG's first entry, else ~/.kube/config. */
export function defaultKubeconfigPath(homeDir: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p !== '');
  return fromEnv ?? join(homeDir, '.kube', 'config');
}
