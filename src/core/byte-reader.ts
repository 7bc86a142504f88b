import { ParseError } from './errors.js';

/**
 * Random access to bytes that may not fit in memory: a buffer, or a file read in windows.
 * `readAt` returns at most `length` bytes (fewer only at the end of the source).
 */
export interface ByteSource {
  readonly size: number;
  readAt(position: number, length: number): Uint8Array;
}

/** A source over bytes already in memory; reads are views, not copies. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    readAt(position, length) {
      return bytes.subarray(position, Math.min(bytes.length, position + length));
    },
  };
}

/** A slice `[start, start + size)` of another source, addressed from 0. */
export function sliceSource(source: ByteSource, start: number, size: number): ByteSource {
  const end = Math.min(source.size, start + size);
  return {
    size: Math.max(0, end - start),
    readAt(position, length) {
      const from = start + position;
      return source.readAt(from, Math.max(0, Math.min(length, end - from)));
    },
  };
}

/** Default window read from a non-memory source at a time. */
export const DEFAULT_WINDOW_BYTES = 1 << 20;

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const latin1Decoder = new TextDecoder('latin1');

/**
 * A bounds-checked cursor over a ByteSource (STYLE.md §3). Every read past the end throws
 * `ParseError('TRUNCATED')` with the offset; format code never indexes raw buffers it has not checked.
 * Offsets are absolute within the source. Sources larger than 2^53 bytes are not supported (JS numbers).
 */
export class ByteReader {
  readonly source: ByteSource;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;
  private position: number;
  private readonly windowBytes: number;

  constructor(source: ByteSource | Uint8Array, start = 0, windowBytes = DEFAULT_WINDOW_BYTES) {
    this.source = source instanceof Uint8Array ? bufferSource(source) : source;
    this.position = start;
    this.windowBytes = windowBytes;
    if (source instanceof Uint8Array) {
      this.window = source;
      this.windowStart = 0;
    }
  }

  get offset(): number {
    return this.position;
  }

  get size(): number {
    return this.source.size;
  }

  get remaining(): number {
    return this.source.size - this.position;
  }

  get atEnd(): boolean {
    return this.position >= this.source.size;
  }

  /** Moves the cursor; seeking past the end is allowed and makes the next read fail. */
  seek(offset: number): void {
    this.position = offset;
  }

  /** Makes `n` bytes at the cursor addressable in the window, or throws TRUNCATED. */
  private ensure(n: number, what: string): number {
    const rel = this.position - this.windowStart;
    if (rel >= 0 && rel + n <= this.window.length) return rel;
    if (n < 0 || this.position + n > this.source.size) {
      throw new ParseError(
        'TRUNCATED',
        `unexpected end of data reading ${what}: need ${n} byte(s), ${Math.max(0, this.source.size - this.position)} left`,
        this.position,
      );
    }
    this.window = this.source.readAt(this.position, Math.max(this.windowBytes, n));
    this.windowStart = this.position;
    if (this.window.length < n) {
      throw new ParseError('TRUNCATED', `short read of ${what}`, this.position);
    }
    return 0;
  }

  peekU8(): number | undefined {
    if (this.position >= this.source.size) return undefined;
    const rel = this.ensure(1, 'byte');
    return this.window[rel];
  }

  u8(what = 'byte'): number {
    const rel = this.ensure(1, what);
    this.position += 1;
    return this.window[rel]!;
  }

  u16le(what = 'uint16'): number {
    const rel = this.ensure(2, what);
    this.position += 2;
    const w = this.window;
    return w[rel]! | (w[rel + 1]! << 8);
  }

  u32le(what = 'uint32'): number {
    const rel = this.ensure(4, what);
    this.position += 4;
    const w = this.window;
    return (w[rel]! | (w[rel + 1]! << 8) | (w[rel + 2]! << 16)) + w[rel + 3]! * 0x1000000;
  }

  i32le(what = 'int32'): number {
    const rel = this.ensure(4, what);
    this.position += 4;
    const w = this.window;
    return w[rel]! | (w[rel + 1]! << 8) | (w[rel + 2]! << 16) | (w[rel + 3]! << 24);
  }

  u32be(what = 'uint32'): number {
    const rel = this.ensure(4, what);
    this.position += 4;
    const w = this.window;
    return w[rel]! * 0x1000000 + ((w[rel + 1]! << 16) | (w[rel + 2]! << 8) | w[rel + 3]!);
  }

  /** 64-bit little-endian unsigned as bigint: callers check it against a limit before use (STYLE.md §3). */
  u64le(what = 'uint64'): bigint {
    const lo = BigInt(this.u32le(what));
    const hi = BigInt(this.u32le(what));
    return (hi << 32n) | lo;
  }

  f64be(what = 'float64'): number {
    const rel = this.ensure(8, what);
    this.position += 8;
    const w = this.window;
    return new DataView(w.buffer, w.byteOffset + rel, 8).getFloat64(0, false);
  }

  /** `n` bytes at the cursor. The result may be a view into the window: copy it to keep it. */
  bytes(n: number, what = 'bytes'): Uint8Array {
    if (n === 0) return new Uint8Array(0);
    const rel = this.ensure(n, what);
    this.position += n;
    return this.window.subarray(rel, rel + n);
  }

  /** Skips `n` bytes without reading them; throws TRUNCATED if they are not there. */
  skip(n: number, what = 'bytes'): void {
    if (n === 0) return; // like bytes(0): nothing to read, so nothing can be missing
    if (n < 0 || this.position + n > this.source.size) {
      throw new ParseError(
        'TRUNCATED',
        `unexpected end of data skipping ${what}: need ${n} byte(s), ${Math.max(0, this.source.size - this.position)} left`,
        this.position,
      );
    }
    this.position += n;
  }

  /**
   * Bytes up to and excluding the next `\n`, which is consumed. Throws TRUNCATED without a newline and
   * LIMIT_EXCEEDED if the line is longer than `maxBytes` (stops unbounded scans on hostile input).
   */
  line(maxBytes: number, what = 'line'): Uint8Array {
    const start = this.position;
    for (let n = 0; ; n++) {
      if (n > maxBytes) {
        throw new ParseError('LIMIT_EXCEEDED', `${what} longer than ${maxBytes} bytes`, start);
      }
      if (start + n >= this.source.size) {
        this.position = start;
        throw new ParseError('TRUNCATED', `unexpected end of data: ${what} has no newline`, start);
      }
      this.position = start + n;
      const rel = this.ensure(1, what);
      if (this.window[rel] === 0x0a) {
        this.position = start;
        const out = this.bytes(n, what).slice();
        this.position = start + n + 1;
        return out;
      }
    }
  }
}

/** Strict UTF-8; throws BAD_VALUE (with the offset when given) on invalid sequences. */
export function decodeUtf8(bytes: Uint8Array, offset?: number, what = 'text'): string {
  try {
    return textDecoder.decode(bytes);
  } catch (cause) {
    throw new ParseError('BAD_VALUE', `${what} is not valid UTF-8`, offset, { cause });
  }
}

/** Latin-1: every byte maps to one code point, never fails. */
export function decodeLatin1(bytes: Uint8Array): string {
  return latin1Decoder.decode(bytes);
}

/** Shortens text for messages and evidence, keeping it printable. */
export function truncateText(text: string, max = 200): string {
  const printable = text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return printable.length > max ? `${printable.slice(0, max)}…(${printable.length} chars)` : printable;
}

/** Whether `bytes` starts with `prefix`. */
export function startsWith(bytes: Uint8Array, prefix: readonly number[] | Uint8Array, at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}
