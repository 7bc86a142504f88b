import { describe, expect, it } from 'vitest';
import type { OsvRecord } from './record.js';
import { ratingFromScore, recordSeverity, scoreVector } from './severity.js';

describe('advisory severity', () => {
  it('scores CVSS v3 and v4 base vectors and rates them on the CVSS scale', () => {
    expect(scoreVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(scoreVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBe(9.3);
    expect(scoreVector('CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N')).toBeLessThan(4);
    expect([9, 8.9, 7, 6.9, 4, 3.9, 0.1, 0].map(ratingFromScore)).toEqual([
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
      'info',
    ]);
  });

  it('never throws on a bad vector', () => {
    for (const bad of ['', 'garbage', 'CVSS:3.1/AV:Q', `CVSS:3.1/${'AV:N/'.repeat(500)}`, 'CVSS:9.9/AV:N'])
      expect(scoreVector(bad)).toBeUndefined();
  });

  it('prefers v4 over v3, then the advisory rating, then unknown', () => {
    const both: OsvRecord = {
      id: 'A',
      severity: [
        { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
        { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:H/AT:P/PR:H/UI:A/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N' },
      ],
    };
    expect(recordSeverity(both).severity).toBe('low');
    const ghsa: OsvRecord = { id: 'GHSA-x', severity: [], database_specific: { severity: 'MODERATE' } };
    expect(recordSeverity(ghsa)).toEqual({ severity: 'medium', from: 'MODERATE' });
    const broken: OsvRecord = {
      id: 'B',
      severity: [{ type: 'CVSS_V3', score: 'not a vector' }],
      database_specific: { severity: 'HIGH' },
    };
    expect(recordSeverity(broken).severity).toBe('high');
    expect(recordSeverity({ id: 'C' })).toEqual({ severity: 'unknown' });
  });

  it('uses a per-package severity before the record one', () => {
    const record: OsvRecord = {
      id: 'D',
      severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
      affected: [
        {
          package: { ecosystem: 'PyPI', name: 'x' },
          severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N' }],
        },
      ],
    };
    expect(recordSeverity(record, 0).severity).toBe('low');
    expect(recordSeverity(record).severity).toBe('critical');
  });
});
