/**
 * The output side shared by every decoder: a buffer that never grows past `maxOutputBytes` and that says when
 * to stop, either at that limit or when the expansion ratio marks a decompression bomb.
 */

export type StopReason = 'limit' | 'ratio';

export interface DecompressOptions {
  /** Decoded bytes kept at most; decoding stops (stopped: 'limit') at the first byte past it. */
  readonly maxOutputBytes: number;
  /** Output/consumed-input ratio above which decoding stops (stopped: 'ratio'). */
  readonly maxRatio: number;
  /** The ratio is checked only once this much has been produced: small inputs legitimately expand a lot. */
  readonly minBytesForRatio: number;
}

/** First allocation; the buffer doubles from here, so small outputs cost little. */
const INITIAL_CAPACITY = 64 * 1024;

export class BoundedOutput {
  private buffer: Uint8Array;
  private used = 0;
  private reason: StopReason | undefined;
  readonly options: DecompressOptions;

  constructor(options: DecompressOptions) {
    this.options = options;
    this.buffer = new Uint8Array(Math.min(INITIAL_CAPACITY, options.maxOutputBytes));
  }

  get length(): number {
    return this.used;
  }

  get stopped(): StopReason | undefined {
    return this.reason;
  }

  /** Room left before the limit. */
  get room(): number {
    return this.options.maxOutputBytes - this.used;
  }

  /**
   * Appends `chunk`, keeping only what fits. Returns false once decoding must stop: the chunk did not fit
   * (stopped 'limit'), or the ratio to `consumed` input bytes is too high (stopped 'ratio').
   */
  push(chunk: Uint8Array, consumed: number): boolean {
    if (this.reason) return false;
    const take = Math.min(chunk.length, this.room);
    if (take > 0) {
      this.reserve(take);
      this.buffer.set(take === chunk.length ? chunk : chunk.subarray(0, take), this.used);
      this.used += take;
    }
    if (take < chunk.length) {
      this.reason = 'limit';
      return false;
    }
    return this.checkRatio(consumed);
  }

  /**
   * Direct access for decoders that copy matches out of their own output (LZMA, LZ4): makes `n` more bytes
   * writable and returns the backing array. Callers check `room` first; this never grows past the limit.
   */
  reserve(n: number): Uint8Array {
    const needed = this.used + n;
    if (needed > this.options.maxOutputBytes) {
      throw new RangeError(`reserve(${n}) past maxOutputBytes ${this.options.maxOutputBytes}`);
    }
    if (needed > this.buffer.length) {
      const capacity = Math.min(this.options.maxOutputBytes, Math.max(needed, this.buffer.length * 2));
      const grown = new Uint8Array(capacity);
      grown.set(this.buffer.subarray(0, this.used));
      this.buffer = grown;
    }
    return this.buffer;
  }

  /** Appends one byte (the LZMA literal path); false, with stopped 'limit', when there is no room. */
  appendByte(byte: number): boolean {
    if (this.used >= this.buffer.length) {
      if (this.used >= this.options.maxOutputBytes) {
        this.reason ??= 'limit';
        return false;
      }
      this.reserve(1);
    }
    this.buffer[this.used++] = byte;
    return true;
  }

  /** The byte `distance` (>= 1) back from the end of the output; the caller checks it is in range. */
  byteBack(distance: number): number {
    return this.buffer[this.used - distance]!;
  }

  /** After writing into `reserve()`'s array, records `n` more bytes as produced. */
  commit(n: number): void {
    this.used += n;
  }

  /** Records that decoding wanted to produce more than the limit allows. */
  markLimit(): void {
    this.reason ??= 'limit';
  }

  /** Ratio check for decoders that write through reserve/commit. Returns false when decoding must stop. */
  checkRatio(consumed: number): boolean {
    if (this.reason) return false;
    const { maxRatio, minBytesForRatio } = this.options;
    if (this.used > minBytesForRatio && this.used / Math.max(1, consumed) > maxRatio) {
      this.reason = 'ratio';
      return false;
    }
    return true;
  }

  /** The bytes produced; a view, trimmed to size. */
  data(): Uint8Array {
    return this.buffer.subarray(0, this.used);
  }
}
