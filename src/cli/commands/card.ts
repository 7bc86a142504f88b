import { stat } from 'node:fs/promises';
import type { CardKind } from '../../cards/audit/types.js';
import { auditCardPaths, type CardsReport } from '../../cards/run.js';
import { cardConfigFinding, resolveCardSettings } from '../../cards/settings.js';
import { UsageError } from '../../core/errors.js';
import type { Severity } from '../../core/finding.js';
import { readConfig } from '../../policy/config.js';
import { resolveFailOn } from '../../policy/found-config.js';
import { exitCodeFor } from '../../report/exit-code.js';
import { renderReport } from '../../report/index.js';
import { safe } from '../../report/text.js';
import type { CliIo } from '../io.js';
import { deliverReport, reportFormat, severityOption, shownConfigPath } from '../output.js';

export interface CardAuditCommandOptions {
  readonly format: string;
  readonly output?: string;
  readonly failOn?: string;
  readonly minScore?: string;
  readonly kind?: string;
  readonly config?: string;
  readonly noConfig?: boolean;
  readonly exclude: readonly string[];
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/** Per card: kind, score against its minimum, and the heaviest rubric items it misses. */
export function cardsTextHeader(report: CardsReport): string {
  const lines = report.cards.cards.map((c) => {
    const missing = c.breakdown
      .filter((i) => i.earned === 0)
      .sort((a, b) => b.weight - a.weight)
      .slice(0, 4)
      .map((i) => i.title.toLowerCase());
    return `${c.kind.padEnd(7)} ${String(c.score).padStart(3)}/100${c.belowMinimum ? ` (below ${c.minScore})` : ''}  ${c.path}${missing.length > 0 ? `  missing: ${missing.join('; ')}` : ''}`;
  });
  const s = report.cards.summary;
  return [
    `${s.cards} card(s): ${s.models} model, ${s.datasets} dataset${s.averageScore !== undefined ? `; average completeness ${s.averageScore}/100` : ''}${s.belowMinimum > 0 ? `; ${s.belowMinimum} below the minimum` : ''}`,
    ...lines,
    '',
    '',
  ]
    .map((l) => safe(l))
    .join('\n');
}

/** The score table at the top of the markdown report. */
function cardsMarkdownHeader(report: CardsReport): string {
  if (report.cards.cards.length === 0) return '';
  const esc = (t: string) =>
    t
      .replace(/\\/g, '\\\\')
      .replace(/\|/g, '\\|')
      .replace(/[\r\n]+/g, ' ');
  const rows = report.cards.cards.map(
    (c) =>
      `| \`${esc(c.path)}\` | ${c.kind} | ${c.score}${c.belowMinimum ? ` ⚠️ (min ${c.minScore})` : ''} | ${esc(
        c.breakdown
          .filter((i) => i.earned === 0)
          .sort((a, b) => b.weight - a.weight)
          .map((i) => i.title)
          .join(', ') || '—',
      )} |`,
  );
  return [
    '### Card completeness',
    '',
    '| card | kind | score | missing |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    '',
  ].join('\n');
}

function cardKind(value: string | undefined): CardKind | undefined {
  if (value === undefined) return undefined;
  if (value === 'model' || value === 'dataset') return value;
  throw new UsageError('BAD_ARGUMENT', `--kind must be model or dataset, got '${value}'`);
}

function minScoreOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Digits only: Number() reads '' and ' ' as 0, '0x10' as 16 and '1e1' as 10.
  const n = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 100)
    throw new UsageError(
      'BAD_ARGUMENT',
      `--min-score: expected a whole number from 0 to 100, got '${value}'`,
    );
  return n;
}

/** `pedigree card audit PATH...`: 0 nothing at or above the threshold, 1 findings at or above it. */
export async function runCardAuditCommand(
  paths: readonly string[],
  options: CardAuditCommandOptions,
  io: CliIo,
): Promise<number> {
  const format = reportFormat(options.format);
  const kind = cardKind(options.kind);
  const minScore = minScoreOption(options.minScore);
  const audited = paths.length > 0 ? paths : ['.'];
  let root: string | undefined;
  if (audited.length === 1) {
    const info = await stat(audited[0] as string).catch(() => undefined);
    if (info?.isDirectory()) root = audited[0];
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
  const shownConfig = loaded ? shownConfigPath(loaded.file, found, root) : undefined;
  const { settings, notes } = resolveCardSettings({
    ...(loaded?.config.cards !== undefined ? { policy: loaded.config.cards } : {}),
    ...(shownConfig !== undefined ? { file: shownConfig } : {}),
    found,
    commandLine: {
      ...(minScore !== undefined ? { minScore } : {}),
      ...(kind !== undefined ? { kind } : {}),
    },
  });
  if (loaded && options.verbose)
    io.stderr(
      `using configuration ${loaded.file}${found ? ' (found in the audited folder; reported as CARD-CONFIG, --no-config ignores it)' : ''}\n`,
    );
  const foundNotes = [
    ...(decision.found ? [`failOn ${decision.found.requested}: ${decision.found.outcome}`] : []),
    ...notes,
  ];
  const report = await auditCardPaths(audited, {
    tool: { name: 'pedigree', version: io.version },
    settings,
    exclude: [...(found ? [] : (loaded?.config.exclude ?? [])), ...options.exclude],
    selection: 'all',
    ...(found && shownConfig !== undefined && (loaded?.config.cards !== undefined || decision.found)
      ? { extraFindings: [cardConfigFinding(shownConfig, foundNotes)] }
      : {}),
  });
  if (
    report.cards.cards.length === 0 &&
    !report.findings.some((f) => f.ruleId === 'CARD-MISSING' || f.ruleId === 'CARD-READ-ERROR')
  )
    throw new UsageError('PATH_NOT_FOUND', `no model or dataset card found in ${audited.join(', ')}`);
  let rendered = renderReport(report, format, {
    color: format === 'text' && options.output === undefined && io.stdoutIsTTY && !io.noColor,
    failOn: decision.failOn,
    verbose: options.verbose,
  });
  if (format === 'text') rendered = cardsTextHeader(report) + rendered;
  if (format === 'markdown') rendered = cardsMarkdownHeader(report) + rendered;
  await deliverReport(rendered, { ...options, format }, io);
  const code = exitCodeFor(report, decision.failOn);
  if (options.quiet && format === 'text')
    io.stderr(
      `${report.cards.summary.cards} card(s), ${report.findings.length} finding(s): ${code === 0 ? 'pass' : 'FAIL'} (threshold ${decision.failOn})\n`,
    );
  return code;
}
