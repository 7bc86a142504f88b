import { ALL_MODEL_LIBRARY_KEYS, PIPELINE_DATA } from '@huggingface/tasks';
import type { FolderFacts } from './facts.js';

/**
 * Metadata derived from what the folder's files say they are: `pipeline_tag` from transformers architecture
 * class names (the task head is in the class name: `LlamaForCausalLM`), `library_name` from the files a
 * library writes. Only unambiguous mappings: a class suffix whose task differs between model families
 * (`Wav2Vec2ForSequenceClassification` classifies audio, not text) is excluded for those families, and
 * `*ForConditionalGeneration` (T5, Whisper, LLaVA: three different tasks) is not mapped at all.
 */

interface HeadTask {
  readonly suffix: string;
  readonly task: string;
  /** Model families whose class of this suffix does another task. */
  readonly except?: RegExp;
}

/**
 * transformers' auto classes and the pipelines they serve (transformers `pipelines/__init__.py`
 * SUPPORTED_TASKS, each task's `"pt"` auto model).
 */
const HEAD_TASKS: readonly HeadTask[] = [
  // MusicGen's decoder generates audio codes from text.
  { suffix: 'ForCausalLM', task: 'text-generation', except: /^Musicgen/ },
  {
    suffix: 'ForSequenceClassification',
    task: 'text-classification',
    // Speech encoders' sequence classification heads classify audio (audio-classification pipeline).
    except: /^(?:Wav2Vec2|Hubert|WavLM|SEW|UniSpeech|Data2VecAudio|Whisper|Audio)/,
  },
  { suffix: 'ForTokenClassification', task: 'token-classification' },
  {
    suffix: 'ForQuestionAnswering',
    task: 'question-answering',
    // Document and web-page models answer over layouts (document-question-answering).
    except: /^(?:LayoutLM|LayoutXLM|Lilt|MarkupLM|Udop)/,
  },
  { suffix: 'ForMaskedLM', task: 'fill-mask', except: /^Wav2Vec2/ },
  { suffix: 'ForImageClassification', task: 'image-classification' },
  { suffix: 'ForObjectDetection', task: 'object-detection' },
  { suffix: 'ForSemanticSegmentation', task: 'image-segmentation' },
  { suffix: 'ForDepthEstimation', task: 'depth-estimation' },
  { suffix: 'ForCTC', task: 'automatic-speech-recognition' },
  { suffix: 'ForAudioClassification', task: 'audio-classification' },
  { suffix: 'ForVideoClassification', task: 'video-classification' },
];

/** PEFT `TaskType` values and the pipeline an adapter of that type serves. */
const PEFT_TASKS: Readonly<Record<string, string>> = {
  CAUSAL_LM: 'text-generation',
  SEQ_CLS: 'text-classification',
  TOKEN_CLS: 'token-classification',
  QUESTION_ANS: 'question-answering',
  FEATURE_EXTRACTION: 'feature-extraction',
};

const PIPELINE_TAGS: ReadonlySet<string> = new Set(Object.keys(PIPELINE_DATA));
const LIBRARIES: ReadonlySet<string> = new Set(ALL_MODEL_LIBRARY_KEYS);

/** The task of one architecture class name, or undefined when its suffix is unknown or ambiguous for it. */
export function taskOfArchitecture(architecture: string): string | undefined {
  for (const head of HEAD_TASKS) {
    if (!architecture.endsWith(head.suffix) || architecture.length === head.suffix.length) continue;
    if (head.except?.test(architecture)) return undefined;
    return head.task;
  }
  return undefined;
}

export interface DerivedTag {
  readonly value: string;
  /** What decided, as markdown for the card's body: "the `ForCausalLM` head of `LlamaForCausalLM`". */
  readonly source: string;
}

/** A code span for a value taken from a file (class names and PEFT types hold no backticks in practice). */
function span(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/**
 * `pipeline_tag`: every architecture in `config.json` and the adapter's task type must agree; one unmapped
 * architecture, or two tasks, leave it out.
 */
export function derivePipelineTag(facts: FolderFacts): DerivedTag | undefined {
  const found = new Map<string, string>();
  const architectures = facts.config?.architectures ?? [];
  for (const architecture of architectures) {
    const task = taskOfArchitecture(architecture);
    if (task === undefined) return undefined;
    const suffix = HEAD_TASKS.find((h) => architecture.endsWith(h.suffix))?.suffix ?? '';
    found.set(task, `the ${span(suffix)} head of ${span(architecture)}`);
  }
  const peftTask = facts.adapter?.taskType;
  if (peftTask !== undefined) {
    const task = PEFT_TASKS[peftTask];
    if (task === undefined) return undefined;
    if (!found.has(task)) found.set(task, `the adapter's \`task_type\` ${span(peftTask)}`);
  }
  if (found.size !== 1) return undefined;
  const [value, source] = [...found][0] as [string, string];
  return PIPELINE_TAGS.has(value) ? { value, source } : undefined;
}

/**
 * `library_name`: the library whose own files are in the folder. An adapter is loaded with PEFT, a
 * Sentence Transformers folder with that library (it also holds a transformers config), diffusers writes
 * `model_index.json`, transformers writes `transformers_version` into `config.json`.
 */
export function deriveLibraryName(facts: FolderFacts): DerivedTag | undefined {
  const candidates: DerivedTag[] = [];
  if (facts.adapter?.peftType !== undefined)
    candidates.push({ value: 'peft', source: `${span(facts.adapter.file)} \`peft_type\`` });
  if (facts.libraries.sentenceTransformers !== undefined)
    candidates.push({ value: 'sentence-transformers', source: span(facts.libraries.sentenceTransformers) });
  if (facts.libraries.diffusers !== undefined)
    candidates.push({ value: 'diffusers', source: `${span('model_index.json')} \`_diffusers_version\`` });
  if (facts.config?.transformersVersion !== undefined)
    candidates.push({
      value: 'transformers',
      source: `${span(facts.config.file)} \`transformers_version\``,
    });
  const keras = facts.serialised.find((f) => f.format === 'keras');
  if (keras !== undefined)
    candidates.push({ value: 'keras', source: `the Keras v3 archive ${span(keras.path)}` });
  const first = candidates[0];
  return first !== undefined && LIBRARIES.has(first.value) ? first : undefined;
}

/** A tag derived from a file: lower case, short, Hub-safe. */
function tagOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const tag = value.toLowerCase();
  return /^[a-z0-9][a-z0-9_.-]{0,63}$/.test(tag) ? tag : undefined;
}

/** Formats the Hub lists as filters, when the folder holds a file of that format. */
const FORMAT_TAGS: Readonly<Partial<Record<string, string>>> = {
  safetensors: 'safetensors',
  gguf: 'gguf',
  onnx: 'onnx',
};

/** `tags`: file formats present, the config's `model_type`, the adapter's PEFT type, GGUF architectures. */
export function deriveTags(facts: FolderFacts): string[] {
  const tags = new Set<string>();
  for (const file of facts.serialised) {
    const tag = FORMAT_TAGS[file.format];
    if (tag !== undefined) tags.add(tag);
    const arch = tagOf(file.gguf?.architecture);
    if (arch !== undefined) tags.add(arch);
  }
  for (const value of [facts.config?.modelType, facts.adapter?.peftType]) {
    const tag = tagOf(value);
    if (tag !== undefined) tags.add(tag);
  }
  return [...tags].sort();
}
