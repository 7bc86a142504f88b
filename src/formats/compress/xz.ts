/**
 * .xz through xz-decompress (MIT; xz-embedded, public domain, compiled to WebAssembly: no native code, no
 * install script). It is pull-based: it asks for compressed input only when it needs more and hands out at
 * most 64 KiB of output per read, so we stop reading, and cancel, as soon as the output bound is reached.
 *
 * xz-embedded supports what CPython and joblib write (LZMA2, CRC32/CRC64/no check, concatenated streams with
 * stream padding) but not BCJ/delta filters, SHA-256 checks or dictionaries above its memory limit; those are
 * reported as errors. It does not say where the xz data ended, and when bytes that are not xz follow the last
 * stream it fails, sometimes losing its last output chunk. So before decoding we find the end of the xz data
 * from the container structure (xz file format 1.2.1, https://tukaani.org/xz/xz-file-format.txt: §2.1.2.4
 * Stream Footer, §4 Index, §2.2 Stream Padding) by walking streams back from a footer to offset 0, decode only
 * up to that end and report the rest as trailing bytes.
 */
import { ReadableStream } from 'node:stream/web';
import { crc32 } from 'node:zlib';
import xzDecompress from 'xz-decompress';
import { type ByteSource, sliceSource, startsWith } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import type { BoundedOutput } from './output.js';
import { type DecodeOutcome, SourceReadError } from './types.js';

const { XzReadableStream } = xzDecompress;

/** Compressed bytes handed to the decoder per pull: small, so "consumed" for the ratio check stays close. */
const XZ_FEED_BYTES = 64 * 1024;
/** Chunk read while scanning for stream footers. */
const XZ_SCAN_CHUNK_BYTES = 1024 * 1024;
/** Largest Index we read while walking streams (each record is >= 2 bytes: millions of blocks). */
export const MAX_XZ_INDEX_BYTES = 16 * 1024 * 1024;

export const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FOOTER_MAGIC_0 = 0x59; // 'Y'
const FOOTER_MAGIC_1 = 0x5a; // 'Z'
const STREAM_HEADER_BYTES = 12;
const STREAM_FOOTER_BYTES = 12;
const MAX_CHECK_TYPE = 0x0f;

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

function crcMatches(bytes: Uint8Array, stored: number): boolean {
  return crc32(bytes) >>> 0 === stored;
}

/** Reads an xz variable-length integer (§1.2) at `at`; undefined if malformed or beyond 2^53. */
function readVli(b: Uint8Array, at: number): { value: number; next: number } | undefined {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    const byte = b[at + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) {
      if (byte === 0 && i > 0) return undefined; // not the shortest encoding: invalid per §1.2
      return Number.isSafeInteger(value) ? { value, next: at + i + 1 } : undefined;
    }
  }
  return undefined;
}

/** The footer ending at `end` and its stream: the stream's start and uncompressed size, or undefined. */
function readStreamBackwards(source: ByteSource, end: number): { start: number; size: number } | undefined {
  if (end < STREAM_HEADER_BYTES + STREAM_FOOTER_BYTES) return undefined;
  const footer = source.readAt(end - STREAM_FOOTER_BYTES, STREAM_FOOTER_BYTES);
  if (footer[10] !== FOOTER_MAGIC_0 || footer[11] !== FOOTER_MAGIC_1) return undefined;
  if (!crcMatches(footer.subarray(4, 10), u32le(footer, 0))) return undefined;
  if (footer[8] !== 0 || footer[9]! > MAX_CHECK_TYPE) return undefined;
  const indexSize = (u32le(footer, 4) + 1) * 4;
  const indexStart = end - STREAM_FOOTER_BYTES - indexSize;
  if (indexSize > MAX_XZ_INDEX_BYTES || indexStart < STREAM_HEADER_BYTES) return undefined;
  const index = source.readAt(indexStart, indexSize);
  if (index.length !== indexSize || index[0] !== 0) return undefined;
  if (!crcMatches(index.subarray(0, indexSize - 4), u32le(index, indexSize - 4))) return undefined;
  const count = readVli(index, 1);
  if (!count) return undefined;
  let at = count.next;
  let blocks = 0;
  let size = 0;
  for (let i = 0; i < count.value; i++) {
    const unpadded = readVli(index, at);
    const uncompressed = unpadded && readVli(index, unpadded.next);
    if (!unpadded || !uncompressed || uncompressed.next > indexSize - 4) return undefined;
    blocks += Math.ceil(unpadded.value / 4) * 4;
    size += uncompressed.value;
    at = uncompressed.next;
  }
  const start = indexStart - blocks - STREAM_HEADER_BYTES;
  if (start < 0) return undefined;
  const header = source.readAt(start, STREAM_HEADER_BYTES);
  if (!startsWith(header, XZ_MAGIC) || header[6] !== footer[8] || header[7] !== footer[9]) return undefined;
  if (!crcMatches(header.subarray(6, 8), u32le(header, 8))) return undefined;
  return { start, size };
}

/** Stream Padding before `end`: null bytes in multiples of four. Returns where the padding starts. */
function skipPadding(source: ByteSource, end: number): number {
  let at = end;
  while (at >= 4) {
    const word = source.readAt(at - 4, 4);
    if (word[0] || word[1] || word[2] || word[3]) break;
    at -= 4;
  }
  return at;
}

/** Whether `[0, end)` is a sequence of whole xz streams with padding: walks footers back to offset 0. */
function isWholeXz(source: ByteSource, end: number): boolean {
  let at = skipPadding(source, end);
  let streams = 0;
  while (at > 0) {
    const stream = readStreamBackwards(source, at);
    if (!stream) return false;
    streams++;
    at = skipPadding(source, stream.start);
  }
  return streams > 0;
}

/**
 * Where the xz data in `source` ends: the whole source when it is whole xz (with padding), else the end of the
 * last footer from which whole streams walk back to offset 0 (what follows is trailing data), else the whole
 * source (truncated or corrupt: the decoder reports it).
 */
function findXzEnd(source: ByteSource): number {
  if (isWholeXz(source, source.size)) return source.size;
  let best = 0;
  for (let chunkStart = 0; chunkStart < source.size; chunkStart += XZ_SCAN_CHUNK_BYTES) {
    // One byte of overlap so a footer magic split across chunks is seen.
    const chunk = source.readAt(chunkStart, XZ_SCAN_CHUNK_BYTES + 1);
    for (
      let i = chunk.indexOf(FOOTER_MAGIC_0);
      i >= 0 && i + 1 < chunk.length;
      i = chunk.indexOf(FOOTER_MAGIC_0, i + 1)
    ) {
      const end = chunkStart + i + 2;
      if (chunk[i + 1] === FOOTER_MAGIC_1 && end > best && isWholeXz(source, end)) best = end;
    }
  }
  if (best === 0) return source.size;
  // A new stream header after the end is a truncated or corrupt stream, not trailing garbage.
  const after = skipPaddingForward(source, best);
  return startsWith(source.readAt(after, XZ_MAGIC.length), XZ_MAGIC) ? source.size : after;
}

/** Stream Padding after `from`, forwards; returns where it ends. */
function skipPaddingForward(source: ByteSource, from: number): number {
  let at = from;
  for (;;) {
    const word = source.readAt(at, 4);
    if (word.length < 4 || word[0] || word[1] || word[2] || word[3]) return at;
    at += 4;
  }
}

function describeXzError(error: unknown): string {
  const message = describeError(error);
  const code = /error code (\d+)/.exec(message)?.[1];
  const known = code === undefined ? undefined : XZ_ERRORS[Number(code)];
  return known === undefined ? message : `${known} (xz-embedded code ${code})`;
}

export async function decodeXz(source: ByteSource, out: BoundedOutput): Promise<DecodeOutcome> {
  const end = findXzEnd(source);
  const xz = sliceSource(source, 0, end);
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
        const trailingBytes = source.size - end;
        return { complete: true, consumed: end, trailingBytes };
      }
      if (!out.push(value, fed)) return { complete: false, consumed: fed };
    }
  } catch (error) {
    // An errored stream has released its decoder already.
    settled = true;
    if (error instanceof SourceReadError) throw error;
    return { complete: false, consumed: fed, error: `xz: ${describeXzError(error)}` };
  } finally {
    // Cancelling frees the WebAssembly decoder and xz-decompress's module-wide lock, which serialises all
    // decoders: a reader left open would block every later xz decode.
    if (!settled) await reader.cancel().catch(() => {});
  }
}
