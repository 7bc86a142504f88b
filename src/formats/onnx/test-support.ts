import { Root, type Type } from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

export { len, tag, varint } from '../protobuf/test-support.js';

/** The ONNX schema for tests that build models in code (encoded by protobufjs, a second implementation). */
export const ONNX_TEST_ROOT = Root.fromJSON(ONNX_SCHEMA).resolveAll();

export function onnxType(name: string): Type {
  return ONNX_TEST_ROOT.lookupType(`onnx.${name}`);
}

/** Encodes a plain object (snake_case field names, as in onnx.proto) as message `type`. */
export function encodeOnnx(type: string, value: Record<string, unknown>): Uint8Array {
  const t = onnxType(type);
  return t.encode(t.fromObject(value)).finish();
}

export const FLOAT = 1;
export const INT64 = 7;
export const STRING = 8;
export const EXTERNAL = 1;

export function node(opType: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { op_type: opType, input: ['X'], output: ['Y'], ...extra };
}

/** A ModelProto with `ir_version` 8, opset 13 and a graph of the given nodes and initializers. */
export function model(
  graph: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    ir_version: 8,
    producer_name: 'pedigree-test',
    opset_import: [{ domain: '', version: 13 }],
    graph: { name: 'g', node: [node('Relu')], ...graph },
    ...extra,
  };
}

export function buildModel(
  graph: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Uint8Array {
  return encodeOnnx('ModelProto', model(graph, extra));
}

export function externalTensor(location: string, entries: Record<string, string> = {}, dims = [2, 2]) {
  return {
    name: 'W',
    data_type: FLOAT,
    dims,
    data_location: EXTERNAL,
    external_data: Object.entries({ location, offset: '0', length: '16', ...entries }).map(
      ([key, value]) => ({
        key,
        value,
      }),
    ),
  };
}
