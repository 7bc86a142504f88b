import { describe, expect, it } from 'vitest';
import { ParseError, VerificationError } from '../core/errors.js';
import {
  BASELINE_FORMAT,
  type Baseline,
  baselineDigest,
  compareBaseline,
  createBaseline,
  isCritical,
  parseBaseline,
  toBaselineFindings,
  toBaselineJson,
} from './baseline.js';
import type { DependencyFile, DependencyPackage, Ecosystem } from './model.js';
import { normaliseName } from './names.js';

const H1 = `sha256:${'a'.repeat(64)}`;
const H2 = `sha256:${'b'.repeat(64)}`;
const H3 = `sha256:${'c'.repeat(64)}`;

interface PkgSpec extends Partial<Omit<DependencyPackage, 'hashes'>> {
  readonly hashes?: readonly string[];
  readonly file?: string;
  readonly line?: number;
}

function pkg(name: string, version: string | undefined, spec: PkgSpec = {}): DependencyPackage {
  const ecosystem: Ecosystem = spec.ecosystem ?? 'PyPI';
  const { hashes, file, line, ...rest } = spec;
  return {
    ecosystem,
    name,
    normalizedName: normaliseName(ecosystem, name),
    ...(version !== undefined ? { version } : { requirement: '>=1' }),
    source: { kind: 'registry' },
    extras: [],
    groups: [],
    dependencies: [],
    declaredAt: { file: file ?? 'requirements.txt', ...(line !== undefined ? { line } : { line: 1 }) },
    ...rest,
    hashes: (hashes ?? []).map((h) => {
      const [algorithm, value] = h.split(':') as [string, string];
      return { algorithm, value };
    }),
  };
}

function files(...packages: DependencyPackage[]): DependencyFile[] {
  const byFile = new Map<string, DependencyPackage[]>();
  for (const p of packages) byFile.set(p.declaredAt.file, [...(byFile.get(p.declaredAt.file) ?? []), p]);
  return [...byFile].map(([path, list]) => ({
    path,
    format: 'requirements',
    packages: list,
    problems: [],
    includes: [],
  }));
}

const approve = (...packages: DependencyPackage[]) =>
  createBaseline(files(...packages), { approver: 'alice' });

/** Rewrites a baseline with a fresh digest, as someone who knows the format could. */
function resigned(content: Omit<Baseline, 'digest'>): string {
  return toBaselineJson({ ...content, digest: baselineDigest(content) } as Baseline);
}

describe('createBaseline', () => {
  it('records ecosystem, normalised name, file, version, source, sorted lower-case hashes and marker only', () => {
    const b = approve(
      pkg('Demo_Lib', '2.0.0', {
        hashes: [`SHA256:${'B'.repeat(64)}`, H1, H1],
        marker: 'python_version < "3.12"',
        extras: ['fast'],
        groups: ['dev'],
        line: 7,
        license: 'MIT',
      }),
    );
    expect(b.packages).toEqual([
      {
        ecosystem: 'PyPI',
        name: 'demo-lib',
        file: 'requirements.txt',
        version: '2.0.0',
        source: { kind: 'registry' },
        hashes: [H1, H2],
        marker: 'python_version < "3.12"',
      },
    ]);
    expect(b.approval).toEqual({ approver: 'alice' });
    expect(b.format).toBe(BASELINE_FORMAT);
  });

  it('keeps a package declared in two files as two entries, and one declared twice identically as one', () => {
    const b = approve(
      pkg('torch', '2.1.0', { file: 'server/uv.lock' }),
      pkg('torch', '2.0.0', { file: 'cli/uv.lock' }),
      pkg('torch', '2.0.0', { file: 'cli/uv.lock', line: 9 }),
    );
    expect(b.packages.map((e) => [e.file, e.version])).toEqual([
      ['cli/uv.lock', '2.0.0'],
      ['server/uv.lock', '2.1.0'],
    ]);
  });

  it('writes identical bytes for the same packages in any order, with sorted keys and no time', () => {
    const a = pkg('b-pkg', '1.0', { hashes: [H2, H1] });
    const c = pkg('a-pkg', '2.0', {
      source: { kind: 'vcs', url: 'https://git.example/a.git', commit: 'abc' },
    });
    const one = toBaselineJson(createBaseline(files(a, c), { note: 'n', approver: 'alice' }));
    const two = toBaselineJson(createBaseline(files(c, a), { approver: 'alice', note: 'n' }));
    expect(one).toBe(two);
    expect(one.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(one))).toEqual(['approval', 'digest', 'format', 'packages', 'version']);
    expect(Object.keys(JSON.parse(one).packages[0])).toEqual([
      'ecosystem',
      'file',
      'hashes',
      'name',
      'source',
      'version',
    ]);
    expect(one).not.toMatch(/approvedAt|\d{4}-\d{2}-\d{2}T/);
  });

  it('digests the canonical content, so any change of a field changes the digest', () => {
    const b = approve(pkg('demo', '1.0'));
    expect(b.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(baselineDigest(b)).toBe(b.digest);
    expect(approve(pkg('demo', '1.1')).digest).not.toBe(b.digest);
    expect(createBaseline(files(pkg('demo', '1.0')), { approver: 'bob' }).digest).not.toBe(b.digest);
  });
});

describe('parseBaseline', () => {
  const good = approve(
    pkg('demo', '1.0', { hashes: [H1] }),
    pkg('left-pad', '1.3.0', { ecosystem: 'npm', file: 'package-lock.json' }),
  );

  it('reads back what createBaseline wrote', () => {
    expect(parseBaseline(toBaselineJson(good), 'b.json')).toEqual(good);
  });

  it('accepts the same content formatted differently (the digest covers content, not bytes)', () => {
    expect(parseBaseline(JSON.stringify(good), 'b.json')).toEqual(good);
  });

  const malformed: [string, string, string, RegExp][] = [
    ['not JSON', '{"format": ', 'BAD_STRUCTURE', /not JSON/],
    ['an array', '[]', 'BAD_STRUCTURE', /not a valid baseline/],
    ['another JSON file', '{"name": "pkg", "version": "1.0.0"}', 'BAD_MAGIC', /not a pedigree baseline/],
    [
      'a newer version',
      JSON.stringify({ ...good, version: 2 }),
      'UNSUPPORTED',
      /version "2" is not supported/,
    ],
    ['an unknown key', JSON.stringify({ ...good, extra: true }), 'BAD_STRUCTURE', /Unrecognized key/],
    [
      'an upper-case hash',
      JSON.stringify({ ...good, packages: [{ ...good.packages[0], hashes: [`sha256:${'A'.repeat(64)}`] }] }),
      'BAD_STRUCTURE',
      /packages\.0\.hashes\.0/,
    ],
    [
      'an unknown source kind',
      JSON.stringify({ ...good, packages: [{ ...good.packages[0], source: { kind: 'ftp' } }] }),
      'BAD_STRUCTURE',
      /packages\.0\.source/,
    ],
    [
      'an unknown ecosystem',
      JSON.stringify({ ...good, packages: [{ ...good.packages[0], ecosystem: 'Maven' }] }),
      'BAD_STRUCTURE',
      /packages\.0\.ecosystem/,
    ],
    ['a malformed digest', JSON.stringify({ ...good, digest: 'md5:00' }), 'BAD_STRUCTURE', /digest/],
  ];
  for (const [what, text, code, message] of malformed)
    it(`refuses ${what} with ParseError ${code}`, () => {
      let caught: unknown;
      try {
        parseBaseline(text, 'b.json');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ParseError);
      expect((caught as ParseError).code).toBe(code);
      expect((caught as ParseError).message).toMatch(message);
      expect((caught as ParseError).message).toContain('b.json');
    });

  it('refuses an entry listed twice even with a matching digest', () => {
    const { digest: _, ...content } = good;
    const text = resigned({
      ...content,
      packages: [good.packages[0], ...good.packages] as Baseline['packages'],
    });
    expect(() => parseBaseline(text, 'b.json')).toThrow(/listed twice/);
  });

  it('refuses a baseline edited after approval (DIGEST_MISMATCH), naming both digests', () => {
    const edited = JSON.parse(toBaselineJson(good));
    edited.packages[0].version = '9.9';
    let caught: unknown;
    try {
      parseBaseline(JSON.stringify(edited), 'b.json');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VerificationError);
    expect((caught as VerificationError).code).toBe('DIGEST_MISMATCH');
    expect((caught as Error).message).toContain(good.digest);
  });

  it('quotes at most a bounded part of a hostile format value', () => {
    expect(() => parseBaseline(JSON.stringify({ format: 'x'.repeat(10_000) }), 'b.json')).toThrow(/x{80}…"/);
  });
});

describe('compareBaseline', () => {
  const base = [
    pkg('torch', '2.1.0', { hashes: [H1, H2], line: 1 }),
    pkg('numpy', '1.26.4', { line: 2, marker: 'python_version >= "3.9"' }),
    pkg('left-pad', '1.3.0', {
      ecosystem: 'npm',
      file: 'package-lock.json',
      line: 10,
      source: { kind: 'registry', url: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz' },
    }),
  ];
  const baseline = approve(...base);
  const kinds = (current: DependencyPackage[], critical: 'all' | string[] = 'all') =>
    compareBaseline(baseline, files(...current), critical).changes.map((c) => [
      c.kind,
      c.kind === 'added' ? c.current.entry.name : c.approved.name,
    ]);

  it('finds nothing when the declarations are unchanged, whatever their lines', () => {
    const moved = base.map((p) => ({
      ...p,
      declaredAt: { ...p.declaredAt, line: (p.declaredAt.line ?? 0) + 5 },
    }));
    const result = compareBaseline(baseline, files(...moved), 'all');
    expect(result.changes).toEqual([]);
    expect(result).toMatchObject({ unchanged: 3, approved: 3, current: 3 });
  });

  it('reports an added and a removed package', () => {
    const [torch, , leftPad] = base as [DependencyPackage, DependencyPackage, DependencyPackage];
    expect(kinds([torch, leftPad, pkg('requests', '2.31.0', { line: 3 })])).toEqual([
      ['removed', 'numpy'],
      ['added', 'requests'],
    ]);
  });

  it('reports a version change once, with the new hashes in its message rather than as a hash change', () => {
    const [, numpy, leftPad] = base as [DependencyPackage, DependencyPackage, DependencyPackage];
    const changes = compareBaseline(
      baseline,
      files(pkg('torch', '2.2.0', { hashes: [H3] }), numpy, leftPad),
      'all',
    ).changes;
    expect(changes.map((c) => c.kind)).toEqual(['version']);
    const [finding] = toBaselineFindings(changes);
    expect(finding).toMatchObject({
      ruleId: 'DEP-BASELINE-VERSION',
      severity: 'high',
      location: { path: 'requirements.txt', line: 1 },
    });
    expect(finding?.message).toContain('torch (PyPI) in requirements.txt line 1: version 2.1.0 → 2.2.0');
    expect(finding?.message).toContain('hashes: 1 added, 2 removed');
  });

  it('does not call the tarball URL that changes with an npm version a source change', () => {
    const [torch, numpy] = base as [DependencyPackage, DependencyPackage];
    const bumped = pkg('left-pad', '1.3.1', {
      ecosystem: 'npm',
      file: 'package-lock.json',
      source: { kind: 'registry', url: 'https://registry.npmjs.org/left-pad/-/left-pad-1.3.1.tgz' },
    });
    expect(kinds([torch, numpy, bumped])).toEqual([['version', 'left-pad']]);
    const moved = pkg('left-pad', '1.3.1', {
      ecosystem: 'npm',
      file: 'package-lock.json',
      source: { kind: 'registry', url: 'https://npm.evil.example/left-pad/-/left-pad-1.3.1.tgz' },
    });
    expect(kinds([torch, numpy, moved])).toEqual([
      ['version', 'left-pad'],
      ['source', 'left-pad'],
    ]);
  });

  it('reports a source change of the same version, old → new', () => {
    const [, numpy, leftPad] = base as [DependencyPackage, DependencyPackage, DependencyPackage];
    const torch = pkg('torch', '2.1.0', {
      hashes: [H1, H2],
      source: { kind: 'url', url: 'https://evil.example/torch.whl' },
    });
    const changes = compareBaseline(baseline, files(torch, numpy, leftPad), 'all').changes;
    expect(changes.map((c) => c.kind)).toEqual(['source']);
    expect(toBaselineFindings(changes)[0]?.message).toContain(
      'torch (PyPI) in requirements.txt line 1 2.1.0: source the default registry → URL https://evil.example/torch.whl.',
    );
  });

  it('reports other hashes for the same version and source, naming those added and removed', () => {
    const [, numpy, leftPad] = base as [DependencyPackage, DependencyPackage, DependencyPackage];
    const changes = compareBaseline(
      baseline,
      files(pkg('torch', '2.1.0', { hashes: [H1, H3] }), numpy, leftPad),
      'all',
    ).changes;
    expect(changes.map((c) => c.kind)).toEqual(['hash']);
    const [finding] = toBaselineFindings(changes);
    expect(finding?.ruleId).toBe('DEP-BASELINE-HASH');
    expect(finding?.message).toContain(`added ${H3}; removed ${H2}`);
    expect(finding?.evidence).toBe(`added: ${H3}; removed: ${H2}`);
  });

  it('reports hashes that disappeared altogether', () => {
    const [, numpy, leftPad] = base as [DependencyPackage, DependencyPackage, DependencyPackage];
    const changes = compareBaseline(baseline, files(pkg('torch', '2.1.0'), numpy, leftPad), 'all').changes;
    expect(toBaselineFindings(changes)[0]?.message).toContain(`no hashes any more (removed ${H1}, ${H2})`);
  });

  it('reports a changed environment marker', () => {
    const [torch, , leftPad] = base as [DependencyPackage, DependencyPackage, DependencyPackage];
    const changes = compareBaseline(
      baseline,
      files(torch, pkg('numpy', '1.26.4', { line: 2 }), leftPad),
      'all',
    ).changes;
    expect(changes.map((c) => c.kind)).toEqual(['marker']);
    expect(toBaselineFindings(changes)[0]?.message).toContain(
      'environment marker `python_version >= "3.9"` → no marker',
    );
  });

  it('reports a changed requirement of an unpinned package as a version change', () => {
    const b = approve(pkg('flask', undefined, { requirement: '>=2' }));
    const changes = compareBaseline(b, files(pkg('flask', undefined, { requirement: '>=1' })), 'all').changes;
    expect(toBaselineFindings(changes)[0]?.message).toContain('version requirement >=2 → requirement >=1');
  });

  it('compares each declaring file on its own', () => {
    const b = approve(
      pkg('torch', '2.0.0', { file: 'a/requirements.txt' }),
      pkg('torch', '2.0.0', { file: 'b/requirements.txt' }),
    );
    const changes = compareBaseline(
      b,
      files(
        pkg('torch', '2.0.0', { file: 'a/requirements.txt' }),
        pkg('torch', '2.5.0', { file: 'b/requirements.txt' }),
      ),
      'all',
    ).changes;
    expect(changes.map((c) => [c.kind, c.kind === 'added' ? '' : c.approved.file])).toEqual([
      ['version', 'b/requirements.txt'],
    ]);
  });

  it('pairs the versions of a package locked twice in one file by marker (uv resolution forks)', () => {
    const lock = { file: 'uv.lock' };
    const b = approve(
      pkg('anyio', '3.7.1', { ...lock, marker: "python_version < '3.11'" }),
      pkg('anyio', '4.8.0', { ...lock, marker: "python_version >= '3.11'" }),
    );
    const changes = compareBaseline(
      b,
      files(
        pkg('anyio', '3.7.1', { ...lock, marker: "python_version < '3.11'" }),
        pkg('anyio', '4.9.0', { ...lock, marker: "python_version >= '3.11'" }),
      ),
      'all',
    ).changes;
    expect(changes).toHaveLength(1);
    expect(toBaselineFindings(changes)[0]?.message).toContain('version 4.8.0 → 4.9.0');
  });

  it('is high only for critical packages, info for the rest, matching names as the ecosystem normalises them', () => {
    const current = [
      pkg('torch', '9.0', { hashes: [H1, H2] }),
      pkg('numpy', '2.0', { marker: 'python_version >= "3.9"' }),
      pkg('left-pad', '9.9.9', { ecosystem: 'npm', file: 'package-lock.json', source: base[2]?.source }),
    ];
    const severities = (critical: 'all' | string[]) =>
      toBaselineFindings(compareBaseline(baseline, files(...current), critical).changes).map((f) => [
        f.message.split(' ')[0],
        f.severity,
      ]);
    expect(severities(['TORCH', 'Left-Pad'])).toEqual([
      // Sorted by ecosystem (code-point order: PyPI before npm), then name.
      ['numpy', 'info'],
      ['torch', 'high'],
      ['left-pad', 'info'],
    ]);
    expect(severities('all').every(([, s]) => s === 'high')).toBe(true);
    expect(severities([]).every(([, s]) => s === 'info')).toBe(true);
    expect(
      toBaselineFindings(compareBaseline(baseline, files(...current), []).changes)[0]?.message,
    ).toContain('not a critical package');
  });

  it('lists critical names that match no package', () => {
    expect(compareBaseline(baseline, files(...base), ['troch', 'torch', 'numpy']).unmatchedCritical).toEqual([
      'troch',
    ]);
  });

  it('points removed packages at the file, without a line, and sorts changes stably', () => {
    const findings = toBaselineFindings(compareBaseline(baseline, [], 'all').changes);
    expect(findings.map((f) => [f.ruleId, f.location])).toEqual([
      ['DEP-BASELINE-REMOVED', { path: 'requirements.txt' }],
      ['DEP-BASELINE-REMOVED', { path: 'requirements.txt' }],
      ['DEP-BASELINE-REMOVED', { path: 'package-lock.json' }],
    ]);
    expect(findings[0]?.message).toBe(
      'numpy 1.26.4 (PyPI) was approved in requirements.txt but is no longer declared there.',
    );
  });
});

describe('isCritical', () => {
  it('normalises PyPI names and keeps npm names case-sensitive', () => {
    expect(isCritical(['Demo_Lib'], 'PyPI', 'demo-lib')).toBe(true);
    expect(isCritical(['React'], 'npm', 'react')).toBe(false);
    expect(isCritical('all', 'conda', 'anything')).toBe(true);
  });
});
