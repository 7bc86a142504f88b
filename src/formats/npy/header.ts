/**
 * The .npy header (numpy/lib/format.py, NEP 1): magic `\x93NUMPY`, major and minor version, a little-endian
 * header length (2 bytes in 1.0, 4 bytes in 2.0 and 3.0), then a Python dict literal such as
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`. numpy reads the literal with
 * `ast.literal_eval`; we parse the same literal subset (never evaluating anything) and check the three keys
 * numpy itself requires, refusing what we cannot read rather than guessing.
 */
import type { ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';

export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
/** numpy refuses headers longer than this by default (format.py `_MAX_HEADER_SIZE`). */
export const MAX_NPY_HEADER_BYTES = 10_000;

export interface NpyHeader {
  readonly version: string;
  /** The dtype description as written: a string like `<f8`, or a list for structured dtypes. */
  readonly descr: string;
  /** True when the dtype holds Python objects, so the data is a pickle (`allow_pickle=True` to load). */
  readonly hasObjects: boolean;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Where the array data (or the pickle) starts. */
  readonly dataOffset: number;
}

export function isNpy(head: Uint8Array): boolean {
  return NPY_MAGIC.every((b, i) => head[i] === b);
}

export function parseNpyHeader(source: ByteSource): NpyHeader {
  const fixed = source.readAt(0, 12);
  if (!isNpy(fixed)) throw new ParseError('BAD_MAGIC', 'not a .npy file (magic \\x93NUMPY missing)', 0);
  if (fixed.length < 10) throw new ParseError('TRUNCATED', 'the .npy header is truncated', fixed.length);
  const major = fixed[6] as number;
  const minor = fixed[7] as number;
  let length: number;
  let start: number;
  if (major === 1) {
    length = (fixed[8] as number) | ((fixed[9] as number) << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (fixed.length < 12) throw new ParseError('TRUNCATED', 'the .npy header is truncated', fixed.length);
    length =
      ((fixed[8] as number) | ((fixed[9] as number) << 8) | ((fixed[10] as number) << 16)) +
      (fixed[11] as number) * 2 ** 24;
    start = 12;
  } else {
    throw new ParseError('UNSUPPORTED', `unsupported .npy version ${major}.${minor}`, 6);
  }
  if (length > MAX_NPY_HEADER_BYTES) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `the .npy header is ${length} bytes, over numpy's limit of ${MAX_NPY_HEADER_BYTES}`,
      8,
    );
  }
  const bytes = source.readAt(start, length);
  if (bytes.length < length)
    throw new ParseError('TRUNCATED', 'the .npy header is truncated', start + bytes.length);
  // Version 3.0 allows UTF-8; 1.0 and 2.0 are latin-1 (format.py `_read_array_header`).
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes);
  // numpy reads the dict with ast.literal_eval, so read it as a Python literal too: regexes over the text
  // disagree with it on repeated keys (the last wins), comments, escapes and concatenated strings.
  const header = new LiteralParser(text, start).header();
  const keys = header instanceof Map ? [...header.keys()].sort().join(',') : '';
  if (!(header instanceof Map) || keys !== 'descr,fortran_order,shape') {
    throw new ParseError(
      'BAD_STRUCTURE',
      `the .npy header is not a dict of exactly descr, fortran_order and shape: ${text.slice(0, 120)}`,
      start,
    );
  }
  const descrEntry = header.get('descr') as { value: Literal; raw: string };
  const fortran = header.get('fortran_order')?.value;
  const shapeValue = header.get('shape')?.value;
  if (typeof fortran !== 'boolean')
    throw new ParseError('BAD_VALUE', 'the .npy fortran_order is not True or False', start);
  if (!isSequence(shapeValue, 'tuple'))
    throw new ParseError('BAD_VALUE', 'the .npy shape is not a tuple', start);
  const shape = shapeValue.items.map((n) => {
    const v = typeof n === 'boolean' ? Number(n) : n;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
      throw new ParseError('BAD_VALUE', `bad .npy shape entry '${String(n)}'`, start);
    return v;
  });
  const descr = typeof descrEntry.value === 'string' ? descrEntry.value : descrEntry.raw;
  const hasObjects = descrHasObjects(descrEntry.value, 0);
  return {
    version: `${major}.${minor}`,
    descr,
    hasObjects,
    fortranOrder: fortran,
    shape,
    dataOffset: start + length,
  };
}

/** Nesting of lists, tuples and dicts read in a header (numpy's own are at most a few levels deep). */
const MAX_LITERAL_DEPTH = 64;

interface Sequence {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly Literal[];
}
type Dict = Map<string, { readonly value: Literal; readonly raw: string }>;
/** A Python literal as ast.literal_eval reads it, restricted to what a header holds; bytes and floats fail. */
type Literal = string | number | boolean | null | Sequence | Dict;

function isSequence(v: Literal | undefined, kind?: Sequence['kind']): v is Sequence {
  return (
    typeof v === 'object' && v !== null && !(v instanceof Map) && (kind === undefined || v.kind === kind)
  );
}

/**
 * Whether numpy's `descr_to_dtype` would build a dtype holding Python objects. Strings are dtype strings
 * ('|O', 'object', 'f4,O', '(2,)O'); no dtype string without objects contains an O or 'object'. A tuple is
 * (base, shape); anything else is iterated as fields of (name, descr[, shape]), strings char by char.
 */
function descrHasObjects(descr: Literal, depth: number): boolean {
  if (depth > MAX_LITERAL_DEPTH) return true;
  if (typeof descr === 'string') return /O|object/.test(descr);
  if (isSequence(descr, 'tuple'))
    return descr.items.length > 0 && descrHasObjects(descr.items[0] as Literal, depth + 1);
  const fields = descr instanceof Map ? [...descr.keys()] : isSequence(descr) ? descr.items : [];
  return fields.some((field) => {
    const parts =
      typeof field === 'string'
        ? [...field]
        : field instanceof Map
          ? [...field.keys()]
          : isSequence(field)
            ? field.items
            : [];
    return parts.length >= 2 && descrHasObjects(parts[1] as Literal, depth + 1);
  });
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};

/** Reads the literal subset numpy headers use; anything else throws BAD_STRUCTURE (we never guess). */
class LiteralParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly at: number,
  ) {}

  header(): Literal {
    const value = this.value(0);
    this.space();
    if (this.pos < this.text.length) this.fail('text follows the dict');
    return value;
  }

  private fail(why: string): never {
    throw new ParseError(
      'BAD_STRUCTURE',
      `the .npy header is not a literal pedigree can read: ${why}`,
      this.at,
    );
  }

  private space(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.pos++;
      else if (c === '#') while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.pos++;
      else if (c === '\\' && this.text[this.pos + 1] === '\n') this.pos += 2;
      else return;
    }
  }

  private value(depth: number): Literal {
    if (depth > MAX_LITERAL_DEPTH) this.fail('nested too deeply');
    this.space();
    const rest = this.text.slice(this.pos, this.pos + 3);
    const c = rest[0];
    if (c === '{') return this.dict(depth);
    if (c === '[') return { kind: 'list', items: this.items(']', depth) };
    if (c === '(') return this.paren(depth);
    if (/^(?:[uUrR]?['"])/.test(rest)) return this.strings();
    const number = /^[+-]?\s*(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)L?(?![\w.])/.exec(
      this.text.slice(this.pos),
    );
    if (number) {
      this.pos += number[0].length;
      const digits = number[0].replace(/[\s_L]/g, '');
      const negative = digits.startsWith('-');
      const n = Number(digits.replace(/^[+-]/, ''));
      if (!Number.isSafeInteger(n)) this.fail(`integer ${number[0]} does not fit in 53 bits`);
      return negative ? -n : n;
    }
    const name = /^[A-Za-z_]\w*/.exec(this.text.slice(this.pos))?.[0];
    if (name === 'True' || name === 'False' || name === 'None') {
      this.pos += name.length;
      return name === 'None' ? null : name === 'True';
    }
    return this.fail(`unexpected ${JSON.stringify(this.text.slice(this.pos, this.pos + 10))}`);
  }

  /** Comma-separated values up to `close`, a trailing comma allowed. */
  private items(close: string, depth: number): Literal[] {
    this.pos++;
    const items: Literal[] = [];
    for (;;) {
      this.space();
      if (this.text[this.pos] === close) break;
      items.push(this.value(depth + 1));
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) this.fail(`expected ',' or '${close}'`);
    }
    this.pos++;
    return items;
  }

  /** `()` and `(a, ...)` are tuples, `(a)` is just `a`. */
  private paren(depth: number): Literal {
    const open = this.pos;
    this.pos++;
    this.space();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return { kind: 'tuple', items: [] };
    }
    const first = this.value(depth + 1);
    this.space();
    if (this.text[this.pos] === ')') {
      this.pos++;
      return first;
    }
    this.pos = open;
    return { kind: 'tuple', items: this.items(')', depth) };
  }

  private dict(depth: number): Dict {
    this.pos++;
    const out: Dict = new Map();
    for (;;) {
      this.space();
      if (this.text[this.pos] === '}') break;
      const key = this.value(depth + 1);
      if (typeof key !== 'string') this.fail('a dict key is not a string');
      this.space();
      if (this.text[this.pos] !== ':') this.fail("expected ':' (sets are not read)");
      this.pos++;
      this.space();
      const from = this.pos;
      const value = this.value(depth + 1);
      out.delete(key); // a repeated key keeps its last value, as in Python
      out.set(key, { value, raw: this.text.slice(from, this.pos) });
      this.space();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail("expected ',' or '}'");
    }
    this.pos++;
    return out;
  }

  /** Adjacent string literals concatenate, as in Python. */
  private strings(): string {
    let out = '';
    do {
      out += this.string();
      this.space();
    } while (/^[uUrR]?['"]/.test(this.text.slice(this.pos, this.pos + 2)));
    return out;
  }

  private string(): string {
    let raw = false;
    const prefix = this.text[this.pos] as string;
    if (prefix !== "'" && prefix !== '"') {
      raw = prefix === 'r' || prefix === 'R';
      this.pos++;
    }
    const q = this.text[this.pos] as string;
    const triple = this.text.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    this.pos += close.length;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('a string is not terminated');
      if (this.text.startsWith(close, this.pos)) {
        this.pos += close.length;
        return out;
      }
      const c = this.text[this.pos] as string;
      if (c === '\n' && !triple) this.fail('a string is not terminated');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const e = this.text[this.pos + 1] ?? '';
      if (raw) {
        out += c + e;
        this.pos += 2;
        continue;
      }
      const simple = SIMPLE_ESCAPES[e];
      const octal = /^[0-7]{1,3}/.exec(this.text.slice(this.pos + 1, this.pos + 4))?.[0];
      const hex = { x: 2, u: 4, U: 8 }[e];
      if (simple !== undefined) {
        out += simple;
        this.pos += 2;
      } else if (octal !== undefined) {
        out += String.fromCodePoint(Number.parseInt(octal, 8));
        this.pos += 1 + octal.length;
      } else if (hex !== undefined) {
        const digits = this.text.slice(this.pos + 2, this.pos + 2 + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) this.fail('a string has a bad escape');
        const code = Number.parseInt(digits, 16);
        if (code > 0x10ffff) this.fail('a string has a bad escape');
        out += String.fromCodePoint(code);
        this.pos += 2 + hex;
      } else if (e === 'N') {
        this.fail('a string uses a \\N{...} escape');
      } else {
        out += c;
        this.pos++;
      }
    }
  }
}
