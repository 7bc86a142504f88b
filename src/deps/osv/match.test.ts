import { describe, expect, it } from 'vitest';
import { normalisePypiName, purlFor } from '../names.js';
import { compareVersions, type Pep440Version, parseVersion } from '../pep440.js';
import { affectedEntriesFor, type MatchNotes, matchAffected, type VersionScheme } from './match.js';
import type { OsvAffected, OsvEvent, OsvRecord } from './record.js';

const PEP440: VersionScheme<Pep440Version> = { parse: parseVersion, compare: compareVersions };

function affectedBy(entry: OsvAffected, version: string, notes?: MatchNotes) {
  const v = parseVersion(version);
  if (v === undefined) throw new Error(`bad test version ${version}`);
  return matchAffected(entry, v, PEP440, notes);
}

const range = (...events: OsvEvent[]): OsvAffected => ({ ranges: [{ type: 'ECOSYSTEM', events }] });

describe('OSV range evaluation (PEP 440)', () => {
  it('introduced/fixed is half-open, pre-releases of the fix count as affected', () => {
    const entry = range({ introduced: '0' }, { fixed: '2.5.0' });
    expect(affectedBy(entry, '2.4.9')?.fixed).toBe('2.5.0');
    // pip's `<2.5.0` would exclude 2.5.0rc0; OSV orders it below 2.5.0, so it is affected.
    expect(affectedBy(entry, '2.5.0rc0')?.via).toEqual(['range']);
    expect(affectedBy(entry, '2.5.0')).toBeUndefined();
    expect(affectedBy(entry, '2.5.0.post1')).toBeUndefined();
    expect(affectedBy(entry, '1!0.1')).toBeUndefined(); // epoch 1 sorts above every epoch-0 version
  });

  it('last_affected is inclusive and gives no fix', () => {
    const entry = range({ introduced: '1.0' }, { last_affected: '1.4' });
    expect(affectedBy(entry, '0.9')).toBeUndefined();
    expect(affectedBy(entry, '1.0')).toEqual({ via: ['range'], fixed: undefined });
    expect(affectedBy(entry, '1.4')).toBeDefined();
    expect(affectedBy(entry, '1.4.1')).toBeUndefined();
  });

  it('events are sorted by version before the walk, several introduced/fixed pairs in one range', () => {
    const entry = range({ fixed: '1.2' }, { introduced: '2.0' }, { introduced: '1.0' }, { fixed: '2.3' });
    expect(affectedBy(entry, '1.1')?.fixed).toBe('1.2');
    expect(affectedBy(entry, '1.5')).toBeUndefined();
    expect(affectedBy(entry, '2.2')?.fixed).toBe('2.3');
    expect(affectedBy(entry, '2.3')).toBeUndefined();
  });

  it('limit caps the range; "*" is no cap', () => {
    const entry = range({ introduced: '0' }, { limit: '3.0' });
    expect(affectedBy(entry, '2.9')).toBeDefined();
    expect(affectedBy(entry, '3.0')).toBeUndefined();
    expect(affectedBy(range({ introduced: '0' }, { limit: '*' }), '99')).toBeDefined();
  });

  it('versions lists match by PEP 440 equality, united with ranges', () => {
    const entry: OsvAffected = {
      versions: ['1.0', '2.0.0'],
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.0' }, { fixed: '3.1' }] }],
    };
    expect(affectedBy(entry, '1.0.0')?.via).toEqual(['versions']);
    expect(affectedBy(entry, '2.0')?.via).toEqual(['versions']);
    expect(affectedBy(entry, '3.0.5')).toEqual({ via: ['range'], fixed: '3.1' });
    expect(affectedBy(entry, '1.5')).toBeUndefined();
  });

  it('local labels are matched as the public release they were built from', () => {
    const entry: OsvAffected = {
      versions: ['2.7.0'],
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.8.0' }] }],
    };
    expect(affectedBy(entry, '2.7.0+cu128')?.via).toEqual(['versions', 'range']);
    expect(affectedBy(entry, '2.8.0+cpu')).toBeUndefined();
  });

  it('skips GIT ranges without stopping, and notes invalid versions without throwing', () => {
    const notes: MatchNotes = { invalidVersions: new Set() };
    const entry: OsvAffected = {
      versions: ['not a version', '0.5'],
      ranges: [
        {
          type: 'GIT',
          repo: 'https://example.org/x.git',
          events: [{ introduced: 'abc123' }, { fixed: 'def456' }],
        },
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: 'garbage!' }] },
      ],
    };
    expect(affectedBy(entry, '0.5', notes)?.via).toEqual(['versions']);
    // The unreadable fix is dropped, so the range stays open: over-reporting, never hiding.
    expect(affectedBy(entry, '7.0', notes)).toEqual({ via: ['range'], fixed: undefined });
    expect([...notes.invalidVersions].sort()).toEqual(['garbage!', 'not a version']);
  });

  it('takes the earliest fix over every range that affects the version', () => {
    const entry: OsvAffected = {
      ranges: [
        { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.9' }] },
        { type: 'ECOSYSTEM', events: [{ introduced: '1.0' }, { fixed: '1.5' }] },
      ],
    };
    expect(affectedBy(entry, '1.2')?.fixed).toBe('1.5');
  });
});

describe('package selection', () => {
  it('normalises PyPI names per PEP 503 and keeps ecosystems apart', () => {
    expect(normalisePypiName('Foo.Bar__baz--Qux')).toBe('foo-bar-baz-qux');
    expect(purlFor('PyPI', 'Jinja2', '3.1.4')).toBe('pkg:pypi/jinja2@3.1.4');
    expect(purlFor('PyPI', 'torch', '2.1.0+cu121')).toBe('pkg:pypi/torch@2.1.0%2Bcu121');
    expect(purlFor('npm', '@types/node', '20.1.0')).toBe('pkg:npm/%40types/node@20.1.0');
    expect(purlFor('PyPI', 'Requests')).toBe('pkg:pypi/requests');
    const record: OsvRecord = {
      id: 'X-1',
      affected: [
        { package: { ecosystem: 'PyPI', name: 'Pillow' } },
        { package: { ecosystem: 'npm', name: 'pillow' } },
      ],
    };
    expect(affectedEntriesFor(record, 'PyPI', 'pillow')).toHaveLength(1);
    expect(affectedEntriesFor(record, 'PyPI', 'PIL')).toHaveLength(0);
  });
});
