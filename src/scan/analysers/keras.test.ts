import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OP } from '../../formats/pickle/opcodes.js';
import { pickle } from '../../formats/pickle/test-support/builder.js';
import { marshalDumps } from '../../formats/pymarshal/test-support.js';
import { buildZip, type ZipMemberSpec } from '../../formats/zip/test-support/zip-builder.js';
import { analyseBytes, ruleList } from '../test-support.js';
import { classifyZipLayout } from './zip-layout.js';

const weights = () =>
  new Uint8Array(readFileSync(new URL('../../formats/hdf5/fixtures/dense-safe.h5', import.meta.url)));
const weightsWithCode = () =>
  new Uint8Array(readFileSync(new URL('../../formats/hdf5/fixtures/weights-with-code.h5', import.meta.url)));

const METADATA = JSON.stringify({ keras_version: '3.3.3', date_saved: '2024-05-01@12:00:00' });

/** A `.keras` archive as saving_lib writes it (stored members), with `config` as its config.json. */
function kerasArchive(
  config: unknown | Uint8Array,
  extra: ZipMemberSpec[] = [],
  weightsBytes = weights(),
): Uint8Array {
  return buildZip([
    { name: 'metadata.json', data: METADATA },
    {
      name: 'config.json',
      data: typeof config === 'string' || config instanceof Uint8Array ? config : JSON.stringify(config),
    },
    { name: 'model.weights.h5', data: weightsBytes },
    ...extra,
  ]);
}

const layer = (class_name: string, config: Record<string, unknown>, module = 'keras.layers') => ({
  module,
  class_name,
  config,
  registered_name: null,
});
const model = (layers: unknown[]) => ({
  module: 'keras',
  class_name: 'Sequential',
  config: { name: 'sequential', layers },
  registered_name: null,
  compile_config: { optimizer: 'adam', loss: 'mse', metrics: ['mae'] },
});

const lambdaCode = (names: string[]) =>
  Buffer.from(
    marshalDumps({ code: { name: '<lambda>', names, consts: [null, 'id'] } }, 'py311-314'),
  ).toString('base64');

describe('Keras v3 archives', () => {
  it('are recognised by their members', () => {
    expect(classifyZipLayout(['metadata.json', 'config.json', 'model.weights.h5'])).toEqual({
      kind: 'keras',
    });
    expect(classifyZipLayout(['config.json', 'model.weights.npz'])).toEqual({ kind: 'keras' });
    expect(classifyZipLayout(['config.json', 'README.md'])).toEqual({ kind: 'zip' });
  });

  it('report nothing for a model of Keras layers', async () => {
    const result = await analyseBytes(
      kerasArchive(model([layer('Dense', { name: 'd', units: 2 })])),
      'm.keras',
    );
    expect(result.format).toBe('keras');
    expect(ruleList(result.findings)).toEqual([]);
  });

  it('walk config.json once, with the Keras analysis (not the generic JSON one)', async () => {
    const config = model([
      layer('Lambda', {
        name: 'lambda',
        function: {
          class_name: '__lambda__',
          config: { code: lambdaCode(['os', 'system']), defaults: null, closure: null },
        },
      }),
    ]);
    const { findings } = await analyseBytes(kerasArchive(config), 'm.keras');
    expect(ruleList(findings)).toEqual(['KERAS-LAMBDA:critical']);
    const [lambda] = findings;
    expect(lambda?.location.member).toBe('config.json');
    expect(lambda?.evidence).toContain("names: os, system; consts: 'id'");
    expect(lambda?.message).toContain('safe_mode=False');
  });

  it('report module references, gadgets and unsafe switches (CVE-2025-1550, -8747, -9906)', async () => {
    const config = model([
      layer('Lambda', {
        name: 'a',
        function: { module: 'builtins', class_name: 'function', config: 'eval', registered_name: 'eval' },
      }),
      layer('Lambda', {
        name: 'b',
        function: {
          module: 'keras.utils',
          class_name: 'function',
          config: 'get_file',
          registered_name: null,
        },
      }),
      layer('Lambda', {
        name: 'c',
        function: {
          module: 'keras.models',
          class_name: 'function',
          config: 'load_model',
          registered_name: null,
        },
        arguments: { safe_mode: false },
      }),
    ]);
    const { findings } = await analyseBytes(kerasArchive(config), 'm.keras');
    expect(ruleList(findings)).toEqual([
      'KERAS-GADGET:high',
      'KERAS-GADGET:high',
      'KERAS-GADGET:high',
      'KERAS-MODULE-REFERENCE:critical',
    ]);
  });

  it('analyse the pickle a TorchModuleWrapper carries (CVE-2025-49655)', async () => {
    const payload = pickle()
      .proto(2)
      .global('posix', 'system')
      .unicode('id')
      .op(OP.TUPLE1)
      .op(OP.REDUCE)
      .stop()
      .build();
    const checkpoint = buildZip([
      { name: 'archive/data.pkl', data: payload },
      { name: 'archive/version', data: '3\n' },
    ]);
    const config = model([
      layer('TorchModuleWrapper', {
        name: 'torch',
        module: Buffer.from(checkpoint).toString('base64'),
        output_shape: null,
      }),
    ]);
    const { findings } = await analyseBytes(kerasArchive(config), 'm.keras');
    expect(ruleList(findings)).toContain('KERAS-TORCH-MODULE:high');
    const dangerous = findings.find((f) => f.ruleId === 'PICKLE-IMPORT-DANGEROUS');
    expect(dangerous?.severity).toBe('critical');
    expect(dangerous?.location.member).toMatch(
      /^config\.json!\/config\.json\.config\.layers\[0\]\.config\.module!\/archive\/data\.pkl$/,
    );
  });

  it('report Python files inside the archive', async () => {
    const { findings } = await analyseBytes(
      kerasArchive(model([]), [
        { name: 'assets/setup.py', data: 'import os\nos.system("id")\n' },
        { name: 'assets/zz.pth', data: 'import os; os.system("id")\n' },
      ]),
      'm.keras',
    );
    // The `.pth` is also sniffed by content (SCAN-UNRECOGNISED: named like a checkpoint, holds text).
    const code = findings.filter((f) => f.ruleId.startsWith('KERAS-'));
    expect(ruleList(code)).toEqual(['KERAS-ARCHIVE-CODE:medium']);
    expect(code[0]?.message).toContain('2 Python file(s)');
    expect(code[0]?.message).toContain('assets/setup.py, assets/zz.pth');
  });

  it('report executables inside the archive by content', async () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Uint8Array(56)]);
    const { findings } = await analyseBytes(
      kerasArchive(model([]), [{ name: 'assets/tool', data: elf }]),
      'm.keras',
    );
    expect(ruleList(findings).some((r) => r.startsWith('EXECUTABLE-FILE'))).toBe(true);
  });

  it('analyse the weights file and report configurations or code in it', async () => {
    const { findings } = await analyseBytes(kerasArchive(model([]), [], weightsWithCode()), 'm.keras');
    const rules = ruleList(findings);
    expect(rules).toContain('HDF5-STRUCTURE:critical');
    expect(rules).toContain('KERAS-LAMBDA:critical');
    expect(findings.find((f) => f.ruleId === 'HDF5-STRUCTURE')?.location.member).toBe('model.weights.h5');
  });

  it('decode config.json as json.loads does: a UTF-16, UTF-32 or BOM-prefixed Lambda is still found', async () => {
    const config = JSON.stringify(
      model([
        layer('Lambda', {
          name: 'l',
          function: { class_name: '__lambda__', config: { code: lambdaCode(['os', 'system']) } },
        }),
      ]),
    );
    const utf16be = Buffer.from(config, 'utf16le').swap16();
    const utf32le = Buffer.alloc(config.length * 4);
    [...config].forEach((c, i) => {
      utf32le.writeUInt32LE(c.charCodeAt(0), i * 4);
    });
    for (const data of [
      new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(config)]),
      new Uint8Array([0xff, 0xfe, ...Buffer.from(config, 'utf16le')]),
      new Uint8Array(utf16be),
      new Uint8Array(utf32le),
    ]) {
      const { findings } = await analyseBytes(kerasArchive(data), 'm.keras');
      expect(ruleList(findings)).toEqual(['KERAS-LAMBDA:critical']);
    }
  });

  it('report nothing for the functions and registered names a real Keras 3 model writes', async () => {
    const fn = (module: string, name: string, registered: string | null = name) => ({
      module,
      class_name: 'function',
      config: name,
      registered_name: registered,
    });
    const config = {
      ...model([
        layer('InputLayer', { name: 'in', batch_shape: [null, 28, 28, 1] }),
        layer('Conv2D', {
          name: 'conv',
          filters: 8,
          activation: 'relu',
          kernel_initializer: { module: 'keras.initializers', class_name: 'GlorotUniform', config: {} },
        }),
        layer('Flatten', { name: 'flat' }),
        layer('Dense', { name: 'out', activation: fn('keras.activations', 'softmax') }),
      ]),
      compile_config: {
        optimizer: { module: 'keras.optimizers', class_name: 'Adam', config: { learning_rate: 0.001 } },
        loss: fn('keras.losses', 'sparse_categorical_crossentropy'),
        metrics: ['accuracy', fn('builtins', 'mean_squared_error', 'function')],
      },
    };
    expect(ruleList((await analyseBytes(kerasArchive(config), 'm.keras')).findings)).toEqual([]);
  });

  it('report a config.json that is not JSON as not analysed', async () => {
    const result = await analyseBytes(kerasArchive('{"module": "keras", '), 'm.keras');
    expect(ruleList(result.findings)).toEqual(['KERAS-CONFIG-MALFORMED:medium']);
    expect(result.notAnalysed).toBe(1);
  });

  it('are analysed the same when deflated', async () => {
    const config = model([
      layer('Lambda', {
        name: 'l',
        function: { class_name: '__lambda__', config: { code: lambdaCode([]) } },
      }),
    ]);
    const zip = buildZip([
      { name: 'metadata.json', data: METADATA, method: 8 },
      { name: 'config.json', data: JSON.stringify(config), method: 8 },
      { name: 'model.weights.h5', data: weights(), method: 8 },
    ]);
    expect(ruleList((await analyseBytes(zip, 'm.keras')).findings)).toEqual(['KERAS-LAMBDA:high']);
  });
});

describe('Keras models saved as JSON (model.to_json())', () => {
  it('go to the Keras analysis', async () => {
    const json = JSON.stringify({
      class_name: 'Sequential',
      config: {
        layers: [
          {
            class_name: 'Lambda',
            config: { function: [lambdaCode(['eval']), null, null], function_type: 'lambda' },
          },
        ],
      },
      keras_version: '2.15.0',
      backend: 'tensorflow',
    });
    const { findings } = await analyseBytes(new Uint8Array(Buffer.from(json)), 'model.json');
    expect(ruleList(findings)).toEqual(['KERAS-LAMBDA:critical']);
  });
});
