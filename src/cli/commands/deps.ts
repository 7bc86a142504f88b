import { stat } from 'node:fs/promises';
import { UsageError } from '../../core/errors.js';
import type { Severity } from '../../core/finding.js';
import { type FoundConfigNote, failOnNote, resolveDependencySettings } from '../../deps/policy.js';
import { DEPS_RULES } from '../../deps/rules.js';
import { checkDependencyPaths, type DepsReport } from '../../deps/run.js';
import { readConfig } from '../../policy/config.js';
import { resolveFailOn } from '../../policy/found-config.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { renderReport } from '../../report/index.js';
import { safe } from '../../report/text.js';
import { auditDependencies, compilePolicyOrFail, processEnv } from '../dependency-audit.js';
import type { CliIo } from '../io.js';
import { deliverReport, reportFormat, severityOption, shownConfigPath } from '../output.js';

export interface DepsCommandOptions {
  readonly format: string;
  readonly output?: string;
  readonly failOn?: string;
  readonly unknownSeverity?: string;
  readonly maxDbAge?: string;
  readonly dbDir?: string;
  readonly noBundled?: boolean;
  readonly config?: string;
  /** --no-config: read no configuration file, neither one found in the scanned folder nor --config. */
  readonly noConfig?: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
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
  // Paths, names and ids come from the checked files: neutralised like every other line of the text view.
  return [
    `${d.files.length} dependency file(s): ${d.files.map((f) => `${f.path} (${f.format}, ${f.packages})`).join(', ') || 'none found'}`,
    `${s.packages} package(s): ${s.resolved} resolved, ${s.unresolved} unresolved, ${s.notChecked} not checked; ${s.vulnerabilities} vulnerabilit${s.vulnerabilities === 1 ? 'y' : 'ies'} in ${s.vulnerable} package(s)${s.ignored > 0 ? `, ${s.ignored} ignored by the configuration` : ''}`,
    ...(s.licenses !== undefined
      ? [
          `licences: ${s.licenses.checked} checked (${s.licenses.denied} denied, ${s.licenses.notAllowed} not allowed, ${s.licenses.unknown} not SPDX), ${s.licenses.missing} package(s) without licence information`,
        ]
      : []),
    `database: ${sources}; newest advisory ${db.newestModified ?? 'unknown'}${db.ageDays !== undefined ? ` (${db.ageDays} days old)` : ''}`,
    '',
    '',
  ]
    .map((line) => safe(line))
    .join('\n');
}

/** `pedigree deps PATH...`: 0 nothing at or above the threshold, 1 findings at or above it. */
export async function runDepsCommand(
  paths: readonly string[],
  options: DepsCommandOptions,
  io: CliIo,
): Promise<number> {
  const format = reportFormat(options.format);
  const unknownSeverity =
    options.unknownSeverity !== undefined
      ? (severityOption(options.unknownSeverity, '--unknown-severity', false) as Severity)
      : undefined;
  const maxDbAgeDays = options.maxDbAge !== undefined ? Number(options.maxDbAge) : undefined;
  if (maxDbAgeDays !== undefined && !(Number.isInteger(maxDbAgeDays) && maxDbAgeDays >= 0))
    throw new UsageError(
      'BAD_ARGUMENT',
      `--max-db-age: expected a whole number of days, got '${options.maxDbAge}'`,
    );
  const scanned = paths.length > 0 ? paths : ['.'];
  checkDependencyPaths(scanned);
  // As for `scan`: a configuration file is looked for only when one directory is checked.
  let root: string | undefined;
  if (scanned.length === 1) {
    const info = await stat(scanned[0] as string).catch(() => undefined);
    if (info?.isDirectory()) root = scanned[0];
  }
  const loaded = options.noConfig ? undefined : await readConfig(options.config, root);
  const found = loaded?.discovered === true;
  const decision = resolveFailOn(
    options.failOn !== undefined
      ? (severityOption(options.failOn, '--fail-on', true) as Severity | 'none')
      : undefined,
    loaded?.config.failOn,
    found,
  );
  const failOn = decision.failOn;
  const deps = loaded?.config.deps;
  const policy = compilePolicyOrFail(deps, loaded?.file, found);
  const settings = resolveDependencySettings({
    commandLine: {
      ...(unknownSeverity !== undefined ? { unknownSeverity } : {}),
      ...(maxDbAgeDays !== undefined ? { maxDbAgeDays } : {}),
    },
    ...(deps !== undefined ? { config: deps } : {}),
    found,
  });
  if (loaded && options.verbose)
    io.stderr(
      `using configuration ${loaded.file}${found ? ' (found in the scanned folder; reported as DEP-CONFIG, --no-config ignores it)' : ''}\n`,
    );
  // A file found in the scanned folder belongs to whoever controls that folder: its ignores are applied
  // and every vulnerability they hide is reported (DEP-CONFIG); looser settings are not honoured. A file
  // given with --config is the user's own and applies silently.
  const notes: FoundConfigNote[] = [
    ...(decision.found ? [failOnNote(decision.found)] : []),
    ...settings.notes,
  ];
  const configFile = loaded
    ? {
        path: shownConfigPath(loaded.file, found, root),
        found,
        notes,
      }
    : undefined;
  const report: DepsReport = auditDependencies(
    scanned,
    {
      ...(options.dbDir !== undefined ? { storeDir: options.dbDir } : {}),
      ...(options.noBundled ? { noBundled: true } : {}),
    },
    {
      tool: { name: 'pedigree', version: io.version },
      unknownSeverity: settings.unknownSeverity,
      maxDbAgeDays: settings.maxDbAgeDays,
      ...(policy !== undefined ? { policy } : {}),
      ...(configFile !== undefined ? { configFile } : {}),
      env: processEnv(),
    },
  );
  // Nothing read and nothing unreadable: the path holds no dependency files (a usage error, not a pass).
  if (report.artifacts.length === 0 && !report.findings.some((f) => f.ruleId === DEPS_RULES.readProblem.id))
    throw new UsageError('PATH_NOT_FOUND', `no manifest or lockfile found in ${paths.join(', ') || '.'}`);
  let rendered = renderReport(report, format, {
    color: format === 'text' && options.output === undefined && io.stdoutIsTTY && !io.noColor,
    failOn,
    verbose: options.verbose,
  });
  if (format === 'text') rendered = textHeader(report) + rendered;
  await deliverReport(rendered, { ...options, format }, io);
  const code = exitCodeFor(report, failOn);
  if (options.quiet && format === 'text')
    io.stderr(
      `${report.dependencies.summary.packages} package(s), ${report.dependencies.summary.vulnerabilities} vulnerabilit(ies): ${code === 0 ? 'pass' : 'FAIL'} (threshold ${failOn})\n`,
    );
  return code;
}
