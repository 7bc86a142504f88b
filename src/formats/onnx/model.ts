/**
 * ONNX models (onnx.proto, https://onnx.ai/onnx/repo-docs/IR.html), read without onnx or onnxruntime: a
 * `.onnx` file is one serialized `ModelProto`, so it is decoded with the bounded schema-driven decoder
 * (formats/protobuf/decode.ts) over the vendored onnx.proto (onnx-schema.ts). Tensor payloads
 * (`raw_data`, long typed-data runs, long strings) are referenced by position and never read, so a 2 GB
 * model with inline weights costs what its graph costs.
 *
 * What comes out is flat, for the analysers: every graph (the main graph, graphs nested in node
 * attributes such as `If.then_branch`, `Loop.body`, `Scan.body`, any `g`/`graphs` attribute, model-local
 * functions and training graphs), every node with the path of its graph (`graph/If_0.then_branch/node 3`),
 * every tensor (initializers, sparse initializers, tensors in attributes) with its declared size checked
 * against the data it carries, and the model's metadata. Nested graphs are bounded by the decoder's depth
 * limit (MAX_PROTOBUF_DEPTH, protobuf's own recursion limit: deeper models do not load anywhere).
 */

import { Root, type Type } from 'protobufjs/light.js';
import { ByteReader, type ByteSource, truncateText } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  decodeProtoMessage,
  fieldWireType,
  isProtoPackedRun,
  isProtoRef,
  type ProtoDecodeLimits,
  type ProtoMessage,
  type ProtoValue,
  protoMessages,
  protoValue,
  protoValues,
} from '../protobuf/decode.js';
import { readField, WIRE_LEN } from '../protobuf/wire.js';
import {
  elementCount,
  ONNX_DATA_TYPES,
  ONNX_TYPED_FIELDS,
  type OnnxTypedField,
  onnxDataTypeName,
  rawByteLength,
  typedEntryCount,
} from './data-types.js';
import { ONNX_SCHEMA } from './onnx-schema.js';

const ROOT = Root.fromJSON(ONNX_SCHEMA).resolveAll();
const MODEL_PROTO: Type = ROOT.lookupType('onnx.ModelProto');
/** What `graph` (7) and `opset_import` (8) hold, to check their first field when sniffing. */
const SNIFFED_FIELD_TYPES: ReadonlyMap<number, Type> = new Map([
  [7, ROOT.lookupType('onnx.GraphProto')],
  [8, ROOT.lookupType('onnx.OperatorSetIdProto')],
]);

/**
 * Fields nothing here looks at, skipped undecoded so they cost neither memory nor field budget: value
 * types and shapes (the bulk of a large graph after its nodes), sharding and device plans.
 */
const IGNORED_FIELDS: ReadonlySet<string> = new Set([
  'onnx.GraphProto.value_info',
  'onnx.FunctionProto.value_info',
  'onnx.ValueInfoProto.type',
  'onnx.AttributeProto.tp',
  'onnx.AttributeProto.type_protos',
  'onnx.NodeProto.device_configurations',
  'onnx.ModelProto.configuration',
  'onnx.GraphProto.quantization_annotation',
]);

/** Tensor payloads: only where they are matters, so they are never read, however short. */
const REFERENCED_FIELDS: ReadonlySet<string> = new Set([
  'onnx.TensorProto.raw_data',
  'onnx.TensorProto.string_data',
]);

/** Text read from a string too long to decode inline (a huge doc string): enough for the indicator search. */
export const MAX_ONNX_TEXT_BYTES = 64 * 1024;
/** Highest `ir_version` taken as a sign of ONNX when sniffing (IR 14 is current; leaves room to grow). */
export const MAX_SNIFFED_IR_VERSION = 64;
/** Top-level fields read while sniffing for `graph` or `opset_import` before giving up. */
export const MAX_SNIFFED_FIELDS = 32;

/**
 * Unknown-field payloads shorter than this are not analysed by content: no format that runs code fits in
 * fewer bytes (the shortest pickle that calls a function, `cos\nsystem\n(Vid\ntR.`, is 19).
 */
export const MIN_HIDDEN_PAYLOAD_BYTES = 8;

/** Bytes read at a time while sniffing. */
const SNIFF_WINDOW_BYTES = 512;

/** `TensorProto.DataLocation.EXTERNAL`: the tensor's bytes are in another file named by `external_data`. */
export const ONNX_DATA_EXTERNAL = 1;

export interface OnnxEntry {
  readonly key: string;
  readonly value: string;
  /** Where the StringStringEntryProto starts. */
  readonly offset: number;
}

export interface OnnxAttribute {
  readonly name: string;
  /** `AttributeProto.type` (AttributeType), when given. */
  readonly type: number | undefined;
  /** `s`, decoded as UTF-8 when short (long values are not read). */
  readonly s: string | undefined;
  readonly strings: readonly string[];
  readonly offset: number;
}

export interface OnnxNode {
  /** Position in its graph's (or function's) node list. */
  readonly index: number;
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly attributes: readonly OnnxAttribute[];
  readonly offset: number;
  /** Path of the graph holding the node, e.g. `graph/If_0.then_branch`. */
  readonly graphPath: string;
  /** `${graphPath}/node ${index}`. */
  readonly path: string;
}

export interface OnnxGraph {
  readonly path: string;
  readonly name: string;
  readonly offset: number;
  readonly nodes: readonly OnnxNode[];
  readonly docString: string;
  readonly metadataProps: readonly OnnxEntry[];
  /** Whether it is a model-local function body (nodes may call other functions). */
  readonly isFunction: boolean;
}

/** A function the model defines: nodes with this (domain, name) call it instead of an operator. */
export interface OnnxFunctionId {
  readonly domain: string;
  readonly name: string;
}

export interface OnnxTensor {
  readonly name: string;
  /** Where the tensor is, e.g. `graph/initializer 3 'weight'` or `graph/node 2.value`. */
  readonly where: string;
  readonly offset: number;
  readonly dims: readonly bigint[];
  readonly dataType: number | undefined;
  readonly dataLocation: number | undefined;
  /** The tensor is a segment of a larger one: its size cannot be checked against its dims. */
  readonly segmented: boolean;
  /** `raw_data`: where its bytes are (never read). */
  readonly raw: { readonly offset: number; readonly length: number } | undefined;
  /** Typed data fields present, with their entry counts (undefined when too long to count). */
  readonly typed: readonly { readonly field: OnnxTypedField; readonly count: number | undefined }[];
  readonly externalData: readonly OnnxEntry[];
}

export type OnnxIssueKind =
  /** A tensor's declared shape and type do not fit the data it holds. */
  | 'size'
  /** What ONNX writers never produce: unknown fields, singular fields given twice, unknown data types. */
  | 'structure';

export interface OnnxIssue {
  readonly kind: OnnxIssueKind;
  readonly message: string;
  readonly offset: number;
}

/** Byte range of the input. */
export interface OnnxByteRange {
  readonly start: number;
  readonly end: number;
}

export interface OnnxModel {
  readonly irVersion: bigint | undefined;
  readonly opsetImports: readonly { readonly domain: string; readonly version: bigint | undefined }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString: string;
  readonly metadataProps: readonly OnnxEntry[];
  /** Every graph and function body, the main graph first, in input order. */
  readonly graphs: readonly OnnxGraph[];
  readonly functions: readonly OnnxFunctionId[];
  readonly tensors: readonly OnnxTensor[];
  readonly issues: readonly OnnxIssue[];
  /**
   * Payloads of length-delimited fields ONNX does not define, at least MIN_HIDDEN_PAYLOAD_BYTES long:
   * loaders skip them, so they can carry a second model, a pickle or an archive for another reader.
   */
  readonly hidden: readonly OnnxByteRange[];
}

export interface OnnxParseOptions {
  readonly limits?: Partial<ProtoDecodeLimits>;
}

/**
 * Parses an ONNX model. Throws ParseError (with the offset) when the protobuf is malformed or over a
 * limit; everything else (sizes that do not fit, unknown fields) is returned as issues.
 */
export function parseOnnxModel(source: ByteSource, options: OnnxParseOptions = {}): OnnxModel {
  const cached = options.limits === undefined ? PARSED.get(source) : undefined;
  if (cached !== undefined) return cached;
  const message = decodeProtoMessage(source, MODEL_PROTO, {
    ignore: IGNORED_FIELDS,
    refs: REFERENCED_FIELDS,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const model = new ModelWalker(source).model(message);
  if (options.limits === undefined) PARSED.set(source, model);
  return model;
}

/**
 * Models parsed with the default limits, per source: the analyser and the on-disk external-data check of
 * the same file (scan-paths.ts) read one parse instead of decoding the protobuf twice. Weak, so a model
 * lives only as long as its source.
 */
const PARSED = new WeakMap<ByteSource, OnnxModel>();

class ModelWalker {
  private readonly reader: ByteReader;
  readonly graphs: OnnxGraph[] = [];
  readonly tensors: OnnxTensor[] = [];
  readonly issues: OnnxIssue[] = [];
  readonly hidden: OnnxByteRange[] = [];

  constructor(source: ByteSource) {
    this.reader = new ByteReader(source);
  }

  model(m: ProtoMessage): OnnxModel {
    this.structure(m, 'model');
    const graph = protoMessages(m, 'graph')[0];
    if (graph !== undefined) this.graph(graph, 'graph', false);
    const functions: OnnxFunctionId[] = [];
    for (const [i, f] of protoMessages(m, 'functions').entries()) {
      const id = { domain: this.text(f, 'domain'), name: this.text(f, 'name') };
      functions.push(id);
      this.structure(f, `function ${i}`);
      const path = `function ${id.domain === '' ? '' : `${id.domain}::`}${id.name || i}`;
      this.body(f, path, true, this.text(f, 'doc_string'), this.entries(f, 'metadata_props'));
      for (const a of protoMessages(f, 'attribute_proto')) {
        this.attributeContent(a, `${path}.${this.text(a, 'name')}`);
      }
    }
    for (const [i, info] of protoMessages(m, 'training_info').entries()) {
      this.structure(info, `training_info ${i}`);
      for (const part of ['initialization', 'algorithm'] as const) {
        const g = protoMessages(info, part)[0];
        if (g !== undefined) this.graph(g, `training_info[${i}].${part}`, false);
      }
    }
    return {
      irVersion: int64(protoValue(m, 'ir_version')),
      opsetImports: protoMessages(m, 'opset_import').map((o) => ({
        domain: this.text(o, 'domain'),
        version: int64(protoValue(o, 'version')),
      })),
      producerName: this.text(m, 'producer_name'),
      producerVersion: this.text(m, 'producer_version'),
      docString: this.text(m, 'doc_string'),
      metadataProps: this.entries(m, 'metadata_props'),
      graphs: this.graphs,
      functions,
      tensors: this.tensors,
      issues: this.issues,
      hidden: this.hidden,
    };
  }

  private graph(g: ProtoMessage, path: string, isFunction: boolean): void {
    this.structure(g, path);
    const name = this.text(g, 'name');
    this.body(g, path, isFunction, this.text(g, 'doc_string'), this.entries(g, 'metadata_props'), name);
    for (const [i, t] of protoMessages(g, 'initializer').entries())
      this.tensor(t, `${path}/initializer ${i}`);
    for (const [i, s] of protoMessages(g, 'sparse_initializer').entries()) {
      this.sparse(s, `${path}/sparse_initializer ${i}`);
    }
  }

  /** A graph's or function's node list (function bodies have no initializers). */
  private body(
    g: ProtoMessage,
    path: string,
    isFunction: boolean,
    docString: string,
    metadataProps: readonly OnnxEntry[],
    name = '',
  ): void {
    const nodes: OnnxNode[] = [];
    // Registered before the nested graphs so that the list reads outermost first.
    this.graphs.push({ path, name, offset: g.offset, nodes, docString, metadataProps, isFunction });
    for (const [index, n] of protoMessages(g, 'node').entries()) nodes.push(this.node(n, index, path));
  }

  private node(n: ProtoMessage, index: number, graphPath: string): OnnxNode {
    const path = `${graphPath}/node ${index}`;
    this.structure(n, path);
    const name = this.text(n, 'name');
    const label = `${graphPath}/${name === '' ? `node ${index}` : name}`;
    const attributes: OnnxAttribute[] = [];
    for (const a of protoMessages(n, 'attribute')) {
      const attrName = this.text(a, 'name');
      const s = protoValue(a, 's');
      attributes.push({
        name: attrName,
        type: int32(protoValue(a, 'type')),
        s: s instanceof Uint8Array ? utf8(s) : undefined,
        strings: protoValues(a, 'strings').flatMap((v) => (v instanceof Uint8Array ? [utf8(v)] : [])),
        offset: a.offset,
      });
      this.attributeContent(a, `${label}.${attrName}`);
    }
    return {
      index,
      name,
      opType: this.text(n, 'op_type'),
      domain: this.text(n, 'domain'),
      attributes,
      offset: n.offset,
      graphPath,
      path,
    };
  }

  /** Graphs and tensors held by an attribute (a node's, or a function's default). */
  private attributeContent(a: ProtoMessage, where: string): void {
    this.structure(a, where);
    for (const g of protoMessages(a, 'g')) this.graph(g, where, false);
    for (const [i, g] of protoMessages(a, 'graphs').entries()) this.graph(g, `${where}[${i}]`, false);
    for (const t of protoMessages(a, 't')) this.tensor(t, where);
    for (const [i, t] of protoMessages(a, 'tensors').entries()) this.tensor(t, `${where}[${i}]`);
    for (const s of protoMessages(a, 'sparse_tensor')) this.sparse(s, where);
    for (const [i, s] of protoMessages(a, 'sparse_tensors').entries()) this.sparse(s, `${where}[${i}]`);
  }

  private sparse(s: ProtoMessage, where: string): void {
    this.structure(s, where);
    for (const part of ['values', 'indices'] as const) {
      for (const t of protoMessages(s, part)) this.tensor(t, `${where}.${part}`);
    }
  }

  private tensor(t: ProtoMessage, where: string): void {
    this.structure(t, where);
    const name = this.text(t, 'name');
    const label = name === '' ? where : `${where} '${truncateText(name, 120)}'`;
    const dims = protoValues(t, 'dims').flatMap((d) => (typeof d === 'bigint' ? [d] : []));
    const raw = protoValue(t, 'raw_data');
    const typed: { field: OnnxTypedField; count: number | undefined }[] = [];
    for (const field of ONNX_TYPED_FIELDS) {
      const values = protoValues(t, field);
      if (values.length === 0) continue;
      let count: number | undefined = 0;
      for (const v of values) {
        if (isProtoPackedRun(v))
          count = v.count === undefined || count === undefined ? undefined : count + v.count;
        else if (count !== undefined) count++;
      }
      typed.push({ field, count });
    }
    const tensor: OnnxTensor = {
      name,
      where: label,
      offset: t.offset,
      dims,
      dataType: int32(protoValue(t, 'data_type')),
      dataLocation: int32(protoValue(t, 'data_location')),
      segmented: protoMessages(t, 'segment').length > 0,
      raw: isProtoRef(raw) ? { offset: raw.offset, length: raw.length } : undefined,
      typed,
      externalData: this.entries(t, 'external_data'),
    };
    this.tensors.push(tensor);
    for (const message of checkTensorSize(tensor))
      this.issues.push({ kind: 'size', message, offset: t.offset });
    const keys = tensor.externalData.map((e) => e.key);
    const repeated = [...new Set(keys.filter((key, i) => keys.indexOf(key) !== i))];
    if (repeated.length > 0) {
      // onnx and onnxruntime keep the last value of a key, a reader that stops at the first sees another file.
      this.issues.push({
        kind: 'structure',
        message: `${label} gives external_data key(s) ${truncateText(repeated.map((k) => `'${k}'`).join(', '), 120)} more than once (loaders disagree on which value counts)`,
        offset: t.offset,
      });
    }
  }

  /** Unknown fields and repeated singular fields: structure real writers never produce. */
  private structure(m: ProtoMessage, where: string): void {
    for (const u of m.unknown) {
      const end = u.offset + u.length;
      if (u.wireType === WIRE_LEN && end - u.valueOffset >= MIN_HIDDEN_PAYLOAD_BYTES) {
        this.hidden.push({ start: u.valueOffset, end });
      }
    }
    if (m.unknown.length > 0) {
      const bytes = m.unknown.reduce((sum, u) => sum + u.length, 0);
      const numbers = [
        ...new Set(m.unknown.map((u) => (u.declaredAs ? `${u.declaredAs} (wrong wire type)` : u.number))),
      ];
      this.issues.push({
        kind: 'structure',
        message: `${where}: ${m.unknown.length} field(s) ${m.type} does not define (${truncateText(numbers.join(', '), 120)}; ${bytes} bytes), which loaders skip`,
        offset: (m.unknown[0] as { offset: number }).offset,
      });
    }
    if (m.repeatedSingular.length > 0) {
      this.issues.push({
        kind: 'structure',
        message: `${where}: singular field(s) ${m.repeatedSingular.join(', ')} of ${m.type} given more than once (loaders merge messages and keep the last value)`,
        offset: m.offset,
      });
    }
  }

  private entries(m: ProtoMessage, field: string): OnnxEntry[] {
    return protoMessages(m, field).map((e) => ({
      key: this.text(e, 'key'),
      value: this.text(e, 'value'),
      offset: e.offset,
    }));
  }

  /** A string field's text; a long one is read up to MAX_ONNX_TEXT_BYTES. */
  private text(m: ProtoMessage, field: string): string {
    const value = protoValue(m, field);
    if (typeof value === 'string') return value;
    if (isProtoRef(value)) {
      this.reader.seek(value.offset);
      return utf8(this.reader.bytes(Math.min(value.length, MAX_ONNX_TEXT_BYTES), field));
    }
    return '';
  }
}

const utf8Decoder = new TextDecoder('utf-8');
function utf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

function int64(value: ProtoValue | undefined): bigint | undefined {
  return typeof value === 'bigint' ? value : undefined;
}

function int32(value: ProtoValue | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Digits only, as onnx's `load_external_data_for_tensor` (`int(value)`) and onnxruntime accept. */
const DECIMAL = /^[0-9]{1,20}$/;

/**
 * An `external_data` entry's value (the last one of that key, as onnx's `ExternalDataInfo` keeps), or
 * undefined when absent.
 */
export function externalValue(tensor: OnnxTensor, key: string): string | undefined {
  for (let i = tensor.externalData.length - 1; i >= 0; i--) {
    const entry = tensor.externalData[i] as OnnxEntry;
    if (entry.key === key) return entry.value;
  }
  return undefined;
}

/** An `external_data` integer (`offset`, `length`): undefined when absent, 'invalid' when not one. */
export function externalInteger(
  tensor: OnnxTensor,
  key: 'offset' | 'length',
): bigint | 'invalid' | undefined {
  const value = externalValue(tensor, key);
  if (value === undefined) return undefined;
  return DECIMAL.test(value) ? BigInt(value) : 'invalid';
}

/**
 * Why a tensor's declared shape and type do not fit its data, as onnx's checker
 * (onnx/checker.cc `check_tensor`) and onnxruntime's `UnpackTensor` refuse it: negative dimensions, a
 * `raw_data` length other than elements × element size, a typed field with the wrong entry count or the
 * wrong field for the type, more than one data field, no data for a non-empty tensor, an `external_data`
 * `length` that does not fit. Segmented tensors and tensors of unknown type are not checked.
 */
export function checkTensorSize(tensor: OnnxTensor): string[] {
  const problems: string[] = [];
  const where = tensor.where;
  const negative = tensor.dims.filter((d) => d < 0n);
  if (negative.length > 0) {
    problems.push(`${where} has negative dimension(s) ${truncateText(negative.join(', '), 120)}`);
    return problems;
  }
  const elements = elementCount(tensor.dims);
  if (elements === undefined) {
    problems.push(
      `${where} declares ${truncateText(tensor.dims.join('×'), 120)} elements, more than int64 holds`,
    );
    return problems;
  }
  const type = tensor.dataType === undefined ? undefined : ONNX_DATA_TYPES.get(tensor.dataType);
  const shape = `[${tensor.dims.join(', ')}] ${onnxDataTypeName(tensor.dataType)}`;
  const external = tensor.dataLocation === ONNX_DATA_EXTERNAL;
  const sources = [...(tensor.raw ? ['raw_data'] : []), ...tensor.typed.map((t) => t.field)];
  if (tensor.dataLocation !== undefined && tensor.dataLocation !== 0 && !external) {
    problems.push(`${where} has data_location ${tensor.dataLocation}, which is neither DEFAULT nor EXTERNAL`);
  }
  if (external && sources.length > 0) {
    problems.push(`${where} is stored externally but also carries ${sources.join(' and ')}`);
  }
  if (!external && tensor.externalData.length > 0) {
    problems.push(`${where} lists external_data but its data_location is not EXTERNAL`);
  }
  if (sources.length > 1) problems.push(`${where} carries its data twice (${sources.join(' and ')})`);
  if (type === undefined || tensor.segmented) return problems;
  if (external) {
    const length = externalInteger(tensor, 'length');
    const offset = externalInteger(tensor, 'offset');
    for (const [key, value] of [
      ['offset', offset],
      ['length', length],
    ] as const) {
      if (value === 'invalid')
        problems.push(`${where} has an external_data ${key} that is not a decimal integer`);
    }
    const expected = rawByteLength(type, elements);
    if (typeof length === 'bigint' && expected !== undefined && length !== expected) {
      problems.push(`${where} is ${shape} (${expected} bytes) but its external_data length is ${length}`);
    }
    return problems;
  }
  if (tensor.raw !== undefined) {
    const expected = rawByteLength(type, elements);
    if (expected === undefined) problems.push(`${where} is a ${type.name} tensor but carries raw_data`);
    else if (BigInt(tensor.raw.length) !== expected) {
      problems.push(
        `${where} is ${shape} (${expected} bytes) but its raw_data holds ${tensor.raw.length} bytes`,
      );
    }
  }
  for (const typed of tensor.typed) {
    if (typed.field !== type.field) {
      problems.push(`${where} is a ${type.name} tensor but carries ${typed.field}`);
      continue;
    }
    const expected = typedEntryCount(type, elements);
    if (typed.count !== undefined && BigInt(typed.count) !== expected) {
      problems.push(`${where} is ${shape} (${expected} entries) but its ${typed.field} holds ${typed.count}`);
    }
  }
  if (sources.length === 0 && elements > 0n) {
    problems.push(`${where} is ${shape} but carries no data`);
  }
  return problems;
}

/**
 * Whether the input is an ONNX model by content: a ModelProto starting with `ir_version` (field 1, a
 * varint in 1..MAX_SNIFFED_IR_VERSION, first in every writer's field order), then valid ModelProto fields
 * up to `graph` (7) or `opset_import` (8), whose length fits the input. ONNX has no magic number; this
 * refuses pickles (0x80), text, and a TensorFlow SavedModel (which also starts `08 01` but has no field 7
 * or 8). A name ending in `.onnx` is a hint: then a first field that is any valid ModelProto field is
 * enough, so a truncated model is reported as malformed rather than unrecognised.
 */
export function isOnnxModel(head: Uint8Array, source: ByteSource, name: string): boolean {
  if (head.length < 2) return false;
  try {
    // Small windows: this runs on every file scanned, and must cost a few tags, not a 1 MB read.
    const reader = new ByteReader(source, 0, SNIFF_WINDOW_BYTES);
    const first = readField(reader, source.size);
    if (!isModelField(first.number, first.wireType)) return false;
    if (first.number === 1 && !saneIrVersion(first.varint)) return false;
    if (/\.onnx$/i.test(name)) return true;
    if (first.number !== 1) return false;
    let position = first.end;
    for (let i = 1; i < MAX_SNIFFED_FIELDS && position < source.size; i++) {
      reader.seek(position);
      const field = readField(reader, source.size);
      if (!isModelField(field.number, field.wireType)) return false;
      const inner = SNIFFED_FIELD_TYPES.get(field.number);
      if (inner !== undefined) return startsWithFieldOf(reader, inner, field.valueOffset, field.end);
      position = field.end;
    }
  } catch (error) {
    if (error instanceof ParseError) return false;
    throw error;
  }
  return false;
}

function saneIrVersion(value: bigint | undefined): boolean {
  return value !== undefined && value >= 1n && value <= BigInt(MAX_SNIFFED_IR_VERSION);
}

function isModelField(number: number, wireType: number): boolean {
  return isFieldOf(MODEL_PROTO, number, wireType);
}

function isFieldOf(type: Type, number: number, wireType: number): boolean {
  const field = type.fieldsById[number];
  if (field === undefined) return false;
  const expected = fieldWireType(field) ?? WIRE_LEN;
  return wireType === expected || (field.repeated && expected !== WIRE_LEN && wireType === WIRE_LEN);
}

/** The embedded graph or opset entry is empty or starts with a well-formed field of its own type. */
function startsWithFieldOf(reader: ByteReader, type: Type, start: number, end: number): boolean {
  if (start === end) return true;
  reader.seek(start);
  const field = readField(reader, end);
  return isFieldOf(type, field.number, field.wireType);
}
