import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DVC_HASH_CHUNK_BYTES,
  DvcHasher,
  dos2unix,
  dvcHashBytes,
  dvcHashFile,
  isHashFailure,
  isTextBlock,
} from './hash.js';

const M = DVC_HASH_CHUNK_BYTES;
const bytes = (text: string) => Buffer.from(text, 'latin1');
const repeat = (unit: string, times: number) => bytes(unit.repeat(times));

/**
 * Inputs and the MD5s DVC computes for them: `md5` and `dos2unix` from dvc-data's `fobj_md5` with
 * name="md5" and name="md5-dos2unix" (DVC 3), `dvc2` from dvc-data's `fobj_md5` before 707bd98 (what
 * DVC 1 and 2 wrote). See test/fixtures/dvc/SOURCES.txt.
 */
const VECTORS: { name: string; input: () => Buffer; md5: string; dos2unix: string; dvc2: string }[] = [
  {
    name: 'CRLF text (dvc-data test_file_md5_dos2unix)',
    input: () => bytes('a\r\nb\r\nc'),
    md5: '17800212205a0baee12dcf34c0748370',
    dos2unix: 'c32b2057b9bd62caa835386346177935',
    dvc2: 'c32b2057b9bd62caa835386346177935',
  },
  {
    name: 'binary (a NUL) with CRLF',
    input: () => bytes('\x00\r\n\r\n'),
    md5: 'a26dacf5ca974e166b4a83230ead0bc7',
    dos2unix: 'a26dacf5ca974e166b4a83230ead0bc7',
    dvc2: 'a26dacf5ca974e166b4a83230ead0bc7',
  },
  {
    name: 'exactly 30% non-text bytes: text',
    input: () => bytes('ab\r\n\x80\x81\x82cde'),
    md5: '2f5156143d87088ba359664af218a938',
    dos2unix: '95b93c85012ce58295577f286eaa83f0',
    dvc2: '95b93c85012ce58295577f286eaa83f0',
  },
  {
    name: '40% non-text bytes: binary',
    input: () => bytes('ab\r\n\x80\x81\x82\x83cd'),
    md5: '333ba89624d3da1ae91b82fd19cebb2f',
    dos2unix: '333ba89624d3da1ae91b82fd19cebb2f',
    dvc2: '333ba89624d3da1ae91b82fd19cebb2f',
  },
  {
    name: 'a NUL after the first 512 bytes: still text',
    input: () => Buffer.concat([repeat('t', 600), bytes('\x00'), repeat('\r\n', 10)]),
    md5: 'ebb394366b1743548bf4a4ab044c715a',
    dos2unix: 'b064ef7e1295d8997647ae5fa21b9a46',
    dvc2: 'b064ef7e1295d8997647ae5fa21b9a46',
  },
  {
    name: 'a pickle (dvc-data test_istextfile long_binary)',
    input: () =>
      bytes(
        'True\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00\x8c\x08\r\n__main__\x94\x8c\x06Animal\x94\x93\x94)\x81\x94.',
      ),
    md5: 'e724d536128076b50d11c8b1a3607ce8',
    dos2unix: 'e724d536128076b50d11c8b1a3607ce8',
    dvc2: 'e724d536128076b50d11c8b1a3607ce8',
  },
  {
    name: 'a text first MiB, then a chunk that starts with 512 high bytes',
    input: () =>
      Buffer.concat([
        repeat('line\r\n', Math.floor(M / 6) + 1).subarray(0, M),
        repeat('\x80', 512),
        repeat('x\r\n', 100),
      ]),
    md5: '8d7004fe9f04fabaab17d8d653f1591c',
    dos2unix: 'd76162386305e069d0d12f35328d29d2',
    dvc2: '2bf178f0f01e20460d90b1f8a00483c8',
  },
  {
    name: 'a binary first MiB, then a text chunk with CRLF',
    input: () =>
      Buffer.concat([
        Buffer.concat([bytes('\x00'), repeat('y\r\n', Math.floor(M / 3) + 1)]).subarray(0, M),
        repeat('z\r\n', 1000),
      ]),
    md5: '15e7a49076af1502292dd419daa22e8a',
    dos2unix: '90083ad7c82caf4fc8c90200fed26972',
    dvc2: '15e7a49076af1502292dd419daa22e8a',
  },
  {
    name: 'a CRLF split across the 1 MiB chunk boundary stays',
    input: () => Buffer.concat([repeat('a', M - 1), bytes('\r'), bytes('\nb\r\n')]),
    md5: 'e0bc301cdd0940f2de68d786f8e52418',
    dos2unix: 'deb8178cc400550795d42d701b97846d',
    dvc2: 'deb8178cc400550795d42d701b97846d',
  },
  {
    name: 'lone CRs stay',
    input: () => bytes('a\rb\r\r\n'),
    md5: '48d11599602feaaee984b0d0558a3da7',
    dos2unix: '7505e981cbc45f1d55327cb8f9e92390',
    dvc2: '7505e981cbc45f1d55327cb8f9e92390',
  },
  {
    name: 'empty',
    input: () => Buffer.alloc(0),
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
    dos2unix: 'd41d8cd98f00b204e9800998ecf8427e',
    dvc2: 'd41d8cd98f00b204e9800998ecf8427e',
  },
];

const dir = mkdtempSync(join(tmpdir(), 'pedigree-dvc-hash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('isTextBlock', () => {
  // dvc-data tests/hashfile/test_istextfile.py
  it.each([
    ['empty', '', true],
    ['text', 'text', true],
    ['binary', '\x00\x001', false],
    [
      'long_binary',
      'True\x80\x04\x95\x1a\x00\x00\x00\x00\x00\x00\x00\x8c\x08\r\n__main__\x94\x8c\x06Animal\x94\x93\x94)\x81\x94.',
      false,
    ],
  ])('classifies %s as DVC does', (_name, block, expected) => {
    expect(isTextBlock(bytes(block))).toBe(expected);
  });

  it('counts \\n \\r \\t \\f \\b as text and DEL as not', () => {
    expect(isTextBlock(bytes('\n\r\t\f\b'))).toBe(true);
    expect(isTextBlock(bytes('\x7f\x7f\x7fabcd'))).toBe(false);
  });
});

describe('dos2unix', () => {
  it('replaces CRLF only', () => {
    expect(dos2unix(bytes('a\r\nb\rc\n\r\n')).toString('latin1')).toBe('a\nb\rc\n\n');
  });

  it('returns the chunk itself when there is nothing to replace', () => {
    const chunk = bytes('no line ends');
    expect(dos2unix(chunk)).toBe(chunk);
  });
});

describe('DvcHasher', () => {
  for (const vector of VECTORS) {
    it(`hashes ${vector.name} as dvc-data does`, () => {
      const input = vector.input();
      expect(dvcHashBytes(input, 'md5').md5).toBe(vector.md5);
      const legacy = dvcHashBytes(input, 'md5-dos2unix');
      expect(legacy.md5).toBe(vector.dos2unix);
      expect(legacy.dvc2Md5 ?? legacy.md5).toBe(vector.dvc2);
      expect(legacy.dvc2Md5 === undefined).toBe(vector.dos2unix === vector.dvc2);
      expect(legacy.size).toBe(input.length);
    });
  }

  it('makes CRLF and LF text hash alike under md5-dos2unix (dvc-data test_file_md5_dos2unix)', () => {
    expect(dvcHashBytes(bytes('a\r\nb\r\nc'), 'md5-dos2unix').md5).toBe(
      dvcHashBytes(bytes('a\nb\nc'), 'md5-dos2unix').md5,
    );
  });

  it('gives the same digest however the bytes are split into updates', () => {
    const input = (VECTORS[6] as (typeof VECTORS)[number]).input();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 3 * M }), { maxLength: 6 }), (cuts) => {
        const hasher = new DvcHasher('md5-dos2unix');
        let at = 0;
        for (const cut of cuts) {
          hasher.update(input.subarray(at, Math.min(input.length, at + cut)));
          at = Math.min(input.length, at + cut);
        }
        hasher.update(input.subarray(at));
        expect(hasher.digest()).toEqual(dvcHashBytes(input, 'md5-dos2unix'));
      }),
      { numRuns: 25 },
    );
  });
});

describe('dvcHashFile', () => {
  it('streams a file of several chunks to the same digests', async () => {
    const vector = VECTORS[7] as (typeof VECTORS)[number];
    const path = join(dir, 'two-chunks');
    writeFileSync(path, vector.input());
    expect(await dvcHashFile(path, 'md5')).toMatchObject({ md5: vector.md5 });
    expect(await dvcHashFile(path, 'md5-dos2unix')).toMatchObject({ md5: vector.dos2unix });
  });

  it('follows a symbolic link to a file, as DVC does', async () => {
    writeFileSync(join(dir, 'target'), 'foo');
    symlinkSync(join(dir, 'target'), join(dir, 'link'));
    expect(await dvcHashFile(join(dir, 'link'), 'md5')).toMatchObject({
      md5: 'acbd18db4cc2f85cedef654fccc4a4d8',
    });
  });

  it('reports a missing file, a folder and a FIFO instead of throwing or blocking', async () => {
    const missing = await dvcHashFile(join(dir, 'nope'), 'md5');
    expect(isHashFailure(missing) && missing.error).toBe('ENOENT');
    const folder = await dvcHashFile(dir, 'md5');
    expect(isHashFailure(folder)).toBe(true);
    if (process.platform !== 'win32') {
      execFileSync('mkfifo', [join(dir, 'fifo')]);
      expect(await dvcHashFile(join(dir, 'fifo'), 'md5')).toEqual({ error: 'not a regular file' });
    }
  });
});
