/**
 * Markdown for values taken from untrusted files. File names, class names and dataset ids are written as
 * code spans, so HTML and links in them stay text (CommonMark §6.1: no markup inside a code span); table
 * cells escape `|` (GFM tables split rows on it before reading code spans).
 */

/** Longest value written into the card; longer ones are cut with an ellipsis. */
const MAX_CODE_CHARS = 160;

/** Printable and on one line: control and line-separator characters become spaces. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

/** A code span holding `text` verbatim (bounded), with a fence longer than any backtick run inside. */
export function code(text: string): string {
  let value = printable(text);
  if (value.length > MAX_CODE_CHARS) value = `${value.slice(0, MAX_CODE_CHARS)}…`;
  let longest = 0;
  for (const run of value.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') || value === '' ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/** A table cell: `|` escaped. */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

const GROUPING = new Intl.NumberFormat('en-US');

/** `1,234,567`. */
export function grouped(value: number | bigint): string {
  return GROUPING.format(value);
}

/** Three significant digits without trailing zeros: `6.74`, `10.5`, `123`, `4`. */
function threeDigits(x: number): string {
  const s = x >= 100 ? String(Math.round(x)) : x.toPrecision(3);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** `6.74B` for 6,738,415,616: a count in thousands, millions, billions (decimal, three significant digits). */
export function shortCount(value: bigint): string {
  const units: readonly [bigint, string][] = [
    [1_000_000_000_000n, 'T'],
    [1_000_000_000n, 'B'],
    [1_000_000n, 'M'],
    [1_000n, 'K'],
  ];
  for (const [unit, suffix] of units) {
    if (value >= unit) return `${threeDigits(Number((value * 1000n) / unit) / 1000)}${suffix}`;
  }
  return grouped(value);
}

/** `4,965,799,096 bytes (4.97 GB)`: exact, then decimal units as the Hub shows sizes. */
export function size(bytes: number): string {
  const units: readonly [number, string][] = [
    [1e12, 'TB'],
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'kB'],
  ];
  for (const [unit, suffix] of units) {
    if (bytes >= unit) return `${grouped(bytes)} bytes (${threeDigits(bytes / unit)} ${suffix})`;
  }
  return `${grouped(bytes)} bytes`;
}

/** A number exactly as parsed (JavaScript's shortest round-trip form, what Python's `repr` also prints). */
export function exact(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  return String(value);
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `1 file`, `2 files`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${grouped(count)} ${count === 1 ? noun : nouns}`;
}
