import type { CardAuditContext } from '../../cards/audit/types.js';
import type { CardDocument, CardSection } from '../../cards/card-document.js';
import { stripPlaceholders } from '../../cards/placeholders.js';
import { cardProse, sectionTopics } from '../../cards/rules/prose.js';
import { labelOf, labelTopics, normalizeLabel, type Topic } from '../../cards/topics.js';
import { MAX_GATHERED_CHARS } from './limits.js';
import { isNonAnswer, plainLine } from './text.js';

/**
 * A card read as blocks of text, each about the topics it answers. A block is the text of one section (about
 * the topics its heading names, or those of the section it is in), or the text that follows a label naming a
 * topic (`**Out-of-scope use cases:** ...`, `**Primary intended users**` over a paragraph) inside any section.
 * The text before the first section about a topic is the card's opening (`intro`). Placeholders, template
 * sentences, empty labels, code and tables are left out; what remains is plain text.
 */

/** Characters of plain text gathered from a whole card: a card of megabytes of prose is read that far. */
export const MAX_CARD_GATHERED_CHARS = 1024 * 1024;

export interface Paragraph {
  /** Plain text. */
  readonly text: string;
  /** 1-based line of the card where it starts. */
  readonly line: number;
  /** Offset in `text` where each card line's text starts. */
  readonly starts: readonly { readonly offset: number; readonly line: number }[];
  /** It opens with a labelled line (`Label: value`, `**Label**`): a fact in a list, not a sentence. */
  readonly labelled: boolean;
}

export interface CardBlock {
  readonly topics: readonly Topic[];
  /** How its topics were found: the heading above it, a label, or neither (the opening, or a section about none). */
  readonly via: 'heading' | 'label' | 'intro' | 'other';
  /** The line a source points at: the heading of its section, or the labelled line. */
  readonly anchor: number;
  /** Index of its section; undefined for the text before the first heading. */
  readonly section: number | undefined;
  /** Index of the section whose heading named the topics (the block's own, or an enclosing one). */
  readonly namedBy: number | undefined;
  /** The label, normalised (`out of scope use cases`), for blocks found by label. */
  readonly label?: string;
  readonly paragraphs: readonly Paragraph[];
  /** The text went on beyond what was gathered (`MAX_GATHERED_CHARS`). */
  readonly clipped: boolean;
}

interface Scope {
  readonly topics: readonly Topic[];
  readonly via: CardBlock['via'];
  readonly anchor: number;
  readonly namedBy: number | undefined;
  readonly label?: string;
  /** A label whose value is on its own line ends with its paragraph. */
  readonly inline?: boolean;
}

interface MutableParagraph {
  text: string;
  line: number;
  starts: { offset: number; line: number }[];
  labelled: boolean;
}

interface MutableBlock {
  readonly scope: Scope;
  readonly section: number | undefined;
  readonly paragraphs: MutableParagraph[];
  chars: number;
  clipped: boolean;
}

const LIST_ITEM = /^[ \t]{0,8}(?:[-*+]|\d{1,3}[.)])[ \t]+/;
const BLOCKQUOTE = /^[ \t]{0,3}>/;
/** Table rows and delimiter rows: data, not prose. */
const TABLE_LINE = /^[ \t]{0,3}\|/;
/** A link reference definition (CommonMark §4.7, `[arxiv]: https://...`): not shown, not text. */
export const REFERENCE_DEFINITION = /^ {0,3}\[([^[\]\n]{1,100})\]:[ \t]*<?([^\s<>]{1,2000})>?/;
/** A label set in bold (`**Data:**`, `**Primary intended users**`): it starts a new subject. */
const BOLD_LABEL = /^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)/;

/**
 * A card's title (`# Model Card for X`, `# Dataset Card for "social_bias_frames"`, `# MusicGen Model Card`): it
 * heads the whole card, so words of the name ("bias" in a dataset's name) do not make it a section on a topic.
 */
const CARD_TITLE = /^(?:(?:model|dataset) card|datasheet)\b|\b(?:model|dataset) card$/;
/** A table of contents: links to the sections, not text. */
const CONTENTS_TITLE = /^(?:table of )?contents$|^toc$/;

const OWN_TOPICS = new WeakMap<CardDocument['sections'], readonly (readonly Topic[])[]>();

/** The topics each section's own heading names, a card's title and its table of contents naming none. */
export function ownTopics(doc: Pick<CardDocument, 'sections'>): readonly (readonly Topic[])[] {
  let topics = OWN_TOPICS.get(doc.sections);
  if (topics === undefined) {
    const named = sectionTopics(doc);
    topics = doc.sections.map((s, i) =>
      (s.level === 1 && CARD_TITLE.test(s.normalizedTitle)) || CONTENTS_TITLE.test(s.normalizedTitle)
        ? []
        : (named[i] ?? []),
    );
    OWN_TOPICS.set(doc.sections, topics);
  }
  return topics;
}

/** Whether a section is a table of contents. */
function isContents(section: CardSection | undefined): boolean {
  return section !== undefined && CONTENTS_TITLE.test(section.normalizedTitle);
}

const BLOCKS = new WeakMap<CardAuditContext, readonly CardBlock[]>();

/** The blocks of a card, in document order; computed once per audit context. */
export function cardBlocks(ctx: CardAuditContext): readonly CardBlock[] {
  const cached = BLOCKS.get(ctx);
  if (cached !== undefined) return cached;
  const blocks = readBlocks(ctx);
  BLOCKS.set(ctx, blocks);
  return blocks;
}

function readBlocks(ctx: CardAuditContext): CardBlock[] {
  const { doc } = ctx;
  const own = ownTopics(doc);
  const trainerCard = doc.templates.includes('trainer');
  // Per section: the topics of its heading, else those of the section it is in.
  const scopes: Scope[] = [];
  let sawTopic = false;
  for (const s of doc.sections) {
    const mine = own[s.index] ?? [];
    const parent = s.parent !== undefined ? scopes[s.parent] : undefined;
    let scope: Scope;
    if (mine.length > 0) scope = { topics: mine, via: 'heading', anchor: s.headingLine, namedBy: s.index };
    else if (parent !== undefined && parent.topics.length > 0)
      scope = { topics: parent.topics, via: 'heading', anchor: s.headingLine, namedBy: parent.namedBy };
    else scope = { topics: [], via: sawTopic ? 'other' : 'intro', anchor: s.headingLine, namedBy: undefined };
    if (scope.topics.length > 0) sawTopic = true;
    scopes.push(scope);
  }
  const preamble: Scope = { topics: [], via: 'intro', anchor: doc.preamble.startLine, namedBy: undefined };
  const scopeOf = (section: number | undefined): Scope =>
    section === undefined ? preamble : (scopes[section] ?? preamble);

  const blocks: MutableBlock[] = [];
  let block: MutableBlock | undefined;
  let paragraph: MutableParagraph | undefined;
  let gathered = 0;
  let section: number | undefined = -1;
  let scope = preamble;
  let previousLine = -1;
  let pendingLabel = false;
  let previousQuote = false;
  for (const line of cardProse(ctx).lines) {
    if (
      line.code ||
      TABLE_LINE.test(line.visible) ||
      REFERENCE_DEFINITION.test(line.visible) ||
      isContents(doc.sections[line.section ?? -1])
    ) {
      previousLine = -1;
      continue;
    }
    if (line.section !== section) {
      section = line.section;
      scope = scopeOf(section);
      previousLine = -1;
    }
    const visible = line.visible;
    const quote = BLOCKQUOTE.test(visible);
    // A list item, or a quote after a paragraph (CommonMark §5.1: a block quote interrupts a paragraph).
    const startsParagraph =
      line.line !== previousLine + 1 || LIST_ITEM.test(visible) || (quote && !previousQuote);
    previousLine = line.line;
    previousQuote = quote;
    if (startsParagraph && scope.via === 'label' && scope.inline === true) scope = scopeOf(section);

    const label = labelOf(visible);
    const key = label !== undefined ? normalizeLabel(label.label) : undefined;
    const topics = key !== undefined ? labelTopics(key) : [];
    const isLabel = label !== undefined && (topics.length > 0 || isBoldLabel(visible, label));
    let raw = visible;
    if (isLabel && topics.length > 0) {
      const value = label.value ?? '';
      scope = {
        topics,
        via: 'label',
        anchor: line.line,
        namedBy: undefined,
        label: key,
        inline: /[\p{L}\p{N}]/u.test(value) && !/:[\s*_]*$/.test(value),
      };
      // The label says what the text is about, and the text is its value; environmental labels ("Hardware
      // Type", "Hours used") say what the value measures, and stay.
      raw =
        topics.includes('environmental-impact') && labelValue(value, trainerCard)
          ? `${label.label.trim()}: ${value}`
          : value;
    } else if (isLabel) {
      if (scope.via === 'label') scope = scopeOf(section);
      // `**Model date:** 2023`: said as "Model date: 2023"; a label whose value says nothing is left out.
      if (label.value !== undefined)
        raw = labelValue(label.value, trainerCard) ? `${label.label.trim()}: ${label.value}` : '';
    }

    if (block === undefined || block.scope !== scope) {
      block = { scope, section, paragraphs: [], chars: 0, clipped: false };
      blocks.push(block);
      paragraph = undefined;
    }
    if (startsParagraph || isLabel) {
      paragraph = undefined;
      // A bare label (`**Model date**`) makes the lines under it a labelled answer, not free text.
      if (startsParagraph && !isLabel) pendingLabel = false;
    }
    if (isLabel) pendingLabel = true;

    const text = lineText(raw, doc.sections[section ?? -1]?.normalizedTitle, trainerCard, raw !== visible);
    if (text === '') continue;
    if (block.chars >= MAX_GATHERED_CHARS || gathered >= MAX_CARD_GATHERED_CHARS) {
      block.clipped = true;
      continue;
    }
    if (paragraph === undefined) {
      paragraph = { text: '', line: line.line, starts: [], labelled: label !== undefined || pendingLabel };
      block.paragraphs.push(paragraph);
    }
    if (paragraph.text !== '') paragraph.text += ' ';
    paragraph.starts.push({ offset: paragraph.text.length, line: line.line });
    paragraph.text += text;
    block.chars += text.length + 1;
    gathered += text.length + 1;
  }
  return blocks
    .filter((b) => b.paragraphs.length > 0 || b.clipped)
    .map((b) => ({
      topics: b.scope.topics,
      via: b.scope.via,
      anchor: b.scope.anchor,
      section: b.section,
      namedBy: b.scope.namedBy,
      ...(b.scope.label !== undefined ? { label: b.scope.label } : {}),
      paragraphs: b.paragraphs,
      clipped: b.clipped,
    }));
}

/**
 * A label left without its value once placeholders are removed: `- **Hours used:**`, `**Funded by:**`,
 * `Hardware Type:`. A sentence that ends with a colon ("Here are some secondary use cases we believe are
 * likely:") is text: a plain label is at most a few words.
 */
const EMPTY_LABEL =
  /^[ \t]*(?:[-*+>][ \t]+)?(?:(?:\*\*|__)[^*_\n]{1,100}(?:\*\*|__)[ \t]*:?|[^\s:]+(?:[ \t]+[^\s:]+){0,3}[ \t]*:)[ \t*_:]*$/;

/**
 * The plain text of one line (or of a label's value), or `''` when it holds only placeholders, template
 * text or an empty label.
 */
function lineText(
  visible: string,
  sectionTitle: string | undefined,
  trainerCard: boolean,
  value: boolean,
): string {
  const { rest, found } = stripPlaceholders(visible, { sectionTitle, trainerCard });
  if (found.some((f) => f.kind === 'template-text')) return '';
  if (!value && EMPTY_LABEL.test(rest)) return '';
  const text = plainLine(rest);
  return /[\p{L}\p{N}]/u.test(text) ? text : '';
}

/**
 * A bold label that starts a new subject: with a colon (`**Data:** ...`), alone on its line (`**Model date**`),
 * or of two words or more before its text (`**Intended Use Cases** Llama 3 is ...`). A single bold word
 * before the rest of a sentence (`**Any** deployed use ...`) is emphasis.
 */
function isBoldLabel(
  visible: string,
  label: { readonly label: string; readonly value: string | undefined },
): boolean {
  if (!BOLD_LABEL.test(visible)) return false;
  if (label.value === undefined) return true;
  const head = visible.slice(0, visible.length - label.value.length);
  return head.includes(':') || label.label.trim().split(/\s+/).length >= 2;
}

/** Whether a label's value says something once placeholders are removed. */
function labelValue(value: string, trainerCard: boolean): boolean {
  const text = plainLine(stripPlaceholders(value, { sectionTitle: undefined, trainerCard }).rest);
  return !isNonAnswer(text) && /[\p{L}\p{N}]/u.test(text);
}

/** The line a character offset of a paragraph comes from. */
export function lineAt(paragraph: Paragraph, offset: number): number {
  let line = paragraph.line;
  for (const start of paragraph.starts) {
    if (start.offset > offset) break;
    line = start.line;
  }
  return line;
}
