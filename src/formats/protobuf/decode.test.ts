import { Root } from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  decodeProtoMessage,
  isProtoMessage,
  isProtoPackedRun,
  isProtoRef,
  type ProtoMessage,
  protoMessages,
  protoValue,
  protoValues,
} from './decode.js';
import { len, tag } from './test-support.js';

const root = Root.fromJSON({
  nested: {
    t: {
      nested: {
        Kind: { values: { A: 0, B: 1 } },
        Inner: {
          fields: {
            name: { type: 'string', id: 1 },
            tags: { rule: 'repeated', type: 'string', id: 2 },
            child: { type: 'Inner', id: 3 },
          },
        },
        Outer: {
          fields: {
            id: { type: 'int64', id: 1 },
            small: { type: 'int32', id: 2 },
            signed: { type: 'sint64', id: 3 },
            flag: { type: 'bool', id: 4 },
            kind: { type: 'Kind', id: 5 },
            ratio: { type: 'float', id: 6 },
            big: { type: 'double', id: 7 },
            blob: { type: 'bytes', id: 8 },
            text: { type: 'string', id: 9 },
            inner: { type: 'Inner', id: 10 },
            items: { rule: 'repeated', type: 'Inner', id: 11 },
            ints: { rule: 'repeated', type: 'int64', id: 12, options: { packed: true } },
            floats: { rule: 'repeated', type: 'float', id: 13, options: { packed: true } },
            skipped: { rule: 'repeated', type: 'Inner', id: 14 },
          },
        },
      },
    },
  },
}).resolveAll();
const Outer = root.lookupType('t.Outer');

const encode = (value: Record<string, unknown>) => Outer.encode(Outer.fromObject(value)).finish();
const decode = (bytes: Uint8Array | readonly number[], options = {}) =>
  decodeProtoMessage(
    bufferSource(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)),
    Outer,
    options,
  );

describe('decodeProtoMessage', () => {
  it('decodes what protobufjs encodes, every scalar type by its declared type', () => {
    const m = decode(
      encode({
        id: '-5',
        small: -2,
        signed: '-3',
        flag: true,
        kind: 1,
        ratio: 0.5,
        big: 2.25,
        blob: new Uint8Array([1, 2]),
        text: 'héllo',
        inner: { name: 'a', tags: ['x', 'y'], child: { name: 'b' } },
        items: [{ name: 'i0' }, { name: 'i1' }],
        ints: [1, 300, '-1'],
        floats: [1.5, -2],
      }),
    );
    expect(m.type).toBe('t.Outer');
    expect(protoValue(m, 'id')).toBe(-5n);
    expect(protoValue(m, 'small')).toBe(-2);
    expect(protoValue(m, 'signed')).toBe(-3n);
    expect(protoValue(m, 'flag')).toBe(true);
    expect(protoValue(m, 'kind')).toBe(1);
    expect(protoValue(m, 'ratio')).toBe(0.5);
    expect(protoValue(m, 'big')).toBe(2.25);
    expect(protoValue(m, 'blob')).toEqual(new Uint8Array([1, 2]));
    expect(protoValue(m, 'text')).toBe('héllo');
    const inner = protoMessages(m, 'inner')[0] as ProtoMessage;
    expect(protoValues(inner, 'tags')).toEqual(['x', 'y']);
    expect(protoValue(protoMessages(inner, 'child')[0] as ProtoMessage, 'name')).toBe('b');
    expect(protoMessages(m, 'items').map((i) => protoValue(i, 'name'))).toEqual(['i0', 'i1']);
    expect(protoValues(m, 'ints')).toEqual([1n, 300n, -1n]);
    expect(protoValues(m, 'floats')).toEqual([1.5, -2]);
    expect(m.unknown).toEqual([]);
    expect(m.repeatedSingular).toEqual([]);
  });

  it('accepts repeated scalars both packed and unpacked, as protobuf parsers do', () => {
    const m = decode([...tag(12, 0), 7, ...len(12, [8, 9]), ...tag(12, 0), 10]);
    expect(protoValues(m, 'ints')).toEqual([7n, 8n, 9n, 10n]);
  });

  it('references long bytes and strings by position instead of reading them', () => {
    const blob = new Uint8Array(10_000).fill(7);
    const bytes = encode({ blob, text: 'x'.repeat(100) });
    const m = decode(bytes, { limits: { maxInlineBytes: 64, maxInlineStringBytes: 50 } });
    const ref = protoValue(m, 'blob');
    expect(isProtoRef(ref) && ref.length).toBe(10_000);
    expect(isProtoRef(ref) && bytes[ref.offset]).toBe(7);
    expect(isProtoRef(protoValue(m, 'text'))).toBe(true);
  });

  it('counts long packed runs without decoding them', () => {
    const bytes = encode({
      ints: Array.from({ length: 5000 }, (_, i) => i),
      floats: new Array(3000).fill(1),
    });
    const m = decode(bytes);
    const ints = protoValues(m, 'ints')[0];
    const floats = protoValues(m, 'floats')[0];
    expect(isProtoPackedRun(ints) && ints.count).toBe(5000);
    expect(isProtoPackedRun(floats) && floats.count).toBe(3000);
    const uncounted = decode(bytes, { limits: { maxCountedPackedBytes: 100 } });
    const run = protoValues(uncounted, 'ints')[0];
    expect(isProtoPackedRun(run) && run.count).toBeUndefined();
  });

  it('merges a singular message given twice and keeps the last singular scalar, noting both', () => {
    const bytes = [
      ...len(10, [...len(1, [0x61]), ...len(2, [0x78])]),
      ...tag(2, 0),
      1,
      ...len(10, [...len(2, [0x79])]),
      ...tag(2, 0),
      2,
    ];
    const m = decode(bytes);
    const inner = protoMessages(m, 'inner');
    expect(inner).toHaveLength(1);
    expect(protoValue(inner[0] as ProtoMessage, 'name')).toBe('a');
    expect(protoValues(inner[0] as ProtoMessage, 'tags')).toEqual(['x', 'y']);
    expect(protoValue(m, 'small')).toBe(2);
    expect(m.repeatedSingular).toEqual(['inner', 'small']);
  });

  it('keeps fields the schema does not know, and wire-type mismatches, as unknown fields', () => {
    const m = decode([...tag(99, 0), 1, ...tag(10, 0), 5, ...len(98, [1, 2, 3])]);
    expect(m.unknown.map((u) => [u.number, u.declaredAs])).toEqual([
      [99, undefined],
      [10, 'inner'],
      [98, undefined],
    ]);
    expect(protoMessages(m, 'inner')).toEqual([]);
  });

  it('skips ignored fields undecoded', () => {
    const bytes = encode({ skipped: [{ name: 'a' }, { name: 'b' }], small: 3 });
    const m = decode(bytes, { ignore: new Set(['t.Outer.skipped']) });
    expect(m.fields.has('skipped')).toBe(false);
    expect(protoValue(m, 'small')).toBe(3);
  });

  describe('malformed input', () => {
    const fails = (bytes: readonly number[], options = {}) => {
      try {
        decode(bytes, options);
      } catch (error) {
        expect(error).toBeInstanceOf(ParseError);
        return error as ParseError;
      }
      throw new Error('expected a ParseError');
    };

    it('refuses a nested message longer than its parent', () => {
      const error = fails([...tag(10, 2), 4, ...len(1, [0x61, 0x62, 0x63])]);
      expect(error.code).toBe('BAD_STRUCTURE');
      expect(error.offset).toBe(2);
    });

    it('refuses a packed fixed-size run of the wrong length', () => {
      expect(fails(len(13, [0, 0, 0])).message).toMatch(/not a multiple of 4/);
    });

    it('stops at the depth limit', () => {
      let inner: number[] = len(1, [0x61]);
      for (let i = 0; i < 30; i++) inner = len(3, inner);
      const error = fails(len(10, inner), { limits: { maxDepth: 10 } });
      expect(error.code).toBe('LIMIT_EXCEEDED');
      expect(() => decode(len(10, inner))).not.toThrow();
    });

    it('stops at the field limit, packed elements included', () => {
      expect(
        fails([...tag(2, 0), 1, ...tag(2, 0), 2, ...tag(2, 0), 3], { limits: { maxFields: 2 } }).code,
      ).toBe('LIMIT_EXCEEDED');
      expect(fails(len(12, [1, 2, 3, 4]), { limits: { maxFields: 3 } }).code).toBe('LIMIT_EXCEEDED');
    });

    it('refuses truncated input at every prefix of a valid message', () => {
      const bytes = encode({ id: 1, text: 'abc', inner: { name: 'n' }, ints: [1, 2] });
      for (let n = 1; n < bytes.length; n++) {
        let result: ProtoMessage | undefined;
        try {
          result = decode(bytes.subarray(0, n));
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
        }
        // A prefix that ends exactly between fields is itself a valid (shorter) message.
        if (result !== undefined) expect(isProtoMessage(result)).toBe(true);
      }
    });
  });
});
