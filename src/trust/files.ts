import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { describeError, ParseError, UsageError } from '../core/errors.js';

/**
 * File I/O for signing and verification inputs and outputs, hardened against what a hostile model folder
 * can hold where a file is expected: a FIFO (opening it blocks for ever), a device such as /dev/zero (it
 * never ends), a symbolic link planted where a signature is written. Reads are bounded by a named limit
 * whatever `stat` says; writes never follow a link (core/write-file.ts `writeFileNoFollow`).
 */

export interface ReadOptions {
  /** The largest file read, in bytes. */
  readonly max: number;
  /** How the file is named in messages: `signature`, `--predicate`, `private key`... */
  readonly what: string;
  /**
   * Only a regular file is read: for files that may come with an untrusted model (its `model.sig`, an
   * attestation), which could be a FIFO or a device. The file is opened without blocking, so a FIFO with no
   * writer is refused rather than waited on. Otherwise a pipe (`--password-file <(...)`) is read as well.
   */
  readonly regularOnly?: boolean;
  /** Too large is a ParseError (a signature file), not a UsageError (an argument). */
  readonly tooLargeIsParseError?: boolean;
  /**
   * A regular file that grows past the size `fstat` gave while it is read is a ParseError (`changed while
   * it was read`), not read on up to `max`.
   */
  readonly refuseGrowth?: boolean;
}

/** Reads a whole file of at most `max` bytes; throws UsageError (or ParseError) naming the file. */
export function readBoundedFile(path: string, options: ReadOptions): Buffer {
  const { max, what } = options;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (options.regularOnly ? constants.O_NONBLOCK : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? 'PATH_NOT_FOUND' : 'PATH_UNREADABLE',
      `${what} ${path} cannot be read: ${describeError(error)}`,
      { cause: error },
    );
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw new UsageError('BAD_ARGUMENT', `${what} ${path} is a folder, not a file`);
    if (options.regularOnly && !info.isFile())
      throw new UsageError(
        'BAD_ARGUMENT',
        `${what} ${path} is not a regular file (a FIFO, socket or device is never read)`,
      );
    const tooLarge = () =>
      options.tooLargeIsParseError
        ? new ParseError('LIMIT_EXCEEDED', `${path}: larger than ${max} bytes`)
        : new UsageError('BAD_ARGUMENT', `${what} ${path} is larger than ${max} bytes`);
    if (info.isFile() && info.size > max) throw tooLarge();
    // Sized from the file when it says (one byte more to see it grew), in 64 kB steps when it does not (a pipe).
    let buffer = Buffer.allocUnsafe(Math.min(max, info.isFile() ? info.size : 64 * 1024) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > max) throw tooLarge();
        if (options.refuseGrowth && info.isFile())
          throw new ParseError('BAD_VALUE', `${path}: changed while it was read`);
        const grown = Buffer.allocUnsafe(Math.min(max + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, length);
        buffer = grown;
      }
      let read: number;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        throw new UsageError('PATH_UNREADABLE', `${what} ${path} cannot be read: ${describeError(error)}`, {
          cause: error,
        });
      }
      if (read === 0) break;
      length += read;
    }
    if (length > max) throw tooLarge();
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
