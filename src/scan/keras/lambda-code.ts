/**
 * What a Keras Lambda's serialized function would run, read the way `func_load` reads it
 * (keras-team/keras keras/src/utils/python_utils.py; tf-keras tf_keras/utils/generic_utils.py):
 *
 *     raw_code = codecs.decode(code.encode("ascii"), "base64")   # on error:
 *     raw_code = code.encode("raw_unicode_escape")
 *     code = marshal.loads(raw_code)
 *
 * so the string is either base64 (decoded leniently: non-alphabet characters are dropped) or, when that
 * fails, the marshal bytes themselves, as Keras decides. The code object is never run or
 * disassembled: its names and constants are evidence.
 */
import { truncateText } from '../../core/byte-reader.js';
import { describeError } from '../../core/errors.js';
import {
  codeObjects,
  type MarshalCode,
  type MarshalValue,
  marshalStrings,
  parseMarshalCode,
} from '../../formats/pymarshal/reader.js';
import { DANGEROUS_CODE_NAMES } from './namespace.js';

/** Characters of a Lambda's function string examined (real marshalled lambdas are a few kilobytes). */
export const MAX_LAMBDA_CODE_CHARS = 8 * 1024 * 1024;
/** Names and constants listed in evidence. */
const MAX_LISTED = 40;

export type LambdaCode =
  /** A code object read with one of the known layouts. */
  | { readonly form: 'bytecode'; readonly summary: string; readonly dangerous: readonly string[] }
  /** Marshal data no known layout reads: the strings found in it. */
  | {
      readonly form: 'strings';
      readonly summary: string;
      readonly dangerous: readonly string[];
      readonly problem: string;
    }
  /** Not marshal data at all: Python source text (which `func_load` cannot load, but says what was meant). */
  | { readonly form: 'source'; readonly summary: string; readonly dangerous: readonly string[] };

/** Whether a character code is in the standard base64 alphabet (A-Z, a-z, 0-9, +, /). */
function isBase64Code(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f
  );
}

/**
 * Python's `binascii.a2b_base64` in its default (non-strict) mode, which is also what `base64.b64decode`
 * without `validate=True` does (TorchModuleWrapper's `from_config`): characters outside the alphabet are
 * skipped (URL-safe `-` and `_` included, which Node's decoder would read as data), decoding stops at
 * padding, and a final group of 1 data character, or of 2-3 without enough padding, is an error.
 * Undefined on error (then `func_load` falls back to the raw string; b64decode raises).
 */
export function pythonBase64Decode(text: string): Uint8Array | undefined {
  // `code.encode("ascii")` (b64decode: `s.encode("ascii")`) fails first on any non-ASCII character.
  if (/[^\x00-\x7f]/.test(text)) return undefined;
  // Modules/binascii.c binascii_a2b_base64_impl, strict_mode false.
  const kept = new Uint8Array(text.length);
  let n = 0;
  let quad = 0;
  let pads = 0;
  let complete = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d) {
      if (quad >= 2 && quad + ++pads >= 4) {
        complete = true;
        break;
      }
      continue;
    }
    if (!isBase64Code(c)) continue;
    pads = 0;
    quad = (quad + 1) % 4;
    kept[n++] = c;
  }
  if (!complete && quad !== 0) return undefined;
  return new Uint8Array(Buffer.from(Buffer.from(kept.buffer, 0, n).toString('latin1'), 'base64'));
}

/** `str.encode("raw_unicode_escape")`: code points below 256 as one byte, others as `\uXXXX`/`\UXXXXXXXX`. */
export function rawUnicodeEscape(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x100) out.push(cp);
    else {
      const esc =
        cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`;
      for (const c of esc) out.push(c.charCodeAt(0));
    }
  }
  return new Uint8Array(out);
}

/** Source text that calls or imports something able to run commands, read files or evaluate code. */
const DANGEROUS_SOURCE =
  /\b(?:eval|exec|compile|__import__|open|getattr|globals|system|popen|Popen|check_output|import_module)\s*\(|\b(?:os|subprocess|socket|shutil|builtins|sys|pty|ctypes|importlib)\s*\.|\bimport\s+[A-Za-z_]/g;

/** Reads a Lambda's function string (a `func_dump` base64 string, raw marshal bytes, or source text). */
export function describeLambdaCode(text: string): LambdaCode {
  const clipped = text.length > MAX_LAMBDA_CODE_CHARS ? text.slice(0, MAX_LAMBDA_CODE_CHARS) : text;
  // The one reading Keras makes: base64 when it decodes, else the raw_unicode_escape bytes.
  const bytes = pythonBase64Decode(clipped) ?? rawUnicodeEscape(clipped);
  let problem: string | undefined;
  try {
    const { code } = parseMarshalCode(bytes);
    return summariseCode(code);
  } catch (error) {
    problem = describeError(error);
  }
  // marshal's code type byte is 'c', with FLAG_REF (0xe3) since Python 3.4.
  if (bytes[0] === 0x63 || bytes[0] === 0xe3) {
    const found = marshalStrings(bytes);
    const dangerous = found.filter((s) => DANGEROUS_CODE_NAMES.has(s));
    return {
      form: 'strings',
      summary: `strings: ${listed(found.map(quote))}`,
      dangerous,
      problem: problem ?? 'unrecognised code object layout',
    };
  }
  const dangerous = [
    ...new Set([...clipped.matchAll(DANGEROUS_SOURCE)].map((m) => m[0].replace(/\s*[(.]$/, '').trim())),
  ].sort();
  return { form: 'source', summary: `source: ${truncateText(clipped, 300)}`, dangerous };
}

function summariseCode(top: MarshalCode): LambdaCode {
  const all = codeObjects(top);
  const names = unique(all.flatMap((c) => c.names));
  const consts = unique(
    all.flatMap((c) => c.consts.filter((v) => v.kind !== 'code' && v.kind !== 'none').map(renderConst)),
  );
  const nested = all.slice(1).map((c) => c.qualname ?? c.name);
  const dangerous = names.filter((n) => DANGEROUS_CODE_NAMES.has(n));
  const parts = [
    `names: ${names.length > 0 ? listed(names) : '(none)'}`,
    `consts: ${consts.length > 0 ? listed(consts) : '(none)'}`,
  ];
  if (nested.length > 0) parts.push(`nested code: ${listed(nested)}`);
  parts.push(
    `code object ${top.qualname ?? top.name} from ${truncateText(top.filename, 120)}:${top.firstLineNumber}`,
  );
  return { form: 'bytecode', summary: parts.join('; '), dangerous };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function listed(values: readonly string[]): string {
  const shown = values.slice(0, MAX_LISTED).map((v) => truncateText(v, 120));
  return `${shown.join(', ')}${values.length > MAX_LISTED ? `, … (${values.length} in all)` : ''}`;
}

function quote(s: string): string {
  return `'${s}'`;
}

function renderConst(v: MarshalValue): string {
  switch (v.kind) {
    case 'str':
      return quote(truncateText(v.value, 200));
    case 'bytes':
      return `b'${truncateText(Buffer.from(v.value.subarray(0, 200)).toString('latin1'), 200)}'`;
    case 'int':
    case 'float':
    case 'complex':
      return v.value;
    case 'tuple':
    case 'list':
    case 'set':
    case 'frozenset':
    case 'slice':
      return `(${v.items.slice(0, 10).map(renderConst).join(', ')}${v.items.length > 10 ? ', …' : ''})`;
    case 'dict':
      return `{${v.entries.length} entries}`;
    case 'code':
      return `<code ${v.code.name}>`;
    case 'null':
    case 'none':
      return 'None';
    case 'true':
      return 'True';
    case 'false':
      return 'False';
    case 'ellipsis':
      return '...';
    case 'stopiteration':
      return 'StopIteration';
  }
}
