/**
 * Symbolic values of the simulated unpickler. Nothing here is ever executed: an imported global is a
 * name, a call is a record of what would be called with what.
 *
 * Python ints are JS numbers (when safe) or bigints, str is a JS string, None is null, bool is boolean;
 * everything else is a tagged object so the simulator can tell floats from ints and bytes from str.
 */

export interface PFloat {
  readonly k: 'float';
  readonly value: number;
}

/** bytes / bytearray / a str too long to keep whole: only a bounded prefix is kept. */
export interface PBytes {
  readonly k: 'bytes' | 'bytearray';
  readonly length: number;
  readonly prefix: Uint8Array;
  readonly offset: number;
}

export interface PLongStr {
  readonly k: 'longstr';
  readonly length: number;
  readonly prefix: string;
  readonly offset: number;
}

/** list, tuple, set and frozenset. `items` keeps at most a bounded number; `count` is the true size. */
export interface PSequence {
  readonly k: 'list' | 'tuple' | 'set' | 'frozenset';
  items: PickleValue[];
  count: number;
}

export interface PDict {
  readonly k: 'dict';
  entries: [PickleValue, PickleValue][];
  count: number;
}

/** A global resolved by `find_class`: GLOBAL, INST, STACK_GLOBAL (or EXT when resolvable). */
export interface PGlobal {
  readonly k: 'global';
  readonly module: string;
  readonly name: string;
  readonly offset: number;
  /** True when the module or name was not a constant string (STACK_GLOBAL over computed values). */
  readonly dynamic: boolean;
}

export type CallOpcode = 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'OBJ' | 'INST';

/** The result of a call the unpickler would make. */
export interface PCall {
  readonly k: 'call';
  readonly callee: PickleValue;
  readonly args: PickleValue;
  readonly kwargs: PickleValue | undefined;
  readonly opcode: CallOpcode;
  readonly offset: number;
  /** The state of the last BUILD applied to the made object, if any (what `__setstate__` received). */
  built?: PickleValue;
}

/** What `persistent_load(pid)` returns: PyTorch uses it for tensor storages. */
export interface PPersistent {
  readonly k: 'persid';
  readonly pid: PickleValue;
  readonly offset: number;
}

/** A copyreg extension code (EXT1/2/4): resolvable only through a registry set up at run time. */
export interface PExtension {
  readonly k: 'ext';
  readonly code: number;
  readonly offset: number;
}

/** An out-of-band buffer (protocol 5 NEXT_BUFFER). */
export interface PBuffer {
  readonly k: 'buffer';
  readonly offset: number;
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PFloat
  | PBytes
  | PLongStr
  | PSequence
  | PDict
  | PGlobal
  | PCall
  | PPersistent
  | PExtension
  | PBuffer;

export type TaggedValue = Exclude<PickleValue, null | boolean | number | bigint | string>;

export function isTagged(value: PickleValue): value is TaggedValue {
  return typeof value === 'object' && value !== null;
}

export function isGlobal(value: PickleValue): value is PGlobal {
  return isTagged(value) && value.k === 'global';
}

export function isCall(value: PickleValue): value is PCall {
  return isTagged(value) && value.k === 'call';
}

/** Python type name of a value, for messages. */
export function typeName(value: PickleValue): string {
  if (value === null) return 'NoneType';
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
    default:
      switch (value.k) {
        case 'longstr':
          return 'str';
        case 'global':
          return 'global';
        case 'call':
          return 'object';
        case 'persid':
          return 'persistent object';
        case 'ext':
          return 'extension';
        case 'buffer':
          return 'PickleBuffer';
        default:
          return value.k;
      }
  }
}

/** Dotted name of a global, e.g. `posix.system`. */
export function globalName(g: PGlobal): string {
  return `${g.module}.${g.name}`;
}

const RENDER_MAX_DEPTH = 6;
const RENDER_MAX_ITEMS = 8;
const RENDER_MAX_STRING = 160;

/**
 * Values rendered per top-level call. Depth and item bounds alone allow 8^6 nodes, and memo-shared trees
 * make that cheap to build and expensive to print once per call (red team round 6).
 */
const RENDER_MAX_NODES = 256;
let renderBudget = 0;

/** Python-like repr of a value, bounded in depth, items, total size and length so hostile values stay printable. */
export function renderValue(value: PickleValue, depth = 0): string {
  if (depth === 0) renderBudget = RENDER_MAX_NODES;
  if (depth > RENDER_MAX_DEPTH || renderBudget-- <= 0) return '…';
  if (value === null) return 'None';
  switch (typeof value) {
    case 'boolean':
      return value ? 'True' : 'False';
    case 'number':
      return String(value);
    case 'bigint':
      return value.toString();
    case 'string':
      return pyRepr(value);
  }
  switch (value.k) {
    case 'float':
      return Number.isInteger(value.value) ? value.value.toFixed(1) : String(value.value);
    case 'bytes':
    case 'bytearray': {
      const shown = bytesRepr(value.prefix.subarray(0, RENDER_MAX_STRING));
      const more =
        value.length > Math.min(value.prefix.length, RENDER_MAX_STRING) ? `…(${value.length} bytes)` : '';
      return value.k === 'bytes' ? `${shown}${more}` : `bytearray(${shown}${more})`;
    }
    case 'longstr':
      return `${pyRepr(value.prefix.slice(0, RENDER_MAX_STRING))}…(${value.length} chars)`;
    case 'list':
      return `[${renderItems(value.items, value.count, depth)}]`;
    case 'tuple':
      return value.count === 1
        ? `(${renderItems(value.items, value.count, depth)},)`
        : `(${renderItems(value.items, value.count, depth)})`;
    case 'set':
      return value.count === 0 ? 'set()' : `{${renderItems(value.items, value.count, depth)}}`;
    case 'frozenset':
      return `frozenset({${renderItems(value.items, value.count, depth)}})`;
    case 'dict': {
      const parts = value.entries
        .slice(0, RENDER_MAX_ITEMS)
        .map(([k, v]) => `${renderValue(k, depth + 1)}: ${renderValue(v, depth + 1)}`);
      if (value.count > RENDER_MAX_ITEMS) parts.push(`…(${value.count} items)`);
      return `{${parts.join(', ')}}`;
    }
    case 'global':
      return value.dynamic
        ? `<dynamic import ${value.module}.${value.name}>`
        : `${value.module}.${value.name}`;
    case 'call':
      return renderCall(value, depth);
    case 'persid':
      return `persistent_load(${renderValue(value.pid, depth + 1)})`;
    case 'ext':
      return `<extension code ${value.code}>`;
    case 'buffer':
      return '<out-of-band buffer>';
  }
}

function renderCall(call: PCall, depth: number): string {
  const callee = renderValue(call.callee, depth + 1);
  const args = call.args;
  let argText: string;
  if (isTagged(args) && args.k === 'tuple') argText = renderItems(args.items, args.count, depth);
  else argText = `*${renderValue(args, depth + 1)}`;
  if (call.kwargs !== undefined && isTagged(call.kwargs) && call.kwargs.k === 'dict') {
    const kw = call.kwargs.entries
      .slice(0, RENDER_MAX_ITEMS)
      .map(([k, v]) => (typeof k === 'string' ? `${k}=${renderValue(v, depth + 1)}` : `**{…}`));
    argText = [argText, ...kw].filter((s) => s.length > 0).join(', ');
  }
  if (call.opcode === 'NEWOBJ' || call.opcode === 'NEWOBJ_EX') {
    return `${callee}.__new__(${[callee, argText].filter((s) => s.length > 0).join(', ')})`;
  }
  return `${callee}(${argText})`;
}

function renderItems(items: readonly PickleValue[], count: number, depth: number): string {
  const parts = items.slice(0, RENDER_MAX_ITEMS).map((v) => renderValue(v, depth + 1));
  if (count > RENDER_MAX_ITEMS) parts.push(`…(${count} items)`);
  return parts.join(', ');
}

/** Python's repr of a str (single quotes unless the text has one and no double quote). */
export function pyRepr(text: string): string {
  const shown = text.length > RENDER_MAX_STRING ? text.slice(0, RENDER_MAX_STRING) : text;
  const quote = shown.includes("'") && !shown.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of shown) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || (c >= 0xd800 && c <= 0xdfff))
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  out += quote;
  return text.length > RENDER_MAX_STRING ? `${out}…(${text.length} chars)` : out;
}

function bytesRepr(bytes: Uint8Array): string {
  let out = "b'";
  for (const b of bytes) {
    if (b === 0x27 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(b);
  }
  return `${out}'`;
}
