import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Hashes byte ranges of model files for OMS signing and verification (hash-pool.ts). This module is both
 * the worker-thread entry point (its default export is Piscina's task handler) and the in-process
 * implementation, so the two can never disagree. It imports Node built-ins only: a worker loads it
 * without the rest of pedigree.
 */

/**
 * Bytes read per call, one buffer per thread reused for every range. On a 2-vCPU EPYC with the file in
 * the page cache, `readSync` plus SHA-256 ran at the same 1.50-1.55 GB/s with 256 KiB, 1, 2 and 4 MiB
 * buffers and slower (1.3-1.4 GB/s) with 8 MiB, which no longer fits in L2; 1 MiB keeps the memory of a
 * pool to a few MiB.
 */
export const HASH_BUFFER_BYTES = 1 << 20;

/** Node's digest name for each OMS hash type that node:crypto has (algorithm-registry.md: BLAKE2b-512). */
export type NodeDigest = 'sha256' | 'blake2b512';

/** One byte range of one file to hash. */
export interface HashJob {
  readonly path: string;
  /** Start offset, inclusive. */
  readonly start: number;
  /** End offset, exclusive. */
  readonly end: number;
  /** The file's size when it was enumerated: a different size now means it changed under us. */
  readonly fileSize: number;
  readonly algorithm: NodeDigest;
}

/** A worker task: several jobs hashed in turn, so thousands of small files do not each pay a round trip. */
export interface HashTask {
  readonly jobs: readonly HashJob[];
  /** Bytes hashed so far, shared by every thread (slot 0), for progress reports; optional. */
  readonly progress?: BigInt64Array | undefined;
}

let buffer: Buffer | undefined;

/**
 * The lower-case hex digest of `job`'s byte range, read with one reusable buffer so memory stays bounded
 * however large the file. Throws when the file is gone or unreadable, when its size is no longer the
 * enumerated size, or when it ends before the range does (it shrank while being read).
 */
export function hashRange(job: HashJob, progress?: BigInt64Array): string {
  buffer ??= Buffer.allocUnsafe(HASH_BUFFER_BYTES);
  const hash = createHash(job.algorithm);
  // Enumeration found a regular file under this real path; whatever is there now is opened without
  // following a link (one swapped in would lead out of the model) and without blocking (a FIFO swapped in
  // would block the open for ever), and refused unless it is still a regular file.
  const fd = openSync(job.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new Error(`${job.path} is no longer a regular file`);
    const size = info.size;
    if (size !== job.fileSize)
      throw new Error(
        `${job.path} changed size after it was enumerated (${job.fileSize} bytes then, ${size} now)`,
      );
    let position = job.start;
    while (position < job.end) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, job.end - position), position);
      if (read === 0)
        throw new Error(
          `${job.path} ended at byte ${position} while being hashed, before byte ${job.end}: it was truncated`,
        );
      hash.update(buffer.subarray(0, read));
      position += read;
      if (progress) Atomics.add(progress, 0, BigInt(read));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Piscina's task handler: the digests of a task's jobs, in order. */
export default function hashTask(task: HashTask): string[] {
  return task.jobs.map((job) => hashRange(job, task.progress));
}
