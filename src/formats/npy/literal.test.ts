import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { type Dict, LiteralParser } from './literal.js';

const parse = (text: string) => new LiteralParser(text, 0).parse();

describe('LiteralParser', () => {
  it('keeps the first place of a repeated dict key with its last value, as a Python dict does', () => {
    // ast.literal_eval("{'a': 1, 'b': 2, 'a': 3}") == {'a': 3, 'b': 2}, keys in the order a, b: the order
    // descr_to_dtype iterates a dict descr in.
    const dict = parse("{'a': 1, 'b': 2, 'a': 3}") as Dict;
    expect([...dict.keys()]).toEqual(['a', 'b']);
    expect(dict.get('a')?.value).toBe(3);
  });

  it('translates CR and CRLF to LF first, as CPython’s tokenizer does', () => {
    expect(parse("'O\\\r\n'")).toBe('O');
    expect(parse("'O\\\r'")).toBe('O');
    expect(parse("'''a\r\nb'''")).toBe('a\nb');
    expect(parse('{1:\r2}'.replace('1', "'k'"))).toBeInstanceOf(Map);
  });

  it('refuses \\N{...} escapes (there is no Unicode name table to resolve them with)', () => {
    expect(() => parse("'\\N{LATIN CAPITAL LETTER O}'")).toThrow(ParseError);
    // In a raw string it is not an escape.
    expect(parse("r'\\N{X}'")).toBe('\\N{X}');
  });
});
