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
function kerasArchive(config: unknown, extra: ZipMemberSpec[] = [], weightsBytes = weights()): Uint8Array {
  return buildZip([
    { name: 'metadata.json', data: METADATA },
    { name: 'config.json', data: typeof config === 'string' ? config : JSON.stringify(config) },
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
      kerasArchive(model([]), [{ name: 'assets/setup.py', data: 'import os\nos.system("id")\n' }]),
      'm.keras',
    );
    expect(ruleList(findings)).toEqual(['KERAS-ARCHIVE-CODE:medium']);
    expect(findings[0]?.message).toContain('assets/setup.py');
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
