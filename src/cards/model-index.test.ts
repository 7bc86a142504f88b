import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkModelIndex,
  MAX_MODEL_INDEX_ENTRIES,
  MAX_MODEL_INDEX_ISSUES,
  MAX_MODEL_INDEX_RESULTS,
  metricValueNumber,
  modelIndexResults,
  pointerToField,
} from './model-index.js';
import { readCard } from './read.js';

/** One result as the Trainer and the hub-docs example write it. */
function result(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task: { type: 'automatic-speech-recognition', name: 'Speech Recognition' },
    dataset: { type: 'common_voice', name: 'Common Voice (French)', config: 'fr', split: 'test' },
    metrics: [{ type: 'wer', value: 20.9, name: 'Test WER' }],
    ...overrides,
  };
}

function codes(value: unknown): string[] {
  return checkModelIndex(value).issues.map((i) => `${i.code} ${i.pointer}`);
}

describe('checkModelIndex', () => {
  describe('when the model-index follows the spec', () => {
    it('returns the normalised entries and no issues', () => {
      const check = checkModelIndex([
        {
          name: 'wav2vec2-fr',
          results: [
            result({
              source: { name: 'Open ASR Leaderboard', url: 'https://huggingface.co/spaces/x/y' },
              metrics: [
                {
                  type: 'wer',
                  value: 20.9,
                  name: 'Test WER',
                  verified: true,
                  config: 'default',
                  args: { lowercase: true },
                },
                { type: 'cer', value: '7.1 ± 0.2' },
              ],
            }),
          ],
        },
      ]);
      expect(check.issues).toEqual([]);
      expect(check.truncated).toBe(false);
      expect(check.entries).toEqual([
        {
          index: 0,
          name: 'wav2vec2-fr',
          pointer: '/model-index/0',
          results: [
            {
              entry: 0,
              index: 0,
              pointer: '/model-index/0/results/0',
              task: { type: 'automatic-speech-recognition', name: 'Speech Recognition' },
              dataset: { type: 'common_voice', name: 'Common Voice (French)', config: 'fr', split: 'test' },
              source: { name: 'Open ASR Leaderboard', url: 'https://huggingface.co/spaces/x/y' },
              metrics: [
                {
                  type: 'wer',
                  value: 20.9,
                  numeric: 20.9,
                  name: 'Test WER',
                  config: 'default',
                  args: { lowercase: 'true' },
                  verified: true,
                  pointer: '/model-index/0/results/0/metrics/0',
                },
                {
                  type: 'cer',
                  value: '7.1 ± 0.2',
                  numeric: 7.1,
                  pointer: '/model-index/0/results/0/metrics/1',
                },
              ],
            },
          ],
        },
      ]);
    });

    it("keeps the Trainer's string `args` and a subtask id it writes for seq2seq models", () => {
      const check = checkModelIndex([
        {
          name: 't5-ft',
          results: [
            result({
              task: { type: 'text2text-generation', name: 'Sequence-to-sequence Language Modeling' },
              dataset: { type: 'wmt16', name: 'wmt16', config: 'ro-en', split: 'validation', args: 'ro-en' },
              metrics: [{ type: 'bleu', value: 28.1, name: 'Bleu' }],
            }),
          ],
        },
      ]);
      expect(check.issues).toEqual([]);
      expect(modelIndexResults(check)[0]?.dataset.args).toBe('ro-en');
    });

    it('accepts an entry whose results list is empty (the Trainer without an evaluation dataset)', () => {
      const check = checkModelIndex([{ name: 'Run_8', results: [] }]);
      expect(check.issues).toEqual([]);
      expect(check.entries).toEqual([{ index: 0, name: 'Run_8', pointer: '/model-index/0', results: [] }]);
    });
  });

  describe('when required keys are missing or of the wrong type', () => {
    it('reports each with its JSON Pointer and drops the incomplete result', () => {
      const check = checkModelIndex([
        {
          name: 'm',
          results: [
            result(),
            { task: {}, dataset: { type: 'squad' }, metrics: [{ type: 'f1' }, { value: 88.5 }] },
            { task: 'question-answering', dataset: ['squad'], metrics: { type: 'f1', value: 1 } },
          ],
        },
        { results: [result()] },
        { name: 'no-results' },
        'just a string',
      ]);
      expect(check.issues.map((i) => `${i.code} ${i.pointer}`)).toEqual([
        'missing /model-index/0/results/1/task/type',
        'missing /model-index/0/results/1/dataset/name',
        'missing /model-index/0/results/1/metrics/0/value',
        'missing /model-index/0/results/1/metrics/1/type',
        'not-a-mapping /model-index/0/results/2/task',
        'not-a-mapping /model-index/0/results/2/dataset',
        'not-a-list /model-index/0/results/2/metrics',
        'missing /model-index/1/name',
        'missing /model-index/2/results',
        'not-a-mapping /model-index/3',
      ]);
      expect(check.issues[1]?.field).toBe('model-index[0].results[1].dataset.name');
      expect(check.issues[1]?.message).toBe(
        'model-index[0].results[1].dataset.name is missing: the dataset name is required.',
      );
      // Only the complete result of the named entries survives.
      expect(modelIndexResults(check).map((r) => r.pointer)).toEqual(['/model-index/0/results/0']);
      expect(check.entries.map((e) => e.name)).toEqual(['m', 'no-results']);
    });

    it('reports a model-index that is not a list, whatever it is', () => {
      for (const value of ['results', 42, { name: 'x', results: [] }, null, true]) {
        const check = checkModelIndex(value);
        expect(
          check.issues.map((i) => i.code),
          String(value),
        ).toEqual(['not-a-list']);
        expect(check.entries).toEqual([]);
      }
      expect(checkModelIndex({ name: 'x' }).issues[0]?.message).toBe(
        'model-index is a mapping; it must be a list of models, each with `name` and `results`.',
      );
    });

    it('reports non-string names and ids, empty strings and empty metric lists', () => {
      expect(
        codes([
          {
            name: 2023,
            results: [result({ task: { type: '' }, dataset: { type: 7, name: 'x' }, metrics: [] })],
          },
        ]),
      ).toEqual([
        'not-a-string /model-index/0/name',
        'empty /model-index/0/results/0/task/type',
        'not-a-string /model-index/0/results/0/dataset/type',
        'empty /model-index/0/results/0/metrics',
      ]);
    });

    it('reports a source without url and a non-boolean `verified`', () => {
      expect(
        codes([
          {
            name: 'm',
            results: [
              result({
                source: { name: 'Leaderboard' },
                metrics: [{ type: 'wer', value: 1.5, verified: 'yes' }],
              }),
            ],
          },
        ]),
      ).toEqual([
        'source-url-missing /model-index/0/results/0/source',
        'not-a-boolean /model-index/0/results/0/metrics/0/verified',
      ]);
    });
  });

  describe('when a metric value is not a number', () => {
    it('reports nan, infinities, empty and wordy values, and keeps numeric strings', () => {
      const values: unknown[] = [
        Number.NaN,
        'nan',
        'NaN',
        '.nan',
        Infinity,
        '',
        '   ',
        'N/A',
        '-',
        true,
        [1],
        { v: 1 },
        '95%',
        '0.93',
        0,
        -1.5,
      ];
      const check = checkModelIndex([
        { name: 'm', results: [result({ metrics: values.map((value, k) => ({ type: `m${k}`, value })) })] },
      ]);
      const invalid = check.issues.map((i) => Number(i.pointer.split('/').at(-2)));
      expect(invalid).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      expect(check.issues.every((i) => i.code === 'invalid-value')).toBe(true);
      expect(check.issues[0]?.message).toBe(
        'model-index[0].results[0].metrics[0].value is NaN (metric `m0`).',
      );
      expect(check.issues[7]?.message).toBe(
        'model-index[0].results[0].metrics[7].value is "N/A", which holds no number (metric `m7`).',
      );
      expect(modelIndexResults(check)[0]?.metrics.map((m) => [m.value, m.numeric])).toEqual([
        ['95%', 95],
        ['0.93', 0.93],
        [0, 0],
        [-1.5, -1.5],
      ]);
    });

    it('reads YAML `.nan` from a card as NaN and reports it', () => {
      const doc = readCard(
        'README.md',
        '---\nmodel-index:\n- name: m\n  results:\n  - task:\n      type: text-classification\n    dataset:\n      type: imdb\n      name: imdb\n    metrics:\n    - type: accuracy\n      value: .nan\n---\n# m\n',
      );
      expect(codes(doc.frontMatter?.data?.['model-index'])).toEqual([
        'invalid-value /model-index/0/results/0/metrics/0/value',
      ]);
    });
  });

  describe('when the task type is not a Hub task id', () => {
    it('reports unknown and misspelt ids with the suggestion, not hidden tasks, subtasks or framework task types', () => {
      const check = checkModelIndex([
        {
          name: 'm',
          results: [
            result({ task: { type: 'ner' } }),
            result({ task: { type: 'Text Classification' } }),
            result({ task: { type: 'sentiment-analysis' } }),
            result({ task: { type: 'multiple-choice' } }),
            result({ task: { type: 'information-retrieval' } }),
            result({ task: { type: 'sparse-nano-beir' } }),
            result({ task: { type: 'STS' } }),
          ],
        },
      ]);
      expect(check.issues.map((i) => `${i.code} ${i.pointer}`)).toEqual([
        'invalid-task-type /model-index/0/results/0/task/type',
        'invalid-task-type /model-index/0/results/1/task/type',
      ]);
      expect(check.issues[1]?.message).toBe(
        'model-index[0].results[1].task.type is "Text Classification", not a Hugging Face task id; the id is `text-classification`.',
      );
      // Structure is sound: the results are kept for the BOM.
      expect(modelIndexResults(check)).toHaveLength(7);
    });
  });

  describe('when the value is hostile', () => {
    it('reads 100k entries up to the entry limit and says so', () => {
      const one = [result()];
      const huge = Array.from({ length: 100_000 }, (_, k) => ({ name: `m${k}`, results: one }));
      const check = checkModelIndex(huge);
      expect(check.entries).toHaveLength(MAX_MODEL_INDEX_ENTRIES);
      expect(check.truncated).toBe(true);
      expect(check.issues.map((i) => i.code)).toEqual(['too-many-entries']);
    });

    it('stops at the result limit across entries', () => {
      const many = Array.from({ length: 5 }, (_, k) => ({
        name: `m${k}`,
        results: Array.from({ length: 1000 }, () => result()),
      }));
      const check = checkModelIndex(many);
      expect(modelIndexResults(check)).toHaveLength(MAX_MODEL_INDEX_RESULTS);
      expect(check.truncated).toBe(true);
      expect(check.issues.map((i) => i.code)).toEqual(['too-many-results']);
    });

    it('stops at the metric limit', () => {
      const metrics = Array.from({ length: 200 }, (_, k) => ({ type: `m${k}`, value: k }));
      const check = checkModelIndex([{ name: 'm', results: [result({ metrics })] }], { maxMetrics: 50 });
      expect(modelIndexResults(check)[0]?.metrics).toHaveLength(50);
      expect(check.issues.map((i) => i.code)).toEqual(['too-many-metrics']);
    });

    it('caps the issues and summarises the rest in one', () => {
      const junk = Array.from({ length: 1000 }, () => 'junk');
      const check = checkModelIndex(junk, { maxEntries: 1000 });
      expect(check.issues).toHaveLength(MAX_MODEL_INDEX_ISSUES + 1);
      expect(check.issues.at(-1)).toMatchObject({
        code: 'too-many-issues',
        message: `${1000 - MAX_MODEL_INDEX_ISSUES} more model-index problems were not listed (limit ${MAX_MODEL_INDEX_ISSUES}).`,
      });
    });

    it('describes deeply nested junk without walking or serialising it', () => {
      let deep: unknown = 'bottom';
      for (let k = 0; k < 100_000; k++) deep = { task: deep };
      const check = checkModelIndex([
        { name: 'm', results: [{ task: { type: deep }, dataset: deep, metrics: [deep] }] },
      ]);
      expect(check.issues.map((i) => i.code)).toEqual([
        'not-a-string',
        'missing',
        'missing',
        'missing',
        'missing',
      ]);
      expect(check.issues[0]?.message).toBe(
        'model-index[0].results[0].task.type is a mapping; the task id must be text.',
      );
    });

    it('truncates long strings it keeps and quotes them shortened', () => {
      const long = 'x'.repeat(100_000);
      const check = checkModelIndex([
        { name: long, results: [result({ dataset: { type: long, name: 5 } })] },
      ]);
      expect(check.entries[0]?.name).toHaveLength(500);
      expect(check.issues[0]?.message.length).toBeLessThan(200);
    });

    it('ignores keys inherited through the prototype', () => {
      const entry = Object.create({ name: 'inherited', results: [] }) as Record<string, unknown>;
      expect(codes([entry])).toEqual(['missing /model-index/0/name', 'missing /model-index/0/results']);
    });

    it('never throws on any JSON-like value', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
          const check = checkModelIndex(value);
          expect(check.issues.length).toBeLessThanOrEqual(MAX_MODEL_INDEX_ISSUES + 1);
        }),
        { numRuns: 300 },
      );
    });

    it('never throws on model-index-shaped values with junk leaves', () => {
      const leaf = fc.oneof(
        fc.string(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(fc.string(), { maxLength: 3 }),
      );
      const metric = fc.record({ type: leaf, value: leaf, verified: leaf }, { requiredKeys: [] });
      const res = fc.record(
        {
          task: fc.oneof(leaf, fc.record({ type: leaf, name: leaf }, { requiredKeys: [] })),
          dataset: fc.oneof(
            leaf,
            fc.record({ type: leaf, name: leaf, config: leaf, args: leaf }, { requiredKeys: [] }),
          ),
          metrics: fc.oneof(leaf, fc.array(fc.oneof(metric, leaf), { maxLength: 4 })),
          source: fc.oneof(leaf, fc.record({ name: leaf, url: leaf }, { requiredKeys: [] })),
        },
        { requiredKeys: [] },
      );
      const entry = fc.record(
        { name: leaf, results: fc.oneof(leaf, fc.array(fc.oneof(res, leaf), { maxLength: 4 })) },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(fc.array(fc.oneof(entry, leaf), { maxLength: 4 }), (value) => {
          const check = checkModelIndex(value);
          for (const r of modelIndexResults(check)) {
            expect(typeof r.task.type).toBe('string');
            expect(typeof r.dataset.type).toBe('string');
            expect(typeof r.dataset.name).toBe('string');
            for (const m of r.metrics) expect(Number.isFinite(m.numeric)).toBe(true);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('metricValueNumber', () => {
  it('reads the leading number of text values', () => {
    expect(metricValueNumber('20.0 ± 1.2')).toEqual({ numeric: 20 });
    expect(metricValueNumber('.5')).toEqual({ numeric: 0.5 });
    expect(metricValueNumber('1e-3')).toEqual({ numeric: 0.001 });
    expect(metricValueNumber('abc 12')).toEqual({ problem: 'is "abc 12", which holds no number' });
    expect(metricValueNumber('-inf')).toEqual({ problem: 'is "-inf", not a number' });
  });
});

describe('pointerToField', () => {
  it('writes JSON Pointers as dotted paths with indexes', () => {
    expect(pointerToField('/model-index/0/results/1/dataset/type')).toBe(
      'model-index[0].results[1].dataset.type',
    );
    expect(pointerToField('/a~1b/0')).toBe('a/b[0]');
  });
});
