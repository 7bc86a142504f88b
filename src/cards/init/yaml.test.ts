import { describe, expect, it } from 'vitest';
import { readCard } from '../read.js';
import { toYamlLines, yamlMap, yamlNumber, yamlString } from './yaml.js';

/** Reads YAML lines back the way the Hub does (the card reader parses front matter as PyYAML would). */
function readBack(lines: readonly string[]): unknown {
  const doc = readCard('README.md', `---\n${lines.join('\n')}\n---\n`);
  expect(doc.problems).toEqual([]);
  return JSON.parse(JSON.stringify(doc.frontMatter?.data));
}

describe('yaml writer', () => {
  it('writes strings so YAML 1.1 reads back the same string', () => {
    const values = [
      'text-generation',
      'yes',
      'No',
      'on',
      'null',
      '~',
      '1.0',
      '0x10',
      '1:20',
      'a: b',
      'a #b',
      '- x',
      '"q"',
      "it's",
      'tab\there',
      'line\nbreak',
      'nel\u0085',
      'ls\u2028',
      'ünïcödé',
      'emoji 🤗',
      '',
      '@at',
      '*star',
      '&amp',
      '!tag',
      '%pct',
      '[x]',
      '{y}',
    ];
    const map = yamlMap(values.map((v, i) => ({ key: `k${i}`, value: v })));
    const data = readBack(toYamlLines(map)) as Record<string, unknown>;
    values.forEach((v, i) => {
      expect(data[`k${i}`], JSON.stringify(v)).toBe(v);
    });
  });

  it('writes numbers so PyYAML reads floats as floats', () => {
    expect(yamlNumber(3)).toBe('3');
    expect(yamlNumber(0.5)).toBe('0.5');
    expect(yamlNumber(5e-7)).toBe('5.0e-7');
    expect(yamlNumber(1.5e-7)).toBe('1.5e-7');
    expect(yamlNumber(1e21)).toBe('1.0e+21');
    expect(yamlNumber(-0.25)).toBe('-0.25');
    expect(() => yamlNumber(Number.NaN)).toThrow(RangeError);
    const data = readBack(
      toYamlLines(yamlMap([0.4325, 5e-7, 1e21, 42].map((v, i) => ({ key: `n${i}`, value: v })))),
    );
    expect(data).toEqual({ n0: 0.4325, n1: 5e-7, n2: 1e21, n3: 42 });
  });

  it('writes nested maps and lists in the Hub style, with comments after scalars', () => {
    const lines = toYamlLines(
      yamlMap([
        { key: 'tags', value: ['a', 'b'] },
        {
          key: 'model-index',
          value: [
            yamlMap([
              { key: 'name', value: 'm' },
              {
                key: 'results',
                value: [
                  yamlMap([
                    {
                      key: 'metrics',
                      value: [yamlMap([{ key: 'value', value: 0.5, comment: 'from x.json\n# y' }])],
                    },
                  ]),
                ],
              },
            ]),
          ],
        },
      ]),
    );
    expect(lines).toEqual([
      'tags:',
      '- a',
      '- b',
      'model-index:',
      '- name: m',
      '  results:',
      '  - metrics:',
      '    - value: 0.5  # from x.json # y',
    ]);
    expect(readBack(lines)).toEqual({
      tags: ['a', 'b'],
      'model-index': [{ name: 'm', results: [{ metrics: [{ value: 0.5 }] }] }],
    });
  });

  it('quotes keys that are not plain identifiers', () => {
    expect(yamlString('a b')).toBe('"a b"');
    expect(toYamlLines(yamlMap([{ key: 'a b', value: 1 }]))).toEqual(['"a b": 1']);
  });
});
