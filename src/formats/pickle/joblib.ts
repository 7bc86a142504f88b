import type { ByteReader } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { type PickleRunContext, type SimulateOptions, simulatePickle } from './simulate.js';
import { isCall, isGlobal, isTagged, type PickleValue } from './values.js';

/**
 * joblib writes NumPy arrays out of band: after the BUILD of a `NumpyArrayWrapper`, its `read_array`
 * reads the array's bytes straight from the file (joblib/numpy_pickle.py, NumpyArrayWrapper.read_array),
 * then unpickling resumes. A reader that does not skip those bytes sees garbage and stops, so this hook
 * skips exactly what joblib reads:
 * - object dtype: a whole pickle (`pickle.load(file_handle)`), analysed as a nested pickle;
 * - otherwise, when the state has `numpy_array_alignment_bytes` (joblib >= 1.2), one padding-length byte
 *   and that many padding bytes, then `prod(shape) * itemsize` bytes.
 */

const WRAPPER_MODULES = new Set(['joblib.numpy_pickle', 'sklearn.externals.joblib.numpy_pickle']);

/** Largest array joblib may claim in one wrapper; stops overflow in prod(shape) * itemsize. */
export const MAX_JOBLIB_ARRAY_BYTES = 2 ** 50;

function stateEntry(state: PickleValue, key: string): PickleValue | undefined {
  if (!isTagged(state) || state.k !== 'dict') return undefined;
  for (const [k, v] of state.entries) if (k === key) return v;
  return undefined;
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
    case 'g':
      return 8;
    default:
      return undefined;
  }
}

function dtypeOf(state: PickleValue): string | undefined {
  const dtype = stateEntry(state, 'dtype');
  // numpy.dtype('f8', False, True) as REDUCE, possibly memoised and later BUILT with its byte order.
  if (dtype === undefined || !isCall(dtype)) return undefined;
  const args = dtype.args;
  if (!isTagged(args) || args.k !== 'tuple') return undefined;
  const first = args.items[0];
  return typeof first === 'string' ? first : undefined;
}

/** The BUILD hook for `simulatePickle` that skips joblib's out-of-band array bytes. */
export const joblibOnBuild: NonNullable<SimulateOptions['onBuild']> = (
  instance: PickleValue,
  state: PickleValue,
  reader: ByteReader,
  run: PickleRunContext,
) => {
  if (!isCall(instance) || !isGlobal(instance.callee)) return;
  const callee = instance.callee;
  if (callee.name !== 'NumpyArrayWrapper' || !WRAPPER_MODULES.has(callee.module)) return;
  const at = reader.offset;
  const descr = dtypeOf(state);
  const itemSize = descr === undefined ? undefined : dtypeItemSize(descr);
  if (itemSize === undefined) {
    throw new ParseError(
      'UNSUPPORTED',
      `joblib array with dtype ${descr ?? '(unknown)'}: cannot tell its size`,
      at,
    );
  }
  if (itemSize === 'object') {
    // An object array is a complete pickle of its own, loaded with pickle.load: analyse it as nested.
    const inner = simulatePickle(reader, at, { limits: run.limits, onBuild: joblibOnBuild });
    const end = inner.error ? reader.size : inner.end;
    const length = Math.min(end - at, run.limits.maxEmbeddedBytes);
    reader.seek(at);
    const data = reader.bytes(length, 'joblib object array').slice();
    run.addEmbedded({ offset: at, encoding: 'raw', looksLike: 'pickle', data, truncated: length < end - at });
    reader.seek(end);
    if (inner.error) throw inner.error;
    return;
  }
  const shape = stateEntry(state, 'shape');
  let count = 1;
  if (shape !== undefined && isTagged(shape) && shape.k === 'tuple') {
    if (shape.items.length < shape.count)
      throw new ParseError('LIMIT_EXCEEDED', 'joblib array has too many dimensions', at);
    for (const d of shape.items) {
      const n = typeof d === 'number' ? d : typeof d === 'bigint' ? Number(d) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < 0)
        throw new ParseError('BAD_VALUE', 'joblib array shape is not a tuple of sizes', at);
      count *= n;
    }
  } else throw new ParseError('BAD_VALUE', 'joblib array state has no shape', at);
  const bytes = count * itemSize;
  if (!Number.isSafeInteger(bytes) || bytes > MAX_JOBLIB_ARRAY_BYTES) {
    throw new ParseError('LIMIT_EXCEEDED', `joblib array of ${bytes} bytes`, at);
  }
  if (stateEntry(state, 'numpy_array_alignment_bytes') !== undefined) {
    const padding = reader.u8('joblib alignment padding length');
    reader.skip(padding, 'joblib alignment padding');
  }
  reader.skip(bytes, 'joblib array data');
};
