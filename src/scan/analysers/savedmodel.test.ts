import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ByteSource } from '../../core/byte-reader.js';
import {
  buildGraphDef,
  buildKerasMetadata,
  buildSavedModel,
  concat,
  constString,
  lenField,
  node,
  standardMetaGraph,
} from '../../formats/savedmodel/test-support.js';
import { LAMBDA_LAYER_METADATA } from '../savedmodel/test-support.js';
import { analyseBytes, ruleList } from '../test-support.js';
import { MAX_SAVEDMODEL_DECODE_BYTES } from './savedmodel.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../formats/savedmodel/fixtures/${name}`, import.meta.url)));
const CORPUS = new URL(
  '../../../../shared/data/model-corpus/modelaudit/tests/assets/samples/tensorflow/',
  import.meta.url,
);

describe('savedmodel analyser', () => {
  describe('SavedModels TensorFlow 2.21 wrote', () => {
    it('reports nothing for a plain model, its TF1 form, its frozen graph and its fingerprint', async () => {
      for (const [file, path, format] of [
        ['safe.saved_model.pb', 'model/saved_model.pb', 'tf-savedmodel'],
        ['tf1.saved_model.pb', 'model/saved_model.pb', 'tf-savedmodel'],
        ['frozen.pb', 'frozen_graph.pb', 'tf-graphdef'],
        ['safe.fingerprint.pb', 'model/fingerprint.pb', 'tf-savedmodel-fingerprint'],
      ] as const) {
        const result = await analyseBytes(fixture(file), path);
        expect(result.format, file).toBe(format);
        expect(result.findings, file).toEqual([]);
        expect(result.notAnalysed, file).toBe(0);
      }
    });

    it('reports tf.numpy_function and tf.py_function critical, naming op, node, function and tags', async () => {
      const result = await analyseBytes(fixture('pyfunc.saved_model.pb'), 'm/saved_model.pb');
      expect(ruleList(result.findings)).toEqual([
        'SAVEDMODEL-PYTHON-OP:critical',
        'SAVEDMODEL-PYTHON-OP:critical',
      ]);
      const message = result.findings[0]?.message ?? '';
      expect(message).toContain("Op 'PyFunc' in node 'PyFunc' of the function '__inference___call___126'");
      expect(message).toContain("main graph node 'StatefulPartitionedCall' [f]");
      expect(message).toContain('meta graph 0 [serve]');
      expect(result.findings[1]?.evidence).toContain("token 'pyfunc_1'");
    });

    it('reports tf.io.read_file / write_file with their constant paths', async () => {
      const result = await analyseBytes(fixture('readfile.saved_model.pb'), 'm/saved_model.pb');
      expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-FILE-OP:high', 'SAVEDMODEL-FILE-OP:high']);
      expect(result.findings.map((f) => f.evidence).join('\n')).toMatch(
        /'\/etc\/passwd'[\s\S]*'\/tmp\/pedigree-exfil.txt'/,
      );
    });
  });

  it.skipIf(!existsSync(CORPUS))(
    'grades the shared corpus rows: PyFunc critical, the safe model clean',
    async () => {
      const bad = await analyseBytes(
        new Uint8Array(readFileSync(new URL('malicious_pyfunc/saved_model.pb', CORPUS))),
        'malicious_pyfunc/saved_model.pb',
      );
      expect(ruleList(bad.findings)).toEqual(['SAVEDMODEL-PYTHON-OP:critical']);
      const safe = await analyseBytes(
        new Uint8Array(readFileSync(new URL('safe_savedmodel/saved_model.pb', CORPUS))),
        'safe_savedmodel/saved_model.pb',
      );
      expect(safe.findings).toEqual([]);
    },
  );

  it('finds an EagerPyFunc hidden in a function only a nested attribute names, in a generic .pb', async () => {
    const bytes = buildSavedModel(
      standardMetaGraph(
        [
          node('map', 'MapDataset', ['ds'], {
            f: { func: { name: 'outer', attrs: { g: { func: { name: 'inner' } } } } },
          }),
        ],
        {
          functions: [
            { name: 'outer', nodes: [] },
            { name: 'inner', nodes: [node('cb', 'EagerPyFunc', ['x'], { token: { s: 'pyfunc_3' } })] },
          ],
        },
      ),
    );
    const result = await analyseBytes(bytes, 'exported/model.pb');
    expect(result.format).toBe('tf-savedmodel');
    expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-PYTHON-OP:critical']);
    expect(result.findings[0]?.message).toContain("node 'map' [f.attr.g]");
  });

  it('reports a custom op and an asset name that leaves the model folder', async () => {
    const spec = standardMetaGraph([node('tok', 'SentencepieceOp', ['x'])]);
    const bytes = buildSavedModel({
      ...spec,
      assets: [{ filename: '../../../etc/passwd', tensorName: 'asset:0' }],
    });
    const result = await analyseBytes(bytes, 'm/saved_model.pb');
    expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-CUSTOM-OP:medium', 'SAVEDMODEL-FILE-OP:high']);
    expect(result.findings.find((f) => f.ruleId === 'SAVEDMODEL-FILE-OP')?.message).toContain(
      '../../../etc/passwd',
    );
  });

  it('reports a frozen GraphDef with a file op by its constant path', async () => {
    const bytes = buildGraphDef({
      nodes: [constString('p', '/home/user/.netrc'), node('read', 'ReadFile', ['p'])],
    });
    const result = await analyseBytes(bytes, 'frozen_inference_graph.pb');
    expect(result.format).toBe('tf-graphdef');
    expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-FILE-OP:high']);
    expect(result.findings[0]?.message).toContain('in the GraphDef');
  });

  describe('Keras metadata', () => {
    it('reports a Lambda in keras_metadata.pb once, though the model config repeats it', async () => {
      const model = JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [JSON.parse(LAMBDA_LAYER_METADATA)] },
      });
      const bytes = buildKerasMetadata([
        { nodeId: 0, nodePath: 'root', identifier: '_tf_keras_sequential', metadata: model },
        {
          nodeId: 1,
          nodePath: 'root.layer-0',
          identifier: '_tf_keras_layer',
          metadata: LAMBDA_LAYER_METADATA,
        },
      ]);
      const result = await analyseBytes(bytes, 'model/keras_metadata.pb');
      expect(result.format).toBe('keras-metadata');
      expect(ruleList(result.findings)).toEqual([
        'SAVEDMODEL-KERAS-LAMBDA:high',
        'SAVEDMODEL-KERAS-LAMBDA:high',
      ]);
      expect(result.findings[0]?.evidence).toContain('os, id, __import__, system');
    });

    it('reads Keras metadata stored on saved objects in saved_model.pb, and reports bad JSON', async () => {
      const spec = standardMetaGraph();
      const bytes = buildSavedModel({
        ...spec,
        objects: [
          { identifier: '_tf_keras_layer', metadata: LAMBDA_LAYER_METADATA },
          { identifier: '_tf_keras_layer', metadata: '{"class_name": "Custom", "module": "evil.layers"' },
        ],
      });
      const result = await analyseBytes(bytes, 'm/saved_model.pb');
      expect(ruleList(result.findings)).toEqual([
        'SAVEDMODEL-KERAS-LAMBDA:high',
        'SAVEDMODEL-MALFORMED:medium',
      ]);
      expect(result.notAnalysed).toBe(1);
    });
  });

  describe('recognition', () => {
    it('takes only .pb files whose first fields are a SavedModel or GraphDef', async () => {
      // An ONNX-like ModelProto: ir_version, producer_name, graph (field 7).
      const onnxLike = concat([0x08, 0x07], lenField(2, [0x70, 0x74]), lenField(7, [0x0a, 0x00]));
      expect((await analyseBytes(onnxLike, 'model.pb')).format).not.toBe('tf-savedmodel');
      expect((await analyseBytes(new TextEncoder().encode('hello'), 'notes.pb')).format).toBe('unknown');
      // The same bytes under the SavedModel's own name are claimed, and reported as not analysable.
      const named = await analyseBytes(new TextEncoder().encode('hello'), 'm/saved_model.pb');
      expect(ruleList(named.findings)).toEqual(['SAVEDMODEL-MALFORMED:medium']);
    });

    it('takes a saved_model.pb that starts with a field TensorFlow ignores', async () => {
      const bytes = concat([0xf8, 0x01, 0x01], buildSavedModel({ nodes: [node('p', 'PyFunc')] }));
      expect(ruleList((await analyseBytes(bytes, 'x/saved_model.pb')).findings)).toEqual([
        'SAVEDMODEL-PYTHON-OP:critical',
      ]);
      expect((await analyseBytes(bytes, 'x/model.pb')).format).toBe('unknown');
    });
  });

  describe('files it cannot decode', () => {
    it('reports a truncated SavedModel as not analysed and still names the Python op in its bytes', async () => {
      const bytes = buildSavedModel(standardMetaGraph([node('cb', 'PyFunc', ['x'])]));
      const result = await analyseBytes(bytes.subarray(0, bytes.length - 3), 'm/saved_model.pb');
      expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-MALFORMED:medium', 'SAVEDMODEL-PYTHON-OP:high']);
      expect(result.notAnalysed).toBe(1);
      expect(result.findings[0]?.message).toContain('not a valid SavedModel protobuf');
    });

    it('reports hostile nesting as not analysed', async () => {
      let value: Uint8Array = new Uint8Array(0);
      for (let i = 0; i < 150; i++)
        value = lenField(10, lenField(2, concat(lenField(1, [0x61]), lenField(2, value))));
      const bytes = lenField(
        2,
        lenField(2, lenField(1, lenField(5, concat(lenField(1, [0x66]), lenField(2, value))))),
      );
      const result = await analyseBytes(bytes, 'm/saved_model.pb');
      expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-MALFORMED:medium']);
      expect(result.findings[0]?.message).toContain('nested more than');
    });

    it('searches a file over the decode limit in chunks instead of decoding it', async () => {
      const head = buildSavedModel({ nodes: [node('w', 'VarHandleOp')] });
      const tail = buildGraphDef({ nodes: [node('cb', 'EagerPyFunc'), node('r', 'ReadFile', ['p'])] });
      const size = MAX_SAVEDMODEL_DECODE_BYTES + 1024;
      const reads: number[] = [];
      const source: ByteSource = {
        size,
        readAt(position, length) {
          reads.push(length);
          const out = new Uint8Array(Math.max(0, Math.min(length, size - position)));
          out.set(head.subarray(0, Math.max(0, Math.min(head.length - position, out.length))));
          const tailAt = size - tail.length - position;
          if (tailAt >= 0 && tailAt < out.length) out.set(tail.subarray(0, out.length - tailAt), tailAt);
          return out;
        },
      };
      const result = await analyseBytes(source, 'big/saved_model.pb');
      expect(ruleList(result.findings)).toEqual([
        'SAVEDMODEL-FILE-OP:medium',
        'SAVEDMODEL-MALFORMED:medium',
        'SAVEDMODEL-PYTHON-OP:high',
      ]);
      expect(result.findings.find((f) => f.ruleId === 'SAVEDMODEL-MALFORMED')?.message).toContain(
        `more than the ${MAX_SAVEDMODEL_DECODE_BYTES}`,
      );
      expect(Math.max(...reads)).toBeLessThan(64 * 1024 * 1024);
    });
  });

  describe('text format', () => {
    it('scans saved_model.pbtxt for op names and says the rest was not analysed', async () => {
      const text = [
        'saved_model_schema_version: 1',
        'meta_graphs {',
        '  graph_def {',
        '    node { name: "save/RestoreV2" op: "RestoreV2" input: "save/Const" }',
        '    node { name: "x" op: "Placeholder" }',
        '    node { name: "evil" op: "Py\\106unc" }',
        '    node { name: "r" op: "ReadFile" input: "p" }',
        '    node { name: "c" op: "MyCustomOp" }',
        '  }',
        '}',
      ].join('\n');
      const result = await analyseBytes(new TextEncoder().encode(text), 'm/saved_model.pbtxt');
      expect(result.format).toBe('tf-savedmodel-text');
      expect(ruleList(result.findings)).toEqual([
        'SAVEDMODEL-CUSTOM-OP:medium',
        'SAVEDMODEL-FILE-OP:medium',
        'SAVEDMODEL-MALFORMED:medium',
        'SAVEDMODEL-PYTHON-OP:critical',
      ]);
      expect(result.findings.find((f) => f.ruleId === 'SAVEDMODEL-PYTHON-OP')?.message).toContain(
        "node 'evil'",
      );
    });

    it('leaves .pbtxt files that are not graphs alone', async () => {
      const result = await analyseBytes(
        new TextEncoder().encode('item { id: 1 name: "cat" }'),
        'labels.pbtxt',
      );
      expect(result.format).toBe('unknown');
    });
  });
});
