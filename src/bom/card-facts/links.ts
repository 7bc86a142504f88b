import type { CardAuditContext } from '../../cards/audit/types.js';
import { stripPlaceholders } from '../../cards/placeholders.js';
import { cardProse, toPlainText } from '../../cards/rules/prose.js';
import { labelOf, normalizeLabel } from '../../cards/topics.js';
import type { ExternalLink } from '../inventory.js';
import { REFERENCE_DEFINITION } from './blocks.js';
import { MAX_LINKS } from './limits.js';
import { plainLine } from './text.js';

/**
 * Links a card gives for the model or dataset itself: labelled lines of the Hub templates' "Model Sources" and
 * "Dataset Description" lists (`- **Repository:** ...`, `- **Paper:** ...`, `- **Demo:** ...`,
 * `- **Homepage:** ...`) wherever they are, and the links of sections that are only about where to read
 * more ("Paper & samples", "Documents", "Model Sources"). Links in running text (citations, related work,
 * a base model's page) are not about this model and are not taken.
 */

/** What a labelled link is, by its normalised label. */
const LINK_LABELS: readonly (readonly [RegExp, ExternalLink['type']])[] = [
  [/^(?:code )?(?:repository|repo|github|gitlab|source code|code)$/, 'vcs'],
  [
    /^(?:paper|papers|associated paper|technical report|arxiv|paper or resources for more information|resources for more information|blog|blog post|documentation|docs)$/,
    'documentation',
  ],
  [/^(?:demo|space|homepage|home page|website|project page|project website|leaderboard)$/, 'website'],
];

/** Headings of sections that only list where to read more. */
const LINK_SECTION =
  /^(?:(?:model|dataset) sources|sources|papers?(?: (?:and|or) [a-z ]{1,40})?|documents|links|resources)$/;

/** Hosts of version control. */
const VCS_URL = /^https?:\/\/(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)\//i;
/** Where papers are. */
const PAPER_URL =
  /^https?:\/\/(?:www\.)?(?:arxiv\.org|aclanthology\.org|aclweb\.org|openreview\.net|doi\.org)\/|\.pdf$/i;
const ABSOLUTE_URL = /^https?:\/\/[^\s<>"']{1,2000}$/i;
const BARE_URL = /\bhttps?:\/\/[^\s<>"'()[\]]{1,2000}/g;

/** A link whose label or place does not say what it is: guessed from its text and host only. */
function typeOfUrl(url: string, text: string): ExternalLink['type'] {
  if (VCS_URL.test(url)) return 'vcs';
  if (PAPER_URL.test(url) || /\b(?:paper|blog|docs?|documentation|report)\b/i.test(text))
    return 'documentation';
  return 'website';
}

/** `[text][ref]`, `[text][]`: a reference link, resolved through the card's definitions. */
const REFERENCE_LINK = /\[([^[\]\n]{1,300})\]\[([^[\]\n]{0,100})\]/g;
/** Definitions read per card. */
const MAX_DEFINITIONS = 500;

/** The card's link reference definitions, by lower-case label (CommonMark §4.7: labels match without case). */
function referenceDefinitions(ctx: CardAuditContext): ReadonlyMap<string, string> {
  const out = new Map<string, string>();
  for (const line of cardProse(ctx).lines) {
    if (line.code || out.size >= MAX_DEFINITIONS) continue;
    const m = REFERENCE_DEFINITION.exec(line.visible);
    const label = m?.[1]?.trim().toLowerCase();
    // The first definition of a label wins (CommonMark §4.7).
    if (m && label !== undefined && !out.has(label)) out.set(label, m[2] as string);
  }
  return out;
}

/** Absolute http(s) URLs in a value, placeholders (whose links point at a template's guide) left out. */
function urlsOf(value: string, definitions: ReadonlyMap<string, string>): string[] {
  const { rest } = stripPlaceholders(value, { sectionTitle: undefined, trainerCard: false });
  const references: string[] = [];
  for (const m of rest.matchAll(REFERENCE_LINK)) {
    const url = definitions.get(((m[2] as string) || (m[1] as string)).trim().toLowerCase());
    if (url !== undefined) references.push(url);
  }
  const { text, urls } = toPlainText(rest);
  const all = [...urls, ...references, ...(text.match(BARE_URL) ?? [])].map((u) => u.replace(/[.,;:]+$/, ''));
  return [...new Set(all.filter((u) => ABSOLUTE_URL.test(u)))];
}

export interface LabelledUrl {
  readonly url: string;
  /** `README.md:31`. */
  readonly source: string;
}

export interface CardLinks {
  readonly links: readonly ExternalLink[];
  /** The links `Repository` labels give (the card's own repository; a Hub one names its id), with their lines. */
  readonly repositories: readonly LabelledUrl[];
  /** The links of `Homepage` labels (where a dataset says it can be had). */
  readonly homepages: readonly LabelledUrl[];
}

/** The card's links to its repository, paper, demo and home page, in document order, without repeats. */
export function cardLinks(ctx: CardAuditContext, path: string): CardLinks {
  const links: ExternalLink[] = [];
  const repositories: LabelledUrl[] = [];
  const homepages: LabelledUrl[] = [];
  const seen = new Set<string>();
  const add = (link: ExternalLink) => {
    if (seen.has(link.url) || links.length >= MAX_LINKS) return;
    seen.add(link.url);
    links.push(link);
  };
  const definitions = referenceDefinitions(ctx);
  const linkSections = new Set(
    ctx.doc.sections.filter((s) => LINK_SECTION.test(s.normalizedTitle)).map((s) => s.index),
  );
  for (const line of cardProse(ctx).lines) {
    if (line.code || links.length >= MAX_LINKS) continue;
    const label = labelOf(line.visible);
    if (label?.value !== undefined) {
      const key = normalizeLabel(label.label);
      const type = LINK_LABELS.find(([pattern]) => pattern.test(key))?.[1];
      if (type !== undefined) {
        const name = plainLine(label.label).replace(/\s*\[optional\]\s*/gi, '');
        for (const url of urlsOf(label.value, definitions)) {
          add({ type, url, comment: `${name} (${path}:${line.line})` });
          if (type === 'vcs') repositories.push({ url, source: `${path}:${line.line}` });
          if (/^(?:homepage|home page|website|project page|project website)$/.test(key))
            homepages.push({ url, source: `${path}:${line.line}` });
        }
        continue;
      }
    }
    if (line.section === undefined || !linkSections.has(line.section)) continue;
    // A section of links: each link with its text.
    const { rest } = stripPlaceholders(line.visible, { sectionTitle: undefined, trainerCard: false });
    for (const m of rest.matchAll(
      /\[([^[\]\n]{1,200})\]\(\s{0,5}<?(https?:\/\/[^()\s<>]{1,2000})>?\s{0,5}\)/g,
    )) {
      const text = plainLine(m[1] as string);
      const url = m[2] as string;
      add({ type: typeOfUrl(url, text), url, comment: `${text} (${path}:${line.line})` });
    }
  }
  return { links, repositories, homepages };
}

/** `arxiv:2106.09685` tags (the Hub adds them for papers a card links): the paper's page. */
export function arxivLinks(tags: readonly string[], path: string): ExternalLink[] {
  const out: ExternalLink[] = [];
  for (const tag of tags) {
    const m = /^arxiv:(\d{4}\.\d{4,5}(?:v\d{1,3})?)$/i.exec(tag.trim());
    if (m)
      out.push({
        type: 'documentation',
        url: `https://arxiv.org/abs/${m[1]}`,
        comment: `tag ${tag.trim()} (${path} front matter)`,
      });
  }
  return out;
}
