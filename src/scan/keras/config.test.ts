import { describe, expect, it } from 'vitest';
import { marshalDumps } from '../../formats/pymarshal/test-support.js';
import { createImportPolicy } from '../pickle/policy.js';
import { isKerasModelConfig, type KerasWalkOptions, walkKerasConfig } from './config.js';
import { decodePythonJsonBytes, detectPythonJsonEncoding, parsePythonJson } from './json.js';
import { describeLambdaCode, pythonBase64Decode, rawUnicodeEscape } from './lambda-code.js';

const options: KerasWalkOptions = { policy: createImportPolicy() };

function walk(config: unknown, extra: Partial<KerasWalkOptions> = {}) {
  return walkKerasConfig(config, 'model_config', { ...options, ...extra });
}

function summary(config: unknown): string[] {
  return walk(config)
    .issues.map((i) => `${i.rule}:${i.severity}`)
    .sort();
}

/** A base64 func_dump string of a code object naming `names`. */
function lambdaCode(names: string[], consts: string[] = []): string {
  const bytes = marshalDumps({ code: { name: '<lambda>', names, consts: [null, ...consts] } }, 'py311-314');
  return `${Buffer.from(bytes).toString('base64')}\n`;
}

const keras2Lambda = (name: string, code: string) => ({
  class_name: 'Lambda',
  config: { name, function: [code, null, null], function_type: 'lambda', module: '__main__' },
});
const keras3Lambda = (name: string, code: string) => ({
  module: 'keras.layers',
  class_name: 'Lambda',
  config: { name, function: { class_name: '__lambda__', config: { code, defaults: null, closure: null } } },
  registered_name: null,
});
const dense = (name: string) => ({ class_name: 'Dense', config: { name, units: 2, activation: 'relu' } });
const sequential = (name: string, layers: unknown[]) => ({
  class_name: 'Sequential',
  config: { name, layers },
});

describe('walkKerasConfig', () => {
  it('reports nothing for a model of Keras layers', () => {
    expect(summary(sequential('m', [dense('d1'), dense('d2')]))).toEqual([]);
  });

  describe('Lambda layers', () => {
    it('reports Keras 2 bytecode with its names, critical when they are dangerous', () => {
      const result = walk(sequential('m', [keras2Lambda('lambda_1', lambdaCode(['os', 'system'], ['id']))]));
      expect(result.issues).toHaveLength(1);
      const issue = result.issues[0]!;
      expect(issue).toMatchObject({ rule: 'lambda', severity: 'critical' });
      expect(issue.evidence).toContain("names: os, system; consts: 'id'");
      expect(issue.message).toContain(
        'model_config.config.layers[0].config.function (Sequential "m" → Lambda "lambda_1")',
      );
    });

    it('reports harmless-looking bytecode as high', () => {
      expect(summary(sequential('m', [keras2Lambda('l', lambdaCode([]))]))).toEqual(['lambda:high']);
    });

    it('reports Keras 3 __lambda__ objects in a layer', () => {
      expect(
        summary({
          module: 'keras',
          class_name: 'Sequential',
          config: { layers: [keras3Lambda('l', lambdaCode(['eval']))] },
        }),
      ).toEqual(['lambda:critical']);
    });

    it('reports __lambda__ objects anywhere, with a func_dump value', () => {
      const config = {
        class_name: 'Dense',
        config: {
          name: 'd',
          activation: { class_name: '__lambda__', config: { value: [lambdaCode(['exec']), null, null] } },
        },
      };
      expect(summary(config)).toEqual(['lambda:critical']);
    });

    it('finds a Lambda nested in a Sequential inside a Functional model', () => {
      const inner = sequential('inner', [dense('d'), keras2Lambda('deep', lambdaCode(['system']))]);
      const outer = {
        class_name: 'Functional',
        config: { name: 'outer', layers: [{ ...inner, name: 'inner', inbound_nodes: [] }] },
      };
      const [issue] = walk(outer).issues;
      expect(issue?.message).toContain('(Functional "outer" → Sequential "inner" → Lambda "deep")');
      expect(issue?.message).toContain('model_config.config.layers[0].config.layers[1].config.function');
    });

    it('finds Lambdas inside TimeDistributed and Bidirectional wrappers', () => {
      const model = sequential('m', [
        {
          class_name: 'TimeDistributed',
          config: { name: 'td', layer: keras2Lambda('a', lambdaCode(['os'])) },
        },
        {
          class_name: 'Bidirectional',
          config: {
            name: 'bi',
            layer: { class_name: 'LSTM', config: { name: 'f' } },
            backward_layer: keras3Lambda('b', lambdaCode([])),
          },
        },
      ]);
      const messages = walk(model).issues.map((i) => i.message);
      expect(messages).toHaveLength(2);
      expect(messages[0]).toContain('TimeDistributed "td" → Lambda "a"');
      expect(messages[1]).toContain('Bidirectional "bi" → Lambda "b"');
    });

    it('reports Python source given instead of bytecode', () => {
      const config = sequential('m', [{ class_name: 'Lambda', config: { function: "lambda x: eval('1')" } }]);
      const [issue] = walk(config).issues;
      expect(issue).toMatchObject({ rule: 'lambda', severity: 'critical' });
      expect(issue?.evidence).toContain('source: lambda x: eval');
    });

    it('reports output_shape and mask lambdas, not raw output shapes', () => {
      const config = {
        class_name: 'Lambda',
        config: {
          function: 'abs',
          function_type: 'function',
          module: 'tensorflow.math',
          output_shape: [null, 3],
          output_shape_type: 'raw',
          mask: [lambdaCode(['open']), null, null],
          mask_type: 'lambda',
        },
      };
      expect(summary(config)).toEqual(['lambda:critical', 'lambda:low']);
    });

    it('grades named functions by where they come from', () => {
      const fn = (module: string, name: string) => ({
        class_name: 'Lambda',
        config: { function: name, function_type: 'function', module },
      });
      expect(summary(fn('numpy', 'abs'))).toEqual(['lambda:low']);
      expect(summary(fn('posix', 'system'))).toEqual(['lambda:critical']);
      expect(summary(fn('mylib.ops', 'scale'))).toEqual(['lambda:high']);
      expect(summary(fn('__main__', 'scale'))).toEqual(['customObject:medium']);
      expect(summary(fn('keras.utils', 'get_file'))).toEqual(['gadget:high']);
    });

    it('appends the caller note to Lambda messages', () => {
      const [issue] = walk(keras2Lambda('l', lambdaCode([])), { lambdaNote: 'NOTE.' }).issues;
      expect(issue?.message).toMatch(/NOTE\.$/);
    });
  });

  describe('module references (CVE-2025-1550)', () => {
    it('grades functions outside Keras with the pickle dangerous table', () => {
      const ref = (module: string, name: string) => ({
        module,
        class_name: 'function',
        config: name,
        registered_name: name,
      });
      expect(summary(ref('builtins', 'eval'))).toEqual(['moduleReference:critical']);
      expect(summary(ref('os', 'system'))).toEqual(['moduleReference:critical']);
      expect(summary(ref('somepkg', 'thing'))).toEqual(['moduleReference:high']);
      expect(summary(ref('builtins', 'relu'))).toEqual([]);
      expect(summary(ref('keras.activations', 'relu'))).toEqual([]);
    });

    it('reports classes from modules outside Keras', () => {
      expect(summary({ module: 'subprocess', class_name: 'Popen', config: {} })).toEqual([
        'moduleReference:critical',
      ]);
      expect(summary({ module: 'keras.layers', class_name: 'Dense', config: {} })).toEqual([]);
      expect(summary({ class_name: 'os.system', config: {} })).toEqual(['moduleReference:critical']);
    });

    it('reports registered custom classes from their own module as custom objects', () => {
      const custom = {
        module: 'my_project.layers',
        class_name: 'MyLayer',
        config: {},
        registered_name: 'MyProject>MyLayer',
      };
      expect(summary(custom)).toEqual(['customObject:medium']);
    });
  });

  describe('gadgets and switches (CVE-2025-8747, CVE-2025-9906)', () => {
    it('reports file and loader functions inside the Keras namespace', () => {
      const ref = (module: string, name: string) => ({
        module,
        class_name: 'function',
        config: name,
        registered_name: null,
      });
      expect(summary(ref('keras.utils', 'get_file'))).toEqual(['gadget:high']);
      expect(summary(ref('keras.models', 'load_model'))).toEqual(['gadget:high']);
      expect(summary(ref('keras.src.backend.common.global_state', 'set_global_attribute'))).toEqual([
        'gadget:high',
      ]);
      expect(summary(ref('keras.config', 'enable_unsafe_deserialization'))).toEqual(['gadget:high']);
      expect(summary(ref('keras.ops', 'copy'))).toEqual([]);
      expect(summary(ref('tensorflow.io.gfile', 'copy'))).toEqual(['gadget:high']);
      // Reached by module path or by a dotted name the api_export lookup resolves (keras + utils.get_file).
      expect(summary(ref('keras.src.utils.file_utils', 'extract_archive'))).toEqual(['gadget:high']);
      expect(summary(ref('keras.src.utils.file_utils', 'rmtree'))).toEqual(['gadget:high']);
      expect(summary(ref('keras', 'utils.get_file'))).toEqual(['gadget:high']);
      expect(summary(ref('keras.src.legacy.saving.legacy_h5_format', 'load_model_from_hdf5'))).toEqual([
        'gadget:high',
      ]);
      expect(summary(ref('tensorflow.python.lib.io.file_io', 'write_string_to_file'))).toEqual([
        'gadget:high',
      ]);
    });

    it('reports other Keras functions outside the modeling modules, not the modeling ones', () => {
      const ref = (module: string, name: string) => ({ module, class_name: 'function', config: name });
      expect(summary(ref('keras.utils', 'set_random_seed'))).toEqual(['gadget:medium']);
      expect(summary(ref('keras.src.saving.object_registration', 'get_registered_object'))).toEqual([
        'gadget:medium',
      ]);
      expect(summary(ref('tensorflow.python.ops.script_ops', 'eager_py_func_x'))).toEqual(['gadget:medium']);
      for (const [module, name] of [
        ['keras.activations', 'relu'],
        ['keras.src.activations.activations', 'gelu'],
        ['keras.losses', 'categorical_crossentropy'],
        ['keras.metrics', 'mean_absolute_error'],
        ['keras.ops', 'sigmoid'],
        ['keras_hub.src.utils.keras_utils', 'gelu_approximate'],
        ['builtins', 'relu'],
        ['tensorflow.python.ops.math_ops', 'add'],
      ]) {
        expect(summary(ref(module as string, name as string))).toEqual([]);
      }
    });

    it('reports safe_mode switched off by any value Python treats as false', () => {
      for (const off of [false, 0, '', null, [], {}]) {
        expect(summary({ arguments: { filepath: 'x.keras', safe_mode: off } })).toEqual(['gadget:high']);
      }
      expect(summary({ arguments: { safe_mode: true } })).toEqual([]);
    });

    it('does not take a lookalike of the Keras namespace for Keras', () => {
      const ref = (module: string) => ({ module, class_name: 'function', config: 'get_file' });
      expect(summary(ref('keras.utils\u0000'))).toEqual(['moduleReference:medium']);
      expect(summary(ref('keras.utils '))).toEqual(['moduleReference:medium']);
      expect(summary(ref('keras..utils'))).toEqual(['moduleReference:medium']);
      expect(summary(ref('keras_evil'))).toEqual(['moduleReference:high']);
      expect(summary(ref('kerasx.utils'))).toEqual(['moduleReference:high']);
      expect(summary({ module: 'keras_evil.layers', class_name: 'Dense', config: {} })).toEqual([
        'moduleReference:high',
      ]);
    });

    it('reports safe_mode set to false anywhere', () => {
      const config = {
        class_name: 'Lambda',
        config: {
          function: { module: 'keras.models', class_name: 'function', config: 'load_model' },
          arguments: { safe_mode: false },
        },
      };
      expect(summary(config)).toEqual(['gadget:high', 'gadget:high']);
    });

    it('reports TFOpLambda layers calling file operations', () => {
      expect(summary({ class_name: 'TFOpLambda', config: { name: 't', function: 'io.write_file' } })).toEqual(
        ['gadget:high'],
      );
      expect(summary({ class_name: 'TFOpLambda', config: { name: 't', function: 'math.add' } })).toEqual([]);
      // tf-keras looks the name up anywhere in the tf API: loaders and writers count too.
      for (const fn of [
        'saved_model.load',
        'compat.v1.train.import_meta_graph',
        'summary.create_file_writer',
      ]) {
        expect(summary({ class_name: 'TFOpLambda', config: { name: 't', function: fn } })).toEqual([
          'gadget:high',
        ]);
      }
      expect(summary({ class_name: 'TFOpLambda', config: { name: 't', function: 'nn.relu' } })).toEqual([]);
    });
  });

  describe('custom objects', () => {
    it('reports unknown classes, registered names and unknown function strings', () => {
      expect(summary(sequential('m', [{ class_name: 'MyLayer', config: { name: 'x' } }]))).toEqual([
        'customObject:medium',
      ]);
      expect(summary({ class_name: 'Custom>Foo', config: {} })).toEqual(['customObject:medium']);
      expect(
        summary({ loss: 'my_loss', metrics: [['accuracy', 'f1_score_custom']], optimizer: 'adam' }),
      ).toEqual(['customObject:medium', 'customObject:medium']);
      expect(summary({ loss: { out1: 'mse', out2: 'weird_loss' } })).toEqual(['customObject:medium']);
      expect(summary({ activation: 'my_pkg.activations.swishy' })).toEqual(['customObject:medium']);
    });

    it('reports dangerous callables given as dotted function names', () => {
      expect(summary(dense('d'))).toEqual([]);
      expect(summary({ class_name: 'Dense', config: { activation: 'os.system' } })).toEqual([
        'moduleReference:high',
      ]);
      expect(summary({ loss: 'builtins.eval' })).toEqual(['moduleReference:high']);
    });

    it('knows the names Keras resolves itself', () => {
      expect(
        summary({ loss: 'categorical_crossentropy', metrics: ['acc', 'AUC'], optimizer: 'RMSprop' }),
      ).toEqual([]);
    });
  });

  describe('TorchModuleWrapper (CVE-2025-49655)', () => {
    it('reports it and hands the decoded checkpoint on', () => {
      const blob = Buffer.from('\x80\x04cos\nsystem\n.', 'latin1').toString('base64');
      const result = walk({
        module: 'keras.layers',
        class_name: 'TorchModuleWrapper',
        config: { name: 't', module: blob },
      });
      expect(result.issues.map((i) => i.rule)).toEqual(['torchModule']);
      expect(result.embedded).toHaveLength(1);
      expect(Buffer.from(result.embedded[0]!.bytes).toString('latin1')).toBe('\x80\x04cos\nsystem\n.');
      expect(result.embedded[0]!.name).toBe('model_config.config.module');
    });

    it('decodes base64 as b64decode does, dropping URL-safe characters Node would read as data', () => {
      const payload = '\x80\x04cposix\nsystem\n.';
      const b64 = Buffer.from(payload, 'latin1').toString('base64');
      const padded = b64.replace(/(.{4})/g, '$1-_');
      const result = walk({ class_name: 'TorchModuleWrapper', config: { name: 't', module: padded } });
      expect(Buffer.from(result.embedded[0]!.bytes).toString('latin1')).toBe(payload);
      expect(result.issues[0]?.message).not.toContain('refuses');
      const refused = walk({ class_name: 'TorchModuleWrapper', config: { name: 't', module: 'gASVA' } });
      expect(refused.issues[0]?.message).toContain('b64decode refuses');
    });
  });

  describe('limits', () => {
    it('stops at the depth limit and says so', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100; i++) deep = [deep];
      const result = walk(deep, { maxDepth: 50 });
      expect(result.issues.map((i) => `${i.rule}:${i.severity}`)).toEqual(['malformed:medium']);
    });

    it('searches what a limit left unwalked for Lambdas and torch modules, at any depth', () => {
      let deep: unknown = keras2Lambda('hidden', lambdaCode(['eval']));
      for (let i = 0; i < 60; i++) deep = { arguments: deep };
      const past = walk(deep, { maxDepth: 50 });
      expect(past.issues.map((i) => `${i.rule}:${i.severity}`)).toEqual(['malformed:medium', 'lambda:high']);
      expect(past.issues[1]?.message).toContain('1 Lambda object(s)');
      const wide = walk(
        [
          ...Array.from({ length: 100 }, () => dense('d')),
          { class_name: 'TorchModuleWrapper', config: { module: 'AAAA' } },
        ],
        { maxNodes: 50 },
      );
      expect(wide.issues.map((i) => `${i.rule}:${i.severity}`)).toEqual([
        'malformed:medium',
        'torchModule:high',
      ]);
      expect(walk(deep, { maxDepth: 50 }).issues).toHaveLength(2);
      expect(summary(sequential('m', [dense('d')]))).toEqual([]);
    });

    it('does not count numbers, so padding a layer with them cannot push a Lambda past the node limit', () => {
      const padded = sequential('m', [
        { class_name: 'Dense', config: { name: 'd', padding: Array.from({ length: 5000 }, () => 1) } },
        keras2Lambda('l', lambdaCode(['system'])),
      ]);
      expect(walk(padded, { maxNodes: 50 }).issues.map((i) => `${i.rule}:${i.severity}`)).toEqual([
        'lambda:critical',
      ]);
    });

    it('stops at the node limit and says so', () => {
      const result = walk(
        Array.from({ length: 100 }, () => dense('d')),
        { maxNodes: 50 },
      );
      expect(result.issues.filter((i) => i.rule === 'malformed')).toHaveLength(1);
    });

    it('keeps at most 100 issues per rule and counts the rest', () => {
      const result = walk(
        sequential(
          'm',
          Array.from({ length: 150 }, (_, i) => ({ class_name: `C${i}`, config: {} })),
        ),
      );
      expect(result.issues).toHaveLength(100);
      expect(result.omitted.customObject).toBe(50);
    });
  });
});

describe('isKerasModelConfig', () => {
  it('recognises Keras 2 and Keras 3 model JSON, not Hugging Face configs', () => {
    expect(isKerasModelConfig({ class_name: 'Sequential', config: {}, keras_version: '2.15.0' })).toBe(true);
    expect(isKerasModelConfig({ module: 'keras', class_name: 'Functional', config: {} })).toBe(true);
    expect(isKerasModelConfig({ architectures: ['BertModel'], model_type: 'bert' })).toBe(false);
  });
});

describe('parsePythonJson', () => {
  it('accepts the NaN and Infinity that json.dumps writes, outside strings only', () => {
    expect(parsePythonJson('{"a": NaN, "b": [-Infinity, Infinity], "s": "NaN \\" Infinity"}', 'x')).toEqual({
      a: null,
      b: [null, null],
      s: 'NaN " Infinity',
    });
  });

  it('refuses other invalid JSON with a ParseError', () => {
    expect(() => parsePythonJson("{'a': 1}", 'x')).toThrow(/not valid JSON/);
  });

  it('keeps the last of duplicate keys and reads unicode escapes, as json.loads does', () => {
    expect(parsePythonJson('{"class_name": "Dense", "cl\\u0061ss_name": "L\\u0061mbda"}', 'x')).toEqual({
      class_name: 'Lambda',
    });
  });
});

describe('decodePythonJsonBytes', () => {
  const text = '{"class_name": "Lambda"}';
  const utf32 = (le: boolean, bom: boolean) => {
    const cps = [...(bom ? [0xfeff] : []), ...[...text].map((c) => c.codePointAt(0) as number)];
    const out = Buffer.alloc(cps.length * 4);
    cps.forEach((cp, i) => {
      if (le) out.writeUInt32LE(cp, i * 4);
      else out.writeUInt32BE(cp, i * 4);
    });
    return new Uint8Array(out);
  };
  const utf16 = (le: boolean, bom: boolean) => {
    const body = Buffer.from(text, 'utf16le');
    if (!le) body.swap16();
    const mark = le ? [0xff, 0xfe] : [0xfe, 0xff];
    return new Uint8Array([...(bom ? mark : []), ...body]);
  };

  it('detects the encodings json.loads detects, with and without a BOM', () => {
    const cases: [Uint8Array, string][] = [
      [new Uint8Array(Buffer.from(text)), 'utf-8'],
      [new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(text)]), 'utf-8-sig'],
      [utf16(true, true), 'utf-16-le'],
      [utf16(true, false), 'utf-16-le'],
      [utf16(false, true), 'utf-16-be'],
      [utf16(false, false), 'utf-16-be'],
      [utf32(true, true), 'utf-32-le'],
      [utf32(true, false), 'utf-32-le'],
      [utf32(false, true), 'utf-32-be'],
      [utf32(false, false), 'utf-32-be'],
    ];
    for (const [bytes, encoding] of cases) {
      expect(detectPythonJsonEncoding(bytes)).toBe(encoding);
      expect(decodePythonJsonBytes(bytes, 'x')).toEqual({ text, encoding });
    }
  });

  it('replaces what does not decode instead of failing, and marks a cut UTF-32 unit', () => {
    expect(decodePythonJsonBytes(new Uint8Array([0x7b, 0xff, 0x7d]), 'x').text).toBe('{\ufffd}');
    expect(decodePythonJsonBytes(utf32(true, false).subarray(0, 9), 'x').text).toBe('{"\ufffd');
  });
});

describe('describeLambdaCode', () => {
  it('decodes base64 the way binascii does, newlines and stray characters included', () => {
    expect(Buffer.from(pythonBase64Decode('aGVs\nbG8=\n') ?? []).toString()).toBe('hello');
    expect(Buffer.from(pythonBase64Decode('aG!Vs*bG8=') ?? []).toString()).toBe('hello');
    expect(pythonBase64Decode('aGVsb')).toBeUndefined(); // 1 more than a multiple of 4
    expect(pythonBase64Decode('aGVsbG8')).toBeUndefined(); // incorrect padding
    expect(pythonBase64Decode('caf\u00e9')).toBeUndefined(); // not ASCII
    // URL-safe characters are not in the alphabet: dropped, not read as 62 and 63 as Node would.
    expect(Buffer.from(pythonBase64Decode('a-G_V-s_b-G_8=') ?? []).toString()).toBe('hello');
    expect(Buffer.from(pythonBase64Decode('aGVsbG8=garbage') ?? []).toString()).toBe('hello');
  });

  it('falls back to the raw string as marshal bytes, as func_load does', () => {
    const raw = Buffer.from(
      marshalDumps({ code: { name: '<lambda>', names: ['system'] } }, 'py38-310'),
    ).toString('latin1');
    const described = describeLambdaCode(raw);
    expect(described.form).toBe('bytecode');
    expect(described.dangerous).toEqual(['system']);
    expect(Buffer.from(rawUnicodeEscape('\u0100a')).toString('latin1')).toBe('\\u0100a');
  });

  it('lists the strings of marshalled code no layout reads', () => {
    const bytes = marshalDumps({ code: { name: '<lambda>', names: ['os', 'system'] } }, 'py311-314');
    const damaged = Buffer.from([0xe3, 0x7f, ...bytes.subarray(1)]).toString('base64');
    const described = describeLambdaCode(damaged);
    expect(described.form).toBe('strings');
    expect(described.dangerous).toEqual(['os', 'system']);
  });
});
