import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.js';
import {
  type Artifact,
  compareFindings,
  compareStrings,
  countBySeverity,
  type Finding,
  REPORT_SCHEMA_VERSION,
  type ScanReport,
  type Severity,
} from '../core/finding.js';
import { sha256Hex } from '../core/hash.js';
import { ENVIRONMENT_DIRECTORIES } from '../discover/walk.js';
import {
  type AuditResult,
  auditPackages,
  effectiveSeverity,
  type PackageAudit,
  type Vulnerability,
} from './audit.js';
import { type DatabaseInfo, DEFAULT_MAX_DB_AGE_DAYS, describeDatabase } from './database.js';
import { buildDependencyGraph } from './graph.js';
import { type DependencyFile, type DependencyPackage, MAX_DEPENDENCY_FILE_BYTES } from './model.js';
import { purlFor } from './names.js';
import type { OsvDatabase } from './osv/store.js';
import {
  type AppliedIgnore,
  applyDependencyPolicy,
  type CompiledPolicy,
  DEFAULT_UNKNOWN_SEVERITY,
  EMPTY_POLICY,
  type FoundConfigNote,
  foundConfigFinding,
  type LicenseSummary,
} from './policy.js';
import { type DependencyFileKind, dependencyFileKind, readDependencyFile } from './readers/index.js';
import { DEPS_RULES } from './rules.js';

/**
 * `pedigree deps`: finds manifests and lockfiles, reads them, matches every resolved package against the
 * OSV database and reports vulnerabilities, unresolved and unchecked packages, read problems and the age
 * of the data, in the same report contract as `pedigree scan` plus a `dependencies` section.
 */

/** Folders never walked for dependency files: installed packages and tool state, not the project's own. */
const SKIPPED_DIRECTORIES: ReadonlySet<string> = new Set([...ENVIRONMENT_DIRECTORIES, '.git', '.hg', '.svn']);
/** Most dependency files read in one run. */
export const MAX_DEPENDENCY_FILES = 10_000;
/** Most directory entries visited while looking for them. */
const MAX_WALK_ENTRIES = 1_000_000;
const MAX_WALK_DEPTH = 64;

export interface DepsOptions {
  readonly tool: { readonly name: string; readonly version: string };
  readonly database: OsvDatabase;
  /** Severity given to advisories with no CVSS vector and no rating. */
  readonly unknownSeverity?: Severity;
  readonly maxDbAgeDays?: number;
  readonly now?: Date;
  /** Environment for `${VAR}` in requirements files (pip reads the process environment). */
  readonly env?: Readonly<Record<string, string>>;
  /** Ignores, patch deadlines and licence rules (`compileDependencyPolicy` of pedigree.yaml's `deps:`). */
  readonly policy?: CompiledPolicy;
  /**
   * The configuration file the policy came from, as the report names it (findings about ignores point at
   * it). `found`: it was found in the scanned folder, so it is reported as DEP-CONFIG with `notes` on what
   * became of its settings.
   */
  readonly configFile?: {
    readonly path: string;
    readonly found: boolean;
    readonly notes?: readonly FoundConfigNote[];
  };
}

export interface DependencyEntry {
  readonly ecosystem: string;
  readonly name: string;
  readonly version?: string;
  readonly requirement?: string;
  readonly purl?: string;
  readonly file: string;
  readonly line?: number;
  readonly direct?: boolean;
  readonly groups: readonly string[];
  readonly source: string;
  readonly vulnerabilities: readonly string[];
  readonly upgrade?: string;
}

export interface DependenciesSection {
  readonly database: DatabaseInfo;
  readonly files: readonly { readonly path: string; readonly format: string; readonly packages: number }[];
  readonly packages: readonly DependencyEntry[];
  readonly vulnerabilities: readonly (Vulnerability & {
    readonly package: string;
    readonly version: string;
    readonly file: string;
    readonly line?: number;
    /** Set when a `deps.ignore` entry hides it: no DEP-VULN finding, still listed here. */
    readonly ignored?: AppliedIgnore;
  })[];
  readonly summary: {
    readonly packages: number;
    readonly resolved: number;
    readonly unresolved: number;
    readonly notChecked: number;
    readonly vulnerable: number;
    readonly vulnerabilities: number;
    /** Vulnerabilities hidden by an ignore (counted in `vulnerabilities` too). */
    readonly ignored: number;
    /** Licence rule results, when licence rules are configured. */
    readonly licenses?: LicenseSummary;
  };
}

export type DepsReport = ScanReport & { readonly dependencies: DependenciesSection };

interface Found {
  readonly absolute: string;
  readonly display: string;
  readonly kind: DependencyFileKind;
}

const posix = (p: string) => p.split(sep).join('/');

const NOT_A_MANIFEST =
  'not a known manifest or lockfile name (requirements*.txt, pyproject.toml, poetry.lock, uv.lock, Pipfile.lock, pdm.lock, pylock.toml, environment.yml, package-lock.json)';

/** A DEP-READ-ERROR finding: part of a dependency file could not be read. */
function readProblem(message: string, location: Finding['location'], evidence: string): Finding {
  return {
    ruleId: DEPS_RULES.readProblem.id,
    severity: 'medium',
    title: DEPS_RULES.readProblem.title,
    message,
    location,
    evidence,
    remediation: DEPS_RULES.readProblem.help,
    references: [],
  };
}

/**
 * Refuses, as a usage error, paths that do not exist and files that are not named like a manifest or
 * lockfile: a typo must not pass as a clean audit.
 */
export function checkDependencyPaths(paths: readonly string[]): void {
  for (const given of paths) {
    const stat = statSync(resolve(given), { throwIfNoEntry: false });
    if (stat === undefined) throw new UsageError('PATH_NOT_FOUND', `${given}: no such file or directory`);
    if (!stat.isDirectory() && dependencyFileKind(basename(given)) === undefined)
      throw new UsageError('BAD_ARGUMENT', `${given}: ${NOT_A_MANIFEST}`);
  }
}

/** The dependency files under the given paths: named files as they are, folders walked. */
export function findDependencyFiles(
  paths: readonly string[],
  root: string,
): { files: Found[]; problems: { path: string; message: string }[] } {
  const files: Found[] = [];
  const problems: { path: string; message: string }[] = [];
  let visited = 0;
  const display = (absolute: string) => {
    const rel = relative(root, absolute);
    return rel === ''
      ? basename(absolute)
      : rel.startsWith('..') || isAbsolute(rel)
        ? posix(absolute)
        : posix(rel);
  };
  for (const given of paths) {
    const absolute = resolve(given);
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(absolute);
    } catch {
      problems.push({ path: given, message: 'no such file or directory' });
      continue;
    }
    if (stat.isFile()) {
      const kind = dependencyFileKind(basename(absolute));
      if (kind === undefined)
        problems.push({
          path: given,
          message: NOT_A_MANIFEST,
        });
      else files.push({ absolute, display: display(absolute), kind });
      continue;
    }
    const stack: { dir: string; depth: number }[] = [{ dir: absolute, depth: 0 }];
    while (stack.length > 0) {
      const { dir, depth } = stack.pop() as { dir: string; depth: number };
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (error) {
        problems.push({ path: display(dir), message: `not readable (${(error as Error).message})` });
        continue;
      }
      for (const name of names.sort()) {
        if (++visited > MAX_WALK_ENTRIES) {
          problems.push({
            path: display(dir),
            message: `more than ${MAX_WALK_ENTRIES} entries: the walk stopped`,
          });
          return { files, problems };
        }
        const path = join(dir, name);
        let entry: ReturnType<typeof lstatSync>;
        try {
          entry = lstatSync(path);
        } catch {
          continue;
        }
        // Links are not followed: a link could leave the project or loop.
        if (entry.isSymbolicLink()) continue;
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRECTORIES.has(name) && depth < MAX_WALK_DEPTH)
            stack.push({ dir: path, depth: depth + 1 });
          continue;
        }
        // pip projects also keep their requirement sets as `requirements/<set>.txt`.
        const kind = !entry.isFile()
          ? undefined
          : (dependencyFileKind(name) ??
            (basename(dir) === 'requirements' && /\.(txt|in)$/i.test(name) ? 'requirements' : undefined));
        if (kind === undefined) continue;
        if (files.length >= MAX_DEPENDENCY_FILES) {
          problems.push({
            path: display(path),
            message: `more than ${MAX_DEPENDENCY_FILES} dependency files: not read`,
          });
          continue;
        }
        files.push({ absolute: path, display: display(path), kind });
      }
    }
  }
  files.sort((a, b) => compareStrings(a.display, b.display));
  return { files, problems };
}

export function readBytes(path: string): Buffer {
  const stat = statSync(path);
  // A FIFO or device named like a lockfile (or reached by `-r`) would block the read forever.
  if (!stat.isFile()) throw new Error('not a regular file');
  if (stat.size > MAX_DEPENDENCY_FILE_BYTES)
    throw new Error(`larger than ${MAX_DEPENDENCY_FILE_BYTES} bytes`);
  return readFileSync(path);
}

function readText(path: string): string {
  return decodeText(readBytes(path));
}

/**
 * Text as the tools read it: a UTF-8 byte order mark dropped (npm strips it, pip's auto-decoding reads it)
 * and UTF-16 files with a BOM decoded, which is what `pip freeze > requirements.txt` writes in Windows
 * PowerShell; otherwise UTF-8.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  return new TextDecoder('utf-8').decode(bytes);
}

/** Loads `-r`/`-c` includes: relative to the scan root's view of paths, never outside the root. */
export function includeLoader(root: string): (path: string) => string | undefined {
  const realRoot = realpathSync(root);
  return (path) => {
    const absolute = resolve(root, path);
    try {
      const real = realpathSync(absolute);
      const rel = relative(realRoot, real);
      if (rel.startsWith('..') || isAbsolute(rel)) return undefined;
      return readText(real);
    } catch {
      return undefined;
    }
  };
}

function sourceText(pkg: DependencyPackage): string {
  switch (pkg.source.kind) {
    case 'registry':
      return pkg.source.url ?? 'registry';
    case 'url':
      return pkg.source.url;
    case 'vcs':
      return pkg.source.commit ? `${pkg.source.url}@${pkg.source.commit}` : pkg.source.url;
    case 'path':
      return pkg.source.path;
  }
}

const at = (pkg: DependencyPackage) => ({
  path: pkg.declaredAt.file,
  ...(pkg.declaredAt.line !== undefined ? { line: pkg.declaredAt.line } : {}),
});

/** Ends text with one full stop (none after an ellipsis, question or exclamation mark). */
const sentence = (text: string) => (/[.…!?]$/.test(text) ? text : `${text}.`);

function vulnerabilityFinding(
  audit: PackageAudit,
  v: Vulnerability,
  unknownAs: Severity,
  chains: readonly (readonly string[])[],
): Finding {
  const pkg = audit.package;
  // Who pulled it in: a transitive package is fixed by upgrading (or constraining) through its parents.
  const via = chains.length > 0 ? ` Pulled in by ${chains.map((c) => c.join(' → ')).join('; ')}.` : '';
  const ids = [v.id, ...v.aliases].join(', ');
  const rating =
    v.severity === 'unknown'
      ? `no CVSS vector or rating (reported as ${unknownAs})`
      : v.score !== undefined
        ? `CVSS ${v.score} (${v.severityFrom})`
        : `rated ${v.severityFrom}`;
  const others = audit.vulnerabilities.length;
  const upgrade =
    audit.upgrade !== undefined
      ? ` The smallest upgrade that clears all ${others} known vulnerabilit${others === 1 ? 'y' : 'ies'} of ${pkg.name} ${pkg.version} is ${audit.upgrade}.`
      : ' No single known version clears every known vulnerability of this package.';
  return {
    ruleId: DEPS_RULES.vulnerable.id,
    severity: effectiveSeverity(v, unknownAs),
    title: DEPS_RULES.vulnerable.title,
    message: `${pkg.name} ${pkg.version} is affected by ${v.id}${v.aliases.length > 0 ? ` (${v.aliases.join(', ')})` : ''}${sentence(
      v.summary ? `: ${v.summary.trim()}` : '',
    )} ${v.fixed !== undefined ? `Fixed in ${v.fixed}.` : 'No fixed version is known.'}${via}`,
    location: at(pkg),
    evidence: `${ids}; severity: ${rating}; ${pkg.purl ?? `${pkg.ecosystem}/${pkg.normalizedName}@${pkg.version}`}`,
    remediation: `${v.fixed !== undefined ? `Upgrade ${pkg.name} to ${v.fixed} or later.` : `Replace or isolate ${pkg.name}; watch ${v.id} for a fix.`}${upgrade}`,
    references: [`https://osv.dev/vulnerability/${v.id}`, ...v.references].slice(0, 10),
  };
}

/**
 * The folder paths are reported relative to, and that `-r`/`-c` includes may not leave: the folder given,
 * else the working directory when every path is inside it, else the first file's folder.
 */
function scanRoot(paths: readonly string[]): string {
  const first = resolve(paths[0] ?? '.');
  if (paths.length === 1 && statSync(first, { throwIfNoEntry: false })?.isDirectory()) return first;
  const cwd = process.cwd();
  const inside = paths.every((p) => {
    const rel = relative(cwd, resolve(p));
    return !rel.startsWith('..') && !isAbsolute(rel);
  });
  return inside ? cwd : dirname(first);
}

/** What reading the dependency files under some paths gave, before any matching. */
export interface ReadDependencies {
  /** The folder paths are reported relative to (see scanRoot). */
  readonly root: string;
  /** Every file read, in path order. */
  readonly read: DependencyFile[];
  readonly artifacts: Artifact[];
  /** DEP-READ-ERROR findings: paths not found, files or entries that could not be read. */
  readonly findings: Finding[];
}

/**
 * Finds and reads the dependency files under the given paths without matching them, so `pedigree deps`
 * and the baseline gate (`deps approve`/`deps check`) see exactly the same packages.
 */
export function readDependencies(
  paths: readonly string[],
  env?: Readonly<Record<string, string>>,
): ReadDependencies {
  const root = scanRoot(paths);
  const { files: found, problems: walkProblems } = findDependencyFiles(paths, root);
  const findings: Finding[] = [];
  const artifacts: Artifact[] = [];
  const read: DependencyFile[] = [];
  for (const p of walkProblems)
    findings.push(readProblem(`${p.path}: ${p.message}`, { path: p.path }, p.message));
  const load = includeLoader(root);
  for (const file of found) {
    let text: string;
    let bytes: Buffer;
    try {
      bytes = readBytes(file.absolute);
      text = decodeText(bytes);
    } catch (error) {
      const reason = (error as Error).message;
      findings.push(
        readProblem(`${file.display} could not be read: ${reason}`, { path: file.display }, reason),
      );
      continue;
    }
    // The reader joins include paths with the including file's directory as the report names it
    // (relative to the root), so they resolve from the root.
    const result = readDependencyFile(file.kind, file.display, text, {
      load,
      ...(env ? { env } : {}),
    });
    read.push(result);
    artifacts.push({
      path: file.display,
      kind: 'manifest',
      format: result.format,
      // Of the file's bytes, as `scan` hashes them, whatever encoding the text was decoded from.
      size: bytes.length,
      sha256: sha256Hex(bytes),
    });
    for (const problem of result.problems)
      findings.push(
        readProblem(
          problem.message,
          { path: problem.file, ...(problem.line !== undefined ? { line: problem.line } : {}) },
          problem.message,
        ),
      );
  }
  return { root, read, artifacts, findings };
}

/** Reads the dependency files and audits them; a report in the scan contract plus `dependencies`. */
export function scanDependencies(paths: readonly string[], options: DepsOptions): DepsReport {
  const now = options.now ?? new Date();
  const unknownAs = options.unknownSeverity ?? DEFAULT_UNKNOWN_SEVERITY;
  const { root, read, artifacts, findings } = readDependencies(paths, options.env);

  const packages = read.flatMap((f) => f.packages);
  const graph = buildDependencyGraph(packages);
  const audit: AuditResult = auditPackages(packages, options.database);
  const policy = options.policy ?? EMPTY_POLICY;
  const applied = applyDependencyPolicy(policy, {
    checked: audit.checked,
    packages,
    unknownAs,
    now,
    ...(options.configFile !== undefined ? { file: options.configFile.path } : {}),
  });
  for (const checked of audit.checked) {
    if (checked.vulnerabilities.length === 0) continue;
    // One chain search per package, shared by its vulnerabilities.
    const chains = graph.chainsTo(checked.package.declaredAt.file, checked.package.normalizedName);
    for (const v of checked.vulnerabilities)
      if (!applied.ignored.has(v)) findings.push(vulnerabilityFinding(checked, v, unknownAs, chains));
  }
  findings.push(...applied.findings);
  if (options.configFile?.found)
    findings.push(
      foundConfigFinding({
        file: options.configFile.path,
        policy,
        hidden: applied.hidden,
        notes: options.configFile.notes ?? [],
        unknownAs,
      }),
    );
  for (const pkg of audit.unresolved)
    findings.push({
      ruleId: DEPS_RULES.unresolved.id,
      severity: 'info',
      title: DEPS_RULES.unresolved.title,
      message: `${pkg.name} is not pinned to one version (${pkg.requirement ?? 'no version'}): not matched against advisories.`,
      location: at(pkg),
      evidence: pkg.requirement ?? '',
      remediation: DEPS_RULES.unresolved.help,
      references: [],
    });
  // Packages not checked for a reason of their own get a finding each; those of an ecosystem the database
  // has no data for (or none is matched for, conda) get one finding per file, naming how many.
  const unmatchedEcosystems = new Map<string, DependencyPackage[]>();
  for (const { package: pkg, reason } of audit.notChecked) {
    if (reason.startsWith('the advisory database has no') || pkg.ecosystem === 'conda') {
      const key = `${pkg.declaredAt.file}\u0000${pkg.ecosystem}\u0000${reason}`;
      unmatchedEcosystems.set(key, [...(unmatchedEcosystems.get(key) ?? []), pkg]);
      continue;
    }
    findings.push({
      ruleId: DEPS_RULES.notChecked.id,
      severity: 'medium',
      title: DEPS_RULES.notChecked.title,
      message: `${pkg.name} ${pkg.version ?? ''} was not checked: ${reason}.`,
      location: at(pkg),
      evidence: reason,
      remediation: DEPS_RULES.notChecked.help,
      references: [],
    });
  }
  for (const [key, pkgs] of unmatchedEcosystems) {
    const [file, ecosystem, reason] = key.split('\u0000') as [string, string, string];
    const names = pkgs.map((p) => `${p.name} ${p.version ?? ''}`.trim());
    findings.push({
      ruleId: DEPS_RULES.notChecked.id,
      // conda packages have no OSV data anywhere (info); a missing ecosystem is fixed by `db update`.
      severity: ecosystem === 'conda' ? 'info' : 'medium',
      title: DEPS_RULES.notChecked.title,
      message: `${pkgs.length} ${ecosystem} package(s) were not checked: ${reason}.`,
      location: { path: file },
      evidence: `${names.slice(0, 20).join(', ')}${names.length > 20 ? `, … ${names.length - 20} more` : ''}`,
      remediation: DEPS_RULES.notChecked.help,
      references: [],
    });
  }

  // Judged on the ecosystems whose packages were matched (all of them when none were).
  const matchedEcosystems = [...new Set(audit.checked.map((c) => c.package.ecosystem))].sort();
  const database = describeDatabase(
    options.database,
    now,
    options.maxDbAgeDays ?? DEFAULT_MAX_DB_AGE_DAYS,
    matchedEcosystems.length > 0 ? matchedEcosystems : undefined,
  );
  if (database.stale) {
    const names = database.sources.map((s) => `${s.id}${s.bundled ? ' (bundled)' : ''}`).join(', ') || 'none';
    findings.push({
      ruleId: DEPS_RULES.staleDatabase.id,
      severity: 'low',
      title: DEPS_RULES.staleDatabase.title,
      message:
        database.ageDays === undefined
          ? `No advisory data with dates is available (sources: ${names}).`
          : `The newest advisory is ${database.ageDays} days old (sources: ${names}); advisories published since are unknown to this run.`,
      location: { path: '.' },
      evidence: `newest record ${database.newestModified ?? 'unknown'}; limit ${database.maxAgeDays} days`,
      remediation: DEPS_RULES.staleDatabase.help,
      references: [...DEPS_RULES.staleDatabase.references],
    });
  }
  findings.sort(compareFindings);

  const byDeclaration = new Map<DependencyPackage, PackageAudit>(audit.checked.map((c) => [c.package, c]));
  const entries: DependencyEntry[] = packages.map((pkg) => {
    const checked = byDeclaration.get(pkg);
    return {
      ecosystem: pkg.ecosystem,
      name: pkg.name,
      ...(pkg.version !== undefined ? { version: pkg.version } : {}),
      ...(pkg.requirement !== undefined ? { requirement: pkg.requirement } : {}),
      // Every package gets a package URL: versionless when the file does not pin one (purl-spec: the
      // version is optional).
      purl: pkg.purl ?? purlFor(pkg.ecosystem, pkg.normalizedName),
      file: pkg.declaredAt.file,
      ...(pkg.declaredAt.line !== undefined ? { line: pkg.declaredAt.line } : {}),
      ...(pkg.direct !== undefined ? { direct: pkg.direct } : {}),
      groups: pkg.groups,
      source: sourceText(pkg),
      vulnerabilities: checked?.vulnerabilities.map((v) => v.id) ?? [],
      ...(checked?.upgrade !== undefined ? { upgrade: checked.upgrade } : {}),
    };
  });
  entries.sort(
    (a, b) =>
      compareStrings(a.ecosystem, b.ecosystem) ||
      compareStrings(a.name.toLowerCase(), b.name.toLowerCase()) ||
      compareStrings(a.version ?? '', b.version ?? '') ||
      compareStrings(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
  const vulnerabilities = audit.checked
    .flatMap((c) =>
      c.vulnerabilities.map((v) => {
        const ignored = applied.ignored.get(v);
        return {
          ...v,
          package: c.package.name,
          version: c.package.version as string,
          file: c.package.declaredAt.file,
          ...(c.package.declaredAt.line !== undefined ? { line: c.package.declaredAt.line } : {}),
          ...(ignored !== undefined ? { ignored } : {}),
        };
      }),
    )
    .sort(
      (a, b) =>
        compareStrings(a.package.toLowerCase(), b.package.toLowerCase()) ||
        compareStrings(a.version, b.version) ||
        compareStrings(a.id, b.id) ||
        compareStrings(a.file, b.file),
    );
  const notAnalysed =
    findings.filter((f) => f.ruleId === DEPS_RULES.readProblem.id).length +
    audit.notChecked.filter((n) => n.package.ecosystem !== 'conda').length;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: options.tool,
    root: posix(root),
    summary: { files: artifacts.length, findings: countBySeverity(findings), notAnalysed },
    artifacts: artifacts.sort((a, b) => compareStrings(a.path, b.path)),
    findings,
    dependencies: {
      database,
      files: read.map((f) => ({ path: f.path, format: f.format, packages: f.packages.length })),
      packages: entries,
      vulnerabilities,
      summary: {
        packages: packages.length,
        resolved: packages.length - audit.unresolved.length,
        unresolved: audit.unresolved.length,
        notChecked: audit.notChecked.length,
        vulnerable: audit.checked.filter((c) => c.vulnerabilities.length > 0).length,
        vulnerabilities: vulnerabilities.length,
        ignored: applied.ignored.size,
        ...(applied.licenses !== undefined ? { licenses: applied.licenses } : {}),
      },
    },
  };
}
