import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readUvLock } from './uv-lock.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const REAL_UV_LOCK = '/work/shared/data/lockfiles/tgi-server-uv.lock';
const SHA = (c: string): string => `sha256:${c.repeat(64)}`;

describe.skipIf(!existsSync(REAL_UV_LOCK))('readUvLock > the text-generation-inference server lock', () => {
  const result = readUvLock('server/uv.lock', readFileSync(REAL_UV_LOCK, 'utf8'));

  it('reads every package but the project itself, without problems', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages).toHaveLength(135);
    expect(result.packages.some((p) => p.name === 'text-generation-server')).toBe(false);
  });

  it('keeps both forks of torch, each with its own index and hashes', () => {
    const torches = result.packages.filter((p) => p.normalizedName === 'torch');
    expect(torches.map((p) => p.version)).toEqual(['2.7.0', '2.7.0+cu128']);
    expect(torches[1]).toMatchObject({
      source: { kind: 'registry', url: 'https://download.pytorch.org/whl/cu128' },
      purl: 'pkg:pypi/torch@2.7.0%2Bcu128',
      direct: true,
      groups: ['torch'],
    });
    expect(torches[1]?.hashes.length).toBeGreaterThan(5);
    expect(torches[1]?.marker).toContain('sys_platform');
  });

  it('marks what the project asks for as direct, with the extra or group, and the rest as transitive', () => {
    expect(result.packages.filter((p) => p.direct)).toHaveLength(43);
    expect(result.packages.find((p) => p.name === 'pytest')).toMatchObject({
      version: '7.4.4',
      groups: ['dev'],
    });
    expect(result.packages.find((p) => p.name === 'grpcio-tools')?.groups).toEqual(['dev', 'gen']);
    expect(result.packages.find((p) => p.name === 'click')).toMatchObject({ direct: true, groups: [] });
    expect(result.packages.find((p) => p.name === 'aiohappyeyeballs')).toMatchObject({ direct: false });
  });

  it('records the graph and the line of each entry', () => {
    const accelerate = result.packages.find((p) => p.name === 'accelerate');
    expect(accelerate?.dependencies).toEqual(
      expect.arrayContaining(['huggingface-hub', 'numpy', 'torch', 'safetensors']),
    );
    expect(accelerate?.declaredAt).toEqual({ file: 'server/uv.lock', line: 19 });
  });
});

describe('readUvLock > the uv conflicts fixture (forks by extra)', () => {
  const result = readUvLock('uv.lock', fixture('uv-conflicts-forks.lock'));

  it('keeps the two versions of anyio and of idna apart', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => `${p.normalizedName}@${p.version}`)).toEqual([
      'anyio@1.3.1',
      'anyio@4.8.0',
      'async-generator@1.10',
      'idna@1.0',
      'idna@3.10',
      'sniffio@1.3.1',
      'typing-extensions@4.12.2',
    ]);
  });

  it('resolves edges that name a version to that version only', () => {
    const idna1 = result.packages.find((p) => p.name === 'idna' && p.version === '1.0');
    const idna3 = result.packages.find((p) => p.name === 'idna' && p.version === '3.10');
    expect(idna1).toMatchObject({ direct: true, groups: ['cpu', 'cu124'] });
    expect(idna3).toMatchObject({ direct: false, groups: [] });
    expect(result.packages.find((p) => p.version === '1.3.1')?.marker).toBe(
      "extra == 'extra-7-project-cpu' or extra == 'extra-7-project-cu124'",
    );
  });
});

describe('readUvLock > sources and workspaces', () => {
  const text = `
version = 1
revision = 2

[manifest]
members = ["app", "lib"]

[[package]]
name = "app"
version = "1.0.0"
source = { editable = "." }
dependencies = [{ name = "lib" }, { name = "httpx" }, { name = "local-wheel" }]

[package.dev-dependencies]
dev = [{ name = "pytest", extra = ["testing"] }]

[[package]]
name = "lib"
version = "0.1.0"
source = { editable = "packages/lib" }
dependencies = [{ name = "vendored" }]

[[package]]
name = "httpx"
version = "0.28.0"
source = { git = "https://github.com/encode/httpx?rev=0.28.0#abcdef0123456789abcdef0123456789abcdef01" }

[[package]]
name = "local-wheel"
version = "2.0"
source = { path = "wheels/local_wheel-2.0-py3-none-any.whl" }
wheels = [{ filename = "local_wheel-2.0-py3-none-any.whl", hash = "${SHA('a')}" }]

[[package]]
name = "vendored"
source = { directory = "vendor/vendored" }

[[package]]
name = "pytest"
version = "8.3.2"
source = { url = "https://example.com/pytest-8.3.2.tar.gz" }
sdist = { hash = "${SHA('B')}" }
`;
  const result = readUvLock('uv.lock', text);

  it('treats every workspace member as a root and reads each kind of source', () => {
    expect(result.problems).toEqual([]);
    expect(result.packages.map((p) => p.name)).toEqual(['httpx', 'local-wheel', 'pytest', 'vendored']);
    const [httpx, wheel, pytest, vendored] = result.packages;
    expect(httpx?.source).toEqual({
      kind: 'vcs',
      url: 'https://github.com/encode/httpx?rev=0.28.0',
      commit: 'abcdef0123456789abcdef0123456789abcdef01',
    });
    expect(wheel).toMatchObject({
      source: { kind: 'path' },
      hashes: [{ algorithm: 'sha256', value: 'a'.repeat(64) }],
    });
    expect(pytest).toMatchObject({
      source: { kind: 'url', url: 'https://example.com/pytest-8.3.2.tar.gz' },
      hashes: [{ algorithm: 'sha256', value: 'b'.repeat(64) }],
      groups: ['dev'],
      extras: ['testing'],
      direct: true,
    });
    // A member's dependency is direct too; a source tree without a version is unresolved, by its path.
    expect(vendored).toMatchObject({ direct: true, requirement: 'vendor/vendored' });
    expect(vendored?.version).toBeUndefined();
    expect(vendored?.purl).toBeUndefined();
  });
});

describe('readUvLock > malformed input', () => {
  it('reports text that is not TOML with its line', () => {
    const result = readUvLock('uv.lock', 'version = 1\n[[package]\nname = "x"\n');
    expect(result.packages).toEqual([]);
    expect(result.problems).toEqual([
      { file: 'uv.lock', line: 2, message: expect.stringContaining('not valid TOML') },
    ]);
  });

  it('reports a bad entry by its position and name and reads the rest', () => {
    const text = `version = 1
[[package]]
name = "good"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
[[package]]
name = "nosource"
version = "1.0"
[[package]]
name = "weird"
version = "1.0"
source = { svn = "x" }
[[package]]
name = 42
[[package]]
name = "badhash"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
sdist = { hash = "md5" }
wheels = ["not a table"]
dependencies = [{ name = "missing" }, { nome = "typo" }]
`;
    const result = readUvLock('uv.lock', text);
    expect(result.packages.map((p) => p.name)).toEqual(['badhash', 'good']);
    const messages = result.problems.map((p) => `${p.line}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^6: package 2 "nosource": source/),
        expect.stringMatching(/^9: package 3 "weird": unknown source kind "svn"/),
        expect.stringMatching(/^13: package 4: name/),
        expect.stringMatching(/^15: package 5 "badhash": sdist: hash without an algorithm/),
        expect.stringMatching(/^15: package 5 "badhash": wheel 1 is not a table/),
        expect.stringMatching(/^15: package 5 "badhash": dependency 2: name/),
        expect.stringMatching(/^15: package 5 "badhash": dependency "missing" names no package/),
      ]),
    );
    expect(result.packages.find((p) => p.name === 'good')?.direct).toBeUndefined();
  });

  it('warns about a newer lockfile version and a package list that is not an array', () => {
    expect(readUvLock('uv.lock', 'version = 9\npackage = 3\n').problems.map((p) => p.message)).toEqual([
      'uv.lock version 9 is newer than 1: read as version 1',
      '`package` is not an array of tables: no packages read',
    ]);
  });

  it('refuses inline nesting deeper than the limit without overflowing the stack', () => {
    const deep = `version = 1\nx = ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`;
    const result = readUvLock('uv.lock', deep);
    expect(result.packages).toEqual([]);
    expect(result.problems[0]?.message).toContain('not valid TOML');
  });

  it('reads an empty file as no packages', () => {
    expect(readUvLock('uv.lock', '')).toMatchObject({ packages: [], problems: [expect.anything()] });
  });
});

describe('readUvLock > credentials in source URLs', () => {
  it('never passes index or source credentials on', () => {
    const lock = [
      'version = 1',
      '',
      '[[package]]',
      'name = "private-lib"',
      'version = "1.0.0"',
      'source = { registry = "https://deploy:s3cret@pypi.internal.example/simple" }',
      '',
      '[[package]]',
      'name = "tool"',
      'version = "0.1.0"',
      'source = { git = "https://user:token@git.example/tool.git?rev=main#0123456789abcdef0123456789abcdef01234567" }',
    ].join('\n');
    const result = readUvLock('uv.lock', lock);
    const text = JSON.stringify(result.packages);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('token@');
    expect(result.packages.map((p) => p.name)).toEqual(['private-lib', 'tool']);
  });
});
