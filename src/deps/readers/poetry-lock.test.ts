import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPoetryLock } from './poetry-lock.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const REAL_POETRY_LOCK = '/work/shared/data/lockfiles/tgi-gaudi-poetry.lock';
const HEX = (c: string): string => c.repeat(64);

describe.skipIf(!existsSync(REAL_POETRY_LOCK))(
  'readPoetryLock > the text-generation-inference Gaudi lock (2.1)',
  () => {
    const result = readPoetryLock('poetry.lock', readFileSync(REAL_POETRY_LOCK, 'utf8'));

    it('reads all 93 packages without problems, with their groups, direct unknown', () => {
      expect(result.problems).toEqual([]);
      expect(result.packages).toHaveLength(93);
      const groupCounts = new Map<string, number>();
      for (const p of result.packages)
        groupCounts.set(p.groups.join(','), (groupCounts.get(p.groups.join(',')) ?? 0) + 1);
      expect(Object.fromEntries(groupCounts)).toEqual({ main: 82, dev: 6, 'dev,main': 5 });
      expect(result.packages.every((p) => p.direct === undefined)).toBe(true);
    });

    it('reads versions, hashes, the graph and lines', () => {
      const accelerate = result.packages.find((p) => p.name === 'accelerate');
      expect(accelerate).toMatchObject({
        version: '0.33.0',
        purl: 'pkg:pypi/accelerate@0.33.0',
        dependencies: ['huggingface-hub', 'numpy', 'packaging', 'psutil', 'pyyaml', 'safetensors', 'torch'],
        declaredAt: { file: 'poetry.lock', line: 3 },
      });
      expect(accelerate?.hashes).toContainEqual({
        algorithm: 'sha256',
        value: '0a7f33d60ba09afabd028d4f0856dd19c5a734b7a596d637d9dd6e3d0eadbaf3',
      });
      expect(result.packages.find((p) => p.name === 'tomli')?.marker).toBe('python_version < "3.11"');
    });
  },
);

describe('readPoetryLock > a Poetry 1.x lock (poetry test fixture)', () => {
  const result = readPoetryLock('poetry.lock', fixture('poetry-1.x-old-lock.lock'));

  it('takes the group from category, markers from marker, hashes from [metadata.files]', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages).toHaveLength(8);
    expect(result.packages.find((p) => p.name === 'colorama')).toMatchObject({
      groups: ['dev'],
      marker: 'sys_platform == "win32"',
      hashes: [
        { algorithm: 'sha256', value: '463f8483208e921368c9f306094eb6f725c6ca42b0f97e313cb5d5512459feda' },
        { algorithm: 'sha256', value: '48eb22f4f8461b1df5734a074b57042430fb06e1d61bd1e11b078c0fe6d7a1f1' },
      ],
    });
    expect(result.packages.find((p) => p.name === 'more-itertools')?.hashes).toHaveLength(3);
    expect(result.packages.find((p) => p.name === 'pytest')?.dependencies).toEqual([
      'attrs',
      'colorama',
      'funcsigs',
      'more-itertools',
      'pluggy',
      'py',
      'six',
    ]);
  });
});

describe('readPoetryLock > a 2.0 lock with a git package (poetry test fixture)', () => {
  it('reads the git source with its resolved commit', () => {
    const result = readPoetryLock('poetry.lock', fixture('poetry-2.0-vcs-extras.lock'));
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => p.name)).toEqual(['cleo', 'demo', 'pendulum']);
    expect(result.packages.find((p) => p.name === 'demo')).toMatchObject({
      source: { kind: 'vcs', url: 'https://github.com/demo/demo.git', commit: '123456' },
      dependencies: ['cleo', 'pendulum'],
      hashes: [],
    });
  });
});

describe('readPoetryLock > sources, per-group markers and shared legacy hashes', () => {
  const text = `
[[package]]
name = "six"
version = "1.0.0"
category = "main"

[[package]]
name = "six"
version = "1.16.0"
category = "main"

[[package]]
name = "Local_Pkg"
version = "0.1.0"
develop = true
[package.source]
type = "directory"
url = "../local"

[[package]]
name = "wheel-pkg"
version = "1.0"
[package.source]
type = "file"
url = "dist/wheel_pkg-1.0-py3-none-any.whl"

[[package]]
name = "remote"
version = "2.0"
[package.source]
type = "url"
url = "https://example.com/remote-2.0.tar.gz"

[[package]]
name = "torch"
version = "2.7.0+cu128"
groups = ["main", "dev"]
markers = { main = "sys_platform == 'linux'", dev = "sys_platform == 'win32'" }
[package.source]
type = "legacy"
url = "https://download.pytorch.org/whl/cu128"
reference = "pytorch"

[metadata]
lock-version = "1.1"
[metadata.files]
six = [
  {file = "six-1.0.0.tar.gz", hash = "sha256:${HEX('a')}"},
  {file = "six-1.16.0-py2.py3-none-any.whl", hash = "sha256:${HEX('b')}"},
]
`;
  const result = readPoetryLock('poetry.lock', text);

  it('reads each source type', () => {
    expect(result.problems).toEqual([]);
    const byName = new Map(result.packages.map((p) => [p.name, p]));
    expect(byName.get('Local_Pkg')).toMatchObject({
      normalizedName: 'local-pkg',
      source: { kind: 'path', path: '../local', editable: true },
    });
    expect(byName.get('wheel-pkg')?.source).toEqual({
      kind: 'path',
      path: 'dist/wheel_pkg-1.0-py3-none-any.whl',
    });
    expect(byName.get('remote')?.source).toEqual({
      kind: 'url',
      url: 'https://example.com/remote-2.0.tar.gz',
    });
    expect(byName.get('torch')).toMatchObject({
      source: { kind: 'registry', url: 'https://download.pytorch.org/whl/cu128' },
      groups: ['dev', 'main'],
      marker: "(sys_platform == 'linux') or (sys_platform == 'win32')",
    });
  });

  it('gives each version of a name only the legacy hashes of its own files', () => {
    const sixes = result.packages.filter((p) => p.name === 'six');
    expect(sixes.map((p) => [p.version, p.hashes.map((h) => h.value[0])])).toEqual([
      ['1.0.0', ['a']],
      ['1.16.0', ['b']],
    ]);
  });
});

describe('readPoetryLock > malformed input', () => {
  it('reports bad entries by position and name and reads the rest', () => {
    const text = `
[[package]]
name = "ok"
version = "1.0"
files = [{file = "ok-1.0.tar.gz", hash = "nocolon"}, {file = "x"}]
[package.dependencies]
"bad name!" = "*"

[[package]]
name = "noversion"

[[package]]
name = "odd-source"
version = "1.0"
[package.source]
type = "hg"
url = "https://example.com/repo"

[[package]]
name = "bad"
version = "1 0"

[[package]]
name = "m"
version = "1"
markers = 5

[metadata]
lock-version = "3.0"
[metadata.files]
ok = "not a list"
`;
    const result = readPoetryLock('poetry.lock', text);
    expect(result.packages.map((p) => p.name)).toEqual(['m', 'ok']);
    expect(result.problems.map((p) => `${p.line ?? '-'}: ${p.message}`)).toEqual(
      expect.arrayContaining([
        '-: lock-version "3.0" is newer than 2.x: read as 2.x',
        '-: [metadata.files] "ok" is not an array',
        '2: package 1 "ok": file 1: hash without an algorithm: "nocolon"',
        '2: package 1 "ok": file 2: hash: Invalid input: expected string, received undefined',
        '2: package 1 "ok": invalid dependency name "bad name!"',
        expect.stringMatching(/^9: package 2 "noversion": version/),
        '12: package 3 "odd-source": unknown source type "hg"',
        '19: package 4 "bad": invalid version "1 0"',
        '23: package 5 "m": markers is neither a string nor a table',
      ]),
    );
  });

  it('reports a file that is not TOML and one whose package key is not an array', () => {
    expect(
      readPoetryLock('poetry.lock', '[[package]]\nname = "a"\nname = "b"\n').problems[0]?.message,
    ).toContain('not valid TOML');
    expect(readPoetryLock('poetry.lock', 'package = "x"').problems[0]?.message).toBe(
      '`package` is not an array of tables: no packages read',
    );
  });
});
