/**
 * A small zip writer for tests (PKWARE APPNOTE.TXT 6.3.10), with knobs that produce the archives real
 * writers never do: mismatched names, stray flag bits, wrong CRCs, prepended data, missing central
 * directories, duplicate, overlapping, linked and escaping members, zip64 records and lying sizes.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export const SIG_LOCAL = 0x04034b50;
export const SIG_CENTRAL = 0x02014b50;
export const SIG_EOCD = 0x06054b50;
export const SIG_ZIP64_EOCD = 0x06064b50;
export const SIG_ZIP64_LOCATOR = 0x07064b50;
export const SIG_DATA_DESCRIPTOR = 0x08074b50;

export const FLAG_ENCRYPTED = 0x0001;
export const FLAG_DATA_DESCRIPTOR = 0x0008;
export const FLAG_STRONG_ENCRYPTION = 0x0040;
export const FLAG_UTF8 = 0x0800;
export const FLAG_MASKED_HEADERS = 0x2000;

/** Unix symlink mode in the high 16 bits of the external attributes (st_mode S_IFLNK | 0777). */
export const UNIX_SYMLINK_ATTRIBUTES = (0o120777 << 16) >>> 0;
/** Version made by: host 3 (Unix), spec 3.0. */
export const MADE_BY_UNIX = (3 << 8) | 30;

const SATURATED = 0xffffffff;

export interface ZipMemberSpec {
  /** Name in the central directory (what PyTorch looks records up by). */
  readonly name: string;
  readonly data?: Uint8Array | string;
  /** 0 stored (default), 8 deflated; any other method stores `data` as is, labelled with that method. */
  readonly method?: number;
  /** Name written in the local header instead of `name`. */
  readonly localName?: string;
  /** General-purpose flag bits, in both headers. */
  readonly flags?: number;
  /** CRC-32 written instead of the real one. */
  readonly crc?: number;
  /** Bytes written as the member's data instead of `data` compressed by `method`. */
  readonly compressed?: Uint8Array;
  /** Declared uncompressed size; written through a zip64 extra field when it does not fit 32 bits. */
  readonly uncompressedSize?: number;
  /** Declared compressed size; written through a zip64 extra field when it does not fit 32 bits. */
  readonly compressedSize?: number;
  /** A Unix symbolic link (external attributes 0o120777 << 16, made by host 3); `data` is the target. */
  readonly symlink?: boolean;
  readonly externalAttributes?: number;
  readonly versionMadeBy?: number;
  /** Saturate sizes (and the header offset) and carry them in zip64 extra fields. */
  readonly zip64?: boolean;
  /** Sizes and CRC follow the data in a data descriptor; the local header holds zeros. */
  readonly dataDescriptor?: boolean;
  /** Write no local header or data: the central entry points at member `sameLocalAs`'s local header. */
  readonly sameLocalAs?: number;
  /** Write the local header and data but no central entry. */
  readonly omitFromCentral?: boolean;
}

export interface ZipOptions {
  /** Bytes before the archive (a polyglot prefix, a self-extractor stub). */
  readonly prefix?: Uint8Array | string;
  /** Whether offsets count the prefix, as `zip -A` fixes them (default true). */
  readonly fixOffsets?: boolean;
  /** Leave out the central directory and the end record (default true: write them). */
  readonly centralDirectory?: boolean;
  /** Write a zip64 end record and locator, and saturate the classic end record's fields. */
  readonly zip64End?: boolean;
  readonly comment?: string;
  /** Bytes after the end record that its comment length does not cover. */
  readonly trailing?: Uint8Array | string;
  /** Entry count written in the end record instead of the real one. */
  readonly declaredEntries?: number;
}

export interface BuiltZip {
  readonly bytes: Uint8Array;
  /** Offset of each member's local header (of the one it shares, for `sameLocalAs`), in the file. */
  readonly localHeaderOffsets: readonly number[];
  /** Offset of each member's data in the file. */
  readonly dataOffsets: readonly number[];
  /** Where the central directory starts in the file, or -1 without one. */
  readonly centralOffset: number;
  /** Where the end of central directory record starts in the file, or -1 without one. */
  readonly endOffset: number;
}

class Out {
  private readonly parts: Buffer[] = [];
  length = 0;
  bytes(b: Uint8Array | string): this {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
    this.parts.push(buf);
    this.length += buf.length;
    return this;
  }
  u16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n & 0xffff);
    return this.bytes(b);
  }
  u32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return this.bytes(b);
  }
  u64(n: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return this.bytes(b);
  }
  build(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
}

function toBytes(data: Uint8Array | string | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  return typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'utf8')) : data;
}

/** Zip64 extended information extra field (APPNOTE 4.5.3) holding the given 64-bit values in order. */
export function zip64Extra(values: readonly number[]): Uint8Array {
  const out = new Out().u16(0x0001).u16(8 * values.length);
  for (const v of values) out.u64(v);
  return out.build();
}

interface Prepared {
  readonly spec: ZipMemberSpec;
  readonly nameBytes: Uint8Array;
  readonly localNameBytes: Uint8Array;
  readonly payload: Uint8Array;
  readonly crc: number;
  readonly usize: number;
  readonly csize: number;
  readonly flags: number;
  readonly method: number;
  /** Sizes go through zip64 extra fields. */
  readonly wide: boolean;
}

function prepare(spec: ZipMemberSpec): Prepared {
  const data = toBytes(spec.data);
  const method = spec.method ?? 0;
  const payload = spec.compressed ?? (method === 8 ? new Uint8Array(deflateRawSync(data)) : data);
  const usize = spec.uncompressedSize ?? data.length;
  const csize = spec.compressedSize ?? payload.length;
  let flags = spec.flags ?? 0;
  if (spec.dataDescriptor) flags |= FLAG_DATA_DESCRIPTOR;
  return {
    spec,
    nameBytes: toBytes(spec.name),
    localNameBytes: toBytes(spec.localName ?? spec.name),
    payload,
    crc: spec.crc ?? crc32(data) >>> 0,
    usize,
    csize,
    flags,
    method,
    wide: spec.zip64 === true || usize >= SATURATED || csize >= SATURATED,
  };
}

/** Builds an archive and says where its parts are. */
export function buildZipWithLayout(members: readonly ZipMemberSpec[], options: ZipOptions = {}): BuiltZip {
  const prefix = toBytes(options.prefix);
  const base = options.fixOffsets === false ? 0 : prefix.length;
  const out = new Out().bytes(prefix);
  const prepared = members.map(prepare);
  const localOffsets: number[] = [];
  const dataOffsets: number[] = [];

  prepared.forEach((m, i) => {
    const shared = m.spec.sameLocalAs;
    if (shared !== undefined) {
      if (shared >= i) throw new Error(`sameLocalAs must name an earlier member (member ${i})`);
      localOffsets.push(localOffsets[shared] as number);
      dataOffsets.push(dataOffsets[shared] as number);
      return;
    }
    localOffsets.push(out.length);
    const descriptor = m.spec.dataDescriptor === true;
    const extra = m.wide ? zip64Extra([m.usize, m.csize]) : new Uint8Array(0);
    out
      .u32(SIG_LOCAL)
      .u16(m.wide ? 45 : 20)
      .u16(m.flags)
      .u16(m.method)
      .u16(0x6000) // 12:00:00
      .u16(0x5822) // 2024-01-02
      .u32(descriptor ? 0 : m.crc)
      .u32(descriptor ? 0 : m.wide ? SATURATED : m.csize)
      .u32(descriptor ? 0 : m.wide ? SATURATED : m.usize)
      .u16(m.localNameBytes.length)
      .u16(extra.length)
      .bytes(m.localNameBytes)
      .bytes(extra);
    dataOffsets.push(out.length);
    out.bytes(m.payload);
    if (descriptor) out.u32(SIG_DATA_DESCRIPTOR).u32(m.crc).u32(m.csize).u32(m.usize);
  });

  if (options.centralDirectory === false) {
    return {
      bytes: out.build(),
      localHeaderOffsets: localOffsets,
      dataOffsets,
      centralOffset: -1,
      endOffset: -1,
    };
  }

  const centralOffset = out.length;
  let written = 0;
  prepared.forEach((m, i) => {
    if (m.spec.omitFromCentral) return;
    written++;
    const lho = (localOffsets[i] as number) - prefix.length + base;
    const wideOffset = m.spec.zip64 === true;
    const values = m.wide ? [m.usize, m.csize] : [];
    if (wideOffset) values.push(lho);
    const extra = values.length > 0 ? zip64Extra(values) : new Uint8Array(0);
    const symlink = m.spec.symlink === true;
    out
      .u32(SIG_CENTRAL)
      .u16(m.spec.versionMadeBy ?? (symlink ? MADE_BY_UNIX : 20))
      .u16(m.wide ? 45 : 20)
      .u16(m.flags)
      .u16(m.method)
      .u16(0x6000)
      .u16(0x5822)
      .u32(m.crc)
      .u32(m.wide ? SATURATED : m.csize)
      .u32(m.wide ? SATURATED : m.usize)
      .u16(m.nameBytes.length)
      .u16(extra.length)
      .u16(0) // comment length
      .u16(0) // disk number
      .u16(0) // internal attributes
      .u32(m.spec.externalAttributes ?? (symlink ? UNIX_SYMLINK_ATTRIBUTES : 0))
      .u32(wideOffset ? SATURATED : lho)
      .bytes(m.nameBytes)
      .bytes(extra);
  });
  const centralSize = out.length - centralOffset;
  const entries = options.declaredEntries ?? written;
  const cdOffset = centralOffset - prefix.length + base;

  if (options.zip64End) {
    const recordOffset = out.length;
    out
      .u32(SIG_ZIP64_EOCD)
      .u64(44) // size of the rest of the record
      .u16(45)
      .u16(45)
      .u32(0)
      .u32(0)
      .u64(entries)
      .u64(entries)
      .u64(centralSize)
      .u64(cdOffset);
    out
      .u32(SIG_ZIP64_LOCATOR)
      .u32(0)
      .u64(recordOffset - prefix.length + base)
      .u32(1);
  }
  const endOffset = out.length;
  const comment = toBytes(options.comment);
  out
    .u32(SIG_EOCD)
    .u16(0)
    .u16(0)
    .u16(options.zip64End ? 0xffff : entries)
    .u16(options.zip64End ? 0xffff : entries)
    .u32(options.zip64End ? SATURATED : centralSize)
    .u32(options.zip64End ? SATURATED : cdOffset)
    .u16(comment.length)
    .bytes(comment)
    .bytes(toBytes(options.trailing));
  return { bytes: out.build(), localHeaderOffsets: localOffsets, dataOffsets, centralOffset, endOffset };
}

/** Builds an archive's bytes. */
export function buildZip(members: readonly ZipMemberSpec[], options: ZipOptions = {}): Uint8Array {
  return buildZipWithLayout(members, options).bytes;
}
