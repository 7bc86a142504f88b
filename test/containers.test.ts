/**
 * Whole-scan tests over real files: benign files written by PyTorch, NumPy, scikit-learn and joblib
 * (test/fixtures/real, made by scripts/build-real-fixtures.py and scripts/build-joblib-fixtures.py) must come out clean and recognised, and a
 * payload must be found through every compressor joblib writes and through gzip'd tar archives.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { severityRank } from '../src/core/finding.js';
import { scanPaths } from '../src/scan/scan-paths.js';

const tool = { name: 'pedigree', version: 'test' };
const here = (p: string) => new URL(p, import.meta.url).pathname;
const temp = mkdtempSync(join(tmpdir(), 'pedigree-containers-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A one-member ustar archive (POSIX.1-1988 header, checksum over the header with spaces in its field). */
function tar(name: string, data: Uint8Array): Uint8Array {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  body.set(data);
  return Buffer.concat([header, body, Buffer.alloc(1024)]);
}

describe('benign files written by the real tools', () => {
  it('are all recognised and none is reported at medium or above', async () => {
    const report = await scanPaths([here('./fixtures/real')], { tool });
    expect(report.artifacts.length).toBeGreaterThanOrEqual(36);
    expect(report.artifacts.filter((a) => a.format === 'unknown').map((a) => a.path)).toEqual([]);
    const noisy = report.findings.filter((f) => severityRank(f.severity) >= severityRank('medium'));
    expect(noisy.map((f) => `${f.location.path}: ${f.ruleId} ${f.evidence}`)).toEqual([]);
    expect(report.summary.notAnalysed).toBe(0);
    const formats = new Map(report.artifacts.map((a) => [a.path, a.format]));
    for (const c of ['zlib', 'gzip', 'bz2', 'xz', 'lzma', 'lz4']) {
      expect(formats.get(`joblib-forest-${c}.joblib`)).toBe(`joblib-${c}`);
    }
    expect(formats.get('torch-state-dict.pt')).toBe('pytorch-zip');
    expect(formats.get('torch-state-dict-legacy.pt')).toBe('pytorch-legacy');
    expect(formats.get('torchscript-linear.pt')).toBe('torchscript');
  });
});

describe('payloads inside compressed streams and archives', () => {
  it('is found through every compressor joblib writes', async () => {
    const report = await scanPaths([here('./fixtures/compressed-payloads')], { tool });
    const critical = new Set(
      report.findings.filter((f) => f.severity === 'critical').map((f) => f.location.path),
    );
    expect([...critical].sort()).toEqual(
      ['bz2', 'gz', 'lz4', 'lzma', 'xz', 'zlib'].map((c) => `evil.${c}.joblib`).sort(),
    );
    const found = report.findings.find((f) => f.location.path === 'evil.xz.joblib');
    expect(found?.location.member).toBe('(xz-decompressed)');
    expect(found?.evidence).toBe("posix.system('echo pedigree-test')");
  });

  it('is found in a pickle inside a gzip-compressed tar', async () => {
    const evil = readFileSync(here('./fixtures/compressed-payloads/evil.zlib.joblib'));
    const { inflateSync } = await import('node:zlib');
    const file = join(temp, 'bundle.tar.gz');
    writeFileSync(file, gzipSync(tar('models/model.pkl', inflateSync(evil))));
    const report = await scanPaths([file], { tool });
    const hit = report.findings.find((f) => f.severity === 'critical');
    expect(hit?.location.member).toBe('(gzip-decompressed)!/models/model.pkl');
    expect(report.artifacts[0]?.format).toBe('gzip');
  });

  it('stops a gzip bomb and says it did not analyse the rest', async () => {
    const file = join(temp, 'bomb.gz');
    writeFileSync(file, gzipSync(Buffer.alloc(64 * 1024 * 1024)));
    const report = await scanPaths([file], { tool, limits: { maxCompressionRatio: 100 } });
    expect(report.findings.map((f) => `${f.ruleId}:${f.severity}`)).toContain('ARCHIVE-BOMB:high');
    expect(report.summary.notAnalysed).toBe(1);
  });

  it('reports a truncated compressed stream as not fully analysed, keeping what it found', async () => {
    const evil = readFileSync(here('./fixtures/compressed-payloads/evil.xz.joblib'));
    const file = join(temp, 'cut.xz');
    writeFileSync(file, evil.subarray(0, evil.length - 20));
    const report = await scanPaths([file], { tool });
    expect(report.summary.notAnalysed).toBe(1);
    expect(report.findings.some((f) => f.ruleId === 'ARCHIVE-MALFORMED')).toBe(true);
  });
});
