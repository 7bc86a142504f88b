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

const compressFixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const concatBytes = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const dangerous = (report: Awaited<ReturnType<typeof scanBytes>>['report']) =>
  report.findings.filter((f) => f.ruleId === 'PICKLE-IMPORT-DANGEROUS' && f.severity === 'critical');

describe('streams of mixed formats, as LZMAFile decodes them', () => {
  // The pickle is split after PROTO: unless the second stream is decoded, nothing dangerous is seen.
  it.each([
    ['xz then lzma', 'evil-proto.xz', 'evil-body.lzma', 'joblib-xz'],
    ['lzma then xz', 'evil-proto.lzma', 'evil-body.xz', 'joblib-lzma'],
    ['xz then lzip', 'evil-proto.xz', 'evil-body.lz', 'joblib-xz'],
    ['lzma then lzip', 'evil-proto.lzma', 'evil-body.lz', 'joblib-lzma'],
  ])('finds a pickle split over %s', async (_, first, second, want) => {
    const bytes = concatBytes(compressFixture(first), compressFixture(second));
    const { report, findings, format } = await scanBytes(`${first}+${second}.joblib`, bytes);
    expect(format).toBe(want);
    expect(dangerous(report)[0]?.location.member).toBe(`(${want.slice(7)}-decompressed)`);
    expect(findings.filter((f) => f.startsWith('ARCHIVE-MALFORMED'))).toEqual([]);
    expect(report.summary.notAnalysed).toBe(0);
  });

  it('finds a pickle in an lzip file (lzma.open reads .lz with liblzma >= 5.4)', async () => {
    const { report, format } = await scanBytes('model.pkl.xz', compressFixture('evil.lz'));
    expect(format).toBe('lzip');
    expect(dangerous(report)[0]?.evidence).toBe("posix.system('echo pedigree-test')");
  });
});

describe('bytes after the compressed data', () => {
  const GARBAGE = new TextEncoder().encode('TRAILING GARBAGE, NOT A STREAM');

  it.each([
    ['xz', 'payload.xz'],
    ['lzma', 'payload.lzma'],
    ['lzip', 'payload.lz'],
    ['bz2', 'payload.bz2'],
    ['zlib', 'payload.zz'],
  ])('%s: a pickle appended to the stream is reported and analysed', async (kind, name) => {
    // CPython's decompressor ignores it, but a loader that skips the compressed part runs it.
    const bytes = concatBytes(compressFixture(name), EVIL);
    const { report, findings, format } = await scanBytes(`appended.${kind}`, bytes);
    expect(format).toBe(kind);
    const trailing = report.findings.find((f) => f.ruleId === 'ARCHIVE-MALFORMED');
    expect(trailing).toMatchObject({ severity: 'low', location: { offset: compressFixture(name).length } });
    expect(trailing?.evidence).toBe(
      `${EVIL.length} trailing bytes starting ${Buffer.from(EVIL.subarray(0, 8)).toString('hex')}`,
    );
    expect(dangerous(report)[0]?.location.member).toBe(`(${kind}-trailing)`);
    expect(findings.filter((f) => f.startsWith('ARCHIVE-MALFORMED'))).toEqual(['ARCHIVE-MALFORMED:low']);
    expect(report.summary.notAnalysed).toBe(0);
  });

  it('reports garbage after the stream as low only', async () => {
    const bytes = concatBytes(compressFixture('payload.xz'), GARBAGE);
    const { findings } = await scanBytes('garbage.xz', bytes);
    expect(findings).toEqual(['ARCHIVE-MALFORMED:low']);
  });

  it('analyses an xz stream behind zero padding, which CPython ignores and xz -d decodes', async () => {
    // LZMAFile reads the four zeros and the next bytes as a .lzma header, refuses it and stops; the xz tool
    // skips the Stream Padding and decompresses the pickle.
    const bytes = concatBytes(
      compressFixture('payload.xz'),
      new Uint8Array(4),
      payloadFixture('evil.xz.joblib'),
    );
    const { report, findings, format } = await scanBytes('padded.xz', bytes);
    expect(format).toBe('xz');
    expect(findings).toContain('ARCHIVE-MALFORMED:low');
    expect(dangerous(report)[0]?.location.member).toBe('(xz-trailing)!/(xz-decompressed)');
  });

  it('reports zero padding at the end of an xz file as CPython fails on it (a cut-off .lzma header)', async () => {
    const bytes = concatBytes(payloadFixture('evil.xz.joblib'), new Uint8Array(8));
    const { findings } = await scanBytes('end-padded.xz', bytes);
    expect(findings).toContain('PICKLE-IMPORT-DANGEROUS:critical');
    expect(findings).toContain('ARCHIVE-MALFORMED:medium');
  });

  it('reports bytes after LZ4 frames as malformed (LZ4FrameFile raises) and analyses them', async () => {
    const bytes = concatBytes(payloadFixture('evil.lz4.joblib'), GARBAGE, EVIL);
    const { report, findings } = await scanBytes('garbage.lz4', bytes);
    expect(findings).toContain('ARCHIVE-MALFORMED:medium');
    expect(findings).not.toContain('ARCHIVE-MALFORMED:low');
    expect(dangerous(report).map((f) => f.location.member)).toEqual(['(lz4-decompressed)']);
  });

  it('analyses a pickle after garbage that follows a gzip member', async () => {
    const bytes = concatBytes(gzipSync(new Uint8Array([0x80, 0x02, 0x5d, 0x2e])), EVIL);
    const { report, findings } = await scanBytes('then-pickle.gz', bytes);
    expect(findings).toContain('ARCHIVE-MALFORMED:medium');
    expect(dangerous(report)[0]?.location.member).toBe('(gzip-trailing)');
  });
});

describe('zero-filled data', () => {
  it('is not taken for empty .lzma streams', async () => {
    const { findings, format } = await scanBytes('zeros.bin', new Uint8Array(100_000));
    expect(format).toBe('unknown');
    expect(findings.filter((f) => !f.startsWith('SCAN-UNRECOGNISED'))).toEqual([]);
  });

  it('is decoded as lzma.open does when a stream follows it', async () => {
    const bytes = concatBytes(new Uint8Array(18 * 100), payloadFixture('evil.xz.joblib'));
    const { report, findings, format } = await scanBytes('zeros-then-xz.pkl.xz', bytes);
    expect(format).toBe('joblib-lzma');
    expect(dangerous(report)[0]?.location.member).toBe('(lzma-decompressed)');
    expect(findings.filter((f) => f.startsWith('ARCHIVE-MALFORMED'))).toEqual([]);
  });
});
