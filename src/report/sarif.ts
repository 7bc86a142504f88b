import { createHash } from 'node:crypto';
import { type Finding, maxSeverity, type ScanReport, type Severity } from '../core/finding.js';
import type { RuleDescriptor } from '../core/rules.js';

/**
 * SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) as GitHub code scanning reads it:
 * rules carry help text and a `security-severity` (GitHub maps >= 9.0 critical, >= 7.0 high, >= 4.0 medium,
 * else low), results carry a level and a partial fingerprint, artifact URIs are relative to %SRCROOT%.
 * https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
 */
const SARIF_SCHEMA =
  'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const INFORMATION_URI = 'https://github.com/pedigree-dev/pedigree';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

/** `PICKLE-IMPORT-DANGEROUS` → `PickleImportDangerous` (SARIF §3.49.7 recommends a Pascal-case name). */
function ruleName(id: string): string {
  return id
    .toLowerCase()
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

/** Percent-encodes a relative POSIX path as a URI reference (RFC 3986), keeping `/`. */
function toUri(path: string): string {
  return path
    .split('/')
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function fingerprint(f: Finding): string {
  const key = [f.ruleId, f.location.path, f.location.member ?? '', f.evidence].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

function ruleToSarif(rule: RuleDescriptor): unknown {
  const references =
    rule.references.length > 0 ? `\n\nReferences:\n${rule.references.map((r) => `- ${r}`).join('\n')}` : '';
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: `${rule.help}${references}`, markdown: `${rule.help}${references}` },
    ...(rule.references[0] !== undefined ? { helpUri: rule.references[0] } : {}),
    defaultConfiguration: { level: LEVEL[rule.defaultSeverity] },
    properties: {
      tags: [...rule.tags],
      precision: 'high',
      'security-severity': SECURITY_SEVERITY[rule.defaultSeverity],
    },
  };
}

function fallbackRule(f: Finding): RuleDescriptor {
  return {
    id: f.ruleId,
    title: f.title,
    description: f.title,
    help: f.remediation,
    defaultSeverity: f.severity,
    references: [...f.references],
    tags: [],
  };
}

export function toSarif(report: ScanReport, rules: readonly RuleDescriptor[]): unknown {
  // Only the rules that fired, plus their descriptors, keep the log small and stable; findings for a rule
  // with no descriptor (should not happen) still get one built from the finding.
  const known = new Map(rules.map((r) => [r.id, r]));
  const used = new Map<string, RuleDescriptor>();
  for (const f of report.findings) {
    const rule = used.get(f.ruleId) ?? known.get(f.ruleId) ?? fallbackRule(f);
    // GitHub code scanning grades an alert by its rule's security-severity, not the result's: a rule whose
    // findings are escalated (an unknown import handed code is critical) carries the most severe level it
    // has in this run, so the alert is not shown as Medium and let through a pull-request check.
    used.set(f.ruleId, { ...rule, defaultSeverity: maxSeverity(rule.defaultSeverity, f.severity) });
  }
  const driverRules = [...used.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const artifactIndex = new Map(report.artifacts.map((a, i) => [a.path, i]));

  const results = report.findings.map((f) => {
    const artifact = artifactIndex.get(f.location.path);
    const where = f.location.member !== undefined ? ` [in ${f.location.member}]` : '';
    return {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: LEVEL[f.severity],
      message: { text: `${f.message}${where}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: {
              uri: toUri(f.location.path),
              uriBaseId: '%SRCROOT%',
              ...(artifact !== undefined ? { index: artifact } : {}),
            },
            ...(f.location.line !== undefined
              ? { region: { startLine: f.location.line } }
              : f.location.offset !== undefined
                ? { region: { byteOffset: f.location.offset } }
                : {}),
          },
          ...(f.location.member !== undefined
            ? { logicalLocations: [{ fullyQualifiedName: f.location.member, kind: 'member' }] }
            : f.location.field !== undefined
              ? { logicalLocations: [{ fullyQualifiedName: f.location.field, kind: 'property' }] }
              : {}),
        },
      ],
      partialFingerprints: { 'pedigreeFinding/v1': fingerprint(f) },
      properties: {
        severity: f.severity,
        'security-severity': SECURITY_SEVERITY[f.severity],
        evidence: f.evidence,
        remediation: f.remediation,
        ...(f.references.length > 0 ? { references: [...f.references] } : {}),
      },
    };
  });

  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: INFORMATION_URI,
            rules: driverRules.map(ruleToSarif),
          },
        },
        artifacts: report.artifacts.map((a) => ({
          location: { uri: toUri(a.path), uriBaseId: '%SRCROOT%' },
          length: a.size,
          ...(a.sha256 !== '' ? { hashes: { 'sha-256': a.sha256 } } : {}),
          properties: { kind: a.kind, format: a.format },
        })),
        results,
        columnKind: 'unicodeCodePoints',
        properties: {
          summary: report.summary,
        },
      },
    ],
  };
}

export function renderSarif(report: ScanReport, rules: readonly RuleDescriptor[]): string {
  return `${JSON.stringify(toSarif(report, rules), null, 2)}\n`;
}
