/**
 * known_hosts checking for ssh2's hostVerifier, OpenSSH semantics: plain and hashed
 * (`|1|salt|hash`) host patterns, `[host]:port` for non-22 ports, @revoked markers.
 * Unknown host → refuse unless trusting new hosts (then the key is recorded);
 * a different key for a known host → always refuse.
 */
import { createHmac } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { readLocalText } from '../../lib/local-file';

export type HostKeyVerdict = 'known' | 'unknown' | 'changed' | 'revoked';

interface Entry {
  readonly marker?: string;
  readonly patterns: readonly string[];
  readonly keyType: string;
  readonly key: Buffer;
}

/** The name OpenSSH looks a host up by. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside an SSH wire-format public key blob ("ssh-ed25519"...). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return '';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (!salt || !hash) return false;
    const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
    return digest === hash;
  }
  return globToRegExp(pattern).test(name);
}

export class KnownHosts {
  private readonly entries: Entry[] = [];

  /**
   * `file`: the known_hosts file checked (and appended to with --trust-new-hosts): read
   * bounded, a regular file of yours or root's that no one else can write (anyone who can add
   * a line to it can pose as a board).
   */
  constructor(readonly file: string) {
    const text = readLocalText(file, 'known_hosts', { access: 'trusted' });
    if (text !== undefined) this.parse(text);
  }

  private parse(text: string): void {
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      const fields = line.split(/\s+/);
      const marker = fields[0].startsWith('@') ? fields.shift() : undefined;
      if (marker === '@cert-authority' || fields.length < 3) continue;
      const [hosts, keyType, keyBase64] = fields;
      this.entries.push({ marker, patterns: hosts.split(','), keyType, key: Buffer.from(keyBase64, 'base64') });
    }
  }

  private entriesFor(name: string): Entry[] {
    return this.entries.filter((e) => {
      const negated = e.patterns.some((p) => p.startsWith('!') && patternMatches(p.slice(1), name));
      return !negated && e.patterns.some((p) => !p.startsWith('!') && patternMatches(p, name));
    });
  }

  /** Key types known for the host, to prefer in the handshake (so the check can match). */
  knownKeyTypes(host: string, port: number): string[] {
    return [...new Set(this.entriesFor(knownHostsName(host, port)).filter((e) => !e.marker).map((e) => e.keyType))];
  }

  verify(host: string, port: number, key: Buffer): HostKeyVerdict {
    const entries = this.entriesFor(knownHostsName(host, port));
    if (entries.some((e) => e.marker === '@revoked' && e.key.equals(key))) return 'revoked';
    const plain = entries.filter((e) => !e.marker);
    if (plain.some((e) => e.key.equals(key))) return 'known';
    return plain.length > 0 ? 'changed' : 'unknown';
  }

  /** Records a newly trusted key (plain host name, like `ssh -o HashKnownHosts=no`). */
  add(host: string, port: number, key: Buffer): void {
    const line = `${knownHostsName(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`;
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const current = readLocalText(this.file, 'known_hosts', { access: 'trusted' });
    const prefix = current !== undefined && current.length > 0 && !current.endsWith('\n') ? '\n' : '';
    appendFileSync(this.file, prefix + line, { mode: 0o600 });
    this.entries.push({ patterns: [knownHostsName(host, port)], keyType: keyTypeOf(key), key });
  }
}
