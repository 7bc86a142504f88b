import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPdmLock } from './pdm-lock.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('readPdmLock > a lock_version 4.5 lock with groups (pdm test fixture)', () => {
  const result = readPdmLock('pdm.lock', fixture('pdm-4.5-groups.lock'));

  it('reads the ten packages with groups, markers, files and the graph', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      'certifi@2025.1.31',
      'chardet@3.0.4',
      'charset-normalizer@2.0.12',
      'colorama@0.3.9',
      'idna@2.7',
      'py@1.4.34',
      'pytest@3.2.5',
      'requests@2.27.1',
      'setuptools@39.2.0',
      'urllib3@1.26.20',
    ]);
    expect(result.packages.find((p) => p.name === 'idna')).toMatchObject({ groups: ['default', 'security'] });
    expect(result.packages.find((p) => p.name === 'requests')).toMatchObject({
      marker: 'python_version >= "3.6"',
      dependencies: ['certifi', 'chardet', 'charset-normalizer', 'idna', 'urllib3'],
      purl: 'pkg:pypi/requests@2.27.1',
      declaredAt: { file: 'pdm.lock', line: 96 },
    });
    expect(result.packages.find((p) => p.name === 'setuptools')?.hashes).toContainEqual({
      algorithm: 'sha256',
      value: 'f7cddbb5f5c640311eb00eab6e849f7701fa70bf6a183fc8a2c33dd1d1672fb2',
    });
    expect(result.packages.every((p) => p.direct === undefined)).toBe(true);
  });
});

describe('readPdmLock > a lock_version 4.0 lock with [metadata.files] (pdm test fixture)', () => {
  const result = readPdmLock('pdm.lock', fixture('pdm-4.0-metadata-files.lock'));

  it('merges the extras entry of requests into one package and takes hashes by "name version"', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => p.name)).toEqual([
      'certifi',
      'charset-normalizer',
      'idna',
      'requests',
      'urllib3',
    ]);
    const requests = result.packages.find((p) => p.name === 'requests');
    expect(requests).toMatchObject({ version: '2.26.0', extras: ['security'] });
    expect(requests?.dependencies).not.toContain('requests');
    expect(requests?.hashes).toHaveLength(2);
  });
});

describe('readPdmLock > non-index packages', () => {
  it('reads git, path and url packages', () => {
    const text = `
[metadata]
lock_version = "4.4.1"
groups = ["default"]

[[package]]
name = "kernels"
version = "0.2.1"
git = "https://github.com/example/kernels.git"
ref = "v0.2.1"
revision = "abcdef0123456789abcdef0123456789abcdef01"
groups = ["default"]

[[package]]
name = "mylib"
version = "0.0.1"
path = "./libs/mylib"
editable = true
groups = ["default"]

[[package]]
name = "remote"
url = "https://example.com/remote-1.0.tar.gz"
groups = ["default"]
`;
    const result = readPdmLock('pdm.lock', text);
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => [p.name, p.source])).toEqual([
      [
        'kernels',
        {
          kind: 'vcs',
          url: 'https://github.com/example/kernels.git',
          commit: 'abcdef0123456789abcdef0123456789abcdef01',
        },
      ],
      ['mylib', { kind: 'path', path: './libs/mylib', editable: true }],
      ['remote', { kind: 'url', url: 'https://example.com/remote-1.0.tar.gz' }],
    ]);
    expect(result.packages[2]).toMatchObject({ requirement: 'https://example.com/remote-1.0.tar.gz' });
    expect(result.packages[2]?.purl).toBeUndefined();
  });
});

describe('readPdmLock > malformed input', () => {
  it('reports bad entries and bad dependency strings, and reads the rest', () => {
    const text = `
[metadata]
lock_version = "5.0"

[[package]]
name = "a"
version = "1.0"
dependencies = ["b>>1", 7, "c>=1"]
files = [{url = "https://x/a-1.0.tar.gz", hash = "sha256:zz"}]

[[package]]
version = "1.0"

[[package]]
name = "c"
version = "1.0"
groups = "default"

[metadata.files]
"nospace" = []
`;
    const result = readPdmLock('pdm.lock', text);
    expect(result.packages.map((p) => p.name)).toEqual(['a']);
    expect(result.packages[0]?.dependencies).toEqual(['c']);
    expect(result.problems.map((p) => `${p.line ?? '-'}: ${p.message}`)).toEqual(
      expect.arrayContaining([
        '-: lock_version "5.0" is newer than 4.x: read as 4.x',
        '-: [metadata.files] "nospace": expected "name version" = [files]',
        expect.stringMatching(/^5: package 1 "a": dependency "b>>1": invalid version/),
        '5: package 1 "a": dependency 2 is not a string',
        '5: package 1 "a": file 1: sha256 digest is not hex: "zz"',
        expect.stringMatching(/^11: package 2: name/),
        expect.stringMatching(/^14: package 3 "c": groups/),
      ]),
    );
  });

  it('reports text that is not TOML', () => {
    const result = readPdmLock('pdm.lock', '[[package]\n');
    expect(result).toMatchObject({ packages: [], problems: [{ line: 1 }] });
  });
});
