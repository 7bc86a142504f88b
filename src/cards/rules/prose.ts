import { truncateText } from '../../core/byte-reader.js';
import type { CardAuditContext } from '../audit/types.js';
import type { CardDocument } from '../card-document.js';
import { type MarkdownLine, scanMarkdownLines } from '../sections.js';
import { type Topic, topicsOfTitle } from '../topics.js';

/**
 * What several checks read from the same card, computed once per card: the topics each heading names, the
 * markdown block scan of the body, and the body as prose lines. Each is cached against the object it is
 * computed from (the document or the audit context), so a card's results are dropped with the card.
 */

// ---------------------------------------------------------------------------------------------------------
// Topics of headings
// ---------------------------------------------------------------------------------------------------------

/** Normalised titles remembered across cards ("model description", "training procedure"...). */
const MAX_REMEMBERED_TITLES = 4096;
const TITLE_TOPICS = new Map<string, readonly Topic[]>();

/** `topicsOfTitle`, remembered: the same headings recur in card after card. Do not modify the result. */
export function titleTopics(normalizedTitle: string): readonly Topic[] {
  let topics = TITLE_TOPICS.get(normalizedTitle);
  if (topics === undefined) {
    topics = topicsOfTitle(normalizedTitle);
    if (TITLE_TOPICS.size >= MAX_REMEMBERED_TITLES) TITLE_TOPICS.clear();
    TITLE_TOPICS.set(normalizedTitle, topics);
  }
  return topics;
}

const SECTION_TOPICS = new WeakMap<CardDocument['sections'], readonly (readonly Topic[])[]>();

/** The topics each section's heading names, by section index (`topicsOfTitle` of its normalised title). */
export function sectionTopics(doc: Pick<CardDocument, 'sections'>): readonly (readonly Topic[])[] {
  let topics = SECTION_TOPICS.get(doc.sections);
  if (topics === undefined) {
    topics = doc.sections.map((s) => titleTopics(s.normalizedTitle));
    SECTION_TOPICS.set(doc.sections, topics);
  }
  return topics;
}

// ---------------------------------------------------------------------------------------------------------
// Markdown block scan
// ---------------------------------------------------------------------------------------------------------

const MARKDOWN = new WeakMap<CardAuditContext, readonly MarkdownLine[]>();

/** `scanMarkdownLines` of the card's lines from the end of the front matter, once per audit context. */
export function markdownLines(ctx: CardAuditContext): readonly MarkdownLine[] {
  let md = MARKDOWN.get(ctx);
  if (md === undefined) {
    const fm = ctx.doc.frontMatter;
    md = scanMarkdownLines(ctx.lines, fm === undefined ? 0 : fm.endLine).lines;
    MARKDOWN.set(ctx, md);
  }
  return md;
}

// ---------------------------------------------------------------------------------------------------------
// The card's prose, shared by the provenance and evaluation checks
// ---------------------------------------------------------------------------------------------------------

/** Lines of a card read as prose; the rest is ignored (a card of a million lines is refusing to be read). */
export const MAX_PROSE_LINES = 20_000;
/** Characters of one line read as prose. */
export const MAX_PROSE_LINE_CHARS = 2_000;
/** Characters of a line quoted as evidence. */
const MAX_EVIDENCE_CHARS = 200;

/** One line of the card body after the front matter, heading lines excluded. */
export interface ProseLine {
  /** 1-based line in the card file. */
  readonly line: number;
  /** The markdown a reader sees (HTML comments removed), bounded. */
  readonly visible: string;
  /** Plain text: links replaced by their text, HTML tags, emphasis and code ticks removed. */
  readonly text: string;
  /** Link targets on the line (markdown links, autolinks, `href`s). */
  readonly urls: readonly string[];
  /** Inside fenced code. */
  readonly code: boolean;
  /** Index of the section the line is in; undefined in the preamble. */
  readonly section: number | undefined;
}

export interface CardProse {
  readonly lines: readonly ProseLine[];
  /** Per section: the topics its heading names together with those of the sections enclosing it. */
  readonly sectionTopics: readonly ReadonlySet<Topic>[];
}

const MD_LINK =
  /!?\[([^[\]\n]{0,300})\]\([ \t]{0,5}<?([^()\s<>]{0,1000})>?(?:[ \t]{1,5}"[^"\n]{0,200}")?[ \t]{0,5}\)/g;
const AUTOLINK = /<(https?:\/\/[^<>\s]{1,1000})>/g;
const HREF = /\bhref[ \t]{0,3}=[ \t]{0,3}["']([^"'\s]{1,1000})["']/gi;
const HTML_TAG = /<\/?[A-Za-z][^<>\n]{0,500}>/g;

/** Characters every pattern of `toPlainText` needs one of (`href=` needs `=`). */
const MARKUP_CHAR = /[<[*_`&=]/;

/** Markdown to plain text for matching sentences, with the link targets collected. */
export function toPlainText(visible: string): { readonly text: string; readonly urls: readonly string[] } {
  const urls: string[] = [];
  // Most lines are plain words: nothing to rewrite or collect.
  if (!MARKUP_CHAR.test(visible)) return { text: visible, urls };
  // Each pattern is applied only when the text holds a string every match of it contains.
  let text = visible;
  if (text.includes('<'))
    text = text.replace(AUTOLINK, (_m, url: string) => {
      urls.push(url);
      return url;
    });
  if (text.includes('=')) for (const m of text.matchAll(HREF)) urls.push(m[1] as string);
  if (text.includes(']('))
    text = text.replace(MD_LINK, (_m, label: string, url: string) => {
      if (url !== '') urls.push(url);
      return label;
    });
  if (text.includes('<')) text = text.replace(HTML_TAG, ' ');
  if (text.includes('**') || text.includes('__') || text.includes('`')) text = text.replace(/\*\*|__|`/g, '');
  if (text.includes('&')) text = text.replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
  return { text, urls };
}

const PROSE_CACHE = new WeakMap<CardAuditContext, CardProse>();

/** The card body as prose lines with their sections; computed once per audit context. */
export function cardProse(ctx: CardAuditContext): CardProse {
  const cached = PROSE_CACHE.get(ctx);
  if (cached !== undefined) return cached;
  const { doc } = ctx;
  const from = doc.frontMatter !== undefined ? doc.frontMatter.endLine : 0;
  const upTo = Math.min(ctx.lines.length, doc.lineCount, from + MAX_PROSE_LINES);
  let clipped = false;
  for (let i = 0; i < upTo && !clipped; i++) clipped = (ctx.lines[i] as string).length > MAX_PROSE_LINE_CHARS;
  // The block scan reads each line once, in order: over lines none of which is clipped, it is the prefix of
  // the scan of the whole card that the licence check reads too.
  const md = clipped
    ? scanMarkdownLines(
        ctx.lines
          .slice(0, upTo)
          .map((l) => (l.length > MAX_PROSE_LINE_CHARS ? l.slice(0, MAX_PROSE_LINE_CHARS) : l)),
        Math.min(from, upTo),
      ).lines
    : markdownLines(ctx);
  // Section of each line, and the heading lines (not prose).
  const sectionOf = new Int32Array(upTo).fill(-1);
  const heading = new Uint8Array(upTo);
  for (const s of doc.sections) {
    // Subsections come later in `sections` and overwrite their lines.
    if (s.headingLine <= upTo) sectionOf.fill(s.index, s.headingLine - 1, Math.min(s.endLine, upTo));
    if (s.headingLine <= upTo) heading.fill(1, s.headingLine - 1, Math.min(s.bodyStartLine - 1, upTo));
  }
  const lines: ProseLine[] = [];
  for (let i = from; i < upTo; i++) {
    if (heading[i] === 1) continue;
    const m = md[i];
    if (m === undefined || m.fence) continue;
    if (m.visible.trim() === '') continue;
    const { text, urls } = toPlainText(m.visible);
    const section = sectionOf[i] as number;
    lines.push({
      line: i + 1,
      visible: m.visible,
      text,
      urls,
      code: m.code,
      section: section >= 0 ? section : undefined,
    });
  }
  const own = sectionTopics(doc);
  const topicSets: Set<Topic>[] = [];
  for (const s of doc.sections) {
    const set = new Set<Topic>(own[s.index] ?? []);
    const parent = s.parent !== undefined ? topicSets[s.parent] : undefined;
    if (parent !== undefined) for (const t of parent) set.add(t);
    topicSets.push(set);
  }
  const prose: CardProse = { lines, sectionTopics: topicSets };
  PROSE_CACHE.set(ctx, prose);
  return prose;
}

const NO_TOPICS: ReadonlySet<Topic> = new Set();

/** Topics of the section a line is in (with its ancestors'). */
export function topicsAt(prose: CardProse, line: ProseLine): ReadonlySet<Topic> {
  return line.section !== undefined ? (prose.sectionTopics[line.section] ?? NO_TOPICS) : NO_TOPICS;
}

/** A line quoted as evidence. */
export function evidenceOf(line: ProseLine): string {
  return truncateText(line.text.replace(/\s+/g, ' ').trim(), MAX_EVIDENCE_CHARS);
}

/** `§ Title` of a section, for the `field` of a finding. */
export function sectionField(ctx: CardAuditContext, index: number | undefined): string | undefined {
  if (index === undefined) return undefined;
  const s = ctx.doc.sections[index];
  if (s === undefined) return undefined;
  const title = toPlainText(s.title).text.replace(/[*_]/g, '').replace(/\s+/g, ' ').trim();
  return `§ ${truncateText(title, 80)}`;
}
