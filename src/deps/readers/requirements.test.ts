import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DependencyFile, DependencyPackage } from '../model.js';
import { readRequirements } from './requirements.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function only(file: DependencyFile, normalizedName: string): DependencyPackage {
  const found = file.packages.filter((pkg) => pkg.normalizedName === normalizedName);
  expect(found, normalizedName).toHaveLength(1);
  return found[0]!;
}

const read = (text: string, options: Parameters<typeof readRequirements>[2] = {}) =>
  readRequirements('requirements.txt', text, options);

describe('readRequirements', () => {
  describe('with the synthetic file of every line kind', () => {
    const files: Record<string, string> = {
      'base.txt': 'six==1.16.0\n',
      'other.txt': '-r base.txt\nurllib3>=2\n',
      'constraints.txt': 'transformers==4.38.2\nonnx==1.14.1\n',
    };
    const result = readRequirements(
      'req-synthetic-requirements.txt',
      fixture('req-synthetic-requirements.txt'),
      {
        load: (path) => files[path],
      },
    );

    it('pins only ==, === and wheel filenames, and keeps every other specifier unresolved', () => {
      expect(only(result, 'torch')).toMatchObject({
        version: '2.1.0+cu121',
        marker: 'sys_platform == "linux"',
        purl: 'pkg:pypi/torch@2.1.0%2Bcu121',
        declaredAt: { file: 'req-synthetic-requirements.txt', line: 7 },
      });
      expect(only(result, 'scikit-learn')).toMatchObject({ name: 'scikit_learn', version: '1.3.0' });
      expect(only(result, 'pillow')).toMatchObject({ name: 'Pillow', requirement: '~= 10.0' });
      expect(only(result, 'pillow').version).toBeUndefined();
      expect(only(result, 'pillow').purl).toBeUndefined();
      expect(only(result, 'requests')).toMatchObject({
        version: '2.31.0',
        source: { kind: 'url', url: 'https://example.com/requests-2.31.0-py3-none-any.whl' },
      });
    });

    it('joins continuation lines and reads several hashes on one requirement', () => {
      const numpy = only(result, 'numpy');
      expect(numpy.declaredAt.line).toBe(8);
      expect(numpy.hashes).toEqual([
        { algorithm: 'sha256', value: 'aaaa' },
        { algorithm: 'sha256', value: 'bbbb' },
      ]);
      // The file's digests are four hex digits: kept as written, but reported.
      expect(result.problems.filter((p) => p.message.includes('has 4 hex digits'))).toHaveLength(2);
    });

    it('keeps extras and strips the trailing comment', () => {
      expect(only(result, 'transformers').extras).toEqual(['torch', 'sentencepiece']);
    });

    it('reads an editable VCS line as a VCS source named by #egg, unresolved', () => {
      expect(only(result, 'peft')).toMatchObject({
        source: { kind: 'vcs', url: 'git+https://github.com/huggingface/peft.git@v0.6.0' },
        requirement: 'git+https://github.com/huggingface/peft.git@v0.6.0#egg=peft',
        groups: ['editable'],
      });
      expect(only(result, 'peft').version).toBeUndefined();
    });

    it('lists a local directory under its path, never matchable', () => {
      expect(only(result, './local/pkg')).toMatchObject({ source: { kind: 'path', path: './local/pkg' } });
    });

    it('follows -r and -c includes, a -r nested in an included file, and applies constraint pins', () => {
      expect(result.includes).toEqual(['base.txt', 'other.txt', 'constraints.txt']);
      expect(only(result, 'six').declaredAt).toEqual({ file: 'base.txt', line: 1 });
      expect(only(result, 'urllib3').declaredAt).toEqual({ file: 'other.txt', line: 2 });
      // transformers>=4.30,<5 in the file, ==4.38.2 in constraints.txt: pip installs exactly that.
      expect(only(result, 'transformers')).toMatchObject({ version: '4.38.2', groups: [] });
      // onnx!=1.15.0 and a constraint onnx==1.14.1: pinned by the constraint.
      expect(only(result, 'onnx').version).toBe('1.14.1');
      expect(result.problems.some((p) => p.message.includes('could not be loaded'))).toBe(false);
    });

    it('uses --index-url as the source of every registry package', () => {
      expect(only(result, 'six').source).toEqual({ kind: 'registry', url: 'https://pypi.org/simple' });
      expect(only(result, 'requests').source.kind).toBe('url');
    });

    it('sorts by normalised name', () => {
      const names = result.packages.map((pkg) => pkg.normalizedName);
      expect(names).toEqual([...names].sort());
    });
  });

  describe('with uv pip compile output (TGI requirements_cuda.txt)', () => {
    const result = readRequirements(
      'req-tgi-requirements_cuda.txt',
      fixture('req-tgi-requirements_cuda.txt'),
    );

    it('reads all 118 pins without problems', () => {
      expect(result.problems).toEqual([]);
      expect(result.packages).toHaveLength(118);
      expect(result.packages.every((pkg) => pkg.version !== undefined && pkg.purl !== undefined)).toBe(true);
    });

    it('marks packages the project names as direct and the rest as not', () => {
      expect(only(result, 'accelerate')).toMatchObject({ version: '1.6.0', direct: true });
      expect(only(result, 'aiohappyeyeballs').direct).toBe(false);
      expect(result.packages.filter((pkg) => pkg.direct === true)).toHaveLength(33);
      expect(result.packages.every((pkg) => pkg.direct !== undefined)).toBe(true);
    });

    it('turns "# via" annotations into dependency edges', () => {
      expect(only(result, 'aiohttp').dependencies).toContain('aiohappyeyeballs');
      expect(only(result, 'torch').dependencies).toContain('triton');
      expect(only(result, 'requests').dependencies).toEqual(expect.arrayContaining(['certifi', 'idna']));
    });
  });

  describe('with pip-compile --generate-hashes output', () => {
    const result = readRequirements('req-hashes-compiled.txt', fixture('req-hashes-compiled.txt'), {
      env: { PIP_USER: 'ci', PIP_TOKEN: 'secret-token' },
    });

    it('reads hashes, markers before continuations and the line-style annotation', () => {
      expect(only(result, 'certifi').hashes).toHaveLength(2);
      expect(only(result, 'torch')).toMatchObject({
        version: '2.2.1',
        marker: 'sys_platform == "linux"',
        direct: true,
      });
      expect(only(result, 'torchvision')).toMatchObject({ direct: true, dependencies: ['torch'] });
      expect(only(result, 'requests')).toMatchObject({ direct: true, dependencies: ['certifi', 'idna'] });
      expect(only(result, 'idna').direct).toBe(false);
    });

    it('expands dollar-brace variables from the environment given, then drops credentials from the index URL', () => {
      expect(only(result, 'idna').source).toEqual({
        kind: 'registry',
        url: 'https://pypi.internal.example/simple',
      });
      expect(JSON.stringify(result)).not.toContain('secret-token');
      expect(result.problems).toEqual([]);
    });

    it('reports an unset variable and keeps it as written', () => {
      const unset = readRequirements('req-hashes-compiled.txt', fixture('req-hashes-compiled.txt'));
      expect(unset.problems.map((p) => p.message)).toEqual([
        `environment variable \${PIP_USER} is not set: kept as written`,
        `environment variable \${PIP_TOKEN} is not set: kept as written`,
      ]);
      expect(unset.problems[0]!.line).toBe(7);
    });
  });

  describe('requirement forms', () => {
    it('does not take ==2.* (prefix matching) or two different pins as a pin', () => {
      const result = read('a==2.*\nb>=1,==1.2\nc==1.0,==2.0\nd===foobar\ne (==3.1)\n');
      expect(only(result, 'a')).toMatchObject({ requirement: '==2.*' });
      expect(only(result, 'a').version).toBeUndefined();
      expect(only(result, 'b').version).toBe('1.2');
      expect(only(result, 'c').version).toBeUndefined();
      expect(only(result, 'd')).toMatchObject({ version: 'foobar', purl: 'pkg:pypi/d@foobar' });
      expect(only(result, 'e').version).toBe('3.1');
    });

    it('reads a bare name as unresolved "*"', () => {
      expect(only(read('Flask_Login\n'), 'flask-login')).toMatchObject({
        name: 'Flask_Login',
        requirement: '*',
      });
    });

    it('reads name @ URL with a marker, and a VCS URL pinned to a commit', () => {
      const commit = '0123456789abcdef0123456789abcdef01234567';
      const result = read(
        `pkg[x] @ https://u:p@files.example/pkg-1.0.tar.gz ; python_version < "3.10"\nlib @ git+https://github.com/o/lib.git@${commit}\n`,
      );
      expect(only(result, 'pkg')).toMatchObject({
        source: { kind: 'url', url: 'https://files.example/pkg-1.0.tar.gz' },
        requirement: 'https://files.example/pkg-1.0.tar.gz',
        marker: 'python_version < "3.10"',
        extras: ['x'],
      });
      expect(only(result, 'pkg').version).toBeUndefined();
      expect(only(result, 'lib').source).toEqual({
        kind: 'vcs',
        url: 'git+https://github.com/o/lib.git',
        commit,
      });
    });

    it('reads -e and --editable paths, local wheels and option abbreviations', () => {
      const result = read(
        '-e ./src/mypkg[dev]\n--editable=git+https://github.com/o/r.git#egg=r&subdirectory=py\n./dist/my_tool-0.2.0-py3-none-any.whl\n--extra https://extra.example/simple\n',
      );
      expect(only(result, './src/mypkg')).toMatchObject({
        source: { kind: 'path', path: './src/mypkg', editable: true },
        extras: ['dev'],
      });
      expect(only(result, 'r').source).toEqual({ kind: 'vcs', url: 'git+https://github.com/o/r.git' });
      expect(only(result, 'my-tool')).toMatchObject({
        version: '0.2.0',
        source: { kind: 'path', path: './dist/my_tool-0.2.0-py3-none-any.whl' },
      });
      expect(result.problems).toEqual([]);
    });

    it('lists a VCS URL without #egg= under its URL, unresolved, without a problem (pip accepts it)', () => {
      // As in facebookresearch/dinov2's conda.yaml pip section and many ML requirements files.
      const result = read(
        'git+https://github.com/facebookincubator/submitit\ngit+https://github.com/openai/CLIP.git@a1d0717 ; python_version >= "3.8"\n',
      );
      expect(result.problems).toEqual([]);
      expect(result.packages.map((p) => [p.name, p.normalizedName, p.version, p.source, p.marker])).toEqual([
        [
          'git+https://github.com/facebookincubator/submitit',
          'git+https://github.com/facebookincubator/submitit',
          undefined,
          { kind: 'vcs', url: 'git+https://github.com/facebookincubator/submitit' },
          undefined,
        ],
        [
          'git+https://github.com/openai/CLIP.git@a1d0717',
          'git+https://github.com/openai/CLIP.git@a1d0717',
          undefined,
          { kind: 'vcs', url: 'git+https://github.com/openai/CLIP.git@a1d0717' },
          'python_version >= "3.8"',
        ],
      ]);
    });

    it('takes # only as a comment after whitespace, and a comment line ends a continuation', () => {
      const result = read('a==1.0#not-a-comment\nb==2.0 \\\n# comment\nc==3.0\n');
      expect(result.problems.map((p) => p.message)).toEqual([
        'invalid version specifier "==1.0#not-a-comment" (PEP 440): left unresolved',
      ]);
      expect(only(result, 'b').version).toBe('2.0');
      expect(only(result, 'c')).toMatchObject({ version: '3.0', declaredAt: { line: 4 } });
    });

    it('lists constraints that apply to nothing with group "constraint" and direct false', () => {
      const result = read('-c c.txt\nrequests\n', { load: () => 'urllib3==1.26.18\nrequests==2.31.0\n' });
      expect(only(result, 'urllib3')).toMatchObject({
        version: '1.26.18',
        groups: ['constraint'],
        direct: false,
      });
      expect(only(result, 'requests')).toMatchObject({ version: '2.31.0', groups: [] });
    });

    it('reports a requirement pin that contradicts a constraint pin', () => {
      const result = read('-c c.txt\nrequests==2.30.0\n', { load: () => 'requests==2.31.0\n' });
      expect(only(result, 'requests').version).toBe('2.30.0');
      expect(result.problems[0]!.message).toContain('conflicts with constraint ==2.31.0');
    });

    it('resolves includes relative to the including file', () => {
      const loaded: string[] = [];
      const result = readRequirements('app/requirements/prod.txt', '-r ../base/common.txt\n', {
        load: (path) => {
          loaded.push(path);
          return path === 'app/base/common.txt' ? '-c ./pins.txt\nx\n' : 'x==1\n';
        },
      });
      expect(loaded).toEqual(['app/base/common.txt', 'app/base/pins.txt']);
      expect(only(result, 'x').version).toBe('1');
    });
  });

  describe('malformed input', () => {
    it('reports an include cycle and goes on', () => {
      const files: Record<string, string> = { 'a.txt': '-r b.txt\na==1\n', 'b.txt': '-r a.txt\nb==1\n' };
      const result = readRequirements('a.txt', files['a.txt']!, { load: (path) => files[path] });
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['a', 'b']);
      expect(result.problems).toEqual([
        {
          file: 'b.txt',
          line: 1,
          message: '-r "a.txt" includes itself (a.txt → b.txt → a.txt): not followed',
        },
      ]);
    });

    it('stops at the include depth limit', () => {
      const result = readRequirements('f0.txt', '-r f1.txt\n', {
        load: (path) => `-r f${Number(/\d+/.exec(path)![0]) + 1}.txt\n`,
        limits: { maxIncludeDepth: 5 },
      });
      expect(result.includes).toHaveLength(5);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.message).toContain('nested deeper than 5');
    });

    it('stops at the included-file count limit for a wide fan-out', () => {
      const root = Array.from({ length: 20 }, (_, i) => `-r f${i}.txt`).join('\n');
      const result = readRequirements('r.txt', root, { load: () => 'x\n', limits: { maxIncludedFiles: 3 } });
      expect(result.includes).toHaveLength(3);
      expect(result.problems).toHaveLength(17);
    });

    it('reports a missing include, a remote include and a throwing loader', () => {
      const result = read('-r missing.txt\n-r https://example.com/r.txt\n-c boom.txt\nok==1\n', {
        load: (path) => {
          if (path === 'boom.txt') throw new Error('EACCES');
          return undefined;
        },
      });
      expect(result.problems.map((p) => [p.line, p.message])).toEqual([
        [1, '-r "missing.txt" could not be loaded'],
        [2, '-r "https://example.com/r.txt" is remote: not fetched'],
        [3, '-c "boom.txt" could not be loaded: EACCES'],
      ]);
      expect(result.packages).toHaveLength(1);
    });

    it('reports bad lines by number and keeps reading', () => {
      const result = read(
        [
          'good==1.0',
          '!!!',
          'bad>=>1',
          'x==not a version',
          '--frobnicate',
          "--hash 'unbalanced",
          'y==1 --hash=md5:abcd',
          'z==1 --hash=sha256:xyz',
          '--hash=sha256:abcd',
          'w @',
          'v ;',
          'last==2.0',
        ].join('\n'),
      );
      expect(result.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 9, 10, 11]);
      expect(result.packages.map((pkg) => pkg.name)).toEqual([
        'bad',
        'good',
        'last',
        'v',
        'w',
        'x',
        'y',
        'z',
      ]);
      expect(only(result, 'bad').requirement).toBe('>=>1');
      expect(only(result, 'y').hashes).toEqual([]);
    });

    it('refuses an over-long logical line built from continuations, with its first line number', () => {
      const long = `${'a'.repeat(60)} \\\n`.repeat(50);
      const result = read(`ok==1\n${long}next==2\n`, { limits: { maxLogicalLineChars: 1000 } });
      expect(result.problems).toEqual([
        {
          file: 'requirements.txt',
          line: 2,
          message: 'logical line is longer than 1000 characters: not read',
        },
      ]);
      expect(result.packages.map((pkg) => pkg.name)).toEqual(['ok']);
    });

    it('stops at the package limit', () => {
      const result = read('a==1\nb==1\nc==1\n', { limits: { maxPackages: 2 } });
      expect(result.packages).toHaveLength(2);
      expect(result.problems[0]!.message).toContain('more than 2 packages');
    });

    it('finishes quickly on pathological whitespace and backslashes', () => {
      const started = performance.now();
      read(`x${' '.repeat(200_000)}y\n${'\\'.repeat(100_000)}\n${'#'.repeat(100_000)}`);
      read(`a${'\t'.repeat(100_000)}#`);
      read(`./p${'['.repeat(100_000)}x]\n./q[${'a]'.repeat(50_000)}`);
      expect(performance.now() - started).toBeLessThan(2000);
    });

    it('reads empty, comment-only and binary-looking input without packages or throwing', () => {
      expect(read('').packages).toEqual([]);
      expect(read('# only\n\n   \n').packages).toEqual([]);
      expect(() => read('\u0000\uffff\ud800==1\n\r\r\n')).not.toThrow();
    });
  });
});

describe('readRequirements on arbitrary text', () => {
  it('never throws and reports every problem with a file', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.string(), fc.constantFrom('-r x', '-c y', '\\', ' #', '==', '@', ';', '[', '--hash=')),
          {
            maxLength: 30,
          },
        ),
        (parts) => {
          const result = readRequirements('r.txt', parts.join(''), { load: () => parts.join('\n') });
          expect(result.problems.every((p) => p.file.length > 0)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
