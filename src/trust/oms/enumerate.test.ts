import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOmsBundle } from './bundle.js';
import { checkIgnorePath, enumerateModel, hashModel } from './enumerate.js';
import { rootDigest } from './manifest.js';

/** Models signed by model_signing releases v0.2.0-v1.1.0 (test/fixtures/oms/SOURCES.txt). */
const SAMPLES = join(import.meta.dirname, '../../../test/fixtures/oms/samples');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'pedigree-oms-'));
  dirs.push(d);
  return d;
}

describe('OMS enumeration and hashing against model_signing samples', () => {
  const samples = readdirSync(SAMPLES)
    .filter((d) => d.startsWith('v'))
    .sort();

  it('has the samples of every release and method', () => {
    expect(samples).toHaveLength(13);
  });

  for (const sample of samples) {
    it(`computes the manifest model_signing signed in ${sample}`, async () => {
      const dir = join(SAMPLES, sample);
      const text = readFileSync(join(dir, 'model.sig'), 'utf8');
      const sig = parseOmsBundle(text, `${sample}/model.sig`);
      if (sample.startsWith('v0.2.0')) {
        // The deprecated v0.2 layout has a digest per file in its subjects and no root digest (spec §11).
        expect(sig.layout).toBe('v0.2');
        const model = enumerateModel(dir, { signaturePath: join(dir, 'model.sig') });
        expect(await hashModel(model.files, sig.serialization)).toEqual(sig.resources);
        return;
      }
      expect(rootDigest(sig.resources)).toBe(sig.subject.sha256);
      if (sig.resources.length === 1 && sig.resources[0]?.name === '.') {
        // Releases before v1.0.1 signed a single-file model with the resource name ".".
        const [resource] = await hashModel(enumerateModel(join(dir, 'signme-1')).files, sig.serialization);
        expect(resource?.digest).toBe(sig.resources[0].digest);
        return;
      }
      // Releases before v1.1.0 do not record their ignore paths: these samples were signed with ignore-me left out.
      const ignorePaths = [
        ...sig.serialization.ignorePaths,
        ...(existsSync(join(dir, 'ignore-me')) ? ['ignore-me'] : []),
      ];
      const model = enumerateModel(dir, { ignorePaths, signaturePath: join(dir, 'model.sig') });
      expect(model.problems).toEqual([]);
      expect(await hashModel(model.files, sig.serialization)).toEqual(sig.resources);
      // The same on worker threads, which small models do not otherwise start.
      expect(await hashModel(model.files, sig.serialization, { inProcessBytes: 0, workers: 2 })).toEqual(
        sig.resources,
      );
    });
  }

  it('sees a changed and an added file in a tampered copy', async () => {
    const copy = temp();
    cpSync(join(SAMPLES, 'v1.1.0-elliptic-key'), copy, { recursive: true });
    const sig = parseOmsBundle(readFileSync(join(copy, 'model.sig'), 'utf8'));
    writeFileSync(join(copy, 'signme-2'), 'tampered');
    writeFileSync(join(copy, 'extra.bin'), 'x');
    const model = enumerateModel(copy, {
      ignorePaths: sig.serialization.ignorePaths,
      signaturePath: join(copy, 'model.sig'),
    });
    const resources = await hashModel(model.files, sig.serialization);
    expect(resources.map((r) => r.name)).toEqual(['extra.bin', 'signme-1', 'signme-2']);
    const signed = new Map(sig.resources.map((r) => [r.name, r.digest]));
    expect(resources.filter((r) => signed.get(r.name) !== r.digest).map((r) => r.name)).toEqual([
      'extra.bin',
      'signme-2',
    ]);
  });
});

describe('OMS enumeration rules', () => {
  it('leaves out the default exclusions at the root only, ignore paths from the root, and the signature', () => {
    const root = temp();
    for (const p of [
      '.git/HEAD',
      '.gitignore',
      'sub/.gitignore',
      'cache/a',
      'sub/cache/b',
      'w.bin',
      'model.sig',
    ]) {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), p);
    }
    const { files } = enumerateModel(root, {
      ignorePaths: ['./cache'],
      signaturePath: join(root, 'model.sig'),
    });
    expect(files.map((f) => f.name)).toEqual(['sub/.gitignore', 'sub/cache/b', 'w.bin']);
  });

  it('refuses symbolic links unless allowed, and never follows one out of the folder', () => {
    const root = temp();
    const outside = temp();
    writeFileSync(join(outside, 'secret'), 's');
    writeFileSync(join(root, 'w.bin'), 'w');
    symlinkSync(join(root, 'w.bin'), join(root, 'alias.bin'));
    symlinkSync(join(outside, 'secret'), join(root, 'escape'));
    symlinkSync(root, join(root, 'loop'));
    const refused = enumerateModel(root);
    expect(refused.files.map((f) => f.name)).toEqual(['w.bin']);
    expect(refused.problems.map((p) => p.path)).toEqual(['alias.bin', 'escape', 'loop']);
    const allowed = enumerateModel(root, { allowSymlinks: true });
    expect(allowed.files.map((f) => f.name)).toEqual(['alias.bin', 'w.bin']);
    expect(allowed.problems.map((p) => p.path)).toEqual(['escape', 'loop']);
  });

  it('hashes byte ranges with shard serialization and BLAKE2b-512 when asked', async () => {
    const root = temp();
    writeFileSync(join(root, 'w.bin'), Buffer.alloc(25, 1));
    writeFileSync(join(root, 'empty'), '');
    const { files } = enumerateModel(root);
    const shards = await hashModel(files, { method: 'shards', hashType: 'sha256', shardSize: 10 });
    expect(shards.map((r) => r.name)).toEqual(['w.bin:0:10', 'w.bin:10:20', 'w.bin:20:25']);
    // model_signing names shard digests `<hash>-sharded-<size>` and compares that name.
    expect(new Set(shards.map((r) => r.algorithm))).toEqual(new Set(['sha256-sharded-10']));
    const blake = await hashModel(files, { method: 'files', hashType: 'blake2b' });
    expect(blake.find((r) => r.name === 'w.bin')?.digest).toHaveLength(128);
    await expect(hashModel(files, { method: 'files', hashType: 'blake3' })).rejects.toThrow(/blake3/);
  });

  it('checks ignore entries as the spec allows them', () => {
    expect(checkIgnorePath('cache/x')).toBeUndefined();
    expect(checkIgnorePath('*.bin')).toMatch(/glob/);
    expect(checkIgnorePath('/abs')).toMatch(/relative/);
    expect(checkIgnorePath('a/../b')).toMatch(/\.\./);
  });
});
