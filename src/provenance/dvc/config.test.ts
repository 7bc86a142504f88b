import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { cacheObjectPath, resolveCacheDir } from './cache.js';
import { parseDvcConfig } from './config.js';

describe('parseDvcConfig', () => {
  it('reads a real config with quoted section names', () => {
    const text = readFileSync(join('test', 'fixtures', 'dvc', 'dvc-bench', '.dvc', 'config'), 'utf8');
    const config = parseDvcConfig(text, { file: '.dvc/config' });
    expect(config.problems).toEqual([]);
    expect(config.cacheDir).toBeUndefined();
    expect(config.sections.get('core')?.get('remote')).toBe('bench_s3_public');
    expect(config.sections.get('remote "bench_s3_public"')?.get('url')).toBe(
      'https://remote.dvc.org/dvc-bench',
    );
  });

  it('reads cache.dir, quoted or not, with comments, keys lower-cased', () => {
    expect(parseDvcConfig('[cache]\n    dir = ../shared-cache\n', { file: 'c' }).cacheDir).toBe(
      '../shared-cache',
    );
    expect(parseDvcConfig("[Cache]\n  DIR = '/mnt/dvc cache' # shared\n", { file: 'c' }).cacheDir).toBe(
      '/mnt/dvc cache',
    );
    expect(
      parseDvcConfig('# only a comment\n[cache]\ntype = symlink\n', { file: 'c' }).cacheDir,
    ).toBeUndefined();
  });

  it('reports lines that are neither sections nor settings', () => {
    expect(parseDvcConfig('dir = x\n[cache]\nnonsense\n', { file: '.dvc/config' }).problems).toEqual([
      { file: '.dvc/config', field: 'line 1', code: 'bad-value', message: 'is not a section or key = value' },
      { file: '.dvc/config', field: 'line 3', code: 'bad-value', message: 'is not a section or key = value' },
    ]);
  });

  it('refuses a config larger than the limit', () => {
    expect(() => parseDvcConfig('x'.repeat(100), { file: 'c', maxBytes: 10 })).toThrow(ParseError);
  });
});

describe('resolveCacheDir and cacheObjectPath', () => {
  const root = resolve('/project');
  it('defaults to .dvc/cache and resolves a relative dir against .dvc/, the local config winning', () => {
    expect(resolveCacheDir(root, [])).toBe(join(root, '.dvc', 'cache'));
    const config = parseDvcConfig('[cache]\ndir = ../cache\n', { file: 'c' });
    const local = parseDvcConfig('[cache]\ndir = /abs/cache\n', { file: 'c' });
    expect(resolveCacheDir(root, [config])).toBe(join(root, 'cache'));
    expect(resolveCacheDir(root, [config, local])).toBe(resolve('/abs/cache'));
    expect(resolveCacheDir(root, [parseDvcConfig('[cache]\ndir = ~/c\n', { file: 'c' })])).toBe(
      join(homedir(), 'c'),
    );
  });

  it('places DVC 3 objects under files/md5 and DVC 2 objects at the top', () => {
    const cache = join(root, '.dvc', 'cache');
    expect(cacheObjectPath(cache, 'md5', 'acbd18db4cc2f85cedef654fccc4a4d8', false)).toBe(
      join(cache, 'files', 'md5', 'ac', 'bd18db4cc2f85cedef654fccc4a4d8'),
    );
    expect(cacheObjectPath(cache, 'md5-dos2unix', '5ea40360f5b4ec688df672a4db9c17d1', true)).toBe(
      join(cache, '5e', 'a40360f5b4ec688df672a4db9c17d1.dir'),
    );
  });
});
