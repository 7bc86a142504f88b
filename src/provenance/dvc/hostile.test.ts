import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheObjectPath } from './cache.js';
import { compileGitWildMatch, DvcIgnore, linearMatcher } from './ignore.js';
import { verifyDvcProject } from './verify.js';

/**
 * A DVC project from someone else: `.dvcignore` patterns made to backtrack, FIFOs where DVC files,
 * ignore files and cache objects are expected.
 */

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
const posix = process.platform !== 'win32';
const md5 = (data: string) => createHash('md5').update(data).digest('hex');

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-dvc-hostile-'));
  roots.push(root);
  mkdirSync(join(root, '.dvc'));
  for (const [path, content] of Object.entries(files)) {
    const abs = join(root, ...path.split('/'));
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  return root;
}

describe('.dvcignore patterns made to backtrack', () => {
  const nested = (k: number) => `${Array.from({ length: k }, () => '**/a').join('/')}/b`;
  it.each([
    [nested(8), `${'a/'.repeat(60)}c`],
    [nested(16), `${'a/'.repeat(2000)}c`],
    ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(250)],
    ['**/*a*/**/*a*/**/*a*/**/*b*', `${'aa/'.repeat(1300)}c`],
  ])('matches %s against a path made for it in linear time', (pattern, path) => {
    const ignore = DvcIgnore.defaults().withFile('', pattern, '.dvcignore', 100).ignore;
    const started = performance.now();
    // What the walk asks of every entry; before, 47 s for the first case, and the others never ended.
    expect(ignore.matchesSelf(path, false)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('checks the folders of an out at most as deep as a walk goes', async () => {
    const deep = `${'a/'.repeat(5_000)}x`;
    const root = project({ '.dvcignore': `${nested(8)}\n` });
    writeFileSync(join(root, 'deep.dvc'), `outs:\n- md5: ${md5('x')}\n  hash: md5\n  path: ${deep}\n`);
    const started = performance.now();
    const report = await verifyDvcProject(root);
    expect(performance.now() - started).toBeLessThan(5_000);
    const out = report.outs[0];
    expect(out?.status).toBe('not-checked');
    expect(out?.reason).toMatch(/nested deeper than 256 folders/);
  });

  it('agrees with the regular expression (pathspec semantics) on any pattern and path', () => {
    const segment = fc
      .array(fc.constantFrom('a', 'b', '.', '*', '?', '[ab]', '[!a]', '\\*', 'é', '😀'), {
        minLength: 1,
        maxLength: 4,
      })
      .map((parts) => parts.join(''));
    const pattern = fc
      .tuple(
        fc.constantFrom('', '/', '!', '!/'),
        fc.array(fc.oneof(segment, fc.constant('**')), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', '/'),
      )
      .map(([head, segs, tail]) => `${head}${segs.join('/')}${tail}`);
    const path = fc
      .array(fc.constantFrom('a', 'b', 'ab', 'aa', '.b', 'é', '😀', '*', 'a\nb'), {
        minLength: 1,
        maxLength: 5,
      })
      .map((segs) => segs.join('/'));
    fc.assert(
      fc.property(pattern, path, fc.boolean(), (p, name, slash) => {
        let compiled: ReturnType<typeof compileGitWildMatch>;
        try {
          compiled = compileGitWildMatch(p);
        } catch {
          return true; // patterns pathspec refuses are refused by both
        }
        if (compiled === null) return true;
        const subject = slash ? `${name}/` : name;
        return (linearMatcher(p) as (s: string) => boolean)(subject) === compiled.regex.test(subject);
      }),
      { numRuns: 3_000 },
    );
  });
});

describe.runIf(posix)('files that never end or never open', () => {
  const fifo = (path: string) => execFileSync('mkfifo', [path]);

  it('reports a .dvc file, a .dvcignore and .dvc/config that are FIFOs instead of hanging', async () => {
    const root = project({ 'data.txt': 'hello\n' });
    writeFileSync(
      join(root, 'data.txt.dvc'),
      `outs:\n- md5: ${md5('hello\n')}\n  size: 6\n  hash: md5\n  path: data.txt\n`,
    );
    fifo(join(root, 'other.dvc'));
    fifo(join(root, '.dvcignore'));
    fifo(join(root, '.dvc', 'config'));
    const started = Date.now();
    const report = await verifyDvcProject(root);
    expect(Date.now() - started).toBeLessThan(10_000);
    const problems = report.problems.map((p) => `${p.file}: ${p.message}`).join('\n');
    expect(problems).toMatch(/other\.dvc: not read: not a regular file/);
    expect(problems).toMatch(/\.dvcignore: .*not a regular file/);
    expect(problems).toMatch(/\.dvc\/config: .*not a regular file/);
    expect(report.outs.find((o) => o.path === 'data.txt')?.status).toBe('ok');
    expect(report.verdict).toBe('incomplete');
  });

  it('reports a .dir manifest in the cache that is a FIFO instead of hanging', async () => {
    const root = project({ 'images/a.png': 'a' });
    const dirMd5 = 'f'.repeat(32);
    writeFileSync(
      join(root, 'images.dvc'),
      `outs:\n- md5: ${dirMd5}.dir\n  nfiles: 1\n  hash: md5\n  path: images\n`,
    );
    const object = cacheObjectPath(join(root, '.dvc', 'cache'), 'md5', dirMd5, true);
    mkdirSync(dirname(object), { recursive: true });
    fifo(object);
    const started = Date.now();
    for (const from of ['workspace', 'cache'] as const) {
      const report = await verifyDvcProject(root, { from });
      const out = report.outs.find((o) => o.path === 'images');
      expect(out?.directory?.manifestProblem).toMatch(/not a regular file/);
      expect(out?.status).not.toBe('ok');
    }
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
