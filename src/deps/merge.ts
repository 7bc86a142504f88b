import { compareFindings, compareStrings, countBySeverity, type ScanReport } from '../core/finding.js';
import type { DepsReport } from './run.js';

/**
 * `pedigree scan` of a folder also audits the manifests and lockfiles in it, so one run answers "is this
 * project safe to use" for its models and its dependencies: the dependency findings join the scan's, the
 * manifests join its artifacts (the scan already lists those it walked), and the `dependencies` section is
 * carried over.
 */
export function mergeDependencyReport(scan: ScanReport, deps: DepsReport): DepsReport {
  const known = new Set(scan.artifacts.map((a) => a.path));
  const artifacts = [...scan.artifacts, ...deps.artifacts.filter((a) => !known.has(a.path))].sort((a, b) =>
    compareStrings(a.path, b.path),
  );
  const findings = [...scan.findings, ...deps.findings].sort(compareFindings);
  return {
    ...scan,
    summary: {
      files: artifacts.length,
      findings: countBySeverity(findings),
      notAnalysed: scan.summary.notAnalysed + deps.summary.notAnalysed,
    },
    artifacts,
    findings,
    dependencies: deps.dependencies,
  };
}
