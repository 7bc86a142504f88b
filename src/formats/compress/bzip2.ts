/**
 * bzip2 through seek-bzip (pure JS, MIT), one stream at a time.
 *
 * seek-bzip pulls its input through readByte() and pushes every output byte through writeByte(), so the output
 * bound is enforced inside a block (a 900 kB block can expand to ~45 MB through the initial run-length coding)
 * by throwing StopDecoding from writeByte. Our input throws TruncatedInput at the end instead of returning -1,
 * which seek-bzip would decode as 0xFF bits. Concatenated streams (what `bzip2` and pbzip2 write) are walked
 * here as CPython reads them (Lib/bz2.py, decompress; BZ2File through Lib/_compression.py DecompressReader,
 * which starts a new BZ2Decompressor on the bytes after each stream and ignores them when its first call
 * raises: `_trailing_error=OSError`). libbz2 checks the stream magic and the first block (or end-of-stream)
 * magic byte by byte (bzip2 1.0.8 decompress.c, BZ_X_MAGIC_1..4 and BZ_X_BLKHDR_1..6 / BZ_X_ENDHDR_2..6), so
 * bytes that break either are ignored, and bytes that are a valid beginning the input cuts short make CPython
 * fail ("Compressed data ended before the end-of-stream marker was reached").
 * Format: the bzip2 stream header is "BZh" + level '1'..'9' (bzip2 1.0.8 manual §2.1; Seward, "bzip2 and
 * libbzip2"); a stream ends with the 48-bit end-of-stream magic, a combined CRC and bit padding to a byte.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import bunzip from 'seek-bzip';
import { type ByteSource, startsWith } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { ByteInput } from './input.js';
import type { BoundedOutput } from './output.js';
import { type DecodeOutcome, SourceReadError, StopDecoding, TruncatedInput } from './types.js';

/** Output collected before it is handed to BoundedOutput (and the limit and ratio are checked). */
const BZIP2_OUTPUT_CHUNK_BYTES = 64 * 1024;

const BZIP2_MAGIC = [0x42, 0x5a, 0x68]; // "BZh"
/** The 48-bit magics that follow the stream header: a block (pi) or the end of the stream (sqrt(pi)). */
const BLOCK_MAGIC = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const END_OF_STREAM_MAGIC = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
const STREAM_START_BYTES = 4 + BLOCK_MAGIC.length;

/** Whether `head` starts a bzip2 stream: "BZh" and a block-size digit '1'..'9'. */
export function isBzip2Header(head: Uint8Array): boolean {
  return startsWith(head, BZIP2_MAGIC) && head.length > 3 && head[3]! >= 0x31 && head[3]! <= 0x39;
}

/**
 * What libbz2 makes of `head`, the bytes after a stream (up to 10): 'stream' when they begin one (header and
 * block or end-of-stream magic), 'truncated' when they are a valid beginning that ends there, 'none' when
 * one of its byte-by-byte magic checks fails.
 */
export function classifyBzip2Start(head: Uint8Array): 'stream' | 'truncated' | 'none' {
  for (let i = 0; i < STREAM_START_BYTES; i++) {
    if (i >= head.length) return 'truncated';
    const byte = head[i]!;
    const ok =
      i < 3
        ? byte === BZIP2_MAGIC[i]
        : i === 3
          ? byte >= 0x31 && byte <= 0x39
          : byte === (head[4] === END_OF_STREAM_MAGIC[0] ? END_OF_STREAM_MAGIC : BLOCK_MAGIC)[i - 4];
    if (!ok) return 'none';
  }
  return 'stream';
}

class ChunkWriter {
  private readonly chunk = new Uint8Array(BZIP2_OUTPUT_CHUNK_BYTES);
  private used = 0;
  constructor(
    private readonly out: BoundedOutput,
    private readonly input: ByteInput,
  ) {}

  writeByte(byte: number): void {
    this.chunk[this.used++] = byte;
    if (this.used === BZIP2_OUTPUT_CHUNK_BYTES && !this.flush()) throw new StopDecoding();
  }

  /** Hands the buffered bytes to the output; false once it says stop. */
  flush(): boolean {
    const full = this.used;
    this.used = 0;
    return this.out.push(this.chunk.subarray(0, full), this.input.offset);
  }
}

export async function decodeBzip2(source: ByteSource, out: BoundedOutput): Promise<DecodeOutcome> {
  const input = new ByteInput(source, 0, 'bzip2 stream');
  const adapter = {
    readByte: () => input.readByte(),
    read(buffer: Uint8Array, offset: number, length: number): number {
      for (let i = 0; i < length; i++) buffer[offset + i] = input.readByte();
      return length;
    },
  };
  const writer = new ChunkWriter(out, input);
  for (let stream = 0; ; stream++) {
    try {
      bunzip.decode(adapter, writer, false);
    } catch (error) {
      if (error instanceof SourceReadError) throw error;
      if (error instanceof StopDecoding) return { complete: false, consumed: input.offset };
      writer.flush(); // keep what was decoded before the failure
      const why = error instanceof TruncatedInput ? error.message : describeError(error);
      return { complete: false, consumed: input.offset, error: `bzip2 stream ${stream}: ${why}` };
    }
    if (!writer.flush()) return { complete: false, consumed: input.offset };
    if (input.remaining === 0) return { complete: true, consumed: input.offset };
    const next = classifyBzip2Start(source.readAt(input.offset, STREAM_START_BYTES));
    if (next === 'none') return { complete: true, consumed: input.offset, trailingBytes: input.remaining };
    if (next === 'truncated') {
      return {
        complete: false,
        consumed: input.offset,
        trailingBytes: input.remaining,
        error: `the ${input.remaining} bytes after bzip2 stream ${stream} begin a stream that ends there (CPython's BZ2File raises EOFError, bz2.decompress ValueError)`,
      };
    }
    // seek-bzip is synchronous: let other work run between streams.
    await yieldToEventLoop();
  }
}
