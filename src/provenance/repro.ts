import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describeError, UsageError } from '../core/errors.js';
import { compareStrings } from '../core/finding.js';
import { readDependencies } from '../deps/run.js';
import { type CodeState, readCodeState } from './code-state.js';
import {
  DEFAULT_ENV_ALLOWLIST,
  isSecretName,
  MAX_ENV_VALUE_CHARS,
  type RunEnvironment,
  readEnvironment,
} from './environment.js';
import { digestOfPath } from './lineage.js';
import {
  byproduct,
  type ProvenanceStatement,
  type ResourceDescriptor,
  type RunStatus,
  runStatus,
} from './provenance.js';
import { recordRun } from './run.js';

/**
 * `pedigree repro`: re-runs a recorded training run and says whether it reproduces. First the environment
 * is compared with the record (code, inputs, interpreter, packages, variables, platform), so a reason for
 * a divergence is visible before hours of training; then the recorded command runs again with the
 * recorded seed and allow-listed variables, and its outputs are compared by digest and its metrics within
 * tolerances:
 *
 * - `identical`: every output file and the metrics file have the recorded digests, and the run ended as
 *   recorded;
 * - `equivalent`: the same output files exist but some differ, and every recorded metric is within its
 *   tolerance (`repro:` in pedigree.yaml);
 * - `diverged`: anything else (other files, a metric outside tolerance or missing, no metrics to judge by);
 * - `failed`: the recorded run succeeded and the re-run did not (or could not start).
 *
 * The re-run must not destroy the work it checks: unless told to overwrite, outputs already present are
 * moved aside first and put back afterwards, and the re-run's outputs are kept beside them for a look.
 */

export interface ReproTolerance {
  /** Largest absolute difference accepted. */
  readonly absolute?: number;
  /** Largest difference accepted as a fraction of the recorded value. */
  readonly relative?: number;
}

/** `repro:` of pedigree.yaml. */
export interface ReproSettings {
  /** For every metric without its own entry (default: none, so metrics must be equal). */
  readonly tolerance?: ReproTolerance;
  /** Per metric: its recorded (dotted) name, or a pattern where `*` stands for any characters. */
  readonly metrics?: Readonly<Record<string, ReproTolerance>>;
  /** Metrics not compared (names or `*` patterns): timings, throughput. */
  readonly ignore?: readonly string[];
}

export type ReproVerdict = 'identical' | 'equivalent' | 'diverged' | 'failed';

export type ParityCategory =
  | 'code'
  | 'input'
  | 'interpreter'
  | 'package'
  | 'variable'
  | 'platform'
  | 'parameter';

export interface ParityDifference {
  readonly category: ParityCategory;
  readonly name: string;
  /** Absent: not recorded. */
  readonly recorded?: string;
  /** Absent: not there now. */
  readonly current?: string;
  readonly detail?: string;
  /** pedigree gives the re-run the recorded value, so this difference does not reach it. */
  readonly correctedForRerun?: boolean;
}

export interface ParityReport {
  /** No difference reaches the re-run. */
  readonly matches: boolean;
  readonly differences: readonly ParityDifference[];
  /** What could not be compared. */
  readonly notes: readonly string[];
}

export interface ParityOptions {
  /** The folder the run runs in (paths in the record are relative to it). */
  readonly cwd: string;
  /** Interpreter to compare and record: default the recorded one when it exists, else `python3`; `false` for none. */
  readonly python?: string | false;
  /** The environment now (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Recorded variables beyond the default allow-list whose values the re-run gets. */
  readonly applyEnv?: readonly string[];
  /** Re-run with this seed instead of the recorded one. */
  readonly seed?: string;
  readonly workers?: number;
  /** The record's own file: not an untracked file of the code when it sits in the repository. */
  readonly recordFile?: string;
}

export interface OutputComparison {
  readonly name: string;
  readonly role: 'output' | 'metrics';
  readonly status: 'same' | 'changed' | 'missing' | 'added';
  readonly recorded?: string;
  readonly current?: string;
}

export interface MetricComparison {
  readonly name: string;
  readonly status: 'equal' | 'within' | 'outside' | 'missing' | 'added' | 'ignored';
  readonly recorded?: number;
  readonly current?: number;
  readonly difference?: number;
  readonly tolerance?: ReproTolerance;
}

export interface RunComparison {
  readonly verdict: ReproVerdict;
  readonly reasons: readonly string[];
  readonly outputs: readonly OutputComparison[];
  readonly metrics: readonly MetricComparison[];
}

export interface ReproOptions extends ParityOptions {
  readonly statement: ProvenanceStatement;
  readonly settings?: ReproSettings;
  /** Re-run where the outputs are, overwriting them (default: move them aside and put them back). */
  readonly overwrite?: boolean;
  /** `inherit`: the user sees the command's output; `ignore` for tests. */
  readonly stdio?: 'inherit' | 'ignore';
  readonly version?: string;
  /** The parity report, when the caller already made it (to show it before the run). */
  readonly parity?: ParityReport;
}

export interface ReproResult extends RunComparison {
  readonly parity: ParityReport;
  /** The re-run as recorded (its statement names the run it reproduces), when it ran. */
  readonly rerun?: {
    readonly status: RunStatus;
    readonly exitCode: number | null;
    readonly signal: string | null;
    readonly problems: readonly string[];
    readonly statement: ProvenanceStatement;
  };
  /** Where the outputs present before (`previous/`) and the re-run's (`outputs/`) are, unless overwritten. */
  readonly workspace: {
    readonly mode: 'restored' | 'overwritten';
    readonly folder?: string;
    readonly problems: readonly string[];
  };
}

/**
 * `*` stands for any run of characters; everything else is literal. Matched without a regular expression:
 * `^.*a.*a.*a.*b$` backtracks for ever over a long metric name, and both the patterns (a `pedigree.yaml`
 * found in the run folder) and the names (the record, the re-run's metrics file) can come from someone
 * else. The pieces between stars are found leftmost-first, which is exact for `*`-only globs: O(n × m).
 */
export function patternMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*');
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!name.startsWith(first)) return false;
  let at = first.length;
  for (const part of parts.slice(1, -1)) {
    const found = name.indexOf(part, at);
    if (found < 0) return false;
    at = found + part.length;
  }
  return name.length - last.length >= at && name.endsWith(last);
}

/** The tolerance for a metric: its own entry, else the longest matching pattern, else the default. */
export function toleranceFor(name: string, settings: ReproSettings = {}): ReproTolerance {
  const metrics = settings.metrics ?? {};
  if (Object.hasOwn(metrics, name)) return metrics[name] as ReproTolerance;
  const patterns = Object.keys(metrics)
    .filter((p) => p.includes('*') && patternMatches(p, name))
    .sort((a, b) => b.length - a.length || compareStrings(a, b));
  const best = patterns[0];
  return best !== undefined ? (metrics[best] as ReproTolerance) : (settings.tolerance ?? {});
}

/** numpy.isclose's rule: |current − recorded| ≤ absolute + relative × |recorded|. */
export function withinTolerance(recorded: number, current: number, tolerance: ReproTolerance): boolean {
  if (recorded === current) return true;
  return (
    Math.abs(current - recorded) <= (tolerance.absolute ?? 0) + (tolerance.relative ?? 0) * Math.abs(recorded)
  );
}

function metricsOf(statement: ProvenanceStatement): Map<string, number> {
  const raw = byproduct(statement, 'pedigree.metrics')?.annotations?.metrics;
  const out = new Map<string, number>();
  if (typeof raw === 'object' && raw !== null)
    for (const [k, v] of Object.entries(raw)) if (typeof v === 'number' && Number.isFinite(v)) out.set(k, v);
  return out;
}

function exitCodeOf(statement: ProvenanceStatement): number | null | undefined {
  const code = byproduct(statement, 'pedigree.run')?.annotations?.exitCode;
  return typeof code === 'number' || code === null ? code : undefined;
}

function short(sha: string | undefined): string {
  return sha === undefined ? 'none' : `sha256:${sha.slice(0, 12)}…`;
}

function listed(names: readonly string[]): string {
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}

/** Compares a re-run with its record (pure): outputs by digest, metrics within tolerance, the verdict. */
export function compareRuns(
  recorded: ProvenanceStatement,
  rerun: ProvenanceStatement,
  settings: ReproSettings = {},
): RunComparison {
  const before = new Map(recorded.subject.map((s) => [s.name, s.digest.sha256]));
  const after = new Map(rerun.subject.map((s) => [s.name, s.digest.sha256]));
  const outputs: OutputComparison[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort(compareStrings)) {
    const r = before.get(name);
    const c = after.get(name);
    outputs.push({
      name,
      role: 'output',
      status: r === undefined ? 'added' : c === undefined ? 'missing' : r === c ? 'same' : 'changed',
      ...(r !== undefined ? { recorded: r } : {}),
      ...(c !== undefined ? { current: c } : {}),
    });
  }
  const metricsFile = recorded.predicate.buildDefinition.externalParameters.metricsFile;
  const recordedMetricsDigest = byproduct(recorded, 'pedigree.metrics')?.digest?.sha256;
  if (metricsFile !== undefined && recordedMetricsDigest !== undefined) {
    const c = byproduct(rerun, 'pedigree.metrics')?.digest?.sha256;
    outputs.push({
      name: metricsFile,
      role: 'metrics',
      status: c === undefined ? 'missing' : c === recordedMetricsDigest ? 'same' : 'changed',
      recorded: recordedMetricsDigest,
      ...(c !== undefined ? { current: c } : {}),
    });
  }

  const ignored = (name: string) => (settings.ignore ?? []).some((p) => patternMatches(p, name));
  const m1 = metricsOf(recorded);
  const m2 = metricsOf(rerun);
  const metrics: MetricComparison[] = [];
  for (const name of [...new Set([...m1.keys(), ...m2.keys()])].sort(compareStrings)) {
    const r = m1.get(name);
    const c = m2.get(name);
    const values = {
      ...(r !== undefined ? { recorded: r } : {}),
      ...(c !== undefined ? { current: c } : {}),
    };
    if (ignored(name)) metrics.push({ name, status: 'ignored', ...values });
    else if (r === undefined) metrics.push({ name, status: 'added', ...values });
    else if (c === undefined) metrics.push({ name, status: 'missing', ...values });
    else {
      const tolerance = toleranceFor(name, settings);
      metrics.push({
        name,
        status: r === c ? 'equal' : withinTolerance(r, c, tolerance) ? 'within' : 'outside',
        ...values,
        difference: c - r,
        tolerance,
      });
    }
  }

  const reasons: string[] = [];
  const recordedStatus = runStatus(recorded);
  const rerunStatus = runStatus(rerun);
  const done = (verdict: ReproVerdict): RunComparison => ({ verdict, reasons, outputs, metrics });
  if (recordedStatus === 'succeeded' && rerunStatus === 'failed') {
    const problems = byproduct(rerun, 'pedigree.run')?.annotations?.problems;
    const first = Array.isArray(problems) && problems.length > 0 ? `: ${String(problems[0])}` : '';
    reasons.push(`the recorded run succeeded; the re-run failed${first}`);
    return done('failed');
  }
  if (recordedStatus === 'failed' && rerunStatus === 'succeeded')
    reasons.push('the recorded run failed; the re-run succeeded');
  else if (exitCodeOf(recorded) !== exitCodeOf(rerun))
    reasons.push(
      `the recorded run exited with ${String(exitCodeOf(recorded))}, the re-run with ${String(exitCodeOf(rerun))}`,
    );
  const differing = outputs.filter((o) => o.status !== 'same');
  if (reasons.length === 0 && differing.length === 0) {
    reasons.push(
      `${outputs.length} output${outputs.length === 1 ? '' : 's'} with the recorded digest${outputs.length === 1 ? '' : 's'}`,
    );
    return done('identical');
  }
  if (reasons.length > 0) return done('diverged');
  const missing = differing.filter((o) => o.status === 'missing').map((o) => o.name);
  const added = differing.filter((o) => o.status === 'added').map((o) => o.name);
  if (missing.length > 0) reasons.push(`output files not produced again: ${listed(missing)}`);
  if (added.length > 0) reasons.push(`output files not in the record: ${listed(added)}`);
  if (missing.length > 0 || added.length > 0) return done('diverged');
  const changed = differing.map((o) => o.name);
  reasons.push(`${changed.length} output${changed.length === 1 ? '' : 's'} differ: ${listed(changed)}`);
  const judged = metrics.filter((m) => m.status !== 'ignored' && m.status !== 'added');
  if (judged.length === 0) {
    reasons.push('no recorded metrics to judge equivalence by');
    return done('diverged');
  }
  const bad = judged.filter((m) => m.status === 'outside' || m.status === 'missing');
  for (const m of bad)
    reasons.push(
      m.status === 'missing'
        ? `metric ${m.name} was not produced again`
        : `metric ${m.name}: ${m.recorded} → ${m.current} (difference ${m.difference}) is outside the tolerance (absolute ${m.tolerance?.absolute ?? 0}, relative ${m.tolerance?.relative ?? 0})`,
    );
  if (bad.length > 0) return done('diverged');
  reasons.push(`all ${judged.length} metric${judged.length === 1 ? ' is' : 's are'} within tolerance`);
  return done('equivalent');
}

/** A recorded path that stays inside the run folder: relative, no `..`, not the folder itself. */
function isInsidePath(path: string): boolean {
  if (isAbsolute(path) || path.includes('\0')) return false;
  const parts = path.split('/');
  return !parts.includes('..') && parts.some((p) => p !== '' && p !== '.');
}

function normalise(path: string): string {
  return path
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

function covers(outer: string, inner: string): boolean {
  return outer === inner || inner.startsWith(`${outer}/`);
}

/** The folder a recorded run ran in: its working directory under the git repository around `from`. */
export function resolveRunDirectory(statement: ProvenanceStatement, from: string): string {
  const wd = statement.predicate.buildDefinition.externalParameters.workingDirectory;
  if (wd !== '.' && !isInsidePath(wd))
    throw new UsageError(
      'BAD_ARGUMENT',
      `the record's working directory ${JSON.stringify(wd.slice(0, 200))} leaves the repository; give the folder with --cwd`,
    );
  const code = readCodeState(from);
  const root = code?.root ?? from;
  const dir = resolve(root, wd);
  // A folder of the repository that is a link out of it would have outputs set aside out there.
  const real = realpathOr(dir);
  if (real !== undefined && !isWithin(realpathOr(root) ?? root, real))
    throw new UsageError(
      'BAD_ARGUMENT',
      `the record's working directory ${JSON.stringify(wd.slice(0, 200))} is ${real}, outside the repository (a symbolic link); give the folder with --cwd`,
    );
  return dir;
}

function realpathOr(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Whether `path` is `root` or inside it (both real paths). */
function isWithin(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

const normaliseName = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-');

function packageMap(
  deps: readonly ResourceDescriptor[],
  which: (source: string) => boolean,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of deps) {
    const source = d.annotations?.source;
    const version = d.annotations?.version;
    if (d.annotations?.kind !== 'package' || typeof source !== 'string' || !which(source)) continue;
    if (typeof d.name === 'string' && typeof version === 'string') out.set(normaliseName(d.name), version);
  }
  return out;
}

function comparePackages(
  recorded: Map<string, string>,
  current: Map<string, string>,
  detail: string,
  into: ParityDifference[],
): void {
  for (const name of [...new Set([...recorded.keys(), ...current.keys()])].sort(compareStrings)) {
    const r = recorded.get(name);
    const c = current.get(name);
    if (r !== c)
      into.push({
        category: 'package',
        name,
        ...(r !== undefined ? { recorded: r } : {}),
        ...(c !== undefined ? { current: c } : {}),
        detail,
      });
  }
}

/** The interpreter to ask: the option, else the recorded executable when it exists here, else python3. */
function interpreterFor(statement: ProvenanceStatement, option: string | false | undefined): string | false {
  if (option !== undefined) return option;
  const recorded = statement.predicate.buildDefinition.resolvedDependencies.find(
    (d) => d.annotations?.kind === 'interpreter',
  );
  if (!recorded) return false;
  const executable = recorded.uri?.startsWith('file:') ? recorded.uri.slice('file:'.length) : undefined;
  return executable !== undefined && isRecordedInterpreterUsable(executable) ? executable : 'python3';
}

/**
 * Whether the interpreter a record names may be asked for its version here. The record can come from
 * someone else, and asking runs the program (even with `--dry-run`): only an existing absolute path whose
 * name is a Python interpreter's (`python`, `python3.11`, `pypy3`) is run, never `/tmp/anything`.
 */
export function isRecordedInterpreterUsable(executable: string): boolean {
  return (
    isAbsolute(executable) &&
    !executable.includes('\0') &&
    /^(?:python|pypy)(?:\d+(?:\.\d+)*)?(?:\.exe)?$/i.test(basename(executable)) &&
    existsSync(executable)
  );
}

/** Whether a recorded value was cut at MAX_ENV_VALUE_CHARS (then it cannot be given back). */
function truncated(value: string): boolean {
  return value.length === MAX_ENV_VALUE_CHARS + 1 && value.endsWith('…');
}

/** The variables the re-run gets: recorded values of allow-listed names, and allow-listed names unset when the record had none. */
function rerunVariables(
  statement: ProvenanceStatement,
  applyEnv: readonly string[],
): Record<string, string | undefined> {
  const recorded = statement.predicate.buildDefinition.externalParameters.environment;
  const changes: Record<string, string | undefined> = {};
  for (const name of new Set<string>([...DEFAULT_ENV_ALLOWLIST, ...applyEnv])) {
    if (isSecretName(name)) continue;
    const value = Object.hasOwn(recorded, name) ? recorded[name] : undefined;
    if (value !== undefined && truncated(value)) continue;
    changes[name] = value;
  }
  return changes;
}

function codeOf(statement: ProvenanceStatement): ResourceDescriptor | undefined {
  return statement.predicate.buildDefinition.resolvedDependencies.find((d) => d.annotations?.kind === 'code');
}

function compareCode(
  statement: ProvenanceStatement,
  now: CodeState | undefined,
  differences: ParityDifference[],
  notes: string[],
  recordFile?: string,
): void {
  const recorded = codeOf(statement);
  if (!recorded) {
    if (now) notes.push('the run was recorded outside a git work tree: its code cannot be compared');
    return;
  }
  const commit = typeof recorded.digest?.gitCommit === 'string' ? recorded.digest.gitCommit : undefined;
  if (!now) {
    differences.push({
      category: 'code',
      name: 'repository',
      ...(commit ? { recorded: commit } : {}),
      detail: 'the folder is not in a git work tree now',
    });
    return;
  }
  if (commit !== now.commit)
    differences.push({
      category: 'code',
      name: 'commit',
      ...(commit ? { recorded: commit } : {}),
      ...(now.commit ? { current: now.commit } : {}),
    });
  const diff =
    typeof recorded.annotations?.diffSha256 === 'string' ? recorded.annotations.diffSha256 : undefined;
  if (diff !== now.diffSha256)
    differences.push({
      category: 'code',
      name: 'uncommitted changes',
      recorded: diff ? `diff ${short(diff)}` : 'none',
      current: now.diffSha256 ? `diff ${short(now.diffSha256)}` : 'none',
      detail: 'tracked files differ from the commit in another way than when the run was recorded',
    });
  // Untracked files: pedigree's own records and the run's outputs come and go with runs, so they do not count.
  const params = statement.predicate.buildDefinition.externalParameters;
  const wd = params.workingDirectory === '.' ? '' : `${params.workingDirectory}/`;
  const own = [...params.outputs, ...(params.metricsFile ? [params.metricsFile] : [])].map((p) =>
    normalise(`${wd}${p}`),
  );
  // The record being re-run, when it was copied into the repository, is not part of the code either.
  const realRecord = recordFile !== undefined ? realpathOr(recordFile) : undefined;
  const realRoot = realpathOr(now.root) ?? now.root;
  const recordName =
    realRecord !== undefined && isWithin(realRoot, realRecord)
      ? relative(realRoot, realRecord).split(sep).join('/')
      : undefined;
  const counted = (name: string) =>
    !name.startsWith('.pedigree/') &&
    !name.startsWith(`${wd}.pedigree/`) &&
    name !== recordName &&
    !own.some((o) => o !== '' && covers(o, name));
  const recordedList = Array.isArray(recorded.annotations?.untracked)
    ? (recorded.annotations.untracked as unknown[]).filter((n): n is string => typeof n === 'string')
    : [];
  const recordedCount =
    typeof recorded.annotations?.untrackedCount === 'number' ? recorded.annotations.untrackedCount : 0;
  const recordedSha =
    typeof recorded.annotations?.untrackedSha256 === 'string'
      ? recorded.annotations.untrackedSha256
      : undefined;
  const sameNames =
    recordedCount === now.untrackedCount &&
    recordedList.length === now.untracked.length &&
    recordedList.every((n, i) => n === now.untracked[i]);
  if (sameNames) {
    if (recordedSha !== now.untrackedSha256)
      differences.push({
        category: 'code',
        name: 'untracked files',
        detail: `the same ${recordedCount} untracked files, other contents`,
      });
    return;
  }
  if (recordedCount <= recordedList.length && now.untrackedCount <= now.untracked.length) {
    const before = new Set(recordedList.filter(counted));
    const after = new Set(now.untracked.filter(counted));
    const added = [...after].filter((n) => !before.has(n));
    const removed = [...before].filter((n) => !after.has(n));
    if (added.length > 0 || removed.length > 0)
      differences.push({
        category: 'code',
        name: 'untracked files',
        detail: [
          added.length > 0 ? `new: ${listed(added)}` : '',
          removed.length > 0 ? `gone: ${listed(removed)}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      });
    else if (before.size > 0)
      notes.push(
        'untracked files: the same names apart from records and outputs; their contents cannot be compared separately',
      );
    return;
  }
  differences.push({
    category: 'code',
    name: 'untracked files',
    recorded: `${recordedCount} files`,
    current: `${now.untrackedCount} files`,
  });
}

async function compareInputs(
  statement: ProvenanceStatement,
  cwd: string,
  workers: number | undefined,
  differences: ParityDifference[],
  notes: string[],
): Promise<void> {
  for (const d of statement.predicate.buildDefinition.resolvedDependencies) {
    const kind = d.annotations?.kind;
    if (kind !== 'dataset' && kind !== 'file' && kind !== 'model') continue;
    if (kind === 'model' && d.digest?.sha256 === undefined) {
      notes.push(`base model ${d.uri ?? d.name ?? '?'} is a reference, not content: not compared`);
      continue;
    }
    if (typeof d.name !== 'string') continue;
    // pedigree run records paths relative to the run folder; an absolute one (`/`) would have a dry run
    // hash whatever a record from someone else points at.
    if (isAbsolute(d.name) || d.name.includes('\0')) {
      notes.push(`input ${JSON.stringify(d.name.slice(0, 200))} is recorded as an absolute path: not read`);
      continue;
    }
    const recorded = d.digest?.sha256;
    const count = (n: number) => ` (${n} file${n === 1 ? '' : 's'})`;
    const files = typeof d.annotations?.files === 'number' ? count(d.annotations.files) : '';
    let now: Awaited<ReturnType<typeof digestOfPath>> | undefined;
    let problem: string | undefined;
    try {
      now = await digestOfPath(resolve(cwd, d.name), workers !== undefined ? { workers } : {});
    } catch (error) {
      problem = describeError(error);
    }
    if (now?.sha256 === recorded) continue;
    differences.push({
      category: 'input',
      name: d.name,
      recorded: `${short(recorded)}${files}`,
      ...(now ? { current: `${short(now.sha256)}${now.form === 'folder' ? count(now.files) : ''}` } : {}),
      detail: now
        ? `${kind === 'model' ? 'the base model' : 'the input'} changed: the re-run will likely diverge`
        : `cannot be read now: ${problem}`,
    });
  }
}

function compareVariables(
  statement: ProvenanceStatement,
  env: Readonly<Record<string, string | undefined>>,
  applyEnv: readonly string[],
  differences: ParityDifference[],
): void {
  const recorded = statement.predicate.buildDefinition.externalParameters.environment;
  const applied = new Set<string>([...DEFAULT_ENV_ALLOWLIST, ...applyEnv]);
  const names = new Set<string>([...applied, ...Object.keys(recorded)]);
  const seeded = statement.predicate.buildDefinition.externalParameters.seed !== undefined;
  for (const name of [...names].sort(compareStrings)) {
    // A recorded seed is given to the re-run as PEDIGREE_SEED whatever the shell has (--seed is a parameter).
    if (isSecretName(name) || (seeded && name === 'PEDIGREE_SEED')) continue;
    const r = Object.hasOwn(recorded, name) ? recorded[name] : undefined;
    const c = env[name];
    if (r === c || (r !== undefined && c !== undefined && truncated(r) && c.startsWith(r.slice(0, -1))))
      continue;
    const corrected = applied.has(name) && !(r !== undefined && truncated(r));
    differences.push({
      category: 'variable',
      name,
      ...(r !== undefined ? { recorded: r } : {}),
      ...(c !== undefined ? { current: c } : {}),
      ...(corrected
        ? { correctedForRerun: true, detail: 'the re-run gets the recorded state' }
        : { detail: `not set for the re-run: pass --env ${name} to give it the recorded value` }),
    });
  }
}

function comparePlatform(
  statement: ProvenanceStatement,
  now: RunEnvironment,
  differences: ParityDifference[],
): void {
  const rec = byproduct(statement, 'pedigree.environment')?.annotations ?? {};
  const os = (rec.os ?? {}) as Record<string, unknown>;
  const cpu = (rec.cpu ?? {}) as Record<string, unknown>;
  const gpus = Array.isArray(rec.gpus)
    ? (rec.gpus as unknown[])
        .map((g) => {
          const o = (g ?? {}) as Record<string, unknown>;
          return `${String(o.name ?? '?')}${o.driver ? ` (driver ${String(o.driver)})` : ''}`;
        })
        .join(', ')
    : undefined;
  const pairs: [string, unknown, string][] = [
    [
      'os',
      os.platform !== undefined ? `${String(os.platform)} ${String(os.arch)}` : undefined,
      `${now.os.platform} ${now.os.arch}`,
    ],
    ['kernel', os.release, now.os.release],
    ['cpu', cpu.model, now.cpu.model],
    ['cpu count', cpu.count, String(now.cpu.count)],
    ['gpus', gpus, now.gpus.map((g) => `${g.name}${g.driver ? ` (driver ${g.driver})` : ''}`).join(', ')],
    ['node', rec.node, now.node],
  ];
  for (const [name, recorded, current] of pairs) {
    if (recorded === undefined || String(recorded) === current) continue;
    differences.push({ category: 'platform', name, recorded: String(recorded), current: current || 'none' });
  }
}

/** Compares the environment now with the record: what differs, and what could not be compared. */
export async function checkParity(
  statement: ProvenanceStatement,
  options: ParityOptions,
): Promise<ParityReport> {
  const differences: ParityDifference[] = [];
  const notes: string[] = [];
  const cwd = resolve(options.cwd);
  const env = options.env ?? process.env;
  const applyEnv = options.applyEnv ?? [];
  const params = statement.predicate.buildDefinition.externalParameters;
  const deps = statement.predicate.buildDefinition.resolvedDependencies;

  compareCode(statement, readCodeState(cwd), differences, notes, options.recordFile);
  await compareInputs(statement, cwd, options.workers, differences, notes);

  const python = interpreterFor(statement, options.python);
  const recordedExecutable = deps
    .find((d) => d.annotations?.kind === 'interpreter')
    ?.uri?.replace(/^file:/, '');
  if (
    options.python === undefined &&
    recordedExecutable !== undefined &&
    isAbsolute(recordedExecutable) &&
    existsSync(recordedExecutable) &&
    !isRecordedInterpreterUsable(recordedExecutable)
  )
    notes.push(
      `the recorded interpreter ${recordedExecutable.slice(0, 200)} is not run (its name is not a Python interpreter's); python3 is compared instead (--python to choose)`,
    );
  const now = readEnvironment({ python, env, extraVariables: Object.keys(params.environment) });
  const recordedInterpreter = deps.find((d) => d.annotations?.kind === 'interpreter');
  if (recordedInterpreter && python === false) notes.push('the interpreter was not compared (--no-python)');
  else if (recordedInterpreter) {
    const version = String(recordedInterpreter.annotations?.version ?? 'unknown');
    const executable = recordedInterpreter.uri?.replace(/^file:/, '');
    if (!now.python)
      differences.push({
        category: 'interpreter',
        name: 'python',
        recorded: version,
        detail: `${String(python)} cannot be run now${now.problems.length > 0 ? `: ${now.problems.join('; ')}` : ''}`,
      });
    else {
      if (now.python.version !== version)
        differences.push({
          category: 'interpreter',
          name: 'python',
          recorded: version,
          current: now.python.version,
        });
      if (executable !== undefined && executable !== now.python.executable)
        differences.push({
          category: 'interpreter',
          name: 'executable',
          recorded: executable,
          current: now.python.executable,
        });
      comparePackages(
        packageMap(deps, (s) => s === 'interpreter'),
        new Map(now.python.packages.map((p) => [normaliseName(p.name), p.version])),
        `installed in ${now.python.executable}`,
        differences,
      );
    }
  }

  // Locked packages: the recorded lockfiles read again (missing ones are a difference of their own).
  const sources = [
    ...new Set(
      deps
        .filter((d) => d.annotations?.kind === 'package' && typeof d.annotations.source === 'string')
        .map((d) => d.annotations?.source as string)
        .filter((s) => s !== 'interpreter'),
    ),
  ].sort(compareStrings);
  const present: string[] = [];
  for (const source of sources) {
    const path = resolve(cwd, source);
    if (isInsidePath(source) && existsSync(path)) present.push(path);
    else
      differences.push({
        category: 'package',
        name: source,
        recorded: 'lockfile',
        detail: 'the lockfile is not there now',
      });
  }
  if (sources.length > 0) {
    const current = new Map<string, string>();
    for (const path of present)
      for (const file of readDependencies([path]).read)
        for (const p of file.packages)
          if (p.version !== undefined && p.ecosystem !== 'npm')
            current.set(normaliseName(p.normalizedName), p.version);
    comparePackages(
      packageMap(deps, (s) => s !== 'interpreter'),
      current,
      `locked in ${sources.join(', ')}`,
      differences,
    );
  }

  compareVariables(statement, env, applyEnv, differences);
  comparePlatform(statement, now, differences);
  if (
    options.seed !== undefined &&
    options.seed !== (params.seed === undefined ? undefined : String(params.seed))
  )
    differences.push({
      category: 'parameter',
      name: 'seed',
      ...(params.seed !== undefined ? { recorded: String(params.seed) } : {}),
      current: options.seed,
      detail: 'the re-run uses the seed given',
    });
  const redacted = byproduct(statement, 'pedigree.environment')?.annotations?.redactedVariables;
  if (Array.isArray(redacted) && redacted.length > 0)
    notes.push(
      `credentials were set but never recorded: ${redacted.map(String).join(', ')}; the re-run inherits yours`,
    );
  return { matches: differences.every((d) => d.correctedForRerun === true), differences, notes };
}

/**
 * Runs with process.env changed, then puts it back: recordRun gives the command process.env, and the
 * re-run must see the recorded variables (not the user's), so they are set for its duration.
 */
async function withEnvironment<T>(
  changes: Record<string, string | undefined>,
  run: () => Promise<T>,
): Promise<T> {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(changes)) {
    saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await run();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** The outputs to set aside: validated, inside the run folder, none inside another. */
function outputsToSetAside(statement: ProvenanceStatement, cwd: string): string[] {
  const params = statement.predicate.buildDefinition.externalParameters;
  const paths = [...params.outputs, ...(params.metricsFile !== undefined ? [params.metricsFile] : [])];
  const clean: string[] = [];
  for (const p of paths) {
    if (!isInsidePath(p))
      throw new UsageError(
        'BAD_ARGUMENT',
        `output ${JSON.stringify(p.slice(0, 200))} is not inside the run folder: pedigree moves only what is inside it aside; re-run with --overwrite to leave it to the command`,
      );
    const n = normalise(p);
    if (n === '.pedigree' || n.startsWith('.pedigree/'))
      throw new UsageError(
        'BAD_ARGUMENT',
        `output ${JSON.stringify(n.slice(0, 200))} is inside .pedigree/: re-run with --overwrite`,
      );
    // The repository itself (or a submodule's) is never moved: the re-run would run on no code at all.
    if (n.split('/').includes('.git'))
      throw new UsageError(
        'BAD_ARGUMENT',
        `output ${JSON.stringify(n.slice(0, 200))} is git's own data (.git): pedigree does not move it aside; re-run with --overwrite`,
      );
    const link = linkOnTheWay(cwd, n);
    if (link !== undefined)
      throw new UsageError(
        'BAD_ARGUMENT',
        `output ${JSON.stringify(n.slice(0, 200))} is reached through the symbolic link ${JSON.stringify(link)}: moving it aside would move files outside the run folder; re-run with --overwrite`,
      );
    clean.push(n);
  }
  const unique = [...new Set(clean)].sort(compareStrings);
  const outer = unique.filter((p) => !unique.some((q) => q !== p && covers(q, p)));
  const inputs = [
    ...params.inputs,
    ...statement.predicate.buildDefinition.resolvedDependencies
      .filter(
        (d) =>
          d.annotations?.kind === 'model' && d.digest?.sha256 !== undefined && typeof d.name === 'string',
      )
      .map((d) => d.name as string),
  ].map(normalise);
  for (const o of outer)
    for (const i of inputs)
      if (covers(o, i) || covers(i, o))
        throw new UsageError(
          'BAD_ARGUMENT',
          `output ${JSON.stringify(o.slice(0, 200))} overlaps input ${JSON.stringify(i.slice(0, 200))}: it cannot be moved aside without changing the input; re-run with --overwrite`,
        );
  return outer;
}

/**
 * The first folder on the way from `cwd` to `rel` (excluding `rel` itself, which is moved as what it is,
 * a link included) that is a symbolic link, or undefined. `rename` follows links in the folders of a path:
 * `lnk/model` with `lnk -> ../elsewhere` would move `../elsewhere/model`.
 */
function linkOnTheWay(cwd: string, rel: string): string | undefined {
  const parts = rel.split('/');
  for (let k = 1; k < parts.length; k++) {
    const prefix = parts.slice(0, k).join('/');
    let info: ReturnType<typeof lstatSync>;
    try {
      info = lstatSync(join(cwd, prefix));
    } catch {
      return undefined; // does not exist (yet): nothing below it to move
    }
    if (info.isSymbolicLink()) return prefix;
  }
  return undefined;
}

/** Whether anything is at `path`, a dangling symbolic link included (existsSync follows links). */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function move(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  renameSync(from, to);
}

/** A folder that must be a real folder of the run folder, not a link somewhere else: created when missing. */
function ownFolder(path: string): void {
  let info: ReturnType<typeof lstatSync> | undefined;
  try {
    info = lstatSync(path);
  } catch {
    mkdirSync(path);
    return;
  }
  if (!info.isDirectory())
    throw new UsageError(
      'BAD_ARGUMENT',
      `${path} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: pedigree keeps set-aside outputs only in a folder of the run folder; remove it, or re-run with --overwrite`,
    );
}

/** A folder under `.pedigree/repro/` for this re-run, git-ignored so it never makes the code look dirty. */
function reproFolder(cwd: string, invocationId: string): string {
  const dotPedigree = join(cwd, '.pedigree');
  const base = join(dotPedigree, 'repro');
  ownFolder(dotPedigree);
  ownFolder(base);
  // Created only when missing, and never through a link planted in its place (`wx`: O_CREAT|O_EXCL).
  try {
    writeFileSync(join(base, '.gitignore'), '*\n', { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return mkdtempSync(join(base, `${stamp}-${invocationId.replace(/[^\w-]/g, '').slice(0, 8)}-`));
}

/** The note left beside set-aside outputs while they are away: how to put them back by hand. */
export const RESTORE_NOTE = 'RESTORE.txt';

function restoreNote(
  cwd: string,
  folder: string,
  paths: readonly string[],
  command: readonly string[],
): string {
  return [
    `pedigree repro moved these paths of ${cwd} here (into previous/) before re-running`,
    `  ${command.map((a) => JSON.stringify(a)).join(' ')}`,
    'and puts them back when the re-run ends. If this note is still here, pedigree did not finish',
    '(it was killed, or a path could not be put back): move each one back yourself, for example',
    ...paths.map(
      (p) => `  mv ${JSON.stringify(join(folder, 'previous', p))} ${JSON.stringify(join(cwd, p))}`,
    ),
    '',
  ].join('\n');
}

/** Signals that would end pedigree while outputs are set aside: the outputs are put back first. */
const RESTORE_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The base models to pass again: local paths as recorded, Hub references as `org/name[@revision]`. */
function baseModelsOf(statement: ProvenanceStatement): string[] {
  const out: string[] = [];
  for (const d of statement.predicate.buildDefinition.resolvedDependencies) {
    if (d.annotations?.kind !== 'model') continue;
    if (d.digest?.sha256 !== undefined && typeof d.name === 'string') out.push(d.name);
    else if (d.uri?.startsWith('pkg:huggingface/')) out.push(d.uri.slice('pkg:huggingface/'.length));
  }
  return out;
}

/**
 * Checks parity, re-runs the recorded command and compares. Throws UsageError for a record it refuses to
 * re-run (outputs outside the folder or reached through a link, outputs overlapping inputs, `.git`) or a
 * folder it cannot set outputs aside in.
 *
 * Outputs set aside are put back however the re-run ends: when it returns, throws, or when pedigree gets
 * SIGINT, SIGTERM or SIGHUP (then, once they are back, the signal is raised again so pedigree ends as it
 * would have; while the command runs, the command gets Ctrl-C itself and pedigree waits for it). Only
 * SIGKILL or a crash of the machine can leave them in `previous/`, with RESTORE.txt saying how to move
 * them back.
 */
export async function reproduceRun(options: ReproOptions): Promise<ReproResult> {
  const statement = options.statement;
  const cwd = resolve(options.cwd);
  const params = statement.predicate.buildDefinition.externalParameters;
  const invocationId = statement.predicate.runDetails.metadata.invocationId;
  const parity = options.parity ?? (await checkParity(statement, options));
  const applyEnv = options.applyEnv ?? [];
  const aside = options.overwrite === true ? [] : outputsToSetAside(statement, cwd);

  let folder: string | undefined;
  const moved: string[] = [];
  const workspaceProblems: string[] = [];
  let commandStarted = false;
  let commandRunning = false;
  let restored = false;

  /** The re-run's outputs go to `outputs/`, the earlier ones back where they were. Runs once. */
  const restore = (): void => {
    if (folder === undefined || restored) return;
    restored = true;
    const f = folder;
    // Only a command that started can have written outputs: before it, what is in place was never moved.
    for (const rel of commandStarted ? aside : []) {
      const path = resolve(cwd, rel);
      if (!present(path) || present(join(f, 'outputs', rel))) continue;
      // The command may have put a link on the way since: what is behind it is not the run's to move.
      const link = linkOnTheWay(cwd, rel);
      if (link !== undefined) {
        workspaceProblems.push(`the re-run's ${rel} stays in place: ${link} is now a symbolic link`);
        continue;
      }
      try {
        move(path, join(f, 'outputs', rel));
      } catch (error) {
        workspaceProblems.push(`the re-run's ${rel} stays in place: ${describeError(error)}`);
      }
    }
    for (const rel of moved.splice(0)) {
      try {
        if (present(resolve(cwd, rel))) throw new Error('the path is taken');
        if (linkOnTheWay(cwd, rel) !== undefined)
          throw new Error('a folder on the way is now a symbolic link');
        move(join(f, 'previous', rel), resolve(cwd, rel));
      } catch (error) {
        workspaceProblems.push(
          `${rel} could not be put back; it is in ${join(f, 'previous', rel)} (${describeError(error)})`,
        );
      }
    }
    if (workspaceProblems.length === 0) rmSync(join(f, RESTORE_NOTE), { force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    // While the command runs it gets Ctrl-C too (same process group) and pedigree waits for it to end.
    if (commandRunning) return;
    restore();
    for (const s of RESTORE_SIGNALS) process.off(s, onSignal);
    process.kill(process.pid, signal);
  };

  if (options.overwrite !== true) {
    folder = reproFolder(cwd, invocationId);
    writeFileSync(join(folder, RESTORE_NOTE), restoreNote(cwd, folder, aside, params.command));
    for (const s of RESTORE_SIGNALS) process.on(s, onSignal);
    for (const rel of aside) {
      if (!present(resolve(cwd, rel))) continue;
      try {
        move(resolve(cwd, rel), join(folder, 'previous', rel));
        moved.push(rel);
      } catch (error) {
        restore();
        for (const s of RESTORE_SIGNALS) process.off(s, onSignal);
        throw new UsageError(
          'PATH_UNREADABLE',
          `cannot move ${rel} aside before the re-run (${describeError(error)}); nothing was run${
            workspaceProblems.length > 0 ? ` (and: ${workspaceProblems.join('; ')})` : ''
          }. Re-run with --overwrite to let the command overwrite it`,
          { cause: error },
        );
      }
    }
  }

  const recordEnv = Object.keys(params.environment).filter(
    (n) => !(DEFAULT_ENV_ALLOWLIST as readonly string[]).includes(n),
  );
  const lockfiles = [
    ...new Set(
      statement.predicate.buildDefinition.resolvedDependencies
        .filter((d) => d.annotations?.kind === 'package' && typeof d.annotations.source === 'string')
        .map((d) => d.annotations?.source as string)
        .filter((s) => s !== 'interpreter' && isInsidePath(s) && existsSync(resolve(cwd, s))),
    ),
  ];
  const seed = options.seed ?? (params.seed !== undefined ? String(params.seed) : undefined);
  let record: Awaited<ReturnType<typeof recordRun>> | undefined;
  let failure: string | undefined;
  try {
    record = await withEnvironment(rerunVariables(statement, applyEnv), () =>
      recordRun({
        command: params.command,
        cwd,
        inputs: params.inputs,
        baseModels: baseModelsOf(statement),
        outputs: params.outputs,
        ...(params.metricsFile !== undefined ? { metricsFile: params.metricsFile } : {}),
        ...(seed !== undefined ? { seed } : {}),
        python: interpreterFor(statement, options.python),
        lockfiles,
        recordEnv,
        stdio: options.stdio ?? 'inherit',
        ...(options.version !== undefined ? { version: options.version } : {}),
        ...(options.workers !== undefined ? { workers: options.workers } : {}),
        onCommandStart: () => {
          commandStarted = true;
          commandRunning = true;
        },
        onCommandEnd: () => {
          commandRunning = false;
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    failure = error.message;
  } finally {
    restore();
    for (const s of RESTORE_SIGNALS) process.off(s, onSignal);
  }

  const workspace = {
    mode: options.overwrite === true ? ('overwritten' as const) : ('restored' as const),
    ...(folder !== undefined ? { folder } : {}),
    problems: workspaceProblems,
  };
  if (!record)
    return {
      verdict: 'failed',
      reasons: [`the re-run could not start: ${failure ?? 'unknown reason'}`],
      outputs: [],
      metrics: [],
      parity,
      workspace,
    };
  const rerunStatement: ProvenanceStatement = {
    ...record.statement,
    predicate: {
      ...record.statement.predicate,
      buildDefinition: {
        ...record.statement.predicate.buildDefinition,
        internalParameters: {
          ...(record.statement.predicate.buildDefinition.internalParameters ?? {}),
          reproductionOf: invocationId,
        },
      },
    },
  };
  const comparison = compareRuns(statement, rerunStatement, options.settings);
  return {
    ...comparison,
    parity,
    rerun: {
      status: record.status,
      exitCode: record.exitCode,
      signal: record.signal,
      problems: record.problems,
      statement: rerunStatement,
    },
    workspace,
  };
}
