import { normaliseName } from '../names.js';
import type { OsvAffected, OsvRange, OsvRecord } from './record.js';

/**
 * OSV matching, exactly as the OSV schema specifies it ("Evaluation", https://ossf.github.io/osv-schema/):
 * a version is affected when it is listed in `versions` OR falls inside an ECOSYSTEM (or SEMVER) range.
 * Both are used, since the PyPA data has records where the two disagree. Range events are sorted by
 * version ("0" lowest) and walked: `introduced` opens, `fixed` closes (exclusive), `last_affected` closes
 * after itself, `limit` caps the range. GIT ranges are skipped (commits are not versions) without stopping
 * the walk; they come before ECOSYSTEM ranges in the PyPA data. Ranges are never turned into specifiers:
 * under pip's rules `<2.5.0` excludes `2.5.0rc0`, OSV counts it affected.
 */

/** How an ecosystem's versions are parsed and ordered (PEP 440 for PyPI, SemVer for npm). */
export interface VersionScheme<V> {
  /** `undefined` for a string the scheme does not accept; never throws. */
  parse(raw: string): V | undefined;
  compare(a: V, b: V): number;
}

/** Why a version is affected, and the fix that applies to it. */
export interface AffectedBy {
  /** `versions`: listed explicitly; `range`: inside an ECOSYSTEM/SEMVER range (both when both hold). */
  readonly via: readonly ('versions' | 'range')[];
  /**
   * The earliest `fixed` version above this version in a range that affects it; `undefined` when no range
   * gives one (only `last_affected`, an open range, or listed in `versions` only).
   */
  readonly fixed: string | undefined;
}

/** Problems met while matching (invalid version strings in the record): reported, never thrown. */
export interface MatchNotes {
  readonly invalidVersions: Set<string>;
}

const ORDERED_RANGE_TYPES = new Set(['ECOSYSTEM', 'SEMVER']);

/** Is `version` affected by this `affected[]` entry? `undefined` when it is not. */
export function matchAffected<V>(
  affected: OsvAffected,
  version: V,
  scheme: VersionScheme<V>,
  notes?: MatchNotes,
): AffectedBy | undefined {
  const via: ('versions' | 'range')[] = [];
  let fixed: { raw: string; parsed: V } | undefined;
  for (const listed of affected.versions ?? []) {
    const parsed = scheme.parse(listed);
    if (parsed === undefined) {
      notes?.invalidVersions.add(listed);
      continue;
    }
    if (scheme.compare(parsed, version) === 0) {
      via.push('versions');
      break;
    }
  }
  for (const range of affected.ranges ?? []) {
    if (!ORDERED_RANGE_TYPES.has(range.type)) continue;
    const hit = matchRange(range, version, scheme, notes);
    if (hit === undefined) continue;
    if (!via.includes('range')) via.push('range');
    if (
      hit.fixed !== undefined &&
      (fixed === undefined || scheme.compare(hit.fixed.parsed, fixed.parsed) < 0)
    ) {
      fixed = hit.fixed;
    }
  }
  if (via.length === 0) return undefined;
  return { via, fixed: fixed?.raw };
}

type Event<V> =
  | { readonly kind: 'introduced'; readonly raw: string; readonly version: V | 'zero' }
  | { readonly kind: 'fixed' | 'last_affected'; readonly raw: string; readonly version: V }
  | { readonly kind: 'limit'; readonly raw: string; readonly version: V | 'infinity' };

function parseEvents<V>(range: OsvRange, scheme: VersionScheme<V>, notes?: MatchNotes): Event<V>[] {
  const events: Event<V>[] = [];
  for (const event of range.events) {
    if ('introduced' in event) {
      if (event.introduced === '0') {
        events.push({ kind: 'introduced', raw: '0', version: 'zero' });
        continue;
      }
      const v = scheme.parse(event.introduced);
      if (v === undefined) notes?.invalidVersions.add(event.introduced);
      else events.push({ kind: 'introduced', raw: event.introduced, version: v });
    } else if ('fixed' in event || 'last_affected' in event) {
      const kind = 'fixed' in event ? 'fixed' : 'last_affected';
      const raw = 'fixed' in event ? event.fixed : event.last_affected;
      const v = scheme.parse(raw);
      // An unreadable bound is dropped: the range then stays open above it, which over-reports rather
      // than hiding a vulnerability (fail closed). It is noted for the report.
      if (v === undefined) notes?.invalidVersions.add(raw);
      else events.push({ kind, raw, version: v });
    } else {
      if (event.limit === '*') {
        events.push({ kind: 'limit', raw: '*', version: 'infinity' });
        continue;
      }
      const v = scheme.parse(event.limit);
      if (v === undefined) notes?.invalidVersions.add(event.limit);
      else events.push({ kind: 'limit', raw: event.limit, version: v });
    }
  }
  return events;
}

function compareEventVersions<V>(
  a: V | 'zero' | 'infinity',
  b: V | 'zero' | 'infinity',
  scheme: VersionScheme<V>,
): number {
  if (a === b) return 0;
  if (a === 'zero' || b === 'infinity') return -1;
  if (b === 'zero' || a === 'infinity') return 1;
  return scheme.compare(a, b);
}

function matchRange<V>(
  range: OsvRange,
  version: V,
  scheme: VersionScheme<V>,
  notes?: MatchNotes,
): { fixed: { raw: string; parsed: V } | undefined } | undefined {
  const events = parseEvents(range, scheme, notes);
  const limits = events.filter((e) => e.kind === 'limit');
  if (limits.length > 0 && !limits.some((l) => compareEventVersions(version, l.version, scheme) < 0)) {
    return undefined;
  }
  // Array.prototype.sort is stable: events at the same version keep the record's order.
  const sorted = events
    .filter((e) => e.kind !== 'limit')
    .sort((a, b) => compareEventVersions(a.version, b.version, scheme));
  let affected = false;
  let fixed: { raw: string; parsed: V } | undefined;
  for (const event of sorted) {
    const order = compareEventVersions(version, event.version, scheme);
    if (event.kind === 'introduced') {
      if (order >= 0) affected = true;
    } else if (event.kind === 'fixed') {
      if (order >= 0) affected = false;
      // The first fix above the version, after the range opened: the upgrade that leaves this range.
      else if (affected && fixed === undefined) fixed = { raw: event.raw, parsed: event.version as V };
    } else if (event.kind === 'last_affected') {
      if (order > 0) affected = false;
    }
  }
  return affected ? { fixed } : undefined;
}

/** The `affected[]` entries of a record that name this package in this ecosystem. */
export function affectedEntriesFor(record: OsvRecord, ecosystem: string, name: string): OsvAffected[] {
  const normalise = (n: string) => normaliseName(ecosystem, n);
  const wanted = normalise(name);
  return (record.affected ?? []).filter(
    (a) =>
      a.package !== undefined && a.package.ecosystem === ecosystem && normalise(a.package.name) === wanted,
  );
}
