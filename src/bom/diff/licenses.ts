import parseSpdx from 'spdx-expression-parse';
import deprecatedSpdxIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import spdxIds from 'spdx-license-ids/index.json' with { type: 'json' };
import { compareStrings } from '../../core/finding.js';
import { MAX_LICENSE_EXPRESSION_CHARS } from './limits.js';

/** SPDX licence ids by their lower-case form: ids match case-insensitively (SPDX 2.3 Annex D.2). */
const ID_BY_LOWER: ReadonlyMap<string, string> = new Map(
  [...spdxIds, ...deprecatedSpdxIds].map((id) => [id.toLowerCase(), id]),
);

function serialise(node: parseSpdx.Info, parent: 'and' | 'or' | undefined): string {
  if ('license' in node) {
    return `${node.license}${node.plus ? '+' : ''}${node.exception !== undefined ? ` WITH ${node.exception}` : ''}`;
  }
  // A chain of one operator is one list whatever its bracketing, sorted so `MIT OR Apache-2.0` and
  // `Apache-2.0 OR MIT` are one expression (AND and OR are commutative and associative, SPDX 2.3 Annex D.4).
  const operands: string[] = [];
  const pending: parseSpdx.Info[] = [node];
  while (pending.length > 0) {
    const current = pending.pop() as parseSpdx.Info;
    if ('conjunction' in current && current.conjunction === node.conjunction)
      pending.push(current.right, current.left);
    else operands.push(serialise(current, node.conjunction));
  }
  const text = [...new Set(operands)]
    .sort(compareStrings)
    .join(node.conjunction === 'and' ? ' AND ' : ' OR ');
  return parent === undefined ? text : `(${text})`;
}

function tryParse(expression: string): parseSpdx.Info | undefined {
  try {
    return parseSpdx(expression);
  } catch {
    return undefined;
  }
}

/**
 * A licence as the diff compares it: an SPDX expression in one canonical form (ids in their listed case,
 * operators upper case, operands of AND/OR sorted, redundant brackets gone), so `license.id: MIT`,
 * `expression: "MIT"` and SPDX 3 `mit` are one licence. Text that is not an SPDX expression (a licence
 * name such as `llama3.1`) is kept as written, trimmed and with runs of white space as one space.
 */
export function canonicalLicense(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  if (trimmed.length === 0 || trimmed.length > MAX_LICENSE_EXPRESSION_CHARS) return trimmed;
  let parsed = tryParse(trimmed);
  if (parsed === undefined) {
    // `mit`, `apache-2.0 or mit`: fix the case of ids and operators, then try again.
    const fixed = trimmed.replace(/[^\s()]+/g, (token) => {
      const upper = token.toUpperCase();
      if (upper === 'AND' || upper === 'OR' || upper === 'WITH') return upper;
      const plus = token.endsWith('+');
      const id = ID_BY_LOWER.get((plus ? token.slice(0, -1) : token).toLowerCase());
      return id === undefined ? token : `${id}${plus ? '+' : ''}`;
    });
    parsed = tryParse(fixed);
  }
  return parsed === undefined ? trimmed : serialise(parsed, undefined);
}

/**
 * Licences repeat across a BOM (thousands of `MIT`): each text is canonicalised once. The cache is emptied
 * when it reaches this many entries, so a BOM of unique licence texts cannot grow it without bound.
 */
const MAX_CACHED_LICENSES = 10_000;
const cache = new Map<string, string>();

function cachedCanonicalLicense(text: string): string {
  let canonical = cache.get(text);
  if (canonical === undefined) {
    if (cache.size >= MAX_CACHED_LICENSES) cache.clear();
    canonical = canonicalLicense(text);
    cache.set(text, canonical);
  }
  return canonical;
}

/** Canonical, unique and sorted; empty strings dropped. */
export function canonicalLicenses(texts: readonly string[]): readonly string[] {
  return [...new Set(texts.map(cachedCanonicalLicense).filter((t) => t.length > 0))].sort(compareStrings);
}
