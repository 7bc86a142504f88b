import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InternalError } from '../../core/errors.js';
import { enumerateModel, hashModel, type ModelFile } from './enumerate.js';
import { hashJobs, planTasks, TASK_BYTES, TASK_JOBS, workerEntry } from './hash-pool.js';
import { type HashJob, hashRange } from './hash-worker.js';
import { type ResourceDescriptor, shardRanges, sortResources } from './manifest.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pedigree-hash-'));
  dirs.push(d);
  return d;
}

const SHARD = 4096;

/**
 * A model whose sizes hit every edge of shard serialization (empty, one byte, a shard less one, exactly
 * one and three shards, a shard plus one), names whose canonical order is not a plain string sort, and
 * enough small files for several worker tasks.
 */
function writeModel(): string {
  const root = temp();
  const sizes: Record<string, number> = {
    empty: 0,
    'one-byte': 1,
    'shard-less-one': SHARD - 1,
    'one-shard': SHARD,
    'three-shards': 3 * SHARD,
    'shard-plus-one': SHARD + 1,
    'a/b': 10_000,
    'a.b': 20_000,
    'a-b/c': 30,
  };
  for (let i = 0; i < 150; i++) sizes[`small/part-${String(i).padStart(3, '0')}`] = 100 + i * 37;
  for (const [name, size] of Object.entries(sizes)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), randomBytes(size));
  }
  return root;
}

/** The single-threaded reference: whole files read into memory and hashed, no pool and no buffer reuse. */
function reference(
  files: readonly ModelFile[],
  method: 'files' | 'shards',
  hashType: 'sha256' | 'blake2b',
): ResourceDescriptor[] {
  const node = hashType === 'sha256' ? 'sha256' : 'blake2b512';
  const out: ResourceDescriptor[] = [];
  for (const file of files) {
    const bytes = readFileSync(file.absolutePath);
    const digest = (b: Buffer) => createHash(node).update(b).digest('hex');
    if (method === 'files') out.push({ name: file.name, digest: digest(bytes), algorithm: hashType });
    else
      for (const { start, end } of shardRanges(bytes.length, SHARD))
        out.push({
          name: `${file.name}:${start}:${end}`,
          digest: digest(bytes.subarray(start, end)),
          algorithm: `${hashType}-sharded-${SHARD}`,
        });
  }
  return sortResources(out);
}

describe('hashModel on worker threads', () => {
  for (const method of ['files', 'shards'] as const)
    for (const workers of [1, 4])
      it(`gives the single-threaded digests with the ${method} method on ${workers} thread(s)`, async () => {
        const { files } = enumerateModel(writeModel());
        const serialization = { method, hashType: 'sha256' as const, shardSize: SHARD };
        const expected = reference(files, method, 'sha256');
        const pooled = await hashModel(files, serialization, { workers, inProcessBytes: 0 });
        expect(pooled).toEqual(expected);
        // Canonical order whatever order the threads finished in: `a.b` before `a/b`, shards by offset.
        expect(pooled.map((r) => r.name)).toEqual(sortResources(pooled).map((r) => r.name));
        expect(await hashModel(files, serialization, { workers })).toEqual(expected);
      });

  it('gives the single-threaded BLAKE2b-512 digests', async () => {
    const { files } = enumerateModel(writeModel());
    const pooled = await hashModel(files, { method: 'files', hashType: 'blake2b' }, { inProcessBytes: 0 });
    expect(pooled).toEqual(reference(files, 'files', 'blake2b'));
  });

  it('shards a file of a shard plus one byte into a full shard and a one-byte shard', async () => {
    const { files } = enumerateModel(writeModel());
    const resources = await hashModel(
      files,
      { method: 'shards', hashType: 'sha256', shardSize: SHARD },
      { inProcessBytes: 0, workers: 2 },
    );
    const names = resources.map((r) => r.name);
    expect(names.filter((n) => n.startsWith('shard-plus-one:'))).toEqual([
      `shard-plus-one:0:${SHARD}`,
      `shard-plus-one:${SHARD}:${SHARD + 1}`,
    ]);
    expect(names.filter((n) => n.startsWith('three-shards:'))).toHaveLength(3);
    expect(names.some((n) => n.startsWith('empty'))).toBe(false);
  });

  for (const inProcessBytes of [0, Number.POSITIVE_INFINITY]) {
    const where = inProcessBytes === 0 ? 'on worker threads' : 'in process';
    it(`rejects naming a file deleted after enumeration (${where})`, async () => {
      const root = writeModel();
      const { files } = enumerateModel(root);
      unlinkSync(join(root, 'a/b'));
      const hashing = hashModel(files, { method: 'files', hashType: 'sha256' }, { inProcessBytes });
      await expect(hashing).rejects.toThrow(InternalError);
      await expect(hashing).rejects.toThrow(join(root, 'a/b'));
    });

    it(`rejects naming a file truncated after enumeration (${where})`, async () => {
      const root = writeModel();
      const { files } = enumerateModel(root);
      truncateSync(join(root, 'three-shards'), SHARD);
      const hashing = hashModel(
        files,
        { method: 'shards', hashType: 'sha256', shardSize: SHARD },
        { inProcessBytes, workers: 2 },
      );
      await expect(hashing).rejects.toThrow(
        `${join(root, 'three-shards')} changed size after it was enumerated (${3 * SHARD} bytes then, ${SHARD} now)`,
      );
    });
  }

  it('reports progress up to the total, never backwards', async () => {
    const { files } = enumerateModel(writeModel());
    const total = files.reduce((sum, f) => sum + f.size, 0);
    const seen: [number, number][] = [];
    await hashModel(
      files,
      { method: 'files', hashType: 'sha256' },
      { inProcessBytes: 0, onProgress: (done, all) => seen.push([done, all]) },
    );
    expect(seen.at(-1)).toEqual([total, total]);
    expect(seen.every(([done, all], i) => all === total && done >= (seen[i - 1]?.[0] ?? 0))).toBe(true);
  });

  it('stops when aborted, before or while hashing', async () => {
    const { files } = enumerateModel(writeModel());
    const serialization = { method: 'files' as const, hashType: 'sha256' as const };
    await expect(
      hashModel(files, serialization, { inProcessBytes: 0, signal: AbortSignal.abort() }),
    ).rejects.toThrow(/abort/i);
    // On threads: aborted while they start (they cannot finish before this thread takes their answers).
    const onThreads = new AbortController();
    const pooled = hashModel(files, serialization, { inProcessBytes: 0, signal: onThreads.signal });
    onThreads.abort(new Error('stopped on threads'));
    await expect(pooled).rejects.toThrow('stopped on threads');
    // In process: aborted after the first file.
    const inProcess = new AbortController();
    const direct = hashModel(files, serialization, {
      signal: inProcess.signal,
      onProgress: () => inProcess.abort(new Error('stopped in process')),
    });
    await expect(direct).rejects.toThrow('stopped in process');
  });

  it('refuses a thread count that is not a positive integer', async () => {
    await expect(hashJobs([], { workers: 0 })).rejects.toThrow(RangeError);
    await expect(hashJobs([], { workers: 1.5 })).rejects.toThrow(RangeError);
  });
});

describe('hashRange', () => {
  it('notices a file that ends before its range does', () => {
    const root = temp();
    const path = join(root, 'w.bin');
    writeFileSync(path, Buffer.alloc(100));
    // The enumerated size matches, so the read itself comes up short, as when a file shrinks mid-read.
    expect(() => hashRange({ path, start: 50, end: 150, fileSize: 100, algorithm: 'sha256' })).toThrow(
      `${path} ended at byte 100 while being hashed, before byte 150: it was truncated`,
    );
  });

  it('hashes a range larger than its buffer', () => {
    const root = temp();
    const path = join(root, 'w.bin');
    const bytes = randomBytes(3 * 1024 * 1024 + 7);
    writeFileSync(path, bytes);
    const job = {
      path,
      start: 5,
      end: bytes.length - 1,
      fileSize: bytes.length,
      algorithm: 'sha256' as const,
    };
    expect(hashRange(job)).toBe(
      createHash('sha256')
        .update(bytes.subarray(5, bytes.length - 1))
        .digest('hex'),
    );
  });
});

describe('planTasks', () => {
  const job = (size: number): HashJob => ({
    path: '/m',
    start: 0,
    end: size,
    fileSize: size,
    algorithm: 'sha256',
  });

  it('puts large ranges in tasks of their own, largest first, and packs small ones', () => {
    const sizes = [10, TASK_BYTES * 2, 20, TASK_BYTES, ...Array.from({ length: 100 }, () => 1)];
    const tasks = planTasks(sizes.map(job));
    expect(tasks[0]).toEqual({ indices: [1], bytes: TASK_BYTES * 2 });
    expect(tasks[1]).toEqual({ indices: [3], bytes: TASK_BYTES });
    expect(tasks.slice(2).every((t) => t.indices.length <= TASK_JOBS)).toBe(true);
    expect(tasks.flatMap((t) => t.indices).sort((a, b) => a - b)).toEqual(sizes.map((_, i) => i));
    expect(tasks.map((t) => t.bytes)).toEqual([...tasks.map((t) => t.bytes)].sort((a, b) => b - a));
  });
});

describe('workerEntry', () => {
  it('uses the compiled worker beside compiled code, with the parent process options', () => {
    const entry = workerEntry('file:///app/dist/trust/oms/hash-pool.js');
    expect(entry).toEqual({ filename: '/app/dist/trust/oms/hash-worker.js' });
  });

  it('loads the TypeScript worker through tsx when run from the sources', () => {
    const entry = workerEntry(import.meta.url.replace(/hash-pool\.test\.ts$/, 'hash-pool.ts'));
    expect(entry.filename).toBe(join(import.meta.dirname, 'hash-worker.ts'));
    expect(entry.execArgv?.at(-2)).toBe('--import');
    expect(entry.execArgv?.at(-1)).toMatch(/^file:.*\/tsx\/.*loader\.mjs$/);
  });
});

describe('the process hashing a model', () => {
  it('exits by itself once hashing is done or has failed (no thread left running)', () => {
    const root = writeModel();
    const script = join(temp(), 'child.mjs');
    const enumerate = pathToFileURL(join(import.meta.dirname, 'enumerate.ts')).href;
    writeFileSync(
      script,
      `const { enumerateModel, hashModel } = await import(${JSON.stringify(enumerate)});
const { files } = enumerateModel(${JSON.stringify(root)});
const ok = await hashModel(files, { method: 'files', hashType: 'sha256' }, { inProcessBytes: 0 });
const missing = [...files, { name: 'gone', absolutePath: ${JSON.stringify(join(root, 'gone'))}, size: 1 }];
const failed = await hashModel(missing, { method: 'files', hashType: 'sha256' }, { inProcessBytes: 0 }).catch((e) => e.message);
console.log(JSON.stringify({ count: ok.length, failed }));
`,
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawnSync(process.execPath, ['--import', tsx, script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    const out = JSON.parse(child.stdout) as { count: number; failed: string };
    expect(out.count).toBe(159);
    expect(out.failed).toMatch(/gone/);
  });
});
