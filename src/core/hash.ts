import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';

/**
 * Files up to this size are read in one synchronous call: for small files a stream's set-up and the
 * thread-pool round trips of asynchronous reads cost more than the read (the scan is sequential anyway).
 */
const READ_WHOLE_BYTES = 4 * 1024 * 1024;

/** Hex SHA-256 of bytes in memory. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hex SHA-256 of a file, streamed so multi-GB models never sit in memory. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  if (statSync(path).size <= READ_WHOLE_BYTES) return hash.update(readFileSync(path)).digest('hex');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
