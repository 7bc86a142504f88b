import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseBytes, ruleList } from '../test-support.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../formats/sevenzip/fixtures/${name}`, import.meta.url)));

describe('7z archives', () => {
  it('decompresses members and analyses them by content', async () => {
    const r = await analyseBytes(fixture('malicious-pickle.7z'), 'model.7z');
    expect(r.format).toBe('7z');
    const f = r.findings.find((x) => x.ruleId === 'PICKLE-IMPORT-DANGEROUS');
    expect(f?.severity).toBe('critical');
    expect(f?.location.member).toBe('data.pkl');
    expect(r.notAnalysed).toBe(0);
  });

  it('reports encrypted members and encrypted headers as not analysed, never silently', async () => {
    const members = await analyseBytes(fixture('encrypted-members.7z'), 'm.7z');
    expect(ruleList(members.findings)).toEqual(['SCAN-UNSUPPORTED:medium']);
    expect(members.findings[0]?.message).toContain('encrypted');
    expect(members.findings[0]?.message).toContain('data.pkl');
    expect(members.notAnalysed).toBe(1);
    const headers = await analyseBytes(fixture('encrypted-headers.7z'), 'h.7z');
    expect(ruleList(headers.findings)).toEqual(['SCAN-UNSUPPORTED:medium']);
    expect(headers.findings[0]?.message).toContain('member names included');
  });

  it('reports members that escape the extraction folder, and still analyses them', async () => {
    const r = await analyseBytes(fixture('traversal.7z'), 't.7z');
    expect(ruleList(r.findings)).toEqual(['ARCHIVE-PATH-TRAVERSAL:high', 'PICKLE-IMPORT-DANGEROUS:critical']);
    expect(r.findings.find((f) => f.ruleId === 'ARCHIVE-PATH-TRAVERSAL')?.evidence).toBe('../../evil.pkl');
  });

  it('enforces the member, budget and count limits from declared sizes before decompressing', async () => {
    const small = await analyseBytes(fixture('malicious-pickle.7z'), 'm.7z', { maxMemberBytes: 12 });
    // data.pkl (27 bytes) is over the limit, readme.txt (10 bytes) is not.
    expect(ruleList(small.findings)).toEqual(['ARCHIVE-BOMB:high']);
    expect(small.findings[0]?.message).toContain('data.pkl');
    const budget = await analyseBytes(fixture('malicious-pickle.7z'), 'm.7z', {
      maxTotalDecompressedBytes: 5,
    });
    expect(ruleList(budget.findings)).toEqual(['ARCHIVE-BOMB:high']);
    expect(budget.findings[0]?.message).toContain('budget');
    const count = await analyseBytes(fixture('malicious-pickle.7z'), 'm.7z', { maxArchiveMembers: 1 });
    expect(ruleList(count.findings)).toContain('ARCHIVE-BOMB:high');
    expect(ruleList(count.findings)).toContain('PICKLE-IMPORT-DANGEROUS:critical');
  });

  describe('malformed input', () => {
    const good = fixture('malicious-pickle.7z');

    it('reports a signature header cut short', async () => {
      const r = await analyseBytes(good.subarray(0, 20), 'x.7z');
      expect(ruleList(r.findings)).toEqual(['ARCHIVE-MALFORMED:medium']);
      expect(r.findings[0]?.message).toContain('cut short');
    });

    it('reports a header that runs past the end of the file', async () => {
      const r = await analyseBytes(good.subarray(0, good.length - 10), 'x.7z');
      expect(ruleList(r.findings)).toContain('ARCHIVE-MALFORMED:medium');
      expect(r.notAnalysed).toBe(1);
    });

    it('reports a corrupted start header and corrupted packed data', async () => {
      const badCrc = good.slice();
      badCrc[8] = (badCrc[8] as number) ^ 0xff;
      expect(ruleList((await analyseBytes(badCrc, 'x.7z')).findings)).toContain('ARCHIVE-MALFORMED:medium');
      const badData = good.slice();
      for (let i = 32; i < 60; i++) badData[i] = 0x41;
      const r = await analyseBytes(badData, 'x.7z');
      expect(ruleList(r.findings)).toContain('ARCHIVE-MALFORMED:medium');
      expect(r.notAnalysed).toBe(1);
    });

    it('survives random damage anywhere without throwing', async () => {
      for (let i = 6; i < good.length; i += 5) {
        const bytes = good.slice();
        bytes[i] = (bytes[i] as number) ^ 0x5a;
        const r = await analyseBytes(bytes, 'x.7z');
        expect(r.format).toBe('7z');
      }
    });

    it('reports an archive with no members as empty, not as a failure', async () => {
      const empty = new Uint8Array(32);
      empty.set([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]);
      // StartHeaderCRC of 20 zero bytes.
      new DataView(empty.buffer).setUint32(8, 0x0fd59b8d, true);
      const r = await analyseBytes(empty, 'e.7z');
      expect(r.findings).toEqual([]);
    });
  });
});
