import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPylock } from './pylock.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('readPylock > the PEP 751 example (packaging test fixture)', () => {
  const result = readPylock('pylock.toml', fixture('pylock-pep751-example.toml'));

  it('reads the three packages with their wheels hashes, index and dependencies', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      'attrs@25.1.0',
      'cattrs@24.1.2',
      'numpy@2.2.3',
    ]);
    expect(result.packages[1]).toMatchObject({
      source: { kind: 'registry', url: 'https://pypi.org/simple' },
      dependencies: ['attrs'],
      hashes: [
        { algorithm: 'sha256', value: '67c7495b760168d931a10233f979b28dc04daf853b30752246f4f8471c6d68d0' },
      ],
      purl: 'pkg:pypi/cattrs@24.1.2',
      declaredAt: { file: 'pylock.toml', line: 31 },
    });
    expect(result.packages[2]?.hashes).toHaveLength(2);
  });
});

describe('readPylock > vcs, directory and archive packages, group markers', () => {
  const text = `
lock-version = "1.0"
created-by = "test"

[[packages]]
name = "kernels"
vcs = { type = "git", url = "https://github.com/example/kernels.git", requested-revision = "main", commit-id = "abcdef0123456789abcdef0123456789abcdef01" }

[[packages]]
name = "mylib"
directory = { path = "libs/mylib", editable = true }

[[packages]]
name = "remote"
version = "1.0"
marker = "'dev' in dependency_groups or \\"test\\" in extras"
archive = { url = "https://example.com/remote-1.0.tar.gz", hashes = { sha256 = "${'c'.repeat(64)}", blake2b = "${'d'.repeat(128)}" } }
`;
  const result = readPylock('pylock.toml', text);

  it('reads each kind of source', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => p.source)).toEqual([
      {
        kind: 'vcs',
        url: 'https://github.com/example/kernels.git',
        commit: 'abcdef0123456789abcdef0123456789abcdef01',
      },
      { kind: 'path', path: 'libs/mylib', editable: true },
      { kind: 'url', url: 'https://example.com/remote-1.0.tar.gz' },
    ]);
    expect(result.packages[0]).toMatchObject({ requirement: 'https://github.com/example/kernels.git' });
    expect(result.packages[2]).toMatchObject({ groups: ['dev', 'test'], version: '1.0' });
    expect(result.packages[2]?.hashes.map((h) => h.algorithm)).toEqual(['blake2b', 'sha256']);
  });
});

describe('readPylock > malformed input', () => {
  it('refuses another major lock-version and a missing one, reading nothing', () => {
    expect(
      readPylock('pylock.toml', 'lock-version = "2.0"\n[[packages]]\nname = "a"\nversion = "1"\n'),
    ).toMatchObject({
      packages: [],
      problems: [{ message: 'lock-version "2.0" is not supported (only 1.x): not read' }],
    });
    expect(readPylock('pylock.toml', '[[packages]]\nname = "a"\n').problems[0]?.message).toContain(
      'not "major.minor"',
    );
  });

  it('warns about a newer minor version and reads on', () => {
    const result = readPylock(
      'pylock.toml',
      'lock-version = "1.3"\n[[packages]]\nname = "a"\nversion = "1"\n',
    );
    expect(result.packages).toHaveLength(1);
    expect(result.problems[0]?.message).toBe('lock-version "1.3" is newer than 1.0: read as 1.0');
  });

  it('reports bad entries and reads the rest', () => {
    const text = `
lock-version = "1.0"
[[packages]]
name = "ok"
version = "1"
dependencies = [{ version = "2" }]
wheels = [{ url = "https://x/ok-1-py3-none-any.whl" }, { url = "https://x/ok.whl", hashes = { "sha 256" = "ab" } }]
[[packages]]
name = "both"
version = "1"
directory = { path = "x" }
archive = { path = "y.tar.gz", hashes = { sha256 = "${'e'.repeat(64)}" } }
[[packages]]
name = "noloc"
archive = { hashes = { sha256 = "${'e'.repeat(64)}" } }
[[packages]]
version = "1"
`;
    const result = readPylock('pylock.toml', text);
    expect(result.packages.map((p) => p.name)).toEqual(['both', 'ok']);
    expect(result.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '3: package 1 "ok": wheel 1 has no hashes table',
      '3: package 1 "ok": wheel 2: invalid hash algorithm "sha 256"',
      '3: package 1 "ok": dependency 1 has no name',
      '8: package 2 "both": more than one of vcs, directory, archive, sdist/wheels: read as directory',
      '13: package 3 "noloc": archive has neither url nor path',
      expect.stringMatching(/^16: package 4: name/),
    ]);
  });
});
