import type { CardAuditContext } from '../../cards/audit/types.js';
import { stripPlaceholders } from '../../cards/placeholders.js';
import { cardProse } from '../../cards/rules/prose.js';
import { labelOf, normalizeLabel } from '../../cards/topics.js';
import type { InventoryParty } from '../inventory.js';
import { MAX_PARTIES, MAX_PARTY_CHARS } from './limits.js';
import { plainLine, tidy } from './text.js';

/**
 * People and organisations named in a label's value (`- **Developed by:** [A](url), [B](url) and C`,
 * `**Model developers** Meta`) or a metadata string (`model_creator`). A value is split into names only
 * where it is a list (commas, or "and" between links or after a comma list); a value that reads as a
 * sentence names nobody this reader can tell apart, and is left out rather than guessed at.
 */

/** `[name](url)` in a value. */
const LINK = /\[([^[\]\n]{1,200})\]\(\s{0,5}<?([^()\s<>]{1,1000})>?(?:\s{1,5}"[^"\n]{0,200}")?\s{0,5}\)/g;
/** Labelled values read per card (a card of thousands of `Author:` lines is cut). */
const MAX_LABELLED_VALUES = 200;
/** More words than this, and the value is a sentence, not a name. */
const MAX_NAME_WORDS = 10;
/** A full stop and more words, but not after an initial or an abbreviation ("Noah A. Smith", "Acme Inc. Labs"). */
const SENTENCE_END = /(?<!\b(?:\p{Lu}|Inc|Ltd|Co|Corp|Dr|Jr|Sr|St|Mr|Mrs|Ms|Prof|al|vs))[.!?]\s+\S/u;
/** Words of a sentence about who made something ("This dataset was curated by X"), not of a name. */
const SENTENCE_WORD =
  /\b(?:is|are|was|were|be|been|being|has|have|had|by|this|these|we|our|please|see|contact|developed|created|curated|maintained|made|built|trained|released|provided|shared|funded)\b/i;
/** Endings that make a name an organisation's, whatever else it says. */
const ORGANIZATION_NAME =
  /\b(?:inc|ltd|llc|gmbh|corp|corporation|company|co|university|universit[àéä]t?|institute|institut|laborator(?:y|ies)|labs?|foundation|team|group|consortium|association|society|center|centre|department|school|college|academy|ai)\.?$/i;

/** Whether a label's value can stand for names (short, not a sentence). */
function nameLike(text: string): boolean {
  if (text === '' || text.length > MAX_PARTY_CHARS || !/\p{L}/u.test(text)) return false;
  if (text.split(/\s+/).length > MAX_NAME_WORDS) return false;
  // A sentence: a full stop followed by more words, a clause, or the words sentences are made of.
  return !SENTENCE_END.test(text) && !/:\s/.test(text) && !SENTENCE_WORD.test(text);
}

function party(name: string, kind: InventoryParty['kind'], url?: string): InventoryParty {
  const clean = tidy(name).replace(/[.,;:]+$/, '');
  const resolved: InventoryParty['kind'] =
    kind === 'unknown' && ORGANIZATION_NAME.test(clean) ? 'organization' : kind;
  return url !== undefined ? { name: clean, kind: resolved, url } : { name: clean, kind: resolved };
}

function isUrl(text: string): boolean {
  return /^(?:https?:\/\/|mailto:)\S+$/i.test(text);
}

/**
 * The parties a value names. `kind` is what the label says they are (`Organization developing the model`:
 * organizations); otherwise `unknown`, unless a name ends like an organisation's (`Inc.`, `University`).
 */
export function partiesOf(value: string, kind: InventoryParty['kind'] = 'unknown'): InventoryParty[] {
  const { rest } = stripPlaceholders(value, { sectionTitle: undefined, trainerCard: false });
  if (!/\p{L}/u.test(rest)) return [];
  // Links first: `[Name](url)` gives a name with its address.
  const links: { name: string; url: string }[] = [];
  const withoutLinks = rest.replace(LINK, (_m, text: string, url: string) => {
    links.push({ name: plainLine(text), url });
    return '\u0000';
  });
  // The value is a list of links (`[A](x), [B](y) and [C](z)`): one party per link.
  const between = withoutLinks.split('\u0000');
  if (links.length > 0 && between.every((part) => /^[\s,;&]*(?:and)?[\s,;&]*$/i.test(part))) {
    return links
      .filter((l) => nameLike(l.name) && !isUrl(l.name))
      .slice(0, MAX_PARTIES)
      .map((l) => party(l.name, kind, isUrl(l.url) ? l.url : undefined));
  }
  // `BigScience ([website](https://...))`: one name, its address in brackets.
  let url: string | undefined;
  const single = links.length === 1 ? links[0] : undefined;
  let text = withoutLinks;
  if (single !== undefined && /\(\s*\u0000\s*\)/.test(withoutLinks) && isUrl(single.url)) {
    url = single.url;
    text = withoutLinks.replace(/\(\s*\u0000\s*\)/, ' ');
  } else {
    let i = 0;
    text = withoutLinks.replace(/\u0000/g, () => links[i++]?.name ?? ' ');
  }
  const plain = plainLine(text).replace(/[.;]+$/, '');
  if (!nameLike(plain)) return [];
  // Split a list: commas and semicolons, and a final "and" after them ("A, B and C").
  let parts = plain.split(/\s*[;,]\s*/).filter((p) => p !== '');
  if (parts.length > 1) {
    const last = parts[parts.length - 1] as string;
    const split = last.split(/\s+(?:and|&)\s+/i);
    parts = [...parts.slice(0, -1), ...split];
  }
  // Each part must be a name on its own; otherwise the comma was part of one name ("Meta, Inc.").
  if (parts.length > 1 && !parts.every((p) => nameLike(p) && !/^(?:inc|ltd|llc|gmbh)\.?$/i.test(p)))
    parts = [plain];
  const out = parts
    .map((p) => p.replace(/^(?:and|&)\s+/i, '').trim())
    .filter((p) => nameLike(p))
    .slice(0, MAX_PARTIES)
    .map((p) => party(p, kind));
  if (url !== undefined && out.length === 1) return [party((out[0] as InventoryParty).name, kind, url)];
  return out;
}

/** Parties without repeats (by name, case-insensitive), in order. */
export function uniqueParties(parties: readonly InventoryParty[]): InventoryParty[] {
  const seen = new Set<string>();
  const out: InventoryParty[] = [];
  for (const p of parties) {
    const key = p.name.toLowerCase();
    if (p.name === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(p);
    if (out.length >= MAX_PARTIES) break;
  }
  return out;
}

/** A labelled line's value: on the line (`**Developed by:** X`), or on the next line under a bare label. */
export interface LabelledValue {
  /** Normalised label (`developed by`). */
  readonly key: string;
  /** The value as written (markdown). */
  readonly value: string;
  /** Line of the label. */
  readonly line: number;
}

/** Values of the labelled lines whose normalised label `accept` takes, in document order. */
export function labelledValues(ctx: CardAuditContext, accept: (key: string) => boolean): LabelledValue[] {
  const lines = cardProse(ctx).lines;
  const out: LabelledValue[] = [];
  for (let i = 0; i < lines.length && out.length < MAX_LABELLED_VALUES; i++) {
    const line = lines[i] as (typeof lines)[number];
    if (line.code) continue;
    const label = labelOf(line.visible);
    if (label === undefined) continue;
    const key = normalizeLabel(label.label);
    if (!accept(key)) continue;
    let value = label.value?.trim() ?? '';
    const { rest } = stripPlaceholders(value, { sectionTitle: undefined, trainerCard: false });
    if (!/[\p{L}\p{N}]/u.test(rest.replace(/\*\*|__/g, ''))) {
      // `**Organization developing the model**` over the answer (meta-llama/llama MODEL_CARD.md).
      const next = lines[i + 1];
      if (
        value === '' &&
        next !== undefined &&
        !next.code &&
        next.line <= line.line + 2 &&
        next.section === line.section &&
        labelOf(next.visible) === undefined
      )
        value = next.visible.trim();
      else continue;
    }
    out.push({ key, value, line: line.line });
  }
  return out;
}
