import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParseError, UsageError } from '../core/errors.js';
import {
  compareCodePoints,
  createSnapshot,
  datasetDigest,
  datasetPathOf,
  readSnapshot,
  serializeSnapshot,
  verifySnapshot,
} from './snapshot.js';

const work = mkdtempSync(join(tmpdir(), 'pedigree-snapshot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;

function dataset(): string {
  const dir = join(work, `d${counter++}`, 'reviews');
  mkdirSync(join(dir, 'train'), { recursive: true });
  writeFileSync(join(dir, 'train/part-0.csv'), 'text,label\ngood,1\n');
  writeFileSync(join(dir, 'train/part-1.csv'), 'text,label\nbad,0\n');
  writeFileSync(join(dir, 'README.md'), '# reviews\n');
  writeFileSync(join(dir, 'file with space\nand newline.txt'), 'x');
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git/HEAD'), 'ref');
  return dir;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('dataset snapshots', () => {
  it('defines the dataset digest so that it can be recomputed without pedigree', () => {
    const entries = [
      { path: 'b.csv', size: 3, sha256: sha('bbb') },
      { path: 'a.csv', size: 2, sha256: sha('aa') },
    ];
    const text = `pedigree-dataset-snapshot/v1\n${sha('aa')} 2 "a.csv"\n${sha('bbb')} 3 "b.csv"\n`;
    expect(datasetDigest(entries)).toBe(sha(text));
    // Code-point order, as Python sorts: U+1F600 (astral) sorts after U+FFFD, unlike UTF-16 order.
    expect(['\u{1F600}', '\uFFFD'].sort(compareCodePoints)).toEqual(['\uFFFD', '\u{1F600}']);
  });

  it('lists every file with size and SHA-256, leaves out .git and its own file, and is deterministic', async () => {
    const dir = dataset();
    const out = join(dir, 'reviews.snapshot.json');
    const snapshot = await createSnapshot(dir, { outputPath: out });
    expect(snapshot.entries.map((e) => e.path)).toEqual([
      'README.md',
      'file with space\nand newline.txt',
      'train/part-0.csv',
      'train/part-1.csv',
    ]);
    expect(snapshot.entries[2]).toEqual({
      path: 'train/part-0.csv',
      size: 18,
      sha256: sha('text,label\ngood,1\n'),
    });
    expect(snapshot).toMatchObject({ name: 'reviews', path: '.', files: 4, bytes: 10 + 1 + 18 + 17 });
    const text = serializeSnapshot(snapshot);
    writeFileSync(out, text);
    expect(serializeSnapshot(await createSnapshot(dir, { outputPath: out }))).toBe(text);
    expect(JSON.parse(text)).toEqual(snapshot);
    expect(readSnapshot(out)).toEqual(snapshot);
  });

  it('reports added, removed and changed files against the snapshot', async () => {
    const dir = dataset();
    const out = join(dir, '..', 'reviews.snapshot.json');
    writeFileSync(out, serializeSnapshot(await createSnapshot(dir, { outputPath: out, name: 'reviews-v1' })));
    const snapshot = readSnapshot(out);
    expect(snapshot.path).toBe('reviews');
    expect(datasetPathOf(out, snapshot)).toBe(dir);
    expect((await verifySnapshot(snapshot, dir, { snapshotFile: out })).verified).toBe(true);
    writeFileSync(join(dir, 'train/part-1.csv'), 'text,label\nbad,1\n');
    rmSync(join(dir, 'README.md'));
    writeFileSync(join(dir, 'train/part-2.csv'), 'new');
    writeFileSync(join(dir, '.git/HEAD'), 'changed, ignored');
    const drift = await verifySnapshot(snapshot, dir, { snapshotFile: out });
    expect(drift.verified).toBe(false);
    expect(drift.changed.map((c) => c.path)).toEqual(['train/part-1.csv']);
    expect(drift.removed.map((e) => e.path)).toEqual(['README.md']);
    expect(drift.added.map((e) => e.path)).toEqual(['train/part-2.csv']);
    expect(drift.currentDigest).not.toBe(drift.digest);
  });

  it('refuses to snapshot a folder with a link it cannot follow, and follows links inside when asked', async () => {
    const dir = dataset();
    writeFileSync(join(work, `outside${counter}`), 'secret');
    symlinkSync(join(work, `outside${counter}`), join(dir, 'leak.csv'));
    await expect(createSnapshot(dir)).rejects.toThrow(/leak\.csv: is a symbolic link/);
    await expect(createSnapshot(dir, { followSymlinks: true })).rejects.toThrow(/outside the/);
    rmSync(join(dir, 'leak.csv'));
    symlinkSync(join(dir, 'README.md'), join(dir, 'alias.md'));
    const snapshot = await createSnapshot(dir, { followSymlinks: true, ignore: ['train'] });
    expect(snapshot.entries.map((e) => e.path)).toEqual([
      'README.md',
      'alias.md',
      'file with space\nand newline.txt',
    ]);
    expect(snapshot.ignored).toContain('train');
  });

  it('refuses edited, malformed and hostile snapshot files with the field named', async () => {
    const dir = dataset();
    const out = join(dir, 's.json');
    const snapshot = await createSnapshot(dir, { outputPath: out });
    const write = (value: unknown) => writeFileSync(out, JSON.stringify(value));
    write({ ...snapshot, entries: snapshot.entries.slice(1) });
    expect(() => readSnapshot(out)).toThrow(/snapshot\.files is 4 but 3/);
    write({
      ...snapshot,
      entries: [{ ...snapshot.entries[0], sha256: sha('x') }, ...snapshot.entries.slice(1)],
    });
    expect(() => readSnapshot(out)).toThrow(/the snapshot was edited/);
    write({ ...snapshot, entries: [{ path: '../etc/passwd', size: 1, sha256: sha('x') }], files: 1 });
    expect(() => readSnapshot(out)).toThrow(/entries\[0\]\.path "\.\.\/etc\/passwd" is not a relative path/);
    write({ ...snapshot, version: 2 });
    expect(() => readSnapshot(out)).toThrow(/snapshot\.version/);
    writeFileSync(out, '{');
    expect(() => readSnapshot(out)).toThrow(ParseError);
    expect(() => readSnapshot(join(dir, 'none.json'))).toThrow(UsageError);
    await expect(createSnapshot(join(dir, 'missing'))).rejects.toThrow(UsageError);
  });

  it('snapshots an empty folder and a single file', async () => {
    const empty = join(work, `empty${counter++}`);
    mkdirSync(empty);
    const s = await createSnapshot(empty);
    expect(s).toMatchObject({ files: 0, bytes: 0, entries: [] });
    expect(s.digest.sha256).toBe(sha('pedigree-dataset-snapshot/v1\n'));
    expect(JSON.parse(serializeSnapshot(s))).toEqual(s);
    const file = join(empty, 'one.parquet');
    writeFileSync(file, 'PAR1');
    expect((await createSnapshot(file)).entries).toEqual([
      { path: 'one.parquet', size: 4, sha256: sha('PAR1') },
    ]);
  });
});
