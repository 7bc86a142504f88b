import { describe, expect, it } from 'vitest';
import {
  buildGraphDef,
  buildSavedModel,
  concat,
  constString,
  lenField,
  node,
  standardMetaGraph,
} from '../../formats/savedmodel/test-support.js';
import { analyseBytes, ruleList } from '../test-support.js';

const SAVED_MODEL = 'model/saved_model.pb';
const scanModel = (bytes: Uint8Array, path = SAVED_MODEL) => analyseBytes(bytes, path);

describe('savedmodel analyser against evasions', () => {
  it('reports a Python or file op named by a function attribute instead of a library function', async () => {
    const python = await scanModel(
      buildSavedModel(
        standardMetaGraph([
          node('call', 'PartitionedCall', ['x'], {
            f: { func: { name: 'PyFunc', attrs: { token: { s: 't' } } } },
          }),
        ]),
      ),
    );
    expect(ruleList(python.findings)).toEqual(['SAVEDMODEL-PYTHON-OP:critical']);
    expect(python.findings[0]?.message).toMatch(
      /Op 'PyFunc' in node 'call' of the function '__inference___call___21'/,
    );
    expect(python.findings[0]?.message).toContain("named as a function by attribute 'f'");
    const file = await scanModel(
      buildSavedModel(
        standardMetaGraph([node('ds', 'MapDataset', ['x'], { f: { func: { name: 'ReadFile' } } })]),
      ),
    );
    expect(ruleList(file.findings)).toEqual(['SAVEDMODEL-FILE-OP:high']);
  });

  it('takes an all-capitals PYFUNC for the Python op it imitates', async () => {
    const result = await scanModel(buildSavedModel(standardMetaGraph([node('p', 'PYFUNC', ['x'])])));
    expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-PYTHON-OP:critical']);
  });

  it('resolves paths built with string Add, long Identity chains and ops it does not evaluate', async () => {
    const graphs = [
      [
        constString('a', '/etc/'),
        constString('b', 'passwd'),
        node('j', 'AddV2', ['a:output:0', 'b:output:0']),
        node('r', 'ReadFile', ['j:z:0']),
      ],
      [
        constString('i0', '/etc/passwd'),
        ...Array.from({ length: 40 }, (_, i) => node(`i${i + 1}`, 'Identity', [`i${i}:output:0`])),
        node('r', 'ReadFile', ['i40:output:0']),
      ],
      [
        constString('s', 'xx/etc/passwd'),
        constString('n', ''),
        node('sub', 'Substr', ['s:output:0', 'n:output:0', 'n:output:0']),
        node('r', 'ReadFile', ['sub:output:0']),
      ],
    ];
    for (const [i, nodes] of graphs.entries()) {
      const result = await scanModel(buildSavedModel(standardMetaGraph(nodes)));
      expect(ruleList(result.findings), `graph ${i}`).toEqual(['SAVEDMODEL-FILE-OP:high']);
      expect(result.findings[0]?.message, `graph ${i}`).toMatch(/constant '(?:xx)?\/etc\/passwd'/);
    }
  });

  it('keeps a path computed from nothing but run-time input at medium', async () => {
    const result = await scanModel(
      buildSavedModel(
        standardMetaGraph([
          constString('suffix', '.txt'),
          node('j', 'StringJoin', ['x', 'suffix:output:0']),
          node('r', 'ReadFile', ['j:output:0']),
        ]),
      ),
    );
    expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-FILE-OP:medium']);
  });

  it('reports a SavedModel with no graph as not analysed, never clean', async () => {
    for (const bytes of [
      concat(lenField(9, [1, 2, 3])), // only a field SavedModel does not define
      new Uint8Array([0x10, 0x01]), // meta_graphs with the wrong wire type
      concat(lenField(2, [0x10, 0x01])), // graph_def with the wrong wire type
    ]) {
      const result = await scanModel(bytes);
      expect(result.format).toBe('tf-savedmodel');
      expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-MALFORMED:medium']);
      expect(result.notAnalysed).toBe(1);
    }
  });

  it('reports a truncated generic .pb GraphDef as malformed and still names its ops', async () => {
    const bytes = buildGraphDef({ nodes: [node('a', 'Placeholder'), node('q', 'PyFunc', ['a'])] });
    const result = await scanModel(bytes.subarray(0, bytes.length - 3), 'frozen_graph.pb');
    expect(result.format).toBe('tf-graphdef');
    expect(ruleList(result.findings)).toEqual(['SAVEDMODEL-MALFORMED:medium', 'SAVEDMODEL-PYTHON-OP:high']);
  });

  it('finds a Python op behind a comment in saved_model.pbtxt', async () => {
    const text =
      'meta_graphs {\n  graph_def {\n    node {\n      name: "p"\n      op: # "Identity"\n "PyFunc"\n    }\n  }\n}\n';
    const result = await scanModel(new TextEncoder().encode(text), 'model/saved_model.pbtxt');
    expect(ruleList(result.findings)).toEqual([
      'SAVEDMODEL-MALFORMED:medium',
      'SAVEDMODEL-PYTHON-OP:critical',
    ]);
  });

  it('analyses 100k nodes and a 100k-long Identity chain read by 2000 ops in bounded time', async () => {
    const chain = buildGraphDef({
      nodes: [
        constString('c0', '/etc/passwd'),
        ...Array.from({ length: 100_000 }, (_, i) => node(`c${i + 1}`, 'Identity', [`c${i}`])),
        ...Array.from({ length: 2000 }, (_, i) => node(`r${i}`, 'ReadFile', [`c${100_000 - i}`])),
      ],
    });
    const started = performance.now();
    const result = await scanModel(chain, 'frozen.pb');
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(ruleList(result.findings).every((r) => r === 'SAVEDMODEL-FILE-OP:high')).toBe(true);
    expect(result.findings[0]?.message).toContain("constant '/etc/passwd'");
  }, 60_000);
});
