import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAuditContext } from '../audit/context.js';
import type { CardFindingDraft, CardRepo } from '../audit/types.js';
import { readCard } from '../read.js';
import {
  CARD_PROVENANCE_RULES,
  cardProse,
  checkProvenance,
  datasetsInPhrase,
  isHubRepoId,
  toPlainText,
  trainingDatasetMentions,
} from './provenance.js';

const CARDS = '/work/shared/data/cards';
const haveCards = existsSync(join(CARDS, 'INDEX.md'));

const TRAINING_MISSING = CARD_PROVENANCE_RULES.trainingDataMissing.id;
const BASE_MISSING = CARD_PROVENANCE_RULES.baseModelMissing.id;
const BASE_INVALID = CARD_PROVENANCE_RULES.baseModelInvalid.id;
const INCONSISTENT = CARD_PROVENANCE_RULES.provenanceInconsistent.id;

function check(text: string, repo?: CardRepo, path = 'README.md'): CardFindingDraft[] {
  return [...checkProvenance(buildAuditContext(readCard(path, text), text, repo))];
}

function ids(text: string, repo?: CardRepo): string[] {
  return check(text, repo)
    .map((d) => d.rule.id)
    .sort();
}

function only(text: string, id: string, repo?: CardRepo): CardFindingDraft {
  const found = check(text, repo).filter((d) => d.rule.id === id);
  expect(found, `${id} in ${JSON.stringify(check(text, repo).map((d) => d.message))}`).toHaveLength(1);
  return found[0] as CardFindingDraft;
}

function card(meta: readonly string[], body: readonly string[]): string {
  return [...(meta.length > 0 ? ['---', ...meta, '---'] : []), ...body, ''].join('\n');
}

/** A complete card: base model and datasets declared, prose agreeing. */
const COMPLETE = card(
  ['license: apache-2.0', 'base_model: google-bert/bert-base-uncased', 'datasets:', '- stanfordnlp/imdb'],
  [
    '# bert-imdb',
    '',
    'This model is a fine-tuned version of [bert-base-uncased](https://huggingface.co/bert-base-uncased) on the imdb dataset.',
    '',
    '## Training data',
    '',
    'The 25,000 training reviews of IMDB.',
  ],
);

/** transformers' Trainer card when it knew nothing about the data (transformers `modelcard.py`). */
function trainerCard(meta: readonly string[] = [], dataset = 'None'): string {
  return card(
    [
      'license: apache-2.0',
      'tags:',
      '- generated_from_trainer',
      ...meta,
      'model-index:',
      '- name: run-1',
      '  results: []',
    ],
    [
      '<!-- This model card has been generated automatically according to the information the Trainer had access to. You',
      'should probably proofread and complete it, then remove this comment. -->',
      '',
      '# run-1',
      '',
      `This model is a fine-tuned version of [distilgpt2](https://huggingface.co/distilgpt2) on the ${dataset} dataset.`,
      'It achieves the following results on the evaluation set:',
      '- Loss: 3.2',
      '',
      '## Training and evaluation data',
      '',
      'More information needed',
    ],
  );
}

describe('checkProvenance', () => {
  it('finds nothing in a card that declares and describes its provenance', () => {
    expect(check(COMPLETE)).toEqual([]);
  });

  it('checks model cards only', () => {
    const dataset = card(
      ['task_categories:', '- text-classification', 'size_categories:', '- 10K<n<100K'],
      ['# Dataset Card for x', '', 'Reviews.'],
    );
    expect(check(dataset)).toEqual([]);
  });

  describe('CARD-TRAINING-DATA-MISSING', () => {
    it('is raised for a Trainer card "on the None dataset", pointing at its placeholder section', () => {
      const d = only(trainerCard(['base_model: distilgpt2']), TRAINING_MISSING);
      expect(d).toMatchObject({
        line: 19,
        field: '§ Training and evaluation data',
        evidence: 'This model is a fine-tuned version of distilgpt2 on the None dataset.',
      });
      expect(d.severity).toBeUndefined();
      expect(d.message).toBe(
        "The card names no training data: the Trainer's summary (line 15) names no dataset, § Training and evaluation data holds only placeholders and there is no `datasets` metadata.",
      );
    });

    it('is raised when nothing names data, and for generic phrases that name no dataset', () => {
      expect(ids(card(['license: mit'], ['# m', '', 'A text classifier.']))).toEqual([TRAINING_MISSING]);
      for (const sentence of [
        'It was trained on publicly available data.',
        'It was trained on a large private corpus.',
        'It was trained on 680,000 hours of audio.',
        'It was trained on 8 A100 GPUs for a week.',
        'It was fine-tuned with LoRA.',
        'It was not trained on ImageNet.',
        'It was trained on an offline dataset.',
      ]) {
        expect(ids(card(['license: mit'], ['# m', '', sentence])), sentence).toEqual([TRAINING_MISSING]);
      }
    });

    it('does not count template fields in `datasets`', () => {
      expect(ids(card(['datasets:', '- {dataset_0}'], ['# m', '', 'A model.']))).toEqual([TRAINING_MISSING]);
    });

    it('is low for a quantisation, which inherits its base model’s data', () => {
      const d = only(
        card(['base_model: org/base', 'base_model_relation: quantized'], ['# m-GGUF', '', 'GGUF files.']),
        TRAINING_MISSING,
      );
      expect(d.severity).toBe('low');
      expect(d.message).toMatch(
        /As a quantisation, it may point to the training data of its base models instead\.$/,
      );
    });

    it('is not raised when `datasets`, a section, a label or a sentence names the data', () => {
      const named = [
        card(['datasets: imdb'], ['# m', '', 'A model.']),
        card(
          ['license: mit'],
          ['# m', '', '## Training Data', '', 'Reviews scraped from our shop, 2019-2021.'],
        ),
        card(['license: mit'], ['# m', '', '- **Training data:** reviews from our shop']),
        card(['license: mit'], ['# opus-mt', '', '* dataset: opus', '* model: transformer-align']),
        card(['license: mit'], ['# m', '', 'This model was trained on WikiText-103.']),
        card(
          ['license: mit'],
          ['# m', '', 'We fine-tuned it on the Stanford Sentiment Treebank dataset for 3 epochs.'],
        ),
        card(
          ['license: mit'],
          [
            '# m',
            '',
            'It was pre-trained on the [C4 corpus](https://www.tensorflow.org/datasets/catalog/c4).',
          ],
        ),
        card(
          ['license: mit'],
          ['# m', '', 'Trained on [this data](https://huggingface.co/datasets/org/reviews).'],
        ),
        card(
          ['license: mit'],
          ['# m', '', 'It was trained for 3 epochs on mozilla-foundation/common_voice_11_0.'],
        ),
        card(['license: mit'], ['# m', '', 'This model was trained from scratch on OSCAR.']),
        card(
          ['license: mit', 'base_model: bert-base-cased'],
          ['# m', '', 'It is a fine-tuned version of BERT on SST-2.'],
        ),
        trainerCard(['base_model: distilgpt2'], 'wikitext'),
      ];
      for (const text of named) expect(ids(text), text).toEqual([]);
    });
  });

  describe('CARD-BASE-MODEL-MISSING', () => {
    it("names the Trainer's base model (medium) and says what to add", () => {
      const d = only(trainerCard(['datasets: [wikitext]'], 'wikitext'), BASE_MISSING);
      expect(d).toMatchObject({
        severity: 'medium',
        line: 15,
        field: 'base_model',
        message:
          "The Trainer's summary (line 15) says the model derives from `distilgpt2` but the metadata has no `base_model`.",
        remediation: 'Add `base_model: distilgpt2` to the front matter.',
      });
    });

    it('reads the Hub template label and ignores it when it is a placeholder', () => {
      const label = (value: string) =>
        card(
          ['license: mit', 'datasets: [x]'],
          ['# m', '', '## Model Details', '', `- **Finetuned from model [optional]:** ${value}`],
        );
      expect(
        only(
          label('[meta-llama/Llama-2-7b-hf](https://huggingface.co/meta-llama/Llama-2-7b-hf)'),
          BASE_MISSING,
        ),
      ).toMatchObject({
        severity: 'medium',
        message:
          'The card (line 9) says the model derives from `meta-llama/Llama-2-7b-hf` but the metadata has no `base_model`.',
      });
      expect(ids(label('[More Information Needed]'))).toEqual([]);
      // A family name is a weaker hint: low.
      expect(
        only(card(['datasets: [x]'], ['# m', '', '- **Parent Model:** BERT']), BASE_MISSING).severity,
      ).toBe('low');
    });

    it('finds "fine-tuned from", "quantized version of", "LoRA adapter for" and "a X fine-tuned on"', () => {
      const cases: [string, string][] = [
        ['It was finetuned from mistralai/Mistral-7B-v0.1 on our chats.', 'mistralai/Mistral-7B-v0.1'],
        ['A quantized version of Qwen/Qwen2-7B.', 'Qwen/Qwen2-7B'],
        ['GGUF quants of meta-llama/Meta-Llama-3-8B.', 'meta-llama/Meta-Llama-3-8B'],
        ['A LoRA adapter for tiiuae/falcon-7b.', 'tiiuae/falcon-7b'],
        [
          'This model provides a MobileBERT [(Sun et al., 2020)](https://arxiv.org/abs/2004.02984) fine-tuned on the SST data.',
          'MobileBERT',
        ],
        ['A fine-tuned checkpoint of Llama 2 7B on support tickets.', 'Llama 2 7B'],
        // From the review of cards outside the shared set (superb-sid, clinicalnerpt, a mergekit card).
        ['The base model is facebook/wav2vec2-base, pretrained on 16kHz speech.', 'facebook/wav2vec2-base'],
        ['The model is based on a pre-trained BioBERTpt for clinical NER.', 'BioBERTpt'],
        [
          'A SLERP merge of mistralai/Mistral-7B-v0.1 and HuggingFaceH4/zephyr-7b-beta.',
          'mistralai/Mistral-7B-v0.1',
        ],
      ];
      for (const [sentence, base] of cases) {
        const text = card(['datasets: [x]'], ['# m', '', sentence]);
        expect(only(text, BASE_MISSING).message, sentence).toContain(`\`${base}\``);
        // The base is not taken for a training dataset that `datasets` would omit.
        expect(ids(text), sentence).toEqual([BASE_MISSING]);
      }
    });

    it('is raised for a PEFT adapter repository, and from config.json at low severity', () => {
      const text = card(['datasets: [x]'], ['# m', '', 'An adapter.']);
      expect(
        only(text, BASE_MISSING, {
          files: ['README.md', 'adapter_config.json', 'adapter_model.safetensors'],
          licenseFiles: [],
        }),
      ).toMatchObject({
        severity: 'medium',
        message:
          'The repository holds adapter_config.json (a PEFT adapter, which loads on top of a base model), but the metadata has no `base_model`.',
        evidence: 'adapter_config.json (a PEFT adapter) in the repository',
      });
      const config = (name: string): CardRepo => ({
        files: ['config.json'],
        licenseFiles: [],
        config: { _name_or_path: name },
      });
      expect(only(text, BASE_MISSING, config('google/flan-t5-base'))).toMatchObject({
        severity: 'low',
        evidence: 'config.json "_name_or_path": "google/flan-t5-base"',
      });
      // Its own name, a local path or a legacy single name says nothing about a base.
      expect(ids(text, config('org/m'))).toEqual([]);
      expect(ids(text, config('/content/drive/MyDrive/out'))).toEqual([]);
      expect(ids(text, config('./checkpoint-500'))).toEqual([]);
      expect(ids(text, config('gpt2'))).toEqual([]);
    });

    it('is not raised for models trained from scratch, general remarks, cards without metadata, or with base_model', () => {
      const none = [
        trainerCard(['datasets: [x]']).replace(
          'is a fine-tuned version of [distilgpt2](https://huggingface.co/distilgpt2)',
          'was trained from scratch',
        ),
        card(
          ['datasets: [x]'],
          [
            '# m',
            '',
            'It can be fine-tuned for downstream tasks.',
            '',
            'Users may fine-tune it on their own data.',
          ],
        ),
        card([], ['# m', '', 'This model is a fine-tuned version of bert-base-uncased on the imdb dataset.']),
        card(
          ['datasets: [imdb]', 'base_model: bert-base-uncased'],
          ['# m', '', 'This model is a fine-tuned version of bert-base-uncased on the imdb dataset.'],
        ),
      ];
      for (const text of none)
        expect(
          ids(text).filter((id) => id === BASE_MISSING),
          text,
        ).toEqual([]);
    });
  });

  describe('CARD-BASE-MODEL-INVALID', () => {
    const base = (lines: readonly string[]) => card(['datasets: [x]', ...lines], ['# m', '', 'A model.']);

    it('accepts Hub ids, legacy names, lists of ids and a known relation', () => {
      for (const lines of [
        ['base_model: gpt2'],
        ['base_model: bert-base-uncased'],
        ['base_model: meta-llama/Llama-3.1-8B'],
        ['base_model:', '- org/a', '- org/b', 'base_model_relation: merge'],
        ['base_model: org/a', 'base_model_relation: adapter'],
      ])
        expect(ids(base(lines)), lines.join(' ')).toEqual([]);
    });

    it('reports URLs with the id to write instead', () => {
      const d = only(base(['base_model: https://huggingface.co/meta-llama/Llama-2-7b-hf']), BASE_INVALID);
      expect(d).toMatchObject({
        line: 3,
        field: 'base_model',
        message:
          '`base_model` is a URL; the id is `meta-llama/Llama-2-7b-hf`: "https://huggingface.co/meta-llama/Llama-2-7b-hf".',
        remediation: 'Write `base_model: meta-llama/Llama-2-7b-hf`.',
      });
    });

    it('reports paths, placeholders, wrong types and bad list items at their line', () => {
      expect(only(base(['base_model: /home/me/models/llama']), BASE_INVALID).message).toBe(
        '`base_model` is a local path, not a Hub model id: "/home/me/models/llama".',
      );
      expect(only(base(["base_model: '{base_model}'"]), BASE_INVALID).message).toBe(
        '`base_model` is an unfilled template field: "{base_model}".',
      );
      expect(only(base(['base_model: 7']), BASE_INVALID).message).toBe(
        '`base_model` is number 7; it takes a Hub model id such as `org/name`.',
      );
      expect(only(base(['base_model:', '  name: x']), BASE_INVALID).message).toBe(
        '`base_model` is a mapping; it takes a Hub model id such as `org/name`.',
      );
      expect(only(base(['base_model: []']), BASE_INVALID).message).toBe('`base_model` is an empty list.');
      expect(only(base(['base_model:', '- org/a', '- my model v2']), BASE_INVALID)).toMatchObject({
        line: 5,
        field: 'base_model[1]',
      });
    });

    it('reports an unknown relation, and a relation without a base model', () => {
      expect(only(base(['base_model: org/a', 'base_model_relation: fine-tune']), BASE_INVALID)).toMatchObject(
        {
          field: 'base_model_relation',
          line: 4,
          message:
            '`base_model_relation` is "fine-tune"; it takes one of `adapter`, `merge`, `quantized`, `finetune`.',
        },
      );
      expect(only(base(['base_model_relation: adapter']), BASE_INVALID).message).toBe(
        '`base_model_relation: adapter` is set but `base_model` is not: the relation has nothing to refer to.',
      );
    });

    it('caps findings for a long list of bad ids', () => {
      const list = Array.from({ length: 500 }, (_, k) => `- not an id ${k}`);
      const found = check(base(['base_model:', ...list])).filter((d) => d.rule.id === BASE_INVALID);
      expect(found.length).toBeLessThanOrEqual(11);
    });
  });

  describe('CARD-PROVENANCE-INCONSISTENT', () => {
    it("is raised when the Trainer's base differs from base_model (medium)", () => {
      const text = trainerCard(['base_model: gpt2-medium', 'datasets: [wikitext]'], 'wikitext');
      expect(only(text, INCONSISTENT)).toMatchObject({
        severity: 'medium',
        line: 16,
        field: 'base_model',
        message:
          'The card says the model derives from `distilgpt2` (line 16), but `base_model` is `gpt2-medium`.',
      });
    });

    it('matches ids that moved to an organisation and prefixes', () => {
      expect(ids(COMPLETE)).toEqual([]);
      const text = card(
        ['base_model: meta-llama/Llama-2-7b-hf', 'datasets: [x]'],
        [
          '# m',
          '',
          'A fine-tuned version of meta-llama/Llama-2-7b on chats.',
          '',
          '## Training data',
          '',
          'x',
        ],
      );
      expect(ids(text)).toEqual([]);
    });

    it('is raised when the prose names a training dataset `datasets` omits (low)', () => {
      const text = trainerCard(['base_model: distilgpt2', 'datasets: [sst2]'], 'imdb');
      expect(only(text, INCONSISTENT)).toMatchObject({
        line: 16,
        field: 'datasets',
        message:
          'The card says the model was trained on `imdb` (line 16), which `datasets` (`sst2`) does not list.',
      });
      expect(only(text, INCONSISTENT).severity).toBeUndefined();
    });

    it('matches dataset names loosely and ignores capitalised guesses', () => {
      const loose = card(
        ['datasets:', '- mozilla-foundation/common_voice_8_0'],
        ['# m', '', 'It was fine-tuned on the Common Voice 8.0 dataset (Swahili).'],
      );
      expect(ids(loose)).toEqual([]);
      const c4 = card(
        ['datasets: [c4]'],
        ['# m', '', 'It was pre-trained on the Colossal Clean Crawled Corpus (C4).'],
      );
      expect(ids(c4)).toEqual([]);
      // "WebText" is a capitalised word after "trained on": not certain enough to contradict metadata.
      const weak = card(['datasets: [openai/gsm8k]'], ['# m', '', 'It was trained on WebText.']);
      expect(ids(weak)).toEqual([]);
    });

    it('is raised when `datasets` lists a dataset the prose names only for evaluation', () => {
      const text = card(
        ['datasets:', '- wikitext', '- EleutherAI/lambada_openai'],
        [
          '# m',
          '',
          '## Training data',
          '',
          'The model was trained on the WikiText-103 dataset.',
          '',
          '## Evaluation',
          '',
          'Evaluated on LAMBADA (OpenAI version): accuracy 0.61.',
        ],
      );
      expect(only(text, INCONSISTENT)).toMatchObject({
        line: 4,
        field: 'datasets[1]',
        message:
          '`datasets` lists `EleutherAI/lambada_openai`, which the card names only as evaluation data (line 14); `datasets` is for training data.',
      });
    });

    it('does not call a dataset evaluation-only when the card names no training data to compare with', () => {
      const text = card(
        ['datasets: [squad]'],
        ['# m', '', '## Evaluation', '', 'Evaluated on SQuAD v1.1: F1 88.5.'],
      );
      expect(ids(text)).toEqual([]);
    });

    it('does not take evaluation datasets for training datasets', () => {
      const text = card(
        ['datasets: [wikitext]'],
        ['# m', '', 'It was trained on the wikitext dataset and evaluated on the LAMBADA dataset.'],
      );
      expect(ids(text)).toEqual([]);
    });
  });

  describe('robustness', () => {
    it('stays fast and bounded on a card of long, repetitive lines', () => {
      const line = `${'trained on the '.repeat(5000)}x`;
      const text = card(['datasets: [a]'], ['# m', '', ...Array.from({ length: 100 }, () => line)]);
      const started = performance.now();
      check(text);
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it('reads at most MAX_PROSE_LINES lines', () => {
      const text = card([], ['# m', ...Array.from({ length: 50_000 }, (_, k) => `line ${k}`)]);
      const ctx = buildAuditContext(readCard('README.md', text), text, undefined);
      expect(cardProse(ctx).lines.length).toBeLessThanOrEqual(20_000);
    });

    it('survives adversarial metadata values', () => {
      for (const value of ['null', '[[[[]]]]', '{a: {b: {c: 1}}}', '.nan', '"x"', '[1, null, {}]']) {
        const text = card(
          [`base_model: ${value}`, `datasets: ${value}`, `base_model_relation: ${value}`],
          ['# m', '', 'A model.'],
        );
        expect(() => check(text), value).not.toThrow();
      }
    });
  });
});

describe('prose helpers', () => {
  it('toPlainText keeps link text and collects targets', () => {
    expect(
      toPlainText('A **[bert](https://huggingface.co/bert-base-uncased)** <b>model</b> <https://x.org>'),
    ).toEqual({
      text: 'A bert  model  https://x.org',
      urls: ['https://x.org', 'https://huggingface.co/bert-base-uncased'],
    });
  });

  it('datasetsInPhrase tells named datasets from generic words', () => {
    expect(datasetsInPhrase('the imdb dataset', true)).toEqual([{ name: 'imdb', strength: 'strong' }]);
    expect(datasetsInPhrase('SST-2 for 3 epochs', true)).toEqual([{ name: 'SST-2', strength: 'weak' }]);
    expect(datasetsInPhrase('publicly available datasets', true)).toEqual([]);
    expect(datasetsInPhrase('the None dataset', true)).toEqual([]);
    expect(datasetsInPhrase('English text', true)).toEqual([]);
    expect(datasetsInPhrase('WebText', false)).toEqual([]);
  });

  it('isHubRepoId follows huggingface_hub validate_repo_id', () => {
    for (const id of ['gpt2', 'org/name', 'a.b_c-d/e.f', 'x'.repeat(96)])
      expect(isHubRepoId(id), id).toBe(true);
    for (const id of [
      '',
      'a/b/c',
      'org--x/y',
      'a..b',
      'name.git',
      '-x',
      'x-',
      'has space',
      'https://huggingface.co/x',
      'x'.repeat(97),
    ])
      expect(isHubRepoId(id), id).toBe(false);
  });

  it('trainingDatasetMentions reads the Trainer sentence and skips its None', () => {
    const mentions = (text: string) =>
      trainingDatasetMentions(buildAuditContext(readCard('README.md', text), text, undefined)).map(
        (m) => m.name,
      );
    expect(mentions(trainerCard([], 'glue'))).toEqual(['glue']);
    expect(mentions(trainerCard([], 'None'))).toEqual([]);
    expect(mentions(trainerCard([], 'generator'))).toEqual([]);
    const two = trainerCard([], 'squad and the adversarial_qa').replace('qa dataset.', 'qa datasets.');
    expect(mentions(two)).toEqual(['squad and the adversarial_qa']);
  });
});

/**
 * Provenance rules per real model card, checked by reading each card (see INDEX.md):
 * - whisper, CLIP, llama, llama3, BLOOM, MusicGen, CyberAttackDetection: a training-data section with
 *   content; no front matter (or, for BLOOM and CyberAttackDetection, one without base_model but nothing
 *   saying the model is derived: CyberAttackDetection's "Finetuned from model" is a placeholder).
 * - gpt-2: "trained on (and evaluated against) WebText".
 * - Helsinki-NLP af-en: "* dataset: opus", trained from scratch (OPUS-MT).
 * - ESG-BERT: Training Data is "More information needed"; "Parent Model: BERT" without base_model.
 * - sst_mobilebert: "a MobileBERT ... fine-tuned on the SST data" with empty front matter (`{}`).
 * - diabetes-t5-small: pre-trained on C4; "Parent Model: T5" without base_model.
 * - Run_8: Trainer card, "fine-tuned version of google/t5-v1_1-large on the None dataset".
 */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  'openai__whisper__model-card.md': [],
  'openai__CLIP__model-card.md': [],
  'openai__gpt-2__model_card.md': [],
  'meta-llama__llama3__MODEL_CARD.md': [],
  'meta-llama__llama__MODEL_CARD@53011c3.md': [],
  'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md': [
    BASE_MISSING,
    TRAINING_MISSING,
  ],
  'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_cambridgeltl-sst_mobilebert-uncased.md':
    [BASE_MISSING],
  'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md':
    [BASE_MISSING],
  'huggingface__transformers__model_cards_Helsinki-NLP_af-en_README.md': [],
  'bigscience-workshop__model_card__README.md': [],
  'facebookresearch__audiocraft__model_cards_MUSICGEN_MODEL_CARD.md': [],
  'canstralian__CyberAttackDetection__README@17c9b3f.md': [],
  'saranscript__huggingface-models__models_adityay1221_Run_8_README.md': [BASE_MISSING, TRAINING_MISSING],
};

describe.skipIf(!haveCards)('checkProvenance over the real cards in shared/data/cards', () => {
  const read = (name: string) => {
    const text = readFileSync(join(CARDS, name), 'utf8');
    return check(text, undefined, name);
  };

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

  it('Run_8: names google/t5-v1_1-large at the Trainer sentence', () => {
    const found = read('saranscript__huggingface-models__models_adityay1221_Run_8_README.md');
    expect(found.find((d) => d.rule.id === BASE_MISSING)).toMatchObject({
      severity: 'medium',
      line: 17,
      remediation: 'Add `base_model: google/t5-v1_1-large` to the front matter.',
    });
    expect(found.find((d) => d.rule.id === TRAINING_MISSING)).toMatchObject({
      line: 30,
      field: '§ Training and evaluation data',
    });
  });

  it('ESG-BERT and diabetes-t5-small: the "Parent Model" label, low', () => {
    const esg = read(
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md',
    );
    expect(esg.find((d) => d.rule.id === BASE_MISSING)).toMatchObject({ severity: 'low', line: 37 });
    expect(esg.find((d) => d.rule.id === TRAINING_MISSING)).toMatchObject({
      line: 70,
      field: '§ Training Data',
    });
    const t5 = read(
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md',
    );
    expect(t5[0]?.message).toBe(
      'The card (line 18) says the model derives from `T5` but the metadata has no `base_model`.',
    );
  });
});
