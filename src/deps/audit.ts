import semver from 'semver';
import { compareStrings, type Severity, severityRank } from '../core/finding.js';
import type { DependencyPackage, Ecosystem } from './model.js';
import { normaliseName } from './names.js';
import { type MatchNotes, matchAffected, type VersionScheme } from './osv/match.js';
import type { OsvRecord } from './osv/record.js';
import { type AdvisorySeverity, recordSeverity } from './osv/severity.js';
import type { OsvDatabase } from './osv/store.js';
import { compareVersions, type Pep440Version, parseVersion } from './pep440.js';

/**
 * Matches resolved packages against the OSV database: one vulnerability per group of records that alias
 * each other (all ids shown), its severity, the earliest version that fixes it, and per package the
 * smallest upgrade that clears every known vulnerability. Packages without an exact version are listed as
 * unresolved, never guessed as vulnerable.
 */

export interface Vulnerability {
  /** The id shown first: the smallest record id of the group (stable across runs). */
  readonly id: string;
  /** Every other id of the group: other records' ids and all aliases, sorted. */
  readonly aliases: readonly string[];
  readonly summary?: string;
  readonly severity: AdvisorySeverity;
  /** CVSS base score, when the severity was scored from a vector. */
  readonly score?: number;
  /** The vector or rating the severity came from. */
  readonly severityFrom?: string;
  /** The earliest version above the installed one that none of the group's records affect. */
  readonly fixed?: string;
  readonly published?: string;
  readonly modified?: string;
  readonly references: readonly string[];
}

export interface PackageAudit {
  readonly package: DependencyPackage;
  readonly vulnerabilities: readonly Vulnerability[];
  /** The smallest version above the installed one that no known record affects. */
  readonly upgrade?: string;
}

export interface NotChecked {
  readonly package: DependencyPackage;
  readonly reason: string;
}

export interface AuditResult {
  /** Resolved packages that were checked, with their vulnerabilities (empty when none). */
  readonly checked: readonly PackageAudit[];
  /** Packages the files only constrain (ranges, URLs, paths): not matched. */
  readonly unresolved: readonly DependencyPackage[];
  /** Resolved packages that could not be checked (invalid version, ecosystem without data). */
  readonly notChecked: readonly NotChecked[];
  /** Version strings in advisories that are not valid in their ecosystem: skipped, never thrown. */
  readonly invalidAdvisoryVersions: readonly string[];
}

const PEP440: VersionScheme<Pep440Version> = { parse: parseVersion, compare: compareVersions };
const SEMVER: VersionScheme<semver.SemVer> = {
  parse: (raw) => {
    if (raw.length > 256) return undefined;
    try {
      return semver.parse(raw) ?? undefined;
    } catch {
      return undefined;
    }
  },
  compare: (a, b) => semver.compare(a, b),
};

const SCHEMES: Partial<Record<Ecosystem, VersionScheme<unknown>>> = {
  PyPI: PEP440 as VersionScheme<unknown>,
  npm: SEMVER as VersionScheme<unknown>,
};

interface Hit {
  readonly record: OsvRecord;
  readonly affectedIndex: number;
}

/** The records (and which affected entry) that affect this version. */
function hitsFor<V>(
  records: readonly OsvRecord[],
  ecosystem: string,
  name: string,
  version: V,
  scheme: VersionScheme<V>,
  notes: MatchNotes,
  normalise: (n: string) => string,
): Hit[] {
  const hits: Hit[] = [];
  for (const record of records) {
    const entries = record.affected ?? [];
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (entry?.package?.ecosystem !== ecosystem || normalise(entry.package.name) !== name) continue;
      if (matchAffected(entry, version, scheme, notes) !== undefined) {
        hits.push({ record, affectedIndex: i });
        break;
      }
    }
  }
  return hits;
}

/** Groups records whose ids or aliases overlap (transitively): one vulnerability per group. */
function groupByAlias(hits: readonly Hit[]): Hit[][] {
  const parent = hits.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root] as number;
    while (parent[i] !== root) {
      const next = parent[i] as number;
      parent[i] = root;
      i = next;
    }
    return root;
  };
  const owner = new Map<string, number>();
  hits.forEach((hit, i) => {
    for (const id of [hit.record.id, ...(hit.record.aliases ?? [])]) {
      const seen = owner.get(id);
      if (seen === undefined) owner.set(id, i);
      else parent[find(i)] = find(seen);
    }
  });
  const groups = new Map<number, Hit[]>();
  hits.forEach((hit, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), hit]);
  });
  return [...groups.values()];
}

/** Every `fixed` version the records give for this package: the candidate upgrades. */
function fixCandidates<V>(
  records: readonly OsvRecord[],
  ecosystem: string,
  name: string,
  scheme: VersionScheme<V>,
  normalise: (n: string) => string,
): { raw: string; parsed: V }[] {
  const seen = new Map<string, { raw: string; parsed: V }>();
  for (const record of records)
    for (const entry of record.affected ?? []) {
      if (entry.package?.ecosystem !== ecosystem || normalise(entry.package.name) !== name) continue;
      for (const range of entry.ranges ?? [])
        for (const event of range.events)
          if ('fixed' in event && !seen.has(event.fixed)) {
            const parsed = scheme.parse(event.fixed);
            if (parsed !== undefined) seen.set(event.fixed, { raw: event.fixed, parsed });
          }
    }
  return [...seen.values()].sort(
    (a, b) => scheme.compare(a.parsed, b.parsed) || compareStrings(a.raw, b.raw),
  );
}

/** The smallest candidate above `version` that none of `records` affect. */
function smallestClearing<V>(
  records: readonly OsvRecord[],
  ecosystem: string,
  name: string,
  version: V,
  scheme: VersionScheme<V>,
  normalise: (n: string) => string,
): string | undefined {
  const notes: MatchNotes = { invalidVersions: new Set() };
  for (const candidate of fixCandidates(records, ecosystem, name, scheme, normalise)) {
    if (scheme.compare(candidate.parsed, version) <= 0) continue;
    if (hitsFor(records, ecosystem, name, candidate.parsed, scheme, notes, normalise).length === 0)
      return candidate.raw;
  }
  return undefined;
}

const SEVERITY_ORDER = (s: AdvisorySeverity) => (s === 'unknown' ? -1 : severityRank(s));

function toVulnerability<V>(
  group: readonly Hit[],
  ecosystem: string,
  name: string,
  version: V,
  scheme: VersionScheme<V>,
  normalise: (n: string) => string,
): Vulnerability {
  const records = group.map((h) => h.record);
  const ids = [...new Set(records.map((r) => r.id))].sort(compareStrings);
  const id = ids[0] as string;
  const aliases = [...new Set([...ids, ...records.flatMap((r) => r.aliases ?? [])])]
    .filter((a) => a !== id)
    .sort(compareStrings);
  let rated = recordSeverity(group[0]?.record as OsvRecord, group[0]?.affectedIndex);
  for (const hit of group.slice(1)) {
    const next = recordSeverity(hit.record, hit.affectedIndex);
    if (
      SEVERITY_ORDER(next.severity) > SEVERITY_ORDER(rated.severity) ||
      (next.severity === rated.severity && (next.score ?? -1) > (rated.score ?? -1))
    )
      rated = next;
  }
  const first = [...records].sort((a, b) => compareStrings(a.id, b.id))[0] as OsvRecord;
  const published = records
    .map((r) => r.published)
    .filter((p): p is string => p !== undefined)
    .sort()[0];
  const modified = records
    .map((r) => r.modified)
    .filter((p): p is string => p !== undefined)
    .sort()
    .at(-1);
  const fixed = smallestClearing(records, ecosystem, name, version, scheme, normalise);
  const summary = records.map((r) => r.summary).find((s) => s !== undefined && s.length > 0) ?? first.summary;
  return {
    id,
    aliases,
    ...(summary ? { summary } : {}),
    severity: rated.severity,
    ...(rated.score !== undefined ? { score: rated.score } : {}),
    ...(rated.from !== undefined ? { severityFrom: rated.from } : {}),
    ...(fixed !== undefined ? { fixed } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    references: [...new Set(records.flatMap((r) => (r.references ?? []).map((ref) => ref.url)))].sort(
      compareStrings,
    ),
  };
}

function comparePackages(a: DependencyPackage, b: DependencyPackage): number {
  return (
    compareStrings(a.ecosystem, b.ecosystem) ||
    compareStrings(a.normalizedName, b.normalizedName) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    compareStrings(a.declaredAt.file, b.declaredAt.file) ||
    (a.declaredAt.line ?? 0) - (b.declaredAt.line ?? 0)
  );
}

/** Matches every resolved package against the database. */
export function auditPackages(packages: readonly DependencyPackage[], db: OsvDatabase): AuditResult {
  const checked: PackageAudit[] = [];
  const unresolved: DependencyPackage[] = [];
  const notChecked: NotChecked[] = [];
  const notes: MatchNotes = { invalidVersions: new Set() };
  for (const pkg of [...packages].sort(comparePackages)) {
    if (pkg.version === undefined) {
      unresolved.push(pkg);
      continue;
    }
    const scheme = SCHEMES[pkg.ecosystem];
    if (scheme === undefined) {
      notChecked.push({
        package: pkg,
        reason: `no advisory data is matched for the ${pkg.ecosystem} ecosystem`,
      });
      continue;
    }
    // Fail closed: with no records at all for the ecosystem (the bundled snapshot is PyPI only), a package
    // would otherwise look clean.
    if (!db.ecosystems.includes(pkg.ecosystem)) {
      notChecked.push({
        package: pkg,
        reason: `the advisory database has no ${pkg.ecosystem} data (run \`pedigree db update\`)`,
      });
      continue;
    }
    const version = scheme.parse(pkg.version);
    if (version === undefined) {
      notChecked.push({
        package: pkg,
        reason: `version "${pkg.version}" is not a valid ${pkg.ecosystem === 'PyPI' ? 'PEP 440' : 'SemVer'} version`,
      });
      continue;
    }
    const normalise = (n: string) => normaliseName(pkg.ecosystem, n);
    const records = db.recordsFor(pkg.ecosystem, pkg.normalizedName);
    const hits = hitsFor(records, pkg.ecosystem, pkg.normalizedName, version, scheme, notes, normalise);
    const vulnerabilities = groupByAlias(hits)
      .map((g) => toVulnerability(g, pkg.ecosystem, pkg.normalizedName, version, scheme, normalise))
      .sort((a, b) => compareStrings(a.id, b.id));
    const upgrade =
      vulnerabilities.length > 0
        ? smallestClearing(records, pkg.ecosystem, pkg.normalizedName, version, scheme, normalise)
        : undefined;
    checked.push({ package: pkg, vulnerabilities, ...(upgrade !== undefined ? { upgrade } : {}) });
  }
  return {
    checked,
    unresolved,
    notChecked,
    invalidAdvisoryVersions: [...notes.invalidVersions].sort(compareStrings),
  };
}

/** The finding severity of a vulnerability: its rating, or the configured one when it has none. */
export function effectiveSeverity(v: Vulnerability, unknownAs: Severity): Severity {
  return v.severity === 'unknown' ? unknownAs : v.severity;
}
