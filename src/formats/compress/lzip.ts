/**
 * lzip members (.lz), which liblzma 5.4 and later decodes in FORMAT_AUTO, so CPython's lzma.open, LZMAFile
 * and lzma.decompress read them when linked against it: as a whole file, and after an .xz or .lzma stream.
 * Format per the lzip manual ("File format", https://www.nongnu.org/lzip/manual/lzip_manual.html) as liblzma
 * reads it (xz-utils src/liblzma/common/lzip_decoder.c): "LZIP", version 0 or 1, a coded dictionary size,
 * an LZMA stream with lc=3 lp=0 pb=2 and no stated size (so it ends with an end marker), then CRC32 and
 * size of the data and, in version 1, the size of the whole member, all little-endian and all checked.
 */
import { crc32 } from 'node:zlib';
import { startsWith } from '../../core/byte-reader.js';
import type { ByteInput } from './input.js';
import { decodeLzmaStream, type LzmaStreamResult, type LzmaTables } from './lzma.js';
import type { BoundedOutput } from './output.js';
import { TruncatedInput } from './types.js';

export const LZIP_MAGIC = [0x4c, 0x5a, 0x49, 0x50]; // "LZIP"
export const LZIP_HEADER_BYTES = 6;
const LZIP_V0_TRAILER_BYTES = 12;
const LZIP_V1_TRAILER_BYTES = 20;

/** The dictionary size the coded byte stands for, or undefined where liblzma refuses it (DATA_ERROR). */
export function lzipDictionarySize(coded: number): number | undefined {
  const log2 = coded & 0x1f;
  const fraction = coded >>> 5;
  if (log2 < 12 || log2 > 29 || (log2 === 12 && fraction > 0)) return undefined;
  return 2 ** log2 - fraction * 2 ** (log2 - 4);
}

/** Why liblzma refuses the member header at the start of `head`, or undefined when it accepts it. */
export function lzipHeaderProblem(head: Uint8Array): string | undefined {
  if (head.length < LZIP_HEADER_BYTES) return 'shorter than the 6-byte lzip header';
  if (!startsWith(head, LZIP_MAGIC)) return 'not an lzip member (bad magic)';
  if (head[4]! > 1) return `unsupported lzip version ${head[4]}`;
  if (lzipDictionarySize(head[5]!) === undefined)
    return `invalid coded dictionary size 0x${head[5]!.toString(16)}`;
  return undefined;
}

export function isLzipHeader(head: Uint8Array): boolean {
  return lzipHeaderProblem(head) === undefined;
}

const u32le = (b: Uint8Array, i: number) =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;
const u64le = (b: Uint8Array, i: number) =>
  new DataView(b.buffer, b.byteOffset, b.length).getBigUint64(i, true);

function truncated(what: string): LzmaStreamResult {
  return { status: 'error', truncated: true, error: new TruncatedInput(what).message };
}

/** Decodes the lzip member at `input`'s offset into `out` and checks its trailer. */
export async function decodeLzipMember(
  input: ByteInput,
  out: BoundedOutput,
  tables: LzmaTables,
): Promise<LzmaStreamResult> {
  const start = input.offset;
  if (input.remaining < LZIP_HEADER_BYTES) return truncated('lzip header');
  const header = input.bytes(LZIP_HEADER_BYTES).slice();
  const problem = lzipHeaderProblem(header);
  if (problem !== undefined) return { status: 'error', truncated: false, error: problem };
  const version = header[4]!;
  let crc = 0;
  let size = 0;
  const lzmaHeader = {
    lc: 3,
    lp: 0,
    pb: 2,
    dictionarySize: lzipDictionarySize(header[5]!)!,
    uncompressedSize: undefined,
  };
  const result = await decodeLzmaStream(lzmaHeader, input, out, tables, (bytes) => {
    crc = crc32(bytes, crc);
    size += bytes.length;
  });
  if (result.status !== 'end') return result;
  const trailerBytes = version === 0 ? LZIP_V0_TRAILER_BYTES : LZIP_V1_TRAILER_BYTES;
  if (input.remaining < trailerBytes) return truncated('lzip member trailer');
  const trailer = input.bytes(trailerBytes).slice();
  if (u32le(trailer, 0) !== crc >>> 0) return { status: 'error', truncated: false, error: 'CRC-32 mismatch' };
  if (u64le(trailer, 4) !== BigInt(size)) {
    return { status: 'error', truncated: false, error: `data size mismatch: decoded ${size} bytes` };
  }
  if (version > 0 && u64le(trailer, 12) !== BigInt(input.offset - start)) {
    return { status: 'error', truncated: false, error: 'member size mismatch' };
  }
  return { status: 'end' };
}
