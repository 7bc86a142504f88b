import { PIPELINE_DATA, TASKS_DATA, type TaskDemoEntry } from '@huggingface/tasks';
import type { ModelParameters } from '../inventory.js';
import { type CardBlock, lineAt } from './blocks.js';
import { sentencesOf } from './text.js';

/**
 * What a model does and how it learnt it, only as far as the card says. The task is the `pipeline_tag`
 * (else the task of the `model-index` results); the modalities of its inputs and outputs are those of the
 * Hub's page for that task (`@huggingface/tasks`, the `demo` of each task); the learning approach is set
 * only when the metadata or a sentence about this model's training names one.
 */

export type Approach = NonNullable<ModelParameters['approach']>;

/** What a task page's demo shows, as the modality it stands for. */
function modalityOf(entry: TaskDemoEntry): string | undefined {
  switch (entry.type) {
    case 'text':
    case 'text-with-tokens':
      return 'text';
    case 'img':
      // The video tasks' demos show their clips as animated GIFs.
      return /\.gif$/i.test(entry.filename) ? 'video' : 'image';
    case 'audio':
      return 'audio';
    case 'tabular':
      return 'tabular';
    case 'chart':
      // Labels or items with scores (classification, ranking, similarity).
      return 'scores';
    default:
      return undefined;
  }
}

/**
 * Demos that draw something other than the data the task takes or gives: reinforcement learning shows its
 * states and actions as text, 3D tasks their meshes as a "Result" text, detection tasks their boxes drawn on
 * the input image, and unconditional generation a seed typed as text. Nothing is said for those directions.
 */
const DEMO_NOT_DATA: Readonly<Record<string, { readonly inputs?: true; readonly outputs?: true }>> = {
  'reinforcement-learning': { inputs: true, outputs: true },
  'text-to-3d': { outputs: true },
  'image-to-3d': { outputs: true },
  'object-detection': { outputs: true },
  'zero-shot-object-detection': { outputs: true },
  'keypoint-detection': { outputs: true },
  'unconditional-image-generation': { inputs: true },
};

/** The modalities of a task's inputs and outputs, from its Hub task page; empty when the task has none. */
export function taskModalities(task: string | undefined): {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
} {
  if (task === undefined || !Object.hasOwn(TASKS_DATA, task)) return { inputs: [], outputs: [] };
  const data = TASKS_DATA[task as keyof typeof TASKS_DATA];
  if (data === undefined || data.isPlaceholder === true) return { inputs: [], outputs: [] };
  const skip = DEMO_NOT_DATA[task] ?? {};
  const of = (entries: readonly TaskDemoEntry[]) => [
    ...new Set(entries.map(modalityOf).filter((m): m is string => m !== undefined)),
  ];
  return {
    inputs: skip.inputs === true ? [] : of(data.demo.inputs),
    outputs: skip.outputs === true ? [] : of(data.demo.outputs),
  };
}

/** Whether a value is a Hub task id (`PIPELINE_DATA`). */
export function isTaskId(value: string): boolean {
  return Object.hasOwn(PIPELINE_DATA, value);
}

// ---------------------------------------------------------------------------------------------------------
// Learning approach
// ---------------------------------------------------------------------------------------------------------

/**
 * Phrases naming how the model was trained, over lower-case text with hyphens as spaces. The method must
 * qualify the training itself ("pretrained ... in a self-supervised fashion", "self-supervised pretraining",
 * "supervised fine-tuning", "trained with reinforcement learning"): a method named in passing ("a mixture of
 * unsupervised and supervised tasks", a paper's title) is not a statement of how this model learnt.
 */
const MANNER = '(?:fashion|manner|way)';
const TRAINING = '(?:pre ?training|training|learning|fine ?tuning|objectives?)';
const TRAINED_WITH = String.raw`\b(?:pre ?trained|trained|fine ?tuned|tuned|learn(?:ed|t|s)?)\s+(?:\w+\s+){0,2}?(?:with|using|via|through|by)\s+(?:an?\s+)?`;
/** `<name> fashion|training|...` or `trained with <name>`; `guard` is a lookbehind kept before the name. */
const method = (name: string, guard = '') =>
  new RegExp(String.raw`${guard}\b${name}\s+(?:${MANNER}|${TRAINING})\b|${TRAINED_WITH}${guard}${name}\b`);
const APPROACH_PATTERNS: readonly (readonly [Approach, RegExp])[] = [
  ['self-supervised', method('self supervised')],
  ['semi-supervised', method('semi supervised')],
  ['unsupervised', method('unsupervised')],
  // Not "self-", "semi-", "weakly" or "un-" supervised; "SFT" is supervised fine-tuning.
  [
    'supervised',
    new RegExp(
      String.raw`${method('supervised', String.raw`(?<!\b(?:self|semi|weakly|weak|un)\s)`).source}|\bsft\b`,
    ),
  ],
  [
    'reinforcement-learning',
    new RegExp(
      String.raw`\breinforcement learning (?:from|with) (?:human|ai) feedback\b|\brlhf\b|${TRAINED_WITH}(?:deep\s+)?reinforcement learning\b`,
    ),
  ],
];
/** A sentence that denies or conditions: "was not fine-tuned with RLHF", "without supervised data". */
const NEGATED = /\b(?:not|never|no|without|instead of|rather than|unlike)\b|n't\b/;

/** Tags and pipeline tags of reinforcement-learning models (the Hub's RL libraries add them). */
const RL_TAGS = /^(?:reinforcement-learning|deep-reinforcement-learning|deep-rl)$/i;

export interface ApproachFinding {
  readonly approach: Approach;
  readonly source: string;
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[-_/\u2010-\u2015]/g, ' ');
}

/**
 * The learning approach the card states, or undefined when it states none or more than one (a chat model
 * "pretrained self-supervised, then tuned with SFT and RLHF" is several stages, not one approach).
 */
export function statedApproach(
  pipelineTag: string | undefined,
  tags: readonly string[],
  blocks: readonly CardBlock[],
  path: string,
): ApproachFinding | undefined {
  if (pipelineTag === 'reinforcement-learning')
    return { approach: 'reinforcement-learning', source: `${path} (front matter pipeline_tag)` };
  const tag = tags.find((t) => RL_TAGS.test(t));
  if (tag !== undefined) return { approach: 'reinforcement-learning', source: `${path} (front matter tags)` };
  const found = new Map<Approach, string>();
  for (const block of blocks) {
    if (!describesTraining(block)) continue;
    for (const paragraph of block.paragraphs) {
      for (const sentence of sentencesOf(paragraph.text)) {
        const text = normalize(sentence.text);
        if (NEGATED.test(text)) continue;
        for (const [approach, pattern] of APPROACH_PATTERNS) {
          if (!found.has(approach) && pattern.test(text))
            found.set(approach, `${path}:${lineAt(paragraph, sentence.offset)}`);
        }
      }
    }
  }
  if (found.size !== 1) return undefined;
  const [approach, source] = [...found][0] as [Approach, string];
  return { approach, source };
}

/** Blocks that describe this model and how it was made: its opening, description, type and training. */
function describesTraining(block: CardBlock): boolean {
  if (block.via === 'intro') return true;
  return block.topics.some(
    (t) =>
      t === 'model-description' || t === 'model-type' || t === 'training-procedure' || t === 'training-data',
  );
}
