import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createToken, defaultKubeconfigPath, defaultTokenFile, readToken,
} from '../../bootstrap/executor/local-files';
import { readKubeconfigFile, writeKubeconfigFile } from '../../bootstrap/executor/kubeconfig-file';
import { scratchDirs } from '../support/scratch';

const scratch = scratchDirs();

describe('local files', () => {
  const dir = scratch('local-files-');

  test('a generated token: 64 hex characters, folder 0700, file 0600, never overwritten', () => {
    const file = defaultTokenFile(join(dir, 'cluster.yaml'), 'triton-jetson');
    expect(file).toBe(join(dir, '.triton-jetson', 'triton-jetson', 'token'));
    expect(readToken(file)).toBeUndefined();
    const token = createToken(file);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.triton-jetson', 'triton-jetson')).mode & 0o777).toBe(0o700);
    expect(readToken(file)).toBe(token);
    expect(() => createToken(file)).toThrow(/EEXIST/);
    expect(createToken(join(dir, 'other'))).not.toBe(token);
  });

  test('a token file readable by others or empty is refused with the fix', () => {
    const open = join(dir, 'open-token');
    writeFileSync(open, 'abc\n', { mode: 0o644 });
    chmodSync(open, 0o644);
    expect(() => readToken(open)).toThrow(`token file ${open}: is readable or writable by other users (mode 644); run: chmod 600 ${open}`);
    const empty = join(dir, 'empty-token');
    writeFileSync(empty, '\n', { mode: 0o600 });
    expect(() => readToken(empty)).toThrow(/is empty/);
  });

  test('kubeconfig path: $KUBECONFIG first entry, else ~/.kube/config; written 0600 atomically', () => {
    expect(defaultKubeconfigPath('/home/me', { KUBECONFIG: ':/a/b:/c' })).toBe('/a/b');
    expect(defaultKubeconfigPath('/home/me', {})).toBe('/home/me/.kube/config');
    const file = join(dir, 'kube', 'config');
    writeKubeconfigFile(readKubeconfigFile(file), 'one');
    writeFileSync(file, 'two', { mode: 0o644 });
    chmodSync(file, 0o644);
    writeKubeconfigFile(readKubeconfigFile(file), 'three');
    expect(readFileSync(file, 'utf-8')).toBe('three');
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
