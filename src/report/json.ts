import type { Finding, ScanReport } from '../core/finding.js';
import { SEVERITIES } from '../core/finding.js';

/**
 * The JSON report: the contract every other format renders (README "Report format"). Keys are written in a
 * fixed order and only the documented keys are written, so reports diff cleanly and consumers can rely on
 * the shape; bump REPORT_SCHEMA_VERSION when it changes.
 */
export function toJsonReport(report: ScanReport): unknown {
  return {
    schemaVersion: report.schemaVersion,
    tool: { name: report.tool.name, version: report.tool.version },
    root: report.root,
    summary: {
      files: report.summary.files,
      findings: Object.fromEntries(SEVERITIES.map((s) => [s, report.summary.findings[s]])),
      notAnalysed: report.summary.notAnalysed,
    },
    artifacts: report.artifacts.map((a) => ({
      path: a.path,
      kind: a.kind,
      format: a.format,
      size: a.size,
      sha256: a.sha256,
    })),
    findings: report.findings.map(findingToJson),
    // `pedigree deps` adds its packages, vulnerabilities and database (schema 1.1).
    ...('dependencies' in report ? { dependencies: (report as { dependencies: unknown }).dependencies } : {}),
    // `pedigree card audit` (and a scan that met cards) adds scores and breakdowns (schema 1.2).
    ...('cards' in report ? { cards: (report as { cards: unknown }).cards } : {}),
  };
}

function findingToJson(f: Finding): unknown {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    title: f.title,
    message: f.message,
    location: {
      path: f.location.path,
      ...(f.location.member !== undefined ? { member: f.location.member } : {}),
      ...(f.location.line !== undefined ? { line: f.location.line } : {}),
      ...(f.location.field !== undefined ? { field: f.location.field } : {}),
      ...(f.location.offset !== undefined ? { offset: f.location.offset } : {}),
    },
    evidence: f.evidence,
    remediation: f.remediation,
    references: [...f.references],
  };
}

export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}
