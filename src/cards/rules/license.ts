/**
 * The licence rules of the card audit: whether a model or dataset card states its licence, in metadata the
 * Hub can read, with a valid id, consistent with the card's prose, the repository's LICENSE files and the
 * licence of the model it derives from.
 *
 * The Hub reads the licence from the `license` metadata key only (hub-docs `repositories-licenses.md`:
 * "You are able to add a license to any repo that you create on the Hugging Face Hub to let other users
 * know about the permissions that you want to attribute to your code or data. The license can be specified
 * in your repository's README.md file, known as a card on the Hub, in the card's metadata section"), and
 * filters and displays repositories by it. Prose and LICENSE files are what a reader of the card relies on,
 * so disagreement between them is reported.
 *
 * Pure: reads the audit context, never throws on any metadata shape.
 */
import type { Severity } from '../../core/finding.js';
import type { RuleDescriptor } from '../../core/rules.js';
import type {
  CardAuditContext,
  CardCheck,
  CardFindingDraft,
  CardKind,
  RepoTextFile,
} from '../audit/types.js';
import {
  allowsCommercialUse,
  type BaseModelEntry,
  type LicenseTerms,
  licenseTermsOf,
  lookupBaseModel,
  normalizeModelId,
  otherLicenseName,
} from '../base-models.js';
import {
  findLicenseMentions,
  identifyLicenseText,
  type LicenseMention,
  type LicenseTextResult,
} from '../license-text.js';
import { stripPlaceholders } from '../placeholders.js';
import type { MarkdownLine } from '../sections.js';
import { coverage } from '../topics.js';
import { checkLicenses, checkLicense as checkLicenseValue, type LicenseCheck } from '../vocabulary.js';
import { markdownLines, sectionTopics } from './prose.js';

const HUB_LICENSES_DOC = 'https://huggingface.co/docs/hub/repositories-licenses';
const HUB_MODEL_CARDS_DOC = 'https://huggingface.co/docs/hub/model-cards';
const HUB_BASE_MODEL_DOC = 'https://huggingface.co/docs/hub/model-cards#specifying-a-base-model';
const SPDX_LIST = 'https://spdx.org/licenses/';
const LICENSEE = 'https://github.com/licensee/licensee';

export const CARD_LICENSE_RULES = {
  missing: {
    id: 'CARD-LICENSE-MISSING',
    title: 'No licence stated',
    description:
      'The card has no `license` in its metadata (nor the legacy `licenses`), says nothing about its licence in the prose (a License section with content, a `License:` line, a sentence such as "released under the MIT license"), and its repository has no LICENSE file: nobody can tell whether or how the model or dataset may be used.',
    help: "Add `license: <id>` to the front matter with an id from the Hub's list, or `license: other` with `license_name` and `license_link` for a licence the Hub does not list; add the licence text as a LICENSE file.",
    defaultSeverity: 'medium',
    references: [HUB_LICENSES_DOC, HUB_MODEL_CARDS_DOC],
    tags: ['card', 'license'],
  },
  metadataMissing: {
    id: 'CARD-LICENSE-METADATA-MISSING',
    title: 'Licence stated only outside the metadata',
    description:
      'The card states a licence in its prose, or the repository has a LICENSE file, but the metadata has no `license`: the Hub filters, displays and gates repositories by the metadata licence only, so the model or dataset shows as unlicensed there.',
    help: 'Add the licence to the front matter as `license: <id>` (the id is suggested when the prose or the LICENSE file names a licence the Hub knows).',
    defaultSeverity: 'low',
    references: [HUB_LICENSES_DOC],
    tags: ['card', 'license', 'metadata'],
  },
  invalid: {
    id: 'CARD-LICENSE-INVALID',
    title: 'Licence metadata is not valid',
    description:
      'A `license` value is neither a Hub licence id nor an SPDX id or expression (a typo, free text, a number, a YAML boolean, a mapping); `license: other` lacks `license_name` or `license_link`; or `license_link` points at a file the repository does not have.',
    help: "Use an id from the Hub's licence list (or an SPDX id); for a licence the Hub does not list, `license: other` with `license_name` (a short id) and `license_link` (a LICENSE file in the repository or a URL).",
    defaultSeverity: 'low',
    references: [HUB_LICENSES_DOC, HUB_MODEL_CARDS_DOC, SPDX_LIST],
    tags: ['card', 'license', 'metadata'],
  },
  nonCanonical: {
    id: 'CARD-LICENSE-NONCANONICAL',
    title: 'Licence id not written as the Hub writes it',
    description:
      "A `license` value is recognisable but not the Hub's id: another spelling (`BSD-3`, `Apache 2.0`, `MIT License`), the SPDX spelling (`Apache-2.0`), an SPDX expression, an SPDX id the Hub has no id for, `license: other` naming a licence the Hub knows, or a family id (`bsd`) where the LICENSE file or prose says which licence. The Hub matches ids as written, so the repository is not found under its licence.",
    help: 'Write the Hub id the message names.',
    defaultSeverity: 'low',
    references: [HUB_LICENSES_DOC, SPDX_LIST],
    tags: ['card', 'license', 'metadata'],
  },
  fileMismatch: {
    id: 'CARD-LICENSE-FILE-MISMATCH',
    title: 'Licence metadata disagrees with the LICENSE file',
    description:
      "The metadata licence differs from the licence of the repository's LICENSE file, identified offline from its text (word-set similarity with the SPDX texts, as GitHub's licensee does, or the title of a model licence). Separate code and weights licences are recognised (LICENSE_weights, MODEL_LICENSE, or prose saying the code is under one licence and the weights under another): the metadata should then name the weights licence. A file whose licence cannot be identified is not compared.",
    help: 'Make the metadata and the LICENSE file agree; when code and weights are licensed differently, declare the weights licence in `license` and say which applies to what in the card.',
    defaultSeverity: 'medium',
    references: [HUB_LICENSES_DOC, LICENSEE],
    tags: ['card', 'license', 'consistency'],
  },
  proseMismatch: {
    id: 'CARD-LICENSE-PROSE-MISMATCH',
    title: "Licence metadata disagrees with the card's prose",
    description:
      'The card\'s License section, a `License:` line or a sentence about this model or dataset ("This model is released under Apache 2.0") names a different licence than the metadata. Sentences about other things (the base model, training data, libraries, a licence the card only cites) are not compared, and when the prose gives separate code and weights licences the metadata is compared with the weights licence.',
    help: 'Correct whichever is wrong, so that the metadata, which the Hub shows, and the prose, which readers follow, name the same licence.',
    defaultSeverity: 'medium',
    references: [HUB_LICENSES_DOC],
    tags: ['card', 'license', 'consistency'],
  },
  baseConflict: {
    id: 'CARD-LICENSE-BASE-CONFLICT',
    title: "Licence conflicts with the base model's licence",
    description:
      'The card declares a `base_model` whose licence binds derivatives, and the declared licence does not honour it: a Llama fine-tune not under its Llama licence (or, from Llama 3 on, not named starting with "Llama"), a derivative of a non-commercial base under a licence that allows commercial use, a share-alike base under another licence, or a RAIL/Gemma base whose use restrictions the declared licence drops. High when clear-cut, medium when only likely. Only well-known base models are checked (an offline table); others are not judged.',
    help: "Declare the licence the base model's licence requires for derivatives (for Llama models, the same Llama licence; for non-commercial bases, a non-commercial licence), or use a base model whose licence allows yours.",
    defaultSeverity: 'high',
    references: [HUB_BASE_MODEL_DOC, HUB_LICENSES_DOC],
    tags: ['card', 'license', 'supply-chain'],
  },
} as const satisfies Record<string, RuleDescriptor>;

const RULES = CARD_LICENSE_RULES;

// ---------------------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------------------

/** Characters of a prose line examined; longer lines are clipped (a line is a paragraph at most). */
const MAX_PROSE_LINE_CHARS = 4_000;
/** Characters of a paragraph split into sentences and scanned for licence names. */
const MAX_PARAGRAPH_CHARS = 16 * 1024;
/** Licence statements kept per card; a card with more is pasting licence texts, and the first ones decide. */
const MAX_STATEMENTS = 200;
/** Licence files identified per card; a repository with more has vendored third-party code. */
const MAX_LICENSE_FILES = 20;
/** `base_model` entries looked up (merges name a few; a list of hundreds is not a real lineage). */
const MAX_BASE_MODELS = 20;
/** Findings about individual `license` list items; the rest are summarised in the last one. */
const MAX_ITEM_FINDINGS = 20;
/** Characters of a value or sentence quoted in a message (STYLE.md §9: quote truncated input). */
const MAX_QUOTED_CHARS = 80;
/** Characters of a sentence kept as evidence. */
const MAX_EVIDENCE_CHARS = 200;
/** Longest `license_link` checked against the repository's files. */
const MAX_LINK_CHARS = 1_000;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);
const quote = (text: string) => JSON.stringify(clip(text, MAX_QUOTED_CHARS));

/** A value of unknown shape, described for a message. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.trim() === '' ? 'blank' : quote(value);
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${clip(String(value), MAX_QUOTED_CHARS)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Comparing licence ids
// ---------------------------------------------------------------------------------------------------------

/**
 * The family an id belongs to, for ids and families to agree (`bsd` with `bsd-3-clause`, `cc` with
 * `cc-by-4.0`, the RAIL licences with `openrail`, `llama` for any Llama licence). The Hub's own family ids
 * are those whose name ends in "family" (hub-docs table).
 */
function familyOf(id: string): string | undefined {
  if (/^cc(?:0|-)/.test(id)) return 'cc';
  if (/^bsd-/.test(id)) return 'bsd';
  if (/^gpl-/.test(id)) return 'gpl';
  if (/^lgpl-\d/.test(id)) return 'lgpl';
  if (/^gfdl-/.test(id)) return 'gfdl';
  if (/openrail|^bigscience-bloom-rail-/.test(id)) return 'openrail';
  if (/^llama\d/.test(id)) return 'llama';
  return undefined;
}

/** The id without its version (`cc-by-nc-4.0` → `cc-by-nc`, `llama3.1` → `llama`, `apache-2.0` → `apache`). */
function withoutVersion(id: string): string {
  return id.replace(/-v?\d+(?:\.\d+)+[a-z]?$/, '').replace(/(?<=[a-z])\d+(?:\.\d+)?$/, '');
}

/** Whether `general` (an id, a family, or an id without version) includes `specific`. */
function covers(general: string, specific: string): boolean {
  return general === specific || familyOf(specific) === general || withoutVersion(specific) === general;
}

/** Whether two licence ids can describe the same licence. */
function agree(a: string, b: string): boolean {
  return covers(a, b) || covers(b, a);
}

// ---------------------------------------------------------------------------------------------------------
// The declared licence
// ---------------------------------------------------------------------------------------------------------

interface DeclaredItem {
  readonly check: LicenseCheck;
  readonly raw: unknown;
  /** JSON Pointer of the item (`/license/1`) or the key (`license`). */
  readonly pointer: string;
  /** `license` or `license[1]`, for messages and the finding's field. */
  readonly field: string;
  /** The ids it stands for, for comparisons: Hub ids, SPDX ids in lower case, `other`, `unknown`. */
  readonly ids: readonly string[];
}

interface Declared {
  readonly key: 'license' | 'licenses';
  readonly value: unknown;
  readonly items: readonly DeclaredItem[];
  readonly listIssue?: { readonly code: string; readonly message: string };
  /** Every id, with `other` resolved through `license_name` where the name is a Hub id. */
  readonly ids: readonly string[];
  /** `license_name` when `license: other` names a licence the Hub does not know. */
  readonly otherName?: string;
}

const isEmptyValue = (value: unknown) =>
  value === null ||
  value === undefined ||
  (typeof value === 'string' && value.trim() === '') ||
  (Array.isArray(value) && value.length === 0);

/** The ids a checked value stands for (none when it is not recognised). */
function idsOfCheck(check: LicenseCheck, raw: unknown, depth = 0): string[] {
  if (check.issue?.code === 'misspelt') return [];
  if (check.issue?.code === 'spdx-expression' && check.canonical === undefined) {
    // `MIT OR Apache-2.0`: the ids of its parts (SPDX spec Annex D; WITH exceptions keep the licence).
    if (typeof raw !== 'string' || depth > 0) return [];
    return raw
      .replace(/[()]/g, ' ')
      .split(/\s+(?:AND|OR)\s+/i)
      .slice(0, 10)
      .flatMap((part) => {
        const licence = part.split(/\s+WITH\s+/i)[0]?.trim() ?? '';
        return idsOfCheck(checkLicenseValue(licence), licence, depth + 1);
      });
  }
  if (check.kind === 'hf') return check.canonical === undefined ? [] : [check.canonical];
  if (check.kind === 'other') return ['other'];
  if (check.kind === 'spdx') {
    if (check.issue?.code === 'hub-spelling' || check.issue?.code === 'spdx-expression') {
      const id = check.suggestion ?? check.canonical?.toLowerCase();
      return id === undefined ? [] : [id];
    }
    return check.canonical === undefined ? [] : [check.canonical.toLowerCase()];
  }
  return [];
}

/** Reads `license` (or the legacy dataset key `licenses`, renamed in 2022: huggingface/datasets#4607). */
function readDeclared(ctx: CardAuditContext): Declared | undefined {
  const meta = ctx.meta;
  const key: 'license' | 'licenses' =
    'license' in meta && !isEmptyValue(meta.license)
      ? 'license'
      : 'licenses' in meta
        ? 'licenses'
        : 'license';
  const value = meta[key];
  if (isEmptyValue(value)) return undefined;
  const licenseName = meta.license_name;
  const context = { licenseName, licenseLink: meta.license_link };
  const list = checkLicenses(value, context);
  const isList = Array.isArray(value);
  const items: DeclaredItem[] = list.items.map((check, i) => {
    const raw = isList ? (value as unknown[])[i] : value;
    return {
      check,
      raw,
      pointer: isList ? `/${key}/${i}` : key,
      field: isList ? `${key}[${i}]` : key,
      ids: idsOfCheck(check, raw),
    };
  });
  // `license: other` with `license_name: llama3` means llama3 for every comparison.
  const named = typeof licenseName === 'string' ? checkLicenseValue(licenseName) : undefined;
  const namedId =
    named !== undefined &&
    (named.kind === 'hf' || named.issue?.code === 'hub-spelling') &&
    named.issue?.code !== 'misspelt'
      ? named.kind === 'hf'
        ? named.canonical
        : named.suggestion
      : undefined;
  const ids = [
    ...new Set(
      items.flatMap((item) =>
        item.ids.map((id) => (id === 'other' && namedId !== undefined && namedId !== 'other' ? namedId : id)),
      ),
    ),
  ];
  const otherName =
    ids.includes('other') && typeof licenseName === 'string' && licenseName.trim() !== ''
      ? licenseName.trim()
      : undefined;
  return {
    key,
    value,
    items,
    ids,
    ...(list.issue === undefined ? {} : { listIssue: list.issue }),
    ...(otherName === undefined ? {} : { otherName }),
  };
}

/** Ids that say something to compare (not `other`, whose licence has no id, nor `unknown`). */
const comparable = (ids: readonly string[]) => ids.filter((id) => id !== 'other' && id !== 'unknown');

// ---------------------------------------------------------------------------------------------------------
// What the prose says
// ---------------------------------------------------------------------------------------------------------

/** Whom a licence statement is about. */
export type Subject =
  /** This model or dataset (its weights when `weights` is set). */
  | 'self'
  /** The code in the repository. */
  | 'code'
  /** Training or source data, in a model card. */
  | 'data'
  /** Something else: a base model, a library, another project. */
  | 'other';

export interface Claim {
  readonly mention: LicenseMention;
  readonly subject: Subject;
  /** The statement is about the weights (or "the model") specifically. */
  readonly weights: boolean;
}

export interface Statement {
  readonly line: number;
  /** The sentence, clipped, for evidence. */
  readonly text: string;
  /** `§ License` (a section) or `License` (a labelled line), for the finding's field. */
  readonly field: string;
  readonly claims: readonly Claim[];
}

export interface Prose {
  readonly statements: readonly Statement[];
  /** A licence section or label whose content states something (recognised or not). */
  readonly stated: { readonly line: number; readonly field: string; readonly text: string } | undefined;
  /** A licence section or label left as a template placeholder. */
  readonly placeholder: { readonly line: number; readonly field: string } | undefined;
}

/** A licence label: `**License:** X`, `- **License**: X`, `License: X`, `**License** X`, `**Model license:** X`. */
const LICENSE_LABEL =
  /^[ \t]{0,8}(?:[-*+][ \t]+|\d{1,3}[.)][ \t]+)?(?:\*\*|__)?[ \t]{0,3}((?:model|code|weights?|dataset|data|software)?[ \t]{0,2}licen[cs](?:e|es|ing)(?:[ \t]{1,2}(?:information|terms|details))?)[ \t]{0,3}(?::[ \t]{0,3}(?:\*\*|__)|(?:\*\*|__)[ \t]{0,3}:?|:)[ \t]{0,3}(.*)$/i;
/** A table row labelled License: `| License | MIT |`. */
const LICENSE_TABLE_ROW =
  /^[ \t]{0,3}\|[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}(licen[cs]e)[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}\|([^|]{1,500})\|/i;
/** What every match of `LICENSE_LABEL` and `LICENSE_TABLE_ROW` contains. */
const LICEN = /licen/i;
/** A line that is itself a label or a heading (the value of an empty label is not on such a line). */
const LABEL_OR_HEADING =
  /^[ \t]{0,8}(?:[-*+][ \t]+)?(?:\*\*|__)[^*_\n]{1,80}(?:\*\*|__)|^[^:\n]{1,60}:[ \t]*$|^ {0,3}#{1,6}(?:[ \t]|$)/;
const LIST_ITEM = /^[ \t]{0,8}(?:[-*+]|\d{1,3}[.)])[ \t]+/;
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const BLOCKQUOTE = /^ {0,3}>/;
const TABLE_ROW = /^[ \t]{0,3}\|/;

/** Where a sentence about licensing keeps its verb. */
const LICENSING_VERB =
  /\b(?:(?:is|are|was|were|be|been|being)[ \t]+)?(?:licen[cs]ed|released|distributed|available|provided|published|shared|made[ \t]+available|governed|covered|subject|open[- ]sourced?)\b/i;
/** A licence named right after "under", "subject to", "governed by": a statement, not a citation. */
const UNDER_BEFORE_MENTION =
  /\b(?:under|subject[ \t]+to|governed[ \t]+by|covered[ \t]+by)\b(?:\W+\w+){0,8}\W*$/i;
/** Outside a licence section, a sentence counts only when its subject is this model or dataset. */
const THIS_SUBJECT =
  /\b(?:this|our|these)\b[^.]{0,40}?\b(?:model|models|weights|checkpoints?|dataset|data[ \t]?set|corpus|repository|repo|adapter|lora|work|project|release|code|codebase|software)\b|\bthe[ \t]+(?:model|weights|checkpoints?|dataset|code)\b|\bwe[ \t]+(?:release|distribute|license|licence|make|publish|share|provide|open[- ]source)\b|^[ \t]*(?:it|they)[ \t]+(?:is|are)\b/i;
/** A scope after the licence name: "Apache 2.0 for the code", "(CC BY-NC) for the weights". */
const FOR_WHAT =
  /^[ \t)\]"'`*_]{0,4}(?:licen[cs]e[ \t]{1,2})?(?:for|on|covers?|applies[ \t]+to)[ \t]+(?:the[ \t]+|all[ \t]+|our[ \t]+)?((?:model[ \t]+)?(?:code|codebase|source[ \t]+code|software|scripts|weights|checkpoints|model|dataset|data))\b/i;
/** Negations and past licences in the clause naming a licence. */
const NOT_THE_LICENCE =
  /\b(?:not|never|no[ \t]+longer|formerly|previously|originally|used[ \t]+to[ \t]+be)\b|n't\b/i;
/** Clause boundaries inside a sentence. */
const CLAUSE_SPLIT =
  /[ \t]*[,;][ \t]*(?:(?:and|but|while|whereas)[ \t]+)?|[ \t]+(?:and|but|while|whereas)[ \t]+|:[ \t]+/i;

/** Subject words, classified; the order of alternatives puts multi-word "other" phrases first. */
const SUBJECT_WORDS =
  /\b(?:(base|original|parent|upstream|underlying|foundation|teacher|third[- ]party|dependenc(?:y|ies)|librar(?:y|ies)|framework|tokenizer|derived[ \t]+from|based[ \t]+on|built[ \t]+(?:on|upon)|fine-?tuned[ \t]+(?:from|on)|trained[ \t]+(?:from|on|with)|inherit\w{0,4}|outputs?[ \t]+of|generated[ \t]+(?:by|with|using)|source[ \t]+(?:data|texts?|images?|datasets?|material))|(weights?|checkpoints?|parameters|model[ \t]+files?)|(models?|adapters?|lora)|(code|codebase|source[ \t]+code|software|scripts?|implementation)|(data(?:sets?)?|data[ \t]+sets?|corpus|corpora|images?|annotations?|captions?|recordings?|audio|transcripts?|texts?|samples|metadata|labels)|(this|our|it|we|they))\b/gi;

type SubjectWord = 'other' | 'weights' | 'model' | 'code' | 'data' | 'self';
const SUBJECT_GROUPS: readonly SubjectWord[] = ['other', 'weights', 'model', 'code', 'data', 'self'];

/** Every subject word of a clause, in order. */
function subjectWords(text: string): SubjectWord[] {
  const words: SubjectWord[] = [];
  SUBJECT_WORDS.lastIndex = 0;
  for (const m of text.slice(-400).matchAll(SUBJECT_WORDS)) {
    const group = SUBJECT_GROUPS.findIndex((_, i) => m[i + 1] !== undefined);
    if (group >= 0) words.push(SUBJECT_GROUPS[group] as SubjectWord);
  }
  return words;
}

/** Markdown that says nothing about the subject: link targets, emphasis, brackets, code spans. */
function plainText(text: string): string {
  return text
    .replace(/\]\([^)\s]{0,500}\)/g, ']')
    .replace(/https?:\/\/\S{1,500}/g, ' ')
    .replace(/[*_`[\]<>()#|]/g, ' ')
    .replace(/[ \t]+/g, ' ');
}

/**
 * Whom a licence named at the end of `prefix` (the sentence up to the name) is about. The subject is the
 * phrase before the licensing verb of the last clause ("model weights are released under"); a clause
 * with no subject of its own ("..., and is released under") takes the first subject of the clause
 * before it; a relative clause ("Llama 2, which is licensed under") is about the thing before it, never
 * this model.
 */
function subjectOf(prefix: string, kind: CardKind): { subject: Subject; weights: boolean } {
  const clauses = plainText(prefix).split(CLAUSE_SPLIT);
  const classify = (word: SubjectWord | undefined): { subject: Subject; weights: boolean } | undefined => {
    switch (word) {
      case undefined:
        return undefined;
      case 'other':
        return { subject: 'other', weights: false };
      case 'weights':
        return { subject: 'self', weights: true };
      case 'model':
        // A dataset card's "models trained on it" are other works.
        return kind === 'dataset' ? { subject: 'other', weights: false } : { subject: 'self', weights: true };
      case 'code':
        return { subject: 'code', weights: false };
      case 'data':
        return kind === 'dataset' ? { subject: 'self', weights: false } : { subject: 'data', weights: false };
      case 'self':
        return { subject: 'self', weights: false };
    }
  };
  for (let i = clauses.length - 1; i >= 0; i--) {
    const clause = (clauses[i] as string).trim();
    const verb = LICENSING_VERB.exec(clause);
    const subjectText = i === clauses.length - 1 && verb !== null ? clause.slice(0, verb.index) : clause;
    if (i === clauses.length - 1) {
      if (/^(?:which|that|whose|who)\b/i.test(subjectText.trim()))
        return { subject: 'other', weights: false };
      const words = subjectWords(subjectText);
      const own = classify(words[words.length - 1]);
      if (own !== undefined) return own;
      if (verb === null && subjectText.trim() !== '') return { subject: 'self', weights: false };
      continue;
    }
    // An earlier clause: its grammatical subject comes first.
    const inherited = classify(subjectWords(subjectText)[0]);
    if (inherited !== undefined) return inherited;
  }
  return { subject: 'self', weights: false };
}

/** A paragraph of prose with the card line each character offset comes from. */
interface Paragraph {
  readonly text: string;
  readonly starts: readonly { readonly offset: number; readonly line: number }[];
}

function lineAt(paragraph: Paragraph, offset: number): number {
  let line = paragraph.starts[0]?.line ?? 1;
  for (const start of paragraph.starts) {
    if (start.offset > offset) break;
    line = start.line;
  }
  return line;
}

/** Paragraphs of visible prose between two card lines (1-based, inclusive), code and comments left out. */
function paragraphsOf(md: readonly MarkdownLine[], from: number, to: number): Paragraph[] {
  const out: Paragraph[] = [];
  let text = '';
  let starts: { offset: number; line: number }[] = [];
  const flush = () => {
    if (text.trim() !== '') out.push({ text, starts });
    text = '';
    starts = [];
  };
  for (let line = from; line <= to && line <= md.length; line++) {
    const entry = md[line - 1];
    if (entry === undefined) continue;
    const visible = entry.visible.slice(0, MAX_PROSE_LINE_CHARS);
    if (entry.code || entry.fence || visible.trim() === '') {
      flush();
      continue;
    }
    if (LIST_ITEM.test(visible) || ATX_HEADING.test(visible) || TABLE_ROW.test(visible)) flush();
    if (text.length < MAX_PARAGRAPH_CHARS) {
      if (text !== '') text += ' ';
      starts.push({ offset: text.length, line });
      text += visible.trim();
    }
    if (ATX_HEADING.test(visible) || TABLE_ROW.test(visible)) flush();
  }
  flush();
  return out;
}

/** Sentences of a paragraph with their offsets: split after `.`, `!` or `?` followed by a capital or markup. */
function sentencesOf(text: string): { text: string; offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?]["')\]]?[ \t]+(?=[^a-z \t])/g)) {
    const end = m.index + m[0].length;
    out.push({ text: text.slice(start, end), offset: start });
    start = end;
  }
  if (start < text.length) out.push({ text: text.slice(start), offset: start });
  return out;
}

/** The claims of one sentence; `requireUnder` keeps only names introduced by "under"/"subject to". */
function claimsOf(sentence: string, kind: CardKind, requireUnder: boolean): Claim[] {
  const claims: Claim[] = [];
  for (const mention of findLicenseMentions(sentence)) {
    const prefix = sentence.slice(0, mention.start);
    if (requireUnder && !UNDER_BEFORE_MENTION.test(prefix.slice(-200))) continue;
    // "is not released under", "was formerly licensed under": not the licence it has.
    const clause = plainText(prefix).split(CLAUSE_SPLIT).pop() ?? '';
    if (NOT_THE_LICENCE.test(clause)) continue;
    const after = FOR_WHAT.exec(sentence.slice(mention.end, mention.end + 60));
    const scoped = after === null ? undefined : subjectOf(`${after[1]} is released under`, kind);
    const { subject, weights } = scoped ?? subjectOf(prefix, kind);
    claims.push({ mention, subject, weights });
  }
  return claims;
}

/** Whether a label value or section body says something (placeholders and empty text do not). */
function hasContent(text: string): boolean {
  const { rest } = stripPlaceholders(text, { sectionTitle: undefined, trainerCard: false });
  return /[\p{L}\p{N}]/u.test(
    rest.replace(/\*\*|__|`|\[[^\]]{0,200}\]\([^)]{0,500}\)/g, (m) => (m.startsWith('[') ? m : ' ')),
  );
}

/** Reads what the card's prose says about its licence: licence sections, labelled lines, and sentences. */
export function readProse(ctx: CardAuditContext): Prose {
  const fm = ctx.doc.frontMatter;
  const bodyFrom = fm === undefined ? 0 : fm.endLine;
  const md = markdownLines(ctx);
  const statements: Statement[] = [];
  let stated: Prose['stated'];
  let placeholder: Prose['placeholder'];
  const add = (statement: Statement) => {
    if (statements.length < MAX_STATEMENTS && statement.claims.length > 0) statements.push(statement);
  };

  // 1. Licence sections (by heading): every sentence, its subject defaulting to this model or dataset.
  const covered = new Set<number>();
  const titleTopics = sectionTopics(ctx.doc);
  const sections = ctx.doc.sections.filter((_, i) => titleTopics[i]?.includes('license'));
  for (const section of sections) {
    const field = `§ ${clip(
      section.title
        .replace(/\[([^\]]{0,200})\]\([^)]{0,500}\)/g, '$1')
        .replace(/[#*_`]/g, '')
        .trim(),
      60,
    )}`;
    for (let l = section.headingLine; l <= section.endLine; l++) covered.add(l);
    const titleClaims = claimsOf(section.title, ctx.kind, false);
    if (titleClaims.length > 0) {
      add({
        line: section.headingLine,
        text: clip(section.title, MAX_EVIDENCE_CHARS),
        field,
        claims: titleClaims,
      });
    }
    let sawContent = false;
    for (const paragraph of paragraphsOf(md, section.bodyStartLine, section.endLine)) {
      for (const sentence of sentencesOf(paragraph.text)) {
        const line = lineAt(paragraph, sentence.offset);
        if (!hasContent(sentence.text)) continue;
        sawContent = true;
        stated ??= { line, field, text: clip(sentence.text.trim(), MAX_EVIDENCE_CHARS) };
        add({
          line,
          text: clip(sentence.text.trim(), MAX_EVIDENCE_CHARS),
          field,
          // Claims are only kept while there is room for them (see `add`).
          claims: statements.length < MAX_STATEMENTS ? claimsOf(sentence.text, ctx.kind, false) : [],
        });
      }
    }
    if (!sawContent && titleClaims.length === 0) placeholder ??= { line: section.headingLine, field };
  }

  // 2. Labelled lines outside those sections, and 3. sentences naming a licence "under" which this work is.
  for (let line = bodyFrom + 1; line <= md.length; line++) {
    if (covered.has(line)) continue;
    const entry = md[line - 1];
    if (entry === undefined || entry.code || entry.fence) continue;
    const visible = entry.visible.slice(0, MAX_PROSE_LINE_CHARS);
    // Both label patterns name the licence ("licen..."): a line without it is not looked at with them.
    const label = LICEN.test(visible)
      ? (LICENSE_LABEL.exec(visible) ?? LICENSE_TABLE_ROW.exec(visible))
      : null;
    if (label !== null) {
      const labelText = (label[1] as string).trim();
      const field = labelText.charAt(0).toUpperCase() + labelText.slice(1);
      let value = (label[2] as string).trim();
      let valueLine = line;
      if (value === '' || !hasContent(value)) {
        // `**License**` with the value on the next line (meta-llama/llama MODEL_CARD.md).
        for (let next = line + 1; next <= Math.min(line + 3, md.length); next++) {
          const candidate = md[next - 1];
          if (candidate === undefined || candidate.code || candidate.fence) break;
          const text = candidate.visible.slice(0, MAX_PROSE_LINE_CHARS).trim();
          if (text === '') continue;
          if (value === '' && !LABEL_OR_HEADING.test(text)) {
            value = text;
            valueLine = next;
          }
          break;
        }
      }
      if (!hasContent(value)) {
        placeholder ??= { line, field };
        continue;
      }
      stated ??= { line: valueLine, field, text: clip(value, MAX_EVIDENCE_CHARS) };
      // "Model license:" and "Code license:" say whose licence it is.
      const scope = /^(?:code|software)/i.test(labelText)
        ? 'Code '
        : /^(?:model|weights?)/i.test(labelText)
          ? 'Model weights '
          : '';
      const claims = statements.length < MAX_STATEMENTS ? claimsOf(`${scope}${value}`, ctx.kind, false) : [];
      add({ line: valueLine, text: clip(value, MAX_EVIDENCE_CHARS), field, claims });
      continue;
    }
    if (
      BLOCKQUOTE.test(visible) ||
      !/\b(?:under|subject[ \t]+to|governed[ \t]+by|covered[ \t]+by)\b/i.test(visible)
    )
      continue;
    // With the statements full and `stated` set, a sentence here would change nothing.
    if (statements.length >= MAX_STATEMENTS && stated !== undefined) continue;
    for (const sentence of sentencesOf(visible)) {
      if (!THIS_SUBJECT.test(plainText(sentence.text))) continue;
      const claims = claimsOf(sentence.text, ctx.kind, true).filter((c) => c.subject !== 'other');
      if (claims.length === 0) continue;
      stated ??= { line, field: 'prose', text: clip(sentence.text.trim(), MAX_EVIDENCE_CHARS) };
      add({ line, text: clip(sentence.text.trim(), MAX_EVIDENCE_CHARS), field: 'prose', claims });
    }
  }
  // The topic index also finds `License:` labels in the template's list of model details.
  const topic = coverage(ctx.topics, 'license');
  if (
    stated === undefined &&
    placeholder === undefined &&
    topic.state === 'placeholder' &&
    topic.line !== undefined
  ) {
    placeholder = { line: topic.line, field: '§ License' };
  }
  return { statements, stated, placeholder };
}

/** The claims about this model or dataset: the weights' own when the prose separates weights and code. */
export function selfClaims(prose: Prose): { claims: Claim[]; weightsOnly: boolean } {
  const all = prose.statements.flatMap((s) => s.claims.filter((c) => c.subject === 'self'));
  const weights = all.filter((c) => c.weights);
  const hasCode = prose.statements.some((s) => s.claims.some((c) => c.subject === 'code'));
  return hasCode && weights.length > 0
    ? { claims: weights, weightsOnly: true }
    : { claims: all, weightsOnly: false };
}

const statementOf = (prose: Prose, claim: Claim) => prose.statements.find((s) => s.claims.includes(claim));

// ---------------------------------------------------------------------------------------------------------
// LICENSE files
// ---------------------------------------------------------------------------------------------------------

type FileRole = 'weights' | 'code' | 'general';

interface IdentifiedFile {
  readonly file: RepoTextFile;
  readonly role: FileRole;
  readonly result: LicenseTextResult;
}

/**
 * What a licence file covers, by its name: `LICENSE_weights`, `MODEL_LICENSE`, `WEIGHTS_LICENSE` (or a
 * file in a weights folder) cover the weights; `CODE_LICENSE` the code; third-party notices nothing of
 * this repository's own; other files in subfolders cover that folder only.
 */
function roleOf(path: string): FileRole | undefined {
  const parts = path.toLowerCase().split('/');
  const name = parts[parts.length - 1] ?? '';
  const dirs = parts.slice(0, -1).join('/');
  if (/third[-_ .]?party|3rd[-_ .]?party|notice|vendor|dependenc|acknowledg|attribution/.test(name))
    return undefined;
  if (/weight|model|checkpoint|ckpt/.test(name) || /weight|checkpoint|ckpt/.test(dirs)) return 'weights';
  if (/code|software|source/.test(name)) return 'code';
  return dirs === '' ? 'general' : undefined;
}

function identifyFiles(ctx: CardAuditContext): IdentifiedFile[] {
  const files = ctx.repo?.licenseFiles ?? [];
  const out: IdentifiedFile[] = [];
  for (const file of files.slice(0, MAX_LICENSE_FILES)) {
    if (typeof file?.path !== 'string' || typeof file.text !== 'string') continue;
    const role = roleOf(file.path);
    if (role === undefined) continue;
    out.push({
      file,
      role: ctx.kind === 'dataset' && role === 'weights' ? 'general' : role,
      result: identifyLicenseText(file.text),
    });
  }
  return out;
}

const identifiedId = (f: IdentifiedFile) => (f.result.status === 'identified' ? f.result.id : undefined);
const describeFile = (f: IdentifiedFile) =>
  f.result.status === 'identified'
    ? `${f.file.path}: ${f.result.name} (${f.result.evidence})`
    : `${f.file.path}: ${f.result.evidence}`;

// ---------------------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------------------

/** The Hub id to suggest for a licence known from prose claims or files. */
function suggestionFrom(claims: readonly Claim[], files: readonly IdentifiedFile[]): string | undefined {
  const exact = claims.filter((c) => c.mention.exact && c.mention.id !== 'other');
  if (exact[0] !== undefined) return exact[0].mention.id;
  const byRole = (role: FileRole) => files.find((f) => f.role === role && f.result.status === 'identified');
  const file = byRole('weights') ?? byRole('general');
  return file === undefined ? undefined : identifiedId(file);
}

function checkMissing(
  ctx: CardAuditContext,
  prose: Prose,
  files: readonly IdentifiedFile[],
): CardFindingDraft[] {
  const noun = ctx.kind === 'dataset' ? 'dataset' : 'model';
  const fm = ctx.doc.frontMatter;
  const emptyKey = ['license', 'licenses'].find((k) => k in ctx.meta);
  const metadataNote =
    fm !== undefined && fm.data === undefined
      ? 'the front matter could not be parsed, so the Hub reads no `license`'
      : emptyKey !== undefined
        ? `\`${emptyKey}\` is ${describeValue(ctx.meta[emptyKey])}`
        : 'the metadata has no `license`';
  const line = emptyKey !== undefined ? ctx.lineOf(emptyKey) : undefined;
  const { claims } = selfClaims(prose);
  const filesPresent = (ctx.repo?.licenseFiles ?? []).length > 0;
  if (prose.stated !== undefined || filesPresent) {
    // A licence the prose states but we cannot name ("Non-commercial bespoke license") is not the LICENSE
    // file's: that file may be the code's (meta-llama/llama's LICENSE is GPL-3.0, its weights were not).
    const suggestion =
      prose.stated !== undefined && claims.length === 0 ? undefined : suggestionFrom(claims, files);
    const where =
      prose.stated !== undefined
        ? `the card states a licence in prose (${prose.stated.field}, line ${prose.stated.line}: ${quote(prose.stated.text)})`
        : `the repository has ${files.length > 0 ? files.map((f) => f.file.path).join(', ') : 'a licence file'}`;
    const fileEvidence = files.map(describeFile);
    return [
      {
        rule: RULES.metadataMissing,
        message: `${metadataNote[0]?.toUpperCase()}${metadataNote.slice(1)}, though ${where}: the Hub shows the ${noun} as unlicensed and cannot filter it by licence.`,
        line: line ?? prose.stated?.line,
        field: 'license',
        evidence: [
          prose.stated !== undefined ? `${prose.stated.field}: ${prose.stated.text}` : undefined,
          ...fileEvidence,
        ]
          .filter((e) => e !== undefined)
          .join('; '),
        remediation:
          suggestion !== undefined && suggestion !== 'other'
            ? `Add \`license: ${suggestion}\` to the front matter.`
            : 'Add the licence to the front matter: its Hub id, or `license: other` with `license_name` and `license_link` (the LICENSE file or a URL).',
      },
    ];
  }
  const placeholderNote =
    prose.placeholder !== undefined
      ? ` The card's ${prose.placeholder.field} (line ${prose.placeholder.line}) is an unfilled placeholder.`
      : '';
  return [
    {
      rule: RULES.missing,
      message: `No licence: ${metadataNote} and the prose states none${
        ctx.repo === undefined ? '' : ', and the repository has no LICENSE file'
      }.${placeholderNote}`,
      line: line ?? prose.placeholder?.line,
      field: 'license',
      evidence: prose.placeholder !== undefined ? `${prose.placeholder.field}: placeholder` : metadataNote,
    },
  ];
}

/** Invalid and non-canonical values of `license`, `license_name` and `license_link`. */
function checkValues(
  ctx: CardAuditContext,
  declared: Declared,
  prose: Prose,
  files: readonly IdentifiedFile[],
): CardFindingDraft[] {
  const out: CardFindingDraft[] = [];
  const lineOfItem = (item: DeclaredItem) => ctx.lineOf(item.pointer) ?? ctx.lineOf(declared.key);
  if (declared.listIssue !== undefined) {
    const { code, message } = declared.listIssue;
    const rule = code === 'duplicate' ? RULES.nonCanonical : RULES.invalid;
    out.push({
      rule,
      message: `${message}${code === 'not-a-list' ? ' The Hub takes one licence id or a list of ids.' : ''}`,
      line: ctx.lineOf(declared.key),
      field: declared.key,
      evidence: `${declared.key}: ${describeValue(declared.value)}`,
    });
  }
  let itemFindings = 0;
  for (const item of declared.items) {
    const issue = item.check.issue;
    if (issue === undefined) continue;
    let rule: RuleDescriptor | undefined;
    let severity: Severity | undefined;
    let message = issue.message;
    let remediation: string | undefined;
    switch (issue.code) {
      case 'not-a-string':
      case 'empty':
      case 'unrecognised':
      case 'misspelt':
        rule = RULES.invalid;
        if (item.check.suggestion !== undefined)
          remediation = `Write \`${declared.key}: ${item.check.suggestion}\`.`;
        break;
      case 'other-without-name':
        rule = RULES.invalid;
        remediation =
          'Add `license_name` (a short id for the licence, e.g. `my-license-1.0`) and `license_link`.';
        break;
      case 'other-without-link': {
        rule = RULES.invalid;
        const file = ctx.repo?.licenseFiles.find((f) => !f.path.includes('/'));
        remediation =
          file !== undefined
            ? `Add \`license_link: ${file.path}\` (the repository's licence file).`
            : 'Add `license_link`: a LICENSE file in the repository or a URL to the licence text.';
        break;
      }
      case 'hub-spelling':
      case 'case-mismatch':
      case 'non-canonical':
      case 'deprecated-spdx':
      case 'not-on-hub':
      case 'spdx-expression':
      case 'other-name-is-known':
        rule = RULES.nonCanonical;
        break;
      case 'family-only': {
        // Worth saying only when the card or its files say which member of the family it is.
        const family = item.check.canonical ?? '';
        const precise = [
          ...selfClaims(prose)
            .claims.filter((c) => c.mention.exact)
            .map((c) => c.mention.id),
          ...files.map(identifiedId).filter((id): id is string => id !== undefined),
        ].find((id) => id !== family && familyOf(id) === family);
        if (precise === undefined) continue;
        rule = RULES.nonCanonical;
        severity = 'info';
        message = `${issue.message} The card's prose or LICENSE file says it is \`${precise}\`.`;
        remediation = `Write \`${declared.key}: ${precise}\`.`;
        break;
      }
      case 'declared-unknown':
        continue;
    }
    if (rule === undefined) continue;
    if (++itemFindings > MAX_ITEM_FINDINGS) break;
    out.push({
      rule,
      ...(severity === undefined ? {} : { severity }),
      message: message.startsWith(`\`${declared.key}`) ? message : `\`${item.field}\`: ${message}`,
      line: lineOfItem(item),
      field: item.field,
      evidence: `${item.field}: ${item.check.input}`,
      ...(remediation === undefined && item.check.suggestion !== undefined && rule === RULES.nonCanonical
        ? { remediation: `Write \`${declared.key}: ${item.check.suggestion}\`.` }
        : remediation === undefined
          ? {}
          : { remediation }),
    });
  }
  out.push(...checkLink(ctx));
  return out;
}

/** `license_link` must be a URL or a file of the repository (hub-docs `model-cards.md`: "specify "LICENSE" or "LICENSE.md" to link to a file of that name inside the repo, or a URL to a remote file"). */
function checkLink(ctx: CardAuditContext): CardFindingDraft[] {
  if (!('license_link' in ctx.meta)) return [];
  const link = ctx.meta.license_link;
  const line = ctx.lineOf('license_link');
  if (link === null || link === undefined || (typeof link === 'string' && link.trim() === '')) return [];
  if (typeof link !== 'string') {
    return [
      {
        rule: RULES.invalid,
        message: `\`license_link\` is ${describeValue(link)}, not a URL or a file path.`,
        line,
        field: 'license_link',
        evidence: `license_link: ${describeValue(link)}`,
      },
    ];
  }
  const repo = ctx.repo;
  const trimmed = link.trim();
  if (
    repo === undefined ||
    trimmed.length > MAX_LINK_CHARS ||
    /^[a-z][a-z0-9+.-]{0,20}:|^\/\//i.test(trimmed)
  )
    return [];
  const path = trimmed.replace(/[?#].*$/, '').replace(/^(?:\.\/)+|^\/+/, '');
  if (path === '' || repo.files.includes(path)) return [];
  const sameIgnoringCase = repo.files.find((f) => f.toLowerCase() === path.toLowerCase());
  return [
    {
      rule: RULES.invalid,
      message: `\`license_link\` points at ${quote(path)}, which is not in the repository${
        sameIgnoringCase !== undefined
          ? ` (it has ${quote(sameIgnoringCase)}; the Hub's paths are case-sensitive)`
          : ''
      }: the licence link on the Hub is broken.`,
      line,
      field: 'license_link',
      evidence: `license_link: ${quote(trimmed)}`,
      remediation:
        sameIgnoringCase !== undefined
          ? `Write \`license_link: ${sameIgnoringCase}\`.`
          : 'Add the licence file, or point `license_link` at the file or URL that holds the licence text.',
    },
  ];
}

/** The declared value as written, for messages: `license: mit` or `license: [mit, apache-2.0]`. */
function declaredText(declared: Declared): string {
  const shown = declared.items.map((i) =>
    typeof i.raw === 'string' ? clip(i.raw, MAX_QUOTED_CHARS) : describeValue(i.raw),
  );
  return `${declared.key}: ${Array.isArray(declared.value) ? `[${shown.join(', ')}]` : (shown[0] ?? '')}`;
}

function checkFiles(
  ctx: CardAuditContext,
  declared: Declared,
  prose: Prose,
  files: readonly IdentifiedFile[],
): CardFindingDraft[] {
  const ids = comparable(declared.ids);
  const declaresUnknown = declared.ids.includes('unknown') && ids.length === 0;
  if (ids.length === 0 && !declaresUnknown) return [];
  // A named licence without a Hub id (`other`, e.g. the Mistral AI Research License) disagrees with any id.
  const identified = files.filter((f) => f.result.status === 'identified');
  if (identified.length === 0) return [];
  const line = ctx.lineOf(declared.key);
  const matches = (f: IdentifiedFile) => ids.some((id) => agree(id, identifiedId(f) as string));
  const self = selfClaims(prose);
  const proseWeights = self.weightsOnly ? self.claims : [];
  const proseCode = prose.statements.flatMap((s) => s.claims.filter((c) => c.subject === 'code'));
  const out: CardFindingDraft[] = [];
  const report = (f: IdentifiedFile, message: string) => {
    out.push({
      rule: RULES.fileMismatch,
      ...(declaresUnknown ? { severity: 'low' as const } : {}),
      message,
      line,
      field: declared.key,
      evidence: `${declaredText(declared)}; ${describeFile(f)}`,
      otherFile: f.file.path,
      remediation: declaresUnknown
        ? `Declare the licence the file holds: \`license: ${identifiedId(f)}\`.`
        : RULES.fileMismatch.help,
    });
  };
  const describeDeclared = declaresUnknown ? '`license: unknown`' : `\`${declaredText(declared)}\``;

  const weights = identified.filter((f) => f.role === 'weights');
  for (const f of weights) {
    if (matches(f)) continue;
    report(
      f,
      `The metadata declares ${describeDeclared}, but the weights licence file ${f.file.path} is ${
        f.result.status === 'identified' ? f.result.name : 'another licence'
      }: the Hub's \`license\` describes the model, so it should name the weights licence.`,
    );
  }
  const general = identified.filter((f) => f.role === 'general');
  if (general.length === 0 || general.some(matches)) return out;
  // The metadata names the weights licence (from a file or the prose): the LICENSE is the code's.
  const weightsAgree =
    weights.some(matches) || proseWeights.some((c) => ids.some((id) => agree(id, c.mention.id)));
  if (weightsAgree) return out;
  if (weights.length > 0) return out;
  for (const f of general) {
    const id = identifiedId(f) as string;
    if (proseCode.some((c) => agree(c.mention.id, id))) continue;
    report(
      f,
      `The metadata declares ${describeDeclared}, but ${f.file.path} is ${
        f.result.status === 'identified' ? f.result.name : 'another licence'
      }.`,
    );
  }
  return out;
}

function checkProse(ctx: CardAuditContext, declared: Declared, prose: Prose): CardFindingDraft[] {
  const ids = comparable(declared.ids);
  const declaresUnknown = declared.ids.includes('unknown') && ids.length === 0;
  if (ids.length === 0 && !declaresUnknown) return [];
  const { claims, weightsOnly } = selfClaims(prose);
  if (claims.length === 0) return [];
  if (claims.some((c) => ids.some((id) => agree(id, c.mention.id)))) return [];
  // A named licence without an id (`other`) agrees with `license: other`, which `comparable` left out.
  if (declared.ids.includes('other') && claims.every((c) => c.mention.id === 'other')) return [];
  const first = claims[0] as Claim;
  const statement = statementOf(prose, first);
  const named = [...new Set(claims.map((c) => c.mention.name))].map((n) => `"${n}"`).join(', ');
  const code = prose.statements.flatMap((s) => s.claims.filter((c) => c.subject === 'code'));
  const isCodeLicence = code.some((c) => ids.some((id) => agree(id, c.mention.id)));
  const what = weightsOnly ? 'the weights are under' : `the card says it is under`;
  return [
    {
      rule: RULES.proseMismatch,
      ...(declaresUnknown ? { severity: 'low' as const } : {}),
      message: `The metadata declares \`${declaredText(declared)}\`, but ${what} ${named} (${statement?.field ?? 'prose'}, line ${
        statement?.line ?? '?'
      })${isCodeLicence ? "; the metadata names the code's licence, and the Hub's `license` describes the model" : ''}.`,
      line: ctx.lineOf(declared.key) ?? statement?.line,
      field: declared.key,
      evidence: `${declaredText(declared)}; line ${statement?.line ?? '?'}: ${quote(statement?.text ?? '')}`,
      ...(declaresUnknown && first.mention.exact
        ? { remediation: `Declare the licence the card states: \`license: ${first.mention.id}\`.` }
        : {}),
    },
  ];
}

/** Model names the derivative is known by: `model_name`, else the first `model-index` entry's name. */
function modelName(
  ctx: CardAuditContext,
): { name: string; field: string; line: number | undefined } | undefined {
  const direct = ctx.meta.model_name;
  if (typeof direct === 'string' && direct.trim() !== '') {
    return { name: direct.trim(), field: 'model_name', line: ctx.lineOf('model_name') };
  }
  const index = ctx.meta['model-index'];
  const first: unknown = Array.isArray(index) ? index[0] : undefined;
  const name = typeof first === 'object' && first !== null ? (first as { name?: unknown }).name : undefined;
  if (typeof name === 'string' && name.trim() !== '') {
    return { name: name.trim(), field: 'model-index[0].name', line: ctx.lineOf('/model-index/0/name') };
  }
  return undefined;
}

interface Verdict {
  readonly severity: Severity;
  readonly message: string;
}

/** What the declared licences mean against one base model's terms; undefined when they honour them. */
function judgeDerivative(
  base: BaseModelEntry,
  terms: LicenseTerms,
  declared: Declared,
  relation: string | undefined,
): Verdict | undefined {
  const ids = declared.ids;
  const baseName =
    base.license === 'other' ? `${otherLicenseName(base.licenseName) ?? base.licenseName}` : base.license;
  const concrete = comparable(ids);
  const agreesWithBase = base.license !== 'other' && concrete.some((id) => agree(id, base.license));
  const sameOther =
    base.license === 'other' &&
    ids.includes('other') &&
    declared.otherName !== undefined &&
    (declared.otherName.toLowerCase() === base.licenseName?.toLowerCase() ||
      otherLicenseName(declared.otherName) === otherLicenseName(base.licenseName));
  if (agreesWithBase || sameOther) return undefined;
  const unclear = ids.includes('other') || ids.includes('unknown');
  const relationText =
    relation === undefined ? 'derivative' : relation === 'quantized' ? 'quantization' : relation;
  const verdicts: Verdict[] = [];
  for (const obligation of terms.obligations) {
    switch (obligation) {
      case 'keep-license': {
        if (ids.includes('other') && /llama/i.test(declared.otherName ?? '')) break;
        const otherLlama = concrete.find((id) => familyOf(id) === 'llama');
        if (otherLlama !== undefined) {
          verdicts.push({
            severity: 'medium',
            message: `a ${relationText} of a ${base.family} model must keep the ${baseName} licence, not \`${otherLlama}\` (${terms.source})`,
          });
        } else if (concrete.length === 0) {
          verdicts.push({
            severity: 'medium',
            message: `a ${relationText} of a ${base.family} model must be distributed under the ${baseName} licence; the declared licence does not say so (${terms.source})`,
          });
        } else {
          verdicts.push({
            severity: 'high',
            message: `a ${relationText} of a ${base.family} model cannot be relicensed as \`${concrete.join(', ')}\`: it must carry the ${baseName} licence (${terms.source})`,
          });
        }
        break;
      }
      case 'non-commercial': {
        const commercial = concrete.filter((id) => allowsCommercialUse(id) === true);
        if (commercial.length > 0) {
          verdicts.push({
            severity: 'high',
            message: `the base ${base.family} model is licensed for non-commercial use only (${baseName}), but \`${commercial.join(', ')}\` allows commercial use (${terms.source})`,
          });
        }
        break;
      }
      case 'share-alike': {
        const family = withoutVersion(base.license);
        if (concrete.some((id) => withoutVersion(id) === family)) break;
        if (concrete.length > 0) {
          verdicts.push({
            severity: 'high',
            message: `the base ${base.family} model is under the share-alike licence ${baseName}, so a ${relationText} must carry the same licence, not \`${concrete.join(', ')}\` (${terms.source})`,
          });
        } else if (unclear) {
          verdicts.push({
            severity: 'medium',
            message: `the base ${base.family} model is under the share-alike licence ${baseName}; a ${relationText} must carry the same licence (${terms.source})`,
          });
        }
        break;
      }
      case 'use-restrictions': {
        const keeps = concrete.some((id) => familyOf(id) === 'openrail' || id === 'gemma');
        if (keeps || concrete.length === 0) break;
        verdicts.push({
          severity: 'medium',
          message: `the base ${base.family} model's licence (${baseName}) has use-based restrictions that a ${relationText} must pass on as an enforceable part of its licence, which \`${concrete.join(', ')}\` does not do (${terms.source})`,
        });
        break;
      }
      case 'no-derivatives':
        verdicts.push({
          severity: 'medium',
          message: `the base ${base.family} model's licence (${baseName}) does not allow sharing adapted material, which a ${relationText} likely is (${terms.source})`,
        });
        break;
    }
  }
  if (verdicts.length === 0) return undefined;
  const severity: Severity = verdicts.some((v) => v.severity === 'high') ? 'high' : 'medium';
  return { severity, message: verdicts.map((v) => v.message).join('; ') };
}

function checkBase(ctx: CardAuditContext, declared: Declared | undefined): CardFindingDraft[] {
  const raw = ctx.meta.base_model;
  if (raw === undefined || raw === null) return [];
  const values = (Array.isArray(raw) ? raw : [raw]).slice(0, MAX_BASE_MODELS);
  const relationRaw = ctx.meta.base_model_relation;
  const relation =
    typeof relationRaw === 'string' ? relationRaw.trim().toLowerCase().slice(0, 40) : undefined;
  const line = ctx.lineOf('base_model');
  const out: CardFindingDraft[] = [];
  const seen = new Set<string>();
  for (const value of values) {
    const id = normalizeModelId(value);
    if (id === undefined || seen.has(id.toLowerCase())) continue;
    seen.add(id.toLowerCase());
    const base = lookupBaseModel(id);
    if (base === undefined) continue;
    const terms = licenseTermsOf(base.license, base.licenseName);
    if (terms === undefined) continue;
    const baseEvidence = `base_model: ${id} (${base.family}, ${
      base.license === 'other' ? `other: ${base.licenseName}` : base.license
    }; ${base.source})`;
    if (declared !== undefined && declared.ids.length > 0) {
      const verdict = judgeDerivative(base, terms, declared, relation);
      if (verdict !== undefined) {
        out.push({
          rule: RULES.baseConflict,
          severity: verdict.severity,
          message: `\`${declaredText(declared)}\` conflicts with the base model ${id}: ${verdict.message}.`,
          line: ctx.lineOf(declared.key) ?? line,
          field: declared.key,
          evidence: `${declaredText(declared)}; ${baseEvidence}`,
          remediation:
            base.license === 'other'
              ? `Declare the base model's licence: \`license: other\` with \`license_name: ${base.licenseName}\`, or use another base model.`
              : `Declare \`license: ${base.license}\` (the base model's licence), or use a base model whose licence allows yours.`,
        });
      }
    }
    // Llama 3 and later: "include “Llama 3” [or “Llama”] at the beginning of any such AI model name". A
    // quantization is a copy of the model, named by its publisher, so only new models are held to it.
    const prefix = terms.namePrefix;
    const name = relation === 'quantized' ? undefined : modelName(ctx);
    if (prefix !== undefined && name !== undefined) {
      const bare = name.name.split('/').pop() ?? name.name;
      const pattern =
        prefix === 'Llama 3' ? /^(?:meta[-_ ]?)?llama[-_ ]?3(?![\d])/i : /^(?:meta[-_ ]?)?llama/i;
      if (!pattern.test(bare)) {
        out.push({
          rule: RULES.baseConflict,
          severity: 'low',
          message: `The model is named ${quote(bare)} (\`${name.field}\`), but a model made from ${base.family} must have a name beginning with "${prefix}" (${terms.source}).`,
          line: name.line ?? line,
          field: name.field,
          evidence: `${name.field}: ${quote(name.name)}; ${baseEvidence}`,
          remediation: `Name the model "${prefix}-…" (for example "${prefix.replace(' ', '-')}-${clip(bare, 40)}").`,
        });
      }
    }
  }
  return out;
}

/**
 * The licence check of the card audit: CARD-LICENSE-MISSING, -METADATA-MISSING, -INVALID, -NONCANONICAL,
 * -FILE-MISMATCH, -PROSE-MISMATCH and -BASE-CONFLICT, for model and dataset cards alike.
 */
export const checkLicense: CardCheck = (ctx) => {
  const declared = readDeclared(ctx);
  const prose = readProse(ctx);
  const files = identifyFiles(ctx);
  if (declared === undefined) return [...checkMissing(ctx, prose, files), ...checkLink(ctx)];
  return [
    ...checkValues(ctx, declared, prose, files),
    ...checkFiles(ctx, declared, prose, files),
    ...checkProse(ctx, declared, prose),
    ...checkBase(ctx, declared),
  ];
};
