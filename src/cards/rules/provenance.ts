import { truncateText } from '../../core/byte-reader.js';
import type { RuleDescriptor } from '../../core/rules.js';
import type { CardAuditContext, CardCheck, CardFindingDraft } from '../audit/types.js';
import { stripPlaceholders } from '../placeholders.js';
import { coverage } from '../topics.js';
import {
  type CardProse,
  cardProse,
  evidenceOf,
  type ProseLine,
  sectionField,
  toPlainText,
  topicsAt,
} from './prose.js';

// The card's prose is shared with the evaluation check (see `prose.ts`).
export {
  type CardProse,
  cardProse,
  evidenceOf,
  MAX_PROSE_LINE_CHARS,
  MAX_PROSE_LINES,
  type ProseLine,
  sectionField,
  toPlainText,
  topicsAt,
} from './prose.js';

/**
 * Provenance: where a model comes from. A card should name its training data (Mitchell et al., "Model Cards
 * for Model Reporting", FAT* 2019, arXiv:1810.03993, §4.6 "Training Data") and, for a derived model, the
 * model it derives from. The Hub reads the lineage from the `base_model` metadata (hub-docs `model-cards.md`,
 * "Specifying a base model") and the training datasets from `datasets` ("Dataset or list of datasets that
 * were used to train this model", huggingface_hub `ModelCardData`); prose alone is invisible to tools.
 *
 * Every pattern below is linear: bounded repetitions over disjoint character classes, applied per line to
 * lines of bounded length.
 */

const MITCHELL = 'https://arxiv.org/abs/1810.03993';
const HUB_MODEL_CARDS = 'https://huggingface.co/docs/hub/model-cards';
const HUB_BASE_MODEL = 'https://huggingface.co/docs/hub/model-cards#specifying-a-base-model';

export const CARD_PROVENANCE_RULES = {
  trainingDataMissing: {
    id: 'CARD-TRAINING-DATA-MISSING',
    title: 'Model card does not name its training data',
    description:
      'A model card with no `datasets` metadata, no training-data section or label with content, and no dataset named in its prose ("trained on X", "fine-tuned on the X dataset", a Hub dataset id). The Trainer\'s "on the None dataset" does not count. Without it a reviewer cannot judge licensing, consent, contamination or bias inherited from the data.',
    help: 'List the training datasets in the `datasets` metadata (Hub dataset ids) and describe them in a "Training Data" section: source, size, language, licence, preprocessing.',
    defaultSeverity: 'medium',
    references: [MITCHELL, HUB_MODEL_CARDS],
    tags: ['cards', 'provenance', 'data'],
  },
  baseModelMissing: {
    id: 'CARD-BASE-MODEL-MISSING',
    title: 'Derived model without `base_model` metadata',
    description:
      'The card or repository shows the model derives from another one (the Trainer\'s "fine-tuned version of X", "finetuned from X", a "Parent model" label, a PEFT `adapter_config.json`, `config.json` `_name_or_path` naming another repository) but the metadata has no `base_model`, so the Hub and supply-chain tools cannot follow the lineage (licence, known issues of the base).',
    help: 'Add `base_model: <org/name>` (and `base_model_relation` when it is an adapter, merge or quantisation) to the front matter.',
    defaultSeverity: 'medium',
    references: [HUB_BASE_MODEL],
    tags: ['cards', 'provenance', 'lineage'],
  },
  baseModelInvalid: {
    id: 'CARD-BASE-MODEL-INVALID',
    title: '`base_model` is not a Hub model id',
    description:
      '`base_model` is not a Hub repository id (`org/name`, or a legacy single name such as `gpt2`) or a list of them: a URL, a local path, a placeholder, a number or a mapping. Or `base_model_relation` is not one of `adapter`, `merge`, `quantized`, `finetune`.',
    help: 'Write the base model as its Hub id (`meta-llama/Llama-3.1-8B`, not a URL or a path); `base_model_relation` takes `adapter`, `merge`, `quantized` or `finetune`.',
    defaultSeverity: 'low',
    references: [HUB_BASE_MODEL],
    tags: ['cards', 'provenance', 'lineage', 'metadata'],
  },
  provenanceInconsistent: {
    id: 'CARD-PROVENANCE-INCONSISTENT',
    title: 'Card prose and metadata disagree on provenance',
    description:
      'The prose names a base model that `base_model` does not, names a training dataset that `datasets` omits, or says a dataset listed in `datasets` was only used for evaluation. One of the two statements is wrong, and tools read only the metadata.',
    help: 'Make `base_model` and `datasets` say what the card says (training datasets only in `datasets`; evaluation datasets belong in `model-index`).',
    defaultSeverity: 'low',
    references: [HUB_BASE_MODEL, HUB_MODEL_CARDS],
    tags: ['cards', 'provenance'],
  },
} as const satisfies Record<string, RuleDescriptor>;

// ---------------------------------------------------------------------------------------------------------
// Hub ids
// ---------------------------------------------------------------------------------------------------------

/**
 * A Hub repository id as huggingface_hub's `validate_repo_id` accepts it (`utils/_validators.py`:
 * `^(\b[\w\-.]+\b/)?\b[\w\-.]{1,96}\b$`, no `--` or `..`, not ending in `.git`): `org/name`, or a legacy
 * single name (`gpt2`, `bert-base-uncased`).
 */
const REPO_ID = /^(?:[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?\/)?[A-Za-z0-9](?:[\w.-]{0,94}[A-Za-z0-9_])?$/;

/** Whether a value is a Hub repository id. */
export function isHubRepoId(value: string): boolean {
  return REPO_ID.test(value) && !value.includes('--') && !value.includes('..') && !value.endsWith('.git');
}

/** `https://huggingface.co/org/name` → `org/name` (model pages); `datasets/...` and `spaces/...` excluded. */
export function hubModelIdOfUrl(url: string): string | undefined {
  const m =
    /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/([\w.-]{1,96}(?:\/[\w.-]{1,96})?)\/?(?:$|[?#]|\/(?:tree|blob|resolve)\/)/.exec(
      url,
    );
  const id = m?.[1];
  if (id === undefined) return undefined;
  if (
    /^(?:datasets|spaces|docs|blog|papers|models|collections|settings|join|login|organizations)(?:\/|$)/.test(
      id,
    )
  )
    return undefined;
  return isHubRepoId(id) ? id : undefined;
}

export function hubDatasetIdOfUrl(url: string): string | undefined {
  const m =
    /^https?:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/datasets\/([\w.-]{1,96}(?:\/[\w.-]{1,96})?)/.exec(url);
  const id = m?.[1];
  return id !== undefined && isHubRepoId(id) ? id : undefined;
}

/** Lower case, letters and digits only: `Common Voice 8.0` and `common_voice_8_0` meet. */
export function looseKey(value: string): string {
  return value.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The name part of a repo id, loosely keyed. */
function nameKey(value: string): string {
  return looseKey(value.slice(value.lastIndexOf('/') + 1));
}

/** The values of a metadata key that takes a string or a list of strings, with their pointers. */
function stringList(value: unknown, key: string): { readonly value: string; readonly pointer: string }[] {
  if (typeof value === 'string') return value.trim() !== '' ? [{ value, pointer: key }] : [];
  if (!Array.isArray(value)) return [];
  const out: { value: string; pointer: string }[] = [];
  for (let i = 0; i < value.length && i < 1000; i++) {
    const v: unknown = value[i];
    if (typeof v === 'string' && v.trim() !== '') out.push({ value: v, pointer: `/${key}/${i}` });
  }
  return out;
}

/** Template fields left in metadata (`{dataset_0}`, `{{ base_model }}`): say nothing. */
export const TEMPLATE_VALUE = /^\s*\{\{?[^{}]{0,200}\}\}?\s*$/;

// ---------------------------------------------------------------------------------------------------------
// Training data named in prose
// ---------------------------------------------------------------------------------------------------------

/** How a dataset was named in the prose. */
export interface DatasetMention {
  /** As written: `imdb`, `SST`, `mozilla-foundation/common_voice_11_0`, `WikiText-103`. */
  readonly name: string;
  /**
   * `strong`: a Hub id, a dataset link, the Trainer's sentence, or "the X dataset/corpus"; `weak`: a
   * capitalised name after "trained on" (`WebText`, `C4`).
   */
  readonly strength: 'strong' | 'weak';
  /** The text after the verb, for loose matching (`Colossal Clean Crawled Corpus (C4)`). */
  readonly phrase: string;
  readonly line: ProseLine;
}

/** Words that do not name a dataset on their own ("a large private corpus", "publicly available datasets"). */
const GENERIC_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the of and or with from for in on to its our their his her my your this that these those same following above below ' +
    'none unknown generator custom private own internal in-house proprietary new large small big huge massive public publicly ' +
    'available open source sourced original train training test testing eval evaluation validation full whole entire combined ' +
    'curated synthetic various several multiple many different other labeled labelled unlabeled unlabelled annotated cleaned ' +
    'filtered text texts textual image images audio speech video web internet online diverse mixed mix high-quality quality ' +
    'large-scale domain specific domain-specific downstream task tasks instruction instructions conversational chat english ' +
    'multilingual unstructured structured raw additional extra more some any all every one two three few number set sets ' +
    'sample samples subset subsets portion part parts version data dataset datasets corpus corpora collection collections ' +
    'benchmark benchmarks hours tokens examples pairs sentences documents words hour token example pair sentence document ' +
    'mixture variety range total approximately about around over under nearly roughly licensed offline static local given ' +
    'target medical legal financial scientific clinical news code math reasoning dialogue dialog question answering ' +
    'classification translation sentiment summarization preliminary'
  ).split(' '),
);

/** Capitalised words after "trained on" that are not datasets: articles, languages, hardware. */
const NOT_A_DATASET =
  /^(?:None|The|A|An|This|These|Those|Our|Its|Their|It|We|English|Chinese|French|German|Spanish|Japanese|Korean|Russian|Arabic|Hindi|Portuguese|Italian|Dutch|Multilingual|Unknown|Google|Amazon|AWS|Azure|Colab|Kaggle|Linux|Windows|Mac|Apple|[TGNI]PUs?|TPUv\d|[AHV]100s?|A6000s?|RTX|NVIDIA|Nvidia|CPU|CPUs|GPU|GPUs|ASR|NLP|NLU|NLI|QA|MT|TTS|OCR|NER|POS|RL|RLHF|SFT|DPO|LoRA|QLoRA|PEFT)$/;

/** Hardware in "trained on 8 A100 GPUs". */
const HARDWARE =
  /^(?:[TGNI]PUs?|TPUv\d\w{0,3}|[AHV]100s?|A6000s?|RTX\w{0,10}|CPUs?|GPUs?|cores?|nodes?|machines?)$/i;
/** Nouns that mark the words before them (up to four, no punctuation) as a dataset's name. */
const DATASET_NOUN =
  /^([^,;()\s]{1,60}(?:[ \t]+[^,;()\s]{1,60}){0,3})[ \t]+(?:data ?sets?|corpus|corpora|benchmark|collection)\b/i;
const HUB_ID_START = /^([A-Za-z0-9][\w.-]{0,95}\/[\w.-]{1,96})/;
/** Consecutive capitalised or digit-bearing tokens: `WebText`, `SST-2`, `Common Voice 8.0`, `C4`. */
const NAME_TOKENS =
  /^((?:[A-Z][\w.+&'-]{0,40}|[a-z]{0,10}\d[\w.+-]{0,40})(?:[ \t]+(?:[A-Z][\w.+&'-]{0,40}|\d[\w.+-]{0,20})){0,5})/;
/** Negation just before a verb: "was not trained on". */
const NEGATION = /(?:\bnot|\bnever|n't|\bwithout)\s+(?:\w+\s+){0,2}$/i;

/** "trained on", "fine-tuned on", "pre-trained on", "trained for 3 epochs on": the text after "on". */
const TRAINED_ON =
  /\b(?:fine[- ]?tuned|finetuned|pre[- ]?trained|pretrained|further trained|trained|fine[- ]?tuning|finetuning|pre[- ]?training|training)\s+(?:[\w,()./-]{1,100}\s+){0,4}?on\s+/gi;
/**
 * "trained using the X dataset", "fine-tuned with X corpus": only a dataset noun or Hub id counts. Not
 * "from": "fine-tuned from X" names the base model.
 */
const TRAINED_USING =
  /\b(?:fine[- ]?tuned|finetuned|pre[- ]?trained|pretrained|trained)\s+(?:[\w,()-]{1,40}\s+){0,2}?(?:using|with)\s+/gi;
/** What every match of `TRAINED_ON` and `TRAINED_USING` contains. */
const TRAINING_WORD = /t(?:un|rain)/i;
/** "evaluated on", "tested against", "benchmarked on". */
export const EVALUATED_ON =
  /\b(?:evaluated|evaluate|evaluating|tested|testing|benchmarked|validated|assessed|scored)\s+(?:[\w,()-]{1,40}\s+){0,3}?(?:on|against|using|with)\s+/gi;

/** The text after a verb, up to the end of the sentence (bounded). */
function phraseAfter(text: string, at: number): string {
  const rest = text.slice(at, at + 200);
  const end = /[.;:!?](?:\s|$)|\s[-–—]\s/.exec(rest);
  return (end ? rest.slice(0, end.index) : rest).trim();
}

function isGenericName(name: string): boolean {
  const words = name
    .toLowerCase()
    .split(/[\s,/]+/)
    .filter((w) => w !== '');
  return words.length === 0 || words.every((w) => GENERIC_WORDS.has(w) || /^\d[\d,.]*[kmb]?$/.test(w));
}

/** The datasets a phrase after "trained on" names. */
export function datasetsInPhrase(
  phrase: string,
  allowCapitalised: boolean,
): { name: string; strength: 'strong' | 'weak' }[] {
  // "trained on (and evaluated against) WebText": an aside before the name is skipped.
  const p = phrase
    .replace(/^\([^()]{0,100}\)\s*/, '')
    .replace(/^(?:the|a|an|our|their|its|this|these)\s+/i, '');
  const hub = HUB_ID_START.exec(p);
  if (hub && !/^https?:/i.test(p))
    return [{ name: (hub[1] as string).replace(/[.,]+$/, ''), strength: 'strong' }];
  const noun = DATASET_NOUN.exec(p);
  if (noun) {
    const name = (noun[1] as string).trim();
    const last = name.split(/\s+/).pop()?.toLowerCase() ?? '';
    if (!isGenericName(name) && !GENERIC_WORDS.has(last) && !/^(?:None|generator|unknown)$/i.test(name))
      return [{ name, strength: 'strong' }];
  }
  if (!allowCapitalised) return [];
  const caps = NAME_TOKENS.exec(p);
  if (caps) {
    const name = (caps[1] as string).replace(/[.,'-]+$/, '');
    const tokens = name.split(/\s+/);
    const first = tokens.find((t) => !/^\d[\d,.]*$/.test(t)) ?? '';
    if (
      /\p{L}/u.test(name) &&
      !NOT_A_DATASET.test(first) &&
      !tokens.some((t) => HARDWARE.test(t)) &&
      !isGenericName(name)
    )
      return [{ name, strength: 'weak' }];
  }
  return [];
}

/** A labelled line: `- **Label:** value`, `Label: value`. */
const LABEL_LINE =
  /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?([A-Za-z][^*_:\n]{1,80}?)(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(.*)$/;
/** Labels naming the training data in a list of facts: `dataset: opus`, `training corpus: X`. */
const DATASET_LABEL =
  /^(?:(?:pre ?)?training |fine ?tuning |train )?(?:data ?sets?|corpus|corpora)(?: used)?$/;

const LABELS = new WeakMap<CardProse, readonly (RegExpExecArray | null)[]>();

/** `LABEL_LINE` on the markdown of each prose line (it needs a colon), once per card; null for code. */
function labelsOf(prose: CardProse): readonly (RegExpExecArray | null)[] {
  let labels = LABELS.get(prose);
  if (labels === undefined) {
    labels = prose.lines.map((l) => (!l.code && l.visible.includes(':') ? LABEL_LINE.exec(l.visible) : null));
    LABELS.set(prose, labels);
  }
  return labels;
}

function labelKey(label: string): string {
  return label
    .toLowerCase()
    .replace(/\[optional\]|\(optional\)/g, ' ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * The Trainer's first sentence (transformers `modelcard.py`): "This model is a fine-tuned version of
 * [X](https://huggingface.co/X) on the Y dataset." or "This model was trained from scratch on the Y dataset."
 * Y is `None`, `generator` or `unknown` when the Trainer was not told.
 */
const TRAINER_SENTENCE =
  /\b(?:fine-tuned version of[ \t]+(\S{1,200}?)|trained from scratch)[ \t]+on (?:the|an)[ \t]+(.{1,150}?)[ \t]+datasets?\b/i;
const TRAINER_UNKNOWN_DATASET = /^(?:None|generator|unknown)$/i;

interface TrainerSentence {
  readonly base: string | undefined;
  readonly dataset: string | undefined;
  readonly line: ProseLine;
}

const TRAINER_SENTENCES = new WeakMap<CardProse, { readonly found: TrainerSentence | undefined }>();

/** The Trainer's sentence of a card, looked for once per card. */
function trainerSentence(prose: CardProse): TrainerSentence | undefined {
  let known = TRAINER_SENTENCES.get(prose);
  if (known === undefined) {
    known = { found: findTrainerSentence(prose) };
    TRAINER_SENTENCES.set(prose, known);
  }
  return known.found;
}

function findTrainerSentence(prose: CardProse): TrainerSentence | undefined {
  for (const line of prose.lines) {
    if (line.code) continue;
    const m = TRAINER_SENTENCE.exec(line.text);
    if (!m) continue;
    let base = m[1]?.replace(/[.,;]+$/, '');
    if (base !== undefined) {
      // Prefer the link target: the Trainer links the base model's Hub page.
      const linked = line.urls.map(hubModelIdOfUrl).find((id) => id !== undefined);
      if (linked !== undefined && nameKey(linked) === nameKey(base)) base = linked;
    }
    const dataset = m[2]?.trim();
    return {
      base,
      dataset: dataset !== undefined && !TRAINER_UNKNOWN_DATASET.test(dataset) ? dataset : undefined,
      line,
    };
  }
  return undefined;
}

/** Datasets the prose says the model was trained on. */
export function trainingDatasetMentions(ctx: CardAuditContext): readonly DatasetMention[] {
  const prose = cardProse(ctx);
  const out: DatasetMention[] = [];
  const trainer = trainerSentence(prose);
  if (trainer?.dataset !== undefined)
    out.push({ name: trainer.dataset, strength: 'strong', phrase: trainer.dataset, line: trainer.line });
  const labels = labelsOf(prose);
  for (let i = 0; i < prose.lines.length; i++) {
    const line = prose.lines[i] as ProseLine;
    if (line.code || out.length >= 200) continue;
    const label = labels[i];
    if (label && DATASET_LABEL.test(labelKey(label[1] as string))) {
      // OPUS-MT cards: "* dataset: opus". (The Hub template's "Training Data:" label is a topic already.)
      const { rest } = stripPlaceholders(label[2] as string, { sectionTitle: undefined, trainerCard: false });
      const value = toPlainText(rest).text.trim();
      if (/\p{L}/u.test(value) && !isGenericName(value))
        out.push({ name: truncateText(value, 100), strength: 'strong', phrase: value, line });
      continue;
    }
    const text = line.text;
    // Every training verb has "tun" or "train" in it.
    if (!TRAINING_WORD.test(text)) continue;
    let trainingVerb = false;
    // `exec` from the start, as `matchAll` would iterate (without copying the pattern for each line).
    TRAINED_ON.lastIndex = 0;
    for (let m = TRAINED_ON.exec(text); m !== null; m = TRAINED_ON.exec(text)) {
      if (NEGATION.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
      trainingVerb = true;
      // The Trainer's own sentence was read above (its "on the None dataset" names nothing).
      if (line === trainer?.line && /\bfrom scratch\b|fine-tuned version of/i.test(m[0])) continue;
      const phrase = phraseAfter(text, m.index + m[0].length);
      for (const found of datasetsInPhrase(phrase, true)) out.push({ ...found, phrase, line });
    }
    TRAINED_USING.lastIndex = 0;
    for (let m = TRAINED_USING.exec(text); m !== null; m = TRAINED_USING.exec(text)) {
      if (NEGATION.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
      trainingVerb = true;
      const phrase = phraseAfter(text, m.index + m[0].length);
      for (const found of datasetsInPhrase(phrase, false)) out.push({ ...found, phrase, line });
    }
    if (trainingVerb) {
      for (const url of line.urls) {
        const id = hubDatasetIdOfUrl(url);
        if (id !== undefined) out.push({ name: id, strength: 'strong', phrase: id, line });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Base model named in prose, labels and the repository
// ---------------------------------------------------------------------------------------------------------

export type BaseEvidence = 'trainer' | 'prose' | 'label' | 'adapter' | 'config';

export interface BaseMention {
  /** The base as named; undefined when only the repository shows a derivation (an adapter). */
  readonly name: string | undefined;
  readonly via: BaseEvidence;
  readonly line: ProseLine | undefined;
  readonly evidence: string;
}

/** A model name: a Hub id, or a name with up to two size/version words (`Llama 2 7B`). */
const NAME = String.raw`([A-Za-z0-9][\w.-]{0,95}(?:\/[\w.-]{1,96})?(?:[ \t]+(?:\d[\w.]{0,10}|[A-Z][\w.-]{0,20})){0,2})`;
const FINE_TUNED = '(?:[Ff]ine[- ]?[Tt]uned|[Ff]inetuned)';
const BASE_PATTERNS: readonly RegExp[] = [
  new RegExp(
    String.raw`${FINE_TUNED}[ \t]+(?:version|checkpoint|variant|model)[ \t]+of[ \t]+(?:the[ \t]+)?${NAME}`,
  ),
  new RegExp(
    String.raw`(?:${FINE_TUNED}|[Ff]urther (?:pre-?)?trained|[Ii]nitiali[sz]ed|[Aa]dapted)[ \t]+from[ \t]+(?:the[ \t]+)?(?:model[ \t]+|checkpoint[ \t]+)?${NAME}`,
  ),
  new RegExp(
    String.raw`[Qq]uanti[sz](?:ed|ations?)[ \t]+(?:version[ \t]+|variant[ \t]+|model[ \t]+)?of[ \t]+(?:the[ \t]+)?${NAME}`,
  ),
  new RegExp(
    String.raw`\b(?:GGUF|GPTQ|AWQ|EXL2|MLX|[248]-bit)[ \t]+(?:quants?|quanti[sz]ations?|versions?|format|weights)[ \t]+(?:model[ \t]+)?(?:of|for)[ \t]+(?:the[ \t]+)?${NAME}`,
  ),
  new RegExp(
    String.raw`\b(?:LoRA|QLoRA|PEFT)[ \t]+(?:adapters?[ \t]+|weights[ \t]+)?(?:for|of|on top of)[ \t]+(?:the[ \t]+)?${NAME}`,
  ),
  // "The base model is facebook/wav2vec2-base" (s3prl/superb cards).
  new RegExp(String.raw`\b[Tt]he[ \t]+base[ \t]+model[ \t]+(?:is|was)[ \t]+(?:the[ \t]+)?${NAME}`),
  // "based on a pre-trained BioBERTpt" / "based on the pretrained GPT-2".
  new RegExp(
    String.raw`\b[Bb]ased[ \t]+on[ \t]+(?:an?[ \t]+|the[ \t]+)?pre-?trained[ \t]+(?:model[ \t]+)?${NAME}`,
  ),
  // mergekit cards: "A SLERP merge of X and Y" (the first model named).
  new RegExp(
    String.raw`\b(?:(?:SLERP|TIES|DARE|slerp|ties|dare|[Ll]inear)[ \t]+)?merge[ \t]+of[ \t]+(?:the[ \t]+)?${NAME}`,
  ),
  // "a MobileBERT fine-tuned on the SST data": the name capitalised, right before "fine-tuned on/for".
  new RegExp(
    String.raw`\b(?:[Aa]n?|[Tt]he)[ \t]+([A-Z][\w.-]{1,60}(?:\/[\w.-]{1,96})?)[ \t]+(?:model[ \t]+|checkpoint[ \t]+)?${FINE_TUNED}[ \t]+(?:on|for)\b`,
  ),
];
/**
 * Text every match of one of `BASE_PATTERNS` contains: "(fine-)tuned", "from", "quanti...", the quantisation
 * formats, "LoRA", "PEFT". Dropping citations only removes text, so a line without it has no match.
 */
const BASE_WORD = /uned|from|uanti|GGUF|GPTQ|AWQ|EXL2|MLX|-bit|LoRA|PEFT|base model|ased on|merge of/;
/** Words a pattern may capture that do not name a model. */
const NOT_A_MODEL: ReadonlySet<string> = new Set(
  'the a an this that our my their its it model models scratch checkpoint checkpoints version pretrained pre-trained base original previous existing above following same another his her your them these those'.split(
    ' ',
  ),
);
/** Labels of the Hub templates that name the base: "Finetuned from model [optional]:", "Parent Model:". */
const BASE_LABEL =
  /^(?:(?:fine ?tuned|finetuned) from(?: model)?|(?:parent|base|foundation|original) model|base)$/;

function cleanName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = raw.replace(/[.,;:)'"]+$/, '').trim();
  if (name === '' || !/\p{L}/u.test(name) || NOT_A_MODEL.has(name.toLowerCase())) return undefined;
  return name;
}

/** What the card and its repository say the model derives from, strongest evidence first. */
export function baseModelMentions(ctx: CardAuditContext): readonly BaseMention[] {
  const prose = cardProse(ctx);
  const out: BaseMention[] = [];
  const trainer = trainerSentence(prose);
  const trainerBase = cleanName(trainer?.base);
  if (trainer !== undefined && trainerBase !== undefined)
    out.push({ name: trainerBase, via: 'trainer', line: trainer.line, evidence: evidenceOf(trainer.line) });
  const labels = labelsOf(prose);
  for (let i = 0; i < prose.lines.length; i++) {
    const line = prose.lines[i] as ProseLine;
    if (line.code || out.length >= 50) continue;
    const label = labels[i];
    if (label) {
      if (BASE_LABEL.test(labelKey(label[1] as string))) {
        const { rest } = stripPlaceholders(label[2] as string, {
          sectionTitle: undefined,
          trainerCard: false,
        });
        const value = toPlainText(rest).text.trim();
        const linked = toPlainText(label[2] as string)
          .urls.map(hubModelIdOfUrl)
          .find((id) => id !== undefined);
        const m = new RegExp(`^${NAME}`).exec(value);
        const name = linked ?? cleanName(m?.[1]);
        if (name !== undefined) out.push({ name, via: 'label', line, evidence: evidenceOf(line) });
        continue;
      }
    }
    if (line === trainer?.line || !BASE_WORD.test(line.text)) continue;
    // Citations between a name and its verb ("a MobileBERT (Sun et al., 2020) fine-tuned on") are dropped.
    const text = line.text.replace(/\([^()\n]{0,200}\)/g, ' ').replace(/[ \t]{2,}/g, ' ');
    for (const pattern of BASE_PATTERNS) {
      const m = pattern.exec(text);
      if (!m || NEGATION.test(text.slice(Math.max(0, m.index - 30), m.index))) continue;
      let name = cleanName(m[1]);
      const linked = line.urls
        .map(hubModelIdOfUrl)
        .find((id) => id !== undefined && name !== undefined && nameKey(id) === nameKey(name));
      if (linked !== undefined) name = linked;
      if (name !== undefined) {
        out.push({ name, via: 'prose', line, evidence: evidenceOf(line) });
        break;
      }
    }
  }
  const repo = ctx.repo;
  if (repo?.files.includes('adapter_config.json'))
    out.push({
      name: undefined,
      via: 'adapter',
      line: undefined,
      evidence: 'adapter_config.json (a PEFT adapter) in the repository',
    });
  const nameOrPath = repo?.config?._name_or_path;
  if (
    typeof nameOrPath === 'string' &&
    nameOrPath.includes('/') &&
    !/^[.~/\\]|^[A-Za-z]:[\\/]/.test(nameOrPath) &&
    isHubRepoId(nameOrPath) &&
    !selfNames(ctx).has(nameKey(nameOrPath))
  ) {
    out.push({
      name: nameOrPath,
      via: 'config',
      line: undefined,
      evidence: `config.json "_name_or_path": "${truncateText(nameOrPath, 100)}"`,
    });
  }
  const self = selfNames(ctx);
  return out.filter((m) => m.name === undefined || !self.has(nameKey(m.name)));
}

/** Names the card gives the model itself (title, `model_name`, model-index names), loosely keyed. */
function selfNames(ctx: CardAuditContext): ReadonlySet<string> {
  const names = new Set<string>();
  const title = ctx.doc.sections.find((s) => s.level === 1);
  if (title !== undefined) {
    const t = title.title.replace(/^model card for\s+/i, '').trim();
    names.add(nameKey(t));
  }
  if (typeof ctx.meta.model_name === 'string') names.add(nameKey(ctx.meta.model_name));
  const index = ctx.meta['model-index'];
  if (Array.isArray(index)) {
    for (const entry of index.slice(0, 20)) {
      const name =
        typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).name : undefined;
      if (typeof name === 'string') names.add(nameKey(name));
    }
  }
  names.delete('');
  return names;
}

// ---------------------------------------------------------------------------------------------------------
// The check
// ---------------------------------------------------------------------------------------------------------

/** Values `base_model_relation` takes (hub-docs `model-cards.md`, "Specifying a base model"). */
export const BASE_MODEL_RELATIONS: readonly string[] = ['adapter', 'merge', 'quantized', 'finetune'];
/** Findings about `base_model` values listed before the rest are summarised. */
const MAX_BASE_MODEL_FINDINGS = 10;

function checkBaseModelValue(ctx: CardAuditContext): CardFindingDraft[] {
  const rule = CARD_PROVENANCE_RULES.baseModelInvalid;
  const out: CardFindingDraft[] = [];
  const value = ctx.meta.base_model;
  const hasBase = Object.hasOwn(ctx.meta, 'base_model');
  const one = (v: unknown, pointer: string, field: string) => {
    if (typeof v !== 'string') {
      out.push({
        rule,
        message: `\`${field}\` is ${describe(v)}; it takes a Hub model id such as \`org/name\`.`,
        line: ctx.lineOf(pointer),
        field,
        evidence: `${field}: ${describe(v)}`,
      });
      return;
    }
    const trimmed = v.trim();
    if (isHubRepoId(trimmed)) return;
    const fromUrl = /^https?:\/\//i.test(trimmed) ? hubModelIdOfUrl(trimmed) : undefined;
    let why: string;
    if (trimmed === '') why = 'is empty';
    else if (TEMPLATE_VALUE.test(trimmed)) why = 'is an unfilled template field';
    else if (fromUrl !== undefined) why = `is a URL; the id is \`${fromUrl}\``;
    else if (/^https?:\/\//i.test(trimmed)) why = 'is a URL, not a Hub model id';
    else if (/^[.~/\\]|^[A-Za-z]:[\\/]/.test(trimmed) || trimmed.split('/').length > 2)
      why = 'is a local path, not a Hub model id';
    else why = 'is not a Hub model id (`org/name`: letters, digits, `-`, `_`, `.`)';
    out.push({
      rule,
      message: `\`${field}\` ${why}: ${describe(v)}.`,
      line: ctx.lineOf(pointer),
      field,
      evidence: `${field}: ${describe(v)}`,
      ...(fromUrl !== undefined ? { remediation: `Write \`base_model: ${fromUrl}\`.` } : {}),
    });
  };
  if (hasBase) {
    if (Array.isArray(value)) {
      if (value.length === 0) {
        out.push({
          rule,
          message: '`base_model` is an empty list.',
          line: ctx.lineOf('base_model'),
          field: 'base_model',
          evidence: 'base_model: []',
        });
      }
      for (let i = 0; i < value.length && out.length <= MAX_BASE_MODEL_FINDINGS; i++)
        one(value[i], `/base_model/${i}`, `base_model[${i}]`);
    } else one(value, 'base_model', 'base_model');
  }
  if (Object.hasOwn(ctx.meta, 'base_model_relation')) {
    const relation = ctx.meta.base_model_relation;
    if (typeof relation !== 'string' || !BASE_MODEL_RELATIONS.includes(relation)) {
      out.push({
        rule,
        message: `\`base_model_relation\` is ${describe(relation)}; it takes one of ${BASE_MODEL_RELATIONS.map((r) => `\`${r}\``).join(', ')}.`,
        line: ctx.lineOf('base_model_relation'),
        field: 'base_model_relation',
        evidence: `base_model_relation: ${describe(relation)}`,
      });
    } else if (!hasBase) {
      out.push({
        rule,
        message: `\`base_model_relation: ${relation}\` is set but \`base_model\` is not: the relation has nothing to refer to.`,
        line: ctx.lineOf('base_model_relation'),
        field: 'base_model_relation',
        evidence: `base_model_relation: ${relation}`,
        remediation: 'Add `base_model` with the Hub id of the model this one derives from.',
      });
    }
  }
  return out.slice(0, MAX_BASE_MODEL_FINDINGS + 1);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value).slice(0, 80)}`;
}

/** Who says it, for messages. */
const VIA_TEXT: Readonly<Record<BaseEvidence, string>> = {
  trainer: "The Trainer's summary",
  prose: 'The card',
  label: 'The card',
  adapter: 'The repository',
  config: "config.json's `_name_or_path`",
};

function checkBaseModelMissing(ctx: CardAuditContext, mentions: readonly BaseMention[]): CardFindingDraft[] {
  // A card without metadata gets one finding for that elsewhere, not one per key (see `hasMetadata`).
  if (!ctx.hasMetadata || Object.hasOwn(ctx.meta, 'base_model')) return [];
  const named = mentions.find((m) => m.name !== undefined && m.via !== 'config') ?? mentions[0];
  if (named === undefined) return [];
  const adapter = mentions.some((m) => m.via === 'adapter');
  const name = named.name;
  // Medium when the evidence is mechanical (the Trainer, an adapter) or names a Hub id; a family name in
  // prose ("a BERT model", "Parent Model: T5") or config.json alone is low.
  const strong = named.via === 'trainer' || adapter || (name?.includes('/') && named.via !== 'config');
  const where = named.line !== undefined ? ` (line ${named.line.line})` : '';
  const message =
    name !== undefined
      ? `${VIA_TEXT[named.via]}${where} says the model derives from \`${truncateText(name, 100)}\`${
          adapter ? ', and the repository holds a PEFT adapter,' : ''
        } but the metadata has no \`base_model\`.`
      : 'The repository holds adapter_config.json (a PEFT adapter, which loads on top of a base model), but the metadata has no `base_model`.';
  const id = name !== undefined && isHubRepoId(name) ? name : undefined;
  return [
    {
      rule: CARD_PROVENANCE_RULES.baseModelMissing,
      severity: strong ? 'medium' : 'low',
      message,
      ...(named.line !== undefined ? { line: named.line.line } : {}),
      field: 'base_model',
      evidence: named.evidence,
      remediation:
        id !== undefined
          ? `Add \`base_model: ${id}\`${adapter ? ' and `base_model_relation: adapter`' : ''} to the front matter.`
          : 'Add `base_model:` with the Hub id of the model this one derives from.',
    },
  ];
}

/** Whether a prose name and a metadata id name the same model (loosely: `bert-base-uncased` ~ `google-bert/bert-base-uncased`). */
function sameModel(a: string, b: string): boolean {
  const ka = nameKey(a);
  const kb = nameKey(b);
  if (ka === '' || kb === '') return false;
  return ka === kb || ka.startsWith(kb) || kb.startsWith(ka);
}

/** Whether a dataset named in prose is covered by a `datasets` entry (loosely, either way round). */
function coveredBy(mention: DatasetMention, entries: readonly string[]): boolean {
  const phrase = looseKey(mention.phrase);
  const name = looseKey(mention.name);
  const short = nameKey(mention.name);
  return entries.some((e) => {
    const full = looseKey(e);
    const key = nameKey(e);
    if (key === '') return false;
    return (
      phrase.includes(key) ||
      key.includes(short) ||
      full.includes(name) ||
      (short.length >= 3 && short.includes(key))
    );
  });
}

/** Findings kept per card for inconsistencies: a few precise ones, not a diff. */
const MAX_INCONSISTENCY_FINDINGS = 5;

function checkConsistency(
  ctx: CardAuditContext,
  baseMentions: readonly BaseMention[],
  datasetMentions: readonly DatasetMention[],
): CardFindingDraft[] {
  const rule = CARD_PROVENANCE_RULES.provenanceInconsistent;
  const out: CardFindingDraft[] = [];
  // Base model: the prose's strong names (the Trainer's, Hub ids, template labels) against `base_model`.
  const bases = stringList(ctx.meta.base_model, 'base_model')
    .map((b) => b.value.trim())
    .filter(isHubRepoId);
  if (bases.length > 0) {
    const strong = baseMentions.filter(
      (m): m is BaseMention & { name: string } =>
        m.name !== undefined &&
        m.line !== undefined &&
        (m.via === 'trainer' || (m.name.includes('/') && isHubRepoId(m.name))),
    );
    if (strong.length > 0 && !strong.some((m) => bases.some((b) => sameModel(m.name, b)))) {
      const first = strong[0] as BaseMention & { name: string };
      out.push({
        rule,
        severity: 'medium',
        message: `The card says the model derives from \`${truncateText(first.name, 100)}\` (line ${first.line?.line}), but \`base_model\` is ${bases.map((b) => `\`${b}\``).join(', ')}.`,
        line: first.line?.line,
        field: 'base_model',
        evidence: first.evidence,
        remediation: 'Correct `base_model` or the sentence: tools follow the lineage from `base_model` only.',
      });
    }
  }
  // Datasets: only when `datasets` is given, only strong prose names, and only training statements.
  const entries = stringList(ctx.meta.datasets, 'datasets').filter((d) => !TEMPLATE_VALUE.test(d.value));
  if (entries.length === 0) return out;
  const values = entries.map((e) => e.value);
  const reported = new Set<string>();
  for (const mention of datasetMentions) {
    if (out.length >= MAX_INCONSISTENCY_FINDINGS) break;
    if (mention.strength !== 'strong' || coveredBy(mention, values)) continue;
    const key = looseKey(mention.name);
    if (reported.has(key)) continue;
    reported.add(key);
    out.push({
      rule,
      message: `The card says the model was trained on \`${truncateText(mention.name, 100)}\` (line ${mention.line.line}), which \`datasets\` (${values
        .slice(0, 5)
        .map((v) => `\`${truncateText(v, 60)}\``)
        .join(', ')}) does not list.`,
      line: mention.line.line,
      field: 'datasets',
      evidence: evidenceOf(mention.line),
      remediation: 'Add the dataset to `datasets` (its Hub id), or correct the sentence.',
    });
  }
  // A `datasets` entry the prose names only as evaluation data, while it names other training data.
  if (datasetMentions.length > 0)
    out.push(
      ...evaluationOnlyDatasets(ctx, entries, datasetMentions).slice(
        0,
        MAX_INCONSISTENCY_FINDINGS - out.length,
      ),
    );
  return out;
}

function evaluationOnlyDatasets(
  ctx: CardAuditContext,
  entries: readonly { readonly value: string; readonly pointer: string }[],
  trainingMentions: readonly DatasetMention[],
): CardFindingDraft[] {
  const prose = cardProse(ctx);
  let training = trainingMentions.map((m) => looseKey(m.phrase)).join(' ');
  const evaluation: { key: string; line: ProseLine }[] = [];
  for (const line of prose.lines) {
    if (line.code) continue;
    const topics = topicsAt(prose, line);
    const isTraining = topics.has('training-data') || topics.has('training-procedure');
    const isEvaluation = topics.has('evaluation-data') || topics.has('evaluation-results');
    // "Training and evaluation data" is both: it proves nothing either way.
    if (isTraining && !isEvaluation) training += ` ${looseKey(line.text)}`;
    else if (isEvaluation && !isTraining) evaluation.push({ key: looseKey(line.text), line });
    else {
      for (const m of line.text.matchAll(EVALUATED_ON)) {
        evaluation.push({ key: looseKey(phraseAfter(line.text, m.index + m[0].length)), line });
      }
    }
  }
  const out: CardFindingDraft[] = [];
  for (const entry of entries) {
    const key = nameKey(entry.value);
    if (key.length < 3 || training.includes(key)) continue;
    const hit = evaluation.find((e) => e.key.includes(key));
    if (hit === undefined) continue;
    out.push({
      rule: CARD_PROVENANCE_RULES.provenanceInconsistent,
      message: `\`datasets\` lists \`${truncateText(entry.value, 100)}\`, which the card names only as evaluation data (line ${hit.line.line}); \`datasets\` is for training data.`,
      line: ctx.lineOf(entry.pointer) ?? hit.line.line,
      field: entry.pointer.startsWith('/') ? `datasets[${entry.pointer.split('/')[2]}]` : 'datasets',
      evidence: evidenceOf(hit.line),
      remediation:
        'Remove evaluation-only datasets from `datasets` (report them in `model-index`), or say in the card that the model was trained on it.',
    });
  }
  return out;
}

function checkTrainingData(ctx: CardAuditContext, mentions: readonly DatasetMention[]): CardFindingDraft[] {
  const datasets = stringList(ctx.meta.datasets, 'datasets').filter((d) => !TEMPLATE_VALUE.test(d.value));
  if (datasets.length > 0) return [];
  const topic = coverage(ctx.topics, 'training-data');
  if (topic.state === 'content' || mentions.length > 0) return [];
  const trainer = trainerSentence(cardProse(ctx));
  const relation = ctx.meta.base_model_relation;
  const tags = Array.isArray(ctx.meta.tags) ? ctx.meta.tags : [];
  // A quantisation or merge has no training data of its own: it inherits its base models'.
  const inherits =
    relation === 'quantized' || relation === 'merge' || tags.includes('merge') || tags.includes('mergekit');
  const field = sectionField(ctx, topic.sections[0]) ?? 'datasets';
  const parts: string[] = [];
  if (trainer !== undefined) parts.push(`the Trainer's summary (line ${trainer.line.line}) names no dataset`);
  if (topic.state === 'absent') parts.push('there is no training-data section');
  else parts.push(`${field} ${topic.state === 'empty' ? 'is empty' : 'holds only placeholders'}`);
  if (trainer === undefined) parts.push('no dataset is named in the text');
  parts.push('there is no `datasets` metadata');
  const last = parts.pop() as string;
  let message = `The card names no training data: ${parts.join(', ')} and ${last}.`;
  if (inherits)
    message += ` As a ${relation === 'quantized' ? 'quantisation' : 'merge'}, it may point to the training data of its base models instead.`;
  const line = topic.line ?? trainer?.line.line;
  return [
    {
      rule: CARD_PROVENANCE_RULES.trainingDataMissing,
      ...(inherits ? { severity: 'low' as const } : {}),
      message,
      ...(line !== undefined ? { line } : {}),
      field,
      evidence:
        trainer !== undefined
          ? evidenceOf(trainer.line)
          : topic.state === 'absent'
            ? 'no `datasets`, no training-data section'
            : `${field}: ${topic.state}`,
    },
  ];
}

/** Provenance of a model card: training data named, base model declared and valid, prose and metadata agreeing. */
export const checkProvenance: CardCheck = (ctx) => {
  if (ctx.kind !== 'model') return [];
  const datasetMentions = trainingDatasetMentions(ctx);
  const baseMentions = baseModelMentions(ctx);
  return [
    ...checkTrainingData(ctx, datasetMentions),
    ...checkBaseModelMissing(ctx, baseMentions),
    ...checkBaseModelValue(ctx),
    ...checkConsistency(ctx, baseMentions, datasetMentions),
  ];
};
