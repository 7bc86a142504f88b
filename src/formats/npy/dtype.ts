/**
 * Whether the dtype numpy builds from a .npy header's descr holds Python objects (`dtype.hasobject`): then
 * numpy/lib/format.py `read_array` calls `pickle.load` on the data (with allow_pickle=True).
 *
 * numpy reads the descr with `descr_to_dtype` (numpy/lib/format.py, NumPy >= 1.17; before that
 * `numpy.dtype(descr)`), which hands strings to `numpy.dtype` (numpy/_core/src/multiarray/descriptor.c
 * `_convert_from_str`, comma strings through numpy/_core/_internal.py `_commastring`), unpacks a tuple as
 * (base, shape) and iterates anything else as fields (name, descr[, shape]). This module follows those
 * readings for NumPy 1.x and 2.x and answers 'plain' only for forms it knows hold no objects in either;
 * 'object' when some reading holds objects; 'unknown' otherwise, so that callers fail closed. A descr numpy
 * rejects loads nothing; it is 'plain' or 'unknown' here, whichever is simpler to tell.
 */
import { isSequence, type Literal, MAX_LITERAL_DEPTH } from './literal.js';

export type DescrClass = 'plain' | 'object' | 'unknown';

export interface DescrClassification {
  readonly class: DescrClass;
  /** Why a descr is 'unknown' or 'object': the part that decided it. */
  readonly why?: string;
}

const PLAIN: DescrClassification = { class: 'plain' };
const unknown = (why: string): DescrClassification => ({ class: 'unknown', why });
const object = (why: string): DescrClassification => ({ class: 'object', why });

/** Objects win (numpy unpickles if it accepts the rest), then unknown, then plain. */
function worst(a: DescrClassification, b: DescrClassification): DescrClassification {
  const rank = { plain: 0, unknown: 1, object: 2 } as const;
  return rank[b.class] > rank[a.class] ? b : a;
}

export function classifyDescr(descr: Literal): DescrClassification {
  return classify(descr, 0);
}

function classify(descr: Literal, depth: number): DescrClassification {
  if (depth > MAX_LITERAL_DEPTH) return unknown('the descr is nested too deeply');
  if (typeof descr === 'string') return classifyTypestr(descr, depth);
  if (isSequence(descr, 'tuple')) return classifyTuple(descr.items, depth);
  if (isSequence(descr, 'list')) return classifyFields(descr.items, depth);
  if (descr instanceof Map) {
    // descr_to_dtype iterates a dict's keys as fields; numpy.dtype (NumPy < 1.17) reads it as
    // {'names': ..., 'formats': ...} or {name: (dtype, offset)}. numpy never writes one: only objects
    // found by the first reading are certain, anything else is unknown.
    const fields = classifyFields([...descr.keys()], depth);
    return fields.class === 'object' ? fields : unknown('the descr is a dict');
  }
  // descr_to_dtype iterates it and fails; numpy.dtype(None) is float64 in NumPy < 1.17.
  return unknown(`the descr is ${descr === null ? 'None' : typeof descr}`);
}

/**
 * (base, x): descr_to_dtype builds `numpy.dtype((descr_to_dtype(base), x))`. descriptor.c
 * `_convert_from_tuple` reads an integer or a tuple of integers as a shape (or an itemsize), which keeps
 * the base's objects; anything else is first tried as a dtype to view the base as
 * (`_try_convert_from_inherit_tuple`), and ('V', 'O') then holds objects though 'V' does not.
 */
function classifyTuple(items: readonly Literal[], depth: number): DescrClassification {
  const base = items.length > 0 ? classify(items[0] as Literal, depth + 1) : PLAIN;
  // A 0- or 1-tuple fails in descr_to_dtype (descr[1]) and numpy.dtype ("Tuple must have size 2").
  if (items.length < 2) return base.class === 'object' ? base : unknown('the descr is a tuple of < 2 items');
  if (base.class !== 'plain') return base;
  const x = items[1] as Literal;
  const isInt = (v: Literal) => typeof v === 'number' || typeof v === 'boolean';
  if (isInt(x) || (isSequence(x) && x.items.every(isInt))) return PLAIN;
  return classify(x, depth + 1);
}

/**
 * descr_to_dtype's fields: `name, descr_str = field` or `name, descr_str, shape = field`, each unpacked
 * from whatever the field is (a tuple, a list, a dict's keys, a string's characters); numpy writes tuples.
 * A name '' with a void dtype is dropped as padding, which only removes objects.
 */
function classifyFields(fields: readonly Literal[], depth: number): DescrClassification {
  let out = PLAIN;
  for (const field of fields) {
    const parts =
      typeof field === 'string'
        ? [...field] // Python iterates code points, as the spread does
        : field instanceof Map
          ? [...field.keys()]
          : isSequence(field)
            ? field.items
            : undefined;
    let r: DescrClassification;
    if (parts === undefined) r = unknown('a field is not a sequence');
    else if (parts.length === 2) r = classify(parts[1] as Literal, depth + 1);
    else if (parts.length === 3) r = classifyTuple(parts.slice(1), depth + 1);
    else r = unknown(`a field has ${parts.length} items`);
    out = worst(out, r);
    if (out.class === 'object') return out;
  }
  return out;
}

/**
 * One-character type codes (descriptor.c `_convert_from_str`: `PyArray_DescrFromType(type[0])`) whose
 * dtype holds no objects in NumPy 1.x or 2.x ('n' and 'N' are intp/uintp in 2.x, rejected in 1.x).
 */
const PLAIN_TYPE_CODES = new Set('?bBhHiIlLqQnNpPefdgFDGSUVacMm');

/**
 * Names `numpy.dtype` finds in `numpy.sctypeDict` whose dtype holds no objects, NumPy 1.24 and 2.x (names
 * only 1.x knew, like 'int0', are rejected by 2.x). Other names are unknown, never assumed plain: libraries
 * can add names, and older NumPy had more ('Object0').
 */
const PLAIN_NAMES = new Set([
  'bool',
  'bool_',
  'bool8',
  'byte',
  'bytes',
  'bytes_',
  'bytes0',
  'cdouble',
  'cfloat',
  'clongdouble',
  'clongfloat',
  'complex',
  'complex_',
  'complex64',
  'complex128',
  'complex256',
  'csingle',
  'datetime64',
  'double',
  'float',
  'float_',
  'float16',
  'float32',
  'float64',
  'float128',
  'half',
  'int',
  'int_',
  'int0',
  'int8',
  'int16',
  'int32',
  'int64',
  'intc',
  'intp',
  'long',
  'longcomplex',
  'longdouble',
  'longfloat',
  'longlong',
  'short',
  'single',
  'singlecomplex',
  'str',
  'str_',
  'str0',
  'string_',
  'timedelta64',
  'ubyte',
  'uint',
  'uint0',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'uintc',
  'uintp',
  'ulong',
  'ulonglong',
  'unicode',
  'unicode_',
  'ushort',
  'void',
  'void0',
]);

const BYTE_ORDERS = '<>=|';

/** A dtype string, as `numpy.dtype(str)` reads it. */
function classifyTypestr(s: string, depth: number): DescrClassification {
  if (s.length === 0) return unknown("the dtype string '' is rejected by numpy");
  // numpy reads the string's UTF-8 bytes as C text and Python's \s is wider than JavaScript's; nothing
  // numpy writes has other characters, so their reading is not guessed.
  if (!/^[\x20-\x7e]*$/.test(s)) return unknown(`the dtype string ${quote(s)} has non-ASCII characters`);
  if (isCommaString(s)) return classifyCommaString(s, depth);
  const rest = BYTE_ORDERS.includes(s[0] as string) ? s.slice(1) : s;
  // 'O' is object; NumPy 2's 'T' is StringDType, which sets NPY_ITEM_REFCOUNT (hasobject) in
  // numpy/_core/src/multiarray/stringdtype/dtype.c `new_stringdtype_instance`. No plain code or name
  // starts with either, so 'O8', 'Object0' (old NumPy) and misspellings count as objects.
  if (/^[OT]/.test(rest) || /object/i.test(rest)) return object(`dtype ${quote(s)}`);
  if (rest.length === 0) return unknown(`the dtype string ${quote(s)} is a bare byte order`);
  // descriptor.c `is_datetime_typestr`: these are datetime dtypes or errors.
  if (/^(?:[Mm]8|datetime64|timedelta64)/.test(rest)) return PLAIN;
  if (rest.length === 1) {
    return PLAIN_TYPE_CODES.has(rest)
      ? PLAIN
      : unknown(`the type code ${quote(s)} is not one pedigree knows`);
  }
  // kind + itemsize: `PyArray_TypestrConvert` maps these kinds to numeric, bytes, str and void types only.
  if (/^[biufcSUVa][0-9]+$/.test(rest)) return PLAIN;
  // numpy looks names up with the byte order attached ('<float32' is rejected), so either spelling is safe.
  if (PLAIN_NAMES.has(s) || PLAIN_NAMES.has(rest)) return PLAIN;
  return unknown(`the dtype string ${quote(s)} is not one pedigree knows`);
}

/** descriptor.c `_check_for_commastring`: these strings go to numpy/_core/_internal.py `_commastring`. */
function isCommaString(s: string): boolean {
  const digit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  const order = BYTE_ORDERS.includes(s[0] as string);
  if (digit(s[0]) || (s.length > 1 && order && digit(s[1]))) return true;
  if ((s.length > 1 && s.startsWith('()')) || (s.length > 3 && order && s.slice(1, 3) === '()')) return true;
  let brackets = 0;
  for (const c of s) {
    if (c === ',' && brackets === 0) return true;
    if (c === '[') brackets++;
    else if (c === ']') brackets--;
  }
  return false;
}

// numpy/_core/_internal.py `format_re`, `sep_re` and `space_re`, unchanged (strings here are printable
// ASCII, where Python's and JavaScript's \s agree).
const FORMAT_RE = /([<>|=]?)( *[(]?[ ,0-9]*[)]? *)([<>|=]?)([A-Za-z0-9.?]*(?:\[[a-zA-Z0-9,.]+\])?)/y;
const SEP_RE = /\s*,\s*/y;
const SPACE_RE = /\s+$/y;

/**
 * `_commastring` splits the string into formats, each optionally preceded by a repeat count or shape, and
 * numpy builds one field per format (`_convert_from_list`) or a sub-array (`(2,)T`). A repeat or shape
 * keeps its format's objects, so the string holds objects iff one of its formats does.
 */
function classifyCommaString(s: string, depth: number): DescrClassification {
  let out = PLAIN;
  let pos = 0;
  while (pos < s.length) {
    FORMAT_RE.lastIndex = pos;
    const m = FORMAT_RE.exec(s);
    if (m === null) return worst(out, unknown(`numpy cannot split ${quote(s)}`)); // format_re matches ''
    pos = FORMAT_RE.lastIndex;
    if (pos < s.length) {
      SPACE_RE.lastIndex = pos;
      SEP_RE.lastIndex = pos;
      if (SPACE_RE.test(s)) pos = s.length;
      else if (SEP_RE.test(s)) pos = SEP_RE.lastIndex;
      else return worst(out, unknown(`numpy cannot split ${quote(s)}`));
    }
    // The byte order goes in front of the format (or is dropped); it never adds objects.
    const format = `${m[1] || m[3] || ''}${m[4] ?? ''}`;
    out = worst(out, classify(format, depth + 1));
    if (out.class === 'object') return out;
  }
  return out;
}

const quote = (s: string) => `'${s.length > 40 ? `${s.slice(0, 40)}…` : s}'`;
