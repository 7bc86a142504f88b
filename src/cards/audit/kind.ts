import type { CardDocument } from '../card-document.js';
import type { CardKind } from './types.js';

/**
 * Metadata keys only dataset cards carry (the Hub dataset card metadata spec, huggingface/hub-docs
 * `datasets-cards.md`, and the `datasets` library's README validator).
 */
const DATASET_KEYS = [
  'task_categories',
  'task_ids',
  'size_categories',
  'annotations_creators',
  'language_creators',
  'source_datasets',
  'multilinguality',
  'dataset_info',
  'paperswithcode_id',
  'train-eval-index',
];
/** Metadata keys only model cards carry (hub-docs `model-cards.md`). */
const MODEL_KEYS = [
  'model-index',
  'pipeline_tag',
  'base_model',
  'library_name',
  'model_name',
  'widget',
  'inference',
];

/**
 * Model or dataset card: the file name says it when it is `DATASET_CARD.md`/`MODEL_CARD.md`; otherwise
 * keys only one kind uses, then headings (`Dataset Structure`, `Dataset Card for X`). Default: model,
 * by far the most common card.
 */
export function detectCardKind(path: string, doc: CardDocument): CardKind {
  const name = (path.split('/').pop() ?? '').toLowerCase();
  if (/^dataset[_-]?card\.md$|^datasheet\.md$/.test(name)) return 'dataset';
  if (/^model[_-]?card\.md$/.test(name)) return 'model';
  const meta = doc.frontMatter?.data ?? {};
  const datasetKeys = DATASET_KEYS.filter((k) => k in meta).length;
  const modelKeys = MODEL_KEYS.filter((k) => k in meta).length;
  if (datasetKeys > modelKeys) return 'dataset';
  if (modelKeys > datasetKeys) return 'model';
  let datasetHeadings = 0;
  let modelHeadings = 0;
  for (const s of doc.sections) {
    const t = s.normalizedTitle;
    if (
      /^dataset card\b|\bdataset (?:structure|summary|creation|curators)\b|\bdata (?:instances|fields|splits)\b|\bdatasheet\b/.test(
        t,
      )
    )
      datasetHeadings++;
    if (
      /^model card\b|\bmodel (?:details|description|type|architecture)\b|\bhow to get started with the model\b/.test(
        t,
      )
    )
      modelHeadings++;
  }
  return datasetHeadings > modelHeadings ? 'dataset' : 'model';
}
