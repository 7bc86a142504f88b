import { describe, expect, it } from 'vitest';
import { code, exact, shortCount, size } from './markdown.js';
import { escapeInline } from './writer.js';

describe('markdown helpers', () => {
  it('keeps untrusted text inside a code span, whatever backticks it holds', () => {
    expect(code('config.json')).toBe('`config.json`');
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('<script>\nalert(1)</script>')).toBe('`<script> alert(1)</script>`');
    expect(code('x'.repeat(500)).length).toBeLessThan(170);
  });

  it('escapes markdown in a heading name', () => {
    expect(escapeInline('my_model [v2] <b>')).toBe('my\\_model \\[v2\\] \\<b\\>');
  });

  it('writes sizes and counts exactly, then rounded', () => {
    expect(size(235)).toBe('235 bytes');
    expect(size(4_965_799_096)).toBe('4,965,799,096 bytes (4.97 GB)');
    expect(size(100_000_000)).toBe('100,000,000 bytes (100 MB)');
    expect(size(999_950_000)).toBe('999,950,000 bytes (1000 MB)');
    expect(shortCount(6_738_415_616n)).toBe('6.74B');
    expect(shortCount(1_000_000n)).toBe('1M');
    expect(shortCount(35n)).toBe('35');
    expect(exact(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(exact(Number.NaN)).toBe('NaN');
  });
});
