import type { CardDocument, CardSection, SectionState } from './card-document.js';
import { stripPlaceholders } from './placeholders.js';

/**
 * What a card talks about, whatever its headings are called. Model cards follow Mitchell et al., "Model
 * Cards for Model Reporting" (FAT* 2019, arXiv:1810.03993) and the Hugging Face model card template that
 * grew out of it; dataset cards follow Gebru et al., "Datasheets for Datasets" (CACM 2021,
 * arXiv:1803.09010) and the Hub dataset card template. Real cards name the same section a dozen ways
 * ("Intended Use", "Uses", "Direct Use", "Evaluated Use"), and some answer a question in a labelled line
 * (`- **Developed by:** Meta`, `Primary intended users: researchers`) rather than under a heading, so a
 * topic is found from headings first and from labels inside the text second.
 */

export const MODEL_TOPICS = [
  'model-description',
  'developers',
  'model-type',
  'intended-use',
  'out-of-scope',
  'users',
  'how-to-use',
  'factors',
  'metrics',
  'evaluation-data',
  'evaluation-results',
  'training-data',
  'training-procedure',
  'limitations',
  'bias-risks',
  'ethical-considerations',
  'recommendations',
  'environmental-impact',
  'technical-specs',
  'license',
  'citation',
  'contact',
] as const;

export const DATASET_TOPICS = [
  'dataset-summary',
  'motivation',
  'composition',
  'collection',
  'preprocessing',
  'annotations',
  'uses',
  'out-of-scope',
  'distribution',
  'maintenance',
  'personal-data',
  'social-impact',
  'bias-risks',
  'limitations',
  'languages',
  'license',
  'citation',
  'contact',
] as const;

export type ModelTopic = (typeof MODEL_TOPICS)[number];
export type DatasetTopic = (typeof DATASET_TOPICS)[number];
export type Topic = ModelTopic | DatasetTopic;

/**
 * Heading patterns per topic, over `normalizeTitle` output (lower case, punctuation to spaces). Linear
 * regular expressions only: titles are bounded, but patterns must not backtrack either.
 */
const TITLE_PATTERNS: Readonly<Record<Topic, readonly RegExp[]>> = {
  'model-description': [
    /^(?:model )?(?:description|details|summary|overview|information)$/,
    /^model (?:details|description|summary|overview|information)\b/,
    /^about(?: the model)?$/,
  ],
  developers: [/\b(?:developed by|developers?|model developers|creators?|organi[sz]ation|authors?)$/],
  'model-type': [/\bmodel (?:type|architecture)\b/, /\barchitecture\b/],
  'intended-use': [
    /\bintended (?:use|uses|usage|use cases?)\b/,
    /^(?:primary )?(?:uses?|usage)$/,
    /\b(?:direct|downstream|primary|secondary|evaluated) uses?\b/,
    /^model uses?$/,
    /^use cases?$/,
    /^(?:intended )?applications?$/,
  ],
  'out-of-scope': [
    /\bout of scope\b/,
    /\bmisuse\b/,
    /\b(?:malicious|unintended|prohibited|inappropriate) uses?\b/,
    /\bnot intended\b/,
  ],
  users: [/\b(?:intended|primary|direct|indirect|target) (?:users?|audiences?)\b/, /^users$/],
  'how-to-use': [
    /\bhow to (?:use|get started|run)\b/,
    /\bgetting started\b/,
    /^(?:example )?usage(?: example)?s?$/,
    /\bquick ?start\b/,
    /^inference$/,
    /^example usage$/,
  ],
  factors: [/\bfactors\b/],
  metrics: [/\bmetrics\b/, /\bperformance measures?\b/],
  'evaluation-data': [
    /\b(?:evaluation|eval|testing|test|validation|benchmark) (?:data|datasets?|sets?|corpus)\b/,
    /\btraining and evaluation data\b/,
  ],
  'evaluation-results': [
    /^(?:evaluation|evaluations)(?: results)?$/,
    /^(?:evaluation )?results$/,
    /\bquantitative analys[ei]s\b/,
    /^(?:model )?performance\b/,
    /^benchmarks?\b/,
    /\binitial results\b/,
    /\bevaluation results\b/,
    // "Eval results", "Evals", "Metrics (synthetic test split)", "Measured", "Scores" (real cards).
    /^evals?\b/,
    // Any results heading but the Trainer's "Training results" (a loss table, not an evaluation).
    /^(?!.*\btraining\b).*\bresults?\b/,
    /^(?:measured|scores)\b/,
  ],
  'training-data': [
    /\b(?:pre ?training|training|fine ?tuning) (?:data|datasets?|corpus|corpora)\b/,
    /^(?:data|datasets?)$/,
    /\btraining and evaluation data\b/,
  ],
  'training-procedure': [
    /\btraining (?:procedure|details|hyperparameters|setup|regime|process|configuration)\b/,
    /^training$/,
    /^fine ?tuning$/,
    /^hyperparameters$/,
  ],
  limitations: [/\blimitations?\b/, /\bcaveats\b/, /\bknown issues\b/, /\bshortcomings\b/],
  'bias-risks': [/\bbias(?:es)?\b/, /\bfairness\b/, /\brisks?\b/, /\bharms?\b/, /\bsafety\b/],
  'ethical-considerations': [
    /\bethic(?:s|al)\b/,
    /\bresponsib(?:le|ility)\b/,
    /\b(?:societal|social|broader) (?:impacts?|implications)\b/,
  ],
  recommendations: [/\brecommendations?\b/, /\bbest practices\b/],
  'environmental-impact': [
    /\benvironmental (?:impact|footprint|cost)\b/,
    /\bcarbon\b/,
    /\bco2\b/,
    /\bemissions?\b/,
    /\benergy (?:use|usage|consumption)\b/,
  ],
  'technical-specs': [
    /\btechnical specifications?\b/,
    /\bcompute infrastructure\b/,
    /^(?:hardware|software)(?: and software)?$/,
    /\bmodel architecture and objective\b/,
  ],
  license: [/\blicen[cs](?:e|es|ing)\b/, /\bterms of use\b/],
  citation: [/\bcitations?\b/, /\bcite\b/, /\bbibtex\b/, /^references?$/],
  contact: [/\bcontact\b/, /\bquestions or comments\b/, /^feedback$/, /\bwhere to send\b/, /^support$/],
  'dataset-summary': [
    /^dataset (?:summary|description|overview)$/,
    /^(?:summary|description|overview)$/,
    /^about(?: the dataset)?$/,
  ],
  motivation: [/\bmotivation\b/, /\bcuration rationale\b/, /\bmission statement\b/, /\bpurpose\b/],
  composition: [
    /\bcomposition\b/,
    /\bdataset structure\b/,
    /\bdata (?:instances|fields|splits|statistics)\b/,
    /\bdataset statistics\b/,
  ],
  collection: [
    /\bcollection\b/,
    /\bsource data\b/,
    /\bsource language producers\b/,
    /\bdata sources?\b/,
    /\bgathering\b/,
  ],
  preprocessing: [
    /\bpre ?processing\b/,
    /\bcleaning\b/,
    // "Initial Data Collection and Normalization" (the Hub dataset template) is about collection.
    /^(?!.*\bcollection\b).*\bnormali[sz]ation\b/,
    /\bfiltering\b/,
    /\blabel(?:l)?ing\b/,
  ],
  annotations: [/\bannotations?\b/, /\bannotators\b/, /\bannotation process\b/],
  uses: [
    /^uses$/,
    /\bsupported tasks\b/,
    /\bintended uses?\b/,
    /\bdirect uses?\b/,
    /\bapplications?\b/,
    /\bleaderboards?\b/,
  ],
  distribution: [/\bdistribution\b/, /\blicensing information\b/, /\baccess\b/, /\bdownload\b/],
  maintenance: [
    /\bmaintenance\b/,
    /\bcurators\b/,
    /\bmaintainers?\b/,
    /\bcontributions?\b/,
    /\berrata\b/,
    /\bversioning\b/,
  ],
  'personal-data': [/\bpersonal\b/, /\bsensitive information\b/, /\bprivacy\b/, /\bconsent\b/, /\bpii\b/],
  'social-impact': [/\bsocial impact\b/, /\bconsiderations for using the data\b/, /\bsocietal impact\b/],
  languages: [/^languages?$/, /\blinguistic characteristics\b/],
};

/**
 * Labels answering a topic inside running text: `- **Developed by:** Meta`, `Model date: 2023`,
 * `**Primary intended users**` followed by a paragraph. Matched over the normalised label.
 */
const LABEL_PATTERNS: Readonly<Partial<Record<Topic, readonly RegExp[]>>> = {
  developers: [
    /^(?:developed|created|built|trained|shared|funded) by$/,
    /^(?:model )?developers?$/,
    /^person or organization developing (?:the )?model$/,
    /^organi[sz]ation(?: developing the model)?$/,
    /^authors?$/,
  ],
  'model-type': [/^model (?:type|architecture)$/, /^architecture$/],
  'intended-use': [/^(?:primary )?intended uses?$/, /^(?:direct|downstream) uses?$/, /^use cases?$/],
  'out-of-scope': [/^out of scope (?:uses?|use cases)$/, /\bout of scope\b/, /^misuse$/],
  users: [/^(?:primary )?intended users$/, /^(?:direct|indirect) users$/, /^target users$/],
  license: [/^licen[cs]e$/, /^(?:model )?licen[cs]e$/],
  citation: [/^bibtex$/, /^apa$/, /^citation$/, /^paper(?: or resources for more information)?$/],
  contact: [
    /^contact$/,
    /^model card contact$/,
    /^questions$/,
    /^where to send questions or comments about the model$/,
    /^feedback$/,
    // The Hub dataset template's `- **Point of Contact:**` line (Gebru et al.'s maintenance question).
    /^point of contact$/,
  ],
  'environmental-impact': [
    /^carbon emitted$/,
    /^carbon footprint$/,
    /^training (?:greenhouse gas emissions|energy use|carbon emissions)$/,
    /^co2 emissions?$/,
    /^hardware type$/,
    /^hours used$/,
    /^compute region$/,
  ],
  limitations: [/^limitations$/, /^known limitations$/],
  'training-data': [/^training data(?:sets?)?$/, /^(?:pre ?)?training corpus$/],
  'evaluation-data': [/^evaluation data(?:sets?)?$/, /^test data$/],
  metrics: [/^metrics$/],
  factors: [/^(?:relevant |evaluation )?factors$/],
};

export interface TopicCoverage {
  readonly topic: Topic;
  /** Best state found: `content` beats `placeholder` beats `empty`; `absent` when nothing names it. */
  readonly state: SectionState | 'absent';
  /** Sections whose heading names the topic, in document order. */
  readonly sections: readonly number[];
  /** 1-based line of the first heading or label naming it. */
  readonly line: number | undefined;
  /** How it was found. */
  readonly via: 'heading' | 'label' | 'prose' | undefined;
}

export type TopicIndex = ReadonlyMap<Topic, TopicCoverage>;

/** Topics a normalised heading names (a heading may name several: "Bias, Risks, and Limitations"). */
export function topicsOfTitle(normalizedTitle: string): Topic[] {
  const found: Topic[] = [];
  for (const [topic, patterns] of Object.entries(TITLE_PATTERNS) as [Topic, readonly RegExp[]][]) {
    if (patterns.some((p) => p.test(normalizedTitle))) found.push(topic);
  }
  return found;
}

export function labelTopics(label: string): Topic[] {
  const found: Topic[] = [];
  for (const [topic, patterns] of Object.entries(LABEL_PATTERNS) as [Topic, readonly RegExp[]][]) {
    if (patterns.some((p) => p.test(label))) found.push(topic);
  }
  return found;
}

const RANK: Readonly<Record<SectionState | 'absent', number>> = {
  absent: 0,
  empty: 1,
  placeholder: 2,
  content: 3,
};

function better(a: SectionState | 'absent', b: SectionState | 'absent'): SectionState | 'absent' {
  return RANK[b] > RANK[a] ? b : a;
}

/** `- **Label:** value`, `Label: value`, `**Label**: value`, `**Label**` (value on the next lines). */
const LABEL_LINE =
  /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?([A-Za-z][^*_:\n(]{1,80}?)(?:\*\*|__)?[ \t]*(?::(?:\*\*|__)?[ \t]*(.*))?$/;

/** `**Model developers** Meta`: a bold label with its value after it on the same line (Meta's cards). */
const BOLD_LABEL_INLINE =
  /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)([A-Za-z][^*_:\n]{1,80}?)(?:\*\*|__)[ \t]+(?:[:-][ \t]*)?([^ \t].*)$/;

/**
 * A labelled line: a label with a colon (`License: MIT`, `- **Developed by:** Meta`, `**BibTeX:**`) or a
 * bold one (`**Model developers** Meta`, `**Primary intended users**`). A plain line without a colon is text.
 */
export function labelOf(
  line: string,
): { readonly label: string; readonly value: string | undefined } | undefined {
  // The label is bounded by the patterns; the value may be a long line (Llama 4: 396 characters).
  if (line.length > MAX_PROSE_LINE) return undefined;
  const m = BOLD_LABEL_INLINE.exec(line) ?? LABEL_LINE.exec(line);
  if (!m) return undefined;
  const hasColon = m[2] !== undefined;
  if (!hasColon && !/^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)/.test(line)) return undefined;
  return { label: m[1] as string, value: m[2] };
}

/**
 * Sentences that answer a topic in running prose, for cards written as essays ("The primary intended users
 * of these models are AI researchers"). Kept to unambiguous phrasings.
 */
export const PROSE_PATTERNS: Readonly<Partial<Record<Topic, RegExp>>> = {
  users: /\b(?:primary |intended |target ){1,2}(?:users|audience)\b[^.\n]{0,40}\b(?:are|is|include)\b/i,
  'out-of-scope':
    /\bout[- ]of[- ]scope\b|\b(?:should|must) not be used (?:for|to|in)\b|\bis not intended (?:for|to)\b|\bare not intended (?:for|to)\b/i,
  // A dot only inside a version number: "released under the Apache 2.0 license".
  license:
    /\b(?:licen[cs]ed|released|distributed|available) under (?:the |a |an )?(?:[^.\n]|\.\d){0,60}licen[cs]e\b/i,
};
/** Characters of one line looked at for prose answers. */
const MAX_PROSE_LINE = 2000;

export function normalizeLabel(label: string): string {
  return label
    .replace(/\[optional\]|\(optional\)/gi, ' ')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Whether a label's value says something (placeholders and empty values do not). */
function valueState(value: string): SectionState {
  const { rest, found } = stripPlaceholders(value, { sectionTitle: undefined, trainerCard: false });
  if (/[\p{L}\p{N}]/u.test(rest.replace(/\*\*|__|`/g, ''))) return 'content';
  return found.length > 0 ? 'placeholder' : 'empty';
}

/**
 * A section's state without the subsections that are about another topic: "Intended Use" whose only
 * content is an "Out-of-Scope" child does not count as stating intended use.
 */
function stateFor(
  doc: CardDocument,
  index: number,
  topic: Topic,
  titleTopics: readonly Topic[][],
): SectionState {
  const root = doc.sections[index] as CardSection;
  let state: SectionState = root.state;
  // Last line of a subsection about another topic: its own subsections are about that topic too.
  let skipUntil = 0;
  for (let i = index + 1; i < doc.sections.length; i++) {
    const s = doc.sections[i] as CardSection;
    if (s.headingLine > root.endLine) break;
    if (s.headingLine <= skipUntil) continue;
    const own = titleTopics[i] ?? [];
    if (own.length > 0 && !own.includes(topic)) {
      skipUntil = s.endLine;
      continue;
    }
    state = better(state, s.state) as SectionState;
  }
  return state;
}

/**
 * Finds which topics a card covers and how well: by heading (own body plus subsections about the same
 * topic or about none) and by labelled lines in any section body or the preamble.
 */
export function indexTopics(doc: CardDocument, bodyLines?: readonly string[]): TopicIndex {
  const titleTopics = doc.sections.map((s) => topicsOfTitle(s.normalizedTitle));
  const index = new Map<
    Topic,
    {
      state: SectionState | 'absent';
      sections: number[];
      line: number | undefined;
      via: 'heading' | 'label' | 'prose' | undefined;
    }
  >();
  const entry = (topic: Topic) => {
    let e = index.get(topic);
    if (!e) {
      e = { state: 'absent', sections: [], line: undefined, via: undefined };
      index.set(topic, e);
    }
    return e;
  };
  doc.sections.forEach((section, i) => {
    for (const topic of titleTopics[i] ?? []) {
      const e = entry(topic);
      e.sections.push(i);
      e.state = better(e.state, stateFor(doc, i, topic, titleTopics));
      if (e.line === undefined) {
        e.line = section.headingLine;
        e.via = 'heading';
      }
    }
  });
  // Labels: walk the section bodies (bounded by the reader) and, when the caller gives the card's lines,
  // the preamble too.
  const scanLabels = (text: string, firstLine: number) => {
    const lines = text.split('\n');
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k] as string;
      const m = labelOf(line);
      if (!m) continue;
      const topics = labelTopics(normalizeLabel(m.label));
      if (topics.length === 0) continue;
      let state: SectionState;
      if (m.value !== undefined && m.value.trim() !== '') state = valueState(m.value);
      else {
        // Value on the following lines (a paragraph or list item), unless the next line is another label.
        const next = lines.slice(k + 1, k + 4).find((l) => l.trim() !== '');
        state = next !== undefined && labelOf(next) === undefined ? valueState(next) : 'empty';
      }
      for (const topic of topics) {
        const e = entry(topic);
        e.state = better(e.state, state);
        if (e.line === undefined) {
          e.line = firstLine + k;
          e.via = 'label';
        }
      }
    }
  };
  for (const section of doc.sections) {
    // The body is trimmed: find the line its text starts on so labels point at the right line.
    let first = section.bodyStartLine;
    const head = section.body.split('\n', 1)[0]?.trim() ?? '';
    if (bodyLines !== undefined && head !== '') {
      for (let l = section.bodyStartLine; l <= section.bodyEndLine && l <= bodyLines.length; l++) {
        if ((bodyLines[l - 1] as string).includes(head)) {
          first = l;
          break;
        }
      }
    }
    scanLabels(section.body, first);
  }
  if (bodyLines !== undefined && doc.preamble.endLine >= doc.preamble.startLine)
    scanLabels(
      bodyLines.slice(doc.preamble.startLine - 1, doc.preamble.endLine).join('\n'),
      doc.preamble.startLine,
    );
  if (bodyLines !== undefined) {
    // A heading is not a sentence: "### Out-of-Scope Use" over a placeholder does not state the topic.
    const headingLines = new Set(doc.sections.map((s) => s.headingLine));
    for (const [topic, pattern] of Object.entries(PROSE_PATTERNS) as [Topic, RegExp][]) {
      const e = index.get(topic);
      if (e?.state === 'content') continue;
      const start = doc.frontMatter?.endLine ?? 0;
      // Only the lines the reader read: none of a card refused as binary.
      const end = Math.min(bodyLines.length, doc.lineCount);
      for (let n = start; n < end; n++) {
        if (headingLines.has(n + 1)) continue;
        if (pattern.test((bodyLines[n] as string).slice(0, MAX_PROSE_LINE))) {
          const entry_ = entry(topic);
          entry_.state = 'content';
          if (entry_.line === undefined) {
            entry_.line = n + 1;
            entry_.via = 'prose';
          }
          break;
        }
      }
    }
  }
  const result = new Map<Topic, TopicCoverage>();
  for (const [topic, e] of index) result.set(topic, { topic, ...e });
  return result;
}

/** The coverage of a topic, `absent` when the card never names it. */
export function coverage(topics: TopicIndex, topic: Topic): TopicCoverage {
  return topics.get(topic) ?? { topic, state: 'absent', sections: [], line: undefined, via: undefined };
}
