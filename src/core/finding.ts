/**
 * The one vocabulary every analyser speaks. The JSON report is the contract (see report/json.ts);
 * every other rendering is derived from these types.
 */

/** Severities, most severe first. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  info: 0,
};

/** Higher is more severe: critical 4 ... info 0. */
export function severityRank(severity: Severity): number {
  return SEVERITY_RANK[severity];
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** Where a finding is: a path relative to the scan root, optionally a member inside an archive and a byte offset. */
export interface Location {
  /** POSIX path relative to the scanned directory, or the file as given on the command line. */
  readonly path: string;
  /** Path inside an archive; nested archives are joined with `!/` (e.g. `outer.zip!/inner.pt!/archive/data.pkl`). */
  readonly member?: string;
  /** Byte offset inside the file or member where the evidence starts. */
  readonly offset?: number;
  /** 1-based line in a text file (manifests, lockfiles, cards). */
  readonly line?: number;
  /**
   * The field or section of a structured text the finding is about: a metadata key or path
   * (`model-index[0].results`) or a section (`§ Limitations`). Cards use it.
   */
  readonly field?: string;
}

export interface Finding {
  /** Stable identifier of the rule, e.g. `PICKLE-IMPORT-DANGEROUS`. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** A short headline, stable for a rule. */
  readonly title: string;
  /** What was found, specific to this occurrence. */
  readonly message: string;
  readonly location: Location;
  /** The concrete evidence: a resolved call, a header value, an anomaly. */
  readonly evidence: string;
  /** What the user should do. */
  readonly remediation: string;
  /** CVE, GHSA, spec or documentation links. */
  readonly references: readonly string[];
}

/** What kind of thing an artifact is, decided by content. */
export type ArtifactKind = 'model' | 'archive' | 'data' | 'manifest' | 'card' | 'code' | 'config' | 'other';

export interface Artifact {
  readonly path: string;
  readonly kind: ArtifactKind;
  /** Format recognised by content, e.g. `pytorch-zip`, `pickle`, `joblib`, `npy`, `zip`, `unknown`. */
  readonly format: string;
  readonly size: number;
  /** Hex SHA-256 of the file's bytes. */
  readonly sha256: string;
}

export interface ScanSummary {
  readonly files: number;
  readonly findings: Readonly<Record<Severity, number>>;
  /** Number of files (or archive members) that could not be fully analysed. */
  readonly notAnalysed: number;
}

export interface ScanReport {
  readonly schemaVersion: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly root: string;
  readonly summary: ScanSummary;
  readonly artifacts: readonly Artifact[];
  readonly findings: readonly Finding[];
}

/** Version of the JSON report contract; bump the minor for additions, the major for breaking changes. */
export const REPORT_SCHEMA_VERSION = '1.2.0';

/** Orders findings deterministically: by path, member, offset, severity (most severe first), rule, evidence. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.location.path, b.location.path) ||
    compareStrings(a.location.member ?? '', b.location.member ?? '') ||
    (a.location.line ?? -1) - (b.location.line ?? -1) ||
    (a.location.offset ?? -1) - (b.location.offset ?? -1) ||
    severityRank(b.severity) - severityRank(a.severity) ||
    compareStrings(a.ruleId, b.ruleId) ||
    compareStrings(a.evidence, b.evidence) ||
    compareStrings(a.message, b.message)
  );
}

/** Code-point order, independent of locale, so output is identical everywhere. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts findings per severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
