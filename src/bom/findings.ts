import { compareStrings, type ScanReport, type Severity } from '../core/finding.js';
import type { DependenciesSection } from '../deps/run.js';
import type { Inventory, InventoryIssue } from './inventory.js';

/**
 * `pedigree bom --with-findings`: the advisories of the dependency audit and the findings of the model
 * scan and card audit, as the inventory's issues, each tied to the components it affects (the library a
 * vulnerable package is, the model a flagged weight file belongs to, the file otherwise). Findings about
 * an advisory (DEP-VULN) come from the structured `dependencies` section, not from their text.
 */

/** Findings written as advisories from the structured section instead. */
const ADVISORY_RULES = new Set(['DEP-VULN']);
/** Most issues carried into one BOM. */
export const MAX_BOM_ISSUES = 50_000;

function severityOf(value: string): Severity {
  return value === 'critical' || value === 'high' || value === 'medium' || value === 'low' || value === 'info'
    ? value
    : 'high';
}

/** CVSS version of a vector (`CVSS:3.1/...`, `CVSS:4.0/...`; a bare v2 vector has no prefix). */
function cvssVersion(vector: string): string | undefined {
  const m = /^CVSS:(\d(?:\.\d)?)\//.exec(vector);
  if (m) return m[1];
  return /^AV:[LAN]\/AC:[HML]\/Au:/.test(vector) ? '2.0' : undefined;
}

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export function issuesFromReport(report: ScanReport, inventory: Inventory): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const libraries = new Map<string, string>();
  for (const l of inventory.libraries)
    if (l.version !== undefined) libraries.set(`${normalise(l.name)}@${l.version}`, l.ref);
  // A file belongs to the model or dataset that contains it; a finding about it affects that component.
  const owner = new Map<string, string>();
  for (const r of inventory.relationships)
    if (r.kind === 'contains') for (const to of r.to) if (!owner.has(to)) owner.set(to, r.from);
  const fileRefs = new Set(inventory.files.map((f) => f.ref));

  const deps = (report as ScanReport & { dependencies?: DependenciesSection }).dependencies;
  for (const v of deps?.vulnerabilities ?? []) {
    if (v.ignored) continue;
    const ref = libraries.get(`${normalise(v.package)}@${v.version}`);
    const vector = v.severityFrom;
    const version = vector ? cvssVersion(vector) : undefined;
    issues.push({
      id: v.id,
      source: 'OSV',
      severity: severityOf(v.severity),
      title: v.summary ?? v.id,
      detail: `${v.package} ${v.version} (${v.line !== undefined ? `${v.file}:${v.line}` : v.file}) is affected by ${v.id}${v.summary ? `: ${v.summary}` : ''}.`,
      ...(v.fixed ? { recommendation: `Upgrade ${v.package} to ${v.fixed} or later.` } : {}),
      aliases: [...v.aliases],
      cwes: [],
      cvss:
        vector && version ? [{ vector, version, ...(v.score !== undefined ? { score: v.score } : {}) }] : [],
      references: [...v.references],
      affects: ref ? [ref] : [],
      location: v.line !== undefined ? `${v.file}:${v.line}` : v.file,
      ...(v.published ? { published: v.published } : {}),
      ...(v.modified ? { modified: v.modified } : {}),
    });
  }
  for (const f of report.findings) {
    if (ADVISORY_RULES.has(f.ruleId)) continue;
    // `model.zip!/inner.pkl`: the archive on disk is the component.
    const path = f.location.path.split('!/')[0] ?? f.location.path;
    const fileRef = `file:${path}`;
    const affected = owner.get(fileRef) ?? (fileRefs.has(fileRef) ? fileRef : undefined);
    const location =
      (f.location.line !== undefined ? `${f.location.path}:${f.location.line}` : f.location.path) +
      (f.location.member ? `!/${f.location.member}` : '') +
      (f.location.offset !== undefined ? `@${f.location.offset}` : '') +
      (f.location.field ? ` ${f.location.field}` : '');
    issues.push({
      id: f.ruleId,
      source: 'pedigree',
      severity: f.severity,
      title: f.title,
      detail: f.message,
      ...(f.remediation ? { recommendation: f.remediation } : {}),
      aliases: [],
      cwes: [],
      cvss: [],
      references: f.references.filter((r) => /^https?:\/\//.test(r)),
      affects: affected ? [affected] : [],
      location,
    });
  }
  return issues
    .sort(
      (a, b) =>
        compareStrings(a.id, b.id) ||
        compareStrings(a.location ?? '', b.location ?? '') ||
        compareStrings(a.affects.join(','), b.affects.join(',')),
    )
    .slice(0, MAX_BOM_ISSUES);
}
