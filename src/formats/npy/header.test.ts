import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  isNpy,
  MAX_NPY_HEADER_BYTES,
  MAX_PARSED_NPY_HEADER_BYTES,
  type NpyHeader,
  parseNpyHeader,
  readNpyPreamble,
} from './header.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** A .npy file with `header` as its dict text, padded as numpy pads it (to 64 bytes, ending in '\n'). */
function npy(
  header: string,
  options: {
    version?: [number, number];
    data?: Uint8Array;
    declaredLength?: number;
    encoding?: BufferEncoding;
  } = {},
): Uint8Array {
  const [major, minor] = options.version ?? [1, 0];
  const lengthBytes = major === 1 ? 2 : 4;
  const text = Buffer.from(header, options.encoding ?? (major === 3 ? 'utf8' : 'latin1'));
  const pad = (64 - ((6 + 2 + lengthBytes + text.length + 1) % 64)) % 64;
  const body = Buffer.concat([text, Buffer.alloc(pad, 0x20), Buffer.from('\n')]);
  const length = Buffer.alloc(lengthBytes);
  if (lengthBytes === 2) length.writeUInt16LE(options.declaredLength ?? body.length);
  else length.writeUInt32LE(options.declaredLength ?? body.length);
  const parts = [Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, minor]), length, body];
  if (options.data) parts.push(Buffer.from(options.data));
  return new Uint8Array(Buffer.concat(parts));
}

const parse = (bytes: Uint8Array): NpyHeader => parseNpyHeader(bufferSource(bytes));

function parseError(bytes: Uint8Array): ParseError {
  try {
    parse(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('parseNpyHeader accepted the header');
}

const dict = (descr: string, shape = '(2,)', fortran = 'False') =>
  `{'descr': ${descr}, 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

describe('parseNpyHeader on files written by numpy', () => {
  it('reads a version 1.0 float array', () => {
    const bytes = fixture('f4-v1.npy');
    const header = parse(bytes);
    expect(header).toEqual({
      version: '1.0',
      major: 1,
      headerStart: 10,
      headerLength: 118,
      dataOffset: 128,
      descr: '<f4',
      dtypeClass: 'plain',
      fortranOrder: false,
      shape: [2, 3],
    });
    expect(bytes.length - header.dataOffset).toBe(2 * 3 * 4);
  });

  it('reads a version 2.0 header (4-byte length)', () => {
    const bytes = fixture('i8-v2.npy');
    const header = parse(bytes);
    expect(header).toMatchObject({ version: '2.0', descr: '<i8', dtypeClass: 'plain', shape: [3] });
    expect(header.dataOffset % 64).toBe(0);
    expect(bytes.length - header.dataOffset).toBe(3 * 8);
  });

  it('reads a version 3.0 header (UTF-8) with a zero-length dimension', () => {
    const header = parse(fixture('u1-v3.npy'));
    expect(header).toMatchObject({ version: '3.0', descr: '|u1', shape: [2, 0, 1], dtypeClass: 'plain' });
  });

  it('reads Fortran order and big-endian dtypes', () => {
    const bytes = fixture('fortran-v1.npy');
    const header = parse(bytes);
    expect(header).toMatchObject({ descr: '>f8', fortranOrder: true, shape: [2, 3] });
    expect(bytes.length - header.dataOffset).toBe(6 * 8);
  });

  it('reads a 0-d array (empty shape)', () => {
    expect(parse(fixture('scalar-v1.npy'))).toMatchObject({ descr: '<f2', shape: [] });
  });

  it('finds the object field of a structured dtype, and the pickle after the header', () => {
    const bytes = fixture('structured-object-v1.npy');
    const header = parse(bytes);
    expect(header.dtypeClass).toBe('object');
    expect(header.descr).toBe("[('x', '<f4'), ('obj', '|O')]");
    expect(header.shape).toEqual([2]);
    expect(bytes[header.dataOffset]).toBe(0x80); // PROTO: numpy pickles object arrays
  });

  it('recognises the magic', () => {
    expect(isNpy(fixture('f4-v1.npy'))).toBe(true);
    expect(isNpy(Buffer.from('\x93NUMP', 'latin1'))).toBe(false);
    expect(isNpy(Buffer.from('PK\x03\x04'))).toBe(false);
  });
});

describe('parseNpyHeader on crafted headers', () => {
  it('reads the same header in every version', () => {
    for (const version of [
      [1, 0],
      [2, 0],
      [3, 0],
    ] as [number, number][]) {
      expect(parse(npy(dict("'<f8'", '(4, 5)'), { version }))).toMatchObject({
        version: `${version[0]}.${version[1]}`,
        descr: '<f8',
        shape: [4, 5],
      });
    }
  });

  it('reads UTF-8 field names in version 3.0', () => {
    const header = parse(npy(dict("[('données', '<f4'), ('objet', 'O')]"), { version: [3, 0] }));
    expect(header.descr).toBe("[('données', '<f4'), ('objet', 'O')]");
    expect(header.dtypeClass).toBe('object');
  });

  it('reads keys in any order, double quotes and no trailing comma', () => {
    const header = parse(npy(`{"shape": (3,), "fortran_order": True, "descr": "|b1"}`));
    expect(header).toMatchObject({ descr: '|b1', fortranOrder: true, shape: [3] });
  });

  it('reads Python 2 long shape entries', () => {
    expect(parse(npy(dict("'<f8'", '(3L, 4L)'))).shape).toEqual([3, 4]);
  });

  it('knows every spelling numpy accepts for object dtypes', () => {
    for (const descr of [
      "'O'",
      "'|O'",
      "'<O'",
      "'O8'",
      "'|O4'",
      "'object'",
      "'object_'",
      "'f4,O'",
      "'(2,)O'",
      // NumPy 2's StringDType has hasobject True (checked with numpy 2.4.6's _read_array_header).
      "'T'",
      "'<T'",
      "'>T'",
      "'|T'",
      "'=T'",
      "'f4,T'",
      "'(2,)T'",
      "('T', (2,))",
      "[('a', '<f4'), ('b', 'T')]",
    ]) {
      expect(parse(npy(dict(descr))).dtypeClass, descr).toBe('object');
    }
    for (const descr of ["'<f8'", "'|u1'", "'<U10'", "'S5'", "'<M8[ns]'", "'|V16'", "'<c16'", "'f4,i8'"]) {
      expect(parse(npy(dict(descr))).dtypeClass, descr).toBe('plain');
    }
  });

  it('finds objects in nested, sub-array and tuple descriptions', () => {
    const cases: [string, boolean][] = [
      ["[('a', '<f4'), ('b', [('c', 'O')])]", true],
      ["[('a', 'O', (2, 3))]", true],
      ["[(('title', 'name'), 'O')]", true],
      ["[('Objective', '<f4'), ('Output', '<i8')]", false],
      ["('O', (2,))", true],
      ["('<f4', (2,))", false],
      // descr_to_dtype unpacks a 2-character field string into name and dtype.
      ["['aO']", true],
      ["['ab']", false],
    ];
    for (const [descr, objects] of cases)
      expect(parse(npy(dict(descr))).dtypeClass, descr).toBe(objects ? 'object' : 'plain');
  });

  // Each of these is loaded by numpy.load(allow_pickle=True) as an object array (checked with numpy 1.24).
  it('reads the header as ast.literal_eval does, so a pickle cannot hide behind a second reading', () => {
    const cases = [
      // A repeated key keeps its last value.
      "{'descr': '<f8', 'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
      // A comment hides a decoy.
      "{# 'descr': '<f8',\n'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
      // A parenthesised key is still a key.
      "{'descr': '<f8', ('descr'): '|O', 'fortran_order': False, 'shape': (2,), }",
      // Escapes, prefixes, concatenation and parentheses around strings.
      "{'descr': '\\x4f', 'fortran_order': False, 'shape': (2,), }",
      "{'d\\x65scr': '|O', 'fortran_order': False, 'shape': (2,), }",
      "{'descr': u'|O', 'fortran_order': False, 'shape': (2,), }",
      "{'descr': '|' 'O', 'fortran_order': False, 'shape': (2,), }",
      "{'descr': ('|O'), 'fortran_order': False, 'shape': (2,), }",
      // A field name that looks like the end of the list.
      `{'descr': [("x], 'shape", '<f4'), ('y', '|O')], 'fortran_order': False, 'shape': (2,), }`,
    ];
    for (const text of cases) expect(parse(npy(text)).dtypeClass, text).toBe('object');
  });

  it('decodes escapes in field names', () => {
    const header = parse(npy(dict("[('tab\\there', '<f4'), (r'raw\\n', '<f4'), ('''triple''', '<f4')]")));
    expect(header.dtypeClass).toBe('plain');
  });

  it('refuses a bad magic', () => {
    expect(parseError(Buffer.from('\x93NUMPZ\x01\x00', 'latin1')).code).toBe('BAD_MAGIC');
    expect(parseError(new Uint8Array(0)).code).toBe('BAD_MAGIC');
    expect(parseError(fixture('f4-v1.npy').subarray(1)).code).toBe('BAD_MAGIC');
  });

  it('refuses truncated files at every length', () => {
    for (const name of ['f4-v1.npy', 'i8-v2.npy', 'u1-v3.npy']) {
      const bytes = fixture(name);
      const full = parse(bytes);
      for (let length = 0; length < full.dataOffset; length++) {
        const error = parseError(bytes.subarray(0, length));
        expect(['TRUNCATED', 'BAD_MAGIC'], `${name} cut at ${length}`).toContain(error.code);
      }
      expect(parse(bytes.subarray(0, full.dataOffset))).toEqual(full);
    }
  });

  it('reads headers over numpy’s default size limit, which allow_pickle=True lifts', () => {
    // numpy/lib/format.py read_array: `if allow_pickle: max_header_size = 2**64`, so an object array's
    // pickle runs behind a header of any length.
    const long = npy(dict(`'|O'`).replace('{', `{${' '.repeat(MAX_NPY_HEADER_BYTES)}`), { version: [2, 0] });
    expect(readNpyPreamble(bufferSource(long)).headerLength).toBeGreaterThan(MAX_NPY_HEADER_BYTES);
    expect(parse(long).dtypeClass).toBe('object');
    // A declared length past the end of the file is truncation; past pedigree's own limit, a refusal.
    const v1 = npy(dict("'<f8'"), { declaredLength: MAX_NPY_HEADER_BYTES + 1 });
    expect(parseError(v1).code).toBe('TRUNCATED');
    const v2 = npy(dict("'<f8'"), { version: [2, 0], declaredLength: 0xffffffff });
    expect(parseError(v2).code).toBe('LIMIT_EXCEEDED');
    expect(readNpyPreamble(bufferSource(v2))).toMatchObject({ headerStart: 12, dataOffset: 12 + 0xffffffff });
    expect(0xffffffff).toBeGreaterThan(MAX_PARSED_NPY_HEADER_BYTES);
  });

  it('refuses unknown versions', () => {
    expect(parseError(npy(dict("'<f8'"), { version: [4, 0] })).code).toBe('UNSUPPORTED');
    expect(parseError(npy(dict("'<f8'"), { version: [0, 9] })).code).toBe('UNSUPPORTED');
  });

  it('refuses headers without exactly descr, fortran_order and shape', () => {
    for (const text of [
      "{'fortran_order': False, 'shape': (2,), }",
      "{'descr': '<f8', 'shape': (2,), }",
      "{'descr': '<f8', 'fortran_order': False, }",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1, }",
      '{}',
      "['descr', 'fortran_order', 'shape']",
    ]) {
      expect(parseError(npy(text)).code, text).toBe('BAD_STRUCTURE');
    }
  });

  it('refuses text that is not a Python literal', () => {
    for (const text of [
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)",
      "{'descr': '<f8' 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f8, 'fortran_order': False, 'shape': (2,)}",
      "{'descr': b'<f8', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': f'<f8', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)} extra",
      "{'descr': '\\N{LATIN CAPITAL LETTER O}', 'fortran_order': False, 'shape': (2,)}",
      "{'descr': {'<f8'}, 'fortran_order': False, 'shape': (2,)}",
      "{'descr': __import__('os'), 'fortran_order': False, 'shape': (2,)}",
      `{'descr': ${'['.repeat(200)}${']'.repeat(200)}, 'fortran_order': False, 'shape': (2,)}`,
      '',
    ]) {
      expect(parseError(npy(text)).code, text).toBe('BAD_STRUCTURE');
    }
  });

  it('refuses bad shape and fortran_order values', () => {
    for (const shape of ['(1.5,)', "('a',)", '(2**60,)', '(9007199254740993,)', '[2, 3]', '2', '(None,)']) {
      const error = parseError(npy(dict("'<f8'", shape)));
      expect(['BAD_VALUE', 'BAD_STRUCTURE'], shape).toContain(error.code);
    }
    expect(parseError(npy(dict("'<f8'", '(2,)', '0'))).code).toBe('BAD_VALUE');
    expect(parseError(npy(dict("'<f8'", '(2,)', "'False'"))).code).toBe('BAD_VALUE');
  });

  it('keeps negative shape entries, which numpy’s header check accepts', () => {
    // _read_array_header checks only isinstance(x, int); read_array then unpickles an object array.
    expect(parse(npy(dict("'|O'", '(-1, True)'))).shape).toEqual([-1, 1]);
  });

  it('reads CR and CRLF as newlines, as CPython’s tokenizer does before ast.literal_eval', () => {
    // A backslash before CRLF inside a string is a line continuation: the descr is 'O'.
    expect(parse(npy("{'descr': 'O\\\r\n', 'fortran_order': False, 'shape': (2,), }")).dtypeClass).toBe(
      'object',
    );
    expect(parse(npy("{'descr': '|O',\r'fortran_order': False,\r\n'shape': (2,), }")).dtypeClass).toBe(
      'object',
    );
  });

  it('refuses a version 3.0 header that is not UTF-8, and reads 1.0 headers as ISO-8859-1', () => {
    const bad = npy(dict("'<f8'"), { version: [3, 0] });
    bad[14] = 0xff; // inside the dict text
    expect(parseError(bad).code).toBe('BAD_VALUE');
    // 0x80 is U+0080 in ISO-8859-1 (Python's latin1), not the euro sign of windows-1252.
    const raw = npy(
      `{'descr': [('${String.fromCharCode(0x80)}', '<f4')], 'fortran_order': False, 'shape': (2,), }`,
      {
        encoding: 'latin1',
      },
    );
    expect(parse(raw).descr).toBe(`[('${String.fromCharCode(0x80)}', '<f4')]`);
  });

  it('never throws anything but ParseError on random header text', () => {
    const alphabet = fc.constantFrom(
      ...`{}[]()'",: #\\\nxOuUrRbL0123456789-_.TrueFalseNone descrshapefortran_order`,
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 120 }), (chars) => {
        try {
          parse(npy(chars.join('')));
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
        try {
          parse(npy(dict(`[('${chars.join('')}', 'O')]`)));
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
