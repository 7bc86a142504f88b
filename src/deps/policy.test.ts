import { describe, expect, it } from 'vitest';
import { PolicyError } from '../core/errors.js';
import type { PackageAudit, Vulnerability } from './audit.js';
import type { DependencyPackage, Ecosystem } from './model.js';
import { normaliseName } from './names.js';
import {
  applyDependencyPolicy,
  type CompiledPolicy,
  compileDependencyPolicy,
  type DependencyPolicy,
  evaluateLicense,
  failOnNote,
  foundConfigFinding,
  ignoreMatches,
  resolveDependencySettings,
} from './policy.js';

function pkg(
  name: string,
  version: string,
  extra: Partial<DependencyPackage> & { ecosystem?: Ecosystem } = {},
): DependencyPackage {
  const ecosystem = extra.ecosystem ?? 'PyPI';
  return {
    ecosystem,
    name,
    normalizedName: normaliseName(ecosystem, name),
    version,
    source: { kind: 'registry' },
    hashes: [],
    extras: [],
    groups: [],
    dependencies: [],
    declaredAt: { file: 'requirements.txt', line: 3 },
    ...extra,
  };
}

function vuln(id: string, extra: Partial<Vulnerability> = {}): Vulnerability {
  return { id, aliases: [], severity: 'high', references: [], ...extra };
}

const audit = (p: DependencyPackage, ...vulnerabilities: Vulnerability[]): PackageAudit => ({
  package: p,
  vulnerabilities,
});

const NOW = new Date('2025-06-15T12:00:00Z');

function apply(policy: DependencyPolicy, checked: PackageAudit[], packages = checked.map((c) => c.package)) {
  return applyDependencyPolicy(compileDependencyPolicy(policy), {
    checked,
    packages,
    unknownAs: 'medium',
    now: NOW,
    file: 'pedigree.yaml',
  });
}

const ignore = (id: string, expires = '2025-12-31', extra: { package?: string } = {}) => ({
  id,
  reason: 'not reachable: we never parse untrusted YAML',
  owner: 'alice@example.com',
  expires,
  ...extra,
});

describe('compileDependencyPolicy', () => {
  it('refuses an expiry that is not a calendar date, listing every problem', () => {
    const attempt = () =>
      compileDependencyPolicy({
        ignore: [ignore('CVE-1', '2025-02-30'), ignore('CVE-2', '2025-13-01')],
        licenses: { deny: ['GPL-3.0-only AND MIT', 'not a licence'] },
      });
    expect(attempt).toThrow(PolicyError);
    expect(attempt).toThrow(/ignore\.0\.expires: '2025-02-30'.*ignore\.1\.expires.*AND.*licenses\.deny\.1/);
  });

  it('splits OR entries into single licences and keeps no licence rules when none are given', () => {
    expect(compileDependencyPolicy({ licenses: { allow: ['MIT OR ISC', 'Apache-2.0'] } }).licenses).toEqual({
      allow: ['Apache-2.0', 'ISC', 'MIT'],
      deny: [],
    });
    expect(compileDependencyPolicy({}).licenses).toBeUndefined();
  });
});

describe('ignores', () => {
  it('match by id or any alias, case-insensitively, and by normalised package name when given', () => {
    const p = pkg('PyYAML', '5.1');
    const v = vuln('PYSEC-2021-142', { aliases: ['CVE-2020-14343', 'GHSA-8q59-q68h-6hv4'] });
    expect(ignoreMatches(ignore('cve-2020-14343'), p, v)).toBe(true);
    expect(ignoreMatches(ignore('pysec-2021-142', undefined, { package: 'pyyaml' }), p, v)).toBe(true);
    expect(ignoreMatches(ignore('CVE-2020-14343', undefined, { package: 'py_yaml' }), p, v)).toBe(false);
    expect(ignoreMatches(ignore('CVE-2020-1434'), p, v)).toBe(false);
    // npm names are case-sensitive: no normalisation beyond the ecosystem's own.
    expect(
      ignoreMatches(
        ignore('CVE-2020-14343', undefined, { package: 'Lodash' }),
        pkg('lodash', '1.0.0', { ecosystem: 'npm' }),
        v,
      ),
    ).toBe(false);
  });

  it('hide a matched vulnerability and record reason, owner and expiry; the expiry day still applies', () => {
    const v = vuln('GHSA-1', { aliases: ['CVE-2025-1'] });
    const result = apply({ ignore: [ignore('CVE-2025-1', '2025-06-15')] }, [audit(pkg('demo', '1.0'), v)]);
    expect(result.ignored.get(v)).toEqual({
      reason: 'not reachable: we never parse untrusted YAML',
      owner: 'alice@example.com',
      expires: '2025-06-15',
    });
    expect(result.findings).toEqual([]);
    expect(result.hidden).toHaveLength(1);
  });

  it('stop applying the day after expiry and report the expired ignore with its owner and date', () => {
    const v = vuln('GHSA-1', { aliases: ['CVE-2025-1'] });
    const result = apply({ ignore: [ignore('CVE-2025-1', '2025-06-14')] }, [audit(pkg('demo', '1.0'), v)]);
    expect(result.ignored.size).toBe(0);
    expect(result.findings).toEqual([
      expect.objectContaining({
        ruleId: 'DEP-IGNORE-EXPIRED',
        severity: 'medium',
        location: { path: 'pedigree.yaml' },
      }),
    ]);
    expect(result.findings[0]?.message).toBe(
      'The ignore of CVE-2025-1 (owner alice@example.com) expired on 2025-06-14 and no longer applies: 1 vulnerability it matched is reported again (GHSA-1 in demo 1.0).',
    );
  });

  it('report an ignore that matches nothing as unused (low), and one whose package differs', () => {
    const result = apply({ ignore: [ignore('CVE-2025-1', undefined, { package: 'other' })] }, [
      audit(pkg('demo', '1.0'), vuln('GHSA-1', { aliases: ['CVE-2025-1'] })),
    ]);
    expect(result.findings.map((f) => [f.ruleId, f.severity])).toEqual([['DEP-IGNORE-UNUSED', 'low']]);
    expect(result.findings[0]?.message).toContain(
      'CVE-2025-1 for other (owner alice@example.com, expires 2025-12-31)',
    );
  });

  it('hide the vulnerability in every package it matches when no package is named', () => {
    const a = vuln('GHSA-1');
    const b = vuln('GHSA-1');
    const result = apply({ ignore: [ignore('GHSA-1')] }, [audit(pkg('a', '1'), a), audit(pkg('b', '1'), b)]);
    expect([result.ignored.has(a), result.ignored.has(b)]).toEqual([true, true]);
  });
});

describe('patch deadlines', () => {
  const v = (extra: Partial<Vulnerability>) =>
    vuln('GHSA-9', { severity: 'critical', fixed: '2.0', ...extra });

  it('report a vulnerability past its deadline at its own severity, with dates and days overdue', () => {
    const result = apply({ deadlines: { critical: 7 } }, [
      audit(pkg('demo', '1.0'), v({ published: '2025-06-01T10:00:00Z' })),
    ]);
    expect(result.findings).toEqual([
      expect.objectContaining({
        ruleId: 'DEP-PATCH-OVERDUE',
        severity: 'critical',
        location: { path: 'requirements.txt', line: 3 },
        message:
          'demo 1.0: GHSA-9 (critical) was published on 2025-06-01; the critical deadline of 7 days passed on 2025-06-08, 7 days overdue. Fixed in 2.0.',
        remediation: 'Upgrade demo to 2.0 or later.',
      }),
    ]);
  });

  it('count the last day of the deadline as in time', () => {
    expect(
      apply({ deadlines: { critical: 7 } }, [
        audit(pkg('demo', '1.0'), v({ published: '2025-06-08T23:59:59Z' })),
      ]).findings,
    ).toEqual([]);
    expect(
      apply({ deadlines: { critical: 7 } }, [
        audit(pkg('demo', '1.0'), v({ published: '2025-06-07T00:00:00Z' })),
      ]).findings[0]?.message,
    ).toContain('1 day overdue');
  });

  it('use the configured severity for unrated advisories and skip severities without a deadline', () => {
    const unrated = v({ severity: 'unknown', published: '2020-01-01T00:00:00Z' });
    expect(apply({ deadlines: { critical: 7 } }, [audit(pkg('demo', '1.0'), unrated)]).findings).toEqual([]);
    expect(
      apply({ deadlines: { medium: 30 } }, [audit(pkg('demo', '1.0'), unrated)]).findings.map(
        (f) => f.severity,
      ),
    ).toEqual(['medium']);
  });

  it('say when there is no published date instead of dropping the check', () => {
    const result = apply({ deadlines: { critical: 7 } }, [
      audit(pkg('demo', '1.0'), v({})),
      audit(pkg('other', '1.0'), v({ published: 'last tuesday' })),
    ]);
    expect(result.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['DEP-PATCH-UNDATED', 'low'],
      ['DEP-PATCH-UNDATED', 'low'],
    ]);
    expect(result.findings[0]?.message).toContain('has no published date');
    expect(result.findings[1]?.message).toContain("not an RFC 3339 timestamp ('last tuesday')");
  });

  it('do not apply to ignored vulnerabilities, but do once the ignore has expired', () => {
    const old = v({ published: '2020-01-01T00:00:00Z' });
    const live = apply({ deadlines: { critical: 7 }, ignore: [ignore('GHSA-9')] }, [
      audit(pkg('demo', '1.0'), old),
    ]);
    expect(live.findings).toEqual([]);
    const expired = apply({ deadlines: { critical: 7 }, ignore: [ignore('GHSA-9', '2025-01-01')] }, [
      audit(pkg('demo', '1.0'), old),
    ]);
    expect(expired.findings.map((f) => f.ruleId).sort()).toEqual(['DEP-IGNORE-EXPIRED', 'DEP-PATCH-OVERDUE']);
  });
});

describe('evaluateLicense', () => {
  const rules = (allow: string[] | undefined, deny: string[]) =>
    compileDependencyPolicy({ licenses: { ...(allow ? { allow } : {}), deny } }).licenses as NonNullable<
      CompiledPolicy['licenses']
    >;

  it('denies an expression only when every choice includes a denied licence', () => {
    const deny = rules(undefined, ['GPL-3.0-only']);
    expect(evaluateLicense('GPL-3.0-only', deny)).toEqual({ kind: 'denied', denied: ['GPL-3.0-only'] });
    expect(evaluateLicense('MIT AND GPL-3.0-only', deny).kind).toBe('denied');
    expect(evaluateLicense('(MIT OR GPL-3.0-only)', deny).kind).toBe('allowed');
    // The deprecated id names the same licence.
    expect(evaluateLicense('GPL-3.0', deny).kind).toBe('denied');
  });

  it('treats or-later grants as a choice of versions', () => {
    expect(evaluateLicense('GPL-2.0-or-later', rules(undefined, ['GPL-3.0-only'])).kind).toBe('allowed');
    expect(evaluateLicense('GPL-3.0-or-later', rules(undefined, ['GPL-2.0-or-later'])).kind).toBe('denied');
    expect(evaluateLicense('GPL-3.0-only', rules(undefined, ['GPL-2.0+'])).kind).toBe('denied');
    expect(evaluateLicense('GPL-2.0-or-later', rules(undefined, ['GPL-3.0-or-later'])).kind).toBe('allowed');
    // Denying only its lowest version leaves the later ones to choose.
    expect(evaluateLicense('GPL-2.0-or-later', rules(undefined, ['GPL-2.0-only'])).kind).toBe('allowed');
  });

  it('requires one choice made only of allowed, non-denied licences when an allow list is given', () => {
    const allow = rules(['MIT', 'Apache-2.0'], ['GPL-3.0-only']);
    expect(evaluateLicense('MIT', allow).kind).toBe('allowed');
    expect(evaluateLicense('ISC', allow).kind).toBe('not-allowed');
    expect(evaluateLicense('ISC OR Apache-2.0', allow).kind).toBe('allowed');
    expect(evaluateLicense('MIT AND ISC', allow).kind).toBe('not-allowed');
    expect(evaluateLicense('Apache-2.0 WITH LLVM-exception', allow).kind).toBe('not-allowed');
    expect(evaluateLicense('GPL-3.0-only OR ISC', allow).kind).toBe('not-allowed');
    // An empty allow list allows nothing.
    expect(evaluateLicense('MIT', rules([], [])).kind).toBe('not-allowed');
  });

  it('reports licences that are not SPDX expressions as unknown, with the parser message', () => {
    for (const text of ['UNLICENSED', 'SEE LICENSE IN LICENSE.md', 'mit', 'MIT OR', 'BSD'])
      expect(evaluateLicense(text, rules(['MIT'], [])).kind, text).toBe('unknown');
  });
});

describe('licence findings', () => {
  const npm = (name: string, license?: string) =>
    pkg(name, '1.0.0', {
      ecosystem: 'npm',
      declaredAt: { file: 'package-lock.json', line: 9 },
      ...(license !== undefined ? { license } : {}),
    });

  it('raise denied (high), not allowed (medium) and unknown (low), and one info finding for packages without', () => {
    const packages = [
      npm('a', 'MIT'),
      npm('b', 'GPL-3.0-only'),
      npm('c', 'ISC'),
      npm('d', 'UNLICENSED'),
      npm('e'),
      npm('f'),
    ];
    const result = apply(
      { licenses: { allow: ['MIT'], deny: ['GPL-3.0-only'] } },
      packages.map((p) => audit(p)),
    );
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.location.path])).toEqual([
      ['DEP-LICENSE-DENIED', 'high', 'package-lock.json'],
      ['DEP-LICENSE-NOT-ALLOWED', 'medium', 'package-lock.json'],
      ['DEP-LICENSE-UNKNOWN', 'low', 'package-lock.json'],
      ['DEP-LICENSE-MISSING', 'info', '.'],
    ]);
    expect(result.findings[0]?.message).toBe(
      'b 1.0.0 is licensed GPL-3.0-only, which cannot be used without a denied licence (GPL-3.0-only).',
    );
    expect(result.findings[2]?.message).toContain("declares the licence 'UNLICENSED'");
    expect(result.findings[3]?.message).toContain('2 of 6 package(s) carry no licence information');
    expect(result.licenses).toEqual({ checked: 4, denied: 1, notAllowed: 1, unknown: 1, missing: 2 });
  });

  it('are not raised at all when no licence rules are configured', () => {
    const result = apply({}, [audit(npm('b', 'GPL-3.0-only')), audit(npm('e'))]);
    expect(result.findings).toEqual([]);
    expect(result.licenses).toBeUndefined();
  });
});

describe('a configuration found in the scanned folder', () => {
  it('may only make settings stricter; the command line wins over any file', () => {
    expect(
      resolveDependencySettings({
        commandLine: {},
        config: { unknownSeverity: 'info', maxDbAgeDays: 365 },
        found: false,
      }),
    ).toMatchObject({ unknownSeverity: 'info', maxDbAgeDays: 365, notes: [] });
    const found = resolveDependencySettings({
      commandLine: {},
      config: { unknownSeverity: 'info', maxDbAgeDays: 365 },
      found: true,
    });
    expect(found).toMatchObject({ unknownSeverity: 'high', maxDbAgeDays: 7 });
    expect(found.notes.every((n) => n.looser)).toBe(true);
    const stricter = resolveDependencySettings({
      commandLine: {},
      config: { unknownSeverity: 'high', maxDbAgeDays: 1 },
      found: true,
    });
    expect(stricter).toMatchObject({ unknownSeverity: 'high', maxDbAgeDays: 1 });
    expect(
      resolveDependencySettings({
        commandLine: { unknownSeverity: 'low', maxDbAgeDays: 30 },
        config: { unknownSeverity: 'critical', maxDbAgeDays: 1 },
        found: false,
      }),
    ).toMatchObject({ unknownSeverity: 'low', maxDbAgeDays: 30 });
  });

  it('is reported at the highest severity of the vulnerabilities its ignores hid', () => {
    const policy = compileDependencyPolicy({ ignore: [ignore('GHSA-1'), ignore('GHSA-2')] });
    const checked = [
      audit(
        pkg('demo', '1.0'),
        vuln('GHSA-1', { severity: 'critical' }),
        vuln('GHSA-2', { severity: 'low' }),
      ),
    ];
    const result = applyDependencyPolicy(policy, { checked, packages: [], unknownAs: 'medium', now: NOW });
    const finding = foundConfigFinding({
      file: 'pedigree.yaml',
      policy,
      hidden: result.hidden,
      notes: [],
      unknownAs: 'medium',
    });
    expect(finding).toMatchObject({
      ruleId: 'DEP-CONFIG',
      severity: 'critical',
      location: { path: 'pedigree.yaml' },
    });
    expect(finding.message).toContain(
      'its ignores hid 2 vulnerabilities (still listed in the report): GHSA-1 in demo 1.0 (critical; owner alice@example.com',
    );
  });

  it('is medium when it asked for something looser, low when it only adds rules', () => {
    const policy = compileDependencyPolicy({ deadlines: { high: 30 } });
    const looser = failOnNote({ requested: 'none', outcome: 'ignored-looser', used: 'high' });
    expect(looser.looser).toBe(true);
    expect(
      foundConfigFinding({ file: 'pedigree.yaml', policy, hidden: [], notes: [looser], unknownAs: 'medium' })
        .severity,
    ).toBe('medium');
    const plain = foundConfigFinding({
      file: 'pedigree.yaml',
      policy,
      hidden: [],
      notes: [],
      unknownAs: 'medium',
    });
    expect(plain.severity).toBe('low');
    expect(plain.message).toBe(
      'pedigree.yaml was found in the scanned folder and applied: it adds patch deadlines (high 30 days).',
    );
  });
});
