import { describe, expect, it } from 'vitest';
import { buildZip } from '../../formats/zip/test-support/zip-builder.js';
import { analyseBytes, ruleList } from '../test-support.js';

const node = (loader: string, module: string, cls: string, content?: unknown) => ({
  __class__: cls,
  __module__: module,
  __loader__: loader,
  ...(content === undefined ? {} : { content }),
});
const str = (s: string) => ({ ...node('JsonNode', 'builtins', 'str', JSON.stringify(s)), is_json: true });
const dict = (content: Record<string, unknown>) => node('DictNode', 'builtins', 'dict', content);

const skops = (schema: unknown, extra: { name: string; data: string }[] = []) =>
  buildZip([
    { name: 'schema.json', data: typeof schema === 'string' ? schema : JSON.stringify(schema) },
    ...extra,
  ]);

const scan = async (schema: unknown, limits?: Parameters<typeof analyseBytes>[2]) =>
  analyseBytes(skops(schema), 'model.skops', limits);

describe('skops schema', () => {
  it('accepts what skops trusts by default: scikit-learn estimators, NumPy arrays, builtin containers', async () => {
    const schema = node(
      'ObjectNode',
      'sklearn.pipeline',
      'Pipeline',
      dict({
        steps: node('ListNode', 'builtins', 'list', [
          node('TupleNode', 'builtins', 'tuple', [
            str('scale'),
            node('ObjectNode', 'sklearn.preprocessing._data', 'StandardScaler', dict({})),
          ]),
        ]),
        coef_: node('NdArrayNode', 'numpy', 'ndarray'),
        f: node('FunctionNode', 'numpy', 'log1p'),
      }),
    );
    const r = await scan(schema);
    expect(r.format).toBe('skops');
    expect(r.findings).toEqual([]);
  });

  it('reports custom types at medium, as skops would ask to trust them', async () => {
    const r = await scan(node('ObjectNode', '__main__', 'DivideColumns', dict({ a: str('x') })));
    expect(ruleList(r.findings)).toEqual(['SKOPS-UNTRUSTED-TYPE:medium']);
    expect(r.findings[0]?.message).toContain('__main__.DivideColumns (ObjectNode)');
  });

  it('reports dangerous callables at high: builtins.eval, os.system, operator.methodcaller, bound methods', async () => {
    const schema = dict({
      a: node('FunctionNode', 'builtins', 'eval'),
      b: node('ObjectNode', 'os', 'system', dict({})),
      c: node(
        'OperatorFuncNode',
        'operator',
        'methodcaller',
        node('TupleNode', 'builtins', 'tuple', [str('system')]),
      ),
      d: node('MethodNode', 'subprocess', 'Popen', {
        func: 'communicate',
        obj: node('ObjectNode', 'subprocess', 'Popen', dict({})),
      }),
      e: node('ObjectNode', 'mypkg.models', 'Thing', dict({})),
    });
    const r = await scan(schema);
    expect(ruleList(r.findings)).toEqual(['SKOPS-UNTRUSTED-TYPE:high', 'SKOPS-UNTRUSTED-TYPE:medium']);
    const high = r.findings.find((f) => f.severity === 'high');
    for (const t of [
      'builtins.eval',
      'os.system',
      'operator.methodcaller',
      'subprocess.Popen',
      'subprocess.Popen.communicate',
    ])
      expect(high?.message).toContain(t);
    expect(r.findings.find((f) => f.severity === 'medium')?.evidence).toBe('mypkg.models.Thing');
  });

  it('still analyses the other members by content', async () => {
    const r = await analyseBytes(
      skops(node('NdArrayNode', 'numpy', 'ndarray'), [{ name: 'a.npy', data: 'cposix\nsystem\n(Vid\ntR.' }]),
      'model.skops',
    );
    expect(ruleList(r.findings)).toContain('PICKLE-IMPORT-DANGEROUS:critical');
  });

  describe('malformed input', () => {
    it('reports a schema that is not JSON', async () => {
      const r = await scan('{"__class__": ');
      expect(ruleList(r.findings)).toEqual(['SKOPS-MALFORMED:medium']);
      expect(r.notAnalysed).toBe(1);
    });

    it('reports loaders skops does not have, and never reports the schema clean', async () => {
      const r = await scan(node('EvilNode', 'builtins', 'dict'));
      expect(ruleList(r.findings)).toEqual(['SKOPS-MALFORMED:medium', 'SKOPS-UNTRUSTED-TYPE:medium']);
    });

    it('stops at hostile nesting without exhausting the stack', async () => {
      let deep: unknown = str('x');
      for (let i = 0; i < 1000; i++) deep = node('ListNode', 'builtins', 'list', [deep]);
      const r = await scan(deep);
      expect(ruleList(r.findings)).toEqual(['SKOPS-MALFORMED:medium']);
      expect(r.findings[0]?.message).toContain('nested deeper');
    });
  });
});
