import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import { InternalError } from '../../core/errors.js';
import { MAX_DECODED_STREAMS } from './auto.js';
import {
  type CompressionKind,
  type DecompressResult,
  decompressBounded,
  sniffCompressedSource,
  sniffCompression,
} from './index.js';
import { INPUT_CHUNK_BYTES } from './input.js';
import { effectiveDictionarySize, isLzmaAloneHeader, isPickyLzmaDictionarySize } from './lzma.js';
import { Xxh32, xxh32 } from './xxh32.js';

const MiB = 1024 * 1024;
const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const realFixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../../test/fixtures/real/${name}`, import.meta.url)));
/** Length and SHA-256 of what CPython decompresses from each fixture (written by make-fixtures.py). */
const expected: Record<string, { length: number; sha256: string }> = JSON.parse(
  readFileSync(new URL('./fixtures/expected.json', import.meta.url), 'utf8'),
);
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const PAYLOAD = fixture('payload.bin');
/** LONG_TEXT of make-fixtures.py: 200 kB of repetitive lines, compressed in 64 KiB LZ4 blocks. */
const WORDS = ['tensor', 'pickle', 'joblib', 'numpy', 'reduce', 'global', 'weights', 'layer', 'bias'];
const LONG_TEXT = new TextEncoder()
  .encode(
    Array.from(
      { length: 12000 },
      (_, i) => `row ${String(i % 97).padStart(5, '0')}: ${WORDS[i % WORDS.length]}\n`,
    ).join(''),
  )
  .subarray(0, 200_000);
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const GARBAGE_BYTES = new TextEncoder().encode('TRAILING GARBAGE, NOT A STREAM');
/** Byte equality without vitest's element-by-element deep equality, which is slow on megabytes. */
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

const UNBOUNDED = { maxOutputBytes: 256 * MiB, maxRatio: 1e9, minBytesForRatio: 0 };
const decode = (kind: CompressionKind, bytes: Uint8Array | ByteSource, options = UNBOUNDED) =>
  decompressBounded(kind, bytes instanceof Uint8Array ? bufferSource(bytes) : bytes, options);

/** Deterministic bytes (xorshift32), so "random" inputs are the same on every run. */
function pseudoRandom(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** A source that records how it is read. */
function countingSource(
  bytes: Uint8Array,
): ByteSource & { reads: number; bytesRead: number; largestRead: number } {
  const inner = bufferSource(bytes);
  const source = {
    size: inner.size,
    reads: 0,
    bytesRead: 0,
    largestRead: 0,
    readAt(position: number, length: number) {
      const chunk = inner.readAt(position, length);
      source.reads++;
      source.bytesRead += chunk.length;
      source.largestRead = Math.max(source.largestRead, chunk.length);
      return chunk;
    },
  };
  return source;
}

function expectMatches(result: DecompressResult, name: string): void {
  const want = expected[name];
  if (!want) throw new Error(`no expected digest for ${name}`);
  expect(result.error).toBeUndefined();
  expect(result.complete).toBe(true);
  expect(result.data.length).toBe(want.length);
  expect(sha256(result.data)).toBe(want.sha256);
}

/** Every kind with its plain fixture of PAYLOAD. */
const PAYLOAD_FIXTURES: readonly [CompressionKind, string][] = [
  ['gzip', 'payload.gz'],
  ['zlib', 'payload.zz'],
  ['bz2', 'payload.bz2'],
  ['xz', 'payload.xz'],
  ['lzma', 'payload.lzma'],
  ['lzip', 'payload.lz'],
  ['lz4', 'payload.lz4'],
];

describe('sniffCompression', () => {
  it.each(PAYLOAD_FIXTURES)('recognises %s from a file CPython wrote', (kind, name) => {
    expect(sniffCompression(fixture(name))).toBe(kind);
    expect(sniffCompression(fixture(name).subarray(0, 13))).toBe(kind);
  });

  it.each([
    ['gzip', [0x1f, 0x8b]],
    ['zlib', [0x78, 0x01]],
    ['zlib', [0x78, 0x5e]],
    ['zlib', [0x78, 0x9c]],
    ['zlib', [0x78, 0xda]],
    ['bz2', [0x42, 0x5a, 0x68, 0x31]],
    ['bz2', [0x42, 0x5a, 0x68, 0x39]],
    ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
    ['lz4', [0x04, 0x22, 0x4d, 0x18]],
    // .lzma: properties 0x5D, dictionary 2^23, size unknown; and 3 * 2^20 with a stated size.
    ['lzma', [0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['lzma', [0x5d, 0, 0, 0x30, 0, 0x10, 0, 0, 0, 0, 0, 0, 0]],
    // What liblzma's FORMAT_AUTO decoder also takes: dictionaries of 256, 0 and 1 bytes, other lc/lp/pb
    // (0x5E: lc=4 lp=0 pb=2; 0x00: all zero) and a stated size just below 2^38.
    ['lzma', [0x5d, 0, 0x01, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['lzma', [0x5d, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['lzma', [0x5e, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['lzma', [0x00, 0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    ['lzma', [0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0x3f, 0, 0, 0]],
    // lzip: "LZIP", version 0 or 1, a coded dictionary size of 2^12 .. 2^29 (here 2^16 and 2^29 - 7 * 2^25).
    ['lzip', [0x4c, 0x5a, 0x49, 0x50, 0x01, 0x10]],
    ['lzip', [0x4c, 0x5a, 0x49, 0x50, 0x00, 0xfd]],
  ] as const)('recognises %s magic %j', (kind, head) => {
    expect(sniffCompression(new Uint8Array(head))).toBe(kind);
  });

  it('finds no other magic to be a .lzma header liblzma accepts, so the order of checks does not matter', () => {
    const magics = [
      [0x1f, 0x8b],
      [0x78, 0x9c],
      [0x42, 0x5a, 0x68],
      [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00],
      [0x4c, 0x5a, 0x49, 0x50],
    ];
    const claimed: string[] = [];
    for (let next = 0; next < 256; next++) {
      // The byte after the LZ4 magic completes the dictionary size 0x??184D22; the others fail on lc/lp/pb.
      for (const magic of [...magics, [0x04, 0x22, 0x4d, 0x18]]) {
        const head = new Uint8Array(13).fill(0xff);
        head.set([...magic, next]);
        if (isLzmaAloneHeader(head)) claimed.push(Buffer.from(head).toString('hex'));
      }
    }
    expect(claimed).toEqual([]);
  });

  it('recognises every real joblib compressor', () => {
    for (const kind of ['zlib', 'gzip', 'bz2', 'xz', 'lzma', 'lz4'] as const) {
      expect(sniffCompression(realFixture(`joblib-forest-${kind}.joblib`))).toBe(kind);
    }
  });

  it('rejects near misses', () => {
    const no = (bytes: number[]) => expect(sniffCompression(new Uint8Array(bytes))).toBeUndefined();
    no([]);
    no([0x1f]);
    no([0x78, 0x9d]); // FCHECK fails
    no([0x78, 0x00]);
    no([0x42, 0x5a, 0x68, 0x30]); // level '0'
    no([0x42, 0x5a, 0x68]);
    no([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x01]);
    no([0x04, 0x22, 0x4d, 0x19]);
    no([0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff]); // shorter than the 13-byte header
    no([0x5d, 0, 0, 0x70, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // 7 * 2^20: not 2^n or 3 * 2^(n-1)
    no([0x5d, 0x01, 0, 0x30, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // 3 * 2^20 + 1
    no([0x5d, 0, 0, 0x80, 0, 0, 0, 0, 0, 0x40, 0, 0, 0]); // size 2^38: liblzma's picky limit
    no([0x5d, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x80, 0]); // size 2^87
    no([0xe1, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // properties byte above 224
    no([0x0d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // lc=4 lp=1: lc + lp > 4
    no([0x80, 0x02, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]); // pickle PROTO: lc=2 lp=4
    no([0x4c, 0x5a, 0x49, 0x50, 0x01]); // lzip without its dictionary size
    no([0x4c, 0x5a, 0x49, 0x50, 0x02, 0x10]); // lzip version 2
    no([0x4c, 0x5a, 0x49, 0x50, 0x01, 0x0b]); // lzip dictionary 2^11, below liblzma's minimum
    no([0x4c, 0x5a, 0x49, 0x50, 0x01, 0x2c]); // 2^12 - 2^8: a fraction of the smallest size
  });

  it('does not claim pickles, plain files or random data', () => {
    expect(sniffCompression(realFixture('sklearn-logreg.pkl'))).toBeUndefined();
    expect(sniffCompression(realFixture('joblib-uncompressed-arrays.joblib'))).toBeUndefined();
    expect(sniffCompression(realFixture('numpy-int.npy'))).toBeUndefined();
    expect(sniffCompression(PAYLOAD)).toBeUndefined();
    for (let seed = 1; seed <= 2000; seed++) {
      expect(sniffCompression(pseudoRandom(16, seed))).toBeUndefined();
    }
  });

  it('recognises .lzma with any lc/lp/pb liblzma decodes (lzma.open takes them too)', () => {
    expect(sniffCompression(fixture('payload-lc1-lp2-pb0.lzma'))).toBe('lzma');
    expect(sniffCompression(fixture('payload-lc4-lp0-pb4.lzma'))).toBe('lzma');
  });
});

describe('decompressBounded: agrees with CPython', () => {
  const names = Object.keys(expected).filter((n) => !n.startsWith('real/') && n !== 'payload.bin');
  const kindOf = (name: string): CompressionKind => {
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const kinds: Record<string, CompressionKind> = {
      gz: 'gzip',
      zz: 'zlib',
      bz2: 'bz2',
      xz: 'xz',
      lzma: 'lzma',
      lz: 'lzip',
      lz4: 'lz4',
    };
    const kind = kinds[ext];
    if (!kind) throw new Error(`no kind for ${name}`);
    return kind;
  };

  it.each(names)('%s', async (name) => {
    const bytes = fixture(name);
    const result = await decode(kindOf(name), bytes);
    expectMatches(result, name);
    expect(result.consumed).toBe(bytes.length);
    expect(result.trailingBytes).toBeUndefined();
    expect(result.stopped).toBeUndefined();
  });

  it.each(['zlib', 'gzip', 'bz2', 'xz', 'lzma', 'lz4'] as const)(
    'real joblib file compressed with %s',
    async (kind) => {
      const name = `joblib-forest-${kind}.joblib`;
      const result = await decode(kind, realFixture(name));
      expectMatches(result, `real/${name}`);
      expect(result.data[0]).toBe(0x80); // pickle PROTO
      expect(result.data[result.data.length - 1]).toBe(0x2e); // pickle STOP
    },
  );

  it('decodes concatenated .lzma streams as CPython LZMAFile does', async () => {
    const one = fixture('payload.lzma');
    const result = await decode('lzma', concat(one, one));
    expect(result.complete).toBe(true);
    expect(result.data).toEqual(concat(PAYLOAD, PAYLOAD));
  });
});

describe('decompressBounded: output bound', () => {
  const bombs = async (): Promise<[CompressionKind, Uint8Array][]> => {
    const zeros = new Uint8Array(50 * MiB);
    return [
      ['gzip', new Uint8Array(gzipSync(zeros, { level: 9 }))],
      ['zlib', new Uint8Array(deflateSync(zeros, { level: 9 }))],
      ['bz2', fixture('zeros-50m.bz2')],
      ['xz', fixture('zeros-50m.xz')],
      ['lzma', fixture('zeros-50m.lzma')],
      ['lz4', fixture('zeros-4m.lz4')],
    ];
  };

  it('stops every kind of bomb at maxOutputBytes', async () => {
    for (const [kind, bomb] of await bombs()) {
      const result = await decode(kind, bomb, { maxOutputBytes: MiB, maxRatio: 1e9, minBytesForRatio: 0 });
      expect(result.stopped, kind).toBe('limit');
      expect(result.complete, kind).toBe(false);
      expect(result.error, kind).toBeUndefined();
      expect(result.data.length, kind).toBeLessThanOrEqual(MiB);
      expect(result.data.length, kind).toBeGreaterThan(MiB / 2);
      expect(
        result.data.every((b) => b === 0),
        kind,
      ).toBe(true);
    }
  });

  it('stops every kind of bomb on the expansion ratio', async () => {
    for (const [kind, bomb] of await bombs()) {
      const options = { maxOutputBytes: 256 * MiB, maxRatio: 100, minBytesForRatio: MiB };
      const result = await decode(kind, bomb, options);
      expect(result.stopped, kind).toBe('ratio');
      expect(result.complete, kind).toBe(false);
      expect(result.data.length, kind).toBeGreaterThan(MiB);
      expect(result.data.length, kind).toBeLessThan(4 * MiB);
    }
  });

  it('does not apply the ratio below minBytesForRatio', async () => {
    for (const [kind, name] of PAYLOAD_FIXTURES) {
      const result = await decode(kind, fixture(name), {
        maxOutputBytes: MiB,
        maxRatio: 1,
        minBytesForRatio: MiB,
      });
      expect(result.complete, kind).toBe(true);
    }
  });

  it('completes when the output is exactly maxOutputBytes and stops one byte below', async () => {
    for (const [kind, name] of PAYLOAD_FIXTURES) {
      const exact = await decode(kind, fixture(name), { ...UNBOUNDED, maxOutputBytes: PAYLOAD.length });
      expect(exact.complete, kind).toBe(true);
      expect(exact.data).toEqual(PAYLOAD);
      const short = await decode(kind, fixture(name), { ...UNBOUNDED, maxOutputBytes: PAYLOAD.length - 1 });
      expect(short.stopped, kind).toBe('limit');
      expect(short.data, kind).toEqual(PAYLOAD.subarray(0, short.data.length));
    }
  });

  it('with maxOutputBytes 0 stops at the first byte', async () => {
    const result = await decode('gzip', fixture('payload.gz'), { ...UNBOUNDED, maxOutputBytes: 0 });
    expect(result.stopped).toBe('limit');
    expect(result.data.length).toBe(0);
  });

  it('streams its input in bounded chunks and stops reading once stopped', async () => {
    const plain = randomBytes(6 * MiB); // incompressible: the compressed input is as large as the output
    const gz = countingSource(new Uint8Array(gzipSync(plain, { level: 1 })));
    const result = await decode('gzip', gz, { maxOutputBytes: MiB, maxRatio: 1e9, minBytesForRatio: 0 });
    expect(result.stopped).toBe('limit');
    expect(gz.largestRead).toBeLessThanOrEqual(INPUT_CHUNK_BYTES);
    expect(gz.bytesRead).toBeLessThan(gz.size / 2);

    // LZ4 frame of stored 64 KiB blocks, built per lz4_Frame_format.md (FLG 0x60: v1, independent; BD 0x40).
    const descriptor = new Uint8Array([0x60, 0x40]);
    const parts = [new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, (xxh32(descriptor) >>> 8) & 0xff])];
    for (let i = 0; i < 96; i++) {
      const size = new Uint8Array(4);
      new DataView(size.buffer).setUint32(0, 0x10000 | 0x80000000, true);
      parts.push(size, plain.subarray(i * 0x10000, (i + 1) * 0x10000));
    }
    parts.push(new Uint8Array(4));
    const frame = concat(...parts);
    const whole = await decode('lz4', frame);
    expect(whole.complete).toBe(true);
    expect(sameBytes(whole.data, plain)).toBe(true);
    const lz4 = countingSource(frame);
    const stopped = await decode('lz4', lz4, { maxOutputBytes: MiB, maxRatio: 1e9, minBytesForRatio: 0 });
    expect(stopped.stopped).toBe('limit');
    expect(lz4.largestRead).toBeLessThanOrEqual(INPUT_CHUNK_BYTES);
    expect(lz4.bytesRead).toBeLessThan(lz4.size / 2);
  });

  it('releases the xz decoder when stopped, so later xz decodes still run', async () => {
    const bomb = fixture('zeros-50m.xz');
    const stopped = await decode('xz', bomb, { maxOutputBytes: MiB, maxRatio: 1e9, minBytesForRatio: 0 });
    expect(stopped.stopped).toBe('limit');
    const [a, b] = await Promise.all([
      decode('xz', fixture('payload.xz')),
      decode('xz', fixture('payload-2streams.xz')),
    ]);
    expect(a.complete && b.complete).toBe(true);
    expect(b.data).toEqual(PAYLOAD);
  });
});

describe('decompressBounded: bad data', () => {
  // Fixtures whose data comes in several independently decodable parts, so a truncated copy still yields some.
  const TRUNCATABLE: readonly [CompressionKind, string, Uint8Array][] = [
    ['gzip', 'payload-2members.gz', PAYLOAD],
    ['zlib', 'payload.zz', PAYLOAD],
    ['bz2', 'payload-2streams.bz2', PAYLOAD],
    ['xz', 'payload.xz', PAYLOAD],
    ['lzma', 'payload.lzma', PAYLOAD],
    ['lz4', 'long-linked.lz4', LONG_TEXT],
  ];

  it("rebuilds the LZ4 fixtures' plaintext", () => {
    expect(sha256(LONG_TEXT)).toBe(expected['long-linked.lz4']!.sha256);
  });

  it.each(TRUNCATABLE)(
    '%s: truncated input returns a correct prefix and an error',
    async (kind, name, plain) => {
      const bytes = fixture(name);
      const result = await decode(kind, bytes.subarray(0, Math.floor(bytes.length * 0.75)));
      expect(result.complete).toBe(false);
      expect(result.stopped).toBeUndefined();
      expect(result.error).toMatch(/truncat|end/i);
      expect(result.data.length).toBeGreaterThan(0);
      expect(result.data.length).toBeLessThan(plain.length);
      expect(sameBytes(result.data, plain.subarray(0, result.data.length))).toBe(true);
    },
  );

  it.each(PAYLOAD_FIXTURES)('%s: every truncation fails without throwing', async (kind, name) => {
    const bytes = fixture(name);
    for (let n = 0; n < bytes.length; n += 97) {
      const result = await decode(kind, bytes.subarray(0, n));
      expect(result.complete, `${kind} cut at ${n}`).toBe(false);
      expect(result.error, `${kind} cut at ${n}`).toBeTypeOf('string');
      expect(sameBytes(result.data, PAYLOAD.subarray(0, result.data.length)), `${kind} cut at ${n}`).toBe(
        true,
      );
    }
  });

  it.each(PAYLOAD_FIXTURES)('%s: garbage input fails without throwing', async (kind, name) => {
    const magic = fixture(name).subarray(0, kind === 'lzma' ? 13 : kind === 'lzip' ? 6 : 4);
    for (let seed = 1; seed <= 20; seed++) {
      for (const input of [pseudoRandom(4096, seed), concat(magic, pseudoRandom(4096, seed))]) {
        const result = await decode(kind, input, {
          maxOutputBytes: 16 * MiB,
          maxRatio: 1e9,
          minBytesForRatio: 0,
        });
        expect(result.complete, `${kind} seed ${seed}`).toBe(false);
        expect(result.error ?? result.stopped, `${kind} seed ${seed}`).toBeDefined();
      }
    }
  });

  it.each(PAYLOAD_FIXTURES)('%s: empty input is an error', async (kind) => {
    const result = await decode(kind, new Uint8Array(0));
    expect(result).toMatchObject({ complete: false, consumed: 0 });
    expect(result.error).toMatch(/empty/);
  });

  it.each(PAYLOAD_FIXTURES)(
    '%s: flipped bits are detected or decode without throwing',
    async (kind, name) => {
      const bytes = fixture(name);
      for (let i = 0; i < 40; i++) {
        const copy = bytes.slice();
        const at = 13 + ((i * 7919) % (copy.length - 13));
        copy[at]! ^= 1 << (i % 8);
        const result = await decode(kind, copy);
        // gzip, zlib, bzip2, xz, lzip carry checksums; .lzma and this LZ4 frame have none: only the length can tell.
        if (result.complete && kind !== 'lzma' && kind !== 'lz4') expect(result.data).toEqual(PAYLOAD);
      }
    },
  );

  it('checks the gzip CRC-32 and ISIZE', async () => {
    const bytes = fixture('payload.gz');
    const badCrc = bytes.slice();
    badCrc[badCrc.length - 8]! ^= 1;
    expect((await decode('gzip', badCrc)).error).toMatch(/CRC-32 mismatch/);
    const badSize = bytes.slice();
    badSize[badSize.length - 1]! ^= 1;
    expect((await decode('gzip', badSize)).error).toMatch(/ISIZE mismatch/);
  });

  it('checks LZ4 header, block and content checksums', async () => {
    const bytes = fixture('long-linked.lz4');
    const badHeader = bytes.slice();
    badHeader[6]! ^= 1; // HC
    expect((await decode('lz4', badHeader)).error).toMatch(/header checksum/);
    const badContent = bytes.slice();
    badContent[badContent.length - 1]! ^= 1;
    expect((await decode('lz4', badContent)).error).toMatch(/content checksum/);
    const badBlock = bytes.slice();
    badBlock[20]! ^= 1; // inside the first block's data
    expect((await decode('lz4', badBlock)).error).toMatch(/block checksum/);
  });

  it('rejects an LZ4 match offset that reaches before the frame', async () => {
    // One block: token 0x10 (1 literal, match length 4), literal 'a', offset 2: only 1 byte precedes it.
    const descriptor = new Uint8Array([0x60, 0x40]);
    const block = [0x10, 0x61, 0x02, 0x00, 0x00];
    const frame = new Uint8Array([
      ...[0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, (xxh32(descriptor) >>> 8) & 0xff],
      ...[block.length, 0, 0, 0, ...block, 0, 0, 0, 0],
    ]);
    expect((await decode('lz4', frame)).error).toMatch(/offset/);
  });

  it('reports .lzma headers that are not .lzma', async () => {
    const result = await decode('lzma', new Uint8Array(20).fill(0xff));
    expect(result.error).toMatch(/properties byte/);
  });
});

describe('decompressBounded: trailing data', () => {
  const GARBAGE = new TextEncoder().encode('TRAILING GARBAGE, NOT A STREAM');

  // Python's readers of these ignore bytes after the last stream that start no stream.
  const IGNORED = PAYLOAD_FIXTURES.filter(([kind]) => kind !== 'gzip' && kind !== 'lz4');

  it.each(IGNORED)('%s: keeps the data complete and counts trailing bytes', async (kind, name) => {
    const bytes = fixture(name);
    const result = await decode(kind, concat(bytes, GARBAGE));
    expect(result.complete).toBe(true);
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual(PAYLOAD);
    expect(result.trailingBytes).toBe(GARBAGE.length);
    expect(result.consumed).toBe(bytes.length);
  });

  // CPython's GzipFile and python-lz4's LZ4FrameFile fail on them, after the data before.
  it.each([
    ['gzip', 'payload.gz'],
    ['lz4', 'payload.lz4'],
  ] as const)('%s: fails on them, keeping the data and counting them', async (kind, name) => {
    const bytes = fixture(name);
    const result = await decode(kind, concat(bytes, GARBAGE));
    expect(result.complete).toBe(false);
    expect(result.error).toMatch(/start no/);
    expect(result.data).toEqual(PAYLOAD);
    expect(result.trailingBytes).toBe(GARBAGE.length);
    expect(result.consumed).toBe(bytes.length);
  });

  it.each([
    ['bz2', 'payload-2streams.bz2'],
    ['xz', 'payload-2streams.xz'],
  ] as const)('%s: after several streams', async (kind, name) => {
    const result = await decode(kind, concat(fixture(name), GARBAGE.subarray(0, 7)));
    expect(result.complete).toBe(true);
    expect(result.data).toEqual(PAYLOAD);
    expect(result.trailingBytes).toBe(7);
  });

  it('lz4: fails on them after several frames', async () => {
    const result = await decode(
      'lz4',
      concat(fixture('stored-skippable-2frames.lz4'), GARBAGE.subarray(0, 7)),
    );
    expect(result.complete).toBe(false);
    expect(result.data).toEqual(PAYLOAD);
    expect(result.trailingBytes).toBe(7);
  });

  it('accepts zero padding after gzip (as CPython does) but not after xz (CPython reads a .lzma header)', async () => {
    const gz = await decode('gzip', concat(fixture('payload.gz'), new Uint8Array(8)));
    expect(gz).toMatchObject({ complete: true, consumed: fixture('payload.gz').length + 8 });
    expect(gz.trailingBytes).toBeUndefined();
    // Eight zeros are the start of a .lzma header (properties 0, dictionary 0) that the input cuts short.
    const xz = await decode('xz', concat(fixture('payload.xz'), new Uint8Array(8)));
    expect(xz).toMatchObject({ complete: false, consumed: fixture('payload.xz').length, trailingBytes: 8 });
    expect(xz.error).toMatch(/cuts short.*EOFError/);
    expect(xz.data).toEqual(PAYLOAD);
    // Eighteen are an empty .lzma stream: header, size 0, and a range coder that starts and ends at 0.
    const empty = await decode('xz', concat(fixture('payload.xz'), new Uint8Array(18)));
    expect(empty).toMatchObject({ complete: true, consumed: fixture('payload.xz').length + 18 });
    expect(empty.trailingBytes).toBeUndefined();
  });

  it('treats a second xz stream that is cut short as truncation, not trailing data', async () => {
    const one = fixture('payload.xz');
    const result = await decode('xz', concat(one, one.subarray(0, 100)));
    expect(result.complete).toBe(false);
    expect(result.error).toMatch(/truncated/);
    expect(result.data.length).toBeGreaterThanOrEqual(PAYLOAD.length);
    expect(sameBytes(result.data, concat(PAYLOAD, PAYLOAD).subarray(0, result.data.length))).toBe(true);
  });

  it('keeps the output of a following stream that fails after producing some (CPython may drop it)', async () => {
    // lzma.decompress ignores a failing later stream and its output; LZMAFile hands out what it decoded
    // before the failure when that comes after its first chunk. Reporting the error and analysing the
    // output is the superset.
    const lzip = fixture('payload.lz').slice();
    lzip[lzip.length - 20]! ^= 1; // the CRC-32 in the trailer
    const result = await decode('xz', concat(fixture('payload.xz'), lzip));
    expect(result.complete).toBe(false);
    expect(result.error).toMatch(/lzip stream 1: CRC-32 mismatch/);
    expect(sameBytes(result.data, concat(PAYLOAD, PAYLOAD))).toBe(true);
  });
});

describe('zeros, which FORMAT_AUTO reads as empty .lzma streams', () => {
  const sniff = (bytes: Uint8Array) => sniffCompressedSource(bytes.subarray(0, 4096), bufferSource(bytes));

  it('claims zero-filled data only when a stream follows the zeros', () => {
    expect(sniff(new Uint8Array(1000))).toBeUndefined();
    expect(sniff(new Uint8Array(13))).toBeUndefined();
    expect(sniff(concat(new Uint8Array(36), GARBAGE_BYTES))).toBeUndefined();
    expect(sniff(concat(new Uint8Array(40), fixture('payload.xz')))).toBeUndefined(); // 4 zeros + xz: refused
    for (const zeros of [18, 36, 18 * 1000]) {
      expect(sniff(concat(new Uint8Array(zeros), fixture('payload.xz'))), `${zeros}`).toBe('lzma');
      expect(sniff(concat(new Uint8Array(zeros), fixture('payload.lz'))), `${zeros}`).toBe('lzma');
    }
    // The next header may itself start with zeros: properties 0 and a 4 KiB dictionary.
    expect(sniff(concat(new Uint8Array(18), withDictionarySize(fixture('payload-dict4k.lzma'), 4096)))).toBe(
      'lzma',
    );
    // Headers that start with a zero byte but are not 18 zeros are sniffed from the head alone, as before.
    expect(sniff(new Uint8Array([0x00, 0x01, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe(
      'lzma',
    );
  });

  it('skips a long run of empty streams at once and decodes the stream after it', async () => {
    const zeros = 18 * 1_000_000;
    const bytes = concat(new Uint8Array(zeros), fixture('payload.xz'));
    const started = performance.now();
    const result = await decode('lzma', bytes);
    expect(result).toMatchObject({ complete: true, consumed: bytes.length });
    expect(result.data).toEqual(PAYLOAD);
    expect(performance.now() - started).toBeLessThan(5000); // one by one, this took about 20 s
  });
});

describe('concatenations as CPython reads them', () => {
  // make-fixtures.py builds each case and records what CPython's reader for it (LZMAFile, BZ2File,
  // LZ4FrameFile, GzipFile, zlib.decompress) returns, and how many bytes at the end it ignored.
  type Part = { file: string; start?: number; end?: number } | { hex: string } | { zeros: number };
  interface Case {
    name: string;
    kind: CompressionKind;
    parts: Part[];
    result: 'ok' | 'error';
    length: number;
    sha256: string;
    trailing?: number;
  }
  const cases: Case[] = JSON.parse(
    readFileSync(new URL('./fixtures/concatenations.json', import.meta.url), 'utf8'),
  );
  const build = (parts: Part[]) =>
    concat(
      ...parts.map((part) =>
        'file' in part
          ? fixture(part.file).subarray(part.start ?? 0, part.end)
          : 'hex' in part
            ? new Uint8Array(Buffer.from(part.hex, 'hex'))
            : new Uint8Array(part.zeros),
      ),
    );

  it('covers every kind of mix the brief asks about', () => {
    expect(cases.length).toBeGreaterThan(80);
    expect(new Set(cases.map((c) => c.kind))).toEqual(
      new Set(['xz', 'lzma', 'lzip', 'bz2', 'lz4', 'zlib', 'gzip']),
    );
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const bytes = build(c.parts);
    const result = await decode(c.kind, bytes);
    expect(result.stopped).toBeUndefined();
    // On an error, what the reader handed out before failing; we may have decoded a little more of the
    // stream that fails (CPython's BufferedReader drops what it buffered from it when the error comes).
    expect(sha256(result.data.subarray(0, c.length))).toBe(c.sha256);
    if (c.result === 'ok') {
      expect(result.data.length).toBe(c.length);
      expect(result.error).toBeUndefined();
      expect(result.complete).toBe(true);
      expect(result.trailingBytes ?? 0).toBe(c.trailing);
      expect(result.consumed).toBe(bytes.length - (c.trailing ?? 0));
    } else {
      expect(result.complete).toBe(false);
      expect(result.error).toBeTypeOf('string');
    }
  });
});

/** `bytes` with the .lzma header's dictionary size (bytes 1..4) replaced. */
function withDictionarySize(bytes: Uint8Array, dictionarySize: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(1, dictionarySize, true);
  return copy;
}

describe('.lzma dictionary sizes as liblzma takes them', () => {
  // payload-dict4k.lzma was written with a 4 KiB dictionary; make-fixtures.py checks every rewrite below
  // against CPython (FORMAT_AUTO decodes the first list and refuses the second, FORMAT_ALONE decodes both).
  const DICT4K = fixture('payload-dict4k.lzma');
  const PICKY = [0, 1, 2, 3, 6, 3072, 2 ** 12, 2 ** 20 + 2 ** 19, 0xffffffff];
  const NOT_PICKY = [5, 4097, 3 * 2 ** 20 + 1, 7 * 2 ** 20, 0xfffffffe];

  it.each(PICKY)('dictionary size %i is sniffed and decodes', async (size) => {
    const bytes = withDictionarySize(DICT4K, size);
    expect(sniffCompression(bytes)).toBe('lzma');
    const result = await decode('lzma', bytes);
    expect(result).toMatchObject({ complete: true, consumed: bytes.length });
    expect(sameBytes(result.data, PAYLOAD)).toBe(true);
  });

  it.each(NOT_PICKY)(
    'dictionary size %i is not sniffed, but decodes when asked (FORMAT_ALONE)',
    async (size) => {
      const bytes = withDictionarySize(DICT4K, size);
      expect(sniffCompression(bytes)).toBeUndefined();
      const result = await decode('lzma', bytes);
      expect(result.complete).toBe(true);
      expect(sameBytes(result.data, PAYLOAD)).toBe(true);
    },
  );

  it('agrees with the 2^n / 2^n + 2^(n-1) definition (plus 0 and UINT32_MAX) on every size to 2^17', () => {
    const accepted = new Set<number>([0, 0xffffffff]);
    for (let n = 0; n < 32; n++) {
      accepted.add(2 ** n);
      if (n > 0) accepted.add(2 ** n + 2 ** (n - 1));
    }
    const disagree: number[] = [];
    for (let d = 0; d <= 2 ** 17; d++) if (isPickyLzmaDictionarySize(d) !== accepted.has(d)) disagree.push(d);
    expect(disagree).toEqual([]);
    for (const d of accepted) expect(isPickyLzmaDictionarySize(d), `${d}`).toBe(true);
    for (const d of [2 ** 31 + 1, 3 * 2 ** 30 - 16, 3 * 2 ** 30 + 1, 2 ** 31 + 2 ** 29, 0xfffffff0]) {
      expect(isPickyLzmaDictionarySize(d), `${d}`).toBe(false);
    }
  });

  it('decodes a tiny dictionary as liblzma does: at least 4 KiB, in multiples of 16', async () => {
    expect([0, 1, 4095, 4096, 4097, 0xffffffff].map(effectiveDictionarySize)).toEqual([
      4096,
      4096,
      4096,
      4096,
      4112,
      2 ** 32,
    ]);
    // payload.lzma (8 MiB dictionary) has matches further back than 4 KiB: corrupt to liblzma with 1 byte.
    const result = await decode('lzma', withDictionarySize(fixture('payload.lzma'), 1));
    expect(result.complete).toBe(false);
    expect(result.error).toMatch(/beyond the dictionary size/);
  });

  it('continues into a following stream only when liblzma would (FORMAT_AUTO after the first)', async () => {
    const tiny = withDictionarySize(DICT4K, 1);
    const both = await decode('lzma', concat(DICT4K, tiny));
    expect(both.complete).toBe(true);
    expect(sameBytes(both.data, concat(PAYLOAD, PAYLOAD))).toBe(true);
    // CPython's lzma.decompress ignores a second stream FORMAT_AUTO refuses, as trailing data.
    const odd = withDictionarySize(DICT4K, 5);
    const first = await decode('lzma', concat(DICT4K, odd));
    expect(first).toMatchObject({ complete: true, consumed: DICT4K.length, trailingBytes: odd.length });
  });
});

describe('gzip members as CPython reads them', () => {
  const memberA = new Uint8Array(gzipSync(PAYLOAD.subarray(0, 5000)));
  const memberB = new Uint8Array(gzipSync(PAYLOAD.subarray(5000)));

  it.each([0, 1, 100, 70_000])('decodes member, %i zero bytes, member', async (zeros) => {
    const bytes = concat(memberA, new Uint8Array(zeros), memberB);
    const result = await decode('gzip', bytes);
    expect(result).toMatchObject({ complete: true, consumed: bytes.length });
    expect(result.trailingBytes).toBeUndefined();
    expect(sameBytes(result.data, PAYLOAD)).toBe(true);
  });

  it.each([1, 100, 70_000])('accepts %i zero bytes after the last member', async (zeros) => {
    const bytes = concat(memberA, memberB, new Uint8Array(zeros));
    const result = await decode('gzip', bytes);
    expect(result).toMatchObject({ complete: true, consumed: bytes.length });
    expect(result.trailingBytes).toBeUndefined();
    expect(sameBytes(result.data, PAYLOAD)).toBe(true);
  });

  it.each([
    ['garbage', new TextEncoder().encode('TRAILING GARBAGE'), 0],
    ['zeros then garbage', concat(new Uint8Array(100), new TextEncoder().encode('xyz')), 100],
    ['zeros then a lone 0x1f', concat(new Uint8Array(5), new Uint8Array([0x1f])), 5],
    ['a byte after a 64 KiB run of zeros', concat(new Uint8Array(65_536), new Uint8Array([7])), 65_536],
  ] as const)('fails on %s after a member, keeping every member before it', async (_, tail, zeros) => {
    const members = concat(memberA, memberB);
    const result = await decode('gzip', concat(members, tail));
    expect(result.complete).toBe(false);
    expect(result.stopped).toBeUndefined();
    expect(result.error).toMatch(/after member 1.*start no gzip member.*BadGzipFile/);
    expect(result.consumed).toBe(members.length + zeros);
    expect(sameBytes(result.data, PAYLOAD)).toBe(true);
  });

  it('fails on a member cut short after zero padding', async () => {
    const result = await decode('gzip', concat(memberA, new Uint8Array(10), memberB.subarray(0, 30)));
    expect(result.complete).toBe(false);
    expect(result.error).toMatch(/gzip member 1/);
    expect(sameBytes(result.data, PAYLOAD.subarray(0, result.data.length))).toBe(true);
  });

  it('keeps the output bound across padded members', async () => {
    const bomb = new Uint8Array(gzipSync(new Uint8Array(8 * MiB)));
    const result = await decode('gzip', concat(memberA, new Uint8Array(100), bomb), {
      maxOutputBytes: MiB,
      maxRatio: 1e9,
      minBytesForRatio: 0,
    });
    expect(result.stopped).toBe('limit');
    expect(result.data.length).toBeLessThanOrEqual(MiB);
    expect(sameBytes(result.data.subarray(0, 5000), PAYLOAD.subarray(0, 5000))).toBe(true);
  });

  it('reads headers CPython reads: reserved flag bits set, a file name longer than 64 KiB', async () => {
    const reserved = new Uint8Array(gzipSync(PAYLOAD));
    reserved[3]! |= 0xe0;
    expect(sameBytes((await decode('gzip', reserved)).data, PAYLOAD)).toBe(true);
    expect((await decode('gzip', reserved)).complete).toBe(true);
    const plain = new Uint8Array(gzipSync(PAYLOAD));
    const named = concat(
      new Uint8Array([0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 0xff]),
      new Uint8Array(100_000).fill(0x6e),
      new Uint8Array([0]),
      plain.subarray(10),
    );
    const result = await decode('gzip', named);
    expect(result).toMatchObject({ complete: true, consumed: named.length });
    expect(sameBytes(result.data, PAYLOAD)).toBe(true);
  });

  it('reports a file name that runs to the end of the input as truncated', async () => {
    const header = new Uint8Array([0x1f, 0x8b, 0x08, 0x08, 0, 0, 0, 0, 0, 0xff, 0x61, 0x62]);
    const result = await decode('gzip', header);
    expect(result.complete).toBe(false);
    expect(result.error).toMatch(/truncated: the input ends inside the gzip file name/);
  });
});

describe('decompressBounded: programming errors', () => {
  it('throws on invalid options', async () => {
    const bytes = fixture('payload.gz');
    await expect(decode('gzip', bytes, { ...UNBOUNDED, maxOutputBytes: -1 })).rejects.toThrow(InternalError);
    await expect(decode('gzip', bytes, { ...UNBOUNDED, maxOutputBytes: 1.5 })).rejects.toThrow(InternalError);
    await expect(decode('gzip', bytes, { ...UNBOUNDED, maxRatio: Number.NaN })).rejects.toThrow(
      InternalError,
    );
    await expect(decode('gzip', bytes, { ...UNBOUNDED, minBytesForRatio: -1 })).rejects.toThrow(
      InternalError,
    );
  });

  it('throws when the source fails to read', async () => {
    const failing: ByteSource = {
      size: 100,
      readAt() {
        throw new Error('EIO');
      },
    };
    await expect(decode('gzip', failing)).rejects.toThrow('EIO');
  });
});

describe('xxh32', () => {
  // Values from CPython's lz4.frame content checksums of bytes 0..n-1 (XXH32, seed 0).
  it.each([
    [0, 0x02cc5d05],
    [1, 0xcf65b03e],
    [3, 0x663e9a55],
    [4, 0x80691e66],
    [15, 0x57c01ece],
    [16, 0xb72837f4],
    [17, 0x7c77adc2],
    [33, 0xf1e6a545],
    [100, 0x7f89ba44],
  ])('of %i bytes, whole and in pieces', (n, want) => {
    const data = Uint8Array.from({ length: n }, (_, i) => i);
    expect(xxh32(data)).toBe(want);
    const pieces = new Xxh32();
    for (let i = 0; i < n; i += 5) pieces.update(data.subarray(i, i + 5));
    expect(pieces.digest()).toBe(want);
  });
});

describe('concatenation bound', () => {
  it(`stops after ${MAX_DECODED_STREAMS} streams and says what was not decompressed`, async () => {
    // An empty .lzma stream with a non-zero header (dictionary 1 MiB, size 0): a full decoder round each.
    const one = Uint8Array.from([0x5d, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const many = new Uint8Array(one.length * (MAX_DECODED_STREAMS + 5));
    for (let i = 0; i < MAX_DECODED_STREAMS + 5; i++) many.set(one, i * one.length);
    const r = await decode('lzma', many);
    expect(r.complete).toBe(false);
    expect(r.error).toContain(`more than ${MAX_DECODED_STREAMS} concatenated streams`);
  });
});
