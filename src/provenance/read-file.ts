import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { describeError, ParseError, UsageError } from '../core/errors.js';

/**
 * Reads the files provenance commands are given or find (snapshots, provenance records, metrics), which
 * may come from someone else: only a regular file is read, and never more than a named limit. `stat`
 * then `readFile` is not enough: a FIFO (`mkfifo x.provenance.json`) reports size 0 and blocks the read
 * for ever, `/dev/zero` reports size 0 and never ends, and a file can grow between the two calls. The
 * file is opened without blocking (so a FIFO with no writer is refused at once, not waited on), checked
 * on the open descriptor, and read up to one byte past the limit.
 */

/** Reads a whole regular file of at most `max` bytes; `what` names it in messages (`snapshot`, `record`). */
export function readRegularFile(path: string, max: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
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
    if (!info.isFile())
      throw new UsageError(
        'BAD_ARGUMENT',
        `${what} ${path} is not a regular file (a FIFO, socket or device is never read)`,
      );
    if (info.size > max) throw new ParseError('LIMIT_EXCEEDED', `${path}: larger than ${max} bytes`);
    // One byte more than the file says, to notice a file that grows while it is read.
    const buffer = Buffer.allocUnsafe(Math.min(info.size, max) + 1);
    let length = 0;
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, buffer, length, buffer.length - length, length);
      } catch (error) {
        throw new UsageError('PATH_UNREADABLE', `${what} ${path} cannot be read: ${describeError(error)}`, {
          cause: error,
        });
      }
      if (read === 0) break;
      length += read;
      if (length === buffer.length) {
        if (length > max) throw new ParseError('LIMIT_EXCEEDED', `${path}: larger than ${max} bytes`);
        throw new ParseError('BAD_VALUE', `${path}: changed while it was read`);
      }
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
