import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bufferSource } from '../../core/byte-reader.js';
import { ParseError } from '../../core/errors.js';
import { checkTensorSize, isOnnxModel, type OnnxModel, type OnnxTensor, parseOnnxModel } from './model.js';
import {
  buildModel,
  EXTERNAL,
  encodeOnnx,
  externalTensor,
  FLOAT,
  INT64,
  len,
  node,
  STRING,
  tag,
  varint,
} from './test-support.js';

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
const parse = (bytes: Uint8Array): OnnxModel => parseOnnxModel(bufferSource(bytes));
const detect = (bytes: Uint8Array | readonly number[], name = 'model.bin') => {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return isOnnxModel(data.subarray(0, 4096), bufferSource(data), name);
};

const tensor = (spec: Partial<OnnxTensor>): OnnxTensor => ({
  name: 'w',
  where: 'graph/initializer 0',
  offset: 0,
  dims: [],
  dataType: FLOAT,
  dataLocation: undefined,
  segmented: false,
  raw: undefined,
  typed: [],
  externalData: [],
  ...spec,
});

describe('parseOnnxModel', () => {
  it('reads a model written by onnx: header, opsets, graph, nodes and initializers', () => {
    const model = parse(fixture('safe-add-matmul.onnx'));
    expect(model.irVersion).toBe(8n);
    expect(model.producerName).toBe('pedigree-fixtures');
    expect(model.opsetImports).toEqual([{ domain: '', version: 13n }]);
    expect(model.graphs.map((g) => g.path)).toEqual(['graph']);
    expect(model.graphs[0]?.nodes.map((n) => `${n.path} ${n.opType} ${n.name}`)).toEqual([
      'graph/node 0 MatMul matmul',
      'graph/node 1 Add add',
    ]);
    expect(model.tensors.map((t) => [t.where, t.dims, t.raw?.length])).toEqual([
      ["graph/initializer 0 'W'", [3n, 2n], 24],
      ["graph/initializer 1 'B'", [2n], 8],
    ]);
    expect(model.metadataProps.map((e) => `${e.key}=${e.value}`)).toEqual(['license=Apache-2.0']);
    expect(model.issues).toEqual([]);
  });

  it('walks graphs nested in node attributes and names them by their path', () => {
    const model = parse(fixture('if-subgraph-custom.onnx'));
    // onnx.helper writes attributes sorted by name: else_branch first.
    expect(model.graphs.map((g) => g.path)).toEqual([
      'graph',
      'graph/If_0.else_branch',
      'graph/If_0.then_branch',
    ]);
    const secret = model.graphs[2]?.nodes[0];
    expect([secret?.path, secret?.domain, secret?.opType]).toEqual([
      'graph/If_0.then_branch/node 0',
      'com.example.ops',
      'Secret',
    ]);
  });

  it('walks model-local functions, graph lists, training graphs and tensors in attributes', () => {
    const inner = { name: 'body', node: [node('Custom', { domain: 'x.y' })] };
    const bytes = buildModel(
      {
        node: [
          node('Loop', { name: 'loop', attribute: [{ name: 'body', type: 5, g: inner }] }),
          node('Foo', { attribute: [{ name: 'branches', type: 10, graphs: [inner, inner] }] }),
          node('Constant', {
            name: 'c',
            attribute: [{ name: 'value', type: 4, t: { dims: [2], data_type: INT64, int64_data: [1, 2] } }],
          }),
        ],
        sparse_initializer: [
          {
            values: { name: 'sv', dims: [1], data_type: FLOAT, float_data: [1] },
            indices: { dims: [1], data_type: INT64, int64_data: [0] },
            dims: [4],
          },
        ],
      },
      {
        functions: [{ domain: 'pkg', name: 'F', node: [node('Relu')] }],
        training_info: [{ algorithm: { name: 'train', node: [node('Sub')] } }],
      },
    );
    const model = parse(bytes);
    expect(model.graphs.map((g) => g.path)).toEqual([
      'graph',
      'graph/loop.body',
      'graph/node 1.branches[0]',
      'graph/node 1.branches[1]',
      'function pkg::F',
      'training_info[0].algorithm',
    ]);
    expect(model.functions).toEqual([{ domain: 'pkg', name: 'F' }]);
    expect(model.tensors.map((t) => t.where)).toEqual([
      'graph/c.value',
      "graph/sparse_initializer 0.values 'sv'",
      'graph/sparse_initializer 0.indices',
    ]);
    expect(model.issues).toEqual([]);
  });

  it('never reads raw_data: it is a position and a length', () => {
    const raw = new Uint8Array(64 * 1024).fill(0x80); // a pickle opcode, were it read
    const bytes = buildModel({
      initializer: [{ name: 'w', dims: [16384], data_type: FLOAT, raw_data: raw }],
    });
    const t = parse(bytes).tensors[0];
    expect(t?.raw?.length).toBe(raw.length);
    expect(bytes[t?.raw?.offset ?? 0]).toBe(0x80);
  });

  it('reads a graph split over two `graph` fields as one, as protobuf merges them, and says so', () => {
    const first = encodeOnnx('ModelProto', { ir_version: 8, graph: { node: [node('Relu')] } });
    const second = encodeOnnx('ModelProto', { graph: { node: [node('Evil', { domain: 'x' })] } });
    const model = parse(new Uint8Array([...first, ...second]));
    expect(model.graphs[0]?.nodes.map((n) => n.opType)).toEqual(['Relu', 'Evil']);
    expect(model.issues.map((i) => i.kind)).toEqual(['structure']);
    expect(model.issues[0]?.message).toMatch(/graph .* given more than once/);
  });

  it('reports fields ONNX does not define', () => {
    const bytes = new Uint8Array([...buildModel(), ...len(1000, [1, 2, 3])]);
    expect(parse(bytes).issues[0]?.message).toMatch(
      /1 field\(s\) onnx.ModelProto does not define \(1000; 6 bytes\)/,
    );
  });

  it('flags tensor sizes that do not fit their data', () => {
    const model = parse(fixture('raw-size-mismatch.onnx'));
    expect(model.issues.map((i) => i.message)).toEqual([
      "graph/initializer 0 'W' is [4] FLOAT (16 bytes) but its raw_data holds 8 bytes",
    ]);
  });

  describe('malformed input', () => {
    const fails = (bytes: Uint8Array | readonly number[]) => {
      try {
        parse(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
      } catch (error) {
        expect(error).toBeInstanceOf(ParseError);
        return error as ParseError;
      }
      throw new Error('expected a ParseError');
    };

    it('refuses a truncated model with the offset', () => {
      const bytes = fixture('safe-add-matmul.onnx');
      const error = fails(bytes.subarray(0, bytes.length - 5));
      expect(error.code).toMatch(/TRUNCATED|BAD_STRUCTURE/);
      expect(error.offset).toBeGreaterThan(0);
    });

    it('refuses a bad varint, a length beyond the end and trailing garbage', () => {
      expect(fails([...tag(1, 0), ...Array(10).fill(0xff), 0x01]).code).toBe('BAD_VALUE');
      expect(fails([...tag(1, 0), 8, ...tag(7, 2), ...varint(1_000_000), 1, 2]).code).toBe('BAD_STRUCTURE');
      expect(fails([...buildModel(), 0x00]).message).toMatch(/field number 0/);
    });

    it("stops graphs nested past protobuf's recursion limit", () => {
      // Built by hand: protobufjs's own encoder refuses such depth.
      const text = (s: string) => [...new TextEncoder().encode(s)];
      let graph = [...encodeOnnx('GraphProto', { node: [node('Relu')] })];
      for (let i = 0; i < 40; i++) {
        const attribute = [...len(1, text('then_branch')), ...tag(20, 0), 5, ...len(6, graph)];
        graph = len(1, [...len(4, text('If')), ...len(5, attribute)]);
      }
      const bytes = [...tag(1, 0), 8, ...len(7, graph)];
      expect(fails(bytes).code).toBe('LIMIT_EXCEEDED');
      expect(fails(bytes).message).toMatch(/nested more than 100 deep/);
    });

    it('stops on huge field counts', () => {
      const bytes = buildModel({ node: Array.from({ length: 50 }, () => node('Relu')) });
      expect(() => parseOnnxModel(bufferSource(bytes), { limits: { maxFields: 100 } })).toThrow(
        /more than 100/,
      );
    });

    it('never throws anything but ParseError on a damaged model', () => {
      const base = buildModel(
        {
          node: [node('If', { attribute: [{ name: 'then_branch', type: 5, g: { node: [node('Relu')] } }] })],
          initializer: [{ name: 'w', dims: [2], data_type: FLOAT, float_data: [1, 2] }],
        },
        { metadata_props: [{ key: 'k', value: 'v' }] },
      );
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
          fc.nat(base.length),
          (edits, cut) => {
            const bytes = base.slice(0, Math.max(1, cut));
            for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
            try {
              parse(bytes);
            } catch (error) {
              expect(error).toBeInstanceOf(ParseError);
            }
          },
        ),
        { numRuns: 1500 },
      );
    });
  });
});

describe('checkTensorSize', () => {
  it('accepts data that fits, whatever field holds it', () => {
    expect(checkTensorSize(tensor({ dims: [2n, 3n], raw: { offset: 0, length: 24 } }))).toEqual([]);
    expect(checkTensorSize(tensor({ dims: [3n], typed: [{ field: 'float_data', count: 3 }] }))).toEqual([]);
    expect(checkTensorSize(tensor({ dims: [5n], dataType: 22, raw: { offset: 0, length: 3 } }))).toEqual([]); // INT4
    expect(
      checkTensorSize(tensor({ dims: [5n], dataType: 22, typed: [{ field: 'int32_data', count: 3 }] })),
    ).toEqual([]);
    expect(
      checkTensorSize(tensor({ dims: [2n], dataType: 14, typed: [{ field: 'float_data', count: 4 }] })),
    ).toEqual([]);
    expect(
      checkTensorSize(tensor({ dims: [2n], dataType: STRING, typed: [{ field: 'string_data', count: 2 }] })),
    ).toEqual([]);
    expect(checkTensorSize(tensor({ dims: [0n] }))).toEqual([]);
    expect(checkTensorSize(tensor({ dims: [4n], segmented: true, raw: { offset: 0, length: 4 } }))).toEqual(
      [],
    );
  });

  it('reports wrong counts, wrong fields, doubled data, missing data and negative dims', () => {
    const problems = (spec: Partial<OnnxTensor>) => checkTensorSize(tensor(spec)).join('\n');
    expect(problems({ dims: [3n], typed: [{ field: 'float_data', count: 2 }] })).toMatch(
      /3 entries.*holds 2/,
    );
    expect(problems({ dims: [3n], typed: [{ field: 'int64_data', count: 3 }] })).toMatch(
      /FLOAT tensor but carries int64_data/,
    );
    expect(
      problems({ dims: [1n], raw: { offset: 0, length: 4 }, typed: [{ field: 'float_data', count: 1 }] }),
    ).toMatch(/data twice/);
    expect(problems({ dims: [2n] })).toMatch(/carries no data/);
    expect(problems({ dims: [-1n, 2n] })).toMatch(/negative dimension/);
    expect(problems({ dims: [2n ** 40n, 2n ** 40n] })).toMatch(/more than int64 holds/);
    expect(problems({ dataType: STRING, dims: [1n], raw: { offset: 0, length: 1 } })).toMatch(
      /STRING tensor but carries raw_data/,
    );
    expect(problems({ dims: [1n], dataLocation: 7, raw: { offset: 0, length: 4 } })).toMatch(
      /neither DEFAULT nor EXTERNAL/,
    );
  });

  it('checks external data lengths and numbers', () => {
    const external = (entries: Record<string, string>) => {
      const t = externalTensor('w.bin', entries);
      return checkTensorSize(
        tensor({
          dims: t.dims.map(BigInt),
          dataLocation: EXTERNAL,
          externalData: t.external_data.map((e) => ({ ...e, offset: 0 })),
        }),
      ).join('\n');
    };
    expect(external({})).toBe('');
    expect(external({ length: '20' })).toMatch(/16 bytes\) but its external_data length is 20/);
    expect(external({ offset: '-4' })).toMatch(/offset that is not a decimal integer/);
  });
});

describe('isOnnxModel', () => {
  it('recognises models by content, whatever their name', () => {
    expect(detect(fixture('safe-add-matmul.onnx'))).toBe(true);
    expect(detect(fixture('external-valid/model.onnx'), 'weights')).toBe(true);
    expect(
      detect(encodeOnnx('ModelProto', { ir_version: 7, opset_import: [{ domain: '', version: 12 }] })),
    ).toBe(true);
  });

  it('claims no pickle, text, JSON, empty input or TensorFlow SavedModel', () => {
    expect(detect([0x80, 0x04, 0x95, 0x00])).toBe(false);
    expect(detect(new TextEncoder().encode('ir_version: 8\ngraph { }'))).toBe(false);
    expect(detect(new TextEncoder().encode('{"ir_version": 8}'))).toBe(false);
    expect(detect([])).toBe(false);
    // SavedModel: saved_model_schema_version = 1 (field 1), then meta_graphs (field 2), no field 7 or 8.
    expect(detect([...tag(1, 0), 1, ...len(2, [0x0a, 0x00])])).toBe(false);
    // An ir_version no writer produces, or a graph field whose length overruns the file.
    expect(detect([...tag(1, 0), ...varint(5000), ...len(7, [])])).toBe(false);
    expect(detect([...tag(1, 0), 8, ...tag(7, 2), 100, 1])).toBe(false);
  });

  it('takes the .onnx name as a hint for a model cut short after its first field', () => {
    const cut = fixture('safe-add-matmul.onnx').subarray(0, 12);
    expect(detect(cut, 'model.bin')).toBe(false);
    expect(detect(cut, 'model.onnx')).toBe(true);
    expect(detect(new TextEncoder().encode('hello world'), 'model.onnx')).toBe(false);
  });
});
