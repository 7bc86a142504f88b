import { constants, promises as fsp } from 'node:fs';
import { ParseError } from '../../core/errors.js';

/**
 * Reads a small file of a DVC project (a `.dvc` file, `dvc.lock`, `.dvcignore`, `.dvc/config`, a `.dir`
 * manifest in the cache), which may be a repository someone else wrote: opened without blocking (a FIFO
 * with no writer is refused at once instead of waited on), checked on the open descriptor (so a file
 * swapped after a `stat` is still caught), and never read past `maxBytes` whatever its size says.
 * Errors keep their `code` (`ENOENT`) for the caller.
 */
export async function readBoundedFile(path: string | Buffer, maxBytes: number): Promise<Buffer> {
  const name = path.toString();
  const handle = await fsp.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ParseError('BAD_STRUCTURE', `${name}: not a regular file`);
    if (info.size > maxBytes)
      throw new ParseError('LIMIT_EXCEEDED', `${name}: larger than ${maxBytes} bytes`);
    const buffer = Buffer.allocUnsafe(Math.min(info.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length)
        throw new ParseError(
          length > maxBytes ? 'LIMIT_EXCEEDED' : 'BAD_VALUE',
          length > maxBytes ? `${name}: larger than ${maxBytes} bytes` : `${name}: changed while it was read`,
        );
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
