/**
 * The Python literal subset a .npy header holds, read as `ast.literal_eval` reads it (numpy/lib/format.py
 * `_read_array_header`), never evaluating anything. What it cannot read with certainty it refuses
 * (BAD_STRUCTURE); callers must then fail closed, since numpy may still read the text.
 */
import { ParseError } from '../../core/errors.js';

/** Nesting of lists, tuples and dicts read in a header (numpy's own are at most a few levels deep). */
export const MAX_LITERAL_DEPTH = 64;

export interface Sequence {
  readonly kind: 'list' | 'tuple';
  readonly items: readonly Literal[];
}
export type Dict = Map<string, { readonly value: Literal; readonly raw: string }>;
/** A Python literal as ast.literal_eval reads it, restricted to what a header holds; bytes and floats fail. */
export type Literal = string | number | boolean | null | Sequence | Dict;

export function isSequence(v: Literal | undefined, kind?: Sequence['kind']): v is Sequence {
  return (
    typeof v === 'object' && v !== null && !(v instanceof Map) && (kind === undefined || v.kind === kind)
  );
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
export class LiteralParser {
  private pos = 0;
  private readonly text: string;
  constructor(
    text: string,
    private readonly at: number,
  ) {
    // CPython's tokenizer turns \r\n and a lone \r into \n before reading a string source, so a
    // backslash-CR-LF inside a string is a line continuation and a CR inside '''...''' reads as \n.
    this.text = text.replace(/\r\n?/g, '\n');
  }

  /** The whole text as one literal (surrounding whitespace and comments allowed). */
  parse(): Literal {
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
      if (c === ' ' || c === '\t' || c === '\n' || c === '\f') this.pos++;
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
      // A repeated key keeps its last value but its first place, as in Python (and a Map): the order
      // matters when numpy iterates a dict descr as fields.
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
        // Python resolves \N{NAME} through the Unicode character database, which Node does not ship; a
        // partial table would read some names and guess at the rest, so the header is refused and the
        // caller fails closed (numpy does read it: '\N{LATIN CAPITAL LETTER O}' is an object dtype).
        this.fail('a string uses a \\N{...} escape');
      } else {
        out += c;
        this.pos++;
      }
    }
  }
}
