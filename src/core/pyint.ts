/**
 * Python's `int(text, base)` on ASCII text: the value, or undefined where Python raises ValueError.
 *
 * Ported from CPython Objects/longobject.c `PyLong_FromString` (with `long_from_string_base`, the same rules
 * in 3.11 and later), because the loaders we model hand untrusted text to it: tarfile's `nti()` (base 8),
 * pax numbers (base 10), and the unpickler's INT/LONG (base 0) and GET/PUT (base 10) opcodes. Rules:
 * `Py_ISSPACE` whitespace (tab, LF, VT, FF, CR, space) around the number, one optional sign, a `0x`/`0o`/`0b`
 * prefix (required to pick the base when `base` is 0, optional for its own base) that may be followed by
 * one underscore, then digits with single underscores between them (none leading, trailing or doubled).
 * With base 0 and no prefix, a leading zero makes any non-zero value invalid (`010` is an error, `000` is 0).
 * Decimal text over 4300 digits is refused (sys.int_info.default_max_str_digits, CVE-2020-10735); bases that
 * are powers of two have no such limit. Non-ASCII text is refused: callers transform Unicode digits first
 * when their loader does.
 */
export function pyIntLiteral(text: string, base: 0 | 2 | 8 | 10 | 16): bigint | undefined {
  const isSpace = (c: string | undefined) => c === ' ' || (c !== undefined && c >= '\t' && c <= '\r');
  let i = 0;
  while (isSpace(text[i])) i++;
  let negative = false;
  if (text[i] === '+') i++;
  else if (text[i] === '-') {
    negative = true;
    i++;
  }
  const prefixOf = (c: string | undefined) =>
    c === 'x' || c === 'X' ? 16 : c === 'o' || c === 'O' ? 8 : c === 'b' || c === 'B' ? 2 : undefined;
  let radix: number = base;
  let zeroOnly = false;
  if (text[i] === '0') {
    const prefixed = prefixOf(text[i + 1]);
    if (prefixed !== undefined && (base === 0 || base === prefixed)) {
      radix = prefixed;
      i += 2;
      if (text[i] === '_') i++; // "One underscore allowed here." (longobject.c)
    } else if (base === 0) {
      radix = 10;
      zeroOnly = true; // an old C-style octal literal: invalid unless it is zero
    }
  } else if (base === 0) radix = 10;
  if (text[i] === '_') return undefined;
  // Digits are validated here and converted by the engine's BigInt parser, which is subquadratic, so long
  // hexadecimal text (no digit limit in Python) costs little.
  let digits = '';
  let prev = '';
  for (; i < text.length; i++) {
    const c = text[i] as string;
    const d = digitValue(c);
    if (d !== undefined && d < radix) {
      digits += c;
      if (radix === 10 && digits.length > PY_MAX_STR_DIGITS) return undefined;
    } else if (c === '_') {
      if (prev === '_') return undefined;
    } else break;
    prev = c;
  }
  if (prev === '_' || digits.length === 0) return undefined;
  while (isSpace(text[i])) i++;
  if (i !== text.length) return undefined;
  const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
  const value = BigInt(`${prefix}${digits}`);
  if (zeroOnly && value !== 0n) return undefined;
  return negative ? -value : value;
}

/** Python's `int()` limit on decimal digits (sys.int_info.default_max_str_digits, CPython 3.11 and 3.10.7+). */
export const PY_MAX_STR_DIGITS = 4300;

function digitValue(c: string): number | undefined {
  const code = c.charCodeAt(0);
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x7a) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x5a) return code - 0x41 + 10;
  return undefined;
}
