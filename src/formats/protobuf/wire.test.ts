import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { len, tag, varint } from './test-support.js';
import {
  countPackedVarints,
  MAX_PROTOBUF_GROUP_DEPTH,
  readFields,
  readVarint,
  WIRE_EGROUP,
  WIRE_I32,
  WIRE_I64,
  WIRE_LEN,
  WIRE_SGROUP,
  WIRE_VARINT,
  type WireField,
  zigZagDecode,
} from './wire.js';

const fields = (bytes: readonly number[]): WireField[] => {
  const data = new Uint8Array(bytes);
  return [...readFields(new ByteReader(data), 0, data.length)];
};

const parseError = (run: () => unknown): ParseError => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('expected a ParseError');
};

describe('readVarint', () => {
  it('reads one-byte, multi-byte and full 64-bit varints', () => {
    for (const value of [0n, 1n, 127n, 128n, 300n, 2n ** 49n + 5n, 2n ** 63n, 2n ** 64n - 1n]) {
      const bytes = new Uint8Array(varint(value));
      expect(readVarint(new ByteReader(bytes))).toBe(value);
    }
    expect(varint(2n ** 64n - 1n)).toHaveLength(10);
  });

  it('refuses an 11-byte varint and a tenth byte that overflows 64 bits', () => {
    const eleven = new Uint8Array([...Array(10).fill(0x80), 0x01]);
    expect(parseError(() => readVarint(new ByteReader(eleven))).code).toBe('BAD_VALUE');
    const overflow = new Uint8Array([...Array(9).fill(0xff), 0x02]);
    expect(parseError(() => readVarint(new ByteReader(overflow))).message).toMatch(/overflows 64 bits/);
  });

  it('reports a varint cut short by the end of the input as TRUNCATED', () => {
    expect(parseError(() => readVarint(new ByteReader(new Uint8Array([0x80, 0x80])))).code).toBe('TRUNCATED');
  });
});

describe('readFields', () => {
  it('walks every wire type, skipping values without reading them', () => {
    const bytes = [
      ...tag(1, WIRE_VARINT),
      ...varint(150),
      ...tag(2, WIRE_I64),
      ...Array(8).fill(1),
      ...len(3, [1, 2, 3]),
      ...tag(4, WIRE_SGROUP),
      ...tag(1, WIRE_VARINT),
      5,
      ...tag(4, WIRE_EGROUP),
      ...tag(5, WIRE_I32),
      1,
      2,
      3,
      4,
    ];
    const out = fields(bytes);
    expect(out.map((f) => [f.number, f.wireType, f.length])).toEqual([
      [1, WIRE_VARINT, 2],
      [2, WIRE_I64, 8],
      [3, WIRE_LEN, 3],
      [4, WIRE_SGROUP, 2],
      [5, WIRE_I32, 4],
    ]);
    expect(out[0]?.varint).toBe(150n);
    expect(out[2]?.valueOffset).toBe(14);
    expect(out[4]?.end).toBe(bytes.length);
  });

  it('refuses field number 0, wire types 6 and 7, and an end-group without its start', () => {
    expect(parseError(() => fields([0x00, 0x01])).message).toMatch(/field number 0/);
    expect(parseError(() => fields([0x0e])).message).toMatch(/wire type 6/);
    expect(parseError(() => fields([0x0f])).message).toMatch(/wire type 7/);
    expect(parseError(() => fields(tag(3, WIRE_EGROUP))).code).toBe('BAD_STRUCTURE');
  });

  it('refuses a length past the enclosing message, with the field offset', () => {
    const error = parseError(() => fields([...tag(1, WIRE_VARINT), 1, ...tag(2, WIRE_LEN), 50, 1, 2]));
    expect(error.code).toBe('BAD_STRUCTURE');
    expect(error.offset).toBe(2);
    // Inside a sub-range, the bound is the sub-range, not the input.
    const data = new Uint8Array([...len(1, [...tag(2, WIRE_LEN), 3, 9, 9]), 9, 9]);
    expect(() => [...readFields(new ByteReader(data), 2, 5)]).toThrow(/past the end of its message/);
  });

  it('refuses fixed-size values and varints that cross the end of the message', () => {
    expect(parseError(() => fields([...tag(1, WIRE_I64), 1, 2, 3])).code).toMatch(/TRUNCATED|BAD_STRUCTURE/);
    const data = new Uint8Array([...tag(1, WIRE_VARINT), 0x80, 0x01]);
    expect(() => [...readFields(new ByteReader(data), 0, 2)]).toThrow(ParseError);
  });

  it('refuses an unterminated group and groups nested past the limit', () => {
    expect(parseError(() => fields([...tag(1, WIRE_SGROUP), ...tag(2, WIRE_VARINT), 1])).message).toMatch(
      /no end tag/,
    );
    const deep = [
      ...Array.from({ length: MAX_PROTOBUF_GROUP_DEPTH + 2 }, () => tag(1, WIRE_SGROUP)).flat(),
      ...Array.from({ length: MAX_PROTOBUF_GROUP_DEPTH + 2 }, () => tag(1, WIRE_EGROUP)).flat(),
    ];
    expect(parseError(() => fields(deep)).code).toBe('LIMIT_EXCEEDED');
  });

  it('never throws anything but ParseError, and always ends, on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        try {
          let n = 0;
          for (const f of readFields(new ByteReader(bytes), 0, bytes.length)) {
            expect(f.end).toBeGreaterThan(f.offset);
            expect(f.end).toBeLessThanOrEqual(bytes.length);
            n++;
          }
          expect(n).toBeLessThanOrEqual(bytes.length);
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('countPackedVarints', () => {
  it('counts varints of any length without decoding them', () => {
    const run = [...varint(1), ...varint(300), ...varint(2n ** 63n), ...varint(0)];
    const data = new Uint8Array([9, ...run]);
    expect(countPackedVarints(new ByteReader(data), 1, data.length)).toBe(4);
  });

  it('refuses a run that ends inside a varint or overflows', () => {
    const data = new Uint8Array([0x01, 0x80]);
    expect(parseError(() => countPackedVarints(new ByteReader(data), 0, 2)).code).toBe('BAD_STRUCTURE');
    const overflow = new Uint8Array([...Array(9).fill(0xff), 0x7f]);
    expect(parseError(() => countPackedVarints(new ByteReader(overflow), 0, 10)).code).toBe('BAD_VALUE');
  });
});

describe('zigZagDecode', () => {
  it('maps 0, 1, 2, 3 to 0, -1, 1, -2', () => {
    expect([0n, 1n, 2n, 3n].map(zigZagDecode)).toEqual([0n, -1n, 1n, -2n]);
  });
});
