import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencyFile, DependencyPackage } from '../model.js';
import { readCondaEnvironment } from './conda.js';

const fixture = readFileSync(new URL('./fixtures/conda-environment.yml', import.meta.url), 'utf8');

function only(file: DependencyFile, normalizedName: string): DependencyPackage {
  const found = file.packages.filter((pkg) => pkg.normalizedName === normalizedName);
  expect(found, normalizedName).toHaveLength(1);
  return found[0]!;
}

const env = (deps: string) => `name: t\ndependencies:\n${deps}`;

describe('readCondaEnvironment', () => {
  describe('with a training environment', () => {
    const result = readCondaEnvironment('envs/environment.yml', fixture, {
      load: (path) => (path === 'envs/requirements-extra.txt' ? 'safetensors==0.4.2\n' : undefined),
    });

    it('maps conda ML packages to their PyPI project, keeping the conda name and origin', () => {
      expect(only(result, 'torch')).toEqual({
        ecosystem: 'PyPI',
        name: 'pytorch',
        normalizedName: 'torch',
        version: '2.2.1',
        source: { kind: 'registry', url: 'https://conda.anaconda.org/pytorch' },
        hashes: [],
        extras: [],
        groups: ['conda'],
        dependencies: [],
        purl: 'pkg:pypi/torch@2.2.1',
        declaredAt: { file: 'envs/environment.yml', line: 9 },
      });
      expect(only(result, 'xgboost')).toMatchObject({
        name: 'py-xgboost',
        version: '2.0.3',
        groups: ['conda'],
      });
      expect(only(result, 'torchvision').version).toBe('0.17.1');
      expect(only(result, 'scikit-learn')).toMatchObject({ version: '1.4.1', ecosystem: 'PyPI' });
      expect(only(result, 'huggingface-hub')).toMatchObject({ name: 'huggingface_hub', requirement: '*' });
    });

    it('keeps other packages as conda, and a fuzzy "=1.2" unresolved', () => {
      expect(only(result, 'python')).toMatchObject({ ecosystem: 'conda', requirement: '=3.11' });
      expect(only(result, 'python').version).toBeUndefined();
      expect(only(result, 'pytorch-cuda')).toMatchObject({ ecosystem: 'conda', requirement: '=12.1' });
      expect(only(result, 'openssl')).toMatchObject({
        ecosystem: 'conda',
        version: '3.2.1',
        purl: 'pkg:conda/openssl@3.2.1',
        source: { kind: 'registry', url: 'https://conda.anaconda.org/conda-forge' },
      });
      expect(only(result, 'numpy')).toMatchObject({
        ecosystem: 'PyPI',
        requirement: '>=1.26,<2',
        groups: ['conda'],
      });
    });

    it('reads the pip: list as requirements, with YAML line numbers and includes next to the file', () => {
      expect(only(result, 'transformers')).toMatchObject({
        version: '4.38.2',
        groups: [],
        declaredAt: { file: 'envs/environment.yml', line: 20 },
      });
      expect(only(result, 'accelerate')).toMatchObject({ requirement: '>=0.27', declaredAt: { line: 21 } });
      expect(only(result, 'safetensors').declaredAt).toEqual({
        file: 'envs/requirements-extra.txt',
        line: 1,
      });
      expect(result.includes).toEqual(['envs/requirements-extra.txt']);
      expect(result.problems).toEqual([]);
      expect(result.packages).toHaveLength(13);
    });
  });

  describe('match spec forms', () => {
    it('tells exact from fuzzy versions as conda does', () => {
      const result = readCondaEnvironment(
        'e.yml',
        env(
          '  - a==1.2\n  - b=1.2\n  - c=1.2=h0\n  - d 1.2\n  - e 1.2 h0\n  - f 1.2.*\n  - g>=1,<2\n  - h[version=">=1"]\n  - i=1.2|1.3\n',
        ),
      );
      const versions = Object.fromEntries(
        result.packages.map((pkg) => [pkg.name, pkg.version ?? pkg.requirement]),
      );
      expect(versions).toEqual({
        a: '1.2',
        b: '=1.2',
        c: '1.2',
        d: '1.2',
        e: '1.2',
        f: '1.2.*',
        g: '>=1,<2',
        h: '[version=">=1"]',
        i: '=1.2|1.3',
      });
    });

    it('keeps a mapped package whose version is not PEP 440 as conda, with a problem', () => {
      const result = readCondaEnvironment('e.yml', env('  - numpy==1.2_weird\n'));
      expect(result.packages[0]).toMatchObject({
        ecosystem: 'conda',
        normalizedName: 'numpy',
        version: '1.2_weird',
      });
      expect(result.problems).toHaveLength(1);
    });
  });

  describe('malformed input', () => {
    it('reports YAML errors, a non-mapping top level and a missing or wrong dependencies key', () => {
      expect(readCondaEnvironment('e', 'dependencies: [a, b').problems[0]!.message).toMatch(/^YAML/);
      expect(readCondaEnvironment('e', '- a\n').problems[0]!.message).toContain('not a mapping');
      expect(readCondaEnvironment('e', 'name: x\n').problems[0]!.message).toBe('no "dependencies" list');
      expect(readCondaEnvironment('e', 'dependencies: numpy\n').problems[0]).toEqual({
        file: 'e',
        line: 1,
        message: '"dependencies" is not a list',
      });
    });

    it('skips entries that are not strings or pip lists, by line, and reads the rest', () => {
      const result = readCondaEnvironment(
        'e',
        env(
          '  - 3.10\n  - {foo: bar}\n  - "::"\n  - pip: notalist\n  - pip:\n      - [x]\n      - "a\\nb"\n      - ok==1\n  - good\n',
        ),
      );
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['good', 'ok']);
      expect(result.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 8, 9]);
    });

    it('does not expand aliases (no billion laughs) and stays fast', () => {
      const lol = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 12; i++)
        lol.push(
          `${'b'.repeat(i)}: &${'b'.repeat(i)} [${Array(10)
            .fill(i === 1 ? '*a' : `*${'b'.repeat(i - 1)}`)
            .join(',')}]`,
        );
      lol.push(`dependencies: [*${'b'.repeat(11)}, numpy]`);
      const started = performance.now();
      const result = readCondaEnvironment('e', lol.join('\n'));
      expect(performance.now() - started).toBeLessThan(2000);
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['numpy']);
      expect(result.problems).toHaveLength(1);
    });

    it('survives deep nesting without throwing', () => {
      const deep = `dependencies: ${'['.repeat(3000)}${']'.repeat(3000)}\n`;
      expect(() => readCondaEnvironment('e', deep)).not.toThrow();
    });
  });
});

describe('readCondaEnvironment on arbitrary entries', () => {
  it('never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 10 }), fc.string(), (entries, raw) => {
        const yaml = `dependencies:\n${entries.map((e) => `  - ${JSON.stringify(e)}`).join('\n')}\n  - pip:\n    - ${JSON.stringify(raw)}\n`;
        expect(() => readCondaEnvironment('e', yaml)).not.toThrow();
        expect(() => readCondaEnvironment('e', raw)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
