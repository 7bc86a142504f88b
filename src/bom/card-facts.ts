/**
 * What a model card or a dataset card really says, read into the inventory's shapes for the ML-BOM: the
 * CycloneDX `modelCard` of a model (model parameters, quantitative analysis, considerations) and the data
 * governance of a dataset. Nothing is guessed: a field is filled only from the front matter or from text the
 * card gives for it, each value names where it came from (`README.md:42` for a section's heading line,
 * `README.md (front matter license)`, `README.md /model-index/0/results/1/metrics/0`), placeholders and
 * template text are never taken for facts, and every text is plain, bounded and deterministic.
 *
 * Sources: Mitchell et al., "Model Cards for Model Reporting" (FAT* 2019, arXiv:1810.03993) and the Hugging
 * Face model card template for the sections; Gebru et al., "Datasheets for Datasets" (CACM 2021,
 * arXiv:1803.09010) and the Hub dataset card template for dataset cards; hub-docs `modelcard.md` and
 * `datasetcard.md` for the metadata keys; CycloneDX 1.6 `modelCard` and `data.governance` for the targets.
 *
 * Where each field comes from (the card reader's topics, `topics.ts`, name the sections):
 * - considerations: `users` ← users sections and labels ("Primary intended users"), else sentences such as
 *   "The primary intended users ... are"; `useCases` ← intended/direct/downstream/primary use; `outOfScope` ←
 *   out-of-scope and misuse, else "should not be used for" sentences; `technicalLimitations` ← limitations,
 *   caveats; `ethicalConsiderations` ← bias, risks, ethics, broader impact (a section named for limitations and
 *   bias answers both); `fairness` ← sections titled as fairness or bias evaluations (and then not ethics);
 *   `environmental` ← `co2_eq_emissions`, then the environmental-impact section and labels with real values.
 *   One text per section or label, its source the heading line (or the label's line).
 * - metrics and tested-on datasets ← `model-index` (`checkModelIndex`); task ← `pipeline_tag`, else the first
 *   model-index task; inputs/outputs ← that task's page in `@huggingface/tasks`; approach ← only when stated.
 * - trained-on datasets ← `datasets:`, Hub dataset links in training-data sections, the Trainer's "on the X
 *   dataset", a `dataset: X` label, a Hub id after "trained on"; base models ← `base_model` (+ relation), else
 *   the Trainer's "fine-tuned version of X" or a label naming a Hub id.
 * - licences ← front matter `license`/`licenses`, else what the prose says of this model or dataset.
 * - dataset governance: owners ← "Curated by" / "Created by" / creators; custodians ← "Point of Contact",
 *   maintainers, "Shared by"; classification ← a labelled classification only; sensitive data ← the
 *   personal and sensitive information section and datasheet questions on it.
 *
 * Pure: takes a card the card reader read (`readCard`) and its text; no I/O.
 */
import { buildAuditContext, DEFAULT_CARD_AUDIT_SETTINGS } from '../cards/audit/context.js';
import type { CardAuditContext, CardKind } from '../cards/audit/types.js';
import { normalizeModelId } from '../cards/base-models.js';
import type { CardDocument, CardSection } from '../cards/card-document.js';
import { metadataStrings } from '../cards/domains.js';
import { isHubRepoId } from '../cards/init/config-files.js';
import { stripPlaceholders } from '../cards/placeholders.js';
import { cardProse, topicsAt } from '../cards/rules/prose.js';
import {
  BASE_MODEL_RELATIONS,
  baseModelMentions,
  hubDatasetIdOfUrl,
  hubModelIdOfUrl,
  looseKey,
  TEMPLATE_VALUE,
  trainingDatasetMentions,
} from '../cards/rules/provenance.js';
import { labelOf, labelTopics, normalizeLabel, PROSE_PATTERNS, type Topic } from '../cards/topics.js';
import { type CardBlock, cardBlocks, lineAt, ownTopics } from './card-facts/blocks.js';
import { frontMatterLicenses, licenseLink, proseLicenses } from './card-facts/licenses.js';
import {
  MAX_BASE_MODELS,
  MAX_DATASETS,
  MAX_NAME_CHARS,
  MAX_PARTIES,
  MAX_TAGS,
  MAX_TEXT_CHARS,
  MAX_TEXTS_PER_FIELD,
  MIN_DESCRIPTION_LETTERS,
} from './card-facts/limits.js';
import { arxivLinks, cardLinks } from './card-facts/links.js';
import { modelIndexFacts } from './card-facts/metrics.js';
import { labelledValues, partiesOf, uniqueParties } from './card-facts/parties.js';
import { isTaskId, statedApproach, taskModalities } from './card-facts/task.js';
import {
  boundText,
  plainLine,
  saysSomething,
  sentencesOf,
  tidy,
  withoutGenericText,
} from './card-facts/text.js';
import type {
  CardText,
  ExternalLink,
  InventoryLicense,
  InventoryParty,
  ModelConsiderations,
  ModelParameters,
  PerformanceMetric,
} from './inventory.js';

export * from './card-facts/limits.js';

// ---------------------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------------------

/** A dataset a card names: in its metadata (a Hub id), a Hub dataset link, or a statement of its training data. */
export interface DatasetMention {
  /** Hub dataset id, when the card gives one (the `datasets:` key takes Hub ids; a prose name needs `org/name`). */
  readonly hubId?: string;
  /** As the card names it. */
  readonly name: string;
  readonly source: string;
}

export type BaseModelRelation = 'finetune' | 'adapter' | 'quantized' | 'merge';

/** A model this one derives from. */
export interface BaseModelMention {
  /** The repository id as written (a `https://huggingface.co/` prefix removed). */
  readonly id: string;
  /** Set when `id` is a valid Hub repository id. */
  readonly hubId?: string;
  /** `base_model_relation`, or `finetune` for the Trainer's "fine-tuned version of X". */
  readonly relation?: BaseModelRelation;
  readonly source: string;
}

export interface ModelCardFacts {
  /** The model-index name, else the card's title (H1), else `model_name`. */
  readonly name?: string;
  readonly nameSource?: string;
  /** Only when the card names its own Hub repository (an `org/name` name, a Repository link to the Hub). */
  readonly hubId?: string;
  readonly hubIdSource?: string;
  readonly description?: CardText;
  readonly licenses: readonly InventoryLicense[];
  readonly authors: readonly InventoryParty[];
  /** `pipeline_tag`, else the task of the model-index results. */
  readonly task?: string;
  readonly taskSource?: string;
  /** Only when the card states it (see `statedApproach`). */
  readonly approach?: ModelParameters['approach'];
  readonly approachSource?: string;
  /** Modalities of the task's inputs and outputs (`text`, `image`, `audio`, `scores`...). */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly metrics: readonly PerformanceMetric[];
  readonly considerations: ModelConsiderations;
  readonly trainedOn: readonly DatasetMention[];
  readonly testedOn: readonly DatasetMention[];
  readonly baseModels: readonly BaseModelMention[];
  readonly links: readonly ExternalLink[];
  readonly tags: readonly string[];
  /** What a limit cut (for the inventory's problems): `metrics: the model-index has more than 1000`. */
  readonly truncated: readonly string[];
}

export interface DatasetCardFacts {
  /** `pretty_name`, else the card's title without "Dataset Card for". */
  readonly name?: string;
  readonly nameSource?: string;
  /** Only when the card names its own Hub repository (a Repository link to a Hub dataset, an `org/name` name). */
  readonly hubId?: string;
  readonly hubIdSource?: string;
  readonly description?: CardText;
  readonly licenses: readonly InventoryLicense[];
  /** The card's answer on personal or sensitive information (its section, the datasheet's questions). */
  readonly sensitiveData: readonly CardText[];
  /** `public`, `confidential`, ... only when the card labels the data so. */
  readonly classification?: string;
  readonly classificationSource?: string;
  /** Who curated or created the data ("Curated by", "Created by", "Dataset creators"). */
  readonly owners: readonly InventoryParty[];
  /** Who keeps and answers for it ("Point of Contact", "Maintained by", "Shared by"). */
  readonly custodians: readonly InventoryParty[];
  /** Where the data can be had: the Repository link, else the Homepage. */
  readonly contentsUrl?: string;
  readonly sourceDatasets: readonly DatasetMention[];
  readonly links: readonly ExternalLink[];
  /** `size_categories` (`10K<n<100K`). */
  readonly size?: string;
  /** `task_categories`. */
  readonly tasks: readonly string[];
  readonly truncated: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------
// Shared readers
// ---------------------------------------------------------------------------------------------------------

function contextOf(doc: CardDocument, text: string, kind: CardKind): CardAuditContext {
  return buildAuditContext(doc, text, undefined, { ...DEFAULT_CARD_AUDIT_SETTINGS, kind });
}

/** A metadata string that says something: not a template field, a to-do or a placeholder. */
function realValue(value: string): string | undefined {
  if (TEMPLATE_VALUE.test(value)) return undefined;
  // A value holding any placeholder (`TODO`, `[More Information Needed]`, `{{ x }}`) is not taken in part.
  if (stripPlaceholders(value, { sectionTitle: undefined, trainerCard: false }).found.length > 0)
    return undefined;
  const text = tidy(value);
  return text === '' || text.length > MAX_NAME_CHARS ? undefined : text;
}

/** The real strings of a metadata key (a string or a list of strings), bounded, without repeats. */
function metadataValues(meta: Readonly<Record<string, unknown>>, key: string, max: number): string[] {
  const out: string[] = [];
  for (const entry of metadataStrings(meta, key)) {
    const value = realValue(entry.value);
    if (value !== undefined && !out.includes(value)) out.push(value);
    if (out.length >= max) break;
  }
  return out;
}

function metadataString(meta: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const value = Object.hasOwn(meta, key) ? meta[key] : undefined;
  return typeof value === 'string' ? realValue(value) : undefined;
}

/** One text per block, plain, without generic template sentences, bounded; blocks that say nothing skipped. */
function textsOf(blocks: readonly CardBlock[], path: string, truncated: string[], what: string): CardText[] {
  const out: CardText[] = [];
  const seen = new Set<string>();
  for (const block of blocks) {
    const paragraphs = block.paragraphs
      .map((p) => withoutGenericText(p.text))
      .filter((p) => saysSomething(p, 1));
    let text = paragraphs.join('\n');
    if (!saysSomething(text)) continue;
    text = boundText(text, MAX_TEXT_CHARS);
    if (block.clipped && !text.endsWith('…')) text = `${text}…`;
    if (seen.has(text)) continue;
    if (out.length >= MAX_TEXTS_PER_FIELD) {
      truncated.push(
        `${what}: more than ${MAX_TEXTS_PER_FIELD} texts; the first ${MAX_TEXTS_PER_FIELD} kept`,
      );
      break;
    }
    seen.add(text);
    out.push({ text, source: `${path}:${block.anchor}` });
  }
  return out;
}

/**
 * Sentences of the prose that answer a topic in running text ("The primary intended users of these models
 * are AI researchers"), for a card with no section or label for it (the card reader's `PROSE_PATTERNS`).
 */
function proseAnswers(blocks: readonly CardBlock[], topic: Topic, path: string): CardText[] {
  const pattern = PROSE_PATTERNS[topic];
  if (pattern === undefined) return [];
  const out: CardText[] = [];
  for (const block of blocks) {
    if (block.topics.includes(topic)) continue;
    for (const paragraph of block.paragraphs) {
      for (const sentence of sentencesOf(paragraph.text)) {
        if (out.length >= MAX_TEXTS_PER_FIELD) return out;
        if (!pattern.test(sentence.text)) continue;
        const text = boundText(withoutGenericText(sentence.text));
        if (saysSomething(text) && !out.some((t) => t.text === text))
          out.push({ text, source: `${path}:${lineAt(paragraph, sentence.offset)}` });
      }
    }
  }
  return out;
}

/** Whether section `index` sits under a section about another topic than `topic` ("Summary" under "Results"). */
function nestedUnderOtherTopic(doc: CardDocument, index: number | undefined, topic: Topic): boolean {
  const own = ownTopics(doc);
  let parent = index !== undefined ? doc.sections[index]?.parent : undefined;
  for (let depth = 0; parent !== undefined && depth < 10; depth++) {
    const topics = own[parent] ?? [];
    if (topics.length > 0 && !topics.includes(topic)) return true;
    parent = doc.sections[parent]?.parent;
  }
  return false;
}

/**
 * The first paragraph that describes the model or dataset: under its description (or summary) heading, else
 * the card's opening, else the `description` metadata. Labelled lines (`- **Developed by:** X`) are facts
 * in a list, not a description; a closing sentence that only introduces a list ("It achieves the following
 * results:") is dropped.
 */
function descriptionOf(
  ctx: CardAuditContext,
  blocks: readonly CardBlock[],
  topic: Topic,
  path: string,
): CardText | undefined {
  const described = blocks.filter(
    (b) =>
      b.via === 'heading' && b.topics.includes(topic) && !nestedUnderOtherTopic(ctx.doc, b.namedBy, topic),
  );
  // The section named for it first ("Dataset Summary"), then those inside it ("Hardware Setup").
  const named = described.filter((b) => b.section === b.namedBy);
  const inside = described.filter((b) => b.section !== b.namedBy);
  const intro = blocks.filter((b) => b.via === 'intro');
  for (const [list, fromHeading] of [
    [named, true],
    [inside, true],
    [intro, false],
  ] as const) {
    for (const block of list) {
      for (const paragraph of block.paragraphs) {
        if (paragraph.labelled) continue;
        let text = withoutGenericText(paragraph.text);
        if (!saysSomething(text, MIN_DESCRIPTION_LETTERS)) continue;
        const sentences = sentencesOf(text);
        const last = sentences[sentences.length - 1];
        if (sentences.length > 1 && last !== undefined && last.text.endsWith(':'))
          text = text.slice(0, last.offset).trim();
        return {
          text: boundText(text),
          source: `${path}:${fromHeading ? block.anchor : paragraph.line}`,
        };
      }
    }
  }
  const meta = metadataString(ctx.meta, 'description');
  return meta !== undefined && saysSomething(meta, MIN_DESCRIPTION_LETTERS)
    ? { text: boundText(plainLine(meta)), source: `${path} (front matter description)` }
    : undefined;
}

/** Titles longer than this many words are sentences ("DEPRECATED. This is now live at ..."), not names. */
const MAX_TITLE_WORDS = 12;
/** Names of files, not of models or datasets. */
const FILE_NAME =
  /\.(?:zip|tar|gz|tgz|bz2|xz|7z|bin|pt|pth|ckpt|safetensors|onnx|h5|gguf|json|ya?ml|txt|md)$/i;
/** Level-1 headings looked at for the card's title. */
const MAX_TITLE_CANDIDATES = 3;

/** The card's title as a name: the first level-1 heading that is a name, without "Model Card for". */
function titleName(doc: CardDocument): { readonly name: string; readonly line: number } | undefined {
  const own = ownTopics(doc);
  const candidates = doc.sections.filter((s) => s.level === 1).slice(0, MAX_TITLE_CANDIDATES);
  for (const s of candidates) {
    const name = nameOfTitle(s, own[s.index] ?? []);
    if (name !== undefined) return { name, line: s.headingLine };
  }
  return undefined;
}

function nameOfTitle(section: CardSection, topics: readonly Topic[]): string | undefined {
  // A heading that names a topic ("Model Details", "Uses") is a section, not the title.
  if (topics.length > 0) return undefined;
  const { rest, found } = stripPlaceholders(section.title, { sectionTitle: undefined, trainerCard: false });
  if (found.some((f) => f.kind === 'template-field' || f.kind === 'todo')) return undefined;
  const name = plainLine(rest)
    .replace(/^(?:model|dataset)\s+card\b(?:\s+for\b)?\s*[:\-–—]?\s*/i, '')
    .replace(/\s*[:\-–—]?\s*\b(?:model|dataset)\s+card$/i, '')
    .replace(/^["'“‘](.*)["'”’]$/, '$1')
    .trim();
  if (name === '' || !/\p{L}/u.test(name) || name.length > MAX_NAME_CHARS) return undefined;
  // The template's default when no id was given: `# Model Card for Model ID`.
  if (/^(?:model|dataset) id$/i.test(name)) return undefined;
  if (/[.!?]\s|[!?]$/.test(name) || name.split(/\s+/).length > MAX_TITLE_WORDS) return undefined;
  // A release archive or weight file (`# opus-2019-12-18.zip`, Helsinki-NLP's cards) names a file, not the model.
  if (FILE_NAME.test(name)) return undefined;
  return name;
}

/** An `org/name` name that is a Hub id. */
function ownedHubId(name: string | undefined): string | undefined {
  return name?.includes('/') && isHubRepoId(name) ? name : undefined;
}

function firstOf<T>(values: readonly (T | undefined)[]): T | undefined {
  return values.find((v) => v !== undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Model cards
// ---------------------------------------------------------------------------------------------------------

/** Labels naming who developed a model (the card reader's `developers` topic), less the uploader and funder. */
function isDeveloperLabel(key: string): boolean {
  return labelTopics(key).includes('developers') && !/\b(?:shared|funded)\b/.test(key);
}

/** Headings of sections whose body may be a list of developers; the card's own authors are not the model's. */
const DEVELOPER_HEADING = /\b(?:developed by|developers?|creators?|authors?)$/;

function authorsOf(ctx: CardAuditContext): InventoryParty[] {
  const parties: InventoryParty[] = [];
  const creator = metadataString(ctx.meta, 'model_creator');
  if (creator !== undefined) parties.push(...partiesOf(creator));
  for (const { key, value } of labelledValues(ctx, isDeveloperLabel)) {
    const kind = /\borgani[sz]ation\b/.test(key) && !/\bperson\b/.test(key) ? 'organization' : 'unknown';
    parties.push(...partiesOf(value, kind));
  }
  parties.push(
    ...listedParties(
      ctx,
      (s) => DEVELOPER_HEADING.test(s.normalizedTitle) && !/\bcard\b/.test(s.normalizedTitle),
    ),
  );
  return uniqueParties(parties);
}

/**
 * Parties listed under a heading, one per line (`## Authors` over `- Alice`, `- Bob`): only when every line
 * of the section is a name; a section of prose names nobody this reader can tell apart.
 */
function listedParties(ctx: CardAuditContext, accept: (s: CardSection) => boolean): InventoryParty[] {
  const sections = new Set(ctx.doc.sections.filter(accept).map((s) => s.index));
  if (sections.size === 0) return [];
  const bySection = new Map<number, string[]>();
  for (const line of cardProse(ctx).lines) {
    if (line.code || line.section === undefined || !sections.has(line.section)) continue;
    const list = bySection.get(line.section) ?? [];
    list.push(line.visible);
    bySection.set(line.section, list);
  }
  const out: InventoryParty[] = [];
  for (const lines of bySection.values()) {
    if (lines.length > MAX_PARTIES) continue;
    const found = lines.map((l) => partiesOf(l));
    if (found.some((f) => f.length === 0)) continue;
    out.push(...found.flat());
  }
  return out;
}

function considerationsOf(
  ctx: CardAuditContext,
  blocks: readonly CardBlock[],
  path: string,
  truncated: string[],
): ModelConsiderations {
  const texts = (topics: readonly Topic[], what: string, keep: (b: CardBlock) => boolean = () => true) =>
    textsOf(
      blocks.filter((b) => topics.some((t) => b.topics.includes(t)) && keep(b)),
      path,
      truncated,
      what,
    );
  const fairness = (b: CardBlock) => isFairnessBlock(ctx.doc, b);
  const users = texts(['users'], 'users');
  const outOfScope = texts(['out-of-scope'], 'out-of-scope uses');
  const environmental = [...co2Texts(ctx.meta, path), ...texts(['environmental-impact'], 'environmental')];
  return {
    users: users.length > 0 ? users : proseAnswers(blocks, 'users', path),
    useCases: texts(['intended-use'], 'use cases'),
    outOfScope: outOfScope.length > 0 ? outOfScope : proseAnswers(blocks, 'out-of-scope', path),
    technicalLimitations: texts(['limitations'], 'technical limitations'),
    ethicalConsiderations: texts(
      ['bias-risks', 'ethical-considerations'],
      'ethical considerations',
      (b) => !fairness(b),
    ),
    fairness: texts(
      ['bias-risks', 'ethical-considerations', 'evaluation-results', 'factors'],
      'fairness',
      fairness,
    ),
    environmental: environmental.slice(0, MAX_TEXTS_PER_FIELD),
  };
}

/** Headings of fairness assessments: "Bias and Fairness", "Bias evaluation", "Disaggregated results". */
const FAIRNESS_TITLE =
  /\bfairness\b|\bbias(?:es)? (?:evaluation|results?|analysis|assessment|benchmarks?|metrics|testing)\b|\b(?:evaluation|results?|analysis|assessment) (?:of |on )?bias(?:es)?\b|\bdisaggregated\b/;

function isFairnessBlock(doc: CardDocument, block: CardBlock): boolean {
  if (block.via !== 'heading') return false;
  const titles = [block.section, block.namedBy].map((i) =>
    i !== undefined ? doc.sections[i]?.normalizedTitle : undefined,
  );
  return titles.some((t) => t !== undefined && FAIRNESS_TITLE.test(t));
}

/** Keys of the `co2_eq_emissions` mapping (hub-docs `modelcard.md`), with how to say them. */
const CO2_KEYS: readonly (readonly [string, string])[] = [
  ['source', 'source'],
  ['training_type', 'training type'],
  ['geographical_location', 'location'],
  ['hardware_used', 'hardware'],
];

/**
 * `co2_eq_emissions` as a text: a number (grams of CO2 equivalent, as hub-docs `modelcard.md` defines
 * `emissions`) or a mapping of `emissions`, `source`, `training_type`, `geographical_location`,
 * `hardware_used`.
 */
function co2Texts(meta: Readonly<Record<string, unknown>>, path: string): CardText[] {
  const value = Object.hasOwn(meta, 'co2_eq_emissions') ? meta.co2_eq_emissions : undefined;
  const scalar = (v: unknown): string | undefined =>
    typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : typeof v === 'string'
        ? realValue(v)
        : undefined;
  const parts: string[] = [];
  if (typeof value === 'number' || typeof value === 'string') {
    const emissions = scalar(value);
    if (emissions !== undefined) parts.push(`emissions: ${emissions} g CO2eq`);
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const map = value as Readonly<Record<string, unknown>>;
    const emissions = scalar(Object.hasOwn(map, 'emissions') ? map.emissions : undefined);
    if (emissions !== undefined) parts.push(`emissions: ${emissions} g CO2eq`);
    for (const [key, label] of CO2_KEYS) {
      const v = scalar(Object.hasOwn(map, key) ? map[key] : undefined);
      if (v !== undefined) parts.push(`${label}: ${plainLine(v)}`);
    }
  }
  if (parts.length === 0) return [];
  const text = parts.join('; ');
  return [
    {
      text: boundText(`${text.charAt(0).toUpperCase()}${text.slice(1)}`),
      source: `${path} (front matter co2_eq_emissions)`,
    },
  ];
}

/** Labels naming the training data in a list of facts (`* dataset: opus`). */
const DATASET_LABEL =
  /^(?:(?:pre ?)?training |fine ?tuning |train )?(?:data ?sets?|corpus|corpora)(?: used)?$/;
/** The sentence transformers' Trainer writes (`modelcard.py`): "fine-tuned version of X on the Y dataset". */
const TRAINER_SENTENCE = /\b(?:fine-tuned version of|trained from scratch)\b[^.]{0,300}\bon the\b/i;

function trainedOnOf(ctx: CardAuditContext, path: string, truncated: string[]): DatasetMention[] {
  const out: DatasetMention[] = [];
  const seen = new Set<string>();
  const add = (mention: DatasetMention) => {
    const key = looseKey(mention.hubId ?? mention.name);
    if (key === '' || seen.has(key)) return;
    if (out.length >= MAX_DATASETS) {
      if (!truncated.some((t) => t.startsWith('trained on')))
        truncated.push(`trained on: more than ${MAX_DATASETS} datasets`);
      return;
    }
    seen.add(key);
    out.push(mention);
  };
  // `datasets:` takes Hub dataset ids (hub-docs `modelcard.md`).
  for (const value of metadataValues(ctx.meta, 'datasets', MAX_DATASETS + 1)) {
    add({
      ...(isHubRepoId(value) ? { hubId: value } : {}),
      name: value,
      source: `${path} (front matter datasets)`,
    });
  }
  // Hub dataset links in the training-data sections.
  const prose = cardProse(ctx);
  for (const line of prose.lines) {
    if (line.code || line.urls.length === 0 || !topicsAt(prose, line).has('training-data')) continue;
    for (const url of line.urls) {
      const id = hubDatasetIdOfUrl(url);
      if (id !== undefined) add({ hubId: id, name: id, source: `${path}:${line.line}` });
    }
  }
  // The card audit's reading of the prose, as far as it is mechanical: the Trainer's "on the X dataset", a
  // `dataset: X` label (OPUS-MT cards), a Hub id after "trained on". Names cut out of sentences ("trained on
  // the Colossal Clean Crawled Corpus") are the audit's evidence, not names to put in a BOM.
  for (const mention of trainingDatasetMentions(ctx)) {
    if (mention.strength !== 'strong') continue;
    const name = tidy(mention.name);
    if (name === '' || name.length > MAX_NAME_CHARS) continue;
    const hubId = ownedHubId(name);
    const label = labelOf(mention.line.visible);
    const labelled = label !== undefined && DATASET_LABEL.test(normalizeLabel(label.label));
    if (hubId === undefined && !labelled && !TRAINER_SENTENCE.test(mention.line.text)) continue;
    add({ ...(hubId !== undefined ? { hubId } : {}), name, source: `${path}:${mention.line.line}` });
  }
  return out;
}

function baseModelsOf(ctx: CardAuditContext, path: string): BaseModelMention[] {
  const out: BaseModelMention[] = [];
  const relationValue = ctx.meta.base_model_relation;
  const relation =
    typeof relationValue === 'string' && BASE_MODEL_RELATIONS.includes(relationValue)
      ? (relationValue as BaseModelRelation)
      : undefined;
  for (const value of metadataValues(ctx.meta, 'base_model', MAX_BASE_MODELS)) {
    const id = normalizeModelId(value);
    if (id === undefined) continue;
    out.push({
      id,
      ...(isHubRepoId(id) ? { hubId: id } : {}),
      ...(relation !== undefined ? { relation } : {}),
      source: `${path} (front matter base_model)`,
    });
  }
  if (out.length > 0 || Object.hasOwn(ctx.meta, 'base_model')) return out;
  // Without `base_model`: the Trainer's "fine-tuned version of X" (it writes the id it was given) and a
  // template label naming a Hub id ("Finetuned from model: org/name"); family names in prose are not ids.
  for (const mention of baseModelMentions(ctx)) {
    if (out.length >= MAX_BASE_MODELS) break;
    const name = mention.name;
    if (name === undefined || mention.line === undefined) continue;
    if (mention.via === 'trainer' && isHubRepoId(name))
      out.push({ id: name, hubId: name, relation: 'finetune', source: `${path}:${mention.line.line}` });
    else if (mention.via === 'label' && ownedHubId(name) !== undefined)
      out.push({ id: name, hubId: name, source: `${path}:${mention.line.line}` });
  }
  return out.filter((m, i) => out.findIndex((o) => o.id === m.id) === i);
}

/** Reads what a model card says into the inventory's shapes. Never throws on content. */
export function modelCardFacts(doc: CardDocument, text: string): ModelCardFacts {
  const path = doc.path;
  const ctx = contextOf(doc, text, 'model');
  const meta = ctx.meta;
  const truncated: string[] = [];
  const blocks = cardBlocks(ctx);
  const index = modelIndexFacts(ctx, path);
  if (index.truncated) truncated.push('metrics: the model-index has more results than were kept');

  const title = titleName(doc);
  const modelName = metadataString(meta, 'model_name');
  const indexName = index.name !== undefined ? realValue(index.name) : undefined;
  const ownNamed = firstOf([
    indexName !== undefined ? { name: indexName, source: `${path} /model-index/0/name` } : undefined,
    title !== undefined ? { name: title.name, source: `${path}:${title.line}` } : undefined,
  ]);
  // `model_name` last, and never as the card's own id: quantisers' cards (TheBloke's) put the original
  // model's name there.
  const named =
    ownNamed ??
    (modelName !== undefined ? { name: modelName, source: `${path} (front matter model_name)` } : undefined);

  const baseModels = baseModelsOf(ctx, path);
  const trainedOn = trainedOnOf(ctx, path, truncated);
  const links = cardLinks(ctx, path);
  const notBase = (id: string | undefined) =>
    id !== undefined && !baseModels.some((b) => b.id.toLowerCase() === id.toLowerCase()) ? id : undefined;
  const hub = firstOf([
    notBase(ownedHubId(ownNamed?.name)) !== undefined && ownNamed !== undefined
      ? { id: ownNamed.name, source: ownNamed.source }
      : undefined,
    ...links.repositories.map((r) => {
      const id = notBase(hubModelIdOfUrl(r.url));
      return id !== undefined ? { id, source: r.source } : undefined;
    }),
  ]);

  const pipelineTag = metadataString(meta, 'pipeline_tag');
  const task = pipelineTag ?? index.task;
  const taskSource =
    pipelineTag !== undefined
      ? `${path} (front matter pipeline_tag)`
      : index.task !== undefined
        ? `${path} /model-index/0/results/0/task/type`
        : undefined;
  const tags = metadataValues(meta, 'tags', MAX_TAGS);
  const approach = statedApproach(pipelineTag, tags, blocks, path);
  const io = taskModalities(task !== undefined && isTaskId(task) ? task : undefined);
  let licenses = frontMatterLicenses(meta, path);
  if (licenses.length === 0) licenses = proseLicenses(ctx, path);
  const link = licenseLink(meta, path);

  return {
    ...(named !== undefined ? { name: named.name, nameSource: named.source } : {}),
    ...(hub !== undefined ? { hubId: hub.id, hubIdSource: hub.source } : {}),
    ...optional('description', descriptionOf(ctx, blocks, 'model-description', path)),
    licenses,
    authors: authorsOf(ctx),
    ...(task !== undefined ? { task, ...(taskSource !== undefined ? { taskSource } : {}) } : {}),
    ...(approach !== undefined ? { approach: approach.approach, approachSource: approach.source } : {}),
    inputs: io.inputs,
    outputs: io.outputs,
    metrics: index.metrics,
    considerations: considerationsOf(ctx, blocks, path, truncated),
    trainedOn,
    testedOn: index.datasets.map((d) => ({
      ...(isHubRepoId(d.type) ? { hubId: d.type } : {}),
      name: d.name,
      source: `${path} ${d.pointer}`,
    })),
    baseModels,
    links: uniqueLinks([...(link !== undefined ? [link] : []), ...links.links, ...arxivLinks(tags, path)]),
    tags,
    truncated,
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value !== undefined ? { [key]: value } : {}) as { [P in K]?: V };
}

function uniqueLinks(links: readonly ExternalLink[]): ExternalLink[] {
  const seen = new Set<string>();
  return links.filter((l) => {
    if (seen.has(l.url)) return false;
    seen.add(l.url);
    return true;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Dataset cards
// ---------------------------------------------------------------------------------------------------------

/** Labels of who made the data: the current template's "Curated by", older cards' "Created by", "Authors". */
const OWNER_LABEL =
  /^(?:(?:curated|created|developed|built|collected|compiled|produced|made) by|(?:dataset )?(?:creators?|curators?|authors?))$/;
/** Labels of who keeps and answers for it: "Point of Contact" (the legacy template), maintainers, the sharer. */
const CUSTODIAN_LABEL =
  /^(?:point of contact|maintained by|maintainers?|(?:dataset )?maintainers?|shared by|hosted by|distributed by)$/;
/** Legacy template headings listing curators (the template asks for "the people involved in collecting the dataset"). */
const OWNER_HEADING = /^(?:dataset )?(?:curators|creators|authors)$/;

/**
 * Headings and bold questions of the datasheet's personal-data answers (Gebru et al. §3.2: "Does the dataset
 * contain data that might be considered confidential / sensitive?", "Is it possible to identify individuals?",
 * §3.3 on notice and consent), beyond the card reader's `personal-data` topic.
 */
const SENSITIVE_TITLE =
  /\b(?:confidential|sensitive|identif(?:y|iable) (?:any )?(?:individuals|people|persons|subpopulations)|notified|consent(?:ed)?|privacy|personal|pii|anonymi[sz]\w*|de identif\w*)\b/;

/** Values a data classification takes (ISO/IEC 27001 Annex A 5.12 practice, and common corporate schemes). */
const CLASSIFICATION_VALUE = /^(public|internal|confidential|restricted|secret|sensitive|private|open)\b/i;
const CLASSIFICATION_LABEL = /^(?:data )?(?:classification|confidentiality|sensitivity)(?: level| class)?$/;
const CLASSIFICATION_KEYS = ['data_classification', 'classification', 'confidentiality'] as const;

function classificationOf(
  ctx: CardAuditContext,
  path: string,
): { readonly value: string; readonly source: string } | undefined {
  for (const key of CLASSIFICATION_KEYS) {
    const value = metadataString(ctx.meta, key);
    const m = value !== undefined ? CLASSIFICATION_VALUE.exec(value) : null;
    if (m) return { value: (m[1] as string).toLowerCase(), source: `${path} (front matter ${key})` };
  }
  for (const { value, line } of labelledValues(ctx, (key) => CLASSIFICATION_LABEL.test(key))) {
    const m = CLASSIFICATION_VALUE.exec(plainLine(value));
    if (m) return { value: (m[1] as string).toLowerCase(), source: `${path}:${line}` };
  }
  return undefined;
}

function sensitiveBlocks(doc: CardDocument, blocks: readonly CardBlock[]): CardBlock[] {
  return blocks.filter((b) => {
    if (b.topics.includes('personal-data')) return true;
    if (b.via === 'label') return b.label !== undefined && SENSITIVE_TITLE.test(b.label);
    const title = b.section !== undefined ? doc.sections[b.section]?.normalizedTitle : undefined;
    return b.via === 'heading' && title !== undefined && SENSITIVE_TITLE.test(title);
  });
}

/** `source_datasets`: `original` (the data is new), `extended|wikipedia` (extends another dataset). */
function sourceDatasetsOf(meta: Readonly<Record<string, unknown>>, path: string): DatasetMention[] {
  const out: DatasetMention[] = [];
  for (const value of metadataValues(meta, 'source_datasets', MAX_DATASETS)) {
    const id = value.replace(/^extended\|/, '').trim();
    if (id === '' || id === 'original' || out.some((d) => d.name === id)) continue;
    out.push({
      ...(isHubRepoId(id) ? { hubId: id } : {}),
      name: id,
      source: `${path} (front matter source_datasets)`,
    });
  }
  return out;
}

/** Reads what a dataset card says into the inventory's shapes. Never throws on content. */
export function datasetCardFacts(doc: CardDocument, text: string): DatasetCardFacts {
  const path = doc.path;
  const ctx = contextOf(doc, text, 'dataset');
  const meta = ctx.meta;
  const truncated: string[] = [];
  const blocks = cardBlocks(ctx);
  const title = titleName(doc);
  const pretty = metadataString(meta, 'pretty_name');
  const named = firstOf([
    pretty !== undefined ? { name: pretty, source: `${path} (front matter pretty_name)` } : undefined,
    title !== undefined ? { name: title.name, source: `${path}:${title.line}` } : undefined,
  ]);
  const links = cardLinks(ctx, path);
  const hub = firstOf([
    ...links.repositories.map((r) => {
      const id = hubDatasetIdOfUrl(r.url);
      return id !== undefined ? { id, source: r.source } : undefined;
    }),
    ownedHubId(named?.name) !== undefined && named !== undefined
      ? { id: named.name, source: named.source }
      : undefined,
  ]);
  const owners = uniqueParties([
    ...labelledValues(ctx, (key) => OWNER_LABEL.test(key)).flatMap((v) => partiesOf(v.value)),
    ...listedParties(ctx, (s) => OWNER_HEADING.test(s.normalizedTitle)),
  ]);
  const custodians = uniqueParties(
    labelledValues(ctx, (key) => CUSTODIAN_LABEL.test(key)).flatMap((v) => partiesOf(v.value)),
  );
  const classification = classificationOf(ctx, path);
  const contentsUrl = firstOf([links.repositories[0]?.url, links.homepages[0]?.url]);
  const sizes = metadataValues(meta, 'size_categories', 10);
  const tags = metadataValues(meta, 'tags', MAX_TAGS);
  let licenses = frontMatterLicenses(meta, path);
  if (licenses.length === 0) licenses = proseLicenses(ctx, path);
  const link = licenseLink(meta, path);
  return {
    ...(named !== undefined ? { name: named.name, nameSource: named.source } : {}),
    ...(hub !== undefined ? { hubId: hub.id, hubIdSource: hub.source } : {}),
    ...optional('description', descriptionOf(ctx, blocks, 'dataset-summary', path)),
    licenses,
    sensitiveData: textsOf(sensitiveBlocks(doc, blocks), path, truncated, 'sensitive data'),
    ...(classification !== undefined
      ? { classification: classification.value, classificationSource: classification.source }
      : {}),
    owners,
    custodians,
    ...(contentsUrl !== undefined ? { contentsUrl } : {}),
    sourceDatasets: sourceDatasetsOf(meta, path),
    links: uniqueLinks([...(link !== undefined ? [link] : []), ...links.links, ...arxivLinks(tags, path)]),
    ...(sizes.length > 0 ? { size: sizes.join(', ') } : {}),
    tasks: metadataValues(meta, 'task_categories', MAX_TAGS),
    truncated,
  };
}
