import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  duplicateKeys,
  isSafetensorsHead,
  readSafetensorsHeader,
  SAFETENSORS_MAX_HEADER_BYTES,
} from './header.js';
import { safetensors, validFile } from './test-support.js';

const read = (bytes: Uint8Array) => readSafetensorsHeader(bufferSource(bytes));
const messages = (bytes: Uint8Array) => read(bytes).problems.map((p) => `${p.kind}: ${p.message}`);

describe('safetensors header', () => {
  it('reads a valid file with metadata and padding, and finds nothing wrong', () => {
    const h = read(
      safetensors(
        { __metadata__: { format: 'pt' }, w: { dtype: 'BF16', shape: [2, 2], data_offsets: [0, 8] } },
        new Uint8Array(8),
        { pad: 5 },
      ),
    );
    expect(h.tensors.map((t) => `${t.name} ${t.dtype} ${t.shape}`)).toEqual(['w BF16 2,2']);
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.problems).toEqual([]);
    expect(h.uncovered).toEqual([]);
    expect(read(validFile()).problems).toEqual([]);
  });

  it('sizes sub-byte dtypes in bits', () => {
    const ok = safetensors({ q: { dtype: 'F4', shape: [4], data_offsets: [0, 2] } }, new Uint8Array(2));
    expect(messages(ok)).toEqual([]);
    const odd = safetensors({ q: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, new Uint8Array(2));
    expect(messages(odd)[0]).toContain('do not fill whole bytes');
  });

  it('reports gaps, overlaps, size mismatches and bytes after the last tensor, with the uncovered ranges', () => {
    const gap = safetensors(
      {
        a: { dtype: 'U8', shape: [2], data_offsets: [0, 2] },
        b: { dtype: 'U8', shape: [2], data_offsets: [4, 6] },
      },
      new Uint8Array(9),
    );
    const h = read(gap);
    expect(h.problems.map((p) => p.kind)).toEqual(['layout', 'layout']);
    expect(h.uncovered).toEqual([
      { start: h.dataStart + 2, end: h.dataStart + 4 },
      { start: h.dataStart + 6, end: h.dataStart + 9 },
    ]);
    const overlap = safetensors(
      {
        a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
        b: { dtype: 'U8', shape: [2], data_offsets: [2, 4] },
      },
      new Uint8Array(4),
    );
    expect(messages(overlap).join()).toContain('overlaps');
    const mismatch = safetensors(
      { a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } },
      new Uint8Array(4),
    );
    expect(messages(mismatch).join()).toContain('needs 8 bytes');
    const past = safetensors({ a: { dtype: 'U8', shape: [8], data_offsets: [0, 8] } }, new Uint8Array(4));
    expect(messages(past).join()).toContain('past the end');
  });

  it('reports what the reference reader refuses: unknown dtypes, bad shapes and offsets, non-string metadata, duplicate keys', () => {
    const bad = safetensors(
      '{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,16]},"b":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]},' +
        '"c":{"dtype":"U8","shape":[1],"data_offsets":[1]},"__metadata__":{"n":1},"d":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},' +
        '"d":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
      new Uint8Array(1),
    );
    const found = messages(bad).join('\n');
    expect(found).toContain("key 'd' appears more than once");
    expect(found).toContain('unknown dtype "F128"');
    expect(found).toContain('shape is not a list of non-negative integers');
    expect(found).toContain('data_offsets is not [begin, end]');
    expect(found).toContain("__metadata__ value 'n' is not a string");
  });

  it('finds duplicate keys at any depth, after escapes', () => {
    expect(duplicateKeys('{"a":1,"\\u0061":2,"o":{"x":[{"y":1,"y":2}],"x":3}}')).toEqual(['a', 'y', 'x']);
    expect(duplicateKeys('{"a":"a","b":["a","a"]}')).toEqual([]);
  });

  it('refuses with ParseError what has no header to read', () => {
    const cases: Uint8Array[] = [
      new Uint8Array(4),
      safetensors('{}').subarray(0, 9),
      (() => {
        const b = safetensors('{}');
        Buffer.from(b.buffer).writeBigUInt64LE(BigInt(SAFETENSORS_MAX_HEADER_BYTES + 1));
        return b;
      })(),
      safetensors('[1]'),
      safetensors('{"a":'),
      safetensors(' {}'),
      new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0xff]),
    ];
    for (const bytes of cases) expect(() => read(bytes)).toThrow(ParseError);
  });

  it('never throws anything but ParseError on truncations and random bytes', () => {
    const file = validFile({ __metadata__: { k: 'v' } });
    for (let n = 0; n <= file.length; n++) {
      try {
        read(file.subarray(0, n));
      } catch (error) {
        expect(error).toBeInstanceOf(ParseError);
      }
    }
    for (let seed = 1; seed < 300; seed++) {
      const bytes = Uint8Array.from({ length: 64 }, (_, i) => ((seed * 7919 + i * 104729) >>> 3) & 0xff);
      bytes.set([20, 0, 0, 0, 0, 0, 0, 0, 0x7b]);
      try {
        read(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ParseError);
      }
    }
  });

  it('recognises a file by its first bytes only when the length fits and JSON starts', () => {
    const file = validFile();
    expect(isSafetensorsHead(file.subarray(0, 16), file.length)).toBe(true);
    expect(isSafetensorsHead(file.subarray(0, 16), 20)).toBe(false);
    // a pickle (PROTO 2, EMPTY_DICT, BINPUT 0, BINUNICODE ...) reads as an enormous header length
    expect(isSafetensorsHead(Uint8Array.from([0x80, 2, 0x7d, 0x71, 0, 0x58, 4, 0, 0x7b]), 1000)).toBe(false);
  });

  it('reads only the header, whatever the file size', () => {
    const file = validFile();
    const headerEnd = file.length - 11;
    const huge = {
      size: 5 * 1024 ** 3,
      readAt(position: number, length: number) {
        if (position + length > headerEnd) throw new Error(`read past the header at ${position}`);
        return file.subarray(position, position + length);
      },
    };
    const h = readSafetensorsHeader(huge);
    expect(h.tensors).toHaveLength(2);
    expect(h.uncovered).toEqual([{ start: h.dataStart + 11, end: 5 * 1024 ** 3 }]);
  });
});
