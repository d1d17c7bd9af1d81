/**
 * Builds tar archives member by member (POSIX ustar headers), so tests can make the
 * archives a hostile server would send — symbolic and hard links to anywhere, absolute
 * and ../ names, devices, FIFOs — without root and without depending on a tar program.
 */
import { gzipSync } from 'node:zlib';

/** ustar type flags. */
export type TarMemberType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';
const TYPE_FLAG: Record<TarMemberType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };

export interface TarMember {
  readonly name: string;
  readonly type?: TarMemberType;
  /** Content of a regular file. */
  readonly content?: Buffer | string;
  /** Target of a link. */
  readonly linkname?: string;
  readonly mode?: number;
  /** Device numbers of a char or block device. */
  readonly devmajor?: number;
  readonly devminor?: number;
}

function field(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf-8');
  if (bytes.length > length) throw new Error(`tar header field too long: ${value}`);
  bytes.copy(header, offset);
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

/** One 512-byte header plus the content, padded to 512 bytes. */
export function tarMember(member: TarMember): Buffer {
  const type = member.type ?? 'file';
  const content = type === 'file' ? Buffer.from(member.content ?? '') : Buffer.alloc(0);
  const header = Buffer.alloc(512);
  field(header, 0, 100, member.name);
  field(header, 100, 8, octal(member.mode ?? (type === 'dir' ? 0o755 : 0o644), 8));
  field(header, 108, 8, octal(0, 8));
  field(header, 116, 8, octal(0, 8));
  field(header, 124, 12, octal(content.length, 12));
  field(header, 136, 12, octal(1700000000, 12));
  field(header, 148, 8, '        ');
  field(header, 156, 1, TYPE_FLAG[type]);
  field(header, 157, 100, member.linkname ?? '');
  field(header, 257, 6, 'ustar\0');
  field(header, 263, 2, '00');
  field(header, 265, 32, 'root');
  field(header, 297, 32, 'root');
  field(header, 329, 8, octal(member.devmajor ?? 0, 8));
  field(header, 337, 8, octal(member.devminor ?? 0, 8));
  let sum = 0;
  for (const byte of header) sum += byte;
  field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding]);
}

/** A whole tar (members, then two zero blocks). */
export function tarArchive(members: readonly TarMember[]): Buffer {
  return Buffer.concat([...members.map(tarMember), Buffer.alloc(1024)]);
}

/** A gzip'd tar. */
export function tarGz(members: readonly TarMember[]): Buffer {
  return gzipSync(tarArchive(members), { level: 9 });
}
