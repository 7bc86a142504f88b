/**
 * A lenient zip reader that sees what PyTorch's reader (miniz, caffe2/serialize/inline_container.cc) sees.
 *
 * Written by hand on purpose (ARCHITECTURE.md): strict libraries (Python's zipfile, yauzl) refuse archives
 * PyTorch happily loads (bad CRCs, "encrypted" flag bits, local/central name mismatches:
 * CVE-2025-1944/1945, CVE-2025-10156), and a scanner that refuses them skips what the victim loads. Like
 * miniz we trust the central directory, read data at the offset the local header gives, and ignore CRCs and
 * flags; unlike miniz we record every such oddity as an anomaly. Format: PKWARE APPNOTE.TXT 6.3.10.
 */
import { crc32, createInflateRaw } from 'node:zlib';
import type { ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;

const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
/** The end record sits in the last 22 + 65,535 (maximum comment) bytes (APPNOTE 4.3.16). */
export const EOCD_SEARCH_BYTES = EOCD_SIZE + 0xffff;
/** Local headers scanned when there is no central directory at all. */
export const MAX_RECOVERY_SCAN_BYTES = 64 * 1024 * 1024;
/** Anomalies of one kind recorded per archive; more are counted, not listed. */
export const MAX_ANOMALIES_PER_KIND = 20;
/** Chunk of compressed input fed to the inflater at a time. */
export const INFLATE_CHUNK_BYTES = 1 << 20;

export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

/** General-purpose flag bits (APPNOTE 4.4.4). */
const FLAG_ENCRYPTED = 0x0001;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const FLAG_MASKED_HEADERS = 0x2000;
const FLAG_UTF8 = 0x0800;

export interface ZipEntry {
  /** Name from the central directory: the one PyTorch looks records up by. */
  readonly name: string;
  /** Name in the local header, when it differs. */
  readonly localName?: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  /** Where the member's data starts, or -1 when its local header could not be read. */
  readonly dataOffset: number;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  /** Index in the central directory (PyTorch takes its archive prefix from entry 0). */
  readonly index: number;
}

export type ZipAnomalyKind =
  | 'name-mismatch'
  | 'flags'
  | 'structure'
  | 'traversal'
  | 'link'
  | 'duplicate'
  | 'overlap'
  | 'truncated';

export interface ZipAnomaly {
  readonly kind: ZipAnomalyKind;
  readonly message: string;
  readonly offset?: number;
  readonly member?: string;
}

export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  readonly anomalies: readonly ZipAnomaly[];
  /** True when the central directory was missing and members were found by scanning local headers. */
  readonly recovered: boolean;
  /** Bytes before the first member that belong to no member (e.g. a polyglot prefix). */
  readonly prefixBytes: number;
  /** Members beyond `maxEntries` that were not listed. */
  readonly omittedEntries: number;
}

function u16(b: Uint8Array, o: number): number {
  return (b[o] as number) | ((b[o + 1] as number) << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (
    ((b[o] as number) |
      ((b[o + 1] as number) << 8) |
      ((b[o + 2] as number) << 16) |
      ((b[o + 3] as number) << 24)) >>>
    0
  );
}
function u64(b: Uint8Array, o: number, what: string): number {
  const lo = u32(b, o);
  const hi = u32(b, o + 4);
  if (hi >= 0x200000) throw new ParseError('BAD_VALUE', `${what} does not fit in 53 bits`, o);
  return hi * 0x100000000 + lo;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** Member names: UTF-8 when flagged or valid, else byte-per-character (CP437 mostly matches in ASCII). */
function decodeName(bytes: Uint8Array, flags: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return flags & FLAG_UTF8 ? new TextDecoder('utf-8').decode(bytes) : latin1.decode(bytes);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether a name would be written outside the extraction folder: absolute, drive-letter or `..` paths. */
export function escapesRoot(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return true;
  return name.split(/[\\/]/).some((seg) => seg === '..');
}

interface Eocd {
  readonly offset: number;
  readonly entries: number;
  readonly cdSize: number;
  readonly cdOffset: number;
  /** Where the central directory must end: the zip64 end record if any, else the end record. */
  readonly cdEnd: number;
}

/** Finds the end of central directory record, last one first, as miniz does. */
export function findEndRecord(source: ByteSource): Eocd | undefined {
  if (source.size < EOCD_SIZE) return undefined;
  const start = Math.max(0, source.size - EOCD_SEARCH_BYTES);
  const tail = source.readAt(start, source.size - start);
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (u32(tail, i) !== SIG_EOCD) continue;
    const offset = start + i;
    let entries = u16(tail, i + 10);
    let cdSize = u32(tail, i + 12);
    let cdOffset = u32(tail, i + 16);
    let cdEnd = offset;
    if (
      (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) &&
      offset >= ZIP64_LOCATOR_SIZE
    ) {
      const loc = source.readAt(offset - ZIP64_LOCATOR_SIZE, ZIP64_LOCATOR_SIZE);
      if (u32(loc, 0) === SIG_ZIP64_LOCATOR) {
        const z64 = u64(loc, 8, 'zip64 end record offset');
        const rec = source.readAt(z64, ZIP64_EOCD_SIZE);
        if (rec.length === ZIP64_EOCD_SIZE && u32(rec, 0) === SIG_ZIP64_EOCD) {
          entries = u64(rec, 32, 'zip64 entry count');
          cdSize = u64(rec, 40, 'zip64 central directory size');
          cdOffset = u64(rec, 48, 'zip64 central directory offset');
          cdEnd = z64;
        }
      }
    }
    return { offset, entries, cdSize, cdOffset, cdEnd };
  }
  return undefined;
}

/** Zip64 extended information (APPNOTE 4.5.3): 64-bit values for fields saturated at 0xFFFFFFFF. */
function applyZip64(
  extra: Uint8Array,
  sizes: { usize: number; csize: number; lho: number },
): { usize: number; csize: number; lho: number } {
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    const body = extra.subarray(p + 4, p + 4 + len);
    if (id === 0x0001) {
      let q = 0;
      const out = { ...sizes };
      if (sizes.usize === 0xffffffff && q + 8 <= body.length) {
        out.usize = u64(body, q, 'zip64 size');
        q += 8;
      }
      if (sizes.csize === 0xffffffff && q + 8 <= body.length) {
        out.csize = u64(body, q, 'zip64 compressed size');
        q += 8;
      }
      if (sizes.lho === 0xffffffff && q + 8 <= body.length) out.lho = u64(body, q, 'zip64 header offset');
      return out;
    }
    p += 4 + len;
  }
  return sizes;
}

class AnomalyLog {
  readonly list: ZipAnomaly[] = [];
  /** Names that extract outside the target folder (zip-slip). */
  checkName(name: string, offset: number): void {
    if (!escapesRoot(name)) return;
    this.add({
      kind: 'traversal',
      message: `member name '${name}' escapes the extraction folder`,
      member: name,
      offset,
    });
  }

  private readonly counts = new Map<ZipAnomalyKind, number>();
  add(a: ZipAnomaly): void {
    const n = (this.counts.get(a.kind) ?? 0) + 1;
    this.counts.set(a.kind, n);
    if (n <= MAX_ANOMALIES_PER_KIND) this.list.push(a);
    else if (n === MAX_ANOMALIES_PER_KIND + 1) {
      this.list.push({
        kind: a.kind,
        message: `more ${a.kind} anomalies follow; only the first ${MAX_ANOMALIES_PER_KIND} are listed`,
      });
    }
  }
}

interface LocalHeader {
  readonly nameBytes: Uint8Array;
  readonly dataOffset: number;
  readonly flags: number;
  readonly method: number;
  readonly csize: number;
  readonly usize: number;
}

function readLocal(source: ByteSource, offset: number): LocalHeader | undefined {
  const h = source.readAt(offset, LOCAL_SIZE);
  if (h.length < LOCAL_SIZE || u32(h, 0) !== SIG_LOCAL) return undefined;
  const nameLen = u16(h, 26);
  const extraLen = u16(h, 28);
  return {
    nameBytes: source.readAt(offset + LOCAL_SIZE, nameLen),
    dataOffset: offset + LOCAL_SIZE + nameLen + extraLen,
    flags: u16(h, 6),
    method: u16(h, 8),
    csize: u32(h, 18),
    usize: u32(h, 22),
  };
}

/**
 * Reads the member list. Throws ParseError only when the bytes are not a zip at all; everything odd about
 * a zip is an anomaly, and members are listed as far as they can be read.
 */
export function readZipDirectory(source: ByteSource, options: { maxEntries: number }): ZipDirectory {
  const log = new AnomalyLog();
  const eocd = findEndRecord(source);
  if (eocd === undefined) return recoverFromLocalHeaders(source, options, log);

  // Data prepended to the archive shifts every offset; zipfile corrects for it, miniz does not. Find where
  // the central directory really is and record the shift as an anomaly.
  let shift = 0;
  const atDeclared = source.readAt(eocd.cdOffset, 4);
  const expected = eocd.cdEnd - eocd.cdSize;
  if (eocd.entries > 0 && !(atDeclared.length === 4 && u32(atDeclared, 0) === SIG_CENTRAL)) {
    const atExpected = expected >= 0 ? source.readAt(expected, 4) : new Uint8Array();
    // Only a positive shift is prepended data; a negative one would move offsets before the file's start.
    if (expected > eocd.cdOffset && atExpected.length === 4 && u32(atExpected, 0) === SIG_CENTRAL) {
      shift = expected - eocd.cdOffset;
      log.add({
        kind: 'structure',
        message: `${shift} byte(s) precede the archive: offsets in the end record are off by ${shift} (zipfile accepts this; PyTorch does not)`,
        offset: 0,
      });
    } else {
      log.add({
        kind: 'truncated',
        message: 'the central directory is not where the end record says',
        offset: eocd.offset,
      });
      return recoverFromLocalHeaders(source, options, log);
    }
  } else if (eocd.cdOffset + eocd.cdSize < expected) {
    log.add({
      kind: 'structure',
      message: `${expected - eocd.cdOffset - eocd.cdSize} byte(s) lie between the central directory and the end record`,
      offset: eocd.cdOffset + eocd.cdSize,
    });
  }
  if (eocd.offset + EOCD_SIZE + u16(source.readAt(eocd.offset + 20, 2), 0) < source.size) {
    log.add({
      kind: 'structure',
      message: `${source.size - eocd.offset - EOCD_SIZE} byte(s) follow the end record (a comment or appended data)`,
      offset: eocd.offset,
    });
  }

  const entries: ZipEntry[] = [];
  const seen = new Set<string>();
  let p = eocd.cdOffset + shift;
  // miniz lists as many entries as the end record counts; Python's zipfile (numpy.load of .npz, many
  // tools) ignores the count and reads entries until the directory's byte size runs out
  // (Lib/zipfile/__init__.py _RealGetContents). Read the union, so members either one sees are analysed.
  const cdEnd = eocd.cdOffset + shift + eocd.cdSize;
  let omitted = 0;
  for (let i = 0; i < eocd.entries || p + CENTRAL_SIZE <= cdEnd; i++) {
    const h = source.readAt(p, CENTRAL_SIZE);
    if (h.length < CENTRAL_SIZE || u32(h, 0) !== SIG_CENTRAL) {
      if (i < eocd.entries) {
        log.add({
          kind: 'truncated',
          message: `central directory entry ${i} of ${eocd.entries} is missing or corrupt`,
          offset: p,
        });
      }
      break;
    }
    if (i === eocd.entries) {
      log.add({
        kind: 'structure',
        message: `the central directory holds more members than the ${eocd.entries} its end record counts; zipfile (numpy.load) reads them, PyTorch does not`,
        offset: p,
      });
    }
    if (i >= options.maxEntries) {
      omitted = Math.max(eocd.entries, i + 1) - i;
      break;
    }
    const flags = u16(h, 8);
    const method = u16(h, 10);
    const nameLen = u16(h, 28);
    const extraLen = u16(h, 30);
    const commentLen = u16(h, 32);
    const versionMadeBy = u16(h, 4);
    const external = u32(h, 38);
    const nameBytes = source.readAt(p + CENTRAL_SIZE, nameLen);
    const extra = source.readAt(p + CENTRAL_SIZE + nameLen, extraLen);
    const name = decodeName(nameBytes, flags);
    let z = { usize: u32(h, 24), csize: u32(h, 20), lho: u32(h, 42) };
    try {
      z = applyZip64(extra, z);
    } catch {
      // miniz does not check zip64 values when it opens an archive, so the other members still load:
      // keep listing them, with this member's 32-bit (saturated) values.
      log.add({
        kind: 'structure',
        message: `member '${name}' has a zip64 size or offset that does not fit in 53 bits`,
        offset: p,
        member: name,
      });
    }
    const lho = z.lho + shift;
    const local = readLocal(source, lho);
    let localName: string | undefined;
    if (local === undefined) {
      log.add({ kind: 'truncated', message: `no local header at offset ${lho}`, offset: lho, member: name });
    } else if (!sameBytes(local.nameBytes, nameBytes)) {
      localName = decodeName(local.nameBytes, local.flags);
      log.add({
        kind: 'name-mismatch',
        message: `the local header names '${localName}' but the central directory names '${name}'`,
        offset: lho,
        member: name,
      });
    }
    if (method === METHOD_STORED && z.usize !== z.csize) {
      // miniz copies uncompressed-size bytes of a stored member (its open-time check that the two sizes
      // agree reads the method field as 32 bits, so a non-zero modification time defeats it), zipfile
      // copies compressed-size bytes: the two loaders see different data.
      log.add({
        kind: 'structure',
        message: `stored member '${name}' declares ${z.usize} byte(s) but stores ${z.csize}; PyTorch reads the first count, zipfile the second`,
        offset: p,
        member: name,
      });
    }
    const suspicious = flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION | FLAG_MASKED_HEADERS);
    if (suspicious) {
      log.add({
        kind: 'flags',
        message: `flag bits 0x${flags.toString(16).padStart(4, '0')} mark the member as encrypted; PyTorch ignores them and reads it anyway`,
        offset: p,
        member: name,
      });
    }
    const mode = (external >>> 16) & 0o170000;
    const unixHost = versionMadeBy >>> 8 === 3;
    const isSymlink = unixHost && mode === 0o120000;
    log.checkName(name, p);
    if (isSymlink)
      log.add({ kind: 'link', message: `member '${name}' is a symbolic link`, member: name, offset: p });
    if (seen.has(name)) {
      log.add({
        kind: 'duplicate',
        message: `member '${name}' appears more than once; readers disagree on which one they use`,
        member: name,
        offset: p,
      });
    }
    seen.add(name);
    entries.push({
      name,
      ...(localName !== undefined ? { localName } : {}),
      method,
      flags,
      crc32: u32(h, 16),
      compressedSize: z.csize,
      uncompressedSize: z.usize,
      localHeaderOffset: lho,
      dataOffset: local?.dataOffset ?? -1,
      isDirectory: name.endsWith('/') && z.usize === 0,
      isSymlink,
      index: i,
    });
    p += CENTRAL_SIZE + nameLen + extraLen + commentLen;
  }

  // Members whose data overlaps another's are how "overlapping" zip bombs reuse one compressed stream
  // (Fifield 2019); a reader-dependent view of the same bytes is also suspicious.
  const byOffset = entries
    .filter((e) => e.dataOffset >= 0)
    .sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < byOffset.length; i++) {
    const prev = byOffset[i - 1] as ZipEntry;
    const cur = byOffset[i] as ZipEntry;
    if (prev.dataOffset + prev.compressedSize > cur.localHeaderOffset) {
      log.add({
        kind: 'overlap',
        message: `members '${prev.name}' and '${cur.name}' overlap`,
        offset: cur.localHeaderOffset,
        member: cur.name,
      });
    }
  }
  for (const e of entries) {
    if (e.dataOffset >= 0 && e.dataOffset + e.compressedSize > source.size) {
      log.add({
        kind: 'truncated',
        message: `member '${e.name}' runs past the end of the file`,
        offset: e.dataOffset,
        member: e.name,
      });
    }
  }
  const first = byOffset[0];
  const prefixBytes = first !== undefined && shift === 0 ? first.localHeaderOffset : 0;
  if (prefixBytes > 0)
    log.add({ kind: 'structure', message: `${prefixBytes} byte(s) precede the first member`, offset: 0 });
  return {
    entries,
    anomalies: log.list,
    recovered: false,
    prefixBytes,
    omittedEntries: omitted,
  };
}

/** Without an end record, list members by walking local headers (a truncated or hand-made archive). */
function recoverFromLocalHeaders(
  source: ByteSource,
  options: { maxEntries: number },
  log: AnomalyLog,
): ZipDirectory {
  const head = source.readAt(0, 4);
  if (head.length < 4 || u32(head, 0) !== SIG_LOCAL) {
    throw new ParseError('BAD_MAGIC', 'no zip end record and no local header at offset 0', 0);
  }
  log.add({
    kind: 'truncated',
    message: 'the central directory is missing; members were recovered from local headers',
    offset: 0,
  });
  const entries: ZipEntry[] = [];
  let p = 0;
  const limit = Math.min(source.size, MAX_RECOVERY_SCAN_BYTES);
  while (p < limit && entries.length < options.maxEntries) {
    const local = readLocal(source, p);
    if (local === undefined) break;
    const name = decodeName(local.nameBytes, local.flags);
    // With a data descriptor (flag bit 3) the sizes follow the data; without a directory we cannot know
    // where the data ends, so read to the end of the scan window and let the consumer stop at its format end.
    const sizeKnown = (local.flags & 0x0008) === 0 || local.csize !== 0;
    const csize = sizeKnown ? local.csize : limit - local.dataOffset;
    entries.push({
      name,
      method: local.method,
      flags: local.flags,
      crc32: 0,
      compressedSize: csize,
      uncompressedSize: sizeKnown ? local.usize : 0,
      localHeaderOffset: p,
      dataOffset: local.dataOffset,
      isDirectory: name.endsWith('/'),
      isSymlink: false,
      index: entries.length,
    });
    log.checkName(name, p);
    if (!sizeKnown) break;
    p = local.dataOffset + csize;
  }
  return { entries, anomalies: log.list, recovered: true, prefixBytes: 0, omittedEntries: 0 };
}

export interface MemberData {
  readonly data: Uint8Array;
  /** False when the member could not be fully decompressed (corrupt, or stopped by a limit). */
  readonly complete: boolean;
  readonly stopped?: 'limit' | 'ratio';
  readonly error?: string;
}

/**
 * Inflates a deflated member, streaming its compressed bytes from the source and stopping at `maxOutputBytes`
 * or at a bomb-like expansion ratio (once past `minBytesForRatio`), so a hostile member cannot exhaust memory.
 */
export async function inflateMember(
  source: ByteSource,
  entry: ZipEntry,
  options: { maxOutputBytes: number; maxRatio: number; minBytesForRatio: number },
): Promise<MemberData> {
  const inflater = createInflateRaw();
  const chunks: Uint8Array[] = [];
  let produced = 0;
  let consumed = 0;
  let stopped: 'limit' | 'ratio' | undefined;
  let error: string | undefined;
  let ended = false;
  const done = new Promise<void>((resolve) => {
    inflater.on('data', (chunk: Buffer) => {
      if (stopped) return;
      const room = options.maxOutputBytes - produced;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        produced += room;
        stopped = 'limit';
        inflater.destroy();
        resolve();
        return;
      }
      chunks.push(chunk);
      produced += chunk.length;
      if (produced > options.minBytesForRatio && produced / Math.max(1, consumed) > options.maxRatio) {
        stopped = 'ratio';
        inflater.destroy();
        resolve();
      }
    });
    inflater.on('end', () => {
      ended = true;
      resolve();
    });
    inflater.on('error', (e: Error) => {
      error = e.message;
      resolve();
    });
    inflater.on('close', () => resolve());
  });
  const end = Math.min(source.size, entry.dataOffset + entry.compressedSize);
  for (let p = entry.dataOffset; p < end && !stopped && error === undefined; p += INFLATE_CHUNK_BYTES) {
    const chunk = source.readAt(p, Math.min(INFLATE_CHUNK_BYTES, end - p));
    consumed += chunk.length;
    const more = inflater.write(chunk);
    if (!more) await new Promise<void>((r) => inflater.once('drain', r).once('close', r));
  }
  if (!stopped && error === undefined) inflater.end();
  await done;
  const data = concat(chunks, produced);
  if (stopped) return { data, complete: false, stopped };
  if (error !== undefined) return { data, complete: false, error };
  if (!ended) return { data, complete: false, error: 'the deflate stream ended early' };
  return { data, complete: true };
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** CRC-32 (ISO 3309, as zip stores it) of a member's uncompressed bytes. */
export function memberCrc(data: Uint8Array): number {
  return crc32(data) >>> 0;
}
