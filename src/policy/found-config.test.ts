import { describe, expect, it } from 'vitest';
import { foundConfigFinding, MAX_LISTED, resolveFailOn } from './found-config.js';

describe('resolveFailOn', () => {
  it('applies --fail-on or a trusted (--config) file as written, default high', () => {
    expect(resolveFailOn(undefined, undefined, false)).toEqual({ failOn: 'high' });
    expect(resolveFailOn(undefined, 'none', false)).toEqual({ failOn: 'none' });
    expect(resolveFailOn('low', 'none', false)).toEqual({ failOn: 'low' });
    expect(resolveFailOn('none', undefined, true)).toEqual({ failOn: 'none' });
  });

  it('honours a found file only when it is stricter than the default and no --fail-on is given', () => {
    expect(resolveFailOn(undefined, 'medium', true)).toEqual({
      failOn: 'medium',
      found: { requested: 'medium', outcome: 'honoured', used: 'medium' },
    });
    expect(resolveFailOn(undefined, 'high', true).found?.outcome).toBe('unchanged');
    for (const loose of ['critical', 'none'] as const) {
      expect(resolveFailOn(undefined, loose, true)).toEqual({
        failOn: 'high',
        found: { requested: loose, outcome: 'ignored-looser', used: 'high' },
      });
    }
  });

  it('never moves the --fail-on threshold, either way', () => {
    expect(resolveFailOn('medium', 'none', true)).toMatchObject({
      failOn: 'medium',
      found: { outcome: 'ignored-looser' },
    });
    expect(resolveFailOn('high', 'info', true)).toMatchObject({
      failOn: 'high',
      found: { outcome: 'overridden' },
    });
    expect(resolveFailOn('none', 'critical', true)).toMatchObject({
      failOn: 'none',
      found: { outcome: 'overridden' },
    });
  });
});

describe('foundConfigFinding', () => {
  it('is low and says so when the file changes nothing', () => {
    const f = foundConfigFinding({ path: 'pedigree.yaml', exclude: [], allow: [] }, []);
    expect(f).toMatchObject({ ruleId: 'SCAN-CONFIG', severity: 'low', location: { path: 'pedigree.yaml' } });
    expect(f.message).toContain('changes nothing');
  });

  it('counts excluded paths per glob, through parent folders', () => {
    const f = foundConfigFinding(
      { path: 'pedigree.yaml', exclude: ['data', '**/*.bin', 'x/**'], allow: [] },
      ['data/a.pkl', 'data/b/c.bin', 'm.bin'],
    );
    expect(f.severity).toBe('high');
    expect(f.evidence).toContain('exclude: data (2 paths), **/*.bin (2 paths), x/** (0 paths)');
    expect(f.evidence).toContain('excluded (3): data/a.pkl, data/b/c.bin, m.bin');
  });

  it('bounds every list and clips long strings', () => {
    const allow = Array.from({ length: MAX_LISTED + 3 }, (_, i) => `m${i}.C`);
    const f = foundConfigFinding({ path: 'p.yaml', exclude: ['a'.repeat(1000)], allow }, []);
    expect(f.evidence).toContain(`pickle.allow (${MAX_LISTED + 3}):`);
    expect(f.evidence).toContain('… and 3 more');
    expect(f.evidence).not.toContain(`m${MAX_LISTED}.C`);
    expect(f.evidence.length).toBeLessThan(2000);
    expect(f.message).toContain('m4.C, … and');
  });
});
