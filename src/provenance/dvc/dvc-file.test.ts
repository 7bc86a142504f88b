import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { parseDvcFile } from './dvc-file.js';
import { formatDvcProblem } from './model.js';

const FIXTURES = join('test', 'fixtures', 'dvc');
const fixture = (path: string) => readFileSync(join(FIXTURES, path));

describe('parseDvcFile', () => {
  describe('on files DVC wrote', () => {
    it('reads a DVC 3 directory out (dvc add data)', () => {
      expect(parseDvcFile(fixture('dvc-tests/data.dvc'), { file: 'data.dvc' })).toEqual({
        outs: [
          {
            index: 0,
            path: 'data',
            hashName: 'md5',
            md5: '5ea40360f5b4ec688df672a4db9c17d1',
            isDir: true,
            size: 6,
            nfiles: 2,
          },
        ],
        deps: [],
        problems: [],
      });
    });

    it('keeps the annotations DVC preserves (desc, type, labels, remote)', () => {
      const file = parseDvcFile(fixture('dvc-tests/foo.dvc'), { file: 'foo.dvc' });
      expect(file.desc).toBe('top desc');
      expect(file.outs).toEqual([
        {
          index: 0,
          path: 'foo',
          hashName: 'md5',
          md5: 'acbd18db4cc2f85cedef654fccc4a4d8',
          isDir: false,
          size: 3,
          remote: 'testremote',
          desc: 'out desc',
          type: 'mytype',
          labels: ['label1', 'label2'],
        },
      ]);
    });

    it('reads an import-url stage: deps, its own md5, frozen', () => {
      const file = parseDvcFile(fixture('dvc-tests/bar.dvc'), { file: 'bar.dvc' });
      expect(file.deps.map((d) => [d.path, d.md5, d.hashName])).toEqual([
        ['foo', 'acbd18db4cc2f85cedef654fccc4a4d8', 'md5'],
      ]);
      expect(file.md5).toBe('8fc199641730e3f512deac0bd9a0e0b6');
      expect(file.frozen).toBe(true);
      expect(file.problems).toEqual([]);
    });

    it('reads DVC 1 and 2 outs as md5-dos2unix', () => {
      const tiny = parseDvcFile(fixture('dvc-bench/data/tiny/dataset.dvc'), { file: 'dataset.dvc' });
      expect(tiny.outs[0]).toMatchObject({
        path: 'dataset',
        hashName: 'md5-dos2unix',
        md5: '869bcff825707be457fd806573a61b52',
        isDir: true,
        size: 17637746,
        nfiles: 14,
      });
      const cats = parseDvcFile(fixture('dvc-bench/data/cats_dogs.dvc'), { file: 'cats_dogs.dvc' });
      expect(cats.outs[0]).toMatchObject({ path: 'cats_dogs', isDir: true, hashName: 'md5-dos2unix' });
      expect(cats.outs[0]?.nfiles).toBeUndefined();
      const cars = parseDvcFile(fixture('dvc-bench/data/used-cars/dataset.dvc'), { file: 'dataset.dvc' });
      expect(cars.outs[0]?.desc).toBe(
        'https://www.kaggle.com/datasets/austinreese/craigslist-carstrucks-data',
      );
    });

    it('reads a DVC 0.x single-stage file with its command', () => {
      const file = parseDvcFile(fixture('dvc-bench/convert_tags.dvc'), { file: 'convert_tags.dvc' });
      expect(file.cmd).toEqual(['python tags_to_sha.py']);
      expect(file.deps.map((d) => d.path)).toEqual(['tags.txt', 'tags_to_sha.py']);
      expect(file.outs.map((o) => [o.path, o.md5])).toEqual([
        ['hashes.txt', '9531dcc1c1aa3feb29c21b152f2b4a5c'],
      ]);
    });
  });

  it('marks a dvc import dependency with its repository', () => {
    const text = [
      'md5: f5ea021eddd7b1df6de80b904cba1da6',
      'frozen: true',
      'deps:',
      '- path: get-started/data.xml',
      '  repo:',
      '    url: https://github.com/iterative/dataset-registry',
      '    rev_lock: f59388cd04276e75d70b2136597aaa27e7937cc3',
      'outs:',
      '- md5: 22a1a2931c8370d3aeedd7183606fd7f',
      '  size: 14445097',
      '  hash: md5',
      '  path: data.xml',
    ].join('\n');
    const file = parseDvcFile(text, { file: 'data.xml.dvc' });
    expect(file.deps[0]).toMatchObject({
      external: 'repo',
      repo: {
        url: 'https://github.com/iterative/dataset-registry',
        revLock: 'f59388cd04276e75d70b2136597aaa27e7937cc3',
      },
    });
  });

  it('reads an unquoted all-digit MD5 as DVC coerces it, and lower-cases MD5s', () => {
    const file = parseDvcFile(
      'outs:\n- md5: 12345678901234567890123456789012\n  path: a\n- md5: ACBD18DB4CC2F85CEDEF654FCCC4A4D8\n  path: b\n',
      {
        file: 'x.dvc',
      },
    );
    expect(file.outs.map((o) => o.md5)).toEqual([
      '12345678901234567890123456789012',
      'acbd18db4cc2f85cedef654fccc4a4d8',
    ]);
  });

  it('marks URLs, absolute paths and datasets as outside the workspace', () => {
    const file = parseDvcFile(
      'outs:\n- path: s3://bucket/x\n- path: /abs/x\n- path: ds://name\n- path: rel/x\n',
      { file: 'x.dvc' },
    );
    expect(file.outs.map((o) => o.external)).toEqual(['url', 'absolute-path', 'dataset', undefined]);
  });

  it('reads a files: list as the directory manifest', () => {
    const text =
      'outs:\n- path: d\n  files:\n  - relpath: a\n    md5: acbd18db4cc2f85cedef654fccc4a4d8\n    size: 3\n';
    expect(parseDvcFile(text, { file: 'x.dvc' }).outs[0]).toMatchObject({
      isDir: true,
      files: [{ relpath: 'a', md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3 }],
    });
  });

  describe('on malformed input', () => {
    const problems = (text: string) => parseDvcFile(text, { file: 'x.dvc' }).problems.map(formatDvcProblem);

    it.each([
      ['not YAML', 'outs: [', 'BAD_STRUCTURE', /x\.dvc is not valid YAML/],
      ['a list', '- 1\n- 2', 'BAD_STRUCTURE', /x\.dvc: not a mapping/],
      ['a scalar', 'hello', 'BAD_STRUCTURE', /not a mapping/],
      ['duplicate keys, which ruamel.yaml refuses', 'outs: []\nouts: []\n', 'BAD_STRUCTURE', /duplicate key/],
      ['too large', `outs: []\n#${'x'.repeat(1024 * 1024)}`, 'LIMIT_EXCEEDED', /larger than/],
      [
        'an alias bomb',
        `a: &a [1,1,1,1,1,1,1,1,1]\n${Array.from({ length: 200 }, (_, i) => `k${i}: [*a,*a,*a]`).join('\n')}\nouts: []`,
        'LIMIT_EXCEEDED',
        /could not be read/,
      ],
      ['invalid UTF-8', Buffer.from([0x6f, 0x75, 0x74, 0x73, 0x3a, 0x20, 0xff]), 'BAD_VALUE', /not UTF-8/],
      ['deep nesting', `${'['.repeat(5000)}${']'.repeat(5000)}`, undefined, /x\.dvc/],
    ])('refuses %s with a ParseError naming the file', (_name, input, code, message) => {
      expect(() => parseDvcFile(input, { file: 'x.dvc' })).toThrow(ParseError);
      expect(() => parseDvcFile(input, { file: 'x.dvc' })).toThrow(message);
      if (code)
        expect(() => parseDvcFile(input, { file: 'x.dvc' })).toThrow(expect.objectContaining({ code }));
    });

    it('reads an empty file as DVC does (no outs), and says so', () => {
      expect(problems('')).toEqual(['x.dvc: outs: is missing: the file tracks nothing']);
    });

    it('names the field of every value it cannot take, and keeps the rest', () => {
      const text = [
        'wdir: [1]',
        'cmd: {a: 1}',
        'outs:',
        '- size: 1',
        '- 5',
        '- path: ok',
        '  md5: nothex',
        '  size: -1',
        '  nfiles: many',
        '  cache: "no"',
        '  isexec: 1',
        '  hash: [md5]',
        '  files: notalist',
        '- path: d',
        '  files:',
        '  - md5: acbd18db4cc2f85cedef654fccc4a4d8',
        '- path: e',
        '  files:',
        '  - relpath: a',
        '    md5: acbd18db4cc2f85cedef654fccc4a4d8.dir',
        'deps:',
        '- path: x',
        '  repo: {rev: 1}',
      ].join('\n');
      const file = parseDvcFile(text, { file: 'x.dvc' });
      expect(file.problems.map(formatDvcProblem)).toEqual([
        'x.dvc: outs[0].path: is missing',
        'x.dvc: outs[1]: is not a mapping',
        'x.dvc: outs[2].hash: is not a string',
        'x.dvc: outs[2].md5: is not an MD5',
        'x.dvc: outs[2].size: is not a byte count',
        'x.dvc: outs[2].nfiles: is not a file count',
        'x.dvc: outs[2].files: is not a list',
        'x.dvc: outs[2].isexec: is not true or false',
        'x.dvc: outs[2].cache: is not true or false',
        'x.dvc: outs[3].files[0].relpath: is missing',
        'x.dvc: outs[4].files[0].md5: is not the MD5 of a file',
        'x.dvc: deps[0].repo.url: is missing',
        'x.dvc: wdir: is not a path',
        'x.dvc: cmd: is not a command or a list of commands',
      ]);
      expect(file.outs.map((o) => [o.index, o.path, o.md5])).toEqual([
        [2, 'ok', undefined],
        [3, 'd', undefined],
        [4, 'e', undefined],
      ]);
      expect(file.problems.find((p) => p.field === 'outs[2].md5')?.value).toBe('nothex');
    });

    it('reads at most maxEntries outs and says the rest were not read', () => {
      const text = `outs:\n${Array.from({ length: 5 }, (_, i) => `- path: d${i}`).join('\n')}\n`;
      const file = parseDvcFile(text, { file: 'x.dvc', limits: { maxEntries: 3 } });
      expect(file.outs).toHaveLength(3);
      expect(file.problems.map(formatDvcProblem)).toEqual([
        'x.dvc: outs: has more than 3 entries; the rest are not read',
      ]);
    });

    it('refuses a files: list longer than maxDirFiles', () => {
      const text = 'outs:\n- path: d\n  files:\n  - {relpath: a}\n  - {relpath: b}\n';
      const file = parseDvcFile(text, { file: 'x.dvc', limits: { maxDirFiles: 1 } });
      expect(file.outs[0]?.files).toBeUndefined();
      expect(file.problems[0]).toMatchObject({ field: 'outs[0].files', code: 'too-many' });
    });
  });
});
