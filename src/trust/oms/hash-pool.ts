import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { InternalError } from '../../core/errors.js';
import { type HashJob, type HashTask, hashRange } from './hash-worker.js';

/**
 * Hashes many byte ranges on all cores: node:crypto in worker threads (Piscina), each thread streaming its
 * ranges through one 1 MiB buffer, so memory stays a few MiB per thread whatever the model's size. OMS
 * digests are independent per file (`files` method) or per byte range (`shards` method), so they
 * parallelise without changing a single digest. A file's digest cannot be split: with the `files` method a
 * 10 GB file is one job on one core, while the `shards` method cuts it into shard-size jobs that spread
 * over all of them.
 */

/**
 * Below this many bytes in all, the ranges are hashed on the calling thread: starting threads (tens of
 * milliseconds, far more under a TypeScript loader) would cost more than hashing, which runs at about
 * 1.5 GB/s per core (so at most ~45 ms blocked here).
 */
export const IN_PROCESS_BYTES = 64 * 1024 * 1024;
/** Ranges smaller than this are packed together into one worker task, up to this many bytes a task. */
export const TASK_BYTES = 16 * 1024 * 1024;
/** At most this many ranges in one worker task, so small files still spread over the threads. */
export const TASK_JOBS = 64;
/** How often progress is reported while threads are hashing. */
const PROGRESS_INTERVAL_MS = 200;

export interface HashOptions {
  /** Worker threads at most; defaults to `os.availableParallelism()`. */
  readonly workers?: number;
  /** Called now and then with the bytes hashed so far and the total, and once at the end. */
  readonly onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Stops hashing (worker threads are terminated); the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Hash on the calling thread when the total is below this many bytes (default {@link IN_PROCESS_BYTES}). */
  readonly inProcessBytes?: number;
}

const jobBytes = (job: HashJob): number => job.end - job.start;

/**
 * Groups jobs into worker tasks, largest first so the long ones start early and the threads finish
 * together: each range of {@link TASK_BYTES} or more is a task of its own, smaller ones are packed.
 */
export function planTasks(jobs: readonly HashJob[]): { indices: number[]; bytes: number }[] {
  const order = jobs
    .map((_, i) => i)
    .sort((a, b) => jobBytes(jobs[b] as HashJob) - jobBytes(jobs[a] as HashJob));
  const tasks: { indices: number[]; bytes: number }[] = [];
  let open: { indices: number[]; bytes: number } | undefined;
  for (const i of order) {
    const bytes = jobBytes(jobs[i] as HashJob);
    if (bytes >= TASK_BYTES) {
      tasks.push({ indices: [i], bytes });
      continue;
    }
    if (open === undefined || open.bytes + bytes > TASK_BYTES || open.indices.length >= TASK_JOBS) {
      open = { indices: [], bytes: 0 };
      tasks.push(open);
    }
    open.indices.push(i);
    open.bytes += bytes;
  }
  return tasks.sort((a, b) => b.bytes - a.bytes);
}

/**
 * Where the worker module is. Compiled (`dist/`, the CLI), this module is a `.js` file and so is the
 * worker beside it. Run from the TypeScript sources (vitest, tsx), it is a `.ts` file and the worker is
 * too: worker threads do not inherit vitest's transform, so they load tsx's loader (a devDependency,
 * resolved from here, not from the working directory) with `--import`, unless the process already runs
 * under tsx and the threads inherit it through `execArgv`.
 */
export function workerEntry(moduleUrl: string = import.meta.url): {
  filename: string;
  execArgv?: string[];
} {
  if (!moduleUrl.endsWith('.ts')) return { filename: fileURLToPath(new URL('./hash-worker.js', moduleUrl)) };
  const filename = fileURLToPath(new URL('./hash-worker.ts', moduleUrl));
  if (process.execArgv.some((arg) => /[\\/]tsx[\\/]/.test(arg))) return { filename };
  let loader: string;
  try {
    loader = pathToFileURL(createRequire(moduleUrl).resolve('tsx')).href;
  } catch (error) {
    throw new InternalError('UNEXPECTED', 'hashing from the TypeScript sources needs tsx installed', {
      cause: error,
    });
  }
  return { filename, execArgv: [...process.execArgv, '--import', loader] };
}

function hashError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new InternalError('IO', `cannot hash the model: ${message}`, { cause: error });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('hashing was aborted', 'AbortError');
}

/**
 * The hex digests of `jobs`, in the order given, hashed on up to `workers` threads (or on this thread when
 * the total is small). Rejects with an `InternalError` (`IO`) naming the file when one is missing,
 * unreadable, or changed size since it was enumerated; all threads are gone when the promise settles.
 */
export async function hashJobs(jobs: readonly HashJob[], options: HashOptions = {}): Promise<string[]> {
  const { signal, onProgress } = options;
  if (signal?.aborted) throw abortReason(signal);
  const total = jobs.reduce((sum, job) => sum + jobBytes(job), 0);
  const workers = options.workers ?? availableParallelism();
  if (!Number.isSafeInteger(workers) || workers < 1)
    throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const digests: string[] = new Array(jobs.length);
  if (total < (options.inProcessBytes ?? IN_PROCESS_BYTES) || jobs.length === 0) {
    let done = 0;
    for (const [i, job] of jobs.entries()) {
      if (signal?.aborted) throw abortReason(signal);
      try {
        digests[i] = hashRange(job);
      } catch (error) {
        throw hashError(error);
      }
      done += jobBytes(job);
      onProgress?.(done, total);
    }
    if (jobs.length === 0) onProgress?.(0, 0);
    return digests;
  }

  const tasks = planTasks(jobs);
  const threads = Math.min(workers, tasks.length);
  const pool = new Piscina<HashTask, string[]>({
    ...workerEntry(),
    minThreads: threads,
    maxThreads: threads,
    recordTiming: false,
  });
  const progress = onProgress ? new BigInt64Array(new SharedArrayBuffer(8)) : undefined;
  const timer = progress
    ? setInterval(() => onProgress?.(Number(Atomics.load(progress, 0)), total), PROGRESS_INTERVAL_MS)
    : undefined;
  timer?.unref();
  let onAbort: (() => void) | undefined;
  try {
    const work = Promise.all(
      tasks.map(async (task) => {
        const result = await pool.run({ jobs: task.indices.map((i) => jobs[i] as HashJob), progress });
        for (const [k, i] of task.indices.entries()) digests[i] = result[k] as string;
      }),
    ).catch((error: unknown) => {
      throw signal?.aborted ? abortReason(signal) : hashError(error);
    });
    // One listener for the whole run (not one per task, which would trip Node's listener-leak warning);
    // destroying the pool in `finally` terminates threads still hashing.
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortReason(signal as AbortSignal));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (timer) clearInterval(timer);
    await pool.destroy();
  }
  onProgress?.(total, total);
  return digests;
}
