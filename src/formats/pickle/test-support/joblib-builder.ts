import { OP } from '../opcodes.js';
import { type PickleBuilder, pickle } from './builder.js';

/**
 * Builds joblib-style streams for tests: a NumpyArrayWrapper, its BUILD, the bytes joblib reads out of band,
 * then a `posix.system('id')` call and STOP, followed by zeros (not an opcode) where a wrong skip lands.
 */

export type Push = (b: PickleBuilder) => PickleBuilder;

/** `numpy.dtype(descr, False, True)`, BUILT with a version-3 state when `state` is given. */
export function dtype(
  descr: string,
  state?: { elsize?: number; fields?: Push; subarray?: Push; flags?: number },
): Push {
  return (b) => {
    b.global('numpy', 'dtype').unicode(descr).op(OP.NEWFALSE).op(OP.NEWTRUE).op(OP.TUPLE3).op(OP.REDUCE);
    if (state === undefined) return b;
    b.op(OP.MARK)
      .int(3)
      .unicode(descr.startsWith('>') ? '>' : '|');
    if (state.subarray) state.subarray(b);
    else b.op(OP.NONE);
    b.op(OP.NONE); // names: a tuple in real files; only the fields matter for the size
    if (state.fields) state.fields(b);
    else b.op(OP.NONE);
    b.int(state.elsize ?? -1)
      .int(-1)
      .int(state.flags ?? 0);
    return b.op(OP.TUPLE).op(OP.BUILD);
  };
}

export const f8 = dtype('<f8', {});

/** A dict of str keys to pushed values, SETITEMS-style. */
export function dict(entries: [string, Push][]): Push {
  return (b) => {
    b.op(OP.EMPTY_DICT).op(OP.MARK);
    for (const [k, push] of entries) push(b.unicode(k));
    return b.op(OP.SETITEMS);
  };
}

export const shape =
  (...dims: number[]): Push =>
  (b) => {
    b.op(OP.MARK);
    for (const d of dims) b.int(d);
    return b.op(OP.TUPLE);
  };

export const str =
  (s: string): Push =>
  (b) =>
    b.unicode(s);
export const none: Push = (b) => b.op(OP.NONE);
export const int =
  (n: number): Push =>
  (b) =>
    b.int(n);

export function state(over: Record<string, Push | undefined> = {}): Push {
  const base: Record<string, Push | undefined> = {
    subclass: (b) => b.global('numpy', 'ndarray'),
    shape: shape(3),
    order: str('C'),
    dtype: f8,
    allow_mmap: (b) => b.op(OP.NEWTRUE),
    numpy_array_alignment_bytes: int(16),
    ...over,
  };
  return dict(Object.entries(base).filter((e): e is [string, Push] => e[1] !== undefined));
}

export const WRAPPER: Push = (b) =>
  b.global('joblib.numpy_pickle', 'NumpyArrayWrapper').op(OP.EMPTY_TUPLE).op(OP.NEWOBJ);

/** The wrapper, its BUILD, the `data` joblib reads, then `posix.system('id')` and STOP. */
export function stream(
  data: Uint8Array,
  opts: { wrapper?: Push; state?: Push; after?: Push } = {},
): Uint8Array {
  const b = pickle().proto(4);
  (opts.wrapper ?? WRAPPER)(b);
  (opts.state ?? state())(b);
  b.op(OP.BUILD).raw(data);
  opts.after?.(b);
  return b
    .global('posix', 'system')
    .unicode('id')
    .op(OP.TUPLE1)
    .op(OP.REDUCE)
    .op(OP.TUPLE2)
    .stop()
    .raw(new Uint8Array(4096)) // where a short skip would land: zeros are not an opcode
    .build();
}

/** Padding-length byte, padding, then the array bytes. */
export function padded(arrayBytes: number, padding = 5): Uint8Array {
  const out = new Uint8Array(1 + padding + arrayBytes);
  out[0] = padding;
  return out;
}
