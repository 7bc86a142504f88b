import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGitWildMatch, DvcIgnore, InvalidPatternError } from './ignore.js';

const PATHSPEC = JSON.parse(
  readFileSync(join('test', 'fixtures', 'dvc', 'pathspec-0.12.1-wildmatch.json'), 'utf8'),
) as {
  paths: string[];
  patterns: Record<string, null | { error: string } | { ignore: boolean; matches: string[] }>;
};

describe('compileGitWildMatch', () => {
  describe('matches exactly the paths python-pathspec 0.12.1 matches', () => {
    for (const [pattern, expected] of Object.entries(PATHSPEC.patterns)) {
      it(JSON.stringify(pattern), () => {
        if (expected === null) {
          expect(compileGitWildMatch(pattern)).toBeNull();
          return;
        }
        if ('error' in expected) {
          expect(() => compileGitWildMatch(pattern)).toThrow(InvalidPatternError);
          return;
        }
        const compiled = compileGitWildMatch(pattern);
        expect(compiled?.ignore).toBe(expected.ignore);
        expect(PATHSPEC.paths.filter((p) => compiled?.regex.test(p))).toEqual(expected.matches);
      });
    }
  });

  it('skips comments, blanks and a lone slash', () => {
    for (const line of ['', '   ', '# comment', '/']) expect(compileGitWildMatch(line)).toBeNull();
  });

  it('refuses a trailing escape and a bad range', () => {
    expect(() => compileGitWildMatch('abc\\')).toThrow(InvalidPatternError);
    expect(() => compileGitWildMatch('[z-a]')).toThrow(InvalidPatternError);
  });

  it('does not let "." match a line break in a name', () => {
    expect(compileGitWildMatch('a*')?.regex.test('a\nb')).toBe(true); // [^/]* is not "."
    expect(compileGitWildMatch('a/**')?.regex.test('a/x\ny')).toBe(false);
  });
});

describe('DvcIgnore', () => {
  const defaults = DvcIgnore.defaults();

  it("ignores DVC's defaults at any depth: .git (file or folder), .hg/ and .dvc/ folders", () => {
    expect(defaults.isIgnored('.git', false)).toBe(true);
    expect(defaults.isIgnored('data/.git', true)).toBe(true);
    expect(defaults.isIgnored('data/.hg/x', false)).toBe(true);
    expect(defaults.isIgnored('data/.dvc', true)).toBe(true);
    expect(defaults.isIgnored('data/.dvc', false)).toBe(false);
    expect(defaults.isIgnored('data/.gitignore', false)).toBe(false);
  });

  it('lets the last matching pattern decide, and a ! pattern re-include', () => {
    const { ignore, problems } = defaults.withFile('', '*.csv\n!keep.csv\n', '.dvcignore', 100);
    expect(problems).toEqual([]);
    expect(ignore.isIgnored('data/a.csv', false)).toBe(true);
    expect(ignore.isIgnored('data/keep.csv', false)).toBe(false);
    const reversed = defaults.withFile('', '!keep.csv\n*.csv\n', '.dvcignore', 100).ignore;
    expect(reversed.isIgnored('data/keep.csv', false)).toBe(true);
  });

  it('does not bring back a file below an ignored folder', () => {
    const { ignore } = defaults.withFile('', 'logs/\n!logs/keep\n', '.dvcignore', 100);
    expect(ignore.isIgnored('logs/keep', false)).toBe(true);
    expect(ignore.isIgnored('logs', false)).toBe(false); // a file named logs: the pattern is for folders
  });

  it('applies a nested .dvcignore below its own folder only', () => {
    const { ignore } = defaults.withFile('data', '*.tmp\n/top.txt\n', 'data/.dvcignore', 100);
    expect(ignore.isIgnored('data/x.tmp', false)).toBe(true);
    expect(ignore.isIgnored('data/sub/x.tmp', false)).toBe(true);
    expect(ignore.isIgnored('x.tmp', false)).toBe(false);
    expect(ignore.isIgnored('data/top.txt', false)).toBe(true);
    expect(ignore.isIgnored('data/sub/top.txt', false)).toBe(false);
    expect(ignore.isIgnored('other/data/x.tmp', false)).toBe(false);
  });

  it('reports lines pathspec would refuse and keeps the rest', () => {
    const { ignore, problems } = defaults.withFile('', 'bad\\\n*.log\n', '.dvcignore', 100);
    expect(problems).toEqual([{ line: 1, message: expect.stringMatching(/escape/) }]);
    expect(ignore.isIgnored('a.log', false)).toBe(true);
  });

  it('stops at the pattern limit', () => {
    const text = Array.from({ length: 20 }, (_, i) => `p${i}`).join('\n');
    const { ignore, problems } = defaults.withFile('', text, '.dvcignore', 10);
    expect(ignore.rules).toHaveLength(10);
    expect(problems).toEqual([{ line: 7, message: expect.stringMatching(/more than 10/) }]);
  });

  it('ignores a sub-repository folder and everything in it', () => {
    const ignore = defaults.withSubrepo('data/other');
    expect(ignore.isIgnored('data/other', true)).toBe(true);
    expect(ignore.isIgnored('data/other/x', false)).toBe(true);
    expect(ignore.isIgnored('data/otherwise', true)).toBe(false);
  });
});
