/**
 * What the expressions of a chat template can evaluate to, worked out without rendering it, so that names
 * spelled in pieces (`'__cla' ~ 'ss__'`, `'%c%c'|format(95, 95)`, `['_','_']|join`, `'__ssalc__'|reverse`,
 * a `{% set %}` variable, a macro argument, a `{% set %}…{% endset %}` block) are seen whole.
 *
 * A value is abstract: the constant strings it may be (a bounded set), the numbers, the items of a list
 * literal, and two marks for strings pedigree could not fold: `built` (made at render time from constants,
 * object representations or special-token text by string operations: the raw material of an injection
 * payload, which real templates never use as a name) and `object` (a function or generator whose string form
 * spells Python internals, e.g. `lipsum|string`). Anything else is data from the chat (messages, tools),
 * about which nothing is known. Variables are flow-insensitive: a name's value is the union of everything
 * ever assigned to it, computed to a fixpoint, which over-approximates what any one rendering can see.
 */

/** Constant strings kept per value; beyond this the value is marked `built` (suspicious names kept first). */
export const MAX_CANDIDATES = 32;
/** Longest string folded; longer results are `built`. */
export const MAX_FOLD_CHARS = 4096;
/** List items tracked per value. */
const MAX_ITEMS = 256;
/** Nesting of expressions evaluated; deeper ones are `built`. */
const MAX_EVAL_DEPTH = 100;

export interface Val {
  readonly strs?: readonly string[];
  readonly nums?: readonly number[];
  readonly items?: readonly Val[];
  /** Keys and values of a dict literal or `dict(...)` call. */
  readonly entries?: readonly (readonly [string, Val])[];
  readonly built?: true;
  readonly object?: true;
  /** A number whose value is not known (`loop.index0`, `range(n)` items, `x|length`). */
  readonly number?: true;
}

export type Node = { readonly type?: string; readonly [key: string]: unknown };

export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as Node).type === 'string';
}

/** Names whose lookup reaches Python internals: dunders, name-mangled privates, frame and code attributes. */
// A letter or digit after the leading underscores: `__init__`, not a rule of underscores (`'_' * 40`).
export const DUNDER = /__[A-Za-z0-9]\w*?__/;
const MANGLED = /^_[A-Za-z][A-Za-z0-9]*__[A-Za-z0-9_]*[A-Za-z0-9]$/;
export const INTERNALS: ReadonlySet<string> = new Set([
  'mro',
  'func_globals',
  'func_code',
  'func_closure',
  'f_globals',
  'f_locals',
  'f_builtins',
  'f_back',
  'f_code',
  'gi_frame',
  'gi_code',
  'cr_frame',
  'cr_code',
  'ag_frame',
  'ag_code',
  'tb_frame',
  'tb_next',
  'co_code',
  'im_func',
  'im_self',
  'im_class',
]);

/** Whether a name (or a dotted attribute path, or a format field) reaches Python internals. */
export function isInternalName(name: string): boolean {
  if (DUNDER.test(name)) return true;
  return name.split(/[.[\]]/).some((part) => MANGLED.test(part) || INTERNALS.has(part));
}

/** `loop` attributes that are numbers. */
const LOOP_NUMBERS = new Set(['index', 'index0', 'revindex', 'revindex0', 'length', 'depth', 'depth0']);

/** Jinja globals whose string form is a Python repr (`<function generate_lorem_ipsum at 0x…>`). */
const OBJECT_GLOBALS = new Set([
  'lipsum',
  'cycler',
  'joiner',
  'namespace',
  'range',
  'dict',
  'self',
  'loop',
  'caller',
  'raise_exception',
  'strftime_now',
]);
/**
 * Special-token strings come from the model file itself (GGUF vocabulary, tokenizer_config.json), so a
 * template's author controls them too: a name cut from them is as suspicious as one built from constants.
 */
const TOKEN_STRINGS = new Set([
  'bos_token',
  'eos_token',
  'unk_token',
  'pad_token',
  'sep_token',
  'cls_token',
  'mask_token',
]);

export const DATA: Val = {};
const BUILT: Val = { built: true };
const NUMBER: Val = { number: true };
const isNumber = (v: Val) => (v.nums !== undefined || v.number === true) && v.strs === undefined && !v.built;

const isSuspicious = (s: string) => isInternalName(s);

/** A bounded string set, suspicious names first so the cap never drops one. */
function strSet(values: Iterable<string>): { strs?: string[]; built?: true } {
  const all = [...new Set(values)];
  if (all.some((s) => s.length > MAX_FOLD_CHARS)) {
    const kept = all.filter((s) => s.length <= MAX_FOLD_CHARS);
    return { ...(kept.length > 0 ? { strs: kept.slice(0, MAX_CANDIDATES) } : {}), built: true };
  }
  if (all.length <= MAX_CANDIDATES) return all.length > 0 ? { strs: all } : {};
  const ordered = [...all.filter(isSuspicious), ...all.filter((s) => !isSuspicious(s))];
  return { strs: ordered.slice(0, MAX_CANDIDATES), built: true };
}

export function strings(...values: string[]): Val {
  return strSet(values);
}

function numSet(values: Iterable<number>): Val {
  const all = [...new Set(values)].filter((n) => Number.isFinite(n));
  return all.length > 0 && all.length <= MAX_CANDIDATES ? { nums: all } : {};
}

/** The union of two values: everything either may be. */
export function join(a: Val, b: Val): Val {
  if (a === b || isData(b)) return a;
  if (isData(a)) return b;
  const out: {
    strs?: readonly string[];
    nums?: readonly number[];
    items?: readonly Val[];
    entries?: readonly (readonly [string, Val])[];
    built?: true;
    object?: true;
    number?: true;
  } = {};
  if (a.strs !== undefined || b.strs !== undefined) {
    const s = strSet([...(a.strs ?? []), ...(b.strs ?? [])]);
    if (s.strs !== undefined) out.strs = s.strs;
    if (s.built) out.built = true;
  }
  if (a.nums !== undefined || b.nums !== undefined) {
    const n = numSet([...(a.nums ?? []), ...(b.nums ?? [])]);
    if (n.nums !== undefined) out.nums = n.nums;
  }
  if (a.items !== undefined && b.items !== undefined && a.items.length === b.items.length)
    out.items = a.items.map((x, i) => join(x, b.items?.[i] as Val));
  else if (a.items !== undefined || b.items !== undefined) {
    // Lists of different shapes: keep what any element may be, as a one-element list.
    const all = [...(a.items ?? []), ...(b.items ?? [])];
    if (all.length > 0) out.items = [all.reduce(join)];
  }
  if (a.entries !== undefined || b.entries !== undefined) {
    const map = new Map<string, Val>();
    for (const [k, v] of [...(a.entries ?? []), ...(b.entries ?? [])])
      map.set(k, map.has(k) ? join(map.get(k) as Val, v) : v);
    out.entries = [...map].slice(0, MAX_ITEMS);
  }
  if (a.built || b.built) out.built = true;
  if (a.object || b.object) out.object = true;
  if (a.number || b.number) out.number = true;
  return out;
}

/** A stable description of a value, to tell when the fixpoint is reached. */
export function signature(v: Val, depth = 0): string {
  if (depth > 4) return '…';
  return JSON.stringify([
    v.strs ? [...v.strs].sort() : null,
    v.nums ? [...v.nums].sort((x, y) => x - y) : null,
    v.items ? v.items.map((i) => signature(i, depth + 1)) : null,
    v.entries ? v.entries.map(([k, e]) => [k, signature(e, depth + 1)]) : null,
    v.built ?? false,
    v.object ?? false,
    v.number ?? false,
  ]);
}

/** Whether a value is a string made by string operations that were not folded (or from token text). */
export const isBuilt = (v: Val) => v.built === true;
/** Whether a value is a string or something string operations turn into one we care about. */
const isStringish = (v: Val) => v.strs !== undefined || v.built === true || v.object === true;

/** Maps each constant string through `f`; strings `f` cannot handle make the result `built`. */
function mapStrs(v: Val, f: (s: string) => string | undefined): Val {
  if (v.strs === undefined) return isStringish(v) ? BUILT : DATA;
  const out: string[] = [];
  let unknown = v.built === true || v.object === true;
  for (const s of v.strs) {
    const r = f(s);
    if (r === undefined) unknown = true;
    else out.push(r);
  }
  const set = strSet(out);
  return unknown ? { ...set, built: true } : set;
}

function product(a: Val, b: Val, f: (x: string, y: string) => string | undefined): Val {
  if (a.strs === undefined || b.strs === undefined) {
    if (isBuilt(a) || isBuilt(b) || a.object || b.object) return BUILT;
    return DATA;
  }
  const out: string[] = [];
  let unknown = isBuilt(a) || isBuilt(b);
  for (const x of a.strs) {
    for (const y of b.strs) {
      const r = f(x, y);
      if (r === undefined) unknown = true;
      else out.push(r);
    }
  }
  const set = strSet(out);
  return unknown ? { ...set, built: true } : set;
}

/** `str(value)` as Jinja's `~` and `string` do it, when known. */
function toStrings(v: Val): Val {
  if (v.strs !== undefined && v.nums === undefined)
    return v.built ? { strs: v.strs, built: true } : { strs: v.strs };
  if (v.nums !== undefined && v.strs === undefined)
    return strSet(v.nums.map((n) => (Number.isInteger(n) ? String(n) : String(n))));
  if (v.object || v.built) return BUILT;
  if (v.items !== undefined) return BUILT; // the repr of a list literal: quotes and commas around its items
  return DATA;
}

const pySlice = (s: string, start?: number, stop?: number, step?: number): string | undefined => {
  const chars = [...s];
  const n = chars.length;
  const st = step ?? 1;
  if (st === 0) return undefined;
  const norm = (i: number | undefined, dflt: number) =>
    i === undefined ? dflt : i < 0 ? Math.max(i + n, st < 0 ? -1 : 0) : Math.min(i, st < 0 ? n - 1 : n);
  let out = '';
  if (st > 0) for (let i = norm(start, 0); i < norm(stop, n); i += st) out += chars[i];
  else for (let i = norm(start, n - 1); i > norm(stop, -1); i += st) out += chars[i];
  return out;
};

const pyIndex = (s: string, i: number): string | undefined => {
  const chars = [...s];
  const k = i < 0 ? i + chars.length : i;
  return k >= 0 && k < chars.length ? chars[k] : undefined;
};

/** Python's `format % args` for the conversions chat templates could use; undefined when unsure. */
export function percentFormat(format: string, args: readonly (string | number)[]): string | undefined {
  let i = 0;
  let out = '';
  const re = /%(?:\(([^)]*)\))?[-+ #0]*(\d+|\*)?(?:\.(\d+))?([diouxXeEfFgGcrsa%])/g;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const conv = m[4] as string;
    if (conv === '%') {
      out += '%';
      continue;
    }
    if (m[1] !== undefined || m[2] === '*') return undefined;
    const arg = args[i++];
    if (arg === undefined) return undefined;
    let text: string;
    if (conv === 'c') {
      if (typeof arg === 'number') {
        if (!Number.isInteger(arg) || arg < 0 || arg > 0x10ffff) return undefined;
        text = String.fromCodePoint(arg);
      } else if ([...arg].length === 1) text = arg;
      else return undefined;
    } else if (conv === 's' || conv === 'r' || conv === 'a') {
      if (conv !== 's' && typeof arg === 'string') text = `'${arg}'`;
      else text = String(arg);
    } else if ('diu'.includes(conv) && typeof arg === 'number') text = String(Math.trunc(arg));
    else if (conv === 'x' && typeof arg === 'number') text = Math.trunc(arg).toString(16);
    else if (conv === 'X' && typeof arg === 'number') text = Math.trunc(arg).toString(16).toUpperCase();
    else if (conv === 'o' && typeof arg === 'number') text = Math.trunc(arg).toString(8);
    else return undefined;
    const width = m[2] === undefined ? 0 : Number(m[2]);
    out += text.padStart(width);
  }
  if (i !== args.length) return undefined;
  return out + format.slice(last);
}

/** The fields of a `str.format` string: what each `{…}` looks up (`0.__class__`, `x[key]`). */
export function formatFields(format: string): string[] {
  const fields: string[] = [];
  const re = /\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}/g;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    if (m[1] !== undefined && m[1] !== '') fields.push(m[1]);
  }
  return fields;
}

/**
 * `str.format` with positional and keyword arguments for the simple fields (a name or index, `!r`/`!s`/`!a`,
 * and the specs `s`, `d`, `x`, `o` and `c`: `'{:c}'.format(95)` is `_`); undefined when unsure.
 */
function strFormat(
  format: string,
  args: readonly (string | number)[],
  kwargs: ReadonlyMap<string, string | number>,
): string | undefined {
  let auto = 0;
  let failed = false;
  const out = format.replace(
    /\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::([^{}]*))?\}/g,
    (whole, field: string | undefined, conversion: string | undefined, spec: string | undefined) => {
      if (whole === '{{') return '{';
      if (whole === '}}') return '}';
      const name = field ?? '';
      const value = name === '' ? args[auto++] : /^\d+$/.test(name) ? args[Number(name)] : kwargs.get(name);
      const text = value === undefined ? undefined : formatSpec(value, conversion, spec ?? '');
      if (text === undefined) failed = true;
      return text ?? '';
    },
  );
  return failed ? undefined : out;
}

function formatSpec(
  value: string | number,
  conversion: string | undefined,
  spec: string,
): string | undefined {
  const v =
    conversion === 'r' || conversion === 'a' ? (typeof value === 'string' ? `'${value}'` : value) : value;
  if (spec === '' || (spec === 's' && typeof v === 'string')) return String(v);
  if (typeof v !== 'number' || !Number.isInteger(v)) return undefined;
  if (spec === 'd') return String(v);
  if (spec === 'x') return v.toString(16);
  if (spec === 'o') return v.toString(8);
  if (spec === 'c') return v >= 0 && v <= 0x10ffff ? String.fromCodePoint(v) : undefined;
  return undefined;
}

const STRING_METHODS: Readonly<
  Record<string, (s: string, args: readonly (string | number)[]) => string | undefined>
> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s) =>
    s.toLowerCase().replace(/(^|[^A-Za-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  strip: (s, [chars]) => (chars === undefined ? s.trim() : trimChars(s, String(chars), true, true)),
  lstrip: (s, [chars]) => (chars === undefined ? s.trimStart() : trimChars(s, String(chars), true, false)),
  rstrip: (s, [chars]) => (chars === undefined ? s.trimEnd() : trimChars(s, String(chars), false, true)),
  replace: (s, [a, b, n]) =>
    typeof a === 'string' && typeof b === 'string'
      ? pyReplace(s, a, b, typeof n === 'number' ? n : -1)
      : undefined,
  removeprefix: (s, [p]) => (typeof p === 'string' && s.startsWith(p) ? s.slice(p.length) : s),
  removesuffix: (s, [p]) => (typeof p === 'string' && p !== '' && s.endsWith(p) ? s.slice(0, -p.length) : s),
  center: (s, [w, fill]) => center(s, typeof w === 'number' ? w : 0, typeof fill === 'string' ? fill : ' '),
  ljust: (s, [w, fill]) => s.padEnd(typeof w === 'number' ? w : 0, typeof fill === 'string' ? fill : ' '),
  rjust: (s, [w, fill]) => s.padStart(typeof w === 'number' ? w : 0, typeof fill === 'string' ? fill : ' '),
  zfill: (s, [w]) => s.padStart(typeof w === 'number' ? w : 0, '0'),
};

function trimChars(s: string, chars: string, start: boolean, end: boolean): string {
  let a = 0;
  let b = s.length;
  while (start && a < b && chars.includes(s[a] as string)) a++;
  while (end && b > a && chars.includes(s[b - 1] as string)) b--;
  return s.slice(a, b);
}

function pyReplace(s: string, a: string, b: string, count: number): string | undefined {
  if (a === '') return undefined;
  if (count < 0) return s.split(a).join(b);
  let out = s;
  for (let i = 0; i < count; i++) out = out.replace(a, b);
  return out;
}

function center(s: string, width: number, fill: string): string | undefined {
  if (width > MAX_FOLD_CHARS || [...fill].length !== 1) return undefined;
  const total = width - s.length;
  if (total <= 0) return s;
  // Python: left = total // 2 + (total & width & 1)
  const left = Math.floor(total / 2) + (total & width & 1);
  return fill.repeat(left) + s + fill.repeat(total - left);
}

/** What the evaluator needs from the template: variables, macros, `caller()` bodies. */
export interface Environment {
  readonly vars: ReadonlyMap<string, Val>;
  /** A macro's output (its body as text), or undefined for a name that is no macro. */
  macroResult(name: string): Val | undefined;
  /** What `caller()` may return: the bodies of `{% call %}` blocks. */
  callerResult(): Val;
}

/** A single constant argument, when the value has exactly one. */
function single(v: Val | undefined): string | number | undefined {
  if (v === undefined) return undefined;
  if (v.strs?.length === 1 && v.nums === undefined && !v.built) return v.strs[0];
  if (v.nums?.length === 1 && v.strs === undefined) return v.nums[0];
  return undefined;
}

function elementsOf(v: Val): Val {
  if (v.items !== undefined) return v.items.length > 0 ? v.items.reduce(join) : DATA;
  if (v.entries !== undefined) return strSet(v.entries.map(([k]) => k));
  if (v.strs !== undefined) return mapChars(v);
  return isStringish(v) ? BUILT : DATA;
}

function mapChars(v: Val): Val {
  const chars = new Set<string>();
  for (const s of v.strs ?? []) for (const c of s) chars.add(c);
  return v.built ? { ...strSet(chars), built: true } : strSet(chars);
}

/** Whether nothing is known about a value: data from the chat, not built from the template's constants. */
const isData = (v: Val) =>
  v.strs === undefined &&
  v.nums === undefined &&
  v.items === undefined &&
  v.entries === undefined &&
  v.built !== true &&
  v.object !== true &&
  v.number !== true;

/**
 * A constant format string filled with arguments not all known. Chat data put into a format is data, as
 * it is when concatenated (`'%s' % message.role`, `'{}_x'.format(m.role)`); numbers, object
 * representations or built strings put into one are how `%c` payloads spell names, so the result is `built`.
 */
function formattedWithUnknown(format: Val, args: readonly Val[]): Val {
  if (format.built === true) return BUILT;
  return args.every((a) => single(a) !== undefined || isData(a)) ? DATA : BUILT;
}

/** Evaluates expressions against an environment. */
export class Evaluator {
  private memo: WeakMap<object, Val> | undefined;
  constructor(private readonly env: Environment) {}

  /** Caches results from now on: call once the environment no longer changes. */
  freeze(): void {
    this.memo = new WeakMap();
  }

  eval(n: unknown, depth = 0): Val {
    if (!isNode(n)) return DATA;
    if (depth > MAX_EVAL_DEPTH) return BUILT;
    const cached = this.memo?.get(n);
    if (cached !== undefined) return cached;
    const value = this.evalNode(n, depth + 1);
    this.memo?.set(n, value);
    return value;
  }

  private evalNode(n: Node, d: number): Val {
    switch (n.type) {
      case 'StringLiteral':
        return typeof n.value === 'string' ? strings(n.value) : DATA;
      case 'IntegerLiteral':
      case 'FloatLiteral':
        return typeof n.value === 'number' ? numSet([n.value]) : DATA;
      case 'ArrayLiteral':
      case 'TupleLiteral':
        return Array.isArray(n.value)
          ? { items: n.value.slice(0, MAX_ITEMS).map((x) => this.eval(x, d)) }
          : DATA;
      case 'ObjectLiteral': {
        if (!(n.value instanceof Map)) return DATA;
        const entries: [string, Val][] = [];
        for (const [k, v] of n.value as Map<unknown, unknown>) {
          const key = single(this.eval(k, d));
          if (typeof key === 'string') entries.push([key, this.eval(v, d)]);
        }
        return { entries: entries.slice(0, MAX_ITEMS) };
      }
      case 'Identifier': {
        const name = n.value as string;
        const bound = this.env.vars.get(name);
        const base = OBJECT_GLOBALS.has(name)
          ? { object: true as const }
          : TOKEN_STRINGS.has(name)
            ? BUILT
            : DATA;
        return bound === undefined ? base : join(bound, base);
      }
      case 'MemberExpression':
        return this.member(n, d);
      case 'CallExpression':
        return this.call(n, d);
      case 'FilterExpression':
        return this.filter(this.eval(n.operand, d), n.filter, d);
      case 'BinaryExpression':
        return this.binary(n, d);
      case 'Ternary':
        return join(this.eval(n.trueExpr, d), this.eval(n.falseExpr, d));
      case 'SelectExpression':
        return this.eval(n.lhs, d);
      case 'UnaryExpression': {
        const op = isNode(n.operator) ? n.operator.value : undefined;
        const v = this.eval(n.argument, d);
        if (op === '-' && v.nums !== undefined) return numSet(v.nums.map((x) => -x));
        return op === '-' && isNumber(v) ? NUMBER : DATA;
      }
      case 'KeywordArgumentExpression':
        return this.eval(n.value, d);
      default:
        return DATA;
    }
  }

  /** A statement list's output: text, outputs, and filter blocks, concatenated. */
  evalBody(body: unknown, depth = 0): Val {
    if (!Array.isArray(body)) return DATA;
    if (depth > MAX_EVAL_DEPTH) return BUILT;
    let acc: Val = strings('');
    for (const s of body) {
      if (!isNode(s)) continue;
      let part: Val;
      switch (s.type) {
        case 'Set':
        case 'Macro':
        case 'Comment':
        case 'Break':
        case 'Continue':
          continue;
        case 'If':
          part = join(this.evalBody(s.body, depth + 1), this.evalBody(s.alternate, depth + 1));
          break;
        case 'For':
        case 'CallStatement': {
          // Output repeated or produced by a macro: not folded; text or strings inside make it `built`.
          const inner = this.evalBody(s.body, depth + 1);
          part =
            isStringish(inner) && (inner.strs ?? []).some((x) => x !== '')
              ? BUILT
              : inner.built
                ? BUILT
                : DATA;
          if (s.type === 'CallStatement') part = join(part, this.eval(s.call, depth + 1));
          break;
        }
        case 'FilterStatement':
          part = this.filter(this.evalBody(s.body, depth + 1), s.filter, depth + 1);
          break;
        default:
          part = toStrings(this.eval(s, depth + 1));
      }
      acc = product(acc, toStrings(part), (x, y) => x + y);
      if (acc.strs === undefined && !acc.built) return DATA;
    }
    return acc;
  }

  private member(n: Node, d: number): Val {
    const object = n.object;
    const prop = n.property;
    if (n.computed !== true) {
      const name = isNode(prop) && prop.type === 'Identifier' ? (prop.value as string) : undefined;
      if (isNode(object) && object.type === 'Identifier' && name !== undefined) {
        const bound = this.env.vars.get(`${object.value as string}.${name}`);
        if (bound !== undefined) return bound;
      }
      const obj = this.eval(object, d);
      if (name !== undefined && obj.entries !== undefined) {
        const e = obj.entries.find(([k]) => k === name);
        if (e !== undefined) return e[1];
      }
      if (name !== undefined && /^\d+$/.test(name)) return this.index(obj, Number(name));
      if (isNode(object) && object.type === 'Identifier' && object.value === 'loop' && name !== undefined)
        return LOOP_NUMBERS.has(name) ? NUMBER : DATA;
      return obj.built ? BUILT : DATA;
    }
    const obj = this.eval(object, d);
    if (isNode(prop) && prop.type === 'SliceExpression') {
      const part = (x: unknown) => (x === undefined || x === null ? undefined : single(this.eval(x, d)));
      const [start, stop, step] = [part(prop.start), part(prop.stop), part(prop.step)];
      const known = (x: unknown, given: unknown) =>
        given === undefined || given === null || typeof x === 'number';
      if (!known(start, prop.start) || !known(stop, prop.stop) || !known(step, prop.step))
        return isStringish(obj) ? BUILT : obj.items !== undefined ? { items: [elementsOf(obj)] } : DATA;
      const [a, b, c] = [start, stop, step] as (number | undefined)[];
      if (obj.items !== undefined) {
        const sliced = obj.items.slice(a ?? 0, b ?? obj.items.length);
        return c === undefined || c === 1 ? { items: sliced } : { items: [elementsOf(obj)] };
      }
      return mapStrs(obj, (s) => pySlice(s, a, b, c));
    }
    const key = this.eval(prop, d);
    const k = single(key);
    if (typeof k === 'number') return this.index(obj, k);
    if (typeof k === 'string' && obj.entries !== undefined) {
      const e = obj.entries.find(([name]) => name === k);
      return e === undefined ? DATA : e[1];
    }
    if (isNumber(key)) return isStringish(obj) ? BUILT : elementsOf(obj);
    return obj.object || obj.built ? BUILT : DATA;
  }

  private index(obj: Val, i: number): Val {
    if (obj.items !== undefined) {
      const k = i < 0 ? i + obj.items.length : i;
      return obj.items[k] ?? DATA;
    }
    return mapStrs(obj, (s) => pyIndex(s, i));
  }

  private args(call: Node, d: number): { positional: Val[]; keywords: Map<string, Val> } {
    const positional: Val[] = [];
    const keywords = new Map<string, Val>();
    for (const a of Array.isArray(call.args) ? call.args : []) {
      if (isNode(a) && a.type === 'KeywordArgumentExpression' && isNode(a.key))
        keywords.set(a.key.value as string, this.eval(a.value, d));
      else positional.push(this.eval(a, d));
    }
    return { positional, keywords };
  }

  private call(n: Node, d: number): Val {
    const callee = n.callee;
    if (isNode(callee) && callee.type === 'Identifier') {
      const name = callee.value as string;
      if (name === 'caller') return this.env.callerResult();
      const macro = this.env.macroResult(name);
      if (macro !== undefined) return macro;
      if (name === 'dict') {
        const { keywords } = this.args(n, d);
        return { entries: [...keywords] };
      }
      if (name === 'range') return { items: [NUMBER] };
      if (OBJECT_GLOBALS.has(name) && name !== 'raise_exception' && name !== 'strftime_now')
        return { object: true };
      return DATA;
    }
    if (!isNode(callee) || callee.type !== 'MemberExpression' || callee.computed === true) return DATA;
    const method = isNode(callee.property) ? (callee.property.value as string) : '';
    const recv = this.eval(callee.object, d);
    const { positional, keywords } = this.args(n, d);
    const consts = positional.map(single);
    switch (method) {
      case 'format':
      case 'format_map': {
        if (recv.strs === undefined) return isStringish(recv) ? BUILT : DATA;
        const args = consts.every((c) => c !== undefined) ? (consts as (string | number)[]) : undefined;
        const kw = new Map<string, string | number>();
        for (const [k, v] of keywords) {
          const c = single(v);
          if (c !== undefined) kw.set(k, c);
        }
        if (method === 'format_map') return BUILT;
        if (args === undefined || kw.size < keywords.size)
          return formattedWithUnknown(recv, [...positional, ...keywords.values()]);
        return mapStrs(recv, (s) => strFormat(s, args, kw));
      }
      case 'join': {
        const items = positional[0];
        if (items === undefined) return DATA;
        return this.joinItems(items, recv);
      }
      case 'split': {
        // A constant split by a constant: its parts (`'user,assistant'.split(',')`), not `built` text.
        const [text, sep] = [single(recv), consts[0]];
        if (
          typeof text === 'string' &&
          positional.length <= 1 &&
          (sep === undefined || typeof sep === 'string')
        ) {
          const parts =
            sep === undefined
              ? text.split(/\s+/).filter((x) => x !== '')
              : sep === ''
                ? undefined
                : text.split(sep);
          if (parts !== undefined && parts.length <= MAX_ITEMS)
            return { items: parts.map((x) => strings(x)) };
        }
        return recv.strs !== undefined || isStringish(recv) ? { items: [mapChars(recv)], built: true } : DATA;
      }
      case 'get':
        if (recv.entries !== undefined && typeof consts[0] === 'string') {
          const e = recv.entries.find(([k]) => k === consts[0]);
          return e === undefined ? (positional[1] ?? DATA) : e[1];
        }
        return DATA;
      case 'keys':
        return recv.entries !== undefined ? { items: recv.entries.map(([k]) => strings(k)) } : DATA;
      case 'values':
        return recv.entries !== undefined ? { items: recv.entries.map(([, v]) => v) } : DATA;
      case 'items':
        return recv.entries !== undefined
          ? { items: recv.entries.map(([k, v]) => ({ items: [strings(k), v] })) }
          : DATA;
      case 'cycle':
        return positional.length > 0 ? positional.reduce(join) : DATA;
      default: {
        const f = STRING_METHODS[method];
        if (f === undefined) return recv.object || recv.built ? BUILT : DATA;
        if (consts.some((c) => c === undefined)) return isStringish(recv) ? BUILT : DATA;
        return mapStrs(recv, (s) => f(s, consts as (string | number)[]));
      }
    }
  }

  private joinItems(items: Val, sep: Val): Val {
    if (items.items === undefined) {
      if (items.strs !== undefined) return product(sep, items, (s, x) => [...x].join(s)); // a string's chars
      return isStringish(items) ? BUILT : DATA;
    }
    let acc: Val = strings('');
    items.items.forEach((item, i) => {
      const text = toStrings(item);
      acc =
        i === 0
          ? text
          : product(
              product(acc, sep, (a, s) => a + s),
              text,
              (a, b) => a + b,
            );
    });
    return items.items.length === 0 ? strings('') : acc;
  }

  /** `value|name(args)`, for the filters that make strings. */
  filter(operand: Val, filter: unknown, d: number): Val {
    const call = isNode(filter) && filter.type === 'CallExpression' ? filter : undefined;
    const ident = call ? call.callee : filter;
    const name = isNode(ident) && ident.type === 'Identifier' ? (ident.value as string) : undefined;
    const { positional, keywords } = call ? this.args(call, d) : { positional: [], keywords: new Map() };
    const consts = positional.map(single);
    switch (name) {
      case 'lower':
      case 'upper':
      case 'title':
      case 'capitalize':
        return mapStrs(operand, (s) => STRING_METHODS[name]?.(s, []));
      case 'trim':
        return mapStrs(operand, (s) => STRING_METHODS.strip?.(s, consts[0] === undefined ? [] : [consts[0]]));
      case 'reverse':
        if (operand.items !== undefined) return { items: [...operand.items].reverse() };
        return mapStrs(operand, (s) => [...s].reverse().join(''));
      case 'string':
      case 'safe':
      case 'e':
      case 'escape':
      case 'forceescape':
      case 'indent':
      case 'striptags':
        if (name === 'string' || name === 'safe') return toStrings(operand);
        return mapStrs(toStrings(operand), (s) =>
          name === 'indent' || name === 'striptags'
            ? s.includes('\n') || s.includes('<')
              ? undefined
              : s
            : s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
        );
      case 'center': {
        const w = consts[0] ?? 80;
        return typeof w === 'number'
          ? mapStrs(operand, (s) => center(s, w, ' '))
          : isStringish(operand)
            ? BUILT
            : DATA;
      }
      case 'replace': {
        const [a, b, c] = consts;
        if (typeof a !== 'string' || typeof b !== 'string')
          return isStringish(operand) || positional.some(isStringish) ? BUILT : DATA;
        return mapStrs(operand, (s) => pyReplace(s, a, b, typeof c === 'number' ? c : -1));
      }
      case 'format': {
        // Jinja's format filter is Python's `%`: '%c%c'|format(95, 95) is '__'.
        if (operand.strs === undefined) return isStringish(operand) ? BUILT : DATA;
        if (keywords.size > 0) return BUILT;
        if (consts.some((c) => c === undefined)) return formattedWithUnknown(operand, positional);
        return mapStrs(operand, (s) => percentFormat(s, consts as (string | number)[]));
      }
      case 'join': {
        if (keywords.has('attribute') || positional[1] !== undefined)
          return isStringish(operand) ? BUILT : DATA;
        const sep = positional[0] ?? keywords.get('d') ?? strings('');
        return this.joinItems(operand, sep);
      }
      case 'list':
        if (operand.items !== undefined) return operand;
        if (operand.entries !== undefined) return { items: operand.entries.map(([k]) => strings(k)) };
        if (operand.strs?.length === 1 && !operand.built && (operand.strs[0] as string).length <= MAX_ITEMS)
          return { items: [...(operand.strs[0] as string)].map((c) => strings(c)) };
        if (operand.strs !== undefined)
          return { items: [mapChars(operand)], ...(operand.built ? { built: true as const } : {}) };
        return isStringish(operand) ? { items: [BUILT] } : DATA;
      case 'first':
      case 'last': {
        if (operand.items !== undefined) {
          const item = name === 'first' ? operand.items[0] : operand.items[operand.items.length - 1];
          return item ?? DATA;
        }
        if (operand.entries !== undefined) return strSet(operand.entries.map(([k]) => k));
        return mapStrs(operand, (s) => pyIndex(s, name === 'first' ? 0 : -1));
      }
      case 'random':
      case 'min':
      case 'max':
      case 'sort':
      case 'unique':
        if (keywords.has('attribute')) return DATA;
        if (name === 'sort' || name === 'unique')
          return operand.items !== undefined ? { items: [elementsOf(operand)] } : operand;
        return elementsOf(operand);
      case 'default':
      case 'd':
        return positional[0] === undefined ? operand : join(operand, positional[0]);
      case 'int':
      case 'float':
      case 'length':
      case 'count':
      case 'wordcount':
        return operand.nums !== undefined && name !== 'length' && name !== 'count' ? operand : NUMBER;
      case 'select':
      case 'reject':
      case 'map':
      case 'selectattr':
      case 'rejectattr':
      case 'batch':
      case 'slice':
        // Generators: their string form is a repr naming Python internals.
        return { object: true };
      case 'items':
      case 'dictsort':
        return operand.entries !== undefined
          ? { items: operand.entries.map(([k, v]) => ({ items: [strings(k), v] })) }
          : DATA;
      case 'tojson':
      case 'pprint':
      case 'urlencode':
      case 'wordwrap':
      case 'truncate':
      case 'filesizeformat':
      case 'xmlattr':
        return isStringish(operand) ? BUILT : DATA;
      default:
        return isStringish(operand) ? BUILT : DATA;
    }
  }

  private binary(n: Node, d: number): Val {
    const op = isNode(n.operator) ? (n.operator.value as string) : '';
    const l = this.eval(n.left, d);
    const r = this.eval(n.right, d);
    switch (op) {
      case '~':
        return product(toStrings(l), toStrings(r), (a, b) => a + b);
      case '+':
        if (l.nums !== undefined && r.nums !== undefined && l.strs === undefined && r.strs === undefined)
          return numSet(l.nums.flatMap((a) => (r.nums ?? []).map((b) => a + b)));
        if (isNumber(l) && isNumber(r)) return NUMBER;
        if (l.items !== undefined && r.items !== undefined)
          return { items: [...l.items, ...r.items].slice(0, MAX_ITEMS) };
        return product(l, r, (a, b) => a + b);
      case '*': {
        const [s, k] = l.strs !== undefined || isBuilt(l) ? [l, r] : [r, l];
        if (k.nums !== undefined && s.strs === undefined && !isBuilt(s) && s.nums !== undefined)
          return numSet(s.nums.flatMap((a) => (k.nums ?? []).map((b) => a * b)));
        if (s.strs !== undefined && k.nums !== undefined) {
          const out: string[] = [];
          let unknown = isBuilt(s);
          for (const x of s.strs)
            for (const c of k.nums) {
              if (!Number.isInteger(c) || x.length * Math.max(c, 0) > MAX_FOLD_CHARS) unknown = true;
              else out.push(x.repeat(Math.max(c, 0)));
            }
          const set = strSet(out);
          return unknown ? { ...set, built: true } : set;
        }
        if (isNumber(l) && isNumber(r)) return NUMBER;
        return isStringish(s) ? BUILT : DATA;
      }
      case '%': {
        if (l.strs === undefined) {
          if (l.nums !== undefined && r.nums !== undefined) return DATA;
          return isStringish(l) ? BUILT : DATA;
        }
        const values = r.items !== undefined ? r.items : [r];
        const args = values.map(single);
        if (args.some((a) => a === undefined)) return formattedWithUnknown(l, values);
        return mapStrs(l, (s) => percentFormat(s, args as (string | number)[]));
      }
      case '-':
      case '/':
      case '//':
      case '**':
        if (l.nums !== undefined && r.nums !== undefined) {
          const f = (a: number, b: number) =>
            op === '-'
              ? a - b
              : op === '/'
                ? a / b
                : op === '//'
                  ? Math.floor(a / b)
                  : Math.abs(b) < 64
                    ? a ** b
                    : Number.NaN;
          return numSet(l.nums.flatMap((a) => (r.nums ?? []).map((b) => f(a, b))));
        }
        return isNumber(l) || isNumber(r) ? NUMBER : DATA;
      case 'or':
      case 'and':
        return join(l, r);
      default:
        return DATA;
    }
  }
}
