import { type ScanReport, type Severity, severityRank } from '../core/finding.js';

/** Exit status when the scan ran: 0 nothing at or above the threshold, 1 findings at or above it. */
export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
/** Usage or operational error (bad arguments, unreadable path, invalid configuration). */
export const EXIT_USAGE = 2;

/** The findings that reach `failOn`; `none` never fails. */
export function findingsAtOrAbove(report: ScanReport, failOn: Severity | 'none'): number {
  if (failOn === 'none') return 0;
  const threshold = severityRank(failOn);
  return report.findings.filter((f) => severityRank(f.severity) >= threshold).length;
}

export function exitCodeFor(report: ScanReport, failOn: Severity | 'none'): number {
  return findingsAtOrAbove(report, failOn) > 0 ? EXIT_FINDINGS : EXIT_CLEAN;
}
