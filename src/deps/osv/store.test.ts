import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import {
  defaultStoreDir,
  importOsv,
  OsvStoreError,
  openOsvDatabase,
  removeSource,
  storeSources,
} from './store.js';
import { osvFolder, pypiRecord } from './test-support.js';

const PYPA = new URL('../../../../shared/data/pypa-advisory-db', import.meta.url).pathname;
const newStore = () => mkdtempSync(join(tmpdir(), 'pedigree-store-'));

describe('OSV store', () => {
  it('imports a directory of JSON and YAML records and finds them by normalised name', () => {
    const dir = osvFolder({
      'a/PYSEC-1.json': pypiRecord('PYSEC-1', 'Foo_Bar', [{ introduced: '0' }, { fixed: '1.0' }]),
      'b/GHSA-2.yaml':
        'id: GHSA-2\nmodified: 2024-05-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: foo.bar}\n  versions: ["0.5"]\n',
      'c/withdrawn.json': pypiRecord('PYSEC-3', 'foo-bar', [{ introduced: '0' }], {
        withdrawn: '2024-01-02T00:00:00Z',
      }),
      'd/npm.json': {
        id: 'GHSA-npm',
        affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, versions: ['1.0.0'] }],
      },
      'e/broken.json': '{ not json',
      'f/not-osv.yaml': 'just: a mapping\n',
      'g/readme.txt': 'ignored',
    });
    const store = newStore();
    const result = importOsv(store, dir, { now: new Date('2026-01-01T00:00:00Z') });
    expect(result.source.records).toBe(3);
    expect(result.source.withdrawn).toBe(1);
    expect(result.source.invalid).toBe(2);
    expect(result.problems.map((p) => p.file.split('/').at(-1))).toEqual(['broken.json', 'not-osv.yaml']);
    // The YAML date stays the string it was written as (core schema: no timestamp type).
    expect(result.source.newestModified).toBe('2024-05-01T00:00:00Z');
    expect(result.source.ecosystems).toEqual({
      PyPI: { file: 'PyPI', records: 2 },
      npm: { file: 'npm', records: 1 },
    });
    const db = openOsvDatabase([store]);
    expect(db.recordsFor('PyPI', 'FOO.bar').map((r) => r.id)).toEqual(['GHSA-2', 'PYSEC-1']);
    expect(db.recordsFor('PyPI', 'left-pad')).toEqual([]);
    expect(db.recordsFor('npm', 'left-pad').map((r) => r.id)).toEqual(['GHSA-npm']);
    expect(db.recordsFor('npm', 'Left-Pad')).toEqual([]);
    db.close();
  });

  it('imports an OSV all.zip (deflated and stored members) and replaces an earlier import of it', () => {
    const store = newStore();
    const zipPath = join(mkdtempSync(join(tmpdir(), 'pedigree-zip-')), 'all.zip');
    const one = JSON.stringify(pypiRecord('PYSEC-10', 'torch', [{ introduced: '0' }, { fixed: '2.0' }]));
    const two = JSON.stringify(pypiRecord('PYSEC-11', 'torch', [{ introduced: '1.0' }, { fixed: '1.5' }]));
    writeFileSync(
      zipPath,
      buildZip([
        { name: 'PYSEC-10.json', data: one, method: 8 },
        { name: 'PYSEC-11.json', data: two },
      ]),
    );
    const first = importOsv(store, zipPath);
    expect(first.source.kind).toBe('zip');
    expect(first.source.records).toBe(2);
    writeFileSync(zipPath, buildZip([{ name: 'PYSEC-10.json', data: one, method: 8 }]));
    importOsv(store, zipPath);
    expect(storeSources(store)).toHaveLength(1);
    const db = openOsvDatabase([store]);
    expect(db.recordsFor('PyPI', 'torch').map((r) => r.id)).toEqual(['PYSEC-10']);
    db.close();
  });

  it('merges sources, keeping the newest copy of a record id', () => {
    const store = newStore();
    const old = osvFolder({
      'x.json': pypiRecord('PYSEC-5', 'numpy', [{ introduced: '0' }, { fixed: '1.0' }]),
    });
    const newer = osvFolder({
      'x.json': pypiRecord('PYSEC-5', 'numpy', [{ introduced: '0' }, { fixed: '1.1' }], {
        modified: '2025-01-01T00:00:00Z',
      }),
    });
    importOsv(store, old);
    importOsv(store, newer);
    const db = openOsvDatabase([store]);
    const [record] = db.recordsFor('PyPI', 'numpy');
    expect(record?.affected?.[0]?.ranges?.[0]?.events).toEqual([{ introduced: '0' }, { fixed: '1.1' }]);
    db.close();
    expect(removeSource(store, storeSources(store)[0]?.id ?? '')).toBe(true);
    expect(storeSources(store)).toHaveLength(1);
  });

  it('reads gzipped record files the same way', () => {
    const store = newStore();
    importOsv(store, osvFolder({ 'x.json': pypiRecord('PYSEC-7', 'scipy', [{ introduced: '0' }]) }), {
      compress: true,
      id: 'snap',
    });
    expect(existsSync(join(store, 'sources', 'snap', 'PyPI.jsonl.gz'))).toBe(true);
    const db = openOsvDatabase([store]);
    expect(db.recordsFor('PyPI', 'SciPy').map((r) => r.id)).toEqual(['PYSEC-7']);
    db.close();
  });

  it('reports a damaged store clearly instead of matching against garbage', () => {
    const store = newStore();
    importOsv(store, osvFolder({ 'x.json': pypiRecord('PYSEC-8', 'pillow', [{ introduced: '0' }]) }), {
      id: 's',
    });
    const jsonl = join(store, 'sources', 's', 'PyPI.jsonl');
    writeFileSync(jsonl, readFileSync(jsonl, 'utf8').replace('PYSEC-8', 'PYSEC-8"garbage'));
    expect(() => openOsvDatabase([store]).recordsFor('PyPI', 'pillow')).toThrow(OsvStoreError);
    writeFileSync(join(store, 'store.json'), '{"formatVersion": 99, "sources": []}');
    expect(() => storeSources(store)).toThrow(/not a pedigree OSV store/);
    expect(() => importOsv(store, join(store, 'missing'))).toThrow(/no such file/);
  });

  it('finds the user cache directory per platform', () => {
    expect(defaultStoreDir({ PEDIGREE_CACHE_DIR: '/c' }, 'linux')).toBe('/c/osv');
    expect(defaultStoreDir({ HOME: '/h' }, 'linux')).toBe('/h/.cache/pedigree/osv');
    expect(defaultStoreDir({ HOME: '/h', XDG_CACHE_HOME: '/x' }, 'linux')).toBe('/x/pedigree/osv');
    expect(defaultStoreDir({ HOME: '/h' }, 'darwin')).toBe('/h/Library/Caches/pedigree/osv');
  });

  it.skipIf(!existsSync(PYPA))('imports the whole PyPA advisory database', () => {
    const store = newStore();
    const result = importOsv(store, PYPA);
    expect(result.problemCount).toBe(0);
    expect(result.source.records).toBeGreaterThan(2500);
    const db = openOsvDatabase([store]);
    expect(db.recordsFor('PyPI', 'PyYAML').map((r) => r.id)).toEqual([
      'PYSEC-2018-49',
      'PYSEC-2020-176',
      'PYSEC-2020-96',
      'PYSEC-2021-142',
    ]);
    db.close();
  });
});

describe('OSV store fallback', () => {
  it('uses a fallback store only for ecosystems the primary stores lack', () => {
    const primary = newStore();
    const fallback = newStore();
    importOsv(
      primary,
      osvFolder({
        'n.json': {
          id: 'N-1',
          affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions: ['1.0.0'] }],
        },
      }),
    );
    importOsv(
      fallback,
      osvFolder({
        'p.json': pypiRecord('P-1', 'a', [{ introduced: '0' }]),
        'n.json': {
          id: 'N-OLD',
          affected: [{ package: { ecosystem: 'npm', name: 'a' }, versions: ['1.0.0'] }],
        },
      }),
    );
    const db = openOsvDatabase([primary], { fallbackStoreDirs: [fallback] });
    expect(db.recordsFor('npm', 'a').map((r) => r.id)).toEqual(['N-1']);
    expect(db.recordsFor('PyPI', 'a').map((r) => r.id)).toEqual(['P-1']);
    expect(db.sources.map((s) => Object.keys(s.ecosystems))).toEqual([['npm'], ['PyPI']]);
    db.close();
  });
});

describe('OSV YAML', () => {
  it('keeps unquoted versions and dates exactly as written', () => {
    const store = newStore();
    importOsv(
      store,
      osvFolder({
        'v.yaml':
          'id: PYSEC-9\nmodified: 2024-05-01T00:00:00Z\naffected:\n- package: {ecosystem: PyPI, name: x}\n  ranges:\n  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.10\n  versions: [1.0, 1.9]\n',
      }),
    );
    const db = openOsvDatabase([store]);
    const [record] = db.recordsFor('PyPI', 'x');
    expect(record?.modified).toBe('2024-05-01T00:00:00Z');
    expect(record?.affected?.[0]?.ranges?.[0]?.events).toEqual([{ introduced: '0' }, { fixed: '1.10' }]);
    expect(record?.affected?.[0]?.versions).toEqual(['1.0', '1.9']);
    db.close();
  });
});
