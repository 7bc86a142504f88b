import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import {
  decodeStringList,
  MAX_STRING_VALUE_CHARS,
  parseGraphDef,
  parseKerasMetadata,
  parseSavedModel,
} from './parse.js';
import { PROTOBUFJS_RECURSION_LIMIT } from './schema.js';
import {
  buildGraphDef,
  buildKerasMetadata,
  buildSavedModel,
  call,
  concat,
  constString,
  lenField,
  node,
  packStrings,
  standardMetaGraph,
} from './test-support.js';
import { MAX_PROTO_DEPTH } from './wire-check.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

function parseError(fn: () => unknown): ParseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  throw new Error('expected a ParseError');
}

describe('parseSavedModel', () => {
  it('reads a SavedModel TensorFlow 2.21 wrote: tags, saver, functions, calls, object graph', () => {
    const [metaGraph] = parseSavedModel(fixture('safe.saved_model.pb')).metaGraphs;
    expect(metaGraph?.tags).toEqual(['serve']);
    expect(metaGraph?.tensorflowVersion).toBe('2.21.0');
    expect(metaGraph?.saver).toEqual({
      filenameTensor: 'saver_filename:0',
      saveTensor: 'StatefulPartitionedCall_1:0',
      restoreOp: 'StatefulPartitionedCall_2',
    });
    const graph = metaGraph?.graph;
    expect(graph?.nodes.map((n) => n.op)).toContain('StatefulPartitionedCall');
    expect(graph?.functions.map((f) => f.name).sort()).toEqual([
      '__inference___call___21',
      '__inference__traced_restore_80',
      '__inference__traced_save_65',
      '__inference_signature_wrapper_31',
    ]);
    const serving = graph?.nodes.find((n) => n.name === 'StatefulPartitionedCall');
    expect(serving?.attrs.find((a) => a.name === 'f')?.functions).toEqual([
      { name: '__inference_signature_wrapper_31', via: 'f' },
    ]);
    const save = graph?.functions.find((f) => f.name.includes('traced_save'));
    expect(save?.args[0]).toBe('file_prefix');
    expect(
      save?.nodes.find((n) => n.name === 'Const')?.attrs.find((a) => a.name === 'value')?.tensorStrings,
    ).toEqual(['.part']);
    expect(metaGraph?.objects.map((o) => o.kind)).toEqual([
      'user_object',
      'other',
      'other',
      'function',
      'user_object',
      'bare_concrete_function',
      'bare_concrete_function',
    ]);
    expect(metaGraph?.objects[3]?.concreteFunctions).toEqual(['__inference___call___21']);
    expect(graph?.producer).toBeGreaterThan(1000);
  });

  it('reads a TF1 SavedModel with its save/ subgraph', () => {
    const [metaGraph] = parseSavedModel(fixture('tf1.saved_model.pb')).metaGraphs;
    expect(metaGraph?.saver?.filenameTensor).toBe('save/Const:0');
    expect(metaGraph?.graph.nodes.some((n) => n.op === 'RestoreV2' && n.inputs[0] === 'save/Const')).toBe(
      true,
    );
    expect(metaGraph?.graph.functions).toEqual([]);
  });

  it('reads the minimal SavedModel ModelAudit generates (no version, no tags)', () => {
    // SavedModel { meta_graphs { graph_def { node { name: "b" op: "PyFunc" } } } }
    const pyFunc = [0x50, 0x79, 0x46, 0x75, 0x6e, 0x63];
    const bytes = lenField(2, lenField(2, lenField(1, concat(lenField(1, [0x62]), lenField(2, pyFunc)))));
    const [metaGraph] = parseSavedModel(bytes).metaGraphs;
    expect(metaGraph?.tags).toEqual([]);
    expect(metaGraph?.graph.nodes).toMatchObject([{ name: 'b', op: 'PyFunc' }]);
  });

  it('round-trips the builder: nested function attributes, list functions, packed string tensors', () => {
    const bytes = buildSavedModel({
      nodes: [
        node('if', 'StatelessIf', ['c'], {
          then_branch: { func: { name: 'then_fn', attrs: { inner: { func: { name: 'deep_fn' } } } } },
          else_branch: { func: { name: 'else_fn' } },
        }),
        node('case', 'Case', ['i'], { branches: { funcs: [{ name: 'b0' }, { name: 'b1' }] } }),
        node('path', 'Const', [], { value: { tensor: ['/etc/shadow', 'x'], packed: true } }),
        node('print', 'PrintV2', ['s'], { output_stream: { s: 'file:///tmp/log' } }),
        node('debug', 'DebugIdentity', ['s'], { debug_urls: { strings: ['file:///tmp/dump'] } }),
      ],
      assets: [{ filename: 'vocab.txt', tensorName: 'asset_path:0' }],
      objects: [{ identifier: '_tf_keras_layer', metadata: '{"class_name": "Dense"}' }],
    });
    const [metaGraph] = parseSavedModel(bytes).metaGraphs;
    const nodes = metaGraph?.graph.nodes ?? [];
    expect(nodes[0]?.attrs.flatMap((a) => a.functions)).toEqual([
      { name: 'else_fn', via: 'else_branch' },
      { name: 'then_fn', via: 'then_branch' },
      { name: 'deep_fn', via: 'then_branch.attr.inner' },
    ]);
    expect(nodes[1]?.attrs[0]?.functions.map((f) => f.via)).toEqual(['branches[0]', 'branches[1]']);
    expect(nodes[2]?.attrs[0]?.tensorStrings).toEqual(['/etc/shadow', 'x']);
    expect(nodes[3]?.attrs[0]?.strings).toEqual(['file:///tmp/log']);
    expect(nodes[4]?.attrs[0]?.strings).toEqual(['file:///tmp/dump']);
    expect(metaGraph?.assets).toEqual([{ filename: 'vocab.txt', tensorName: 'asset_path:0' }]);
    expect(metaGraph?.objects[0]).toMatchObject({
      identifier: '_tf_keras_layer',
      metadata: '{"class_name": "Dense"}',
    });
  });

  it('keeps string values bounded and never decodes a numeric tensor', () => {
    const long = 'a'.repeat(MAX_STRING_VALUE_CHARS * 2);
    const many = Array.from({ length: 100 }, (_, i) => `v${i}`);
    const bytes = buildGraphDef({ nodes: [constString('long', long), constString('many', ...many)] });
    const [longNode, manyNode] = parseGraphDef(bytes).graph.nodes;
    expect(longNode?.attrs[0]?.tensorStrings[0]).toHaveLength(MAX_STRING_VALUE_CHARS);
    expect(manyNode?.attrs[0]?.tensorStrings).toHaveLength(16);
  });

  it('reads several meta graphs, and a graph_def-less one as empty', () => {
    const bytes = buildSavedModel(standardMetaGraph(), { tags: ['train'] });
    const document = parseSavedModel(bytes);
    expect(document.metaGraphs.map((m) => m.tags)).toEqual([['serve'], ['train']]);
    expect(parseSavedModel(lenField(2, [])).metaGraphs[0]?.graph.nodes).toEqual([]);
  });
});

describe('parseGraphDef and parseKerasMetadata', () => {
  it('reads a frozen graph TensorFlow wrote, weights folded into Const nodes', () => {
    const graph = parseGraphDef(fixture('frozen.pb')).graph;
    expect(graph.nodes.filter((n) => n.op === 'Const').length).toBeGreaterThanOrEqual(2);
    expect(graph.nodes.map((n) => n.op)).toContain('MatMul');
  });

  it('reads keras_metadata.pb nodes', () => {
    const bytes = buildKerasMetadata([
      { nodeId: 3, nodePath: 'root.layer-1', identifier: '_tf_keras_layer', metadata: '{}' },
    ]);
    expect(parseKerasMetadata(bytes).nodes).toEqual([
      { nodeId: 3, nodePath: 'root.layer-1', identifier: '_tf_keras_layer', metadata: '{}' },
    ]);
  });
});

describe('decodeStringList', () => {
  it("decodes TensorFlow's packed string encoding", () => {
    expect(decodeStringList(packStrings(['ab', '', 'cde']))?.map((b) => Buffer.from(b).toString())).toEqual([
      'ab',
      '',
      'cde',
    ]);
  });

  it('refuses content whose lengths never add up', () => {
    expect(decodeStringList(new Uint8Array([0x05, 0x61]))).toBeUndefined();
    expect(decodeStringList(new Uint8Array([0x80]))).toBeUndefined();
  });
});

describe('malformed input', () => {
  const good = buildSavedModel(standardMetaGraph([call('x', 'f')]));

  it('refuses every truncation of a valid file with a ParseError, never another error', () => {
    for (let length = 1; length < good.length; length += 7) {
      const cut = good.subarray(0, length);
      try {
        parseSavedModel(cut);
      } catch (error) {
        expect(error, `cut at ${length}`).toBeInstanceOf(ParseError);
      }
    }
    expect(parseError(() => parseSavedModel(good.subarray(0, good.length - 1))).code).toBe('TRUNCATED');
  });

  it('reads known fields with the wrong wire type as unknown, as TensorFlow and protobufjs do', () => {
    // A node whose op (field 2) is a varint: both parsers skip it, so the node has no op.
    const bytes = lenField(1, concat(lenField(1, [0x6e]), [0x10, 0x05]));
    expect(parseGraphDef(bytes).graph.nodes).toMatchObject([{ name: 'n', op: '' }]);
  });

  it('refuses hostile nesting below protobufjs own recursion limit', () => {
    expect(MAX_PROTO_DEPTH).toBeLessThan(PROTOBUFJS_RECURSION_LIMIT);
    let value: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 120; i++)
      value = lenField(10, lenField(2, concat(lenField(1, [0x61]), lenField(2, value))));
    const bytes = lenField(1, lenField(5, concat(lenField(1, [0x66]), lenField(2, value))));
    const error = parseError(() => parseGraphDef(bytes));
    expect(error.code).toBe('LIMIT_EXCEEDED');
  });

  it('refuses huge lengths without allocating them', () => {
    const bytes = concat([0x12], [0xff, 0xff, 0xff, 0xff, 0x0f], [0x00]);
    expect(parseError(() => parseSavedModel(bytes)).message).toContain('4294967295 bytes long');
  });

  it('refuses a file over the decoded-field limit', () => {
    const nodes = concat(...Array.from({ length: 100 }, () => [0x0a, 0x00]));
    expect(parseError(() => parseGraphDef(nodes, { maxDepth: 64, maxFields: 99 })).code).toBe(
      'LIMIT_EXCEEDED',
    );
  });
});
