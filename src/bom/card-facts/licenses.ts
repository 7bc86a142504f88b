import parseSpdx from 'spdx-expression-parse';
import spdxIds from 'spdx-license-ids/index.json' with { type: 'json' };
import type { CardAuditContext } from '../../cards/audit/types.js';
import { readProse, selfClaims } from '../../cards/rules/license.js';
import { checkLicense, type LicenseCheck } from '../../cards/vocabulary.js';
import type { ExternalLink, InventoryLicense } from '../inventory.js';
import { MAX_NAME_CHARS } from './limits.js';
import { tidy } from './text.js';

/**
 * The licences a card states. The front matter's `license` (or the legacy dataset key `licenses`) is what
 * the Hub reads; a Hub id that is also an SPDX id (`apache-2.0`, `cc-by-nc-4.0`) becomes that SPDX id, and
 * the Hub's own ids (`llama3.1`, `openrail`, `bsd`), `other` with its `license_name`, and values that are
 * neither are kept by name. Only when the front matter states none is the prose read (a licence section or
 * label, a sentence saying this model or dataset is released under a licence), with the card audit's
 * reading of whom each statement is about: a card saying "code under MIT, weights under CC-BY-NC 4.0" is
 * CC-BY-NC 4.0 for the model.
 */

/** Current SPDX ids by lower case. Deprecated ids (`GPL-3.0`: only or or-later?) say less than they seem to. */
const SPDX_BY_LOWER: ReadonlyMap<string, string> = new Map(spdxIds.map((id) => [id.toLowerCase(), id]));

/** Licence items read from one key (`license: [a, b, ...]`). */
const MAX_LICENSE_ITEMS = 20;

/** Whether a text is a valid SPDX expression (SPDX spec Annex D, as `spdx-expression-parse` reads it). */
export function isSpdxExpression(text: string): boolean {
  if (text.length > MAX_NAME_CHARS) return false;
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** The current SPDX id spelled as `id` (`apache-2.0` → `Apache-2.0`), if there is one. */
function spdxIdOf(id: string): string | undefined {
  const spdx = SPDX_BY_LOWER.get(id.toLowerCase());
  return spdx !== undefined && isSpdxExpression(spdx) ? spdx : undefined;
}

function clip(text: string): string {
  const t = tidy(text);
  return t.length > MAX_NAME_CHARS ? `${t.slice(0, MAX_NAME_CHARS - 1)}…` : t;
}

/** One licence value of the front matter as the inventory keeps it; undefined when it states none. */
function fromCheck(
  value: string,
  check: LicenseCheck,
  otherName: unknown,
  source: string,
): InventoryLicense | undefined {
  if (check.kind === 'other' || check.canonical === 'other') {
    const name = typeof otherName === 'string' && otherName.trim() !== '' ? clip(otherName) : 'other';
    return { name, source };
  }
  // `unknown`: the card says it does not know its licence, which is no licence to record.
  if (check.canonical === 'unknown') return undefined;
  const code = check.issue?.code;
  if (code === 'spdx-expression' && isSpdxExpression(value.trim()))
    return { expression: value.trim(), source };
  // A misspelling is not resolved: the card's value is kept as written, by name.
  if (code !== 'misspelt' && check.canonical !== undefined) {
    const spdx = spdxIdOf(check.canonical);
    if (spdx !== undefined) return { expression: spdx, source };
    if (check.kind === 'hf') return { name: check.canonical, source };
  }
  const name = clip(value);
  return name === '' ? undefined : { name, source };
}

/** The licences the front matter declares, with the key they came from. */
export function frontMatterLicenses(
  meta: Readonly<Record<string, unknown>>,
  path: string,
): InventoryLicense[] {
  const has = (key: string) =>
    Object.hasOwn(meta, key) && meta[key] !== null && meta[key] !== undefined && meta[key] !== '';
  // `licenses` is the dataset key renamed to `license` in 2022 (huggingface/datasets#4607).
  const key = has('license') ? 'license' : has('licenses') ? 'licenses' : undefined;
  if (key === undefined) return [];
  const raw = meta[key];
  const values = (Array.isArray(raw) ? raw.slice(0, MAX_LICENSE_ITEMS) : [raw]).filter(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  const source = `${path} (front matter ${key})`;
  const context = { licenseName: meta.license_name, licenseLink: meta.license_link };
  const out: InventoryLicense[] = [];
  for (const value of values) {
    const license = fromCheck(value, checkLicense(value, context), meta.license_name, source);
    if (license !== undefined) out.push(license);
  }
  return dedupeLicenses(out);
}

/** The licences the prose says this model or dataset is under (its weights', when it tells them apart). */
export function proseLicenses(ctx: CardAuditContext, path: string): InventoryLicense[] {
  const prose = readProse(ctx);
  const { claims } = selfClaims(prose);
  const out: InventoryLicense[] = [];
  for (const claim of claims) {
    // A family or an id without its version ("a Creative Commons licence") names no licence.
    if (!claim.mention.exact) continue;
    const statement = prose.statements.find((s) => s.claims.includes(claim));
    const source = statement !== undefined ? `${path}:${statement.line}` : path;
    const id = claim.mention.id;
    if (id === 'other') out.push({ name: clip(claim.mention.name), source });
    else {
      const spdx = spdxIdOf(id);
      out.push(spdx !== undefined ? { expression: spdx, source } : { name: id, source });
    }
  }
  return dedupeLicenses(out);
}

function dedupeLicenses(licenses: readonly InventoryLicense[]): InventoryLicense[] {
  const seen = new Set<string>();
  return licenses.filter((l) => {
    const key = `${l.expression ?? ''}\u0000${l.name ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `license_link` when it is a URL (a relative path names a file of the repository, which collection lists). */
export function licenseLink(meta: Readonly<Record<string, unknown>>, path: string): ExternalLink | undefined {
  const link = meta.license_link;
  if (typeof link !== 'string') return undefined;
  const url = link.trim();
  if (!/^https?:\/\/\S{1,2000}$/i.test(url)) return undefined;
  return { type: 'license', url, comment: `license_link (${path} front matter)` };
}
