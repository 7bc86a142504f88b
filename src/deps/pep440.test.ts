import { describe, expect, it } from 'vitest';
import { compareVersions, MAX_VERSION_LENGTH, parseVersion, versionsEqual } from './pep440.js';

const v = (raw: string) => {
  const parsed = parseVersion(raw);
  if (parsed === undefined) throw new Error(`not PEP 440: ${raw}`);
  return parsed;
};

describe('PEP 440 versions', () => {
  it('orders versions as PEP 440 (and packaging) does', () => {
    // The ordering example of PEP 440, "Summary of permitted suffixes and relative ordering".
    const ordered = [
      '1.dev0',
      '1.0.dev456',
      '1.0a1',
      '1.0a2.dev456',
      '1.0a12.dev456',
      '1.0a12',
      '1.0b1.dev456',
      '1.0b2',
      '1.0b2.post345.dev456',
      '1.0b2.post345',
      '1.0rc1.dev456',
      '1.0rc1',
      '1.0',
      '1.0.post456.dev34',
      '1.0.post456',
      '1.0.15',
      '1.1.dev1',
      '1!0.1',
    ];
    for (let i = 0; i < ordered.length; i++)
      for (let j = 0; j < ordered.length; j++)
        expect(
          compareVersions(v(ordered[i] as string), v(ordered[j] as string)),
          `${ordered[i]} vs ${ordered[j]}`,
        ).toBe(Math.sign(i - j));
  });

  it('normalises spellings and trailing zeros', () => {
    expect(versionsEqual(v('1.0'), v('1.0.0'))).toBe(true);
    expect(versionsEqual(v('1.0RC1'), v('1.0rc1'))).toBe(true);
    expect(versionsEqual(v('1.0-alpha.1'), v('1.0a1'))).toBe(true);
    expect(versionsEqual(v('1.0c1'), v('1.0rc1'))).toBe(true);
    expect(versionsEqual(v('v2.0.post0'), v('2.0-0'))).toBe(true);
    expect(versionsEqual(v('1.0.1'), v('1.0'))).toBe(false);
  });

  it('matches a local build as its public release (the stated rule)', () => {
    expect(v('2.7.0+cu128').local).toBe('cu128');
    expect(compareVersions(v('2.7.0+cu128'), v('2.7.0'))).toBe(0);
    expect(compareVersions(v('2.7.0+cu128'), v('2.7.1'))).toBe(-1);
  });

  it('refuses what is not PEP 440 without throwing', () => {
    for (const bad of [
      '',
      'latest',
      '1.0-SNAPSHOT-x',
      '1..0',
      'x'.repeat(MAX_VERSION_LENGTH + 1),
      '1.0+',
      '🙂',
    ])
      expect(parseVersion(bad), bad).toBeUndefined();
  });
});
