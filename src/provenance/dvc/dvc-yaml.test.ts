// biome-ignore-all lint/suspicious/noTemplateCurlyInString: dvc.yaml text spells its own ${...} templates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { parseDvcYaml } from './dvc-yaml.js';
import { formatDvcProblem } from './model.js';

const fixture = (path: string) => readFileSync(join('test', 'fixtures', 'dvc', path));

describe('parseDvcYaml', () => {
  it('reads a real pipeline with a cache: false plots out', () => {
    const pipeline = parseDvcYaml(fixture('dvc-bench/dvc.yaml'), { file: 'dvc.yaml' });
    expect(pipeline.problems).toEqual([]);
    expect(pipeline.stages).toEqual([
      {
        name: 'gen_plots',
        form: 'single',
        cmd: ['python plots.py'],
        deps: ['plots.py', 'results.csv'],
        params: [],
        outs: [{ path: 'plots', kind: 'plot', cache: false, persist: false, push: true }],
        frozen: false,
        alwaysChanged: false,
        templated: false,
      },
    ]);
  });

  it('reads the DVC 1.0 pre-release pipeline without inventing outs from unknown keys', () => {
    const pipeline = parseDvcYaml(fixture('dvc-bench/v1/dvc.yaml'), { file: 'dvc.yaml' });
    expect(pipeline.stages.map((s) => [s.name, s.outs.map((o) => o.path)])).toEqual([
      ['convert_tags', ['hashes.txt']],
      ['run_benchmarks', []],
      ['setup_asv', []],
    ]);
  });

  it('reads params, flags, foreach and matrix stages, and notes templates without evaluating them', () => {
    const text = [
      'vars:',
      '  - params.yaml',
      'stages:',
      '  prepare:',
      '    cmd: python prepare.py ${data}',
      '    wdir: src',
      '    deps: [data.xml]',
      '    params:',
      '      - prepare.seed',
      '      - custom.yaml: [a, b]',
      '      - whole.yaml:',
      '    outs:',
      '      - prepared',
      '      - model.pkl:',
      '          cache: false',
      '          persist: true',
      '          push: false',
      '          desc: the model',
      '    metrics:',
      '      - metrics.json: {cache: false}',
      '    frozen: true',
      '    always_changed: true',
      '  build:',
      '    foreach: [uk, us]',
      '    do:',
      '      cmd: python train.py ${item}',
      '      outs:',
      '        - model-${item}.hdfs',
      '  grid:',
      '    matrix:',
      '      lr: [0.1, 0.01]',
      '      depth: [2, 4]',
      '    cmd: python grid.py',
      'metrics: [eval/metrics.json]',
      'plots:',
      '  - ROC: {x: fpr}',
      '  - eval/importance.png',
      'artifacts:',
      '  model: {path: model.pkl, type: model}',
    ].join('\n');
    const pipeline = parseDvcYaml(text, { file: 'dvc.yaml' });
    expect(pipeline.problems).toEqual([]);
    expect(pipeline.hasVars).toBe(true);
    expect(pipeline.metrics).toEqual(['eval/metrics.json']);
    expect(pipeline.plots).toEqual(['ROC', 'eval/importance.png']);
    expect(pipeline.artifacts).toEqual(['model']);
    const [prepare, build, grid] = pipeline.stages;
    expect(prepare).toMatchObject({
      wdir: 'src',
      templated: true,
      frozen: true,
      alwaysChanged: true,
      params: [
        { file: 'params.yaml', keys: ['prepare.seed'] },
        { file: 'custom.yaml', keys: ['a', 'b'] },
        { file: 'whole.yaml', keys: 'all' },
      ],
    });
    expect(prepare?.outs).toEqual([
      { path: 'prepared', kind: 'out', cache: true, persist: false, push: true },
      { path: 'model.pkl', kind: 'out', cache: false, persist: true, push: false, desc: 'the model' },
      { path: 'metrics.json', kind: 'metric', cache: false, persist: false, push: true },
    ]);
    expect(build).toMatchObject({
      form: 'foreach',
      foreach: 'list',
      templated: true,
      outs: [{ path: 'model-${item}.hdfs' }],
    });
    expect(grid).toMatchObject({ form: 'matrix', matrix: ['lr', 'depth'], templated: false });
  });

  describe('on malformed input', () => {
    it.each([
      ['not YAML', 'stages: {', 'BAD_STRUCTURE', /not valid YAML/],
      ['a list', '- a', 'BAD_STRUCTURE', /not a mapping/],
      ['stages as a list', 'stages: [a]', 'BAD_STRUCTURE', /stages is not a mapping/],
      ['duplicate stage names', 'stages:\n  a: {cmd: x}\n  a: {cmd: y}\n', 'BAD_STRUCTURE', /duplicate key/],
    ])('refuses %s', (_name, text, code, message) => {
      const parse = () => parseDvcYaml(text, { file: 'dvc.yaml' });
      expect(parse).toThrow(ParseError);
      expect(parse).toThrow(message);
      expect(parse).toThrow(expect.objectContaining({ code }));
    });

    it('names each field it cannot take', () => {
      const text = [
        'stages:',
        '  a: 1',
        '  b:',
        '    deps: x',
        '    outs: [1, {o: 5}]',
        '    params: [1, {f: 2}]',
        '    wdir: 3',
        '  c:',
        '    foreach: [1]',
        '  d:',
        '    matrix: 5',
        '    cmd: x',
        'metrics: 5',
      ].join('\n');
      expect(parseDvcYaml(text, { file: 'dvc.yaml' }).problems.map(formatDvcProblem)).toEqual([
        'dvc.yaml: stages.a: is not a mapping',
        'dvc.yaml: stages.b.cmd: is missing',
        'dvc.yaml: stages.b.wdir: is not a path',
        'dvc.yaml: stages.b.deps: is not a list',
        'dvc.yaml: stages.b.params[0]: is not a parameter name or a mapping of a params file to names',
        'dvc.yaml: stages.b.params[1].f: is not a list of parameter names',
        'dvc.yaml: stages.b.outs[0]: is not a path or a mapping of a path to its flags',
        'dvc.yaml: stages.b.outs[1].o: is not a mapping of flags',
        'dvc.yaml: stages.c.do: is missing or not a mapping',
        'dvc.yaml: stages.d.matrix: is not a mapping of axes',
        'dvc.yaml: metrics: is not a list',
      ]);
    });

    it('reads at most maxStages stages and maxEntries outs', () => {
      const text = `stages:\n${Array.from({ length: 3 }, (_, i) => `  s${i}: {cmd: x, outs: [a, b, c]}`).join('\n')}\n`;
      const pipeline = parseDvcYaml(text, { file: 'dvc.yaml', limits: { maxStages: 2, maxEntries: 2 } });
      expect(pipeline.stages).toHaveLength(2);
      expect(pipeline.stages[0]?.outs).toHaveLength(2);
      expect(pipeline.problems.map((p) => p.code)).toEqual(['too-many', 'too-many', 'too-many']);
    });
  });
});
