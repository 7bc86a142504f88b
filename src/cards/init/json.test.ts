import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { cleanString, field, nonFiniteOf, parsePythonJson, positiveInteger } from './json.js';

describe('parsePythonJson', () => {
  it("reads Python's non-finite tokens as markers and leaves the rest of the file readable", () => {
    const json = parsePythonJson('{"eval_loss": NaN, "a": Infinity, "b": -Infinity, "c": -1.5, "d": 2}');
    expect(nonFiniteOf(field(json, 'eval_loss'))).toBe('NaN');
    expect(nonFiniteOf(field(json, 'a'))).toBe('Infinity');
    expect(nonFiniteOf(field(json, 'b'))).toBe('-Infinity');
    expect(field(json, 'c')).toBe(-1.5);
    expect(field(json, 'd')).toBe(2);
  });

  it('leaves the same words inside strings alone, escaped quotes included', () => {
    const json = parsePythonJson('{"k": "NaN and \\"Infinity\\"", "NaN": 1}');
    expect(field(json, 'k')).toBe('NaN and "Infinity"');
    expect(field(json, 'NaN')).toBe(1);
  });

  it.each(['{', '{"a": nan}', '{"a": 1,}', "{'a': 1}", ''])('refuses %j with a ParseError', (text) => {
    expect(() => parsePythonJson(text)).toThrow(ParseError);
  });
});

describe('field', () => {
  it('reads own properties only', () => {
    const json = JSON.parse('{"__proto__": {"x": 1}, "a": 1}');
    expect(field(json, 'a')).toBe(1);
    expect(field(json, 'constructor')).toBeUndefined();
    expect(field(json, 'toString')).toBeUndefined();
    expect(field([1], '0')).toBeUndefined();
  });
});

describe('value guards', () => {
  it('keep printable bounded strings and positive safe integers only', () => {
    expect(cleanString(' x ')).toBe('x');
    expect(cleanString('a\nb')).toBeUndefined();
    expect(cleanString('a\u2028b')).toBeUndefined();
    expect(cleanString('x'.repeat(201))).toBeUndefined();
    expect(cleanString(3)).toBeUndefined();
    expect(positiveInteger(4096)).toBe(4096);
    for (const bad of [0, -1, 1.5, 1e30, '12', null]) expect(positiveInteger(bad)).toBeUndefined();
  });
});
