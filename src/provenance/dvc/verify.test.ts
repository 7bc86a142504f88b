// biome-ignore-all lint/suspicious/noTemplateCurlyInString: dvc.yaml text spells its own ${...} templates.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { cacheObjectPath } from './cache.js';
import { DVC_HASH_CHUNK_BYTES, dvcHashBytes } from './hash.js';
import type { DvcHashName } from './model.js';
import { digestDvcTree, serializeDvcTree } from './tree.js';
import { type DvcOutResult, verifyDvcProject } from './verify.js';

const FIXTURES = join('test', 'fixtures', 'dvc');
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/** A project folder with these files (paths with `/`); `.dvc/` is created so it is a DVC project. */
function project(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-dvc-verify-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  for (const [path, content] of Object.entries(files)) write(root, path, content);
  return root;
}

function write(root: string, path: string, content: string | Buffer): void {
  const abs = join(root, ...path.split('/'));
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, content);
}

/** Puts data into the cache as DVC would: file objects, and a `.dir` manifest for a folder. */
function cache(
  root: string,
  hashName: DvcHashName,
  files: Record<string, string | Buffer>,
  cacheDir = join(root, '.dvc', 'cache'),
): string {
  const name = hashName === 'md5' ? 'md5' : 'md5-dos2unix';
  const entries = Object.entries(files).map(([relpath, content]) => {
    const oid = dvcHashBytes(Buffer.from(content), name).md5;
    const path = cacheObjectPath(cacheDir, hashName, oid, false);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return { relpath, md5: oid };
  });
  const manifest = serializeDvcTree(entries);
  const oid = digestDvcTree(entries);
  const path = cacheObjectPath(cacheDir, hashName, oid, true);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, manifest);
  return oid;
}

const DATA_DVC = readFileSync(join(FIXTURES, 'dvc-tests', 'data.dvc'));
const DATA = { 'data/foo': 'foo', 'data/bar': 'bar' };

function only(outs: readonly DvcOutResult[], path: string): DvcOutResult {
  const found = outs.filter((o) => o.path === path);
  expect(found).toHaveLength(1);
  return found[0] as DvcOutResult;
}

describe('verifyDvcProject from the workspace', () => {
  it('verifies the directory DVC 3 recorded in its own test suite (data/{foo, bar})', async () => {
    const root = project({ 'data.dvc': DATA_DVC, ...DATA });
    const report = await verifyDvcProject(root);
    expect(report.verdict).toBe('ok');
    expect(report.files).toEqual([{ path: 'data.dvc', kind: 'dvc' }]);
    expect(report.outs).toEqual([
      {
        source: { file: 'data.dvc', role: 'out', index: 0 },
        path: 'data',
        hashName: 'md5',
        isDir: true,
        expected: '5ea40360f5b4ec688df672a4db9c17d1.dir',
        actual: '5ea40360f5b4ec688df672a4db9c17d1.dir',
        status: 'ok',
        directory: {
          manifest: 'none',
          manifestProblem: 'the .dir object is not in the cache',
          files: 2,
          added: { count: 0, paths: [] },
          removed: { count: 0, paths: [] },
          changed: { count: 0, paths: [] },
          unreadable: { count: 0, paths: [] },
        },
      },
    ]);
    expect(report.cacheDir).toBe('.dvc/cache');
  });

  it('names the added, removed and changed files when the cache has the .dir manifest', async () => {
    const root = project({ 'data.dvc': DATA_DVC, 'data/foo': 'FOO', 'data/baz': 'baz', 'data/sub/new': 'x' });
    expect(cache(root, 'md5', { foo: 'foo', bar: 'bar' })).toBe('5ea40360f5b4ec688df672a4db9c17d1');
    const report = await verifyDvcProject(root);
    const out = only(report.outs, 'data');
    expect(out.status).toBe('changed');
    expect(out.reason).toBe('files were added, removed or changed');
    expect(out.directory).toMatchObject({
      manifest: 'cache',
      files: 3,
      added: { count: 2, paths: ['baz', 'sub/new'] },
      removed: { count: 1, paths: ['bar'] },
      changed: { count: 1, paths: ['foo'] },
    });
    expect(report.verdict).toBe('drift');
    expect(report.summary).toEqual({ ok: 0, changed: 1, missing: 0, notChecked: 0 });
  });

  it('gives only the whole-directory verdict without a manifest, or with useCache: false', async () => {
    const root = project({ 'data.dvc': DATA_DVC, 'data/foo': 'FOO', 'data/bar': 'bar' });
    cache(root, 'md5', { foo: 'foo', bar: 'bar' });
    const out = only((await verifyDvcProject(root, { useCache: false })).outs, 'data');
    expect(out).toMatchObject({
      status: 'changed',
      reason: 'the directory hash differs (no manifest to name the files)',
      directory: { manifest: 'none', manifestProblem: 'not read (useCache: false)', changed: { count: 0 } },
    });
  });

  it('does not trust a .dir object that does not hash to its name', async () => {
    const root = project({ 'data.dvc': DATA_DVC, ...DATA });
    cache(root, 'md5', { foo: 'foo', bar: 'bar' });
    writeFileSync(
      cacheObjectPath(join(root, '.dvc', 'cache'), 'md5', '5ea40360f5b4ec688df672a4db9c17d1', true),
      '[]',
    );
    const out = only((await verifyDvcProject(root)).outs, 'data');
    expect(out.status).toBe('ok');
    expect(out.directory?.manifest).toBe('none');
    expect(out.directory?.manifestProblem).toMatch(/does not hash to its name/);
  });

  it('reports a missing out, and a file where a folder was recorded', async () => {
    expect(only((await verifyDvcProject(project({ 'data.dvc': DATA_DVC }))).outs, 'data')).toMatchObject({
      status: 'missing',
      reason: 'not in the workspace',
    });
    expect(
      only((await verifyDvcProject(project({ 'data.dvc': DATA_DVC, data: 'x' }))).outs, 'data').status,
    ).toBe('changed');
  });

  it('verifies a file out (dvc add foo) and reports a changed one with its MD5', async () => {
    const foo = readFileSync(join(FIXTURES, 'dvc-tests', 'foo.dvc'));
    expect(only((await verifyDvcProject(project({ 'foo.dvc': foo, foo: 'foo' }))).outs, 'foo')).toMatchObject(
      {
        status: 'ok',
        actual: 'acbd18db4cc2f85cedef654fccc4a4d8',
      },
    );
    expect(only((await verifyDvcProject(project({ 'foo.dvc': foo, foo: 'bar' }))).outs, 'foo')).toMatchObject(
      {
        status: 'changed',
        expected: 'acbd18db4cc2f85cedef654fccc4a4d8',
        actual: md5('bar'),
      },
    );
  });

  describe('with DVC 2 entries (no hash: md5)', () => {
    const legacy = (path: string, content: string | Buffer) =>
      `outs:\n- md5: ${dvcHashBytes(Buffer.from(content), 'md5-dos2unix').md5}\n  path: ${path}\n`;

    it('hashes text with CRLF as LF, as DVC 2 did, so a CRLF/LF conversion is not drift', async () => {
      const dvc = legacy('notes.txt', 'a\r\nb\r\n');
      expect(
        only(
          (await verifyDvcProject(project({ 'notes.txt.dvc': dvc, 'notes.txt': 'a\r\nb\r\n' }))).outs,
          'notes.txt',
        ).status,
      ).toBe('ok');
      expect(
        only(
          (await verifyDvcProject(project({ 'notes.txt.dvc': dvc, 'notes.txt': 'a\nb\n' }))).outs,
          'notes.txt',
        ).status,
      ).toBe('ok');
      expect(
        only(
          (await verifyDvcProject(project({ 'notes.txt.dvc': dvc, 'notes.txt': 'a\nc\n' }))).outs,
          'notes.txt',
        ).status,
      ).toBe('changed');
    });

    it('accepts a file DVC 2 hashed by its first MiB although DVC 3 would judge its chunks apart', async () => {
      const M = DVC_HASH_CHUNK_BYTES;
      const content = Buffer.concat([
        Buffer.from('line\r\n'.repeat(Math.floor(M / 6) + 1)).subarray(0, M),
        Buffer.alloc(512, 0x80),
        Buffer.from('x\r\n'.repeat(100)),
      ]);
      const dvc2 = dvcHashBytes(content, 'md5-dos2unix').dvc2Md5 as string;
      const root = project({ 'big.csv.dvc': `outs:\n- md5: ${dvc2}\n  path: big.csv\n`, 'big.csv': content });
      expect(only((await verifyDvcProject(root)).outs, 'big.csv')).toMatchObject({
        status: 'ok',
        matchedRule: 'dvc2-whole-file-text',
      });
    });

    it('reads a legacy directory manifest from the top of the cache', async () => {
      const files = { 'a.txt': 'a\r\n', 'b.bin': Buffer.from([0, 13, 10]) };
      const root = project({ 'd/a.txt': 'a\r\nx', 'd/b.bin': Buffer.from([0, 13, 10]) });
      const oid = cache(root, 'md5-dos2unix', files);
      write(root, 'd.dvc', `outs:\n- md5: ${oid}.dir\n  path: d\n`);
      const out = only((await verifyDvcProject(root)).outs, 'd');
      expect(out).toMatchObject({
        hashName: 'md5-dos2unix',
        status: 'changed',
        directory: { manifest: 'cache', changed: { paths: ['a.txt'] } },
      });
    });
  });

  describe("with DVC's ignore rules", () => {
    it('leaves out .dvcignore matches, .git and sub-repositories, and never enters linked folders', async () => {
      const root = project({
        'data.dvc': DATA_DVC,
        ...DATA,
        '.dvcignore': '# scratch files\n*.tmp\n',
        'data/scratch.tmp': 'x',
        'data/.git': 'gitdir: ../.git/modules/data',
        'data/nested/.dvc/config': '',
        'data/nested/file': 'x',
        'elsewhere/file': 'x',
      });
      symlinkSync(join(root, 'elsewhere'), join(root, 'data', 'link'));
      const out = only((await verifyDvcProject(root)).outs, 'data');
      expect(out.status).toBe('ok');
      expect(out.directory?.files).toBe(2);
    });

    it('takes a nested .dvcignore above the out into account', async () => {
      const root = project({
        'top/data.dvc': DATA_DVC,
        'top/data/foo': 'foo',
        'top/data/bar': 'bar',
        'top/.dvcignore': '/data/*.log\n',
        'top/data/run.log': 'x',
      });
      expect(only((await verifyDvcProject(root)).outs, 'top/data').status).toBe('ok');
    });

    it('refuses a directory holding a .dvcignore, as DVC does', async () => {
      const root = project({ 'data.dvc': DATA_DVC, ...DATA, 'data/.dvcignore': 'x\n' });
      expect(only((await verifyDvcProject(root)).outs, 'data')).toMatchObject({
        status: 'not-checked',
        reason: expect.stringMatching(/DVC refuses to hash a directory holding a \.dvcignore/),
      });
    });

    it('does not check an out that .dvcignore ignores', async () => {
      const root = project({ 'data.dvc': DATA_DVC, ...DATA, '.dvcignore': 'data/\n' });
      expect(only((await verifyDvcProject(root)).outs, 'data')).toMatchObject({
        status: 'not-checked',
        reason: expect.stringMatching(/ignored/),
      });
    });
  });

  it('fails closed on a FIFO inside a directory out', async () => {
    if (process.platform === 'win32') return;
    const root = project({ 'data.dvc': DATA_DVC, ...DATA });
    execFileSync('mkfifo', [join(root, 'data', 'pipe')]);
    expect(only((await verifyDvcProject(root)).outs, 'data')).toMatchObject({
      status: 'not-checked',
      reason: '1 file(s) could not be read',
      directory: { unreadable: { paths: ['pipe'] } },
    });
  });

  it('hashes names that are not UTF-8 as Python decodes them', async () => {
    if (process.platform !== 'linux') return;
    const root = project({});
    const name = Buffer.from('raw\xffname', 'latin1');
    mkdirSync(join(root, 'd'));
    writeFileSync(Buffer.concat([Buffer.from(join(root, 'd')), Buffer.from('/'), name]), 'x');
    const oid = digestDvcTree([{ relpath: 'raw\udcffname', md5: md5('x') }]);
    write(root, 'd.dvc', `outs:\n- md5: ${oid}.dir\n  hash: md5\n  path: d\n`);
    expect(only((await verifyDvcProject(root)).outs, 'd').status).toBe('ok');
  });

  it('verifies a pipeline: dvc.lock outs and deps under the stage wdir, with dvc.yaml', async () => {
    const root = project({
      'pipe/dvc.yaml': [
        'stages:',
        '  train:',
        '    wdir: work',
        '    cmd: python train.py',
        '    deps: [train.py, data.csv]',
        '    outs:',
        '      - model.pkl',
        '      - report.html:',
        '          cache: false',
        '  never:',
        '    cmd: x',
        '    outs: [later.bin]',
      ].join('\n'),
      'pipe/dvc.lock': [
        "schema: '2.0'",
        'stages:',
        '  train:',
        '    cmd: python train.py',
        '    deps:',
        '    - path: train.py',
        '      hash: md5',
        `      md5: ${md5('print(1)\n')}`,
        '    - path: https://example.com/data.csv',
        '      etag: abc',
        '    outs:',
        '    - path: model.pkl',
        '      hash: md5',
        `      md5: ${md5('model')}`,
        '  gone:',
        '    cmd: x',
      ].join('\n'),
      'pipe/work/train.py': 'print(1)\n',
      'pipe/work/model.pkl': 'model',
    });
    const report = await verifyDvcProject(root);
    expect(report.files.map((f) => f.path)).toEqual(['pipe/dvc.yaml', 'pipe/dvc.lock']);
    expect(report.outs.map((o) => [o.source.stage, o.source.role, o.path, o.status])).toEqual([
      ['train', 'out', 'pipe/work/model.pkl', 'ok'],
      ['train', 'dep', 'pipe/work/train.py', 'ok'],
      ['train', 'dep', 'https://example.com/data.csv', 'not-checked'],
      ['train', 'out', 'pipe/work/report.html', 'not-checked'],
      ['never', 'out', 'pipe/later.bin', 'not-checked'],
    ]);
    expect(only(report.outs, 'pipe/later.bin').reason).toMatch(/not in pipe\/dvc\.lock/);
    expect(report.problems).toEqual([
      {
        file: 'pipe/dvc.lock',
        field: 'stages.gone',
        code: 'inconsistent',
        message: 'is not a stage of pipe/dvc.yaml; DVC ignores it',
      },
    ]);
    expect(report.verdict).toBe('incomplete');
    const depsOff = await verifyDvcProject(root, { includeDeps: false });
    expect(depsOff.outs.every((o) => o.source.role === 'out')).toBe(true);
  });

  it('reads the real dvc-bench lock files (DVC 1 and 2) and reports their data as missing here', async () => {
    const root = project({
      'dvc.lock': readFileSync(join(FIXTURES, 'dvc-bench', 'dvc.lock')),
      'dvc.yaml': readFileSync(join(FIXTURES, 'dvc-bench', 'dvc.yaml')),
      'v1/dvc.lock': readFileSync(join(FIXTURES, 'dvc-bench', 'v1', 'dvc.lock')),
      'v1/dvc.yaml': readFileSync(join(FIXTURES, 'dvc-bench', 'v1', 'dvc.yaml')),
    });
    const report = await verifyDvcProject(root);
    expect(report.files.every((f) => f.error === undefined)).toBe(true);
    expect(report.outs.map((o) => [o.path, o.hashName, o.status])).toContainEqual([
      'plots',
      'md5-dos2unix',
      'missing',
    ]);
    expect(report.outs.map((o) => o.path)).toContain('v1/dvc');
    expect(report.verdict).toBe('drift');
  });

  it('does not follow an entry out of the project, nor check imports and URLs', async () => {
    const root = project({
      'sub/x.dvc':
        'outs:\n- path: ../../escape\n  md5: acbd18db4cc2f85cedef654fccc4a4d8\n- path: s3://bucket/key\n  etag: abc\n',
      'data.xml.dvc': [
        'deps:',
        '- path: get-started/data.xml',
        '  repo: {url: "https://github.com/iterative/dataset-registry", rev_lock: f59388cd04276e75d70b2136597aaa27e7937cc3}',
        'outs:',
        '- md5: acbd18db4cc2f85cedef654fccc4a4d8',
        '  hash: md5',
        '  path: data.xml',
      ].join('\n'),
      'data.xml': 'foo',
    });
    const report = await verifyDvcProject(root);
    expect(report.outs.map((o) => [o.path, o.status, o.reason])).toEqual([
      ['data.xml', 'ok', undefined],
      [
        'get-started/data.xml',
        'not-checked',
        'imported from https://github.com/iterative/dataset-registry@f59388cd04276e75d70b2136597aaa27e7937cc3: verify it in that repository',
      ],
      ['../../escape', 'not-checked', 'the path leaves the project'],
      ['s3://bucket/key', 'not-checked', 'not in the workspace (url)'],
    ]);
  });

  it('recomputes a files: list out as DVC does and names the changed file', async () => {
    const files = [
      { relpath: 'a', md5: md5('a') },
      { relpath: 'b', md5: md5('b') },
    ];
    const root = project({
      'd.dvc': `outs:\n- path: d\n  hash: md5\n  files:\n${files.map((f) => `  - relpath: ${f.relpath}\n    md5: ${f.md5}\n`).join('')}`,
      'd/a': 'a',
      'd/b': 'B',
    });
    expect(only((await verifyDvcProject(root)).outs, 'd')).toMatchObject({
      status: 'changed',
      expected: `${digestDvcTree(files)}.dir`,
      directory: { manifest: 'dvc-file', changed: { paths: ['b'] } },
    });
  });

  it('reports a DVC file it cannot read, and keeps verifying the others', async () => {
    const root = project({ 'bad.dvc': 'outs: [', 'data.dvc': DATA_DVC, ...DATA });
    const report = await verifyDvcProject(root);
    expect(report.files).toEqual([
      { path: 'bad.dvc', kind: 'dvc', error: expect.stringMatching(/bad\.dvc is not valid YAML/) },
      { path: 'data.dvc', kind: 'dvc' },
    ]);
    expect(report.summary.ok).toBe(1);
    expect(report.verdict).toBe('incomplete');
  });

  it('verifies only the targets it is given', async () => {
    const root = project({ 'bad.dvc': 'outs: [', 'data.dvc': DATA_DVC, ...DATA });
    const report = await verifyDvcProject(root, { targets: ['data.dvc'] });
    expect(report.files).toEqual([{ path: 'data.dvc', kind: 'dvc' }]);
    expect(report.verdict).toBe('ok');
  });

  describe('within its limits', () => {
    it('does not hash a directory with more files than maxDirFiles, nor one nested deeper than maxWalkDepth', async () => {
      const root = project({ 'data.dvc': DATA_DVC, ...DATA, 'data/a/b/c/d': 'x' });
      expect(only((await verifyDvcProject(root, { limits: { maxDirFiles: 2 } })).outs, 'data')).toMatchObject(
        {
          status: 'not-checked',
          reason: 'more than 2 files',
        },
      );
      expect(
        only((await verifyDvcProject(root, { limits: { maxWalkDepth: 2 } })).outs, 'data'),
      ).toMatchObject({
        status: 'not-checked',
        reason: 'nested deeper than 2 folders',
      });
    });

    it('says when the project was not searched completely', async () => {
      const root = project({ 'data.dvc': DATA_DVC, ...DATA, 'x/1': '', 'x/2': '', 'x/3': '' });
      const report = await verifyDvcProject(root, { limits: { maxProjectEntries: 3 } });
      expect(report.problems.map((p) => p.message)).toContainEqual(
        expect.stringMatching(/not searched completely/),
      );
      expect(report.verdict).not.toBe('ok');
    });

    it('lists at most maxDriftPaths paths per kind, with the exact count', async () => {
      const root = project({ 'data.dvc': DATA_DVC, ...DATA, 'data/n1': '1', 'data/n2': '2', 'data/n3': '3' });
      cache(root, 'md5', { foo: 'foo', bar: 'bar' });
      const out = only((await verifyDvcProject(root, { limits: { maxDriftPaths: 2 } })).outs, 'data');
      expect(out.directory?.added).toEqual({ count: 3, paths: ['n1', 'n2'] });
    });
  });

  it('does not evaluate a templated wdir', async () => {
    const root = project({
      'dvc.yaml':
        'stages:\n  s:\n    foreach: [a]\n    do:\n      wdir: ${item}\n      cmd: x\n      outs: [o]\n',
      'dvc.lock':
        "schema: '2.0'\nstages:\n  s@a:\n    cmd: x\n    outs:\n    - path: o\n      md5: acbd18db4cc2f85cedef654fccc4a4d8\n",
    });
    expect(only((await verifyDvcProject(root)).outs, 'o')).toMatchObject({
      status: 'not-checked',
      reason: "the stage's wdir is a template (${item}); not evaluated",
    });
  });

  it('refuses a root that is not a folder', async () => {
    await expect(verifyDvcProject(join(tmpdir(), 'pedigree-no-such-project'))).rejects.toThrow(UsageError);
  });
});

describe('verifyDvcProject from the cache', () => {
  it('checks that every object is in the cache and hashes to its name', async () => {
    const root = project({ 'data.dvc': DATA_DVC });
    cache(root, 'md5', { foo: 'foo', bar: 'bar' });
    const report = await verifyDvcProject(root, { from: 'cache' });
    expect(report.from).toBe('cache');
    expect(only(report.outs, 'data')).toMatchObject({
      status: 'ok',
      directory: { manifest: 'cache', files: 2 },
    });
  });

  it('names corrupt and missing objects', async () => {
    const root = project({ 'data.dvc': DATA_DVC });
    const cacheDir = join(root, '.dvc', 'cache');
    cache(root, 'md5', { foo: 'foo', bar: 'bar' });
    writeFileSync(cacheObjectPath(cacheDir, 'md5', md5('foo'), false), 'tampered');
    expect(only((await verifyDvcProject(root, { from: 'cache' })).outs, 'data')).toMatchObject({
      status: 'changed',
      directory: { changed: { paths: ['foo'] }, removed: { count: 0 } },
    });
    unlinkSync(cacheObjectPath(cacheDir, 'md5', md5('bar'), false));
    writeFileSync(cacheObjectPath(cacheDir, 'md5', md5('foo'), false), 'foo');
    expect(only((await verifyDvcProject(root, { from: 'cache' })).outs, 'data')).toMatchObject({
      status: 'missing',
      directory: { removed: { paths: ['bar'] } },
    });
    unlinkSync(cacheObjectPath(cacheDir, 'md5', '5ea40360f5b4ec688df672a4db9c17d1', true));
    expect(only((await verifyDvcProject(root, { from: 'cache' })).outs, 'data')).toMatchObject({
      status: 'missing',
      reason: 'the .dir object is not in the cache',
    });
  });

  it('checks legacy objects with DVC 2 hashing at the top of the cache', async () => {
    const root = project({});
    const oid = cache(root, 'md5-dos2unix', { 'a.txt': 'a\r\n' });
    write(root, 'd.dvc', `outs:\n- md5: ${oid}.dir\n  path: d\n`);
    expect(only((await verifyDvcProject(root, { from: 'cache' })).outs, 'd').status).toBe('ok');
  });

  it('follows cache.dir from .dvc/config, and does not look for cache: false outs', async () => {
    const root = project({
      '.dvc/config': '[cache]\n    dir = ../shared-cache\n',
      'foo.dvc': 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  size: 3\n  hash: md5\n  path: foo\n',
      'bar.dvc': 'outs:\n- md5: acbd18db4cc2f85cedef654fccc4a4d8\n  hash: md5\n  path: bar\n  cache: false\n',
    });
    const object = cacheObjectPath(
      join(root, 'shared-cache'),
      'md5',
      'acbd18db4cc2f85cedef654fccc4a4d8',
      false,
    );
    mkdirSync(dirname(object), { recursive: true });
    writeFileSync(object, 'foo');
    const report = await verifyDvcProject(root, { from: 'cache' });
    expect(report.cacheDir).toBe('shared-cache');
    expect(report.outs.map((o) => [o.path, o.status])).toEqual([
      ['bar', 'not-checked'],
      ['foo', 'ok'],
    ]);
  });
});
