import { closeSync, constants, lstatSync, openSync, writeSync } from 'node:fs';
import { describeError, UsageError } from './errors.js';

/**
 * Writing an output file where an untrusted tree may have put something first: a model folder or a
 * downloaded repository can hold a symbolic link named like the file a command writes (`model.sig ->
 * ~/.bashrc`, `report.json -> ~/.ssh/authorized_keys`), or a FIFO that blocks the writer for ever.
 */

/**
 * Writes a file (created 0644 less the umask, or truncated), never through a symbolic link planted at
 * `path` (O_NOFOLLOW), and never into a FIFO or device found there (opening a FIFO for writing blocks until
 * someone reads it). Throws UsageError naming the file.
 */
export function writeFileNoFollow(path: string, content: string | Uint8Array, what = 'file'): void {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isSymbolicLink())
    throw new UsageError(
      'BAD_ARGUMENT',
      `${what} ${path} is a symbolic link; not written through it (remove it or give another path)`,
    );
  if (existing !== undefined && !existing.isFile())
    throw new UsageError('BAD_ARGUMENT', `${what} ${path} exists and is not a regular file; not written`);
  let fd: number;
  try {
    fd = openSync(
      path,
      constants.O_WRONLY |
        constants.O_CREAT |
        constants.O_TRUNC |
        constants.O_NOFOLLOW |
        constants.O_NONBLOCK,
      0o666,
    );
  } catch (error) {
    throw new UsageError('PATH_UNREADABLE', `cannot write ${path}: ${describeError(error)}`, {
      cause: error,
    });
  }
  try {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } catch (error) {
    throw new UsageError('PATH_UNREADABLE', `cannot write ${path}: ${describeError(error)}`, {
      cause: error,
    });
  } finally {
    closeSync(fd);
  }
}
