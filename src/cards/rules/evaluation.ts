import { truncateText } from '../../core/byte-reader.js';
import type { RuleDescriptor } from '../../core/rules.js';
import type { CardAuditContext, CardCheck, CardFindingDraft } from '../audit/types.js';
import {
  checkModelIndex,
  describeValue,
  type ModelIndexCheck,
  type ModelIndexIssue,
  type ModelIndexResult,
  metricValueNumber,
  modelIndexResults,
  pointerToField,
} from '../model-index.js';
import { coverage, type Topic } from '../topics.js';
import { type CardProse, cardProse, evidenceOf, type ProseLine, sectionField, titleTopics } from './prose.js';

/**
 * Evaluation: whether a model card reports results, whether its structured results (`model-index`) are
 * valid, and whether results are broken down by the groups the card itself says matter. Mitchell et al.,
 * "Model Cards for Model Reporting" (FAT* 2019, arXiv:1810.03993): §4.3 Factors ("groups ... instrumentation
 * ... environments"), §4.4 Metrics, §4.7 Quantitative Analyses ("Unitary results" and "Intersectional
 * results": "results should be disaggregated"). The `model-index` format is hub-docs `modelcard.md`
 * (see `model-index.ts`).
 */

const MITCHELL = 'https://arxiv.org/abs/1810.03993';
const MODEL_INDEX_SPEC = 'https://github.com/huggingface/hub-docs/blob/main/modelcard.md';
const HUB_EVAL_RESULTS = 'https://huggingface.co/docs/hub/model-cards#evaluation-results';

export const CARD_EVALUATION_RULES = {
  evalMissing: {
    id: 'CARD-EVAL-MISSING',
    title: 'Model card reports no evaluation results',
    description:
      'No `model-index` with a valid result, no evaluation or results section with content, no results table. Trainer boilerplate does not count: metrics of `nan`, or a summary "on the evaluation set" of a dataset the Trainer calls None. Without results, nobody can tell how well the model works or for whom.',
    help: 'Report results on named datasets: a "Results" section (a table of metric, dataset, split, value) and the same in `model-index` so the Hub shows them.',
    defaultSeverity: 'medium',
    references: [MITCHELL, HUB_EVAL_RESULTS],
    tags: ['cards', 'evaluation'],
  },
  modelIndexInvalid: {
    id: 'CARD-MODEL-INDEX-INVALID',
    title: '`model-index` does not follow the Hub specification',
    description:
      "The `model-index` metadata is malformed: not a list, an entry without `name` or `results`, a result without `task.type`, `dataset.type` or `dataset.name`, a metric without `type` or `value`, a value that is not a number (`nan`, empty, `N/A`), or a task type outside the Hub's task list. huggingface_hub drops the whole `model-index` when a required key is missing, and the Hub shows no results.",
    help: 'Fix the entry at the path given; the required keys are in hub-docs `modelcard.md`.',
    defaultSeverity: 'medium',
    references: [MODEL_INDEX_SPEC, HUB_EVAL_RESULTS],
    tags: ['cards', 'evaluation', 'metadata'],
  },
  evalDuplicateResults: {
    id: 'CARD-EVAL-DUPLICATE-RESULTS',
    title: 'Identical results reported for different datasets',
    description:
      'Two `model-index` results on different datasets, configurations or splits carry exactly the same metric values, or one result is repeated: almost always a copy-paste error, so at least one reported number is wrong.',
    help: 'Report the values measured on each dataset and split; remove repeated entries.',
    defaultSeverity: 'medium',
    references: [MODEL_INDEX_SPEC],
    tags: ['cards', 'evaluation'],
  },
  evalNotDisaggregated: {
    id: 'CARD-EVAL-NOT-DISAGGREGATED',
    title: 'Results not broken down by the groups the card names',
    description:
      'The card names factors (a Factors section) or says performance varies across demographic or linguistic groups (gender, age, race, skin type, accent, dialect, languages), but no result is reported per group: no per-group rows or columns, no per-group metrics. Mitchell et al. §4.7: results should be disaggregated by the factors.',
    help: 'Report the metrics per group (a table with one row per group, or `model-index` results per configuration), or say why it could not be measured.',
    defaultSeverity: 'low',
    references: [MITCHELL],
    tags: ['cards', 'evaluation', 'fairness'],
  },
  metricsMissing: {
    id: 'CARD-METRICS-MISSING',
    title: 'Results without a named metric',
    description:
      'The card reports results (a results section or table) but names no metric anywhere: no Metrics section, no `metrics` metadata, no metric types in `model-index`, no metric name next to the numbers. The numbers cannot be interpreted or compared.',
    help: 'Say which metric each number is (accuracy, F1, WER, BLEU...), and why it was chosen, in a "Metrics" section.',
    defaultSeverity: 'low',
    references: [MITCHELL],
    tags: ['cards', 'evaluation'],
  },
} as const satisfies Record<string, RuleDescriptor>;

/** `model-index` problems reported one by one; the rest are one summary finding. */
export const MAX_MODEL_INDEX_FINDINGS = 20;
/** Duplicate-result findings per card. */
const MAX_DUPLICATE_FINDINGS = 10;
/** Tables read per card, rows per table, characters of an HTML table. */
const MAX_TABLES = 100;
const MAX_TABLE_ROWS = 500;
const MAX_HTML_TABLE_CHARS = 64 * 1024;

// ---------------------------------------------------------------------------------------------------------
// What the card reports
// ---------------------------------------------------------------------------------------------------------

/**
 * Metric names as they appear in table headers and results prose (the Hub's metric ids and their usual
 * spellings). Matched on lower-cased text.
 */
const METRIC_WORD =
  /(?:^|[^a-z0-9])(?:acc(?:uracy|uracies)?|f1|f-1|f[- ]?scores?|f[- ]?measure|precision|recall|bleu|sacrebleu|chr-?f\+{0,2}|rouge(?:-?[l12]|l?sum)?|meteor|wer|cer|word error rate|character error rate|error rates?|(?:root )?mean (?:absolute |squared |absolute percentage )?errors?|perplexity|ppl|exact[ -]?match|em|auc|auroc|roc[ -]auc|mean average precision|m?iou|dice|mae|mse|rmse|r2|loss|scores?|pass@\d{1,3}|top-?[15]|fid|kld|kl divergence|clip ?score|frechet|spearman|pearson|correlation|matthews|mcc|ndcg|mrr|bertscore|psnr|ssim|lpips|win rate|elo)(?:$|[^a-z0-9])/;

/** A table cell holding a number: `60.8`, `0.736`, `96%`, `~93`, `20.0 ± 1.2`. */
const NUMERIC_CELL = /^[~<>≈]?[ \t]*[-+]?\d{1,12}(?:[.,]\d{1,12})?[ \t]*%?/;
/**
 * Metric names that, next to a number, make a result wherever they stand: "accuracy: 0.75" under
 * "## Measured", "AUC-ROC ≈ 0.87" under "## Metrics (synthetic test split)", a table row "| mAP | 0.41 |".
 * Matched on lower-cased text.
 */
const RESULT_METRIC =
  /(?:^|[^a-z0-9])(?:accuracy|f1|auc|a?p|map|wer|cer|perplexity|mae|mse|rmse|bleu|rouge|precision|recall|eer|dcf)(?:[-_ ]?(?:roc|pr|macro|micro|weighted|score|lsum|l|1|2|@\d{1,3}))?(?=$|[^a-z0-9])/;
/** `Name: number` (or `=`, `≈`): a metric word, an optional parenthesis, a separator and a number. */
const METRIC_VALUE = new RegExp(
  `${RESULT_METRIC.source}[ \\t*]*(?:\\([^()\\n]{0,40}\\)[ \\t*]*)?[:=≈~][ \\t*]*[-+]?\\d{1,6}(?:[.,]\\d{1,6})?`,
);
/** A table cell that is only a metric name (with markup): `**mAP**`, `AP (pneumonia)`. */
const METRIC_CELL = /^[*_` ]*[a-z0-9@ _-]{1,30}(?:\([^()]{0,40}\))?[*_` ]*$/;
/** A header cell naming the column of metric names: `Metric`, `Measure`. */
const METRIC_HEADER = /^[*_` ]*(?:metrics?|measures?)[*_` ]*$/i;

/** A number that reads as a measurement in prose: a decimal or a percentage. */
const MEASURED_NUMBER = /\d{1,3}(?:\.\d{1,6})?[ \t]?%|\b\d{0,6}\.\d{1,6}\b/;

/** A table found in the card (markdown or HTML). */
interface CardTable {
  readonly line: number;
  readonly section: number | undefined;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

const MD_SEPARATOR = /^[ \t]*\|?[ \t]*:?-{1,200}:?[ \t]*(?:\|[ \t]*:?-{1,200}:?[ \t]*){0,100}\|?[ \t]*$/;

function splitRow(text: string): string[] {
  return text
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .slice(0, 100)
    .map((c) => c.trim());
}

function htmlCells(html: string): { header: string[]; rows: string[][] } {
  const headEnd = html.search(/<\/thead\s*>/i);
  const starts = [...html.matchAll(/<tr\b[^>]{0,200}>/gi)].slice(0, MAX_TABLE_ROWS + 10).map((m) => m.index);
  const header: string[] = [];
  const rows: string[][] = [];
  for (let k = 0; k < starts.length; k++) {
    const start = starts[k] as number;
    const chunk = html.slice(start, starts[k + 1] ?? html.length);
    const cells = chunk
      .split(/<t[hd]\b[^>]{0,200}>/i)
      .slice(1, 101)
      .map((c) =>
        c
          .replace(/<[^<>]{0,500}>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    // Header rows: those inside <thead>, else the first row.
    if (headEnd >= 0 ? start < headEnd : k === 0) header.push(...cells);
    else rows.push(cells);
  }
  return { header, rows: rows.slice(0, MAX_TABLE_ROWS) };
}

const TABLE_CACHE = new WeakMap<CardProse, readonly CardTable[]>();

/** The markdown and HTML tables of the card's prose (code excluded), bounded. */
function cardTables(prose: CardProse): readonly CardTable[] {
  const cached = TABLE_CACHE.get(prose);
  if (cached !== undefined) return cached;
  const tables: CardTable[] = [];
  const lines = prose.lines;
  for (let i = 0; i < lines.length && tables.length < MAX_TABLES; i++) {
    const line = lines[i] as ProseLine;
    if (line.code) continue;
    if (/<table\b/i.test(line.visible)) {
      let html = '';
      let j = i;
      for (; j < lines.length && html.length < MAX_HTML_TABLE_CHARS; j++) {
        html += `${(lines[j] as ProseLine).visible}\n`;
        if (/<\/table\s*>/i.test((lines[j] as ProseLine).visible)) break;
      }
      const { header, rows } = htmlCells(html.slice(html.search(/<table\b/i)));
      tables.push({ line: line.line, section: line.section, header, rows });
      i = j;
      continue;
    }
    const next = lines[i + 1];
    if (!line.visible.includes('|') || next === undefined || next.line !== line.line + 1) continue;
    if (!MD_SEPARATOR.test(next.visible) || !next.visible.includes('-')) continue;
    const header = splitRow(line.text);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && rows.length < MAX_TABLE_ROWS; j++) {
      const row = lines[j] as ProseLine;
      if (row.line !== (lines[j - 1] as ProseLine).line + 1 || !row.visible.includes('|')) break;
      rows.push(splitRow(row.text));
    }
    tables.push({ line: line.line, section: line.section, header, rows });
    i = j - 1;
  }
  TABLE_CACHE.set(prose, tables);
  return tables;
}

/** Sections whose tables are training logs or hyperparameters, not evaluation results. */
function isTrainingContext(prose: CardProse, ctx: CardAuditContext, section: number | undefined): boolean {
  if (section === undefined) return false;
  const topics = prose.sectionTopics[section] ?? new Set<Topic>();
  if (topics.has('evaluation-results') || topics.has('evaluation-data')) return false;
  if (topics.has('training-data') || topics.has('training-procedure') || topics.has('technical-specs'))
    return true;
  if (topics.has('environmental-impact')) return true;
  const title = ctx.doc.sections[section]?.normalizedTitle ?? '';
  return /\btraining\b|\bhyper ?parameters?\b/.test(title);
}

function hasNumber(rows: readonly (readonly string[])[]): boolean {
  return rows.some((row) => row.some((cell) => NUMERIC_CELL.test(cell)));
}

/** A row pairing a metric name in one cell with a number in another. */
function metricRow(row: readonly string[]): boolean {
  const named = row.findIndex(
    (c) => METRIC_CELL.test(c.toLowerCase()) && RESULT_METRIC.test(c.toLowerCase()),
  );
  return named >= 0 && row.some((c, i) => i !== named && NUMERIC_CELL.test(c));
}

/**
 * A table of results: a metric named in its header (or first column, for transposed tables), a column
 * headed "Metric", or a row pairing a metric name with a number; and numbers.
 */
function isResultsTable(table: CardTable): boolean {
  if (!hasNumber(table.rows)) return false;
  if (table.header.some((c) => METRIC_WORD.test(c.toLowerCase()) || METRIC_HEADER.test(c))) return true;
  return table.rows.some(
    (row) => (row[0] !== undefined && METRIC_WORD.test(row[0].toLowerCase())) || metricRow(row),
  );
}

/**
 * Lines outside code and training sections that pair a metric with a number (`Accuracy: 0.75`). The
 * Trainer's summary list is left to `trainerCounts`, which knows when its dataset is "None".
 */
function metricValueLines(
  prose: CardProse,
  ctx: CardAuditContext,
  trainer: TrainerSummary | undefined,
): ProseLine[] {
  const out: ProseLine[] = [];
  const first = trainer?.line.line ?? 0;
  const last = first + (trainer?.values.length ?? 0);
  for (const line of prose.lines) {
    if (line.code || isTrainingContext(prose, ctx, line.section)) continue;
    if (trainer !== undefined && line.line > first && line.line <= last) continue;
    if (METRIC_VALUE.test(line.text.toLowerCase())) out.push(line);
    if (out.length >= 20) break;
  }
  return out;
}

/** The Trainer's summary: "It achieves the following results on the evaluation set:" and its list. */
interface TrainerSummary {
  readonly line: ProseLine;
  readonly values: readonly { readonly key: string; readonly value: string; readonly valid: boolean }[];
  /** The Trainer named no dataset ("on the None dataset"). */
  readonly unknownDataset: boolean;
}

const TRAINER_RESULTS = /\bachieves the following results on the evaluation set\b/i;
const TRAINER_VALUE = /^[ \t]*[-*][ \t]+([^:\n]{1,80}):[ \t]*(.{0,100})$/;
const TRAINER_NO_DATASET = /\bon the (?:None|generator|unknown) dataset\b|\bon an unknown dataset\b/i;

function trainerSummary(prose: CardProse): TrainerSummary | undefined {
  const lines = prose.lines;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as ProseLine;
    if (line.code || !TRAINER_RESULTS.test(line.text)) continue;
    const values: { key: string; value: string; valid: boolean }[] = [];
    for (let j = i + 1; j < lines.length && values.length < 100; j++) {
      const row = lines[j] as ProseLine;
      if (row.line !== (lines[j - 1] as ProseLine).line + 1) break;
      const m = TRAINER_VALUE.exec(row.visible);
      if (!m) break;
      const value = (m[2] as string).trim();
      values.push({ key: (m[1] as string).trim(), value, valid: !('problem' in metricValueNumber(value)) });
    }
    // The sentence before it names the dataset (or not): "...fine-tuned version of X on the None dataset."
    const around = lines
      .slice(Math.max(0, i - 2), i + 1)
      .map((l) => l.text)
      .join(' ');
    return { line, values, unknownDataset: TRAINER_NO_DATASET.test(around) };
  }
  return undefined;
}

/** Everything the card reports as results, gathered once. */
interface ResultsEvidence {
  readonly index: ModelIndexCheck | undefined;
  /** Normalised model-index results with at least one valid metric. */
  readonly indexResults: readonly ModelIndexResult[];
  readonly sections: readonly number[];
  readonly sectionState: ReturnType<typeof coverage>;
  readonly tables: readonly CardTable[];
  readonly trainer: TrainerSummary | undefined;
  /** The Trainer summary counts as a result: a non-`nan` value on a named dataset. */
  readonly trainerCounts: boolean;
  /** Lines pairing a metric with a number, in any section but training ones (see `metricValueLines`). */
  readonly metricLines: readonly ProseLine[];
}

function gatherResults(ctx: CardAuditContext): ResultsEvidence {
  const prose = cardProse(ctx);
  const index = Object.hasOwn(ctx.meta, 'model-index') ? checkModelIndex(ctx.meta['model-index']) : undefined;
  const indexResults =
    index !== undefined ? modelIndexResults(index).filter((r) => r.metrics.length > 0) : [];
  const sectionState = coverage(ctx.topics, 'evaluation-results');
  const tables = cardTables(prose).filter(
    (t) => isResultsTable(t) && !isTrainingContext(prose, ctx, t.section),
  );
  const trainer = trainerSummary(prose);
  const trainerCounts =
    trainer !== undefined && !trainer.unknownDataset && trainer.values.some((v) => v.valid);
  return {
    index,
    indexResults,
    sections: sectionState.state === 'content' ? sectionState.sections : [],
    sectionState,
    tables,
    trainer,
    trainerCounts,
    metricLines: metricValueLines(prose, ctx, trainer),
  };
}

function hasResults(evidence: ResultsEvidence): boolean {
  return (
    evidence.indexResults.length > 0 ||
    evidence.sectionState.state === 'content' ||
    evidence.tables.length > 0 ||
    evidence.trainerCounts ||
    evidence.metricLines.length > 0
  );
}

// ---------------------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------------------

function checkEvalMissing(ctx: CardAuditContext, evidence: ResultsEvidence): CardFindingDraft[] {
  if (hasResults(evidence)) return [];
  const reasons: string[] = [];
  const section = evidence.sectionState;
  const sectionName = sectionField(ctx, section.sections[0]);
  if (section.state === 'placeholder' || section.state === 'empty')
    reasons.push(
      `${sectionName ?? 'the results section'} ${section.state === 'empty' ? 'is empty' : 'holds only placeholders'}`,
    );
  else reasons.push('there is no results section or table');
  if (evidence.index !== undefined) {
    reasons.push(
      evidence.index.entries.length > 0 && evidence.index.issues.length === 0
        ? '`model-index` lists no results'
        : '`model-index` has no valid result',
    );
  } else reasons.push('there is no `model-index`');
  const trainer = evidence.trainer;
  if (trainer !== undefined) {
    const shown = trainer.values
      .slice(0, 3)
      .map((v) => `${v.key}: ${v.value}`)
      .join(', ');
    if (trainer.values.length > 0 && trainer.values.every((v) => !v.valid))
      reasons.push(`the Trainer's summary (line ${trainer.line.line}) has only \`nan\` values (${shown})`);
    else if (trainer.unknownDataset && trainer.values.length > 0)
      reasons.push(
        `the Trainer's summary (line ${trainer.line.line}: ${shown}) is on an evaluation set of a dataset it calls None`,
      );
  }
  const evalData = coverage(ctx.topics, 'evaluation-data');
  const evalSection = evalData.sections[0] !== undefined ? ctx.doc.sections[evalData.sections[0]] : undefined;
  // "Evaluation Data" whose subsections describe the data (GPT-2's "Datasets"), not "Testing Data, Factors & Metrics".
  const describesData =
    evalData.state === 'content' ||
    (evalSection?.subtreeState === 'content' &&
      titleTopics(evalSection.normalizedTitle).every((t) => t === 'evaluation-data'));
  const dataField = describesData ? sectionField(ctx, evalSection?.index) : undefined;
  const dataNote = describesData
    ? ` ${dataField ?? 'The card'} says what the model was evaluated on, but no numbers are given.`
    : '';
  const last = reasons.pop() as string;
  let line: number | undefined;
  let field: string;
  if (section.line !== undefined) {
    line = section.line;
    field = sectionName ?? '§ Evaluation Results';
  } else if (evidence.index !== undefined) {
    line = ctx.lineOf('model-index');
    field = 'model-index';
  } else if (dataField !== undefined) {
    line = evalData.line;
    field = dataField;
  } else {
    line = trainer?.line.line;
    field = '§ Evaluation Results';
  }
  return [
    {
      rule: CARD_EVALUATION_RULES.evalMissing,
      message: `No evaluation results: ${reasons.length > 0 ? `${reasons.join(', ')} and ` : ''}${last}.${dataNote}`,
      ...(line !== undefined ? { line } : {}),
      field,
      evidence:
        trainer !== undefined
          ? evidenceOf(trainer.line)
          : section.state !== 'absent'
            ? `${field}: ${section.state}`
            : 'no results section, table or model-index',
    },
  ];
}

function checkModelIndexIssues(ctx: CardAuditContext, evidence: ResultsEvidence): CardFindingDraft[] {
  const index = evidence.index;
  if (index === undefined) return [];
  const rule = CARD_EVALUATION_RULES.modelIndexInvalid;
  const out: CardFindingDraft[] = [];
  // An unknown task type is one finding per value, low: the structure is sound and the results are read;
  // only the Hub's grouping of them by task suffers. A card of 300 MTEB-style results gets one line.
  const taskTypes = new Map<string, ModelIndexIssue[]>();
  const structural: ModelIndexIssue[] = [];
  for (const issue of index.issues) {
    if (issue.code !== 'invalid-task-type') {
      structural.push(issue);
      continue;
    }
    const value = String(valueAt(ctx.meta, issue.pointer));
    const list = taskTypes.get(value) ?? [];
    list.push(issue);
    taskTypes.set(value, list);
  }
  for (const issue of structural.slice(0, MAX_MODEL_INDEX_FINDINGS)) {
    const value = valueAt(ctx.meta, issue.pointer);
    out.push({
      rule,
      message: issue.message,
      line: ctx.lineOf(issue.pointer) ?? ctx.lineOf('model-index'),
      field: issue.field,
      evidence: `${issue.field}: ${value === undefined ? '(absent)' : describeValue(value)}`,
    });
  }
  const rest = structural.length - MAX_MODEL_INDEX_FINDINGS;
  if (rest > 0) {
    out.push({
      rule,
      message: `${rest} more \`model-index\` problems (${summarise(structural.slice(MAX_MODEL_INDEX_FINDINGS).map((i) => i.code))}) are not listed one by one.`,
      line: ctx.lineOf('model-index'),
      field: 'model-index',
      evidence: `${structural.length} problems in model-index`,
    });
  }
  for (const [value, issues] of [...taskTypes].slice(0, MAX_MODEL_INDEX_FINDINGS)) {
    const first = issues[0] as ModelIndexIssue;
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more result${issues.length > 2 ? 's' : ''})` : '';
    out.push({
      rule,
      severity: 'low',
      message: `${first.message.replace(/\.$/, '')}${more}.`,
      line: ctx.lineOf(first.pointer) ?? ctx.lineOf('model-index'),
      field: first.field,
      evidence: `${first.field}: ${describeValue(value)}`,
    });
  }
  return out;
}

function summarise(codes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([code, n]) => `${n} ${code}`)
    .join(', ');
}

/** The value at a JSON Pointer of the metadata, walking at most the pointer's depth. */
function valueAt(meta: Readonly<Record<string, unknown>>, pointer: string): unknown {
  let node: unknown = meta;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = /^\d+$/.test(part) ? node[Number(part)] : undefined;
    else if (typeof node === 'object' && node !== null && Object.hasOwn(node, part))
      node = (node as Record<string, unknown>)[part];
    else return undefined;
  }
  return node;
}

function datasetKey(r: ModelIndexResult): string {
  const d = r.dataset;
  const args =
    d.args === undefined
      ? ''
      : typeof d.args === 'string'
        ? d.args
        : JSON.stringify(Object.entries(d.args).sort());
  return [d.type, d.config ?? '', d.split ?? '', d.revision ?? '', args].join('\u0000').toLowerCase();
}

function datasetLabel(r: ModelIndexResult): string {
  const d = r.dataset;
  const parts = [d.name !== d.type ? `${d.name} (\`${d.type}\`)` : `\`${d.type}\``];
  if (d.config !== undefined) parts.push(`config \`${d.config}\``);
  if (d.split !== undefined) parts.push(`split \`${d.split}\``);
  return truncateText(parts.join(', '), 160);
}

function metricsSignature(r: ModelIndexResult): string {
  return r.metrics
    .map((m) => `${m.type.toLowerCase()}=${String(m.value).trim()}`)
    .sort()
    .join('\u0000');
}

/** Digits that carry information: `0.0843` has 3, `1.0` has 1, `100` has 1. */
function significantDigits(value: number | string): number {
  const digits = String(value)
    .replace(/[^0-9]/g, '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return digits.length;
}

/**
 * Whether equal metric lists on two datasets are unlikely to be a coincidence: two metrics or more, or one
 * with at least three significant digits (a perfect `1.0` or `100` on two easy datasets can be real).
 */
function distinctive(r: ModelIndexResult): boolean {
  if (r.metrics.length >= 2) return true;
  const only = r.metrics[0];
  return only !== undefined && significantDigits(only.value) >= 3;
}

function checkDuplicates(ctx: CardAuditContext, evidence: ResultsEvidence): CardFindingDraft[] {
  const rule = CARD_EVALUATION_RULES.evalDuplicateResults;
  const out: CardFindingDraft[] = [];
  const firstBySignature = new Map<string, ModelIndexResult[]>();
  for (const r of evidence.indexResults) {
    const signature = metricsSignature(r);
    const seen = firstBySignature.get(signature) ?? [];
    const same = seen.find((s) => datasetKey(s) === datasetKey(r) && s.task.type === r.task.type);
    const other = seen.find((s) => datasetKey(s) !== datasetKey(r));
    const shown = r.metrics
      .slice(0, 4)
      .map((m) => `${m.type} ${String(m.value)}`)
      .join(', ');
    if (same !== undefined) {
      out.push({
        rule,
        message: `${pointerToField(r.pointer)} repeats ${pointerToField(same.pointer)}: same task, dataset ${datasetLabel(r)} and metrics (${shown}).`,
        line: ctx.lineOf(r.pointer),
        field: pointerToField(r.pointer),
        evidence: `${pointerToField(r.pointer)} = ${pointerToField(same.pointer)}: ${shown}`,
        remediation: 'Remove the repeated result.',
      });
    } else if (other !== undefined && distinctive(r)) {
      out.push({
        rule,
        message: `${pointerToField(r.pointer)} on ${datasetLabel(r)} reports exactly the metrics of ${pointerToField(other.pointer)} on ${datasetLabel(other)} (${shown}): probably copied.`,
        line: ctx.lineOf(r.pointer),
        field: pointerToField(r.pointer),
        evidence: `${pointerToField(other.pointer)} and ${pointerToField(r.pointer)}: ${shown}`,
      });
    }
    seen.push(r);
    firstBySignature.set(signature, seen);
    if (out.length >= MAX_DUPLICATE_FINDINGS) break;
  }
  return out;
}

/**
 * Factors the card names (Mitchell et al. §4.3: demographic or phenotypic groups, and linguistic ones) as
 * they appear in prose. `languages` is plural on purpose: "language" alone is in every NLP sentence.
 */
const GROUP_FACTOR =
  /\b(?:genders?|sex(?:es)?|age groups?|ages|races|racial|ethnic(?:ity|ities)?|skin (?:types?|tones?|colou?rs?)|fitzpatrick|accents?|dialects?|languages|demographics?|demographic groups?|nationalit(?:y|ies)|religions?|disabilit(?:y|ies)|sexual orientations?|socio-?economic)\b/i;
/** Group labels as they stand in a table cell (a row or column per group). */
const GROUP_SLICE =
  /^(?:gender|sex|male|female|men|women|non-binary|age(?: group)?|\d{1,2}\s?[-–]\s?\d{1,2}|\d{2}\+|race(?:\/colou?r)?|ethnicity|white|black|asian|hispanic|latino|latina|latinx|indian|middle eastern|southeast asian|east asian|skin (?:type|tone)|fitzpatrick(?: type)?\s?[ivx1-6]*|accents?|dialects?|languages?|lang|locale|nationality|religion|disability|sexual orientation|socio-?economic(?: status)?|physical appearance|demographics?)\b/i;
const LANGUAGE_NAME =
  /^(?:english|french|german|spanish|chinese|mandarin|cantonese|japanese|korean|arabic|hindi|portuguese|russian|italian|dutch|turkish|polish|swahili|yoruba|vietnamese|indonesian|bengali|urdu|persian|farsi|hebrew|greek|swedish|finnish|danish|norwegian|czech|romanian|hungarian|thai|ukrainian|tamil|telugu|marathi|gujarati|punjabi|malay|tagalog|amharic|hausa|igbo|zulu|xhosa)$/i;
/** Words saying performance varies: the prose must tie the groups to performance, not just mention them. */
const PERFORMANCE_WORD =
  /\b(?:perform\w{0,10}|accura\w{0,6}|error rates?|wer|disparit\w{0,4}|disparate|uneven\w{0,2}|var(?:y|ies|ied|iation))\b/i;
const GROUP_FACTOR_ALL = new RegExp(GROUP_FACTOR.source, 'gi');

/** Words saying performance differs between groups, preferred as evidence over a bare "performs well". */
const VARIATION_WORD =
  /\b(?:uneven\w{0,2}|disparit\w{0,4}|disparate|var(?:y|ies|ied|iation)|differ\w{0,5}|worse|lower|higher)\b/i;

/**
 * "Other languages" in a card for one language: a model trained on English that "will not perform as well in
 * other languages" says what it does not support, not that its results should be broken down by language.
 */
const OTHER_LANGUAGES =
  /\b(?:other|non[- ]?english|unseen|unsupported|different)\s+languages\b|\blanguages\s+other\s+than\s+\w+/gi;

/** The card is for one language at most: `language` metadata with fewer than two values. */
function monolingual(ctx: CardAuditContext): boolean {
  const language = ctx.meta.language;
  return !(Array.isArray(language) && language.length >= 2);
}

/** The sentence of a line that ties a group to performance, with the groups it names. */
function groupSentence(
  text: string,
  oneLanguage = false,
): { sentence: string; groups: string[]; varies: boolean } | undefined {
  let found: { sentence: string; varies: boolean } | undefined;
  const groups = new Set<string>();
  for (const original of text.split(/(?<=[.!?])\s+/).slice(0, 50)) {
    const sentence = oneLanguage ? original.replace(OTHER_LANGUAGES, ' ') : original;
    if (!GROUP_FACTOR.test(sentence) || !PERFORMANCE_WORD.test(sentence)) continue;
    for (const m of sentence.matchAll(GROUP_FACTOR_ALL)) groups.add(m[0].toLowerCase());
    const varies = VARIATION_WORD.test(sentence);
    if (found === undefined || (varies && !found.varies)) found = { sentence: sentence.trim(), varies };
  }
  return found !== undefined ? { ...found, groups: [...groups] } : undefined;
}

function cellIsGroup(cell: string): boolean {
  const c = cell.replace(/[*_`]/g, '').trim();
  return c.length > 0 && c.length <= 40 && GROUP_SLICE.test(c);
}

/** Evidence that some result is broken down by group. */
function disaggregation(ctx: CardAuditContext, evidence: ResultsEvidence): string | undefined {
  const prose = cardProse(ctx);
  // model-index: per-group configurations or names, or several configurations of one dataset (slices).
  const configsByDataset = new Map<string, Set<string>>();
  for (const r of evidence.indexResults) {
    const label = `${r.dataset.name} ${r.dataset.config ?? ''} ${r.metrics.map((m) => m.name ?? '').join(' ')}`;
    if (GROUP_FACTOR.test(label)) return `${pointerToField(r.pointer)}: ${truncateText(label.trim(), 80)}`;
    const set = configsByDataset.get(r.dataset.type) ?? new Set<string>();
    set.add(
      `${r.dataset.config ?? ''}\u0000${typeof r.dataset.args === 'string' ? r.dataset.args : JSON.stringify(r.dataset.args ?? '')}`,
    );
    configsByDataset.set(r.dataset.type, set);
    if (set.size >= 2) return `\`model-index\` reports \`${r.dataset.type}\` per configuration`;
  }
  // Tables outside training sections with a row or column per group.
  for (const table of cardTables(prose)) {
    if (isTrainingContext(prose, ctx, table.section) || !hasNumber(table.rows)) continue;
    const cells = [...table.header, ...table.rows.flat()];
    const group = cells.find(cellIsGroup);
    if (group !== undefined) return `table at line ${table.line}: "${truncateText(group, 40)}"`;
    if (cells.filter((c) => LANGUAGE_NAME.test(c.replace(/[*_`]/g, '').trim())).length >= 2)
      return `table at line ${table.line}: per-language rows`;
  }
  // Prose giving a measured number for a group: "accuracy >96% across all races ... (98.4%)".
  for (const line of prose.lines) {
    if (line.code || isTrainingContext(prose, ctx, line.section)) continue;
    if (GROUP_FACTOR.test(line.text) && MEASURED_NUMBER.test(line.text))
      return `line ${line.line}: ${evidenceOf(line)}`;
  }
  return undefined;
}

function checkDisaggregation(ctx: CardAuditContext, evidence: ResultsEvidence): CardFindingDraft[] {
  const prose = cardProse(ctx);
  const factors = coverage(ctx.topics, 'factors');
  let trigger:
    | { line: number | undefined; field: string | undefined; message: string; evidence: string }
    | undefined;
  if (factors.state === 'content') {
    const index = factors.sections[0];
    const body = index !== undefined ? (ctx.doc.sections[index]?.body ?? '') : '';
    // The factors themselves are usually a list; quote it rather than the section's introduction.
    const items = body
      .split('\n')
      .filter((l) => /^[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]+/.test(l))
      .map((l) => l.replace(/^[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]+/, '').trim());
    const field = sectionField(ctx, index) ?? '§ Factors';
    trigger = {
      line: factors.line,
      field,
      message: `${field} names factors performance may vary with`,
      evidence: truncateText((items.length > 0 ? items.join('; ') : body).replace(/\s+/g, ' ').trim(), 200),
    };
  } else {
    let best: { line: ProseLine; found: NonNullable<ReturnType<typeof groupSentence>> } | undefined;
    const oneLanguage = monolingual(ctx);
    for (const line of prose.lines) {
      // What the training data holds ("98 languages, 65% English") is not a claim about performance.
      if (line.code || isTrainingContext(prose, ctx, line.section)) continue;
      const found = groupSentence(line.text, oneLanguage);
      if (found === undefined || (best !== undefined && !found.varies)) continue;
      best = { line, found };
      if (found.varies) break;
    }
    if (best !== undefined) {
      const { line, found } = best;
      trigger = {
        line: line.line,
        field: sectionField(ctx, line.section),
        message: `The card says performance varies with ${found.groups
          .slice(0, 6)
          .map((g) => `"${g}"`)
          .join(', ')} (line ${line.line})`,
        evidence: truncateText(
          found.sentence.replace(/^[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]+/, '').replace(/\s+/g, ' '),
          200,
        ),
      };
    }
  }
  if (trigger === undefined || disaggregation(ctx, evidence) !== undefined) return [];
  return [
    {
      rule: CARD_EVALUATION_RULES.evalNotDisaggregated,
      message: `${trigger.message}, but no result is broken down by them: no per-group rows, columns or metrics.`,
      ...(trigger.line !== undefined ? { line: trigger.line } : {}),
      ...(trigger.field !== undefined ? { field: trigger.field } : {}),
      evidence: trigger.evidence,
    },
  ];
}

function checkMetricsNamed(ctx: CardAuditContext, evidence: ResultsEvidence): CardFindingDraft[] {
  if (coverage(ctx.topics, 'metrics').state === 'content') return [];
  const metricsMeta = ctx.meta.metrics;
  if (
    (typeof metricsMeta === 'string' && metricsMeta.trim() !== '') ||
    (Array.isArray(metricsMeta) && metricsMeta.length > 0)
  )
    return [];
  if (evidence.indexResults.length > 0) return [];
  // Results tables name a metric by definition; the Trainer names its metrics.
  if (evidence.tables.length > 0 || evidence.trainerCounts || evidence.metricLines.length > 0) return [];
  // A metric named anywhere in the text (CLIP names accuracy under "Bias and Fairness") is enough: this
  // rule is for numbers nobody can interpret, not for where the metric is explained.
  for (const line of cardProse(ctx).lines)
    if (!line.code && METRIC_WORD.test(line.text.toLowerCase())) return [];
  const first = evidence.sections[0] !== undefined ? ctx.doc.sections[evidence.sections[0]] : undefined;
  const field = sectionField(ctx, first?.index);
  return [
    {
      rule: CARD_EVALUATION_RULES.metricsMissing,
      message: `${field ?? 'The results section'} reports results, but no metric is named anywhere in the card (no Metrics section, no \`metrics\` metadata, no metric next to the numbers).`,
      ...(first !== undefined ? { line: first.headingLine } : {}),
      ...(field !== undefined ? { field } : {}),
      evidence: truncateText((first?.body ?? '').replace(/\s+/g, ' ').trim(), 160),
    },
  ];
}

/** Evaluation of a model card: results reported, `model-index` valid, no copied results, results disaggregated. */
export const checkEvaluation: CardCheck = (ctx) => {
  if (ctx.kind !== 'model') return [];
  const evidence = gatherResults(ctx);
  const missing = checkEvalMissing(ctx, evidence);
  return [
    ...missing,
    ...checkModelIndexIssues(ctx, evidence),
    ...checkDuplicates(ctx, evidence),
    // With no results at all, "not broken down" and "no metric" would only repeat CARD-EVAL-MISSING.
    ...(missing.length === 0 ? checkDisaggregation(ctx, evidence) : []),
    ...(missing.length === 0 ? checkMetricsNamed(ctx, evidence) : []),
  ];
};
