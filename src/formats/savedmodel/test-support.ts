/**
 * Builders for TensorFlow protobuf fixtures (TensorFlow is not needed to test): plain specs encoded with the
 * same protobufjs schema the parser decodes with, plus raw wire-format helpers for malformed input. The
 * standard SavedModel mirrors what tf.saved_model.save writes (fixtures/safe.saved_model.pb, made with
 * TensorFlow 2.21): a serving signature calling the model's function through StatefulPartitionedCall, and
 * the `__inference__traced_save/restore` functions its saver_def names.
 */
import { type TensorflowMessage, tensorflowType } from './schema.js';

export type AttrSpec =
  | { readonly s: string }
  | { readonly strings: readonly string[] }
  | { readonly func: FuncSpec }
  | { readonly funcs: readonly FuncSpec[] }
  | { readonly tensor: readonly string[]; readonly packed?: boolean };

export interface FuncSpec {
  readonly name: string;
  readonly attrs?: Readonly<Record<string, AttrSpec>>;
}

export interface NodeSpec {
  readonly name: string;
  readonly op: string;
  readonly inputs?: readonly string[];
  readonly attrs?: Readonly<Record<string, AttrSpec>>;
}

export interface FunctionSpec {
  readonly name: string;
  readonly args?: readonly string[];
  readonly nodes: readonly NodeSpec[];
}

export interface GraphSpec {
  readonly nodes?: readonly NodeSpec[];
  readonly functions?: readonly FunctionSpec[];
  readonly gradients?: readonly { readonly functionName: string; readonly gradientFunc: string }[];
}

export interface MetaGraphSpec extends GraphSpec {
  readonly tags?: readonly string[];
  readonly saver?: {
    readonly filenameTensor: string;
    readonly saveTensor: string;
    readonly restoreOp: string;
  };
  readonly assets?: readonly { readonly filename: string; readonly tensorName?: string }[];
  readonly objects?: readonly {
    readonly identifier?: string;
    readonly metadata?: string;
    readonly functions?: readonly string[];
  }[];
}

const utf8 = new TextEncoder();
const DT_STRING = 7;

export const node = (
  name: string,
  op: string,
  inputs: readonly string[] = [],
  attrs: Readonly<Record<string, AttrSpec>> = {},
): NodeSpec => ({ name, op, inputs, attrs });

/** A string Const node, as tf.constant('...') writes it. */
export const constString = (name: string, ...values: string[]): NodeSpec =>
  node(name, 'Const', [], { value: { tensor: values } });

/** A StatefulPartitionedCall of `fn`, as tf.function calls write them. */
export const call = (name: string, fn: string, inputs: readonly string[] = []): NodeSpec =>
  node(name, 'StatefulPartitionedCall', inputs, { f: { func: { name: fn } } });

/** TensorFlow's packed string tensor encoding: every length as a varint, then the bytes. */
export function packStrings(values: readonly string[]): Uint8Array {
  const parts = values.map((v) => utf8.encode(v));
  const out: number[] = [];
  for (const part of parts) out.push(...varint(part.length));
  for (const part of parts) out.push(...part);
  return new Uint8Array(out);
}

function attrValue(spec: AttrSpec): Record<string, unknown> {
  if ('s' in spec) return { s: utf8.encode(spec.s) };
  if ('strings' in spec) return { list: { s: spec.strings.map((s) => utf8.encode(s)) } };
  if ('func' in spec) return { func: nameAttrList(spec.func) };
  if ('funcs' in spec) return { list: { func: spec.funcs.map(nameAttrList) } };
  return {
    tensor: spec.packed
      ? { dtype: DT_STRING, tensor_content: packStrings(spec.tensor) }
      : { dtype: DT_STRING, string_val: spec.tensor.map((v) => utf8.encode(v)) },
  };
}

function nameAttrList(spec: FuncSpec): Record<string, unknown> {
  return { name: spec.name, attr: attrMap(spec.attrs ?? {}) };
}

function attrMap(attrs: Readonly<Record<string, AttrSpec>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, attrValue(v)]));
}

function nodeDef(spec: NodeSpec): Record<string, unknown> {
  return { name: spec.name, op: spec.op, input: [...(spec.inputs ?? [])], attr: attrMap(spec.attrs ?? {}) };
}

function graphDef(spec: GraphSpec): Record<string, unknown> {
  return {
    node: (spec.nodes ?? []).map(nodeDef),
    library: {
      function: (spec.functions ?? []).map((fn) => ({
        signature: { name: fn.name, input_arg: (fn.args ?? []).map((name) => ({ name })) },
        node_def: fn.nodes.map(nodeDef),
      })),
      gradient: (spec.gradients ?? []).map((g) => ({
        function_name: g.functionName,
        gradient_func: g.gradientFunc,
      })),
    },
    versions: { producer: 2129 },
  };
}

function encode(message: TensorflowMessage, value: Record<string, unknown>): Uint8Array {
  const type = tensorflowType(message);
  return type.encode(type.fromObject(value)).finish();
}

export function buildGraphDef(spec: GraphSpec): Uint8Array {
  return encode('GraphDef', graphDef(spec));
}

export function buildSavedModel(...metaGraphs: readonly MetaGraphSpec[]): Uint8Array {
  return encode('SavedModel', {
    meta_graphs: metaGraphs.map((spec) => ({
      meta_info_def: { tags: [...(spec.tags ?? ['serve'])], tensorflow_version: '2.21.0' },
      graph_def: graphDef(spec),
      ...(spec.saver
        ? {
            saver_def: {
              filename_tensor_name: spec.saver.filenameTensor,
              save_tensor_name: spec.saver.saveTensor,
              restore_op_name: spec.saver.restoreOp,
            },
          }
        : {}),
      asset_file_def: (spec.assets ?? []).map((a) => ({
        filename: a.filename,
        tensor_info: { name: a.tensorName ?? '' },
      })),
      object_graph_def: {
        nodes: (spec.objects ?? []).map((o) =>
          o.functions
            ? { function: { concrete_functions: [...o.functions] } }
            : {
                user_object: {
                  identifier: o.identifier ?? '_generic_user_object',
                  metadata: o.metadata ?? '',
                },
              },
        ),
      },
    })),
  });
}

export function buildKerasMetadata(
  nodes: readonly { nodeId: number; nodePath: string; identifier: string; metadata: string }[],
): Uint8Array {
  return encode('KerasSavedMetadata', {
    nodes: nodes.map((n) => ({
      node_id: n.nodeId,
      node_path: n.nodePath,
      identifier: n.identifier,
      metadata: n.metadata,
    })),
  });
}

/** The saver functions tf.saved_model.save writes (TF 2.21, fixtures/safe.saved_model.pb), trimmed. */
export const TRACED_SAVE: FunctionSpec = {
  name: '__inference__traced_save_65',
  args: ['file_prefix', 'read_disablecopyonread_w', 'savev2_const'],
  nodes: [
    node('StaticRegexFullMatch', 'StaticRegexFullMatch', ['file_prefix']),
    constString('Const', '.part'),
    constString('Const_1', '_temp/part'),
    node('Select', 'Select', ['StaticRegexFullMatch:output:0', 'Const:output:0', 'Const_1:output:0']),
    node('StringJoin', 'StringJoin', ['file_prefix', 'Select:output:0']),
    node('num_shards', 'Const'),
    node('ShardedFilename/shard', 'Const'),
    node('ShardedFilename', 'ShardedFilename', [
      'StringJoin:output:0',
      'ShardedFilename/shard:output:0',
      'num_shards:output:0',
    ]),
    constString('SaveV2/tensor_names', 'w/.ATTRIBUTES/VARIABLE_VALUE', '_CHECKPOINTABLE_OBJECT_GRAPH'),
    constString('SaveV2/shape_and_slices', '', ''),
    node('Read/ReadVariableOp', 'ReadVariableOp', ['read_disablecopyonread_w']),
    node('SaveV2', 'SaveV2', [
      'ShardedFilename:filename:0',
      'SaveV2/tensor_names:output:0',
      'SaveV2/shape_and_slices:output:0',
      'Read/ReadVariableOp:value:0',
      'savev2_const',
    ]),
    node('MergeV2Checkpoints/checkpoint_prefixes', 'Pack', ['ShardedFilename:filename:0', '^SaveV2']),
    node('MergeV2Checkpoints', 'MergeV2Checkpoints', [
      'MergeV2Checkpoints/checkpoint_prefixes:output:0',
      'file_prefix',
    ]),
    node('Identity', 'Identity', ['file_prefix', '^MergeV2Checkpoints']),
  ],
};

export const TRACED_RESTORE: FunctionSpec = {
  name: '__inference__traced_restore_80',
  args: ['file_prefix', 'assignvariableop_w'],
  nodes: [
    constString('RestoreV2/tensor_names', 'w/.ATTRIBUTES/VARIABLE_VALUE', '_CHECKPOINTABLE_OBJECT_GRAPH'),
    constString('RestoreV2/shape_and_slices', '', ''),
    node('RestoreV2', 'RestoreV2', [
      'file_prefix',
      'RestoreV2/tensor_names:output:0',
      'RestoreV2/shape_and_slices:output:0',
    ]),
    node('Identity', 'Identity', ['RestoreV2:tensors:0']),
    node('AssignVariableOp', 'AssignVariableOp', ['assignvariableop_w', 'Identity:output:0']),
    node('Identity_1', 'Identity', ['file_prefix', '^AssignVariableOp']),
  ],
};

/**
 * A realistic TF2 SavedModel meta graph: variable, serving signature -> signature wrapper -> model function
 * (`modelNodes` go into the model function), the saver calls, object graph. `extra` adds functions.
 */
export function standardMetaGraph(
  modelNodes: readonly NodeSpec[] = [],
  extra: { functions?: readonly FunctionSpec[]; nodes?: readonly NodeSpec[] } = {},
): MetaGraphSpec {
  return {
    tags: ['serve'],
    nodes: [
      node('w', 'VarHandleOp'),
      node('serving_default_x', 'Placeholder'),
      call('StatefulPartitionedCall', '__inference_signature_wrapper_31', ['serving_default_x', 'w']),
      node('saver_filename', 'Placeholder'),
      constString('Const', '\n0\n\u0005\b\u0001\u0012\u0001w'),
      call('StatefulPartitionedCall_1', TRACED_SAVE.name, ['saver_filename', 'w', 'Const']),
      call('StatefulPartitionedCall_2', TRACED_RESTORE.name, ['saver_filename', 'w']),
      ...(extra.nodes ?? []),
    ],
    functions: [
      TRACED_SAVE,
      {
        name: '__inference___call___21',
        args: ['x', 'matmul_readvariableop_resource'],
        nodes: [
          node('MatMul/ReadVariableOp', 'ReadVariableOp', ['matmul_readvariableop_resource']),
          node('MatMul', 'MatMul', ['x', 'MatMul/ReadVariableOp:value:0']),
          node('Relu', 'Relu', ['MatMul:product:0']),
          ...modelNodes,
          node('Identity', 'Identity', ['Relu:activations:0']),
        ],
      },
      {
        name: '__inference_signature_wrapper_31',
        args: ['x', 'unknown'],
        nodes: [call('StatefulPartitionedCall', '__inference___call___21', ['x', 'unknown'])],
      },
      TRACED_RESTORE,
      ...(extra.functions ?? []),
    ],
    saver: {
      filenameTensor: 'saver_filename:0',
      saveTensor: 'StatefulPartitionedCall_1:0',
      restoreOp: 'StatefulPartitionedCall_2',
    },
    objects: [
      { identifier: '_generic_user_object' },
      { functions: ['__inference___call___21'] },
      { identifier: 'signature_map' },
    ],
  };
}

// Raw wire format, for malformed input.

export function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** A length-delimited field. */
export function lenField(fieldNumber: number, body: Uint8Array | readonly number[]): Uint8Array {
  return new Uint8Array([...varint(fieldNumber * 8 + 2), ...varint(body.length), ...body]);
}

export function concat(...parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...p]));
}
