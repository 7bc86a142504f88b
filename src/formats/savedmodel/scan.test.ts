import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { findEncodedOpNames } from './byte-scan.js';
import { buildGraphDef, concat, node } from './test-support.js';
import { findTextOps, isGraphText, unquote } from './text-scan.js';

describe('findEncodedOpNames', () => {
  it('finds NodeDef op fields, with their first offset and count', () => {
    const bytes = buildGraphDef({
      nodes: [node('a', 'Relu'), node('b', 'PyFunc'), node('c', 'ReadFile'), node('d', 'PyFunc')],
    });
    const hits = findEncodedOpNames(bufferSource(bytes), ['PyFunc', 'ReadFile', 'WriteFile']);
    expect(hits.map((h) => [h.op, h.count])).toEqual([
      ['PyFunc', 2],
      ['ReadFile', 1],
    ]);
    expect(bytes[hits[0]?.offset as number]).toBe(0x12);
  });

  it('finds names that straddle a chunk boundary, once', () => {
    const op = new TextEncoder().encode('EagerPyFunc');
    for (let at = 1; at < 16; at++) {
      const bytes = concat(new Uint8Array(at), [0x12, op.length], op, new Uint8Array(20));
      const hits = findEncodedOpNames(bufferSource(bytes), ['EagerPyFunc'], 8);
      expect(hits, `at ${at}`).toEqual([{ op: 'EagerPyFunc', offset: at, count: 1 }]);
    }
  });

  it('ignores a name without the op tag or with another length', () => {
    const op = new TextEncoder().encode('PyFunc');
    const bytes = concat([0x0a, op.length], op, [0x12, op.length + 1], op, [0x00]);
    expect(findEncodedOpNames(bufferSource(bytes), ['PyFunc'])).toEqual([]);
  });
});

describe('text format', () => {
  const TEXT = `
saved_model_schema_version: 1
meta_graphs {
  graph_def {
    node {
      name: "x"
      op: "Placeholder"
    }
    node { name: 'evil' op: "\\120y" 'Func' }
    node {
      name: "hex"
      op: "Eager\\x50yFunc"  # a comment
    }
  }
}`;

  it('recognises text SavedModels and GraphDefs', () => {
    expect(isGraphText(TEXT)).toBe(true);
    expect(isGraphText('node {\n  name: "a"\n}')).toBe(true);
    expect(isGraphText('{"node": 1}')).toBe(false);
  });

  it('finds every op with its node, escapes and adjacent strings decoded', () => {
    expect(findTextOps(TEXT).map((o) => [o.node, o.op])).toEqual([
      ['x', 'Placeholder'],
      ['evil', 'PyFunc'],
      ['hex', 'EagerPyFunc'],
    ]);
  });

  it('unquotes C escapes', () => {
    expect(unquote(String.raw`"a\n\t\"b\\" 'c'`)).toBe('a\n\t"b\\c');
    expect(unquote(String.raw`"\101\x42"`)).toBe('AB');
  });
});
