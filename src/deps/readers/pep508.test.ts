import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactPin, MAX_EXTRAS, MAX_REQUIREMENT_LENGTH, parsePep508 } from './pep508.js';

describe('parsePep508', () => {
  it('reads a name with a specifier, removing whitespace between clauses', () => {
    expect(parsePep508('requests >= 2.31 , < 3')).toEqual({
      name: 'requests',
      extras: [],
      specifier: '>=2.31,<3',
    });
  });

  it('reads extras, a parenthesised specifier and a marker', () => {
    expect(parsePep508('black[d, jupyter] (>=23.1,<24.0); python_version >= "3.8"')).toEqual({
      name: 'black',
      extras: ['d', 'jupyter'],
      specifier: '>=23.1,<24.0',
      marker: 'python_version >= "3.8"',
    });
  });

  it('reads a name alone and a name with a marker but no specifier', () => {
    expect(parsePep508('setuptools')).toEqual({ name: 'setuptools', extras: [], specifier: '' });
    expect(parsePep508('argparse; python_version == "2.6"')).toEqual({
      name: 'argparse',
      extras: [],
      specifier: '',
      marker: 'python_version == "2.6"',
    });
  });

  it('reads a URL requirement, keeping a ";" inside the URL and the marker after whitespace', () => {
    expect(parsePep508('pip @ https://x.org/pip.whl;v=1 ; os_name == "nt"')).toEqual({
      name: 'pip',
      extras: [],
      specifier: '',
      url: 'https://x.org/pip.whl;v=1',
      marker: 'os_name == "nt"',
    });
  });

  it('keeps ~=, != and === clauses', () => {
    expect(parsePep508('a~=2.0.0,!=2.0.3')).toMatchObject({ specifier: '~=2.0.0,!=2.0.3' });
    expect(parsePep508('a===foobar')).toMatchObject({ specifier: '===foobar' });
  });

  it.each([
    ['', 'no package name'],
    ['-bad', 'invalid package name'],
    ['bad-', 'invalid package name'],
    ['a[b', 'unclosed "["'],
    ['a[b!]', 'invalid extra'],
    ['a (>=1', 'unclosed "("'],
    ['a >>1', 'invalid version'],
    ['a 1.0', 'invalid version clause'],
    ['a @', 'no URL'],
    ['a @ https://x y', 'unexpected text after URL'],
    ['a; ', 'empty environment marker'],
    ['a; python_version == "3', 'unclosed string'],
    ['a; (os_name == "nt"', 'unbalanced "("'],
    ['a; os_name == "nt")', 'unbalanced ")"'],
    ['a (>=1) junk', 'unexpected text'],
  ])('refuses %j', (input, message) => {
    const result = parsePep508(input);
    expect('error' in result && result.error).toContain(message);
  });

  it('refuses a requirement over the length limit and too many extras', () => {
    expect(parsePep508(`a${' '.repeat(MAX_REQUIREMENT_LENGTH)}`)).toEqual({
      error: expect.stringContaining('longer'),
    });
    const extras = Array.from({ length: MAX_EXTRAS + 1 }, (_, k) => `e${k}`).join(',');
    expect(parsePep508(`a[${extras}]`)).toEqual({ error: `more than ${MAX_EXTRAS} extras` });
  });

  it('never throws and answers quickly on arbitrary and adversarial input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        const result = parsePep508(input);
        expect(typeof result).toBe('object');
      }),
    );
    const started = Date.now();
    parsePep508(`a${'['.repeat(MAX_REQUIREMENT_LENGTH - 1)}`);
    parsePep508(`a; ${'('.repeat(MAX_REQUIREMENT_LENGTH - 3)}`);
    parsePep508(`a ${'>=1,'.repeat(MAX_REQUIREMENT_LENGTH / 4 - 1)}`);
    expect(Date.now() - started).toBeLessThan(500);
  });
});

describe('exactPin', () => {
  it('gives the version of a single == or === clause', () => {
    expect(exactPin('==2.7.0+cu128')).toBe('2.7.0+cu128');
    expect(exactPin('===1.0')).toBe('1.0');
  });

  it('gives nothing for wildcards, ranges and several clauses', () => {
    expect(exactPin('==1.2.*')).toBeUndefined();
    expect(exactPin('>=1.2')).toBeUndefined();
    expect(exactPin('==1.2,!=1.3')).toBeUndefined();
    expect(exactPin('')).toBeUndefined();
  });
});
