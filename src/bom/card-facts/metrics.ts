import type { CardAuditContext } from '../../cards/audit/types.js';
import { isHubRepoId } from '../../cards/init/config-files.js';
import {
  checkModelIndex,
  type ModelIndexCheck,
  type ModelIndexMetric,
  type ModelIndexResult,
  modelIndexResults,
} from '../../cards/model-index.js';
import { yamlCommentStart } from '../../cards/placeholders.js';
import type { PerformanceMetric } from '../inventory.js';
import { MAX_DATASETS, MAX_METRICS } from './limits.js';

/**
 * Performance metrics and evaluation datasets from the card's `model-index`, as `checkModelIndex` reads it:
 * only results with a task, a dataset and metrics with a numeric value. Each metric points at its JSON path in
 * the front matter, keeps its value as the YAML text wrote it (`0.9210` stays `0.9210`), and says what it was
 * measured on: task, dataset (config, split) and the metric's own name.
 */

export interface EvaluationDataset {
  /** `dataset.type`: the dataset id (`glue`, `mozilla-foundation/common_voice_11_0`). */
  readonly type: string;
  /** `dataset.name`: its pretty name. */
  readonly name: string;
  readonly pointer: string;
}

export interface ModelIndexFacts {
  readonly name: string | undefined;
  /** The task of the first result (`text-classification`). */
  readonly task: string | undefined;
  readonly metrics: readonly PerformanceMetric[];
  readonly datasets: readonly EvaluationDataset[];
  /** A limit cut the list: metrics or datasets were left out. */
  readonly truncated: boolean;
}

const NONE: ModelIndexFacts = {
  name: undefined,
  task: undefined,
  metrics: [],
  datasets: [],
  truncated: false,
};

/** The scalar a YAML line writes after `value:` (`- value: 0.9210 # note` → `0.9210`), quotes removed. */
function scalarOnLine(line: string): string | undefined {
  const m = /^[ \t]*(?:-[ \t]+)?value[ \t]*:[ \t]*(.*)$/.exec(line.slice(0, 500));
  if (!m) return undefined;
  let text = m[1] as string;
  const hash = yamlCommentStart(text);
  if (hash >= 0) text = text.slice(0, hash);
  text = text.trim();
  const quoted = /^(["'])(.*)\1$/.exec(text);
  return quoted ? quoted[2] : text;
}

/**
 * The value as written. YAML turns `0.9210` into 0.921; the line in the card still says `0.9210`, and it is
 * used when it reads as the same number (a flow mapping or a multi-line scalar falls back to the parsed value).
 */
function valueAsWritten(ctx: CardAuditContext, metric: ModelIndexMetric): string {
  if (typeof metric.value === 'string') return metric.value;
  const line = ctx.lineOf(`${metric.pointer}/value`);
  const raw =
    line !== undefined && ctx.doc.frontMatter?.pathLines.has(`${metric.pointer}/value`)
      ? scalarOnLine(ctx.lines[line - 1] ?? '')
      : undefined;
  if (raw !== undefined && raw !== '' && Number(raw) === metric.value) return raw;
  return String(metric.value);
}

/** `Text Classification / GLUE SST-2 (sst2, validation) / Accuracy`. */
function sliceOf(result: ModelIndexResult, metric: ModelIndexMetric): string {
  const task = result.task.name ?? result.task.type;
  const details = [result.dataset.config, result.dataset.split].filter((d) => d !== undefined);
  const dataset = `${result.dataset.name}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
  const parts = [task, dataset];
  if (metric.name !== undefined && metric.name.toLowerCase() !== metric.type.toLowerCase())
    parts.push(metric.name);
  return parts.join(' / ');
}

/** What the card's `model-index` says, read once per card. */
export function modelIndexFacts(ctx: CardAuditContext, path: string): ModelIndexFacts {
  if (!Object.hasOwn(ctx.meta, 'model-index')) return NONE;
  const check: ModelIndexCheck = checkModelIndex(ctx.meta['model-index']);
  const results = modelIndexResults(check);
  const metrics: PerformanceMetric[] = [];
  const datasets: EvaluationDataset[] = [];
  const seenDatasets = new Set<string>();
  let truncated = check.truncated;
  for (const result of results) {
    if (!seenDatasets.has(result.dataset.type)) {
      if (datasets.length < MAX_DATASETS) {
        seenDatasets.add(result.dataset.type);
        datasets.push({
          type: result.dataset.type,
          name: result.dataset.name,
          pointer: `${result.pointer}/dataset`,
        });
      } else truncated = true;
    }
    for (const metric of result.metrics) {
      if (metrics.length >= MAX_METRICS) {
        truncated = true;
        break;
      }
      const datasetId = isHubRepoId(result.dataset.type) ? result.dataset.type : undefined;
      metrics.push({
        type: metric.type,
        value: valueAsWritten(ctx, metric),
        slice: sliceOf(result, metric),
        ...(datasetId !== undefined ? { datasetId } : {}),
        ...(metric.verified !== undefined ? { verified: metric.verified } : {}),
        source: `${path} ${metric.pointer}`,
      });
    }
  }
  return {
    name: check.entries[0]?.name,
    task: results[0]?.task.type,
    metrics,
    datasets,
    truncated,
  };
}
