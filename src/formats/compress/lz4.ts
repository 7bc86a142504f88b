/**
 * A bounded decoder for LZ4 frames, what joblib writes for compress='lz4' (via the lz4.frame module).
 *
 * Written by hand because no npm package decodes the frame format under an output bound on Node 20 without
 * native code (evaluated for this folder): lz4js 0.2.0 decodes whole frames only, does no bounds checks
 * (invalid offsets silently read zeros, writes past the buffer are dropped) and reads block checksums before
 * the block instead of after it; @foxglove/wasm-lz4 and lz4-wasm decode single blocks of known output size
 * with no dictionary, so not linked blocks, which lz4.frame writes by default; lz4 and lz4-napi are native
 * (node-gyp install script / napi binary). The format is small: frame per
 * https://github.com/lz4/lz4/blob/dev/doc/lz4_Frame_format.md, blocks per
 * https://github.com/lz4/lz4/blob/dev/doc/lz4_Block_format.md. Every length and offset is checked before
 * use; all header, block and content checksums are verified.
 *
 * Blocks decode straight into the output, which is kept anyway: linked blocks copy matches from the previous
 * block(s) of the same frame out of it, so no separate 64 KiB history is needed.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ByteSource } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import { ByteInput } from './input.js';
import type { BoundedOutput } from './output.js';
import { type DecodeOutcome, SourceReadError, TruncatedInput } from './types.js';
import { Xxh32, xxh32 } from './xxh32.js';

export const LZ4_FRAME_MAGIC = 0x184d2204;
/** Skippable frames: magic 0x184D2A50..0x184D2A5F, a 4-byte size, then that many bytes to ignore. */
const SKIPPABLE_MAGIC_BASE = 0x184d2a50;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
/** The pre-frame "legacy" format of lz4 r1xx; not written by lz4.frame. */
const LEGACY_MAGIC = 0x184c2102;
/** Output decoded between yields to the event loop. */
const LZ4_YIELD_BYTES = 1024 * 1024;

// FLG byte.
const FLG_VERSION_SHIFT = 6;
const FLG_VERSION = 1;
const FLG_BLOCK_INDEPENDENCE = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
// BD byte: bits 6-4 select the block maximum size (4: 64 KiB ... 7: 4 MiB); the other bits are reserved.
const BD_RESERVED = 0x8f;
const BLOCK_MAX_SIZES: Readonly<Record<number, number>> = { 4: 1 << 16, 5: 1 << 18, 6: 1 << 20, 7: 1 << 22 };
const BLOCK_UNCOMPRESSED = 0x80000000;
const MIN_MATCH = 4;
const RUN_MASK = 15;

export function isLz4FrameMagic(magic: number): boolean {
  return magic === LZ4_FRAME_MAGIC || (magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC_BASE;
}

class Lz4Error extends Error {}

/**
 * Decodes one compressed block from `src` into the output. Matches may reach back to `windowStart` (the
 * frame start for linked blocks, the block start for independent ones). Returns false when the output limit
 * cut the block short.
 */
function decodeBlock(src: Uint8Array, out: BoundedOutput, windowStart: number, blockMax: number): boolean {
  const room = Math.min(out.room, blockMax);
  const dst = out.reserve(room);
  const dStart = out.length;
  const dEnd = dStart + room;
  const limited = room < blockMax;
  let d = dStart;
  let s = 0;
  const sEnd = src.length;
  const readLength = (initial: number): number => {
    let n = initial;
    if (n === RUN_MASK) {
      let b: number;
      do {
        if (s >= sEnd) throw new Lz4Error('block ends inside a length');
        b = src[s++]!;
        n += b;
      } while (b === 255);
    }
    return n;
  };
  const overflow = (): boolean => {
    if (!limited) throw new Lz4Error('block decodes to more than the frame maximum block size');
    out.commit(d - dStart);
    out.markLimit();
    return false;
  };
  for (;;) {
    if (s >= sEnd) throw new Lz4Error('block ends before its last literals');
    const token = src[s++]!;
    const literals = readLength(token >>> 4);
    if (literals > sEnd - s) throw new Lz4Error('literal run goes past the end of the block');
    if (literals > dEnd - d) {
      dst.set(src.subarray(s, s + (dEnd - d)), d);
      d = dEnd;
      return overflow();
    }
    dst.set(src.subarray(s, s + literals), d);
    d += literals;
    s += literals;
    // The last sequence of a block has literals only (lz4_Block_format.md, "End of block conditions").
    if (s === sEnd) break;
    if (sEnd - s < 2) throw new Lz4Error('block ends inside a match offset');
    const offset = src[s]! | (src[s + 1]! << 8);
    s += 2;
    if (offset === 0) throw new Lz4Error('match offset 0');
    if (offset > d - windowStart) throw new Lz4Error('match offset reaches before the start of the window');
    let length = readLength(token & RUN_MASK) + MIN_MATCH;
    let cut = false;
    if (length > dEnd - d) {
      length = dEnd - d;
      cut = true;
    }
    let from = d - offset;
    if (offset >= length) {
      dst.copyWithin(d, from, from + length);
      d += length;
    } else {
      // Overlapping match: repeats the last `offset` bytes (runs).
      for (let i = 0; i < length; i++) dst[d++] = dst[from++]!;
    }
    if (cut) return overflow();
  }
  out.commit(d - dStart);
  return true;
}

interface FrameResult {
  readonly stopped: boolean;
}

/** Decodes one frame whose magic has been read. Throws Lz4Error or TruncatedInput on bad data. */
async function decodeFrame(input: ByteInput, out: BoundedOutput): Promise<FrameResult> {
  const flg = input.readByte();
  const bd = input.readByte();
  if (flg >>> FLG_VERSION_SHIFT !== FLG_VERSION) throw new Lz4Error(`unsupported frame version ${flg >>> 6}`);
  if (flg & FLG_RESERVED || bd & BD_RESERVED) throw new Lz4Error('reserved frame descriptor bits are set');
  const blockMax = BLOCK_MAX_SIZES[(bd >>> 4) & 7];
  if (blockMax === undefined) throw new Lz4Error(`invalid block maximum size id ${(bd >>> 4) & 7}`);
  const optionalLength = (flg & FLG_CONTENT_SIZE ? 8 : 0) + (flg & FLG_DICT_ID ? 4 : 0);
  const descriptor = new Uint8Array(2 + optionalLength);
  descriptor[0] = flg;
  descriptor[1] = bd;
  descriptor.set(input.bytes(optionalLength), 2);
  // HC is the second byte of XXH32 (seed 0) over the descriptor, FLG up to HC.
  if (((xxh32(descriptor) >>> 8) & 0xff) !== input.readByte())
    throw new Lz4Error('frame header checksum mismatch');
  if (flg & FLG_DICT_ID) {
    throw new Lz4Error('frame needs an external dictionary (Dict-ID set), which is not available');
  }
  const contentSize =
    flg & FLG_CONTENT_SIZE ? new DataView(descriptor.buffer).getBigUint64(2, true) : undefined;

  const linked = !(flg & FLG_BLOCK_INDEPENDENCE);
  const content = flg & FLG_CONTENT_CHECKSUM ? new Xxh32() : undefined;
  const frameStart = out.length;
  let lastYield = out.length;
  for (;;) {
    const word = input.u32le();
    if (word === 0) break; // EndMark
    const size = (word & ~BLOCK_UNCOMPRESSED) >>> 0;
    if (size > blockMax)
      throw new Lz4Error(`block of ${size} bytes exceeds the frame maximum of ${blockMax}`);
    const data = input.bytes(size);
    if (flg & FLG_BLOCK_CHECKSUM && input.u32le() !== xxh32(data))
      throw new Lz4Error('block checksum mismatch');
    const blockStart = out.length;
    let fits: boolean;
    if (word & BLOCK_UNCOMPRESSED) {
      fits = out.push(data, input.offset);
    } else {
      fits =
        decodeBlock(data, out, linked ? frameStart : blockStart, blockMax) && out.checkRatio(input.offset);
    }
    content?.update(out.data().subarray(blockStart));
    if (!fits) return { stopped: true };
    if (out.length - lastYield >= LZ4_YIELD_BYTES) {
      lastYield = out.length;
      await yieldToEventLoop();
    }
  }
  if (content && input.u32le() !== content.digest()) throw new Lz4Error('content checksum mismatch');
  if (contentSize !== undefined && contentSize !== BigInt(out.length - frameStart)) {
    throw new Lz4Error(`frame decoded to ${out.length - frameStart} bytes, header says ${contentSize}`);
  }
  return { stopped: false };
}

/**
 * Decodes LZ4 frames back to back as joblib reads them: through python-lz4's LZ4FrameFile, a
 * _compression.DecompressReader over LZ4FrameDecompressor with no `trailing_error` (lz4/frame/__init__.py),
 * so every frame is decoded and skippable frames are skipped, but bytes after the last frame that start no
 * frame make it raise (RuntimeError "ERROR_frameType_unknown" from LZ4F_decompress, or EOFError when fewer
 * than a frame header's 7 bytes remain). They are an error here too, after the frames before them; their
 * count is returned as trailingBytes so callers can analyse them. (lz4.frame.decompress reads only the
 * first frame and ignores the rest: decoding them all is the superset.)
 */
export async function decodeLz4(source: ByteSource, out: BoundedOutput): Promise<DecodeOutcome> {
  const input = new ByteInput(source, 0, 'LZ4 frame');
  for (let frame = 0; ; frame++) {
    const where = `LZ4 frame ${frame}`;
    try {
      const magic = input.u32le();
      if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC_BASE) {
        input.skip(input.u32le());
      } else if (magic === LZ4_FRAME_MAGIC) {
        if ((await decodeFrame(input, out)).stopped) return { complete: false, consumed: input.offset };
      } else {
        const why =
          magic === LEGACY_MAGIC ? 'legacy LZ4 format is not supported' : 'not an LZ4 frame (bad magic)';
        return { complete: false, consumed: input.offset - 4, error: `${where}: ${why}` };
      }
    } catch (error) {
      if (error instanceof SourceReadError) throw error;
      const why =
        error instanceof TruncatedInput || error instanceof Lz4Error ? error.message : describeError(error);
      return { complete: false, consumed: input.offset, error: `${where}: ${why}` };
    }
    if (input.remaining === 0) return { complete: true, consumed: input.offset };
    const next = source.readAt(input.offset, 4);
    const magic = next.length === 4 ? new DataView(next.buffer, next.byteOffset, 4).getUint32(0, true) : -1;
    if (!isLz4FrameMagic(magic)) {
      return {
        complete: false,
        consumed: input.offset,
        trailingBytes: input.remaining,
        error: `the ${input.remaining} bytes after LZ4 frame ${frame} start no LZ4 frame (python-lz4's LZ4FrameFile, which joblib uses, raises there)`,
      };
    }
  }
}
