/**
 * A tar reader over random-access bytes that lists what CPython's Lib/tarfile.py lists, because torch.load
 * reads legacy checkpoints with it (torch/serialization.py `_legacy_load` -> `legacy_load`:
 * `tarfile.open(fileobj=f, mode='r:', format=PAX_FORMAT)`, then `sys_info`, `pickle`, `storages` and
 * `tensors` by name). Where other readers (GNU tar, other Python versions) would see other members, those
 * readings are listed too and the disagreement is reported, so no reading can hide a member from analysis.
 *
 * Written by hand rather than with tar-stream (ARCHITECTURE.md's choice for tar) because tar-stream can
 * only stream: reaching the next header means pushing every byte of a multi-GB member through JS. Reading
 * headers at known offsets skips member data without touching it, which keeps a scan of a large legacy
 * PyTorch tar proportional to its metadata. Format: POSIX pax (IEEE 1003.1-2017 "pax"), GNU tar manual §5.
 */

import { type ByteSource, sliceSource } from '../../core/byte-reader.js';
import { PY_MAX_STR_DIGITS, pyIntLiteral } from '../../core/pyint.js';

const BLOCK = 512;
/** pax extended headers larger than this are not parsed (they are metadata, never this large legitimately). */
export const MAX_PAX_HEADER_BYTES = 1024 * 1024;
/**
 * Regions of a sparse map whose content is rebuilt; larger maps of unusual shape are analysed as their stored
 * bytes instead (rebuilding an unsorted map costs the square of its length).
 */
export const MAX_SPARSE_REGIONS = 10_000;
/**
 * Extended headers ('x', 'g', 'L', 'K') chained before one member. tarfile recurses three frames for each
 * and stops with RecursionError (not a TarError) after about 330 under Python's default limit of 1000.
 */
export const MAX_EXTENDED_CHAIN = 1000;

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  readonly name: string;
  readonly type: TarEntryType;
  /** The header's typeflag as tarfile ends up with it ('5' for a v7 '\0' header whose name ends in '/'). */
  readonly typeflag: string;
  readonly linkName: string;
  /** `TarInfo.size`: the member's length as tarfile reads it (a sparse member's expanded length; 0 if negative). */
  readonly size: number;
  /** Offset of the member's data. */
  readonly dataOffset: number;
  readonly headerOffset: number;
  /** Set for sparse members (GNU 'S' headers and GNU.sparse.* pax records). */
  readonly sparse?: TarSparse;
  /** Set when tarfile does not list this member but another reading of the archive does: which reading. */
  readonly alternative?: string;
}

export interface TarSparse {
  /** `TarInfo.sparse`: (offset, numbytes) regions of the content, whose bytes are stored back to back. */
  readonly map: readonly (readonly [offset: number, numbytes: number])[];
  /** Bytes the archive stores for the member from its data offset (what tarfile skips to the next header). */
  readonly storedBytes: number;
  /** Why the content cannot be rebuilt as tarfile would; its stored bytes are analysed as they are instead. */
  readonly unsupported?: string;
}

export interface TarNote {
  readonly message: string;
  readonly offset: number;
}

export interface TarListing {
  readonly entries: readonly TarEntry[];
  /** Problems met while listing; a reading stops at the first structural one. */
  readonly problems: readonly TarNote[];
  /**
   * Places where tar readers disagree about what the archive holds (tarfile and GNU tar, or two Python
   * versions). Every reading's members are listed; these say why the archive can be read more than one way.
   */
  readonly divergences: readonly TarNote[];
  /**
   * The first thing that makes tarfile raise TarError while torch.load lists or reads the archive, if any.
   * torch then unpickles the file from byte 0 (`_legacy_load`: `except tarfile.TarError: ... f.seek(0)`).
   */
  readonly tarError?: TarNote;
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
  return pyIntLiteral(text, 8);
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

// --- Python int() of pax values ----------------------------------------------------------------------

/** Non-ASCII characters Python's `str.isspace()` accepts (`Py_UNICODE_ISSPACE`, unchanged since Unicode 6.3). */
const PY_UNICODE_SPACES = new Set([
  0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/**
 * The '0' of every run of ten decimal digits outside ASCII in Python 3.11's Unicode database (14.0.0), as
 * `unicodedata.decimal()` gives them; make-tarfile-oracle.py lists them from Python and the tests compare.
 */
export const PY311_DIGIT_ZEROS: readonly number[] = [
  0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0,
  0xf20, 0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50,
  0xa620, 0xa8d0, 0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136,
  0x111d0, 0x112f0, 0x11450, 0x114d0, 0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0,
  0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8, 0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

const isNd = (cp: number) => /\p{Nd}/u.test(String.fromCodePoint(cp));

function decimalDigit(cp: number, newerUnicode: boolean): number | undefined {
  for (const zero of PY311_DIGIT_ZEROS) if (cp >= zero && cp < zero + 10) return cp - zero;
  if (!newerUnicode || !isNd(cp)) return undefined;
  // Digits Unicode added after 14.0 (Python 3.12 has 15.0, 3.14 has 16.0), from Node's own tables; every
  // run of Nd characters is one or more whole sets of '0' to '9'.
  let start = cp;
  while (isNd(start - 1)) start--;
  return (cp - start) % 10;
}

/**
 * Python's `int(text)` (base 10) for any text: the value, or undefined where Python raises ValueError.
 *
 * Lib/tarfile.py applies pax numbers with it (`_apply_pax_info`: `PAX_NUMBER_FIELDS[keyword](value)`, 0 on
 * ValueError). Non-ASCII text first goes through `_PyUnicode_TransformDecimalAndSpaceToASCII`
 * (Objects/unicodeobject.c): characters below 127 stay, other whitespace becomes a space, decimal digits of
 * any script become ASCII digits and anything else ends the text with '?', so the parse fails. ASCII text is
 * parsed as it is (0x1c-0x1f are not spaces to int(), although str.isspace() says they are). Then
 * `PyLong_FromString`: whitespace, a sign, digits with single underscores, at most 4300 digits.
 * `newerUnicode` also takes digits added to Unicode after Python 3.11's 14.0.
 */
export function pyIntBase10(text: string, options: { newerUnicode?: boolean } = {}): bigint | undefined {
  let plain = text;
  if (/[^\x00-\x7f]/.test(text)) {
    plain = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      if (cp < 127) plain += ch;
      else if (PY_UNICODE_SPACES.has(cp)) plain += ' ';
      else {
        const digit = decimalDigit(cp, options.newerUnicode ?? false);
        if (digit === undefined) return undefined;
        plain += String.fromCharCode(0x30 + digit);
      }
    }
  }
  return pyIntLiteral(plain, 10);
}

const latin1 = new TextDecoder('latin1');

/** Python's `int(data)` on bytes: no Unicode transformation, so only ASCII can parse. */
function pyIntBytes(data: Uint8Array): bigint | undefined {
  if (data.some((b) => b > 0x7f)) return undefined;
  return pyIntLiteral(latin1.decode(data), 10);
}

// --- pax records ---------------------------------------------------------------------------------------

const utf8 = new TextDecoder('utf-8');
const isDigit = (b: number | undefined) => b !== undefined && b >= 0x30 && b <= 0x39;

interface PaxRecord {
  readonly keyword: string;
  readonly value: string;
}

interface PaxRecords {
  readonly records: readonly PaxRecord[];
  /** tarfile raises InvalidHeaderError in every version (a record of length 0). */
  readonly invalid?: string;
  /** A Python exception other than TarError escapes tarfile (int() of a length over 4300 digits). */
  readonly pythonError?: string;
  /** Why Python 3.11.10+, 3.12.6+ and 3.13+ raise InvalidHeaderError where earlier versions read on. */
  readonly strictError?: string;
}

/**
 * The records of a pax header's data as Lib/tarfile.py `_proc_pax` reads them, over the whole block-rounded
 * data it reads (padding too).
 *
 * Two parsers exist. Up to Python 3.11.9 / 3.12.5 it matches `(\d+) ([^=]+)=` at each record start, takes
 * the value up to `start + length - 1` whatever is there, stops silently where the pattern does not match,
 * and refuses only length 0. The fix for CVE-2024-6232 (3.11.10, 3.12.6, 3.13) requires every record up to a
 * NUL to be `<1-20 digits> <keyword>=<value>\n` of at least 5 bytes inside the data, else InvalidHeaderError.
 * Where the strict parser accepts, both give the same records, so the lenient records are returned (they
 * are what older Pythons apply) and the strict parser's objection is reported beside them.
 */
function parsePaxRecords(buf: Uint8Array): PaxRecords {
  const records: PaxRecord[] = [];
  let invalid: string | undefined;
  let pythonError: string | undefined;
  for (let pos = 0; ; ) {
    let q = pos;
    while (isDigit(buf[q])) q++;
    if (q === pos || buf[q] !== 0x20) break;
    let eq = q + 1;
    while (eq < buf.length && buf[eq] !== 0x3d) eq++;
    if (eq === q + 1 || eq >= buf.length) break;
    if (q - pos > PY_MAX_STR_DIGITS) {
      pythonError = `a pax record length has ${q - pos} digits, more than int() reads`;
      break;
    }
    const length = BigInt(String.fromCharCode(...buf.subarray(pos, q)));
    if (length === 0n) {
      invalid = `a pax record at byte ${pos} has length 0`;
      break;
    }
    const end = Math.min(buf.length, Number(BigInt(pos) + length - 1n));
    records.push({
      keyword: utf8.decode(buf.subarray(q + 1, eq)),
      value: utf8.decode(buf.subarray(eq + 1, Math.max(eq + 1, end))),
    });
    if (BigInt(pos) + length >= BigInt(buf.length)) break;
    pos += Number(length);
  }
  const strictError = invalid === undefined ? strictPaxError(buf) : undefined;
  return {
    records,
    ...(invalid !== undefined ? { invalid } : {}),
    ...(pythonError !== undefined ? { pythonError } : {}),
    ...(strictError !== undefined ? { strictError } : {}),
  };
}

/** The CVE-2024-6232 parser's verdict (Lib/tarfile.py 3.11.10+ `_proc_pax`, `_header_length_prefix_re`). */
function strictPaxError(buf: Uint8Array): string | undefined {
  let pos = 0;
  while (pos < buf.length && buf[pos] !== 0) {
    let q = pos;
    while (q - pos < 20 && isDigit(buf[q])) q++;
    if (q === pos || buf[q] !== 0x20) return `the pax record at byte ${pos} does not start with a length`;
    const length = Number(String.fromCharCode(...buf.subarray(pos, q)));
    if (length < 5) return `the pax record at byte ${pos} is shorter than 5 bytes`;
    if (pos + length > buf.length) return `the pax record at byte ${pos} runs past the header`;
    const end = pos + length - 1;
    const eq = buf.subarray(q + 1, end).indexOf(0x3d);
    if (eq <= 0) return `the pax record at byte ${pos} has no keyword`;
    if (buf[end] !== 0x0a) return `the pax record at byte ${pos} does not end with a newline`;
    pos += length;
  }
  return undefined;
}

// --- the tarfile port ------------------------------------------------------------------------------------

/** Lib/tarfile.py SUPPORTED_TYPES and REGULAR_TYPES. */
const SUPPORTED_TYPES = new Set(['0', '\0', '1', '2', '5', '6', '7', '3', '4', 'L', 'K', 'S']);
const REGULAR_TYPES = new Set(['0', '\0', '7', 'S']);

/**
 * Whether tarfile skips a member's data to reach the next header: `_proc_builtin` (and `_proc_pax` after a
 * pax size) advance by the size only `if self.isreg() or self.type not in SUPPORTED_TYPES`. Hard and
 * symbolic links, devices, FIFOs and directories have no data to tarfile, whatever their size field says:
 * the next header is read right after theirs.
 */
const skipsData = (typeflag: string) => REGULAR_TYPES.has(typeflag) || !SUPPORTED_TYPES.has(typeflag);

const TYPE_NAMES: Readonly<Record<string, string>> = {
  '1': 'hard link',
  '2': 'symbolic link',
  '3': 'character device',
  '4': 'block device',
  '5': 'directory',
  '6': 'FIFO',
};

/** tarfile's view of every typeflag: unknown ones are regular files ("treated as regular files", extractfile()). */
function entryType(typeflag: string): TarEntryType {
  if (typeflag === '5') return 'directory';
  if (typeflag === '2') return 'symlink';
  if (typeflag === '1') return 'hardlink';
  if (typeflag === '3' || typeflag === '4' || typeflag === '6') return 'other';
  return 'file';
}

/** `TarInfo._block()`: the count rounded up to whole blocks, with Python's floor division (negative sizes too). */
function pyBlock(count: bigint): bigint {
  const b = BigInt(BLOCK);
  let q = count / b;
  if (count % b !== 0n && count < 0n) q -= 1n;
  return (count - q * b === 0n ? q : q + 1n) * b;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const fitsNumber = (n: bigint) => n >= 0n && n <= MAX_SAFE;

/** A member as tarfile's TarInfo holds it while `_proc_member` and friends patch it. */
interface Info {
  headerOffset: number;
  typeflag: string;
  name: string;
  linkName: string;
  /** The header's own size field. */
  readonly headerSize: bigint;
  /** `TarInfo.size`. */
  size: bigint;
  /** How Pythons whose Unicode knows more digits than 3.11's read a pax size, where that differs. */
  sizeNewer?: bigint;
  offsetData: number;
  sparse?: [bigint, bigint][];
  /** frombuf()'s old GNU sparse fields, for `_proc_sparse`. */
  readonly oldSparse?: { structs: [bigint, bigint][]; isextended: boolean; origsize: bigint };
}

/** tarfile's HeaderError family, raised while reading one header block. */
class HeaderError {
  constructor(
    readonly kind: 'eof' | 'empty' | 'truncated' | 'invalid',
    readonly message: string,
    readonly offset: number,
  ) {}
}

/**
 * Reading stops: tarfile raises TarError (`tarError`: torch.load then unpickles from byte 0), another
 * Python exception escapes it (`python`: the load fails), or a limit of this reader is reached (`limit`).
 */
class ReadStop {
  constructor(
    readonly kind: 'tarError' | 'python' | 'limit',
    readonly message: string,
    readonly offset: number,
  ) {}
}

interface Branch {
  readonly offset: number;
  readonly globalPax: Map<string, string>;
  readonly reason: string;
  readonly at: number;
  /** Legitimate archives produce this disagreement too: reported only when the other reading finds members. */
  readonly benign: boolean;
}

/** The part of Lib/tarfile.py that turns header blocks into members: `fromtarfile()` and the `_proc_*` methods. */
class TarfileReader {
  /** `TarFile.pax_headers`: global pax records ('g'), a Python dict (insertion-ordered like a Map). */
  globalPax = new Map<string, string>();
  readonly branches: Branch[] = [];
  readonly divergences: TarNote[] = [];

  constructor(readonly source: ByteSource) {}

  /** Where another reader goes on from instead; `offset` is a bigint so nonsense sizes can be refused here. */
  private branch(offset: bigint, at: number, reason: string, benign = false): void {
    if (offset < 0n || offset > BigInt(this.source.size)) return;
    const globalPax = new Map(this.globalPax);
    this.branches.push({ offset: Number(offset), globalPax, reason, at, benign });
  }

  /** `TarInfo.fromtarfile()`: one header block, then whatever its type needs. */
  fromTarfile(p: number, depth: number): { info: Info; next: bigint } {
    if (depth > MAX_EXTENDED_CHAIN)
      throw new ReadStop('limit', `more than ${MAX_EXTENDED_CHAIN} extended headers in a row`, p);
    const block = this.source.readAt(p, BLOCK);
    if (block.length === 0) throw new HeaderError('empty', 'the archive ends without an end marker', p);
    const verdict = parseTarHeader(block);
    if (verdict.kind === 'end') throw new HeaderError('eof', 'end-of-archive marker', p);
    if (verdict.kind === 'invalid')
      throw new HeaderError(block.length < BLOCK ? 'truncated' : 'invalid', verdict.message, p + verdict.at);
    const info = frombuf(block, p, verdict.size, verdict.typeflag);
    return this.procMember(info, p + BLOCK, depth);
  }

  /** A header read for an extended header: any HeaderError becomes SubsequentHeaderError, a ReadError. */
  private nested(p: number, depth: number): { info: Info; next: bigint } {
    try {
      return this.fromTarfile(p, depth + 1);
    } catch (error) {
      if (!(error instanceof HeaderError)) throw error;
      const message =
        error.kind === 'empty' || error.kind === 'truncated'
          ? 'the archive ends inside an extended header'
          : `the header after an extended header is not valid: ${error.message}`;
      throw new ReadStop('tarError', message, error.kind === 'empty' ? p : error.offset);
    }
  }

  /** `_proc_member`. */
  private procMember(info: Info, pos: number, depth: number): { info: Info; next: bigint } {
    const t = info.typeflag;
    if (t === 'L' || t === 'K') return this.procGnulong(info, pos, depth);
    if (t === 'S') return this.procSparse(info, pos);
    if (t === 'x' || t === 'g' || t === 'X') return this.procPax(info, pos, depth);
    return this.procBuiltin(info, pos);
  }

  /** The data of an extended header ('x', 'g', 'X', 'L', 'K'), block-rounded as tarfile reads it. */
  private extendedData(info: Info, pos: number): Uint8Array {
    const size = info.headerSize;
    if (size < 0n)
      throw new ReadStop('tarError', `extended header size ${size} is negative`, pos - BLOCK + 124);
    if (size > BigInt(MAX_PAX_HEADER_BYTES)) {
      const message = `extended header of ${size} bytes exceeds ${MAX_PAX_HEADER_BYTES}`;
      throw new ReadStop('limit', message, info.headerOffset);
    }
    const length = Number(pyBlock(size));
    const data = this.source.readAt(pos, length);
    // tarfile parses a short read, then fails to read the next header (SubsequentHeaderError).
    if (data.length < length)
      throw new ReadStop('tarError', 'the archive ends inside an extended header', pos);
    return data;
  }

  /**
   * `_proc_builtin`: files, links, directories, devices and unknown types. Only regular and unknown types
   * have their data skipped; for the others tarfile reads the next header right after theirs, while GNU tar
   * and libarchive skip a nonzero size, so both places are read.
   */
  private procBuiltin(info: Info, pos: number): { info: Info; next: bigint } {
    info.offsetData = pos;
    let next = BigInt(pos);
    if (skipsData(info.typeflag)) next += pyBlock(info.size);
    else if (info.size > 0n) {
      const kind = TYPE_NAMES[info.typeflag] ?? `type '${info.typeflag}'`;
      this.branch(
        next + pyBlock(info.size),
        info.headerOffset,
        `a ${kind} header says it has ${info.size} bytes of data: Python's tarfile (and torch.load) reads the next header right after it, GNU tar and libarchive skip the data first`,
      );
    }
    const headerSize = info.size;
    this.applyPax(info, this.globalPax);
    // Global records are applied after the offset is computed: a global size changes what is read as the
    // member, not where the next header is.
    if (this.globalPax.has('size') && skipsData(info.typeflag) && info.size !== headerSize) {
      this.branch(
        BigInt(pos) + pyBlock(info.size),
        info.headerOffset,
        `a global pax header sets every member's size to ${info.size}: tarfile still finds the next header by the header's own size (${headerSize}), a reader that applies the global size goes elsewhere`,
      );
    }
    if (info.typeflag === '5') info.name = info.name.replace(/\/+$/, '');
    return { info, next };
  }

  /** `_proc_gnulong`: a GNU long name ('L') or link target ('K') for the header that follows. */
  private procGnulong(info: Info, pos: number, depth: number): { info: Info; next: bigint } {
    const data = this.extendedData(info, pos);
    const result = this.nested(pos + data.length, depth);
    const next = result.info;
    next.headerOffset = info.headerOffset;
    if (info.typeflag === 'L') next.name = field(data, 0, data.length);
    else next.linkName = field(data, 0, data.length);
    if (next.typeflag === '5' && next.name.endsWith('/')) next.name = next.name.slice(0, -1);
    return result;
  }

  /**
   * `_proc_sparse`: an old GNU sparse member. Extension blocks of 21 (offset, numbytes) pairs follow the
   * header while the previous block's `isextended` byte is set; the stored data starts after them and is
   * `size` bytes long, and the member's length becomes the header's real size (`origsize`).
   */
  private procSparse(info: Info, pos: number): { info: Info; next: bigint } {
    const { structs, origsize } = info.oldSparse as NonNullable<Info['oldSparse']>;
    let isextended = info.oldSparse?.isextended ?? false;
    let p = pos;
    while (isextended) {
      const buf = this.source.readAt(p, BLOCK);
      // A short block fails in tarfile too (IndexError, or a data offset past the end of the file).
      if (buf.length < BLOCK)
        throw new ReadStop('tarError', 'the archive ends inside a GNU sparse extension block', p);
      for (let i = 0; i < 21; i++) {
        const offset = nti(buf.subarray(24 * i, 24 * i + 12));
        const numbytes = nti(buf.subarray(24 * i + 12, 24 * i + 24));
        if (offset === undefined || numbytes === undefined) {
          // nti() raises InvalidHeaderError, which frombuf()'s `except ValueError` does not catch.
          throw new HeaderError(
            'invalid',
            'a GNU sparse extension block holds a field that is not a number',
            p,
          );
        }
        // Past the limit the map is only counted (sparseOf() then reports it); the offsets stay right.
        if (offset !== 0n && numbytes !== 0n && structs.length <= MAX_SPARSE_REGIONS)
          structs.push([offset, numbytes]);
      }
      isextended = buf[504] !== 0;
      p += BLOCK;
    }
    info.sparse = structs;
    info.offsetData = p;
    const next = BigInt(p) + pyBlock(info.size);
    if (p !== pos) {
      this.branch(
        BigInt(pos) + pyBlock(info.size),
        info.headerOffset,
        `a GNU sparse member has ${(p - pos) / BLOCK} extension block(s): readers that do not know them read the next header ${p - pos} bytes earlier than tarfile`,
        true,
      );
    }
    info.size = origsize;
    return { info, next };
  }

  /**
   * `_proc_pax`: pax extended ('x', Solaris 'X') and global ('g') headers. Records are parsed as both
   * Python parsers do (see parsePaxRecords), then the next header is read, GNU sparse maps are attached, and
   * for 'x' the records patch it; a `size` record also moves the next header (`if "size" in pax_headers`).
   */
  private procPax(info: Info, pos: number, depth: number): { info: Info; next: bigint } {
    const data = this.extendedData(info, pos);
    const parsed = parsePaxRecords(data);
    if (parsed.pythonError) throw new ReadStop('python', parsed.pythonError, pos);
    if (parsed.invalid) throw new HeaderError('invalid', parsed.invalid, pos);
    if (parsed.strictError) {
      this.divergences.push({
        message: `Python 3.11.10+, 3.12.6+ and 3.13+ refuse this pax header (${parsed.strictError}) and stop reading the archive there, or fail when it is the first header; earlier versions read on, as listed`,
        offset: info.headerOffset,
      });
    }
    const global = info.typeflag === 'g';
    const pax = global ? this.globalPax : new Map(this.globalPax);
    for (const r of parsed.records) pax.set(r.keyword, r.value);
    const result = this.nested(pos + data.length, depth);
    const next = result.info;
    if (pax.has('GNU.sparse.map')) {
      // Version 0.1: "offset,numbytes,..." (`_proc_gnusparse_01`; int() errors escape tarfile).
      const numbers = (pax.get('GNU.sparse.map') as string).split(',').map((x) => pyIntBase10(x));
      if (numbers.some((n) => n === undefined))
        throw new ReadStop('python', 'GNU.sparse.map holds something int() cannot read', info.headerOffset);
      next.sparse = pairs(numbers as bigint[]);
    } else if (pax.has('GNU.sparse.size')) {
      // Version 0.0: repeated GNU.sparse.offset / GNU.sparse.numbytes records of this header.
      const offsets: bigint[] = [];
      const numbytes: bigint[] = [];
      for (const r of parsed.records) {
        if (r.keyword !== 'GNU.sparse.offset' && r.keyword !== 'GNU.sparse.numbytes') continue;
        const n = pyIntBase10(r.value);
        if (n === undefined)
          throw new HeaderError('invalid', `${r.keyword} is not a number: ${JSON.stringify(r.value)}`, pos);
        (r.keyword === 'GNU.sparse.offset' ? offsets : numbytes).push(n);
      }
      const count = Math.min(offsets.length, numbytes.length);
      next.sparse = offsets.slice(0, count).map((o, i) => [o, numbytes[i] as bigint]);
    } else if (pax.get('GNU.sparse.major') === '1' && pax.get('GNU.sparse.minor') === '0') {
      this.procGnusparse10(next);
    }
    if (global) return result;
    this.applyPax(next, pax);
    next.headerOffset = info.headerOffset;
    if (!pax.has('size')) return result;
    // "If the extended header replaces the size field, we need to recalculate the offset where the next
    // header starts."
    let offset = BigInt(next.offsetData);
    if (skipsData(next.typeflag)) {
      offset += pyBlock(next.size);
      if (next.sizeNewer !== undefined) {
        this.branch(
          BigInt(next.offsetData) + pyBlock(next.sizeNewer),
          info.headerOffset,
          `the pax size ${JSON.stringify(pax.get('size'))} uses digits Python 3.11 does not know (it reads 0); Pythons with a newer Unicode database read ${next.sizeNewer}`,
        );
      }
      if (next.headerSize !== next.size && next.sparse === undefined) {
        this.branch(
          BigInt(next.offsetData) + pyBlock(next.headerSize),
          info.headerOffset,
          `a pax size record (${next.size}) replaces the header's size field (${next.headerSize}): readers that ignore pax records skip the header's size`,
          true,
        );
      }
    } else if (next.size > 0n) {
      const kind = TYPE_NAMES[next.typeflag] ?? `type '${next.typeflag}'`;
      this.branch(
        offset + pyBlock(next.size),
        info.headerOffset,
        `a pax size record gives a ${kind} ${next.size} bytes of data: Python's tarfile (and torch.load) reads the next header right after it, GNU tar and libarchive skip the data first`,
      );
    }
    return { info: next, next: offset };
  }

  /** `_proc_gnusparse_10`: the map is text at the start of the data, "count\n" then one number per line. */
  private procGnusparse10(next: Info): void {
    let p = next.offsetData;
    let buf = this.source.readAt(p, BLOCK);
    p += buf.length;
    const failure = (why: string) => new ReadStop('python', `the GNU sparse 1.0 map ${why}`, next.offsetData);
    const line = (): Uint8Array => {
      let nl = buf.indexOf(0x0a);
      if (nl < 0) {
        const more = this.source.readAt(p, BLOCK);
        p += more.length;
        const joined = new Uint8Array(buf.length + more.length);
        joined.set(buf);
        joined.set(more, buf.length);
        buf = joined;
        nl = buf.indexOf(0x0a);
      }
      // `number, buf = buf.split(b"\n", 1)` raises ValueError when there is still no newline.
      if (nl < 0) throw failure('has a number without a newline');
      const out = buf.subarray(0, nl);
      buf = buf.subarray(nl + 1);
      return out;
    };
    const fields = pyIntBytes(line());
    if (fields === undefined) throw failure('does not start with a count');
    if (fields > BigInt(MAX_SPARSE_REGIONS))
      throw new ReadStop('limit', `a GNU sparse map of ${fields} regions exceeds ${MAX_SPARSE_REGIONS}`, p);
    const numbers: bigint[] = [];
    while (numbers.length < Number(fields) * 2) {
      const n = pyIntBytes(line());
      if (n === undefined) throw failure('holds something int() cannot read');
      numbers.push(n);
    }
    next.offsetData = p;
    next.sparse = pairs(numbers);
  }

  /**
   * `_apply_pax_info`, in the records' order: `path` (trailing slashes removed), `linkpath`, `size` (int(),
   * 0 when int() fails), and GNU sparse names and sizes (whose int() errors escape tarfile).
   */
  private applyPax(info: Info, pax: Map<string, string>): void {
    for (const [keyword, value] of pax) {
      if (keyword === 'GNU.sparse.name') info.name = value;
      else if (keyword === 'GNU.sparse.size' || keyword === 'GNU.sparse.realsize') {
        const n = pyIntBase10(value);
        if (n === undefined)
          throw new ReadStop(
            'python',
            `${keyword} is not a number: ${JSON.stringify(value)}`,
            info.headerOffset,
          );
        info.size = n;
        info.sizeNewer = undefined;
      } else if (keyword === 'path') info.name = value.replace(/\/+$/, '');
      else if (keyword === 'linkpath') info.linkName = value;
      else if (keyword === 'size') {
        info.size = pyIntBase10(value) ?? 0n;
        const newer = pyIntBase10(value, { newerUnicode: true }) ?? 0n;
        info.sizeNewer = newer !== info.size ? newer : undefined;
      }
    }
  }
}

function pairs(numbers: readonly bigint[]): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) out.push([numbers[i] as bigint, numbers[i + 1] as bigint]);
  return out;
}

/** `TarInfo.frombuf()` past its checks (parseTarHeader made them): the fields tarfile keeps. */
function frombuf(block: Uint8Array, offset: number, size: bigint, typeflag: string): Info {
  let name = field(block, 0, 100);
  // "Old V7 tar format represents a directory as a regular file with a trailing slash."
  const type = typeflag === '\0' && name.endsWith('/') ? '5' : typeflag;
  let oldSparse: Info['oldSparse'];
  if (type === 'S') {
    const structs: [bigint, bigint][] = [];
    for (let i = 0; i < 4; i++) {
      const at = 386 + 24 * i;
      structs.push([nti(block.subarray(at, at + 12)) ?? 0n, nti(block.subarray(at + 12, at + 24)) ?? 0n]);
    }
    oldSparse = { structs, isextended: block[482] !== 0, origsize: nti(block.subarray(483, 495)) ?? 0n };
  }
  if (type === '5') name = name.replace(/\/+$/, '');
  // The prefix is joined whatever the magic (v7 headers included), except for GNU types.
  const prefix = field(block, 345, 155);
  if (prefix && type !== 'L' && type !== 'K' && type !== 'S') name = `${prefix}/${name}`;
  return {
    headerOffset: offset,
    typeflag: type,
    name,
    linkName: field(block, 157, 100),
    headerSize: size,
    size,
    offsetData: offset + BLOCK,
    ...(oldSparse ? { oldSparse } : {}),
  };
}

/** A sparse map in numbers, or why tarfile's layout of it cannot be rebuilt here. */
function sparseOf(info: Info, storedBytes: number): TarSparse {
  const raw = info.sparse ?? [];
  const unsupported =
    // A negative size reads as empty (`_FileInFile.read()` reads `size - position` bytes), like any member's.
    raw.some(([o, n]) => !fitsNumber(o) || !fitsNumber(n)) || info.size > MAX_SAFE
      ? 'its sparse map has a negative value or one beyond 2^53, or its size is beyond 2^53'
      : raw.length > MAX_SPARSE_REGIONS
        ? `its sparse map has ${raw.length} regions, more than ${MAX_SPARSE_REGIONS}`
        : undefined;
  const map = unsupported ? [] : raw.map(([o, n]) => [Number(o), Number(n)] as const);
  return { map, storedBytes, ...(unsupported ? { unsupported } : {}) };
}

/**
 * Lists members as Python's tarfile does (`TarFile.next()` until it returns None), and also every member
 * another reading reaches: wherever readers disagree on where the next header is (see `divergences`), the
 * other place is read as well, with the same rules, until it meets a header already read. Never throws for
 * bad data: what could not be read is a problem, members so far are kept.
 */
export function listTar(source: ByteSource, options: { maxEntries: number }): TarListing {
  const reader = new TarfileReader(source);
  const entries: TarEntry[] = [];
  const problems: TarNote[] = [];
  let tarError: TarNote | undefined;
  const seenMembers = new Set<string>();
  const visited = new Set<number>();
  let omittedEntries = false;
  const queue: Branch[] = [{ offset: 0, globalPax: new Map(), reason: '', at: 0, benign: false }];
  for (let qi = 0; qi < queue.length && !omittedEntries; qi++) {
    const start = queue[qi] as Branch;
    const primary = qi === 0;
    const before = entries.length;
    reader.globalPax = new Map(start.globalPax);
    const problem = (note: TarNote, isTarError: boolean) => {
      if (!primary) return;
      problems.push(note);
      if (isTarError) tarError ??= note;
    };
    for (let p = start.offset; ; ) {
      // tarfile loops for ever on an offset it has read before; other readings stop where they join.
      if (visited.has(p)) break;
      if (entries.length >= options.maxEntries) {
        omittedEntries = true;
        break;
      }
      if (p + BLOCK > source.size) {
        // `TarFile.next()` seeks to the offset first and raises ReadError when it is past the end.
        if (p > source.size)
          problem({ message: 'the last member runs past the end of the file', offset: p }, true);
        else if (p < source.size)
          problem({ message: 'the archive ends inside a header block', offset: p }, p === 0);
        break;
      }
      visited.add(p);
      let read: { info: Info; next: bigint };
      try {
        read = reader.fromTarfile(p, 0);
      } catch (error) {
        if (error instanceof HeaderError) {
          // EOFHeaderError ends the archive; other header errors do too, except at offset 0 (ReadError).
          if (error.kind !== 'eof') problem({ message: error.message, offset: error.offset }, p === 0);
        } else if (error instanceof ReadStop) {
          const note = { message: error.message, offset: error.offset };
          if (primary || error.kind === 'limit') problems.push(note);
          if (primary && error.kind === 'tarError') tarError ??= note;
        } else throw error;
        break;
      } finally {
        queue.push(...reader.branches.splice(0));
      }
      const { info, next } = read;
      const type = entryType(info.typeflag);
      const isFile = type === 'file';
      if (isFile && info.sparse === undefined && info.size > MAX_SAFE) {
        problem(
          { message: `tar size ${info.size} does not fit in 53 bits`, offset: info.headerOffset + 124 },
          true,
        );
        break;
      }
      if (isFile && info.size < 0n) {
        reader.divergences.push({
          message: `member '${info.name}' has the negative size ${info.size}: tarfile reads it as empty`,
          offset: info.headerOffset,
        });
      }
      const size = info.size < 0n ? 0 : fitsNumber(info.size) ? Number(info.size) : Number.MAX_SAFE_INTEGER;
      const entry: TarEntry = {
        name: info.name,
        type,
        typeflag: info.typeflag,
        linkName: info.linkName,
        size,
        dataOffset: info.offsetData,
        headerOffset: info.headerOffset,
        ...(info.sparse !== undefined && isFile
          ? { sparse: sparseOf(info, Math.max(0, Math.min(source.size, Number(next)) - info.offsetData)) }
          : {}),
        ...(primary ? {} : { alternative: start.reason }),
      };
      // tarfile lists every member it reads; another reading adds only members it reads differently.
      const key = `${entry.dataOffset}:${info.size}:${JSON.stringify(entry.sparse?.map ?? null)}:${type}`;
      if (primary || !seenMembers.has(key)) entries.push(entry);
      seenMembers.add(key);
      if (isFile && entry.sparse === undefined && entry.dataOffset + size > source.size) {
        // Reading it raises ReadError("unexpected end of data") in tarfile.
        problem(
          { message: `member '${entry.name}' runs past the end of the file`, offset: entry.dataOffset },
          true,
        );
        if (next > BigInt(source.size)) break;
      }
      if (next < 0n || next > BigInt(source.size)) {
        if (next < 0n)
          problem({ message: `tarfile would seek to offset ${next}`, offset: info.headerOffset }, false);
        else
          problem(
            { message: `member '${entry.name}' runs past the end of the file`, offset: entry.dataOffset },
            true,
          );
        break;
      }
      p = Number(next);
    }
    if (!primary && (!start.benign || entries.length > before)) {
      reader.divergences.push({ message: start.reason, offset: start.at });
    }
  }
  return {
    entries,
    problems,
    divergences: reader.divergences,
    ...(tarError ? { tarError } : {}),
    omittedEntries,
  };
}

// --- member content --------------------------------------------------------------------------------------

export interface TarMemberView {
  /** Which reading this is, when a member has more than one (a sparse map laid out two ways). */
  readonly label?: string;
  readonly source: ByteSource;
}

/** A stretch of a member's content: stored bytes from `from`, or zeros (a hole) when `from` is undefined. */
interface Segment {
  readonly start: number;
  readonly length: number;
  readonly from: number | undefined;
}

/** A ByteSource made of segments covering [0, size) in order. */
function segmentSource(source: ByteSource, segments: readonly Segment[], size: number): ByteSource {
  return {
    size,
    readAt(position, length) {
      const end = Math.min(size, position + length);
      if (end <= position) return new Uint8Array(0);
      const out = new Uint8Array(end - position);
      let lo = 0;
      let hi = segments.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((segments[mid] as Segment).start <= position) lo = mid;
        else hi = mid - 1;
      }
      for (let i = lo; i < segments.length; i++) {
        const s = segments[i] as Segment;
        if (s.start >= end) break;
        const from = Math.max(position, s.start);
        const to = Math.min(end, s.start + s.length);
        if (to <= from || s.from === undefined) continue;
        out.set(source.readAt(s.from + (from - s.start), to - from), from - position);
      }
      return out;
    },
  };
}

/**
 * The content `TarFile.extractfile()` reads (Lib/tarfile.py `_FileInFile`, which torch uses for `pickle`):
 * a map of data and hole entries built from the sparse regions, then read front to back, each position taken
 * from the first entry containing it searching on from the last one used. Returns the segments and where
 * the stored bytes run past the end of the file, if they do (ReadError there).
 */
function extractfileSegments(entry: TarEntry, map: TarSparse['map'], fileSize: number) {
  const entries: { data: boolean; start: number; stop: number; real: number }[] = [];
  let lastpos = 0;
  let realpos = entry.dataOffset;
  for (const [offset, size] of map) {
    if (offset > lastpos) entries.push({ data: false, start: lastpos, stop: offset, real: 0 });
    entries.push({ data: true, start: offset, stop: offset + size, real: realpos });
    realpos += size;
    lastpos = offset + size;
  }
  if (lastpos < entry.size) entries.push({ data: false, start: lastpos, stop: entry.size, real: 0 });
  const segments: Segment[] = [];
  let index = 0;
  for (let position = 0; position < entry.size; ) {
    // Every position below the size is inside some entry (holes start at lastpos, so the entries cover
    // [0, size) without a gap); the search still gives up rather than loop if that were ever not so.
    let found = -1;
    for (let k = 0; k < entries.length && found < 0; k++) {
      const e = entries[(index + k) % entries.length] as (typeof entries)[number];
      if (e.start <= position && position < e.stop) found = (index + k) % entries.length;
    }
    if (found < 0) return { segments, size: position, pastEnd: false };
    index = found;
    const e = entries[index] as (typeof entries)[number];
    const length = Math.min(entry.size - position, e.stop - position);
    const from = e.data ? e.real + (position - e.start) : undefined;
    if (from !== undefined && from + length > fileSize) {
      const fits = Math.max(0, fileSize - from);
      if (fits > 0) segments.push({ start: position, length: fits, from });
      return { segments, size: position + fits, pastEnd: true };
    }
    segments.push({ start: position, length, from });
    position += length;
  }
  return { segments, size: entry.size, pastEnd: false };
}

/**
 * The content `TarFile.extract()` writes (Lib/tarfile.py `makefile`, which torch uses for `storages` and
 * `tensors`): each region's stored bytes written at its offset in turn, later ones over earlier ones, holes
 * left as zeros, then the file cut or extended to the size. Undefined when a region's bytes run past the
 * end of the file (ReadError: nothing is extracted).
 */
function extractSegments(entry: TarEntry, map: TarSparse['map'], fileSize: number): Segment[] | undefined {
  const regions: Segment[] = [];
  let realpos = entry.dataOffset;
  for (const [offset, size] of map) {
    if (realpos + size > fileSize) return undefined;
    regions.push({ start: offset, length: size, from: realpos });
    realpos += size;
  }
  // Paint from the last region back, keeping only what later regions left uncovered.
  const covered: [number, number][] = [];
  const painted: Segment[] = [];
  for (let i = regions.length - 1; i >= 0; i--) {
    const r = regions[i] as Segment;
    let from = r.start;
    const to = Math.min(entry.size, r.start + r.length);
    for (const [a, b] of covered) {
      if (from >= to) break;
      if (b <= from) continue;
      if (a >= to) break;
      if (a > from)
        painted.push({ start: from, length: a - from, from: (r.from as number) + (from - r.start) });
      from = Math.max(from, b);
    }
    if (from < to)
      painted.push({ start: from, length: to - from, from: (r.from as number) + (from - r.start) });
    if (r.start < to) {
      // Insert [r.start, to) into the sorted, disjoint list, merging what it touches.
      let lo = 0;
      while (lo < covered.length && (covered[lo] as [number, number])[1] < r.start) lo++;
      let hi = lo;
      let a = r.start;
      let b = to;
      while (hi < covered.length && (covered[hi] as [number, number])[0] <= b) {
        const c = covered[hi] as [number, number];
        a = Math.min(a, c[0]);
        b = Math.max(b, c[1]);
        hi++;
      }
      covered.splice(lo, hi - lo, [a, b]);
    }
  }
  painted.sort((x, y) => x.start - y.start);
  const segments: Segment[] = [];
  let position = 0;
  for (const s of painted) {
    if (s.start > position) segments.push({ start: position, length: s.start - position, from: undefined });
    segments.push(s);
    position = s.start + s.length;
  }
  if (position < entry.size)
    segments.push({ start: position, length: entry.size - position, from: undefined });
  return segments;
}

/** Adjacent segments that continue each other merged, so two layouts compare equal when their bytes do. */
function normalise(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segments) {
    if (s.length === 0) continue;
    const last = out[out.length - 1];
    const continues =
      last !== undefined &&
      last.start + last.length === s.start &&
      (last.from === undefined
        ? s.from === undefined
        : s.from !== undefined && last.from + last.length === s.from);
    if (continues) out[out.length - 1] = { ...last, length: last.length + s.length };
    else out.push(s);
  }
  return out;
}

/**
 * What tarfile reads as a member's content: its data, or for a sparse member the content rebuilt from its
 * map (holes as zeros). When `extractfile()` and `extract()` would build different content from an unusual
 * map, both are returned, labelled. `problem` says what could not be read as tarfile reads it.
 */
export function tarMemberViews(
  source: ByteSource,
  entry: TarEntry,
): { views: TarMemberView[]; problem?: string } {
  const sparse = entry.sparse;
  if (sparse === undefined) return { views: [{ source: sliceSource(source, entry.dataOffset, entry.size) }] };
  const stored = {
    label: '(stored bytes)',
    source: sliceSource(source, entry.dataOffset, sparse.storedBytes),
  };
  if (sparse.unsupported !== undefined) {
    return {
      views: [stored],
      problem: `sparse member '${entry.name}' was analysed as its stored bytes: ${sparse.unsupported}`,
    };
  }
  const read = extractfileSegments(entry, sparse.map, source.size);
  const written = extractSegments(entry, sparse.map, source.size);
  const views: TarMemberView[] = [];
  const a = normalise(read.segments);
  const same = written !== undefined && JSON.stringify(a) === JSON.stringify(normalise(written));
  views.push({
    ...(same ? {} : { label: '(as TarFile.extractfile() reads it)' }),
    source: segmentSource(source, a, read.size),
  });
  if (written !== undefined && !same) {
    views.push({
      label: '(as TarFile.extract() writes it)',
      source: segmentSource(source, written, entry.size),
    });
  }
  return {
    views,
    ...(read.pastEnd ? { problem: `sparse member '${entry.name}' runs past the end of the file` } : {}),
  };
}
