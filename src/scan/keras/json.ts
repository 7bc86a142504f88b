/**
 * Keras configurations are written by Python's `json.dumps`, which (allow_nan=True by default) writes
 * `NaN`, `Infinity` and `-Infinity` for non-finite floats (a clip value, an initializer bound); JSON.parse
 * refuses them. They are replaced by null outside strings, which changes no class, module or code.
 */
import { ParseError } from '../../core/errors.js';

/** JSON text of one configuration parsed at most (real ones are kilobytes to a few megabytes). */
export const MAX_KERAS_JSON_CHARS = 64 * 1024 * 1024;

/** Parses Python-flavoured JSON to `unknown`. Throws ParseError with the reason. */
export function parsePythonJson(text: string, what: string): unknown {
  if (text.length > MAX_KERAS_JSON_CHARS) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `${what} is ${text.length} characters (limit ${MAX_KERAS_JSON_CHARS})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (first) {
    const replaced = replaceNonFinite(text);
    if (replaced !== text) {
      try {
        return JSON.parse(replaced);
      } catch {
        // fall through to the original error, which names the first problem
      }
    }
    // JSON.parse throws SyntaxError for bad text and RangeError when nesting exhausts the stack.
    throw new ParseError('BAD_VALUE', `${what} is not valid JSON: ${(first as Error).message}`, undefined, {
      cause: first,
    });
  }
}

/** `NaN`, `Infinity`, `-Infinity` outside string literals become `null`. */
function replaceNonFinite(text: string): string {
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += `${text.slice(last, i)}null`;
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return last === 0 ? text : out + text.slice(last);
}
