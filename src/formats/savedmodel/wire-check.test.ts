import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { TENSORFLOW_WIRE_FIELDS } from './schema.generated.js';
import { tensorflowType } from './schema.js';
import { buildSavedModel, concat, lenField, node, standardMetaGraph, varint } from './test-support.js';
import { checkWire, headIsWireFormat, headMatches, MAX_PROTO_DEPTH, readVarint } from './wire-check.js';

const SavedModel = tensorflowType('SavedModel');
const GraphDef = tensorflowType('GraphDef');

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

/** `depth` AttrValues nested through NameAttrList.attr maps, inside one node of a GraphDef. */
function nestedAttrs(depth: number): Uint8Array {
  let value: Uint8Array = new Uint8Array(0); // an empty AttrValue
  for (let i = 0; i < depth; i++) {
    const entry = concat(lenField(1, [0x61]), lenField(2, value)); // map entry {key: "a", value}
    const func = concat(lenField(1, [0x66]), lenField(2, entry)); // NameAttrList {name: "f", attr}
    value = lenField(10, func); // AttrValue {func}
  }
  const attrEntry = concat(lenField(1, [0x66]), lenField(2, value));
  return lenField(1, concat(lenField(1, [0x6e]), lenField(2, [0x4f, 0x70]), lenField(5, attrEntry)));
}

describe('readVarint', () => {
  it('reads multi-byte values exactly beyond 32 bits', () => {
    expect(readVarint(new Uint8Array(varint(300)), 0, 2)).toEqual([300, 2]);
    expect(readVarint(new Uint8Array(varint(2 ** 40 + 5)), 0, 6)[0]).toBe(2 ** 40 + 5);
  });

  it('refuses a varint cut off or longer than ten bytes', () => {
    expect(parseError(() => readVarint(new Uint8Array([0x80, 0x80]), 0, 2)).code).toBe('TRUNCATED');
    expect(parseError(() => readVarint(new Uint8Array(11).fill(0x80), 0, 11)).code).toBe('BAD_VALUE');
  });
});

describe('checkWire', () => {
  it('accepts a SavedModel the builder wrote and counts its decoded fields', () => {
    const bytes = buildSavedModel(standardMetaGraph([node('x', 'Relu', ['MatMul:product:0'])]));
    const summary = checkWire(bytes, SavedModel);
    expect(summary.fields).toBeGreaterThan(50);
    expect(summary.depth).toBeGreaterThanOrEqual(7);
  });

  it('steps over unknown fields of every wire type, and groups', () => {
    const unknown = concat(
      [0xf8, 0x01, 0x05], // field 31 varint
      [0xf9, 0x01, 1, 2, 3, 4, 5, 6, 7, 8], // field 31 i64
      [0xfd, 0x01, 1, 2, 3, 4], // field 31 i32
      lenField(31, [1, 2, 3]),
      [0xfb, 0x01, 0x08, 0x01, 0xfc, 0x01], // group 31 { field 1 varint } end group 31
    );
    expect(checkWire(unknown, SavedModel).fields).toBe(0);
  });

  it('names the field and offset of a length running past its message', () => {
    const node = concat([0x0a, 0x20], [0x0a, 0x01, 0x61]); // NodeDef of 32 bytes, 3 present
    const error = parseError(() => checkWire(node, GraphDef));
    expect(error.code).toBe('TRUNCATED');
    expect(error.offset).toBe(0);
    expect(error.message).toContain('field node in GraphDef is 32 bytes long but only 3 remain');
  });

  it('refuses a length that runs past the enclosing message even when the file goes on', () => {
    // A node whose name claims 5 bytes while the node itself is 3 bytes long.
    const bytes = concat([0x0a, 0x03, 0x0a, 0x05, 0x61], [0x12, 0x00, 0x00, 0x00]);
    expect(parseError(() => checkWire(bytes, GraphDef)).message).toContain('GraphDef.node');
  });

  it('refuses field number 0, wire types 6 and 7, and stray or unclosed groups', () => {
    expect(parseError(() => checkWire(new Uint8Array([0x02, 0x00]), GraphDef)).message).toContain(
      'field number 0',
    );
    expect(parseError(() => checkWire(new Uint8Array([0x0e]), GraphDef)).message).toContain(
      'invalid wire type 6',
    );
    expect(parseError(() => checkWire(new Uint8Array([0x0f]), GraphDef)).message).toContain(
      'invalid wire type 7',
    );
    expect(parseError(() => checkWire(new Uint8Array([0x0c]), GraphDef)).code).toBe('BAD_STRUCTURE');
    expect(parseError(() => checkWire(new Uint8Array([0x0b, 0x08, 0x01]), GraphDef)).message).toContain(
      'never closed',
    );
    expect(parseError(() => checkWire(new Uint8Array([0x0b, 0x14]), GraphDef)).code).toBe('BAD_STRUCTURE');
  });

  it('refuses truncated fixed-size fields and varints', () => {
    expect(parseError(() => checkWire(new Uint8Array([0xf9, 0x01, 1, 2]), GraphDef)).code).toBe('TRUNCATED');
    expect(parseError(() => checkWire(new Uint8Array([0x18, 0x80]), GraphDef)).code).toBe('TRUNCATED');
  });

  it('stops hostile nesting at its depth limit, before protobufjs would', () => {
    expect(checkWire(nestedAttrs(10), GraphDef).depth).toBeGreaterThan(30);
    const error = parseError(() => checkWire(nestedAttrs(200), GraphDef));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toContain(`nested more than ${MAX_PROTO_DEPTH} deep`);
    expect(error.message).toContain('GraphDef.node.attr.value.func.attr.value');
    // Unknown nested groups count against the same limit.
    const groups = new Uint8Array([
      ...Array(100)
        .fill(0xfb)
        .flatMap((b) => [b, 0x01]),
    ]);
    expect(parseError(() => checkWire(groups, GraphDef)).code).toBe('LIMIT_EXCEEDED');
  });

  it('stops at the decoded-field limit', () => {
    const nodes = concat(...Array.from({ length: 50 }, () => [0x0a, 0x00])); // 50 empty nodes
    expect(checkWire(nodes, GraphDef).fields).toBe(50);
    const error = parseError(() => checkWire(nodes, GraphDef, { maxDepth: 64, maxFields: 10 }));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.message).toContain('more than 10 decoded fields');
  });
});

describe('head checks', () => {
  const sm = TENSORFLOW_WIRE_FIELDS.SavedModel as Record<number, number>;
  const metaGraph = TENSORFLOW_WIRE_FIELDS.MetaGraphDef as Record<number, number>;

  it('accepts the first fields of a SavedModel, also cut off at the end of the head', () => {
    const bytes = buildSavedModel(standardMetaGraph());
    expect(headMatches(bytes, bytes.length, sm, { 2: metaGraph })).toBe(true);
    expect(headMatches(bytes.subarray(0, 10), bytes.length, sm, { 2: metaGraph })).toBe(true);
  });

  it('refuses unknown fields, wrong wire types, lengths past the file and foreign nested messages', () => {
    expect(headMatches(new Uint8Array([0x18, 0x01]), 2, sm)).toBe(false); // field 3
    expect(headMatches(new Uint8Array([0x0a, 0x00]), 2, sm)).toBe(false); // field 1 as LEN
    expect(headMatches(new Uint8Array([0x12, 0x10, 0x0a]), 3, sm)).toBe(false); // 16 bytes in a 3-byte file
    expect(headMatches(lenField(2, [0x70, 0x01]), 4, sm, { 2: metaGraph })).toBe(false); // field 14 inside
    expect(headMatches(new Uint8Array(0), 0, sm)).toBe(false);
  });

  it('tells wire format from text and garbage', () => {
    expect(headIsWireFormat(new Uint8Array([0xf8, 0x01, 0x05, 0x12, 0x00]), 5)).toBe(true);
    expect(headIsWireFormat(new TextEncoder().encode('meta_graphs {\n'), 14)).toBe(false);
    expect(headIsWireFormat(new Uint8Array([0x00, 0x00]), 2)).toBe(false);
  });
});
