/** What one decoder reports besides the bytes it wrote to its BoundedOutput. */
export interface DecodeOutcome {
  /** The compressed stream(s) ended properly and every check passed. */
  readonly complete: boolean;
  /** Compressed bytes consumed: exact when complete, otherwise how far decoding got (or was fed). */
  readonly consumed: number;
  /** Why decoding failed, when it did on bad data. */
  readonly error?: string | undefined;
  /** Bytes after the end of the compressed stream(s) that are not part of the format. */
  readonly trailingBytes?: number | undefined;
}

/** Signals that the input ended inside the compressed stream. */
export class TruncatedInput extends Error {
  constructor(what: string) {
    super(`truncated: the input ends inside the ${what}`);
    this.name = 'TruncatedInput';
  }
}

/** Thrown by output callbacks to abandon a synchronous decoder once the output says stop. */
export class StopDecoding extends Error {
  constructor() {
    super('output bound reached');
    this.name = 'StopDecoding';
  }
}

/**
 * A failure of the ByteSource itself (I/O), not of the data: decoders let it through so decompressBounded
 * throws it instead of reporting corrupt data.
 */
export class SourceReadError extends Error {
  constructor(cause: unknown) {
    super('reading the compressed input failed', { cause });
    this.name = 'SourceReadError';
  }
}
