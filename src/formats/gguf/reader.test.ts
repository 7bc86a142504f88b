import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { GGML_TYPES } from './ggml-types.js';
import {
  GGUF_DECODED_ARRAY_ELEMENTS,
  type GgufFile,
  type GgufIssueKind,
  type GgufLimits,
  type GgufPartial,
  type GgufValue,
  ggufTensorBytes,
  isGguf,
  MAX_GGUF_ARRAY_DEPTH,
  MAX_GGUF_DIMS,
  MAX_GGUF_METADATA_ENTRIES,
  MAX_GGUF_STRING_BYTES,
  MAX_GGUF_TENSORS,
  MAX_GGUF_UNREAD_PADDING_BYTES,
  parseGguf,
} from './reader.js';
import { buildGguf, buildGgufHeader, type GgufSpec, gv, type TestValue } from './test-support.js';

const parse = (bytes: Uint8Array, limits?: Partial<GgufLimits>): GgufFile =>
  parseGguf(bufferSource(bytes), limits ? { limits } : {});

function parseError(bytes: Uint8Array | ByteSource, limits?: Partial<GgufLimits>): ParseError {
  try {
    parseGguf(bytes instanceof Uint8Array ? bufferSource(bytes) : bytes, limits ? { limits } : {});
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error('parseGguf accepted the file');
}

/** A metadata value as plain data: numbers, bigints, booleans, strings and nested arrays. */
function plain(value: GgufValue): unknown {
  if (value.type === 'array') return value.items?.map(plain) ?? `<${value.length} ${value.itemType} unread>`;
  return value.value;
}

const metadataOf = (file: GgufFile) => Object.fromEntries(file.metadata.map((e) => [e.key, plain(e.value)]));
const kinds = (file: GgufFile): GgufIssueKind[] => file.issues.map((i) => i.kind).sort();

/** One value of every type, nested arrays included. */
const EVERY_TYPE: readonly (readonly [string, TestValue])[] = [
  ['general.architecture', gv.str('llama')],
  ['t.u8', gv.u8(255)],
  ['t.i8', gv.i8(-128)],
  ['t.u16', gv.u16(65535)],
  ['t.i16', gv.i16(-32768)],
  ['t.u32', gv.u32(0xffffffff)],
  ['t.i32', gv.i32(-0x80000000)],
  ['t.f32', gv.f32(1.5)],
  ['t.bool', gv.bool(true)],
  ['t.string', gv.str('héllo {{ x }}')],
  ['t.u64', gv.u64(2n ** 64n - 1n)],
  ['t.i64', gv.i64(-(2n ** 63n))],
  ['t.f64', gv.f64(-0.25)],
  ['t.empty', gv.str('')],
  ['t.floats', gv.arr('float32', [gv.f32(0.5), gv.f32(-2)])],
  ['t.bools', gv.arr('bool', [gv.bool(false), gv.bool(true)])],
  [
    't.nested',
    gv.arr('array', [
      gv.arr('string', [gv.str('a'), gv.str('b')]),
      gv.arr('string', []),
      gv.arr('array', [gv.arr('uint64', [gv.u64(7n)])]),
    ]),
  ],
];

const EVERY_TYPE_PLAIN = {
  'general.architecture': 'llama',
  't.u8': 255,
  't.i8': -128,
  't.u16': 65535,
  't.i16': -32768,
  't.u32': 0xffffffff,
  't.i32': -0x80000000,
  't.f32': 1.5,
  't.bool': true,
  't.string': 'héllo {{ x }}',
  't.u64': 2n ** 64n - 1n,
  't.i64': -(2n ** 63n),
  't.f64': -0.25,
  't.empty': '',
  't.floats': [0.5, -2],
  't.bools': [false, true],
  't.nested': [['a', 'b'], [], [[7n]]],
};

const TENSORS = [
  { name: 'token_embd.weight', dims: [64, 2], type: 2 }, // Q4_0: 4 blocks of 18 bytes
  { name: 'output_norm.weight', dims: [64] }, // F32
  { name: 'blk.0.ffn_down.weight', dims: [256, 1], type: 12 }, // Q4_K: one 144-byte block
];

const VARIANTS: readonly { version: 1 | 2 | 3; bigEndian: boolean }[] = [
  { version: 1, bigEndian: false },
  { version: 2, bigEndian: false },
  { version: 3, bigEndian: false },
  { version: 3, bigEndian: true },
  { version: 2, bigEndian: true },
];

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('parseGguf on files gguf-py wrote', () => {
  it('reads both byte orders to the same metadata, tensors and layout', () => {
    const le = parse(fixture('gguf-py-le.gguf'));
    const be = parse(fixture('gguf-py-be.gguf'));
    expect([le.byteOrder, be.byteOrder]).toEqual(['little', 'big']);
    for (const file of [le, be]) {
      expect(file.version).toBe(3);
      expect(file.issues).toEqual([]);
      expect(metadataOf(file)).toMatchObject({
        'general.architecture': 'llama',
        'general.name': 'pedigree fixture',
        'llama.context_length': 128,
        'test.u8': 200,
        'test.i8': -5,
        'test.u16': 60000,
        'test.i16': -300,
        'test.u32': 4000000000,
        'test.i32': -70000,
        'test.f32': 0.5,
        'test.u64': 2n ** 40n,
        'test.i64': -(2n ** 40n),
        'test.f64': 2.25,
        'test.bool': true,
        'test.strings': ['a', 'bc'],
        'test.nested': [[1, 2], [3]],
        'tokenizer.ggml.tokens': ['<s>', '</s>', 'hello'],
        'tokenizer.ggml.scores': [0, 0, -1.5],
        'tokenizer.chat_template': "{% for m in messages %}{{ m['content'] }}{% endfor %}",
        'tokenizer.chat_template.tool_use': '{{ tools | length }}',
        'tokenizer.chat_templates': ['tool_use'],
      });
      // gguf-py writes numpy shapes reversed, as ggml's ne[]: innermost first.
      expect(file.tensors.map((t) => [t.name, t.dims, t.type, t.dataOffset])).toEqual([
        ['token_embd.weight', [4n, 3n], 0, 0n],
        ['output_norm.weight', [5n], 1, 64n],
        ['blk.0.attn_q.weight', [64n, 1n], 8, 96n],
      ]);
      expect(file.dataStart + 96 + 68 + 28).toBe(file.size); // the last tensor padded too
    }
  });
});

describe('parseGguf on well-formed files', () => {
  it('reads every value type and the tensor infos in v1, v2, v3 and big-endian files', () => {
    for (const { version, bigEndian } of VARIANTS) {
      const spec: GgufSpec = { version, bigEndian, metadata: EVERY_TYPE, tensors: TENSORS };
      const bytes = buildGguf(spec);
      const file = parse(bytes);
      const label = `v${version} ${bigEndian ? 'BE' : 'LE'}`;
      expect(file.version, label).toBe(version);
      expect(file.byteOrder, label).toBe(bigEndian ? 'big' : 'little');
      expect(metadataOf(file), label).toEqual(EVERY_TYPE_PLAIN);
      expect(
        file.tensors.map((t) => ({ name: t.name, dims: t.dims, type: t.type, dataOffset: t.dataOffset })),
        label,
      ).toEqual([
        { name: 'token_embd.weight', dims: [64n, 2n], type: 2, dataOffset: 0n },
        { name: 'output_norm.weight', dims: [64n], type: 0, dataOffset: 96n },
        { name: 'blk.0.ffn_down.weight', dims: [256n, 1n], type: 12, dataOffset: 352n },
      ]);
      expect(file.alignment).toBe(32);
      expect(file.dataStart).toBe(buildGgufHeader(spec).dataStart);
      expect(file.dataStart % 32).toBe(0);
      expect(file.issues, label).toEqual([]);
    }
  });

  it('reads v1 counts and lengths as u32, later versions as u64', () => {
    const spec = { metadata: [['k', gv.str('v')]] as const, tensors: [{ name: 't', dims: [4, 2] }] };
    const v1 = buildGgufHeader({ ...spec, version: 1 }).header.length;
    const v2 = buildGgufHeader({ ...spec, version: 2 }).header.length;
    // 2 counts, key length, string length, name length, 2 dims: 7 fields 4 bytes shorter.
    expect(v2 - v1).toBe(7 * 4);
  });

  it('records where each entry, value and tensor info starts', () => {
    const bytes = buildGguf({ metadata: [['a', gv.u8(1)]], tensors: [{ name: 'w', dims: [8] }] });
    const file = parse(bytes);
    // magic 4, version 4, two u64 counts: the first entry starts at 24; key 8 + 1, type 4.
    expect(file.metadata[0]).toMatchObject({ key: 'a', offset: 24, valueOffset: 37 });
    expect(file.tensors[0]?.offset).toBe(38);
    expect(file.headerEnd).toBe(38 + 8 + 1 + 4 + 8 + 4 + 8);
  });

  it('honours general.alignment', () => {
    const bytes = buildGguf({
      alignment: 64,
      tensors: [
        { name: 'a', dims: [3] },
        { name: 'b', dims: [5] },
      ],
    });
    const file = parse(bytes);
    expect(file.alignment).toBe(64);
    expect(file.dataStart % 64).toBe(0);
    expect(file.tensors.map((t) => t.dataOffset)).toEqual([0n, 64n]);
    expect(file.issues).toEqual([]);
  });

  it('skips long fixed-size arrays unread and keeps reading after them', () => {
    const n = GGUF_DECODED_ARRAY_ELEMENTS + 1;
    const long = gv.arr(
      'int32',
      Array.from({ length: n }, (_, i) => gv.i32(i)),
    );
    const file = parse(
      buildGguf({
        metadata: [
          ['scores', long],
          ['after', gv.str('x')],
        ],
      }),
    );
    const scores = file.metadata[0]?.value;
    expect(scores).toMatchObject({ type: 'array', itemType: 'int32', length: n, items: undefined });
    expect(metadataOf(file).after).toBe('x');
  });

  it('sizes tensors from the ggml block table', () => {
    // Bytes per block, restated from ggml-common.h's block structs.
    const expected: Record<string, [number, number]> = {
      F32: [1, 4],
      F16: [1, 2],
      BF16: [1, 2],
      F64: [1, 8],
      I8: [1, 1],
      I16: [1, 2],
      I32: [1, 4],
      I64: [1, 8],
      Q4_0: [32, 18],
      Q4_1: [32, 20],
      Q5_0: [32, 22],
      Q5_1: [32, 24],
      Q8_0: [32, 34],
      Q8_1: [32, 36],
      Q2_K: [256, 84],
      Q3_K: [256, 110],
      Q4_K: [256, 144],
      Q5_K: [256, 176],
      Q6_K: [256, 210],
      Q8_K: [256, 292],
      IQ2_XXS: [256, 66],
      IQ2_XS: [256, 74],
      IQ2_S: [256, 82],
      IQ3_XXS: [256, 98],
      IQ3_S: [256, 110],
      IQ1_S: [256, 50],
      IQ1_M: [256, 56],
      IQ4_NL: [32, 18],
      IQ4_XS: [256, 136],
      TQ1_0: [256, 54],
      TQ2_0: [256, 66],
      MXFP4: [32, 17],
    };
    const byName = new Map([...GGML_TYPES].map(([id, t]) => [t.name, { id, ...t }]));
    for (const [name, [block, bytes]] of Object.entries(expected)) {
      const type = byName.get(name);
      expect(type, name).toMatchObject({ blockSize: block, typeSize: bytes });
      const id = (type as { id: number }).id;
      expect(ggufTensorBytes({ type: id, dims: [BigInt(block * 3), 5n] }), name).toBe(BigInt(15 * bytes));
    }
    expect(ggufTensorBytes({ type: 0, dims: [] })).toBe(4n); // n_dims 0: one element
    expect(ggufTensorBytes({ type: 0, dims: [7n, 0n] })).toBe(0n);
    expect(ggufTensorBytes({ type: 2, dims: [33n] })).toBeUndefined(); // not a whole block
    expect(ggufTensorBytes({ type: 99, dims: [1n] })).toBeUndefined();
    expect(ggufTensorBytes({ type: 0, dims: [1n << 40n, 1n << 30n] })).toBe(1n << 72n);
  });

  it('recognises the magic', () => {
    expect(isGguf(Buffer.from('GGUF\x03\x00\x00\x00'))).toBe(true);
    expect(isGguf(Buffer.from('GGU'))).toBe(false);
    expect(isGguf(Buffer.from('ggjt'))).toBe(false);
  });
});

describe('parseGguf finds structure problems', () => {
  const w = (name: string, offset?: number, dims: number[] = [8]) => ({
    name,
    dims,
    ...(offset === undefined ? {} : { offset }),
  });

  it('a gap between tensors, with the uncovered range', () => {
    const file = parse(buildGguf({ tensors: [w('a'), w('b', 64)] }));
    expect(kinds(file)).toEqual(['gap']);
    const gap = file.issues[0];
    expect(gap?.range).toEqual({ start: file.dataStart + 32, end: file.dataStart + 64 });
  });

  it('bytes after the last tensor, and after the header of a file without tensors', () => {
    const trailing = new Uint8Array([1, 2, 3]);
    const file = parse(buildGguf({ tensors: [w('a')], trailing }));
    expect(kinds(file)).toEqual(['trailing']);
    expect(file.issues[0]?.range).toEqual({ start: file.dataStart + 32, end: file.size });
    const empty = parse(buildGguf({ trailing }));
    expect(kinds(empty)).toEqual(['trailing']);
    expect(empty.issues[0]?.range).toEqual({ start: empty.headerEnd, end: empty.size });
  });

  it('accepts a last tensor that is not padded, and padding before the data', () => {
    const bytes = buildGguf({ tensors: [w('a', undefined, [3])] });
    expect(parse(bytes.subarray(0, bytes.length - 20)).issues).toEqual([]);
  });

  it('overlapping, misaligned and out-of-file tensors', () => {
    expect(kinds(parse(buildGguf({ tensors: [w('a'), w('b', 0)] })))).toEqual(['overlap']);
    expect(kinds(parse(buildGguf({ tensors: [w('a', undefined, [16]), w('b', 32)] })))).toEqual(['overlap']);
    // A tensor 4 bytes in leaves 4 bytes before it that no tensor covers.
    expect(kinds(parse(buildGguf({ tensors: [w('a', 4)] })))).toEqual(['gap', 'misaligned']);
    const cut = buildGguf({ tensors: [w('a'), w('b')] });
    const truncated = parse(cut.subarray(0, cut.length - 20));
    expect(kinds(truncated)).toEqual(['out-of-file']);
    const farHeader = buildGgufHeader({ tensors: [w('a'), { name: 'b', dims: [8], offset: 2n ** 62n }] });
    const farBytes = new Uint8Array(farHeader.dataStart + 32);
    farBytes.set(farHeader.header);
    const far = parse(farBytes);
    expect(kinds(far)).toEqual(['out-of-file']);
  });

  it('unread padding over the limit (a huge alignment)', () => {
    const alignment = 2 * 1024 * 1024;
    expect(alignment).toBeGreaterThan(MAX_GGUF_UNREAD_PADDING_BYTES);
    const file = parse(buildGguf({ alignment, tensors: [w('a'), w('b')] }));
    expect(kinds(file)).toEqual(['padding']);
  });

  it('duplicate keys and tensor names, and values the spec or llama.cpp rejects', () => {
    const file = parse(
      buildGguf({
        metadata: [
          ['tokenizer.chat_template', gv.str('a')],
          ['tokenizer.chat_template', gv.str('b')],
          ['', gv.u8(0)],
          ['flag', gv.bool(2)],
        ],
        tensors: [w('a'), w('a'), w('x'.repeat(64)), { name: 'old', dims: [32], type: 31 }],
      }),
    );
    expect(kinds(file)).toEqual([
      'duplicate-key',
      'duplicate-tensor',
      'invalid',
      'invalid',
      'invalid',
      'invalid',
    ]);
    expect(file.metadata.map((e) => plain(e.value))).toEqual(['a', 'b', 0, true]); // both values are kept
  });

  it('shapes ggml refuses', () => {
    const rows = parse(
      buildGguf({ tensors: [{ name: 'q', dims: [33], type: 2, data: new Uint8Array(18) }] }),
    );
    expect(kinds(rows)).toEqual(['bad-shape']);
    // Sized as gguf-py maps it, so the bytes after it are still checked.
    const hiding = parse(
      buildGguf({
        tensors: [{ name: 'q', dims: [33], type: 2, data: new Uint8Array(18) }],
        trailing: new Uint8Array(64).fill(1),
      }),
    );
    expect(kinds(hiding)).toEqual(['bad-shape', 'trailing']);
    const negative = parse(
      buildGguf({ tensors: [{ name: 'n', dims: [2n ** 63n], data: new Uint8Array(4) }] }),
    );
    expect(kinds(negative)).toEqual(['bad-shape', 'out-of-file']);
  });

  it('a tensor type of unknown size, after which gaps cannot be judged', () => {
    const file = parse(
      buildGguf({ tensors: [{ name: 'u', dims: [8], type: 99, data: new Uint8Array(32) }, w('b', 4096)] }),
    );
    expect(kinds(file)).toEqual(['unknown-type']);
  });
});

describe('parseGguf on malformed input', () => {
  const rich: GgufSpec = {
    metadata: [...EVERY_TYPE, ['tokenizer.chat_template', gv.str('{{ messages }}')]],
    tensors: TENSORS,
  };

  it('refuses what is not GGUF, or a version it does not read', () => {
    expect(parseError(Buffer.from('GGML\x03\x00\x00\x00')).code).toBe('BAD_MAGIC');
    expect(parseError(new Uint8Array()).code).toBe('BAD_MAGIC');
    const header = (version: Buffer) =>
      new Uint8Array(Buffer.concat([Buffer.from('GGUF'), version, Buffer.alloc(16)]));
    for (const v of [0, 4, 0x12345678]) {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(v);
      expect(parseError(header(b)).code, String(v)).toBe('UNSUPPORTED');
    }
    const be = Buffer.alloc(4);
    be.writeUInt32BE(4);
    const error = parseError(header(be));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('big-endian GGUF version 4');
  });

  it('refuses a general.alignment it cannot use, and unknown value types', () => {
    for (const value of [gv.u32(0), gv.u32(48), gv.u64(32n), gv.i32(32)]) {
      const error = parseError(buildGguf({ metadata: [['general.alignment', value]] }));
      expect(error.code).toBe('BAD_VALUE');
      expect(error.message).toContain('general.alignment');
    }
    const bytes = buildGguf({ metadata: [['k', gv.u8(1)]] });
    const view = new DataView(bytes.buffer);
    view.setUint32(24 + 8 + 1, 13, true); // the value type
    expect(parseError(bytes)).toMatchObject({ code: 'BAD_VALUE', offset: 33 });
  });

  it('stops at the limits on nesting, dimensions, elements and string bytes', () => {
    let nested = gv.arr('uint8', []);
    for (let i = 1; i < MAX_GGUF_ARRAY_DEPTH; i++) nested = gv.arr('array', [nested]);
    expect(parse(buildGguf({ metadata: [['deep', nested]] })).issues).toEqual([]);
    const deeper = buildGguf({ metadata: [['deep', gv.arr('array', [nested])]] });
    expect(parseError(deeper).code).toBe('LIMIT_EXCEEDED');

    const dims = Array.from({ length: MAX_GGUF_DIMS + 1 }, () => 1);
    expect(parseError(buildGguf({ tensors: [{ name: 'd', dims }] })).code).toBe('LIMIT_EXCEEDED');

    const strings = gv.arr(
      'string',
      Array.from({ length: 11 }, () => gv.str('t')),
    );
    const many = buildGguf({ metadata: [['tokens', strings]] });
    expect(parseError(many, { maxArrayElements: 10 }).code).toBe('LIMIT_EXCEEDED');
    expect(parse(many, { maxArrayElements: 11 }).issues).toEqual([]);

    const text = buildGguf({
      metadata: [
        ['a', gv.str('x'.repeat(10))],
        ['b', gv.str('y'.repeat(10))],
      ],
    });
    expect(parseError(text, { maxStringBytes: 9 }).code).toBe('LIMIT_EXCEEDED');
    expect(parseError(text, { maxTotalStringBytes: 15 }).code).toBe('LIMIT_EXCEEDED');
  });

  it('fails fast on hostile counts and lengths, reading only a window', () => {
    const u64 = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(n);
      return b;
    };
    // 32 spare bytes, so that one entry fits and each hostile field is what fails.
    const gguf = (...parts: Buffer[]) =>
      new Uint8Array(Buffer.concat([Buffer.from('GGUF\x03\x00\x00\x00'), ...parts, Buffer.alloc(32)]));
    const key = Buffer.concat([u64(1n), Buffer.from('k')]);
    const type = (t: number) => Buffer.from([t, 0, 0, 0]);
    const cases: [string, Uint8Array, string][] = [
      ['tensor count 2^64-1', gguf(u64(2n ** 64n - 1n), u64(0n)), 'LIMIT_EXCEEDED'],
      ['tensor count over the limit', gguf(u64(BigInt(MAX_GGUF_TENSORS + 1)), u64(0n)), 'LIMIT_EXCEEDED'],
      [
        'entry count over the limit',
        gguf(u64(0n), u64(BigInt(MAX_GGUF_METADATA_ENTRIES + 1))),
        'LIMIT_EXCEEDED',
      ],
      ['entry count within the limit, larger than the file', gguf(u64(0n), u64(60_000n)), 'TRUNCATED'],
      ['tensor count within the limit, larger than the file', gguf(u64(100_000n), u64(0n)), 'TRUNCATED'],
      ['key length 2^63', gguf(u64(0n), u64(1n), u64(2n ** 63n)), 'LIMIT_EXCEEDED'],
      [
        'key length over the limit',
        gguf(u64(0n), u64(1n), u64(BigInt(MAX_GGUF_STRING_BYTES + 1))),
        'LIMIT_EXCEEDED',
      ],
      [
        'string length past the end',
        gguf(u64(0n), u64(1n), key, type(8), u64(1000n), Buffer.from('abc')),
        'TRUNCATED',
      ],
      ['u8 array of 2^62', gguf(u64(0n), u64(1n), key, type(9), type(0), u64(2n ** 62n)), 'TRUNCATED'],
      ['string array of 2^40', gguf(u64(0n), u64(1n), key, type(9), type(8), u64(2n ** 40n)), 'TRUNCATED'],
      ['array array of 2^40', gguf(u64(0n), u64(1n), key, type(9), type(9), u64(2n ** 40n)), 'TRUNCATED'],
      [
        'u64 array of 2^61 (bytes overflow 64 bits)',
        gguf(u64(0n), u64(1n), key, type(9), type(10), u64(2n ** 61n)),
        'TRUNCATED',
      ],
    ];
    for (const [what, bytes, code] of cases) {
      let reads = 0;
      const inner = bufferSource(bytes);
      const counting: ByteSource = {
        size: inner.size,
        readAt(position, length) {
          reads++;
          return inner.readAt(position, length);
        },
      };
      const started = performance.now();
      expect(parseError(counting).code, what).toBe(code);
      expect(reads, what).toBeLessThanOrEqual(2);
      expect(performance.now() - started, what).toBeLessThan(1000);
    }
  });

  it('throws only ParseError when truncated at any length, and keeps what it read', () => {
    for (const { version, bigEndian } of VARIANTS) {
      const bytes = buildGguf({ ...rich, version, bigEndian });
      const headerEnd = parse(bytes).headerEnd;
      for (let n = 0; n < bytes.length; n++) {
        const partial: GgufPartial = { metadata: [], tensors: [] };
        let file: GgufFile | undefined;
        try {
          file = parseGguf(bufferSource(bytes.subarray(0, n)), { partial });
        } catch (error) {
          expect(error, `v${version} cut at ${n}`).toBeInstanceOf(ParseError);
          expect(n, `v${version} cut at ${n}`).toBeLessThan(headerEnd);
          expect(partial.metadata.every((e, i) => e.key === rich.metadata?.[i]?.[0])).toBe(true);
          continue;
        }
        expect(n).toBeGreaterThanOrEqual(headerEnd);
        // The header is whole; the data is cut: every check still runs.
        expect(file.issues.every((i) => i.kind === 'out-of-file')).toBe(true);
      }
    }
  });

  it('keeps the metadata read before a problem', () => {
    const bytes = buildGguf({
      metadata: [
        ['tokenizer.chat_template', gv.str('{{ x }}')],
        ['general.alignment', gv.u32(3)],
      ],
    });
    const partial: GgufPartial = { metadata: [], tensors: [] };
    expect(() => parseGguf(bufferSource(bytes), { partial })).toThrow(ParseError);
    expect(partial.metadata.map((e) => e.key)).toEqual(['tokenizer.chat_template', 'general.alignment']);
  });

  it('throws only ParseError on random bytes after the magic and on mutated files', () => {
    const valid = buildGguf({ ...rich, version: 3 });
    const run = (bytes: Uint8Array) => {
      try {
        parse(bytes, { maxArrayElements: 10_000, maxStringBytes: 1 << 20 });
      } catch (error) {
        if (!(error instanceof ParseError)) throw error;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(1, 2, 3), (tail, version) => {
        run(new Uint8Array([0x47, 0x47, 0x55, 0x46, version, 0, 0, 0, ...tail]));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 8,
        }),
        (edits) => {
          const bytes = valid.slice();
          for (const [at, value] of edits) bytes[at] = value;
          run(bytes);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('parseGguf reads only the header', () => {
  it('parses a 5 GB file from its header, never reading tensor data', () => {
    // Five 1 GiB F32 tensors: the header is a few hundred bytes, the data 5 GiB.
    const tensors = Array.from({ length: 5 }, (_, i) => ({ name: `blk.${i}.weight`, dims: [16384, 16384] }));
    const built = buildGgufHeader({ metadata: [['tokenizer.chat_template', gv.str('{{ x }}')]], tensors });
    expect(built.size).toBeGreaterThan(5 * 2 ** 30);
    const reads: [number, number][] = [];
    const source: ByteSource = {
      size: built.size,
      readAt(position, length) {
        // A window read may start in the header and ask for more: it gets the header's bytes only.
        if (position >= built.header.length) throw new Error(`read of tensor data at ${position}`);
        reads.push([position, length]);
        return built.header.subarray(position, Math.min(built.header.length, position + length));
      },
    };
    const file = parseGguf(source);
    expect(file.tensors).toHaveLength(5);
    expect(file.dataStart).toBe(built.dataStart);
    expect(file.issues).toEqual([]);
    expect(reads.length).toBeLessThanOrEqual(2);
  });
});
