/**
 * .xz, .lzma and .lz data read the way CPython reads it: joblib opens both its xz and its lzma files with
 * `lzma.LZMAFile(f, 'rb')` (joblib/compressor.py), pandas and tarfile use lzma.open / LZMAFile too, and all
 * of them decode with FORMAT_AUTO, which is liblzma's lzma_auto_decoder without LZMA_CONCATENATED
 * (Modules/_lzmamodule.c). Its first byte decides the format of each stream: 0xFD an .xz stream, 0x4C ('L')
 * an lzip member (liblzma >= 5.4), anything else a .lzma header in liblzma's picky mode
 * (xz-utils src/liblzma/common/auto_decoder.c).
 *
 * After a stream ends, CPython starts a new FORMAT_AUTO decompressor on whatever follows (Lib/lzma.py,
 * decompress; Lib/_compression.py, DecompressReader.read), so the formats mix freely: .xz then .lzma,
 * .lzma then .xz, .xz then .lz, all decode, each stream starting at the byte after the previous one. Then:
 * - If the new decompressor fails on its first call, the rest is ignored as trailing data ("Leftover data
 *   is not a valid LZMA/XZ stream; ignore it"; DecompressReader catches `_trailing_error`, LZMAError for
 *   lzma). That is the case for bytes that start no stream (a bad magic, properties byte, dictionary size or
 *   stated size; liblzma checks each header field as it arrives) and for a stream that fails before it
 *   produces any output.
 * - If what follows is the start of a valid header or stream that the input cuts short, CPython fails
 *   ("Compressed data ended before the end-of-stream marker was reached": LZMAError from lzma.decompress,
 *   EOFError from LZMAFile), after handing out the data of the streams before.
 * - There is no Stream Padding between streams: without LZMA_CONCATENATED liblzma does not skip the null
 *   bytes that the xz format allows after a stream (xz-file-format.txt §2.2), so zeros are read as a .lzma
 *   header (properties 0x00, dictionary 0, size 0). Eighteen of them are an empty .lzma stream; a shorter run
 *   at the end of the file is a truncated one; a run followed by a stream gives a header liblzma refuses
 *   (the magic lands in the dictionary or size field), so the stream after it is ignored. `xz -d` skips
 *   the padding and decodes that stream: the scan reports such trailing bytes and analyses them by content.
 * Checked against CPython 3.11 with liblzma 5.4.1 (fixtures/make-fixtures.py records every case).
 *
 * A following stream that fails after producing output is reported as an error with its output kept;
 * CPython may ignore it (lzma.decompress drops its output; LZMAFile ignores the failure only when it comes
 * within the first chunk it decodes of that stream): we analyse more than CPython reads, never less.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ByteSource } from '../../core/byte-reader.js';
import { skipZeros } from './deflate.js';
import { ByteInput } from './input.js';
import { decodeLzipMember, LZIP_MAGIC, lzipDictionarySize } from './lzip.js';
import {
  decodeLzmaStream,
  LZMA_HEADER_BYTES,
  type LzmaStreamResult,
  LzmaTables,
  parseLzmaHeader,
  pickyLzmaHeaderPrefix,
} from './lzma.js';
import type { BoundedOutput } from './output.js';
import type { DecodeOutcome } from './types.js';
import { decodeXzRun, findXzStreamEnd, isXzStreamHeader, XZ_STREAM_HEADER_BYTES } from './xz.js';

export type LzmaFamily = 'xz' | 'lzma' | 'lzip';

const FORMAT_NAMES: Readonly<Record<LzmaFamily, string>> = { xz: '.xz', lzma: '.lzma', lzip: 'lzip' };
/** Streams (or runs of xz streams) decoded between yields to the event loop: 18 bytes make an empty stream. */
const ROUNDS_PER_YIELD = 256;
/**
 * 18 zero bytes are always a whole, empty .lzma stream: properties 0 (lc = lp = pb = 0), dictionary size 0
 * (which the picky decoder accepts), stated size 0, then a range coder whose first byte is 0 and whose code
 * is 0, so it is finished at once. liblzma decodes them one by one; a run of them is skipped here at once.
 */
export const EMPTY_LZMA_STREAM_BYTES = 18;

/** Streams decoded one by one in a concatenation (runs of all-zero empty streams are skipped in one step). */
export const MAX_DECODED_STREAMS = 10_000;

/**
 * What liblzma's FORMAT_AUTO decoder makes of the bytes `head` after a stream (up to 13 of them, the end of
 * the input if fewer): the kind of stream they start, 'truncated' when they are a valid beginning that the
 * input cuts short, or 'none' when liblzma refuses them (CPython then ignores them as trailing data).
 */
export function classifyNextStream(head: Uint8Array): LzmaFamily | 'truncated' | 'none' {
  if (head.length === 0) return 'truncated';
  if (head[0] === 0xfd) {
    // The stream decoder reads the whole 12-byte Stream Header before it checks any of it.
    if (head.length < XZ_STREAM_HEADER_BYTES) return 'truncated';
    return isXzStreamHeader(head) ? 'xz' : 'none';
  }
  if (head[0] === LZIP_MAGIC[0]) {
    // lzip_decoder.c checks the magic byte by byte, then the version, then the dictionary size. liblzma
    // before 5.4 has no lzip support and refuses 0x4C as a .lzma properties byte: decoding it is the
    // superset.
    for (let i = 1; i < LZIP_MAGIC.length; i++) {
      if (i >= head.length) return 'truncated';
      if (head[i] !== LZIP_MAGIC[i]) return 'none';
    }
    if (head.length < 5) return 'truncated';
    if (head[4]! > 1) return 'none';
    if (head.length < 6) return 'truncated';
    return lzipDictionarySize(head[5]!) === undefined ? 'none' : 'lzip';
  }
  const prefix = pickyLzmaHeaderPrefix(head);
  return prefix === 'header' ? 'lzma' : prefix === 'partial' ? 'truncated' : 'none';
}

type StreamsResult =
  | { readonly status: 'end'; readonly end: number; readonly streams: number }
  | { readonly status: 'stop'; readonly consumed: number }
  | {
      readonly status: 'error';
      readonly consumed: number;
      readonly error: string;
      /** The input ended inside the stream, or the failure is not one CPython ignores in a later stream. */
      readonly fatal: boolean;
    };

/**
 * The xz streams starting at `start` that follow each other with nothing between them, decoded in one
 * xz-embedded run (decoding many small streams one by one would be slow). A first stream whose end cannot be
 * found (cut short, or a structure that cannot be followed) is decoded to the end of the input, where
 * xz-embedded reports what is wrong with it.
 */
async function decodeXzStreams(
  source: ByteSource,
  start: number,
  out: BoundedOutput,
): Promise<StreamsResult> {
  let end = start;
  let streams = 0;
  for (;;) {
    const next = findXzStreamEnd(source, end);
    if (next === undefined) break;
    end = next;
    streams++;
    if (!isXzStreamHeader(source.readAt(end, XZ_STREAM_HEADER_BYTES))) break;
  }
  if (streams === 0) end = source.size;
  const run = await decodeXzRun(source, start, end, out);
  if (run.status === 'stop') return run;
  if (run.status === 'error') return { ...run, fatal: true };
  return { status: 'end', end, streams: Math.max(1, streams) };
}

/** What .lzma and lzip streams share from one stream to the next: the input cursor and the tables. */
interface LzmaState {
  readonly input: ByteInput;
  readonly tables: LzmaTables;
}

async function decodeLzmaOrLzip(
  kind: 'lzma' | 'lzip',
  source: ByteSource,
  start: number,
  out: BoundedOutput,
  state: LzmaState,
): Promise<StreamsResult> {
  const { input, tables } = state;
  input.seek(start);
  let result: LzmaStreamResult;
  if (kind === 'lzip') {
    result = await decodeLzipMember(input, out, tables);
  } else {
    // The first stream of an explicit 'lzma' decode may have a header only FORMAT_ALONE accepts.
    const header = parseLzmaHeader(source.readAt(start, LZMA_HEADER_BYTES));
    if (typeof header === 'string') return { status: 'error', consumed: start, error: header, fatal: true };
    input.skip(LZMA_HEADER_BYTES);
    result = await decodeLzmaStream(header, input, out, tables);
  }
  if (result.status === 'end') return { status: 'end', end: input.offset, streams: 1 };
  if (result.status === 'stop') return { status: 'stop', consumed: input.offset };
  return { status: 'error', consumed: input.offset, error: result.error, fatal: result.truncated };
}

/** What comes after `streams` whole streams that end at `position`: the next stream, or how decoding ends. */
function classifyAfter(
  source: ByteSource,
  position: number,
  streams: number,
): { readonly kind: LzmaFamily; readonly outcome?: undefined } | { readonly outcome: DecodeOutcome } {
  const left = source.size - position;
  if (left === 0) return { outcome: { complete: true, consumed: position } };
  const next = classifyNextStream(source.readAt(position, LZMA_HEADER_BYTES));
  if (next === 'none') return { outcome: { complete: true, consumed: position, trailingBytes: left } };
  if (next === 'truncated') {
    return {
      outcome: {
        complete: false,
        consumed: position,
        trailingBytes: left,
        error: `the ${left} bytes after stream ${streams - 1} start a stream header that the input cuts short (a valid beginning of .xz, .lzma or lzip; CPython's LZMAFile raises EOFError there, lzma.decompress LZMAError)`,
      },
    };
  }
  return { kind: next };
}

/**
 * Decodes `source` as CPython's FORMAT_AUTO reader does, starting with a stream of kind `first` (the kind
 * the caller sniffed or asked for). See the top of this file for what follows the first stream.
 */
export async function decodeLzmaFamily(
  first: LzmaFamily,
  source: ByteSource,
  out: BoundedOutput,
): Promise<DecodeOutcome> {
  let position = 0;
  let streams = 0;
  let kind = first;
  const state: LzmaState = { input: new ByteInput(source, 0, 'stream'), tables: new LzmaTables() };
  for (let round = 1; ; round++) {
    if (kind === 'lzma') {
      const zeros = skipZeros(source, position) - position;
      const empty = Math.floor(zeros / EMPTY_LZMA_STREAM_BYTES);
      if (empty > 0) {
        streams += empty;
        position += empty * EMPTY_LZMA_STREAM_BYTES;
        const next = classifyAfter(source, position, streams);
        if (next.outcome) return next.outcome;
        kind = next.kind;
        continue;
      }
    }
    const before = out.length;
    const result =
      kind === 'xz'
        ? await decodeXzStreams(source, position, out)
        : await decodeLzmaOrLzip(kind, source, position, out, state);
    if (result.status === 'stop') return { complete: false, consumed: result.consumed };
    if (result.status === 'error') {
      if (streams > 0 && !result.fatal && out.length === before) {
        // CPython's first decompress call on this stream raises, and the caller ignores the rest.
        return { complete: true, consumed: position, trailingBytes: source.size - position };
      }
      const error = `${FORMAT_NAMES[kind]} stream ${streams}: ${result.error}`;
      return { complete: false, consumed: result.consumed, error };
    }
    streams += result.streams;
    position = result.end;
    if (round >= MAX_DECODED_STREAMS && position < source.size) {
      // Each stream costs a decoder round; a file of a million tiny streams would take minutes (red team
      // round 6). Legitimate files hold a handful; the rest is reported as not analysed.
      return {
        complete: false,
        consumed: position,
        error: `more than ${MAX_DECODED_STREAMS} concatenated streams; the ${source.size - position} bytes after stream ${streams - 1} were not decompressed`,
      };
    }
    const next = classifyAfter(source, position, streams);
    if (next.outcome) return next.outcome;
    kind = next.kind;
    if (round % ROUNDS_PER_YIELD === 0) await yieldToEventLoop();
  }
}
