/**
 * Parsers for TensorFlow's protobuf model files, decoded with protobufjs over the trimmed schema
 * (schema.ts) after a bounded wire walk (wire-check.ts) has checked the whole file:
 *
 * - `saved_model.pb`: SavedModel { meta_graphs: MetaGraphDef { meta_info_def.tags, graph_def { node,
 *   library { function { signature, node_def, attr }, gradient } }, saver_def, asset_file_def,
 *   object_graph_def } } (tensorflow/core/protobuf/saved_model.proto, meta_graph.proto).
 * - a bare GraphDef `.pb` (tf.io.write_graph, frozen graphs from convert_variables_to_constants).
 * - `keras_metadata.pb`: SavedMetadata { nodes { node_id, node_path, identifier, metadata (JSON) } }
 *   (tf_keras/protobuf/saved_metadata.proto).
 *
 * Nothing is executed. Only string constants are decoded from tensors, each cut to a bounded length, so a
 * frozen graph's weights stay views into the input and are never copied.
 */
import type protobuf from 'protobufjs/light.js';
import { describeError, ParseError } from '../../core/errors.js';
import type {
  GraphDefDocument,
  KerasMetadataDocument,
  SavedModelDocument,
  TfAttr,
  TfFunction,
  TfFunctionRef,
  TfGraph,
  TfMetaGraph,
  TfNode,
  TfSavedObject,
} from './model.js';
import { type TensorflowMessage, tensorflowType } from './schema.js';
import { checkWire, DEFAULT_WIRE_LIMITS, readVarint, type WireLimits } from './wire-check.js';

/** Values kept from one string tensor (a Const holding a path has one; a vocabulary thousands). */
export const MAX_TENSOR_STRINGS = 16;
/** Characters kept of one string value: enough for any path, not for a vocabulary file inlined. */
export const MAX_STRING_VALUE_CHARS = 4096;
/** Attribute lists nested in attribute lists followed for function names (the wire walk bounds them anyway). */
const MAX_ATTR_NESTING = 32;
/** DataType DT_STRING (tensorflow/core/framework/types.proto). */
const DT_STRING = 7;

export type SavedModelLimits = WireLimits;

const utf8 = new TextDecoder('utf-8');

/** Parses `saved_model.pb`. Throws `ParseError` on malformed input or input over the limits. */
export function parseSavedModel(
  bytes: Uint8Array,
  limits: SavedModelLimits = DEFAULT_WIRE_LIMITS,
): SavedModelDocument {
  const message = decode(bytes, 'SavedModel', limits) as unknown as DecodedSavedModel;
  return {
    kind: 'saved-model',
    metaGraphs: message.meta_graphs.map((metaGraph, index) => toMetaGraph(metaGraph, index)),
  };
}

/** Parses a bare GraphDef (a frozen graph). */
export function parseGraphDef(
  bytes: Uint8Array,
  limits: SavedModelLimits = DEFAULT_WIRE_LIMITS,
): GraphDefDocument {
  const message = decode(bytes, 'GraphDef', limits) as unknown as DecodedGraphDef;
  return { kind: 'graph-def', graph: toGraph(message) };
}

/** Parses `keras_metadata.pb`. */
export function parseKerasMetadata(
  bytes: Uint8Array,
  limits: SavedModelLimits = DEFAULT_WIRE_LIMITS,
): KerasMetadataDocument {
  const message = decode(bytes, 'KerasSavedMetadata', limits) as unknown as DecodedKerasMetadata;
  return {
    kind: 'keras-metadata',
    nodes: message.nodes.map((node) => ({
      nodeId: node.node_id,
      nodePath: node.node_path,
      identifier: node.identifier,
      metadata: node.metadata,
    })),
  };
}

function decode(bytes: Uint8Array, name: TensorflowMessage, limits: SavedModelLimits): protobuf.Message {
  const type = tensorflowType(name);
  checkWire(bytes, type, limits);
  // A Buffer view (no copy) lets protobufjs use Node's fast UTF-8 decoder and Buffer views for bytes.
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return type.decode(buffer);
  } catch (cause) {
    // The wire walk accepts what protobufjs decodes; this is a backstop (say, a string too long for V8).
    throw new ParseError('BAD_STRUCTURE', `protobuf decoding failed: ${describeError(cause)}`, undefined, {
      cause,
    });
  }
}

// protobufjs' decoded messages, as the schema declares them (unset repeated fields are empty arrays, unset
// maps empty objects, unset strings '' and unset messages null, from the prototypes).
interface DecodedSavedModel {
  readonly meta_graphs: readonly DecodedMetaGraph[];
}
interface DecodedMetaGraph {
  readonly meta_info_def: { readonly tags: readonly string[]; readonly tensorflow_version: string } | null;
  readonly graph_def: DecodedGraphDef | null;
  readonly saver_def: {
    readonly filename_tensor_name: string;
    readonly save_tensor_name: string;
    readonly restore_op_name: string;
  } | null;
  readonly asset_file_def: readonly {
    readonly tensor_info: { readonly name: string } | null;
    readonly filename: string;
  }[];
  readonly object_graph_def: { readonly nodes: readonly DecodedSavedObject[] } | null;
}
interface DecodedGraphDef {
  readonly node: readonly DecodedNode[];
  readonly library: {
    readonly function: readonly DecodedFunction[];
    readonly gradient: readonly { readonly function_name: string; readonly gradient_func: string }[];
  } | null;
  readonly versions: { readonly producer: number } | null;
}
interface DecodedNode {
  readonly name: string;
  readonly op: string;
  readonly input: readonly string[];
  readonly device: string;
  readonly attr: Readonly<Record<string, DecodedAttr>>;
}
interface DecodedTensor {
  readonly dtype: number;
  readonly tensor_content: Uint8Array;
  readonly string_val: readonly Uint8Array[];
}
interface DecodedNameAttrList {
  readonly name: string;
  readonly attr: Readonly<Record<string, DecodedAttr>>;
}
interface DecodedAttr {
  readonly list: {
    readonly s: readonly Uint8Array[];
    readonly tensor: readonly DecodedTensor[];
    readonly func: readonly DecodedNameAttrList[];
  } | null;
  readonly s: Uint8Array;
  readonly tensor: DecodedTensor | null;
  readonly func: DecodedNameAttrList | null;
}
interface DecodedFunction {
  readonly signature: {
    readonly name: string;
    readonly input_arg: readonly { readonly name: string }[];
  } | null;
  readonly node_def: readonly DecodedNode[];
  readonly attr: Readonly<Record<string, DecodedAttr>>;
}
interface DecodedSavedObject {
  readonly user_object: { readonly identifier: string; readonly metadata: string } | null;
  readonly function: { readonly concrete_functions: readonly string[] } | null;
  readonly bare_concrete_function: { readonly concrete_function_name: string } | null;
  readonly registered_name: string;
}
interface DecodedKerasMetadata {
  readonly nodes: readonly {
    readonly node_id: number;
    readonly node_path: string;
    readonly identifier: string;
    readonly metadata: string;
  }[];
}

function toMetaGraph(message: DecodedMetaGraph, index: number): TfMetaGraph {
  const saver = message.saver_def;
  return {
    index,
    tags: [...(message.meta_info_def?.tags ?? [])],
    tensorflowVersion: message.meta_info_def?.tensorflow_version ?? '',
    graph: message.graph_def ? toGraph(message.graph_def) : EMPTY_GRAPH,
    saver:
      saver && (saver.save_tensor_name !== '' || saver.restore_op_name !== '')
        ? {
            filenameTensor: saver.filename_tensor_name,
            saveTensor: saver.save_tensor_name,
            restoreOp: saver.restore_op_name,
          }
        : undefined,
    assets: message.asset_file_def.map((asset) => ({
      filename: asset.filename,
      tensorName: asset.tensor_info?.name ?? '',
    })),
    objects: (message.object_graph_def?.nodes ?? []).map(toSavedObject),
  };
}

const EMPTY_GRAPH: TfGraph = { nodes: [], functions: [], gradients: [], producer: undefined };

function toGraph(message: DecodedGraphDef): TfGraph {
  return {
    nodes: message.node.map(toNode),
    functions: (message.library?.function ?? []).map(toFunction),
    gradients: (message.library?.gradient ?? []).map((g) => ({
      functionName: g.function_name,
      gradientFunc: g.gradient_func,
    })),
    producer: message.versions?.producer,
  };
}

function toFunction(message: DecodedFunction): TfFunction {
  return {
    name: message.signature?.name ?? '',
    args: (message.signature?.input_arg ?? []).map((arg) => arg.name),
    nodes: message.node_def.map(toNode),
    attrFunctions: toAttrs(message.attr).flatMap((attr) => attr.functions),
  };
}

function toNode(message: DecodedNode): TfNode {
  return {
    name: message.name,
    op: message.op,
    inputs: [...message.input],
    device: message.device,
    attrs: toAttrs(message.attr),
  };
}

function toAttrs(attrs: Readonly<Record<string, DecodedAttr>>): TfAttr[] {
  // Sorted by name: protobuf maps have no order, and findings must be deterministic.
  return Object.keys(attrs)
    .sort()
    .map((name) => toAttr(name, attrs[name] as DecodedAttr));
}

function toAttr(name: string, value: DecodedAttr): TfAttr {
  const strings: string[] = [];
  const tensorStrings: string[] = [];
  const functions: TfFunctionRef[] = [];
  if (value.s.length > 0) strings.push(text(value.s));
  if (value.tensor) tensorStrings.push(...tensorText(value.tensor));
  if (value.func) collectFunctions(value.func, name, functions, 0);
  if (value.list) {
    for (const s of value.list.s.slice(0, MAX_TENSOR_STRINGS)) strings.push(text(s));
    for (const tensor of value.list.tensor.slice(0, MAX_TENSOR_STRINGS))
      tensorStrings.push(...tensorText(tensor));
    value.list.func.forEach((func, i) => {
      collectFunctions(func, `${name}[${i}]`, functions, 0);
    });
  }
  return { name, strings, tensorStrings, functions };
}

/** The function a NameAttrList names and those its own attributes name (`f.attr.body`), bounded. */
function collectFunctions(func: DecodedNameAttrList, via: string, out: TfFunctionRef[], depth: number): void {
  if (func.name !== '') out.push({ name: func.name, via });
  if (depth >= MAX_ATTR_NESTING) return;
  for (const key of Object.keys(func.attr).sort()) {
    const inner = func.attr[key] as DecodedAttr;
    if (inner.func) collectFunctions(inner.func, `${via}.attr.${key}`, out, depth + 1);
    inner.list?.func.forEach((f, i) => {
      collectFunctions(f, `${via}.attr.${key}[${i}]`, out, depth + 1);
    });
  }
}

function text(bytes: Uint8Array): string {
  return utf8.decode(bytes.subarray(0, MAX_STRING_VALUE_CHARS * 4)).slice(0, MAX_STRING_VALUE_CHARS);
}

/** The string values of a DT_STRING tensor: `string_val`, or TensorFlow's packed `tensor_content`. */
function tensorText(tensor: DecodedTensor): string[] {
  if (tensor.string_val.length > 0) return tensor.string_val.slice(0, MAX_TENSOR_STRINGS).map(text);
  if (tensor.dtype === DT_STRING && tensor.tensor_content.length > 0) {
    return (decodeStringList(tensor.tensor_content) ?? []).map(text);
  }
  return [];
}

/**
 * TensorFlow's packed string tensor encoding (tensorflow/core/platform/tensor_coding.cc EncodeStringList):
 * the varint32 length of each of the n strings, then their bytes back to back. The count comes from the
 * tensor's shape, which pedigree does not decode, so the smallest n whose lengths add up to exactly the
 * remaining bytes is taken (up to MAX_TENSOR_STRINGS).
 */
export function decodeStringList(content: Uint8Array): Uint8Array[] | undefined {
  const lengths: number[] = [];
  let pos = 0;
  let total = 0;
  for (let n = 1; n <= MAX_TENSOR_STRINGS; n++) {
    let length: number;
    try {
      [length, pos] = readVarint(content, pos, content.length);
    } catch {
      return undefined;
    }
    lengths.push(length);
    total += length;
    if (pos + total === content.length) {
      const out: Uint8Array[] = [];
      let at = pos;
      for (const l of lengths) {
        out.push(content.subarray(at, at + l));
        at += l;
      }
      return out;
    }
    if (pos + total > content.length) return undefined;
  }
  return undefined;
}

function toSavedObject(message: DecodedSavedObject, id: number): TfSavedObject {
  const kind = message.user_object
    ? 'user_object'
    : message.function
      ? 'function'
      : message.bare_concrete_function
        ? 'bare_concrete_function'
        : 'other';
  const concreteFunctions = message.function
    ? [...message.function.concrete_functions]
    : message.bare_concrete_function && message.bare_concrete_function.concrete_function_name !== ''
      ? [message.bare_concrete_function.concrete_function_name]
      : [];
  return {
    id,
    kind,
    identifier: message.user_object?.identifier ?? '',
    metadata: message.user_object?.metadata ?? '',
    registeredName: message.registered_name,
    concreteFunctions,
  };
}
