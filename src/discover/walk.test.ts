import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkPaths } from './walk.js';

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-walk-'));
  mkdirSync(join(root, 'models/sub'), { recursive: true });
  mkdirSync(join(root, '.git'));
  writeFileSync(join(root, '.git/config'), 'x');
  writeFileSync(join(root, 'models/b.pt'), 'b');
  writeFileSync(join(root, 'models/sub/a.pkl'), 'a');
  writeFileSync(join(root, 'notes.log'), 'log');
  return root;
}

describe('walkPaths', () => {
  it('lists files sorted by POSIX path relative to the directory, skipping .git', async () => {
    const root = tree();
    const { files } = await walkPaths([root]);
    expect(files.map((f) => f.displayPath)).toEqual(['models/b.pt', 'models/sub/a.pkl', 'notes.log']);
  });

  it('applies exclude globs to files and directories', async () => {
    const root = tree();
    const { files } = await walkPaths([root], { exclude: ['**/*.log', 'models/sub/**'] });
    expect(files.map((f) => f.displayPath)).toEqual(['models/b.pt']);
  });

  it('does not follow a symbolic link out of the root, and reports it', async () => {
    const root = tree();
    const outside = mkdtempSync(join(tmpdir(), 'pedigree-outside-'));
    writeFileSync(join(outside, 'secret'), 's');
    symlinkSync(join(outside, 'secret'), join(root, 'link'));
    const { files, problems } = await walkPaths([root]);
    expect(files.map((f) => f.displayPath)).not.toContain('link');
    expect(problems).toEqual([
      { kind: 'symlink-outside-root', displayPath: 'link', detail: expect.stringContaining('secret') },
    ]);
  });

  it('follows links inside the root once, and survives directory link loops', async () => {
    const root = tree();
    symlinkSync(join(root, 'models'), join(root, 'models/sub/loop'));
    symlinkSync(join(root, 'models/b.pt'), join(root, 'alias.pt'));
    const { files } = await walkPaths([root]);
    expect(files.map((f) => f.displayPath)).toEqual(['alias.pt', 'models/sub/a.pkl', 'notes.log']);
  });

  it('keeps a file argument as given', async () => {
    const root = tree();
    const { files } = await walkPaths([join(root, 'notes.log')]);
    expect(files[0]!.displayPath).toBe(join(root, 'notes.log'));
  });

  it('prefixes paths with the directory when several paths are scanned', async () => {
    const a = tree();
    const { files } = await walkPaths([join(a, 'models'), join(a, 'notes.log')]);
    expect(files.map((f) => f.displayPath)).toContain(`${join(a, 'models')}/b.pt`);
  });

  it('fails with PATH_NOT_FOUND for a missing path', async () => {
    await expect(walkPaths(['/nonexistent/x'])).rejects.toMatchObject({ code: 'PATH_NOT_FOUND' });
  });
});
