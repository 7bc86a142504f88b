import { describe, expect, it } from 'vitest';
import { parseSevenZipListing } from './listing.js';

const LISTING = [
  '7-Zip (z) 24.09',
  '--',
  'Path = /archive.7z',
  'Type = 7z',
  '',
  '----------',
  'Path = dir',
  'Folder = +',
  'Size = 0',
  'Attributes = D drwxr-xr-x',
  '',
  'Path = dir/link',
  'Size = 11',
  'Attributes = A lrwxrwxrwx',
  'Encrypted = -',
  'Block = 0',
  '',
  'Path = dir/data.pkl',
  'Size = 51',
  'Packed Size = 55',
  'Attributes = A -rw-r--r--',
  'Encrypted = +',
  'Method = LZMA2:24 7zAES:19',
  'Block = 1',
  '',
].join('\n');

describe('parseSevenZipListing', () => {
  it('reads members after the separator only, with directories, links, encryption and blocks', () => {
    const { members, omitted } = parseSevenZipListing(LISTING, 10);
    expect(omitted).toBe(0);
    expect(members.map((m) => [m.path, m.isDirectory, m.isSymlink, m.encrypted, m.block, m.size])).toEqual([
      ['dir', true, false, false, undefined, 0],
      ['dir/link', false, true, false, 0, 11],
      ['dir/data.pkl', false, false, true, 1, 51],
    ]);
    expect(members[2]?.packedSize).toBe(55);
  });

  it('keeps at most the limit and counts the rest', () => {
    const { members, omitted } = parseSevenZipListing(LISTING, 1);
    expect(members).toHaveLength(1);
    expect(omitted).toBe(2);
  });

  it('treats sizes it cannot read as unknown, and huge ones as unsafe integers clamped', () => {
    const { members } = parseSevenZipListing(
      '----------\nPath = a\nSize = -3\n\nPath = b\nSize = 99999999999999999999\n',
      5,
    );
    expect(members[0]?.size).toBeUndefined();
    expect(members[1]?.size).toBe(Number.MAX_SAFE_INTEGER);
  });
});
