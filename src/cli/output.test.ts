import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../core/errors.js';
import { deliverReport, writeReportFile } from './output.js';
import { memoryIo } from './test-io.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-output-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
function dir(): string {
  const d = join(work, `${counter++}`);
  mkdirSync(d);
  return d;
}

describe('deliverReport > with --output', () => {
  it('writes the report to the file, replacing an earlier one', async () => {
    const d = dir();
    const out = join(d, 'report.json');
    writeFileSync(out, 'old and longer than the new report');
    const { io, out: printed } = memoryIo();
    await deliverReport('{}\n', { output: out, format: 'json' }, io);
    expect(readFileSync(out, 'utf8')).toBe('{}\n');
    expect(printed.stdout).toBe('');
  });

  it('never writes through a symbolic link planted where the report goes', async () => {
    const d = dir();
    const victim = join(d, 'bashrc');
    writeFileSync(victim, 'export PATH=/usr/bin\n');
    const out = join(d, 'report.json');
    symlinkSync(victim, out);
    const { io } = memoryIo();
    const error = await deliverReport('{}', { output: out, format: 'json' }, io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/--output .*report\.json is a symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    // A dangling link would create its target: refused too.
    const dangling = join(d, 'dangling.json');
    symlinkSync(join(d, 'created-elsewhere'), dangling);
    await expect(writeReportFile(dangling, '{}')).rejects.toThrow(/symbolic link/);
  });

  it('refuses a FIFO at once instead of blocking for a reader', async () => {
    const d = dir();
    const fifo = join(d, 'report.txt');
    try {
      execFileSync('mkfifo', [fifo]);
    } catch {
      return; // no mkfifo here
    }
    await expect(writeReportFile(fifo, 'x')).rejects.toThrow(/not a regular file/);
  });

  it('writes to /dev/null and the standard streams as given', async () => {
    await expect(writeReportFile('/dev/null', 'x')).resolves.toBeUndefined();
  });

  it('names a file it cannot create', async () => {
    await expect(writeReportFile(join(dir(), 'missing/report.json'), 'x')).rejects.toThrow(
      /cannot write .*missing\/report\.json/,
    );
  });
});
