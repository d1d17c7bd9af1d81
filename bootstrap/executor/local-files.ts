/** Local files the bootstrapper owns: the cluster token and the user's kubeconfig. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** `.triton-jetson/<context>/token` beside the cluster description (gitignored). */
export function defaultTokenFile(configPath: string, context: string): string {
  return join(dirname(configPath), '.triton-jetson', context, 'token');
}

export function readToken(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const mode = statSync(file).mode & 0o077;
  if (mode !== 0) {
    throw new Error(`token file ${file} is readable by other users (mode ${(statSync(file).mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
  const token = readFileSync(file, 'utf-8').trim();
  if (token === '') throw new Error(`token file ${file} is empty; delete it to generate a new token, or put the cluster token in it`);
  return token;
}

/** A new random token, stored with mode 0600 (never printed). */
export function createToken(file: string): string {
  const token = randomBytes(32).toString('hex');
  writeTokenFile(file, token);
  return token;
}

/** Stores `token` in a new file (folder 0700, file 0600); an existing file is never overwritten. */
export function writeTokenFile(file: string, token: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
}

/** The kubeconfig to merge into: explicit, else $KUBECONFIG's first entry, else ~/.kube/config. */
export function defaultKubeconfigPath(homeDir: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.KUBECONFIG?.split(':').find((p) => p !== '');
  return fromEnv ?? join(homeDir, '.kube', 'config');
}

export function readIfExists(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf-8') : undefined;
}

/** Writes `text` atomically (temp file + rename in the same folder) with mode 0600. */
export function writePrivateFileAtomically(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
