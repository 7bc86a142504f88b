import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { describeError, ParseError, UsageError, VerificationError } from '../../core/errors.js';
import {
  approveDependencies,
  BASELINE_CHANGE_KINDS,
  type Baseline,
  type BaselineApproval,
  type BaselineReport,
  type CriticalPolicy,
  checkDependencies,
  compareBaseline,
  DEFAULT_BASELINE_FILE,
  MAX_BASELINE_BYTES,
  parseBaseline,
  toBaselineJson,
} from '../../deps/baseline.js';
import type { PedigreeConfig } from '../../policy/config.js';
import { readConfig } from '../../policy/config.js';
import { resolveFailOn } from '../../policy/found-config.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { renderReport } from '../../report/index.js';
import { safe } from '../../report/text.js';
import { processEnv } from '../dependency-audit.js';
import type { CliIo } from '../io.js';
import { deliverReport, reportFormat, severityOption } from '../output.js';

interface PolicyOptions {
  /** `--baseline FILE`: wins over the configuration. */
  readonly baseline?: string;
  readonly config?: string;
  /** `--no-config`: read no configuration file. */
  readonly noConfig?: boolean;
}

export interface DepsApproveOptions extends PolicyOptions {
  readonly approver?: string;
  readonly note?: string;
  /** Record the approval time (off by default: the file stays byte-identical across re-approvals). */
  readonly timestamp?: boolean;
}

export interface DepsCheckOptions extends PolicyOptions {
  readonly format: string;
  readonly output?: string;
  readonly failOn?: string;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

interface Policy {
  readonly loaded?: { readonly config: PedigreeConfig; readonly file: string; readonly discovered: boolean };
  /** Absolute path of the baseline file. */
  readonly baselinePath: string;
}

/** Most read problems listed when `approve` refuses; the rest are counted. */
const MAX_LISTED_PROBLEMS = 10;

const posix = (p: string) => p.split(sep).join('/');

/** The baseline as the report names it: relative to the working directory when inside it. */
function displayPath(absolute: string): string {
  const rel = relative(process.cwd(), absolute);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? posix(rel) : posix(absolute);
}

/**
 * The configuration (as `pedigree scan` finds it: `--config`, else pedigree.yaml in the one folder given) and
 * the baseline path: `--baseline`, else `deps.baseline.file` relative to the configuration file, else
 * pedigree-baseline.json in the folder given (the working directory when files or several paths are given).
 */
async function resolvePolicy(paths: readonly string[], options: PolicyOptions): Promise<Policy> {
  let folder: string | undefined;
  if (paths.length === 1) {
    const info = await stat(paths[0] as string).catch(() => undefined);
    if (info?.isDirectory()) folder = paths[0];
  }
  const loaded = options.noConfig ? undefined : await readConfig(options.config, folder);
  if (options.baseline !== undefined)
    return { ...(loaded ? { loaded } : {}), baselinePath: resolve(options.baseline) };
  const configured = loaded?.config.deps?.baseline?.file;
  if (loaded && configured !== undefined) {
    const configDir = dirname(resolve(loaded.file));
    const baselinePath = resolve(configDir, configured);
    // A file found in the scanned folder belongs to that folder's owner; letting it point `approve` at any
    // path would let a repository overwrite files outside itself.
    // Compared after resolving symbolic links: `out -> /elsewhere` inside the folder must not lead out of it.
    const rel = relative(realPathOf(configDir), realPathOf(baselinePath));
    if (loaded.discovered && (rel === '' || rel.startsWith('..') || isAbsolute(rel)))
      throw new UsageError(
        'BAD_CONFIG',
        `${loaded.file}: deps.baseline.file '${configured}' leaves the folder of the configuration found in the scanned folder; pass --baseline FILE or --config to use it`,
      );
    return { loaded, baselinePath };
  }
  return { ...(loaded ? { loaded } : {}), baselinePath: resolve(folder ?? '.', DEFAULT_BASELINE_FILE) };
}

/**
 * The path with every symbolic link resolved, for the part that exists (a baseline not written yet, or its
 * folder, may not exist): the real path of the deepest existing ancestor, plus the rest as given.
 */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(existing), ...rest);
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.unshift(basename(existing));
      existing = parent;
    }
  }
}

/** git's `user.name`, when git is installed and configured; never fails. */
function gitUserName(): string | undefined {
  try {
    const name = execFileSync('git', ['config', '--get', 'user.name'], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

async function readExisting(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError('PATH_UNREADABLE', `cannot read ${path}: ${describeError(error)}`, { cause: error });
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** `1 added, 2 version`: the kinds that occur, in report order. */
function describeCounts(counts: Readonly<Record<string, number>>): string {
  const parts = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * `pedigree deps approve PATH...`: records the packages the dependency files declare as the approved
 * baseline. Refuses (exit 2) when a file could not be fully read: an approval must cover everything.
 */
export async function runDepsApprove(
  paths: readonly string[],
  options: DepsApproveOptions,
  io: CliIo,
): Promise<number> {
  const policy = await resolvePolicy(paths, options);
  const approver =
    options.approver ?? gitUserName() ?? process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME;
  const approval: BaselineApproval = {
    ...(approver !== undefined && approver !== '' ? { approver } : {}),
    ...(options.note !== undefined ? { note: options.note } : {}),
    // Seconds are enough to say when; milliseconds would only make two approvals differ more.
    ...(options.timestamp ? { approvedAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } : {}),
  };
  const result = approveDependencies(paths, approval, processEnv());
  if (result.files.length === 0)
    throw new UsageError('PATH_NOT_FOUND', `no manifest or lockfile found in ${paths.join(', ') || '.'}`);
  if (result.problems.length > 0) {
    const listed = result.problems
      .slice(0, MAX_LISTED_PROBLEMS)
      .map(
        (p) =>
          `  ${p.location.path}${p.location.line !== undefined ? `:${p.location.line}` : ''}: ${p.message}`,
      );
    const more = result.problems.length - listed.length;
    throw new UsageError(
      'PATH_UNREADABLE',
      `not approved: ${plural(result.problems.length, 'problem')} reading the dependency files, so the baseline would miss packages:\n${listed.join('\n')}${more > 0 ? `\n  and ${more} more` : ''}\nFix them, or give only the files that read cleanly.`,
    );
  }
  const path = policy.baselinePath;
  const text = toBaselineJson(result.baseline);
  const existing = await readExisting(path);
  const shown = displayPath(path);
  const packages = plural(result.baseline.packages.length, 'package');
  const files = result.files.map((f) => f.path).join(', ');
  if (existing?.equals(Buffer.from(text, 'utf8'))) {
    io.stdout(`${safe(`${shown} is up to date: ${packages} from ${files} (${result.baseline.digest})`)}\n`);
    return 0;
  }
  let since = '';
  if (existing !== undefined) {
    try {
      const previous = parseBaseline(existing.toString('utf8'), shown);
      const diff = compareBaseline(previous, result.read, 'all');
      const counts = Object.fromEntries(
        BASELINE_CHANGE_KINDS.map((kind) => [kind, diff.changes.filter((c) => c.kind === kind).length]),
      );
      since = `; since the previous approval: ${diff.changes.length === 0 ? 'no package changes' : describeCounts(counts)}`;
    } catch (error) {
      since = `; the previous baseline was replaced (${describeError(error)})`;
    }
  }
  // Written next to the target and renamed over it: a reader never sees half a baseline, and a symbolic
  // link at the target is replaced, not followed.
  const temporary = join(dirname(path), `.${DEFAULT_BASELINE_FILE}.${process.pid}.tmp`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, text, { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError('PATH_UNREADABLE', `cannot write ${shown}: ${describeError(error)}`, {
      cause: error,
    });
  }
  io.stdout(
    `${safe(`approved ${packages} from ${files} into ${shown} (${result.baseline.digest})${since}`)}\n`,
  );
  return 0;
}

async function loadBaseline(path: string): Promise<Baseline> {
  const shown = displayPath(path);
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (info.size > MAX_BASELINE_BYTES)
      throw new UsageError(
        'BAD_CONFIG',
        `${shown}: larger than ${MAX_BASELINE_BYTES} bytes: not a baseline pedigree wrote`,
      );
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(
        'PATH_NOT_FOUND',
        `no approved baseline at ${shown}: record one with \`pedigree deps approve\` (or pass --baseline FILE)`,
        { cause: error },
      );
    throw new UsageError('PATH_UNREADABLE', `cannot read baseline ${shown}: ${describeError(error)}`, {
      cause: error,
    });
  }
  try {
    return parseBaseline(bytes.toString('utf8'), shown);
  } catch (error) {
    if (error instanceof ParseError || error instanceof VerificationError)
      throw new UsageError(
        'BAD_CONFIG',
        `${error.message}. Review the dependency changes, then record a new baseline with \`pedigree deps approve\`.`,
        { cause: error },
      );
    throw error;
  }
}

function textHeader(report: BaselineReport, criticalFrom: string): string {
  const b = report.dependencies.baseline;
  const s = b.summary;
  const critical =
    b.critical === 'all'
      ? `all packages ${criticalFrom}`
      : `${b.critical.join(', ') || 'none'} ${criticalFrom}`;
  return [
    `baseline: ${b.file} (${b.approval.approver !== undefined ? `approved by ${b.approval.approver}` : 'approver not recorded'}${b.approval.approvedAt !== undefined ? ` at ${b.approval.approvedAt}` : ''}; ${b.digest})`,
    `critical: ${critical}`,
    `${s.approved} approved, ${s.current} current, ${s.unchanged} unchanged; changes: ${describeCounts(s.changes)} (${s.critical} of critical packages)`,
    ...(b.unmatchedCritical.length > 0
      ? [`warning: critical names that match no package: ${b.unmatchedCritical.join(', ')}`]
      : []),
    '',
    '',
  ]
    .map((line) => safe(line))
    .join('\n');
}

/**
 * `pedigree deps check PATH...`: compares the dependency files with the approved baseline. 0 when no
 * finding reaches the threshold, 1 when one does; a missing or invalid baseline is a usage error (2).
 */
export async function runDepsCheck(
  paths: readonly string[],
  options: DepsCheckOptions,
  io: CliIo,
): Promise<number> {
  const format = reportFormat(options.format);
  const cliFailOn =
    options.failOn !== undefined ? severityOption(options.failOn, '--fail-on', true) : undefined;
  const policy = await resolvePolicy(paths, options);
  const config = policy.loaded?.config;
  const failOn = resolveFailOn(cliFailOn, config?.failOn, policy.loaded?.discovered === true).failOn;
  const configured = config?.deps?.baseline?.critical;
  // Unset means every package: a gate that protects nothing until someone lists names would fail open.
  const critical: CriticalPolicy = configured ?? 'all';
  const baseline = await loadBaseline(policy.baselinePath);
  const report = checkDependencies(paths, {
    tool: { name: 'pedigree', version: io.version },
    baseline,
    baselineFile: displayPath(policy.baselinePath),
    critical,
    env: processEnv(),
  });
  if (report.artifacts.length === 0)
    throw new UsageError('PATH_NOT_FOUND', `no manifest or lockfile found in ${paths.join(', ') || '.'}`);
  let rendered = renderReport(report, format, {
    color: format === 'text' && options.output === undefined && io.stdoutIsTTY && !io.noColor,
    failOn,
    verbose: options.verbose,
  });
  if (format === 'text')
    rendered =
      textHeader(
        report,
        configured === undefined ? '(default)' : `(from ${policy.loaded?.file ?? 'the configuration'})`,
      ) + rendered;
  await deliverReport(rendered, { ...options, format }, io);
  const code = exitCodeFor(report, failOn);
  if (options.quiet && format === 'text') {
    const s = report.dependencies.baseline.summary;
    io.stderr(
      `${plural(s.critical, 'change')} of critical packages, ${s.approved} approved, ${s.current} current: ${code === 0 ? 'pass' : 'FAIL'} (threshold ${failOn})\n`,
    );
  }
  return code;
}
