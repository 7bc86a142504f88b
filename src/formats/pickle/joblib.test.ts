/**
 * The joblib hook must skip exactly what joblib's NumpyArrayWrapper.read_array reads, however the wrapper,
 * its state and its dtype are spelled. Each stream here puts a `posix.system` call right after the array
 * bytes joblib reads, and zeros (not a valid opcode) where a wrong skip would land, so a wrong byte count
 * loses the call.
 */
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { dtypeItemSize, JoblibLayoutError, joblibOnBuild } from './joblib.js';
import { OP } from './opcodes.js';
import { simulatePickle } from './simulate.js';
import { pickle } from './test-support/builder.js';
import {
  dict,
  dtype,
  f8,
  none,
  type Push,
  padded,
  shape,
  state,
  stream,
} from './test-support/joblib-builder.js';

function run(bytes: Uint8Array) {
  return simulatePickle(bufferSource(bytes), 0, { onBuild: joblibOnBuild });
}

function seesPayload(bytes: Uint8Array): void {
  const r = run(bytes);
  expect(r.error?.message).toBeUndefined();
  expect(r.imports.map((i) => `${i.module}.${i.name}`)).toContain('posix.system');
}

describe('joblib array skipping', () => {
  it('skips padding and prod(shape) * itemsize bytes', () => {
    seesPayload(stream(padded(24)));
  });

  it('takes the element size of flexible dtypes from the dtype state (S8 stored as 64 bytes)', () => {
    seesPayload(stream(padded(3 * 64), { state: state({ dtype: dtype('|S8', { elsize: 64 }) }) }));
    seesPayload(stream(padded(3 * 20), { state: state({ dtype: dtype('<U5', { elsize: 20 }) }) }));
    seesPayload(stream(padded(3 * 16), { state: state({ dtype: dtype('|V16', { elsize: 16 }) }) }));
  });

  it('sizes long doubles at 16 bytes', () => {
    seesPayload(stream(padded(48), { state: state({ dtype: dtype('g', {}) }) }));
    seesPayload(stream(padded(48), { state: state({ dtype: dtype('<f16', {}) }) }));
  });

  it('reads no padding byte when numpy_array_alignment_bytes is None or absent', () => {
    seesPayload(stream(new Uint8Array(24), { state: state({ numpy_array_alignment_bytes: none }) }));
    seesPayload(stream(new Uint8Array(24), { state: state({ numpy_array_alignment_bytes: undefined }) }));
  });

  it('lets the last of duplicate state keys win, as a dict does', () => {
    const s: Push = (b) =>
      dict([
        ['shape', shape(1)],
        ['dtype', f8],
        ['shape', shape(10)],
        ['numpy_array_alignment_bytes', none],
      ])(b);
    seesPayload(stream(new Uint8Array(80), { state: s }));
  });

  it('reads the slot state of a (dict, slots) BUILD state', () => {
    const s: Push = (b) => {
      none(b);
      dict([
        ['shape', shape(2)],
        ['dtype', f8],
      ])(b);
      return b.op(OP.TUPLE2);
    };
    seesPayload(stream(new Uint8Array(16), { state: s }));
  });

  it('recognises the wrapper however it is named or made', () => {
    const wrappers: Push[] = [
      (b) => b.stackGlobal('joblib', 'numpy_pickle.NumpyArrayWrapper').op(OP.EMPTY_TUPLE).op(OP.NEWOBJ),
      (b) =>
        b
          .global('sklearn.externals.joblib.numpy_pickle', 'NumpyArrayWrapper')
          .op(OP.EMPTY_TUPLE)
          .op(OP.NEWOBJ),
      (b) =>
        b
          .global('copyreg', '__newobj__')
          .global('joblib.numpy_pickle', 'NumpyArrayWrapper')
          .op(OP.TUPLE1)
          .op(OP.REDUCE),
      (b) =>
        b
          .global('copy_reg', '_reconstructor')
          .global('joblib.numpy_pickle', 'NumpyArrayWrapper')
          .global('builtins', 'object')
          .op(OP.NONE)
          .op(OP.TUPLE3)
          .op(OP.REDUCE),
    ];
    for (const wrapper of wrappers) seesPayload(stream(padded(24), { wrapper }));
  });

  it('uses the constructor arguments (and its default alignment) when the class is called', () => {
    const wrapper: Push = (b) => {
      b.global('joblib.numpy_pickle', 'NumpyArrayWrapper').op(OP.MARK);
      b.global('numpy', 'ndarray');
      shape(4)(b);
      b.unicode('C');
      f8(b);
      return b.op(OP.TUPLE).op(OP.REDUCE);
    };
    seesPayload(stream(padded(32), { wrapper, state: (b) => b.op(OP.EMPTY_DICT) }));
  });

  it('reads an object array as a nested pickle, with no padding, and resumes after it', () => {
    const nested = pickle()
      .proto(4)
      .global('builtins', 'eval')
      .unicode('1')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const r = run(stream(nested, { state: state({ dtype: dtype('|O8', { flags: 63 }) }) }));
    expect(r.error).toBeUndefined();
    expect(r.embedded.map((e) => e.looksLike)).toEqual(['pickle']);
    expect(r.imports.map((i) => `${i.module}.${i.name}`)).toContain('posix.system');
  });

  it('treats a structured dtype with an object field as an object array', () => {
    const fields: Push = dict([
      ['n', (b) => f8(b).int(0).op(OP.TUPLE2)],
      ['o', (b) => dtype('|O8', { flags: 63 })(b).int(8).op(OP.TUPLE2)],
    ]);
    const nested = pickle().proto(4).op(OP.NONE).stop().build();
    seesPayload(
      stream(nested, { state: state({ dtype: dtype('|V16', { elsize: 16, fields, flags: 63 }) }) }),
    );
    const sub: Push = (b) => dtype('|O8', { flags: 63 })(b).int(2).op(OP.TUPLE1).op(OP.TUPLE2);
    seesPayload(
      stream(nested, { state: state({ dtype: dtype('|V16', { elsize: 16, subarray: sub, flags: 63 }) }) }),
    );
  });

  it('does not read array bytes again when the array is BUILT a second time', () => {
    const after: Push = (b) => b.op(OP.EMPTY_DICT).op(OP.BUILD);
    seesPayload(stream(padded(24), { after }));
  });

  it('refuses to guess what it cannot size', () => {
    const cases: Push[] = [
      state({ dtype: dtype('<f8', { flags: 1 }) }), // object flag without an object field
      state({ dtype: dtype('<x9', {}) }), // unknown type
      state({ dtype: (b) => b.unicode('<f8') }), // a string, not a dtype
      state({ dtype: dtype('<f8', { elsize: 64 }) }), // a fixed-size type with another size
      state({ shape: (b) => b.op(OP.NONE) }),
      state({ shape: (b) => b.unicode('3').op(OP.TUPLE1) }),
      (b) => b.op(OP.EMPTY_LIST), // state that is not a dict
    ];
    for (const s of cases) {
      const r = run(stream(padded(24), { state: s }));
      expect(r.error).toBeInstanceOf(JoblibLayoutError);
    }
  });

  it('stops at a zero-size dtype, where joblib.load fails', () => {
    const r = run(stream(padded(0), { state: state({ dtype: dtype('|S0', { elsize: 0 }) }) }));
    expect(r.error?.code).toBe('BAD_VALUE');
  });

  it('sizes dtype strings', () => {
    expect(dtypeItemSize('<f8')).toBe(8);
    expect(dtypeItemSize('|b1')).toBe(1);
    expect(dtypeItemSize('<U3')).toBe(12);
    expect(dtypeItemSize('<M8[ns]')).toBe(8);
    expect(dtypeItemSize('|O8')).toBe('object');
    expect(dtypeItemSize('g')).toBe(16);
    expect(dtypeItemSize('<c16')).toBe(16);
    expect(dtypeItemSize('junk')).toBeUndefined();
  });
});
