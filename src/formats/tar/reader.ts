/**
 * A tar header reader over random-access bytes (POSIX.1-2001 ustar and pax, GNU long names, base-256 sizes).
 *
 * Written by hand rather than with tar-stream (ARCHITECTURE.md's choice for tar) because tar-stream can
 * only stream: reaching the next header means pushing every byte of a multi-GB member through JS. Reading
 * headers at known offsets skips member data without touching it, which keeps a scan of a large legacy
 * PyTorch tar proportional to its metadata. Format: POSIX pax (IEEE 1003.1-2017 "pax"), GNU tar manual §5.
 */
import type { ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';

const BLOCK = 512;
/** pax extended headers larger than this are not parsed (they are metadata, never this large legitimately). */
export const MAX_PAX_HEADER_BYTES = 1024 * 1024;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  readonly linkName: string;
  readonly size: number;
  /** Offset of the member's data. */
  readonly dataOffset: number;
  readonly headerOffset: number;
}

export interface TarListing {
  readonly entries: readonly TarEntry[];
  /** Problems met while listing; listing stops at the first structural one. */
  readonly problems: readonly { readonly message: string; readonly offset: number }[];
  readonly omittedEntries: boolean;
}

function field(block: Uint8Array, offset: number, length: number): string {
  const bytes = block.subarray(offset, offset + length);
  const nul = bytes.indexOf(0);
  return new TextDecoder('utf-8').decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}

/** Numeric fields are octal text, or base-256 when the top bit of the first byte is set (GNU). */
function numeric(block: Uint8Array, offset: number, length: number, at: number): number {
  const first = block[offset] as number;
  if (first & 0x80) {
    let v = first & 0x7f;
    for (let i = 1; i < length; i++) {
      v = v * 256 + (block[offset + i] as number);
      if (v > Number.MAX_SAFE_INTEGER)
        throw new ParseError('BAD_VALUE', 'tar size does not fit in 53 bits', at);
    }
    return v;
  }
  const text = field(block, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new ParseError('BAD_VALUE', `tar numeric field is not octal: '${text}'`, at);
  return Number.parseInt(text, 8);
}

/** Header checksum: sum of all bytes with the checksum field read as spaces (POSIX ustar). */
function checksumOk(block: Uint8Array): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  const stored = Number.parseInt(field(block, 148, 8).trim() || 'NaN', 8);
  return stored === unsigned || stored === signed;
}

/** Whether the bytes start with a tar header (ustar magic, or a valid checksum for old v7 archives). */
export function looksLikeTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  const magic = field(head, 257, 6);
  if (magic === 'ustar' || magic === 'ustar ') return checksumOk(head);
  // v7 tar has no magic: require a printable name and a valid checksum.
  return head[0] !== 0 && checksumOk(head) && /^[\x20-\x7e]+$/.test(field(head, 0, 100));
}

function parsePax(data: Uint8Array): Map<string, string> {
  // Records are "<len> <key>=<value>\n" where len counts the whole record (POSIX pax, "pax Header Block").
  const out = new Map<string, string>();
  let p = 0;
  while (p < data.length) {
    let q = p;
    while (q < data.length && data[q] !== 0x20) q++;
    const len = Number.parseInt(new TextDecoder().decode(data.subarray(p, q)), 10);
    if (!Number.isFinite(len) || len <= 0 || p + len > data.length) break;
    const record = new TextDecoder('utf-8').decode(data.subarray(q + 1, p + len - 1));
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    p += len;
  }
  return out;
}

/** Lists members. Never throws for bad data: what could not be read is a problem, members so far are kept. */
export function listTar(source: ByteSource, options: { maxEntries: number }): TarListing {
  const entries: TarEntry[] = [];
  const problems: { message: string; offset: number }[] = [];
  let p = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax = new Map<string, string>();
  const globalPax = new Map<string, string>();
  while (p + BLOCK <= source.size) {
    if (entries.length >= options.maxEntries) return { entries, problems, omittedEntries: true };
    const block = source.readAt(p, BLOCK);
    if (block.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(block)) {
      problems.push({ message: 'tar header checksum does not match', offset: p });
      break;
    }
    let size: number;
    try {
      size = numeric(block, 124, 12, p + 124);
    } catch (e) {
      problems.push({ message: (e as Error).message, offset: p + 124 });
      break;
    }
    const typeflag = String.fromCharCode(block[156] as number);
    const dataOffset = p + BLOCK;
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (size > MAX_PAX_HEADER_BYTES) {
        problems.push({
          message: `extended header of ${size} bytes exceeds ${MAX_PAX_HEADER_BYTES}`,
          offset: p,
        });
        break;
      }
      if (dataOffset + size > source.size) {
        problems.push({ message: 'the archive ends inside an extended header', offset: dataOffset });
        break;
      }
      const data = source.readAt(dataOffset, size);
      if (typeflag === 'x') pax = parsePax(data);
      else if (typeflag === 'g') for (const [k, v] of parsePax(data)) globalPax.set(k, v);
      else if (typeflag === 'L') longName = field(data, 0, data.length);
      else longLink = field(data, 0, data.length);
      p = next;
      continue;
    }
    const ustar = field(block, 257, 5) === 'ustar';
    const prefix = ustar ? field(block, 345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    name = pax.get('path') ?? globalPax.get('path') ?? name;
    const linkName = pax.get('linkpath') ?? longLink ?? field(block, 157, 100);
    const paxSize = pax.get('size');
    if (paxSize !== undefined && /^\d+$/.test(paxSize)) size = Number(paxSize);
    const type: TarEntryType =
      typeflag === '0' || typeflag === '\0' || typeflag === '7'
        ? 'file'
        : typeflag === '5'
          ? 'directory'
          : typeflag === '2'
            ? 'symlink'
            : typeflag === '1'
              ? 'hardlink'
              : 'other';
    entries.push({ name, type, linkName, size, dataOffset, headerOffset: p });
    if (dataOffset + size > source.size) {
      problems.push({ message: `member '${name}' runs past the end of the file`, offset: dataOffset });
      break;
    }
    longName = undefined;
    longLink = undefined;
    pax = new Map();
    p = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
  if (p + BLOCK > source.size && p < source.size && problems.length === 0) {
    problems.push({ message: 'the archive ends inside a header block', offset: p });
  }
  return { entries, problems, omittedEntries: false };
}
