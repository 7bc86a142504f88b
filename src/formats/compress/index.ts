/**
 * Whole-file compression as joblib writes it (joblib/compressor.py): zlib → a raw zlib stream, gzip → gzip,
 * bz2 → bzip2, xz → .xz, lzma → legacy .lzma ("LZMA_Alone"), lz4 → LZ4 frames. Detected by magic bytes and
 * decoded under an output bound, so a decompression bomb costs at most `maxOutputBytes` of memory and the
 * time to produce it, never the size it claims.
 *
 * Very old joblib (< 0.10) wrote zlib data behind a "ZF" header with the length; that format is not detected.
 */
import { type ByteSource, startsWith } from '../../core/byte-reader.js';
import { assertNever, InternalError } from '../../core/errors.js';
import { decodeBzip2, isBzip2Header } from './bzip2.js';
import { decodeGzip, decodeZlib } from './deflate.js';
import { decodeLz4 } from './lz4.js';
import { decodeLzmaAlone, isLzmaAloneHeader } from './lzma.js';
import { BoundedOutput, type DecompressOptions, type StopReason } from './output.js';
import { type DecodeOutcome, SourceReadError } from './types.js';
import { decodeXz, XZ_MAGIC } from './xz.js';

export type { DecompressOptions, StopReason } from './output.js';

export type CompressionKind = 'gzip' | 'zlib' | 'bz2' | 'xz' | 'lzma' | 'lz4';

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
   * Bytes after the end of the compressed data that belong to no stream (appended garbage, or a payload
   * hidden from decompressors). The data is still complete; callers should report these.
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
 * implies, 0x??184D22, is not 2^n or 2^n + 2^(n-1)), just as liblzma itself sends only 0xFD (.xz) elsewhere.
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
  if (isLzmaAloneHeader(head)) return 'lzma';
  return undefined;
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
      return decodeXz;
    case 'lzma':
      return decodeLzmaAlone;
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
  if (!outcome.complete) {
    const error = outcome.error ?? `${kind}: the compressed data ended early`;
    return { data, complete: false, error, consumed: outcome.consumed };
  }
  const result: DecompressResult = { data, complete: true, consumed: outcome.consumed };
  return outcome.trailingBytes ? { ...result, trailingBytes: outcome.trailingBytes } : result;
}
