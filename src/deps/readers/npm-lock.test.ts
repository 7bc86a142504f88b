import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencyFile, DependencyPackage } from '../model.js';
import { readNpmLock } from './npm-lock.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const sha512Hex = (text: string): string => createHash('sha512').update(text).digest('hex');

function at(file: DependencyFile, name: string, version?: string): DependencyPackage {
  const found = file.packages.filter(
    (pkg) => pkg.name === name && (version === undefined || pkg.version === version),
  );
  expect(found, `${name}@${version}`).toHaveLength(1);
  return found[0]!;
}

const v3 = (packages: Record<string, unknown>) => JSON.stringify({ lockfileVersion: 3, packages }, null, 2);

describe('readNpmLock', () => {
  describe('with a v3 lockfile with a workspace, an alias, nested copies and a git dependency', () => {
    const result = readNpmLock('package-lock.json', fixture('npm-v3-workspaces.package-lock.json'));

    it('reads a registry package with its SRI integrity as hex, license, edges and line', () => {
      expect(at(result, '@scope/util')).toEqual({
        ecosystem: 'npm',
        name: '@scope/util',
        normalizedName: '@scope/util',
        version: '2.1.0',
        source: { kind: 'registry', url: 'https://registry.npmjs.org/@scope/util/-/util-2.1.0.tgz' },
        hashes: [{ algorithm: 'sha512', value: sha512Hex('util-2.1.0') }],
        extras: [],
        groups: [],
        direct: true,
        dependencies: ['left-pad'],
        license: 'ISC',
        purl: 'pkg:npm/%40scope/util@2.1.0',
        declaredAt: { file: 'package-lock.json', line: 26 },
      });
    });

    it('names a nested copy by its last node_modules segment and marks it indirect', () => {
      expect(at(result, 'left-pad', '1.3.0')).toMatchObject({ direct: true });
      expect(at(result, 'left-pad', '1.3.0').hashes[0]!.algorithm).toBe('sha1');
      expect(at(result, 'left-pad', '1.1.3')).toMatchObject({ direct: false });
    });

    it('takes the real name of an alias install from "name"', () => {
      expect(at(result, 'lodash')).toMatchObject({
        version: '4.17.21',
        direct: false,
        purl: 'pkg:npm/lodash@4.17.21',
      });
    });

    it('turns dev, optional and peer flags into groups', () => {
      expect(at(result, 'typescript')).toMatchObject({ groups: ['dev'], direct: true });
      expect(at(result, 'fsevents')).toMatchObject({ groups: ['optional'], direct: true });
      expect(at(result, 'react')).toMatchObject({ groups: ['peer'] });
    });

    it('lists a workspace link as a path source, unresolved, once', () => {
      expect(at(result, '@demo/web')).toMatchObject({
        source: { kind: 'path', path: 'packages/web' },
        requirement: 'packages/web',
        dependencies: ['react'],
        license: 'MIT',
      });
      expect(at(result, '@demo/web').version).toBeUndefined();
      // A workspace's own top-level dependency is direct for that workspace.
      expect(at(result, 'react').direct).toBe(true);
    });

    it('keeps a git dependency as a VCS source at its commit, unresolved', () => {
      expect(at(result, 'from-git')).toMatchObject({
        source: {
          kind: 'vcs',
          url: 'git+ssh://github.com/example/from-git.git',
          commit: '0123456789abcdef0123456789abcdef01234567',
        },
        groups: ['dev', 'optional'],
      });
      expect(at(result, 'from-git').version).toBeUndefined();
    });

    it('does not list the root project and reads without problems', () => {
      expect(result.packages.some((pkg) => pkg.name === 'demo-app')).toBe(false);
      expect(result.packages).toHaveLength(9);
      expect(result.problems).toEqual([]);
    });
  });

  describe('with a stale extraneous folder left from an old link (continuedev/continue extensions/vscode)', () => {
    // Excerpt of the real lock: the link moved to ../../packages/fetch, the old ../packages/fetch stays.
    const result = readNpmLock(
      'package-lock.json',
      v3({
        '': { name: 'continue', dependencies: { '@continuedev/fetch': 'file:../../packages/fetch' } },
        '../../packages/fetch': { name: '@continuedev/fetch', version: '1.1.0', license: 'Apache-2.0' },
        '../packages/fetch': { extraneous: true },
        'node_modules/@continuedev/fetch': { resolved: '../../packages/fetch', link: true },
      }),
    );

    it('skips the leftover without a problem and still lists the live link', () => {
      expect(result.problems).toEqual([]);
      expect(result.packages.map((pkg) => [pkg.name, pkg.requirement])).toEqual([
        ['@continuedev/fetch', '../../packages/fetch'],
      ]);
    });

    it('still reports a nameless folder that is not marked extraneous', () => {
      const bad = readNpmLock('l', v3({ '': {}, '../packages/fetch': { dev: true } }));
      expect(bad.problems.map((p) => p.message)).toEqual([
        'packages["../packages/fetch"] is outside node_modules and has no name: skipped',
      ]);
    });
  });

  describe('with a v1 lockfile', () => {
    const result = readNpmLock('package-lock.json', fixture('npm-v1.package-lock.json'));

    it('walks the nested dependencies tree', () => {
      expect(at(result, 'debug')).toMatchObject({ version: '2.6.9', dependencies: ['ms'] });
      expect(at(result, 'debug').direct).toBeUndefined();
      expect(at(result, 'ms', '2.0.0')).toMatchObject({ direct: false });
      expect(at(result, 'ms', '2.1.3')).toMatchObject({ groups: ['dev'] });
      expect(at(result, 'mylib')).toMatchObject({
        source: {
          kind: 'vcs',
          url: 'github:example/mylib',
          commit: '89abcdef0123456789abcdef0123456789abcdef',
        },
      });
      expect(result.problems).toEqual([]);
    });
  });

  describe("with this project's own package-lock.json (v3, written by npm)", () => {
    const root = new URL('../../../', import.meta.url);
    const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const result = readNpmLock('package-lock.json', readFileSync(new URL('package-lock.json', root), 'utf8'));

    it('finds every declared dependency as a direct, resolved package at its line', () => {
      for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)]) {
        const pkg = result.packages.find((p) => p.name === name && p.direct === true);
        expect(pkg, name).toBeDefined();
        expect(pkg!.purl, name).toMatch(/^pkg:npm\//);
        expect(pkg!.declaredAt.line, name).toBeGreaterThan(0);
      }
      // npm flags a dev dependency that is also an optional peer of a runtime one (ajv, an optional peer of
      // @cyclonedx/cyclonedx-library) `devOptional` rather than `dev`.
      for (const name of Object.keys(manifest.devDependencies)) {
        const groups = result.packages.find((p) => p.name === name && p.direct)!.groups;
        expect(
          groups.some((g) => g === 'dev' || g === 'devOptional'),
          `${name}: ${groups}`,
        ).toBe(true);
      }
      expect(result.problems).toEqual([]);
    });
  });

  describe('malformed input', () => {
    it('reports non-JSON, a non-object and a lock with neither packages nor dependencies', () => {
      expect(readNpmLock('l', '{').problems[0]!.message).toMatch(/^not JSON/);
      expect(readNpmLock('l', 'null').problems[0]!.message).toContain('not a JSON object');
      expect(readNpmLock('l', '{"lockfileVersion": 3}').problems[0]!.message).toContain('nothing read');
    });

    it('skips bad entries with a reason and line, and reads the rest', () => {
      const result = readNpmLock(
        'l',
        v3({
          '': {},
          'node_modules/a': { version: 1 },
          'node_modules/b': 'x',
          'node_modules/c': { version: '1.0.0', dependencies: { d: 2 } },
          'node_modules/ok': { version: '1.0.0' },
          'somewhere/else': { version: '1.0.0' },
        }),
      );
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['ok']);
      expect(result.problems.map((p) => p.line)).toEqual([5, 8, 9, 18]);
    });

    it('leaves non-SemVer versions, missing versions and foreign tarballs unresolved', () => {
      const result = readNpmLock(
        'l',
        v3({
          'node_modules/a': { version: 'latest' },
          'node_modules/b': { resolved: 'https://registry.npmjs.org/b/-/b-1.0.0.tgz' },
          'node_modules/c': { version: '1.0.0', resolved: 'https://evil.example/c.tgz' },
          'node_modules/d': { version: '1.0.0', resolved: 'file:../d' },
        }),
      );
      expect(result.packages.every((pkg) => pkg.version === undefined)).toBe(true);
      expect(at(result, 'c').source).toEqual({ kind: 'url', url: 'https://evil.example/c.tgz' });
      expect(at(result, 'd').source).toEqual({ kind: 'path', path: '../d' });
      expect(result.problems).toHaveLength(2);
    });

    it('ignores integrity that is not SRI, not base64 or of the wrong length', () => {
      const result = readNpmLock(
        'l',
        v3({
          'node_modules/a': {
            version: '1.0.0',
            integrity: 'md5-AAAA sha512-!!!! sha512-AAAA sha1-AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
          },
        }),
      );
      expect(at(result, 'a').hashes).toEqual([{ algorithm: 'sha1', value: '0'.repeat(40) }]);
      expect(result.problems).toHaveLength(3);
    });

    it('stops a v1 tree nested deeper than the limit', () => {
      let tree: Record<string, unknown> = { leaf: { version: '1.0.0' } };
      for (let i = 0; i < 200; i++) tree = { [`p${i}`]: { version: '1.0.0', dependencies: tree } };
      const result = readNpmLock('l', JSON.stringify({ lockfileVersion: 1, dependencies: tree }));
      expect(result.problems).toEqual([
        { file: 'l', message: 'dependencies nested deeper than 64: the rest is not read' },
      ]);
      expect(result.packages).toHaveLength(65);
    });

    it('does not let a __proto__ key change anything', () => {
      const result = readNpmLock(
        'l',
        '{"lockfileVersion":3,"packages":{"node_modules/__proto__":{"version":"1.0.0"}}}',
      );
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['__proto__']);
      expect(({} as Record<string, unknown>).version).toBeUndefined();
    });
  });
});

describe('readNpmLock on arbitrary JSON', () => {
  it('never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => readNpmLock('f', JSON.stringify(value))).not.toThrow();
        expect(() =>
          readNpmLock(
            'f',
            JSON.stringify({ lockfileVersion: 3, packages: value, dependencies: value, default: value }),
          ),
        ).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
