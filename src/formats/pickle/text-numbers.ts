import { pyIntLiteral } from '../../core/pyint.js';

/**
 * Protocol-0 number and memo-index lines (INT, LONG, FLOAT, GET, PUT) as each of CPython's two unpicklers
 * reads them. They disagree, and attackers use the disagreement (red team round 4): the C unpickler
 * (Modules/_pickle.c, used by pickle.load, torch.load and numpy.load) parses INT with C `strtol(s, &end, 0)`
 * (so `0143` is octal 99 and text after a NUL byte is ignored) and cuts every line at a NUL, while the
 * pure-Python one (Lib/pickle.py `_Unpickler`, used by joblib.load) hands the whole line to `int()`/`float()`,
 * which accept underscores and refuse NUL bytes and C-style octal. Each function returns undefined where
 * that unpickler raises.
 */
export type PickleDialect = 'c' | 'python';

export type IntLineValue = number | bigint | boolean;

function toNumber(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** C strings end at the first NUL: strtol, PyLong_FromString and PyOS_string_to_double stop there. */
function cString(line: string): string {
  const nul = line.indexOf('\0');
  return nul < 0 ? line : line.slice(0, nul);
}

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;
/** What C `strtol(s, &end, 0)` consumes when it reaches the end of `s`: whitespace, sign, hex/octal/decimal. */
const STRTOL_WHOLE = /^[\t\n\v\f\r ]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

/**
 * `load_int` in _pickle.c: `strtol(s, &endptr, 0)` must stop at the newline or a NUL; if it does not (or
 * overflows), `PyLong_FromString(s, NULL, 0)`. A line of length 2 whose value is 0 or 1 is a bool
 * (`len == 3` with the newline), the protocol-0 spelling of True/False. `line` is without its newline.
 */
export function intLineC(line: string): IntLineValue | undefined {
  if (line.length === 0) return undefined; // len < 2: bad readline
  const s = cString(line);
  // strtol that parses nothing leaves endptr at the start: accepted when that is the NUL itself.
  if (s.length === 0) return line.length === 2 ? false : 0;
  const m = STRTOL_WHOLE.exec(s);
  if (m) {
    const digits = m[2] as string;
    let v = /^0[xX]/.test(digits)
      ? BigInt(digits)
      : digits.length > 1 && digits.startsWith('0')
        ? BigInt(`0o${digits.slice(1)}`)
        : BigInt(digits);
    if (m[1] === '-') v = -v;
    if (v >= LONG_MIN && v <= LONG_MAX) {
      if (line.length === 2 && (v === 0n || v === 1n)) return v === 1n;
      return toNumber(v);
    }
  }
  const v = pyIntLiteral(s, 0);
  return v === undefined ? undefined : toNumber(v);
}

/** `load_int` in pickle.py: `b'00\n'` and `b'01\n'` are bools, anything else `int(data, 0)`. */
export function intLinePython(line: string): IntLineValue | undefined {
  if (line === '00') return false;
  if (line === '01') return true;
  const v = pyIntLiteral(line, 0);
  return v === undefined ? undefined : toNumber(v);
}

/** LONG: a trailing `L` is dropped, then base 0 (_pickle.c `load_long`: `PyLong_FromString(s, NULL, 0)`). */
export function longLine(line: string, dialect: PickleDialect): number | bigint | undefined {
  if (line.length === 0) return undefined;
  const body = line.endsWith('L') ? line.slice(0, -1) : line;
  const v = pyIntLiteral(dialect === 'c' ? cString(body) : body, 0);
  return v === undefined ? undefined : toNumber(v);
}

/** GET/PUT indexes: `PyLong_FromString(s, NULL, 10)` in C, `int(line)` in Python. */
export function indexLine(line: string, dialect: PickleDialect): number | bigint | undefined {
  const v = pyIntLiteral(dialect === 'c' ? cString(line) : line, 10);
  return v === undefined ? undefined : toNumber(v);
}

const C_FLOAT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$/i;
const PY_FLOAT =
  /^[+-]?(?:(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?|inf(?:inity)?|nan)$/i;

function floatValue(text: string): number {
  const t = text.replaceAll('_', '').toLowerCase();
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '');
  if (body.startsWith('inf')) return sign * Number.POSITIVE_INFINITY;
  if (body === 'nan') return Number.NaN;
  return Number(t);
}

/**
 * FLOAT: C `PyOS_string_to_double` (no surrounding whitespace, no underscores, stops at a NUL); Python
 * `float(line)` (whitespace stripped, PEP 515 underscores between digits).
 */
export function floatLine(line: string, dialect: PickleDialect): number | undefined {
  if (dialect === 'c') {
    const s = cString(line);
    return C_FLOAT.test(s) ? floatValue(s) : undefined;
  }
  const s = line.trim();
  return PY_FLOAT.test(s) ? floatValue(s) : undefined;
}

/** Whether two readings agree: both fail, or both give the same value of the same type. */
export function sameReading(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  return a === b;
}
