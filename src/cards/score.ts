import type { CardAuditContext, CardKind } from './audit/types.js';
import type { SectionState } from './card-document.js';
import { coverage, type Topic } from './topics.js';

/**
 * The completeness score: a weighted rubric over what a card should say, 0-100. Model cards are scored on
 * the sections of Mitchell et al., "Model Cards for Model Reporting" (2019, §4: model details, intended
 * use, factors, metrics, evaluation data, training data, quantitative analyses, ethical considerations,
 * caveats and recommendations) plus what the Hub template added (environmental impact, how to use,
 * citation, contact). Dataset cards are scored on the seven question groups of Gebru et al., "Datasheets
 * for Datasets" (2021: motivation, composition, collection process, preprocessing/cleaning/labeling, uses,
 * distribution, maintenance) plus personal data, biases and limitations, which the Hub template asks
 * separately. Weights favour what a reviewer needs before use (intended use, data, evaluation,
 * limitations) over bibliography. An item earns its weight when any of its topics has content, or when
 * the metadata answers it (a `license` key, `datasets`, `model-index`, `co2_eq_emissions`); placeholders
 * earn nothing. The rubric is printed in the README; changing a weight is a change of the report contract.
 */

export interface RubricItem {
  readonly id: string;
  readonly title: string;
  readonly weight: number;
  /** Any of these topics with content earns the weight. */
  readonly topics: readonly Topic[];
  /** Metadata keys whose non-empty value also earns it. */
  readonly metadata?: readonly string[];
}

export const MODEL_RUBRIC: readonly RubricItem[] = [
  { id: 'description', title: 'Model description', weight: 6, topics: ['model-description'] },
  { id: 'developers', title: 'Developers', weight: 3, topics: ['developers'] },
  {
    id: 'model-type',
    title: 'Model type / architecture',
    weight: 3,
    topics: ['model-type', 'technical-specs'],
  },
  { id: 'license', title: 'Licence', weight: 5, topics: ['license'], metadata: ['license', 'licenses'] },
  { id: 'intended-use', title: 'Intended use', weight: 9, topics: ['intended-use'] },
  { id: 'out-of-scope', title: 'Out-of-scope use', weight: 5, topics: ['out-of-scope'] },
  { id: 'users', title: 'Intended users', weight: 2, topics: ['users'] },
  { id: 'factors', title: 'Factors', weight: 4, topics: ['factors'] },
  { id: 'metrics', title: 'Metrics', weight: 4, topics: ['metrics'] },
  { id: 'evaluation-data', title: 'Evaluation data', weight: 5, topics: ['evaluation-data'] },
  {
    id: 'training-data',
    title: 'Training data',
    weight: 9,
    topics: ['training-data'],
    metadata: ['datasets'],
  },
  { id: 'training-procedure', title: 'Training procedure', weight: 3, topics: ['training-procedure'] },
  {
    id: 'results',
    title: 'Quantitative analyses (results)',
    weight: 10,
    topics: ['evaluation-results'],
    metadata: ['model-index'],
  },
  {
    id: 'ethics',
    title: 'Ethical considerations, bias and risks',
    weight: 8,
    topics: ['bias-risks', 'ethical-considerations'],
  },
  { id: 'limitations', title: 'Limitations (caveats)', weight: 9, topics: ['limitations'] },
  { id: 'recommendations', title: 'Recommendations', weight: 2, topics: ['recommendations'] },
  {
    id: 'environmental-impact',
    title: 'Environmental impact',
    weight: 3,
    topics: ['environmental-impact'],
    metadata: ['co2_eq_emissions'],
  },
  { id: 'how-to-use', title: 'How to use', weight: 4, topics: ['how-to-use'] },
  { id: 'citation', title: 'Citation', weight: 3, topics: ['citation'] },
  { id: 'contact', title: 'Contact', weight: 3, topics: ['contact'] },
];

export const DATASET_RUBRIC: readonly RubricItem[] = [
  { id: 'summary', title: 'Summary', weight: 4, topics: ['dataset-summary'] },
  { id: 'motivation', title: 'Motivation', weight: 10, topics: ['motivation'] },
  {
    id: 'composition',
    title: 'Composition',
    weight: 14,
    topics: ['composition'],
    metadata: ['dataset_info'],
  },
  { id: 'collection', title: 'Collection process', weight: 12, topics: ['collection'] },
  {
    id: 'preprocessing',
    title: 'Preprocessing, cleaning, labelling',
    weight: 9,
    topics: ['preprocessing', 'annotations'],
  },
  { id: 'uses', title: 'Uses', weight: 10, topics: ['uses', 'out-of-scope'], metadata: ['task_categories'] },
  {
    id: 'distribution',
    title: 'Distribution and licence',
    weight: 10,
    topics: ['distribution', 'license'],
    metadata: ['license', 'licenses'],
  },
  { id: 'maintenance', title: 'Maintenance', weight: 8, topics: ['maintenance', 'contact'] },
  { id: 'personal-data', title: 'Personal and sensitive information', weight: 8, topics: ['personal-data'] },
  { id: 'bias', title: 'Biases and social impact', weight: 8, topics: ['bias-risks', 'social-impact'] },
  { id: 'limitations', title: 'Known limitations', weight: 5, topics: ['limitations'] },
  { id: 'citation', title: 'Citation', weight: 2, topics: ['citation'] },
];

export function rubricFor(kind: CardKind): readonly RubricItem[] {
  return kind === 'model' ? MODEL_RUBRIC : DATASET_RUBRIC;
}

export interface ScoreItem {
  readonly id: string;
  readonly title: string;
  readonly weight: number;
  readonly earned: number;
  /** The best state found for the item's topics, or `metadata` when the metadata answered it. */
  readonly state: SectionState | 'absent' | 'metadata';
  /** Where it was found: `line 12`, `metadata: datasets`. */
  readonly source?: string;
}

export interface CardScore {
  /** 0-100, an integer. */
  readonly score: number;
  readonly items: readonly ScoreItem[];
}

const STATE_ORDER = { absent: 0, empty: 1, placeholder: 2, content: 3 } as const;

/** A metadata value that says something: not null, not an empty string, list or mapping. */
function filled(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(filled);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** Scores a card on the rubric of its kind. */
export function scoreCard(ctx: CardAuditContext): CardScore {
  const items: ScoreItem[] = rubricFor(ctx.kind).map((item) => {
    let state: SectionState | 'absent' = 'absent';
    let line: number | undefined;
    for (const topic of item.topics) {
      const c = coverage(ctx.topics, topic);
      if (STATE_ORDER[c.state] > STATE_ORDER[state]) {
        state = c.state;
        line = c.line;
      }
    }
    if (state === 'content')
      return {
        id: item.id,
        title: item.title,
        weight: item.weight,
        earned: item.weight,
        state,
        ...(line !== undefined ? { source: `line ${line}` } : {}),
      };
    const key = (item.metadata ?? []).find((k) => filled(ctx.meta[k]));
    if (key !== undefined)
      return {
        id: item.id,
        title: item.title,
        weight: item.weight,
        earned: item.weight,
        state: 'metadata',
        source: `metadata: ${key}`,
      };
    return {
      id: item.id,
      title: item.title,
      weight: item.weight,
      earned: 0,
      state,
      ...(line !== undefined ? { source: `line ${line}` } : {}),
    };
  });
  const total = items.reduce((sum, i) => sum + i.weight, 0);
  const earned = items.reduce((sum, i) => sum + i.earned, 0);
  return { score: total === 0 ? 0 : Math.round((earned * 100) / total), items };
}
