import { writeFile } from 'node:fs/promises';
import { describeError, UsageError } from '../../core/errors.js';
import { isSeverity, type Severity } from '../../core/finding.js';
import { openDatabase } from '../../deps/database.js';
import { OsvStoreError } from '../../deps/osv/store.js';
import { type DepsReport, scanDependencies } from '../../deps/run.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { renderReport } from '../../report/index.js';
import type { CliIo } from '../io.js';

export const DEPS_FORMATS = ['text', 'json', 'sarif', 'markdown'] as const;

export interface DepsCommandOptions {
  readonly format: string;
  readonly output?: string;
  readonly failOn?: string;
  readonly unknownSeverity?: string;
  readonly maxDbAge?: string;
  readonly dbDir?: string;
  readonly noBundled?: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

function severityOption(value: string, name: string, allowNone: boolean): Severity | 'none' {
  if ((allowNone && value === 'none') || isSeverity(value)) return value as Severity | 'none';
  throw new UsageError(
    'BAD_ARGUMENT',
    `${name}: expected critical, high, medium, low, info${allowNone ? ' or none' : ''}, got '${value}'`,
  );
}

/** The text view: the report's findings, preceded by what was read and which database answered. */
function textHeader(report: DepsReport): string {
  const d = report.dependencies;
  const s = d.summary;
  const db = d.database;
  const sources =
    db.sources
      .map((x) => `${x.id}${x.bundled ? ' (bundled snapshot)' : ''}, ${x.records} records`)
      .join('; ') || 'no advisory data';
  return [
    `${d.files.length} dependency file(s): ${d.files.map((f) => `${f.path} (${f.format}, ${f.packages})`).join(', ') || 'none found'}`,
    `${s.packages} package(s): ${s.resolved} resolved, ${s.unresolved} unresolved, ${s.notChecked} not checked; ${s.vulnerabilities} vulnerabilit${s.vulnerabilities === 1 ? 'y' : 'ies'} in ${s.vulnerable} package(s)`,
    `database: ${sources}; newest advisory ${db.newestModified ?? 'unknown'}${db.ageDays !== undefined ? ` (${db.ageDays} days old)` : ''}`,
    '',
    '',
  ].join('\n');
}

/** `pedigree deps PATH...`: 0 nothing at or above the threshold, 1 findings at or above it. */
export async function runDepsCommand(
  paths: readonly string[],
  options: DepsCommandOptions,
  io: CliIo,
): Promise<number> {
  if (!(DEPS_FORMATS as readonly string[]).includes(options.format))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--format must be one of ${DEPS_FORMATS.join(', ')}, got '${options.format}'`,
    );
  const failOn = options.failOn !== undefined ? severityOption(options.failOn, '--fail-on', true) : 'high';
  const unknownSeverity =
    options.unknownSeverity !== undefined
      ? (severityOption(options.unknownSeverity, '--unknown-severity', false) as Severity)
      : 'medium';
  const maxDbAgeDays = options.maxDbAge !== undefined ? Number(options.maxDbAge) : undefined;
  if (maxDbAgeDays !== undefined && !(Number.isInteger(maxDbAgeDays) && maxDbAgeDays >= 0))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--max-db-age: expected a whole number of days, got '${options.maxDbAge}'`,
    );
  let report: DepsReport;
  try {
    const database = openDatabase({
      ...(options.dbDir !== undefined ? { storeDir: options.dbDir } : {}),
      ...(options.noBundled ? { noBundled: true } : {}),
    });
    try {
      report = scanDependencies(paths.length > 0 ? paths : ['.'], {
        tool: { name: 'pedigree', version: io.version },
        database,
        unknownSeverity,
        ...(maxDbAgeDays !== undefined ? { maxDbAgeDays } : {}),
        env: Object.fromEntries(
          Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined),
        ),
      });
    } finally {
      database.close();
    }
  } catch (error) {
    if (error instanceof OsvStoreError) throw new UsageError('DATABASE', error.message, { cause: error });
    throw error;
  }
  if (report.artifacts.length === 0 && report.findings.every((f) => f.ruleId === 'DEP-DB-STALE'))
    throw new UsageError('PATH_NOT_FOUND', `no manifest or lockfile found in ${paths.join(', ') || '.'}`);
  const format = options.format as (typeof DEPS_FORMATS)[number];
  let rendered = renderReport(report, format, {
    color: format === 'text' && options.output === undefined && io.stdoutIsTTY && !io.noColor,
    failOn,
    verbose: options.verbose,
  });
  if (format === 'text') rendered = textHeader(report) + rendered;
  if (options.output !== undefined) {
    try {
      await writeFile(options.output, rendered);
    } catch (error) {
      throw new UsageError('PATH_UNREADABLE', `cannot write ${options.output}: ${describeError(error)}`, {
        cause: error,
      });
    }
  } else if (!(options.quiet && format === 'text')) io.stdout(rendered);
  const code = exitCodeFor(report, failOn);
  if (options.quiet && format === 'text')
    io.stderr(
      `${report.dependencies.summary.packages} package(s), ${report.dependencies.summary.vulnerabilities} vulnerabilit(ies): ${code === 0 ? 'pass' : 'FAIL'} (threshold ${failOn})\n`,
    );
  return code;
}
