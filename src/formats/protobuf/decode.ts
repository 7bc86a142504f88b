/**
 * A bounded, schema-driven protobuf decoder over a ByteSource: the wire walker (wire.ts) gives the fields,
 * a protobufjs reflection `Type` (built from a vendored .proto) gives them names and types.
 *
 * Why not protobufjs's own `Type.decode`: it needs the whole message in memory (for ONNX, the whole file,
 * up to 2 GB of inline weights), copies every bytes field, has no limit on the number of fields, and
 * cannot hand back where a field was. Here protobufjs supplies only the schema, and this decoder:
 *
 * - reads a `bytes` field longer than `maxInlineBytes` (a `string` one longer than `maxInlineStringBytes`)
 *   as a `ProtoRef` (position and length), never its bytes, so tensor payloads cost nothing;
 * - leaves packed numeric runs longer than `maxInlinePackedBytes` undecoded, with their element count
 *   (from the length for fixed-size types, counted varint by varint, up to `maxCountedPackedBytes`, for
 *   the others);
 * - merges repeated occurrences of a singular message field, and lets the last occurrence of a singular
 *   scalar win, as protobuf parsers do (an evasion that splits a graph over two `graph` fields is read as
 *   the loader reads it), and records which singular fields occurred more than once;
 * - treats fields the schema does not know, or whose wire type does not match their declared type, as
 *   unknown fields (skipped and listed), as protobuf's parsers do;
 * - bounds nesting depth, the number of fields and the bytes it copies, each a named limit.
 */

import { Enum, type Field, type Type } from 'protobufjs/light.js';
import { ByteReader, type ByteSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import {
  countPackedVarints,
  readFields,
  readVarint,
  WIRE_I32,
  WIRE_I64,
  WIRE_LEN,
  WIRE_VARINT,
  type WireField,
  type WireType,
  zigZagDecode,
} from './wire.js';

/**
 * Messages nested in messages. protobuf's C++ and Python parsers refuse more than 100 (their default
 * recursion limit), so nothing deeper loads; stops stack exhaustion on a message nested a million deep.
 */
export const MAX_PROTOBUF_DEPTH = 100;
/**
 * Fields decoded in one input, across all messages. A large ONNX graph (100k nodes, their attributes and
 * initializers) has a few million; stops inputs made of millions of tiny fields from exhausting memory.
 */
export const MAX_PROTOBUF_FIELDS = 8_000_000;
/** `bytes` fields up to this size are copied; longer ones are referenced by position (tensor payloads). */
export const MAX_INLINE_BYTES = 4096;
/** `string` fields up to this size are decoded; longer ones are referenced (a 10 MB doc string). */
export const MAX_INLINE_STRING_BYTES = 1024 * 1024;
/** Packed numeric runs up to this size are decoded; longer ones are only counted (inline weights). */
export const MAX_INLINE_PACKED_BYTES = 4096;
/** Packed varint runs up to this size are counted; the count of a longer one is left unknown. */
export const MAX_COUNTED_PACKED_BYTES = 64 * 1024 * 1024;
/**
 * Bytes read from the source at a time. Small, because between two fields there may be a payload that is
 * skipped: with 1 MB windows, a model of 1 MB tensors would be read whole just to find the next tags.
 */
export const PROTOBUF_WINDOW_BYTES = 16 * 1024;
/** Bytes copied out of the input in total (strings and small bytes fields): bounds the decoded tree. */
export const MAX_PROTOBUF_DECODED_BYTES = 256 * 1024 * 1024;

export interface ProtoDecodeLimits {
  readonly maxDepth: number;
  readonly maxFields: number;
  readonly maxInlineBytes: number;
  readonly maxInlineStringBytes: number;
  readonly maxInlinePackedBytes: number;
  readonly maxCountedPackedBytes: number;
  readonly maxDecodedBytes: number;
}

export const DEFAULT_PROTO_DECODE_LIMITS: ProtoDecodeLimits = {
  maxDepth: MAX_PROTOBUF_DEPTH,
  maxFields: MAX_PROTOBUF_FIELDS,
  maxInlineBytes: MAX_INLINE_BYTES,
  maxInlineStringBytes: MAX_INLINE_STRING_BYTES,
  maxInlinePackedBytes: MAX_INLINE_PACKED_BYTES,
  maxCountedPackedBytes: MAX_COUNTED_PACKED_BYTES,
  maxDecodedBytes: MAX_PROTOBUF_DECODED_BYTES,
};

/** A `bytes` or `string` value that was not read: where it is. */
export interface ProtoRef {
  readonly kind: 'ref';
  readonly offset: number;
  readonly length: number;
}

/** A packed run of numbers that was not decoded: where it is and how many elements it holds. */
export interface ProtoPackedRun {
  readonly kind: 'packed';
  readonly offset: number;
  readonly length: number;
  /** Elements in the run; undefined when a varint run is longer than `maxCountedPackedBytes`. */
  readonly count: number | undefined;
}

/** A field the schema does not know, or whose wire type does not match its declared type. */
export interface ProtoUnknownField {
  readonly number: number;
  readonly wireType: WireType;
  readonly offset: number;
  readonly length: number;
  /** Where the value starts (for a LEN field, its payload, which runs to `offset + length`). */
  readonly valueOffset: number;
  /** The schema's name for the field when only the wire type was wrong. */
  readonly declaredAs?: string;
}

export interface ProtoMessage {
  readonly kind: 'message';
  /** Fully qualified type name without the leading dot, e.g. `onnx.NodeProto`. */
  readonly type: string;
  /** Where the message's first byte is (of its first occurrence when occurrences were merged). */
  readonly offset: number;
  /** Values by field name, in input order: numbers are int32-like types, bigints the 64-bit ones. */
  readonly fields: ReadonlyMap<string, readonly ProtoValue[]>;
  readonly unknown: readonly ProtoUnknownField[];
  /** Names of singular fields given more than once (last scalar wins, messages are merged). */
  readonly repeatedSingular: readonly string[];
}

export type ProtoValue =
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | ProtoRef
  | ProtoPackedRun
  | ProtoMessage;

export interface ProtoDecodeOptions {
  readonly limits?: Partial<ProtoDecodeLimits>;
  /**
   * Fully qualified field names (`onnx.GraphProto.value_info`) whose values are neither decoded nor kept:
   * what the caller has no use for costs neither memory nor field budget. Their tags are still checked.
   */
  readonly ignore?: ReadonlySet<string>;
  /**
   * Fully qualified `bytes`/`string` fields always returned as a `ProtoRef`, whatever their length (tensor
   * payloads: their position matters, their bytes do not).
   */
  readonly refs?: ReadonlySet<string>;
}

interface DecodeState {
  readonly reader: ByteReader;
  readonly limits: ProtoDecodeLimits;
  readonly ignore: ReadonlySet<string>;
  readonly refs: ReadonlySet<string>;
  fields: number;
  decodedBytes: number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * Decodes the message of type `type` occupying `[start, end)` of `source` (the whole source by default).
 * `type` must come from a resolved protobufjs Root (`Root.fromJSON(...).resolveAll()`). Throws ParseError
 * (with the offset) for malformed input or a limit exceeded.
 */
export function decodeProtoMessage(
  source: ByteSource,
  type: Type,
  options: ProtoDecodeOptions = {},
  start = 0,
  end = source.size,
): ProtoMessage {
  const state: DecodeState = {
    reader: new ByteReader(source, 0, PROTOBUF_WINDOW_BYTES),
    limits: { ...DEFAULT_PROTO_DECODE_LIMITS, ...options.limits },
    ignore: options.ignore ?? new Set(),
    refs: options.refs ?? new Set(),
    fields: 0,
    decodedBytes: 0,
  };
  return decodeMessage(state, type, start, end, 0);
}

const VARINT_TYPES = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);
const FIXED32_TYPES = new Set(['fixed32', 'sfixed32', 'float']);
const FIXED64_TYPES = new Set(['fixed64', 'sfixed64', 'double']);

/** The wire type a scalar field is written with (enums are varints); undefined for messages. */
export function fieldWireType(field: Field): WireType | undefined {
  if (field.resolvedType !== null && field.resolvedType !== undefined) {
    return field.resolvedType instanceof Enum ? WIRE_VARINT : undefined;
  }
  if (VARINT_TYPES.has(field.type)) return WIRE_VARINT;
  if (FIXED32_TYPES.has(field.type)) return WIRE_I32;
  if (FIXED64_TYPES.has(field.type)) return WIRE_I64;
  return WIRE_LEN; // string, bytes
}

function decodeMessage(
  state: DecodeState,
  type: Type,
  start: number,
  end: number,
  depth: number,
): ProtoMessage {
  if (depth > state.limits.maxDepth) {
    throw new ParseError('LIMIT_EXCEEDED', `messages nested more than ${state.limits.maxDepth} deep`, start);
  }
  const fields = new Map<string, ProtoValue[]>();
  const unknown: ProtoUnknownField[] = [];
  const repeatedSingular = new Set<string>();
  for (const wire of readFields(state.reader, start, end)) {
    if (++state.fields > state.limits.maxFields) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `more than ${state.limits.maxFields} protobuf fields`,
        wire.offset,
      );
    }
    const field = type.fieldsById[wire.number];
    if (field === undefined) {
      unknown.push(unknownField(wire));
      continue;
    }
    const name = field.name;
    const expected = fieldWireType(field);
    const packed =
      field.repeated && expected !== undefined && expected !== WIRE_LEN && wire.wireType === WIRE_LEN;
    if (wire.wireType !== (expected ?? WIRE_LEN) && !packed) {
      unknown.push({ ...unknownField(wire), declaredAs: name });
      continue;
    }
    const fullName = qualifiedName(field);
    if (state.ignore.has(fullName)) continue;
    const values = fields.get(name) ?? [];
    if (!field.repeated && values.length > 0) repeatedSingular.add(name);
    if (expected === undefined) {
      const message = decodeMessage(state, field.resolvedType as Type, wire.valueOffset, wire.end, depth + 1);
      if (!field.repeated && values.length > 0) {
        values[0] = mergeMessages(values[0] as ProtoMessage, message);
      } else {
        values.push(message);
      }
    } else if (packed) {
      values.push(...decodePacked(state, field, expected, wire));
    } else {
      const value = state.refs.has(fullName)
        ? { kind: 'ref' as const, offset: wire.valueOffset, length: wire.length }
        : decodeScalar(state, field, wire);
      if (field.repeated) values.push(value);
      else values[0] = value; // last one wins
    }
    fields.set(name, values);
  }
  return {
    kind: 'message',
    type: qualifiedName(type),
    offset: start,
    fields,
    unknown,
    repeatedSingular: [...repeatedSingular].sort(),
  };
}

/** protobufjs computes `fullName` by walking parents on every access: cached, as it is asked per field. */
const QUALIFIED_NAMES = new WeakMap<Field | Type, string>();
function qualifiedName(item: Field | Type): string {
  let name = QUALIFIED_NAMES.get(item);
  if (name === undefined) {
    name = item.fullName.replace(/^\./, '');
    QUALIFIED_NAMES.set(item, name);
  }
  return name;
}

function unknownField(wire: WireField): ProtoUnknownField {
  return {
    number: wire.number,
    wireType: wire.wireType,
    offset: wire.offset,
    length: wire.end - wire.offset,
    valueOffset: wire.valueOffset,
  };
}

/** protobuf's MergeFrom: repeated fields concatenate, singular scalars take the later value, messages merge. */
function mergeMessages(first: ProtoMessage, later: ProtoMessage): ProtoMessage {
  const fields = new Map<string, ProtoValue[]>();
  for (const [name, values] of first.fields) fields.set(name, [...values]);
  for (const [name, values] of later.fields) {
    const had = fields.get(name);
    fields.set(name, had === undefined ? [...values] : [...had, ...values]);
  }
  return {
    kind: 'message',
    type: first.type,
    offset: first.offset,
    fields,
    unknown: [...first.unknown, ...later.unknown],
    repeatedSingular: [...new Set([...first.repeatedSingular, ...later.repeatedSingular])].sort(),
  };
}

function decodeScalar(state: DecodeState, field: Field, wire: WireField): ProtoValue {
  const { reader } = state;
  switch (wire.wireType) {
    case WIRE_VARINT:
      return varintValue(field, wire.varint as bigint);
    case WIRE_I32: {
      reader.seek(wire.valueOffset);
      const bytes = reader.bytes(4, field.name);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
      if (field.type === 'float') return view.getFloat32(0, true);
      return field.type === 'sfixed32' ? view.getInt32(0, true) : view.getUint32(0, true);
    }
    case WIRE_I64: {
      reader.seek(wire.valueOffset);
      const bytes = reader.bytes(8, field.name);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
      if (field.type === 'double') return view.getFloat64(0, true);
      return field.type === 'sfixed64' ? view.getBigInt64(0, true) : view.getBigUint64(0, true);
    }
    default: {
      const isString = field.type === 'string';
      const inline = isString ? state.limits.maxInlineStringBytes : state.limits.maxInlineBytes;
      if (wire.length > inline || state.decodedBytes + wire.length > state.limits.maxDecodedBytes) {
        return { kind: 'ref', offset: wire.valueOffset, length: wire.length };
      }
      state.decodedBytes += wire.length;
      reader.seek(wire.valueOffset);
      const bytes = new Uint8Array(reader.bytes(wire.length, field.name)); // a copy, and never a Buffer
      // proto2 does not require valid UTF-8 in strings (C++ only logs); invalid bytes read as U+FFFD.
      return isString ? utf8.decode(bytes) : bytes;
    }
  }
}

/** A varint as the field's declared type reads it (protobuf encoding guide, "Varints" and "Signed Integers"). */
function varintValue(field: Field, raw: bigint): number | bigint | boolean {
  if (field.resolvedType !== null && field.resolvedType !== undefined) return Number(BigInt.asIntN(32, raw));
  switch (field.type) {
    case 'int32':
      return Number(BigInt.asIntN(32, raw));
    case 'uint32':
      return Number(BigInt.asUintN(32, raw));
    case 'sint32':
      return Number(BigInt.asIntN(32, zigZagDecode(BigInt.asUintN(32, raw))));
    case 'int64':
      return BigInt.asIntN(64, raw);
    case 'sint64':
      return zigZagDecode(raw);
    case 'bool':
      return raw !== 0n;
    default:
      return raw; // uint64
  }
}

/** A packed run: decoded when short, else one `ProtoPackedRun` with its element count. */
function decodePacked(state: DecodeState, field: Field, wireType: WireType, wire: WireField): ProtoValue[] {
  const { reader, limits } = state;
  const size = wireType === WIRE_I32 ? 4 : wireType === WIRE_I64 ? 8 : 0;
  if (size > 0 && wire.length % size !== 0) {
    throw new ParseError(
      'BAD_STRUCTURE',
      `packed ${field.name} holds ${wire.length} byte(s), not a multiple of ${size}`,
      wire.offset,
    );
  }
  if (wire.length > limits.maxInlinePackedBytes) {
    let count: number | undefined;
    if (size > 0) count = wire.length / size;
    else if (wire.length <= limits.maxCountedPackedBytes)
      count = countPackedVarints(reader, wire.valueOffset, wire.end);
    return [{ kind: 'packed', offset: wire.valueOffset, length: wire.length, count }];
  }
  const out: ProtoValue[] = [];
  reader.seek(wire.valueOffset);
  while (reader.offset < wire.end) {
    if (++state.fields > limits.maxFields) {
      throw new ParseError('LIMIT_EXCEEDED', `more than ${limits.maxFields} protobuf fields`, reader.offset);
    }
    const at = reader.offset;
    if (size === 0) {
      out.push(varintValue(field, readVarint(reader, field.name)));
      if (reader.offset > wire.end) {
        throw new ParseError('BAD_STRUCTURE', `packed ${field.name} ends inside a varint`, at);
      }
    } else {
      out.push(decodeScalar(state, field, { ...wire, wireType, valueOffset: at, length: size }));
      reader.seek(at + size);
    }
  }
  return out;
}

/** The values of field `name` (empty when absent). */
export function protoValues(message: ProtoMessage, name: string): readonly ProtoValue[] {
  return message.fields.get(name) ?? [];
}

/** The value of singular field `name` (the last occurrence), or undefined. */
export function protoValue(message: ProtoMessage, name: string): ProtoValue | undefined {
  const values = message.fields.get(name);
  return values === undefined ? undefined : values[values.length - 1];
}

/** The sub-messages of field `name`. */
export function protoMessages(message: ProtoMessage, name: string): readonly ProtoMessage[] {
  return protoValues(message, name).filter(isProtoMessage);
}

export function isProtoMessage(value: ProtoValue | undefined): value is ProtoMessage {
  return typeof value === 'object' && !(value instanceof Uint8Array) && value.kind === 'message';
}

export function isProtoRef(value: ProtoValue | undefined): value is ProtoRef {
  return typeof value === 'object' && !(value instanceof Uint8Array) && value.kind === 'ref';
}

export function isProtoPackedRun(value: ProtoValue | undefined): value is ProtoPackedRun {
  return typeof value === 'object' && !(value instanceof Uint8Array) && value.kind === 'packed';
}
