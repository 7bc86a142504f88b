/**
 * The approved-baseline gate (issue 4). `pedigree deps approve` records the dependency set the manifests and
 * lockfiles resolve to (name, version, source, hashes, marker, per declaring file); `pedigree deps check`
 * reports every difference from it, at high severity for the packages the policy marks critical, so a change
 * to a critical dependency cannot land without a recorded approval, and the report says exactly what changed.
 *
 * The file is canonical JSON (sorted keys and entries, no wall-clock value unless asked), so re-approving an
 * unchanged project writes identical bytes and a new approval is a readable diff. Its `digest` covers every
 * other field: an edit that did not go through `approve` (by hand, or a merge that combined two approvals) is
 * refused. The digest is an integrity check, not a signature: anyone can recompute it, so the baseline must be
 * protected like code (review, code owners).
 */
import { sep } from 'node:path';
import { z } from 'zod';
import { assertNever, describeError, ParseError, VerificationError } from '../core/errors.js';
import {
  compareFindings,
  compareStrings,
  countBySeverity,
  type Finding,
  REPORT_SCHEMA_VERSION,
  type ScanReport,
  type Severity,
} from '../core/finding.js';
import { sha256Hex } from '../core/hash.js';
import { BASELINE_RULES } from './baseline-rules.js';
import type { DependencyFile, DependencyPackage, Ecosystem, PackageSource } from './model.js';
import { normaliseName } from './names.js';
import { DEPS_RULES } from './rules.js';
import { checkDependencyPaths, readDependencies } from './run.js';

/** Names the file's kind, so another JSON file passed by mistake is refused with a clear message. */
export const BASELINE_FORMAT = 'pedigree-deps-baseline';
/** Bumped when the file's meaning changes; a newer file is refused rather than half understood. */
export const BASELINE_VERSION = 1;
/** Where the baseline lives when neither `--baseline` nor `deps.baseline.file` says: in the scanned folder. */
export const DEFAULT_BASELINE_FILE = 'pedigree-baseline.json';
/**
 * Largest baseline read. A baseline lists at most what the dependency files hold (each at most
 * MAX_DEPENDENCY_FILE_BYTES); anything larger is not one we wrote, and parsing it would only cost memory.
 */
export const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

/** One package as approved: what `deps check` compares. */
export interface BaselineEntry {
  readonly ecosystem: Ecosystem;
  /** Normalised name (PEP 503 for PyPI, as is for npm). */
  readonly name: string;
  /**
   * The file that declares it, relative to the scanned folder. Part of the key: the same package locked at
   * different versions in two lockfiles (a server and a CLI, say) are two entries, never conflated.
   */
  readonly file: string;
  readonly version?: string;
  /** What the file says when it pins no exact version (a range, URL or path): its change is a version change. */
  readonly requirement?: string;
  readonly source: PackageSource;
  /** `algorithm:hex`, lower case, sorted, unique. */
  readonly hashes: readonly string[];
  /** PEP 508 environment marker as written. */
  readonly marker?: string;
}

export interface BaselineApproval {
  /** Who approved: `--approver`, else git's `user.name`, else the login name. */
  readonly approver?: string;
  readonly note?: string;
  /** ISO 8601 time of the approval; only with `--timestamp`, so the file is deterministic by default. */
  readonly approvedAt?: string;
}

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  readonly version: typeof BASELINE_VERSION;
  readonly approval: BaselineApproval;
  readonly packages: readonly BaselineEntry[];
  /** `sha256:` and the hex SHA-256 of the canonical JSON of every other field. */
  readonly digest: string;
}

/** Which packages need an approval to change: every one, or these names (normalised per ecosystem). */
export type CriticalPolicy = 'all' | readonly string[];

/** Deep copy with object keys in code-point order and undefined values dropped: the canonical form. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareStrings)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value));

/** The digest a baseline records: `sha256:` and the hex SHA-256 of the canonical JSON of every other field. */
export function baselineDigest(content: Omit<Baseline, 'digest'>): string {
  const { format, version, approval, packages } = content;
  return `sha256:${sha256Hex(Buffer.from(canonicalJson({ format, version, approval, packages }), 'utf8'))}`;
}

/** Only the fields each source kind defines, so nothing else a reader attaches leaks into the comparison. */
function toSource(source: PackageSource): PackageSource {
  switch (source.kind) {
    case 'registry':
      return source.url !== undefined ? { kind: 'registry', url: source.url } : { kind: 'registry' };
    case 'url':
      return { kind: 'url', url: source.url };
    case 'vcs':
      return {
        kind: 'vcs',
        url: source.url,
        ...(source.commit !== undefined ? { commit: source.commit } : {}),
      };
    case 'path':
      return {
        kind: 'path',
        path: source.path,
        ...(source.editable !== undefined ? { editable: source.editable } : {}),
      };
    default:
      return assertNever(source, 'package source');
  }
}

/** The baseline entry of a declared package. */
export function toBaselineEntry(pkg: DependencyPackage): BaselineEntry {
  const hashes = new Set(pkg.hashes.map((h) => `${h.algorithm.toLowerCase()}:${h.value.toLowerCase()}`));
  return {
    ecosystem: pkg.ecosystem,
    name: pkg.normalizedName,
    file: pkg.declaredAt.file,
    ...(pkg.version !== undefined ? { version: pkg.version } : {}),
    ...(pkg.requirement !== undefined ? { requirement: pkg.requirement } : {}),
    source: toSource(pkg.source),
    hashes: [...hashes].sort(compareStrings),
    ...(pkg.marker !== undefined ? { marker: pkg.marker } : {}),
  };
}

const groupKey = (e: BaselineEntry) => `${e.ecosystem}\u0000${e.name}\u0000${e.file}`;

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return (
    compareStrings(a.ecosystem, b.ecosystem) ||
    compareStrings(a.name, b.name) ||
    compareStrings(a.file, b.file) ||
    compareStrings(a.version ?? '', b.version ?? '') ||
    compareStrings(a.requirement ?? '', b.requirement ?? '') ||
    compareStrings(a.marker ?? '', b.marker ?? '') ||
    compareStrings(canonicalJson(a), canonicalJson(b))
  );
}

/**
 * The baseline of the packages the files declare: entries sorted, identical declarations (a line repeated,
 * one version nested twice in an npm tree) kept once, and the digest computed.
 */
export function createBaseline(files: readonly DependencyFile[], approval: BaselineApproval): Baseline {
  const unique = new Map<string, BaselineEntry>();
  for (const file of files)
    for (const pkg of file.packages) {
      const entry = toBaselineEntry(pkg);
      unique.set(canonicalJson(entry), entry);
    }
  const content = {
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    approval: sortKeys(approval) as BaselineApproval,
    packages: [...unique.values()].sort(compareEntries),
  } as const;
  return { ...content, digest: baselineDigest(content) };
}

/** The file's bytes: canonical JSON, two-space indented, one trailing newline. */
export function toBaselineJson(baseline: Baseline): string {
  return `${JSON.stringify(sortKeys(baseline), null, 2)}\n`;
}

const sourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('registry'), url: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('url'), url: z.string().min(1) }),
  z.strictObject({ kind: z.literal('vcs'), url: z.string().min(1), commit: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('path'), path: z.string().min(1), editable: z.boolean().optional() }),
]);

const baselineSchema = z.strictObject({
  format: z.literal(BASELINE_FORMAT),
  version: z.literal(BASELINE_VERSION),
  approval: z.strictObject({
    approver: z.string().optional(),
    note: z.string().optional(),
    approvedAt: z.string().optional(),
  }),
  packages: z.array(
    z.strictObject({
      ecosystem: z.enum(['PyPI', 'npm', 'conda']),
      name: z.string().min(1),
      file: z.string().min(1),
      version: z.string().min(1).optional(),
      requirement: z.string().optional(),
      source: sourceSchema,
      hashes: z.array(z.string().regex(/^[a-z0-9-]+:[0-9a-f]+$/, 'expected `algorithm:hex` in lower case')),
      marker: z.string().optional(),
    }),
  ),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected `sha256:` and 64 hex digits'),
});

/** Quotes at most this much of a value in an error message: the file may be anything. */
const MAX_QUOTED_CHARS = 80;
const quote = (text: string) =>
  JSON.stringify(text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text);

/**
 * Parses and verifies a baseline file: JSON, the exact shape `createBaseline` writes, no entry listed twice,
 * and a digest that matches the content. Throws ParseError for a file that is not a baseline and
 * VerificationError (`DIGEST_MISMATCH`) for one changed since `approve` wrote it.
 */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ParseError('BAD_STRUCTURE', `${file}: not JSON: ${describeError(error)}`, undefined, {
      cause: error,
    });
  }
  if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
    const { format, version } = data as Record<string, unknown>;
    if (format !== BASELINE_FORMAT)
      throw new ParseError(
        'BAD_MAGIC',
        `${file}: not a pedigree baseline (format is ${typeof format === 'string' ? quote(format) : 'missing'}, expected "${BASELINE_FORMAT}")`,
      );
    if (version !== BASELINE_VERSION)
      throw new ParseError(
        'UNSUPPORTED',
        `${file}: baseline version ${quote(String(version))} is not supported (this pedigree reads version ${BASELINE_VERSION})`,
      );
  }
  const result = baselineSchema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 10).map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
      return `${where}: ${issue.message}`;
    });
    const more = result.error.issues.length > 10 ? `; and ${result.error.issues.length - 10} more` : '';
    throw new ParseError('BAD_STRUCTURE', `${file}: not a valid baseline: ${problems.join('; ')}${more}`);
  }
  const baseline = result.data as Baseline;
  const seen = new Set<string>();
  for (const entry of baseline.packages) {
    const key = canonicalJson(entry);
    if (seen.has(key))
      throw new ParseError(
        'BAD_STRUCTURE',
        `${file}: ${entry.ecosystem} package ${quote(entry.name)} in ${quote(entry.file)} is listed twice`,
      );
    seen.add(key);
  }
  const expected = baselineDigest(baseline);
  if (expected !== baseline.digest)
    throw new VerificationError(
      'DIGEST_MISMATCH',
      `${file}: the digest does not match the content (recorded ${baseline.digest}, content ${expected}): the baseline was changed after \`pedigree deps approve\` wrote it`,
    );
  return baseline;
}

/** Whether a package needs an approval to change: list entries are normalised as the package's ecosystem does. */
export function isCritical(policy: CriticalPolicy, ecosystem: Ecosystem, name: string): boolean {
  if (policy === 'all') return true;
  return policy.some((entry) => normaliseName(ecosystem, entry) === name);
}

/** A package as declared now, with what the report needs to point at it. */
interface Declared {
  readonly entry: BaselineEntry;
  /** The name as written in the file. */
  readonly written: string;
  readonly line?: number;
}

interface ChangeBase {
  readonly critical: boolean;
}

/** One difference between the approved and the current set. */
export type BaselineChange =
  | (ChangeBase & { readonly kind: 'added'; readonly current: Declared })
  | (ChangeBase & { readonly kind: 'removed'; readonly approved: BaselineEntry })
  | (ChangeBase & {
      readonly kind: 'version' | 'source' | 'hash' | 'marker';
      readonly approved: BaselineEntry;
      readonly current: Declared;
    });

export interface BaselineComparison {
  /** Sorted by ecosystem, name, file, then kind. */
  readonly changes: readonly BaselineChange[];
  /** Current packages identical to an approved entry. */
  readonly unchanged: number;
  readonly approved: number;
  readonly current: number;
  /** Names in the critical list that match no approved or current package: a typo protects nothing. */
  readonly unmatchedCritical: readonly string[];
}

const sameVersion = (a: BaselineEntry, b: BaselineEntry) =>
  a.version === b.version && a.requirement === b.requirement;

/** Removes and returns the first element matching, or undefined. */
function takeFirst<T>(list: T[], match: (item: T) => boolean): T | undefined {
  const index = list.findIndex(match);
  return index < 0 ? undefined : list.splice(index, 1)[0];
}

/**
 * Pairs the approved and current entries of one package in one file. A lockfile may hold several versions
 * of a package (uv resolution forks, nested npm copies), so pairing goes from the most to the least
 * certain: identical entries, then the same version, then the same marker, then what is left in version
 * order; anything unpaired was added or removed.
 */
function pairGroup(
  approved: BaselineEntry[],
  current: Declared[],
): { pairs: [BaselineEntry, Declared][]; removed: BaselineEntry[]; added: Declared[]; unchanged: number } {
  const oldLeft = [...approved];
  const newLeft: Declared[] = [];
  let unchanged = 0;
  for (const declared of current) {
    const key = canonicalJson(declared.entry);
    if (takeFirst(oldLeft, (e) => canonicalJson(e) === key)) unchanged++;
    else newLeft.push(declared);
  }
  const pairs: [BaselineEntry, Declared][] = [];
  const rules: ((a: BaselineEntry, b: BaselineEntry) => boolean)[] = [
    sameVersion,
    (a, b) => a.marker === b.marker,
  ];
  for (const rule of rules)
    for (const declared of [...newLeft]) {
      const old = takeFirst(oldLeft, (e) => rule(e, declared.entry));
      if (old) {
        pairs.push([old, declared]);
        newLeft.splice(newLeft.indexOf(declared), 1);
      }
    }
  while (oldLeft.length > 0 && newLeft.length > 0)
    pairs.push([oldLeft.shift() as BaselineEntry, newLeft.shift() as Declared]);
  return { pairs, removed: oldLeft, added: newLeft, unchanged };
}

/** Where a source is, ignoring what changes with every version (a tarball name, a commit). */
function sourceOrigin(source: PackageSource): string {
  const host = (url: string) => {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}`;
    } catch {
      return url;
    }
  };
  switch (source.kind) {
    case 'registry':
      return `registry ${source.url !== undefined ? host(source.url) : ''}`;
    case 'url':
      return `url ${host(source.url)}`;
    case 'vcs':
      return `vcs ${source.url}`;
    case 'path':
      return `path ${source.path}`;
    default:
      return assertNever(source, 'package source');
  }
}

function hashDiff(a: BaselineEntry, b: BaselineEntry): { added: string[]; removed: string[] } {
  const before = new Set(a.hashes);
  const after = new Set(b.hashes);
  return { added: b.hashes.filter((h) => !before.has(h)), removed: a.hashes.filter((h) => !after.has(h)) };
}

/** The kinds of change, in the order reports list them. */
export const BASELINE_CHANGE_KINDS = ['added', 'removed', 'version', 'source', 'hash', 'marker'] as const;
const KIND_ORDER = BASELINE_CHANGE_KINDS;

/** Compares the current declarations with the baseline; every difference is a change, critical or not. */
export function compareBaseline(
  baseline: Baseline,
  files: readonly DependencyFile[],
  critical: CriticalPolicy,
): BaselineComparison {
  const approvedByGroup = new Map<string, BaselineEntry[]>();
  for (const entry of baseline.packages) {
    const key = groupKey(entry);
    const group = approvedByGroup.get(key);
    if (group) group.push(entry);
    else approvedByGroup.set(key, [entry]);
  }
  // Identical declarations count once, at their first line, as createBaseline records them.
  const currentByKey = new Map<string, Declared>();
  for (const file of files)
    for (const pkg of file.packages) {
      const entry = toBaselineEntry(pkg);
      const key = canonicalJson(entry);
      const line = pkg.declaredAt.line;
      const known = currentByKey.get(key);
      if (!known || (line !== undefined && (known.line === undefined || line < known.line)))
        currentByKey.set(key, { entry, written: pkg.name, ...(line !== undefined ? { line } : {}) });
    }
  const currentByGroup = new Map<string, Declared[]>();
  for (const declared of [...currentByKey.values()].sort((a, b) => compareEntries(a.entry, b.entry))) {
    const key = groupKey(declared.entry);
    const group = currentByGroup.get(key);
    if (group) group.push(declared);
    else currentByGroup.set(key, [declared]);
  }

  const changes: BaselineChange[] = [];
  let unchanged = 0;
  for (const key of new Set([...approvedByGroup.keys(), ...currentByGroup.keys()])) {
    const approved = [...(approvedByGroup.get(key) ?? [])].sort(compareEntries);
    const current = currentByGroup.get(key) ?? [];
    const sample = approved[0] ?? (current[0] as Declared).entry;
    const isCrit = isCritical(critical, sample.ecosystem, sample.name);
    const group = pairGroup(approved, current);
    unchanged += group.unchanged;
    for (const entry of group.removed) changes.push({ kind: 'removed', critical: isCrit, approved: entry });
    for (const declared of group.added) changes.push({ kind: 'added', critical: isCrit, current: declared });
    for (const [old, declared] of group.pairs) {
      const now = declared.entry;
      const base = { critical: isCrit, approved: old, current: declared };
      const versionChanged = !sameVersion(old, now);
      const sourceChanged = canonicalJson(old.source) !== canonicalJson(now.source);
      const { added, removed } = hashDiff(old, now);
      if (versionChanged) changes.push({ kind: 'version', ...base });
      // With a new version, npm tarball URLs and VCS commits change too: only a move to another kind, host
      // or repository is a source change of its own. Without one, any difference is.
      if (sourceChanged && (!versionChanged || sourceOrigin(old.source) !== sourceOrigin(now.source)))
        changes.push({ kind: 'source', ...base });
      // Other hashes are expected with another version (they are listed in the version finding); for the
      // same version they mean other bytes.
      if (!versionChanged && (added.length > 0 || removed.length > 0))
        changes.push({ kind: 'hash', ...base });
      if (old.marker !== now.marker) changes.push({ kind: 'marker', ...base });
    }
  }
  const entryOf = (c: BaselineChange) => (c.kind === 'added' ? c.current.entry : c.approved);
  changes.sort(
    (a, b) =>
      compareEntries(entryOf(a), entryOf(b)) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
  );
  const everyEntry = [...baseline.packages, ...[...currentByKey.values()].map((d) => d.entry)];
  const unmatchedCritical =
    critical === 'all'
      ? []
      : [...new Set(critical)]
          .filter((name) => !everyEntry.some((e) => isCritical([name], e.ecosystem, e.name)))
          .sort(compareStrings);
  return {
    changes,
    unchanged,
    approved: baseline.packages.length,
    current: currentByKey.size,
    unmatchedCritical,
  };
}

/** At most this many hashes are named in a message; the evidence lists all of them. */
const MAX_HASHES_IN_MESSAGE = 4;

function describeSource(source: PackageSource): string {
  switch (source.kind) {
    case 'registry':
      return source.url !== undefined ? `registry ${source.url}` : 'the default registry';
    case 'url':
      return `URL ${source.url}`;
    case 'vcs':
      return `${source.url}${source.commit !== undefined ? ` at commit ${source.commit}` : ' (no commit)'}`;
    case 'path':
      return `path ${source.path}${source.editable ? ' (editable)' : ''}`;
    default:
      return assertNever(source, 'package source');
  }
}

const describeVersion = (e: BaselineEntry) =>
  e.version ??
  (e.requirement !== undefined && e.requirement !== '' ? `requirement ${e.requirement}` : 'no version');

const describeMarker = (e: BaselineEntry) => (e.marker !== undefined ? `\`${e.marker}\`` : 'no marker');

function listHashes(hashes: readonly string[]): string {
  const shown = hashes.slice(0, MAX_HASHES_IN_MESSAGE).join(', ');
  return hashes.length > MAX_HASHES_IN_MESSAGE
    ? `${shown} and ${hashes.length - MAX_HASHES_IN_MESSAGE} more`
    : shown;
}

function describeHashes(added: readonly string[], removed: readonly string[], after: BaselineEntry): string {
  if (after.hashes.length === 0) return `no hashes any more (removed ${listHashes(removed)})`;
  const parts = [
    ...(added.length > 0 ? [`added ${listHashes(added)}`] : []),
    ...(removed.length > 0 ? [`removed ${listHashes(removed)}`] : []),
  ];
  return parts.join('; ');
}

const where = (file: string, line: number | undefined) =>
  line !== undefined ? `${file} line ${line}` : file;

/** The findings of a comparison: high for critical packages, info for the others. */
export function toBaselineFindings(changes: readonly BaselineChange[]): Finding[] {
  return changes.map((change) => {
    const severity: Severity = change.critical ? 'high' : 'info';
    const scope = change.critical
      ? ''
      : ' It is not a critical package (deps.baseline.critical), so this is for information.';
    switch (change.kind) {
      case 'added': {
        const e = change.current.entry;
        return {
          ruleId: BASELINE_RULES.added.id,
          severity,
          title: BASELINE_RULES.added.title,
          message: `${change.current.written} ${describeVersion(e)} (${e.ecosystem}) is declared in ${where(e.file, change.current.line)} but is not in the approved baseline (source: ${describeSource(e.source)}; ${e.hashes.length} hash${e.hashes.length === 1 ? '' : 'es'}).${scope}`,
          location: {
            path: e.file,
            ...(change.current.line !== undefined ? { line: change.current.line } : {}),
          },
          evidence: `current: ${canonicalJson(e)}`,
          remediation: BASELINE_RULES.added.help,
          references: [...BASELINE_RULES.added.references],
        };
      }
      case 'removed': {
        const e = change.approved;
        return {
          ruleId: BASELINE_RULES.removed.id,
          severity,
          title: BASELINE_RULES.removed.title,
          message: `${e.name} ${describeVersion(e)} (${e.ecosystem}) was approved in ${e.file} but is no longer declared there.${scope}`,
          location: { path: e.file },
          evidence: `approved: ${canonicalJson(e)}`,
          remediation: BASELINE_RULES.removed.help,
          references: [...BASELINE_RULES.removed.references],
        };
      }
      case 'version':
      case 'source':
      case 'hash':
      case 'marker': {
        const old = change.approved;
        const now = change.current.entry;
        const rule = BASELINE_RULES[change.kind];
        const subject = `${change.current.written} (${now.ecosystem}) in ${where(now.file, change.current.line)}`;
        const { added, removed } = hashDiff(old, now);
        let message: string;
        if (change.kind === 'version') {
          const also = [
            ...(canonicalJson(old.source) !== canonicalJson(now.source)
              ? [`source ${describeSource(old.source)} → ${describeSource(now.source)}`]
              : []),
            ...(added.length > 0 || removed.length > 0
              ? [`hashes: ${added.length} added, ${removed.length} removed`]
              : []),
          ];
          message = `${subject}: version ${describeVersion(old)} → ${describeVersion(now)}${also.length > 0 ? `; ${also.join('; ')}` : ''}.`;
        } else if (change.kind === 'source')
          message = `${subject} ${describeVersion(now)}: source ${describeSource(old.source)} → ${describeSource(now.source)}.`;
        else if (change.kind === 'hash')
          message = `${subject} ${describeVersion(now)}: same version and source, other hashes: ${describeHashes(added, removed, now)}.`;
        else
          message = `${subject} ${describeVersion(now)}: environment marker ${describeMarker(old)} → ${describeMarker(now)}.`;
        const evidence =
          change.kind === 'hash'
            ? `added: ${added.join(', ') || 'none'}; removed: ${removed.join(', ') || 'none'}`
            : `approved: ${canonicalJson(old)}; current: ${canonicalJson(now)}`;
        return {
          ruleId: rule.id,
          severity,
          title: rule.title,
          message: `${message}${scope}`,
          location: {
            path: now.file,
            ...(change.current.line !== undefined ? { line: change.current.line } : {}),
          },
          evidence,
          remediation: rule.help,
          references: [...rule.references],
        };
      }
      default:
        return assertNever(change, 'baseline change');
    }
  });
}

/** What `pedigree deps check` adds to the report contract, under `dependencies.baseline`. */
export interface BaselineSection {
  /** The baseline file as given or found. */
  readonly file: string;
  readonly digest: string;
  readonly approval: BaselineApproval;
  readonly critical: CriticalPolicy;
  /** Critical names that match no package, approved or current. */
  readonly unmatchedCritical: readonly string[];
  readonly summary: {
    readonly approved: number;
    readonly current: number;
    readonly unchanged: number;
    readonly changes: Readonly<Record<(typeof KIND_ORDER)[number], number>>;
    /** Changes of critical packages: the ones that fail the check at the default threshold. */
    readonly critical: number;
  };
}

export type BaselineReport = ScanReport & {
  readonly dependencies: {
    readonly files: readonly { readonly path: string; readonly format: string; readonly packages: number }[];
    readonly baseline: BaselineSection;
  };
};

export interface CheckOptions {
  readonly tool: { readonly name: string; readonly version: string };
  readonly baseline: Baseline;
  /** The baseline's path as the report should name it. */
  readonly baselineFile: string;
  readonly critical: CriticalPolicy;
  /** Environment for `${VAR}` in requirements files. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * `pedigree deps check`: reads the dependency files as `pedigree deps` does and reports every difference
 * from the baseline, plus the read problems (a file that could not be read shows its packages as removed:
 * nothing unread passes as unchanged).
 */
export function checkDependencies(paths: readonly string[], options: CheckOptions): BaselineReport {
  checkDependencyPaths(paths);
  const { root, read, artifacts, findings } = readDependencies(paths, options.env);
  const comparison = compareBaseline(options.baseline, read, options.critical);
  findings.push(...toBaselineFindings(comparison.changes));
  findings.sort(compareFindings);
  const counts = Object.fromEntries(
    KIND_ORDER.map((kind) => [kind, comparison.changes.filter((c) => c.kind === kind).length]),
  ) as Record<(typeof KIND_ORDER)[number], number>;
  const b = options.baseline;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: options.tool,
    root: root.split(sep).join('/'),
    summary: {
      files: artifacts.length,
      findings: countBySeverity(findings),
      notAnalysed: findings.filter((f) => f.ruleId === DEPS_RULES.readProblem.id).length,
    },
    artifacts: artifacts.sort((x, y) => compareStrings(x.path, y.path)),
    findings,
    dependencies: {
      files: read.map((f) => ({ path: f.path, format: f.format, packages: f.packages.length })),
      baseline: {
        file: options.baselineFile,
        digest: b.digest,
        approval: b.approval,
        critical: options.critical,
        unmatchedCritical: comparison.unmatchedCritical,
        summary: {
          approved: comparison.approved,
          current: comparison.current,
          unchanged: comparison.unchanged,
          changes: counts,
          critical: comparison.changes.filter((c) => c.critical).length,
        },
      },
    },
  };
}

/** What `pedigree deps approve` read and would write. */
export interface Approval {
  readonly root: string;
  readonly baseline: Baseline;
  readonly files: readonly { readonly path: string; readonly format: string; readonly packages: number }[];
  /** The files as read, to compare with a previous baseline. */
  readonly read: readonly DependencyFile[];
  /** Read problems (DEP-READ-ERROR findings): approve refuses to record a set it could not fully read. */
  readonly problems: readonly Finding[];
}

/** Reads the dependency files as `pedigree deps` does and builds the baseline of what they declare. */
export function approveDependencies(
  paths: readonly string[],
  approval: BaselineApproval,
  env?: Readonly<Record<string, string>>,
): Approval {
  checkDependencyPaths(paths);
  const { root, read, findings } = readDependencies(paths, env);
  return {
    root,
    baseline: createBaseline(read, approval),
    files: read.map((f) => ({ path: f.path, format: f.format, packages: f.packages.length })),
    read,
    problems: findings,
  };
}
