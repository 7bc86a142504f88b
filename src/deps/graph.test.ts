import { describe, expect, it } from 'vitest';
import { buildDependencyGraph } from './graph.js';
import type { DependencyPackage } from './model.js';

function pkg(name: string, dependencies: string[], direct?: boolean, file = 'uv.lock'): DependencyPackage {
  return {
    ecosystem: 'PyPI',
    name,
    normalizedName: name,
    version: '1.0',
    source: { kind: 'registry' },
    hashes: [],
    extras: [],
    groups: [],
    dependencies,
    ...(direct !== undefined ? { direct } : {}),
    declaredAt: { file },
  };
}

describe('who pulled this in', () => {
  it('gives the shortest chains from direct dependencies', () => {
    const graph = buildDependencyGraph([
      pkg('app-a', ['transformers'], true),
      pkg('app-b', ['torch'], true),
      pkg('transformers', ['tokenizers', 'huggingface-hub'], false),
      pkg('tokenizers', ['huggingface-hub'], false),
      pkg('huggingface-hub', ['requests'], false),
      pkg('torch', ['jinja2'], false),
      pkg('jinja2', ['markupsafe'], false),
      pkg('markupsafe', [], false),
      pkg('requests', [], false),
    ]);
    expect(graph.chainsTo('uv.lock', 'requests')).toEqual([
      ['app-a', 'transformers', 'huggingface-hub', 'requests'],
    ]);
    expect(graph.chainsTo('uv.lock', 'markupsafe')).toEqual([['app-b', 'torch', 'jinja2', 'markupsafe']]);
    expect(graph.chainsTo('uv.lock', 'app-a')).toEqual([]);
    expect(graph.chainsTo('other.lock', 'requests')).toEqual([]);
  });

  it('starts chains at packages nothing depends on when the lockfile marks no direct ones, and survives cycles', () => {
    const graph = buildDependencyGraph([
      pkg('a', ['b']),
      pkg('b', ['c']),
      pkg('c', ['b', 'd']),
      pkg('d', []),
    ]);
    expect(graph.chainsTo('uv.lock', 'd')).toEqual([['a', 'b', 'c', 'd']]);
  });
});
