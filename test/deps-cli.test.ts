import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './cli-support.js';

interface DepsJson {
  schemaVersion: string;
  summary: { findings: Record<string, number>; notAnalysed: number };
  findings: {
    ruleId: string;
    severity: string;
    message: string;
    location: { path: string; line?: number };
  }[];
  dependencies: {
    database: { sources: { id: string; bundled: boolean }[]; stale: boolean; ageDays?: number };
    files: { path: string; format: string; packages: number }[];
    packages: { name: string; version?: string; vulnerabilities: string[]; upgrade?: string }[];
    vulnerabilities: { id: string; aliases: string[]; package: string; fixed?: string }[];
    summary: Record<string, number>;
  };
}

const LOCKFILES = new URL('../../shared/data/lockfiles', import.meta.url).pathname;

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-deps-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** An OSV store with one record, so tests do not depend on the snapshot's contents. */
async function storeWith(records: object[]): Promise<string> {
  const source = project(Object.fromEntries(records.map((r, i) => [`r${i}.json`, JSON.stringify(r)])));
  const store = mkdtempSync(join(tmpdir(), 'pedigree-deps-store-'));
  expect((await run(['db', 'import', source, '--db-dir', store])).code).toBe(0);
  return store;
}

const CRITICAL = {
  id: 'GHSA-test-0001',
  aliases: ['CVE-2099-0001'],
  modified: '2099-01-01T00:00:00Z',
  summary: 'Remote code execution in demo-lib.',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [
    {
      package: { ecosystem: 'PyPI', name: 'demo-lib' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }],
    },
  ],
};

describe('pedigree deps', () => {
  it('reports a vulnerable pin at its line, exits 1 at the threshold, 0 below it', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({
      'requirements.txt': '# app\nDemo_Lib==2.0.0\nrequests>=2\n',
      'node_modules/x/requirements.txt': 'demo-lib==1.0\n',
    });
    const out = await run(['deps', root, '--db-dir', store, '--format', 'json', '--no-bundled-db']);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as DepsJson;
    expect(report.schemaVersion).toBe('1.1.0');
    // node_modules is not the project's own: not walked.
    expect(report.dependencies.files.map((f) => f.path)).toEqual(['requirements.txt']);
    const vuln = report.findings.find((f) => f.ruleId === 'DEP-VULN');
    expect(vuln).toMatchObject({ severity: 'critical', location: { path: 'requirements.txt', line: 2 } });
    expect(vuln?.message).toContain('Demo_Lib 2.0.0 is affected by GHSA-test-0001 (CVE-2099-0001)');
    expect(vuln?.message).toContain('Fixed in 2.0.1.');
    expect(report.findings.find((f) => f.ruleId === 'DEP-UNRESOLVED')?.severity).toBe('info');
    expect(report.dependencies.database).toMatchObject({ stale: false, sources: [{ bundled: false }] });
    expect(report.dependencies.packages.find((p) => p.name === 'Demo_Lib')).toMatchObject({
      vulnerabilities: ['GHSA-test-0001'],
      upgrade: '2.0.1',
    });
    expect(
      (await run(['deps', root, '--db-dir', store, '--no-bundled-db', '--fail-on', 'none', '-q'])).code,
    ).toBe(0);
    const sarif = await run(['deps', root, '--db-dir', store, '--no-bundled-db', '--format', 'sarif']);
    const result = JSON.parse(sarif.stdout).runs[0].results.find(
      (r: { ruleId: string }) => r.ruleId === 'DEP-VULN',
    );
    expect(result.locations[0].physicalLocation.region).toEqual({ startLine: 2 });
  });

  it('uses the bundled PyPA snapshot offline and says how old it is', async () => {
    const root = project({ 'requirements.txt': 'PyYAML==5.1\n' });
    const empty = mkdtempSync(join(tmpdir(), 'pedigree-empty-store-'));
    const out = await run(['deps', root, '--db-dir', empty, '--format', 'json']);
    const report = JSON.parse(out.stdout) as DepsJson;
    expect(report.dependencies.database.sources).toEqual([
      expect.objectContaining({ id: 'pypa-advisory-db', bundled: true }),
    ]);
    expect(report.dependencies.vulnerabilities.map((v) => [v.id, v.fixed])).toEqual([
      ['PYSEC-2020-176', '5.2b1'],
      ['PYSEC-2020-96', '5.3.1'],
      ['PYSEC-2021-142', '5.4'],
    ]);
    expect(report.findings.some((f) => f.ruleId === 'DEP-DB-STALE' && f.severity === 'low')).toBe(true);
    // PyPA records carry no rating: unknown severity, reported as medium unless configured.
    expect(out.code).toBe(0);
    const strict = await run(['deps', root, '--db-dir', empty, '--unknown-severity', 'high', '-q']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('3 vulnerabilit(ies): FAIL');
  });

  it('reports read problems and invalid versions instead of passing them silently', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({
      'requirements.txt': 'demo-lib==2.0.0\n-r missing.txt\n',
      'pyproject.toml': '[project\nname = ',
    });
    const out = await run([
      'deps',
      root,
      '--db-dir',
      store,
      '--no-bundled-db',
      '--format',
      'json',
      '--fail-on',
      'critical',
    ]);
    const report = JSON.parse(out.stdout) as DepsJson;
    const problems = report.findings.filter((f) => f.ruleId === 'DEP-READ-ERROR').map((f) => f.location.path);
    expect(problems).toEqual(expect.arrayContaining(['pyproject.toml', 'requirements.txt']));
    expect(report.summary.notAnalysed).toBeGreaterThanOrEqual(2);
    expect(out.code).toBe(1);
  });

  it('is a usage error (exit 2) for a path with no dependency files or a broken store', async () => {
    const store = await storeWith([CRITICAL]);
    expect((await run(['deps', project({ 'README.md': 'hi' }), '--db-dir', store])).code).toBe(2);
    expect((await run(['deps', '/nonexistent/path', '--db-dir', store])).code).toBe(2);
    writeFileSync(join(store, 'store.json'), '{');
    const broken = await run(['deps', project({ 'requirements.txt': 'a==1\n' }), '--db-dir', store]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not JSON');
  });

  it.skipIf(!existsSync(LOCKFILES))('reads the real TGI lockfiles', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pedigree-empty-store-'));
    const out = await run([
      'deps',
      join(LOCKFILES, 'tgi-server-uv.lock'),
      join(LOCKFILES, 'tgi-gaudi-poetry.lock'),
      '--db-dir',
      empty,
      '--format',
      'json',
    ]);
    const report = JSON.parse(out.stdout) as DepsJson;
    expect(report.dependencies.files.map((f) => [f.format, f.packages])).toEqual([
      ['poetry.lock', 93],
      ['uv.lock', 135],
    ]);
    expect(report.findings.filter((f) => f.ruleId === 'DEP-READ-ERROR')).toEqual([]);
  });

  it('db status lists the bundled snapshot with its age', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'pedigree-empty-store-'));
    const out = await run(['db', 'status', '--db-dir', empty, '--format', 'json']);
    const status = JSON.parse(out.stdout) as { sources: { id: string }[]; stale: boolean };
    expect(status.sources.map((s) => s.id)).toEqual(['pypa-advisory-db']);
    expect(status.stale).toBe(true);
    expect(readFileSync(new URL('../data/osv/README.md', import.meta.url), 'utf8')).toContain('CC-BY 4.0');
  });
});
