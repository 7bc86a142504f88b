import { truncateText } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { isRecord } from '../../core/json.js';

/**
 * JSON as Python's `json` module writes it. `json.dumps` writes `NaN`, `Infinity` and `-Infinity` for
 * non-finite floats (allow_nan=True is the default), which `JSON.parse` refuses; transformers' Trainer writes
 * `"eval_loss": NaN` that way. Those tokens, outside strings, are read as a `NonFinite` marker so the rest of
 * the file still reads and the card can say which value was not a number.
 */

/** Marks a non-finite number in parsed JSON. */
export const NON_FINITE = '\u0000non-finite:';

/** `NaN`, `Infinity` or `-Infinity` when `value` is the marker of one, else undefined. */
export function nonFiniteOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(NON_FINITE)
    ? value.slice(NON_FINITE.length)
    : undefined;
}

const TOKENS = ['-Infinity', 'Infinity', 'NaN'] as const;

/** Parses JSON text, accepting Python's non-finite tokens; throws ParseError('BAD_VALUE') otherwise. */
export function parsePythonJson(text: string): unknown {
  let out = '';
  let from = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x4e && c !== 0x49 && c !== 0x2d) continue; // N, I, -
    const token = TOKENS.find((t) => text.startsWith(t, i));
    if (token === undefined) continue;
    // The marker's NUL is written escaped: a raw control character is not allowed in a JSON string.
    out += `${text.slice(from, i)}"\\u0000non-finite:${token}"`;
    i += token.length - 1;
    from = i + 1;
  }
  const source = from === 0 ? text : out + text.slice(from);
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new ParseError('BAD_VALUE', `not valid JSON: ${truncateText((error as Error).message, 120)}`);
  }
}

/** An own property of a parsed object (never one inherited from Object.prototype). */
export function field(object: unknown, key: string): unknown {
  return isRecord(object) && Object.hasOwn(object, key) ? object[key] : undefined;
}

/** Longest string taken from a parsed file into a card; longer ones are not facts worth writing. */
export const MAX_VALUE_CHARS = 200;

/** A non-empty string of printable characters, bounded; undefined otherwise. */
export function stringField(object: unknown, key: string, max = MAX_VALUE_CHARS): string | undefined {
  return cleanString(field(object, key), max);
}

/** A string value without control characters, at most `max` characters; undefined when it is anything else. */
export function cleanString(value: unknown, max = MAX_VALUE_CHARS): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || trimmed.length > max || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(trimmed))
    return undefined;
  return trimmed;
}

/** A positive safe integer; undefined otherwise (a config's `-1` or `1e30` sentinels are not sizes). */
export function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** A finite number; undefined otherwise. */
export function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
