/**
 * .xz through xz-decompress (MIT; xz-embedded, public domain, compiled to WebAssembly: no native code, no
 * install script). It is pull-based: it asks for compressed input only when it needs more and hands out at
 * most 64 KiB of output per read, so we stop reading, and cancel, as soon as the output bound is reached.
 *
 * xz-embedded supports what CPython and joblib write (LZMA2, CRC32/CRC64/no check) but not BCJ/delta
 * filters, SHA-256 checks or dictionaries above its memory limit; those are reported as errors. It decodes
 * concatenated streams with Stream Padding between them (as liblzma does with LZMA_CONCATENATED), which CPython
 * does not do (see auto.ts), and it does not say where the xz data ended. So the end of each stream is found
 * here by walking its structure forwards, as liblzma's stream decoder reads it (xz file format 1.2.1,
 * https://tukaani.org/xz/xz-file-format.txt: §2.1.1 Stream Header, §3.1 Block Header, §3.3 Block Padding,
 * §3.4 Check, §4 Index, §2.1.2 Stream Footer); the LZMA2 data of a block is walked chunk by chunk
 * (xz-utils src/liblzma/lzma/lzma2_decoder.c), whose headers state their sizes, without decoding it.
 * xz-embedded is then handed exactly the streams CPython would decode, with nothing after them.
 */
import { ReadableStream } from 'node:stream/web';
import { crc32 } from 'node:zlib';
import xzDecompress from 'xz-decompress';
import { type ByteSource, sliceSource, startsWith } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { ByteInput } from './input.js';
import type { BoundedOutput } from './output.js';
import { SourceReadError, TruncatedInput } from './types.js';

const { XzReadableStream } = xzDecompress;

/** Compressed bytes handed to the decoder per pull: small, so "consumed" for the ratio check stays close. */
const XZ_FEED_BYTES = 64 * 1024;
/**
 * Bytes read at a time while walking a stream's structure. LZMA2 chunks hold up to 64 KiB of compressed data
 * and the walk reads only their headers, so small reads keep it from reading the whole file twice (it runs
 * before decoding, which may stop early at the output bound).
 */
const WALK_WINDOW_BYTES = 4096;

export const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
export const XZ_STREAM_HEADER_BYTES = 12;
const STREAM_FOOTER_BYTES = 12;
const FOOTER_MAGIC = [0x59, 0x5a]; // 'YZ'
/** Check field sizes by Check ID (§3.4): 0, then 4, 8, 16, 32 and 64 bytes for each group of three IDs. */
const CHECK_SIZES = [0, 4, 4, 4, 8, 8, 8, 16, 16, 16, 32, 32, 32, 64, 64, 64];
const FILTER_LZMA2 = 0x21;
// Block Flags (§3.1.2).
const BLOCK_FLAGS_FILTERS = 0x03;
const BLOCK_FLAGS_RESERVED = 0x3c;
const BLOCK_FLAGS_COMPRESSED_SIZE = 0x40;
const BLOCK_FLAGS_UNCOMPRESSED_SIZE = 0x80;

/** xz-embedded's enum xz_ret (xz.h), as xz-decompress reports it: "... failed with error code N". */
const XZ_ERRORS: Readonly<Record<number, string>> = {
  2: 'unsupported integrity check type',
  3: 'the decoder could not allocate memory',
  4: "the dictionary is larger than the decoder's memory limit",
  5: 'not an xz stream (bad magic or header)',
  6: 'unsupported options (a BCJ or delta filter, a SHA-256 check, or reserved bits)',
  7: 'compressed data is corrupt',
  8: 'truncated or corrupt: the input ended inside a stream',
};

const u32le = (b: Uint8Array, i: number) =>
  (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;

/**
 * Whether `head` starts with a Stream Header liblzma accepts (§2.1.1; lzma_stream_header_decode): the magic,
 * Stream Flags with the reserved bits clear, and their CRC32. liblzma reads all 12 bytes before checking.
 */
export function isXzStreamHeader(head: Uint8Array): boolean {
  if (head.length < XZ_STREAM_HEADER_BYTES || !startsWith(head, XZ_MAGIC)) return false;
  if (head[6] !== 0 || head[7]! & 0xf0) return false;
  return crc32(head.subarray(6, 8)) >>> 0 === u32le(head, 8);
}

/** Reads a variable-length integer (§1.2): at most 9 bytes, the shortest encoding. */
function readVli(input: ByteInput): number | undefined {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    const byte = input.readByte();
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return byte === 0 && i > 0 ? undefined : value;
  }
  return undefined;
}

/** Skips the LZMA2 chunks of a block up to and including the end marker (control byte 0x00). */
function skipLzma2Chunks(input: ByteInput): boolean {
  for (;;) {
    const control = input.readByte();
    if (control === 0x00) return true;
    if (control === 0x01 || control === 0x02) {
      // Uncompressed chunk: big-endian size - 1.
      input.skip(((input.readByte() << 8) | input.readByte()) + 1);
    } else if (control >= 0x80) {
      // LZMA chunk: the low 16 bits of the uncompressed size, then the compressed size - 1, big-endian,
      // then a properties byte when the control byte resets the state with new properties (>= 0xC0).
      input.skip(2);
      const packed = ((input.readByte() << 8) | input.readByte()) + 1;
      if (control >= 0xc0) input.skip(1);
      input.skip(packed);
    } else {
      return false; // 0x03..0x7F are invalid control bytes
    }
  }
}

/** Walks one block whose first header byte (not 0x00) has been read; false when it cannot be followed. */
function skipBlock(input: ByteInput, first: number, checkSize: number): boolean {
  const headerSize = (first + 1) * 4;
  const headerStart = input.offset - 1;
  const flags = input.readByte();
  if (flags & BLOCK_FLAGS_RESERVED) return false;
  let compressedSize: number | undefined;
  if (flags & BLOCK_FLAGS_COMPRESSED_SIZE) {
    compressedSize = readVli(input);
    if (compressedSize === undefined) return false;
  }
  if (flags & BLOCK_FLAGS_UNCOMPRESSED_SIZE && readVli(input) === undefined) return false;
  let lastFilter: number | undefined;
  for (let i = 0; i <= (flags & BLOCK_FLAGS_FILTERS); i++) {
    lastFilter = readVli(input);
    const propertiesSize = readVli(input);
    if (lastFilter === undefined || propertiesSize === undefined) return false;
    input.skip(propertiesSize);
  }
  if (input.offset > headerStart + headerSize - 4) return false;
  input.skip(headerStart + headerSize - input.offset);
  const dataStart = input.offset;
  if (compressedSize !== undefined) input.skip(compressedSize);
  else if (lastFilter !== FILTER_LZMA2 || !skipLzma2Chunks(input)) return false;
  const compressed = input.offset - dataStart;
  input.skip(((4 - (compressed % 4)) % 4) + checkSize); // Block Padding, then the Check
  return true;
}

/**
 * Where the xz stream starting at `start` ends, found by walking its Stream Header, Blocks, Index and
 * Stream Footer forwards; undefined when the input ends first or the structure cannot be followed. Checks
 * (CRCs, Index records against the blocks) are left to the decoder, which verifies them all.
 */
export function findXzStreamEnd(source: ByteSource, start: number): number | undefined {
  const header = source.readAt(start, XZ_STREAM_HEADER_BYTES);
  if (!isXzStreamHeader(header)) return undefined;
  const checkSize = CHECK_SIZES[header[7]!]!;
  const input = new ByteInput(source, start + XZ_STREAM_HEADER_BYTES, 'xz stream', WALK_WINDOW_BYTES);
  try {
    for (;;) {
      const first = input.readByte();
      if (first === 0x00) break; // Index Indicator
      if (!skipBlock(input, first, checkSize)) return undefined;
    }
    const indexStart = input.offset - 1;
    const records = readVli(input);
    if (records === undefined) return undefined;
    // Each record is two VLIs of at least one byte: the input runs out long before a huge count is walked.
    for (let i = 0; i < records; i++) {
      if (readVli(input) === undefined || readVli(input) === undefined) return undefined;
    }
    input.skip(((4 - ((input.offset - indexStart) % 4)) % 4) + 4); // Index Padding, CRC32
    input.skip(STREAM_FOOTER_BYTES);
  } catch (error) {
    if (error instanceof TruncatedInput) return undefined;
    throw error;
  }
  const end = input.offset;
  return startsWith(source.readAt(end - 2, 2), FOOTER_MAGIC) ? end : undefined;
}

function describeXzError(error: unknown): string {
  const message = describeError(error);
  const code = /error code (\d+)/.exec(message)?.[1];
  const known = code === undefined ? undefined : XZ_ERRORS[Number(code)];
  return known === undefined ? message : `${known} (xz-embedded code ${code})`;
}

export type XzRunResult =
  | { readonly status: 'end' }
  | { readonly status: 'stop'; readonly consumed: number }
  | { readonly status: 'error'; readonly consumed: number; readonly error: string };

/**
 * Decodes `[start, end)`, one or more whole xz streams back to back, into `out`. Stops as soon as `out`
 * refuses more. Errors in the data are results; only a failing source throws.
 */
export async function decodeXzRun(
  source: ByteSource,
  start: number,
  end: number,
  out: BoundedOutput,
): Promise<XzRunResult> {
  const xz = sliceSource(source, start, end - start);
  let fed = 0;
  const compressed = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (fed >= xz.size) {
          controller.close();
          return;
        }
        const chunk = xz.readAt(fed, XZ_FEED_BYTES);
        fed += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  const reader = new XzReadableStream(compressed).getReader();
  let settled = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        settled = true;
        return { status: 'end' };
      }
      if (!out.push(value, start + fed)) return { status: 'stop', consumed: start + fed };
    }
  } catch (error) {
    // An errored stream has released its decoder already.
    settled = true;
    if (error instanceof SourceReadError) throw error;
    return { status: 'error', consumed: start + fed, error: describeXzError(error) };
  } finally {
    // Cancelling frees the WebAssembly decoder and xz-decompress's module-wide lock, which serialises all
    // decoders: a reader left open would block every later xz decode.
    if (!settled) await reader.cancel().catch(() => {});
  }
}
