import { describe, expect, it } from 'vitest';
import { buildModel, externalTensor, FLOAT, len, node } from '../../formats/onnx/test-support.js';
import { analyseBytes, ruleList } from '../test-support.js';

const scan = (bytes: Uint8Array) => analyseBytes(bytes, 'model.onnx');
const externalEntries = (entries: readonly (readonly [string, string])[]) => ({
  name: 'W',
  data_type: FLOAT,
  dims: [2, 2],
  data_location: 1,
  external_data: entries.map(([key, value]) => ({ key, value })),
});

describe('onnx analyser against evasions', () => {
  it('reports an unsafe location given before a safe one under the same key', async () => {
    for (const entries of [
      [
        ['location', '/etc/passwd'],
        ['location', 'weights.bin'],
      ],
      [
        ['length', '16'],
        ['location', 'weights.bin'],
        ['offset', '0'],
        ['location', '../../etc/passwd'],
      ],
    ] as const) {
      const result = await scan(buildModel({ initializer: [externalEntries(entries)] }));
      expect(ruleList(result.findings)).toEqual(['ONNX-EXTERNAL-DATA:high', 'ONNX-STRUCTURE:low']);
      expect(result.findings.find((f) => f.ruleId === 'ONNX-STRUCTURE')?.message).toContain(
        "external_data key(s) 'location' more than once",
      );
    }
  });

  it('reports percent-encoded parent segments and scheme-only URLs', async () => {
    for (const location of ['%2e%2e/%2E%2e/etc/passwd', 'data/.%2e/.%2e/w.bin', 'file:/etc/passwd']) {
      const result = await scan(buildModel({ initializer: [externalTensor(location)] }));
      expect(ruleList(result.findings), location).toEqual(['ONNX-EXTERNAL-DATA:high']);
    }
  });

  it('reports an op_type the standard domains do not define as a custom operator', async () => {
    for (const [domain, opType] of [
      ['', 'Exec'],
      ['ai.onnx', 'relu'],
      ['ai.onnx.ml', 'Relu'],
    ] as const) {
      const result = await scan(buildModel({ node: [node(opType, { domain })] }));
      expect(ruleList(result.findings), `${domain}::${opType}`).toEqual(['ONNX-CUSTOM-OP:medium']);
      expect(result.findings[0]?.message).toContain('is not an operator of the ONNX standard');
    }
  });

  it('keeps standard, ML, training-preview and still-supported removed operators quiet', async () => {
    const result = await scan(
      buildModel({
        node: [
          node('Relu'),
          node('Attention', { domain: 'ai.onnx' }),
          node('TreeEnsembleClassifier', { domain: 'ai.onnx.ml' }),
          node('Adam', { domain: 'ai.onnx.preview.training' }),
          node('ImageScaler'),
          node('AnythingGoes', { domain: 'ai.onnx.training' }),
        ],
      }),
    );
    expect(result.findings).toEqual([]);
  });

  it('treats domain spellings loaders do not normalise as custom domains', async () => {
    for (const domain of ['ai.onnx ', 'AI.ONNX', ' ai.onnx.ml']) {
      const result = await scan(buildModel({ node: [node('Relu', { domain })] }));
      expect(ruleList(result.findings), JSON.stringify(domain)).toEqual(['ONNX-CUSTOM-OP:medium']);
    }
  });

  it('analyses a second model hidden in a field ONNX does not define', async () => {
    const hidden = buildModel({ node: [node('PyOp', { domain: 'ai.onnx.contrib' })] });
    const result = await scan(new Uint8Array([...buildModel(), ...len(99, hidden)]));
    expect(ruleList(result.findings)).toEqual(['ONNX-PYTHON-OP:high', 'ONNX-STRUCTURE:low']);
    const python = result.findings.find((f) => f.ruleId === 'ONNX-PYTHON-OP');
    expect(python?.location.member).toMatch(/outside every tensor|bytes \d+-\d+/);
  });

  it('analyses a pickle hidden in an unknown field', async () => {
    // os.system('id') in protocol 0: GLOBAL, MARK, UNICODE, TUPLE, REDUCE, STOP (19 bytes).
    const pickle = [...new TextEncoder().encode('cos\nsystem\n(Vid\ntR.')];
    const bytes = buildModel();
    const result = await scan(new Uint8Array([...bytes, ...len(98, pickle)]));
    expect(ruleList(result.findings).some((r) => /^PICKLE-.*:critical$/.test(r))).toBe(true);
    expect(ruleList(result.findings)).toContain('ONNX-STRUCTURE:low');
  });

  it('reads tensors in sparse initializers, Constant values, training graphs and function attributes', async () => {
    const bad = externalTensor('/etc/passwd');
    const models = [
      buildModel({
        sparse_initializer: [
          {
            values: { ...bad, dims: [4] },
            indices: { name: 'i', data_type: 7, dims: [4], int64_data: [0, 1, 2, 3] },
            dims: [8],
          },
        ],
      }),
      buildModel({
        node: [node('Constant', { input: [], attribute: [{ name: 'value', type: 4, t: bad }] })],
      }),
      buildModel({}, { training_info: [{ initialization: { name: 'init', initializer: [bad] } }] }),
      buildModel(
        { node: [node('F', { domain: 'local' })] },
        {
          functions: [
            {
              name: 'F',
              domain: 'local',
              node: [node('Relu')],
              attribute_proto: [{ name: 'a', type: 4, t: bad }],
            },
          ],
        },
      ),
    ];
    for (const [i, bytes] of models.entries()) {
      expect(ruleList((await scan(bytes)).findings), `model ${i}`).toEqual(['ONNX-EXTERNAL-DATA:high']);
    }
  });

  it('finds Python operators in Loop bodies, graph lists and functions called by functions', async () => {
    const models = [
      buildModel({
        node: [node('Loop', { attribute: [{ name: 'body', type: 5, g: { node: [node('PythonOp')] } }] })],
      }),
      buildModel({
        node: [
          node('Scan', {
            attribute: [
              { name: 'gs', type: 10, graphs: [{ node: [node('Relu')] }, { node: [node('PyFunc')] }] },
            ],
          }),
        ],
      }),
      buildModel(
        { node: [node('F', { domain: 'l' })] },
        {
          functions: [
            { name: 'F', domain: 'l', node: [node('G', { domain: 'l' })] },
            { name: 'G', domain: 'l', node: [node('PyOp', { domain: 'ai.onnx.contrib' })] },
          ],
        },
      ),
    ];
    for (const [i, bytes] of models.entries()) {
      expect(ruleList((await scan(bytes)).findings), `model ${i}`).toEqual(['ONNX-PYTHON-OP:high']);
    }
  });
});
