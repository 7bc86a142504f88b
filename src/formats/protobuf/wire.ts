/**
 * The Protocol Buffers wire format (https://protobuf.dev/programming-guides/encoding/), read over a
 * ByteSource so that a message as large as the file (an ONNX model with 2 GB of inline weights, a
 * TensorFlow SavedModel) is walked field by field without being loaded: a length-delimited field is a
 * position and a length until someone asks for its bytes.
 *
 * A message is a sequence of fields, each a tag varint (`field_number << 3 | wire_type`) then a value:
 *
 *   wire type 0 VARINT  base-128 varint, least significant group first, at most 10 bytes
 *   wire type 1 I64     8 bytes little-endian
 *   wire type 2 LEN     varint length, then that many bytes (strings, bytes, messages, packed scalars)
 *   wire type 3 SGROUP  start of a group (deprecated): fields up to the matching EGROUP tag
 *   wire type 4 EGROUP  end of a group
 *   wire type 5 I32     4 bytes little-endian
 *
 * Messages have no end marker and no count: a nested message ends where its LEN field says, the top-level
 * one at the end of the input. Everything here is bounded: varints stop at 10 bytes (the tenth may only
 * carry the 64th bit), a LEN field must fit inside the message that holds it, and groups nest at most
 * MAX_PROTOBUF_GROUP_DEPTH deep. Schema-free: `decode.ts` gives the fields meaning from a schema.
 *
 * Typical use (a TensorFlow SavedModel or ONNX walker):
 *
 *   const reader = new ByteReader(source);
 *   for (const field of readFields(reader, 0, source.size)) {
 *     if (field.number === 7 && field.wireType === WIRE_LEN) walkGraph(reader, field.valueOffset, field.end);
 *   }
 */
import type { ByteReader } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_SGROUP = 3;
export const WIRE_EGROUP = 4;
export const WIRE_I32 = 5;
export type WireType = 0 | 1 | 2 | 3 | 4 | 5;

/** A 64-bit varint takes at most ten 7-bit groups; protobuf's parsers refuse longer ones. */
export const MAX_VARINT_BYTES = 10;
/** Field numbers are 29 bits (protobuf's `kMaxNumber`); 0 is invalid. */
export const MAX_FIELD_NUMBER = 0x1fff_ffff;
/**
 * Groups nested in groups while skipping an unknown group: protobuf's own parsers stop at their recursion
 * limit (100); a group bomb (`SGROUP` repeated millions of times) must not recurse or loop unbounded.
 */
export const MAX_PROTOBUF_GROUP_DEPTH = 64;

/** One field of a message as it sits in the input. Offsets are absolute within the source. */
export interface WireField {
  readonly number: number;
  readonly wireType: WireType;
  /** Where the tag starts. */
  readonly offset: number;
  /** Where the value starts: for LEN, the payload after the length; for a group, the first inner field. */
  readonly valueOffset: number;
  /** Bytes of the value: the LEN payload, 4 or 8, the varint's own bytes, or a group's fields. */
  readonly length: number;
  /** Where the field ends (after a group's end tag). */
  readonly end: number;
  /** A VARINT field's value, as the unsigned 64-bit integer on the wire (reinterpret it by type). */
  readonly varint: bigint | undefined;
}

/**
 * Reads a varint at the cursor as an unsigned 64-bit bigint. Throws BAD_VALUE for more than ten bytes or
 * a tenth byte above 1 (a value over 64 bits, which protobuf's parsers refuse), TRUNCATED at the end.
 */
export function readVarint(reader: ByteReader, what = 'varint'): bigint {
  const start = reader.offset;
  // 7 groups (49 bits) fit a double exactly: most varints (tags, lengths, small ints) never need bigint.
  let low = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const byte = reader.u8(what);
    low += (byte & 0x7f) * scale;
    if (byte < 0x80) return BigInt(low);
    scale *= 128;
  }
  let value = BigInt(low);
  let shift = 49n;
  for (let i = 7; i < MAX_VARINT_BYTES; i++) {
    const byte = reader.u8(what);
    if (i === MAX_VARINT_BYTES - 1 && byte > 1) {
      throw new ParseError('BAD_VALUE', `${what} overflows 64 bits`, start);
    }
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return value;
    shift += 7n;
  }
  throw new ParseError('BAD_VALUE', `${what} is longer than ${MAX_VARINT_BYTES} bytes`, start);
}

/** A varint that must be a safe JavaScript integer (a tag, a length); throws LIMIT_EXCEEDED otherwise. */
export function readVarintNumber(reader: ByteReader, what = 'varint'): number {
  const start = reader.offset;
  const value = readVarint(reader, what);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ParseError('LIMIT_EXCEEDED', `${what} ${value} is too large`, start);
  }
  return Number(value);
}

/**
 * The fields of the message occupying `[start, end)` of the reader's source, in order. Values are not
 * read (apart from varints): a LEN field's payload, however large, is skipped by its length, so callers
 * decide what to read. The reader's cursor is free for the caller between fields: each step seeks itself.
 * Throws ParseError with the offset for a malformed tag, a varint or field that crosses `end`, an
 * unmatched group end, or a truncated input.
 */
export function* readFields(reader: ByteReader, start: number, end: number): Generator<WireField> {
  let position = start;
  while (position < end) {
    reader.seek(position);
    const field = readField(reader, end);
    position = field.end;
    yield field;
  }
}

/** Reads the one field at the cursor; `end` is the end of the enclosing message. */
export function readField(reader: ByteReader, end: number, groupDepth = 0): WireField {
  const offset = reader.offset;
  const tag = readVarintNumber(reader, 'field tag');
  const number = Math.floor(tag / 8);
  const wireType = tag % 8;
  if (number === 0 || number > MAX_FIELD_NUMBER) {
    throw new ParseError('BAD_VALUE', `invalid field number ${number} in tag`, offset);
  }
  if (wireType > WIRE_I32) throw new ParseError('BAD_VALUE', `invalid wire type ${wireType}`, offset);
  const valueOffset = reader.offset;
  let varint: bigint | undefined;
  let length: number;
  let fieldEnd: number;
  switch (wireType as WireType) {
    case WIRE_VARINT:
      varint = readVarint(reader, `varint of field ${number}`);
      length = reader.offset - valueOffset;
      fieldEnd = reader.offset;
      break;
    case WIRE_I64:
      length = 8;
      fieldEnd = valueOffset + 8;
      break;
    case WIRE_I32:
      length = 4;
      fieldEnd = valueOffset + 4;
      break;
    case WIRE_LEN: {
      length = readVarintNumber(reader, `length of field ${number}`);
      const payload = reader.offset;
      if (payload + length > end) {
        throw new ParseError(
          'BAD_STRUCTURE',
          `field ${number} declares ${length} byte(s), past the end of its message at ${end}`,
          offset,
        );
      }
      return {
        number,
        wireType: WIRE_LEN,
        offset,
        valueOffset: payload,
        length,
        end: payload + length,
        varint,
      };
    }
    case WIRE_SGROUP: {
      if (groupDepth >= MAX_PROTOBUF_GROUP_DEPTH) {
        throw new ParseError(
          'LIMIT_EXCEEDED',
          `groups nested more than ${MAX_PROTOBUF_GROUP_DEPTH} deep`,
          offset,
        );
      }
      for (;;) {
        if (reader.offset >= end) {
          throw new ParseError('BAD_STRUCTURE', `group ${number} has no end tag before ${end}`, offset);
        }
        const inner = reader.offset;
        if (readVarintNumber(reader, 'field tag') === number * 8 + WIRE_EGROUP) {
          length = inner - valueOffset;
          fieldEnd = reader.offset;
          break;
        }
        reader.seek(inner);
        const field = readField(reader, end, groupDepth + 1);
        reader.seek(field.end);
      }
      break;
    }
    case WIRE_EGROUP:
      throw new ParseError('BAD_STRUCTURE', `end of group ${number} without its start`, offset);
  }
  if (fieldEnd > end) {
    throw new ParseError(
      'BAD_STRUCTURE',
      `field ${number} runs past the end of its message at ${end}`,
      offset,
    );
  }
  if (fieldEnd > reader.size) {
    throw new ParseError('TRUNCATED', `unexpected end of data in field ${number}`, offset);
  }
  return { number, wireType: wireType as WireType, offset, valueOffset, length, end: fieldEnd, varint };
}

/**
 * Counts the varints of a packed run `[start, end)` without decoding them (a packed `int64_data` of a
 * large tensor is counted, not materialised). Throws like `readVarint` for a malformed varint or one that
 * crosses `end`.
 */
export function countPackedVarints(reader: ByteReader, start: number, end: number): number {
  let count = 0;
  let run = 0;
  reader.seek(start);
  while (reader.offset < end) {
    const chunk = reader.bytes(Math.min(end - reader.offset, 1 << 16), 'packed varints');
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      run++;
      if (run === MAX_VARINT_BYTES && byte > 1) {
        throw new ParseError(
          'BAD_VALUE',
          'packed varint overflows 64 bits',
          reader.offset - chunk.length + i,
        );
      }
      if (byte < 0x80) {
        count++;
        run = 0;
      }
    }
  }
  if (run !== 0) throw new ParseError('BAD_STRUCTURE', 'packed varints end inside a varint', end);
  return count;
}

/** ZigZag decoding of a `sint32`/`sint64` wire value (protobuf encoding guide, "Signed Integers"). */
export function zigZagDecode(value: bigint): bigint {
  return (value >> 1n) ^ -(value & 1n);
}
