import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { ByteSource } from './byte-reader.js';

/** A ByteSource over an open file: reads only the windows asked for, so a 10 GB file costs what is read. */
export interface FileSource extends ByteSource {
  close(): void;
}

export function openFileSource(path: string): FileSource {
  const fd = openSync(path, 'r');
  let size: number;
  try {
    size = fstatSync(fd).size;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let closed = false;
  return {
    size,
    readAt(position, length) {
      const want = Math.max(0, Math.min(length, size - position));
      const out = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, out, got, want - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return got === want ? out : out.subarray(0, got);
    },
    close() {
      if (!closed) {
        closed = true;
        closeSync(fd);
      }
    },
  };
}
