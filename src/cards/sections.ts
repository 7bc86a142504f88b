import { truncateText } from '../core/byte-reader.js';
import type { CardProblem, CardSection, HeadingStyle, SectionState } from './card-document.js';
import type { CardReadLimits } from './limits.js';
import { classifyBody } from './placeholders.js';

/** One markdown line after the block scan. */
export interface MarkdownLine {
  /** The text a reader sees: HTML comments removed. Empty inside a comment. */
  readonly visible: string;
  /** Inside a fenced code block (fence lines excluded). */
  readonly code: boolean;
  /** An opening or closing fence line. */
  readonly fence: boolean;
  /** The line starts inside an HTML comment or with one, so it cannot start a heading. */
  readonly hiddenStart?: boolean;
}

export interface HtmlComment {
  /** 0-based line index of `<!--`. */
  readonly line: number;
  readonly text: string;
}

/** CommonMark §4.5: a fence is 3+ backticks or tildes; it closes with the same character, at least as long. */
const FENCE = /^[ \t]*(`{3,}|~{3,})(.*)$/;
/** CommonMark §4.2: 1-6 `#`, then a space, tab or end of line, indented at most 3 spaces. */
const ATX = /^ {0,3}(#{1,6})(?:[ \t]|$)/;
/** CommonMark §4.3 setext underline. */
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
/** `<h2>Title</h2>` (HTML block, CommonMark §4.6), attributes allowed. */
const HTML_HEADING_OPEN = /^ {0,3}<h([1-6])(?:\s[^>]{0,500})?>/i;
/** Lines that cannot be the text of a setext heading: list items, quotes, tables, HTML, indented code. */
const NOT_PARAGRAPH = /^(?: {4}|\t| {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)| {0,3}>| {0,3}<| {0,3}\|)/;

/**
 * Block scan: marks fenced code and HTML comments (CommonMark §4.5, §4.6 type 2) so headings inside them
 * are not taken for headings and comment text is not taken for content.
 */
export function scanMarkdownLines(
  lines: readonly string[],
  from: number,
): {
  readonly lines: readonly MarkdownLine[];
  readonly comments: readonly HtmlComment[];
  readonly problems: readonly CardProblem[];
} {
  const out: MarkdownLine[] = [];
  const comments: HtmlComment[] = [];
  const problems: CardProblem[] = [];
  let fence: { char: string; length: number; line: number } | undefined;
  let comment: { line: number; parts: string[] } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (i < from) {
      out.push({ visible: '', code: false, fence: false });
      continue;
    }
    if (fence !== undefined) {
      const close = FENCE.exec(line);
      if (
        close &&
        close[1]![0] === fence.char &&
        close[1]!.length >= fence.length &&
        close[2]!.trim() === ''
      ) {
        fence = undefined;
        out.push({ visible: line, code: false, fence: true });
      } else out.push({ visible: line, code: true, fence: false });
      continue;
    }
    if (comment === undefined) {
      const open = FENCE.exec(line);
      // A backtick fence's info string may not contain a backtick (CommonMark §4.5).
      if (open && !(open[1]![0] === '`' && open[2]!.includes('`'))) {
        fence = { char: open[1]![0]!, length: open[1]!.length, line: i };
        out.push({ visible: line, code: false, fence: true });
        continue;
      }
    }
    // Remove comments, possibly several on a line and spanning lines.
    const hiddenStart = comment !== undefined || line.trimStart().startsWith('<!--');
    let visible = '';
    let rest = line;
    while (rest.length > 0) {
      if (comment !== undefined) {
        const end = rest.indexOf('-->');
        if (end < 0) {
          comment.parts.push(rest);
          rest = '';
          break;
        }
        comment.parts.push(rest.slice(0, end + 3));
        comments.push({ line: comment.line, text: comment.parts.join('\n') });
        comment = undefined;
        rest = rest.slice(end + 3);
        continue;
      }
      const start = rest.indexOf('<!--');
      if (start < 0) {
        visible += rest;
        break;
      }
      visible += rest.slice(0, start);
      comment = { line: i, parts: [] };
      rest = rest.slice(start);
    }
    if (comment !== undefined && comment.parts.length > 0 && comment.parts.length % 1000 === 0) {
      // Keep memory bounded for a comment that never ends: keep its first lines only.
      comment.parts.length = 20;
    }
    out.push({ visible, code: false, fence: false, hiddenStart });
  }
  if (fence !== undefined)
    problems.push({
      code: 'unclosed-code-fence',
      line: fence.line + 1,
      message: 'code fence is never closed; everything after it is shown as code',
    });
  if (comment !== undefined)
    problems.push({
      code: 'unclosed-html-comment',
      line: comment.line + 1,
      message: 'HTML comment `<!--` is never closed with `-->`; everything after it is hidden',
    });
  return { lines: out, comments, problems };
}

interface Heading {
  readonly level: number;
  readonly title: string;
  readonly style: HeadingStyle;
  /** 0-based first and last line of the heading itself. */
  readonly first: number;
  readonly last: number;
}

/**
 * Top-level sections of Mitchell et al., "Model Cards for Model Reporting" (2019), §4, and of Gebru et al.,
 * "Datasheets for Datasets" (2021), §3: in prose-only cards they stand as plain or bold lines.
 */
const PROSE_SECTION_TITLES: ReadonlySet<string> = new Set([
  'model details',
  'intended use',
  'intended uses',
  'factors',
  'metrics',
  'evaluation data',
  'training data',
  'quantitative analyses',
  'quantitative analysis',
  'ethical considerations',
  'caveats and recommendations',
  'motivation',
  'composition',
  'collection process',
  'preprocessing cleaning labeling',
  'uses',
  'distribution',
  'maintenance',
]);

/** Lower case without markup, links, `[optional]`, numbering and punctuation: "1. Intended Uses:" → "intended uses". */
export function normalizeTitle(title: string): string {
  // Each step runs only when the text holds what every match of it contains (NFKC leaves ASCII as it is).
  let text = NON_ASCII.test(title) ? title.normalize('NFKC') : title;
  if (text.includes('<')) text = text.replace(/<[^<>]{0,500}>/g, ' ');
  if (text.includes('](')) text = text.replace(/!?\[([^\]]{0,500})\]\([^()]{0,1000}\)/g, '$1');
  if (OPTIONAL_WORD.test(text)) text = text.replace(/\[optional\]|\(optional\)/gi, ' ');
  if (text.includes('&')) text = text.replace(/&amp;|&/g, ' and ');
  text = text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return LEADING_DIGIT.test(text) ? text.replace(/^(?:\d+ )+(?=\p{L})/u, '') : text;
}

const NON_ASCII = /[^\x00-\x7f]/;
const OPTIONAL_WORD = /optional/i;
const LEADING_DIGIT = /^\d/;

function cleanTitle(text: string): string {
  return truncateText(text.trim(), 300);
}

function findHeadings(md: readonly MarkdownLine[], from: number, limits: CardReadLimits): Heading[] {
  const headings: Heading[] = [];
  const isHeadingLine = new Set<number>();
  for (let i = from; i < md.length; i++) {
    const line = md[i]!;
    if (line.code || line.fence) continue;
    // A heading needs its marker at the start of the line, not after or inside a comment.
    if (line.hiddenStart || line.visible.trim() === '') continue;
    const atx = ATX.exec(line.visible);
    if (atx) {
      // Optional closing sequence: `## Title ##` (CommonMark §4.2).
      const text = line.visible
        .slice(atx[0].length)
        .replace(/[ \t]+#+[ \t]*$/, '')
        .replace(/^#+[ \t]*$/, '');
      headings.push({ level: atx[1]!.length, title: cleanTitle(text), style: 'atx', first: i, last: i });
      isHeadingLine.add(i);
      continue;
    }
    const html = HTML_HEADING_OPEN.exec(line.visible);
    if (html) {
      const level = Number(html[1]);
      const closeTag = new RegExp(`</h${level}\\s*>`, 'i');
      let text = line.visible.slice(html[0].length);
      let last = i;
      // The closing tag may come a few lines later; look no further than the setext limit.
      while (!closeTag.test(text) && last + 1 < md.length && last - i < limits.maxSetextLines) {
        if (md[last + 1]!.code || md[last + 1]!.fence) break;
        last++;
        text += ` ${md[last]!.visible}`;
      }
      const close = closeTag.exec(text);
      if (close) {
        headings.push({
          level,
          title: cleanTitle(text.slice(0, close.index)),
          style: 'html',
          first: i,
          last,
        });
        for (let k = i; k <= last; k++) isHeadingLine.add(k);
        i = last;
        continue;
      }
    }
    const underline = SETEXT_UNDERLINE.exec(line.visible);
    if (underline && i > from) {
      let first = i;
      while (
        first - 1 >= from &&
        i - (first - 1) <= limits.maxSetextLines &&
        !isHeadingLine.has(first - 1) &&
        !md[first - 1]!.code &&
        !md[first - 1]!.fence &&
        md[first - 1]!.visible.trim() !== '' &&
        !NOT_PARAGRAPH.test(md[first - 1]!.visible) &&
        !SETEXT_UNDERLINE.test(md[first - 1]!.visible)
      )
        first--;
      if (first < i) {
        const text = md
          .slice(first, i)
          .map((l) => l.visible.trim())
          .join(' ');
        headings.push({
          level: underline[1]![0] === '=' ? 1 : 2,
          title: cleanTitle(text),
          style: 'setext',
          first,
          last: i,
        });
        for (let k = first; k <= i; k++) isHeadingLine.add(k);
      }
    }
  }
  if (headings.length > 0) return headings;
  // Prose-only card: standalone lines naming a model card or datasheet section stand for headings.
  for (let i = from; i < md.length; i++) {
    const line = md[i]!;
    if (line.code || line.fence || line.visible.trim() === '') continue;
    if (i > from && md[i - 1]!.visible.trim() !== '') continue;
    const bare = line.visible.trim().replace(/^(\*\*|__)(.*)\1:?$/, '$2');
    if (bare.length > 80) continue;
    if (PROSE_SECTION_TITLES.has(normalizeTitle(bare)))
      headings.push({ level: 2, title: cleanTitle(bare), style: 'plain', first: i, last: i });
  }
  return headings;
}

/**
 * Splits the card body (lines from `from`) into sections by heading: ATX, setext, HTML and, for prose-only
 * cards, plain Mitchell/Gebru section lines. Each section gets its body, state and extent.
 */
export function readSections(
  md: readonly MarkdownLine[],
  from: number,
  limits: CardReadLimits,
  trainerCard: boolean,
): {
  readonly sections: readonly CardSection[];
  readonly preamble: { readonly startLine: number; readonly endLine: number; readonly state: SectionState };
  readonly problems: readonly CardProblem[];
} {
  const problems: CardProblem[] = [];
  let headings = findHeadings(md, from, limits);
  if (headings.length > limits.maxSections) {
    const dropped = headings[limits.maxSections]!;
    problems.push({
      code: 'too-many-sections',
      line: dropped.first + 1,
      message: `more than ${limits.maxSections} headings; the rest are read as text of the last section`,
    });
    headings = headings.slice(0, limits.maxSections);
  }
  const total = md.length;
  const preambleEnd = headings.length > 0 ? headings[0]!.first : total;
  const preamble = {
    startLine: from + 1,
    endLine: preambleEnd,
    state: classifyBody(md.slice(from, preambleEnd), { sectionTitle: undefined, trainerCard }),
  };

  const sections: CardSection[] = [];
  const stack: number[] = [];
  const ends: number[] = [];
  headings.forEach((heading, index) => {
    while (stack.length > 0 && headings[stack[stack.length - 1]!]!.level >= heading.level) {
      ends[stack.pop()!] = heading.first;
    }
    const parent = stack.length > 0 ? stack[stack.length - 1] : undefined;
    stack.push(index);
    const bodyFrom = heading.last + 1;
    const bodyTo = index + 1 < headings.length ? headings[index + 1]!.first : total;
    const normalizedTitle = normalizeTitle(heading.title);
    const bodyLines = md.slice(bodyFrom, bodyTo);
    let body = '';
    let bodyTruncated = false;
    for (const l of bodyLines) {
      if (body.length + l.visible.length + 1 > limits.maxSectionBodyChars) {
        bodyTruncated = true;
        break;
      }
      body += body === '' ? l.visible : `\n${l.visible}`;
    }
    const state = classifyBody(bodyLines, { sectionTitle: normalizedTitle, trainerCard });
    sections.push({
      index,
      level: heading.level,
      title: heading.title,
      normalizedTitle,
      style: heading.style,
      headingLine: heading.first + 1,
      bodyStartLine: bodyFrom + 1,
      bodyEndLine: bodyTo,
      endLine: total,
      parent,
      body: body.trim(),
      bodyTruncated,
      state,
      subtreeState: state,
    });
  });
  for (const open of stack) ends[open] = total;
  // Fill extents and roll states up from the deepest sections (children come after their parents).
  const result = sections.map((s, i) => ({ ...s, endLine: ends[i] ?? total }));
  for (let i = result.length - 1; i >= 0; i--) {
    const s = result[i]!;
    if (s.parent === undefined) continue;
    const p = result[s.parent]!;
    result[s.parent] = { ...p, subtreeState: combine(p.subtreeState, s.subtreeState) };
  }
  return { sections: result, preamble, problems };
}

function combine(a: SectionState, b: SectionState): SectionState {
  if (a === 'content' || b === 'content') return 'content';
  if (a === 'placeholder' || b === 'placeholder') return 'placeholder';
  return 'empty';
}
