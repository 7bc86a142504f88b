// Helpers shared by the benchmark scripts (bench/sign.mjs, bench/snapshot.mjs).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Wall seconds (and peak MB with GNU time) of one child process; throws when it fails. */
export function timeProcess(command, args, options = {}) {
  const gnuTime = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  const r = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], {
        ...options,
        encoding: 'utf8',
        stdio: ['ignore', 'ignore', 'pipe'],
      })
    : spawnSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0)
    throw new Error(
      `${command} ${args.slice(0, 3).join(' ')} ... failed (${r.status}): ${r.stderr.slice(-500)}`,
    );
  const peakKb = gnuTime ? Number(r.stderr.trim().split('\n').pop().split(' ')[1]) : Number.NaN;
  return { seconds, peakMb: peakKb / 1024 };
}

export function measureProcess(label, bytes, command, args, runs, options) {
  timeProcess(command, args, options); // warm-up: page cache, Node's compile cache
  const samples = Array.from({ length: runs }, () => timeProcess(command, args, options));
  const result = {
    label,
    bytes,
    seconds: median(samples.map((s) => s.seconds)),
    peakMb: median(samples.map((s) => s.peakMb)),
    all: samples.map((s) => s.seconds),
  };
  console.log(
    `${label}: median ${result.seconds.toFixed(2)} s of [${result.all.map((s) => s.toFixed(2)).join(', ')}]`,
  );
  return result;
}

/** Replaces (or appends) one `## ...` section of BENCHMARKS.md, keeping the rest of the file. */
export function writeSection(heading, section) {
  const path = join(ROOT, 'BENCHMARKS.md');
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(heading);
  let next;
  if (start >= 0) {
    const after = current.indexOf('\n## ', start + heading.length);
    next = `${current.slice(0, start)}${section}${after >= 0 ? current.slice(after) : ''}`;
  } else next = `${current.trimEnd()}\n\n${section}`;
  writeFileSync(path, next);
}
