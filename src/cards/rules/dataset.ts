import type { Severity } from '../../core/finding.js';
import type { RuleDescriptor } from '../../core/rules.js';
import type { CardAuditContext, CardCheck, CardFindingDraft } from '../audit/types.js';
import {
  allSectionProse,
  anyOf,
  cardTitle,
  cleanMarkup,
  introProseOf,
  type MetadataString,
  metadataStrings,
  normalizeForTerms,
  type ProseLine,
  type ProseSentence,
  quote,
  sectionField,
  sentencesOfLists,
  topicSentences,
} from '../domains.js';
import { coverage, type Topic, type TopicCoverage } from '../topics.js';
import { checkTaskCategories, checkTaskIds, parentTasksOf, type TaskCheck } from '../vocabulary.js';
import { titleTopics } from './prose.js';

const GEBRU = 'https://arxiv.org/abs/1803.09010';
const HUB_DATASET_CARDS = 'https://huggingface.co/docs/hub/datasets-cards';
const HUB_DATASET_TEMPLATE =
  'https://github.com/huggingface/huggingface_hub/blob/main/src/huggingface_hub/templates/datasetcard_template.md';
const HUB_TASKS = 'https://huggingface.co/tasks';
const GDPR = 'https://eur-lex.europa.eu/eli/reg/2016/679/oj';

/**
 * Rules for dataset cards: the questions of Gebru et al., "Datasheets for Datasets" (CACM 2021,
 * arXiv:1803.09010 §3), which the Hub's dataset card template asks under its own headings; where the data
 * came from and under what terms; people in the data; and the task vocabulary.
 */
export const CARD_DATASET_RULES = {
  datasheetMissing: {
    id: 'CARD-DATASHEET-MISSING',
    title: 'Datasheet question left unanswered',
    description:
      'One of the seven groups of questions of Datasheets for Datasets (motivation, composition, collection process, preprocessing and labelling, uses, distribution, maintenance) has no section with content; a section holding only [More Information Needed] is unanswered. The Hub template asks them as Curation Rationale, Dataset Structure, Source Data, Annotations, Supported Tasks, Licensing Information and Dataset Curators. Medium for motivation, composition, collection and uses (whether the data fits a task cannot be judged without them); low for preprocessing, distribution and maintenance.',
    help: 'Answer the question under the heading named in the message, or say why it does not apply.',
    defaultSeverity: 'medium',
    references: [GEBRU, HUB_DATASET_CARDS, HUB_DATASET_TEMPLATE],
    tags: ['card', 'dataset', 'datasheet'],
  },
  sourceLicenseMissing: {
    id: 'CARD-DATASET-SOURCE-LICENSE-MISSING',
    title: 'Dataset built from other sources states none of their terms',
    description:
      'The data was taken from other sources (`source_datasets` other than `original`, or the card says it was scraped, crawled or drawn from Reddit, Wikipedia, the web or other datasets), but the card states no licence or terms of use of those sources; the dataset\'s own licence does not settle what users may do with content it does not own (Gebru et al. §3.6: "Have any third parties imposed IP-based or other restrictions on the data?"). Medium when the metadata declares the sources, low when only the prose does.',
    help: 'Say under Licensing Information which licences or terms of service the sources carry (e.g. "Wikipedia text is CC BY-SA 4.0", "subject to the Reddit API terms") and how they affect use of the dataset.',
    defaultSeverity: 'medium',
    references: [GEBRU, HUB_DATASET_CARDS],
    tags: ['card', 'dataset', 'license', 'provenance'],
  },
  personalData: {
    id: 'CARD-DATASET-PERSONAL-DATA',
    title: 'Dataset holds data about people and says nothing about it',
    description:
      'The data holds people (recordings of voices, images of faces, health records, social media posts, names and contact details, private messages, user-generated text) but the card has no personal and sensitive information section with content and no statement on consent or anonymisation (Gebru et al. §3.2-3.3: "Does the dataset relate to people?", "Did the individuals consent?"). High when it clearly holds voices, faces, health records or social media posts (biometric, health or identifying data, GDPR Art. 9); medium otherwise.',
    help: 'Fill "Personal and Sensitive Information": what personal data the dataset holds, whether the people consented or were notified, what was anonymised or removed, and how someone can ask to be removed.',
    defaultSeverity: 'medium',
    references: [GEBRU, HUB_DATASET_CARDS, GDPR],
    tags: ['card', 'dataset', 'privacy'],
  },
  taskMismatch: {
    id: 'CARD-DATASET-TASK-MISMATCH',
    title: 'Dataset task metadata is inconsistent',
    description:
      '`task_ids` holds an id that is not a subtask of any listed `task_categories`, or `task_categories`/`task_ids` hold values that are not Hub tasks (legacy `<category>-other-<name>` ids, misspellings, a subtask where a task belongs). The Hub files the dataset under tasks from this metadata, so it is missing from the filters users search.',
    help: 'Use ids from the Hub task list (`@huggingface/tasks`): each `task_ids` entry under one of the `task_categories`.',
    defaultSeverity: 'low',
    references: [HUB_TASKS, HUB_DATASET_CARDS],
    tags: ['card', 'dataset', 'metadata'],
  },
} as const satisfies Record<string, RuleDescriptor>;

// ---------------------------------------------------------------------------------------------------------
// Datasheet questions
// ---------------------------------------------------------------------------------------------------------

export type DatasheetQuestionId =
  | 'motivation'
  | 'composition'
  | 'collection'
  | 'preprocessing'
  | 'uses'
  | 'distribution'
  | 'maintenance';

interface DatasheetQuestion {
  readonly id: DatasheetQuestionId;
  /** Topics whose content answers it (topics.ts maps the template's headings onto them). */
  readonly topics: readonly Topic[];
  /** Core questions decide whether the data fits a task: medium; the others low. */
  readonly core: boolean;
  /** The question, after Gebru et al. §3. */
  readonly question: string;
  /** Where the Hub dataset card template asks it. */
  readonly templateHeading: string;
}

/** Gebru et al. §3.1-3.7, mapped onto the Hub dataset card template's sections. */
export const DATASHEET_QUESTIONS: readonly DatasheetQuestion[] = [
  {
    id: 'motivation',
    topics: ['motivation'],
    core: true,
    question: 'For what purpose was the dataset created, and by whom?',
    templateHeading: '"### Curation Rationale" under "## Dataset Creation"',
  },
  {
    id: 'composition',
    topics: ['composition'],
    core: true,
    question:
      'What do the instances represent, how many are there, what does each hold, and how is it split?',
    templateHeading:
      '"## Dataset Structure" with "### Data Instances", "### Data Fields" and "### Data Splits"',
  },
  {
    id: 'collection',
    topics: ['collection'],
    core: true,
    question: 'How was the data collected, from where, by whom and over what time?',
    templateHeading: '"### Source Data" with "#### Initial Data Collection and Normalization"',
  },
  {
    id: 'preprocessing',
    topics: ['annotations', 'preprocessing'],
    core: false,
    question: 'Was the data cleaned, filtered or labelled, how, and by whom?',
    templateHeading: '"### Annotations" (annotation process, annotators) or a preprocessing section',
  },
  {
    id: 'uses',
    topics: ['uses'],
    core: true,
    question: 'What tasks is the dataset for or has it been used for, and what should it not be used for?',
    templateHeading: '"### Supported Tasks and Leaderboards" (or "## Uses")',
  },
  {
    id: 'distribution',
    topics: ['distribution', 'license'],
    core: false,
    question: 'How is the dataset distributed, and under what licence or terms?',
    templateHeading: '"### Licensing Information" under "## Additional Information"',
  },
  {
    id: 'maintenance',
    topics: ['maintenance'],
    core: false,
    question: 'Who maintains the dataset, how are errors reported and updates published?',
    templateHeading: '"### Dataset Curators" under "## Additional Information"',
  },
];

const STATE_RANK = { absent: 0, empty: 1, placeholder: 2, content: 3 } as const;

/**
 * The template's "Initial Data Collection and Normalization" heading names both collection and preprocessing;
 * it answers the collection question, and only a heading of its own (or "Annotations") answers preprocessing.
 */
function withoutCollectionHeadings(ctx: CardAuditContext, cov: TopicCoverage): TopicCoverage {
  if (cov.via !== 'heading') return cov;
  const own = cov.sections.filter((i) => {
    const s = ctx.doc.sections[i];
    return s !== undefined && !titleTopics(s.normalizedTitle).includes('collection');
  });
  if (own.length === cov.sections.length) return cov;
  if (own.length === 0) return { ...cov, state: 'absent', sections: [], line: undefined, via: undefined };
  let state: TopicCoverage['state'] = 'empty';
  for (const i of own) {
    const s = ctx.doc.sections[i];
    if (s !== undefined && STATE_RANK[s.subtreeState] > STATE_RANK[state]) state = s.subtreeState;
  }
  return { ...cov, state, sections: own, line: ctx.doc.sections[own[0] as number]?.headingLine };
}

function bestCoverage(ctx: CardAuditContext, topics: readonly Topic[]): TopicCoverage | undefined {
  let best: TopicCoverage | undefined;
  for (const topic of topics) {
    const found = coverage(ctx.topics, topic);
    const cov = topic === 'preprocessing' ? withoutCollectionHeadings(ctx, found) : found;
    if (best === undefined || STATE_RANK[cov.state] > STATE_RANK[best.state]) best = cov;
  }
  return best;
}

function coverageField(
  ctx: CardAuditContext,
  cov: TopicCoverage | undefined,
): { title?: string; line?: number } {
  if (cov === undefined || cov.state === 'absent') return {};
  const section = cov.sections[0] !== undefined ? ctx.doc.sections[cov.sections[0]] : undefined;
  if (section !== undefined) return { title: section.title, line: section.headingLine };
  return cov.line !== undefined ? { line: cov.line } : {};
}

function datasheetDrafts(ctx: CardAuditContext): CardFindingDraft[] {
  const drafts: CardFindingDraft[] = [];
  for (const q of DATASHEET_QUESTIONS) {
    const cov = bestCoverage(ctx, q.topics);
    const state = cov?.state ?? 'absent';
    if (state === 'content') continue;
    const { title, line } = coverageField(ctx, cov);
    const where =
      state === 'absent'
        ? 'the card has no section on it'
        : state === 'placeholder'
          ? `${title !== undefined ? sectionField(title) : `line ${line}`} holds only a placeholder ([More Information Needed])`
          : `${title !== undefined ? sectionField(title) : `line ${line}`} is empty`;
    const licence = q.id === 'distribution' ? licenceNote(ctx) : '';
    drafts.push({
      rule: CARD_DATASET_RULES.datasheetMissing,
      ...(q.core ? {} : { severity: 'low' as Severity }),
      message: `Datasheet question on ${q.id} unanswered (${q.question}): ${where}${licence}`,
      ...(line !== undefined ? { line } : {}),
      field: `datasheet.${q.id}`,
      evidence: `${q.topics.join('/')}: ${state}${title !== undefined ? ` (${sectionField(title)})` : ''}`,
      remediation: `Answer it under ${q.templateHeading}: ${q.question}`,
    });
  }
  return drafts;
}

/** For the distribution question: the metadata licence answers part of it (which licence), not how or where. */
function licenceNote(ctx: CardAuditContext): string {
  const licences = metadataStrings(ctx.meta, 'license').map((l) => l.value);
  return licences.length > 0
    ? `; the metadata names the licence (${licences.slice(0, 3).join(', ')}) but the card does not say how the data is distributed`
    : '';
}

// ---------------------------------------------------------------------------------------------------------
// Prose helpers
// ---------------------------------------------------------------------------------------------------------

/** Lines of the whole card read when looking for a statement anywhere (consent, licence of sources). */
const MAX_CARD_SCAN_LINES = 5000;

function sentencesOf(ctx: CardAuditContext, topics: readonly Topic[], intro: boolean): ProseSentence[] {
  return topicSentences(ctx, topics, intro);
}

/** Every section body and the preamble, bounded by `MAX_CARD_SCAN_LINES`. */
function allSentences(ctx: CardAuditContext): ProseSentence[] {
  // The opening, then each section body read on its own (`proseLines` of at most `MAX_PROSE_LINES` lines).
  const lists: (readonly ProseLine[])[] = [introProseOf(ctx)];
  let count = lists[0]?.length ?? 0;
  for (const body of allSectionProse(ctx)) {
    if (count >= MAX_CARD_SCAN_LINES) break;
    lists.push(count + body.length > MAX_CARD_SCAN_LINES ? body.slice(0, MAX_CARD_SCAN_LINES - count) : body);
    count += body.length;
  }
  return sentencesOfLists(ctx, lists);
}

interface Evidence {
  readonly what: string;
  readonly field: string;
  readonly line: number | undefined;
}

function sentenceEvidence(s: ProseSentence, m: RegExpExecArray, what: string): Evidence {
  return {
    what: `${what} ${quote(s.original.slice(m.index, m.index + m[0].length) || m[0])}`,
    field: s.field,
    line: s.lineAt(m.index),
  };
}

function metadataEvidence(ctx: CardAuditContext, entry: MetadataString, what: string): Evidence {
  return {
    what: `${what} (\`${entry.field}: ${entry.value}\`)`,
    field: entry.field,
    line: ctx.lineOf(entry.pointer) ?? ctx.lineOf(entry.key),
  };
}

function describeEvidence(e: Evidence): string {
  return `${e.what} in ${e.field}${e.line !== undefined ? ` (line ${e.line})` : ''}`;
}

// ---------------------------------------------------------------------------------------------------------
// Sources and their licences
// ---------------------------------------------------------------------------------------------------------

/** Platforms and kinds of source whose content belongs to someone else (normalised text). */
const SOURCE_PLATFORM =
  /\b(?:reddit|subreddits?|twitter|tweets?|wikipedia|wikimedia|common\s?crawl|youtube|flickr|facebook|instagram|tiktok|github|stack\s?(?:overflow|exchange)|quora|imdb|amazon|yelp|gutenberg|arxiv|pubmed|news\s?(?:articles?|sites?|websites?|sources?|headlines)|online\s+news|websites?|web\s+pages?|the\s+(?:web|internet)|gab|stormfront|books?|blogger|blogspot)\b/;
/** A platform named as the data itself ("Reddit dataset, where TIFU denotes..."): a source without a verb. */
const PLATFORM_DATASET =
  /\b(?:reddit|twitter|wikipedia|youtube|flickr|facebook|instagram|tiktok|github|stack\s?(?:overflow|exchange)|quora|imdb|amazon|yelp|blogger|blogspot)\s+(?:datasets?|corpus|corpora|data|posts|threads|comments|reviews)\b/;
/** Verbs and phrases of taking data from somewhere. */
const ACQUISITION =
  /\b(?:scrap(?:ed|ing|e)|crawl(?:ed|ing)?|collect(?:ed|ing)?|gather(?:ed|ing)?|download(?:ed|ing)?|extract(?:ed|ing)?|sourced|drawn|taken|derived|obtained|harvest(?:ed|ing)?|mined|compiled|retrieved|fetched|from)\b/;
/** Phrases that say the data was taken from elsewhere on their own. */
const SOURCED_ELSEWHERE =
  /\b(?:scraped|crawled|web\s+(?:crawl|scrap)\w*|(?:existing|pre\s?existing|publicly\s+available|public|other|third\s+party)\s+(?:datasets?|corpora|corpus|data\s?sets?|benchmarks?)|corpora)\b/;
/** Words of licensing and terms. */
const LICENCE_WORD =
  /\b(?:licen[cs](?:e|es|ed|ing)|terms(?:\s+of\s+(?:use|service))?|copyright(?:ed)?|fair\s+use|permission|public\s+domain|creative\s+commons|cc\s?by\w*|cc0|usage\s+polic(?:y|ies)|user\s+agreement|gfdl)\b/;
/** Words that point a licence statement at the sources rather than at the dataset itself. */
const SOURCE_REFERENCE =
  /\b(?:sources?|original(?:ly)?|underlying|third\s+party|respective|upstream|constituent|component|individual\s+datasets|each\s+(?:dataset|corpus|source|task|subset)|their\s+own|inherit(?:s|ed)?|derived)\b/;

/** A licence that puts content in the public domain or waives rights to it (normalised text). */
const PUBLIC_DOMAIN = /\b(?:public\s+domain|cc\s?0|cc\s?zero)\b/;

/** A name as compared: normalised, `-_/` as spaces, without punctuation and with single spaces. */
function nameKey(text: string): string {
  return normalizeForTerms(text)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The name of a declared source: `extended|common_voice` → `common voice`, `extended|other-wider` → `wider`. */
function sourceName(value: string): string {
  const bar = value.lastIndexOf('|');
  return nameKey(bar >= 0 ? value.slice(bar + 1) : value).replace(/^other\s+/, '');
}

/**
 * The dataset's own names: `pretty_name`, `paperswithcode_id` and the title without "Dataset Card for"; an
 * `extended|common_voice` source of the Common Voice card is the dataset itself, not another source.
 */
function ownNames(ctx: CardAuditContext): Set<string> {
  const names = new Set<string>();
  const add = (text: string) => {
    const key = nameKey(text);
    if (key === '') return;
    names.add(key);
    names.add(key.replace(/ /g, ''));
  };
  for (const key of ['pretty_name', 'paperswithcode_id'] as const)
    for (const entry of metadataStrings(ctx.meta, key)) add(entry.value);
  const title = cardTitle(ctx.doc);
  if (title !== undefined)
    add(
      cleanMarkup(title.text).replace(/^\s*(?:dataset\s+card\s+for|dataset\s+card|datasheet\s+for)\s+/i, ''),
    );
  return names;
}

/** `source_datasets` entries other than `original` and the dataset itself: `extended|wikipedia`, names of datasets. */
function declaredSources(ctx: CardAuditContext): MetadataString[] {
  const own = ownNames(ctx);
  return metadataStrings(ctx.meta, 'source_datasets').filter((s) => {
    if (s.value.trim().toLowerCase() === 'original') return false;
    const name = sourceName(s.value);
    return name === '' || !(own.has(name) || own.has(name.replace(/ /g, '')));
  });
}

/** Common words that start sentences or name nothing: not taken as a source's name. */
const NOT_A_NAME =
  /^(?:the|this|these|those|that|it|its|they|their|a|an|we|our|in|on|of|for|from|and|or|each|all|data|dataset|english)$/;

/**
 * Words that name the sources: the source names of `source_datasets`, or the word that showed a source in
 * the prose ("books", "Reddit") with the capitalised words of its sentence ("LibriVox").
 */
function sourceTokens(declared: readonly MetadataString[], prose: ProseEvidence | undefined): string[] {
  const tokens = new Set<string>();
  for (const d of declared) {
    const name = sourceName(d.value);
    if (name.length >= 3) tokens.add(name);
  }
  if (prose !== undefined) {
    const word = nameKey(prose.matched);
    if (word.length >= 3) tokens.add(word.replace(/s$/, ''));
    for (const m of prose.sentence.original.matchAll(/\b[A-Z][\p{L}\p{N}]{2,40}/gu)) {
      const key = nameKey(m[0]);
      if (!NOT_A_NAME.test(key)) tokens.add(key);
    }
  }
  return [...tokens].slice(0, 20);
}

/** `text` names `token` as a word (a plural `s` allowed). */
function names(text: string, token: string): boolean {
  const at = text.indexOf(token);
  if (at < 0) return false;
  const before = at === 0 ? ' ' : (text[at - 1] as string);
  const after = text.slice(at + token.length, at + token.length + 2);
  return !/[\p{L}\p{N}]/u.test(before) && /^(?:s?(?![\p{L}\p{N}]))/u.test(after);
}

/** Where the prose shows a source: the sentence and the word. */
interface ProseEvidence {
  readonly sentence: ProseSentence;
  readonly matched: string;
}

/**
 * A licence statement about the sources anywhere in the card: a sentence with a licence word naming a source
 * ("Public Domain (LibriVox)", "Reddit posts are subject to the Reddit terms"), or one saying public domain
 * or CC0 in the sentence or section that shows the source.
 */
function sourceLicenceStated(
  ctx: CardAuditContext,
  declared: readonly MetadataString[],
  prose: ProseEvidence | undefined,
): boolean {
  const tokens = sourceTokens(declared, prose);
  for (const s of allSentences(ctx)) {
    if (!LICENCE_WORD.test(s.text)) continue;
    const text = nameKey(s.text);
    if (tokens.some((t) => names(text, t))) return true;
    if (
      prose !== undefined &&
      PUBLIC_DOMAIN.test(s.text) &&
      (s.field === prose.sentence.field || s.original === prose.sentence.original)
    )
      return true;
  }
  return false;
}

function sourceLicenseDraft(ctx: CardAuditContext): CardFindingDraft | undefined {
  const declared = declaredSources(ctx);
  let prose: Evidence | undefined;
  let shown: ProseEvidence | undefined;
  if (declared.length === 0) {
    for (const s of sentencesOf(
      ctx,
      ['dataset-summary', 'collection', 'composition', 'motivation', 'uses'],
      false,
    )) {
      if (s.negated) continue;
      const elsewhere = SOURCED_ELSEWHERE.exec(s.text);
      if (elsewhere) {
        prose = sentenceEvidence(s, elsewhere, 'data taken from elsewhere:');
        shown = { sentence: s, matched: elsewhere[0] };
        break;
      }
      const named = PLATFORM_DATASET.exec(s.text);
      if (named) {
        prose = sentenceEvidence(s, named, 'data taken from');
        shown = { sentence: s, matched: named[0].split(' ')[0] as string };
        break;
      }
      const platform = SOURCE_PLATFORM.exec(s.text);
      if (platform && ACQUISITION.test(s.text)) {
        prose = sentenceEvidence(s, platform, 'data taken from');
        shown = { sentence: s, matched: platform[0] };
        break;
      }
    }
    if (prose === undefined) return undefined;
  }
  // A licence or terms statement about the sources, in the licensing or collection sections.
  for (const s of sentencesOf(ctx, ['distribution', 'license', 'collection'], false)) {
    if (LICENCE_WORD.test(s.text) && (SOURCE_REFERENCE.test(s.text) || SOURCE_PLATFORM.test(s.text)))
      return undefined;
  }
  if (sourceLicenceStated(ctx, declared, shown)) return undefined;
  const licensing = bestCoverage(ctx, ['license', 'distribution']);
  const { title, line } = coverageField(ctx, licensing);
  const licensingState =
    licensing === undefined || licensing.state === 'absent'
      ? 'the card has no licensing section'
      : `${title !== undefined ? sectionField(title) : 'the licensing section'} ${licensing.state === 'content' ? 'speaks only of the dataset itself' : licensing.state === 'placeholder' ? 'holds only a placeholder' : 'is empty'}`;
  const sources =
    declared.length > 0
      ? `\`source_datasets\` names ${declared
          .slice(0, 5)
          .map((d) => `\`${d.value}\``)
          .join(', ')}`
      : `the card says ${(prose as Evidence).what}`;
  const first = declared[0];
  const anchor: Evidence =
    first !== undefined ? metadataEvidence(ctx, first, 'declared source') : (prose as Evidence);
  return {
    rule: CARD_DATASET_RULES.sourceLicenseMissing,
    ...(declared.length > 0 ? {} : { severity: 'low' as Severity }),
    message: `The data comes from other sources (${sources}) but the card states none of their licences or terms: ${licensingState}`,
    ...(anchor.line !== undefined ? { line: anchor.line } : line !== undefined ? { line } : {}),
    field: declared.length > 0 ? 'source_datasets' : anchor.field,
    evidence: `${describeEvidence(anchor)}; licensing: ${licensing?.state ?? 'absent'}`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// People in the data
// ---------------------------------------------------------------------------------------------------------

/** What kind of personal data the card shows the dataset holds. */
export type PeopleKind =
  | 'voices'
  | 'faces'
  | 'health records'
  | 'social media posts'
  | 'personal identifiers'
  | 'private communications'
  | 'user-generated content'
  | 'self-reported attributes'
  | 'web-crawled text';

/** Kinds that are biometric, health or directly identifying data (GDPR Art. 9, Art. 4(14)): high severity. */
const CLEAR_KINDS: ReadonlySet<PeopleKind> = new Set<PeopleKind>([
  'voices',
  'faces',
  'health records',
  'social media posts',
]);

/** Prose terms per kind (normalised text). Sentences that deny or describe a removal are skipped. */
const PEOPLE_TERMS: readonly (readonly [PeopleKind, RegExp])[] = [
  [
    'voices',
    /\b(?:speech|voice|audio)\s+(?:recordings?|samples|clips)\b|\brecordings?\s+of\s+(?:speech|voices?|speakers?|people|participants|volunteers|children|patients|conversations|interviews)\b|\brecorded\s+(?:speech|voices?|by\s+(?:\d+\s+)?(?:speakers?|participants|volunteers|people))\b|\b(?:read|spontaneous|conversational)\s+speech\b|\bvoice\s+actors?\b/,
  ],
  [
    'faces',
    /\b(?:face|facial)\s+(?:images?|photos?|photographs?|crops?)\b|\b(?:images?|photos?|photographs?|pictures?|videos?)\s+of\s+(?:people|persons|individuals|faces|celebrities|children|pedestrians|humans)\b|\b(?:selfies|headshots?|portraits?)\b|\bidentifiable\s+(?:people|persons|individuals|faces)\b|\b(?:human|their)\s+faces\b/,
  ],
  [
    'health records',
    /\bpatients\b|\b(?:medical|health|patient)\s+records?\b|\bclinical\s+(?:notes?|records?|reports?|data|trials?)\b|\b(?:ehrs?|emrs?)\b|\bradiology\s+reports?\b|\bdischarge\s+summar(?:y|ies)\b|\bmedical\s+images?\b/,
  ],
  [
    'social media posts',
    /\b(?:tweets?|twitter|reddit|subreddits?|social\s+media|social\s+networks?|facebook|instagram|tiktok|weibo|mastodon|gab|stormfront|4chan)\b/,
  ],
  [
    'personal identifiers',
    /\b(?:user\s?names?|user\s+ids?|e\s?mail\s+addresses|phone\s+numbers|(?:home|postal)\s+addresses|(?:personal|people's|full)\s+names|names\s+of\s+(?:people|persons|individuals|users|authors|patients)|dates?\s+of\s+birth|social\s+security|ip\s+addresses|gps\s+(?:coordinates|traces|locations?)|licen[cs]e\s+plates?|personal\s+(?:information|data|details)|personally\s+identifiable)\b|\b(?:customer|user|author)\s?ids?\b/,
  ],
  [
    'private communications',
    /\b(?:e\s?mails|private\s+messages?|direct\s+messages|chat\s+logs?|text\s+messages|phone\s+calls?|call\s+(?:recordings|transcripts)|meeting\s+transcripts?|customer\s+(?:support|service)\s+(?:conversations|chats?|transcripts?|calls?))\b/,
  ],
  [
    'user-generated content',
    /\buser\s+generated\b|\buser\s+(?:reviews?|comments?|posts?|content|queries)\b|\bforum\s+(?:posts?|threads?)\b|\bonline\s+(?:posts?|comments?|discussions?)\b|\bposted\s+by\s+users\b|\bwritten\s+by\s+(?:users|members\s+of\s+the\s+public)\b|\bblog(?:ger)?s\b|\bblog\s+posts?\b|\b(?:customer|product)\s+reviews?\b/,
  ],
  ['self-reported attributes', /\bself\s?(?:provided|reported)\s+(?:gender|age|ethnicity)\b/],
  // Web text names and quotes people without their knowledge (C4, Common Crawl): medium evidence.
  ['web-crawled text', /\bcommon\s?crawl\b|\bweb\s+crawl\w*|\bscraped\b/],
];

/** Matches where any of `PEOPLE_TERMS` does: a sentence it does not match is not tried term by term. */
const PEOPLE_ANY = anyOf(PEOPLE_TERMS.map(([, pattern]) => pattern));

/** Hub tasks whose data is people's voices or faces (`@huggingface/tasks` ids). */
const PEOPLE_TASKS: ReadonlyMap<string, PeopleKind> = new Map<string, PeopleKind>([
  ['automatic-speech-recognition', 'voices'],
  ['text-to-speech', 'voices'],
  ['speaker-identification', 'voices'],
  ['audio-emotion-recognition', 'voices'],
  ['face-detection', 'faces'],
]);
/** Tags that say the same (normalised: `-_` as spaces). */
const PEOPLE_TAGS: readonly (readonly [PeopleKind, RegExp])[] = [
  ['voices', /^(?:speech|voices?|speakers?|spoken\s+language|speech\s+recognition|asr)$/],
  ['faces', /^(?:faces?|selfies?|portraits?|celebrit(?:y|ies)|people|persons?|pedestrians?|humans?)$/],
  ['health records', /^(?:medical|clinical|ehr|patients?|health\s+records?|healthcare)$/],
  ['social media posts', /^(?:twitter|tweets?|reddit|social\s+media|facebook|instagram|tiktok)$/],
];

/** Statements about consent, anonymisation or privacy, anywhere in the card (normalised text). */
const CONSENT_STATEMENT =
  /\b(?:consent(?:ed|s|ing)?|anonymi[sz](?:ed|ation|ing|e)|de\s?identif(?:ied|ication|y)|pseudonymi[sz](?:ed|ation)|redact(?:ed|ion)|pii|personally\s+identifiable|opt\s?out|privacy\s+(?:risks?|protection|concerns?|preserving)|gdpr|ethics\s+(?:board|committee|approval|review)|institutional\s+review\s+board|irb)\b|\b(?:protect|preserv)\w*\s+(?:the\s+)?(?:\w+\s+)?privacy\b/;

/** What shows people are in the data: metadata first, then the describing prose. */
export function peopleInData(ctx: CardAuditContext): { kind: PeopleKind; evidence: Evidence }[] {
  const found = new Map<PeopleKind, Evidence>();
  const note = (kind: PeopleKind, evidence: Evidence) => {
    if (!found.has(kind)) found.set(kind, evidence);
  };
  for (const key of ['task_categories', 'task_ids'] as const) {
    for (const entry of metadataStrings(ctx.meta, key)) {
      const kind = PEOPLE_TASKS.get(entry.value.trim());
      if (kind !== undefined) note(kind, metadataEvidence(ctx, entry, `task \`${entry.value}\``));
    }
  }
  for (const entry of metadataStrings(ctx.meta, 'tags')) {
    const tag = normalizeForTerms(entry.value).trim();
    for (const [kind, pattern] of PEOPLE_TAGS)
      if (pattern.test(tag)) note(kind, metadataEvidence(ctx, entry, 'tag'));
  }
  for (const s of sentencesOf(ctx, ['dataset-summary', 'composition', 'collection', 'motivation'], true)) {
    if (s.negated || (PEOPLE_ANY !== undefined && !PEOPLE_ANY.test(s.text))) continue;
    for (const [kind, pattern] of PEOPLE_TERMS) {
      const m = pattern.exec(s.text);
      if (m) note(kind, sentenceEvidence(s, m, 'the card mentions'));
    }
  }
  return [...found].map(([kind, evidence]) => ({ kind, evidence }));
}

/** Crowdsourced text (`language_creators`): context for the message, not evidence of people on its own. */
function crowdsourcedNote(ctx: CardAuditContext): string {
  const crowd = ['language_creators', 'annotations_creators'].filter((key) =>
    metadataStrings(ctx.meta, key).some((v) => v.value.trim() === 'crowdsourced'),
  );
  return crowd.length > 0 ? `; ${crowd.map((k) => `\`${k}: crowdsourced\``).join(', ')}` : '';
}

function personalDataDraft(ctx: CardAuditContext): CardFindingDraft | undefined {
  const people = peopleInData(ctx);
  if (people.length === 0) return undefined;
  const personal = coverage(ctx.topics, 'personal-data');
  if (personal.state === 'content') return undefined;
  if (allSentences(ctx).some((s) => CONSENT_STATEMENT.test(s.text))) return undefined;
  const clear = people.filter((p) => CLEAR_KINDS.has(p.kind));
  const shown = (clear.length > 0 ? clear : people).slice(0, 4);
  const first = shown[0] as { kind: PeopleKind; evidence: Evidence };
  const { title, line } = coverageField(ctx, personal);
  const section =
    personal.state === 'absent'
      ? 'no "Personal and Sensitive Information" section'
      : `${title !== undefined ? sectionField(title) : 'the personal information section'} ${personal.state === 'placeholder' ? 'holds only a placeholder' : 'is empty'}`;
  return {
    rule: CARD_DATASET_RULES.personalData,
    ...(clear.length > 0 ? { severity: 'high' as Severity } : {}),
    message: `The dataset holds ${shown.map((p) => p.kind).join(', ')} of people, but the card has ${section} and says nothing about consent or anonymisation`,
    ...(line !== undefined
      ? { line }
      : first.evidence.line !== undefined
        ? { line: first.evidence.line }
        : {}),
    field: title !== undefined ? sectionField(title) : '§ Personal and Sensitive Information',
    evidence: `${shown.map((p) => `${p.kind}: ${describeEvidence(p.evidence)}`).join('; ')}${crowdsourcedNote(ctx)}; personal-data: ${personal.state}; no consent/anonymisation statement`,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Tasks
// ---------------------------------------------------------------------------------------------------------

/** Findings on task metadata per card: a card listing hundreds of bad ids gets the first few. */
const MAX_TASK_FINDINGS = 20;

/** `text-classification-other-paraphrase-identification`: ids of the datasets tagging app before 2022. */
function legacyTaskId(value: string): { category: string; name: string } | undefined {
  const at = value.indexOf('-other-');
  if (at <= 0) return undefined;
  return { category: value.slice(0, at), name: value.slice(at + '-other-'.length) };
}

function pointerLine(ctx: CardAuditContext, key: string, index: number, scalar: boolean): { line?: number } {
  const line = (scalar ? undefined : ctx.lineOf(`/${key}/${index}`)) ?? ctx.lineOf(key);
  return line !== undefined ? { line } : {};
}

function taskItemMessage(
  field: string,
  check: TaskCheck,
  raw: unknown,
): { message: string; remediation?: string } {
  const legacy = typeof raw === 'string' ? legacyTaskId(raw) : undefined;
  if (legacy !== undefined) {
    return {
      message: `\`${field}\` holds ${check.input}, a legacy free-form id (\`<category>-other-<name>\`) of the datasets tagging app; the Hub's task ids are a fixed list and it matches nothing`,
      remediation: `Remove it from \`${field}\` (and put "${legacy.name}" in \`tags\` if it matters), keeping \`${legacy.category}\` in \`task_categories\` if it is a Hub task.`,
    };
  }
  const issue = check.issue?.message ?? `${check.input} is not a Hub task id.`;
  return {
    message: `\`${field}\`: ${issue.replace(/\.$/, '')}`,
    ...(check.suggestion !== undefined
      ? { remediation: `Write \`${check.suggestion}\` instead of ${check.input}.` }
      : {}),
  };
}

function taskDrafts(ctx: CardAuditContext): CardFindingDraft[] {
  const drafts: CardFindingDraft[] = [];
  const rule = CARD_DATASET_RULES.taskMismatch;
  const has = (key: string) => Object.hasOwn(ctx.meta, key);
  const listed = new Set<string>();
  const rawCategories = has('task_categories') ? ctx.meta.task_categories : undefined;
  if (has('task_categories')) {
    const check = checkTaskCategories(rawCategories);
    const scalar = !Array.isArray(rawCategories);
    if (check.issue !== undefined && check.issue.code !== 'duplicate' && check.issue.code !== 'too-many') {
      drafts.push({
        rule,
        message: check.issue.message,
        ...pointerLine(ctx, 'task_categories', 0, true),
        field: 'task_categories',
        evidence: check.issue.code,
      });
    }
    check.items.forEach((item, i) => {
      const id = item.canonical ?? item.suggestion;
      if (id !== undefined) listed.add(id);
      if (item.valid) return;
      const raw = scalar ? rawCategories : (rawCategories as unknown[])[i];
      drafts.push({
        rule,
        ...taskItemMessage('task_categories', item, raw),
        ...pointerLine(ctx, 'task_categories', i, scalar),
        field: scalar ? 'task_categories' : `task_categories[${i}]`,
        evidence: `${item.input}: ${item.issue?.code ?? 'invalid'}`,
      });
    });
  }
  if (has('task_ids')) {
    const rawIds = ctx.meta.task_ids;
    const check = checkTaskIds(rawIds);
    const scalar = !Array.isArray(rawIds);
    // `task_ids: []` is what the Hub's tagging app writes for a dataset with no subtask: valid.
    if (
      check.issue !== undefined &&
      check.issue.code !== 'duplicate' &&
      check.issue.code !== 'too-many' &&
      check.issue.code !== 'empty-list'
    ) {
      drafts.push({
        rule,
        message: check.issue.message,
        ...pointerLine(ctx, 'task_ids', 0, true),
        field: 'task_ids',
        evidence: check.issue.code,
      });
    }
    const orphans: string[] = [];
    check.items.forEach((item, i) => {
      const raw = scalar ? rawIds : (rawIds as unknown[])[i];
      const field = scalar ? 'task_ids' : `task_ids[${i}]`;
      if (!item.valid) {
        drafts.push({
          rule,
          ...taskItemMessage('task_ids', item, raw),
          ...pointerLine(ctx, 'task_ids', i, scalar),
          field,
          evidence: `${item.input}: ${item.issue?.code ?? 'invalid'}`,
        });
        return;
      }
      const id = item.canonical as string;
      const parents = parentTasksOf(id);
      if (parents.length === 0 || parents.some((p) => listed.has(p))) return;
      if (!has('task_categories')) {
        orphans.push(`\`${id}\` (under ${parents.map((p) => `\`${p}\``).join(' or ')})`);
        return;
      }
      drafts.push({
        rule,
        message: `\`task_ids\` lists \`${id}\`, a subtask of ${parents.map((p) => `\`${p}\``).join(' or ')}, which \`task_categories\` does not list (${[...listed].map((c) => `\`${c}\``).join(', ') || 'none valid'})`,
        ...pointerLine(ctx, 'task_ids', i, scalar),
        field,
        evidence: `${id} → ${parents.join(' | ')}; task_categories: ${[...listed].join(', ') || '(none valid)'}`,
        remediation: `Add \`${parents[0]}\` to \`task_categories\`, or replace \`${id}\` with a subtask of a listed category.`,
      });
    });
    if (orphans.length > 0) {
      drafts.push({
        rule,
        message: `\`task_ids\` is set but \`task_categories\` is missing: ${orphans.slice(0, 5).join(', ')}`,
        ...pointerLine(ctx, 'task_ids', 0, true),
        field: 'task_ids',
        evidence: `task_categories: absent; task_ids: ${orphans.length}`,
        remediation: 'Add `task_categories` with the task each `task_ids` entry belongs under.',
      });
    }
  }
  return drafts.slice(0, MAX_TASK_FINDINGS);
}

/**
 * Dataset cards: the Datasheets questions, the licences of the sources, people in the data and the task
 * vocabulary. Model cards get nothing here.
 */
export const checkDataset: CardCheck = (ctx) => {
  if (ctx.kind !== 'dataset') return [];
  const drafts: CardFindingDraft[] = [...datasheetDrafts(ctx)];
  const source = sourceLicenseDraft(ctx);
  if (source) drafts.push(source);
  const personal = personalDataDraft(ctx);
  if (personal) drafts.push(personal);
  if (ctx.hasMetadata) drafts.push(...taskDrafts(ctx));
  return drafts;
};
