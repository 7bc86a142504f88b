import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAuditContext } from '../audit/context.js';
import type { CardFindingDraft } from '../audit/types.js';
import { readCard } from '../read.js';
import { CARD_EVALUATION_RULES, checkEvaluation, MAX_MODEL_INDEX_FINDINGS } from './evaluation.js';

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

const EVAL_MISSING = CARD_EVALUATION_RULES.evalMissing.id;
const INDEX_INVALID = CARD_EVALUATION_RULES.modelIndexInvalid.id;
const DUPLICATE = CARD_EVALUATION_RULES.evalDuplicateResults.id;
const NOT_DISAGGREGATED = CARD_EVALUATION_RULES.evalNotDisaggregated.id;
const METRICS_MISSING = CARD_EVALUATION_RULES.metricsMissing.id;

function check(text: string, path = 'README.md'): CardFindingDraft[] {
  return [...checkEvaluation(buildAuditContext(readCard(path, text), text, undefined))];
}

function ids(text: string): string[] {
  return check(text)
    .map((d) => d.rule.id)
    .sort();
}

function only(text: string, id: string): CardFindingDraft {
  const found = check(text).filter((d) => d.rule.id === id);
  expect(found, `${id} in ${JSON.stringify(check(text).map((d) => d.message))}`).toHaveLength(1);
  return found[0] as CardFindingDraft;
}

function card(meta: readonly string[], body: readonly string[]): string {
  return [...(meta.length > 0 ? ['---', ...meta, '---'] : []), ...body, ''].join('\n');
}

/** One model-index result in YAML, indented as a list item of `results`. */
function yamlResult(
  dataset: string,
  metrics: readonly [string, string][],
  extra: readonly string[] = [],
): string[] {
  return [
    '  - task:',
    '      type: automatic-speech-recognition',
    '    dataset:',
    `      type: ${dataset}`,
    `      name: ${dataset}`,
    ...extra.map((e) => `      ${e}`),
    '    metrics:',
    ...metrics.flatMap(([type, value]) => [`    - type: ${type}`, `      value: ${value}`]),
  ];
}

function indexCard(
  results: readonly string[],
  body: readonly string[] = ['# m', '', 'An ASR model.'],
): string {
  return card(['license: mit', 'model-index:', '- name: m', '  results:', ...results], body);
}

/** Results, metrics and factors, with results per group: nothing to report. */
const COMPLETE = card(
  [
    'license: mit',
    'model-index:',
    '- name: asr-fr',
    '  results:',
    ...yamlResult('mozilla-foundation/common_voice_11_0', [['wer', '12.31']], ['config: fr', 'split: test']),
  ],
  [
    '# asr-fr',
    '',
    '## Factors',
    '',
    'Accent and gender of the speaker.',
    '',
    '## Metrics',
    '',
    'Word error rate (WER), lower is better.',
    '',
    '## Results',
    '',
    '| Group | WER |',
    '|---|---|',
    '| Female | 12.0 |',
    '| Male | 12.6 |',
    '| Accent: Québec | 15.2 |',
  ],
);

/** transformers' Trainer card (`modelcard.py`) with the dataset and values given. */
function trainerCard(dataset: string, values: readonly string[]): string {
  return card(
    [
      'license: apache-2.0',
      'tags:',
      '- generated_from_trainer',
      'model-index:',
      '- name: run-1',
      '  results: []',
    ],
    [
      '# run-1',
      '',
      `This model is a fine-tuned version of [t5-small](https://huggingface.co/t5-small) on the ${dataset} dataset.`,
      'It achieves the following results on the evaluation set:',
      ...values.map((v) => `- ${v}`),
      '',
      '## Training procedure',
      '',
      '### Training results',
      '',
      '| Training Loss | Epoch | Step | Validation Loss | Bleu |',
      '|:---:|:---:|:---:|:---:|:---:|',
      '| No log | 1.0 | 10 | nan | 0.1 |',
    ],
  );
}

describe('checkEvaluation', () => {
  it('finds nothing in a card with valid, named, disaggregated results', () => {
    expect(check(COMPLETE)).toEqual([]);
  });

  it('checks model cards only', () => {
    const dataset = card(
      ['task_categories:', '- text-classification', 'size_categories:', '- 10K<n<100K'],
      ['# Dataset Card for x', '', 'Reviews.'],
    );
    expect(check(dataset)).toEqual([]);
  });

  describe('CARD-EVAL-MISSING', () => {
    it('is raised for a card with no results anywhere', () => {
      expect(only(card(['license: mit'], ['# m', '', 'A classifier.']), EVAL_MISSING)).toMatchObject({
        message: 'No evaluation results: there is no results section or table and there is no `model-index`.',
        field: '§ Evaluation Results',
        evidence: 'no results section, table or model-index',
      });
    });

    it('is raised when the results section holds only placeholders', () => {
      const d = only(
        card(['license: mit'], ['# m', '', '## Results', '', '[More Information Needed]']),
        EVAL_MISSING,
      );
      expect(d).toMatchObject({
        line: 6,
        field: '§ Results',
        message: 'No evaluation results: § Results holds only placeholders and there is no `model-index`.',
      });
    });

    it.each([
      [
        'a metric ≈ number in prose (sepsis-risk)',
        [
          '## Metrics (synthetic test split)',
          'See `models/evaluation_report.json` for the exact numbers from the last',
          'training run — typically AUC-ROC ≈ 0.87-0.89, sensitivity ≈ 0.75-0.80 at',
          '90% specificity.',
        ],
      ],
      ['`Name: number` lines', ['## Notes', '', '- **Accuracy:** 0.7518', '- EER = 4.2%']],
      [
        'table rows pairing a metric with a number (chest-xray)',
        ['## Numbers', '', '| Class | Value |', '|---|---|', '| Pneumonia AP | 0.41 |', '| mAP | 0.38 |'],
      ],
    ])('counts %s as results', (_, body) => {
      expect(ids(card(['license: mit'], ['# m', '', 'A classifier.', '', ...body]))).not.toContain(
        EVAL_MISSING,
      );
    });

    it('does not count metric-number pairs in training sections', () => {
      const text = card(
        ['license: mit'],
        ['# m', '', '## Training hyperparameters', '', '- learning_rate: 0.003', '- precision: 16'],
      );
      expect(ids(text)).toContain(EVAL_MISSING);
    });

    it("does not count the Trainer's `nan` values, nor its summary on a None dataset", () => {
      const nan = only(trainerCard('glue', ['Loss: nan', 'Accuracy: nan']), EVAL_MISSING);
      expect(nan.message).toBe(
        "No evaluation results: there is no results section or table, `model-index` lists no results and the Trainer's summary (line 12) has only `nan` values (Loss: nan, Accuracy: nan).",
      );
      expect(nan).toMatchObject({ line: 5, field: 'model-index' });
      const none = only(trainerCard('None', ['Loss: nan', 'Bleu: 0.0843']), EVAL_MISSING);
      expect(none.message).toContain(
        "the Trainer's summary (line 12: Loss: nan, Bleu: 0.0843) is on an evaluation set of a dataset it calls None",
      );
    });

    it('ignores tables of training logs and hyperparameters', () => {
      const text = card(
        ['license: mit'],
        [
          '# m',
          '',
          '## Training hyperparameters',
          '',
          '| learning rate | loss |',
          '|---|---|',
          '| 1e-4 | 0.3 |',
        ],
      );
      expect(ids(text)).toEqual([EVAL_MISSING]);
    });

    it('notes evaluation data described without numbers', () => {
      const text = card([], ['# m', '', '## Evaluation Data', '', '### Datasets', '', 'WebText, held out.']);
      expect(only(text, EVAL_MISSING)).toMatchObject({
        field: '§ Evaluation Data',
        line: 3,
        message:
          'No evaluation results: there is no results section or table and there is no `model-index`. § Evaluation Data says what the model was evaluated on, but no numbers are given.',
      });
    });

    it('is not raised for a valid model-index, a results section, a results table or a Trainer summary on a named dataset', () => {
      const reported = [
        indexCard(yamlResult('librispeech_asr', [['wer', '3.1']])),
        card(['license: mit'], ['# m', '', '## Evaluation', '', 'It reaches 91.2% accuracy on SST-2.']),
        card(
          ['license: mit'],
          [
            '# m',
            '',
            '## Usage',
            '',
            '| testset | BLEU | chr-F |',
            '|---|---|---|',
            '| Tatoeba.af.en | 60.8 | 0.736 |',
          ],
        ),
        card(
          ['license: mit'],
          [
            '# m',
            '',
            '<table><tr><th>Benchmark</th><th>Accuracy</th></tr>',
            '<tr><td>BoolQ</td><td>76.5</td></tr></table>',
          ],
        ),
        trainerCard('glue', ['Loss: 0.31', 'Accuracy: 0.88']),
      ];
      for (const text of reported)
        expect(
          ids(text).filter((id) => id === EVAL_MISSING),
          text,
        ).toEqual([]);
    });
  });

  describe('CARD-MODEL-INDEX-INVALID', () => {
    it('reports each problem at its line with its path', () => {
      const text = card(
        [
          'model-index:',
          '- name: m',
          '  results:',
          '  - task:',
          '      type: ner',
          '    dataset:',
          '      type: conll2003',
          '    metrics:',
          '    - type: f1',
          '      value: .nan',
        ],
        ['# m', '', '## Results', '', 'F1 0.91 on CoNLL-2003.'],
      );
      const found = check(text).filter((d) => d.rule.id === INDEX_INVALID);
      // Structural problems first, then unknown task types (low).
      expect(found.map((d) => [d.line, d.field, d.evidence, d.severity])).toEqual([
        [
          7,
          'model-index[0].results[0].dataset.name',
          'model-index[0].results[0].dataset.name: (absent)',
          undefined,
        ],
        [
          11,
          'model-index[0].results[0].metrics[0].value',
          'model-index[0].results[0].metrics[0].value: NaN',
          undefined,
        ],
        [6, 'model-index[0].results[0].task.type', 'model-index[0].results[0].task.type: "ner"', 'low'],
      ]);
      expect(found[2]?.message).toBe(
        'model-index[0].results[0].task.type is "ner", not a Hugging Face task id.',
      );
    });

    it('reports an unknown task type once per value, and accepts framework task types', () => {
      const typed = (type: string) => [
        '  - task:',
        `      type: ${type}`,
        '    dataset: {type: d, name: d}',
        `    metrics: [{type: acc, value: 0.5${type.length}}]`,
      ];
      const text = indexCard(
        ['ner', 'ner', 'ner', 'Retrieval', 'semantic-similarity', 'cross-encoder-reranking'].flatMap(typed),
      );
      const found = check(text).filter((d) => d.rule.id === INDEX_INVALID);
      expect(found.map((d) => [d.severity, d.line, d.message])).toEqual([
        [
          'low',
          7,
          'model-index[0].results[0].task.type is "ner", not a Hugging Face task id (and 2 more results).',
        ],
      ]);
    });

    it('reports a model-index that is not a list once', () => {
      const d = only(
        card(['model-index: my-model'], ['# m', '', '## Results', '', 'Accuracy 0.9.']),
        INDEX_INVALID,
      );
      expect(d).toMatchObject({ line: 2, field: 'model-index', evidence: 'model-index: "my-model"' });
    });

    it('lists the first problems and summarises the rest', () => {
      const results = Array.from({ length: 40 }, () => [
        '  - task: {}',
        '    dataset: {type: x, name: x}',
        '    metrics: [{type: a, value: 1}]',
      ]).flat();
      const found = check(indexCard(results)).filter((d) => d.rule.id === INDEX_INVALID);
      expect(found).toHaveLength(MAX_MODEL_INDEX_FINDINGS + 1);
      expect(found.at(-1)?.message).toBe(
        '20 more `model-index` problems (20 missing) are not listed one by one.',
      );
    });

    it('is raised alongside CARD-EVAL-MISSING when no result is valid', () => {
      const text = indexCard([
        '  - task: {type: text-classification}',
        '    metrics: [{type: accuracy, value: nan}]',
      ]);
      expect(ids(text)).toEqual([EVAL_MISSING, INDEX_INVALID, INDEX_INVALID]);
      expect(only(text, EVAL_MISSING).message).toBe(
        'No evaluation results: there is no results section or table and `model-index` has no valid result.',
      );
    });
  });

  describe('CARD-EVAL-DUPLICATE-RESULTS', () => {
    it('is raised when two datasets carry the same metric values', () => {
      const text = indexCard([
        ...yamlResult(
          'common_voice',
          [
            ['wer', '23.4'],
            ['cer', '8.1'],
          ],
          ['split: test'],
        ),
        ...yamlResult(
          'fleurs',
          [
            ['cer', '8.1'],
            ['wer', '23.4'],
          ],
          ['split: test'],
        ),
      ]);
      expect(only(text, DUPLICATE)).toMatchObject({
        line: 17,
        field: 'model-index[0].results[1]',
        message:
          'model-index[0].results[1] on `fleurs`, split `test` reports exactly the metrics of model-index[0].results[0] on `common_voice`, split `test` (cer 8.1, wer 23.4): probably copied.',
      });
    });

    it('is raised for one metric with enough digits, and for splits of one dataset', () => {
      const text = indexCard([
        ...yamlResult('librispeech_asr', [['wer', '3.17']], ['config: clean', 'split: test']),
        ...yamlResult('librispeech_asr', [['wer', '3.17']], ['config: other', 'split: test']),
      ]);
      expect(ids(text)).toEqual([DUPLICATE]);
    });

    it('is raised for an exact repeat', () => {
      const one = yamlResult('librispeech_asr', [['wer', '1.0']], ['split: test']);
      expect(only(indexCard([...one, ...one]), DUPLICATE).message).toBe(
        'model-index[0].results[1] repeats model-index[0].results[0]: same task, dataset `librispeech_asr`, split `test` and metrics (wer 1).',
      );
    });

    it('is not raised for a perfect score on two datasets, or for different values', () => {
      expect(
        ids(
          indexCard([
            ...yamlResult('mnist', [['accuracy', '1.0']]),
            ...yamlResult('kmnist', [['accuracy', '1.0']]),
          ]),
        ),
      ).toEqual([]);
      expect(
        ids(
          indexCard([
            ...yamlResult('a', [
              ['wer', '23.4'],
              ['cer', '8.1'],
            ]),
            ...yamlResult('b', [
              ['wer', '23.4'],
              ['cer', '8.2'],
            ]),
          ]),
        ),
      ).toEqual([]);
    });
  });

  describe('CARD-EVAL-NOT-DISAGGREGATED', () => {
    const results = ['## Results', '', '| Dataset | WER |', '|---|---|', '| LibriSpeech | 3.1 |'];

    it('is raised when a Factors section names groups and results are not broken down', () => {
      const text = card(
        ['license: mit'],
        ['# m', '', '## Factors', '', '- Accent of the speaker', '- Gender', '', ...results],
      );
      expect(only(text, NOT_DISAGGREGATED)).toMatchObject({
        line: 6,
        field: '§ Factors',
        message:
          '§ Factors names factors performance may vary with, but no result is broken down by them: no per-group rows, columns or metrics.',
        evidence: 'Accent of the speaker; Gender',
      });
    });

    it('is not raised by "other languages" in a card for one language (audiocraft)', () => {
      const limits = [
        '## Limitations and biases',
        '',
        '- The model has been trained with English descriptions and will not perform as well in other languages.',
      ];
      expect(ids(card(['language: en'], ['# m', '', ...results, '', ...limits]))).not.toContain(
        NOT_DISAGGREGATED,
      );
      expect(ids(card([], ['# m', '', ...results, '', ...limits]))).not.toContain(NOT_DISAGGREGATED);
      // A multilingual card that performs worse in some languages should break results down.
      expect(ids(card(['language: [en, fr, de]'], ['# m', '', ...results, '', ...limits]))).toContain(
        NOT_DISAGGREGATED,
      );
    });

    it('is raised when the prose says performance differs across groups', () => {
      const text = card(
        ['license: mit'],
        [
          '# m',
          '',
          ...results,
          '',
          '## Limitations',
          '',
          'It performs worse on speakers with strong accents and on some dialects.',
        ],
      );
      expect(only(text, NOT_DISAGGREGATED)).toMatchObject({
        line: 14,
        field: '§ Limitations',
        message:
          'The card says performance varies with "accents", "dialects" (line 14), but no result is broken down by them: no per-group rows, columns or metrics.',
      });
    });

    it('is not raised when results are given per group, per language or per configuration', () => {
      const factors = ['## Factors', '', 'Gender and age of the speaker.', ''];
      const broken = [
        card(
          ['license: mit'],
          [
            '# m',
            '',
            ...factors,
            '## Results',
            '',
            '| Gender | WER |',
            '|---|---|',
            '| female | 3.3 |',
            '| male | 3.0 |',
          ],
        ),
        card(
          ['license: mit'],
          ['# m', '', ...factors, ...results, '', 'WER is 3.3% for women and 3.0% across ages 18-30.'],
        ),
        card(
          ['license: mit'],
          [
            '# m',
            '',
            ...factors,
            '## Results',
            '',
            '| | WER |',
            '|---|---|',
            '| English | 3.3 |',
            '| French | 5.0 |',
          ],
        ),
        indexCard(
          [
            ...yamlResult('common_voice', [['wer', '10.1']], ['config: fr']),
            ...yamlResult('common_voice', [['wer', '12.9']], ['config: de']),
          ],
          ['# m', '', 'It performs unevenly across languages.'],
        ),
      ];
      for (const text of broken) expect(ids(text), text).toEqual([]);
    });

    it('is not raised for groups mentioned without performance, or in training data', () => {
      const text = card(
        ['license: mit'],
        [
          '# m',
          '',
          ...results,
          '',
          '## Training Data',
          '',
          'Speech in 98 languages, 65% English; performance tracks data size.',
          '',
          '## Uses',
          '',
          'Do not infer gender or age.',
        ],
      );
      expect(ids(text)).toEqual([]);
    });

    it('is not raised on top of CARD-EVAL-MISSING', () => {
      const text = card(
        ['license: mit'],
        ['# m', '', '## Factors', '', 'Gender.', '', '## Results', '', 'More information needed'],
      );
      expect(ids(text)).toEqual([EVAL_MISSING]);
    });
  });

  describe('CARD-METRICS-MISSING', () => {
    const unnamed = ['# m', '', '## Results', '', 'Our model reached 85.3 on the internal test set.'];

    it('is raised when results are given but no metric is named anywhere', () => {
      expect(only(card(['license: mit'], unnamed), METRICS_MISSING)).toMatchObject({
        line: 6,
        field: '§ Results',
        message:
          '§ Results reports results, but no metric is named anywhere in the card (no Metrics section, no `metrics` metadata, no metric next to the numbers).',
        evidence: 'Our model reached 85.3 on the internal test set.',
      });
    });

    it('is not raised when a table names its metrics in row labels or a "Metric" column (icf, merge)', () => {
      const rows = [
        '## Evaluation results',
        '',
        '| | Sentence-level | Note-level',
        '|---|---|---',
        'mean absolute error | 0.48 | 0.37',
        'mean squared error | 0.55 | 0.34',
        'root mean squared error | 0.74 | 0.58',
      ];
      expect(ids(card(['license: mit'], ['# m', '', ...rows]))).toEqual([]);
      const leaderboard = [
        '## Open LLM Leaderboard Evaluation Results',
        '',
        '|             Metric              |Value|',
        '|---------------------------------|----:|',
        '|Avg.                             |68.04|',
        '|AI2 Reasoning Challenge (25-Shot)|65.61|',
        '|HellaSwag (10-Shot)              |85.70|',
      ];
      expect(ids(card(['license: mit'], ['# m', '', ...leaderboard]))).toEqual([]);
    });

    it('is not raised when the metadata, a Metrics section or the text names a metric', () => {
      expect(ids(card(['license: mit', 'metrics: [accuracy]'], unnamed))).toEqual([]);
      expect(ids(card(['license: mit'], [...unnamed, '', '## Metrics', '', 'Exact match.']))).toEqual([]);
      expect(
        ids(card(['license: mit'], [...unnamed, '', '## Bias', '', 'Accuracy is lower on long inputs.'])),
      ).toEqual([]);
    });
  });

  describe('robustness', () => {
    it('stays bounded on a model-index of 20k results', () => {
      const results = Array.from(
        { length: 20_000 },
        (_, k) =>
          `  - {task: {type: text-classification}, dataset: {type: d${k}, name: d}, metrics: [{type: acc, value: 0.5}]}`,
      );
      const text = indexCard(results);
      const started = performance.now();
      const found = check(text);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(found.filter((d) => d.rule.id === INDEX_INVALID).length).toBeLessThanOrEqual(
        MAX_MODEL_INDEX_FINDINGS + 1,
      );
    });

    it('survives adversarial model-index values and huge tables', () => {
      for (const value of [
        'null',
        '"x"',
        '42',
        '{a: 1}',
        '[[[[[]]]]]',
        '[null, 1, "a"]',
        '- {name: [1], results: {x: 1}}',
      ]) {
        const text = card([`model-index: ${value}`], ['# m']);
        expect(() => check(text), value).not.toThrow();
      }
      const table = [
        '| a | accuracy |',
        '|---|---|',
        ...Array.from({ length: 20_000 }, (_, k) => `| ${k} | 0.${k} |`),
      ];
      expect(() => check(card([], ['# m', '', ...table]))).not.toThrow();
      const html = [
        '<table>',
        ...Array.from({ length: 20_000 }, () => '<tr><td>x</td><td>1.0</td>'),
        '</table>',
      ];
      expect(() => check(card([], ['# m', '', ...html]))).not.toThrow();
    });
  });
});

/**
 * Evaluation rules per real model card, checked by reading each card (see INDEX.md):
 * - whisper: "Performance and Limitations" has content but no per-group numbers, and says performance is
 *   uneven across languages, accents, dialects, genders, races, ages → not disaggregated.
 * - CLIP: "Performance" section; accuracy per race for gender classification (96.5%-98.4%) → disaggregated.
 * - gpt-2: "Evaluation Data" names WebText, no results anywhere.
 * - llama3: benchmark tables; nothing ties performance to groups.
 * - llama: Factors section, and a bias table per category (Gender, Religion, Race/Color, Age...).
 * - ESG-BERT: Results with accuracies and F1; Factors and Metrics are placeholders.
 * - sst_mobilebert: no results at all. diabetes-t5-small and CyberAttackDetection: Results are placeholders.
 * - Helsinki-NLP af-en: a Benchmarks table (BLEU, chr-F on Tatoeba).
 * - BLOOM: Factors (language, domain, demographics) but results are train-time loss and perplexity only.
 * - MusicGen: results per model size; "will not perform as well in other languages".
 * - Run_8: Trainer card, `results: []`, "Loss: nan, Bleu: 0.0843" on the None dataset.
 */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'openai__whisper__model-card.md': [NOT_DISAGGREGATED],
  'openai__CLIP__model-card.md': [],
  'openai__gpt-2__model_card.md': [EVAL_MISSING],
  'meta-llama__llama3__MODEL_CARD.md': [],
  'meta-llama__llama__MODEL_CARD@53011c3.md': [],
  'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md': [],
  'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_cambridgeltl-sst_mobilebert-uncased.md':
    [EVAL_MISSING],
  'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md':
    [EVAL_MISSING],
  'huggingface__transformers__model_cards_Helsinki-NLP_af-en_README.md': [],
  'bigscience-workshop__model_card__README.md': [NOT_DISAGGREGATED],
  // "trained with English descriptions and will not perform as well in other languages": an English-only
  // model naming what it does not support, not a call for per-language results (as for AudioGen, MAGNET).
  'facebookresearch__audiocraft__model_cards_MUSICGEN_MODEL_CARD.md': [],
  'canstralian__CyberAttackDetection__README@17c9b3f.md': [EVAL_MISSING],
  'saranscript__huggingface-models__models_adityay1221_Run_8_README.md': [EVAL_MISSING],
};

describe.skipIf(!haveCards)('checkEvaluation over the real cards in shared/data/cards', () => {
  const read = (name: string) => check(readFileSync(join(CARDS, name), 'utf8'), name);

  it('raises the expected rules on every model card and none on dataset cards', () => {
    const index = readFileSync(join(CARDS, 'INDEX.md'), 'utf8');
    for (const m of index.matchAll(/^\| ([^|]+\.md) \| (model|dataset) \|/gm)) {
      const name = (m[1] as string).trim();
      const found = read(name)
        .map((d) => d.rule.id)
        .sort();
      expect(found, name).toEqual(m[2] === 'model' ? EXPECTED[name] : []);
    }
  });

  it('whisper: quotes the sentence naming the groups', () => {
    const [d] = read('openai__whisper__model-card.md');
    expect(d).toMatchObject({
      line: 62,
      field: '§ Performance and Limitations',
      message:
        'The card says performance varies with "languages", "accents", "dialects", "genders", "races", "ages" (line 62), but no result is broken down by them: no per-group rows, columns or metrics.',
    });
  });

  it('BLOOM: quotes its factors', () => {
    const [d] = read('bigscience-workshop__model_card__README.md');
    expect(d).toMatchObject({
      line: 453,
      field: '§ Factors',
      evidence:
        'Language, such as English or Yoruba; Domain, such as newswire or stories; Demographic characteristics, such as gender or nationality',
    });
  });

  it('Run_8: the Trainer summary on the None dataset is not a result', () => {
    const [d] = read('saranscript__huggingface-models__models_adityay1221_Run_8_README.md');
    expect(d).toMatchObject({ line: 7, field: 'model-index' });
    expect(d?.message).toBe(
      "No evaluation results: there is no results section or table, `model-index` lists no results and the Trainer's summary (line 18: Loss: nan, Bleu: 0.0843) is on an evaluation set of a dataset it calls None.",
    );
  });
});
