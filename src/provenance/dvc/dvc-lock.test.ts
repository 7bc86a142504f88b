import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../core/errors.js';
import { parseDvcLock } from './dvc-lock.js';
import { formatDvcProblem } from './model.js';

const fixture = (path: string) => readFileSync(join('test', 'fixtures', 'dvc', path));

describe('parseDvcLock', () => {
  it('reads a schema 2.0 lock file as DVC 2 wrote it (no hash: md5)', () => {
    const lock = parseDvcLock(fixture('dvc-bench/dvc.lock'), { file: 'dvc.lock' });
    expect(lock.schema).toBe('2.0');
    expect(lock.problems).toEqual([]);
    expect(lock.stages).toHaveLength(1);
    const stage = lock.stages[0];
    expect(stage?.name).toBe('gen_plots');
    expect(stage?.cmd).toEqual(['python plots.py']);
    expect(stage?.deps.map((d) => [d.path, d.md5, d.hashName, d.size])).toEqual([
      ['plots.py', '7ca631ff2d313f1d8fcc9e70349c742b', 'md5-dos2unix', 567],
      ['results.csv', expect.stringMatching(/^[0-9a-f]{32}$/), 'md5-dos2unix', expect.any(Number)],
    ]);
    expect(stage?.outs[0]).toMatchObject({
      path: 'plots',
      isDir: true,
      nfiles: 30,
      hashName: 'md5-dos2unix',
    });
  });

  it('reads a DVC 1.0 lock file (no schema, stages at the top) as schema 1', () => {
    const lock = parseDvcLock(fixture('dvc-bench/v1/dvc.lock'), { file: 'dvc.lock' });
    expect(lock.schema).toBe('1');
    expect(lock.problems).toEqual([]);
    expect(lock.stages.map((s) => s.name)).toEqual(['setup_asv', 'convert_tags', 'run_benchmarks']);
    expect(lock.stages[0]?.outs.map((o) => [o.path, o.isDir])).toEqual([
      ['dvc/', true],
      ['envs/', true],
    ]);
  });

  it('reads a DVC 3 lock: hash: md5, params, cmd lists, foreach stage names', () => {
    // The layout DVC 3 writes (tests/func/test_lockfile.py: path, hash, md5, size).
    const text = [
      "schema: '2.0'",
      'stages:',
      '  prepare:',
      '    cmd:',
      '    - python a.py',
      '    - python b.py',
      '    deps:',
      '    - path: data/data.xml',
      '      hash: md5',
      '      md5: 22a1a2931c8370d3aeedd7183606fd7f',
      '      size: 14445097',
      '    params:',
      '      params.yaml:',
      '        prepare.seed: 20170428',
      '        prepare.split: 0.2',
      '        big: 123456789012345678901234567890',
      '    outs:',
      '    - path: data/prepared',
      '      hash: md5',
      '      md5: 153aad06d376b6595932470e459ef42a.dir',
      '      size: 8437363',
      '      nfiles: 2',
      '  build@uk:',
      "    cmd: python train.py 'uk' 3 10",
      '    outs:',
      '    - path: model-uk.hdfs',
      '      md5: 17b3d1efc339b416c4b5615b1ce1b97e',
    ].join('\n');
    const lock = parseDvcLock(text, { file: 'dvc.lock' });
    expect(lock.problems).toEqual([]);
    expect(lock.stages.map((s) => s.name)).toEqual(['prepare', 'build@uk']);
    expect(lock.stages[0]?.cmd).toEqual(['python a.py', 'python b.py']);
    expect(lock.stages[0]?.params).toEqual([
      {
        file: 'params.yaml',
        values: { 'prepare.seed': 20170428, 'prepare.split': 0.2, big: '123456789012345678901234567890' },
      },
    ]);
    expect(lock.stages[0]?.outs[0]).toMatchObject({
      hashName: 'md5',
      md5: '153aad06d376b6595932470e459ef42a',
      isDir: true,
    });
    expect(lock.stages[1]?.outs[0]?.hashName).toBe('md5-dos2unix');
  });

  it('reads an empty lock file as no stages, as DVC does', () => {
    expect(parseDvcLock('', { file: 'dvc.lock' })).toEqual({ schema: '1', stages: [], problems: [] });
  });

  describe('on malformed input', () => {
    it.each([
      ['not YAML', 'stages: [', 'BAD_STRUCTURE', /dvc\.lock is not valid YAML/],
      ['a list', '- a', 'BAD_STRUCTURE', /not a mapping/],
      [
        'an unquoted schema 2.0 (a float, which DVC refuses)',
        'schema: 2.0\nstages: {}\n',
        'UNSUPPORTED',
        /schema 2 is not '2\.0'/,
      ],
      ['schema 3', "schema: '3.0'\n", 'UNSUPPORTED', /not '2\.0'/],
      ['stages that are a list', "schema: '2.0'\nstages: [a]\n", 'BAD_STRUCTURE', /stages is not a mapping/],
      ['too large', `schema: '2.0'\n#${'x'.repeat(100)}`, 'LIMIT_EXCEEDED', /larger than 50 bytes/],
    ])('refuses %s', (_name, text, code, message) => {
      const parse = () =>
        parseDvcLock(text, {
          file: 'dvc.lock',
          limits: { maxDvcLockBytes: text.includes('#x') ? 50 : 1 << 20 },
        });
      expect(parse).toThrow(ParseError);
      expect(parse).toThrow(message);
      expect(parse).toThrow(expect.objectContaining({ code }));
    });

    it('names each field it cannot take', () => {
      const text = [
        "schema: '2.0'",
        'stages:',
        '  a: 5',
        '  b:',
        '    deps: notalist',
        '    params: [x]',
        '    outs:',
        '    - path: ok',
        '      md5: zz',
        '  c:',
        '    cmd: python c.py',
        '    params:',
        '      params.yaml: 5',
      ].join('\n');
      expect(parseDvcLock(text, { file: 'dvc.lock' }).problems.map(formatDvcProblem)).toEqual([
        'dvc.lock: stages.a: is not a mapping',
        'dvc.lock: stages.b.cmd: is missing',
        'dvc.lock: stages.b.deps: is not a list',
        'dvc.lock: stages.b.outs[0].md5: is not an MD5',
        'dvc.lock: stages.b.params: is not a mapping of params files',
        'dvc.lock: stages.c.params.params.yaml: is not a mapping of parameter values',
      ]);
    });

    it('reads at most maxStages stages', () => {
      const text = `schema: '2.0'\nstages:\n${Array.from({ length: 4 }, (_, i) => `  s${i}: {cmd: x}`).join('\n')}\n`;
      const lock = parseDvcLock(text, { file: 'dvc.lock', limits: { maxStages: 2 } });
      expect(lock.stages).toHaveLength(2);
      expect(lock.problems.map(formatDvcProblem)).toEqual([
        'dvc.lock: stages: has more than 2 stages; the rest are not read',
      ]);
    });

    it('cuts parameter values nested deeper than it keeps', () => {
      const deep = `${'{a: '.repeat(40)}1${'}'.repeat(40)}`;
      const lock = parseDvcLock(
        `schema: '2.0'\nstages:\n  s:\n    cmd: x\n    params:\n      p.yaml:\n        k: ${deep}\n`,
        {
          file: 'dvc.lock',
        },
      );
      expect(JSON.stringify(lock.stages[0]?.params)).toContain('null');
    });
  });
});
