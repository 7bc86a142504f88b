import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { listTar, looksLikeTar, MAX_PAX_HEADER_BYTES, type TarListing } from './reader.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

const LONG = `long/${'d'.repeat(60)}/${'e'.repeat(60)}/member-with-a-long-name.txt`;

interface TarSpec {
  readonly name: string;
  readonly data?: string | Uint8Array;
  /** Typeflag character: '0' file (default), '1' hard link, '2' symlink, '5' directory, 'x', 'g', 'L', 'K'. */
  readonly type?: string;
  readonly linkName?: string;
  /** ustar (default), GNU ('ustar  ') or v7 (no magic). */
  readonly magic?: 'ustar' | 'gnu' | 'v7';
  readonly prefix?: string;
  /** Raw 12 bytes for the size field (base-256, junk) instead of the octal size of `data`. */
  readonly sizeField?: Uint8Array;
  readonly badChecksum?: boolean;
}

const BLOCK = 512;

function put(block: Uint8Array, offset: number, length: number, value: string | Uint8Array): void {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  block.set(bytes.subarray(0, length), offset);
}

function octal(n: number, length: number): string {
  return `${n.toString(8).padStart(length - 1, '0')}\0`;
}

function header(spec: TarSpec, size: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  put(h, 0, 100, spec.name);
  put(h, 100, 8, octal(0o644, 8));
  put(h, 108, 8, octal(0, 8));
  put(h, 116, 8, octal(0, 8));
  put(h, 124, 12, spec.sizeField ?? octal(size, 12));
  put(h, 136, 12, octal(1704164646, 12));
  h[156] = (spec.type ?? '0').charCodeAt(0);
  put(h, 157, 100, spec.linkName ?? '');
  const magic = spec.magic ?? 'ustar';
  if (magic === 'ustar') put(h, 257, 8, 'ustar\x0000');
  if (magic === 'gnu') put(h, 257, 8, 'ustar  \0');
  if (spec.prefix !== undefined) put(h, 345, 155, spec.prefix);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  if (spec.badChecksum) sum += 1;
  put(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

function paxRecords(records: Record<string, string>): string {
  let out = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
    out += `${len}${body}`;
  }
  return out;
}

function buildTar(specs: readonly TarSpec[], options: { end?: boolean } = {}): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const spec of specs) {
    const data =
      typeof spec.data === 'string' ? Buffer.from(spec.data, 'utf8') : (spec.data ?? new Uint8Array());
    parts.push(header(spec, data.length));
    const padded = new Uint8Array(Math.ceil(data.length / BLOCK) * BLOCK);
    padded.set(data);
    parts.push(padded);
  }
  if (options.end !== false) parts.push(new Uint8Array(2 * BLOCK));
  return new Uint8Array(Buffer.concat(parts));
}

function list(bytes: Uint8Array, maxEntries = 1000): TarListing {
  return listTar(bufferSource(bytes), { maxEntries });
}

const contentOf = (bytes: Uint8Array, entry: { dataOffset: number; size: number }) =>
  Buffer.from(bytes.subarray(entry.dataOffset, entry.dataOffset + entry.size)).toString('utf8');

describe('listTar on tars written by Python tarfile', () => {
  it('lists a ustar archive with a directory, files, links and a name split into prefix and name', () => {
    const bytes = fixture('python-ustar.tar');
    const listing = list(bytes);
    expect(listing.problems).toEqual([]);
    expect(listing.omittedEntries).toBe(false);
    expect(
      listing.entries.map((e) => [e.name, e.type, e.size, e.linkName, e.headerOffset, e.dataOffset]),
    ).toEqual([
      ['dir/', 'directory', 0, '', 0, 512],
      ['dir/hello.txt', 'file', 11, '', 512, 1024],
      ['dir/block.bin', 'file', 512, '', 1536, 2048],
      ['dir/link', 'symlink', 0, '../../etc/passwd', 2560, 3072],
      ['dir/hard', 'hardlink', 0, 'dir/hello.txt', 3072, 3584],
      [LONG, 'file', 27, '', 3584, 4096],
    ]);
    expect(contentOf(bytes, listing.entries[1]!)).toBe('hello, tar\n');
    expect(contentOf(bytes, listing.entries[5]!)).toBe('split into prefix and name\n');
  });

  it('applies GNU long-name records to the member that follows', () => {
    const bytes = fixture('python-gnu.tar');
    const listing = list(bytes);
    expect(listing.problems).toEqual([]);
    expect(listing.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      [LONG, 'file', 14],
      ['short.txt', 'file', 6],
    ]);
    expect(contentOf(bytes, listing.entries[0]!)).toBe('gnu long name\n');
    expect(contentOf(bytes, listing.entries[1]!)).toBe('short\n');
  });

  it('applies pax path records to the member that follows, and only to it', () => {
    const bytes = fixture('python-pax.tar');
    const listing = list(bytes);
    expect(listing.problems).toEqual([]);
    expect(listing.entries.map((e) => [e.name, e.type, e.size])).toEqual([
      [LONG, 'file', 14],
      ['short.txt', 'file', 6],
    ]);
    expect(contentOf(bytes, listing.entries[0]!)).toBe('pax long path\n');
  });
});

describe('listTar on crafted archives', () => {
  it('reads what the helper writes', () => {
    const bytes = buildTar([
      { name: 'a.txt', data: 'hello' },
      { name: 'b', type: '5' },
    ]);
    const listing = list(bytes);
    expect(listing.problems).toEqual([]);
    expect(listing.entries.map((e) => [e.name, e.type])).toEqual([
      ['a.txt', 'file'],
      ['b', 'directory'],
    ]);
  });

  it('lists symbolic and hard links with their targets', () => {
    const listing = list(
      buildTar([
        { name: 'link', type: '2', linkName: '/etc/passwd' },
        { name: 'hard', type: '1', linkName: '../outside' },
        { name: 'fifo', type: '6' },
      ]),
    );
    expect(listing.entries.map((e) => [e.name, e.type, e.linkName])).toEqual([
      ['link', 'symlink', '/etc/passwd'],
      ['hard', 'hardlink', '../outside'],
      ['fifo', 'other', ''],
    ]);
  });

  it('takes long link targets from GNU K records and pax linkpath', () => {
    const target = `/${'t'.repeat(150)}`;
    const gnu = list(
      buildTar([
        { name: '././@LongLink', type: 'K', data: `${target}\0`, magic: 'gnu' },
        { name: 'l', type: '2', magic: 'gnu' },
      ]),
    );
    expect(gnu.entries.map((e) => [e.name, e.linkName])).toEqual([['l', target]]);
    const pax = list(
      buildTar([
        { name: 'PaxHeader', type: 'x', data: paxRecords({ linkpath: target }) },
        { name: 'l', type: '2' },
      ]),
    );
    expect(pax.entries.map((e) => [e.name, e.linkName])).toEqual([['l', target]]);
  });

  it('applies global pax paths to every later member', () => {
    const listing = list(
      buildTar([
        { name: 'GlobalHead', type: 'g', data: paxRecords({ path: 'everything' }) },
        { name: 'a', data: '1' },
        { name: 'b', data: '2' },
      ]),
    );
    expect(listing.entries.map((e) => e.name)).toEqual(['everything', 'everything']);
  });

  it('takes the member size from a pax size record', () => {
    const listing = list(
      buildTar([
        { name: 'PaxHeader', type: 'x', data: paxRecords({ size: '5' }) },
        { name: 'a', data: 'hello' },
      ]),
    );
    expect(listing.entries.map((e) => [e.name, e.size])).toEqual([['a', 5]]);
  });

  it('reads v7 headers without magic', () => {
    const bytes = buildTar([
      { name: 'old.bin', data: 'v7 data', magic: 'v7', prefix: 'ignored-without-magic' },
    ]);
    expect(list(bytes).entries.map((e) => [e.name, e.size])).toEqual([['old.bin', 7]]);
  });

  it('accepts checksums computed over signed bytes (old Sun tar)', () => {
    const h = header({ name: 'caf\u00e9', data: 'x' }, 1);
    h.fill(0x20, 148, 156);
    let signed = 0;
    for (const b of h) signed += b > 127 ? b - 256 : b;
    put(h, 148, 8, `${signed.toString(8).padStart(6, '0')}\0 `);
    const bytes = new Uint8Array(Buffer.concat([h, new Uint8Array(BLOCK * 3)]));
    bytes[BLOCK] = 0x78;
    expect(list(bytes).entries.map((e) => e.name)).toEqual(['caf\u00e9']);
  });

  it('stops at a header whose checksum does not match, keeping the members before it', () => {
    const bytes = buildTar([
      { name: 'a', data: 'one' },
      { name: 'b', data: 'two', badChecksum: true },
      { name: 'c', data: 'three' },
    ]);
    const listing = list(bytes);
    expect(listing.entries.map((e) => e.name)).toEqual(['a']);
    expect(listing.problems).toEqual([{ message: 'tar header checksum does not match', offset: 1024 }]);
  });

  it('reports a changed byte in a header as a checksum mismatch', () => {
    const bytes = fixture('python-ustar.tar').slice();
    bytes[512 + 3] = (bytes[512 + 3] as number) ^ 0x01; // a byte of 'dir/hello.txt'
    const listing = list(bytes);
    expect(listing.entries.map((e) => e.name)).toEqual(['dir/']);
    expect(listing.problems[0]?.offset).toBe(512);
  });

  it('reads base-256 (GNU binary) size fields', () => {
    const size = 1000;
    const field = new Uint8Array(12);
    field[0] = 0x80;
    field[10] = size >> 8;
    field[11] = size & 0xff;
    const listing = list(buildTar([{ name: 'big', data: 'y'.repeat(size), sizeField: field, magic: 'gnu' }]));
    expect(listing.problems).toEqual([]);
    expect(listing.entries.map((e) => [e.name, e.size])).toEqual([['big', size]]);
  });

  it('reports base-256 sizes beyond 53 bits and negative ones as problems, without throwing', () => {
    for (const first of [0x80, 0xff]) {
      const field = new Uint8Array(12).fill(0xff);
      field[0] = first;
      const listing = list(buildTar([{ name: 'huge', data: 'x', sizeField: field }]));
      expect(listing.entries).toEqual([]);
      expect(listing.problems[0]?.message).toContain('53 bits');
    }
  });

  it('reports a base-256 size larger than the file as a member running past the end', () => {
    const field = new Uint8Array(12);
    field[0] = 0x80;
    field[7] = 0x01; // 2^32 bytes
    const listing = list(buildTar([{ name: 'lying', data: 'x', sizeField: field }]));
    expect(listing.entries.map((e) => [e.name, e.size])).toEqual([['lying', 2 ** 32]]);
    expect(listing.problems[0]?.message).toContain('runs past the end');
  });

  it('reads space-padded octal sizes and reports a size field that is not octal', () => {
    const padded = list(
      buildTar([{ name: 'old', data: 'x', sizeField: Buffer.from(`${' '.repeat(10)}1\0`) }]),
    );
    expect(padded.problems).toEqual([]);
    expect(padded.entries.map((e) => e.size)).toEqual([1]);
    const bad = list(buildTar([{ name: 'junk', data: 'x', sizeField: Buffer.from('0000000009x\0') }]));
    expect(bad.entries).toEqual([]);
    expect(bad.problems[0]?.message).toContain('not octal');
  });

  it('refuses pax headers larger than the limit', () => {
    const field = new Uint8Array(12);
    field[0] = 0x80;
    const n = MAX_PAX_HEADER_BYTES + 1;
    field[9] = (n >> 16) & 0xff;
    field[10] = (n >> 8) & 0xff;
    field[11] = n & 0xff;
    const listing = list(
      buildTar([
        { name: 'PaxHeader', type: 'x', sizeField: field },
        { name: 'a', data: 'x' },
      ]),
    );
    expect(listing.entries).toEqual([]);
    expect(listing.problems[0]?.message).toContain('exceeds');
  });

  it('stops listing at maxEntries', () => {
    const listing = list(
      buildTar([
        { name: 'a', data: '1' },
        { name: 'b', data: '2' },
        { name: 'c', data: '3' },
      ]),
      2,
    );
    expect(listing.entries.map((e) => e.name)).toEqual(['a', 'b']);
    expect(listing.omittedEntries).toBe(true);
  });

  it('reports an archive that ends inside a header block', () => {
    const bytes = buildTar([{ name: 'a', data: '1' }], { end: false });
    const cut = new Uint8Array(Buffer.concat([bytes, new Uint8Array(100).fill(7)]));
    const listing = list(cut);
    expect(listing.entries.map((e) => e.name)).toEqual(['a']);
    expect(listing.problems[0]?.message).toContain('ends inside a header block');
  });

  it('reports an archive that ends inside an extended header', () => {
    const bytes = buildTar([
      { name: 'PaxHeader', type: 'x', data: paxRecords({ path: LONG }) },
      { name: 'a' },
    ]);
    const listing = list(bytes.subarray(0, BLOCK + 20));
    expect(listing.entries).toEqual([]);
    expect(listing.problems).toEqual([
      { message: 'the archive ends inside an extended header', offset: BLOCK },
    ]);
  });

  it('lists archives without an end marker', () => {
    const listing = list(buildTar([{ name: 'a', data: '1' }], { end: false }));
    expect(listing.entries.map((e) => e.name)).toEqual(['a']);
    expect(listing.problems).toEqual([]);
  });
});

describe('listTar on damaged input', () => {
  /** Byte ranges of every header block with its data (extended headers too), padding left out. */
  function headerAndDataRanges(bytes: Uint8Array): [number, number][] {
    const ranges: [number, number][] = [];
    for (let p = 0; p + BLOCK <= bytes.length && bytes[p] !== 0; ) {
      const size = Number.parseInt(Buffer.from(bytes.subarray(p + 124, p + 135)).toString('latin1'), 8);
      ranges.push([p, p + BLOCK + size]);
      p += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    }
    return ranges;
  }

  for (const name of ['python-ustar.tar', 'python-gnu.tar', 'python-pax.tar']) {
    it(`never throws when ${name} is cut at any length, lists a prefix of its members and says it is cut`, () => {
      const bytes = fixture(name);
      const full = list(bytes).entries.map((e) => e.name);
      const ranges = headerAndDataRanges(bytes);
      expect(ranges.length).toBeGreaterThan(1);
      for (let length = 0; length <= bytes.length; length++) {
        const cut = bytes.subarray(0, length);
        const listing = list(cut);
        const names = listing.entries.map((e) => e.name);
        expect(full.slice(0, names.length), `length ${length}`).toEqual(names);
        for (const e of listing.entries.slice(0, -1))
          expect(e.dataOffset + e.size).toBeLessThanOrEqual(length);
        if (ranges.some(([start, end]) => start < length && length < end)) {
          expect(listing.problems.length, `length ${length}`).toBeGreaterThan(0);
        }
        looksLikeTar(cut.subarray(0, BLOCK));
      }
    });
  }

  it('never throws on random bytes or on tars with changed bytes', () => {
    const base = fixture('python-pax.tar');
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }),
      fc
        .array(fc.tuple(fc.nat({ max: base.length - 1 }), fc.integer({ min: 0, max: 255 })), {
          maxLength: 10,
        })
        .map((changes) => {
          const bytes = base.slice();
          for (const [at, value] of changes) bytes[at] = value;
          return bytes;
        }),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        const listing = list(bytes);
        for (const e of listing.entries) expect(Number.isSafeInteger(e.size)).toBe(true);
        looksLikeTar(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('looksLikeTar', () => {
  it('recognises tars written by Python and by hand', () => {
    for (const name of ['python-ustar.tar', 'python-gnu.tar', 'python-pax.tar']) {
      expect(looksLikeTar(fixture(name)), name).toBe(true);
    }
    expect(looksLikeTar(buildTar([{ name: 'a', data: 'x', magic: 'gnu' }]))).toBe(true);
    expect(looksLikeTar(buildTar([{ name: 'old.txt', data: 'x', magic: 'v7' }]))).toBe(true);
  });

  it('rejects other content', () => {
    const zipHead = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(600)]);
    const npyHead = Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.alloc(600, 0x20)]);
    const text = Buffer.from('#!/usr/bin/env python\n'.repeat(40));
    for (const head of [new Uint8Array(0), new Uint8Array(1024), zipHead, npyHead, text]) {
      expect(looksLikeTar(head)).toBe(false);
    }
  });

  it('rejects a ustar header with a wrong checksum and a short first block', () => {
    expect(looksLikeTar(buildTar([{ name: 'a', data: 'x', badChecksum: true }]))).toBe(false);
    expect(looksLikeTar(fixture('python-ustar.tar').subarray(0, BLOCK - 1))).toBe(false);
  });

  it('rejects a v7 header with an unprintable name or an empty first byte', () => {
    expect(looksLikeTar(buildTar([{ name: 'bad\u0001name', data: 'x', magic: 'v7' }]))).toBe(false);
    const empty = buildTar([{ name: 'x', data: 'x', magic: 'v7' }]);
    expect(looksLikeTar(header({ name: '', magic: 'v7' }, 0))).toBe(false);
    expect(looksLikeTar(empty)).toBe(true);
  });
});
