import { compareStrings } from '../core/finding.js';

/**
 * Small pieces both BOM writers and the collection use, so CycloneDX and SPDX clip and order the same way.
 */

/** Longest text put into one BOM field: cards can be long, a BOM should stay readable. */
export const MAX_BOM_TEXT_CHARS = 4_000;

/** Clips a text to `max` characters at a word boundary (when that keeps at least half), with an ellipsis. */
export function clipText(text: string, max = MAX_BOM_TEXT_CHARS): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** Distinct values in code-point order (deterministic output). */
export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}
