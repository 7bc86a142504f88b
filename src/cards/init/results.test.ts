import { describe, expect, it } from 'vitest';
import { parsePythonJson } from './json.js';
import { isLmEvalResults, parseLmEvalResults, parseTrainerResults, parseTrainerState } from './results.js';

describe('parseTrainerResults', () => {
  it('separates quality metrics from run statistics and keeps non-finite values apart, exactly as written', () => {
    const json = parsePythonJson(
      '{"epoch": 3.0, "eval_accuracy": 0.91234567891234, "eval_loss": NaN, "eval_runtime": 12.5, "eval_samples_per_second": 80.1, "eval_samples": 872, "train_loss": 0.3, "total_flos": 1.2e17, "eval_f1": 0.9, "note": "x"}',
    );
    const r = parseTrainerResults(json, 'all_results.json');
    expect(r?.metrics.map((m) => [m.key, m.value])).toEqual([
      ['eval_accuracy', 0.91234567891234],
      ['eval_f1', 0.9],
    ]);
    expect(r?.runStats.map((m) => m.key)).toEqual([
      'epoch',
      'eval_runtime',
      'eval_samples',
      'eval_samples_per_second',
      'total_flos',
      'train_loss',
    ]);
    expect(r?.nonFinite.map((m) => [m.key, Number.isNaN(m.value)])).toEqual([['eval_loss', true]]);
  });

  it('returns undefined for anything but an object', () => {
    expect(parseTrainerResults([0.5], 'eval_results.json')).toBeUndefined();
  });
});

const V04 = {
  results: {
    arc_challenge: {
      alias: 'arc_challenge',
      'acc,none': 0.4325,
      'acc_stderr,none': 0.0145,
      'acc_norm,none': 0.4667,
      'acc_norm_stderr,none': 'N/A',
    },
    mmlu: { 'acc,none': 0.6, alias: 'mmlu' },
  },
  configs: {
    arc_challenge: {
      task: 'arc_challenge',
      dataset_path: 'allenai/ai2_arc',
      dataset_name: 'ARC-Challenge',
      validation_split: 'validation',
      test_split: 'test',
      num_fewshot: 25,
    },
  },
  versions: { arc_challenge: 1 },
  'n-shot': { arc_challenge: 25, mmlu: 5 },
};

describe('parseLmEvalResults', () => {
  it('reads v0.4 results with their dataset, split, few-shot count and stderr', () => {
    expect(isLmEvalResults(V04)).toBe(true);
    expect(parseLmEvalResults(V04, 'out/results_2024-05-01.json')).toEqual({
      file: 'out/results_2024-05-01.json',
      tasks: [
        {
          task: 'arc_challenge',
          datasetPath: 'allenai/ai2_arc',
          datasetConfig: 'ARC-Challenge',
          split: 'test',
          fewShot: 25,
          metrics: [
            { metric: 'acc', key: 'acc,none', value: 0.4325, stderr: 0.0145 },
            { metric: 'acc_norm', key: 'acc_norm,none', value: 0.4667 },
          ],
        },
        { task: 'mmlu', fewShot: 5, metrics: [{ metric: 'acc', key: 'acc,none', value: 0.6 }] },
      ],
    });
  });

  it('reads v0.3 results (bare metric names, no task configs) and uses the validation split when there is no test split', () => {
    const parsed = parseLmEvalResults(
      {
        results: { hellaswag: { acc: 0.5, acc_stderr: 0.01 } },
        versions: { hellaswag: 0 },
        configs: {
          hellaswag: { dataset_path: 'hellaswag', validation_split: 'validation', test_split: null },
        },
      },
      'results.json',
    );
    expect(parsed?.tasks).toEqual([
      {
        task: 'hellaswag',
        datasetPath: 'hellaswag',
        split: 'validation',
        metrics: [{ metric: 'acc', key: 'acc', value: 0.5, stderr: 0.01 }],
      },
    ]);
  });

  it('is not fooled by other files named results.json', () => {
    expect(isLmEvalResults({ results: [1, 2] })).toBe(false);
    expect(isLmEvalResults({ results: { a: 1 }, versions: {} })).toBe(false);
    expect(isLmEvalResults({ results: { a: { acc: 1 } } })).toBe(false);
    expect(parseLmEvalResults({ results: { a: { alias: 'a' } }, versions: {} }, 'r.json')).toBeUndefined();
  });
});

describe('parseTrainerState', () => {
  it('names the evaluation key whose value equals best_metric at the best step, and keeps only the checkpoint folder name', () => {
    const state = parseTrainerState(
      {
        best_metric: 0.912,
        best_model_checkpoint: '/home/someone/run/checkpoint-500',
        epoch: 3.0,
        global_step: 1500,
        max_steps: 1500,
        num_train_epochs: 3,
        train_batch_size: 8,
        total_flos: 1.2e17,
        log_history: [
          { step: 500, eval_accuracy: 0.912, eval_f1: 0.88, eval_loss: 0.3 },
          { step: 1000, eval_accuracy: 0.905 },
          { step: 500, loss: 0.912 },
        ],
      },
      'trainer_state.json',
    );
    expect(state).toEqual({
      file: 'trainer_state.json',
      epoch: 3,
      globalStep: 1500,
      maxSteps: 1500,
      numTrainEpochs: 3,
      trainBatchSize: 8,
      totalFlos: 1.2e17,
      bestMetric: 0.912,
      bestMetricKeys: ['eval_accuracy'],
      bestCheckpoint: 'checkpoint-500',
    });
  });

  it('names no key when the best step is unknown', () => {
    expect(
      parseTrainerState({ best_metric: 0.5, log_history: [{ step: 1, eval_x: 0.5 }] }, 't.json')
        ?.bestMetricKeys,
    ).toEqual([]);
  });
});
