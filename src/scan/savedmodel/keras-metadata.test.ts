import { describe, expect, it } from 'vitest';
import {
  findKerasMetadataIndicators,
  MAX_METADATA_JSON_DEPTH,
  marshalNames,
  parseKerasMetadataJson,
} from './keras-metadata.js';
import { EVIL_LAMBDA_CODE, LAMBDA_LAYER_METADATA } from './test-support.js';

describe('findKerasMetadataIndicators', () => {
  it('finds a tf-keras Lambda and shows the names in its marshalled code', () => {
    const { indicators, incomplete } = findKerasMetadataIndicators(JSON.parse(LAMBDA_LAYER_METADATA));
    expect(incomplete).toBeUndefined();
    expect(indicators).toHaveLength(1);
    expect(indicators[0]).toMatchObject({ kind: 'lambda', severity: 'high', path: '$', module: '__main__' });
    expect(indicators[0]?.evidence).toContain('names in the code: os, id, __import__, system');
  });

  it('finds Lambdas nested in a model config, in every serialisation', () => {
    const model = {
      class_name: 'Functional',
      config: {
        layers: [
          { class_name: 'Dense', config: { activation: 'relu' }, module: 'keras.layers' },
          {
            class_name: 'TimeDistributed',
            config: { layer: { class_name: 'Lambda', config: { function: [EVIL_LAMBDA_CODE, null, null] } } },
          },
          { class_name: '__lambda__', config: { code: EVIL_LAMBDA_CODE } },
          { class_name: 'Lambda', config: { function: 'my_module.fn', function_type: 'function' } },
        ],
      },
    };
    const { indicators } = findKerasMetadataIndicators(model);
    expect(indicators.map((i) => [i.kind, i.path])).toEqual([
      ['lambda', '$.config.layers[1].config.layer'],
      ['lambda', '$.config.layers[2]'],
      ['lambda', '$.config.layers[3]'],
    ]);
    expect(indicators[2]?.detail).toContain('outside the file');
  });

  it('grades function references outside Keras high, classes from other modules medium, Keras itself not at all', () => {
    const config = {
      layers: [
        { module: 'builtins', class_name: 'function', config: 'eval' },
        { module: 'my_package.layers', class_name: 'Custom', config: {} },
        { module: 'keras.src.layers', class_name: 'Dense', config: {} },
        { module: 'tf_keras.layers', class_name: 'Dense', config: {} },
        { module: 'builtins', class_name: 'tuple', config: [1, 2] },
      ],
    };
    const { indicators } = findKerasMetadataIndicators(config);
    expect(indicators.map((i) => `${i.kind}:${i.severity}:${i.module}`)).toEqual([
      'function:high:builtins',
      'module:medium:my_package.layers',
    ]);
    expect(indicators[0]?.detail).toContain("'builtins.eval'");
  });

  it('stops at its depth limit and says so', () => {
    let deep: unknown = {};
    for (let i = 0; i < MAX_METADATA_JSON_DEPTH + 10; i++) deep = { layer: deep };
    const result = findKerasMetadataIndicators(deep);
    expect(result.incomplete).toContain('nested more than');
  });

  it('parses JSON with a size limit', () => {
    expect(parseKerasMetadataJson('{"a": 1}')).toEqual({ a: 1 });
    expect(() => parseKerasMetadataJson('{')).toThrow(SyntaxError);
  });
});

describe('marshalNames', () => {
  it('returns nothing from bytes that are not marshal data', () => {
    expect(marshalNames(Buffer.from('hello world').toString('base64'))).toEqual([]);
  });
});
