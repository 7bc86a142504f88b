import type { ByteReader } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { type PickleRunContext, type SimulateOptions, simulatePickle } from './simulate.js';
import { globalName, isCall, isGlobal, isTagged, type PCall, type PickleValue } from './values.js';

/**
 * joblib writes NumPy arrays out of band: after the BUILD of a `NumpyArrayWrapper`, joblib's unpickler
 * (`NumpyUnpickler.load_build`) pops the wrapper and calls its `read_array`, which reads the array's
 * bytes straight from the file (joblib/numpy_pickle.py), pushes the array, and unpickling resumes. A
 * reader that does not skip exactly those bytes sees garbage, or worse, resumes somewhere joblib does not.
 * This hook reproduces what `read_array` reads:
 * - `dtype.hasobject`: a whole pickle (`pickle.load(file_handle)`, a plain unpickler), analysed as nested;
 * - otherwise, when the wrapper's `numpy_array_alignment_bytes` is set and not None (joblib >= 1.2), one
 *   padding-length byte and that many padding bytes, then `prod(shape) * dtype.itemsize` bytes.
 *
 * The wrapper's attributes are what Python would hold after the BUILD: the constructor's arguments when
 * the class was called (REDUCE/OBJ/INST run `__init__`), overlaid by the BUILD state dict and slot state
 * (last duplicate key wins, as for a dict). The dtype is rebuilt from `numpy.dtype(descr, ...)` and the
 * state its own BUILD gave it (`arraydescr_setstate`, numpy/_core/src/multiarray/descriptor.c), where the
 * element size of flexible types (S, U, V, structured) and the object flag live.
 *
 * Whatever this hook cannot pin down exactly raises a {@link JoblibLayoutError}: the scanner cannot know
 * where joblib resumes, so the file is reported as evading analysis instead of being guessed at.
 */

/** Classes joblib's `load_build` treats as array wrappers (recognised generously: see analysePickleIn). */
const WRAPPER_CLASSES = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);

/** copyreg helpers that make an instance of their first argument without calling `__init__`. */
const NO_INIT_FACTORIES = new Set([
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  'copyreg._reconstructor',
  'copy_reg._reconstructor',
]);

/** `NumpyArrayWrapper.__init__(self, subclass, shape, order, dtype, allow_mmap=False, numpy_array_alignment_bytes=16)`. */
const INIT_PARAMETERS = ['subclass', 'shape', 'order', 'dtype', 'allow_mmap', 'numpy_array_alignment_bytes'];
/** joblib's NUMPY_ARRAY_ALIGNMENT_BYTES, the constructor's default. */
const DEFAULT_ALIGNMENT_BYTES = 16;

/** Largest array joblib may claim in one wrapper; stops overflow in prod(shape) * itemsize. */
export const MAX_JOBLIB_ARRAY_BYTES = 2 ** 50;
/** Deepest nesting of structured dtypes followed (fields of fields, sub-arrays). */
export const MAX_DTYPE_DEPTH = 32;

/** joblib would read bytes the scanner cannot place: where it resumes is unknown. */
export class JoblibLayoutError extends ParseError {
  constructor(message: string, offset: number) {
    super('UNSUPPORTED', message, offset);
  }
}

/** Item size of a NumPy dtype string such as `<f8`, `i4`, `U10`, `S5`, `V16`, `M8[ns]`, `?`, `O`. */
export function dtypeItemSize(descr: string): number | 'object' | undefined {
  const m = /^[<>|=]?([a-zA-Z?])(\d*)(\[[^\]]*\])?$/.exec(descr);
  if (!m) return undefined;
  const kind = m[1] as string;
  const size = m[2] === '' ? undefined : Number(m[2]);
  switch (kind) {
    case 'O':
      return 'object';
    case '?':
    case 'b':
    case 'B':
      return size ?? 1;
    case 'U':
      return (size ?? 0) * 4;
    case 'S':
    case 'a':
    case 'V':
      return size ?? 0;
    case 'M':
    case 'm':
      return size ?? 8;
    case 'e':
      return 2;
    case 'f':
    case 'i':
    case 'u':
    case 'c':
      return size;
    case 'h':
    case 'H':
      return 2;
    case 'l':
    case 'L':
    case 'q':
    case 'Q':
    case 'd':
      return 8;
    case 'g':
      return 16; // long double as x86-64 Linux NumPy stores it (np.longdouble().itemsize)
    case 'G':
      return 32;
    default:
      return undefined;
  }
}

/** Element size of a flexible ("extended") dtype comes from the BUILD state, not the descr string. */
const FLEXIBLE_KINDS = /^[<>|=]?[SaUV]/;

interface DtypeInfo {
  readonly itemSize: number;
  readonly hasObject: boolean;
}

function tupleItems(value: PickleValue | undefined): PickleValue[] | undefined {
  if (value === undefined || !isTagged(value)) return undefined;
  if ((value.k === 'tuple' || value.k === 'list') && value.items.length === value.count) return value.items;
  return undefined;
}

function intOf(value: PickleValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (
    typeof value === 'bigint' &&
    value >= BigInt(Number.MIN_SAFE_INTEGER) &&
    value <= BigInt(Number.MAX_SAFE_INTEGER)
  )
    return Number(value);
  return undefined;
}

function isNumpyDtypeClass(callee: PickleValue): boolean {
  if (!isGlobal(callee)) return false;
  const full = globalName(callee);
  return full === 'numpy.dtype' || /^numpy\.(_?core\.)?multiarray\.dtype$/.test(full);
}

/** What `numpy.dtype(descr, align, copy)` followed by `__setstate__(state)` gives. */
function dtypeInfo(value: PickleValue | undefined, at: number, depth: number): DtypeInfo {
  const unsure = (why: string) => new JoblibLayoutError(`joblib array dtype: ${why}`, at);
  if (depth > MAX_DTYPE_DEPTH) throw unsure(`nested deeper than ${MAX_DTYPE_DEPTH}`);
  if (value === undefined || !isCall(value) || !isNumpyDtypeClass(value.callee))
    throw unsure('not a numpy.dtype(...) the scanner can follow');
  const args = tupleItems(value.args);
  const descr = args?.[0];
  const state = value.built === undefined ? undefined : tupleItems(value.built);
  if (value.built !== undefined && value.built !== null && state === undefined)
    throw unsure('its state is not a tuple');
  // (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]), versions 3 and 4.
  if (state !== undefined && !(state.length >= 8 && (state[0] === 3 || state[0] === 4)))
    throw unsure('its state has a layout older or newer than NumPy 1.x/2.x writes');
  const elsize = state === undefined ? undefined : intOf(state[5]);
  if (state !== undefined && elsize === undefined) throw unsure('its element size is not an integer');

  let itemSize: number;
  let hasObject = false;
  if (typeof descr === 'string') {
    const base = dtypeItemSize(descr);
    if (base === undefined) throw unsure(`unknown type ${JSON.stringify(descr)}`);
    if (base === 'object') {
      itemSize = 8;
      hasObject = true;
    } else if (FLEXIBLE_KINDS.test(descr) && elsize !== undefined && elsize >= 0) itemSize = elsize;
    else if (elsize !== undefined && elsize !== -1 && !FLEXIBLE_KINDS.test(descr))
      throw unsure(`a fixed-size ${descr} with an element size of ${elsize} in its state`);
    else itemSize = base;
  } else if (descr !== undefined && isGlobal(descr) && elsize !== undefined && elsize >= 0) {
    itemSize = elsize; // a record type object (numpy.record) stands for the descr; the state holds the size
  } else throw unsure('its type is neither a type string nor a record type with a size');

  if (state !== undefined) {
    const subarray = state[2];
    if (subarray !== null && subarray !== undefined) {
      const sub = tupleItems(subarray);
      if (sub === undefined || sub.length < 2) throw unsure('its sub-array is not (dtype, shape)');
      if (dtypeInfo(sub[0], at, depth + 1).hasObject) hasObject = true;
    }
    const fields = state[4];
    if (fields !== null && fields !== undefined) {
      if (!isTagged(fields) || fields.k !== 'dict' || fields.entries.length !== fields.count)
        throw unsure('its fields are not a dict');
      for (const [, field] of fields.entries) {
        const f = tupleItems(field);
        if (f === undefined || f.length < 2) throw unsure('a field is not (dtype, offset[, title])');
        if (dtypeInfo(f[0], at, depth + 1).hasObject) hasObject = true;
      }
    }
    // NPY_ITEM_HASOBJECT (0x01) in the stored flags: real NumPy agrees with the fields; disagreeing means
    // someone wrote the state by hand to make readers disagree about whether a pickle follows.
    const flags = intOf(state[7]);
    if (flags === undefined) throw unsure('its flags are not an integer');
    if (((flags & 1) !== 0) !== hasObject) throw unsure('its object flag disagrees with its fields');
  }
  return { itemSize, hasObject };
}

/** The class an instance was made of, and whether `__init__` ran with the call's arguments. */
function wrapperMaking(instance: PCall): { initArgs: PickleValue[] | undefined } | undefined {
  const callee = instance.callee;
  if (!isGlobal(callee)) return undefined;
  const name = globalName(callee);
  if (WRAPPER_CLASSES.has(name)) {
    // cls(*args) runs __init__; NEWOBJ/NEWOBJ_EX run only cls.__new__.
    const runsInit = instance.opcode === 'REDUCE' || instance.opcode === 'OBJ' || instance.opcode === 'INST';
    if (!runsInit) return { initArgs: undefined };
    const args = tupleItems(instance.args);
    if (args === undefined)
      throw new JoblibLayoutError(
        'joblib array wrapper made with arguments the scanner cannot follow',
        instance.offset,
      );
    return { initArgs: args };
  }
  if (NO_INIT_FACTORIES.has(name)) {
    const cls = tupleItems(instance.args)?.[0];
    if (cls !== undefined && isGlobal(cls) && WRAPPER_CLASSES.has(globalName(cls)))
      return { initArgs: undefined };
  }
  return undefined;
}

/** Sets each str key of a dict state as an attribute, later keys overriding earlier ones. */
function applyState(attrs: Map<string, PickleValue>, state: PickleValue, at: number): void {
  if (state === null) return;
  if (!isTagged(state) || state.k !== 'dict' || state.entries.length !== state.count)
    throw new JoblibLayoutError('joblib array wrapper state is not a dict the scanner can follow', at);
  for (const [k, v] of state.entries) {
    if (typeof k !== 'string')
      throw new JoblibLayoutError('joblib array wrapper state has a key that is not a str', at);
    attrs.set(k, v);
  }
}

/** The wrapper's attributes after `load_build`: `__init__` arguments, then the state (pickle.py load_build). */
function wrapperAttributes(
  initArgs: PickleValue[] | undefined,
  state: PickleValue,
  at: number,
): Map<string, PickleValue> {
  const attrs = new Map<string, PickleValue>();
  if (initArgs !== undefined) {
    if (initArgs.length < 4 || initArgs.length > INIT_PARAMETERS.length)
      throw new JoblibLayoutError('joblib array wrapper constructed with the wrong number of arguments', at);
    attrs.set('allow_mmap', false);
    attrs.set('numpy_array_alignment_bytes', DEFAULT_ALIGNMENT_BYTES);
    for (const [i, v] of initArgs.entries()) attrs.set(INIT_PARAMETERS[i] as string, v);
  }
  // A 2-tuple state is (instance dict, slot state); both end up as attributes.
  const pair = tupleItems(state);
  if (pair !== undefined && isTagged(state) && state.k === 'tuple' && pair.length === 2) {
    applyState(attrs, pair[0] as PickleValue, at);
    applyState(attrs, pair[1] as PickleValue, at);
  } else applyState(attrs, state, at);
  return attrs;
}

function elementCount(shape: PickleValue | undefined, at: number): bigint {
  const dims = tupleItems(shape);
  if (dims === undefined)
    throw new JoblibLayoutError('joblib array shape is not a tuple the scanner can follow', at);
  let count = 1n;
  for (const d of dims) {
    const n = intOf(d);
    if (n === undefined || n < 0)
      throw new JoblibLayoutError('joblib array shape is not a tuple of non-negative integers', at);
    count *= BigInt(n);
    if (count > BigInt(MAX_JOBLIB_ARRAY_BYTES)) break;
  }
  return count;
}

/** The BUILD hook for `simulatePickle` that skips joblib's out-of-band array bytes. */
export const joblibOnBuild: NonNullable<SimulateOptions['onBuild']> = (
  instance: PickleValue,
  state: PickleValue,
  reader: ByteReader,
  run: PickleRunContext,
) => {
  if (!isCall(instance)) return undefined;
  const making = wrapperMaking(instance);
  if (making === undefined) return undefined;
  const at = reader.offset;
  const attrs = wrapperAttributes(making.initArgs, state, at);
  const dtype = dtypeInfo(attrs.get('dtype'), at, 0);
  // What load_build pushes instead of the wrapper: an array, which a later BUILD cannot turn back into one.
  const array: PickleValue = {
    k: 'call',
    callee: { k: 'global', module: 'numpy', name: 'ndarray', offset: instance.offset, dynamic: false },
    args: { k: 'tuple', items: [], count: 0 },
    kwargs: undefined,
    opcode: 'REDUCE',
    offset: instance.offset,
  };
  if (dtype.hasObject) {
    // An object array is a complete pickle of its own, read with a plain pickle.load: analyse it as nested.
    const inner = simulatePickle(reader, at, { limits: run.limits });
    const end = inner.error ? reader.size : inner.end;
    const length = Math.min(end - at, run.limits.maxEmbeddedBytes);
    reader.seek(at);
    const data = reader.bytes(length, 'joblib object array').slice();
    run.addEmbedded({ offset: at, encoding: 'raw', looksLike: 'pickle', data, truncated: length < end - at });
    reader.seek(end);
    if (inner.error) throw inner.error;
    return array;
  }
  const bytes = elementCount(attrs.get('shape'), at) * BigInt(dtype.itemSize);
  if (bytes > BigInt(MAX_JOBLIB_ARRAY_BYTES))
    throw new ParseError('LIMIT_EXCEEDED', `joblib array of ${bytes} bytes`, at);
  // read_array divides by the item size: a zero-size dtype makes joblib.load fail here.
  if (dtype.itemSize === 0)
    throw new ParseError('BAD_VALUE', 'joblib array of a zero-size dtype: joblib.load fails here', at);
  const alignment = attrs.get('numpy_array_alignment_bytes');
  if (alignment !== undefined && alignment !== null) {
    const padding = reader.u8('joblib alignment padding length');
    reader.skip(padding, 'joblib alignment padding');
  }
  reader.skip(Number(bytes), 'joblib array data');
  return array;
};
