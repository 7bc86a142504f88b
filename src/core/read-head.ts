import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads at most `max` bytes from the start of a file, and says whether there was more. The buffer is sized
 * from the file, not from the limit (a zeroed buffer of the limit per small file made the audit of 10,000
 * cards spend most of its time allocating), with one byte more to see that a file is longer than `max`.
 * Synchronous: the files read this way are small, and four thread-pool round trips per file (open, stat,
 * read, close) cost more than the reads.
 */
export function readFileHead(path: string, max: number): { bytes: Buffer; truncated: boolean } {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const buffer = Buffer.allocUnsafe(Math.min(size, max) + 1);
    let length = 0;
    while (length < buffer.length) {
      const bytesRead = readSync(fd, buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { bytes: buffer.subarray(0, Math.min(length, max)), truncated: length > max };
  } finally {
    closeSync(fd);
  }
}
