import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_INCLUDE_GROUP_DEPTH, MAX_LINE_LOOKUPS, readPyproject } from './pyproject.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const summary = (text: string) =>
  readPyproject('pyproject.toml', text).packages.map((p) => ({
    name: p.name,
    ...(p.version !== undefined ? { version: p.version } : { requirement: p.requirement }),
    groups: p.groups,
  }));

describe('readPyproject > PEP 621 and PEP 735', () => {
  const result = readPyproject('pyproject.toml', fixture('pyproject-pep621-pep735.toml'));

  it('reads dependencies, extras and groups, all direct, merging a requirement met in several groups', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.every((p) => p.direct === true)).toBe(true);
    expect(result.packages.map((p) => [p.name, p.groups.join(',')])).toEqual([
      ['bitsandbytes', 'quantize'],
      ['coverage', 'dev,test'],
      ['ipython', 'dev'],
      ['Pillow', ''],
      ['pytest', 'dev,test'],
      ['requests', ''],
      ['ruff', 'dev,lint'],
      ['texttable', 'quantize'],
      ['tgi-kernels', ''],
      ['torch', ''],
    ]);
  });

  it('resolves == pins only, keeping ranges as requirements', () => {
    const byName = new Map(result.packages.map((p) => [p.name, p]));
    expect(byName.get('torch')).toMatchObject({ version: '2.7.0', purl: 'pkg:pypi/torch@2.7.0' });
    expect(byName.get('requests')).toMatchObject({ requirement: '>=2.31,<3', declaredAt: { line: 6 } });
    expect(byName.get('requests')?.version).toBeUndefined();
    expect(byName.get('requests')?.purl).toBeUndefined();
    expect(byName.get('Pillow')).toMatchObject({
      normalizedName: 'pillow',
      extras: ['avif'],
      marker: "python_version >= '3.9'",
    });
    expect(byName.get('coverage')).toMatchObject({
      requirement: '*',
      extras: ['toml'],
      declaredAt: { line: 16 },
    });
    expect(byName.get('tgi-kernels')?.source).toEqual({
      kind: 'vcs',
      url: 'git+https://github.com/example/kernels.git@0123456789abcdef0123456789abcdef01234567',
      commit: '0123456789abcdef0123456789abcdef01234567',
    });
  });
});

describe('readPyproject > when an extra requires the project itself with other extras', () => {
  // Shape of huggingface/lerobot's pyproject.toml (Apache-2.0): extras built from `lerobot[...]`.
  const text = [
    '[project]',
    'name = "LeRobot"',
    'dependencies = ["torch>=2.7,<2.12.0"]',
    '[project.optional-dependencies]',
    'dataset = ["datasets>=4.8.0,<5.0.0", "lerobot[av-dep]"]',
    'av-dep = ["av>=15.0.0,<16.0.0"]',
    'training = ["lerobot[dataset]", "wandb>=0.24.0,<0.28.0"]',
    'all = ["lerobot[Training]", "lerobot[all]"]',
    '[dependency-groups]',
    'dev = ["lerobot[av_dep]", "pytest>=8"]',
  ].join('\n');

  it('does not list the project and gives the outer groups to the packages of the extras, transitively', () => {
    const result = readPyproject('pyproject.toml', text);
    expect(result.problems).toEqual([]);
    expect(summary(text)).toEqual([
      {
        name: 'av',
        requirement: '>=15.0.0,<16.0.0',
        groups: ['all', 'av-dep', 'dataset', 'dev', 'training'],
      },
      { name: 'datasets', requirement: '>=4.8.0,<5.0.0', groups: ['all', 'dataset', 'training'] },
      { name: 'pytest', requirement: '>=8', groups: ['dev'] },
      { name: 'torch', requirement: '>=2.7,<2.12.0', groups: [] },
      { name: 'wandb', requirement: '>=0.24.0,<0.28.0', groups: ['all', 'training'] },
    ]);
  });

  it('still lists a package that only shares a prefix with the project name', () => {
    const names = summary(text.replace('"av>=15.0.0,<16.0.0"', '"lerobot-extras==1.0"')).map((p) => p.name);
    expect(names).toContain('lerobot-extras');
  });
});

describe('readPyproject > Poetry tables', () => {
  const result = readPyproject('pyproject.toml', fixture('pyproject-poetry.toml'));
  const byName = (name: string) => result.packages.filter((p) => p.name === name);

  it('reads main, dev and group dependencies, leaving python out', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.some((p) => p.name === 'python')).toBe(false);
    expect(byName('black')[0]).toMatchObject({ requirement: '^24', groups: ['dev'] });
    expect(byName('pytest')[0]).toMatchObject({
      version: '8.3.2',
      groups: ['test'],
      declaredAt: { line: 28 },
    });
    expect(byName('numpy')[0]).toMatchObject({
      version: '1.26.4',
      groups: ['main'],
      declaredAt: { line: 9 },
    });
  });

  it('reads git, path, url, source and table constraints', () => {
    expect(byName('kernels')[0]).toMatchObject({
      requirement: 'https://github.com/example/kernels.git@v0.2.1',
      source: { kind: 'vcs', url: 'https://github.com/example/kernels.git' },
    });
    expect(byName('localpkg')[0]?.source).toEqual({ kind: 'path', path: '../localpkg', editable: true });
    expect(byName('wheelpkg')[0]?.source).toEqual({
      kind: 'url',
      url: 'https://example.com/wheelpkg-1.0-py3-none-any.whl',
    });
    expect(byName('torch')[0]).toMatchObject({
      version: '2.7.0',
      source: { kind: 'registry', url: 'https://download.pytorch.org/whl/cu128' },
    });
    expect(byName('transformers')[0]).toMatchObject({ extras: ['torch'], marker: "sys_platform == 'linux'" });
  });

  it('keeps each constraint of a multiple-constraint list, and puts optional ones in their extras', () => {
    expect(byName('pendulum').map((p) => p.requirement)).toEqual(['<2.0', '^2.1']);
    expect(byName('sentry-sdk')[0]?.groups).toEqual(['monitoring']);
  });

  it('with Poetry 2 and [project], reads a name in both places once, from [project]', () => {
    const text = `
[project]
name = "x"
dependencies = ["requests>=2"]
[tool.poetry.dependencies]
requests = { source = "private" }
rich = "^13"
`;
    expect(summary(text)).toEqual([
      { name: 'requests', requirement: '>=2', groups: [] },
      { name: 'rich', requirement: '^13', groups: ['main'] },
    ]);
  });
});

describe('readPyproject > malformed input', () => {
  it('reports include-group cycles, missing groups and bad entries, and reads the rest', () => {
    const text = `
[dependency-groups]
a = [{include-group = "b"}, "one"]
b = [{include-group = "a"}, "two", {include-group = "nope"}, {bogus = 1}, 3, "bad>>1"]
c = [{include-group = "c"}]
d = "not a list"
`;
    const result = readPyproject('pyproject.toml', text);
    // The include that closes the cycle is not followed: b gets only its own requirement.
    expect(result.packages.map((p) => [p.name, p.groups.join(',')])).toEqual([
      ['one', 'a'],
      ['two', 'a,b'],
    ]);
    expect(result.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        '[dependency-groups] "b": include-group cycle a -> b -> a',
        '[dependency-groups] "c": include-group cycle c -> c',
        '[dependency-groups] "b": includes group "nope", which does not exist',
        '[dependency-groups] "b": entry "{\\"bogus\\":1}" is neither a requirement nor {include-group = "..."}',
        '[dependency-groups] "b": entry "3" is neither a requirement nor {include-group = "..."}',
        expect.stringMatching(/^\[dependency-groups\] "b": "bad>>1": invalid version/),
        '[dependency-groups] "d" is not an array',
      ]),
    );
  });

  it('stops following an include-group chain at the depth limit', () => {
    const count = MAX_INCLUDE_GROUP_DEPTH + 10;
    const lines = ['[dependency-groups]'];
    for (let k = 0; k < count; k++) lines.push(`g${k} = [{include-group = "g${k + 1}"}, "p${k}"]`);
    lines.push(`g${count} = ["last"]`);
    const result = readPyproject('pyproject.toml', lines.join('\n'));
    expect(result.problems.some((p) => p.message.includes(`deeper than ${MAX_INCLUDE_GROUP_DEPTH}`))).toBe(
      true,
    );
    expect(result.packages.find((p) => p.name === 'last')?.groups.length).toBeGreaterThan(0);
  });

  it('reports wrong types in [project] and Poetry tables', () => {
    const text = `
[project]
dependencies = "requests"
optional-dependencies = ["x"]
[tool.poetry.dependencies]
"bad name" = "*"
ok = 5
also = { version = 5 }
[tool.poetry.group]
dev = "x"
`;
    const result = readPyproject('pyproject.toml', text);
    expect(result.packages).toEqual([]);
    expect(result.problems.map((p) => p.message)).toEqual([
      '[project] dependencies is not an array',
      '[project] optional-dependencies is not a table',
      '[tool.poetry.dependencies] "bad name": invalid package name',
      '[tool.poetry.dependencies] "ok": constraint "5" is neither a string nor a table',
      '[tool.poetry.dependencies] "also": version "5" is not a string',
      '[tool.poetry.group.dev] is not a table',
    ]);
  });

  it('reports a file that is not TOML, with its line', () => {
    expect(readPyproject('pyproject.toml', '[project]\ndependencies = [\n"a",\n"b"\n').problems).toEqual([
      {
        file: 'pyproject.toml',
        line: expect.any(Number),
        message: expect.stringContaining('not valid TOML'),
      },
    ]);
  });

  it('reads a large manifest in bounded time, giving lines only within the look-up budget', () => {
    const names = Array.from({ length: MAX_LINE_LOOKUPS + 500 }, (_, k) => `"pkg${k}>=1"`);
    const started = Date.now();
    const result = readPyproject('pyproject.toml', `[project]\ndependencies = [\n${names.join(',\n')}\n]\n`);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.packages).toHaveLength(MAX_LINE_LOOKUPS + 500);
    expect(result.packages.find((p) => p.name === 'pkg0')?.declaredAt.line).toBe(3);
    expect(result.packages.filter((p) => p.declaredAt.line === undefined)).toHaveLength(500);
  });
});
