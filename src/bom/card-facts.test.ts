import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readCard } from '../cards/read.js';
import { partiesOf } from './card-facts/parties.js';
import { boundText, plainLine } from './card-facts/text.js';
import {
  type DatasetCardFacts,
  datasetCardFacts,
  MAX_METRICS,
  MAX_TEXT_CHARS,
  MAX_TEXTS_PER_FIELD,
  type ModelCardFacts,
  modelCardFacts,
} from './card-facts.js';

const model = (text: string, path = 'README.md'): ModelCardFacts =>
  modelCardFacts(readCard(path, text), text);
const dataset = (text: string, path = 'README.md'): DatasetCardFacts =>
  datasetCardFacts(readCard(path, text), text);

const FIXTURES = join('test', 'fixtures', 'cards');
const fixture = (rel: string) => readFileSync(join(FIXTURES, rel), 'utf8');
/** Real cards outside the repository (test/fixtures/cards/SOURCES.txt has the committed ones). */
const SHARED = '/work/shared/data/cards';
const shared = (name: string) => readFileSync(join(SHARED, name), 'utf8');

/** Every text of a facts object, for checks that hold over all of them. */
function textsOf(facts: ModelCardFacts | DatasetCardFacts): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(facts);
  return out;
}

/** What a placeholder or template leftover looks like in any text. */
const LEFTOVER =
  /more information needed|information needed|\[optional\]|\{\{|\bTODO\b|\bTBD\b|this modelcard aims|base template|pushed on the hub|made aware of the risks|impact calculator|<!--|\*\*/i;

/** Every consideration text, with its source. */
function considerationTexts(facts: ModelCardFacts) {
  return Object.values(facts.considerations).flat();
}

function expectBounded(facts: ModelCardFacts | DatasetCardFacts) {
  const texts =
    'considerations' in facts
      ? [...considerationTexts(facts), ...(facts.description ? [facts.description] : [])]
      : [...facts.sensitiveData, ...(facts.description ? [facts.description] : [])];
  for (const t of texts) {
    expect(t.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(t.text).toBe(t.text.trim());
  }
  if ('considerations' in facts)
    for (const list of Object.values(facts.considerations))
      expect(list.length).toBeLessThanOrEqual(MAX_TEXTS_PER_FIELD);
}

// ---------------------------------------------------------------------------------------------------------
// Cards built in code
// ---------------------------------------------------------------------------------------------------------

/** huggingface_hub's `modelcard_template.md` rendered with nothing filled in but the licence. */
const HUB_TEMPLATE = `---
license: mit
---

# Model Card for Model ID

<!-- Provide a quick summary of what the model is/does. -->

This modelcard aims to be a base template for new models. It has been generated using [this raw template](https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/templates/modelcard_template.md?plain=1).

## Model Details

### Model Description

<!-- Provide a longer summary of what this model is. -->

This is the model card of a 🤗 transformers model that has been pushed on the Hub. This model card has been automatically generated.

- **Developed by:** [More Information Needed]
- **Funded by [optional]:** [More Information Needed]
- **Shared by [optional]:** [More Information Needed]
- **Model type:** [More Information Needed]
- **Language(s) (NLP):** [More Information Needed]
- **License:** [More Information Needed]
- **Finetuned from model [optional]:** [More Information Needed]

### Model Sources [optional]

<!-- Provide the basic links for the model. -->

- **Repository:** [More Information Needed]
- **Paper [optional]:** [More Information Needed]
- **Demo [optional]:** [More Information Needed]

## Uses

### Direct Use

<!-- This section is for the model use without fine-tuning or plugging into a larger ecosystem/app. -->

[More Information Needed]

### Downstream Use [optional]

[More Information Needed]

### Out-of-Scope Use

<!-- This section addresses misuse, malicious use, and uses that the model will not work well for. -->

[More Information Needed]

## Bias, Risks, and Limitations

<!-- This section is meant to convey both technical and sociotechnical limitations. -->

[More Information Needed]

### Recommendations

Users (both direct and downstream) should be made aware of the risks, biases and limitations of the model. More information needed for further recommendations.

## How to Get Started with the Model

Use the code below to get started with the model.

[More Information Needed]

## Training Details

### Training Data

[More Information Needed]

#### Training Hyperparameters

- **Training regime:** [More Information Needed] <!--fp32, fp16 mixed precision, bf16 mixed precision -->

## Evaluation

### Testing Data, Factors & Metrics

#### Testing Data

[More Information Needed]

### Results

[More Information Needed]

#### Summary



## Environmental Impact

<!-- Total emissions (in grams of CO2eq) and additional considerations, such as electricity usage, that go into the carbon footprint of this model -->

Carbon emissions can be estimated using the [Machine Learning Impact calculator](https://mlco2.github.io/impact#compute) presented in [Lacoste et al. (2019)](https://arxiv.org/abs/1910.09700).

- **Hardware Type:** [More Information Needed]
- **Hours used:** [More Information Needed]
- **Cloud Provider:** [More Information Needed]
- **Compute Region:** [More Information Needed]
- **Carbon Emitted:** [More Information Needed]

## Citation [optional]

**BibTeX:**

[More Information Needed]

## Model Card Authors [optional]

[More Information Needed]

## Model Card Contact

[More Information Needed]
`;

/** What transformers' Trainer writes (\`modelcard.py\`), with a model-index of two results. */
const TRAINER_CARD = `---
license: apache-2.0
tags:
- generated_from_trainer
datasets:
- imdb
metrics:
- accuracy
model-index:
- name: distilbert-imdb
  results:
  - task:
      name: Text Classification
      type: text-classification
    dataset:
      name: imdb
      type: imdb
      config: plain_text
      split: test
      args: plain_text
    metrics:
    - name: Accuracy
      type: accuracy
      value: 0.9310
      verified: false
  - task:
      type: text-classification
    dataset:
      name: GLUE SST-2
      type: nyu-mll/glue
      config: sst2
      split: validation
    metrics:
    - type: f1
      value: "92.1 ± 0.3"
      name: Macro F1
      verified: true
    - type: accuracy
      value: nan
---

<!-- This model card has been generated automatically according to the information the Trainer had access to. You
should probably proofread and complete it, then remove this comment. -->

# distilbert-imdb

This model is a fine-tuned version of [distilbert-base-uncased](https://huggingface.co/distilbert-base-uncased) on the imdb dataset.
It achieves the following results on the evaluation set:
- Loss: 0.2
- Accuracy: 0.9310

## Model description

More information needed

## Intended uses & limitations

More information needed

## Training and evaluation data

More information needed

## Training procedure

### Training hyperparameters

The following hyperparameters were used during training:
- learning_rate: 2e-05
- num_epochs: 2

### Training results

| Training Loss | Epoch | Step | Validation Loss | Accuracy |
|:-------------:|:-----:|:----:|:---------------:|:--------:|
| 0.2           | 1.0   | 1563 | 0.19            | 0.9310   |

### Framework versions

- Transformers 4.40.0
`;

/** A stable-baselines3 card as the Hub's RL course pushes it. */
const RL_CARD = `---
library_name: stable-baselines3
tags:
- LunarLander-v2
- deep-reinforcement-learning
- reinforcement-learning
- stable-baselines3
model-index:
- name: PPO
  results:
  - task:
      type: reinforcement-learning
      name: reinforcement-learning
    dataset:
      name: LunarLander-v2
      type: LunarLander-v2
    metrics:
    - type: mean_reward
      value: 259.71 +/- 18.98
      name: mean_reward
      verified: false
---

# **PPO** Agent playing **LunarLander-v2**
This is a trained model of a **PPO** agent playing **LunarLander-v2**
using the [stable-baselines3 library](https://github.com/DLR-RM/stable-baselines3).
`;

/** After bert-base-uncased's Hub card (Apache-2.0): self-supervised pre-training stated in its description. */
const BERT_LIKE_CARD = `---
language: en
tags:
- exbert
license: apache-2.0
datasets:
- bookcorpus
- wikipedia
---

# BERT base model (uncased)

Pretrained model on English language using a masked language modeling (MLM) objective. It was introduced in
[this paper](https://arxiv.org/abs/1810.04805) and first released in
[this repository](https://github.com/google-research/bert). This model is uncased: it does not make a difference
between english and English.

## Model description

BERT is a transformers model pretrained on a large corpus of English data in a self-supervised fashion. This means it
was pretrained on the raw texts only, with no humans labeling them in any way.

## Intended uses & limitations

You can use the raw model for either masked language modeling or next sentence prediction, but it's mostly intended to
be fine-tuned on a downstream task.

### Limitations and bias

Even if the training data used for this model could be characterized as fairly neutral, this model can have biased
predictions.
`;

// ---------------------------------------------------------------------------------------------------------
// Real cards (test/fixtures/cards)
// ---------------------------------------------------------------------------------------------------------

describe('modelCardFacts on real cards', () => {
  it('openai/whisper: sections by heading, users from a sentence, paper links', () => {
    const facts = model(fixture('openai-whisper/model-card.md'), 'model-card.md');
    expect(facts.name).toBe('Whisper');
    expect(facts.nameSource).toBe('model-card.md:1');
    expect(facts.hubId).toBeUndefined();
    expect(facts.description?.source).toBe('model-card.md:8');
    expect(facts.description?.text).toMatch(
      /^The Whisper models are trained for speech recognition and translation/,
    );
    expect(facts.licenses).toEqual([]);
    expect(facts.authors).toEqual([]);
    expect(facts.approach).toBeUndefined();
    expect(facts.metrics).toEqual([]);
    const c = facts.considerations;
    expect(c.users).toEqual([
      {
        text: 'The primary intended users of these models are AI researchers studying the robustness, generalization, capabilities, biases, and constraints of the current model.',
        source: 'model-card.md:42',
      },
    ]);
    expect(c.useCases.map((t) => t.source)).toEqual(['model-card.md:40']);
    expect(c.technicalLimitations.map((t) => t.source)).toEqual(['model-card.md:56']);
    // "Performance and Limitations" runs past the bound: cut after a sentence, with an ellipsis.
    expect(c.technicalLimitations[0]?.text).toMatch(/\.…$/);
    expect(c.ethicalConsiderations.map((t) => t.source)).toEqual(['model-card.md:67']);
    expect(c.outOfScope).toEqual([]);
    expect(facts.links).toEqual([
      { type: 'documentation', url: 'https://arxiv.org/abs/2212.04356', comment: 'Paper (model-card.md:35)' },
      { type: 'documentation', url: 'https://openai.com/blog/whisper', comment: 'Blog (model-card.md:35)' },
    ]);
    expectBounded(facts);
  });

  it('openai/CLIP: out-of-scope section, fairness apart from ethics', () => {
    const facts = model(fixture('openai-clip/model-card.md'), 'model-card.md');
    expect(facts.name).toBe('CLIP');
    expect(facts.description?.text).toMatch(/^The CLIP model was developed by researchers at OpenAI/);
    const c = facts.considerations;
    expect(c.users[0]).toEqual({
      text: 'The primary intended users of these models are AI researchers.',
      source: 'model-card.md:40',
    });
    expect(c.useCases.map((t) => t.source)).toEqual(['model-card.md:34', 'model-card.md:38']);
    expect(c.outOfScope.map((t) => t.source)).toEqual(['model-card.md:44']);
    expect(c.outOfScope[0]?.text).toMatch(/^Any deployed use case of the model - whether commercial or not/);
    expect(c.technicalLimitations.map((t) => t.source)).toEqual(['model-card.md:104']);
    expect(c.fairness.map((t) => t.source)).toEqual(['model-card.md:108']);
    expect(c.fairness[0]?.text).toContain('Fairface');
    expect(c.ethicalConsiderations).toEqual([]);
    expect(facts.links.map((l) => [l.type, l.url])).toEqual([
      ['documentation', 'https://openai.com/blog/clip/'],
      ['documentation', 'https://arxiv.org/abs/2103.00020'],
    ]);
  });

  it('openai/gpt-2: labelled list items keep their labels; a capitalised name after "trained on" is not taken', () => {
    const facts = model(fixture('openai-gpt-2/model_card.md'), 'model_card.md');
    expect(facts.name).toBe('GPT-2');
    expect(facts.description?.source).toBe('model_card.md:7');
    const c = facts.considerations;
    expect(c.useCases.map((t) => t.source)).toEqual(['model_card.md:31', 'model_card.md:37']);
    expect(c.useCases[1]?.text).toBe(
      'Here are some secondary use cases we believe are likely:\nWriting assistance: Grammar assistance, autocompletion (for normal prose or code)\nCreative writing and art: exploring the generation of creative, fictional texts; aiding creation of poetry and other literary art.\nEntertainment: Creation of games, chat bots, and amusing generations.',
    );
    expect(c.outOfScope.map((t) => t.source)).toEqual(['model_card.md:45']);
    expect(c.technicalLimitations.map((t) => t.source)).toEqual(['model_card.md:63']);
    expect(c.users[0]?.text).toBe(
      'The primary intended users of these models are AI researchers and practitioners.',
    );
    expect(facts.trainedOn).toEqual([]);
  });

  it('facebookresearch/audiocraft MusicGen: labels inside sections, the weights licence from the prose', () => {
    const facts = model(fixture('audiocraft-musicgen/MODEL_CARD.md'), 'MODEL_CARD.md');
    expect(facts.name).toBe('MusicGen');
    // "Code is released under MIT, model weights are released under CC-BY-NC 4.0."
    expect(facts.licenses).toEqual([{ expression: 'CC-BY-NC-4.0', source: 'MODEL_CARD.md:17' }]);
    expect(facts.authors).toEqual([{ name: 'The FAIR team of Meta AI', kind: 'organization' }]);
    const c = facts.considerations;
    expect(c.useCases[0]?.source).toBe('MODEL_CARD.md:22');
    expect(c.useCases[0]?.text).toMatch(
      /^The primary use of MusicGen is research on AI-based music generation, including:\nResearch efforts/,
    );
    expect(c.users.map((t) => t.source)).toEqual(['MODEL_CARD.md:27']);
    expect(c.outOfScope.map((t) => t.source)).toEqual(['MODEL_CARD.md:29']);
    expect(c.technicalLimitations.find((t) => t.source === 'MODEL_CARD.md:76')?.text).toMatch(
      /^The model is not able to generate realistic vocals\.\n/,
    );
    expect(c.ethicalConsiderations.length).toBeGreaterThan(0);
    expect(facts.metrics).toEqual([]);
    expectBounded(facts);
  });

  it('Helsinki-NLP af-en: a release file is no name; `* dataset: opus` is the training data', () => {
    const facts = model(fixture('helsinki-nlp-af-en/README.md'));
    expect(facts.name).toBeUndefined();
    expect(facts.trainedOn).toEqual([{ name: 'opus', source: 'README.md:3' }]);
    expect(facts.description).toBeUndefined();
  });
});

describe('datasetCardFacts on real cards', () => {
  it('squad: placeholders say nothing; front matter facts', () => {
    const facts = dataset(fixture('datasets-squad/README.md'));
    expect(facts.name).toBe('SQuAD');
    expect(facts.nameSource).toBe('README.md (front matter pretty_name)');
    expect(facts.licenses).toEqual([{ expression: 'CC-BY-4.0', source: 'README.md (front matter license)' }]);
    expect(facts.description?.source).toBe('README.md:85');
    expect(facts.description?.text).toMatch(/^Stanford Question Answering Dataset \(SQuAD\) is a reading/);
    expect(facts.sensitiveData).toEqual([]);
    expect(facts.owners).toEqual([]);
    expect(facts.custodians).toEqual([]);
    expect(facts.contentsUrl).toBe('https://rajpurkar.github.io/SQuAD-explorer/');
    expect(facts.sourceDatasets).toEqual([
      { hubId: 'wikipedia', name: 'wikipedia', source: 'README.md (front matter source_datasets)' },
    ]);
    expect(facts.size).toBe('10K<n<100K');
    expect(facts.tasks).toEqual(['question-answering']);
    expect(facts.classification).toBeUndefined();
    for (const t of textsOf(facts)) expect(t).not.toMatch(LEFTOVER);
  });

  it('social_bias_frames: the personal-information answer, the point of contact, a title that is no topic', () => {
    const facts = dataset(fixture('datasets-social-bias-frames/README.md'));
    expect(facts.sensitiveData).toEqual([
      {
        text: 'Usernames are not included with the data, but the site where the post was collected is, so the user could potentially be recovered.',
        source: 'README.md:185',
      },
    ]);
    expect(facts.custodians).toEqual([
      { name: 'Maartin Sap', kind: 'unknown', url: 'mailto:msap@cs.washington.edu' },
    ]);
    // The curators are named in a sentence: no names are cut out of it.
    expect(facts.owners).toEqual([]);
    expect(facts.description?.source).toBe('README.md:64');
    expect(facts.description?.text).toMatch(/^Social Bias Frames is a new way of representing the biases/);
    expect(facts.links.map((l) => l.type)).toEqual(['website', 'documentation']);
    expect(facts.tasks).toEqual(['text2text-generation', 'text-classification']);
  });

  it('glue: summary and homepage', () => {
    const facts = dataset(fixture('datasets-glue/README.md'));
    expect(facts.name).toBe('GLUE (General Language Understanding Evaluation benchmark)');
    expect(facts.description?.text).toMatch(/^GLUE, the General Language Understanding Evaluation benchmark/);
    expect(facts.contentsUrl).toBe('https://nyu-mll.github.io/CoLA/');
    expect(facts.sourceDatasets).toEqual([]);
  });
});

describe.skipIf(!existsSync(SHARED))('card facts on the shared real cards', () => {
  it('meta-llama/llama3: developers label, several approaches stated (so none), an out-of-scope label', () => {
    const facts = model(shared('meta-llama__llama3__MODEL_CARD.md'), 'MODEL_CARD.md');
    expect(facts.authors).toEqual([{ name: 'Meta', kind: 'unknown' }]);
    expect(facts.licenses).toEqual([{ name: 'llama3', source: 'MODEL_CARD.md:68' }]);
    expect(facts.approach).toBeUndefined();
    expect(facts.description?.source).toBe('MODEL_CARD.md:1');
    expect(facts.considerations.outOfScope).toEqual([
      {
        text: 'Use in any manner that violates applicable laws or regulations (including trade compliance laws). Use in any other way that is prohibited by the Acceptable Use Policy and Llama 3 Community License. Use in languages other than English.',
        source: 'MODEL_CARD.md:77',
      },
    ]);
    expect(facts.considerations.useCases[0]?.text).toMatch(/^Intended Use Cases: Llama 3 is intended for/);
    expectBounded(facts);
  });

  it('meta-llama/llama (v1): bare bold labels with the answer below', () => {
    const facts = model(shared('meta-llama__llama__MODEL_CARD@53011c3.md'), 'MODEL_CARD.md');
    expect(facts.name).toBe('LLaMA');
    expect(facts.authors).toEqual([{ name: 'The FAIR team of Meta AI', kind: 'organization' }]);
    // "**Model date**" over "LLaMA was trained between ..." is a fact in a list, not the description.
    expect(facts.description).toBeUndefined();
    expect(facts.considerations.users.map((t) => t.source)).toEqual(['MODEL_CARD.md:35']);
    expect(facts.considerations.outOfScope.map((t) => t.source)).toEqual(['MODEL_CARD.md:38']);
  });

  it('BLOOM: a Hub licence id by name, the developer with the link in brackets', () => {
    const facts = model(shared('bigscience-workshop__model_card__README.md'));
    expect(facts.licenses).toEqual([
      { name: 'bigscience-bloom-rail-1.0', source: 'README.md (front matter license)' },
    ]);
    expect(facts.authors).toEqual([
      { name: 'BigScience', kind: 'unknown', url: 'https://bigscience.huggingface.co' },
    ]);
    expect(facts.considerations.users.map((t) => t.source)).toEqual([
      'README.md:285',
      'README.md:301',
      'README.md:307',
    ]);
    for (const t of textsOf(facts)) expect(t).not.toMatch(/Click to expand/);
  });

  it('Canstralian/CyberAttackDetection: the Hub template partly filled; its own id in the title', () => {
    const facts = model(shared('canstralian__CyberAttackDetection__README@17c9b3f.md'));
    expect(facts.name).toBe('Canstralian/CyberAttackDetection');
    expect(facts.hubId).toBe('Canstralian/CyberAttackDetection');
    expect(facts.hubIdSource).toBe('README.md:7');
    expect(facts.licenses).toEqual([{ expression: 'MIT', source: 'README.md (front matter license)' }]);
    expect(facts.authors).toEqual([{ name: 'Canstralian', kind: 'unknown' }]);
    expect(facts.description?.source).toBe('README.md:13');
    expect(facts.baseModels).toEqual([]);
    expect(facts.links).toEqual([]);
    for (const t of textsOf(facts)) expect(t).not.toMatch(LEFTOVER);
  });

  it('a Trainer card (adityay1221/Run_8): name from model-index, base model from the summary, "None dataset" is none', () => {
    const facts = model(shared('saranscript__huggingface-models__models_adityay1221_Run_8_README.md'));
    expect(facts.name).toBe('Run_8');
    expect(facts.nameSource).toBe('README.md /model-index/0/name');
    expect(facts.description).toEqual({
      text: 'This model is a fine-tuned version of google/t5-v1_1-large.',
      source: 'README.md:17',
    });
    expect(facts.licenses).toEqual([
      { expression: 'Apache-2.0', source: 'README.md (front matter license)' },
    ]);
    expect(facts.baseModels).toEqual([
      {
        id: 'google/t5-v1_1-large',
        hubId: 'google/t5-v1_1-large',
        relation: 'finetune',
        source: 'README.md:17',
      },
    ]);
    expect(facts.trainedOn).toEqual([]);
    expect(considerationTexts(facts)).toEqual([]);
    expect(facts.tags).toEqual(['generated_from_trainer']);
  });

  it('ESG-BERT: developers as links; a mistyped placeholder is no environmental fact', () => {
    const facts = model(
      shared(
        'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md',
      ),
    );
    expect(facts.authors).toEqual([
      { name: 'Mukut Mukherjee', kind: 'unknown', url: 'https://www.linkedin.com/in/mukutm/' },
      {
        name: 'Charan Pothireddi',
        kind: 'unknown',
        url: 'https://www.linkedin.com/in/sree-charan-pothireddi-6a0a3587/',
      },
      {
        name: 'Parabole.ai',
        kind: 'organization',
        url: 'https://www.linkedin.com/in/sree-charan-pothireddi-6a0a3587/',
      },
    ]);
    expect(facts.considerations.environmental).toEqual([]);
    expect(facts.description?.text).toBe(
      'Domain Specific BERT Model for Text Mining in Sustainable Investing',
    );
  });

  it('diabetes-t5-small: "a mixture of unsupervised and supervised tasks" states no approach', () => {
    const facts = model(
      shared(
        'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md',
      ),
    );
    expect(facts.approach).toBeUndefined();
    expect(facts.authors).toEqual([{ name: 'UCI NLP', kind: 'unknown' }]);
    expect(facts.trainedOn).toEqual([]);
    expect(facts.considerations.outOfScope).toEqual([]);
  });

  it('red_caps: the datasheet answer on people, repository as where to get it', () => {
    const facts = dataset(shared('huggingface__datasets__datasets_red_caps_README@d7dfbc8.md'));
    expect(facts.sensitiveData.map((t) => t.source)).toEqual(['README.md:329']);
    expect(facts.sensitiveData[0]?.text).toMatch(
      /^The dataset pertains to people in that people wrote the captions/,
    );
    expect(facts.custodians).toEqual([
      { name: 'Karan Desai', kind: 'unknown', url: 'mailto:kdexd@umich.edu' },
    ]);
    expect(facts.contentsUrl).toBe('https://github.com/redcaps-dataset/redcaps-downloader');
    expect(facts.size).toBe('10M<n<100M');
  });

  it('throatmicdata: its own Hub id from the Repository link; a curator sentence names no owner', () => {
    const facts = dataset(shared('pauljunsukhan__throatmicdata__DATASET_CARD.md'), 'DATASET_CARD.md');
    expect(facts.hubId).toBe('pauljunsukhan/throatmic_codered');
    expect(facts.hubIdSource).toBe('DATASET_CARD.md:49');
    expect(facts.contentsUrl).toBe('https://huggingface.co/datasets/pauljunsukhan/throatmic_codered');
    expect(facts.licenses).toEqual([{ expression: 'MIT', source: 'DATASET_CARD.md (front matter license)' }]);
    expect(facts.custodians).toEqual([{ name: 'Paul Han', kind: 'unknown' }]);
    expect(facts.owners).toEqual([]);
    expect(facts.description?.source).toBe('DATASET_CARD.md:60');
    expect(facts.tasks).toEqual(['automatic-speech-recognition']);
  });

  it('squad before 2022: the legacy `licenses` key, the name from the title without its quotes', () => {
    const facts = dataset(shared('huggingface__datasets__datasets_squad_README@01fc6c6.md'));
    expect(facts.licenses).toEqual([
      { expression: 'CC-BY-4.0', source: 'README.md (front matter licenses)' },
    ]);
    expect(facts.name).toBe('squad');
    expect(facts.nameSource).toBe('README.md:23');
    expect(facts.hubId).toBeUndefined();
  });

  it('every shared card: bounded, no placeholder surfaces, same facts twice', () => {
    for (const name of [
      'bigscience-workshop__model_card__README.md',
      'meta-llama__llama3__MODEL_CARD.md',
      'meta-llama__llama__MODEL_CARD@53011c3.md',
      'canstralian__CyberAttackDetection__README@17c9b3f.md',
      'saranscript__huggingface-models__models_adityay1221_Run_8_README.md',
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_nbroad-ESG-BERT.md',
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_cambridgeltl-sst_mobilebert-uncased.md',
      'Weixin-Liang__AI-model-card-analysis-HuggingFace__Model-Card-Intervention-Study_ucinlp-diabetes-t5-small.md',
    ]) {
      const facts = model(shared(name));
      expectBounded(facts);
      for (const t of considerationTexts(facts)) expect(t.text).not.toMatch(LEFTOVER);
      expect(JSON.stringify(model(shared(name)))).toBe(JSON.stringify(facts));
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Behaviour on cards built in code
// ---------------------------------------------------------------------------------------------------------

describe('modelCardFacts', () => {
  describe('on the unfilled Hub template', () => {
    const facts = model(HUB_TEMPLATE);

    it('reports the front matter licence and nothing from the placeholders', () => {
      expect(facts.licenses).toEqual([{ expression: 'MIT', source: 'README.md (front matter license)' }]);
      expect(facts.name).toBeUndefined();
      expect(facts.description).toBeUndefined();
      expect(facts.authors).toEqual([]);
      expect(facts.links).toEqual([]);
      expect(facts.baseModels).toEqual([]);
      expect(facts.trainedOn).toEqual([]);
      expect(considerationTexts(facts)).toEqual([]);
    });

    it('never surfaces a placeholder or template sentence', () => {
      for (const t of textsOf(facts)) expect(t).not.toMatch(LEFTOVER);
    });
  });

  describe('when transformers Trainer wrote the card', () => {
    const facts = model(TRAINER_CARD);

    it('takes name, task and metrics from the model-index', () => {
      expect(facts.name).toBe('distilbert-imdb');
      expect(facts.hubId).toBeUndefined();
      expect(facts.task).toBe('text-classification');
      expect(facts.taskSource).toBe('README.md /model-index/0/results/0/task/type');
      expect(facts.inputs).toEqual(['text']);
      expect(facts.outputs).toEqual(['scores']);
    });

    it('keeps each metric as written, with its slice, dataset, verified flag and JSON path', () => {
      expect(facts.metrics).toEqual([
        {
          type: 'accuracy',
          value: '0.9310',
          slice: 'Text Classification / imdb (plain_text, test)',
          datasetId: 'imdb',
          verified: false,
          source: 'README.md /model-index/0/results/0/metrics/0',
        },
        {
          type: 'f1',
          value: '92.1 ± 0.3',
          slice: 'text-classification / GLUE SST-2 (sst2, validation) / Macro F1',
          datasetId: 'nyu-mll/glue',
          verified: true,
          source: 'README.md /model-index/0/results/1/metrics/0',
        },
      ]);
      expect(facts.testedOn).toEqual([
        { hubId: 'imdb', name: 'imdb', source: 'README.md /model-index/0/results/0/dataset' },
        { hubId: 'nyu-mll/glue', name: 'GLUE SST-2', source: 'README.md /model-index/0/results/1/dataset' },
      ]);
    });

    it('reads the summary sentence and leaves "More information needed" out', () => {
      expect(facts.description).toEqual({
        text: 'This model is a fine-tuned version of distilbert-base-uncased on the imdb dataset.',
        source: 'README.md:47',
      });
      expect(considerationTexts(facts)).toEqual([]);
      expect(facts.baseModels).toEqual([
        {
          id: 'distilbert-base-uncased',
          hubId: 'distilbert-base-uncased',
          relation: 'finetune',
          source: 'README.md:47',
        },
      ]);
      // `datasets:` and the summary name the same dataset: once, from the metadata.
      expect(facts.trainedOn).toEqual([
        { hubId: 'imdb', name: 'imdb', source: 'README.md (front matter datasets)' },
      ]);
      expect(facts.approach).toBeUndefined();
    });
  });

  describe('learning approach', () => {
    it('reinforcement learning from the tags of an RL agent', () => {
      const facts = model(RL_CARD);
      expect(facts.approach).toBe('reinforcement-learning');
      expect(facts.approachSource).toBe('README.md (front matter tags)');
      expect(facts.task).toBe('reinforcement-learning');
      // The RL task page's demo shows states and actions as text: no modality is claimed.
      expect(facts.inputs).toEqual([]);
      expect(facts.outputs).toEqual([]);
      expect(facts.metrics.map((m) => m.value)).toEqual(['259.71 +/- 18.98']);
      expect(facts.name).toBe('PPO');
    });

    it('reinforcement learning from the pipeline tag', () => {
      const facts = model('---\npipeline_tag: reinforcement-learning\n---\n# Agent\n');
      expect(facts.approach).toBe('reinforcement-learning');
      expect(facts.approachSource).toBe('README.md (front matter pipeline_tag)');
      expect(facts.taskSource).toBe('README.md (front matter pipeline_tag)');
    });

    it('self-supervised when the description says so, with the line', () => {
      const facts = model(BERT_LIKE_CARD);
      expect(facts.approach).toBe('self-supervised');
      expect(facts.approachSource).toBe('README.md:20');
      expect(facts.licenses).toEqual([
        { expression: 'Apache-2.0', source: 'README.md (front matter license)' },
      ]);
      expect(facts.trainedOn).toEqual([
        { hubId: 'bookcorpus', name: 'bookcorpus', source: 'README.md (front matter datasets)' },
        { hubId: 'wikipedia', name: 'wikipedia', source: 'README.md (front matter datasets)' },
      ]);
      expect(facts.tags).toEqual(['exbert']);
      expect(facts.name).toBe('BERT base model (uncased)');
      expect(facts.considerations.technicalLimitations.map((t) => t.source)).toEqual([
        'README.md:23',
        'README.md:28',
      ]);
    });

    it.each([
      [
        'supervised fine-tuning',
        'The model was trained with supervised fine-tuning on chat data.',
        'supervised',
      ],
      [
        'an unsupervised objective',
        'It was pretrained in an unsupervised manner on web text.',
        'unsupervised',
      ],
      ['semi-supervised training', 'We used semi-supervised training with pseudo-labels.', 'semi-supervised'],
      [
        'RLHF',
        'The chat model was tuned with reinforcement learning from human feedback.',
        'reinforcement-learning',
      ],
    ])('%s', (_name, sentence, approach) => {
      expect(model(`# M\n\n## Training procedure\n\n${sentence}\n`).approach).toBe(approach);
    });

    it.each([
      ['nothing said', '# M\n\nA model that classifies text.\n'],
      ['weak supervision', '# M\n\nTrained in a weakly supervised manner on noisy data.\n'],
      ['several stages', '# M\n\nPretrained in a self-supervised fashion, then tuned with SFT and RLHF.\n'],
      ['a denial', '# M\n\nThis model was not trained with reinforcement learning.\n'],
      [
        'a method outside the description',
        '# M\n\n## Limitations\n\nUnlike models trained with supervised fine-tuning, it rambles.\n',
      ],
      [
        'a paper title',
        '# M\n\nSee [Language Models are Unsupervised Multitask Learners](https://x.org/p.pdf).\n',
      ],
    ])('none when %s', (_name, text) => {
      expect(model(text).approach).toBeUndefined();
    });
  });

  describe('licences', () => {
    it('`other` by its `license_name`, with `license_link` as a licence link', () => {
      const facts = model(
        '---\nlicense: other\nlicense_name: acme-model-license\nlicense_link: https://acme.example/LICENSE\n---\n# M\n',
      );
      expect(facts.licenses).toEqual([
        { name: 'acme-model-license', source: 'README.md (front matter license)' },
      ]);
      expect(facts.links).toEqual([
        {
          type: 'license',
          url: 'https://acme.example/LICENSE',
          comment: 'license_link (README.md front matter)',
        },
      ]);
    });

    it('`other` without a name is `other`; a relative `license_link` is a file, not a link', () => {
      const facts = model('---\nlicense: other\nlicense_link: LICENSE.md\n---\n# M\n');
      expect(facts.licenses).toEqual([{ name: 'other', source: 'README.md (front matter license)' }]);
      expect(facts.links).toEqual([]);
    });

    it.each([
      ['a Hub id that is an SPDX id', 'cc-by-nc-4.0', [{ expression: 'CC-BY-NC-4.0' }]],
      ['an SPDX id as SPDX spells it', 'Apache-2.0', [{ expression: 'Apache-2.0' }]],
      ['a Hub-only id', 'llama3.1', [{ name: 'llama3.1' }]],
      ['a Hub id whose SPDX id is deprecated (only or or-later?)', 'gpl-3.0', [{ name: 'gpl-3.0' }]],
      ['a family', 'bsd', [{ name: 'bsd' }]],
      ['an SPDX expression', 'MIT OR Apache-2.0', [{ expression: 'MIT OR Apache-2.0' }]],
      ['a non-canonical spelling', 'Apache License 2.0', [{ expression: 'Apache-2.0' }]],
      ['a misspelling, kept as written', 'apach-2.0', [{ name: 'apach-2.0' }]],
      ['`unknown`', 'unknown', []],
      ['a list', '[mit, apache-2.0]', [{ expression: 'MIT' }, { expression: 'Apache-2.0' }]],
    ])('%s', (_name, value, expected) => {
      const facts = model(`---\nlicense: ${value}\n---\n# M\n`);
      expect(facts.licenses).toEqual(
        expected.map((l) => ({ ...l, source: 'README.md (front matter license)' })),
      );
    });

    it('a value that is no string states nothing', () => {
      expect(model('---\nlicense: 3\n---\n# M\n').licenses).toEqual([]);
      expect(model('---\nlicense: {a: b}\n---\n# M\n').licenses).toEqual([]);
    });

    it('the prose only when the front matter states none', () => {
      const text =
        '---\nlicense: mit\n---\n# M\n\n## License\n\nThe weights are released under the Apache 2.0 license.\n';
      expect(model(text).licenses).toEqual([
        { expression: 'MIT', source: 'README.md (front matter license)' },
      ]);
      expect(model(text.replace('license: mit\n', 'tags: [x]\n')).licenses).toEqual([
        { expression: 'Apache-2.0', source: 'README.md:8' },
      ]);
    });
  });

  describe('base models', () => {
    it('a list with its relation; URLs reduced to ids; paths and template fields skipped', () => {
      const facts = model(`---
base_model:
- mistralai/Mistral-7B-v0.1
- https://huggingface.co/HuggingFaceH4/zephyr-7b-beta
- /home/me/checkpoints/run1
- "{{ base_model }}"
base_model_relation: merge
---
# M
`);
      expect(facts.baseModels).toEqual([
        {
          id: 'mistralai/Mistral-7B-v0.1',
          hubId: 'mistralai/Mistral-7B-v0.1',
          relation: 'merge',
          source: 'README.md (front matter base_model)',
        },
        {
          id: 'HuggingFaceH4/zephyr-7b-beta',
          hubId: 'HuggingFaceH4/zephyr-7b-beta',
          relation: 'merge',
          source: 'README.md (front matter base_model)',
        },
      ]);
    });

    it('a relation the Hub does not know is left out; one string is one base', () => {
      const facts = model(
        '---\nbase_model: meta-llama/Llama-3.1-8B\nbase_model_relation: distilled\n---\n# M\n',
      );
      expect(facts.baseModels).toEqual([
        {
          id: 'meta-llama/Llama-3.1-8B',
          hubId: 'meta-llama/Llama-3.1-8B',
          source: 'README.md (front matter base_model)',
        },
      ]);
    });

    it('the metadata wins over the prose; a family name in prose is no id', () => {
      const trainer = TRAINER_CARD.replace(
        'license: apache-2.0\n',
        'license: apache-2.0\nbase_model: distilbert/distilbert-base-uncased\n',
      );
      expect(model(trainer).baseModels.map((b) => b.id)).toEqual(['distilbert/distilbert-base-uncased']);
      expect(model('# M\n\n- **Finetuned from model:** T5\n').baseModels).toEqual([]);
      expect(model('# M\n\n- **Finetuned from model:** google/flan-t5-base\n').baseModels).toEqual([
        { id: 'google/flan-t5-base', hubId: 'google/flan-t5-base', source: 'README.md:3' },
      ]);
    });
  });

  describe('its own Hub id', () => {
    it('an `org/name` model-index name, unless it is the base model', () => {
      expect(model('---\nmodel-index:\n- name: acme/sentiment\n  results: []\n---\n# X\n').hubId).toBe(
        'acme/sentiment',
      );
      expect(
        model(
          '---\nbase_model: acme/sentiment\nmodel-index:\n- name: acme/sentiment\n  results: []\n---\n# X\n',
        ).hubId,
      ).toBeUndefined();
    });

    it('a Repository link to the Hub', () => {
      const facts = model('# X\n\n### Model Sources\n\n- **Repository:** https://huggingface.co/acme/x\n');
      expect(facts.hubId).toBe('acme/x');
      expect(facts.hubIdSource).toBe('README.md:5');
      expect(facts.links).toEqual([
        { type: 'vcs', url: 'https://huggingface.co/acme/x', comment: 'Repository (README.md:5)' },
      ]);
    });

    it('not a bare name', () => {
      expect(model('# sentiment-model\n\nClassifies the sentiment of reviews.\n').hubId).toBeUndefined();
    });
  });

  describe('considerations', () => {
    it('the environmental impact from `co2_eq_emissions` and a section with real content', () => {
      const facts = model(`---
co2_eq_emissions:
  emissions: 149.2
  source: CodeCarbon
  training_type: fine-tuning
  geographical_location: Quebec, Canada
  hardware_used: 1 x A100
---
# M

## Environmental Impact

Carbon emissions can be estimated using the [Machine Learning Impact calculator](https://mlco2.github.io/impact#compute) presented in [Lacoste et al. (2019)](https://arxiv.org/abs/1910.09700).

- **Hardware Type:** A100 80GB
- **Hours used:** [More Information Needed]
`);
      expect(facts.considerations.environmental).toEqual([
        {
          text: 'Emissions: 149.2 g CO2eq; source: CodeCarbon; training type: fine-tuning; location: Quebec, Canada; hardware: 1 x A100',
          source: 'README.md (front matter co2_eq_emissions)',
        },
        { text: 'Hardware Type: A100 80GB', source: 'README.md:15' },
      ]);
    });

    it('a bare `co2_eq_emissions` number is grams', () => {
      expect(model('---\nco2_eq_emissions: 0.0223\n---\n# M\n').considerations.environmental).toEqual([
        { text: 'Emissions: 0.0223 g CO2eq', source: 'README.md (front matter co2_eq_emissions)' },
      ]);
    });

    it('users from a section, use cases from direct and downstream use, out-of-scope from its section', () => {
      const facts = model(`# M

## Uses

### Direct Use

Summarising English news articles.

### Downstream Use

Fine-tuning for headline generation.

### Out-of-Scope Use

Medical or legal advice.

### Intended Users

Newsrooms and researchers.
`);
      const c = facts.considerations;
      expect(c.useCases).toEqual([
        { text: 'Summarising English news articles.', source: 'README.md:5' },
        { text: 'Fine-tuning for headline generation.', source: 'README.md:9' },
      ]);
      expect(c.outOfScope).toEqual([{ text: 'Medical or legal advice.', source: 'README.md:13' }]);
      expect(c.users).toEqual([{ text: 'Newsrooms and researchers.', source: 'README.md:17' }]);
    });

    it('a section named for limitations and bias answers both', () => {
      const facts = model('# M\n\n## Bias, Risks, and Limitations\n\nIt only knows English.\n');
      expect(facts.considerations.technicalLimitations).toEqual([
        { text: 'It only knows English.', source: 'README.md:3' },
      ]);
      expect(facts.considerations.ethicalConsiderations).toEqual([
        { text: 'It only knows English.', source: 'README.md:3' },
      ]);
    });

    it('a fairness evaluation is fairness, not an ethical consideration', () => {
      const facts = model(
        '# M\n\n## Evaluation\n\n### Fairness evaluation\n\nAccuracy differs by 4 points between dialects.\n',
      );
      expect(facts.considerations.fairness).toEqual([
        { text: 'Accuracy differs by 4 points between dialects.', source: 'README.md:5' },
      ]);
      expect(facts.considerations.ethicalConsiderations).toEqual([]);
    });

    it('placeholders, template sentences and to-dos never surface', () => {
      const facts = model(`# M

## Uses

### Direct Use

[More Information Needed]

### Out-of-Scope Use

TODO: say what it must not be used for

## Bias, Risks, and Limitations

Significant research has explored bias and fairness issues with language models (see, e.g., [Sheng et al. (2021)](https://aclanthology.org/2021.acl-long.330.pdf)).
Predictions generated by the model may include disturbing and harmful stereotypes across protected classes; identity characteristics; and sensitive, social, and occupational groups.

### Recommendations

Users (both direct and downstream) should be made aware of the risks, biases and limitations of the model. More information needed for further recommendations.

## Environmental Impact

- **Hardware Type:** N/A
- **Hours used:** TBD
- **Carbon Emitted:** {{ co2 }}

## Limitations

None.
`);
      expect(considerationTexts(facts)).toEqual([]);
      expect(facts.description).toBeUndefined();
    });

    it('markup is cleaned to plain text', () => {
      const facts = model(`# M

## Limitations

![badge](https://img.shields.io/x.svg) The **model** is _not_ good at \`code\`; see [the paper][p] and <b>its</b> [appendix](https://x.org/a) &amp; more.
> It forgets things.

[p]: https://arxiv.org/abs/1234.56789
`);
      expect(facts.considerations.technicalLimitations).toEqual([
        {
          text: 'The model is not good at code; see the paper and its appendix & more.\nIt forgets things.',
          source: 'README.md:3',
        },
      ]);
    });

    it('texts are cut at a sentence with an ellipsis, and at most a few per consideration', () => {
      const sentence = (i: number) => `The model makes mistakes on inputs longer than ${i} pages. `;
      const sections = Array.from(
        { length: 12 },
        (_, i) => `## Limitations ${i}\n\n${sentence(i).repeat(60)}\n`,
      ).join('\n');
      const facts = model(`# M\n\n${sections}`);
      const limits = facts.considerations.technicalLimitations;
      expect(limits).toHaveLength(MAX_TEXTS_PER_FIELD);
      for (const t of limits) {
        expect(t.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
        expect(t.text).toMatch(/pages\.…$/);
      }
      expect(facts.truncated).toEqual([
        `technical limitations: more than ${MAX_TEXTS_PER_FIELD} texts; the first ${MAX_TEXTS_PER_FIELD} kept`,
      ]);
    });

    it('a text without sentence ends is cut at a word', () => {
      const facts = model(`# M\n\n## Limitations\n\n${'word '.repeat(1000)}\n`);
      const text = facts.considerations.technicalLimitations[0]?.text ?? '';
      expect(text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(text).toMatch(/word…$/);
    });
  });

  describe('authors', () => {
    it('`model_creator`, "Developed by" and a list under "Authors"; not the uploader, funder or card authors', () => {
      const facts = model(`---
model_creator: Acme AI
---
# M

- **Developed by:** Jane Doe, John Roe and Example University
- **Shared by:** uploader-bot
- **Funded by:** A Foundation

## Authors

- Alice Smith
- Bob Jones

## Model Card Authors

Card Writer
`);
      expect(facts.authors).toEqual([
        { name: 'Acme AI', kind: 'organization' },
        { name: 'Jane Doe', kind: 'unknown' },
        { name: 'John Roe', kind: 'unknown' },
        { name: 'Example University', kind: 'organization' },
        { name: 'Alice Smith', kind: 'unknown' },
        { name: 'Bob Jones', kind: 'unknown' },
      ]);
    });

    it('a sentence is not a list of names', () => {
      expect(
        model('# M\n\n- **Developed by:** This model was developed by the team over two years.\n').authors,
      ).toEqual([]);
    });
  });

  describe('malformed and hostile cards', () => {
    const empty = {
      licenses: [],
      authors: [],
      inputs: [],
      outputs: [],
      metrics: [],
      trainedOn: [],
      testedOn: [],
      baseModels: [],
      links: [],
      tags: [],
    };

    it.each([
      ['an empty card', ''],
      ['an unterminated front matter', '---\nlicense: mit\n# M\n'],
      ['a YAML error', '---\nlicense: [mit\ndatasets: {\n---\n'],
      ['a front matter that is a list', '---\n- a\n- b\n---\n'],
      ['binary content', '\u0000\u0001\u0002binary\u0000'],
      [
        'metadata of the wrong types',
        '---\ndatasets: 3\ntags: {a: b}\nbase_model: [1, {x: y}]\nmodel-index: nope\nco2_eq_emissions: [1]\n---\n',
      ],
    ])('%s: no crash, no facts', (_name, text) => {
      const facts = model(text);
      expect(facts).toMatchObject(empty);
      expect(considerationTexts(facts)).toEqual([]);
    });

    it('a 5 MB card is read within the bounds', () => {
      const para =
        'The model fails on inputs longer than its context window, and on languages it has not seen. ';
      const results = Array.from(
        { length: 3000 },
        (_, i) =>
          `  - task: {type: text-classification}\n    dataset: {name: d${i}, type: org/d${i}}\n    metrics: [{type: accuracy, value: 0.5}]`,
      ).join('\n');
      const body = Array.from({ length: 440 }, (_, i) => `## Limitations ${i}\n\n${para.repeat(120)}\n`).join(
        '\n',
      );
      const text = `---\nmodel-index:\n- name: big\n  results:\n${results}\n---\n# Big\n\n${body}`;
      expect(text.length).toBeGreaterThan(5_000_000);
      const started = Date.now();
      const facts = model(text);
      expect(Date.now() - started).toBeLessThan(20_000);
      expectBounded(facts);
      expect(facts.metrics.length).toBeLessThanOrEqual(MAX_METRICS);
      expect(facts.testedOn.length).toBeLessThanOrEqual(100);
      expect(facts.truncated.length).toBeGreaterThan(0);
    }, 60_000);

    it('gives the same facts twice', () => {
      expect(JSON.stringify(model(TRAINER_CARD))).toBe(JSON.stringify(model(TRAINER_CARD)));
    });

    it('never throws and keeps its bounds on arbitrary markdown', () => {
      const piece = fc.constantFrom(
        '# T\n',
        '## Limitations\n',
        '## Out-of-Scope Use\n',
        '- **Developed by:** ',
        '**Primary intended users**\n',
        '[More Information Needed]',
        '```\n',
        '<!-- ',
        ' -->',
        '| a | b |\n',
        '[x](https://huggingface.co/datasets/a/b)',
        '---\n',
        'license: mit\n',
        'Text with words. ',
        '\n\n',
        '  - ',
      );
      fc.assert(
        fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 20 })), { maxLength: 60 }), (parts) => {
          const facts = model(parts.join(''));
          expectBounded(facts);
          for (const t of considerationTexts(facts)) expect(t.text).not.toMatch(/More Information Needed/i);
        }),
        { numRuns: 200 },
      );
    });
  });
});

describe('datasetCardFacts', () => {
  const CARD = `---
licenses:
- cc-by-sa-4.0
size_categories:
- 1K<n<10K
source_datasets:
- original
- extended|wikipedia
- acme/raw-news
task_categories:
- summarization
tags:
- arxiv:2106.09685
---

# Dataset Card for acme/news-summaries

## Dataset Details

### Dataset Description

Short summaries of English news articles, written by editors.

- **Curated by:** Acme Research Lab
- **Shared by:** [Jane Doe](https://huggingface.co/jane)
- **Data classification:** Internal use only

### Dataset Sources

- **Repository:** https://github.com/acme/news-summaries
- **Paper:** [More Information Needed]

## Personal and Sensitive Information

Bylines were removed; the articles still name public figures.

### Does the dataset identify any subpopulations?

No.

## Dataset Card Contact

[More Information Needed]
`;
  const facts = dataset(CARD);

  it('reads names, licences (the legacy `licenses` key), size, tasks and sources', () => {
    expect(facts.name).toBe('acme/news-summaries');
    expect(facts.hubId).toBe('acme/news-summaries');
    expect(facts.licenses).toEqual([
      { expression: 'CC-BY-SA-4.0', source: 'README.md (front matter licenses)' },
    ]);
    expect(facts.size).toBe('1K<n<10K');
    expect(facts.tasks).toEqual(['summarization']);
    expect(facts.sourceDatasets).toEqual([
      { hubId: 'wikipedia', name: 'wikipedia', source: 'README.md (front matter source_datasets)' },
      { hubId: 'acme/raw-news', name: 'acme/raw-news', source: 'README.md (front matter source_datasets)' },
    ]);
    expect(facts.description).toEqual({
      text: 'Short summaries of English news articles, written by editors.',
      source: 'README.md:20',
    });
  });

  it('governance: curators own it, the sharer keeps it, the classification only as labelled', () => {
    expect(facts.owners).toEqual([{ name: 'Acme Research Lab', kind: 'organization' }]);
    expect(facts.custodians).toEqual([
      { name: 'Jane Doe', kind: 'unknown', url: 'https://huggingface.co/jane' },
    ]);
    expect(facts.classification).toBe('internal');
    expect(facts.classificationSource).toBe('README.md:26');
  });

  it('sensitive data: the section, and a datasheet question, but not a "No." that says nothing', () => {
    expect(facts.sensitiveData).toEqual([
      { text: 'Bylines were removed; the articles still name public figures.', source: 'README.md:33' },
    ]);
  });

  it('contents and links: the repository, the paper tag', () => {
    expect(facts.contentsUrl).toBe('https://github.com/acme/news-summaries');
    expect(facts.links).toEqual([
      { type: 'vcs', url: 'https://github.com/acme/news-summaries', comment: 'Repository (README.md:30)' },
      {
        type: 'documentation',
        url: 'https://arxiv.org/abs/2106.09685',
        comment: 'tag arxiv:2106.09685 (README.md front matter)',
      },
    ]);
  });

  it('no classification when the card does not label one', () => {
    expect(dataset('# D\n\nA public dataset of reviews.\n').classification).toBeUndefined();
    expect(dataset('# D\n\n- **Classification:** binary sentiment\n').classification).toBeUndefined();
    expect(dataset('---\nconfidentiality: Confidential\n---\n# D\n').classification).toBe('confidential');
  });

  it('malformed front matter: no crash, no facts', () => {
    const broken = dataset('---\nlicense: [x\n---\n# Dataset Card for D\n');
    expect(broken).toMatchObject({ licenses: [], sensitiveData: [], owners: [], custodians: [], tasks: [] });
    expect(broken.name).toBe('D');
  });
});

describe('helpers', () => {
  it('partiesOf: lists split, a comma inside a name kept, sentences and placeholders name nobody', () => {
    expect(partiesOf('Meta, Inc.')).toEqual([{ name: 'Meta, Inc', kind: 'organization' }]);
    expect(partiesOf('[A. Lovelace](https://a.example) & [C. Babbage](https://b.example)')).toEqual([
      { name: 'A. Lovelace', kind: 'unknown', url: 'https://a.example' },
      { name: 'C. Babbage', kind: 'unknown', url: 'https://b.example' },
    ]);
    expect(partiesOf('Research and Development Team')).toEqual([
      { name: 'Research and Development Team', kind: 'organization' },
    ]);
    expect(partiesOf('[More Information Needed]')).toEqual([]);
    expect(partiesOf('This model was built by our team.')).toEqual([]);
    expect(partiesOf('x'.repeat(500))).toEqual([]);
  });

  it('plainLine: what a reader sees', () => {
    expect(
      plainLine('- **Bold** and *emphasis*, `code`, [link](https://x.org), <br/> &amp; snake_case'),
    ).toBe('Bold and emphasis, code, link, & snake_case');
    expect(plainLine('<summary>Click to expand</summary>')).toBe('');
  });

  it('boundText: short texts as they are; long ones cut after a sentence or a word', () => {
    expect(boundText('Short.')).toBe('Short.');
    expect(boundText('One two three. Four five six seven.', 24)).toBe('One two three.…');
    // A sentence end that would keep less than half is not used: the cut is at a word.
    expect(boundText('One two. Three four five six.', 20)).toBe('One two. Three…');
    expect(boundText('abcdefghij klmnopqrstu vwxyz', 20)).toBe('abcdefghij…');
    expect(boundText('x'.repeat(50), 20)).toBe(`${'x'.repeat(19)}…`);
  });
});
