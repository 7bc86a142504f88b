/**
 * Cards built in code for the card audit tests (CI has no /work/shared): a model card and a dataset card
 * answering every rubric item, and a weak card answering almost none. Line numbers in the tests refer to
 * these texts; change them together.
 */
import type { Finding } from '../../core/finding.js';

/** A model card with content for every item of the model rubric (score 100). */
export const COMPLETE_MODEL_CARD = `---
license: apache-2.0
language: en
pipeline_tag: text-classification
library_name: transformers
base_model: google-bert/bert-base-uncased
datasets:
- stanfordnlp/imdb
---

# Sentiment Classifier

## Model Details

A BERT model fine-tuned to classify English movie reviews as positive or negative.

- **Developed by:** Example Lab
- **Model type:** BERT encoder with a classification head
- **License:** Apache-2.0

## Uses

### Direct Use

Classifying the sentiment of English movie reviews.

### Out-of-Scope Use

It must not be used to make decisions about people.

### Intended Users

Researchers studying sentiment analysis.

## How to Get Started with the Model

\`\`\`python
from transformers import pipeline
classifier = pipeline("text-classification", model="example/sentiment")
\`\`\`

## Training Details

### Training Data

The IMDB reviews dataset, 25,000 training reviews.

### Training Procedure

Three epochs with AdamW at a learning rate of 2e-5.

## Evaluation

### Testing Data

The 25,000 IMDB test reviews.

### Factors

Review length and vocabulary.

### Metrics

Accuracy and F1.

### Results

Accuracy 0.93 on the test split.

## Bias, Risks, and Limitations

The model reflects biases of IMDB reviewers and fails on sarcasm.

### Recommendations

Check predictions on your own data before relying on them.

## Ethical Considerations

Sentiment scores must not be used to profile people.

## Environmental Impact

- **Hardware Type:** 1 x A100
- **Hours used:** 2

## Citation

\`\`\`bibtex
@misc{example2024sentiment,
  title = {Sentiment Classifier},
  year = {2024}
}
\`\`\`

## Model Card Contact

Open an issue at https://github.com/example/sentiment/issues or write to lab@example.org.
`;

/** A dataset card with content for every item of the dataset rubric (score 100). */
export const COMPLETE_DATASET_CARD = `---
license: cc-by-4.0
language:
- en
task_categories:
- text-classification
size_categories:
- 10K<n<100K
---

# Dataset Card for Reviews

## Dataset Summary

English product reviews labelled with their sentiment.

## Motivation

Built to study sentiment classifiers on product reviews.

## Dataset Structure

Each instance has a \`text\` and a \`label\` field; 40,000 train and 10,000 test rows.

## Source Data

Reviews were collected from a public review site in 2023.

## Annotations

Each review was labelled by two annotators; disagreements were resolved by a third.

## Uses

Training and evaluating sentiment classifiers.

## Distribution

Published on the Hub under CC BY 4.0.

## Maintenance

The dataset is maintained by the Example Lab; errata are listed in the repository.

## Personal and Sensitive Information

Reviewer names and e-mail addresses were removed.

## Bias, Risks, and Limitations

Reviews over-represent electronics and English-speaking buyers.

## Citation

\`\`\`bibtex
@misc{example2024reviews,
  title = {Reviews},
  year = {2024}
}
\`\`\`
`;

/** A card that says what the model is and one limitation, and nothing else (score 6 + 9 = 15). */
export const WEAK_MODEL_CARD = `# Tiny Model

## Model Description

A small model we trained.

## Limitations

Only tested on toy data.
`;

/** Findings of the given rule ids (or id prefix ending in `-`), so tests ignore rules other modules raise. */
export function only(findings: readonly Finding[], ...ids: string[]): Finding[] {
  return findings.filter((f) =>
    ids.some((id) => (id.endsWith('-') ? f.ruleId.startsWith(id) : f.ruleId === id)),
  );
}

/** The rule ids of findings, sorted, without repeats. */
export function ruleIds(findings: readonly Finding[]): string[] {
  return [...new Set(findings.map((f) => f.ruleId))].sort();
}
