/**
 * A bounded walk over protobuf wire format (protobuf.dev/programming-guides/encoding), run before
 * protobufjs decodes anything. protobufjs allocates an object per message and a value per field and only
 * stops nesting at depth 100; this walk, iterative and allocation-free, refuses input that would cost more
 * than the limits below, and names the field and offset of any structural error, which protobufjs' messages
 * ("index out of range") do not.
 *
 * It follows the schema: fields pedigree's trimmed schema knows are descended into (their messages) or
 * counted (their values); every other field is stepped over, as TensorFlow's C++ parser and protobufjs both
 * ignore unknown fields (also known fields with another wire type, which both read as unknown).
 */

import type protobuf from 'protobufjs/light.js';
import { ParseError } from '../../core/errors.js';
import {
  MAX_FIELD_NUMBER,
  WIRE_EGROUP,
  WIRE_I32,
  WIRE_I64,
  WIRE_LEN,
  WIRE_SGROUP,
  WIRE_VARINT,
} from '../protobuf/wire.js';

/**
 * Nested messages (and groups) deeper than this are refused. Real SavedModels nest about a dozen levels
 * (SavedModel > MetaGraphDef > GraphDef > FunctionDefLibrary > FunctionDef > NodeDef > attr > AttrValue >
 * NameAttrList > ...); protobufjs and TensorFlow's C++ parser stop at 100.
 */
export const MAX_PROTO_DEPTH = 64;
/**
 * Fields of known (decoded) messages in one file: each costs protobufjs an object or a value. A large
 * SavedModel (a BERT with its training functions) has a few million; a hostile file of two-byte empty
 * nodes would make hundreds of millions.
 */
export const MAX_DECODED_FIELDS = 8_000_000;

export interface WireLimits {
  readonly maxDepth: number;
  readonly maxFields: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = { maxDepth: MAX_PROTO_DEPTH, maxFields: MAX_DECODED_FIELDS };

export interface WireSummary {
  /** Fields of known messages, which protobufjs will decode. */
  readonly fields: number;
  /** Deepest message nesting seen (the top message is depth 0). */
  readonly depth: number;
}

interface Frame {
  readonly end: number;
  /** Message type whose fields are known here; undefined inside unknown groups. */
  readonly type: protobuf.Type | undefined;
  /** For a map entry: the value's message type (field 2), if the value is a message. */
  readonly mapValue: protobuf.Type | undefined;
  readonly isMapEntry: boolean;
  /** Field number of the group this frame is, which its end-group tag must repeat. */
  readonly group: number | undefined;
  /** Field name that opened this frame, for error paths. */
  readonly name: string;
}

/**
 * A protobuf varint at `pos`: its value (exact up to 2^53) and the position after it. Throws on a varint
 * longer than 10 bytes or cut off by `end`.
 */
export function readVarint(bytes: Uint8Array, pos: number, end: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) throw new ParseError('TRUNCATED', 'varint cut off', pos);
    const byte = bytes[pos++] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
    scale *= 128;
  }
  throw new ParseError('BAD_VALUE', 'varint longer than 10 bytes', pos - 10);
}

/**
 * Walks `bytes` as one `type` message: every length within its enclosing message, every tag valid, groups
 * closed, nesting and decoded fields under the limits. Throws `ParseError` naming the field path.
 */
export function checkWire(
  bytes: Uint8Array,
  type: protobuf.Type,
  limits: WireLimits = DEFAULT_WIRE_LIMITS,
): WireSummary {
  const stack: Frame[] = [
    { end: bytes.length, type, mapValue: undefined, isMapEntry: false, group: undefined, name: type.name },
  ];
  let pos = 0;
  let fields = 0;
  let maxDepth = 0;
  const where = () => stack.map((f) => f.name).join('.');
  const push = (frame: Frame) => {
    if (stack.length > limits.maxDepth) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `messages nested more than ${limits.maxDepth} deep in ${where()}`,
        pos,
      );
    }
    stack.push(frame);
    maxDepth = Math.max(maxDepth, stack.length - 1);
  };
  const count = () => {
    if (++fields > limits.maxFields) {
      throw new ParseError(
        'LIMIT_EXCEEDED',
        `more than ${limits.maxFields} decoded fields (in ${where()})`,
        pos,
      );
    }
  };

  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (pos >= frame.end) {
      if (frame.group !== undefined) {
        throw new ParseError('TRUNCATED', `group ${frame.group} in ${where()} is never closed`, pos);
      }
      stack.pop();
      continue;
    }
    const tagAt = pos;
    let tag: number;
    [tag, pos] = readVarint(bytes, pos, frame.end);
    const fieldNumber = Math.floor(tag / 8);
    const wire = tag % 8;
    if (fieldNumber === 0 || fieldNumber > MAX_FIELD_NUMBER) {
      throw new ParseError('BAD_VALUE', `invalid field number ${fieldNumber} in ${where()}`, tagAt);
    }
    const field = frame.isMapEntry ? undefined : frame.type?.fieldsById[fieldNumber];
    const known = frame.isMapEntry ? fieldNumber <= 2 : field !== undefined;
    switch (wire) {
      case WIRE_VARINT:
        [, pos] = readVarint(bytes, pos, frame.end);
        if (known) count();
        break;
      case WIRE_I64:
      case WIRE_I32: {
        const n = wire === WIRE_I64 ? 8 : 4;
        if (pos + n > frame.end) {
          throw new ParseError('TRUNCATED', `fixed-size field ${fieldNumber} in ${where()} cut off`, tagAt);
        }
        pos += n;
        if (known) count();
        break;
      }
      case WIRE_LEN: {
        let length: number;
        [length, pos] = readVarint(bytes, pos, frame.end);
        if (length > frame.end - pos) {
          throw new ParseError(
            'TRUNCATED',
            `field ${field?.name ?? fieldNumber} in ${where()} is ${length} bytes long but only ${frame.end - pos} remain in its message`,
            tagAt,
          );
        }
        const end = pos + length;
        const child = childFrame(frame, field, fieldNumber, end);
        if (known) count();
        if (child !== undefined) push(child);
        else pos = end;
        break;
      }
      case WIRE_SGROUP:
        // Groups are proto2-only and TensorFlow never writes them, but its parser (and protobufjs) skip
        // them in unknown fields, so they are walked, not refused.
        push({
          end: frame.end,
          type: undefined,
          mapValue: undefined,
          isMapEntry: false,
          group: fieldNumber,
          name: `group${fieldNumber}`,
        });
        break;
      case WIRE_EGROUP:
        if (frame.group !== fieldNumber) {
          throw new ParseError(
            'BAD_STRUCTURE',
            `unexpected end of group ${fieldNumber} in ${where()}`,
            tagAt,
          );
        }
        stack.pop();
        break;
      default:
        throw new ParseError(
          'BAD_VALUE',
          `invalid wire type ${wire} for field ${fieldNumber} in ${where()}`,
          tagAt,
        );
    }
  }
  return { fields, depth: maxDepth };
}

/** The frame a length-delimited field opens, if it is a message pedigree decodes. */
function childFrame(
  frame: Frame,
  field: protobuf.Field | undefined,
  fieldNumber: number,
  end: number,
): Frame | undefined {
  if (frame.isMapEntry) {
    if (fieldNumber !== 2 || frame.mapValue === undefined) return undefined;
    return {
      end,
      type: frame.mapValue,
      mapValue: undefined,
      isMapEntry: false,
      group: undefined,
      name: 'value',
    };
  }
  if (field === undefined) return undefined;
  field.resolve();
  if (field.map) {
    const value = field.resolvedType;
    return {
      end,
      type: undefined,
      mapValue: value !== null && 'fieldsById' in value ? (value as protobuf.Type) : undefined,
      isMapEntry: true,
      group: undefined,
      name: field.name,
    };
  }
  const resolved = field.resolvedType;
  if (resolved !== null && 'fieldsById' in resolved) {
    return {
      end,
      type: resolved as protobuf.Type,
      mapValue: undefined,
      isMapEntry: false,
      group: undefined,
      name: field.name,
    };
  }
  return undefined;
}

/**
 * Whether the first bytes of a file read as top-level fields of a message whose fields are `known`
 * (field number -> wire type), each length-delimited field of `nested` opening with a tag its own message
 * knows. A cut-off last field is fine (the head is only the start of the file); anything else not.
 */
export function headMatches(
  head: Uint8Array,
  size: number,
  known: Readonly<Record<number, number>>,
  nested: Readonly<Record<number, Readonly<Record<number, number>>>> = {},
  options: { readonly cutOff?: boolean } = {},
): boolean {
  let pos = 0;
  let fields = 0;
  try {
    while (pos < head.length) {
      const [tag, afterTag] = readVarint(head, pos, head.length);
      const fieldNumber = Math.floor(tag / 8);
      const wire = tag % 8;
      if (known[fieldNumber] !== wire) return false;
      fields++;
      if (wire === WIRE_VARINT) {
        [, pos] = readVarint(head, afterTag, head.length);
        continue;
      }
      if (wire !== WIRE_LEN) {
        pos = afterTag + (wire === WIRE_I64 ? 8 : 4);
        continue;
      }
      const [length, body] = readVarint(head, afterTag, head.length);
      const inner = nested[fieldNumber];
      if (inner !== undefined && length > 0 && body < head.length) {
        const [innerTag] = readVarint(head, body, Math.min(head.length, body + length));
        if (inner[Math.floor(innerTag / 8)] !== innerTag % 8) return false;
      }
      // A length past the end of the file: a cut-off file of this kind when the caller allows it.
      if (body + length > size) return options.cutOff === true;
      pos = body + length;
    }
  } catch {
    // A varint cut off by the end of the head: the fields before it decide.
    return fields > 0 && head.length < size;
  }
  return fields > 0;
}

/**
 * Whether the first bytes are protobuf wire format at all (any field numbers): valid tags, lengths within
 * the file. For files named like a SavedModel, which TensorFlow parses whatever unknown fields they hold.
 */
export function headIsWireFormat(head: Uint8Array, size: number): boolean {
  let pos = 0;
  let fields = 0;
  try {
    while (pos < head.length) {
      const [tag, afterTag] = readVarint(head, pos, head.length);
      const fieldNumber = Math.floor(tag / 8);
      const wire = tag % 8;
      if (fieldNumber === 0 || fieldNumber > MAX_FIELD_NUMBER) return false;
      fields++;
      if (wire === WIRE_VARINT) [, pos] = readVarint(head, afterTag, head.length);
      else if (wire === WIRE_I64) pos = afterTag + 8;
      else if (wire === WIRE_I32) pos = afterTag + 4;
      else if (wire === WIRE_LEN) {
        const [length, body] = readVarint(head, afterTag, head.length);
        if (body + length > size) return false;
        pos = body + length;
      } else if (wire === WIRE_SGROUP)
        return true; // groups are walked in full by checkWire
      else return false;
    }
  } catch {
    return fields > 0 && head.length < size;
  }
  return fields > 0 && pos <= size;
}
