import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditPackages } from './audit.js';
import type { DependencyPackage, Ecosystem } from './model.js';
import { normaliseName, purlFor } from './names.js';
import { importOsv, openOsvDatabase } from './osv/store.js';
import { osvFolder, pypiRecord } from './osv/test-support.js';

const PYPA = new URL('../../../shared/data/pypa-advisory-db', import.meta.url).pathname;

function pkg(name: string, version: string | undefined, ecosystem: Ecosystem = 'PyPI'): DependencyPackage {
  return {
    ecosystem,
    name,
    normalizedName: normaliseName(ecosystem, name),
    ...(version !== undefined
      ? { version, purl: purlFor(ecosystem, name, version) }
      : { requirement: '>=1' }),
    source: { kind: 'registry' },
    hashes: [],
    extras: [],
    groups: [],
    dependencies: [],
    declaredAt: { file: 'requirements.txt', line: 1 },
  };
}

function databaseOf(files: Record<string, unknown>) {
  const store = mkdtempSync(join(tmpdir(), 'pedigree-audit-'));
  importOsv(store, osvFolder(files));
  return openOsvDatabase([store]);
}

describe('dependency audit', () => {
  it('merges records that alias each other into one vulnerability with every id', () => {
    const db = databaseOf({
      'a.json': pypiRecord('PYSEC-2024-1', 'demo', [{ introduced: '0' }, { fixed: '1.2' }], {
        aliases: ['CVE-2024-1'],
        summary: 'bad thing',
      }),
      'b.json': pypiRecord('GHSA-aaaa-bbbb-cccc', 'demo', [{ introduced: '0' }, { fixed: '1.3' }], {
        aliases: ['CVE-2024-1'],
        database_specific: { severity: 'HIGH' },
      }),
      'c.json': pypiRecord('PYSEC-2024-2', 'demo', [{ introduced: '1.0' }, { fixed: '1.1' }]),
    });
    const result = auditPackages([pkg('Demo', '1.0')], db);
    const [audit] = result.checked;
    expect(audit?.vulnerabilities.map((v) => [v.id, v.aliases])).toEqual([
      ['GHSA-aaaa-bbbb-cccc', ['CVE-2024-1', 'PYSEC-2024-1']],
      ['PYSEC-2024-2', []],
    ]);
    const merged = audit?.vulnerabilities[0];
    // The merged vulnerability is fixed only where neither record affects the version any more.
    expect(merged?.fixed).toBe('1.3');
    expect(merged?.severity).toBe('high');
    expect(merged?.summary).toBe('bad thing');
    expect(audit?.vulnerabilities[1]?.severity).toBe('unknown');
    expect(audit?.upgrade).toBe('1.3');
  });

  it('finds the smallest upgrade that clears every known vulnerability, or none', () => {
    const db = databaseOf({
      'a.json': pypiRecord('A', 'lib', [{ introduced: '0' }, { fixed: '2.0' }]),
      'b.json': pypiRecord('B', 'lib', [{ introduced: '2.0' }, { fixed: '2.1' }]),
      'c.json': pypiRecord('C', 'lib', [{ introduced: '3.0' }]),
    });
    const [audit] = auditPackages([pkg('lib', '1.0')], db).checked;
    expect(audit?.vulnerabilities.map((v) => [v.id, v.fixed])).toEqual([['A', '2.0']]);
    // 2.0 fixes A but is affected by B: the upgrade is 2.1.
    expect(audit?.upgrade).toBe('2.1');
    const [open] = auditPackages([pkg('lib', '3.5')], db).checked;
    expect(open?.vulnerabilities.map((v) => [v.id, v.fixed])).toEqual([['C', undefined]]);
    expect(open?.upgrade).toBeUndefined();
  });

  it('lists unresolved packages and packages it cannot check instead of guessing', () => {
    const db = databaseOf({ 'a.json': pypiRecord('A', 'lib', [{ introduced: '0' }]) });
    const result = auditPackages(
      [pkg('lib', undefined), pkg('lib', 'not a version'), pkg('numpy', '1.0', 'conda')],
      db,
    );
    expect(result.checked).toEqual([]);
    expect(result.unresolved.map((p) => p.name)).toEqual(['lib']);
    expect(result.notChecked.map((n) => n.reason)).toEqual([
      'version "not a version" is not a valid PEP 440 version',
      'no advisory data is matched for the conda ecosystem',
    ]);
  });

  it('never reports a package clean when the database has no data for its ecosystem', () => {
    const db = databaseOf({ 'a.json': pypiRecord('A', 'lib', [{ introduced: '0' }]) });
    const result = auditPackages([pkg('left-pad', '1.3.0', 'npm')], db);
    expect(result.checked).toEqual([]);
    expect(result.notChecked.map((n) => n.reason)).toEqual([
      'the advisory database has no npm data (run `pedigree db update`)',
    ]);
  });

  it('matches a local build as the public release it was built from (stated rule)', () => {
    const db = databaseOf({
      'a.json': pypiRecord('T', 'torch', [{ introduced: '0' }, { last_affected: '2.7.0' }], {}),
      'b.json': {
        id: 'V',
        affected: [{ package: { ecosystem: 'PyPI', name: 'torch' }, versions: ['2.6.0'] }],
      },
    });
    const ids = (v: string) =>
      auditPackages([pkg('torch', v)], db).checked[0]?.vulnerabilities.map((x) => x.id);
    expect(ids('2.7.0+cu128')).toEqual(['T']);
    expect(ids('2.6.0+cpu')).toEqual(['T', 'V']);
    expect(ids('2.7.1+cu128')).toEqual([]);
  });

  it('matches npm packages by SemVer', () => {
    const db = databaseOf({
      'n.json': {
        id: 'GHSA-npm-1',
        affected: [
          {
            package: { ecosystem: 'npm', name: '@scope/pkg' },
            ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.2.3' }] }],
          },
        ],
      },
    });
    const result = auditPackages([pkg('@scope/pkg', '1.2.2', 'npm'), pkg('@scope/pkg', '1.2.3', 'npm')], db);
    expect(result.checked.map((c) => [c.package.version, c.vulnerabilities.length, c.upgrade])).toEqual([
      ['1.2.2', 1, '1.2.3'],
      ['1.2.3', 0, undefined],
    ]);
  });

  it.skipIf(!existsSync(PYPA))('finds the known PyYAML vulnerabilities in the PyPA database', () => {
    const store = mkdtempSync(join(tmpdir(), 'pedigree-audit-'));
    importOsv(store, PYPA);
    const db = openOsvDatabase([store]);
    const [audit] = auditPackages([pkg('PyYAML', '5.1')], db).checked;
    expect(audit?.vulnerabilities.map((v) => [v.id, v.fixed])).toEqual([
      ['PYSEC-2020-176', '5.2b1'],
      ['PYSEC-2020-96', '5.3.1'],
      ['PYSEC-2021-142', '5.4'],
    ]);
    expect(audit?.vulnerabilities[2]?.aliases).toEqual(['CVE-2020-14343', 'GHSA-8q59-q68h-6hv4']);
    expect(audit?.upgrade).toBe('5.4');
    db.close();
  });
});
