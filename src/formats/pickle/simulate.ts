import { ByteReader, type ByteSource, decodeLatin1 } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { detectEmbeddedPayload, type EmbeddedPayload } from './embedded.js';
import { HIGHEST_PROTOCOL, OP, opcodeName } from './opcodes.js';
import {
  floatLine,
  indexLine,
  intLineC,
  intLinePython,
  longLine,
  type PickleDialect,
  sameReading,
} from './text-numbers.js';
import {
  type CallOpcode,
  isCall,
  isTagged,
  type PBytes,
  type PCall,
  type PDict,
  type PGlobal,
  type PickleValue,
  type PSequence,
  renderValue,
  typeName,
} from './values.js';

/**
 * A faithful, side-effect-free simulation of CPython's unpickler (Modules/_pickle.c, Lib/pickle.py),
 * protocols 0-5. It keeps the stack, the mark stack ("metastack"), the memo and frames exactly as CPython
 * does, resolves every import and records every call site and state change, but never calls anything.
 *
 * Where the C and Python unpicklers, or CPython and our model, could disagree, the simulation keeps going
 * rather than stopping, so a parser differential cannot hide what follows (FIELD-NOTES: scanners that stop
 * at the first oddity are bypassed).
 */

/** Limits; each stops a resource attack on the scanner. Caps never turn into a verdict (FIELD-NOTES). */
export interface PickleLimits {
  /** Opcodes executed in one pickle; stops pathological streams from running for minutes. */
  readonly maxOpcodes: number;
  /** Values on the stack plus mark stack; stops memory exhaustion through endless pushes. */
  readonly maxStackDepth: number;
  /** Nested MARKs; stops metastack blow-up. */
  readonly maxMarkDepth: number;
  /** Distinct memo entries. */
  readonly maxMemoEntries: number;
  /** Length of one text-protocol line (GLOBAL names, INT, STRING ...). */
  readonly maxLineBytes: number;
  /** Items kept per container; the true count is still tracked. Keeps a 2M-item list cheap. */
  readonly maxKeptItems: number;
  /** Bytes kept per bytes/str value; longer values keep a prefix. */
  readonly maxKeptBytes: number;
  /** Bytes kept of one embedded payload (a pickle inside a bytes value) for nested analysis. */
  readonly maxEmbeddedBytes: number;
  /** Distinct (module, name) imports and call sites recorded. */
  readonly maxDistinctSites: number;
}

/**
 * Calls kept per call site (same opcode and callee). A loader called twice must have both arguments
 * analysed: the first can be a harmless decoy (red team: two `_load_from_bytes` calls).
 */
export const MAX_PICKLE_CALLS_PER_SITE = 64;

/** Nesting followed when looking for globals passed as values. */
const MAX_VALUE_WALK_DEPTH = 8;

export const MAX_PICKLE_OPCODES = 100_000_000;
export const MAX_PICKLE_STACK_DEPTH = 10_000_000;
export const MAX_PICKLE_MARK_DEPTH = 1_000_000;
export const MAX_PICKLE_MEMO_ENTRIES = 10_000_000;
/** CPython has no line limit; protocol-0 NumPy arrays are pickled as one long escaped STRING line. */
export const MAX_PICKLE_LINE_BYTES = 64 << 20;
export const MAX_PICKLE_KEPT_ITEMS = 64;
export const MAX_PICKLE_KEPT_BYTES = 4096;
export const MAX_PICKLE_EMBEDDED_BYTES = 64 * 1024 * 1024;
export const MAX_PICKLE_DISTINCT_SITES = 100_000;

export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxOpcodes: MAX_PICKLE_OPCODES,
  maxStackDepth: MAX_PICKLE_STACK_DEPTH,
  maxMarkDepth: MAX_PICKLE_MARK_DEPTH,
  maxMemoEntries: MAX_PICKLE_MEMO_ENTRIES,
  maxLineBytes: MAX_PICKLE_LINE_BYTES,
  maxKeptItems: MAX_PICKLE_KEPT_ITEMS,
  maxKeptBytes: MAX_PICKLE_KEPT_BYTES,
  maxEmbeddedBytes: MAX_PICKLE_EMBEDDED_BYTES,
  maxDistinctSites: MAX_PICKLE_DISTINCT_SITES,
};

export type ImportOpcode = 'GLOBAL' | 'INST' | 'STACK_GLOBAL';

/** One distinct imported global, with where it was first seen and how often. */
export interface PickleImport {
  readonly module: string;
  readonly name: string;
  readonly opcode: ImportOpcode;
  readonly offset: number;
  count: number;
}

/** STACK_GLOBAL whose operands were not constant strings: the name is decided at load time. */
export interface PickleDynamicImport {
  readonly offset: number;
  readonly module: string;
  readonly name: string;
}

/** A distinct call site: the same callee, first occurrence kept with its arguments, plus a count. */
export interface PickleCallSite {
  /** The first call. */
  readonly call: PCall;
  /** The first {@link MAX_PICKLE_CALLS_PER_SITE} calls, each with its own arguments; `count` is the true number. */
  readonly calls: PCall[];
  /** Rendered callee, e.g. `posix.system`, or a rendered expression for computed callees. */
  readonly callee: string;
  count: number;
}

export type StateOpcode = 'BUILD' | 'SETITEM' | 'SETITEMS' | 'APPEND' | 'APPENDS' | 'ADDITEMS';

/** A state change applied to something other than a plain container or a freshly made object. */
export interface PickleStateChange {
  readonly opcode: StateOpcode;
  readonly offset: number;
  readonly target: PickleValue;
  readonly value: PickleValue;
  /** What the target is: an imported global (tampering with a module/class/function), or a primitive. */
  readonly targetKind: 'global' | 'primitive' | 'persistent' | 'extension' | 'call';
}

export interface PickleAnomaly {
  readonly code:
    | 'FRAME_OVERRUN'
    | 'FRAME_NESTED'
    | 'FRAME_MISALIGNED'
    | 'NON_ASCII_STRING'
    | 'NON_TUPLE_ARGS'
    | 'OUT_OF_BAND_BUFFER'
    | 'STACK_LEFT_AT_STOP'
    | 'MARK_LEFT_AT_STOP'
    | 'LIMIT_REACHED';
  readonly message: string;
  readonly offset: number;
}

/** The simulation of one pickle, from its first opcode to STOP or to the error that ended it. */
export interface PickleRun {
  readonly start: number;
  /** Offset just past STOP, or where the error happened. */
  readonly end: number;
  readonly protocol: number;
  readonly opcodes: number;
  readonly imports: readonly PickleImport[];
  readonly dynamicImports: readonly PickleDynamicImport[];
  readonly calls: readonly PickleCallSite[];
  readonly stateChanges: readonly PickleStateChange[];
  readonly persistentIds: readonly { offset: number; pid: PickleValue }[];
  readonly extensions: readonly { offset: number; code: number }[];
  readonly embedded: readonly EmbeddedPayload[];
  readonly anomalies: readonly PickleAnomaly[];
  /**
   * Some opcode argument is read differently by CPython's other unpickler (C vs pure Python): the stream
   * must also be analysed with {@link SimulateOptions.dialect} set to the other one.
   */
  readonly divergent: boolean;
  /** A protocol 0/1 byte string is not ASCII: its text depends on the loader's `encoding`. */
  readonly nonAsciiStrings: boolean;
  /** Globals handed to calls or object state as values (arguments, state), each once. */
  readonly valueGlobals: readonly PGlobal[];
  /** The unpickled value when STOP was reached. */
  readonly result: PickleValue | undefined;
  /** Why the simulation ended early: the pickle is malformed or a limit was hit. */
  readonly error: ParseError | undefined;
}

export interface SimulateOptions {
  readonly limits?: Partial<PickleLimits>;
  /**
   * Which CPython unpickler to follow where the two read a line differently: 'c' (_pickle, used by
   * pickle.load, torch.load, numpy.load; the default) or 'python' (pickle._Unpickler, used by joblib.load).
   */
  readonly dialect?: PickleDialect;
  /**
   * How protocol 0/1 byte strings that are not ASCII become str: 'latin-1' (the default here, NumPy's
   * compatibility reading) or 'utf-8' (torch.load's `encoding='utf-8'`).
   */
  readonly stringEncoding?: 'latin-1' | 'utf-8';
  /**
   * Called after each BUILD with the instance and the reader positioned after the BUILD opcode. Lets a
   * container format consume bytes the real loader reads out of band (joblib's NumpyArrayWrapper reads the
   * array bytes that follow BUILD straight from the file). Return a value to replace the built object on
   * the stack (what the loader pushes instead), or nothing to leave it.
   */
  readonly onBuild?: (
    instance: PickleValue,
    state: PickleValue,
    reader: ByteReader,
    run: PickleRunContext,
  ) => PickleValue | undefined;
}

/** What an `onBuild` hook may use to record what it read. */
export interface PickleRunContext {
  addEmbedded(payload: EmbeddedPayload): void;
  readonly limits: PickleLimits;
}

const STACK_UNDERFLOW = 'unpickling stack underflow';

/**
 * Simulates one pickle starting at `start` until STOP, an error, or a limit. Never throws for bad input:
 * the error is part of the result, with everything found before it.
 */
export function simulatePickle(
  input: ByteSource | Uint8Array | ByteReader,
  start = 0,
  options: SimulateOptions = {},
): PickleRun {
  const limits: PickleLimits = { ...DEFAULT_PICKLE_LIMITS, ...options.limits };
  const reader = input instanceof ByteReader ? input : new ByteReader(input, start);
  if (input instanceof ByteReader) reader.seek(start);
  return new Simulation(reader, limits, options).run();
}

class Simulation implements PickleRunContext {
  private stack: PickleValue[] = [];
  private readonly metastack: PickleValue[][] = [];
  private readonly memo = new Map<number, PickleValue>();
  private protocol = 0;
  private opcodes = 0;
  private readonly importMap = new Map<string, PickleImport>();
  private readonly dynamicImports: PickleDynamicImport[] = [];
  private readonly callMap = new Map<string, PickleCallSite>();
  private readonly stateChanges: PickleStateChange[] = [];
  private readonly persistentIds: { offset: number; pid: PickleValue }[] = [];
  private readonly extensions: { offset: number; code: number }[] = [];
  private readonly embedded: EmbeddedPayload[] = [];
  private readonly anomalies: PickleAnomaly[] = [];
  private frameEnd = -1;
  private opStart = 0;
  private divergent = false;
  private nonAsciiStrings = false;
  private readonly valueGlobals = new Map<string, PGlobal>();
  private readonly walked = new WeakMap<object, number>();
  private readonly start: number;
  private get dialect(): PickleDialect {
    return this.options.dialect ?? 'c';
  }

  constructor(
    private readonly reader: ByteReader,
    readonly limits: PickleLimits,
    private readonly options: SimulateOptions,
  ) {
    this.start = reader.offset;
  }

  addEmbedded(payload: EmbeddedPayload): void {
    if (this.embedded.length < this.limits.maxDistinctSites) this.embedded.push(payload);
  }

  run(): PickleRun {
    let result: PickleValue | undefined;
    let error: ParseError | undefined;
    try {
      result = this.loop();
    } catch (caught) {
      if (caught instanceof ParseError) error = caught;
      else if (caught instanceof RangeError) {
        // e.g. "Invalid array length" or "Maximum call stack size exceeded": a resource limit of ours.
        error = new ParseError('LIMIT_EXCEEDED', `simulation aborted: ${caught.message}`, this.opStart, {
          cause: caught,
        });
      } else throw caught;
    }
    return {
      start: this.start,
      end: error ? (error.offset ?? this.reader.offset) : this.reader.offset,
      protocol: this.protocol,
      opcodes: this.opcodes,
      imports: [...this.importMap.values()],
      dynamicImports: this.dynamicImports,
      calls: [...this.callMap.values()],
      stateChanges: this.stateChanges,
      persistentIds: this.persistentIds,
      extensions: this.extensions,
      embedded: this.embedded,
      anomalies: this.anomalies,
      divergent: this.divergent,
      nonAsciiStrings: this.nonAsciiStrings,
      valueGlobals: [...this.valueGlobals.values()],
      result,
      error,
    };
  }

  private fail(message: string, code: ParseError['code'] = 'BAD_STRUCTURE'): never {
    throw new ParseError(code, message, this.opStart);
  }

  private push(value: PickleValue): void {
    if (this.stack.length >= this.limits.maxStackDepth) {
      this.fail(`stack deeper than ${this.limits.maxStackDepth} values`, 'LIMIT_EXCEEDED');
    }
    this.stack.push(value);
  }

  private pop(): PickleValue {
    if (this.stack.length === 0) this.fail(STACK_UNDERFLOW);
    return this.stack.pop() as PickleValue;
  }

  private top(): PickleValue {
    if (this.stack.length === 0) this.fail(STACK_UNDERFLOW);
    return this.stack[this.stack.length - 1] as PickleValue;
  }

  /** CPython's pop_mark: the items since the last MARK; the previous stack comes back. */
  private popMark(): PickleValue[] {
    const previous = this.metastack.pop();
    if (previous === undefined) this.fail('could not find MARK');
    const items = this.stack;
    this.stack = previous;
    return items;
  }

  private sequence(k: PSequence['k'], items: PickleValue[]): PSequence {
    const count = items.length;
    const kept = count > this.limits.maxKeptItems ? items.slice(0, this.limits.maxKeptItems) : items;
    return { k, items: kept, count };
  }

  private extendSequence(seq: PSequence, items: readonly PickleValue[]): void {
    const room = this.limits.maxKeptItems - seq.items.length;
    for (let i = 0; i < items.length && i < room; i++) seq.items.push(items[i] as PickleValue);
    seq.count += items.length;
  }

  private setDictItem(dict: PDict, key: PickleValue, value: PickleValue): void {
    if (dict.entries.length < this.limits.maxKeptItems) dict.entries.push([key, value]);
    dict.count += 1;
  }

  private recordImport(module: string, name: string, opcode: ImportOpcode, offset: number): PGlobal {
    const key = `${module}\u0000${name}`;
    const existing = this.importMap.get(key);
    if (existing) existing.count += 1;
    else {
      if (this.importMap.size >= this.limits.maxDistinctSites) {
        this.fail(`more than ${this.limits.maxDistinctSites} distinct imports`, 'LIMIT_EXCEEDED');
      }
      this.importMap.set(key, { module, name, opcode, offset, count: 1 });
    }
    return { k: 'global', module, name, offset, dynamic: false };
  }

  /**
   * Records globals handed to calls or object state as values rather than called where imported: a
   * deserializer passed to a function that calls it runs with arguments the pickle does not show (red team
   * rounds 3 and 5). Every call is walked, not only the kept ones; a container is walked again only when it
   * has grown since.
   */
  private noteValueGlobals(v: PickleValue, depth: number): void {
    if (!isTagged(v) || depth > MAX_VALUE_WALK_DEPTH) return;
    switch (v.k) {
      case 'global': {
        const key = `${v.module}\u0000${v.name}`;
        if (!this.valueGlobals.has(key) && this.valueGlobals.size < this.limits.maxDistinctSites)
          this.valueGlobals.set(key, v);
        return;
      }
      case 'list':
      case 'tuple':
      case 'set':
      case 'frozenset':
      case 'dict': {
        const size = v.k === 'dict' ? v.entries.length : v.items.length;
        if (this.walked.get(v) === size) return;
        this.walked.set(v, size);
        if (v.k === 'dict') {
          for (const [key, value] of v.entries) {
            this.noteValueGlobals(key, depth + 1);
            this.noteValueGlobals(value, depth + 1);
          }
        } else for (const item of v.items) this.noteValueGlobals(item, depth + 1);
        return;
      }
      case 'call':
        // A call's own arguments were walked when it was recorded; its later state when BUILT.
        return;
      default:
        return;
    }
  }

  private recordCall(
    opcode: CallOpcode,
    callee: PickleValue,
    args: PickleValue,
    kwargs: PickleValue | undefined,
  ): PCall {
    const call: PCall = { k: 'call', callee, args, kwargs, opcode, offset: this.opStart };
    this.noteValueGlobals(args, 0);
    if (kwargs !== undefined) this.noteValueGlobals(kwargs, 0);
    const calleeText = renderValue(callee);
    const key = `${opcode}\u0000${calleeText}`;
    const existing = this.callMap.get(key);
    if (existing) {
      existing.count += 1;
      if (existing.calls.length < MAX_PICKLE_CALLS_PER_SITE) existing.calls.push(call);
    } else {
      if (this.callMap.size >= this.limits.maxDistinctSites) {
        this.fail(`more than ${this.limits.maxDistinctSites} distinct call sites`, 'LIMIT_EXCEEDED');
      }
      this.callMap.set(key, { call, calls: [call], callee: calleeText, count: 1 });
    }
    return call;
  }

  /**
   * Records a state change when its target is not a plain container or a freshly built object: setting
   * attributes or items on an imported module, class or function rewires code the loader runs later
   * (e.g. overriding `torch._utils._rebuild_tensor`), and SETITEM on a non-dict reaches `__setitem__` of
   * arbitrary objects (CVE-2026-24747, torch weights_only bypass).
   */
  private recordStateChange(opcode: StateOpcode, target: PickleValue, value: PickleValue): void {
    let targetKind: PickleStateChange['targetKind'] | undefined;
    if (!isTagged(target)) targetKind = 'primitive';
    else {
      switch (target.k) {
        case 'global':
          targetKind = 'global';
          break;
        case 'persid':
          targetKind = 'persistent';
          break;
        case 'ext':
          targetKind = 'extension';
          break;
        case 'bytes':
        case 'bytearray':
        case 'longstr':
        case 'float':
        case 'buffer':
          targetKind = 'primitive';
          break;
        case 'call':
          // Building or filling a freshly made object is how every object is unpickled; what that runs is
          // the made object's class, which the import policy already grades.
          targetKind = undefined;
          break;
        default:
          targetKind = undefined;
      }
    }
    if (targetKind === undefined) return;
    if (this.stateChanges.length < this.limits.maxDistinctSites) {
      this.stateChanges.push({ opcode, offset: this.opStart, target, value, targetKind });
    }
  }

  private anomaly(code: PickleAnomaly['code'], message: string): void {
    if (this.anomalies.length < 1000) this.anomalies.push({ code, message, offset: this.opStart });
  }

  private noteConstant(value: PBytes | string, offset: number): void {
    const payload = detectEmbeddedPayload(value, offset, this.limits.maxEmbeddedBytes);
    if (payload) this.addEmbedded(payload);
  }

  /** Reads `n` bytes as a bytes value, keeping only a prefix in memory. */
  private readBytesValue(n: number, k: 'bytes' | 'bytearray', what: string): PBytes {
    const offset = this.reader.offset;
    const r = this.reader;
    if (n <= this.limits.maxKeptBytes) {
      const prefix = r.bytes(n, what).slice();
      const value: PBytes = { k, length: n, prefix, offset };
      if (n >= 8) this.noteConstant(value, offset);
      return value;
    }
    // Large: keep a prefix; the embedded-payload check may want the whole value (a nested pickle).
    const head = r.bytes(Math.min(n, 64), what).slice();
    r.seek(offset);
    const probe: PBytes = { k, length: n, prefix: head, offset };
    const wantsAll = detectEmbeddedPayload(probe, offset, this.limits.maxEmbeddedBytes, true) !== undefined;
    if (wantsAll && n <= this.limits.maxEmbeddedBytes) {
      const all = r.bytes(n, what).slice();
      const value: PBytes = { k, length: n, prefix: all.subarray(0, this.limits.maxKeptBytes), offset };
      this.noteConstant({ k, length: n, prefix: all, offset }, offset);
      return value;
    }
    const prefix = r.bytes(this.limits.maxKeptBytes, what).slice();
    r.skip(n - this.limits.maxKeptBytes, what);
    return { k, length: n, prefix, offset };
  }

  /** Reads `n` bytes of text (BINUNICODE and friends, BINSTRING) as a str value. */
  private readTextValue(n: number, decode: (b: Uint8Array) => string, what: string): PickleValue {
    const offset = this.reader.offset;
    if (n > this.limits.maxKeptBytes) {
      const keep = Math.min(n, this.limits.maxEmbeddedBytes);
      const bytes = this.reader.bytes(keep, what);
      const text = decode(bytes.subarray(0, this.limits.maxKeptBytes));
      if (n > keep) this.reader.skip(n - keep, what);
      const payload = detectEmbeddedPayload(decode(bytes), offset, this.limits.maxEmbeddedBytes);
      if (payload) this.addEmbedded(payload);
      return { k: 'longstr', length: n, prefix: text, offset };
    }
    const text = decode(this.reader.bytes(n, what));
    if (n >= 8) this.noteConstant(text, offset);
    return text;
  }

  private readLine(what: string): Uint8Array {
    return this.reader.line(this.limits.maxLineBytes, what);
  }

  private checkLength(n: bigint | number, what: string): number {
    if (n < 0) this.fail(`${what} has negative byte count`, 'BAD_VALUE');
    if (n > this.reader.remaining) {
      throw new ParseError(
        'TRUNCATED',
        `${what} declares ${n} bytes but only ${this.reader.remaining} remain`,
        this.reader.offset,
      );
    }
    return Number(n);
  }

  private loop(): PickleValue {
    const r = this.reader;
    const maxOps = this.limits.maxOpcodes;
    for (;;) {
      this.opStart = r.offset;
      if (this.frameEnd >= 0 && this.opStart > this.frameEnd) {
        // An opcode straddled the end of its frame; pickle.py's _Unframer raises here, the C unpickler
        // (which pickle.load uses) does not. Record the disagreement and keep going as C does.
        this.anomaly(
          'FRAME_MISALIGNED',
          'an opcode straddles the end of a FRAME; C and Python unpicklers disagree',
        );
        this.frameEnd = -1;
      } else if (this.frameEnd === this.opStart) this.frameEnd = -1;
      if (r.atEnd) {
        throw new ParseError('TRUNCATED', 'pickle data was truncated (no STOP opcode)', r.offset);
      }
      const op = r.u8('opcode');
      if (++this.opcodes > maxOps) {
        this.fail(`more than ${maxOps} opcodes`, 'LIMIT_EXCEEDED');
      }
      switch (op) {
        case OP.MARK:
          if (this.metastack.length >= this.limits.maxMarkDepth) {
            this.fail(`more than ${this.limits.maxMarkDepth} nested MARKs`, 'LIMIT_EXCEEDED');
          }
          this.metastack.push(this.stack);
          this.stack = [];
          break;
        case OP.STOP: {
          const value = this.pop();
          if (this.stack.length > 0)
            this.anomaly('STACK_LEFT_AT_STOP', `${this.stack.length} value(s) left on the stack`);
          if (this.metastack.length > 0)
            this.anomaly('MARK_LEFT_AT_STOP', `${this.metastack.length} MARK(s) left open`);
          return value;
        }
        case OP.POP:
          if (this.stack.length > 0) this.stack.pop();
          else this.popMark();
          break;
        case OP.POP_MARK:
          this.popMark();
          break;
        case OP.DUP:
          this.push(this.top());
          break;

        // Numbers
        case OP.INT: {
          const text = this.numberLine('INT argument');
          const value = this.reading(intLineC(text), intLinePython(text));
          if (value === undefined)
            this.fail(`invalid literal for int() in INT: ${text.slice(0, 40)}`, 'BAD_VALUE');
          this.push(value);
          break;
        }
        case OP.LONG: {
          const text = this.numberLine('LONG argument');
          const value = this.reading(longLine(text, 'c'), longLine(text, 'python'));
          if (value === undefined)
            this.fail(`invalid literal for int() in LONG: ${text.slice(0, 40)}`, 'BAD_VALUE');
          this.push(value);
          break;
        }
        case OP.BININT:
          this.push(r.i32le('BININT argument'));
          break;
        case OP.BININT1:
          this.push(r.u8('BININT1 argument'));
          break;
        case OP.BININT2:
          this.push(r.u16le('BININT2 argument'));
          break;
        case OP.LONG1: {
          const n = r.u8('LONG1 length');
          this.push(decodeLong(r.bytes(n, 'LONG1 argument')));
          break;
        }
        case OP.LONG4: {
          const n = this.checkLength(r.i32le('LONG4 length'), 'LONG pickle');
          if (n > this.limits.maxKeptBytes) {
            r.skip(n, 'LONG4 argument');
            this.push({ k: 'float', value: Number.POSITIVE_INFINITY });
          } else this.push(decodeLong(r.bytes(n, 'LONG4 argument')));
          break;
        }
        case OP.FLOAT: {
          const text = this.numberLine('FLOAT argument');
          const value = this.reading(floatLine(text, 'c'), floatLine(text, 'python'));
          if (value === undefined)
            this.fail(`could not convert string to float: ${text.slice(0, 40)}`, 'BAD_VALUE');
          this.push({ k: 'float', value });
          break;
        }
        case OP.BINFLOAT:
          this.push({ k: 'float', value: r.f64be('BINFLOAT argument') });
          break;

        // Constants
        case OP.NONE:
          this.push(null);
          break;
        case OP.NEWTRUE:
          this.push(true);
          break;
        case OP.NEWFALSE:
          this.push(false);
          break;

        // Strings and bytes
        case OP.STRING: {
          const line = this.readLine('STRING argument');
          this.push(this.stringOpcodeValue(line));
          break;
        }
        case OP.BINSTRING: {
          const n = this.checkLength(r.i32le('BINSTRING length'), 'BINSTRING pickle');
          this.push(this.readTextValue(n, (b) => this.asciiString(b), 'BINSTRING argument'));
          break;
        }
        case OP.SHORT_BINSTRING: {
          const n = r.u8('SHORT_BINSTRING length');
          this.push(this.readTextValue(n, (b) => this.asciiString(b), 'SHORT_BINSTRING argument'));
          break;
        }
        case OP.UNICODE: {
          const line = this.readLine('UNICODE argument');
          const text = decodeRawUnicodeEscape(line);
          if (text.length >= 8) this.noteConstant(text, this.opStart + 1);
          this.push(text);
          break;
        }
        case OP.BINUNICODE: {
          const n = this.checkLength(r.u32le('BINUNICODE length'), 'BINUNICODE');
          this.push(this.readTextValue(n, decodeUtf8SurrogatePass, 'BINUNICODE argument'));
          break;
        }
        case OP.SHORT_BINUNICODE: {
          const n = r.u8('SHORT_BINUNICODE length');
          this.push(this.readTextValue(n, decodeUtf8SurrogatePass, 'SHORT_BINUNICODE argument'));
          break;
        }
        case OP.BINUNICODE8: {
          const n = this.checkLength(r.u64le('BINUNICODE8 length'), 'BINUNICODE8');
          this.push(this.readTextValue(n, decodeUtf8SurrogatePass, 'BINUNICODE8 argument'));
          break;
        }
        case OP.BINBYTES: {
          const n = this.checkLength(r.u32le('BINBYTES length'), 'BINBYTES');
          this.push(this.readBytesValue(n, 'bytes', 'BINBYTES argument'));
          break;
        }
        case OP.SHORT_BINBYTES: {
          const n = r.u8('SHORT_BINBYTES length');
          this.push(this.readBytesValue(n, 'bytes', 'SHORT_BINBYTES argument'));
          break;
        }
        case OP.BINBYTES8: {
          const n = this.checkLength(r.u64le('BINBYTES8 length'), 'BINBYTES8');
          this.push(this.readBytesValue(n, 'bytes', 'BINBYTES8 argument'));
          break;
        }
        case OP.BYTEARRAY8: {
          const n = this.checkLength(r.u64le('BYTEARRAY8 length'), 'BYTEARRAY8');
          this.push(this.readBytesValue(n, 'bytearray', 'BYTEARRAY8 argument'));
          break;
        }
        case OP.NEXT_BUFFER:
          // CPython raises unless the caller passed buffers=...; an application may, so keep going.
          this.anomaly('OUT_OF_BAND_BUFFER', 'NEXT_BUFFER needs out-of-band buffers supplied by the loader');
          this.push({ k: 'buffer', offset: this.opStart });
          break;
        case OP.READONLY_BUFFER:
          this.top();
          break;

        // Containers
        case OP.EMPTY_TUPLE:
          this.push({ k: 'tuple', items: [], count: 0 });
          break;
        case OP.TUPLE:
          this.push(this.sequence('tuple', this.popMark()));
          break;
        case OP.TUPLE1: {
          const a = this.pop();
          this.push({ k: 'tuple', items: [a], count: 1 });
          break;
        }
        case OP.TUPLE2: {
          const b = this.pop();
          const a = this.pop();
          this.push({ k: 'tuple', items: [a, b], count: 2 });
          break;
        }
        case OP.TUPLE3: {
          const c = this.pop();
          const b = this.pop();
          const a = this.pop();
          this.push({ k: 'tuple', items: [a, b, c], count: 3 });
          break;
        }
        case OP.EMPTY_LIST:
          this.push({ k: 'list', items: [], count: 0 });
          break;
        case OP.LIST:
          this.push(this.sequence('list', this.popMark()));
          break;
        case OP.APPEND: {
          const value = this.pop();
          const target = this.top();
          if (isTagged(target) && target.k === 'list') this.extendSequence(target, [value]);
          else this.recordStateChange('APPEND', target, value);
          break;
        }
        case OP.APPENDS: {
          const items = this.popMark();
          const target = this.top();
          if (isTagged(target) && target.k === 'list') this.extendSequence(target, items);
          else this.recordStateChange('APPENDS', target, this.sequence('list', items));
          break;
        }
        case OP.EMPTY_DICT:
          this.push({ k: 'dict', entries: [], count: 0 });
          break;
        case OP.DICT: {
          const items = this.popMark();
          if (items.length % 2 !== 0) this.fail('odd number of items for DICT');
          const dict: PDict = { k: 'dict', entries: [], count: 0 };
          for (let i = 0; i < items.length; i += 2)
            this.setDictItem(dict, items[i] as PickleValue, items[i + 1] as PickleValue);
          this.push(dict);
          break;
        }
        case OP.SETITEM: {
          const value = this.pop();
          const key = this.pop();
          const target = this.top();
          if (isTagged(target) && target.k === 'dict') this.setDictItem(target, key, value);
          else this.recordStateChange('SETITEM', target, { k: 'tuple', items: [key, value], count: 2 });
          break;
        }
        case OP.SETITEMS: {
          const items = this.popMark();
          const target = this.top();
          if (items.length % 2 !== 0) this.fail('odd number of items for SETITEMS');
          if (isTagged(target) && target.k === 'dict') {
            for (let i = 0; i < items.length; i += 2) {
              this.setDictItem(target, items[i] as PickleValue, items[i + 1] as PickleValue);
            }
          } else {
            const pairs: PDict = { k: 'dict', entries: [], count: 0 };
            for (let i = 0; i < items.length; i += 2)
              this.setDictItem(pairs, items[i] as PickleValue, items[i + 1] as PickleValue);
            this.recordStateChange('SETITEMS', target, pairs);
          }
          break;
        }
        case OP.EMPTY_SET:
          this.push({ k: 'set', items: [], count: 0 });
          break;
        case OP.ADDITEMS: {
          const items = this.popMark();
          const target = this.top();
          if (isTagged(target) && target.k === 'set') this.extendSequence(target, items);
          else this.recordStateChange('ADDITEMS', target, this.sequence('list', items));
          break;
        }
        case OP.FROZENSET:
          this.push(this.sequence('frozenset', this.popMark()));
          break;

        // Memo
        case OP.GET:
          this.push(this.memoGet(this.parseIndex(this.numberLine('GET argument'), 'GET')));
          break;
        case OP.BINGET:
          this.push(this.memoGet(r.u8('BINGET argument')));
          break;
        case OP.LONG_BINGET:
          this.push(this.memoGet(r.u32le('LONG_BINGET argument')));
          break;
        case OP.PUT: {
          const index = this.parseIndex(this.numberLine('PUT argument'), 'PUT');
          this.memoPut(index);
          break;
        }
        case OP.BINPUT:
          this.memoPut(r.u8('BINPUT argument'));
          break;
        case OP.LONG_BINPUT:
          // Unsigned in both unpicklers (_pickle.c calc_binsize, pickle.py unpack('<I')): never negative.
          this.memoPut(r.u32le('LONG_BINPUT argument'));
          break;
        case OP.MEMOIZE:
          // memo[len(memo)] = stack[-1]: len(memo) counts entries, not the highest index (Lib/pickle.py).
          this.memoPut(this.memo.size);
          break;

        // Imports
        case OP.GLOBAL: {
          const module = this.decodeName(this.readLine('GLOBAL module'), 'GLOBAL module', 'utf-8');
          const name = this.decodeName(this.readLine('GLOBAL name'), 'GLOBAL name', 'utf-8');
          this.push(this.recordImport(module, name, 'GLOBAL', this.opStart));
          break;
        }
        case OP.STACK_GLOBAL: {
          const name = this.pop();
          const module = this.pop();
          if (typeof module === 'string' && typeof name === 'string') {
            this.push(this.recordImport(module, name, 'STACK_GLOBAL', this.opStart));
          } else {
            // CPython requires str operands; values computed at load time (e.g. attributes of a tampered
            // module) can be str then. We cannot know the name statically: record and continue.
            const moduleText = typeof module === 'string' ? module : renderValue(module);
            const nameText = typeof name === 'string' ? name : renderValue(name);
            this.dynamicImports.push({ offset: this.opStart, module: moduleText, name: nameText });
            this.push({
              k: 'global',
              module: moduleText,
              name: nameText,
              offset: this.opStart,
              dynamic: true,
            });
          }
          break;
        }
        case OP.INST: {
          const module = this.decodeName(this.readLine('INST module'), 'INST module', 'ascii');
          const name = this.decodeName(this.readLine('INST name'), 'INST name', 'ascii');
          const cls = this.recordImport(module, name, 'INST', this.opStart);
          const args = this.popMark();
          this.push(this.recordCall('INST', cls, this.sequence('tuple', args), undefined));
          break;
        }
        case OP.EXT1:
          this.extension(r.u8('EXT1 argument'));
          break;
        case OP.EXT2:
          this.extension(r.u16le('EXT2 argument'));
          break;
        case OP.EXT4:
          this.extension(r.i32le('EXT4 argument'));
          break;

        // Calls
        case OP.REDUCE: {
          const args = this.pop();
          const callee = this.top();
          if (!(isTagged(args) && args.k === 'tuple')) {
            this.anomaly('NON_TUPLE_ARGS', `REDUCE argument is a ${typeName(args)}, not a tuple`);
          }
          this.stack[this.stack.length - 1] = this.recordCall('REDUCE', callee, args, undefined);
          break;
        }
        case OP.NEWOBJ: {
          const args = this.pop();
          const cls = this.pop();
          this.push(this.recordCall('NEWOBJ', cls, args, undefined));
          break;
        }
        case OP.NEWOBJ_EX: {
          const kwargs = this.pop();
          const args = this.pop();
          const cls = this.pop();
          this.push(this.recordCall('NEWOBJ_EX', cls, args, kwargs));
          break;
        }
        case OP.OBJ: {
          const items = this.popMark();
          if (items.length === 0) this.fail(STACK_UNDERFLOW);
          const cls = items[0] as PickleValue;
          this.push(this.recordCall('OBJ', cls, this.sequence('tuple', items.slice(1)), undefined));
          break;
        }
        case OP.BUILD: {
          const state = this.pop();
          const instance = this.top();
          this.recordStateChange('BUILD', instance, state);
          if (isCall(instance)) instance.built = state;
          this.noteValueGlobals(state, 0);
          const before = r.offset;
          const replacement = this.options.onBuild?.(instance, state, r, this);
          // joblib replaces the wrapper on the stack with the array it read; a later BUILD applies to that.
          if (replacement !== undefined) this.stack[this.stack.length - 1] = replacement;
          // joblib commits the frame before writing array bytes after a wrapper's BUILD, so bytes the hook
          // skipped right at a frame's end are outside any frame; anywhere else the frame check still applies.
          if (r.offset !== before && this.frameEnd === before) this.frameEnd = -1;
          break;
        }

        // Persistent ids
        case OP.PERSID: {
          const pid = this.decodeName(this.readLine('PERSID argument'), 'PERSID argument', 'ascii');
          this.persistentIds.push({ offset: this.opStart, pid });
          this.push({ k: 'persid', pid, offset: this.opStart });
          break;
        }
        case OP.BINPERSID: {
          const pid = this.pop();
          if (this.persistentIds.length < this.limits.maxDistinctSites) {
            this.persistentIds.push({ offset: this.opStart, pid });
          }
          this.push({ k: 'persid', pid, offset: this.opStart });
          break;
        }

        // Protocol and framing
        case OP.PROTO: {
          const proto = r.u8('PROTO argument');
          if (proto > HIGHEST_PROTOCOL) this.fail(`unsupported pickle protocol: ${proto}`, 'UNSUPPORTED');
          this.protocol = proto;
          break;
        }
        case OP.FRAME: {
          const size = r.u64le('FRAME length');
          if (this.frameEnd > r.offset) {
            this.anomaly(
              'FRAME_NESTED',
              'FRAME begins before the previous frame ended (pickle.py rejects this)',
            );
          }
          if (size > BigInt(r.remaining)) {
            // The C unpickler fails here; pickle.py reads what is there and goes on. Keep going.
            this.anomaly('FRAME_OVERRUN', `FRAME declares ${size} bytes but only ${r.remaining} remain`);
            this.frameEnd = -1;
          } else this.frameEnd = r.offset + Number(size);
          break;
        }
        default: {
          const shown =
            op >= 0x20 && op < 0x7f
              ? `'${String.fromCharCode(op)}'`
              : `0x${op.toString(16).padStart(2, '0')}`;
          this.fail(`invalid load key, ${shown}`, opcodeName(op) === undefined ? 'BAD_VALUE' : 'UNSUPPORTED');
        }
      }
    }
  }

  private memoGet(index: number): PickleValue {
    const value = this.memo.get(index);
    if (value === undefined) this.fail(`Memo value not found at index ${index}`, 'BAD_VALUE');
    return value;
  }

  private memoPut(index: number): void {
    if (this.memo.size >= this.limits.maxMemoEntries && !this.memo.has(index)) {
      this.fail(`more than ${this.limits.maxMemoEntries} memo entries`, 'LIMIT_EXCEEDED');
    }
    this.memo.set(index, this.top());
  }

  private extension(code: number): void {
    if (code <= 0) this.fail('EXT specifies code <= 0', 'BAD_VALUE');
    // copyreg's extension registry is empty unless the loading program fills it: the global behind the
    // code cannot be known statically.
    this.extensions.push({ offset: this.opStart, code });
    this.push({ k: 'ext', code, offset: this.opStart });
  }

  private parseIndex(text: string, what: string): number {
    const value = this.reading(indexLine(text, 'c'), indexLine(text, 'python'));
    if (value === undefined)
      this.fail(`${what} argument is not an integer: ${text.slice(0, 40)}`, 'BAD_VALUE');
    if (value < 0) this.fail(`negative ${what} argument`, 'BAD_VALUE');
    if (typeof value !== 'number' || !Number.isSafeInteger(value))
      this.fail(`${what} argument out of range`, 'BAD_VALUE');
    return value;
  }

  /**
   * A protocol-0 number line. Only the line limit applies: padding (whitespace, leading zeros) is valid to
   * both unpicklers, so a digit-count limit here would be a free way to stop the analysis (red team round 5);
   * big-integer parsing is subquadratic (pyint.ts) and decimal text is capped at 4300 digits as in Python.
   */
  private numberLine(what: string): string {
    return decodeLatin1(this.readLine(what));
  }

  /**
   * The reading of the unpickler this run follows; notes when the other unpickler reads the line
   * differently, so the caller can analyse the stream the other way too.
   */
  private reading<T>(c: T | undefined, python: T | undefined): T | undefined {
    if (!sameReading(c, python)) this.divergent = true;
    return this.dialect === 'c' ? c : python;
  }

  /** GLOBAL/INST/PERSID lines: CPython decodes GLOBAL as UTF-8 and INST/PERSID as ASCII, strictly. */
  private decodeName(line: Uint8Array, what: string, encoding: 'utf-8' | 'ascii'): string {
    if (encoding === 'ascii') {
      for (const b of line) if (b >= 0x80) this.fail(`${what} is not ASCII`, 'BAD_VALUE');
      return decodeLatin1(line);
    }
    try {
      return STRICT_UTF8.decode(line);
    } catch {
      this.fail(`${what} is not valid UTF-8`, 'BAD_VALUE');
    }
  }

  /** BINSTRING/SHORT_BINSTRING decode with the unpickler's encoding, ASCII by default. */
  private asciiString(bytes: Uint8Array): string {
    let ascii = true;
    for (const b of bytes) {
      if (b >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return decodeLatin1(bytes);
    // pickle.load's default encoding='ASCII' raises here; NumPy's py2 compatibility reads latin-1 and
    // torch.load passes encoding='utf-8' (torch/serialization.py), which reads other text from the
    // same bytes (red team round 5): the caller analyses the stream the UTF-8 way too.
    this.nonAsciiStrings = true;
    if (this.options.stringEncoding === 'utf-8') {
      try {
        return STRICT_UTF8.decode(bytes);
      } catch {
        this.fail("a protocol 0/1 string is not valid UTF-8 (encoding='utf-8' raises)", 'BAD_VALUE');
      }
    }
    this.anomaly('NON_ASCII_STRING', 'a protocol 0/1 string is not ASCII; decoded as latin-1');
    return decodeLatin1(bytes);
  }

  /** STRING: a quoted Python bytes literal, escape-decoded (Lib/pickle.py load_string). */
  private stringOpcodeValue(line: Uint8Array): PickleValue {
    let data = line;
    // pickle.py strips only the newline; a trailing "\r" would break the quote check, as in CPython.
    if (data.length >= 2 && data[0] === data[data.length - 1] && (data[0] === 0x22 || data[0] === 0x27)) {
      data = data.subarray(1, data.length - 1);
    } else {
      this.fail('the STRING opcode argument must be quoted', 'BAD_VALUE');
    }
    const decoded = this.asciiString(decodeEscapes(data));
    if (decoded.length >= 8) this.noteConstant(decoded, this.opStart + 1);
    return decoded.length > this.limits.maxKeptBytes
      ? {
          k: 'longstr',
          length: decoded.length,
          prefix: decoded.slice(0, this.limits.maxKeptBytes),
          offset: this.opStart,
        }
      : decoded;
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8', { fatal: false });

/**
 * UTF-8 with CPython's 'surrogatepass' (BINUNICODE): lone surrogates encoded as 3 bytes are accepted.
 * TextDecoder cannot do that, so fall back to a lenient decode rather than stop (stopping would hide
 * what follows from the scan while CPython would go on).
 */
function decodeUtf8SurrogatePass(bytes: Uint8Array): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return LENIENT_UTF8.decode(bytes);
  }
}

/** Little-endian two's complement (pickle's encode_long). */
export function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i] as number);
  if (((bytes[bytes.length - 1] as number) & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** codecs.escape_decode: Python bytes-literal escapes; unknown escapes are kept verbatim. */
export function decodeEscapes(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const b = data[i] as number;
    if (b !== 0x5c || i + 1 >= data.length) {
      out.push(b);
      continue;
    }
    const n = data[++i] as number;
    switch (n) {
      case 0x0a: // backslash-newline: line continuation
        break;
      case 0x5c:
        out.push(0x5c);
        break;
      case 0x27:
        out.push(0x27);
        break;
      case 0x22:
        out.push(0x22);
        break;
      case 0x61:
        out.push(0x07);
        break;
      case 0x62:
        out.push(0x08);
        break;
      case 0x66:
        out.push(0x0c);
        break;
      case 0x6e:
        out.push(0x0a);
        break;
      case 0x72:
        out.push(0x0d);
        break;
      case 0x74:
        out.push(0x09);
        break;
      case 0x76:
        out.push(0x0b);
        break;
      case 0x78: {
        const hex = String.fromCharCode(data[i + 1] ?? 0, data[i + 2] ?? 0);
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          out.push(Number.parseInt(hex, 16));
          i += 2;
        } else out.push(0x5c, n);
        break;
      }
      default:
        if (n >= 0x30 && n <= 0x37) {
          let value = n - 0x30;
          for (let k = 0; k < 2 && i + 1 < data.length; k++) {
            const d = data[i + 1] as number;
            if (d < 0x30 || d > 0x37) break;
            value = value * 8 + (d - 0x30);
            i++;
          }
          out.push(value & 0xff);
        } else out.push(0x5c, n);
    }
  }
  return Uint8Array.from(out);
}

/** The raw-unicode-escape codec (UNICODE opcode): latin-1 bytes plus \uXXXX and \UXXXXXXXX escapes. */
export function decodeRawUnicodeEscape(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i++) {
    const b = data[i] as number;
    if (b === 0x5c && i + 1 < data.length && (data[i + 1] === 0x75 || data[i + 1] === 0x55)) {
      const width = data[i + 1] === 0x75 ? 4 : 8;
      const hex = decodeLatin1(data.subarray(i + 2, i + 2 + width));
      if (hex.length === width && /^[0-9a-fA-F]+$/.test(hex)) {
        const cp = Number.parseInt(hex, 16);
        if (cp <= 0x10ffff) {
          out += String.fromCodePoint(cp);
          i += 1 + width;
          continue;
        }
      }
    }
    out += String.fromCharCode(b);
  }
  return out;
}
