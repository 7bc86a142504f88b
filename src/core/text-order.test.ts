import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareCodePoints } from './text-order.js';

/** The reference: code points as numbers, compared as Python compares str. */
function byCodePoints(a: string, b: string): number {
  const pa = [...a].map((c) => c.codePointAt(0) as number);
  const pb = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++)
    if (pa[i] !== pb[i]) return (pa[i] as number) < (pb[i] as number) ? -1 : 1;
  return Math.sign(pa.length - pb.length);
}

describe('compareCodePoints', () => {
  it('puts U+FF01 before a character outside the BMP, as Python does (UTF-16 order says the opposite)', () => {
    expect('\u{1F600}' < '\uFF01').toBe(true);
    expect(compareCodePoints('\uFF01', '\u{1F600}')).toBeLessThan(0);
    expect(['\u{1F600}', '\uFF01', 'a', '\u{10000}x'].sort(compareCodePoints)).toEqual([
      'a',
      '\uFF01',
      '\u{10000}x',
      '\u{1F600}',
    ]);
  });

  it('orders a prefix first, equal strings as equal, and lone surrogates by their value', () => {
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'ab')).toBeGreaterThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
    expect(compareCodePoints('', '')).toBe(0);
    expect(compareCodePoints('\udcff', '\u{1F600}')).toBeLessThan(0);
    expect(compareCodePoints('\uffff', '\ud800')).toBeGreaterThan(0);
  });

  it('agrees with comparing arrays of code points on any strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(byCodePoints(a, b));
      }),
      { numRuns: 500 },
    );
  });
});
