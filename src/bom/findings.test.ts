import { describe, expect, it } from 'vitest';
import type { Finding, ScanReport } from '../core/finding.js';
import type { DependenciesSection } from '../deps/run.js';
import { issuesFromReport } from './findings.js';
import { sampleInventory } from './test-support.js';

function finding(over: Partial<Finding> & Pick<Finding, 'ruleId' | 'location'>): Finding {
  return {
    severity: 'high',
    title: 'title',
    message: 'message',
    evidence: 'evidence',
    remediation: 'fix it',
    references: [],
    ...over,
  };
}

function report(
  findings: Finding[],
  vulnerabilities: DependenciesSection['vulnerabilities'] = [],
): ScanReport {
  return {
    schemaVersion: '1.2.0',
    tool: { name: 'pedigree', version: 'test' },
    root: '.',
    summary: { files: 0, findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, notAnalysed: 0 },
    artifacts: [],
    findings,
    dependencies: { vulnerabilities } as unknown as DependenciesSection,
  } as ScanReport;
}

describe('issuesFromReport', () => {
  it('ties a finding on a weight file to the model that contains it, and others to their file', () => {
    const issues = issuesFromReport(
      report([
        finding({
          ruleId: 'PICKLE-IMPORT-DANGEROUS',
          location: { path: 'models/sentiment/model.safetensors', offset: 12 },
        }),
        finding({
          ruleId: 'CONTAINER-IMAGE-UNPINNED',
          severity: 'medium',
          location: { path: 'Dockerfile', line: 1 },
        }),
        finding({ ruleId: 'SCAN-UNREADABLE', location: { path: 'elsewhere.bin' } }),
        finding({
          ruleId: 'ARCHIVE-X',
          location: { path: 'Dockerfile', member: 'inner.pkl' },
          references: ['CVE-1', 'https://x.org/a'],
        }),
      ]),
      sampleInventory(),
    );
    const byId = new Map(issues.map((i) => [`${i.id}@${i.location}`, i]));
    expect(byId.get('PICKLE-IMPORT-DANGEROUS@models/sentiment/model.safetensors@12')?.affects).toEqual([
      'model:models/sentiment',
    ]);
    expect(byId.get('CONTAINER-IMAGE-UNPINNED@Dockerfile:1')).toMatchObject({
      affects: ['file:Dockerfile'],
      severity: 'medium',
      source: 'pedigree',
      recommendation: 'fix it',
    });
    expect(byId.get('SCAN-UNREADABLE@elsewhere.bin')?.affects).toEqual([]);
    // Only URLs go into references; the archive member stays in the location.
    expect(byId.get('ARCHIVE-X@Dockerfile!/inner.pkl')?.references).toEqual(['https://x.org/a']);
  });

  it('writes advisories from the dependencies section against the library, leaving out ignored ones', () => {
    const vuln = {
      id: 'GHSA-xxxx',
      aliases: ['CVE-2025-1'],
      summary: 'bad',
      severity: 'critical' as const,
      score: 9.8,
      severityFrom: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      fixed: '2.6.0',
      references: ['https://example.org'],
      package: 'Torch',
      version: '2.3.1',
      file: 'poetry.lock',
      line: 20,
    };
    const issues = issuesFromReport(
      report(
        [finding({ ruleId: 'DEP-VULN', location: { path: 'poetry.lock', line: 20 } })],
        [vuln, { ...vuln, id: 'GHSA-ignored', ignored: {} as never }],
      ),
      sampleInventory(),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({
      id: 'GHSA-xxxx',
      source: 'OSV',
      severity: 'critical',
      affects: ['pkg:pypi/torch@2.3.1'],
      cvss: [{ vector: vuln.severityFrom, version: '3.1', score: 9.8 }],
      recommendation: 'Upgrade Torch to 2.6.0 or later.',
      location: 'poetry.lock:20',
    });
  });
});
