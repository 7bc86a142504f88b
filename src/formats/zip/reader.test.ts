import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ByteSource, bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  inflateMember,
  MAX_ANOMALIES_PER_KIND,
  memberCrc,
  readZipDirectory,
  type ZipDirectory,
  type ZipEntry,
} from './reader.js';
import {
  buildZip,
  buildZipWithLayout,
  FLAG_ENCRYPTED,
  FLAG_MASKED_HEADERS,
  FLAG_STRONG_ENCRYPTION,
  FLAG_UTF8,
  UNIX_SYMLINK_ATTRIBUTES,
  type ZipMemberSpec,
} from './test-support/zip-builder.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** A source that fails loudly (not with ParseError) on reads no reader should make. */
function strictSource(bytes: Uint8Array): ByteSource {
  const inner = bufferSource(bytes);
  return {
    size: inner.size,
    readAt(position, length) {
      if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(length) || length < 0)
        throw new Error(`bad read at ${position} of ${length} bytes`);
      return inner.readAt(position, length);
    },
  };
}

function read(bytes: Uint8Array, maxEntries = 1000): ZipDirectory {
  return readZipDirectory(strictSource(bytes), { maxEntries });
}

const kinds = (dir: ZipDirectory) => dir.anomalies.map((a) => a.kind);
const names = (dir: ZipDirectory) => dir.entries.map((e) => e.name);
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

const LIMITS = { maxOutputBytes: 1 << 20, maxRatio: 1000, minBytesForRatio: 1 << 20 };

/** A member's bytes as a loader sees them: stored bytes as they are, deflated ones inflated. */
async function contentOf(bytes: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const source = bufferSource(bytes);
  if (entry.method === 0) return source.readAt(entry.dataOffset, entry.compressedSize);
  const out = await inflateMember(source, entry, LIMITS);
  expect(out.complete).toBe(true);
  return out.data;
}

const BASIC: ZipMemberSpec[] = [
  { name: 'archive/data.pkl', data: 'pickle bytes' },
  { name: 'archive/data/0', data: 'tensor '.repeat(40), method: 8 },
  { name: 'archive/version', data: '3\n' },
];

describe('readZipDirectory on zips written by Python zipfile', () => {
  it('lists stored, deflated and directory members of an archive with a comment', async () => {
    const bytes = fixture('python-basic.zip');
    const dir = read(bytes);
    expect(names(dir)).toEqual(['hello.txt', 'dir/', 'dir/data.bin']);
    expect(dir.anomalies).toEqual([]);
    expect(dir).toMatchObject({ recovered: false, prefixBytes: 0, omittedEntries: 0 });
    const [hello, folder, data] = dir.entries as [ZipEntry, ZipEntry, ZipEntry];
    expect(hello).toMatchObject({ method: 0, isDirectory: false, isSymlink: false, index: 0 });
    expect(folder.isDirectory).toBe(true);
    expect(data).toMatchObject({ method: 8, uncompressedSize: 512, index: 2 });
    expect(text(await contentOf(bytes, hello))).toBe('hello, zip\n');
    const inflated = await contentOf(bytes, data);
    expect(text(inflated)).toBe('abcdefgh'.repeat(64));
    expect(memberCrc(inflated)).toBe(data.crc32);
    expect(memberCrc(await contentOf(bytes, hello))).toBe(hello.crc32);
  });

  it('reads members whose local headers carry zip64 extra fields (force_zip64)', async () => {
    const bytes = fixture('python-zip64.zip');
    const dir = read(bytes);
    expect(names(dir)).toEqual(['big/weights.bin', 'small.txt']);
    expect(dir.anomalies).toEqual([]);
    const [big, small] = dir.entries as [ZipEntry, ZipEntry];
    expect(big.uncompressedSize).toBe(500);
    expect(text(await contentOf(bytes, big))).toBe('0123456789'.repeat(50));
    expect(text(await contentOf(bytes, small))).toBe('small\n');
    // The local header's 20-byte zip64 extra field is skipped to find the data.
    expect(small.dataOffset).toBe(small.localHeaderOffset + 30 + 'small.txt'.length + 20);
  });
});

describe('readZipDirectory on crafted archives', () => {
  it('reads what the builder writes without anomalies', async () => {
    const bytes = buildZip(BASIC);
    const dir = read(bytes);
    expect(names(dir)).toEqual(['archive/data.pkl', 'archive/data/0', 'archive/version']);
    expect(dir.anomalies).toEqual([]);
    expect(text(await contentOf(bytes, dir.entries[1]!))).toBe('tensor '.repeat(40));
  });

  it('lists an empty archive (a lone end record)', () => {
    expect(read(buildZip([]))).toMatchObject({ entries: [], anomalies: [], recovered: false });
  });

  it('refuses bytes that are not a zip with ParseError', () => {
    for (const bytes of [
      new Uint8Array(0),
      Buffer.from('not a zip at all, just some text'),
      new Uint8Array(100),
    ]) {
      expect(() => read(bytes)).toThrow(ParseError);
    }
  });

  it('keeps the central name and records the local one when they differ', async () => {
    const bytes = buildZip([
      { name: 'archive/data.pkl', localName: 'archive/innocent.txt', data: 'payload' },
    ]);
    const dir = read(bytes);
    expect(kinds(dir)).toEqual(['name-mismatch']);
    expect(dir.entries[0]).toMatchObject({ name: 'archive/data.pkl', localName: 'archive/innocent.txt' });
    expect(dir.anomalies[0]).toMatchObject({ member: 'archive/data.pkl', offset: 0 });
    expect(text(await contentOf(bytes, dir.entries[0]!))).toBe('payload');
  });

  it('records encryption flag bits and still locates the data', async () => {
    for (const flags of [FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION | FLAG_ENCRYPTED, FLAG_MASKED_HEADERS]) {
      const bytes = buildZip([{ name: 'a.pkl', data: 'payload', flags, method: 8 }]);
      const dir = read(bytes);
      expect(kinds(dir)).toEqual(['flags']);
      expect(dir.entries[0]!.flags).toBe(flags);
      expect(text(await contentOf(bytes, dir.entries[0]!))).toBe('payload');
    }
  });

  it('decodes UTF-8 names and does not treat the UTF-8 flag as suspicious', () => {
    const dir = read(buildZip([{ name: 'café/données.pkl', data: 'x', flags: FLAG_UTF8 }]));
    expect(dir.anomalies).toEqual([]);
    expect(names(dir)).toEqual(['café/données.pkl']);
  });

  it('decodes non-UTF-8 names byte per character', () => {
    const name = Buffer.from([0x61, 0xe9, 0x2e, 0x70, 0x6b, 0x6c]).toString('latin1');
    const bytes = buildZip([{ name: 'placeholder', data: 'x' }]);
    // Patch the name bytes in both headers to the latin-1 'aé.pkl' (0xe9 alone is not UTF-8).
    const patched = Buffer.from(bytes.slice()).toString('latin1').replaceAll('placeholder', `${name}_____`);
    const dir = read(new Uint8Array(Buffer.from(patched, 'latin1')));
    expect(names(dir)).toEqual([`${name}_____`]);
  });

  it('does not check CRCs itself: the stored CRC is kept for the caller to compare', async () => {
    const bytes = buildZip([{ name: 'a.pkl', data: 'payload', crc: 0xdeadbeef }]);
    const dir = read(bytes);
    expect(dir.anomalies).toEqual([]);
    expect(dir.entries[0]!.crc32).toBe(0xdeadbeef);
    expect(memberCrc(await contentOf(bytes, dir.entries[0]!))).not.toBe(0xdeadbeef);
  });

  it('records data before the first member when offsets count it (self-extractor style)', async () => {
    const prefix = '#!/bin/sh\nexit 0\n';
    const bytes = buildZip(BASIC, { prefix });
    const dir = read(bytes);
    expect(kinds(dir)).toEqual(['structure']);
    expect(dir.prefixBytes).toBe(prefix.length);
    expect(dir.entries[0]!.localHeaderOffset).toBe(prefix.length);
    expect(text(await contentOf(bytes, dir.entries[0]!))).toBe('pickle bytes');
  });

  it('corrects offsets when data was prepended without fixing them, and says so', async () => {
    const prefix = 'GIF89a polyglot prefix';
    const built = buildZipWithLayout(BASIC, { prefix, fixOffsets: false });
    const dir = read(built.bytes);
    expect(kinds(dir)).toEqual(['structure']);
    expect(dir.anomalies[0]!.message).toContain(`off by ${prefix.length}`);
    expect(dir.entries.map((e) => e.localHeaderOffset)).toEqual(built.localHeaderOffsets);
    expect(text(await contentOf(built.bytes, dir.entries[0]!))).toBe('pickle bytes');
    expect(text(await contentOf(built.bytes, dir.entries[1]!))).toBe('tensor '.repeat(40));
  });

  it('records bytes after the end record that its comment does not cover', () => {
    expect(kinds(read(buildZip(BASIC, { comment: 'fine' })))).toEqual([]);
    const dir = read(buildZip(BASIC, { trailing: 'appended' }));
    expect(kinds(dir)).toEqual(['structure']);
    expect(dir.anomalies[0]!.message).toContain('follow the end record');
  });

  it('recovers members from local headers when there is no central directory', async () => {
    const bytes = buildZip(BASIC, { centralDirectory: false });
    const dir = read(bytes);
    expect(dir.recovered).toBe(true);
    expect(kinds(dir)).toEqual(['truncated']);
    expect(names(dir)).toEqual(['archive/data.pkl', 'archive/data/0', 'archive/version']);
    expect(text(await contentOf(bytes, dir.entries[1]!))).toBe('tensor '.repeat(40));
    expect(text(await contentOf(bytes, dir.entries[2]!))).toBe('3\n');
  });

  it('recovers a member written with a data descriptor by reading to the end of its stream', async () => {
    const bytes = buildZip(
      [{ name: 'x/data.pkl', data: 'payload '.repeat(20), method: 8, dataDescriptor: true }],
      {
        centralDirectory: false,
      },
    );
    const dir = read(bytes);
    expect(dir.recovered).toBe(true);
    expect(dir.entries).toHaveLength(1);
    const entry = dir.entries[0]!;
    expect(entry.dataOffset + entry.compressedSize).toBe(bytes.length);
    const out = await inflateMember(bufferSource(bytes), entry, LIMITS);
    expect(text(out.data)).toBe('payload '.repeat(20));
  });

  it('records escaping names in recovered archives too', () => {
    const dir = read(buildZip([{ name: '../../evil.pkl', data: 'x' }], { centralDirectory: false }));
    expect(kinds(dir)).toEqual(['truncated', 'traversal']);
  });

  it('refuses a headless, directory-less file with ParseError', () => {
    const bytes = buildZip(BASIC, { centralDirectory: false, prefix: 'junk' });
    expect(() => read(bytes)).toThrow(ParseError);
  });

  it('records duplicate names, keeping both entries', () => {
    const dir = read(
      buildZip([
        { name: 'a/data.pkl', data: 'one' },
        { name: 'a/data.pkl', data: 'two' },
      ]),
    );
    expect(kinds(dir)).toEqual(['duplicate']);
    expect(dir.entries).toHaveLength(2);
  });

  it('records Unix symbolic links', () => {
    const dir = read(
      buildZip([
        { name: 'link', data: '/etc/passwd', symlink: true },
        { name: 'plain', data: 'x' },
      ]),
    );
    expect(kinds(dir)).toEqual(['link']);
    expect(dir.entries.map((e) => e.isSymlink)).toEqual([true, false]);
  });

  it('only trusts symlink modes from Unix hosts', () => {
    const dir = read(
      buildZip([{ name: 'link', data: 'x', externalAttributes: UNIX_SYMLINK_ATTRIBUTES, versionMadeBy: 20 }]),
    );
    expect(dir.anomalies).toEqual([]);
    expect(dir.entries[0]!.isSymlink).toBe(false);
  });

  it('records names that escape the extraction folder', () => {
    for (const name of [
      '../evil.pkl',
      'a/../../evil.pkl',
      '/etc/cron.d/x',
      '\\\\server\\share',
      'C:\\x.pkl',
      'a\\..\\..\\b',
    ]) {
      const dir = read(buildZip([{ name, data: 'x' }]));
      expect(kinds(dir), name).toEqual(['traversal']);
    }
    for (const name of ['a/..b/c', 'a..', '.../x', 'dir/./x']) {
      expect(kinds(read(buildZip([{ name, data: 'x' }]))), name).toEqual([]);
    }
  });

  it('records members that share data (overlapping zip bombs)', () => {
    const bytes = buildZip([
      { name: 'a', data: 'z'.repeat(1000), method: 8 },
      { name: 'b', data: 'z'.repeat(1000), method: 8, sameLocalAs: 0 },
    ]);
    const dir = read(bytes);
    // The second central entry names 'b' but its local header names 'a'.
    expect(kinds(dir).sort()).toEqual(['name-mismatch', 'overlap']);
    expect(dir.entries[0]!.dataOffset).toBe(dir.entries[1]!.dataOffset);
  });

  it('reads zip64 end records and zip64 extra fields', async () => {
    const members: ZipMemberSpec[] = BASIC.map((m) => ({ ...m, zip64: true }));
    const bytes = buildZip(members, { zip64End: true });
    const dir = read(bytes);
    expect(dir.anomalies).toEqual([]);
    expect(names(dir)).toEqual(names(read(buildZip(BASIC))));
    const built = buildZipWithLayout(members, { zip64End: true });
    expect(dir.entries.map((e) => e.localHeaderOffset)).toEqual(built.localHeaderOffsets);
    expect(dir.entries.map((e) => e.dataOffset)).toEqual(built.dataOffsets);
    expect(text(await contentOf(bytes, dir.entries[1]!))).toBe('tensor '.repeat(40));
  });

  it('reads a zip64 end record behind prepended data', async () => {
    const bytes = buildZip(BASIC, { zip64End: true, prefix: 'prefix' });
    const dir = read(bytes);
    expect(kinds(dir)).toEqual(['structure']);
    expect(dir.prefixBytes).toBe(6);
    expect(text(await contentOf(bytes, dir.entries[0]!))).toBe('pickle bytes');
  });

  it('keeps huge declared sizes without trusting them', async () => {
    const huge = 2 ** 40;
    const bytes = buildZip([{ name: 'big', data: 'zeros'.repeat(100), method: 8, uncompressedSize: huge }]);
    const dir = read(bytes);
    expect(dir.anomalies).toEqual([]);
    expect(dir.entries[0]!.uncompressedSize).toBe(huge);
    expect(text(await contentOf(bytes, dir.entries[0]!))).toBe('zeros'.repeat(100));
  });

  it('records a compressed size that runs past the end of the file', () => {
    for (const compressedSize of [10_000, 2 ** 40]) {
      const dir = read(
        buildZip([
          { name: 'big', data: 'abc', compressedSize },
          { name: 'next', data: 'x' },
        ]),
      );
      expect(kinds(dir), String(compressedSize)).toContain('truncated');
      expect(dir.anomalies.find((a) => a.kind === 'truncated')!.member).toBe('big');
    }
  });

  it('lists the archive when a zip64 size does not fit in 53 bits (miniz lists it too)', () => {
    const dir = read(
      buildZip([
        { name: 'a/data.pkl', data: 'payload' },
        { name: 'bogus', data: 'x', uncompressedSize: 2 ** 60 },
      ]),
    );
    expect(names(dir)).toEqual(['a/data.pkl', 'bogus']);
    expect(dir.anomalies[0]).toMatchObject({ kind: 'structure', member: 'bogus' });
    expect(dir.entries[0]!.dataOffset).toBeGreaterThan(0);
  });

  it('ignores an end record whose directory offset points past the directory (no negative offsets)', () => {
    const built = buildZipWithLayout(BASIC);
    const bytes = built.bytes.slice();
    bytes[built.endOffset + 17] = (bytes[built.endOffset + 17] ?? 0) + 1; // central directory offset + 256
    const dir = read(bytes);
    expect(dir.recovered).toBe(true);
    expect(names(dir)).toEqual(['archive/data.pkl', 'archive/data/0', 'archive/version']);
  });

  it('lists members with compression methods it cannot decompress', () => {
    const dir = read(
      buildZip([
        { name: 'a.bz2member', data: 'BZh91AY&SY', method: 12 },
        { name: 'b', data: 'x', method: 99 },
      ]),
    );
    expect(dir.entries.map((e) => e.method)).toEqual([12, 99]);
    expect(dir.anomalies).toEqual([]);
  });

  it('records central entries whose local header is missing', () => {
    const built = buildZipWithLayout(BASIC);
    const bytes = built.bytes.slice();
    bytes[built.localHeaderOffsets[1]!] = 0; // break the 'PK\3\4' signature of member 1
    const dir = read(bytes);
    expect(kinds(dir)).toEqual(['truncated']);
    expect(dir.entries[1]!.dataOffset).toBe(-1);
    expect(dir.entries[0]!.dataOffset).toBeGreaterThan(0);
  });

  it('records an end record that promises more entries than the directory holds', () => {
    const dir = read(buildZip(BASIC, { declaredEntries: 5 }));
    expect(names(dir)).toHaveLength(3);
    expect(kinds(dir)).toEqual(['truncated']);
  });

  it('reads the members the directory holds beyond the end record count, as zipfile does', () => {
    const dir = read(buildZip(BASIC, { declaredEntries: 1 }));
    expect(names(dir)).toEqual(['archive/data.pkl', 'archive/data/0', 'archive/version']);
    expect(kinds(dir)).toEqual(['structure']);
    expect(dir.anomalies[0]?.message).toContain('more members than the 1');
  });

  it('records a stored member whose two sizes disagree (miniz and zipfile read different lengths)', () => {
    const dir = read(buildZip([{ name: 'a/data.pkl', data: 'abc', uncompressedSize: 10 }]));
    expect(kinds(dir)).toEqual(['structure']);
    expect(dir.entries[0]?.uncompressedSize).toBe(10);
    expect(dir.entries[0]?.compressedSize).toBe(3);
  });

  it('falls back to local headers when the central directory is not where the end record says', () => {
    const built = buildZipWithLayout(BASIC);
    const bytes = built.bytes.slice();
    bytes[built.centralOffset] = 0;
    const dir = read(bytes);
    expect(dir.recovered).toBe(true);
    expect(names(dir)).toEqual(['archive/data.pkl', 'archive/data/0', 'archive/version']);
  });

  it('lists at most maxEntries members and counts the rest', () => {
    const dir = read(buildZip(BASIC), 2);
    expect(names(dir)).toEqual(['archive/data.pkl', 'archive/data/0']);
    expect(dir.omittedEntries).toBe(1);
  });

  it('lists the first anomalies of a kind and summarises the rest', () => {
    const members = Array.from({ length: MAX_ANOMALIES_PER_KIND + 5 }, () => ({ name: 'same', data: 'x' }));
    const dir = read(buildZip(members));
    const duplicates = dir.anomalies.filter((a) => a.kind === 'duplicate');
    expect(duplicates).toHaveLength(MAX_ANOMALIES_PER_KIND + 1);
    expect(duplicates.at(-1)!.message).toContain('more duplicate anomalies follow');
  });
});

describe('readZipDirectory on damaged input', () => {
  const samples: [string, Uint8Array][] = [
    ['builder zip', buildZip(BASIC)],
    [
      'zip64 builder zip',
      buildZip(
        BASIC.map((m) => ({ ...m, zip64: true })),
        { zip64End: true },
      ),
    ],
    ['python zip', fixture('python-basic.zip')],
  ];

  for (const [label, bytes] of samples) {
    it(`never throws anything but ParseError, nor hangs, when a ${label} is cut at any length`, async () => {
      let listed = 0;
      for (let length = 0; length <= bytes.length; length++) {
        const cut = bytes.slice(0, length);
        let dir: ZipDirectory;
        try {
          dir = read(cut);
        } catch (error) {
          expect(error, `length ${length}`).toBeInstanceOf(ParseError);
          continue;
        }
        listed++;
        for (const entry of dir.entries) {
          if (entry.dataOffset < 0 || entry.method !== 8) continue;
          const out = await inflateMember(strictSource(cut), entry, LIMITS);
          expect(out.data.length).toBeLessThanOrEqual(LIMITS.maxOutputBytes);
        }
      }
      expect(listed).toBeGreaterThan(0);
    });
  }

  it('never throws anything but ParseError on random bytes', () => {
    const zipLike = fc.oneof(
      fc.uint8Array({ maxLength: 400 }),
      fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...b])),
      fc
        .tuple(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 18, maxLength: 18 }))
        .map(([body, tail]) => Uint8Array.from([...body, 0x50, 0x4b, 0x05, 0x06, ...tail])),
    );
    fc.assert(
      fc.property(zipLike, (bytes) => {
        try {
          read(bytes);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws anything but ParseError, nor hangs inflating, when bytes of a zip are changed', async () => {
    const deflated = BASIC.map((m) => ({ ...m, method: 8 }));
    const bases = [
      buildZip(deflated),
      buildZip(deflated, { prefix: 'prefix', fixOffsets: false }),
      buildZip(
        deflated.map((m) => ({ ...m, zip64: true })),
        { zip64End: true },
      ),
      buildZip(deflated, { centralDirectory: false }),
    ];
    const change = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }));
    const mutation = fc.tuple(fc.constantFrom(...bases), fc.array(change, { minLength: 1, maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(mutation, async ([base, changes]) => {
        const bytes = base.slice();
        for (const [at, value] of changes) bytes[at % bytes.length] = value;
        let dir: ZipDirectory;
        try {
          dir = read(bytes);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          return;
        }
        for (const entry of dir.entries) {
          if (entry.dataOffset < 0 || entry.method !== 8) continue;
          await inflateMember(strictSource(bytes), entry, LIMITS);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('inflateMember', () => {
  it('inflates a member to its content', async () => {
    const content = Buffer.from('the quick brown fox '.repeat(500));
    const bytes = buildZip([{ name: 'm', data: content, method: 8 }]);
    const entry = read(bytes).entries[0]!;
    const out = await inflateMember(bufferSource(bytes), entry, LIMITS);
    expect(out).toMatchObject({ complete: true });
    expect(out.stopped).toBeUndefined();
    expect(out.error).toBeUndefined();
    expect(Buffer.from(out.data).equals(content)).toBe(true);
  });

  it('inflates members larger than one input chunk', async () => {
    // Incompressible bytes so the compressed member spans several INFLATE_CHUNK_BYTES reads.
    const content = new Uint8Array(3 * (1 << 20) + 123);
    let x = 12345;
    for (let i = 0; i < content.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      content[i] = x >>> 24;
    }
    const bytes = buildZip([{ name: 'm', data: content, method: 8 }]);
    const entry = read(bytes).entries[0]!;
    const out = await inflateMember(bufferSource(bytes), entry, { ...LIMITS, maxOutputBytes: 8 << 20 });
    expect(out.complete).toBe(true);
    expect(Buffer.from(out.data).equals(Buffer.from(content))).toBe(true);
  });

  describe('on a bomb (200 MB of zeros)', () => {
    const compressed = new Uint8Array(deflateRawSync(Buffer.alloc(200 * 2 ** 20), { level: 9 }));
    const bytes = buildZip([
      { name: 'bomb', method: 8, compressed, uncompressedSize: 200 * 2 ** 20, crc: 0 },
    ]);

    it('stops at the output limit', async () => {
      expect(compressed.length).toBeLessThan(300_000);
      const entry = read(bytes).entries[0]!;
      const out = await inflateMember(bufferSource(bytes), entry, {
        maxOutputBytes: 1 << 20,
        maxRatio: 1e9,
        minBytesForRatio: 0,
      });
      expect(out).toMatchObject({ complete: false, stopped: 'limit' });
      expect(out.data.length).toBe(1 << 20);
    });

    it('stops at the expansion ratio once past the minimum size', async () => {
      const entry = read(bytes).entries[0]!;
      const out = await inflateMember(bufferSource(bytes), entry, {
        maxOutputBytes: 512 << 20,
        maxRatio: 20,
        minBytesForRatio: 1 << 20,
      });
      expect(out).toMatchObject({ complete: false, stopped: 'ratio' });
      expect(out.data.length).toBeLessThan(64 << 20);
    });
  });

  it('reports corrupt deflate data as incomplete with an error', async () => {
    const bytes = buildZip([
      {
        name: 'bad',
        method: 8,
        compressed: Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01]),
        uncompressedSize: 10,
      },
    ]);
    const out = await inflateMember(bufferSource(bytes), read(bytes).entries[0]!, LIMITS);
    expect(out.complete).toBe(false);
    expect(out.error).toBeTruthy();
    expect(out.stopped).toBeUndefined();
  });

  it('reports a deflate stream cut short as incomplete, keeping what it produced', async () => {
    const content = Buffer.from('abcdefghijklmnopqrstuvwxyz'.repeat(2000));
    let x = 7;
    for (let i = 0; i < content.length; i += 3) {
      x = (x * 1103515245 + 12345) >>> 0;
      content[i] = x >>> 24;
    }
    const full = new Uint8Array(deflateRawSync(content));
    const compressed = full.subarray(0, full.length >> 1);
    const bytes = buildZip([{ name: 'cut', method: 8, compressed, uncompressedSize: content.length }]);
    const out = await inflateMember(bufferSource(bytes), read(bytes).entries[0]!, LIMITS);
    expect(out.complete).toBe(false);
    expect(out.error).toBeTruthy();
    expect(out.data.length).toBeGreaterThan(0);
    expect(Buffer.from(out.data).equals(content.subarray(0, out.data.length))).toBe(true);
  });

  it('reads nothing past the end of the file for a member whose size lies', async () => {
    const built = buildZipWithLayout([
      { name: 'm', data: 'hello '.repeat(50), method: 8, compressedSize: 1e9 },
    ]);
    const dir = read(built.bytes);
    const out = await inflateMember(strictSource(built.bytes), dir.entries[0]!, LIMITS);
    // The stream ends inside the file; whatever follows it (the central directory) is not inflated.
    expect(text(out.data).startsWith('hello hello')).toBe(true);
  });
});
