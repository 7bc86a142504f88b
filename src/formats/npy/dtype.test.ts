import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyDescr, type DescrClass } from './dtype.js';
import { LiteralParser } from './literal.js';

const classify = (text: string) => classifyDescr(new LiteralParser(text, 0).parse()).class;

/**
 * Verdicts checked with numpy 1.24.2 and 2.4.6 (`descr_to_dtype(descr).hasobject`, and `numpy.dtype(descr)`
 * as NumPy < 1.17 read headers); header parsing only, nothing loaded.
 */
describe('classifyDescr', () => {
  it('knows the descrs numpy writes', () => {
    const cases: [string, DescrClass][] = [
      ["'<f4'", 'plain'],
      ["'>f8'", 'plain'],
      ["'|b1'", 'plain'],
      ["'<U7'", 'plain'],
      ["'|S3'", 'plain'],
      ["'|V5'", 'plain'],
      ["'<M8[ns]'", 'plain'],
      ["'>m8[D]'", 'plain'],
      ["'<c32'", 'plain'],
      ["'|O'", 'object'],
      ["[('x', '<f4'), ('obj', '|O')]", 'object'],
      ["[(('title', 'name'), '<f4'), ('b', '|S3')]", 'plain'],
      ["[('a', '<f4', (2, 3)), ('b', [('c', '<i2'), ('d', '<U3', (2,))])]", 'plain'],
      ["[('a', '|O', (2,))]", 'object'],
      ["[('a', '<i4'), ('', '|V4'), ('b', '<f8'), ('', '|V8')]", 'plain'],
    ];
    for (const [descr, want] of cases) expect(classify(descr), descr).toBe(want);
  });

  it('finds NumPy 2 StringDType (T) in every form descr_to_dtype accepts', () => {
    for (const descr of [
      "'T'",
      "'<T'",
      "'>T'",
      "'|T'",
      "'=T'",
      "'f4,T'",
      "'f4, T'",
      "'(2,)T'",
      "'2T'",
      "('T', (2,))",
      "('T', 2)",
      "[('b', 'T')]",
      "[('a', '<f4'), ('b', 'T', (2,))]",
      "[(('title', 'b'), 'T')]",
      "[('a', [('b', 'T')])]",
      "[('a', ('T', (2,)))]",
      "['aT']",
    ]) {
      expect(classify(descr), descr).toBe('object');
    }
  });

  it('finds object dtypes behind comma strings, shapes, names and views', () => {
    for (const descr of [
      "'O4'",
      "'=O'",
      "'>O'",
      "'f4, O'",
      "'i4,(2,3)O'",
      "'(2,)3O'",
      "'object'",
      "'object_'",
      "'object0'", // NumPy < 1.24
      "'Object0'", // older NumPy
      "('|O', [2])",
      "[['a', 'O']]",
      "[('a', 'O', 2)]",
      "[('a', ('O', (1,)))]",
      // (base, dtype) views: 'V' takes the fields and flags of the dtype it is viewed as.
      "('V', 'O')",
      "('V', [('a', 'O')])",
      "('O', [('a', 'O')])",
      "[('a', 'V', 'O')]",
      // descr_to_dtype unpacks strings and dict keys as fields.
      "['aO']",
      "{'aO': 1}",
    ]) {
      expect(classify(descr), descr).toBe('object');
    }
  });

  it('fails closed on forms it does not know', () => {
    for (const descr of [
      "''",
      "'x'",
      "'f 4'", // strtol skips the space: float32 to numpy, unknown here
      "'float96'", // a platform name
      "'bfloat16'", // a name a library can add to numpy.sctypeDict
      "'f4,$'",
      "'\\x00O'",
      "'\\u00d8'",
      "{'names': ['a'], 'formats': ['O']}", // object to numpy.dtype (NumPy < 1.17)
      "{'ab': 1}",
      'None',
      '1',
      "('<f4',)",
      "[('a', '<f4', (2,), 'x')]",
      '[1]',
      "('f4', None)",
    ]) {
      expect(classify(descr), descr).toBe('unknown');
    }
  });

  it('keeps plain what is plain in every reading', () => {
    for (const descr of [
      "'f4,i8'",
      "'(2,3)f4, <i2'",
      "'M8[ns],m8[s]'",
      "'float64'",
      "'int0'",
      "'n'",
      "'a5'",
      "('<f4', (2,))",
      "('V', [('a', '<f4')])",
      "('<i4', 2)",
      "['ab']",
      '[]',
      "[('Objective', '<f4'), ('Output', '<i8'), ('T', '<u1')]",
    ]) {
      expect(classify(descr), descr).toBe('plain');
    }
  });

  it('never calls a descr with an O or T type code plain', () => {
    const part = fc.constantFrom(
      'f4',
      'i8',
      '<',
      '>',
      '|',
      '=',
      ',',
      ' ',
      '(2,)',
      '(',
      ')',
      '2',
      '[ns]',
      'S5',
    );
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 4 }),
        fc.constantFrom('O', 'T'),
        fc.array(part, { maxLength: 4 }),
        (a, code, b) => {
          const s = `${a.join('')}${code}${b.join('')}`;
          // A code glued to letters forms another name ('S5O'), which numpy rejects; only standalone codes
          // are asserted on. (Datetime strings are left out: 'M8>O' is a datetime with bad metadata.)
          fc.pre(!/[A-Za-z0-9]$/.test(a.join('')) && !/^[A-Za-z]/.test(b.join('')));
          expect(classify(JSON.stringify(s).replace(/^"|"$/g, "'")), s).not.toBe('plain');
        },
      ),
      { numRuns: 3000 },
    );
  });
});
