import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencyFile, DependencyPackage } from '../model.js';
import { readPipfileLock } from './pipfile-lock.js';

const fixture = readFileSync(new URL('./fixtures/pipfile-example.lock', import.meta.url), 'utf8');

function only(file: DependencyFile, normalizedName: string): DependencyPackage {
  const found = file.packages.filter((pkg) => pkg.normalizedName === normalizedName);
  expect(found, normalizedName).toHaveLength(1);
  return found[0]!;
}

const lock = (groups: Record<string, unknown>, meta: unknown = {}) =>
  JSON.stringify({ _meta: meta, ...groups });

describe('readPipfileLock', () => {
  describe('with a lockfile of every entry kind', () => {
    const result = readPipfileLock('Pipfile.lock', fixture);

    it('reads pinned registry packages with hashes, markers, extras, index and line', () => {
      expect(only(result, 'requests')).toEqual({
        ecosystem: 'PyPI',
        name: 'requests',
        normalizedName: 'requests',
        version: '2.31.0',
        source: { kind: 'registry', url: 'https://pypi.org/simple' },
        hashes: [
          { algorithm: 'sha256', value: '58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f' },
          { algorithm: 'sha256', value: '942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1' },
        ],
        marker: "python_version >= '3.7'",
        extras: ['socks'],
        groups: [],
        dependencies: [],
        purl: 'pkg:pypi/requests@2.31.0',
        declaredAt: { file: 'Pipfile.lock', line: 39 },
      });
    });

    it('maps develop to the dev group and keeps custom categories by name', () => {
      expect(only(result, 'pytest')).toMatchObject({ version: '8.0.2', groups: ['dev'] });
      expect(only(result, 'sphinx')).toMatchObject({ name: 'Sphinx', version: '7.2.6', groups: ['docs'] });
    });

    it('resolves a named index to its URL without credentials', () => {
      expect(only(result, 'private-package').source).toEqual({
        kind: 'registry',
        url: 'https://private.example/simple',
      });
      expect(JSON.stringify(result)).not.toContain('s3cret');
    });

    it('leaves git, path and "*" entries unresolved', () => {
      expect(only(result, 'flask-login')).toMatchObject({
        source: {
          kind: 'vcs',
          url: 'https://github.com/maxcountryman/flask-login.git',
          commit: 'ef2f32e4a6ffb0e7e9f1bbc6b3b1e5c2d0a8f4b1',
        },
      });
      expect(only(result, 'flask-login').version).toBeUndefined();
      expect(only(result, 'my-package')).toMatchObject({
        source: { kind: 'path', path: './path/to/local/package', editable: true },
        requirement: './path/to/local/package',
      });
      expect(only(result, 'waitress')).toMatchObject({ requirement: '*', marker: "sys_platform == 'win32'" });
      expect(only(result, 'waitress').purl).toBeUndefined();
    });

    it('reads everything without problems, sorted', () => {
      expect(result.problems).toEqual([]);
      expect(result.packages.map((pkg) => pkg.normalizedName)).toEqual([
        'flask-login',
        'my-package',
        'private-package',
        'pytest',
        'requests',
        'sphinx',
        'waitress',
      ]);
    });
  });

  describe('with a package locked in both default and develop (microsoft/presidio presidio-analyzer)', () => {
    // Excerpt of presidio-analyzer/Pipfile.lock before commit 18090c60c: pipenv writes shared packages twice.
    const filelock = {
      hashes: [
        'sha256:ad98852315c2ab702aeb628412cbf7e95b7ce8c3bf9565670b4eaecf1db370a9',
        'sha256:fc03ae43288c013d2ea83c8597001b1129db351aad9c57fe2409327916b8e718',
      ],
      markers: "python_version >= '3.7'",
      version: '==3.12.0',
    };
    const meta = { sources: [{ name: 'pypi', url: 'https://pypi.python.org/simple', verify_ssl: true }] };
    const text = JSON.stringify(
      {
        _meta: meta,
        default: { filelock, pyyaml: { index: 'pypi', version: '==6.0' }, six: { version: '==1.16.0' } },
        develop: {
          filelock,
          pyyaml: { version: '==6.0', markers: "python_version >= '3.6'" },
          six: { version: '==1.15.0' },
        },
      },
      null,
      4,
    );
    const result = readPipfileLock('Pipfile.lock', text);

    it('reads the same distribution once, in both groups, with its hashes once', () => {
      expect(only(result, 'filelock')).toMatchObject({
        version: '3.12.0',
        groups: ['default', 'dev'],
        marker: "python_version >= '3.7'",
        declaredAt: { file: 'Pipfile.lock', line: 12 },
      });
      expect(only(result, 'filelock').hashes).toHaveLength(2);
    });

    it('keeps the index one entry names and drops the marker when one entry has none', () => {
      expect(only(result, 'pyyaml')).toMatchObject({
        source: { kind: 'registry', url: 'https://pypi.python.org/simple' },
        groups: ['default', 'dev'],
      });
      expect(only(result, 'pyyaml').marker).toBeUndefined();
    });

    it('keeps different versions apart, each in its own group', () => {
      expect(result.packages.filter((p) => p.name === 'six').map((p) => [p.version, p.groups])).toEqual([
        ['1.15.0', ['dev']],
        ['1.16.0', []],
      ]);
      expect(result.problems).toEqual([]);
    });
  });

  describe('malformed input', () => {
    it('reports non-JSON, a non-object top level and oversized categories without throwing', () => {
      expect(readPipfileLock('P', '{"default": {').problems[0]!.message).toMatch(/^not JSON/);
      expect(readPipfileLock('P', '[]').problems[0]!.message).toContain('top level is not a JSON object');
      expect(readPipfileLock('P', lock({ default: [] })).problems[0]!.message).toContain(
        '"default" is not an object',
      );
    });

    it('skips a bad entry with a reason and reads the rest', () => {
      const result = readPipfileLock(
        'P',
        lock({ default: { bad: { version: 7 }, worse: 'x', good: { version: '==1.0' } } }),
      );
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['good']);
      expect(result.problems.map((p) => p.message)).toEqual([
        '"default.bad": version: Invalid input: expected string, received number: skipped',
        '"default.worse": entry: Invalid input: expected object, received string: skipped',
      ]);
    });

    it('leaves ranges and invalid versions unresolved and drops bad hashes', () => {
      const result = readPipfileLock(
        'P',
        lock({
          default: {
            ranged: { version: '>=1.0' },
            wild: { version: '==1.*' },
            junk: { version: '==not.a version' },
            arbitrary: { version: '===2024-custom' },
            hashed: { version: '==1.0', hashes: ['md5:00', 'sha256:zz', 'sha256'] },
          },
        }),
      );
      expect(only(result, 'ranged')).toMatchObject({ requirement: '>=1.0' });
      expect(only(result, 'wild').version).toBeUndefined();
      expect(only(result, 'junk').version).toBeUndefined();
      expect(only(result, 'arbitrary').version).toBe('2024-custom');
      expect(only(result, 'hashed').hashes).toEqual([]);
      expect(result.problems).toHaveLength(6);
    });

    it('reports an unknown index and a _meta without usable sources', () => {
      const result = readPipfileLock(
        'P',
        lock({ default: { a: { version: '==1', index: 'nope' } } }, { sources: [{}] }),
      );
      expect(result.problems.map((p) => p.message)).toEqual([
        '_meta.sources has an entry without a string name and url: skipped',
        '"default.a": index "nope" is not in _meta.sources',
      ]);
      expect(only(result, 'a').source).toEqual({ kind: 'registry' });
    });

    it('does not let a __proto__ key change anything', () => {
      const result = readPipfileLock('P', '{"default": {"__proto__": {"version": "==1.0"}}}');
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).version).toBeUndefined();
    });
  });
});

describe('readPipfileLock on arbitrary JSON', () => {
  it('never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => readPipfileLock('f', JSON.stringify(value))).not.toThrow();
        expect(() =>
          readPipfileLock(
            'f',
            JSON.stringify({ lockfileVersion: 3, packages: value, dependencies: value, default: value }),
          ),
        ).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
