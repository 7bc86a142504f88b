import { truncateText } from '../core/byte-reader.js';
import type {
  CardDocument,
  CardPlaceholder,
  CardProblem,
  CardSection,
  CardTemplate,
  FrontMatter,
} from './card-document.js';
import { locateFrontMatter, parseFrontMatter } from './front-matter.js';
import { type CardReadLimits, DEFAULT_CARD_READ_LIMITS } from './limits.js';
import { classifyComment, hasTrainerFingerprint, stripPlaceholders } from './placeholders.js';
import { readSections, scanMarkdownLines } from './sections.js';

/** Share of NUL or other C0 control characters (tab, CR, LF aside) above which text is taken for binary. */
const BINARY_CONTROL_SHARE = 0.01;
/** Characters sniffed for binary content. */
const BINARY_SNIFF_CHARS = 8192;

/** The characters `looksBinary` counts: C0 controls other than tab, LF, FF and CR, and U+FFFD. */
const CONTROL_CHAR = /[\x00-\x08\x0b\x0e-\x1f\ufffd]/;

function looksBinary(text: string): boolean {
  const head = text.slice(0, BINARY_SNIFF_CHARS);
  if (head.includes('\u0000')) return true;
  // Text without any of the characters counted below is text (the common case: no loop over it).
  if (!CONTROL_CHAR.test(head)) return false;
  let control = 0;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0xfffd) control++;
  }
  return head.length > 0 && control / head.length > BINARY_CONTROL_SHARE;
}

/**
 * Reads a model or dataset card: YAML front matter as the Hub parses it, markdown sections by heading,
 * and placeholders. Pure: the caller reads the file and passes its text. Never throws on content; what is
 * wrong with the card is in `problems`.
 */
export function readCard(path: string, text: string, options: Partial<CardReadLimits> = {}): CardDocument {
  const limits: CardReadLimits = { ...DEFAULT_CARD_READ_LIMITS, ...options };
  const problems: CardProblem[] = [];
  let source = text;
  if (source.length > limits.maxCardChars) {
    problems.push({
      code: 'card-too-large',
      line: 1,
      message: `card is ${source.length} characters; only the first ${limits.maxCardChars} are read`,
    });
    source = source.slice(0, limits.maxCardChars);
  }
  if (source.charCodeAt(0) === 0xfeff) {
    // The Hub server's JavaScript `\s` matches U+FEFF, but huggingface_hub reads cards with Python's
    // `utf-8` codec (not `utf-8-sig`) where `\s` does not: that library then finds no metadata.
    problems.push({
      code: 'byte-order-mark',
      line: 1,
      message:
        'card starts with a UTF-8 byte order mark; huggingface_hub (Python) then finds no front matter. Save without BOM',
    });
    source = source.slice(1);
  }
  const empty = (lineCount: number): CardDocument => ({
    path,
    frontMatter: undefined,
    preamble: { startLine: 1, endLine: 0, state: 'empty' },
    sections: [],
    placeholders: [],
    templates: [],
    problems: finishProblems(problems, limits),
    lineCount,
  });
  if (looksBinary(source)) {
    problems.push({
      code: 'binary-content',
      line: 1,
      message: 'card content is not text (NUL or control characters); not read as markdown',
    });
    return empty(0);
  }

  // CommonMark §2.1 and the Hub's `[\r\n]+` both accept LF, CRLF and lone CR line endings.
  const lines = source.split(/\r\n|\r|\n/);
  // A final line ending ends the last line; it does not start another.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const located = locateFrontMatter(lines);
  // With a block found, its problems come back inside `frontMatter.problems`.
  if (located.location === undefined) problems.push(...located.problems);
  let frontMatter: FrontMatter | undefined;
  const placeholders: CardPlaceholder[] = [];
  let bodyFrom = 0;
  if (located.location !== undefined) {
    const parsed = parseFrontMatter(lines, located.location, limits, located.problems);
    frontMatter = parsed.frontMatter;
    placeholders.push(...parsed.placeholders);
    problems.push(...frontMatter.problems);
    bodyFrom = located.location.end + 1;
  }

  const scanned = scanMarkdownLines(lines, bodyFrom);
  problems.push(...scanned.problems);
  const trainerCard = hasTrainerFingerprint(source, frontMatter?.data?.tags);
  const read = readSections(scanned.lines, bodyFrom, limits, trainerCard);
  problems.push(...read.problems);
  const sections = read.sections;

  // Section of each body line, for placeholders.
  const sectionAt = new Int32Array(lines.length).fill(-1);
  for (const s of sections) sectionAt.fill(s.index, s.headingLine - 1, s.bodyEndLine);
  const sectionOf = (i: number): CardSection | undefined => {
    const k = sectionAt[i] ?? -1;
    return k < 0 ? undefined : sections[k];
  };
  let placeholdersDropped = false;
  const addPlaceholder = (p: CardPlaceholder) => {
    if (placeholders.length < limits.maxPlaceholders) placeholders.push(p);
    else placeholdersDropped = true;
  };
  const templates = new Set<CardTemplate>();
  for (let i = bodyFrom; i < lines.length && !placeholdersDropped; i++) {
    const line = scanned.lines[i]!;
    if (line.code || line.fence || line.visible.trim() === '') continue;
    const section = sectionOf(i);
    for (const match of stripPlaceholders(line.visible, {
      sectionTitle: section?.normalizedTitle,
      trainerCard,
    }).found) {
      addPlaceholder({
        kind: match.kind,
        line: i + 1,
        section: section?.index,
        inFrontMatter: false,
        text: truncateText(match.text.trim(), 200),
      });
      if (match.kind === 'trainer-boilerplate') templates.add('trainer');
      if (match.kind === 'template-text') templates.add(templateOfSentence(match.text));
    }
  }
  for (const comment of scanned.comments) {
    const kind = classifyComment(comment.text);
    if (kind === undefined) continue;
    const section = sectionOf(comment.line);
    addPlaceholder({
      kind,
      line: comment.line + 1,
      section: section?.index,
      inFrontMatter: false,
      text: truncateText(comment.text.replace(/\s+/g, ' ').trim(), 200),
    });
    templates.add(kind === 'trainer-boilerplate' ? 'trainer' : templateOfComment(comment.text));
  }
  if (placeholdersDropped)
    problems.push({
      code: 'too-many-placeholders',
      line: 1,
      message: `more than ${limits.maxPlaceholders} placeholders; the rest are not listed`,
    });
  placeholders.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));

  return {
    path,
    frontMatter,
    preamble: read.preamble,
    sections,
    placeholders,
    templates: [...templates].sort(),
    problems: finishProblems(problems, limits),
    lineCount: lines.length,
  };
}

function templateOfSentence(text: string): CardTemplate {
  return /dataset/i.test(text) ? 'hub-dataset-card-template' : 'hub-model-card-template';
}

function templateOfComment(text: string): CardTemplate {
  return /dataset|data card/i.test(text) && !/model/i.test(text)
    ? 'hub-dataset-card-template'
    : 'hub-model-card-template';
}

/** Deduplicates, orders by line and bounds the problem list (STYLE.md §15: deterministic output). */
function finishProblems(problems: readonly CardProblem[], limits: CardReadLimits): CardProblem[] {
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const key = `${p.line}\u0000${p.code}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  unique.sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
  if (unique.length <= limits.maxProblems) return unique;
  const kept = unique.slice(0, limits.maxProblems);
  kept.push({
    code: 'too-many-problems',
    line: kept[kept.length - 1]!.line,
    message: `${unique.length - limits.maxProblems} more problems not listed`,
  });
  return kept;
}
