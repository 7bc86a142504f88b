import { toPlainText } from '../../cards/rules/prose.js';
import { GENERIC_TEXT } from '../../cards/rules/use.js';
import { MAX_TEXT_CHARS, MIN_TEXT_LETTERS } from './limits.js';

/**
 * Card markdown to the plain text a BOM carries: what a reader of the rendered card sees, without markup.
 * Links keep their text (their targets are read apart, as links); images, badges and HTML tags go.
 */

/** `<summary>Click to expand</summary>`: the handle of a collapsible block, not text of the card. */
const HTML_SUMMARY = /<summary\b[^<>]{0,200}>[^<>]{0,300}<\/summary>/gi;
/** `![alt](src)`: an image or a badge, not words. */
const MARKDOWN_IMAGE = /!\[[^\]\n]{0,300}\]\([^()\s]{0,1000}(?:\s+"[^"\n]{0,200}")?\)/g;
/** `[text][ref]` and `[text][]`: reference-style links keep their text. */
const REFERENCE_LINK = /\[([^[\]\n]{1,300})\]\[[^[\]\n]{0,100}\]/g;
const LIST_MARKER = /^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+/;
const BLOCKQUOTE = /^[ \t]*(?:>[ \t]?)+/;
/** Single `*` or `_` emphasis at a word's edge (`*AI researchers*`); `snake_case` keeps its underscore. */
const EMPHASIS = /(^|[\s([{"'])[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?=[\s)\]}.,;:!?"']|$)/g;
const ENTITIES: Readonly<Record<string, string>> = {
  '&nbsp;': ' ',
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
  '&apos;': "'",
};
const ENTITY = /&(?:nbsp|amp|lt|gt|quot|#39|apos);/g;

/** One line of card markdown (HTML comments already removed) as plain text, links kept as their text. */
export function plainLine(visible: string): string {
  let text = visible;
  if (text.includes('<')) text = text.replace(HTML_SUMMARY, ' ');
  if (text.includes('![')) text = text.replace(MARKDOWN_IMAGE, ' ');
  if (text.includes('][')) text = text.replace(REFERENCE_LINK, '$1');
  text = toPlainText(text).text;
  text = text.replace(LIST_MARKER, '').replace(BLOCKQUOTE, '');
  if (text.includes('*') || text.includes('_')) text = text.replace(EMPHASIS, '$1');
  if (text.includes('&')) text = text.replace(ENTITY, (m) => ENTITIES[m] ?? m);
  return tidy(text);
}

/** White space collapsed, and no space left before punctuation where a placeholder was cut out. */
export function tidy(text: string): string {
  return text
    .replace(/[ \t\u00a0]+/g, ' ')
    .replace(/ ([.,;:!?)\]])/g, '$1')
    .replace(/([([]) /g, '$1')
    .trim();
}

/** Template sentences of the Hub's 2022 card templates (see `GENERIC_TEXT`), case-insensitive. */
const GENERIC = GENERIC_TEXT.map((p) => new RegExp(p.source, 'gi'));

/** The text without the templates' generic sentences, which say nothing about this model or dataset. */
export function withoutGenericText(text: string): string {
  let out = text;
  // Every generic sentence holds one of these words: most texts have none.
  if (!/research|stereotypes|hostile|readers|made aware|recomm/i.test(out)) return out;
  for (const pattern of GENERIC) out = out.replace(pattern, ' ');
  return tidy(out);
}

/**
 * Answers that say nothing: "N/A", "None", "Not applicable", "-", and the template's "More information needed"
 * mistyped past the placeholder pattern ("information needed").
 */
const NON_ANSWER =
  /^(?:n\/?a|none|nothing|no|not (?:applicable|available|known|specified|provided)|unknown|tbd|todo|-+|\.+|—|(?:more )?info(?:rmation)? (?:is )?needed)[.!]?$/i;

/** Whether a text is one of the answers that say nothing. */
export function isNonAnswer(text: string): boolean {
  return NON_ANSWER.test(text.trim());
}

/** Whether a text says something: enough letters, and not one of the non-answers. */
export function saysSomething(text: string, minLetters = MIN_TEXT_LETTERS): boolean {
  if (isNonAnswer(text)) return false;
  let letters = 0;
  for (const _ of text.matchAll(/\p{L}/gu)) if (++letters >= minLetters) return true;
  return false;
}

/**
 * A text bounded to `max` characters: cut after the last sentence that fits (when that keeps at least half
 * of it), else at the last word boundary, with an ellipsis saying it was cut.
 */
export function boundText(text: string, max = MAX_TEXT_CHARS): string {
  if (text.length <= max) return text;
  const room = text.slice(0, max - 1);
  let cut = -1;
  for (const m of room.matchAll(/[.!?](?=\s)/g)) cut = m.index + 1;
  if (cut < max / 2) {
    const space = room.lastIndexOf(' ');
    cut = space >= max / 2 ? space : max - 1;
  }
  return `${room.slice(0, cut).trimEnd()}…`;
}

/** Splits a paragraph into sentences (after `.`, `!` or `?` and a space before a capital, digit or quote). */
export function sentencesOf(text: string): { readonly text: string; readonly offset: number }[] {
  const out: { text: string; offset: number }[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?]["')\]]?\s+(?=[\p{Lu}\p{N}"“(])/gu)) {
    const end = m.index + m[0].length;
    out.push({ text: text.slice(start, end).trim(), offset: start });
    start = end;
  }
  if (start < text.length) out.push({ text: text.slice(start).trim(), offset: start });
  return out.filter((s) => s.text !== '');
}
