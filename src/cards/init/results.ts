import { compareStrings } from '../../core/finding.js';
import { isRecord } from '../../core/json.js';
import type { LmEvalFacts, LmEvalMetric, LmEvalTask, MetricFact, TrainerStateFacts } from './facts.js';
import { cleanString, field, finiteNumber, nonFiniteOf, positiveInteger } from './json.js';

/**
 * Readers of evaluation and training results files. Numbers are kept exactly as parsed; nothing is rounded,
 * renamed or inferred. Pure: parsed JSON in, facts out.
 */

/** Metrics kept from one results file (real ones have tens; lm-eval's MMLU has a few hundred). */
const MAX_METRICS = 2000;

/** File names transformers' example scripts and `Trainer.save_metrics` write (`{split}_results.json`). */
export const TRAINER_RESULTS_FILES: readonly string[] = [
  'eval_results.json',
  'test_results.json',
  'predict_results.json',
  'train_results.json',
  'all_results.json',
];

/**
 * Run statistics rather than quality metrics: `Trainer.save_metrics` adds runtime, throughput, sample counts,
 * epoch, FLOs and memory next to the metrics, and `train_*` values describe training, not evaluation.
 */
function isRunStatistic(key: string): boolean {
  return (
    key === 'epoch' ||
    key === 'total_flos' ||
    key.startsWith('train_') ||
    /_(?:runtime|samples_per_second|steps_per_second|samples|flos|jit_compilation_time)$/.test(key) ||
    /_mem_/.test(key)
  );
}

function nonFiniteNumber(token: string): number {
  return token === 'NaN'
    ? Number.NaN
    : token === 'Infinity'
      ? Number.POSITIVE_INFINITY
      : Number.NEGATIVE_INFINITY;
}

export interface TrainerResults {
  readonly metrics: readonly MetricFact[];
  readonly runStats: readonly MetricFact[];
  readonly nonFinite: readonly MetricFact[];
}

/** A flat `{key: number}` results file of transformers' Trainer (`eval_results.json`, `all_results.json`). */
export function parseTrainerResults(json: unknown, file: string): TrainerResults | undefined {
  if (!isRecord(json)) return undefined;
  const metrics: MetricFact[] = [];
  const runStats: MetricFact[] = [];
  const nonFinite: MetricFact[] = [];
  for (const [rawKey, value] of Object.entries(json).slice(0, MAX_METRICS)) {
    const key = cleanString(rawKey, 120);
    if (key === undefined) continue;
    const token = nonFiniteOf(value);
    if (token !== undefined) {
      nonFinite.push({ file, key, value: nonFiniteNumber(token) });
      continue;
    }
    const number = finiteNumber(value);
    if (number === undefined) continue;
    (isRunStatistic(key) ? runStats : metrics).push({ file, key, value: number });
  }
  const byKey = (a: MetricFact, b: MetricFact) => compareStrings(a.key, b.key);
  return { metrics: metrics.sort(byKey), runStats: runStats.sort(byKey), nonFinite: nonFinite.sort(byKey) };
}

/** Whether parsed JSON is an lm-evaluation-harness results file (`results` per task, with `versions`/`configs`). */
export function isLmEvalResults(json: unknown): boolean {
  const results = field(json, 'results');
  if (!isRecord(results) || Object.keys(results).length === 0) return false;
  if (!Object.values(results).every(isRecord)) return false;
  return field(json, 'versions') !== undefined || field(json, 'configs') !== undefined;
}

/**
 * lm-evaluation-harness results (`simple_evaluate` output saved by `--output_path`): `results[task]` holds
 * `metric,filter` keys (v0.4) or bare metric names (v0.3) with `..._stderr` companions; `configs[task]` names
 * the dataset (`dataset_path`, `dataset_name`) and splits; `n-shot[task]` the few-shot count. lm-eval scores
 * the test split when the task has one, else the validation split (lm_eval/api/task.py `eval_docs`).
 */
export function parseLmEvalResults(json: unknown, file: string): LmEvalFacts | undefined {
  if (!isLmEvalResults(json)) return undefined;
  const results = field(json, 'results') as Record<string, unknown>;
  const configs = field(json, 'configs');
  const shots = field(json, 'n-shot');
  const tasks: LmEvalTask[] = [];
  let kept = 0;
  for (const [rawTask, values] of Object.entries(results)) {
    const task = cleanString(rawTask, 120);
    if (task === undefined || !isRecord(values)) continue;
    const metrics: LmEvalMetric[] = [];
    for (const [rawKey, value] of Object.entries(values)) {
      if (kept >= MAX_METRICS) break;
      const key = cleanString(rawKey, 120);
      const number = finiteNumber(value);
      if (key === undefined || number === undefined) continue;
      const [metric = key, filter] = key.split(',', 2);
      if (metric.endsWith('_stderr')) continue;
      const stderrKey = filter === undefined ? `${metric}_stderr` : `${metric}_stderr,${filter}`;
      const stderr = finiteNumber(field(values, stderrKey));
      metrics.push({ metric, key, value: number, ...(stderr !== undefined ? { stderr } : {}) });
      kept++;
    }
    if (metrics.length === 0) continue;
    metrics.sort((a, b) => compareStrings(a.key, b.key));
    const config = field(configs, rawTask);
    const split =
      cleanString(field(config, 'test_split'), 120) ?? cleanString(field(config, 'validation_split'), 120);
    const fewShot = field(shots, rawTask) ?? field(config, 'num_fewshot');
    const datasetPath = cleanString(field(config, 'dataset_path'));
    const datasetConfig = cleanString(field(config, 'dataset_name'), 120);
    tasks.push({
      task,
      ...(datasetPath !== undefined ? { datasetPath } : {}),
      ...(datasetConfig !== undefined ? { datasetConfig } : {}),
      ...(split !== undefined ? { split } : {}),
      ...(typeof fewShot === 'number' && Number.isSafeInteger(fewShot) && fewShot >= 0 ? { fewShot } : {}),
      metrics,
    });
  }
  if (tasks.length === 0) return undefined;
  tasks.sort((a, b) => compareStrings(a.task, b.task));
  return { file, tasks };
}

/** transformers' checkpoint folders are named `checkpoint-{global_step}` (Trainer `_save_checkpoint`). */
const CHECKPOINT_NAME = /(?:^|[/\\])(checkpoint-(\d{1,12}))[/\\]?$/;

/** Log entries looked at for the best metric's name. */
const MAX_LOG_ENTRIES = 100_000;

/** `trainer_state.json`: steps, epochs, batch size, FLOs and the best checkpoint the Trainer kept. */
export function parseTrainerState(json: unknown, file: string): TrainerStateFacts | undefined {
  if (!isRecord(json)) return undefined;
  const bestMetric = finiteNumber(field(json, 'best_metric'));
  const checkpointPath =
    typeof field(json, 'best_model_checkpoint') === 'string' ? (json.best_model_checkpoint as string) : '';
  // Only the folder name: the full path is the trainer's machine, not a fact about the model.
  const checkpoint = CHECKPOINT_NAME.exec(checkpointPath);
  const bestStep =
    positiveInteger(field(json, 'best_global_step')) ?? (checkpoint ? Number(checkpoint[2]) : undefined);
  const bestMetricKeys = new Set<string>();
  const history = field(json, 'log_history');
  if (bestMetric !== undefined && bestStep !== undefined && Array.isArray(history)) {
    for (const entry of history.slice(0, MAX_LOG_ENTRIES)) {
      if (field(entry, 'step') !== bestStep || !isRecord(entry)) continue;
      for (const [key, value] of Object.entries(entry)) {
        if (key.startsWith('eval_') && value === bestMetric) {
          const clean = cleanString(key, 120);
          if (clean !== undefined) bestMetricKeys.add(clean);
        }
      }
    }
  }
  const epoch = finiteNumber(field(json, 'epoch'));
  const totalFlos = finiteNumber(field(json, 'total_flos'));
  return {
    file,
    ...(epoch !== undefined && epoch >= 0 ? { epoch } : {}),
    ...optional('globalStep', positiveInteger(field(json, 'global_step'))),
    ...optional('maxSteps', positiveInteger(field(json, 'max_steps'))),
    ...optional('numTrainEpochs', positiveInteger(field(json, 'num_train_epochs'))),
    ...optional('trainBatchSize', positiveInteger(field(json, 'train_batch_size'))),
    ...(totalFlos !== undefined && totalFlos > 0 ? { totalFlos } : {}),
    ...(bestMetric !== undefined ? { bestMetric } : {}),
    bestMetricKeys: [...bestMetricKeys].sort(compareStrings),
    ...(checkpoint?.[1] !== undefined ? { bestCheckpoint: checkpoint[1] } : {}),
  };
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}
