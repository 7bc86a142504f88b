import type { ByteSource } from '../../core/byte-reader.js';
import { TruncatedInput } from './types.js';

/** Compressed bytes read from the source at a time by the synchronous decoders. */
export const INPUT_CHUNK_BYTES = 1024 * 1024;

/**
 * Sequential reads over a ByteSource in INPUT_CHUNK_BYTES windows, for decoders that pull their input byte by
 * byte. Reading past the end throws TruncatedInput naming `what`, so a decoder never runs on invented bytes.
 */
export class ByteInput {
  private readonly source: ByteSource;
  private readonly what: string;
  private readonly windowBytes: number;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart: number;
  private position: number;

  /** `windowBytes`: how much to read at a time; smaller for walks that skip most of the input. */
  constructor(source: ByteSource, start: number, what: string, windowBytes = INPUT_CHUNK_BYTES) {
    this.source = source;
    this.what = what;
    this.windowBytes = windowBytes;
    this.position = start;
    this.windowStart = start;
  }

  /** Absolute offset of the next byte: the number of bytes consumed when reading started at 0. */
  get offset(): number {
    return this.position;
  }

  get remaining(): number {
    return Math.max(0, this.source.size - this.position);
  }

  readByte(): number {
    let rel = this.position - this.windowStart;
    if (rel >= this.window.length) {
      this.fill(1);
      rel = 0;
    }
    this.position++;
    return this.window[rel]!;
  }

  /** `n` bytes; a view when they lie in the current window, else a copy. */
  bytes(n: number): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    let rel = this.position - this.windowStart;
    if (rel < 0 || rel + n > this.window.length) {
      this.fill(n);
      rel = 0;
    }
    this.position += n;
    return this.window.subarray(rel, rel + n);
  }

  u32le(): number {
    const b = this.bytes(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 0x1000000;
  }

  /** Moves the cursor to `offset` (forwards or back); the next read fetches a window there if needed. */
  seek(offset: number): void {
    this.position = offset;
    if (offset < this.windowStart || offset > this.windowStart + this.window.length) {
      this.window = new Uint8Array(0);
      this.windowStart = offset;
    }
  }

  skip(n: number): void {
    if (this.position + n > this.source.size) {
      this.position = this.source.size;
      throw new TruncatedInput(this.what);
    }
    this.position += n;
  }

  /** Makes at least `n` bytes from the cursor addressable as window[0..]. */
  private fill(n: number): void {
    if (this.position + n > this.source.size) throw new TruncatedInput(this.what);
    this.window = this.source.readAt(this.position, Math.max(this.windowBytes, n));
    this.windowStart = this.position;
    if (this.window.length < n) throw new TruncatedInput(this.what);
  }
}
