import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { buildGguf, gv } from '../../formats/gguf/test-support.js';
import { buildModel } from '../../formats/onnx/test-support.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { safetensors, validFile } from '../../formats/safetensors/test-support.js';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { identifySerialised, mayBeSerialised, summariseGguf, summariseSafetensors } from './serialised.js';

function identify(bytes: Uint8Array, name: string) {
  return identifySerialised(bufferSource(bytes), bytes.subarray(0, 4096), name);
}

describe('identifySerialised', () => {
  it('tells formats apart by content, whatever the name says', () => {
    expect(identify(validFile(), 'pytorch_model.bin')).toBe('safetensors');
    expect(identify(buildGguf({ metadata: [['general.architecture', gv.str('llama')]] }), 'x.bin')).toBe(
      'gguf',
    );
    expect(identify(new Uint8Array(pickle().proto(2).raw([0x4e, 0x2e]).build()), 'model.safetensors')).toBe(
      'pickle',
    );
    expect(identify(buildModel(), 'model.onnx')).toBe('onnx');
    expect(
      identify(new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'tf_model.h5'),
    ).toBe('hdf5');
    expect(identify(new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]), 'a.npy')).toBe('npy');
    expect(identify(new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, 0, 0]), 'model.tflite')).toBe(
      'tflite',
    );
    expect(identify(new Uint8Array([0x81, 0xa1, 0x61, 0x01]), 'flax_model.msgpack')).toBe('flax-msgpack');
  });

  it('reads a zip directory to tell a PyTorch checkpoint from an npz and a plain archive', () => {
    const torch = buildZip([
      { name: 'archive/data.pkl', data: new Uint8Array(pickle().proto(2).raw([0x4e, 0x2e]).build()) },
      { name: 'archive/version', data: '3\n' },
      { name: 'archive/data/0', data: new Uint8Array(8) },
    ]);
    expect(identify(torch, 'pytorch_model.bin')).toBe('pytorch-zip');
    expect(identify(buildZip([{ name: 'a.npy', data: new Uint8Array([0x93]) }]), 'x.npz')).toBe('npz');
    expect(identify(buildZip([{ name: 'readme.txt', data: 'x' }]), 'bundle.zip')).toBe('zip');
  });

  it('names files that are called model files but hold something else, and ignores other files', () => {
    expect(
      identify(new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\n'), 'model.safetensors'),
    ).toBe('unrecognised');
    expect(identify(new TextEncoder().encode('hello'), 'notes')).toBeUndefined();
    expect(identify(new Uint8Array(), 'empty.bin')).toBe('unrecognised');
  });

  it('sniffs only files that may hold a model', () => {
    expect(mayBeSerialised('model.safetensors')).toBe(true);
    expect(mayBeSerialised('weights')).toBe(true);
    expect(mayBeSerialised('config.json')).toBe(false);
    expect(mayBeSerialised('train.csv')).toBe(false);
  });
});

describe('summariseSafetensors', () => {
  it('sums tensor shapes and counts dtypes', () => {
    const file = safetensors(
      {
        a: { dtype: 'BF16', shape: [4, 8], data_offsets: [0, 64] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [64, 68] },
        c: { dtype: 'F32', shape: [], data_offsets: [68, 72] },
      },
      new Uint8Array(72),
    );
    expect(summariseSafetensors(bufferSource(file))).toEqual({
      parameters: 35n,
      tensors: 3,
      tensorTypes: [
        ['BF16', 2],
        ['F32', 1],
      ],
      problems: 0,
    });
  });

  it('throws ParseError for a header length that runs past the file', () => {
    const file = validFile();
    new DataView(file.buffer).setBigUint64(0, 1_000_000n, true);
    expect(() => summariseSafetensors(bufferSource(file))).toThrow(ParseError);
  });

  it('counts header problems instead of trusting the layout', () => {
    const file = safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(12));
    expect(summariseSafetensors(bufferSource(file)).problems).toBeGreaterThan(0);
  });
});

describe('summariseGguf', () => {
  it('reads the standard metadata and sums tensor dimensions', () => {
    const file = buildGguf({
      metadata: [
        ['general.architecture', gv.str('llama')],
        ['general.name', gv.str('Tiny Llama')],
        ['general.license', gv.str('apache-2.0')],
        ['llama.context_length', gv.u32(4096)],
        ['llama.block_count', gv.u32(2)],
        ['llama.embedding_length', gv.u64(64n)],
        ['tokenizer.chat_template', gv.str('{{ messages }}')],
      ],
      tensors: [
        { name: 'a', dims: [32, 2] },
        { name: 'b', dims: [32] },
      ],
    });
    expect(summariseGguf(bufferSource(file))).toEqual({
      parameters: 96n,
      tensors: 2,
      tensorTypes: [['F32', 2]],
      gguf: {
        architecture: 'llama',
        name: 'Tiny Llama',
        license: 'apache-2.0',
        contextLength: 4096,
        blockCount: 2,
        embeddingLength: 64,
        chatTemplate: true,
      },
      problems: 0,
    });
  });
});
