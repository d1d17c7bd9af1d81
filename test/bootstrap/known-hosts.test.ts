import { execFileSync } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KnownHosts, keyTypeOf, knownHostsName } from '../../bootstrap/executor/known-hosts';
import { hasCommand, testWith } from '../support/prereq';

/** An ed25519 public key in SSH wire format, made by ssh-keygen when present, else by hand. */
function newKeyBlob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const len = (b: Buffer) => { const l = Buffer.alloc(4); l.writeUInt32BE(b.length); return l; };
  return Buffer.concat([len(type), type, len(raw), raw]);
}

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdef0123');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('known_hosts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'known-hosts-'));
  const a = newKeyBlob();
  const b = newKeyBlob();
  const file = join(dir, 'known_hosts');
  writeFileSync(file, [
    '# comment',
    `10.0.0.11,jm-node-1 ssh-ed25519 ${a.toString('base64')}`,
    `[10.0.0.12]:2200 ssh-ed25519 ${b.toString('base64')}`,
    `${hashed('10.0.0.13')} ssh-ed25519 ${a.toString('base64')}`,
    `@revoked 10.0.0.14 ssh-ed25519 ${b.toString('base64')}`,
    `@cert-authority *.lan ssh-ed25519 ${b.toString('base64')}`,
    '',
  ].join('\n'));
  const known = new KnownHosts(file);

  test('plain, [host]:port and hashed entries', () => {
    expect(keyTypeOf(a)).toBe('ssh-ed25519');
    expect(known.verify('10.0.0.11', 22, a)).toBe('known');
    expect(known.verify('10.0.0.12', 2200, b)).toBe('known');
    expect(known.verify('10.0.0.12', 22, b)).toBe('unknown');
    expect(known.verify('10.0.0.13', 22, a)).toBe('known');
    expect(known.knownKeyTypes('10.0.0.11', 22)).toEqual(['ssh-ed25519']);
  });

  test('a different key for a known host is "changed"; revoked keys are refused', () => {
    expect(known.verify('10.0.0.11', 22, b)).toBe('changed');
    expect(known.verify('10.0.0.13', 22, b)).toBe('changed');
    expect(known.verify('10.0.0.14', 22, b)).toBe('revoked');
    expect(known.verify('10.0.0.99', 22, a)).toBe('unknown');
  });

  testWith([{ name: 'ssh-keygen', present: hasCommand('ssh-keygen'), hint: 'bash scripts/test-deps/25-bootstrap.sh' }])('recording a new host appends an OpenSSH line that ssh-keygen -F finds', () => {
    known.add('127.0.0.9', 2222, b);
    expect(known.verify('127.0.0.9', 2222, b)).toBe('known');
    expect(new KnownHosts(file).verify('127.0.0.9', 2222, b)).toBe('known');
    expect(readFileSync(file, 'utf-8')).toContain(`${knownHostsName('127.0.0.9', 2222)} ssh-ed25519 ${b.toString('base64')}\n`);
    const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.9]:2222', '-f', file], { encoding: 'utf-8' });
    expect(found).toContain(b.toString('base64'));
    const fresh = join(dir, 'sub', 'known_hosts');
    new KnownHosts(fresh).add('127.0.0.10', 22, a);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });
});

describe('host key hints name the known_hosts file in use (issue 12.5)', () => {
  // hostKeyHints lives with the SSH session, which builds the refusal messages from it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { hostKeyHints } = require('../../bootstrap/executor/ssh-session') as typeof import('../../bootstrap/executor/ssh-session');

  test.each([
    ['/home/me/.ssh/known_hosts', '10.0.0.11', 22, '~/.ssh/known_hosts',
      'ssh-keyscan -p 22 10.0.0.11 >> ~/.ssh/known_hosts', 'ssh-keygen -f ~/.ssh/known_hosts -R 10.0.0.11'],
    ['/home/me/.ssh/known_hosts', 'jm-node-1', 2222, '~/.ssh/known_hosts',
      'ssh-keyscan -p 2222 jm-node-1 >> ~/.ssh/known_hosts', "ssh-keygen -f ~/.ssh/known_hosts -R '[jm-node-1]:2222'"],
    ['/srv/lab/known_hosts', '10.0.0.12', 22, '/srv/lab/known_hosts',
      'ssh-keyscan -p 22 10.0.0.12 >> /srv/lab/known_hosts', 'ssh-keygen -f /srv/lab/known_hosts -R 10.0.0.12'],
    ["/srv/my lab/it's known_hosts", '10.0.0.12', 2200, "'/srv/my lab/it'\\''s known_hosts'",
      "ssh-keyscan -p 2200 10.0.0.12 >> '/srv/my lab/it'\\''s known_hosts'", "ssh-keygen -f '/srv/my lab/it'\\''s known_hosts' -R '[10.0.0.12]:2200'"],
  ])('%s, %s:%d', (file, host, port, fileLabel, add, remove) => {
    expect(hostKeyHints(file, host, port, '/home/me')).toEqual({ fileLabel, add, remove });
  });
});
