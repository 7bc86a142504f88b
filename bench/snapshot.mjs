#!/usr/bin/env node
// Benchmark of dataset snapshots: a generated dataset of 100,000 files (100 folders of 1,000 files of
// 200 B to 4 KB, about 210 MB) snapshotted by a whole `pedigree data snapshot` process and checked by
// `pedigree data verify`, with `find | xargs sha256sum` over the same files for reference. Writes the
// section "## Snapshot of a 100,000-file dataset" of BENCHMARKS.md.
//
//   npm run build && node bench/snapshot.mjs     (bench/run.mjs calls benchSnapshot() at its end)
import { execFileSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { measureProcess, ROOT, writeSection } from './lib.mjs';

const WORK = join(ROOT, 'bench', '.work');
const CLI = join(ROOT, 'bin', 'pedigree.js');
const DATASET = join(WORK, 'dataset-100k');
const FOLDERS = 100;
const PER_FOLDER = 1000;
const SECTION = '## Snapshot of a 100,000-file dataset';

/** The dataset, generated once: file i has 200 + (i * 37 % 3900) bytes of random data. */
export function writeDataset(path = DATASET) {
  const marker = `${path}.complete`;
  const recipe = JSON.stringify({ FOLDERS, PER_FOLDER, version: 1 });
  if (existsSync(marker) && readFileSync(marker, 'utf8') === recipe && existsSync(path)) return path;
  console.log(`generating ${path} (${FOLDERS * PER_FOLDER} files) ...`);
  rmSync(path, { recursive: true, force: true });
  const block = randomFillSync(Buffer.alloc(8192));
  let i = 0;
  for (let f = 0; f < FOLDERS; f++) {
    const dir = join(path, `shard-${String(f).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let n = 0; n < PER_FOLDER; n++, i++) {
      block.writeUInt32LE(i, 0);
      writeFileSync(
        join(dir, `sample-${String(n).padStart(4, '0')}.bin`),
        block.subarray(0, 200 + ((i * 37) % 3900)),
      );
    }
  }
  writeFileSync(marker, recipe);
  return path;
}

export async function benchSnapshot({
  runs = Number(process.env.BENCH_SNAPSHOT_RUNS ?? 3),
  write = true,
} = {}) {
  mkdirSync(WORK, { recursive: true });
  const dataset = writeDataset();
  const files = FOLDERS * PER_FOLDER;
  const snapshotFile = join(WORK, 'dataset-100k.snapshot.json');
  const rows = [
    measureProcess(
      '`find \\| xargs sha256sum` (one process at a time)',
      files,
      'sh',
      ['-c', `find "${dataset}" -type f -print0 | xargs -0 sha256sum > /dev/null`],
      runs,
    ),
    measureProcess(
      '`pedigree data snapshot` (whole process)',
      files,
      process.execPath,
      [CLI, 'data', 'snapshot', dataset, '-o', snapshotFile, '-q'],
      runs,
    ),
    measureProcess(
      '`pedigree data verify` (whole process)',
      files,
      process.execPath,
      [CLI, 'data', 'verify', snapshotFile, '-q'],
      runs,
    ),
  ];
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const section = `${SECTION}

Measured by \`node bench/snapshot.mjs\` (also run at the end of \`npm run bench\`): medians of ${runs} runs after one
warm-up run. Machine: ${availableParallelism()} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}; load average
${loadavg()[0]?.toFixed(2)} when it started. The dataset (bench/.work/dataset-100k) holds ${files.toLocaleString('en')} files of 200 B to 4 KB in
${FOLDERS} folders; all of it is in the page cache, so this is the cost of walking, hashing and writing, not the disk's.

| case | median seconds | files per second | peak MB |
| --- | ---: | ---: | ---: |
${rows.map((r) => `| ${r.label} | ${r.seconds.toFixed(2)} | ${Math.round(files / r.seconds).toLocaleString('en')} | ${Number.isNaN(r.peakMb) ? 'n/a' : Math.round(r.peakMb)} |`).join('\n')}

The snapshot file lists every file (path, size, SHA-256) and is about ${(existsSync(snapshotFile) ? readFileSync(snapshotFile).length / 1e6 : 0).toFixed(1)} MB. \`verify\` snapshots the
dataset again and compares the two. Commit ${commit}.
`;
  if (write) {
    writeSection(SECTION, section);
    console.log('wrote the snapshot section of BENCHMARKS.md');
  }
  return rows;
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) await benchSnapshot();
