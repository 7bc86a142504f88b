/**
 * String order by Unicode code point, as Python compares `str` (and as a byte-wise sort of UTF-8 orders
 * text). JavaScript's `<` compares UTF-16 code units instead, which puts a character outside the Basic
 * Multilingual Plane (stored as a surrogate pair, 0xD800-0xDFFF) before U+E000-U+FFFF: `'\u{1F600}' <
 * '\uFF01'` is true in JavaScript and `'\U0001F600' < '\uFF01'` false in Python. Formats whose digests
 * cover a list sorted by a Python tool (OMS manifests, DVC trees, dataset snapshots) sort with this.
 */

/**
 * Compares two strings code point by code point; a string that is a prefix of the other comes first. A
 * lone surrogate (a file name Python decoded with `surrogateescape`) counts as its own code unit value.
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    // Equal code points have equal widths: one code unit, or two for a surrogate pair.
    i += x > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}
