/**
 * The dependency policy (the `deps:` section of pedigree.yaml) applied to an audit: reviewed ignores with an
 * owner and an expiry, patch deadlines by severity, SPDX licence rules, and what a configuration file found
 * in the scanned folder changed. Pure: the caller reads the file and passes `now`.
 */
import parseSpdx from 'spdx-expression-parse';
import satisfiesSpdx from 'spdx-satisfies';
import { PolicyError } from '../core/errors.js';
import { compareStrings, type Finding, maxSeverity, type Severity, severityRank } from '../core/finding.js';
import type { FailOnDecision } from '../policy/found-config.js';
import { effectiveSeverity, type PackageAudit, type Vulnerability } from './audit.js';
import { DEFAULT_MAX_DB_AGE_DAYS } from './database.js';
import type { DependencyPackage } from './model.js';
import { normaliseName } from './names.js';
import { DEPS_RULES } from './rules.js';

/**
 * Severity of advisories with no CVSS vector and no rating, unless configured: high, so an unrated known
 * vulnerability fails the default threshold as pip-audit fails on every one. The PyPA database rates none
 * of its records; rating them medium would let a gate pass CVE-2020-14343 (arbitrary code execution in
 * PyYAML) unnoticed. Lower it with `--unknown-severity` or `deps.unknownSeverity` once the data is rated.
 */
export const DEFAULT_UNKNOWN_SEVERITY: Severity = 'high';
/** Longest configuration or licence text quoted in a finding: a reason is a sentence; more is clipped. */
const MAX_QUOTED_CHARS = 200;
/** Items listed in a finding's message or evidence before "and N more". */
const MAX_LISTED = 50;
const DAY_MS = 86_400_000;

/** One `deps.ignore` entry: an accepted vulnerability, with who accepted it, why, and until when. */
export interface DependencyIgnore {
  /** Any id or alias of the vulnerability (GHSA, PYSEC, CVE, ...), compared case-insensitively. */
  readonly id: string;
  /** Only for this package (compared after the ecosystem's name normalisation); every package when absent. */
  readonly package?: string;
  readonly reason: string;
  readonly owner: string;
  /** `YYYY-MM-DD`; the ignore applies through this day (UTC) and stops the day after. */
  readonly expires: string;
}

/** The `deps:` rules this module applies (the settings `unknownSeverity` and `maxDbAgeDays` are resolved apart). */
export interface DependencyPolicy {
  readonly ignore?: readonly DependencyIgnore[];
  /** Days from an advisory's `published` date within which it must be fixed, by severity. */
  readonly deadlines?: Partial<Readonly<Record<Severity, number>>>;
  /** SPDX licence ids or `OR` expressions of them. */
  readonly licenses?: { readonly allow?: readonly string[]; readonly deny?: readonly string[] };
}

/** Licence rules as single SPDX licences (`id`, `id+`, `id WITH exception`), `OR` entries split. */
export interface LicenseRules {
  /** Undefined when no allow list is given (everything not denied is allowed). */
  readonly allow?: readonly string[];
  readonly deny: readonly string[];
}

/** A validated policy: ignores with real calendar dates, licence entries parsed. */
export interface CompiledPolicy {
  readonly ignores: readonly DependencyIgnore[];
  readonly deadlines: Partial<Readonly<Record<Severity, number>>>;
  /** Undefined when neither `allow` nor `deny` is given. */
  readonly licenses?: LicenseRules;
}

export const EMPTY_POLICY: CompiledPolicy = { ignores: [], deadlines: {} };

const clip = (text: string) =>
  text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;

function listed(items: readonly string[], max = MAX_LISTED): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … and ${items.length - max} more` : shown;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The UTC calendar date of an instant, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** True for a `YYYY-MM-DD` that names a real day (not 2025-02-30). */
function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(time) && utcDay(new Date(time)) === text;
}

const addDays = (day: string, days: number) =>
  utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The UTC day of an OSV `published` timestamp (OSV schema: RFC 3339, e.g. `2021-03-01T12:00:00Z`), or
 * undefined when it is missing or not such a timestamp.
 */
function publishedDay(published: string | undefined): string | undefined {
  if (published === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(published)) return undefined;
  const time = Date.parse(published);
  return Number.isNaN(time) ? undefined : utcDay(new Date(time));
}

type SpdxNode = parseSpdx.Info;
type SpdxLeaf = parseSpdx.LicenseInfo;

function leavesOf(node: SpdxNode): SpdxLeaf[] {
  return 'conjunction' in node ? [...leavesOf(node.left), ...leavesOf(node.right)] : [node];
}

const hasAnd = (node: SpdxNode): boolean =>
  'conjunction' in node && (node.conjunction === 'and' || hasAnd(node.left) || hasAnd(node.right));

const leafText = (leaf: SpdxLeaf) =>
  `${leaf.license}${leaf.plus ? '+' : ''}${leaf.exception ? ` WITH ${leaf.exception}` : ''}`;

/** `GPL-2.0+` and `GPL-2.0-or-later` grant that version or any later one (SPDX spec, annex D.3). */
const isRange = (leaf: SpdxLeaf) => leaf.plus === true || leaf.license.endsWith('-or-later');

/** The lowest version a range grants, as a single licence: `GPL-2.0-or-later` → `GPL-2.0-only`. */
const rangeBase = (leaf: SpdxLeaf) =>
  `${leaf.plus ? leaf.license : leaf.license.replace(/-or-later$/, '-only')}${leaf.exception ? ` WITH ${leaf.exception}` : ''}`;

/** Validates the policy; every problem is listed in one PolicyError (fail closed: nothing half-applied). */
export function compileDependencyPolicy(policy: DependencyPolicy): CompiledPolicy {
  const problems: string[] = [];
  const ignores = policy.ignore ?? [];
  ignores.forEach((ignore, i) => {
    if (!isCalendarDate(ignore.expires))
      problems.push(
        `deps.ignore.${i}.expires: '${clip(ignore.expires)}' is not a calendar date (YYYY-MM-DD)`,
      );
  });
  for (const [severity, days] of Object.entries(policy.deadlines ?? {}))
    if (days !== undefined && !(Number.isInteger(days) && days >= 0))
      problems.push(`deps.deadlines.${severity}: expected a whole number of days, got ${days}`);
  const entries = (key: 'allow' | 'deny'): string[] | undefined => {
    const list = policy.licenses?.[key];
    if (list === undefined) return undefined;
    const out: string[] = [];
    list.forEach((entry, i) => {
      let node: SpdxNode;
      try {
        node = parseSpdx(entry);
      } catch (error) {
        problems.push(
          `deps.licenses.${key}.${i}: '${clip(entry)}' is not an SPDX licence expression (${(error as Error).message})`,
        );
        return;
      }
      // spdx-satisfies compares against single licences; an AND entry ("only together") has no meaning in a
      // list, while an OR entry is the same as listing both.
      if (hasAnd(node))
        problems.push(
          `deps.licenses.${key}.${i}: '${clip(entry)}' uses AND; list single licences (OR entries are split)`,
        );
      else out.push(...leavesOf(node).map(leafText));
    });
    return [...new Set(out)].sort(compareStrings);
  };
  const allow = entries('allow');
  const deny = entries('deny');
  if (problems.length > 0) throw new PolicyError('INVALID_POLICY', problems.join('; '));
  return {
    ignores,
    deadlines: policy.deadlines ?? {},
    ...(allow !== undefined || deny !== undefined
      ? { licenses: { ...(allow !== undefined ? { allow } : {}), deny: deny ?? [] } }
      : {}),
  };
}

/** The verdict on one package licence. */
export type LicenseVerdict =
  | { readonly kind: 'allowed' }
  /** Every choice the expression offers includes a licence in `denied`. */
  | { readonly kind: 'denied'; readonly denied: readonly string[] }
  /** Not denied, but no choice is made of allowed licences only. */
  | { readonly kind: 'not-allowed' }
  | { readonly kind: 'unknown'; readonly reason: string };

/** spdx-satisfies with an empty list is "nothing satisfies". */
const satisfiesAny = (expression: string, licences: readonly string[]) =>
  licences.length > 0 && satisfiesSpdx(expression, licences);

/**
 * Evaluates a package's licence expression against the rules. An expression is a choice (SPDX spec annex D:
 * `A OR B` may be used under either, `A AND B` needs both), so a package is denied only when every choice
 * includes a denied licence, and allowed when one choice is made of allowed, non-denied licences only. A
 * single licence is denied when spdx-satisfies puts it inside a deny entry (`GPL-3.0-only` inside
 * `GPL-2.0+`); an or-later licence only when a denied or-later entry holds its lowest version, since any
 * later version may be chosen (`GPL-2.0-or-later` is not denied by `GPL-3.0-only` alone).
 */
export function evaluateLicense(expression: string, rules: LicenseRules): LicenseVerdict {
  let node: SpdxNode;
  try {
    node = parseSpdx(expression);
  } catch (error) {
    return { kind: 'unknown', reason: (error as Error).message };
  }
  try {
    const leaves = [...new Map(leavesOf(node).map((leaf) => [leafText(leaf), leaf])).values()];
    const denyRanges = rules.deny.filter((d) => d.endsWith('+') || /-or-later( |$)/.test(d));
    const isDenied = (leaf: SpdxLeaf) =>
      isRange(leaf)
        ? denyRanges.some((range) => satisfiesSpdx(rangeBase(leaf), [range]))
        : satisfiesAny(leafText(leaf), rules.deny);
    const denied = leaves.filter(isDenied).map(leafText);
    const permitted = leaves.filter((leaf) => !isDenied(leaf)).map(leafText);
    if (!satisfiesAny(expression, permitted)) return { kind: 'denied', denied: denied.sort(compareStrings) };
    if (rules.allow !== undefined) {
      const allow = rules.allow;
      if (
        !satisfiesAny(
          expression,
          permitted.filter((leaf) => satisfiesAny(leaf, allow)),
        )
      )
        return { kind: 'not-allowed' };
    }
    return { kind: 'allowed' };
  } catch (error) {
    // spdx-satisfies re-parses with its own parser and ranges table; what it refuses is not guessed.
    return { kind: 'unknown', reason: `could not be evaluated (${(error as Error).message})` };
  }
}

/** What the report records on a vulnerability an ignore hides. */
export interface AppliedIgnore {
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
}

/** A vulnerability an ignore hid, for the DEP-CONFIG finding of a configuration found in the scanned folder. */
export interface HiddenVulnerability {
  readonly package: DependencyPackage;
  readonly vulnerability: Vulnerability;
  readonly ignore: DependencyIgnore;
}

export interface LicenseSummary {
  /** Packages with a licence in their file, evaluated. */
  readonly checked: number;
  readonly denied: number;
  readonly notAllowed: number;
  /** Licences that are not valid SPDX expressions. */
  readonly unknown: number;
  /** Packages whose file gives no licence: not evaluated. */
  readonly missing: number;
}

export interface PolicyInput {
  readonly checked: readonly PackageAudit[];
  /** Every package read (licence rules apply to resolved and unresolved ones alike). */
  readonly packages: readonly DependencyPackage[];
  readonly unknownAs: Severity;
  readonly now: Date;
  /** The configuration file as the report names it: where findings about ignores point. */
  readonly file?: string;
}

export interface PolicyResult {
  /** The ignore hiding each vulnerability, keyed by the audit's own Vulnerability objects (one per package). */
  readonly ignored: ReadonlyMap<Vulnerability, AppliedIgnore>;
  readonly hidden: readonly HiddenVulnerability[];
  /** Expired and unused ignores, overdue and undated deadlines, licence findings. */
  readonly findings: readonly Finding[];
  /** Set when licence rules are configured. */
  readonly licenses?: LicenseSummary;
}

/** True when the ignore names this vulnerability (its id or any alias) and, if it names one, this package. */
export function ignoreMatches(ignore: DependencyIgnore, pkg: DependencyPackage, v: Vulnerability): boolean {
  const id = ignore.id.toLowerCase();
  if (v.id.toLowerCase() !== id && !v.aliases.some((alias) => alias.toLowerCase() === id)) return false;
  return ignore.package === undefined || normaliseName(pkg.ecosystem, ignore.package) === pkg.normalizedName;
}

const at = (pkg: DependencyPackage) => ({
  path: pkg.declaredAt.file,
  ...(pkg.declaredAt.line !== undefined ? { line: pkg.declaredAt.line } : {}),
});

const describeIgnore = (ignore: DependencyIgnore) =>
  `${clip(ignore.id)}${ignore.package !== undefined ? ` for ${clip(ignore.package)}` : ''}`;

const ignoreEvidence = (ignore: DependencyIgnore) =>
  [
    `id: ${clip(ignore.id)}`,
    ...(ignore.package !== undefined ? [`package: ${clip(ignore.package)}`] : []),
    `owner: ${clip(ignore.owner)}`,
    `expires: ${ignore.expires}`,
    `reason: ${clip(ignore.reason)}`,
  ].join('; ');

const named = (pkg: DependencyPackage) => `${pkg.name}${pkg.version !== undefined ? ` ${pkg.version}` : ''}`;

function applyIgnores(
  ignores: readonly DependencyIgnore[],
  checked: readonly PackageAudit[],
  today: string,
  file: string,
): { ignored: Map<Vulnerability, AppliedIgnore>; hidden: HiddenVulnerability[]; findings: Finding[] } {
  const ignored = new Map<Vulnerability, AppliedIgnore>();
  const hidden: HiddenVulnerability[] = [];
  const findings: Finding[] = [];
  for (const ignore of ignores) {
    const matches = checked.flatMap((audit) =>
      audit.vulnerabilities
        .filter((v) => ignoreMatches(ignore, audit.package, v))
        .map((v) => ({ pkg: audit.package, v })),
    );
    const shown = matches.map(({ pkg, v }) => `${v.id} in ${named(pkg)}`);
    // The expiry day itself still applies: `expires: 2025-06-30` hides through 30 June (UTC) and stops on 1 July.
    if (ignore.expires < today) {
      findings.push({
        ruleId: DEPS_RULES.ignoreExpired.id,
        severity: 'medium',
        title: DEPS_RULES.ignoreExpired.title,
        message: `The ignore of ${describeIgnore(ignore)} (owner ${clip(ignore.owner)}) expired on ${ignore.expires} and no longer applies${
          matches.length > 0
            ? `: ${plural(matches.length, 'vulnerability', 'vulnerabilities')} it matched ${matches.length === 1 ? 'is' : 'are'} reported again (${listed(shown, 5)}).`
            : '; it matches no current vulnerability.'
        }`,
        location: { path: file },
        evidence: ignoreEvidence(ignore),
        remediation: DEPS_RULES.ignoreExpired.help,
        references: [],
      });
      continue;
    }
    if (matches.length === 0) {
      findings.push({
        ruleId: DEPS_RULES.ignoreUnused.id,
        severity: 'low',
        title: DEPS_RULES.ignoreUnused.title,
        message: `The ignore of ${describeIgnore(ignore)} (owner ${clip(ignore.owner)}, expires ${ignore.expires}) matches no vulnerability of any package read.`,
        location: { path: file },
        evidence: ignoreEvidence(ignore),
        remediation: DEPS_RULES.ignoreUnused.help,
        references: [],
      });
      continue;
    }
    for (const { pkg, v } of matches) {
      // The first matching entry in file order is the one recorded; later ones still count as used.
      if (ignored.has(v)) continue;
      ignored.set(v, { reason: ignore.reason, owner: ignore.owner, expires: ignore.expires });
      hidden.push({ package: pkg, vulnerability: v, ignore });
    }
  }
  return { ignored, hidden, findings };
}

function deadlineFindings(
  deadlines: Partial<Readonly<Record<Severity, number>>>,
  checked: readonly PackageAudit[],
  ignored: ReadonlyMap<Vulnerability, AppliedIgnore>,
  unknownAs: Severity,
  today: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const audit of checked)
    for (const v of audit.vulnerabilities) {
      if (ignored.has(v)) continue;
      const severity = effectiveSeverity(v, unknownAs);
      const days = deadlines[severity];
      if (days === undefined) continue;
      const pkg = audit.package;
      const fix =
        v.fixed !== undefined ? `Upgrade ${pkg.name} to ${v.fixed} or later.` : `No fixed version is known.`;
      const published = publishedDay(v.published);
      if (published === undefined) {
        findings.push({
          ruleId: DEPS_RULES.patchUndated.id,
          severity: 'low',
          title: DEPS_RULES.patchUndated.title,
          message: `${named(pkg)}: ${v.id} (${severity}) has ${
            v.published === undefined
              ? 'no published date'
              : `a published date that is not an RFC 3339 timestamp ('${clip(v.published)}')`
          }, so whether it is past the ${severity} deadline of ${plural(days, 'day')} is unknown.`,
          location: at(pkg),
          evidence: `${v.id}; published: ${v.published === undefined ? 'absent' : clip(v.published)}; deadline ${severity}: ${plural(days, 'day')}`,
          remediation: `${DEPS_RULES.patchUndated.help} ${fix}`,
          references: [`https://osv.dev/vulnerability/${v.id}`],
        });
        continue;
      }
      // Due by the end of the deadline's last day (UTC): published 1 March with 7 days is due 8 March and
      // overdue from 9 March.
      const due = addDays(published, days);
      if (today <= due) continue;
      const overdue = daysBetween(due, today);
      findings.push({
        ruleId: DEPS_RULES.patchOverdue.id,
        severity,
        title: DEPS_RULES.patchOverdue.title,
        message: `${named(pkg)}: ${v.id} (${severity}) was published on ${published}; the ${severity} deadline of ${plural(days, 'day')} passed on ${due}, ${plural(overdue, 'day')} overdue. ${
          v.fixed !== undefined ? `Fixed in ${v.fixed}.` : 'No fixed version is known.'
        }`,
        location: at(pkg),
        evidence: `${v.id}; published ${v.published}; deadline ${severity}: ${plural(days, 'day')}; due ${due}; ${plural(overdue, 'day')} overdue`,
        remediation: fix,
        references: [`https://osv.dev/vulnerability/${v.id}`],
      });
    }
  return findings;
}

function licenseFindings(
  rules: LicenseRules,
  packages: readonly DependencyPackage[],
): { findings: Finding[]; summary: LicenseSummary } {
  const findings: Finding[] = [];
  const missing: DependencyPackage[] = [];
  let checked = 0;
  let denied = 0;
  let notAllowed = 0;
  let unknown = 0;
  for (const pkg of packages) {
    const license = pkg.license?.trim();
    if (license === undefined || license === '') {
      missing.push(pkg);
      continue;
    }
    checked++;
    const verdict = evaluateLicense(license, rules);
    const base = { location: at(pkg), evidence: `license: ${clip(license)}`, references: [] };
    switch (verdict.kind) {
      case 'allowed':
        break;
      case 'denied':
        denied++;
        findings.push({
          ...base,
          ruleId: DEPS_RULES.licenseDenied.id,
          severity: 'high',
          title: DEPS_RULES.licenseDenied.title,
          message: `${named(pkg)} is licensed ${clip(license)}, which cannot be used without a denied licence (${verdict.denied.join(', ')}).`,
          evidence: `license: ${clip(license)}; denied: ${verdict.denied.join(', ')}`,
          remediation: DEPS_RULES.licenseDenied.help,
        });
        break;
      case 'not-allowed':
        notAllowed++;
        findings.push({
          ...base,
          ruleId: DEPS_RULES.licenseNotAllowed.id,
          severity: 'medium',
          title: DEPS_RULES.licenseNotAllowed.title,
          message: `${named(pkg)} is licensed ${clip(license)}, which the allowed licences do not cover.`,
          evidence: `license: ${clip(license)}; allowed: ${listed(rules.allow ?? [], 20)}`,
          remediation: DEPS_RULES.licenseNotAllowed.help,
        });
        break;
      case 'unknown':
        unknown++;
        findings.push({
          ...base,
          ruleId: DEPS_RULES.licenseUnknown.id,
          severity: 'low',
          title: DEPS_RULES.licenseUnknown.title,
          message: `${named(pkg)} declares the licence '${clip(license)}', which is not a valid SPDX licence expression (${clip(verdict.reason)}): the licence rules were not applied to it.`,
          remediation: DEPS_RULES.licenseUnknown.help,
        });
        break;
    }
  }
  if (missing.length > 0) {
    const names = [...new Set(missing.map(named))].sort(compareStrings);
    findings.push({
      ruleId: DEPS_RULES.licenseMissing.id,
      severity: 'info',
      title: DEPS_RULES.licenseMissing.title,
      message: `${missing.length} of ${packages.length} package(s) carry no licence information in their files, so the licence rules were not applied to them: ${listed(names, 5)}.`,
      location: { path: '.' },
      evidence: `without licence (${names.length}): ${listed(names)}`,
      remediation: DEPS_RULES.licenseMissing.help,
      references: [],
    });
  }
  return { findings, summary: { checked, denied, notAllowed, unknown, missing: missing.length } };
}

/** Applies ignores, deadlines and licence rules to an audit. `now` decides expiry and deadlines (UTC days). */
export function applyDependencyPolicy(policy: CompiledPolicy, input: PolicyInput): PolicyResult {
  const today = utcDay(input.now);
  const file = input.file ?? '.';
  const { ignored, hidden, findings } = applyIgnores(policy.ignores, input.checked, today, file);
  findings.push(...deadlineFindings(policy.deadlines, input.checked, ignored, input.unknownAs, today));
  if (policy.licenses === undefined) return { ignored, hidden, findings };
  const licenses = licenseFindings(policy.licenses, input.packages);
  findings.push(...licenses.findings);
  return { ignored, hidden, findings, licenses: licenses.summary };
}

/** One thing a configuration found in the scanned folder changed or asked for, for its DEP-CONFIG finding. */
export interface FoundConfigNote {
  readonly text: string;
  /** True when it asked for something looser than the default, which was not honoured. */
  readonly looser: boolean;
}

/** What became of a found configuration's `failOn` (policy/found-config.ts `resolveFailOn`). */
export type FoundFailOn = NonNullable<FailOnDecision['found']>;

export function failOnNote(found: FoundFailOn): FoundConfigNote {
  const { requested, outcome, used } = found;
  switch (outcome) {
    case 'honoured':
      return { text: `it raises the threshold to ${requested}`, looser: false };
    case 'unchanged':
      return { text: `it sets failOn: ${requested}, the threshold already in use`, looser: false };
    case 'ignored-looser':
      return {
        text: `it asks for failOn: ${requested}, looser than ${used}, so it was ignored (threshold ${used})`,
        looser: true,
      };
    case 'overridden':
      return { text: `it sets failOn: ${requested}, overridden by --fail-on ${used}`, looser: false };
  }
}

export interface DependencySettings {
  readonly unknownSeverity: Severity;
  readonly maxDbAgeDays: number;
  /** What a found configuration's settings became (empty for a trusted one). */
  readonly notes: readonly FoundConfigNote[];
}

/**
 * `unknownSeverity` and `maxDbAgeDays`: the command line wins; a file given with --config applies as written;
 * a file found in the scanned folder is honoured only when it is at least as strict as the default, so the
 * repository being checked cannot rate its own unrated advisories `info` or call year-old data fresh.
 */
export function resolveDependencySettings(input: {
  readonly commandLine: { readonly unknownSeverity?: Severity; readonly maxDbAgeDays?: number };
  readonly config?: { readonly unknownSeverity?: Severity; readonly maxDbAgeDays?: number };
  readonly found: boolean;
}): DependencySettings {
  const notes: FoundConfigNote[] = [];
  const { commandLine, config, found } = input;
  let unknownSeverity = commandLine.unknownSeverity ?? DEFAULT_UNKNOWN_SEVERITY;
  const wantedSeverity = config?.unknownSeverity;
  if (wantedSeverity !== undefined) {
    if (commandLine.unknownSeverity !== undefined) {
      if (found)
        notes.push({
          text: `it sets unknownSeverity: ${wantedSeverity}, overridden by --unknown-severity ${commandLine.unknownSeverity}`,
          looser: false,
        });
    } else if (!found || severityRank(wantedSeverity) >= severityRank(DEFAULT_UNKNOWN_SEVERITY)) {
      unknownSeverity = wantedSeverity;
      if (found)
        notes.push({ text: `it rates advisories without a rating ${wantedSeverity}`, looser: false });
    } else
      notes.push({
        text: `it asks to rate advisories without a rating ${wantedSeverity}, lower than ${DEFAULT_UNKNOWN_SEVERITY}, so it was ignored`,
        looser: true,
      });
  }
  let maxDbAgeDays = commandLine.maxDbAgeDays ?? DEFAULT_MAX_DB_AGE_DAYS;
  const wantedAge = config?.maxDbAgeDays;
  if (wantedAge !== undefined) {
    if (commandLine.maxDbAgeDays !== undefined) {
      if (found)
        notes.push({
          text: `it sets maxDbAgeDays: ${wantedAge}, overridden by --max-db-age ${commandLine.maxDbAgeDays}`,
          looser: false,
        });
    } else if (!found || wantedAge <= DEFAULT_MAX_DB_AGE_DAYS) {
      maxDbAgeDays = wantedAge;
      if (found) notes.push({ text: `it sets maxDbAgeDays: ${wantedAge}`, looser: false });
    } else
      notes.push({
        text: `it asks for maxDbAgeDays: ${wantedAge}, longer than ${DEFAULT_MAX_DB_AGE_DAYS}, so it was ignored`,
        looser: true,
      });
  }
  return { unknownSeverity, maxDbAgeDays, notes };
}

/**
 * The DEP-CONFIG finding for a configuration found in the scanned folder. Its ignores were applied, so the
 * finding carries the highest severity among the vulnerabilities they hid: no threshold passes that would
 * fail without the file. Otherwise medium when it asked for something looser (not honoured), else low.
 */
export function foundConfigFinding(input: {
  readonly file: string;
  readonly policy: CompiledPolicy;
  readonly hidden: readonly HiddenVulnerability[];
  readonly notes: readonly FoundConfigNote[];
  readonly unknownAs: Severity;
}): Finding {
  const { file, policy, hidden, notes, unknownAs } = input;
  const changes = notes.map((n) => n.text);
  const evidence: string[] = [`file: ${file}`];
  const hiddenText = hidden.map(
    ({ package: pkg, vulnerability: v, ignore }) =>
      `${v.id} in ${named(pkg)} (${effectiveSeverity(v, unknownAs)}; owner ${clip(ignore.owner)}, expires ${ignore.expires}, reason '${clip(ignore.reason)}')`,
  );
  if (hidden.length > 0) {
    changes.push(
      `its ignores hid ${plural(hidden.length, 'vulnerability', 'vulnerabilities')} (still listed in the report): ${listed(hiddenText, 5)}`,
    );
    evidence.push(`hidden (${hidden.length}): ${listed(hiddenText)}`);
  }
  if (policy.ignores.length > 0)
    evidence.push(`deps.ignore (${policy.ignores.length}): ${listed(policy.ignores.map(describeIgnore))}`);
  const deadlines = Object.entries(policy.deadlines)
    .filter((e): e is [string, number] => e[1] !== undefined)
    .map(([severity, days]) => `${severity} ${plural(days, 'day')}`);
  if (deadlines.length > 0) changes.push(`it adds patch deadlines (${deadlines.join(', ')})`);
  if (policy.licenses !== undefined)
    changes.push(
      `it adds licence rules (${policy.licenses.allow !== undefined ? `${plural(policy.licenses.allow.length, 'licence')} allowed, ` : ''}${plural(policy.licenses.deny.length, 'licence')} denied)`,
    );
  const severity: Severity =
    hidden.length > 0
      ? hidden.map((h) => effectiveSeverity(h.vulnerability, unknownAs)).reduce(maxSeverity)
      : notes.some((n) => n.looser)
        ? 'medium'
        : 'low';
  return {
    ruleId: DEPS_RULES.foundConfig.id,
    severity,
    title: DEPS_RULES.foundConfig.title,
    message: `${file} was found in the scanned folder and applied: ${changes.length > 0 ? changes.join('; ') : 'it changes nothing for the dependency check'}.`,
    location: { path: file },
    evidence: evidence.join('; '),
    remediation: DEPS_RULES.foundConfig.help,
    references: [],
  };
}
