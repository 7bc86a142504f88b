import cvss from 'ae-cvss-calculator';
import type { Severity } from '../../core/finding.js';
import type { OsvRecord, OsvSeverity } from './record.js';

// A CommonJS bundle whose named exports Node's ESM loader cannot see: take them from the default export.
const { fromVector } = cvss;

/**
 * The severity of an advisory, from the best evidence it carries: a CVSS vector (v4 preferred, then v3.x,
 * then v2), scored with ae-cvss-calculator and rated with the CVSS qualitative scale; else the advisory's
 * own rating (GHSA-style `database_specific.severity`, which comes with an empty `severity[]`); else
 * `unknown`, which the caller maps to a configurable severity.
 */
export type AdvisorySeverity = Severity | 'unknown';

export interface RatedSeverity {
  readonly severity: AdvisorySeverity;
  /** The CVSS base score, when a vector was scored. */
  readonly score?: number;
  /** The vector or the rating it came from, for the evidence. */
  readonly from?: string;
}

/** Longest CVSS vector scored; real ones are under 200 characters. */
const MAX_VECTOR_LENGTH = 512;

/** OSV severity types in order of preference (OSV schema "severity[].type"). */
const CVSS_PREFERENCE = ['CVSS_V4', 'CVSS_V3', 'CVSS_V2'];

/**
 * CVSS v3.1 specification section 5 "Qualitative Severity Rating Scale" (the same bands in v4.0): 0.1-3.9
 * low, 4.0-6.9 medium, 7.0-8.9 high, 9.0-10.0 critical; 0.0 is "none", reported as info. v2 has no
 * critical band, but the v3 bands are what users compare across advisories, as osv-scanner and GitHub do.
 */
export function ratingFromScore(score: number): Severity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'info';
}

/** GHSA and PyPA ratings: `LOW`, `MODERATE`, `MEDIUM`, `HIGH`, `CRITICAL` (GitHub advisory database). */
const RATINGS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  high: 'high',
  moderate: 'medium',
  medium: 'medium',
  low: 'low',
};

/** Scores a CVSS vector; `undefined` when it is not a vector the calculator accepts. */
export function scoreVector(vector: string): number | undefined {
  if (vector.length === 0 || vector.length > MAX_VECTOR_LENGTH) return undefined;
  try {
    const parsed = fromVector(vector);
    const base = parsed?.calculateScores().base;
    return typeof base === 'number' && Number.isFinite(base) && base >= 0 && base <= 10 ? base : undefined;
  } catch {
    return undefined;
  }
}

function fromSeverityList(list: readonly OsvSeverity[] | undefined): RatedSeverity | undefined {
  for (const type of CVSS_PREFERENCE) {
    for (const entry of list ?? []) {
      if (entry.type !== type) continue;
      const score = scoreVector(entry.score);
      if (score !== undefined) return { severity: ratingFromScore(score), score, from: entry.score };
    }
  }
  return undefined;
}

function fromRating(specific: Record<string, unknown> | undefined): RatedSeverity | undefined {
  const rating = specific?.severity;
  if (typeof rating !== 'string') return undefined;
  const key = rating.trim().toLowerCase();
  // Own properties only: a rating of `constructor` must not find Object's.
  const severity = Object.hasOwn(RATINGS, key) ? RATINGS[key] : undefined;
  return severity === undefined ? undefined : { severity, from: rating };
}

/** The severity of a record, for the package it is matched against (per-package severities win). */
export function recordSeverity(record: OsvRecord, affectedIndex?: number): RatedSeverity {
  const affected = affectedIndex === undefined ? undefined : record.affected?.[affectedIndex];
  return (
    fromSeverityList(affected?.severity) ??
    fromSeverityList(record.severity) ??
    fromRating(affected?.database_specific) ??
    fromRating(record.database_specific) ?? { severity: 'unknown' }
  );
}
