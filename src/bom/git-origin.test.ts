import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gitHubOrigin, hubModelOfUrl, originUrl } from './git-origin.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function clone(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'pedigree-git-'));
  dirs.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, '.git', path, '..'), { recursive: true });
    writeFileSync(join(root, '.git', path), content);
  }
  return root;
}

const SHA = '0123456789abcdef0123456789abcdef01234567';
const CONFIG = `[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://huggingface.co/acme/tiny-bert\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\tremote = origin\n`;

describe('git origin of a model folder', () => {
  it('reads the Hub repository and the commit of a clone', () => {
    expect(
      gitHubOrigin(clone({ config: CONFIG, HEAD: 'ref: refs/heads/main\n', 'refs/heads/main': `${SHA}\n` })),
    ).toEqual({
      hubId: 'acme/tiny-bert',
      revision: SHA,
    });
    expect(gitHubOrigin(clone({ config: CONFIG, HEAD: `${SHA}\n` }))?.revision).toBe(SHA);
    expect(
      gitHubOrigin(
        clone({
          config: CONFIG,
          HEAD: 'ref: refs/heads/main\n',
          'packed-refs': `# pack-refs with: peeled\n${SHA} refs/heads/main\n`,
        }),
      ),
    ).toEqual({ hubId: 'acme/tiny-bert', revision: SHA });
    expect(gitHubOrigin(clone({ config: CONFIG, HEAD: 'ref: refs/heads/../../x\n' }))).toEqual({
      hubId: 'acme/tiny-bert',
    });
  });

  it('knows the Hub clone URL forms and nothing else', () => {
    expect(hubModelOfUrl('https://huggingface.co/acme/m.git')).toBe('acme/m');
    expect(hubModelOfUrl('https://user:token@huggingface.co/acme/m')).toBe('acme/m');
    expect(hubModelOfUrl('git@hf.co:acme/m')).toBe('acme/m');
    expect(hubModelOfUrl('https://huggingface.co/datasets/acme/d')).toBeUndefined();
    expect(hubModelOfUrl('https://github.com/acme/m')).toBeUndefined();
    expect(hubModelOfUrl('https://huggingface.co/acme')).toBeUndefined();
    expect(originUrl('[remote "upstream"]\nurl = https://huggingface.co/a/b\n')).toBeUndefined();
  });

  it('ignores folders that are not clones, other remotes, links and oversized files', () => {
    expect(gitHubOrigin(mkdtempSync(join(tmpdir(), 'pedigree-git-')))).toBeUndefined();
    expect(
      gitHubOrigin(clone({ config: CONFIG.replace('huggingface.co', 'github.com'), HEAD: SHA })),
    ).toBeUndefined();
    const linked = clone({ HEAD: SHA });
    const elsewhere = clone({ config: CONFIG });
    symlinkSync(join(elsewhere, '.git', 'config'), join(linked, '.git', 'config'));
    expect(gitHubOrigin(linked)).toBeUndefined();
    expect(gitHubOrigin(clone({ config: `${CONFIG}${'#'.repeat(300_000)}` }))).toBeUndefined();
  });
});
