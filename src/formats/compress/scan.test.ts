/**
 * Whole-scan checks that what CPython decompresses is analysed: gzip members behind zero padding and .lzma
 * headers with the small dictionaries liblzma accepts (red-team findings), and that a pickle which happens to
 * start with a valid .lzma header is still analysed as a pickle.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { scanPaths } from '../../scan/scan-paths.js';

const tool = { name: 'pedigree', version: 'test' };
const temp = mkdtempSync(join(tmpdir(), 'pedigree-compress-scan-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const payloadFixture = (name: string) =>
  new Uint8Array(
    readFileSync(new URL(`../../../test/fixtures/compressed-payloads/${name}`, import.meta.url)),
  );
/** A protocol 2 pickle calling posix.system('echo pedigree-test'), 42 bytes. */
const EVIL = new Uint8Array(inflateSync(payloadFixture('evil.zlib.joblib')));

async function scanBytes(name: string, bytes: Uint8Array) {
  const file = join(temp, name);
  writeFileSync(file, bytes);
  const report = await scanPaths([file], { tool });
  const findings = report.findings.map((f) => `${f.ruleId}:${f.severity}`);
  return { report, findings, format: report.artifacts[0]?.format };
}

describe('payloads CPython decompresses are analysed', () => {
  it('finds a pickle split over gzip members with zero padding between them', async () => {
    const bytes = Buffer.concat([
      gzipSync(EVIL.subarray(0, 2)),
      Buffer.alloc(100),
      gzipSync(EVIL.subarray(2)),
    ]);
    const { report, findings, format } = await scanBytes('padded.gz', bytes);
    expect(format).toBe('joblib-gzip');
    expect(report.findings.find((f) => f.severity === 'critical')?.evidence).toBe(
      "posix.system('echo pedigree-test')",
    );
    expect(findings).not.toContain('ARCHIVE-MALFORMED:medium');
    expect(report.summary.notAnalysed).toBe(0);
  });

  it('reports bytes after a gzip member as CPython fails on them, after analysing the members', async () => {
    const bytes = Buffer.concat([gzipSync(EVIL), Buffer.alloc(3), Buffer.from('not gzip')]);
    const { findings } = await scanBytes('garbage.gz', bytes);
    expect(findings).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    expect(findings).toContain('ARCHIVE-MALFORMED:medium');
  });

  it.each([0, 1, 256, 3072])(
    'finds a joblib .lzma payload whose header states a %i-byte dictionary',
    async (size) => {
      // joblib routes files starting 5D 00 to LZMAFile (FORMAT_AUTO), which accepts these sizes.
      const bytes = payloadFixture('evil.lzma.joblib').slice();
      new DataView(bytes.buffer).setUint32(1, size, true);
      const { findings, format } = await scanBytes(`dict-${size}.joblib`, bytes);
      expect(format).toBe('joblib-lzma');
      expect(findings).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    },
  );
});

describe('pickles that start like a .lzma header', () => {
  it('are analysed as a pickle too, and reported as a polyglot', async () => {
    // LONG4 of 1 byte (8B 01 00 00 00 00): lc=4 lp=0 pb=3, a 1-byte dictionary. POP; BINBYTES of 8 bytes
    // whose length and first content bytes make the stated size 0x08423000 (< 2^38); POP; then the payload
    // without its PROTO. Every header field is one liblzma's FORMAT_AUTO decoder accepts.
    const prefix = [0x8b, 0x01, 0, 0, 0, 0x00, 0x30, 0x42, 0x08, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0x30];
    const bytes = new Uint8Array([...prefix, ...EVIL.subarray(2)]);
    const { findings, format } = await scanBytes('polyglot.pkl', bytes);
    expect(format).toBe('lzma');
    expect(findings).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    expect(findings).toContain('ZIP-STRUCTURE:high');
  });
});
