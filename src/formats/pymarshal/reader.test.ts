import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { CODE_LAYOUTS, codeObjects, marshalStrings, parseMarshal, parseMarshalCode } from './reader.js';
import { marshalDumps } from './test-support.js';

interface Case {
  source: string;
  marshal_base64: string;
  co_name: string;
  co_names: string[];
  co_consts: ({ str: string } | { repr: string } | { code: string })[];
  nested: string[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/cpython-code.json', import.meta.url), 'utf8'),
) as {
  python: string;
  cases: Case[];
};

const bytesOf = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('parseMarshalCode', () => {
  describe(`when given code objects marshalled by CPython ${fixture.python}`, () => {
    for (const c of fixture.cases) {
      it(`reads ${c.source}`, () => {
        const { code, trailing } = parseMarshalCode(bytesOf(c.marshal_base64));
        expect(trailing).toBe(0);
        expect(code.layout).toBe('py311-314');
        expect(code.name).toBe(c.co_name);
        expect(code.names).toEqual(c.co_names);
        const strings = c.co_consts.flatMap((k) => ('str' in k ? [k.str] : []));
        const read = code.consts.flatMap((v) => (v.kind === 'str' ? [v.value] : []));
        expect(read).toEqual(strings);
        expect(code.consts).toHaveLength(c.co_consts.length);
        expect(
          codeObjects(code)
            .slice(1)
            .map((n) => n.name),
        ).toEqual(c.nested);
      });
    }

    it('reads constants of every kind with their values', () => {
      const c = fixture.cases.find((k) => k.source.includes('frozenset')) as Case;
      const { code } = parseMarshalCode(bytesOf(c.marshal_base64));
      const kinds = code.consts.map((v) => v.kind);
      expect(kinds).toEqual(['none', 'bytes', 'int', 'int', 'complex', 'tuple', 'tuple']);
      const big = code.consts[2];
      expect(big?.kind === 'int' && big.value).toBe('12345678901234567890');
    });
  });

  for (const layout of CODE_LAYOUTS) {
    it(`recognises the ${layout} code object layout`, () => {
      const bytes = marshalDumps(
        {
          code: {
            name: '<lambda>',
            names: ['os', 'system'],
            consts: [null, 'id', { code: { name: 'inner', names: ['eval'] } }],
          },
        },
        layout,
      );
      const { code } = parseMarshalCode(bytes);
      expect(code.layout).toBe(layout);
      expect(code.names).toEqual(['os', 'system']);
      expect(codeObjects(code).map((c) => c.name)).toEqual(['<lambda>', 'inner']);
      expect(codeObjects(code)[1]?.names).toEqual(['eval']);
    });
  }

  it('resolves references to earlier objects, numbered before their children', () => {
    // FLAG_REF on the outer tuple (ref 0) and on 'os' (ref 1), then r(1): ('os', 'os').
    const bytes = new Uint8Array([0xa9, 2, 0xfa, 2, 0x6f, 0x73, 0x72, 1, 0, 0, 0]);
    const { value } = parseMarshal(bytes, 'py311-314');
    expect(value).toEqual({
      kind: 'tuple',
      items: [
        { kind: 'str', value: 'os' },
        { kind: 'str', value: 'os' },
      ],
    });
  });

  it('counts trailing bytes, which marshal.loads ignores', () => {
    const c = fixture.cases[0] as Case;
    const bytes = new Uint8Array([...bytesOf(c.marshal_base64), 0x41, 0x42]);
    expect(parseMarshalCode(bytes).trailing).toBe(2);
  });

  describe('on malformed input', () => {
    const good = bytesOf((fixture.cases[0] as Case).marshal_base64);

    it('refuses truncated data at every length', () => {
      for (let n = 0; n < good.length; n += 7) {
        expect(parseError(() => parseMarshalCode(good.subarray(0, n))).code).toMatch(/TRUNCATED|BAD_/);
      }
    });

    it('refuses an unknown type byte', () => {
      expect(parseError(() => parseMarshal(new Uint8Array([0x21]), 'py311-314')).code).toBe('BAD_VALUE');
    });

    it('refuses data that is not a code object', () => {
      expect(parseError(() => parseMarshalCode(marshalDumps('text', 'py311-314'))).code).toBe(
        'BAD_STRUCTURE',
      );
    });

    it('refuses a reference to an object not read yet (a cycle)', () => {
      expect(
        parseError(() => parseMarshal(new Uint8Array([0xa9, 1, 0x72, 0, 0, 0, 0]), 'py311-314')).code,
      ).toBe('BAD_VALUE');
    });

    it('refuses counts larger than the data before allocating', () => {
      const bytes = new Uint8Array([0x28, 0xff, 0xff, 0xff, 0x7f]);
      expect(parseError(() => parseMarshal(bytes, 'py311-314')).message).toMatch(/does not fit/);
    });

    it('refuses negative lengths', () => {
      expect(
        parseError(() => parseMarshal(new Uint8Array([0x73, 0xff, 0xff, 0xff, 0xff]), 'py311-314')).code,
      ).toBe('BAD_VALUE');
    });

    it('stops at the nesting limit', () => {
      const deep = new Uint8Array([
        ...Array(300)
          .fill(0x5b)
          .flatMap((b) => [b, 1, 0, 0, 0]),
        0x4e,
      ]);
      expect(parseError(() => parseMarshal(deep, 'py311-314')).code).toBe('LIMIT_EXCEEDED');
    });

    it('stops at the object limit, whatever the layout', () => {
      expect(parseError(() => parseMarshalCode(good, { maxObjects: 3 })).code).toBe('LIMIT_EXCEEDED');
    });

    it('refuses input over the size limit', () => {
      expect(parseError(() => parseMarshalCode(good, { maxBytes: 10 })).code).toBe('LIMIT_EXCEEDED');
    });

    it('refuses 15-bit long digits out of range', () => {
      expect(
        parseError(() => parseMarshal(new Uint8Array([0x6c, 1, 0, 0, 0, 0xff, 0xff]), 'py311-314')).code,
      ).toBe('BAD_VALUE');
    });
  });
});

const versions = JSON.parse(
  readFileSync(new URL('./fixtures/cpython-versions.json', import.meta.url), 'utf8'),
) as { source: string; cases: { python: string; marshal: string }[] };

describe('parseMarshalCode on the same lambda from CPython 2.7 to 3.13', () => {
  for (const { python, marshal } of versions.cases.filter((c) => !c.python.startsWith('2.'))) {
    it(`reads the code object CPython ${python} wrote, names included`, () => {
      const { code, trailing } = parseMarshalCode(bytesOf(marshal));
      expect(code.names).toEqual(['__import__', 'check_output']);
      expect(code.name).toBe('<lambda>');
      expect(trailing).toBe(0);
    });
  }

  it('leaves Python 2 code (which Python 3 cannot load) to the string fallback', () => {
    const py2 = versions.cases.find((c) => c.python.startsWith('2.'));
    expect(py2).toBeDefined();
    const bytes = bytesOf(py2?.marshal ?? '');
    expect(() => parseMarshalCode(bytes)).toThrow(ParseError);
    expect(marshalStrings(bytes)).toEqual(expect.arrayContaining(['subprocess', 'check_output']));
  });
});

describe('marshalStrings', () => {
  it('lists the strings of marshal data no layout reads', () => {
    const bytes = marshalDumps(
      { code: { name: '<lambda>', names: ['os', 'system'], consts: ['id'] } },
      'py311-314',
    );
    // Damage the header so that no layout parses it; the strings are still there.
    const damaged = new Uint8Array([0x63, 0x7f, ...bytes.subarray(1)]);
    expect(() => parseMarshalCode(damaged)).toThrow(ParseError);
    expect(marshalStrings(damaged)).toEqual(expect.arrayContaining(['os', 'system', 'id', '<lambda>']));
  });
});
