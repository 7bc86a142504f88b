/**
 * The `model-index` of a model card's metadata: evaluation results in a structured form, read by the Hub's
 * evaluation widgets and leaderboards. This module checks a parsed value against the specification and
 * returns the results it could read in a normalised form (later used to fill a CycloneDX `modelCard`).
 *
 * Sources:
 * - hub-docs `modelcard.md` (the annotated example): per result, `task.type` is required and `task.name`
 *   optional; `dataset.type` and `dataset.name` are required, `dataset.config`, `split`, `revision` and `args`
 *   optional; per metric, `type` and `value` are required, `name`, `config`, `args` and `verified` optional;
 *   `source.name` and `source.url` (url required when a source is given) say where a result comes from.
 * - huggingface_hub `repocard_data.py`, `model_index_to_eval_results` and `EvalResult`: the same required
 *   keys (`task_type`, `dataset_type`, `dataset_name`, `metric_type`, `metric_value`); a missing one raises
 *   `KeyError`, and `ModelCardData` then drops the whole model-index ("Invalid model-index. Not loading eval
 *   results"). `metric_value` is "Any", e.g. `20.0` or `"20.0 ± 1.2"`; a result with a `source.name` must have
 *   a `source.url`.
 * - Task ids: `@huggingface/tasks` (through `vocabulary.ts`).
 *
 * Pure: takes the value YAML produced (so `unknown`), never throws, and is bounded by named limits.
 */
import { checkPipelineTag } from './vocabulary.js';

/** Model entries read. A card describes one model, a few at most; a longer list is not a card. */
export const MAX_MODEL_INDEX_ENTRIES = 100;
/** Results read over all entries; stops a generated index of millions of rows from costing time. */
export const MAX_MODEL_INDEX_RESULTS = 2_000;
/** Metrics read over all results. */
export const MAX_MODEL_INDEX_METRICS = 10_000;
/** Issues recorded; one more says the rest were dropped, so a hostile index cannot flood the report. */
export const MAX_MODEL_INDEX_ISSUES = 200;
/** Characters kept of any string (names, ids, values): bounds memory and report size. */
export const MAX_MODEL_INDEX_TEXT_CHARS = 500;
/** Keys kept of an `args` mapping. */
export const MAX_MODEL_INDEX_ARGS = 50;
/** Characters of an input value quoted in an issue message (STYLE.md §9). */
const MAX_QUOTED_CHARS = 80;

export interface ModelIndexLimits {
  readonly maxEntries: number;
  readonly maxResults: number;
  readonly maxMetrics: number;
  readonly maxIssues: number;
  readonly maxTextChars: number;
}

export const DEFAULT_MODEL_INDEX_LIMITS: ModelIndexLimits = {
  maxEntries: MAX_MODEL_INDEX_ENTRIES,
  maxResults: MAX_MODEL_INDEX_RESULTS,
  maxMetrics: MAX_MODEL_INDEX_METRICS,
  maxIssues: MAX_MODEL_INDEX_ISSUES,
  maxTextChars: MAX_MODEL_INDEX_TEXT_CHARS,
};

export type ModelIndexIssueCode =
  /** `model-index`, `results` or `metrics` is not a list. */
  | 'not-a-list'
  /** An entry, result, `task`, `dataset`, metric or `source` is not a mapping. */
  | 'not-a-mapping'
  /** A required key is absent (or null). */
  | 'missing'
  /** A key that takes text holds a number, list or mapping. */
  | 'not-a-string'
  /** A required string is empty, or a result's `metrics` list is. */
  | 'empty'
  /** `verified` is not `true`/`false`. */
  | 'not-a-boolean'
  /** `task.type` is not a task id of `@huggingface/tasks`. */
  | 'invalid-task-type'
  /** A metric value that is not a number: `nan`, infinite, empty, `N/A`, a list... */
  | 'invalid-value'
  /** `source.name` without `source.url`. */
  | 'source-url-missing'
  | 'too-many-entries'
  | 'too-many-results'
  | 'too-many-metrics'
  | 'too-many-issues';

export interface ModelIndexIssue {
  readonly code: ModelIndexIssueCode;
  /** JSON Pointer (RFC 6901) from the metadata root: `/model-index/0/results/1/dataset/type`. */
  readonly pointer: string;
  /** The same path for people: `model-index[0].results[1].dataset.type`. */
  readonly field: string;
  readonly message: string;
}

export interface ModelIndexTask {
  /** Task id as written (`automatic-speech-recognition`). */
  readonly type: string;
  /** Pretty name (`Speech Recognition`). */
  readonly name?: string;
}

export interface ModelIndexDataset {
  /** Dataset id (`common_voice`, `mozilla-foundation/common_voice_11_0`). */
  readonly type: string;
  /** Pretty name (`Common Voice (French)`). */
  readonly name: string;
  /** Configuration passed to `load_dataset()` (`fr`). */
  readonly config?: string;
  readonly split?: string;
  readonly revision?: string;
  /** `load_dataset()` arguments: a mapping (scalars as text), or the bare string the Trainer writes. */
  readonly args?: string | Readonly<Record<string, string>>;
}

export interface ModelIndexMetric {
  /** Metric id (`wer`, `accuracy`). */
  readonly type: string;
  /** The value as written: a finite number, or text holding one (`"20.0 ± 1.2"`, `"95%"`). */
  readonly value: number | string;
  /** The leading number of `value`. */
  readonly numeric: number;
  readonly name?: string;
  readonly config?: string;
  readonly args?: string | Readonly<Record<string, string>>;
  /** True when the Hub's evaluation service produced the value (vs self-reported). */
  readonly verified?: boolean;
  readonly pointer: string;
}

export interface ModelIndexSource {
  readonly name?: string;
  readonly url?: string;
}

/** One result: a task on a dataset, with the metrics that were valid. */
export interface ModelIndexResult {
  /** Position of the entry and of the result in it. */
  readonly entry: number;
  readonly index: number;
  /** `/model-index/<entry>/results/<index>`. */
  readonly pointer: string;
  readonly task: ModelIndexTask;
  readonly dataset: ModelIndexDataset;
  /** Metrics with a `type` and a numeric `value`; the others are issues. */
  readonly metrics: readonly ModelIndexMetric[];
  readonly source?: ModelIndexSource;
}

export interface ModelIndexEntry {
  readonly index: number;
  /** The model's name (the leaderboards' label). */
  readonly name: string;
  readonly pointer: string;
  readonly results: readonly ModelIndexResult[];
}

/** What `checkModelIndex` found. */
export interface ModelIndexCheck {
  /**
   * Entries whose `name` is a string, each with the results that have every required key (`task.type`,
   * `dataset.type`, `dataset.name`, a `metrics` list); incomplete results appear only as issues.
   */
  readonly entries: readonly ModelIndexEntry[];
  readonly issues: readonly ModelIndexIssue[];
  /** A limit stopped the walk: part of the value was not read. */
  readonly truncated: boolean;
}

const SCALAR_ARG = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function isMapping(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function own(map: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** A short description of any value for messages: never serialises a structure (it may be huge). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    const clipped = value.length > MAX_QUOTED_CHARS ? `${value.slice(0, MAX_QUOTED_CHARS)}…` : value;
    return JSON.stringify(clipped);
  }
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Date)
    return `the date ${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString().slice(0, 10)}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  return `${typeof value} ${String(value).slice(0, MAX_QUOTED_CHARS)}`;
}

/** The leading number of a metric value written as text: `20.0 ± 1.2` → 20, `95%` → 95, `.5` → 0.5. */
const LEADING_NUMBER = /^[ \t]*([-+]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:[eE][-+]?\d{1,4})?)/;
/** Text YAML 1.2 keeps as a string but means "not a number": `nan`, `NaN`, `-inf`, `.nan`. */
const NOT_A_NUMBER_TEXT = /^[ \t]*[-+]?\.?(?:nan|inf|infinity)[ \t]*$/i;

/** The numeric reading of a metric value, or why it has none. */
export function metricValueNumber(
  value: unknown,
): { readonly numeric: number } | { readonly problem: string } {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { problem: 'is NaN' };
    if (!Number.isFinite(value)) return { problem: 'is infinite' };
    return { numeric: value };
  }
  if (typeof value === 'string') {
    if (value.trim() === '') return { problem: 'is empty' };
    if (NOT_A_NUMBER_TEXT.test(value)) return { problem: `is ${describeValue(value)}, not a number` };
    const m = LEADING_NUMBER.exec(value.slice(0, 200));
    const numeric = m ? Number(m[1]) : Number.NaN;
    if (!Number.isFinite(numeric)) return { problem: `is ${describeValue(value)}, which holds no number` };
    return { numeric };
  }
  if (typeof value === 'boolean') return { problem: `is ${describeValue(value)}, not a number` };
  return { problem: `is ${describeValue(value)}, not a number` };
}

/** `/model-index/0/results/1` → `model-index[0].results[1]`. */
export function pointerToField(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

class Walker {
  readonly issues: ModelIndexIssue[] = [];
  truncated = false;
  results = 0;
  metrics = 0;
  private dropped = 0;

  constructor(readonly limits: ModelIndexLimits) {}

  issue(code: ModelIndexIssueCode, pointer: string, message: string): void {
    if (this.issues.length >= this.limits.maxIssues) {
      this.dropped++;
      return;
    }
    this.issues.push({ code, pointer, field: pointerToField(pointer), message });
  }

  finish(): void {
    if (this.dropped > 0) {
      this.issues.push({
        code: 'too-many-issues',
        pointer: '/model-index',
        field: 'model-index',
        message: `${this.dropped} more model-index problems were not listed (limit ${this.limits.maxIssues}).`,
      });
    }
  }

  text(value: string): string {
    return value.length > this.limits.maxTextChars ? value.slice(0, this.limits.maxTextChars) : value;
  }

  /** A required string: reports it missing, of the wrong type or empty; returns it when usable. */
  required(
    map: Readonly<Record<string, unknown>>,
    key: string,
    pointer: string,
    what: string,
  ): string | undefined {
    const value = own(map, key);
    const at = `${pointer}/${key}`;
    if (value === undefined || value === null) {
      this.issue('missing', at, `${pointerToField(at)} is missing: ${what} is required.`);
      return undefined;
    }
    if (typeof value !== 'string') {
      this.issue(
        'not-a-string',
        at,
        `${pointerToField(at)} is ${describeValue(value)}; ${what} must be text.`,
      );
      return undefined;
    }
    if (value.trim() === '') {
      this.issue('empty', at, `${pointerToField(at)} is empty: ${what} is required.`);
      return undefined;
    }
    return this.text(value);
  }

  /** An optional string: absent and null are fine; numbers are kept as text (YAML reads `config: 2020` as 2020). */
  optional(map: Readonly<Record<string, unknown>>, key: string, pointer: string): string | undefined {
    const value = own(map, key);
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value.trim() === '' ? undefined : this.text(value);
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    const at = `${pointer}/${key}`;
    this.issue('not-a-string', at, `${pointerToField(at)} is ${describeValue(value)}, not text.`);
    return undefined;
  }

  args(value: unknown): string | Readonly<Record<string, string>> | undefined {
    if (typeof value === 'string') return value.trim() === '' ? undefined : this.text(value);
    if (!isMapping(value)) return undefined;
    const out: Record<string, string> = Object.create(null);
    let n = 0;
    for (const [k, v] of Object.entries(value)) {
      if (n++ >= MAX_MODEL_INDEX_ARGS) break;
      if (SCALAR_ARG(v)) out[this.text(k)] = this.text(String(v));
    }
    return out;
  }
}

/**
 * Task types evaluation frameworks write into model-index, which the Hub accepts and displays:
 * - sentence-transformers: `task_type=description.lower().replace(" ", "-")`, the description being the
 *   evaluator's class name without "Evaluator" (`base/model_card.py`, `base/evaluation/evaluator.py`):
 *   `semantic-similarity`, `information-retrieval`, `cross-encoder-reranking`, `sparse-nano-beir`...
 * - MTEB: its task categories (`Retrieval`, `STS`, `Clustering`, `PairClassification`...).
 */
const FRAMEWORK_TASK_TYPES: readonly RegExp[] = [
  /^(?:cross-encoder-|sparse-|multi-vector-)?(?:binary-classification|binary-accuracy|softmax-accuracy|classification|correlation|reranking|nano-beir|semantic-similarity|embedding-similarity|information-retrieval|label-accuracy|knowledge-distillation|distillation|paraphrase-mining|reciprocal-rank-fusion|sequential|mse|translation|triplet)$/,
  /^(?:BitextMining|Classification|MultilabelClassification|Clustering|PairClassification|Reranking|Retrieval|STS|Summarization|InstructionRetrieval|InstructionReranking)$/,
];

/** Whether a model-index task type is one the Hub or a common evaluation framework uses. */
export function isKnownTaskType(type: string): boolean {
  const check = checkPipelineTag(type);
  // A subtask id (`text2text-generation`, `sentiment-analysis`) is in the Hub's vocabulary and is what the
  // Trainer writes for seq2seq models.
  if (check.valid || check.issue?.code === 'subtask-not-task') return true;
  return FRAMEWORK_TASK_TYPES.some((pattern) => pattern.test(type));
}

function checkTaskType(walker: Walker, type: string, pointer: string): void {
  if (isKnownTaskType(type)) return;
  const check = checkPipelineTag(type);
  const hint = check.suggestion !== undefined ? `; the id is \`${check.suggestion}\`` : '';
  walker.issue(
    'invalid-task-type',
    pointer,
    `${pointerToField(pointer)} is ${describeValue(type)}, not a Hugging Face task id${hint}.`,
  );
}

function readMetric(walker: Walker, value: unknown, pointer: string): ModelIndexMetric | undefined {
  if (!isMapping(value)) {
    walker.issue(
      'not-a-mapping',
      pointer,
      `${pointerToField(pointer)} is ${describeValue(value)}, not a metric mapping.`,
    );
    return undefined;
  }
  const type = walker.required(value, 'type', pointer, 'the metric id');
  const raw = own(value, 'value');
  let reading: ReturnType<typeof metricValueNumber> | undefined;
  if (raw === undefined || raw === null) {
    walker.issue(
      'missing',
      `${pointer}/value`,
      `${pointerToField(`${pointer}/value`)} is missing: a metric needs a value.`,
    );
  } else {
    reading = metricValueNumber(raw);
    if ('problem' in reading) {
      walker.issue(
        'invalid-value',
        `${pointer}/value`,
        `${pointerToField(`${pointer}/value`)} ${reading.problem}${type !== undefined ? ` (metric \`${type}\`)` : ''}.`,
      );
    }
  }
  const verified = own(value, 'verified');
  if (verified !== undefined && verified !== null && typeof verified !== 'boolean') {
    walker.issue(
      'not-a-boolean',
      `${pointer}/verified`,
      `${pointerToField(`${pointer}/verified`)} is ${describeValue(verified)}; it takes true or false.`,
    );
  }
  const name = walker.optional(value, 'name', pointer);
  const config = walker.optional(value, 'config', pointer);
  if (type === undefined || reading === undefined || 'problem' in reading) return undefined;
  const args = walker.args(own(value, 'args'));
  return {
    type,
    value: typeof raw === 'string' ? walker.text(raw) : (raw as number),
    numeric: reading.numeric,
    ...(name !== undefined ? { name } : {}),
    ...(config !== undefined ? { config } : {}),
    ...(args !== undefined ? { args } : {}),
    ...(typeof verified === 'boolean' ? { verified } : {}),
    pointer,
  };
}

function readResult(
  walker: Walker,
  value: unknown,
  entry: number,
  index: number,
  pointer: string,
): ModelIndexResult | undefined {
  if (!isMapping(value)) {
    walker.issue(
      'not-a-mapping',
      pointer,
      `${pointerToField(pointer)} is ${describeValue(value)}, not a result mapping.`,
    );
    return undefined;
  }
  let task: ModelIndexTask | undefined;
  const rawTask = own(value, 'task');
  if (rawTask === undefined || rawTask === null) {
    walker.issue(
      'missing',
      `${pointer}/task`,
      `${pointerToField(`${pointer}/task`)} is missing: a result needs \`task.type\`.`,
    );
  } else if (!isMapping(rawTask)) {
    walker.issue(
      'not-a-mapping',
      `${pointer}/task`,
      `${pointerToField(`${pointer}/task`)} is ${describeValue(rawTask)}, not a mapping with \`type\`.`,
    );
  } else {
    const type = walker.required(rawTask, 'type', `${pointer}/task`, 'the task id');
    if (type !== undefined) checkTaskType(walker, type, `${pointer}/task/type`);
    const name = walker.optional(rawTask, 'name', `${pointer}/task`);
    if (type !== undefined) task = { type, ...(name !== undefined ? { name } : {}) };
  }

  let dataset: ModelIndexDataset | undefined;
  const rawDataset = own(value, 'dataset');
  if (rawDataset === undefined || rawDataset === null) {
    walker.issue(
      'missing',
      `${pointer}/dataset`,
      `${pointerToField(`${pointer}/dataset`)} is missing: a result needs \`dataset.type\` and \`dataset.name\`.`,
    );
  } else if (!isMapping(rawDataset)) {
    walker.issue(
      'not-a-mapping',
      `${pointer}/dataset`,
      `${pointerToField(`${pointer}/dataset`)} is ${describeValue(rawDataset)}, not a mapping with \`type\` and \`name\`.`,
    );
  } else {
    const at = `${pointer}/dataset`;
    const type = walker.required(rawDataset, 'type', at, 'the dataset id');
    const name = walker.required(rawDataset, 'name', at, 'the dataset name');
    const config = walker.optional(rawDataset, 'config', at);
    const split = walker.optional(rawDataset, 'split', at);
    const revision = walker.optional(rawDataset, 'revision', at);
    const args = walker.args(own(rawDataset, 'args'));
    if (type !== undefined && name !== undefined) {
      dataset = {
        type,
        name,
        ...(config !== undefined ? { config } : {}),
        ...(split !== undefined ? { split } : {}),
        ...(revision !== undefined ? { revision } : {}),
        ...(args !== undefined ? { args } : {}),
      };
    }
  }

  let source: ModelIndexSource | undefined;
  const rawSource = own(value, 'source');
  if (rawSource !== undefined && rawSource !== null) {
    if (!isMapping(rawSource)) {
      walker.issue(
        'not-a-mapping',
        `${pointer}/source`,
        `${pointerToField(`${pointer}/source`)} is ${describeValue(rawSource)}, not a mapping with \`url\`.`,
      );
    } else {
      const name = walker.optional(rawSource, 'name', `${pointer}/source`);
      const url = walker.optional(rawSource, 'url', `${pointer}/source`);
      if (url === undefined) {
        walker.issue(
          'source-url-missing',
          `${pointer}/source`,
          `${pointerToField(`${pointer}/source`)} has no \`url\`: a result's source must link to where it was published.`,
        );
      }
      source = { ...(name !== undefined ? { name } : {}), ...(url !== undefined ? { url } : {}) };
    }
  }

  const metrics: ModelIndexMetric[] = [];
  let metricsOk = false;
  const rawMetrics = own(value, 'metrics');
  const metricsAt = `${pointer}/metrics`;
  if (rawMetrics === undefined || rawMetrics === null) {
    walker.issue(
      'missing',
      metricsAt,
      `${pointerToField(metricsAt)} is missing: a result needs a list of metrics.`,
    );
  } else if (!Array.isArray(rawMetrics)) {
    walker.issue(
      'not-a-list',
      metricsAt,
      `${pointerToField(metricsAt)} is ${describeValue(rawMetrics)}, not a list of metrics.`,
    );
  } else if (rawMetrics.length === 0) {
    walker.issue('empty', metricsAt, `${pointerToField(metricsAt)} is empty: the result reports nothing.`);
  } else {
    metricsOk = true;
    for (let m = 0; m < rawMetrics.length; m++) {
      if (walker.metrics >= walker.limits.maxMetrics) {
        walker.truncated = true;
        walker.issue(
          'too-many-metrics',
          metricsAt,
          `More than ${walker.limits.maxMetrics} metrics: the rest were not read.`,
        );
        break;
      }
      walker.metrics++;
      const metric = readMetric(walker, rawMetrics[m], `${metricsAt}/${m}`);
      if (metric !== undefined) metrics.push(metric);
    }
  }
  if (task === undefined || dataset === undefined || !metricsOk) return undefined;
  return { entry, index, pointer, task, dataset, metrics, ...(source !== undefined ? { source } : {}) };
}

/**
 * Checks a card's `model-index` value (as parsed from YAML) against the Hub's specification. Returns every
 * problem with its JSON Pointer and the results it could read. Never throws; bounded by `limits`.
 */
export function checkModelIndex(value: unknown, limits: Partial<ModelIndexLimits> = {}): ModelIndexCheck {
  const walker = new Walker({ ...DEFAULT_MODEL_INDEX_LIMITS, ...limits });
  const entries: ModelIndexEntry[] = [];
  if (!Array.isArray(value)) {
    walker.issue(
      'not-a-list',
      '/model-index',
      `model-index is ${describeValue(value)}; it must be a list of models, each with \`name\` and \`results\`.`,
    );
    walker.finish();
    return { entries, issues: walker.issues, truncated: false };
  }
  for (let e = 0; e < value.length; e++) {
    if (e >= walker.limits.maxEntries) {
      walker.truncated = true;
      walker.issue(
        'too-many-entries',
        '/model-index',
        `model-index lists ${value.length} models; only the first ${walker.limits.maxEntries} were read.`,
      );
      break;
    }
    if (walker.results >= walker.limits.maxResults) {
      walker.truncated = true;
      walker.issue(
        'too-many-results',
        '/model-index',
        `More than ${walker.limits.maxResults} results: the rest were not read.`,
      );
      break;
    }
    const pointer = `/model-index/${e}`;
    const entry: unknown = value[e];
    if (!isMapping(entry)) {
      walker.issue(
        'not-a-mapping',
        pointer,
        `${pointerToField(pointer)} is ${describeValue(entry)}, not a mapping with \`name\` and \`results\`.`,
      );
      continue;
    }
    const name = walker.required(entry, 'name', pointer, 'the model name');
    const rawResults = own(entry, 'results');
    const results: ModelIndexResult[] = [];
    const resultsAt = `${pointer}/results`;
    if (rawResults === undefined || rawResults === null) {
      walker.issue(
        'missing',
        resultsAt,
        `${pointerToField(resultsAt)} is missing: each model needs a list of results.`,
      );
    } else if (!Array.isArray(rawResults)) {
      walker.issue(
        'not-a-list',
        resultsAt,
        `${pointerToField(resultsAt)} is ${describeValue(rawResults)}, not a list of results.`,
      );
    } else {
      for (let r = 0; r < rawResults.length; r++) {
        if (walker.results >= walker.limits.maxResults) {
          walker.truncated = true;
          walker.issue(
            'too-many-results',
            resultsAt,
            `More than ${walker.limits.maxResults} results: the rest were not read.`,
          );
          break;
        }
        walker.results++;
        const result = readResult(walker, rawResults[r], e, r, `${resultsAt}/${r}`);
        if (result !== undefined) results.push(result);
        if (walker.truncated) break;
      }
    }
    if (name !== undefined) entries.push({ index: e, name, pointer, results });
    if (walker.truncated) break;
  }
  walker.finish();
  return { entries, issues: walker.issues, truncated: walker.truncated };
}

/** Every normalised result of a check, in document order. */
export function modelIndexResults(check: ModelIndexCheck): readonly ModelIndexResult[] {
  return check.entries.flatMap((entry) => entry.results);
}
