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
/** Longest FNAME or FCOMMENT accepted in a gzip header (they are file names and comments, never large). */
export const MAX_GZIP_HEADER_TEXT_BYTES = 64 * 1024;

const GZIP_ID1 = 0x1f;
const GZIP_ID2 = 0x8b;
const GZIP_CM_DEFLATE = 8;
// FLG bits, RFC 1952 §2.3.1.
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FLG_RESERVED = 0xe0;
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

/** A zlib stream (RFC 1950): 2-byte header, deflate data, Adler-32, all checked by node:zlib. */
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

/** Reads a gzip member header (RFC 1952 §2.3) at `offset`; returns where the deflate data starts. */
function readGzipHeader(source: ByteSource, offset: number): number {
  const r = new ByteReader(source, offset);
  const id1 = r.u8('gzip ID1');
  const id2 = r.u8('gzip ID2');
  if (id1 !== GZIP_ID1 || id2 !== GZIP_ID2) throw new Error('not a gzip member (bad magic)');
  const cm = r.u8('gzip CM');
  if (cm !== GZIP_CM_DEFLATE) throw new Error(`gzip compression method ${cm} is not deflate (8)`);
  const flg = r.u8('gzip FLG');
  // RFC 1952 §2.3.1.2: a decoder must give an error if reserved FLG bits are set.
  if (flg & FLG_RESERVED) throw new Error(`gzip header has reserved flag bits set (0x${flg.toString(16)})`);
  r.skip(6, 'gzip MTIME, XFL and OS');
  if (flg & FEXTRA) r.skip(r.u16le('gzip XLEN'), 'gzip extra field');
  for (const [flag, what] of [
    [FNAME, 'file name'],
    [FCOMMENT, 'comment'],
  ] as const) {
    if (!(flg & flag)) continue;
    let n = 0;
    while (r.u8(`gzip ${what}`) !== 0) {
      if (++n > MAX_GZIP_HEADER_TEXT_BYTES) {
        throw new Error(`gzip ${what} longer than ${MAX_GZIP_HEADER_TEXT_BYTES} bytes`);
      }
    }
  }
  // The header CRC16 is skipped, not verified: CPython's gzip does the same, and the data has its own CRC.
  if (flg & FHCRC) r.skip(2, 'gzip header CRC16');
  return r.offset;
}

/**
 * A gzip file: one or more members (RFC 1952 §2.2), each checked against its CRC-32 and ISIZE. Bytes after the
 * last member that do not start another member are reported as trailing, as gzip(1) does.
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
    position = trailer.offset;
    if (position >= source.size) return { complete: true, consumed: position };
    const next = source.readAt(position, 2);
    if (next[0] !== GZIP_ID1 || next[1] !== GZIP_ID2) {
      return { complete: true, consumed: position, trailingBytes: source.size - position };
    }
  }
}
