/**
 * Keras configurations are written by Python's `json.dumps`, which (allow_nan=True by default) writes
 * `NaN`, `Infinity` and `-Infinity` for non-finite floats (a clip value, an initializer bound); JSON.parse
 * refuses them. They are replaced by null outside strings, which changes no class, module or code.
 */
import { ParseError } from '../../core/errors.js';

export type PythonJsonEncoding =
  | 'utf-8'
  | 'utf-8-sig'
  | 'utf-16-le'
  | 'utf-16-be'
  | 'utf-32-le'
  | 'utf-32-be';

/**
 * The encoding `json.loads` gives bytes (CPython Lib/json/__init__.py `detect_encoding`): a UTF-32, UTF-16
 * or UTF-8 BOM, else the pattern of NUL bytes among the first four, else UTF-8. Keras 3 reads `config.json`
 * from the archive as bytes and hands them to `json.loads` (saving_lib `_model_from_config`), so a
 * UTF-16 or BOM-prefixed configuration loads; a reader that only accepts UTF-8 would call it unreadable.
 */
export function detectPythonJsonEncoding(b: Uint8Array): PythonJsonEncoding {
  const at = (i: number) => b[i] ?? 0;
  // BOM_UTF32_BE, BOM_UTF32_LE first: the UTF-32 LE BOM starts with the UTF-16 LE one.
  if (b.length >= 4 && at(0) === 0 && at(1) === 0 && at(2) === 0xfe && at(3) === 0xff) return 'utf-32-be';
  if (b.length >= 4 && at(0) === 0xff && at(1) === 0xfe && at(2) === 0 && at(3) === 0) return 'utf-32-le';
  if (b.length >= 2 && at(0) === 0xfe && at(1) === 0xff) return 'utf-16-be';
  if (b.length >= 2 && at(0) === 0xff && at(1) === 0xfe) return 'utf-16-le';
  if (b.length >= 3 && at(0) === 0xef && at(1) === 0xbb && at(2) === 0xbf) return 'utf-8-sig';
  if (b.length >= 4) {
    if (at(0) === 0) return at(1) !== 0 ? 'utf-16-be' : 'utf-32-be';
    if (at(1) === 0) return at(2) !== 0 || at(3) !== 0 ? 'utf-16-le' : 'utf-32-le';
  } else if (b.length === 2) {
    if (at(0) === 0) return 'utf-16-be';
    if (at(1) === 0) return 'utf-16-le';
  }
  return 'utf-8';
}

/**
 * Decodes JSON bytes as `json.loads(bytes)` does, BOM dropped. Python decodes with 'surrogatepass'; here
 * undecodable sequences become U+FFFD instead of failing, so a configuration Python may refuse is still
 * analysed (more analysis, never less). Throws ParseError for text over MAX_KERAS_JSON_CHARS.
 */
export function decodePythonJsonBytes(
  bytes: Uint8Array,
  what: string,
): { text: string; encoding: PythonJsonEncoding } {
  const encoding = detectPythonJsonEncoding(bytes);
  const units = encoding.startsWith('utf-32') ? 4 : encoding.startsWith('utf-16') ? 2 : 1;
  if (bytes.length / units > MAX_KERAS_JSON_CHARS) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `${what} is ${bytes.length} bytes of ${encoding} (limit ${MAX_KERAS_JSON_CHARS} characters)`,
    );
  }
  const bom = (b: Uint8Array, n: number) => b.subarray(n);
  let text: string;
  switch (encoding) {
    case 'utf-8':
      text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
      break;
    case 'utf-8-sig':
      text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bom(bytes, 3));
      break;
    case 'utf-16-le':
    case 'utf-16-be': {
      const hasBom =
        encoding === 'utf-16-le'
          ? bytes[0] === 0xff && bytes[1] === 0xfe
          : bytes[0] === 0xfe && bytes[1] === 0xff;
      text = new TextDecoder(encoding === 'utf-16-le' ? 'utf-16le' : 'utf-16be', { ignoreBOM: true }).decode(
        hasBom ? bom(bytes, 2) : bytes,
      );
      break;
    }
    case 'utf-32-le':
    case 'utf-32-be':
      text = decodeUtf32(bytes, encoding === 'utf-32-le');
      break;
  }
  return { text, encoding };
}

/** UTF-32 (no decoder in the platform): a leading BOM is dropped, invalid code points become U+FFFD. */
function decodeUtf32(bytes: Uint8Array, little: boolean): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: string[] = [];
  let chunk: number[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const cp = view.getUint32(i, little);
    if (i === 0 && cp === 0xfeff) continue;
    chunk.push(cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0xfffd : cp);
    if (chunk.length >= 8192) {
      parts.push(String.fromCodePoint(...chunk));
      chunk = [];
    }
  }
  if (bytes.length % 4 !== 0) chunk.push(0xfffd); // a truncated final unit
  parts.push(String.fromCodePoint(...chunk));
  return parts.join('');
}

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
