/**
 * A tar header reader over random-access bytes (POSIX.1-2001 ustar and pax, GNU long names, base-256 sizes).
 *
 * Written by hand rather than with tar-stream (ARCHITECTURE.md's choice for tar) because tar-stream can
 * only stream: reaching the next header means pushing every byte of a multi-GB member through JS. Reading
 * headers at known offsets skips member data without touching it, which keeps a scan of a large legacy
 * PyTorch tar proportional to its metadata. Format: POSIX pax (IEEE 1003.1-2017 "pax"), GNU tar manual §5.
 */
import type { ByteSource } from '../../core/byte-reader.js';

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

/**
 * Python's `int(text, 8)` for ASCII text: the value, or undefined where Python raises ValueError.
 *
 * Ported from CPython Objects/longobject.c `PyLong_FromString` (with `long_from_string_base`, which has the
 * same rules in 3.11 and later), because Lib/tarfile.py `nti()` hands header fields to `int(s, 8)` and
 * torch.load trusts whatever that accepts: `Py_ISSPACE` whitespace (tab, LF, VT, FF, CR, space) around
 * the number, one optional sign, an optional `0o`/`0O` prefix that may be followed by one underscore, then
 * octal digits with single underscores between them (none leading, trailing or doubled). Non-ASCII text is
 * refused: `nti()` decodes fields as ASCII strictly before `int()` sees them, so the Unicode digits and
 * spaces that `int()` also accepts (`_PyUnicode_TransformDecimalAndSpaceToASCII`) never reach it from a
 * tar header.
 */
export function pyIntBase8(text: string): bigint | undefined {
  if (!/^[\x00-\x7f]*$/.test(text)) return undefined;
  const isSpace = (c: string | undefined) => c === ' ' || (c !== undefined && c >= '\t' && c <= '\r');
  let i = 0;
  while (isSpace(text[i])) i++;
  let negative = false;
  if (text[i] === '+') i++;
  else if (text[i] === '-') {
    negative = true;
    i++;
  }
  if (text[i] === '0' && (text[i + 1] === 'o' || text[i + 1] === 'O')) {
    i += 2;
    if (text[i] === '_') i++; // "One underscore allowed here." (longobject.c)
  }
  if (text[i] === '_') return undefined;
  let value = 0n;
  let digits = 0;
  let prev = '';
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (c >= '0' && c <= '7') {
      value = value * 8n + BigInt(c.charCodeAt(0) - 0x30);
      digits++;
    } else if (c === '_') {
      if (prev === '_') return undefined;
    } else break;
    prev = c;
  }
  if (prev === '_' || digits === 0) return undefined;
  while (isSpace(text[i])) i++;
  if (i !== text.length) return undefined;
  return negative ? -value : value;
}

/** Characters Python's `str.strip()` removes from ASCII text (`str.isspace()`: tab to CR, 0x1c-0x1f, space). */
const PY_STRIP = /^[\t-\r\x1c-\x20]+|[\t-\r\x1c-\x20]+$/g;

/**
 * A tar numeric field as Lib/tarfile.py `nti()` reads it, or undefined where it raises InvalidHeaderError.
 * Exactly the first bytes 0o200 and 0o377 mean base-256 (GNU binary; 0o377 is negative), and the first byte
 * itself carries no value bits. Anything else is `int(nts(s, "ascii", "strict").strip() or "0", 8)`: text
 * up to the first NUL, any byte above 0x7f refused, Python-stripped, empty meaning 0. A bigint because
 * base-256 fields reach 2^88 and a checksum compared with a signed sum may be negative.
 */
export function nti(bytes: Uint8Array): bigint | undefined {
  const first = bytes[0];
  if (first === 0o200 || first === 0o377) {
    let n = 0n;
    for (let i = 1; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i] as number);
    return first === 0o377 ? -(256n ** BigInt(bytes.length - 1) - n) : n;
  }
  const nul = bytes.indexOf(0);
  const text = nul >= 0 ? bytes.subarray(0, nul) : bytes;
  if (text.some((b) => b > 0x7f)) return undefined; // UnicodeDecodeError is a ValueError in nti()
  const stripped = String.fromCharCode(...text).replace(PY_STRIP, '');
  return pyIntBase8(stripped || '0');
}

/**
 * Both header checksums Lib/tarfile.py `calc_chksums()` accepts: the sum of the header's bytes with the
 * checksum field counted as eight spaces (256), once over unsigned and once over signed bytes (Sun and
 * NeXT tars summed signed chars).
 */
function calcChksums(block: Uint8Array): [bigint, bigint] {
  let unsigned = 256;
  let signed = 256;
  for (let i = 0; i < BLOCK; i++) {
    if (i >= 148 && i < 156) continue;
    const b = block[i] as number;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return [BigInt(unsigned), BigInt(signed)];
}

/**
 * The numeric fields Lib/tarfile.py `TarInfo.frombuf()` passes through `nti()`, in its order: any one it
 * cannot read makes the whole header invalid, so each is checked to accept and refuse exactly what it does.
 */
const NUMERIC_FIELDS: readonly (readonly [name: string, offset: number, length: number])[] = [
  ['mode', 100, 8],
  ['uid', 108, 8],
  ['gid', 116, 8],
  ['size', 124, 12],
  ['mtime', 136, 12],
  ['devmajor', 329, 8],
  ['devminor', 337, 8],
];

/**
 * frombuf() also reads the old GNU sparse header (type 'S'): four (offset, numbytes) pairs from byte 386
 * and the real size at 483. Its `except ValueError` does not catch InvalidHeaderError, so these must be
 * numbers too.
 */
const SPARSE_FIELDS: readonly (readonly [name: string, offset: number, length: number])[] = [
  ...[0, 1, 2, 3].flatMap((i) => [
    [`sparse offset ${i}`, 386 + 24 * i, 12] as const,
    [`sparse numbytes ${i}`, 398 + 24 * i, 12] as const,
  ]),
  ['sparse realsize', 483, 12],
];

/** A header block as Lib/tarfile.py `TarInfo.frombuf()` judges it. */
export type TarHeaderVerdict =
  | { readonly kind: 'header'; readonly size: bigint; readonly typeflag: string }
  /** An all-NUL block: tarfile's EOFHeaderError, the end-of-archive marker. */
  | { readonly kind: 'end' }
  /**
   * Not 512 bytes (tarfile's EmptyHeaderError/TruncatedHeaderError) or InvalidHeaderError; `at` is the
   * offset in the block of the field at fault (0 for a checksum mismatch, which is the whole header's).
   */
  | { readonly kind: 'invalid'; readonly message: string; readonly at: number };

const shown = (bytes: Uint8Array) => {
  const nul = bytes.indexOf(0);
  return JSON.stringify(String.fromCharCode(...(nul >= 0 ? bytes.subarray(0, nul) : bytes)));
};

/**
 * Judges one header block with exactly the checks of Lib/tarfile.py `TarInfo.frombuf()` and nothing more:
 * 512 bytes, not all NUL, a checksum field `nti()` reads that equals one of `calc_chksums()`, and every
 * numeric field readable by `nti()`. No magic, name shape or mode value is required, because tarfile (and
 * so torch.load's legacy tar path) requires none: v7 headers without magic and with any bytes in the name
 * are tars to it. The checksum is the real gate against other content, as it is in tarfile.
 */
export function parseTarHeader(block: Uint8Array): TarHeaderVerdict {
  if (block.length !== BLOCK) return { kind: 'invalid', message: 'truncated tar header', at: 0 };
  if (block.every((b) => b === 0)) return { kind: 'end' };
  const chksum = nti(block.subarray(148, 156));
  if (chksum === undefined) {
    const message = `tar header checksum field is not octal as tarfile reads it: ${shown(block.subarray(148, 156))}`;
    return { kind: 'invalid', message, at: 148 };
  }
  if (!calcChksums(block).includes(chksum))
    return { kind: 'invalid', message: 'tar header checksum does not match', at: 0 };
  const typeflag = String.fromCharCode(block[156] as number);
  let size = 0n;
  for (const [name, offset, length] of typeflag === 'S'
    ? [...NUMERIC_FIELDS, ...SPARSE_FIELDS]
    : NUMERIC_FIELDS) {
    const bytes = block.subarray(offset, offset + length);
    const value = nti(bytes);
    if (value === undefined) {
      const message = `tar numeric field '${name}' is not octal as tarfile reads it: ${shown(bytes)}`;
      return { kind: 'invalid', message, at: offset };
    }
    if (name === 'size') size = value;
  }
  return { kind: 'header', size, typeflag };
}

/**
 * Whether the bytes start with a header Python's tarfile accepts. torch.load opens a legacy checkpoint with
 * `tarfile.open(fileobj=f, mode="r:")`, which reads the first header with `TarInfo.frombuf()` and raises
 * ReadError only when that fails (Lib/tarfile.py `TarFile.next()` at offset 0); so anything frombuf()
 * accepts must be analysed as a tar, or a payload in its members would go unscanned.
 */
export function looksLikeTar(head: Uint8Array): boolean {
  return head.length >= BLOCK && parseTarHeader(head.subarray(0, BLOCK)).kind === 'header';
}

/**
 * Typeflags Lib/tarfile.py knows (SUPPORTED_TYPES) that are listed as 'other' here: character and block
 * devices, FIFOs and GNU sparse files. Every typeflag tarfile does not know is a regular file to it: "Members
 * with unknown types are treated as regular files" (`TarFile.extractfile()`), so torch.load reads a member
 * named 'pickle' whatever letter its typeflag is, and it must be analysed as a file here too. 'S' stays
 * 'other' for now although tarfile extracts it: tarfile rebuilds its content from a sparse map (holes read
 * as zeros, extension blocks before the data), which this reader does not do yet.
 */
const OTHER_SUPPORTED_TYPES = ['3', '4', '6', 'S'];

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
    const header = parseTarHeader(block);
    if (header.kind === 'end') break; // end-of-archive marker
    if (header.kind === 'invalid') {
      // tarfile stops here too: past the first header, Lib/tarfile.py TarFile.next() treats an invalid header
      // as the end of the archive (or raises ReadError when it follows an extended header).
      problems.push({ message: header.message, offset: p + header.at });
      break;
    }
    if (header.size < 0n || header.size > BigInt(Number.MAX_SAFE_INTEGER)) {
      problems.push({
        message: `tar size ${header.size} is negative or does not fit in 53 bits`,
        offset: p + 124,
      });
      break;
    }
    let size = Number(header.size);
    const typeflag = header.typeflag;
    const dataOffset = p + BLOCK;
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    // 'X' is the Solaris extended header, which Lib/tarfile.py `_proc_member()` reads exactly like pax 'x'.
    const extended = typeflag === 'x' || typeflag === 'X';
    if (extended || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
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
      if (extended) pax = parsePax(data);
      else if (typeflag === 'g') for (const [k, v] of parsePax(data)) globalPax.set(k, v);
      else if (typeflag === 'L') longName = field(data, 0, data.length);
      else longLink = field(data, 0, data.length);
      p = next;
      continue;
    }
    // Lib/tarfile.py `frombuf()` joins the prefix field to the name whatever the magic (v7 headers included)
    // unless the type is a GNU one; 'L' and 'K' were handled above, which leaves sparse 'S'.
    const prefix = typeflag === 'S' ? '' : field(block, 345, 155);
    let name = longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    name = pax.get('path') ?? globalPax.get('path') ?? name;
    const linkName = pax.get('linkpath') ?? longLink ?? field(block, 157, 100);
    const paxSize = pax.get('size');
    if (paxSize !== undefined && /^\d+$/.test(paxSize)) size = Number(paxSize);
    const type: TarEntryType =
      typeflag === '5'
        ? 'directory'
        : typeflag === '2'
          ? 'symlink'
          : typeflag === '1'
            ? 'hardlink'
            : OTHER_SUPPORTED_TYPES.includes(typeflag)
              ? 'other'
              : 'file';
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
