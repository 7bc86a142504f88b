/**
 * gzip (RFC 1952) and zlib (RFC 1950) through node:zlib's streaming inflater.
 *
 * gzip members are framed here rather than by createGunzip because Gunzip treats bytes after a member as the
 * start of another member: trailing garbage then fails with "incorrect header check" and the output of the
 * last inflate call is lost with it. Inflating each member's deflate body with createInflateRaw and reading
 * the header and trailer ourselves keeps all data, finds where the stream ends and verifies CRC-32 and ISIZE.
 */
import { crc32, createInflate, createInflateRaw, type Inflate, type InflateRaw } from 'node:zlib';
import { ByteReader, type ByteSource } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import type { BoundedOutput } from './output.js';
import { type DecodeOutcome, SourceReadError } from './types.js';

/** Compressed bytes handed to the inflater per write. */
export const INFLATE_INPUT_CHUNK_BYTES = 1024 * 1024;
/** Output chunk size of the inflater: also the granularity of the output limit. */
const INFLATE_OUTPUT_CHUNK_BYTES = 64 * 1024;

const GZIP_ID1 = 0x1f;
const GZIP_ID2 = 0x8b;
const GZIP_CM_DEFLATE = 8;
// FLG bits, RFC 1952 §2.3.1.
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const GZIP_TRAILER_BYTES = 8;

interface InflateRun {
  /** The deflate stream reached its end block. */
  readonly ended: boolean;
  /** Compressed bytes the inflater consumed (node:zlib counts consumed input in bytesWritten). */
  readonly consumed: number;
  readonly error?: string;
}

/**
 * Streams `source` from `start` through `inflater` into `out`, one input chunk at a time with backpressure,
 * and stops at the end of the deflate stream, on an error, or as soon as `out` refuses more.
 */
function runInflater(
  inflater: Inflate | InflateRaw,
  source: ByteSource,
  start: number,
  out: BoundedOutput,
  consumedBefore: number,
  onChunk: (chunk: Uint8Array) => void,
): Promise<InflateRun> {
  return new Promise<InflateRun>((resolve, reject) => {
    let settled = false;
    let position = start;
    const settle = (run: InflateRun | Error) => {
      if (settled) return;
      settled = true;
      inflater.destroy();
      if (run instanceof Error) reject(run);
      else resolve(run);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      onChunk(chunk);
      if (!out.push(chunk, consumedBefore + inflater.bytesWritten)) {
        settle({ ended: false, consumed: inflater.bytesWritten });
      }
    });
    inflater.on('end', () => settle({ ended: true, consumed: inflater.bytesWritten }));
    inflater.on('error', (e: NodeJS.ErrnoException) => {
      // Z_BUF_ERROR at the end of input: the stream stops mid-way.
      const error = e.code === 'Z_BUF_ERROR' ? `truncated: ${e.message}` : e.message;
      settle({ ended: false, consumed: inflater.bytesWritten, error });
    });
    const pump = () => {
      try {
        while (!settled) {
          const chunk =
            position < source.size ? source.readAt(position, INFLATE_INPUT_CHUNK_BYTES) : undefined;
          if (!chunk || chunk.length === 0) {
            inflater.end();
            return;
          }
          position += chunk.length;
          if (!inflater.write(chunk)) {
            inflater.once('drain', pump);
            return;
          }
        }
      } catch (error) {
        // A failing read is the environment's fault (I/O), not bad data: surface it to the caller.
        settle(error instanceof Error ? error : new Error(describeError(error)));
      }
    };
    pump();
  });
}

const noop = () => {};

/**
 * A zlib stream (RFC 1950): 2-byte header, deflate data, Adler-32, all checked by node:zlib. One stream only,
 * as every Python reader of it takes one: zlib.decompress ignores what follows, which is returned as
 * trailingBytes. (joblib's BinaryZlibFile never gets past such bytes: after the end of the stream it keeps
 * feeding the decompressor its own unused_data, which zlib appends to unused_data again, so the buffer
 * doubles until MemoryError; checked with joblib 1.2.0 on CPython 3.11. The same holds for joblib's gzip
 * reader, BinaryGzipFile, after the first member.)
 */
export async function decodeZlib(source: ByteSource, out: BoundedOutput): Promise<DecodeOutcome> {
  const run = await runInflater(
    createInflate({ chunkSize: INFLATE_OUTPUT_CHUNK_BYTES }),
    source,
    0,
    out,
    0,
    noop,
  );
  if (!run.ended) {
    return { complete: false, consumed: run.consumed, error: run.error && `zlib stream: ${run.error}` };
  }
  return { complete: true, consumed: run.consumed, trailingBytes: source.size - run.consumed };
}

/** Compressed bytes examined at a time when looking for the end of a header string or of zero padding. */
const SCAN_CHUNK_BYTES = 64 * 1024;
let zeroChunk: Uint8Array | undefined;

/** Offset of the first byte equal to `value` at or after `offset`, or -1 when the input ends first. */
function indexOfByte(source: ByteSource, offset: number, value: number): number {
  for (let at = offset; at < source.size; ) {
    const chunk = source.readAt(at, SCAN_CHUNK_BYTES);
    if (chunk.length === 0) break;
    const i = chunk.indexOf(value);
    if (i >= 0) return at + i;
    at += chunk.length;
  }
  return -1;
}

/** Offset of the first non-zero byte at or after `offset`, or source.size when only zeros follow. */
export function skipZeros(source: ByteSource, offset: number): number {
  zeroChunk ??= new Uint8Array(SCAN_CHUNK_BYTES);
  for (let at = offset; at < source.size; ) {
    const chunk = source.readAt(at, SCAN_CHUNK_BYTES);
    if (chunk.length === 0) break;
    // Whole chunks of zeros are compared natively; only the chunk that ends the padding is walked.
    if (
      !Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).equals(zeroChunk.subarray(0, chunk.length))
    ) {
      return at + chunk.findIndex((b) => b !== 0);
    }
    at += chunk.length;
  }
  return source.size;
}

/**
 * Reads a gzip member header (RFC 1952 §2.3) at `offset` as CPython reads it (Lib/gzip.py, _read_gzip_header),
 * since that is the reader that decides what a joblib or .gz model file contains; returns where the deflate
 * data starts. Like CPython, it ignores the reserved FLG bits (RFC 1952 §2.3.1.2 asks decoders to refuse
 * them) and reads the file name and comment up to their NUL whatever their length: refusing either would
 * leave unread a payload that CPython decompresses.
 */
function readGzipHeader(source: ByteSource, offset: number): number {
  const r = new ByteReader(source, offset);
  const id1 = r.u8('gzip ID1');
  const id2 = r.u8('gzip ID2');
  if (id1 !== GZIP_ID1 || id2 !== GZIP_ID2) throw new Error('not a gzip member (bad magic)');
  const cm = r.u8('gzip CM');
  if (cm !== GZIP_CM_DEFLATE) throw new Error(`gzip compression method ${cm} is not deflate (8)`);
  const flg = r.u8('gzip FLG');
  r.skip(6, 'gzip MTIME, XFL and OS');
  if (flg & FEXTRA) r.skip(r.u16le('gzip XLEN'), 'gzip extra field');
  for (const [flag, what] of [
    [FNAME, 'file name'],
    [FCOMMENT, 'comment'],
  ] as const) {
    if (!(flg & flag)) continue;
    // CPython stops at the end of the input too, then fails for want of deflate data: an error either way.
    const nul = indexOfByte(source, r.offset, 0);
    if (nul < 0) throw new Error(`truncated: the input ends inside the gzip ${what}`);
    r.seek(nul + 1);
  }
  // The header CRC16 is skipped, not verified: CPython's gzip does the same, and the data has its own CRC.
  if (flg & FHCRC) r.skip(2, 'gzip header CRC16');
  return r.offset;
}

/**
 * A gzip file as CPython's gzip module reads it (Lib/gzip.py, _GzipReader.read and _read_eof; gzip.decompress
 * does the same): one or more members (RFC 1952 §2.2), each checked against its CRC-32 and ISIZE, with any
 * run of zero bytes after a member skipped ("Gzip files can be padded with zeroes and still have archives").
 * Zeros up to the end are fine. Anything else after a member is an error, as in CPython, which raises
 * BadGzipFile("Not a gzipped file") there: the data of every member before it is kept and the error says
 * where decoding stopped. Output stays bounded by `out` however many members there are.
 */
export async function decodeGzip(source: ByteSource, out: BoundedOutput): Promise<DecodeOutcome> {
  let position = 0;
  for (let member = 0; ; member++) {
    let bodyStart: number;
    try {
      bodyStart = readGzipHeader(source, position);
    } catch (error) {
      if (error instanceof SourceReadError) throw error;
      return { complete: false, consumed: position, error: `gzip member ${member}: ${describeError(error)}` };
    }
    let crc = 0;
    let memberBytes = 0;
    const run = await runInflater(
      createInflateRaw({ chunkSize: INFLATE_OUTPUT_CHUNK_BYTES }),
      source,
      bodyStart,
      out,
      bodyStart,
      (chunk) => {
        crc = crc32(chunk, crc);
        memberBytes += chunk.length;
      },
    );
    const trailerStart = bodyStart + run.consumed;
    if (!run.ended) {
      const error = run.error && `gzip member ${member}: ${run.error}`;
      return { complete: false, consumed: trailerStart, error };
    }
    if (trailerStart + GZIP_TRAILER_BYTES > source.size) {
      return { complete: false, consumed: trailerStart, error: `gzip member ${member}: truncated trailer` };
    }
    const trailer = new ByteReader(source, trailerStart);
    const storedCrc = trailer.u32le();
    const storedSize = trailer.u32le();
    if (storedCrc !== crc >>> 0) {
      return { complete: false, consumed: trailerStart, error: `gzip member ${member}: CRC-32 mismatch` };
    }
    if (storedSize !== memberBytes % 2 ** 32) {
      return { complete: false, consumed: trailerStart, error: `gzip member ${member}: ISIZE mismatch` };
    }
    position = skipZeros(source, trailer.offset);
    if (position >= source.size) return { complete: true, consumed: source.size };
    const next = source.readAt(position, 2);
    if (next.length < 2 || next[0] !== GZIP_ID1 || next[1] !== GZIP_ID2) {
      const padding = position - trailer.offset;
      const after = padding > 0 ? ` and ${padding} zero bytes` : '';
      return {
        complete: false,
        consumed: position,
        trailingBytes: source.size - position,
        error: `gzip: ${source.size - position} bytes after member ${member}${after} start no gzip member (CPython's gzip raises BadGzipFile "Not a gzipped file" there)`,
      };
    }
  }
}
