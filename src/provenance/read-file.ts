import { readBoundedFile } from '../trust/files.js';

/**
 * Reads the files provenance commands are given or find (snapshots, provenance records, metrics), which
 * may come from someone else: only a regular file is read, and never more than a named limit. `stat`
 * then `readFile` is not enough: a FIFO (`mkfifo x.provenance.json`) reports size 0 and blocks the read
 * for ever, `/dev/zero` reports size 0 and never ends, and a file can grow between the two calls. The
 * file is opened without blocking (so a FIFO with no writer is refused at once, not waited on), checked
 * on the open descriptor, and read up to one byte past the limit (trust/files.ts `readBoundedFile`).
 */

/** Reads a whole regular file of at most `max` bytes; `what` names it in messages (`snapshot`, `record`). */
export function readRegularFile(path: string, max: number, what: string): Buffer {
  return readBoundedFile(path, {
    max,
    what,
    regularOnly: true,
    tooLargeIsParseError: true,
    refuseGrowth: true,
  });
}
