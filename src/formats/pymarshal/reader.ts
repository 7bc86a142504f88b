/**
 * A bounded reader of CPython `marshal` data (Python/marshal.c), enough to show what a marshalled code
 * object would do: its names (`co_names`: the globals and attributes it touches), constants and the names
 * of nested code objects. Keras stores Lambda layers this way (`python_utils.func_dump`: base64 of
 * `marshal.dumps(func.__code__)`), and `marshal.loads` plus `FunctionType` is how they come back to life.
 * Nothing here executes or disassembles bytecode.
 *
 * Hand-written: no JavaScript library reads Python marshal data, and the format is small. Every object is
 * a type byte (bit 0x80, FLAG_REF, adds it to the reference table, which `r` entries index), then:
 *
 *   0 N F T S .        NULL, None, False, True, StopIteration, Ellipsis: no payload
 *   i                  int32;  I int64 (Python 2)
 *   l                  long: int32 digit count (its sign is the number's), then 15-bit digits as uint16
 *   f / x              float / complex as text: uint8 length and ASCII (marshal version 0)
 *   g / y              float / complex as IEEE doubles
 *   s                  bytes: int32 length
 *   t u a A            str (interned, UTF-8, ASCII, interned ASCII): int32 length
 *   z Z                short ASCII str (interned): uint8 length
 *   ( [ < >            tuple, list, set, frozenset: int32 count;  ) small tuple: uint8 count
 *   {                  dict: key/value pairs until a NULL key
 *   r                  reference: int32 index
 *   :                  slice (marshal version 5, Python 3.14): three objects
 *   c                  code object, whose fields depend on the Python version (CODE_LAYOUTS)
 *
 * References get their index when their type byte is read, before any child (r_ref_reserve / R_REF in
 * marshal.c), so a container's index precedes its items'.
 */
import { ByteReader, decodeLatin1, decodeUtf8 } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';

/** Decoded marshal data parsed at most (a Keras lambda is a few hundred bytes to a few kilobytes). */
export const MAX_MARSHAL_BYTES = 4 * 1024 * 1024;
/** Containers nested in containers: CPython's own MAX_MARSHAL_STACK_DEPTH is 2000; real code is shallow. */
export const MAX_MARSHAL_DEPTH = 200;
/** Objects read in one input: stops hostile counts that would each cost a step. */
export const MAX_MARSHAL_OBJECTS = 200_000;
/** `l` integers longer than this many 15-bit digits are kept as a size, not converted. */
const MAX_LONG_DIGITS_CONVERTED = 64;

const FLAG_REF = 0x80;

/** A decoded marshal value; only what evidence needs is kept (no bytecode interpretation). */
export type MarshalValue =
  | { readonly kind: 'null' | 'none' | 'false' | 'true' | 'stopiteration' | 'ellipsis' }
  | { readonly kind: 'int'; readonly value: string }
  | { readonly kind: 'float'; readonly value: string }
  | { readonly kind: 'complex'; readonly value: string }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | {
      readonly kind: 'tuple' | 'list' | 'set' | 'frozenset' | 'slice';
      readonly items: readonly MarshalValue[];
    }
  | { readonly kind: 'dict'; readonly entries: readonly (readonly [MarshalValue, MarshalValue])[] }
  | { readonly kind: 'code'; readonly code: MarshalCode };

/**
 * The code object layouts of the Python versions whose marshal output can be read (CPython
 * Python/marshal.c `w_object` TYPE_CODE in each release):
 * - 3.8-3.10: argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize, flags (int32 each), code,
 *   consts, names, varnames, freevars, cellvars, filename, name, firstlineno (int32), lnotab/linetable.
 * - 3.11-3.14: argcount, posonlyargcount, kwonlyargcount, stacksize, flags, code, consts, names,
 *   localsplusnames, localspluskinds, filename, name, qualname, firstlineno, linetable, exceptiontable.
 * - 3.3-3.7: argcount, kwonlyargcount, nlocals, stacksize, flags, then as 3.8-3.10 (older Keras files).
 * The version is not recorded, so each layout is tried and the first that parses with the right types wins.
 */
export type CodeLayout = 'py38-310' | 'py311-314' | 'py33-37';
export const CODE_LAYOUTS: readonly CodeLayout[] = ['py311-314', 'py38-310', 'py33-37'];

export interface MarshalCode {
  readonly name: string;
  readonly qualname: string | undefined;
  readonly filename: string;
  readonly firstLineNumber: number;
  /** `co_names`: globals, attributes and imported modules the bytecode refers to. */
  readonly names: readonly string[];
  /** Arguments and locals (`co_varnames`, or the local part of `co_localsplusnames`). */
  readonly localNames: readonly string[];
  readonly consts: readonly MarshalValue[];
  readonly layout: CodeLayout;
}

export interface MarshalLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  readonly maxObjects: number;
}

const DEFAULT_LIMITS: MarshalLimits = {
  maxBytes: MAX_MARSHAL_BYTES,
  maxDepth: MAX_MARSHAL_DEPTH,
  maxObjects: MAX_MARSHAL_OBJECTS,
};

/** A float as Python's repr writes it (`2.0`, not `2`). */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? x.toFixed(1) : String(x);
}

/** Placeholder for a reserved reference whose object is still being read (a cycle if it is used). */
const PENDING: MarshalValue = { kind: 'null' };

class MarshalParser {
  private readonly reader: ByteReader;
  private readonly refs: MarshalValue[] = [];
  private objects = 0;

  constructor(
    bytes: Uint8Array,
    private readonly layout: CodeLayout,
    private readonly limits: MarshalLimits,
  ) {
    this.reader = new ByteReader(bytes);
  }

  get offset(): number {
    return this.reader.offset;
  }

  read(depth: number): MarshalValue {
    const at = this.reader.offset;
    if (depth > this.limits.maxDepth) {
      throw new ParseError('LIMIT_EXCEEDED', `marshal data nested deeper than ${this.limits.maxDepth}`, at);
    }
    if (++this.objects > this.limits.maxObjects) {
      throw new ParseError('LIMIT_EXCEEDED', `more than ${this.limits.maxObjects} marshal objects`, at);
    }
    const byte = this.reader.u8('marshal type');
    const flag = (byte & FLAG_REF) !== 0;
    const type = String.fromCharCode(byte & ~FLAG_REF);
    // Reserved now, filled in below: a container's index comes before its children's (marshal.c R_REF).
    const slot = flag ? this.refs.push(PENDING) - 1 : -1;
    const value = this.readBody(type, at, depth);
    if (slot >= 0) this.refs[slot] = value;
    return value;
  }

  private readBody(type: string, at: number, depth: number): MarshalValue {
    const r = this.reader;
    switch (type) {
      case '0':
        return { kind: 'null' };
      case 'N':
        return { kind: 'none' };
      case 'F':
        return { kind: 'false' };
      case 'T':
        return { kind: 'true' };
      case 'S':
        return { kind: 'stopiteration' };
      case '.':
        return { kind: 'ellipsis' };
      case 'i':
        return { kind: 'int', value: String(r.i32le('int')) };
      case 'I': {
        const lo = BigInt(r.u32le('int64'));
        const hi = BigInt.asIntN(32, BigInt(r.u32le('int64')));
        return { kind: 'int', value: String((hi << 32n) | lo) };
      }
      case 'l':
        return { kind: 'int', value: this.readLong() };
      case 'f':
        return { kind: 'float', value: decodeLatin1(r.bytes(r.u8('float length'), 'float text')) };
      case 'g':
        return { kind: 'float', value: String(this.f64le()) };
      case 'x': {
        const re = decodeLatin1(r.bytes(r.u8('complex length'), 'complex text'));
        const im = decodeLatin1(r.bytes(r.u8('complex length'), 'complex text'));
        return { kind: 'complex', value: `(${re}+${im}j)` };
      }
      case 'y':
        return { kind: 'complex', value: `(${pythonFloat(this.f64le())}+${pythonFloat(this.f64le())}j)` };
      case 's':
        return { kind: 'bytes', value: r.bytes(this.length('bytes'), 'bytes').slice() };
      case 't':
      case 'u':
        return { kind: 'str', value: this.utf8(this.length('str')) };
      case 'a':
      case 'A':
        return { kind: 'str', value: decodeLatin1(r.bytes(this.length('str'), 'str')) };
      case 'z':
      case 'Z':
        return { kind: 'str', value: decodeLatin1(r.bytes(r.u8('short str length'), 'str')) };
      case '(':
        return { kind: 'tuple', items: this.items(this.count('tuple'), depth) };
      case ')':
        return { kind: 'tuple', items: this.items(r.u8('small tuple length'), depth) };
      case '[':
        return { kind: 'list', items: this.items(this.count('list'), depth) };
      case '<':
        return { kind: 'set', items: this.items(this.count('set'), depth) };
      case '>':
        return { kind: 'frozenset', items: this.items(this.count('frozenset'), depth) };
      case ':':
        return { kind: 'slice', items: this.items(3, depth) };
      case '{': {
        const entries: (readonly [MarshalValue, MarshalValue])[] = [];
        for (;;) {
          const key = this.read(depth + 1);
          if (key.kind === 'null') return { kind: 'dict', entries };
          entries.push([key, this.read(depth + 1)]);
        }
      }
      case 'r': {
        const index = r.u32le('reference');
        const value = this.refs[index];
        if (value === undefined || value === PENDING) {
          throw new ParseError('BAD_VALUE', `invalid marshal reference ${index}`, at);
        }
        return value;
      }
      case 'c':
        return { kind: 'code', code: this.readCode(at, depth) };
      default:
        throw new ParseError('BAD_VALUE', `unknown marshal type 0x${type.charCodeAt(0).toString(16)}`, at);
    }
  }

  /** A container count, checked against the bytes left (each item takes at least one). */
  private count(what: string): number {
    const at = this.reader.offset;
    const n = this.reader.i32le(`${what} length`);
    if (n < 0 || n > this.reader.remaining) {
      throw new ParseError('BAD_VALUE', `${what} of ${n} items does not fit the data`, at);
    }
    return n;
  }

  private length(what: string): number {
    const at = this.reader.offset;
    const n = this.reader.i32le(`${what} length`);
    if (n < 0) throw new ParseError('BAD_VALUE', `negative ${what} length ${n}`, at);
    return n;
  }

  private items(n: number, depth: number): MarshalValue[] {
    const out: MarshalValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.read(depth + 1));
    return out;
  }

  private utf8(n: number): string {
    const at = this.reader.offset;
    // marshal writes str with "surrogatepass"; lone surrogates are not valid UTF-8, so fall back to Latin-1
    // rather than refuse the object (it is evidence, not a value we compute with).
    const bytes = this.reader.bytes(n, 'str');
    try {
      return decodeUtf8(bytes, at, 'marshal str');
    } catch {
      return decodeLatin1(bytes);
    }
  }

  private f64le(): number {
    const b = this.reader.bytes(8, 'float64');
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
  }

  private readLong(): string {
    const at = this.reader.offset;
    const n = this.reader.i32le('long size');
    const digits = Math.abs(n);
    if (digits * 2 > this.reader.remaining) {
      throw new ParseError('BAD_VALUE', `long of ${digits} digits does not fit the data`, at);
    }
    if (digits > MAX_LONG_DIGITS_CONVERTED) {
      this.reader.skip(digits * 2, 'long digits');
      return `<int of ${digits * 15} bits>`;
    }
    let value = 0n;
    for (let i = 0; i < digits; i++) {
      const d = this.reader.u16le('long digit');
      if (d > 0x7fff) throw new ParseError('BAD_VALUE', 'long digit out of range', this.reader.offset - 2);
      value |= BigInt(d) << BigInt(15 * i);
    }
    return String(n < 0 ? -value : value);
  }

  private int(what: string): number {
    return this.reader.i32le(what);
  }

  private readCode(at: number, depth: number): MarshalCode {
    const layout = this.layout;
    // The leading int32 fields: their count is what tells the layouts apart.
    const ints = layout === 'py38-310' ? 6 : 5;
    for (let i = 0; i < ints; i++) this.int('code header field');
    const field = (_what: string) => this.read(depth + 1);
    expectKind(field('co_code'), 'bytes', 'co_code', at);
    const consts = tupleItems(field('co_consts'), 'co_consts', at);
    const names = strings(field('co_names'), 'co_names', at);
    let localNames: string[];
    let qualname: string | undefined;
    let filename: string;
    let name: string;
    if (layout === 'py311-314') {
      localNames = strings(field('co_localsplusnames'), 'co_localsplusnames', at);
      expectKind(field('co_localspluskinds'), 'bytes', 'co_localspluskinds', at);
      filename = str(field('co_filename'), 'co_filename', at);
      name = str(field('co_name'), 'co_name', at);
      qualname = str(field('co_qualname'), 'co_qualname', at);
    } else {
      localNames = strings(field('co_varnames'), 'co_varnames', at);
      strings(field('co_freevars'), 'co_freevars', at);
      strings(field('co_cellvars'), 'co_cellvars', at);
      filename = str(field('co_filename'), 'co_filename', at);
      name = str(field('co_name'), 'co_name', at);
    }
    const firstLineNumber = this.int('co_firstlineno');
    expectKind(field('co_linetable'), 'bytes', 'co_linetable', at);
    if (layout === 'py311-314') expectKind(field('co_exceptiontable'), 'bytes', 'co_exceptiontable', at);
    return { name, qualname, filename, firstLineNumber, names, localNames, consts, layout };
  }
}

function expectKind(v: MarshalValue, kind: MarshalValue['kind'], what: string, at: number): void {
  if (v.kind !== kind) {
    throw new ParseError('BAD_STRUCTURE', `code object field ${what} is ${v.kind}, not ${kind}`, at);
  }
}

function tupleItems(v: MarshalValue, what: string, at: number): readonly MarshalValue[] {
  if (v.kind !== 'tuple') throw new ParseError('BAD_STRUCTURE', `code object field ${what} is ${v.kind}`, at);
  return v.items;
}

function str(v: MarshalValue, what: string, at: number): string {
  if (v.kind !== 'str') throw new ParseError('BAD_STRUCTURE', `code object field ${what} is ${v.kind}`, at);
  return v.value;
}

function strings(v: MarshalValue, what: string, at: number): string[] {
  return tupleItems(v, what, at).map((item) => str(item, what, at));
}

/** One marshalled object, read with a given code layout. Throws ParseError. */
export function parseMarshal(
  bytes: Uint8Array,
  layout: CodeLayout,
  limits: Partial<MarshalLimits> = {},
): { value: MarshalValue; end: number } {
  const resolved = { ...DEFAULT_LIMITS, ...limits };
  if (bytes.length > resolved.maxBytes) {
    throw new ParseError(
      'LIMIT_EXCEEDED',
      `marshal data of ${bytes.length} bytes (limit ${resolved.maxBytes})`,
    );
  }
  const parser = new MarshalParser(bytes, layout, resolved);
  const value = parser.read(0);
  return { value, end: parser.offset };
}

/**
 * A marshalled code object (what `marshal.loads` returns in `func_load`), with the first code layout
 * that reads it. `trailing` counts bytes after the object, which `marshal.loads` ignores.
 */
export function parseMarshalCode(
  bytes: Uint8Array,
  limits: Partial<MarshalLimits> = {},
): { code: MarshalCode; trailing: number } {
  let first: unknown;
  for (const layout of CODE_LAYOUTS) {
    try {
      const { value, end } = parseMarshal(bytes, layout, limits);
      if (value.kind !== 'code') {
        throw new ParseError('BAD_STRUCTURE', `marshal data holds a ${value.kind}, not a code object`, 0);
      }
      return { code: value.code, trailing: bytes.length - end };
    } catch (error) {
      // A limit is a verdict on the input, not on the layout: do not try the next one for it.
      if (error instanceof ParseError && error.code === 'LIMIT_EXCEEDED') throw error;
      first ??= error;
    }
  }
  throw first;
}

/** Every code object: `code` and, depth first, the code objects among its constants. */
export function codeObjects(code: MarshalCode, max = 1000): MarshalCode[] {
  const out: MarshalCode[] = [];
  const visit = (c: MarshalCode) => {
    if (out.length >= max) return;
    out.push(c);
    for (const v of c.consts) if (v.kind === 'code') visit(v.code);
  };
  visit(code);
  return out;
}

/** Minimum length of a string kept by `marshalStrings`. */
const MIN_FALLBACK_STRING = 2;

/**
 * When no code layout reads the data (a Python version this reader does not know, or damage), the strings
 * marshal wrote are still there: ASCII strings (`z`, `Z`, `a`, `A`, with FLAG_REF or not) and UTF-8 ones
 * (`u`, `t`) whose length fits and whose bytes are printable. Returned in order of appearance, once each.
 */
export function marshalStrings(bytes: Uint8Array, max = 200, maxLength = 4096): string[] {
  const found = new Set<string>();
  for (let i = 0; i < bytes.length && found.size < max; i++) {
    const type = String.fromCharCode((bytes[i] as number) & ~FLAG_REF);
    let start: number;
    let length: number;
    if (type === 'z' || type === 'Z') {
      length = bytes[i + 1] ?? 0;
      start = i + 2;
    } else if (type === 'a' || type === 'A' || type === 'u' || type === 't') {
      if (i + 5 > bytes.length) continue;
      length =
        (bytes[i + 1] as number) |
        ((bytes[i + 2] as number) << 8) |
        ((bytes[i + 3] as number) << 16) |
        ((bytes[i + 4] as number) << 24);
      start = i + 5;
    } else continue;
    if (length < MIN_FALLBACK_STRING || length > maxLength || start + length > bytes.length) continue;
    const slice = bytes.subarray(start, start + length);
    if (!slice.every((b) => b >= 0x20 && b < 0x7f)) continue;
    found.add(decodeLatin1(slice));
    i = start + length - 1;
  }
  return [...found];
}
