import { describe, expect, it } from 'vitest';
import { pyIntLiteral } from './pyint.js';

/** `int(text, 0)` answers from CPython 3.11 (null: ValueError). */
const BASE0: [string, string | null][] = [
  ['0', '0'],
  ['00', '0'],
  ['000', '0'],
  ['010', null],
  ['0_0', '0'],
  ['0x1f', '31'],
  ['0X_1F', '31'],
  ['0x', null],
  ['0o17', '15'],
  ['0o_17', '15'],
  ['0b101', '5'],
  ['0b2', null],
  ['1_000', '1000'],
  ['1__0', null],
  ['_1', null],
  ['1_', null],
  [' +12 ', '12'],
  ['-0x10', '-16'],
  ['\t7\n', '7'],
  ['08', null],
  ['0_7', null],
  ['1e3', null],
  ['0x1g', null],
  ['00_0', '0'],
  ['12L', null],
  ['', null],
];

describe('pyIntLiteral', () => {
  it("matches Python's int(text, 0)", () => {
    for (const [text, expected] of BASE0) {
      expect(pyIntLiteral(text, 0)?.toString() ?? null, JSON.stringify(text)).toBe(expected);
    }
  });

  it('takes an optional prefix of its own base only', () => {
    expect(pyIntLiteral('0o17', 8)).toBe(15n);
    expect(pyIntLiteral('17', 8)).toBe(15n);
    expect(pyIntLiteral('0x17', 8)).toBeUndefined();
    expect(pyIntLiteral('010', 10)).toBe(10n);
    expect(pyIntLiteral('ff', 16)).toBe(255n);
  });

  it('refuses more than 4300 decimal digits but not long hex', () => {
    expect(pyIntLiteral('1'.repeat(4301), 10)).toBeUndefined();
    expect(pyIntLiteral(`0x${'f'.repeat(5000)}`, 0)).toBeDefined();
  });
});
