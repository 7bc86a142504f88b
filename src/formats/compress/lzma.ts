/**
 * A bounded decoder for the legacy .lzma ("LZMA_Alone") format: what CPython's lzma writes for
 * FORMAT_ALONE and so what joblib writes for compress='lzma'.
 *
 * Written by hand because no npm package decodes .lzma incrementally under an output bound on Node 20 with a
 * permissive licence and no install script (evaluated for this folder):
 * - node-liblzma 5.1.3: LGPL-3.0 and a node-gyp-build install script.
 * - @napi-rs/lzma 1.5.3: streaming decoders, but engines `^22.20 || ^24.12 || >=25`, so on Node 20 npm skips
 *   its platform binary; 1.4.5 (Node 20) only decodes whole buffers into memory.
 * - lzma (LZMA-JS) 2.3.2 and lzma1 0.3.0: whole-buffer APIs that collect all output (LZMA-JS even returns a
 *   string when the output happens to be UTF-8); lzma1's streaming Decoder class is not exported, and it
 *   allocates the header's dictionary size (up to 4 GiB) unchecked.
 * - lzma-purejs 0.9.3: unmaintained since 2013. xz-compat 1.2.10: may npm-install lzma-native at run time.
 * - xz-decompress (used for .xz here): xz-embedded has no .lzma support.
 *
 * The decoder follows the LZMA specification's reference decoder (LZMA SDK, doc/lzma-specification.txt and
 * LzmaSpec.cpp, Igor Pavlov, public domain) step for step; the header is per xz-utils
 * doc/lzma-file-format.txt. Instead of a separate dictionary it copies matches out of the output itself,
 * which we keep anyway: memory is the output (at most maxOutputBytes) plus the probability tables (at most
 * 6 MiB for lc=8, lp=4), whatever dictionary size the header claims. Distances past the start of the stream
 * or past the dictionary size are errors, as in the reference decoder, with the dictionary size liblzma uses
 * (effectiveDictionarySize). An explicit 'lzma' decode is as lenient as CPython's FORMAT_ALONE (any dictionary
 * and size) and also takes lc + lp > 4, which the LZMA SDK allows and liblzma refuses: decoding more than
 * CPython does is harmless here; sniffing is what must agree with it (isLzmaAloneHeader). This file decodes
 * one stream; auto.ts strings streams together as CPython's FORMAT_AUTO reader does.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { describeError } from '../../core/errors.js';
import type { ByteInput } from './input.js';
import type { BoundedOutput } from './output.js';
import { SourceReadError, TruncatedInput } from './types.js';

/** Output decoded between ratio checks and yields to the event loop. */
const LZMA_STEP_BYTES = 1024 * 1024;
export const LZMA_HEADER_BYTES = 13;
/** The properties byte (pb * 5 + lp) * 9 + lc is below 9 * 5 * 5 (lc <= 8, lp <= 4, pb <= 4). */
const MAX_PROPERTIES = 9 * 5 * 5;

// Range coder (spec §"The range decoder").
const NUM_BIT_MODEL_TOTAL_BITS = 11;
const BIT_MODEL_TOTAL = 1 << NUM_BIT_MODEL_TOTAL_BITS;
const NUM_MOVE_BITS = 5;
const PROB_INIT = BIT_MODEL_TOTAL >>> 1;
const TOP_VALUE = 1 << 24;
// Model sizes (spec §"LZMA decoding modes" onwards).
const NUM_STATES = 12;
const NUM_POS_BITS_MAX = 4;
const NUM_LEN_TO_POS_STATES = 4;
const NUM_ALIGN_BITS = 4;
const END_POS_MODEL_INDEX = 14;
const NUM_FULL_DISTANCES = 1 << (END_POS_MODEL_INDEX >>> 1);
const MATCH_MIN_LEN = 2;
const LITERAL_CODER_SIZE = 0x300;
/** liblzma's LZMA_DICT_SIZE_MIN (api/lzma/lzma12.h). */
const MIN_DICTIONARY_BYTES = 1 << 12;
const END_MARKER_DISTANCE = 0xffffffff;

export interface LzmaHeader {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
  readonly dictionarySize: number;
  /** undefined: not stored (all 0xFF), so the stream must end with an end marker. */
  readonly uncompressedSize: number | undefined;
}

/** Parses the 13-byte .lzma header; returns a reason string when it is not one. */
export function parseLzmaHeader(head: Uint8Array): LzmaHeader | string {
  if (head.length < LZMA_HEADER_BYTES) return 'shorter than the 13-byte .lzma header';
  let props = head[0]!;
  if (props >= MAX_PROPERTIES) return `properties byte 0x${props.toString(16)} is not a valid lc/lp/pb`;
  const lc = props % 9;
  props = Math.floor(props / 9);
  const lp = props % 5;
  const pb = Math.floor(props / 5);
  const view = new DataView(head.buffer, head.byteOffset, LZMA_HEADER_BYTES);
  const dictionarySize = view.getUint32(1, true);
  const size = view.getBigUint64(5, true);
  let uncompressedSize: number | undefined;
  if (size !== 0xffffffffffffffffn) {
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) return `uncompressed size ${size} is implausible`;
    uncompressedSize = Number(size);
  }
  return { lc, lp, pb, dictionarySize, uncompressedSize };
}

/** liblzma's LZMA_LCLP_MAX (api/lzma/lzma12.h): lc + lp above it is rejected by lzma_lzma_lclppb_decode. */
const LZMA_LCLP_MAX = 4;
/** The picky .lzma decoder rejects a stated uncompressed size of 2^38 (256 GiB) or more. */
const PICKY_MAX_UNCOMPRESSED_SIZE = 2 ** 38;

/**
 * The dictionary sizes liblzma's picky .lzma decoder accepts (xz-utils src/liblzma/common/alone_decoder.c,
 * SEQ_DICTIONARY_SIZE): UINT32_MAX, or a size its round-up to 2^n or 2^n + 2^(n-1) leaves unchanged. The same
 * uint32 arithmetic as there, so the edge cases agree too: 0 passes (0 - 1 wraps to UINT32_MAX, + 1 wraps back to
 * 0), as do 1, 2, 3, 4, 6, 8, 12, ... 2^31 and 3 * 2^30.
 */
export function isPickyLzmaDictionarySize(dictionarySize: number): boolean {
  if (dictionarySize === 0xffffffff) return true;
  let d = (dictionarySize - 1) >>> 0;
  d = (d | (d >>> 2)) >>> 0;
  d = (d | (d >>> 3)) >>> 0;
  d = (d | (d >>> 4)) >>> 0;
  d = (d | (d >>> 8)) >>> 0;
  d = (d | (d >>> 16)) >>> 0;
  return (d + 1) >>> 0 === dictionarySize;
}

/**
 * Whether `head` starts with a .lzma header that liblzma's lzma_auto_decoder accepts. That is what CPython's
 * lzma.open, LZMAFile and lzma.decompress use by default (FORMAT_AUTO): joblib.load opens files starting
 * 5D 00 with LZMAFile(fileobj, 'rb') (joblib/compressor.py), pandas opens compression='xz' the same way. Any
 * first byte but 0xFD (.xz) and, with lzip support, 0x4C goes to the .lzma decoder in its picky mode
 * (xz-utils src/liblzma/common/auto_decoder.c; alone_decoder.c with picky = true), which requires
 * - a properties byte of at most (4 * 5 + 4) * 9 + 8 = 224 with lc + lp <= 4 (lzma_decoder.c,
 *   lzma_lzma_lclppb_decode);
 * - a dictionary size isPickyLzmaDictionarySize accepts;
 * - an uncompressed size that is unknown (all 0xFF) or below 2^38.
 * Neither 0xFD nor 0x4C is a valid properties byte (lc + lp > 4), so this never claims .xz or .lz data.
 *
 * FORMAT_ALONE (lzma_alone_decoder, picky = false) accepts any dictionary and uncompressed size; such a header
 * cannot be told from random data, so only an explicit kind decodes it. A .lzma file has no magic either way:
 * callers must keep in mind that other formats (a pickle) can start with bytes this accepts.
 */
export function isLzmaAloneHeader(head: Uint8Array): boolean {
  const header = parseLzmaHeader(head);
  if (typeof header === 'string' || header.lc + header.lp > LZMA_LCLP_MAX) return false;
  if (!isPickyLzmaDictionarySize(header.dictionarySize)) return false;
  return header.uncompressedSize === undefined || header.uncompressedSize < PICKY_MAX_UNCOMPRESSED_SIZE;
}

/**
 * How far `head` (the bytes after a stream, up to 13) gets through the header checks of liblzma's picky .lzma
 * decoder, which checks each field as soon as it has all of its bytes (alone_decoder.c): the properties byte,
 * then the dictionary size, then the stated size. 'partial' when the bytes run out before a check fails
 * (liblzma waits for more input), 'invalid' when one fails, 'header' for a whole header it accepts.
 */
export function pickyLzmaHeaderPrefix(head: Uint8Array): 'header' | 'partial' | 'invalid' {
  if (head.length === 0) return 'partial';
  const props = head[0]!;
  if (props >= MAX_PROPERTIES || (props % 9) + (Math.floor(props / 9) % 5) > LZMA_LCLP_MAX) return 'invalid';
  if (head.length < 5) return 'partial';
  const dictionarySize = (head[1]! | (head[2]! << 8) | (head[3]! << 16)) + head[4]! * 0x1000000;
  if (!isPickyLzmaDictionarySize(dictionarySize)) return 'invalid';
  if (head.length < LZMA_HEADER_BYTES) return 'partial';
  return isLzmaAloneHeader(head) ? 'header' : 'invalid';
}

/**
 * The largest match distance (plus one) liblzma accepts for a header's dictionary size: at least
 * LZMA_DICT_SIZE_MIN (4096), rounded up to a multiple of 16 (xz-utils src/liblzma/lz/lz_decoder.c,
 * lzma_lz_decoder_init; dict_is_distance_valid checks distances against that). So a 1-byte dictionary
 * decodes like a 4 KiB one, as in CPython.
 */
export function effectiveDictionarySize(dictionarySize: number): number {
  return Math.ceil(Math.max(dictionarySize, MIN_DICTIONARY_BYTES) / 16) * 16;
}

class RangeDecoder {
  range = 0xffffffff;
  code = 0;
  corrupted = false;
  private readonly input: ByteInput;

  constructor(input: ByteInput) {
    this.input = input;
    const first = input.readByte();
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | input.readByte()) >>> 0;
    // Spec: the first byte is always 0, and code == range cannot come from an encoder.
    if (first !== 0 || this.code === this.range) this.corrupted = true;
  }

  /** The encoder flushed with code 0: a stream that ends here ended properly. */
  get finishedOk(): boolean {
    return this.code === 0;
  }

  private normalize(): void {
    if (this.range < TOP_VALUE) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.input.readByte()) >>> 0;
    }
  }

  /** Uint32 arithmetic done in doubles: range >>> 11 times an 11-bit probability stays below 2^32. */
  bit(probs: Uint16Array, index: number): number {
    const p = probs[index]!;
    const bound = (this.range >>> NUM_BIT_MODEL_TOTAL_BITS) * p;
    let bit: number;
    if (this.code < bound) {
      probs[index] = p + ((BIT_MODEL_TOTAL - p) >>> NUM_MOVE_BITS);
      this.range = bound;
      bit = 0;
    } else {
      probs[index] = p - (p >>> NUM_MOVE_BITS);
      this.code -= bound;
      this.range -= bound;
      bit = 1;
    }
    this.normalize();
    return bit;
  }

  directBits(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      if (this.code === this.range) this.corrupted = true;
      this.normalize();
      result = result * 2 + bit;
    }
    return result;
  }

  bitTree(probs: Uint16Array, offset: number, numBits: number): number {
    let m = 1;
    for (let i = 0; i < numBits; i++) m = (m << 1) + this.bit(probs, offset + m);
    return m - (1 << numBits);
  }

  reverseBitTree(probs: Uint16Array, offset: number, numBits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < numBits; i++) {
      const bit = this.bit(probs, offset + m);
      m = (m << 1) + bit;
      symbol |= bit << i;
    }
    return symbol;
  }
}

class LenDecoder {
  private readonly choice = new Uint16Array(2).fill(PROB_INIT);
  private readonly low = new Uint16Array(8 << NUM_POS_BITS_MAX).fill(PROB_INIT);
  private readonly mid = new Uint16Array(8 << NUM_POS_BITS_MAX).fill(PROB_INIT);
  private readonly high = new Uint16Array(256).fill(PROB_INIT);

  reset(): void {
    for (const probs of [this.choice, this.low, this.mid, this.high]) probs.fill(PROB_INIT);
  }

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.choice, 0) === 0) return rc.bitTree(this.low, posState << 3, 3);
    if (rc.bit(this.choice, 1) === 0) return 8 + rc.bitTree(this.mid, posState << 3, 3);
    return 16 + rc.bitTree(this.high, 0, 8);
  }
}

type StepResult = 'more' | 'end' | 'stop';

/**
 * The probability tables of a stream. One set serves the streams of a decode one after another, reset in
 * between: allocating them would dominate the cost of many tiny streams (an empty .lzma stream is 18 bytes).
 */
export class LzmaTables {
  readonly isMatch = new Uint16Array(NUM_STATES << NUM_POS_BITS_MAX);
  readonly isRep = new Uint16Array(NUM_STATES);
  readonly isRepG0 = new Uint16Array(NUM_STATES);
  readonly isRepG1 = new Uint16Array(NUM_STATES);
  readonly isRepG2 = new Uint16Array(NUM_STATES);
  readonly isRep0Long = new Uint16Array(NUM_STATES << NUM_POS_BITS_MAX);
  readonly posSlot = new Uint16Array(NUM_LEN_TO_POS_STATES << 6);
  readonly posDecoders = new Uint16Array(1 + NUM_FULL_DISTANCES - END_POS_MODEL_INDEX);
  readonly align = new Uint16Array(1 << NUM_ALIGN_BITS);
  readonly lenDecoder = new LenDecoder();
  readonly repLenDecoder = new LenDecoder();
  /** Literal tables by lc + lp (0x300 << (lc + lp) probabilities: up to 6 MiB). */
  private readonly literals = new Map<number, Uint16Array>();

  /** Resets every table for a new stream and returns the literal table for `lc + lp`. */
  take(lcPlusLp: number): Uint16Array {
    for (const probs of [
      this.isMatch,
      this.isRep,
      this.isRepG0,
      this.isRepG1,
      this.isRepG2,
      this.isRep0Long,
      this.posSlot,
      this.posDecoders,
      this.align,
    ]) {
      probs.fill(PROB_INIT);
    }
    this.lenDecoder.reset();
    this.repLenDecoder.reset();
    let literal = this.literals.get(lcPlusLp);
    if (literal === undefined) {
      literal = new Uint16Array(LITERAL_CODER_SIZE << lcPlusLp);
      this.literals.set(lcPlusLp, literal);
    }
    return literal.fill(PROB_INIT);
  }
}

/** One .lzma stream's decoder state, resumable between steps. */
class LzmaStreamDecoder {
  private readonly rc: RangeDecoder;
  private readonly out: BoundedOutput;
  /** Output offset where this stream's data starts: matches may not reach before it. */
  private readonly base: number;
  private readonly lc: number;
  private readonly lpMask: number;
  private readonly pbMask: number;
  private readonly dictionarySize: number;
  private remaining: number | undefined;
  private readonly literal: Uint16Array;
  private readonly isMatch: Uint16Array;
  private readonly isRep: Uint16Array;
  private readonly isRepG0: Uint16Array;
  private readonly isRepG1: Uint16Array;
  private readonly isRepG2: Uint16Array;
  private readonly isRep0Long: Uint16Array;
  private readonly posSlot: Uint16Array;
  private readonly posDecoders: Uint16Array;
  private readonly align: Uint16Array;
  private readonly lenDecoder: LenDecoder;
  private readonly repLenDecoder: LenDecoder;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;
  /** Set when the data is invalid; decoding stops with this message. */
  error: string | undefined;

  constructor(header: LzmaHeader, input: ByteInput, out: BoundedOutput, tables: LzmaTables) {
    this.out = out;
    this.base = out.length;
    this.lc = header.lc;
    this.lpMask = (1 << header.lp) - 1;
    this.pbMask = (1 << header.pb) - 1;
    this.dictionarySize = effectiveDictionarySize(header.dictionarySize);
    this.remaining = header.uncompressedSize;
    this.literal = tables.take(header.lc + header.lp);
    this.isMatch = tables.isMatch;
    this.isRep = tables.isRep;
    this.isRepG0 = tables.isRepG0;
    this.isRepG1 = tables.isRepG1;
    this.isRepG2 = tables.isRepG2;
    this.isRep0Long = tables.isRep0Long;
    this.posSlot = tables.posSlot;
    this.posDecoders = tables.posDecoders;
    this.align = tables.align;
    this.lenDecoder = tables.lenDecoder;
    this.repLenDecoder = tables.repLenDecoder;
    this.rc = new RangeDecoder(input);
    if (this.rc.corrupted) this.error = 'range coder initialisation is invalid (first byte not 0)';
  }

  /** The range coder saw a state no encoder produces (checked at the end, as the reference decoder does). */
  get corrupted(): boolean {
    return this.rc.corrupted;
  }

  /** Bytes of this stream decoded so far: the reference decoder's totalPos. */
  private get position(): number {
    return this.out.length - this.base;
  }

  private byteAt(distance: number): number {
    return this.out.byteBack(distance);
  }

  /** Appends one byte; false when the output limit is reached. */
  private put(byte: number): boolean {
    return this.out.appendByte(byte);
  }

  /** Copies `length` bytes from `distance` back (distance >= 1); false when the output limit cut it short. */
  private copyMatch(distance: number, length: number): boolean {
    const n = Math.min(length, this.out.room);
    const buffer = this.out.reserve(n);
    let to = this.out.length;
    let from = to - distance;
    if (distance >= n) {
      buffer.copyWithin(to, from, from + n);
    } else {
      // Overlapping copy: each byte may be one this match just wrote (runs).
      for (let i = 0; i < n; i++) buffer[to++] = buffer[from++]!;
    }
    this.out.commit(n);
    if (n < length) {
      this.out.markLimit();
      return false;
    }
    return true;
  }

  private decodeLiteral(): boolean {
    const position = this.position;
    const prevByte = position > 0 ? this.byteAt(1) : 0;
    const litState = ((position & this.lpMask) << this.lc) + (prevByte >>> (8 - this.lc));
    const offset = LITERAL_CODER_SIZE * litState;
    const rc = this.rc;
    let symbol = 1;
    if (this.state >= 7) {
      // After a match the literal is coded relative to the byte at rep0 (spec: "matched literal").
      let matchByte = this.byteAt(this.rep0 + 1);
      do {
        const matchBit = (matchByte >>> 7) & 1;
        matchByte <<= 1;
        const bit = rc.bit(this.literal, offset + ((1 + matchBit) << 8) + symbol);
        symbol = (symbol << 1) | bit;
        if (matchBit !== bit) break;
      } while (symbol < 0x100);
    }
    while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(this.literal, offset + symbol);
    return this.put(symbol - 0x100);
  }

  private decodeDistance(len: number): number {
    const rc = this.rc;
    const lenState = Math.min(len, NUM_LEN_TO_POS_STATES - 1);
    const posSlot = rc.bitTree(this.posSlot, lenState << 6, 6);
    if (posSlot < 4) return posSlot;
    const numDirectBits = (posSlot >>> 1) - 1;
    // Up to 3 * 2^30: multiplication, not <<, which would overflow int32.
    let dist = (2 | (posSlot & 1)) * 2 ** numDirectBits;
    if (posSlot < END_POS_MODEL_INDEX) {
      dist += rc.reverseBitTree(this.posDecoders, dist - posSlot, numDirectBits);
    } else {
      dist += rc.directBits(numDirectBits - NUM_ALIGN_BITS) * 2 ** NUM_ALIGN_BITS;
      dist += rc.reverseBitTree(this.align, 0, NUM_ALIGN_BITS);
    }
    return dist;
  }

  private fail(message: string): StepResult {
    this.error = message;
    return 'end';
  }

  /**
   * Decodes until the stream ends ('end', with `error` set if it ended badly), the output says stop ('stop'),
   * or about `budget` more bytes were produced ('more'). Mirrors LzmaDecoder::DecodeLzma of LzmaSpec.cpp.
   */
  step(budget: number): StepResult {
    if (this.error) return 'end';
    const rc = this.rc;
    const until = this.out.length + budget;
    while (this.out.length < until) {
      if (this.remaining === 0 && rc.finishedOk) return 'end';
      const posState = this.position & this.pbMask;
      const state = this.state;
      if (rc.bit(this.isMatch, (state << NUM_POS_BITS_MAX) + posState) === 0) {
        if (this.remaining === 0) return this.fail('data continues past the uncompressed size in the header');
        if (!this.decodeLiteral()) return 'stop';
        this.state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        if (this.remaining !== undefined) this.remaining--;
        continue;
      }
      let len: number;
      if (rc.bit(this.isRep, state) !== 0) {
        if (this.remaining === 0) return this.fail('data continues past the uncompressed size in the header');
        if (this.position === 0) return this.fail('repeated match before any output');
        if (rc.bit(this.isRepG0, state) === 0) {
          if (rc.bit(this.isRep0Long, (state << NUM_POS_BITS_MAX) + posState) === 0) {
            // "Short rep": one byte from rep0.
            this.state = state < 7 ? 9 : 11;
            if (!this.put(this.byteAt(this.rep0 + 1))) return 'stop';
            if (this.remaining !== undefined) this.remaining--;
            continue;
          }
        } else {
          let dist: number;
          if (rc.bit(this.isRepG1, state) === 0) {
            dist = this.rep1;
          } else {
            if (rc.bit(this.isRepG2, state) === 0) {
              dist = this.rep2;
            } else {
              dist = this.rep3;
              this.rep3 = this.rep2;
            }
            this.rep2 = this.rep1;
          }
          this.rep1 = this.rep0;
          this.rep0 = dist;
        }
        len = this.repLenDecoder.decode(rc, posState);
        this.state = state < 7 ? 8 : 11;
      } else {
        this.rep3 = this.rep2;
        this.rep2 = this.rep1;
        this.rep1 = this.rep0;
        len = this.lenDecoder.decode(rc, posState);
        this.state = state < 7 ? 7 : 10;
        this.rep0 = this.decodeDistance(len);
        if (this.rep0 === END_MARKER_DISTANCE) {
          return rc.finishedOk ? 'end' : this.fail('end marker before the range coder finished');
        }
        if (this.remaining === 0) return this.fail('data continues past the uncompressed size in the header');
        if (this.rep0 >= this.dictionarySize) return this.fail('match distance beyond the dictionary size');
        if (this.rep0 >= this.position) return this.fail('match distance before the start of the data');
      }
      len += MATCH_MIN_LEN;
      let overrun = false;
      if (this.remaining !== undefined) {
        if (this.remaining < len) {
          len = this.remaining;
          overrun = true;
        }
        this.remaining -= len;
      }
      if (!this.copyMatch(this.rep0 + 1, len)) return 'stop';
      if (overrun) return this.fail('match runs past the uncompressed size in the header');
    }
    return 'more';
  }
}

export type LzmaStreamResult =
  | { readonly status: 'end' }
  | { readonly status: 'stop' }
  /** `truncated`: the input ended inside the stream (liblzma would wait for more input). */
  | { readonly status: 'error'; readonly truncated: boolean; readonly error: string };

/**
 * Decodes one LZMA stream with `header`'s properties from `input`'s offset into `out`: until its end (the
 * end marker, or the stated size with the range coder finished), an error, or `out` saying stop. `onOutput`
 * sees each stretch of output as it is produced (lzip members check a CRC32 of it). `tables` may come from
 * the stream before. Only a failing source throws.
 */
export async function decodeLzmaStream(
  header: LzmaHeader,
  input: ByteInput,
  out: BoundedOutput,
  tables: LzmaTables,
  onOutput?: (bytes: Uint8Array) => void,
): Promise<LzmaStreamResult> {
  let decoder: LzmaStreamDecoder;
  try {
    decoder = new LzmaStreamDecoder(header, input, out, tables);
    for (;;) {
      const from = out.length;
      const result = decoder.step(LZMA_STEP_BYTES);
      onOutput?.(out.data().subarray(from));
      if (result === 'stop' || !out.checkRatio(input.offset)) return { status: 'stop' };
      if (result === 'end') break;
      await yieldToEventLoop();
    }
  } catch (error) {
    if (error instanceof SourceReadError) throw error;
    if (error instanceof TruncatedInput) return { status: 'error', truncated: true, error: error.message };
    return { status: 'error', truncated: false, error: describeError(error) };
  }
  if (decoder.error) return { status: 'error', truncated: false, error: decoder.error };
  if (decoder.corrupted) return { status: 'error', truncated: false, error: 'corrupt range coder data' };
  return { status: 'end' };
}
