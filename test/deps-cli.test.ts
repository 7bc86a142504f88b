import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION } from '../src/core/finding.js';
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
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
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
    // PyPA records carry no rating: unknown severity, reported as high (failing the default threshold)
    // unless configured lower.
    expect(out.code).toBe(1);
    const lenient = await run(['deps', root, '--db-dir', empty, '--unknown-severity', 'medium', '-q']);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain('3 vulnerabilit(ies): pass');
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

/** The CRITICAL advisory with a publication date long past, for patch deadlines. */
const PUBLISHED = { ...CRITICAL, published: '2099-01-01T00:00:00Z' };
const OLD = {
  ...CRITICAL,
  id: 'GHSA-test-0002',
  aliases: ['CVE-2000-0002'],
  published: '2000-01-01T00:00:00Z',
  affected: [{ ...CRITICAL.affected[0], package: { ecosystem: 'PyPI', name: 'old-lib' } }],
};

function npmLock(packages: Record<string, { version: string; license?: string }>): string {
  const entries = Object.fromEntries(
    Object.entries(packages).map(([name, p]) => [
      `node_modules/${name}`,
      {
        version: p.version,
        resolved: `https://registry.npmjs.org/${name}/-/${name}-${p.version}.tgz`,
        ...(p.license !== undefined ? { license: p.license } : {}),
      },
    ]),
  );
  return JSON.stringify(
    {
      name: 'app',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'app', version: '1.0.0', license: 'MIT' }, ...entries },
    },
    null,
    2,
  );
}

describe('pedigree deps policy (pedigree.yaml deps:)', () => {
  const depsJson = async (args: string[]) => {
    const out = await run(['deps', ...args, '--format', 'json', '--no-bundled-db']);
    return {
      code: out.code,
      stderr: out.stderr,
      report: out.stdout ? (JSON.parse(out.stdout) as DepsJson) : undefined,
    };
  };
  const ruleIds = (report: DepsJson | undefined) => (report?.findings ?? []).map((f) => f.ruleId).sort();
  const config = (text: string) => {
    const dir = project({ 'pedigree.yaml': text });
    return join(dir, 'pedigree.yaml');
  };

  it('an ignore matching an alias hides the DEP-VULN, keeps the vulnerability listed as ignored, and passes', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({ 'requirements.txt': 'demo-lib==2.0.0\n' });
    const file = config(
      'deps:\n  ignore:\n    - id: cve-2099-0001\n      package: Demo_Lib\n      reason: only used offline\n      owner: sec@example.com\n      expires: "2999-12-31"\n',
    );
    const { code, report } = await depsJson([root, '--db-dir', store, '--config', file]);
    expect(ruleIds(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report?.dependencies.vulnerabilities).toEqual([
      expect.objectContaining({
        id: 'GHSA-test-0001',
        ignored: { reason: 'only used offline', owner: 'sec@example.com', expires: '2999-12-31' },
      }),
    ]);
    expect(report?.dependencies.summary).toMatchObject({ vulnerabilities: 1, ignored: 1 });
  });

  it('an expired ignore stops applying and is reported; an ignore matching nothing is reported as unused', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({ 'requirements.txt': 'demo-lib==2.0.0\n' });
    const file = config(
      [
        'deps:',
        '  ignore:',
        '    - { id: GHSA-test-0001, reason: accepted, owner: bob, expires: "2001-02-03" }',
        '    - { id: CVE-2099-0001, package: other-lib, reason: wrong package, owner: eve, expires: "2999-01-01" }',
        '',
      ].join('\n'),
    );
    const { code, report } = await depsJson([root, '--db-dir', store, '-c', file]);
    expect(code).toBe(1);
    expect(ruleIds(report)).toEqual(['DEP-IGNORE-EXPIRED', 'DEP-IGNORE-UNUSED', 'DEP-VULN']);
    const expired = report?.findings.find((f) => f.ruleId === 'DEP-IGNORE-EXPIRED');
    expect(expired).toMatchObject({ severity: 'medium', location: { path: file.split('\\').join('/') } });
    expect(expired?.message).toContain('(owner bob) expired on 2001-02-03');
    expect(report?.findings.find((f) => f.ruleId === 'DEP-IGNORE-UNUSED')?.severity).toBe('low');
    expect(report?.dependencies.vulnerabilities[0]).not.toHaveProperty('ignored');
  });

  it('reports a vulnerability past its patch deadline at its own severity', async () => {
    const store = await storeWith([PUBLISHED, OLD]);
    const root = project({ 'requirements.txt': 'demo-lib==2.0.0\nold-lib==1.0\n' });
    const file = config('deps:\n  deadlines:\n    critical: 7\n');
    const { report } = await depsJson([root, '--db-dir', store, '--config', file]);
    const overdue = report?.findings.filter((f) => f.ruleId === 'DEP-PATCH-OVERDUE') ?? [];
    // demo-lib's advisory is published in 2099: not yet due.
    expect(overdue.map((f) => [f.severity, f.location])).toEqual([
      ['critical', { path: 'requirements.txt', line: 2 }],
    ]);
    expect(overdue[0]?.message).toMatch(
      /^old-lib 1\.0: GHSA-test-0002 \(critical\) was published on 2000-01-01; the critical deadline of 7 days passed on 2000-01-08, \d+ days overdue\. Fixed in 2\.0\.1\.$/,
    );
  });

  it('applies licence rules to an npm lockfile: denied, not allowed, not SPDX, and a count of those without', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({
      'package-lock.json': npmLock({
        'ok-lib': { version: '1.0.0', license: '(MIT OR GPL-3.0-only)' },
        'gpl-lib': { version: '1.0.0', license: 'GPL-3.0-or-later' },
        'isc-lib': { version: '1.0.0', license: 'ISC' },
        'odd-lib': { version: '1.0.0', license: 'SEE LICENSE IN LICENSE' },
        'bare-lib': { version: '1.0.0' },
      }),
    });
    const file = config('deps:\n  licenses:\n    allow: [MIT, Apache-2.0]\n    deny: [GPL-3.0-or-later]\n');
    const { code, report } = await depsJson([root, '--db-dir', store, '--config', file]);
    const byRule = Object.fromEntries((report?.findings ?? []).map((f) => [f.ruleId, f]));
    expect(Object.keys(byRule).sort()).toEqual([
      'DEP-LICENSE-DENIED',
      'DEP-LICENSE-MISSING',
      'DEP-LICENSE-NOT-ALLOWED',
      'DEP-LICENSE-UNKNOWN',
      // No npm advisory data in the store: the packages are reported as not checked, never clean.
      'DEP-NOT-CHECKED',
    ]);
    expect(byRule['DEP-LICENSE-DENIED']?.message).toContain('gpl-lib 1.0.0 is licensed GPL-3.0-or-later');
    expect(byRule['DEP-LICENSE-DENIED']?.location.path).toBe('package-lock.json');
    expect(byRule['DEP-LICENSE-NOT-ALLOWED']?.message).toContain('isc-lib 1.0.0');
    expect(byRule['DEP-LICENSE-UNKNOWN']?.message).toContain("'SEE LICENSE IN LICENSE'");
    expect(byRule['DEP-LICENSE-MISSING']).toMatchObject({ severity: 'info' });
    expect(report?.dependencies.summary).toMatchObject({
      licenses: { checked: 4, denied: 1, notAllowed: 1, unknown: 1, missing: 1 },
    });
    expect(code).toBe(1);
  });

  it('applies a pedigree.yaml found in the scanned folder but reports what its ignores hid, so it cannot pass itself', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({
      'requirements.txt': 'demo-lib==2.0.0\n',
      'pedigree.yaml':
        'failOn: none\ndeps:\n  unknownSeverity: info\n  ignore:\n    - { id: GHSA-test-0001, reason: trust me, owner: mallory, expires: "2999-01-01" }\n',
    });
    const found = await depsJson([root, '--db-dir', store]);
    expect(ruleIds(found.report)).toEqual(['DEP-CONFIG']);
    const finding = found.report?.findings[0];
    expect(finding).toMatchObject({ severity: 'critical', location: { path: 'pedigree.yaml' } });
    expect(finding?.message).toContain('GHSA-test-0001 in demo-lib 2.0.0 (critical; owner mallory');
    expect(finding?.message).toContain('it asks for failOn: none, looser than high, so it was ignored');
    expect(finding?.message).toContain('lower than high, so it was ignored');
    expect(found.code).toBe(1);
    // --no-config: the vulnerability is reported as it is; --config: the user's own file applies silently.
    expect(ruleIds((await depsJson([root, '--db-dir', store, '--no-config'])).report)).toEqual(['DEP-VULN']);
    const trusted = await depsJson([root, '--db-dir', store, '--config', join(root, 'pedigree.yaml')]);
    expect(ruleIds(trusted.report)).toEqual([]);
    expect(trusted.code).toBe(0);
  });

  it('lets command-line options win over the file, and refuses an invalid deps section (exit 2)', async () => {
    const store = await storeWith([{ ...CRITICAL, severity: undefined, modified: '2000-01-01T00:00:00Z' }]);
    const root = project({ 'requirements.txt': 'demo-lib==2.0.0\n' });
    const file = config('deps:\n  unknownSeverity: critical\n  maxDbAgeDays: 0\n');
    const fromFile = await depsJson([root, '--db-dir', store, '--config', file]);
    expect(fromFile.report?.findings.find((f) => f.ruleId === 'DEP-VULN')?.severity).toBe('critical');
    expect(fromFile.report?.dependencies.database.stale).toBe(true);
    const overridden = await depsJson([
      root,
      '--db-dir',
      store,
      '--config',
      file,
      '--unknown-severity',
      'low',
      '--max-db-age',
      '100000',
    ]);
    expect(overridden.report?.findings.find((f) => f.ruleId === 'DEP-VULN')?.severity).toBe('low');
    expect(overridden.report?.dependencies.database.stale).toBe(false);
    const bad = await depsJson([
      root,
      '--db-dir',
      store,
      '--config',
      config('deps:\n  ignore:\n    - { id: X, reason: r, owner: o, expires: "2025-02-30" }\n'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("deps.ignore.0.expires: '2025-02-30' is not a calendar date");
  });
});

describe('pedigree deps: who pulled it in', () => {
  it('names the chain from a direct dependency to a vulnerable transitive one', async () => {
    const root = project({
      'requirements.txt':
        'transformers==4.30.0\n    # via -r requirements.in\npyyaml==5.1\n    # via transformers\n',
    });
    const empty = mkdtempSync(join(tmpdir(), 'pedigree-empty-store-'));
    const report = JSON.parse(
      (await run(['deps', root, '--db-dir', empty, '--format', 'json'])).stdout,
    ) as DepsJson;
    const vuln = report.findings.find((f) => f.ruleId === 'DEP-VULN' && f.message.startsWith('pyyaml'));
    expect(vuln?.message).toContain('Pulled in by transformers → pyyaml.');
  });
});

describe('pedigree deps: hostile and unusual input (review regressions)', () => {
  const npmRecord = (name: string, fixed: string) => ({
    id: `GHSA-${name.replace(/\W/g, '')}`,
    modified: '2099-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'npm', name },
        ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed }] }],
      },
    ],
  });

  it('survives a package named like an Object property', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({ 'requirements.txt': 'constructor==3.0.0\n__proto__==1.0\ndemo-lib==2.0.0\n' });
    const out = await run(['deps', root, '--db-dir', store, '--no-bundled-db', '--format', 'json']);
    expect(out.code).toBe(1);
    const report = JSON.parse(out.stdout) as DepsJson;
    expect(report.findings.filter((f) => f.ruleId === 'DEP-VULN')).toHaveLength(1);
  });

  it('matches npm packages from registry proxies and v1 entries without `resolved`', async () => {
    const store = await storeWith([npmRecord('@babel/traverse', '7.23.2'), npmRecord('lodash', '4.17.21')]);
    const root = project({
      'package-lock.json': JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: {
          '': { name: 'app', dependencies: { '@babel/traverse': '7.22.0' } },
          'node_modules/@babel/traverse': {
            version: '7.22.0',
            resolved:
              'https://acme.jfrog.io/artifactory/api/npm/npm-remote/@babel/traverse/-/@babel/traverse-7.22.0.tgz',
          },
        },
      }),
      'v1/package-lock.json': JSON.stringify({
        lockfileVersion: 1,
        dependencies: { lodash: { version: '4.17.20' } },
      }),
    });
    const report = JSON.parse(
      (await run(['deps', root, '--db-dir', store, '--no-bundled-db', '--format', 'json'])).stdout,
    ) as DepsJson;
    expect(report.dependencies.vulnerabilities.map((v) => v.package).sort()).toEqual([
      '@babel/traverse',
      'lodash',
    ]);
  });

  it('refuses a missing path or a file that is not a manifest (exit 2), and never blocks on a FIFO', async () => {
    const store = await storeWith([CRITICAL]);
    const root = project({ 'requirements.txt': '-r pipe.txt\ndemo-lib==2.0.0\n', 'notes.txt': 'x' });
    expect((await run(['deps', join(root, 'requirments.txt'), '--db-dir', store])).code).toBe(2);
    expect((await run(['deps', join(root, 'notes.txt'), '--db-dir', store])).code).toBe(2);
    expect((await run(['deps', join(root, 'missing', 'requirements.txt'), '--db-dir', store])).code).toBe(2);
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(root, 'pipe.txt')]);
    const out = await run(['deps', root, '--db-dir', store, '--no-bundled-db', '--format', 'json']);
    const report = JSON.parse(out.stdout) as DepsJson;
    expect(report.findings.some((f) => f.ruleId === 'DEP-READ-ERROR')).toBe(true);
    expect(report.findings.some((f) => f.ruleId === 'DEP-VULN')).toBe(true);
  });

  it('reads UTF-16 requirements (pip freeze in PowerShell) and BOM-prefixed lockfiles', async () => {
    const store = await storeWith([CRITICAL, npmRecord('lodash', '4.17.21')]);
    const root = mkdtempSync(join(tmpdir(), 'pedigree-deps-bom-'));
    writeFileSync(
      join(root, 'requirements.txt'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('demo-lib==2.0.0\r\n', 'utf16le')]),
    );
    mkdirSync(join(root, 'web'));
    writeFileSync(
      join(root, 'web', 'package-lock.json'),
      `\uFEFF${JSON.stringify({ lockfileVersion: 3, packages: { '': {}, 'node_modules/lodash': { version: '4.17.20' } } })}`,
    );
    const report = JSON.parse(
      (await run(['deps', root, '--db-dir', store, '--no-bundled-db', '--format', 'json'])).stdout,
    ) as DepsJson;
    expect(report.findings.filter((f) => f.ruleId === 'DEP-READ-ERROR')).toEqual([]);
    expect(report.dependencies.vulnerabilities.map((v) => v.package).sort()).toEqual(['demo-lib', 'lodash']);
  });

  it('judges the data age by the ecosystems matched, not by the freshest source', async () => {
    const store = await storeWith([npmRecord('left-pad', '1.0.0')]);
    const root = project({ 'requirements.txt': 'pyyaml==5.1\n' });
    const report = JSON.parse(
      (await run(['deps', root, '--db-dir', store, '--format', 'json'])).stdout,
    ) as DepsJson;
    // PyPI was served by the bundled 2024 snapshot: stale, whatever the fresh npm import says.
    expect(report.dependencies.database.stale).toBe(true);
  });

  it('neutralises terminal control characters from paths in the text header', async () => {
    const root = project({ 'a\u001b[2Jb/requirements.txt': 'x==1\n' });
    const empty = mkdtempSync(join(tmpdir(), 'pedigree-empty-store-'));
    const out = await run(['deps', root, '--db-dir', empty]);
    expect(out.stdout).not.toContain('\u001b');
  });
});
