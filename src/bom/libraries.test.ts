import { describe, expect, it } from 'vitest';
import type { DependencyFile, DependencyPackage } from '../deps/model.js';
import { buildLibraries, inventoryHash, licenseOf } from './libraries.js';

function pkg(over: Partial<DependencyPackage> & { name: string }): DependencyPackage {
  return {
    ecosystem: 'PyPI',
    normalizedName: over.name.toLowerCase(),
    source: { kind: 'registry' },
    hashes: [],
    extras: [],
    groups: [],
    dependencies: [],
    declaredAt: { file: 'poetry.lock', line: 1 },
    ...over,
  };
}

function file(path: string, packages: DependencyPackage[]): DependencyFile {
  return { path, format: 'poetry.lock', packages, problems: [], includes: [] };
}

describe('buildLibraries', () => {
  it('joins a package named by several files and keeps every declaration', () => {
    const libs = buildLibraries([
      file('poetry.lock', [
        pkg({
          name: 'torch',
          version: '2.3.1',
          direct: true,
          dependencies: ['numpy'],
          hashes: [{ algorithm: 'sha256', value: 'A'.repeat(64) }],
          declaredAt: { file: 'poetry.lock', line: 20 },
        }),
        pkg({
          name: 'numpy',
          version: '1.26.4',
          direct: false,
          declaredAt: { file: 'poetry.lock', line: 10 },
        }),
      ]),
      file('requirements.txt', [
        pkg({
          name: 'torch',
          version: '2.3.1',
          hashes: [
            { algorithm: 'sha256', value: 'a'.repeat(64) },
            { algorithm: 'sha512', value: 'b'.repeat(128) },
          ],
          declaredAt: { file: 'requirements.txt', line: 3 },
        }),
        pkg({
          name: 'pytest',
          requirement: '>=8',
          groups: ['dev'],
          declaredAt: { file: 'requirements.txt', line: 4 },
        }),
      ]),
    ]);
    expect(libs.map((l) => l.ref)).toEqual([
      'lib:PyPI/pytest',
      'pkg:pypi/numpy@1.26.4',
      'pkg:pypi/torch@2.3.1',
    ]);
    const torch = libs[2];
    expect(torch).toMatchObject({
      name: 'torch',
      version: '2.3.1',
      purl: 'pkg:pypi/torch@2.3.1',
      direct: true,
      optional: false,
      dependsOn: ['pkg:pypi/numpy@1.26.4'],
      declaredIn: ['poetry.lock:20', 'requirements.txt:3'],
      hashes: [
        { algorithm: 'SHA-256', value: 'a'.repeat(64) },
        { algorithm: 'SHA-512', value: 'b'.repeat(128) },
      ],
    });
    expect(libs[0]).toMatchObject({ requirement: '>=8', optional: true });
    expect(libs[0]?.purl).toBeUndefined();
    expect(libs[1]?.direct).toBe(false);
  });

  it('drops digests it cannot name or that have the wrong length', () => {
    expect(inventoryHash({ algorithm: 'sha256', value: 'abc' })).toBeUndefined();
    expect(inventoryHash({ algorithm: 'blake2b', value: 'a'.repeat(64) })).toBeUndefined();
    expect(inventoryHash({ algorithm: 'md5', value: 'F'.repeat(32) })).toEqual({
      algorithm: 'MD5',
      value: 'f'.repeat(32),
    });
  });

  it('keeps SPDX expressions as expressions and other licence texts as names', () => {
    expect(licenseOf('MIT OR Apache-2.0', 'x')).toEqual({ expression: 'MIT OR Apache-2.0', source: 'x' });
    expect(licenseOf('BSD-style', 'x')).toEqual({ name: 'BSD-style', source: 'x' });
  });

  it('scopes npm dev packages as optional', () => {
    const libs = buildLibraries([
      {
        path: 'package-lock.json',
        format: 'package-lock.json',
        packages: [
          pkg({ ecosystem: 'npm', name: 'vitest', version: '4.1.12', groups: ['dev'], license: 'MIT' }),
        ],
        problems: [],
        includes: [],
      },
    ]);
    expect(libs[0]).toMatchObject({
      ref: 'pkg:npm/vitest@4.1.12',
      optional: true,
      licenses: [{ expression: 'MIT' }],
    });
  });

  it('joins a manifest requirement to the locked package it resolves to, keeping it direct', () => {
    const libs = buildLibraries([
      {
        path: 'pyproject.toml',
        format: 'pyproject.toml',
        packages: [
          pkg({
            name: 'grpcio',
            requirement: '>=1.60',
            direct: true,
            declaredAt: { file: 'pyproject.toml', line: 7 },
          }),
          pkg({
            name: 'absent',
            requirement: '>=1',
            direct: true,
            declaredAt: { file: 'pyproject.toml', line: 8 },
          }),
        ],
        problems: [],
        includes: [],
      },
      file('poetry.lock', [
        pkg({ name: 'grpcio', version: '1.72.0rc1', declaredAt: { file: 'poetry.lock', line: 300 } }),
      ]),
    ]);
    expect(libs.map((l) => l.ref)).toEqual(['lib:PyPI/absent', 'pkg:pypi/grpcio@1.72.0rc1']);
    expect(libs[1]).toMatchObject({ direct: true, declaredIn: ['poetry.lock:300', 'pyproject.toml:7'] });
  });
});
