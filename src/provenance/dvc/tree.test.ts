import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { decodeFileName } from './fs-names.js';
import { compareCodePoints, digestDvcTree, parseDvcTree, serializeDvcTree } from './tree.js';

const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const treeOf = (files: Record<string, string>) =>
  `${digestDvcTree(Object.entries(files).map(([relpath, content]) => ({ relpath, md5: md5(content) })))}.dir`;

const tenAndTen: Record<string, string> = { foo: 'foo' };
for (let i = 0; i < 10; i++) {
  tenAndTen[`subdir/${i}.txt`] = `dir1 ${i}`;
  tenAndTen[`subdir2/${i}.txt`] = `dir2 ${i}`;
}

/** Directory hashes asserted in DVC's test suite (iterative/dvc tests/, commit 9f901e5), with their trees. */
const DVC_VECTORS: [string, Record<string, string>, string][] = [
  [
    'func/test_virtual_directory.py test_virtual_add',
    { foo: 'foo', bar: 'bar' },
    '5ea40360f5b4ec688df672a4db9c17d1.dir',
  ],
  [
    'test_virtual_add, foobar added',
    { foo: 'foo', bar: 'bar', foobar: 'foobar' },
    'a5beca056acbef9e0013347efdc2b751.dir',
  ],
  [
    'test_virtual_add, subdir added',
    { foo: 'foo', bar: 'bar', foobar: 'foobar', 'subdir/file': 'file' },
    'de78e9fff7c3478c6b316bf08437d0f6.dir',
  ],
  [
    'test_virtual_remove',
    { foo: 'foo', bar: 'bar', 'subdir/lorem': 'lorem', 'subdir/ipsum': 'ipsum' },
    '15b0e3c73ad2c748ce206988cb6b7319.dir',
  ],
  [
    'test_virtual_remove, foo removed',
    { bar: 'bar', 'subdir/lorem': 'lorem', 'subdir/ipsum': 'ipsum' },
    '991ea7d558d320d8817a0798e9c676f1.dir',
  ],
  ['test_virtual_remove, subdir removed', { bar: 'bar' }, '91aaa9bb58b657d623ef143b195a67e4.dir'],
  [
    'test_virtual_update_dir',
    { foo: 'foo', 'subdir/lorem': 'lorem' },
    '22a16c9bf84b3068bc2206d88a6b5776.dir',
  ],
  [
    'test_virtual_update_dir, subdir replaced',
    { foo: 'foo', 'subdir/ipsum': 'lorem ipsum', 'subdir/file': 'file' },
    '32f5734ea1a2aa1a067c0c15f0ae5781.dir',
  ],
  [
    'test_virtual_update_file',
    { foo: 'foobar', 'subdir/lorem': 'lorem' },
    '49408ac059c76086a3a892129a324b60.dir',
  ],
  ['test_partial_checkout_and_update', tenAndTen, '9899dc38082ee0ec33de077df62a4a12.dir'],
  [
    'test_partial_checkout_and_update, file added',
    { ...tenAndTen, 'subdir/file': 'file' },
    'e7531c3930f28a00edc25e6cef91db03.dir',
  ],
  [
    'unit/fs/test_data.py test_get_hash_dir',
    { foo: 'foo', bar: 'bar', 'subdir/data': 'data' },
    '8761c4e9acad696bee718615e23e22db.dir',
  ],
  ['test_get_hash_granular (dir/subdir)', { data: 'data' }, 'af314506f1622d107e0ed3f14ec1a3b5.dir'],
  [
    'unit/fs/test_dvc.py test_get_hash_dirty_dir',
    { foo: 'foo', bar: 'bar', baz: 'baz' },
    'ba75a2162ca9c29acecb7957105a0bc2.dir',
  ],
  ['func/test_diff.py test_added_deep', { file: 'text' }, '0dab3fae569586d4c33272e5011605bf.dir'],
  ['test_diff.py test_directories', { '1': '1', '2': '2' }, '5fb6b29836c388e093ca0715c872fe2a.dir'],
  ['test_directories, modified', { '1': '1', '2': 'two', '3': '3' }, '9b5faf37366b3370fd98e3e60ca439c1.dir'],
  ['test_directories, deleted', { '1': '1', '3': '3' }, '83ae82fb367ac9926455870773ff09e6.dir'],
  ['test_diff_dirty, old', { dir_file1: 'dir file content' }, '92daf39af116ca2fb245acaeb2ae65f7.dir'],
  [
    'test_diff_dirty, new',
    { dir_file1: 'dir file content', dir_file2: 'dir file 2 content' },
    '38175ad60f0e58ac94e0e2b7688afd81.dir',
  ],
  [
    'func/test_install.py test_merge_driver',
    { master: 'master', one: 'one', two: 'two' },
    '839ef9371606817569c1ee0e5f4ed233.dir',
  ],
  [
    'func/test_import.py (POSIX)',
    { bar: 'bar', baz: 'baz contents', '.gitignore': '/baz\n' },
    'bdb8641831d8fcb03939637e09011c21.dir',
  ],
  ['func/test_ls.py (broken)', { baz: 'baz' }, '630bd47b538d2a513c7d267d07e0bc44.dir'],
  [
    'func/test_repo_index.py test_used_objs',
    { 'subdir/file': 'file' },
    'd28c9e28591aeb7e303dc6772ffa6f6b.dir',
  ],
];

describe('digestDvcTree', () => {
  it.each(DVC_VECTORS)('reproduces DVC %s', (_source, files, expected) => {
    expect(treeOf(files)).toBe(expected);
  });

  it('reproduces the FIELD-NOTES vector: bar="bar", foo="foo"', () => {
    expect(treeOf({ bar: 'bar', foo: 'foo' })).toBe('5ea40360f5b4ec688df672a4db9c17d1.dir');
  });

  it('hashes an empty directory as DVC does: the MD5 of "[]"', () => {
    expect(serializeDvcTree([]).toString()).toBe('[]');
    expect(digestDvcTree([])).toBe(md5('[]'));
  });
});

describe('serializeDvcTree', () => {
  it('writes the bytes of the .dir object in dvc-data tests/index/conftest.py', () => {
    const bytes = serializeDvcTree([
      { relpath: 'baz', md5: '258622b1688250cb619f3c9ccaefb7eb' },
      { relpath: 'bar', md5: 'c157a79031e1c40f85931829bc5fc552' },
    ]);
    expect(bytes.toString()).toBe(
      '[{"md5": "c157a79031e1c40f85931829bc5fc552", "relpath": "bar"}, {"md5": "258622b1688250cb619f3c9ccaefb7eb", "relpath": "baz"}]',
    );
    expect(md5(bytes.toString())).toBe('1f69c66028c35037e8bf67e5bc4ceb6a');
  });

  it("escapes and orders names as Python's json.dumps(sort_keys=True) and sorted() do", () => {
    // Expected bytes and hash from CPython 3.11: json.dumps(sorted(entries, key=relpath), sort_keys=True).
    const entries = [
      ['caf\u00e9.txt', '1'],
      ['\u{1F600}.bin', '2'],
      ['\ufffd.txt', '3'],
      ['q"uote\\back', '4'],
      ['tab\there\nnl\x7fdel\x01', '5'],
      [decodeFileName(Buffer.from('raw\xff\xfename', 'latin1')), '6'],
      ['dir/\u00fcber/z', '7'],
      ['Z', '8'],
      ['a', '9'],
    ].map(([relpath, content]) => ({ relpath: relpath as string, md5: md5(content as string) }));
    expect(serializeDvcTree(entries).toString()).toBe(
      '[{"md5": "c9f0f895fb98ab9159f51fd0297e236d", "relpath": "Z"}, {"md5": "45c48cce2e2d7fbdea1afc51c7c6ad26", "relpath": "a"}, {"md5": "c4ca4238a0b923820dcc509a6f75849b", "relpath": "caf\\u00e9.txt"}, {"md5": "8f14e45fceea167a5a36dedd4bea2543", "relpath": "dir/\\u00fcber/z"}, {"md5": "a87ff679a2f3e71d9181a67b7542122c", "relpath": "q\\"uote\\\\back"}, {"md5": "1679091c5a880faf6fb5e6087eb1b2dc", "relpath": "raw\\udcff\\udcfename"}, {"md5": "e4da3b7fbbce2345d7772b0674a318d5", "relpath": "tab\\there\\nnl\\u007fdel\\u0001"}, {"md5": "eccbc87e4b5ce2fe28308fd9f2a7baf3", "relpath": "\\ufffd.txt"}, {"md5": "c81e728d9d4c2f636f067f89cc14862c", "relpath": "\\ud83d\\ude00.bin"}]',
    );
    expect(digestDvcTree(entries)).toBe('8ef46222311e16e17142f1fa04a627e8');
  });

  it('leaves out md5 for entries that record none, as Tree.as_list does', () => {
    expect(serializeDvcTree([{ relpath: 'x' }]).toString()).toBe('[{"relpath": "x"}]');
  });
});

describe('compareCodePoints', () => {
  it('orders like Python: by code point, not UTF-16 unit', () => {
    expect(compareCodePoints('\ufffd', '\u{1F600}')).toBeLessThan(0);
    expect('\ufffd' < '\u{1F600}').toBe(false); // the UTF-16 order JavaScript's < uses
    expect(compareCodePoints('\udcff', '\u{1F600}')).toBeLessThan(0);
    expect(compareCodePoints('ab', 'abc')).toBeLessThan(0);
    expect(compareCodePoints('abc', 'abc')).toBe(0);
  });

  it('agrees with sorting arrays of code points', () => {
    const codePoints = (s: string) => Array.from(s, (c) => c.codePointAt(0) as number);
    const byCodePoints = (a: string, b: string) => {
      const x = codePoints(a);
      const y = codePoints(b);
      for (let i = 0; i < Math.min(x.length, y.length); i++)
        if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
      return x.length - y.length;
    };
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(byCodePoints(a, b)));
      }),
    );
  });
});

describe('parseDvcTree', () => {
  const file = '.dvc/cache/files/md5/5e/a40360f5b4ec688df672a4db9c17d1.dir';
  const parse = (text: string, maxEntries?: number) =>
    parseDvcTree(Buffer.from(text), { file, ...(maxEntries !== undefined ? { maxEntries } : {}) });

  it('reads what serializeDvcTree writes', () => {
    const entries = [
      { relpath: 'bar', md5: '37b51d194a7513e45b56f6524f2d51f2' },
      { relpath: 'foo', md5: 'acbd18db4cc2f85cedef654fccc4a4d8' },
    ];
    expect(parse(serializeDvcTree(entries).toString())).toEqual(entries);
  });

  it('reads escaped names back, lone surrogates included', () => {
    expect(parse('[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "raw\\udcff"}]')[0]?.relpath).toBe(
      'raw\udcff',
    );
  });

  it.each([
    ['not JSON', '[{', /not JSON/],
    ['not a list', '{"md5": "x"}', /not a list/],
    ['an entry without relpath', '[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8"}]', /no relpath/],
    ['an entry that is not a mapping', '[1]', /no relpath/],
    ['an entry without MD5', '[{"relpath": "a"}]', /no file MD5/],
    [
      'a .dir MD5 for a file',
      '[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8.dir", "relpath": "a"}]',
      /no file MD5/,
    ],
    [
      'a relpath listed twice',
      '[{"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "a"}, {"md5": "acbd18db4cc2f85cedef654fccc4a4d8", "relpath": "a"}]',
      /twice/,
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parse(text)).toThrow(ParseError);
    expect(() => parse(text)).toThrow(message);
  });

  it('refuses more entries than the limit', () => {
    const text = serializeDvcTree([
      { relpath: 'a', md5: md5('a') },
      { relpath: 'b', md5: md5('b') },
    ]).toString();
    expect(() => parse(text, 1)).toThrow(expect.objectContaining({ code: 'LIMIT_EXCEEDED' }));
  });
});

describe('decodeFileName', () => {
  // Expected strings from CPython 3.11: bytes.decode('utf-8', 'surrogateescape').
  it.each([
    ['706c61696e', 'plain'],
    ['636166c3a9', 'caf\u00e9'],
    ['fffe', '\udcff\udcfe'],
    ['61e282', 'a\udce2\udc82'],
    ['61e28262', 'a\udce2\udc82b'],
    ['eda080', '\udced\udca0\udc80'],
    ['f09f9880', '\u{1F600}'],
    ['f4908080', '\udcf4\udc90\udc80\udc80'],
    ['c0af', '\udcc0\udcaf'],
    ['e080af', '\udce0\udc80\udcaf'],
  ])('decodes %s as Python does', (hex, expected) => {
    expect(decodeFileName(Buffer.from(hex, 'hex'))).toBe(expected);
  });
});
