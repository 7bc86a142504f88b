/**
 * Whole-file compression as joblib writes it (joblib/compressor.py): zlib → a raw zlib stream, gzip → gzip,
 * bz2 → bzip2, xz → .xz, lzma → legacy .lzma ("LZMA_Alone"), lz4 → LZ4 frames; and lzip, which CPython's
 * lzma.open reads too (liblzma >= 5.4, see auto.ts). Detected by magic bytes and decoded under an output
 * bound, so a decompression bomb costs at most `maxOutputBytes` of memory and the time to produce it, never
 * the size it claims. Several streams back to back are decoded as the Python reader of each format does.
 *
 * Very old joblib (< 0.10) wrote zlib data behind a "ZF" header with the length; that format is not detected.
 */
import { type ByteSource, startsWith } from '../../core/byte-reader.js';
import { assertNever, InternalError } from '../../core/errors.js';
import { classifyNextStream, decodeLzmaFamily, EMPTY_LZMA_STREAM_BYTES } from './auto.js';
import { decodeBzip2, isBzip2Header } from './bzip2.js';
import { decodeGzip, decodeZlib, skipZeros } from './deflate.js';
import { decodeLz4 } from './lz4.js';
import { isLzipHeader } from './lzip.js';
import { isLzmaAloneHeader, LZMA_HEADER_BYTES } from './lzma.js';
import { BoundedOutput, type DecompressOptions, type StopReason } from './output.js';
import { type DecodeOutcome, SourceReadError } from './types.js';
import { XZ_MAGIC } from './xz.js';

export { skipZeros } from './deflate.js';
export type { DecompressOptions, StopReason } from './output.js';

export type CompressionKind = 'gzip' | 'zlib' | 'bz2' | 'xz' | 'lzma' | 'lzip' | 'lz4';

export interface DecompressResult {
  /** The decoded bytes: all of them when complete, else those decoded before stopping (<= maxOutputBytes). */
  readonly data: Uint8Array;
  /** The compressed data ended properly and every integrity check passed. */
  readonly complete: boolean;
  /** Decoding was stopped by a bound: 'limit' (maxOutputBytes) or 'ratio' (likely decompression bomb). */
  readonly stopped?: StopReason;
  /** Why decoding failed on bad data (truncated, corrupt, unsupported). Absent when complete. */
  readonly error?: string;
  /** Compressed bytes consumed: exact when complete, otherwise how far decoding got. */
  readonly consumed?: number;
  /**
   * Bytes at the end of the input, after the last stream that decoded, that start no stream (appended
   * garbage, or a payload hidden from decompressors): the last `trailingBytes` bytes of the input. With
   * complete true, the format's Python reader ignores them (callers should still report and analyse them);
   * with an error, they are what the reader fails on (the error says why).
   */
  readonly trailingBytes?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const ZLIB_CMF_DEFLATE_32K = 0x78;
/** FLG bytes that follow 0x78 for the four zlib levels (RFC 1950 §2.2: FLEVEL 0..3, FDICT clear). */
const ZLIB_FLG = new Set([0x01, 0x5e, 0x9c, 0xda]);
const LZ4_MAGIC = [0x04, 0x22, 0x4d, 0x18];
/** Bytes sniffCompression looks at at most (the .lzma header is the longest signature). */
export const COMPRESSION_SNIFF_BYTES = 13;

/**
 * The compression format `head` (the first bytes of a file) starts with, by magic bytes, or undefined.
 * .lzma has no magic; it is claimed for exactly the headers liblzma's FORMAT_AUTO decoder sends to its .lzma
 * decoder and accepts (see isLzmaAloneHeader). The order of the checks does not matter: none of the magics
 * below is such a header (their first byte is not a valid lc/lp/pb, or for LZ4 the dictionary size it
 * implies, 0x??184D22, is not 2^n or 2^n + 2^(n-1)), just as liblzma itself sends only 0xFD (.xz) and 0x4C
 * (lzip, "LZIP") elsewhere.
 */
export function sniffCompression(head: Uint8Array): CompressionKind | undefined {
  if (startsWith(head, GZIP_MAGIC)) return 'gzip';
  if (
    head.length >= 2 &&
    head[0] === ZLIB_CMF_DEFLATE_32K &&
    ZLIB_FLG.has(head[1]!) &&
    (head[0] * 256 + head[1]!) % 31 === 0 // RFC 1950 §2.2 FCHECK
  ) {
    return 'zlib';
  }
  if (isBzip2Header(head)) return 'bz2';
  if (startsWith(head, XZ_MAGIC)) return 'xz';
  if (startsWith(head, LZ4_MAGIC)) return 'lz4';
  if (isLzipHeader(head)) return 'lzip';
  if (isLzmaAloneHeader(head)) return 'lzma';
  return undefined;
}

/**
 * sniffCompression, with a look further into `source` for data that starts with zeros: liblzma's FORMAT_AUTO
 * decoder reads each 18 of them as an empty .lzma stream (see auto.ts), so lzma.open accepts a file of zeros
 * and decodes whatever stream follows them. Zero-filled data (padding, zeroed weights, a bomb's output) is
 * claimed only when such a stream follows the zeros; otherwise it is not compressed data, and decoding it as
 * .lzma would only report a cut-off header at its end.
 */
export function sniffCompressedSource(head: Uint8Array, source: ByteSource): CompressionKind | undefined {
  const kind = sniffCompression(head);
  if (kind !== 'lzma' || head.subarray(0, EMPTY_LZMA_STREAM_BYTES).some((b) => b !== 0)) return kind;
  const firstNonZero = skipZeros(source, 0);
  if (firstNonZero >= source.size) return undefined;
  const next = firstNonZero - (firstNonZero % EMPTY_LZMA_STREAM_BYTES);
  const after = classifyNextStream(source.readAt(next, LZMA_HEADER_BYTES));
  return after === 'none' || after === 'truncated' ? undefined : 'lzma';
}

function checkOptions(options: DecompressOptions): void {
  const { maxOutputBytes, maxRatio, minBytesForRatio } = options;
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new InternalError(
      'UNEXPECTED',
      `maxOutputBytes must be a non-negative integer, got ${maxOutputBytes}`,
    );
  }
  if (!(maxRatio > 0)) throw new InternalError('UNEXPECTED', `maxRatio must be positive, got ${maxRatio}`);
  if (!(minBytesForRatio >= 0)) {
    throw new InternalError('UNEXPECTED', `minBytesForRatio must be >= 0, got ${minBytesForRatio}`);
  }
}

/** Tags failures of the source so decoders, which turn errors into results, let them through. */
function guardReads(source: ByteSource): ByteSource {
  return {
    size: source.size,
    readAt(position, length) {
      try {
        return source.readAt(position, length);
      } catch (error) {
        throw new SourceReadError(error);
      }
    },
  };
}

function decoderFor(
  kind: CompressionKind,
): (source: ByteSource, out: BoundedOutput) => Promise<DecodeOutcome> {
  switch (kind) {
    case 'gzip':
      return decodeGzip;
    case 'zlib':
      return decodeZlib;
    case 'bz2':
      return decodeBzip2;
    case 'xz':
    case 'lzma':
    case 'lzip':
      return (source, out) => decodeLzmaFamily(kind, source, out);
    case 'lz4':
      return decodeLz4;
    default:
      return assertNever(kind, 'compression kind');
  }
}

/**
 * Decompresses `source` as `kind`, streaming: compressed input is read in chunks and decoding stops as soon as
 * the output would pass `maxOutputBytes` (stopped 'limit'), or has passed `minBytesForRatio` with an
 * output/input ratio above `maxRatio` (stopped 'ratio'). Bad data (truncated, corrupt, wrong format) never
 * throws: the result has complete false, an `error` and the bytes decoded so far. Throws only for invalid
 * options or when reading the source fails.
 */
export async function decompressBounded(
  kind: CompressionKind,
  source: ByteSource,
  options: DecompressOptions,
): Promise<DecompressResult> {
  checkOptions(options);
  const decode = decoderFor(kind);
  if (source.size === 0) {
    return { data: new Uint8Array(0), complete: false, error: `${kind}: empty input`, consumed: 0 };
  }
  const out = new BoundedOutput(options);
  let outcome: DecodeOutcome;
  try {
    outcome = await decode(guardReads(source), out);
  } catch (error) {
    throw error instanceof SourceReadError ? error.cause : error;
  }
  const data = out.data();
  if (out.stopped) return { data, complete: false, stopped: out.stopped, consumed: outcome.consumed };
  const trailing = outcome.trailingBytes ? { trailingBytes: outcome.trailingBytes } : {};
  if (!outcome.complete) {
    const error = outcome.error ?? `${kind}: the compressed data ended early`;
    return { data, complete: false, error, consumed: outcome.consumed, ...trailing };
  }
  return { data, complete: true, consumed: outcome.consumed, ...trailing };
}
